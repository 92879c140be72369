//! The Rust side of writing a plugin: implement [`Plugin`], call [`export_plugin!`].
//!
//! Everything `unsafe` lives here, once: the trampolines turn C calls into safe trait calls,
//! catch every panic (a panic becomes [`STATUS_PANIC`] with its message, never an unwind
//! across the boundary), and hand buffers out with a matching `free_buffer`.
//!
//! [`export_plugin!`]: crate::export_plugin

use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::ffi::{
    ABI_MAGIC, ABI_MAJOR, ABI_MINOR, FLAG_NO_PRIOR_RESULTS, FLAG_THREAD_SAFE, HOST_API_FLAGS_END,
    HOST_API_SIZE_1_0, HOST_CALLS_FLUSH, IngestBuffer, IngestCall, IngestHostApi, IngestPluginDescriptor,
    IngestStr, LOG_DEBUG, LOG_ERROR, LOG_INFO, LOG_TRACE, LOG_WARN, STATUS_CANCELLED, STATUS_ERROR,
    STATUS_OK, STATUS_PANIC,
};
use crate::types::Document;

/// Why a plugin call failed; the host records it in the result's `errors`.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// The configuration table was refused (unknown key, wrong type, missing model).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The document could not be analysed.
    #[error("{0}")]
    Failed(String),
    /// The call stopped because the host cancelled it.
    #[error("cancelled")]
    Cancelled,
}

impl PluginError {
    /// A [`PluginError::Failed`] from anything printable.
    pub fn failed(message: impl std::fmt::Display) -> Self {
        Self::Failed(message.to_string())
    }
}

/// Log levels a plugin may write at, through the host's logger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Something failed.
    Error,
    /// Something looks wrong.
    Warn,
    /// Normal operation worth telling an operator.
    Info,
    /// Detail for debugging.
    Debug,
    /// Very fine detail.
    Trace,
}

/// The host's services, as lent to one plugin instance.
///
/// Only ever lent by reference (`&Host` in [`Plugin::create`] and through [`Call::host`]):
/// the table behind it is freed after `destroy`, so it is neither `Clone` nor `Copy`, and a
/// plugin cannot keep it past the instance's life without `unsafe`.
#[derive(Debug)]
pub struct Host {
    api: *const IngestHostApi,
}

// SAFETY: the contract requires every host function to be callable from any thread, and the
// table lives until `destroy`, which outlives every call made through an instance.
unsafe impl Send for Host {}
// SAFETY: see above; the table is never written after `create`.
unsafe impl Sync for Host {}

impl Host {
    /// Writes one line through the host's logger.
    pub fn log(&self, level: Level, message: &str) {
        let level = match level {
            Level::Error => LOG_ERROR,
            Level::Warn => LOG_WARN,
            Level::Info => LOG_INFO,
            Level::Debug => LOG_DEBUG,
            Level::Trace => LOG_TRACE,
        };
        // SAFETY: `api` is valid until `destroy` (the contract) and at least a 1.0 table
        // (checked in `create`); each 1.0 field is read through the raw pointer, never through
        // a reference to the whole (1.1-sized) struct, which a 1.0 host's table is too short
        // for. `message` outlives the call.
        unsafe {
            let log = (&raw const (*self.api).log).read();
            let host_data = (&raw const (*self.api).host_data).read();
            log(host_data, level, IngestStr::from_str(message));
        }
    }

    /// True when the host calls [`Plugin::flush`] itself before committing results (an ABI
    /// 1.1 host). With an older host the SDK calls `flush` right after each successful
    /// `process` instead, so a plugin's durability never depends on which host loaded it.
    pub fn calls_flush(&self) -> bool {
        // SAFETY: `api` is valid until `destroy`; `struct_size` has the same offset in every
        // version, and `flags` is read (through the raw pointer, no reference to the whole
        // struct) only when the table is large enough to hold it.
        unsafe {
            let size = (&raw const (*self.api).struct_size).read() as usize;
            size >= HOST_API_FLAGS_END && (&raw const (*self.api).flags).read() & HOST_CALLS_FLUSH != 0
        }
    }

    /// The folder the host set aside for this plugin's persistent state.
    pub fn state_dir(&self) -> Option<PathBuf> {
        // SAFETY: `api` is valid until `destroy`; `state_dir` borrows host memory that lives
        // as long as the table.
        let bytes = unsafe { (&raw const (*self.api).state_dir).read().as_bytes() };
        if bytes.is_empty() {
            return None;
        }
        std::str::from_utf8(bytes).ok().map(PathBuf::from)
    }
}

/// The context of one `process` call.
#[derive(Debug)]
pub struct Call<'a> {
    host: &'a Host,
    call: *const IngestCall,
}

impl Call<'_> {
    /// True when the host wants this call to stop early (its time limit passed); a
    /// long-running plugin checks it between steps and returns [`PluginError::Cancelled`].
    pub fn is_cancelled(&self) -> bool {
        // SAFETY: `call` is the handle the host passed for the duration of this call.
        // The field is read through the raw pointer (a 1.0 host's table is shorter than ours).
        unsafe { (&raw const (*self.host.api).is_cancelled).read()(self.call) != 0 }
    }

    /// The host's services.
    pub fn host(&self) -> &Host {
        self.host
    }
}

/// An analysis plugin. The SDK turns an implementation into the C ABI with
/// [`export_plugin!`](crate::export_plugin).
pub trait Plugin: Sized + Send + Sync + 'static {
    /// The plugin's own name, e.g. `entities` (results are keyed by the configured name).
    const NAME: &'static str;
    /// The plugin's version, usually `env!("CARGO_PKG_VERSION")`.
    const VERSION: &'static str;
    /// Whether `process` may run on several threads at once.
    const THREAD_SAFE: bool = true;
    /// Whether `process` reads [`Document::plugins`] (the results of the plugins that ran
    /// before it). `false` sets `INGEST_PLUGIN_NO_PRIOR_RESULTS`: the host then sends that map
    /// empty, and the SDK does not parse the other plugins' results for nothing.
    const READS_PRIOR_RESULTS: bool = true;

    /// The configuration table, deserialised from the JSON the host passes to `create`.
    /// Use `#[serde(deny_unknown_fields)]` so a misspelt key is an error naming it.
    type Config: DeserializeOwned;
    /// What `process` returns; serialised to JSON for the result.
    type Output: Serialize;

    /// Builds an instance: load models and open indexes here, once.
    fn create(config: Self::Config, host: &Host) -> Result<Self, PluginError>;

    /// Analyses one document. Must give the same answer when called again with the same
    /// document id (the host may redeliver after a crash).
    fn process(&self, document: &Document, call: &Call<'_>) -> Result<Self::Output, PluginError>;

    /// Makes durable everything recorded for the documents whose `process` calls have
    /// returned (ABI 1.1 group commit: the host calls it once per batch of documents, before
    /// committing their results, so one disk sync can cover many documents). The default
    /// does nothing: right for plugins that keep no state or sync inside `process`.
    ///
    /// With [`Plugin::THREAD_SAFE`] it may run while `process` runs on other threads; it must
    /// cover every `process` call that returned before it began. On `Err` the host commits
    /// none of the batch and calls `flush` again later, so after a failed sync the plugin
    /// must not answer `Ok` until the data is written again. With a host older than ABI 1.1
    /// (see [`Host::calls_flush`]) the SDK calls it after each successful `process`.
    fn flush(&self) -> Result<(), String> {
        Ok(())
    }
}

/// What an instance pointer handed to the host points to.
struct Instance<P> {
    plugin: P,
    host: Host,
}

/// Builds the static descriptor for `P`; used by [`export_plugin!`](crate::export_plugin).
pub const fn descriptor<P: Plugin>() -> IngestPluginDescriptor {
    IngestPluginDescriptor {
        magic: ABI_MAGIC,
        abi_major: ABI_MAJOR,
        abi_minor: ABI_MINOR,
        struct_size: std::mem::size_of::<IngestPluginDescriptor>() as u32,
        flags: (if P::THREAD_SAFE { FLAG_THREAD_SAFE } else { 0 })
            | (if P::READS_PRIOR_RESULTS { 0 } else { FLAG_NO_PRIOR_RESULTS }),
        name: IngestStr::from_str(P::NAME),
        version: IngestStr::from_str(P::VERSION),
        create: create::<P>,
        process: process::<P>,
        destroy: destroy::<P>,
        free_buffer,
        flush: Some(flush::<P>),
    }
}

fn into_buffer(bytes: Vec<u8>) -> IngestBuffer {
    if bytes.is_empty() {
        // The header: an empty buffer has ptr == NULL.
        return IngestBuffer::empty();
    }
    let mut bytes = std::mem::ManuallyDrop::new(bytes);
    IngestBuffer { ptr: bytes.as_mut_ptr(), len: bytes.len(), cap: bytes.capacity() }
}

/// Fills `out` (if not null) with `bytes`.
///
/// # Safety
/// `out` is null or points to a writable `IngestBuffer`.
unsafe fn write_out(out: *mut IngestBuffer, bytes: Vec<u8>) {
    if !out.is_null() {
        // SAFETY: the caller guarantees `out` is writable.
        unsafe { out.write(into_buffer(bytes)) };
    }
}

std::thread_local! {
    /// Where the last panic on this thread happened, recorded by the SDK's panic hook.
    static PANIC_LOCATION: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    /// True while this thread runs plugin code inside a trampoline.
    static IN_TRAMPOLINE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs (once) a panic hook in this library's copy of `std` (a `cdylib` links its own)
/// that stays quiet for panics inside a trampoline — they are caught and reported to the host
/// with message and location, one log line instead of a backtrace on stderr — and defers to
/// the previous hook for every other panic (threads the plugin spawns, or a test binary that
/// links the plugin as an rlib).
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if IN_TRAMPOLINE.with(std::cell::Cell::get) {
                let location = info.location().map(|l| format!("{}:{}", l.file(), l.line()));
                PANIC_LOCATION.with(|cell| *cell.borrow_mut() = location);
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs plugin code with panics caught (and recorded quietly by the hook).
fn guarded<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    install_panic_hook();
    let was = IN_TRAMPOLINE.with(|flag| flag.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    IN_TRAMPOLINE.with(|flag| flag.set(was));
    result
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let message = if let Some(s) = payload.downcast_ref::<&str>() {
        format!("plugin panicked: {s}")
    } else if let Some(s) = payload.downcast_ref::<String>() {
        format!("plugin panicked: {s}")
    } else {
        "plugin panicked".to_owned()
    };
    match PANIC_LOCATION.with(|cell| cell.borrow_mut().take()) {
        Some(location) => format!("{message} (at {location})"),
        None => message,
    }
}

fn status_of(error: &PluginError) -> i32 {
    match error {
        PluginError::Cancelled => STATUS_CANCELLED,
        PluginError::Config(_) | PluginError::Failed(_) => STATUS_ERROR,
    }
}

unsafe extern "C" fn create<P: Plugin>(
    host: *const IngestHostApi,
    config_json: IngestStr,
    instance: *mut *mut c_void,
    error: *mut IngestBuffer,
) -> i32 {
    let outcome = guarded(|| {
        if host.is_null() || instance.is_null() {
            return Err(PluginError::failed("create called with a null pointer"));
        }
        // SAFETY: checked non-null; the first field has the same offset in every version.
        let size = unsafe { (*host).struct_size } as usize;
        if size < HOST_API_SIZE_1_0 {
            return Err(PluginError::failed(format_args!(
                "the host's function table is {size} bytes, this plugin needs at least {HOST_API_SIZE_1_0} (host ABI too old)"
            )));
        }
        let host = Host { api: host };
        // SAFETY: the host passes bytes valid for the duration of this call.
        let config_bytes = unsafe { config_json.as_bytes() };
        let config_bytes = if config_bytes.is_empty() { b"{}".as_slice() } else { config_bytes };
        let config: P::Config =
            serde_json::from_slice(config_bytes).map_err(|e| PluginError::Config(e.to_string()))?;
        let plugin = P::create(config, &host)?;
        Ok(Box::new(Instance { plugin, host }))
    });
    match outcome {
        Ok(Ok(boxed)) => {
            // SAFETY: checked non-null above; the host passes a writable slot.
            unsafe { instance.write(Box::into_raw(boxed).cast()) };
            STATUS_OK
        }
        Ok(Err(e)) => {
            // SAFETY: the host passes a writable buffer or null.
            unsafe { write_out(error, e.to_string().into_bytes()) };
            status_of(&e)
        }
        Err(payload) => {
            // SAFETY: as above.
            unsafe { write_out(error, panic_message(payload.as_ref()).into_bytes()) };
            STATUS_PANIC
        }
    }
}

unsafe extern "C" fn process<P: Plugin>(
    instance: *mut c_void,
    call: *const IngestCall,
    document_json: IngestStr,
    output: *mut IngestBuffer,
) -> i32 {
    let outcome = guarded(|| {
        if instance.is_null() {
            return Err(PluginError::failed("process called with a null instance"));
        }
        // SAFETY: `instance` came from our `create` and is not destroyed while calls run.
        let instance = unsafe { &*instance.cast::<Instance<P>>() };
        // SAFETY: the host passes bytes valid for the duration of this call.
        let bytes = unsafe { document_json.as_bytes() };
        let document: Document = serde_json::from_slice(bytes)
            .map_err(|e| PluginError::failed(format_args!("invalid document JSON: {e}")))?;
        let call = Call { host: &instance.host, call };
        let out = instance.plugin.process(&document, &call)?;
        let json = serde_json::to_vec(&out)
            .map_err(|e| PluginError::failed(format_args!("cannot encode result: {e}")))?;
        if !instance.host.calls_flush() {
            // A host older than ABI 1.1 never calls `flush`: make this document's state
            // durable now, as ABI 1.0 requires of `process`.
            instance.plugin.flush().map_err(|e| PluginError::failed(format_args!("flush: {e}")))?;
        }
        Ok(json)
    });
    let (status, bytes) = match outcome {
        Ok(Ok(json)) => (STATUS_OK, json),
        Ok(Err(e)) => (status_of(&e), e.to_string().into_bytes()),
        Err(payload) => (STATUS_PANIC, panic_message(payload.as_ref()).into_bytes()),
    };
    // SAFETY: the host passes a writable buffer or null.
    unsafe { write_out(output, bytes) };
    status
}

unsafe extern "C" fn flush<P: Plugin>(instance: *mut c_void, error: *mut IngestBuffer) -> i32 {
    let outcome = guarded(|| {
        if instance.is_null() {
            return Err("flush called with a null instance".to_owned());
        }
        // SAFETY: `instance` came from our `create` and is not destroyed while calls run.
        let instance = unsafe { &*instance.cast::<Instance<P>>() };
        instance.plugin.flush()
    });
    let (status, message) = match outcome {
        Ok(Ok(())) => return STATUS_OK,
        Ok(Err(message)) => (STATUS_ERROR, message),
        Err(payload) => (STATUS_PANIC, panic_message(payload.as_ref())),
    };
    // SAFETY: the host passes a writable buffer or null.
    unsafe { write_out(error, message.into_bytes()) };
    status
}

unsafe extern "C" fn destroy<P: Plugin>(instance: *mut c_void) {
    if instance.is_null() {
        return;
    }
    // A panic in Drop must not unwind into the host; there is nobody to tell, so it is dropped.
    let _ = guarded(|| {
        // SAFETY: `instance` came from `Box::into_raw` in our `create`, and the host destroys
        // each instance once, after its last call.
        drop(unsafe { Box::from_raw(instance.cast::<Instance<P>>()) });
    });
}

unsafe extern "C" fn free_buffer(buffer: IngestBuffer) {
    if buffer.ptr.is_null() {
        return;
    }
    // SAFETY: every non-null buffer we hand out comes from `into_buffer`, i.e. a `Vec<u8>`
    // with exactly this pointer, length and capacity, and the host frees each buffer once.
    drop(unsafe { Vec::from_raw_parts(buffer.ptr, buffer.len, buffer.cap) });
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::testing::TestHost;

    /// Counts its calls; `flush` fails when the document text asked for it, and panics on
    /// "panic".
    struct Counting {
        processed: AtomicUsize,
        flushed: AtomicUsize,
        fail_flush: std::sync::atomic::AtomicBool,
        panic_flush: std::sync::atomic::AtomicBool,
    }

    impl Plugin for Counting {
        const NAME: &'static str = "counting";
        const VERSION: &'static str = "1";
        type Config = serde_json::Value;
        type Output = serde_json::Value;

        fn create(_config: Self::Config, _host: &Host) -> Result<Self, PluginError> {
            Ok(Self {
                processed: AtomicUsize::new(0),
                flushed: AtomicUsize::new(0),
                fail_flush: false.into(),
                panic_flush: false.into(),
            })
        }

        fn process(&self, document: &Document, _call: &Call<'_>) -> Result<Self::Output, PluginError> {
            self.fail_flush.store(document.text.contains("fail"), Ordering::SeqCst);
            self.panic_flush.store(document.text.contains("panic"), Ordering::SeqCst);
            let n = self.processed.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(serde_json::json!({ "processed": n, "flushed": self.flushed.load(Ordering::SeqCst) }))
        }

        fn flush(&self) -> Result<(), String> {
            if self.panic_flush.load(Ordering::SeqCst) {
                panic!("flush exploded");
            }
            if self.fail_flush.load(Ordering::SeqCst) {
                return Err("disk on fire".to_owned());
            }
            self.flushed.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    }

    static DESCRIPTOR: IngestPluginDescriptor = descriptor::<Counting>();

    fn document(text: &str) -> String {
        serde_json::json!({
            "id": "b3:x", "source": {"name": "x.txt", "bytes": 1, "sha256": "", "received_at": ""},
            "title": null, "language": "en", "text": text, "paragraphs": [], "sentences": [], "plugins": {},
        })
        .to_string()
    }

    fn flushed_count(instance: &crate::testing::TestInstance<'_>) -> u64 {
        let (status, out) = instance.process(&document("count"));
        assert_eq!(status, STATUS_OK, "{out}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["flushed"].as_u64().unwrap()
    }

    /// Declares that it never reads the earlier plugins' results, and is not thread-safe.
    struct Blind;

    impl Plugin for Blind {
        const NAME: &'static str = "blind";
        const VERSION: &'static str = "1";
        const THREAD_SAFE: bool = false;
        const READS_PRIOR_RESULTS: bool = false;
        type Config = serde_json::Value;
        type Output = usize;

        fn create(_config: Self::Config, _host: &Host) -> Result<Self, PluginError> {
            Ok(Self)
        }

        fn process(&self, document: &Document, _call: &Call<'_>) -> Result<usize, PluginError> {
            Ok(document.plugins.len())
        }
    }

    #[test]
    fn descriptor_flags_say_what_the_plugin_declares() {
        assert_eq!(DESCRIPTOR.flags, FLAG_THREAD_SAFE, "thread-safe, reads prior results (the defaults)");
        assert_eq!(descriptor::<Blind>().flags, FLAG_NO_PRIOR_RESULTS);
    }

    #[test]
    fn descriptor_is_abi_1_1_with_flush() {
        assert_eq!((DESCRIPTOR.abi_major, DESCRIPTOR.abi_minor), (1, 1));
        assert_eq!(DESCRIPTOR.struct_size as usize, std::mem::size_of::<IngestPluginDescriptor>());
        assert!(DESCRIPTOR.flush.is_some());
    }

    /// A 1.1 host calls `flush` itself, so `process` does not; the host's call reaches the
    /// plugin once, however many documents came before.
    #[test]
    fn a_flushing_host_gets_one_flush_per_batch() {
        let host = TestHost::new();
        let instance = host.create(&DESCRIPTOR, "{}").unwrap();
        for _ in 0..3 {
            assert_eq!(flushed_count(&instance), 0, "process does not flush under a 1.1 host");
        }
        assert_eq!(instance.flush(), (STATUS_OK, String::new()));
        assert_eq!(flushed_count(&instance), 1);
    }

    /// Under a 1.0 host (no `flags` in its table) the SDK flushes after every `process`, so
    /// the plugin's state is durable when its answer is.
    #[test]
    fn under_a_1_0_host_the_sdk_flushes_after_each_process() {
        let host = TestHost::new().as_abi_1_0();
        let instance = host.create(&DESCRIPTOR, "{}").unwrap();
        assert_eq!(flushed_count(&instance), 0, "the answer is built before its flush");
        assert_eq!(flushed_count(&instance), 1);
        assert_eq!(flushed_count(&instance), 2);
        // A flush that fails there fails the document.
        let (status, message) = instance.process(&document("fail"));
        assert_eq!(status, STATUS_ERROR);
        assert!(message.contains("disk on fire"), "{message}");
    }

    /// A descriptor that says minor 0 has no `flush`, whatever its `struct_size`: trailing
    /// bytes of a 1.0 plugin are not a function to call.
    #[test]
    fn a_minor_0_descriptor_is_never_flushed() {
        static PADDED_1_0: IngestPluginDescriptor =
            IngestPluginDescriptor { abi_minor: 0, ..descriptor::<Counting>() };
        let host = TestHost::new();
        let instance = host.create(&PADDED_1_0, "{}").unwrap();
        instance.process(&document("fail"));
        assert_eq!(instance.flush(), (STATUS_OK, String::new()), "a 1.0 plugin's flush is never called");
    }

    /// A 1.0 host's table, in an allocation exactly as long as ABI 1.0's (48 bytes): the SDK
    /// reads only the fields it holds (under Miri, a reference to the whole 1.1 struct over
    /// it is undefined behaviour), and sees that this host does not call `flush`.
    #[test]
    fn a_1_0_host_table_is_read_only_within_its_size() {
        let layout =
            std::alloc::Layout::from_size_align(HOST_API_SIZE_1_0, std::mem::align_of::<IngestHostApi>())
                .unwrap();
        unsafe extern "C" fn log(_: *mut c_void, _: u32, _: IngestStr) {}
        unsafe extern "C" fn never(_: *const IngestCall) -> i32 {
            0
        }
        // SAFETY: a non-zero-sized layout; every 1.0 field is written before the table is
        // lent, and the allocation is freed after `destroy`.
        unsafe {
            let api = std::alloc::alloc(layout).cast::<IngestHostApi>();
            assert!(!api.is_null());
            (&raw mut (*api).struct_size).write(HOST_API_SIZE_1_0 as u32);
            (&raw mut (*api).host_data).write(std::ptr::null_mut());
            (&raw mut (*api).state_dir).write(IngestStr::from_str(""));
            (&raw mut (*api).log).write(log);
            (&raw mut (*api).is_cancelled).write(never);
            let (mut instance, mut error) = (std::ptr::null_mut(), IngestBuffer::empty());
            assert_eq!(
                (DESCRIPTOR.create)(api, IngestStr::from_str("{}"), &mut instance, &mut error),
                STATUS_OK
            );
            let plugin = &*instance.cast::<Instance<Counting>>();
            assert!(!plugin.host.calls_flush());
            assert_eq!(plugin.host.state_dir(), None);
            plugin.host.log(Level::Info, "hello");
            let text = document("count");
            let mut output = IngestBuffer::empty();
            assert_eq!(
                (DESCRIPTOR.process)(instance, std::ptr::null(), IngestStr::from_str(&text), &mut output),
                STATUS_OK
            );
            (DESCRIPTOR.free_buffer)(output);
            assert_eq!(plugin.plugin.flushed.load(Ordering::SeqCst), 1, "flushed inside process");
            (DESCRIPTOR.destroy)(instance);
            std::alloc::dealloc(api.cast(), layout);
        }
    }

    #[test]
    fn flush_errors_and_panics_become_statuses_with_messages() {
        let host = TestHost::new();
        let instance = host.create(&DESCRIPTOR, "{}").unwrap();
        instance.process(&document("fail"));
        assert_eq!(instance.flush(), (STATUS_ERROR, "disk on fire".to_owned()));
        instance.process(&document("panic"));
        let (status, message) = instance.flush();
        assert_eq!(status, STATUS_PANIC);
        assert!(message.contains("flush exploded") && message.contains("sdk.rs"), "{message}");
        instance.process(&document("fine"));
        assert_eq!(instance.flush().0, STATUS_OK, "a later flush works again");
    }
}
