//! The `#[repr(C)]` mirror of `include/ingest_plugin.h`.
//!
//! The header is the specification; these types must match it field for field. Nothing here
//! is Rust-specific: a plugin written in C sees exactly these layouts.

use std::ffi::c_void;

/// `INGEST_ABI_MAGIC`: "INGD" read as a little-endian `u32`; the first field of every descriptor.
pub const ABI_MAGIC: u32 = 0x4447_4E49;
/// `INGEST_ABI_MAJOR`: a host refuses a plugin whose major version differs from its own.
pub const ABI_MAJOR: u16 = 1;
/// `INGEST_ABI_MINOR`: grows when fields are appended; older plugins stay loadable.
/// 1.1 appended [`IngestPluginDescriptor::flush`] and [`IngestHostApi::flags`].
pub const ABI_MINOR: u16 = 1;
/// `INGEST_PLUGIN_SYMBOL`: the one symbol a plugin exports.
pub const PLUGIN_SYMBOL: &[u8] = b"ingest_plugin_descriptor";

/// `INGEST_OK`: the call succeeded and its output buffer holds the answer.
pub const STATUS_OK: i32 = 0;
/// `INGEST_ERROR`: the input or configuration was refused; the buffer holds a message.
pub const STATUS_ERROR: i32 = 1;
/// `INGEST_PANIC`: the plugin failed internally (a caught panic); the buffer holds a message.
pub const STATUS_PANIC: i32 = 2;
/// `INGEST_CANCELLED`: the plugin stopped because the host cancelled the call.
pub const STATUS_CANCELLED: i32 = 3;

/// `INGEST_PLUGIN_THREAD_SAFE`: `process` may run on several threads at once.
pub const FLAG_THREAD_SAFE: u32 = 1;

/// `INGEST_PLUGIN_NO_PRIOR_RESULTS`: `process` never reads [`crate::Document::plugins`], so the
/// host may send it empty and spare the plugin parsing the earlier plugins' results. Hosts
/// that do not know the flag ignore it (and send the results), so it needs no ABI version.
pub const FLAG_NO_PRIOR_RESULTS: u32 = 2;

/// `INGEST_HOST_CALLS_FLUSH` ([`IngestHostApi::flags`], ABI 1.1): the host calls the
/// descriptor's `flush` before it commits results, so a plugin may defer its disk syncs there.
pub const HOST_CALLS_FLUSH: u32 = 1;

/// `INGEST_LOG_ERROR` and the following levels, as passed to [`IngestHostApi::log`].
pub const LOG_ERROR: u32 = 1;
/// `INGEST_LOG_WARN`.
pub const LOG_WARN: u32 = 2;
/// `INGEST_LOG_INFO`.
pub const LOG_INFO: u32 = 3;
/// `INGEST_LOG_DEBUG`.
pub const LOG_DEBUG: u32 = 4;
/// `INGEST_LOG_TRACE`.
pub const LOG_TRACE: u32 = 5;

/// Borrowed UTF-8 bytes, valid for the duration of the call that passes them.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct IngestStr {
    /// First byte; may be null when `len` is 0.
    pub ptr: *const u8,
    /// Length in bytes.
    pub len: usize,
}

impl IngestStr {
    /// Borrows a Rust string; the result must not outlive `s`.
    pub const fn from_str(s: &str) -> Self {
        Self { ptr: s.as_ptr(), len: s.len() }
    }

    /// Views the bytes.
    ///
    /// # Safety
    /// `ptr` must point to `len` readable bytes that stay valid for `'a`.
    pub unsafe fn as_bytes<'a>(self) -> &'a [u8] {
        if self.ptr.is_null() || self.len == 0 {
            return &[];
        }
        // SAFETY: the caller guarantees `ptr..ptr+len` is readable for `'a`.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

/// Bytes owned by a plugin and handed to the host; released only by that plugin's
/// `free_buffer`. `cap` is the plugin's own bookkeeping and is passed back untouched.
#[repr(C)]
#[derive(Debug)]
pub struct IngestBuffer {
    /// First byte, or null for an empty buffer.
    pub ptr: *mut u8,
    /// Length in bytes.
    pub len: usize,
    /// The plugin's allocation size (opaque to the host).
    pub cap: usize,
}

impl IngestBuffer {
    /// The empty buffer a host passes in before a call.
    pub const fn empty() -> Self {
        Self { ptr: std::ptr::null_mut(), len: 0, cap: 0 }
    }
}

/// Opaque per-call handle passed to `process`; only the host knows what it points to.
#[repr(C)]
pub struct IngestCall {
    _private: [u8; 0],
}

/// Functions the host lends to each plugin instance, so plugins never link against host
/// symbols. Valid from `create` until `destroy`.
#[repr(C)]
#[derive(Debug)]
pub struct IngestHostApi {
    /// `size_of::<IngestHostApi>()` as the host knows it.
    pub struct_size: u32,
    /// Opaque host data; passed back to `log`.
    pub host_data: *mut c_void,
    /// A folder private to this plugin instance for persistent state; exists at `create`.
    pub state_dir: IngestStr,
    /// Writes one log line through the host's logger, attributed to the plugin.
    pub log: unsafe extern "C" fn(host_data: *mut c_void, level: u32, message: IngestStr),
    /// Non-zero when the host wants the current `process` call to stop early.
    pub is_cancelled: unsafe extern "C" fn(call: *const IngestCall) -> i32,
    /// ABI 1.1: `HOST_*` bits saying what the host does. Read only when `struct_size` covers
    /// it ([`HOST_API_SIZE_1_0`] is the size of a 1.0 host's table, which lacks it).
    pub flags: u32,
}

/// The size of a 1.0 host's [`IngestHostApi`]: the fields before `flags`.
pub const HOST_API_SIZE_1_0: usize = std::mem::offset_of!(IngestHostApi, flags);

/// Where `flags` ends in a host table: a table whose `struct_size` is at least this large
/// (an ABI 1.1 host's) has it. Readers compare `struct_size` with this, never with
/// `size_of::<IngestHostApi>()` (which a later minor may grow).
pub const HOST_API_FLAGS_END: usize = HOST_API_SIZE_1_0 + std::mem::size_of::<u32>();

/// `create`: builds an instance from its JSON configuration.
pub type CreateFn = unsafe extern "C" fn(
    host: *const IngestHostApi,
    config_json: IngestStr,
    instance: *mut *mut c_void,
    error: *mut IngestBuffer,
) -> i32;

/// `process`: analyses one document given as JSON and fills `output` with the result JSON
/// (or an error message when the status is not [`STATUS_OK`]).
pub type ProcessFn = unsafe extern "C" fn(
    instance: *mut c_void,
    call: *const IngestCall,
    document_json: IngestStr,
    output: *mut IngestBuffer,
) -> i32;

/// `destroy`: releases an instance.
pub type DestroyFn = unsafe extern "C" fn(instance: *mut c_void);

/// `free_buffer`: releases a buffer the plugin filled.
pub type FreeBufferFn = unsafe extern "C" fn(buffer: IngestBuffer);

/// `flush` (ABI 1.1): makes durable everything the instance recorded for the documents whose
/// `process` calls have returned; on failure fills `error` with a message. The header states
/// the full contract (when the host calls it, threads, what a failure means).
pub type FlushFn = unsafe extern "C" fn(instance: *mut c_void, error: *mut IngestBuffer) -> i32;

/// The static description of a plugin, returned by its `ingest_plugin_descriptor` symbol.
///
/// Invariant: `magic`, `abi_major`, `abi_minor` and `struct_size` keep their offsets in
/// every ABI version, so a host can read them from any plugin before trusting the rest.
#[repr(C)]
#[derive(Debug)]
pub struct IngestPluginDescriptor {
    /// [`ABI_MAGIC`].
    pub magic: u32,
    /// The ABI major version the plugin was built against.
    pub abi_major: u16,
    /// The ABI minor version the plugin was built against.
    pub abi_minor: u16,
    /// `size_of::<IngestPluginDescriptor>()` as the plugin knows it.
    pub struct_size: u32,
    /// `FLAG_*` bits.
    pub flags: u32,
    /// The plugin's own name, e.g. `entities` (results are keyed by the configured name).
    pub name: IngestStr,
    /// The plugin's own version.
    pub version: IngestStr,
    /// See [`CreateFn`].
    pub create: CreateFn,
    /// See [`ProcessFn`].
    pub process: ProcessFn,
    /// See [`DestroyFn`].
    pub destroy: DestroyFn,
    /// See [`FreeBufferFn`].
    pub free_buffer: FreeBufferFn,
    /// ABI 1.1, see [`FlushFn`]; `None` (NULL) when there is nothing to make durable. A host
    /// reads it only when `struct_size` covers it: a 1.0 descriptor ends before it
    /// ([`DESCRIPTOR_SIZE_1_0`]).
    pub flush: Option<FlushFn>,
}

/// The size of a 1.0 plugin's [`IngestPluginDescriptor`]: the fields before `flush`.
pub const DESCRIPTOR_SIZE_1_0: usize = std::mem::offset_of!(IngestPluginDescriptor, flush);

/// Where `flush` ends in a descriptor: one of ABI minor >= 1 whose `struct_size` is at least
/// this large has it (the host and [`crate::testing`] both check against this one constant).
pub const DESCRIPTOR_FLUSH_END: usize = DESCRIPTOR_SIZE_1_0 + std::mem::size_of::<Option<FlushFn>>();

// SAFETY: a descriptor is immutable static data; its pointers refer to `'static` strings
// and its functions are required by the contract to be callable from any thread.
unsafe impl Sync for IngestPluginDescriptor {}
// SAFETY: as above; moving the pointers between threads changes nothing.
unsafe impl Send for IngestPluginDescriptor {}

/// The type of the exported `ingest_plugin_descriptor` function.
pub type DescriptorFn = unsafe extern "C" fn() -> *const IngestPluginDescriptor;

#[cfg(test)]
mod tests {
    use super::*;

    /// The header's layout on LP64 platforms; a change here is an ABI break.
    #[test]
    fn descriptor_layout_matches_the_header() {
        assert_eq!(std::mem::offset_of!(IngestPluginDescriptor, magic), 0);
        assert_eq!(std::mem::offset_of!(IngestPluginDescriptor, abi_major), 4);
        assert_eq!(std::mem::offset_of!(IngestPluginDescriptor, abi_minor), 6);
        assert_eq!(std::mem::offset_of!(IngestPluginDescriptor, struct_size), 8);
        assert_eq!(std::mem::offset_of!(IngestPluginDescriptor, name), 16);
        // 1.0 ended here; 1.1 appended `flush`.
        assert_eq!(DESCRIPTOR_SIZE_1_0, 80);
        assert_eq!(std::mem::offset_of!(IngestPluginDescriptor, flush), 80);
        assert_eq!(std::mem::size_of::<IngestPluginDescriptor>(), 88);
        assert_eq!(DESCRIPTOR_FLUSH_END, 88);
        // A null `flush` is representable (C plugins may leave it NULL).
        assert_eq!(std::mem::size_of::<Option<FlushFn>>(), std::mem::size_of::<usize>());
        assert_eq!(HOST_API_SIZE_1_0, 48);
        assert_eq!(std::mem::offset_of!(IngestHostApi, flags), 48);
        assert_eq!(std::mem::size_of::<IngestHostApi>(), 56);
        assert_eq!(HOST_API_FLAGS_END, 52);
        assert_eq!(&ABI_MAGIC.to_le_bytes(), b"INGD");
    }

    /// The flag values here are the header's `#define`s (C plugins are built from the header).
    #[test]
    fn flags_match_the_header() {
        let header = include_str!("../include/ingest_plugin.h");
        let define = |name: &str| -> u32 {
            let line = header
                .lines()
                .find(|l| l.split_whitespace().nth(1) == Some(name) && l.starts_with("#define"))
                .unwrap_or_else(|| panic!("{name} is not defined in ingest_plugin.h"));
            let value = line.split_whitespace().nth(2).unwrap().trim_end_matches('u');
            value.parse().unwrap_or_else(|e| panic!("{name} = {value}: {e}"))
        };
        assert_eq!(define("INGEST_PLUGIN_THREAD_SAFE"), FLAG_THREAD_SAFE);
        assert_eq!(define("INGEST_PLUGIN_NO_PRIOR_RESULTS"), FLAG_NO_PRIOR_RESULTS);
        assert_eq!(define("INGEST_HOST_CALLS_FLUSH"), HOST_CALLS_FLUSH);
        assert_eq!(FLAG_THREAD_SAFE & FLAG_NO_PRIOR_RESULTS, 0, "descriptor flags are distinct bits");
    }
}
