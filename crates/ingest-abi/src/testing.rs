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
    DESCRIPTOR_FLUSH_END, DESCRIPTOR_SIZE_1_0, HOST_API_SIZE_1_0, HOST_CALLS_FLUSH, IngestBuffer, IngestCall,
    IngestHostApi, IngestPluginDescriptor, IngestStr, STATUS_OK,
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
    /// the plugin's error message. For a descriptor of this crate's ABI (a Rust plugin's
    /// `&*ingest_plugin_descriptor()`); a descriptor that may be shorter (a C plugin built
    /// for ABI 1.0) goes through [`TestHost::create_raw`].
    pub fn create<'h>(
        &'h self,
        descriptor: &'static IngestPluginDescriptor,
        config_json: &str,
    ) -> Result<TestInstance<'h>, (i32, String)> {
        // SAFETY: a reference to a whole descriptor is valid for every field.
        unsafe { self.create_raw(descriptor, config_json) }
    }

    /// [`TestHost::create`] for a descriptor of any ABI 1.x minor, read as the host does:
    /// each field through the raw pointer, `flush` only when the minor and `struct_size`
    /// cover it, so a 1.0 descriptor is never read past its end.
    ///
    /// # Safety
    /// `descriptor` must point to a static descriptor with the ABI magic and major version,
    /// at least [`DESCRIPTOR_SIZE_1_0`] bytes long (as its `struct_size` says), with non-null
    /// functions, that stays valid for the life of the process.
    pub unsafe fn create_raw<'h>(
        &'h self,
        descriptor: *const IngestPluginDescriptor,
        config_json: &str,
    ) -> Result<TestInstance<'h>, (i32, String)> {
        // SAFETY: the caller guarantees a 1.0-sized descriptor at least.
        let functions = unsafe { Functions::read(descriptor) };
        let mut instance = std::ptr::null_mut();
        let mut error = IngestBuffer::empty();
        // SAFETY: the host table outlives the instance (borrowed for 'h); the config bytes and
        // out-pointers are valid for the call.
        let status = unsafe {
            (functions.create)(self.api.as_ref(), IngestStr::from_str(config_json), &mut instance, &mut error)
        };
        let descriptor = functions;
        let message = take(&descriptor, error);
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

/// The functions of a descriptor, copied out field by field through the raw pointer.
#[derive(Debug, Clone, Copy)]
struct Functions {
    create: crate::ffi::CreateFn,
    process: crate::ffi::ProcessFn,
    destroy: crate::ffi::DestroyFn,
    free_buffer: crate::ffi::FreeBufferFn,
    /// `None` for a 1.0 descriptor (shorter, or minor 0) or a NULL entry.
    flush: Option<crate::ffi::FlushFn>,
}

impl Functions {
    /// # Safety
    /// As [`TestHost::create_raw`].
    unsafe fn read(raw: *const IngestPluginDescriptor) -> Self {
        // SAFETY: the caller guarantees the 1.0 fields are in bounds and initialised; `flush`
        // is read only when the minor version and `struct_size` say it is there.
        unsafe {
            let minor = (&raw const (*raw).abi_minor).read();
            let size = (&raw const (*raw).struct_size).read() as usize;
            debug_assert!(size >= DESCRIPTOR_SIZE_1_0, "a descriptor shorter than ABI 1.0's");
            Self {
                create: (&raw const (*raw).create).read(),
                process: (&raw const (*raw).process).read(),
                destroy: (&raw const (*raw).destroy).read(),
                free_buffer: (&raw const (*raw).free_buffer).read(),
                flush: if minor >= 1 && size >= DESCRIPTOR_FLUSH_END {
                    (&raw const (*raw).flush).read()
                } else {
                    None
                },
            }
        }
    }
}

/// A live plugin instance; destroyed on drop.
#[derive(Debug)]
pub struct TestInstance<'h> {
    descriptor: Functions,
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
        (status, take(&self.descriptor, output))
    }

    /// Calls `flush` as a host does before committing results: the status and the error
    /// message (empty on success). A descriptor without `flush` (ABI 1.0, or NULL) has
    /// nothing to make durable: `STATUS_OK`.
    pub fn flush(&self) -> (i32, String) {
        let Some(flush) = self.descriptor.flush else {
            return (STATUS_OK, String::new());
        };
        let mut error = IngestBuffer::empty();
        // SAFETY: the instance is live and no other call runs on it (we hold `&self` on one
        // thread); it was read only where the minor and `struct_size` cover it.
        let status = unsafe { flush(self.instance, &mut error) };
        (status, take(&self.descriptor, error))
    }
}

impl Drop for TestInstance<'_> {
    fn drop(&mut self) {
        // SAFETY: created by this descriptor's `create`, destroyed once, no call running.
        unsafe { (self.descriptor.destroy)(self.instance) };
    }
}

/// Copies a plugin-owned buffer and hands it back to the plugin's `free_buffer`.
fn take(descriptor: &Functions, buffer: IngestBuffer) -> String {
    if buffer.ptr.is_null() {
        return String::new();
    }
    // SAFETY: the plugin filled `len` initialised bytes it owns until freed below.
    let bytes = unsafe { std::slice::from_raw_parts(buffer.ptr, buffer.len) }.to_vec();
    // SAFETY: the buffer came from this plugin and is freed once.
    unsafe { (descriptor.free_buffer)(buffer) };
    String::from_utf8_lossy(&bytes).into_owned()
}
