//! A created plugin instance: the host function table lent to it, and safe wrappers around
//! `create`, `process` and `destroy`.

use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use ingest_abi::ffi::{
    HOST_CALLS_FLUSH, IngestBuffer, IngestCall, IngestHostApi, IngestStr, LOG_DEBUG, LOG_ERROR, LOG_INFO,
    LOG_WARN, STATUS_CANCELLED, STATUS_OK, STATUS_PANIC,
};

use super::HostError;
use super::library::PluginLibrary;

/// Why one `process` call produced no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// The plugin refused or failed the document.
    Failed(String),
    /// The plugin panicked (caught on its side of the boundary).
    Panicked(String),
    /// The plugin stopped because the call was cancelled.
    Cancelled,
    /// The plugin ran past its time limit; whatever it returned is discarded.
    TimedOut {
        /// The limit, in milliseconds.
        limit_ms: u64,
    },
}

impl CallError {
    /// The `kind` recorded in the result's `errors`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Failed(_) => "error",
            Self::Panicked(_) => "panic",
            Self::Cancelled => "cancelled",
            Self::TimedOut { .. } => "timeout",
        }
    }

    /// The message recorded in the result's `errors`.
    pub fn message(&self) -> String {
        match self {
            Self::Failed(m) | Self::Panicked(m) => m.clone(),
            Self::Cancelled => "the call was cancelled".to_owned(),
            Self::TimedOut { limit_ms } => {
                format!("took longer than its time limit of {limit_ms} ms (timeout_ms)")
            }
        }
    }
}

/// What the host's `log` function needs to attribute a line.
struct HostData {
    plugin: String,
}

/// The per-call state behind the opaque `IngestCall` handle: what `is_cancelled` answers from.
#[derive(Debug, Default)]
pub struct CallState {
    /// The call's time limit; past it, `is_cancelled` says yes.
    deadline: Option<Instant>,
}

impl CallState {
    /// A call that should stop at `deadline`, if one is given.
    pub fn with_deadline(deadline: Option<Instant>) -> Self {
        Self { deadline }
    }

    /// True once past the deadline.
    pub fn is_cancelled(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

unsafe extern "C" fn host_log(host_data: *mut c_void, level: u32, message: IngestStr) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `host_data` is the `HostData` we put in the table; it lives as long as the
        // instance, and the plugin only logs while it is alive.
        let data = unsafe { &*host_data.cast::<HostData>() };
        // SAFETY: the plugin passes bytes valid for the duration of this call.
        let bytes = unsafe { message.as_bytes() };
        let message = String::from_utf8_lossy(bytes);
        let plugin = data.plugin.as_str();
        match level {
            LOG_ERROR => tracing::error!(plugin, "{message}"),
            LOG_WARN => tracing::warn!(plugin, "{message}"),
            LOG_INFO => tracing::info!(plugin, "{message}"),
            LOG_DEBUG => tracing::debug!(plugin, "{message}"),
            _ => tracing::trace!(plugin, "{message}"),
        }
    }));
}

unsafe extern "C" fn host_is_cancelled(call: *const IngestCall) -> i32 {
    if call.is_null() {
        return 0;
    }
    // SAFETY: the handle is the `CallState` passed to the `process` call in progress.
    let state = unsafe { &*call.cast::<CallState>() };
    i32::from(state.is_cancelled())
}

/// One live instance of a plugin.
///
/// Invariant: `api` and `host_data` are boxed so their addresses stay fixed while the plugin
/// holds pointers to them; `destroy` runs exactly once, in `Drop`.
pub struct PluginInstance {
    library: PluginLibrary,
    instance: *mut c_void,
    /// Serialises `process` for plugins that are not thread-safe.
    serial: Option<Mutex<()>>,
    _api: Box<IngestHostApi>,
    _host_data: Box<HostData>,
    _state_dir: Box<str>,
}

// SAFETY: a plugin declares in its descriptor whether `process` is thread-safe; when it is
// not, every call goes through `serial`. `create`/`destroy` run once, from one thread.
unsafe impl Send for PluginInstance {}
// SAFETY: see above.
unsafe impl Sync for PluginInstance {}

impl std::fmt::Debug for PluginInstance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginInstance").field("library", &self.library).finish_non_exhaustive()
    }
}

/// Takes a buffer filled by the plugin, copies it out and gives it back to the plugin's
/// own `free_buffer`.
fn take_buffer(library: &PluginLibrary, buffer: IngestBuffer) -> Vec<u8> {
    if buffer.ptr.is_null() {
        return Vec::new();
    }
    // SAFETY: the plugin filled `ptr..ptr+len`; it stays valid until we free it below.
    let bytes = unsafe { std::slice::from_raw_parts(buffer.ptr, buffer.len) }.to_vec();
    // SAFETY: the buffer came from this plugin and is freed once, by its own function.
    unsafe { (library.functions.free_buffer)(buffer) };
    bytes
}

impl PluginInstance {
    /// Creates an instance, known as `name` (its configured name: logs and errors use it),
    /// with `config` (a JSON object) and a private `state_dir`.
    pub fn create(
        library: PluginLibrary,
        name: &str,
        config: &serde_json::Value,
        state_dir: &Path,
    ) -> Result<Self, HostError> {
        let state_dir: Box<str> = state_dir.to_string_lossy().into();
        let mut host_data = Box::new(HostData { plugin: name.to_owned() });
        let api = Box::new(IngestHostApi {
            struct_size: std::mem::size_of::<IngestHostApi>() as u32,
            host_data: std::ptr::from_mut(host_data.as_mut()).cast(),
            state_dir: IngestStr::from_str(&state_dir),
            log: host_log,
            is_cancelled: host_is_cancelled,
            // This host calls `flush` before committing results (the committer, `process`).
            flags: HOST_CALLS_FLUSH,
        });
        let config = serde_json::to_vec(config).expect("a JSON value always serialises");
        let mut instance: *mut c_void = std::ptr::null_mut();
        let mut error = IngestBuffer::empty();
        // SAFETY: every pointer is valid for the call; `api` outlives the instance (both are
        // owned by the returned value).
        let status = unsafe {
            (library.functions.create)(
                api.as_ref(),
                IngestStr { ptr: config.as_ptr(), len: config.len() },
                &mut instance,
                &mut error,
            )
        };
        let message = take_buffer(&library, error);
        if status != STATUS_OK || instance.is_null() {
            let reason = if message.is_empty() {
                format!("create returned status {status}")
            } else {
                String::from_utf8_lossy(&message).into_owned()
            };
            return Err(HostError::Create { plugin: name.to_owned(), path: library.path.clone(), reason });
        }
        let serial = (!library.thread_safe).then(|| Mutex::new(()));
        Ok(Self { library, instance, serial, _api: api, _host_data: host_data, _state_dir: state_dir })
    }

    /// The library this instance came from.
    pub fn library(&self) -> &PluginLibrary {
        &self.library
    }

    /// Calls the plugin's `flush` (ABI 1.1): everything it recorded for the documents whose
    /// `process` calls have returned is durable on `Ok`. A plugin without `flush` (ABI 1.0,
    /// or NULL) keeps its state durable within `process`: `Ok` at once. Not thread-safe
    /// plugins are not flushed while a `process` call of theirs runs.
    pub fn flush(&self) -> Result<(), CallError> {
        let Some(flush) = self.library.functions.flush else {
            return Ok(());
        };
        let _guard = self.serial.as_ref().map(|m| m.lock().unwrap_or_else(|e| e.into_inner()));
        let mut error = IngestBuffer::empty();
        // SAFETY: the instance is alive (we own it), `error` outlives the call, and plugins
        // that are not thread-safe are serialised by `_guard`.
        let status = unsafe { flush(self.instance, &mut error) };
        let bytes = take_buffer(&self.library, error);
        let message = String::from_utf8_lossy(&bytes).into_owned();
        match status {
            STATUS_OK => Ok(()),
            STATUS_PANIC => Err(CallError::Panicked(message)),
            other => {
                Err(CallError::Failed(if message.is_empty() { format!("status {other}") } else { message }))
            }
        }
    }

    /// Runs `process` on one document (JSON) and returns the plugin's JSON answer.
    pub fn process(&self, document_json: &[u8], call: &CallState) -> Result<Vec<u8>, CallError> {
        let _guard = self.serial.as_ref().map(|m| m.lock().unwrap_or_else(|e| e.into_inner()));
        let mut output = IngestBuffer::empty();
        // SAFETY: the instance is alive (we own it), the document and call state outlive the
        // call, and non-thread-safe plugins are serialised by `_guard`.
        let status = unsafe {
            (self.library.functions.process)(
                self.instance,
                std::ptr::from_ref(call).cast(),
                IngestStr { ptr: document_json.as_ptr(), len: document_json.len() },
                &mut output,
            )
        };
        let bytes = take_buffer(&self.library, output);
        match status {
            STATUS_OK => Ok(bytes),
            STATUS_CANCELLED => Err(CallError::Cancelled),
            STATUS_PANIC => Err(CallError::Panicked(String::from_utf8_lossy(&bytes).into_owned())),
            other => {
                let message = String::from_utf8_lossy(&bytes).into_owned();
                Err(CallError::Failed(if message.is_empty() { format!("status {other}") } else { message }))
            }
        }
    }
}

impl Drop for PluginInstance {
    fn drop(&mut self) {
        // SAFETY: the instance came from `create`, no call is running (we hold `&mut self`),
        // and it is destroyed exactly once.
        unsafe { (self.library.functions.destroy)(self.instance) };
    }
}
