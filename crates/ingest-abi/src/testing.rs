//! Driving a plugin through its C descriptor exactly as the host does, for plugin authors'
//! tests: `create` with a JSON config, `process` a document, every buffer returned to the
//! plugin's own `free_buffer`, `destroy` on drop.
//!
//! The host table it lends is minimal: logging is discarded, calls are never cancelled, and
//! the state folder is the one given (or none). It is an ABI 1.1 table announcing that the
//! host calls `flush` (so call [`TestInstance::flush`] where a host would commit), unless
//! made a 1.0 host's with [`TestHost::as_abi_1_0`].

use std::ffi::c_void;
use std::path::Path;

use crate::ffi::{
    DESCRIPTOR_SIZE_1_0, HOST_API_SIZE_1_0, HOST_CALLS_FLUSH, IngestBuffer, IngestCall, IngestHostApi,
    IngestPluginDescriptor, IngestStr, STATUS_OK,
};

unsafe extern "C" fn discard_log(_host: *mut c_void, _level: u32, _message: IngestStr) {}

unsafe extern "C" fn never_cancelled(_call: *const IngestCall) -> i32 {
    0
}

/// A fake host table; it must outlive every instance created with it.
#[derive(Debug)]
pub struct TestHost {
    api: Box<IngestHostApi>,
    _state_dir: Box<str>,
}

impl TestHost {
    /// A host that gives plugins no state folder.
    pub fn new() -> Self {
        Self::with_state_dir(None)
    }

    /// A host that gives plugins `state_dir` for their persistent state.
    pub fn with_state_dir(state_dir: Option<&Path>) -> Self {
        let state_dir: Box<str> = state_dir.map(|p| p.to_string_lossy().into()).unwrap_or_default();
        let api = Box::new(IngestHostApi {
            struct_size: std::mem::size_of::<IngestHostApi>() as u32,
            host_data: std::ptr::null_mut(),
            state_dir: IngestStr::from_str(&state_dir),
            log: discard_log,
            is_cancelled: never_cancelled,
            flags: HOST_CALLS_FLUSH,
        });
        Self { api, _state_dir: state_dir }
    }

    /// The same host with a 1.0 function table (no `flags`): it never calls `flush`, so a
    /// plugin must leave its state durable when `process` returns. For testing that a plugin
    /// stays correct under an older host.
    pub fn as_abi_1_0(mut self) -> Self {
        self.api.struct_size = HOST_API_SIZE_1_0 as u32;
        self.api.flags = 0;
        self
    }

    /// Calls the descriptor's `create` with `config_json`: the instance, or the status and
    /// the plugin's error message.
    pub fn create<'h>(
        &'h self,
        descriptor: &'static IngestPluginDescriptor,
        config_json: &str,
    ) -> Result<TestInstance<'h>, (i32, String)> {
        let mut instance = std::ptr::null_mut();
        let mut error = IngestBuffer::empty();
        // SAFETY: the host table outlives the instance (borrowed for 'h); the config bytes and
        // out-pointers are valid for the call.
        let status = unsafe {
            (descriptor.create)(
                self.api.as_ref(),
                IngestStr::from_str(config_json),
                &mut instance,
                &mut error,
            )
        };
        let message = take(descriptor, error);
        if status == STATUS_OK && !instance.is_null() {
            Ok(TestInstance { descriptor, instance, _host: self })
        } else {
            Err((status, message))
        }
    }
}

impl Default for TestHost {
    fn default() -> Self {
        Self::new()
    }
}

/// A live plugin instance; destroyed on drop.
#[derive(Debug)]
pub struct TestInstance<'h> {
    descriptor: &'static IngestPluginDescriptor,
    instance: *mut c_void,
    _host: &'h TestHost,
}

impl TestInstance<'_> {
    /// Calls `process` on `document_json`: the status and the output (result JSON, or the
    /// error message when the status is not OK).
    pub fn process(&self, document_json: &str) -> (i32, String) {
        let mut output = IngestBuffer::empty();
        // SAFETY: the instance is live; the null call handle is only passed to our
        // `never_cancelled`, which ignores it.
        let status = unsafe {
            (self.descriptor.process)(
                self.instance,
                std::ptr::null(),
                IngestStr::from_str(document_json),
                &mut output,
            )
        };
        (status, take(self.descriptor, output))
    }

    /// Calls `flush` as a host does before committing results: the status and the error
    /// message (empty on success). A descriptor without `flush` (ABI 1.0, or NULL) has
    /// nothing to make durable: `STATUS_OK`.
    pub fn flush(&self) -> (i32, String) {
        if (self.descriptor.struct_size as usize) < DESCRIPTOR_SIZE_1_0 + std::mem::size_of::<usize>() {
            return (STATUS_OK, String::new());
        }
        let Some(flush) = self.descriptor.flush else {
            return (STATUS_OK, String::new());
        };
        let mut error = IngestBuffer::empty();
        // SAFETY: the instance is live and no other call runs on it (we hold `&self` on one
        // thread); `struct_size` covers the field.
        let status = unsafe { flush(self.instance, &mut error) };
        (status, take(self.descriptor, error))
    }
}

impl Drop for TestInstance<'_> {
    fn drop(&mut self) {
        // SAFETY: created by this descriptor's `create`, destroyed once, no call running.
        unsafe { (self.descriptor.destroy)(self.instance) };
    }
}

/// Copies a plugin-owned buffer and hands it back to the plugin's `free_buffer`.
fn take(descriptor: &IngestPluginDescriptor, buffer: IngestBuffer) -> String {
    if buffer.ptr.is_null() {
        return String::new();
    }
    // SAFETY: the plugin filled `len` initialised bytes it owns until freed below.
    let bytes = unsafe { std::slice::from_raw_parts(buffer.ptr, buffer.len) }.to_vec();
    // SAFETY: the buffer came from this plugin and is freed once.
    unsafe { (descriptor.free_buffer)(buffer) };
    String::from_utf8_lossy(&bytes).into_owned()
}
