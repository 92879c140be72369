//! Finding and opening plugin libraries, and checking their descriptor before trusting it.

use std::path::{Path, PathBuf};

use ingest_abi::ffi::{
    ABI_MAGIC, ABI_MAJOR, CreateFn, DESCRIPTOR_FLUSH_END, DESCRIPTOR_SIZE_1_0, DescriptorFn, DestroyFn,
    FLAG_NO_PRIOR_RESULTS, FLAG_THREAD_SAFE, FlushFn, FreeBufferFn, IngestPluginDescriptor, IngestStr,
    PLUGIN_SYMBOL, ProcessFn,
};

use super::HostError;

/// The functions of a checked descriptor, copied out of it: only the fields its
/// `struct_size` covers are ever read, so a 1.0 plugin's shorter descriptor is never read
/// past its end.
#[derive(Debug, Clone, Copy)]
pub(super) struct Functions {
    pub(super) create: CreateFn,
    pub(super) process: ProcessFn,
    pub(super) destroy: DestroyFn,
    pub(super) free_buffer: FreeBufferFn,
    /// ABI 1.1; `None` for a 1.0 plugin or a NULL entry (nothing to make durable).
    pub(super) flush: Option<FlushFn>,
}

/// An opened plugin library whose descriptor passed every check.
///
/// Invariant: the library is never unloaded (it is leaked on purpose), so `functions` stay
/// valid for the life of the process.
#[derive(Debug, Clone)]
pub struct PluginLibrary {
    /// The file it was loaded from.
    pub path: PathBuf,
    /// The plugin's name, from its descriptor.
    pub name: String,
    /// The plugin's version, from its descriptor.
    pub version: String,
    /// The ABI version it was built against, `(major, minor)`.
    pub abi: (u16, u16),
    /// Whether `process` may run on several threads at once.
    pub thread_safe: bool,
    /// Whether `process` reads the document's `plugins` (the earlier plugins' results); a
    /// plugin flagged `INGEST_PLUGIN_NO_PRIOR_RESULTS` gets that map empty.
    pub reads_prior_results: bool,
    pub(super) functions: Functions,
}

impl PluginLibrary {
    /// Whether the plugin has a `flush` (ABI 1.1) for the host to call before committing.
    pub fn has_flush(&self) -> bool {
        self.functions.flush.is_some()
    }
}

/// The file name a plugin called `name` has by default: `lib<name>.so` with dashes as
/// underscores, as Cargo names a `cdylib`.
pub fn default_file_name(name: &str) -> String {
    format!("{}{}{}", std::env::consts::DLL_PREFIX, name.replace('-', "_"), std::env::consts::DLL_SUFFIX)
}

/// Where packages install plugins, relative to the executable's folder
/// (`/usr/bin/ingestd` → `/usr/lib/ingestd/plugins`).
pub const INSTALLED_PLUGIN_DIR: &str = "../lib/ingestd/plugins";

/// Where a plugin's library is: an explicit path is used as given; a bare file name is looked
/// up next to the running executable (a build tree), then in `plugin_dir`, then in
/// [`INSTALLED_PLUGIN_DIR`] (an installed package).
pub fn locate(name: &str, library: Option<&Path>, plugin_dir: Option<&Path>) -> Result<PathBuf, HostError> {
    let file = match library {
        Some(path) if path.components().count() > 1 => return Ok(path.to_owned()),
        Some(path) => path.to_owned(),
        None => PathBuf::from(default_file_name(name)),
    };
    let exe_dir = std::env::current_exe().ok().and_then(|p| p.parent().map(Path::to_owned));
    let installed = exe_dir.as_ref().map(|dir| dir.join(INSTALLED_PLUGIN_DIR));
    let searched: Vec<PathBuf> = exe_dir
        .into_iter()
        .chain(plugin_dir.map(Path::to_owned))
        .chain(installed)
        .map(|dir| dir.join(&file))
        .collect();
    searched
        .iter()
        .find(|candidate| candidate.is_file())
        .cloned()
        .ok_or_else(|| HostError::NotFound { plugin: name.to_owned(), searched })
}

/// Opens `path`, reads its descriptor and checks magic, ABI major version and struct size.
pub fn open(path: &Path) -> Result<PluginLibrary, HostError> {
    let fail = |reason: String| HostError::Refused { path: path.to_owned(), reason };
    // SAFETY: loading a library runs its initialisers; a plugin is trusted code the operator
    // configured, which is the premise of a plugin system.
    let library = unsafe { libloading::Library::new(path) }
        .map_err(|e| HostError::Open { path: path.to_owned(), reason: e.to_string() })?;
    // Never unloaded: function pointers and static data from it live as long as the process.
    let library: &'static libloading::Library = Box::leak(Box::new(library));
    // SAFETY: the symbol's type is fixed by the ABI (`DescriptorFn`); a library exporting the
    // name with another type violates the contract it claims to implement.
    let entry = unsafe { library.get::<DescriptorFn>(PLUGIN_SYMBOL) }.map_err(|_| {
        fail(format!(
            "it does not export `{}` (not an ingestd plugin?)",
            String::from_utf8_lossy(PLUGIN_SYMBOL)
        ))
    })?;
    // SAFETY: calling the entry point is the first step of the contract.
    let raw = unsafe { entry() };
    if raw.is_null() {
        return Err(fail("its descriptor function returned null".into()));
    }
    // SAFETY: the first four fields have fixed offsets in every ABI version, so reading them
    // is sound for any plugin; the rest is read only after the checks below.
    let (magic, major, minor, size) =
        unsafe { ((*raw).magic, (*raw).abi_major, (*raw).abi_minor, (*raw).struct_size) };
    if magic != ABI_MAGIC {
        return Err(fail(format!("bad magic number {magic:#010x} (expected {ABI_MAGIC:#010x})")));
    }
    if major != ABI_MAJOR {
        return Err(fail(format!(
            "it was built for plugin ABI major version {major}.{minor}, this ingestd speaks {ABI_MAJOR}.x"
        )));
    }
    // A plugin of an older minor version has a shorter descriptor (1.0 ends before `flush`);
    // one of a newer minor a longer one, of which only the fields this host knows are read.
    let size = size as usize;
    if size < DESCRIPTOR_SIZE_1_0 {
        return Err(fail(format!(
            "descriptor is {size} bytes, ABI {ABI_MAJOR}.0 needs at least {DESCRIPTOR_SIZE_1_0}"
        )));
    }
    if minor >= 1 && size < DESCRIPTOR_FLUSH_END {
        return Err(fail(format!(
            "it claims ABI {major}.{minor} but its descriptor is {size} bytes, ABI {major}.1 needs at least {DESCRIPTOR_FLUSH_END}"
        )));
    }
    // A C plugin may leave a function pointer NULL; a Rust `fn` field must never be null, so
    // look at each as an `Option` (same layout) before viewing the descriptor as a whole.
    let null_functions: Vec<&str> = [
        ("create", std::mem::offset_of!(IngestPluginDescriptor, create)),
        ("process", std::mem::offset_of!(IngestPluginDescriptor, process)),
        ("destroy", std::mem::offset_of!(IngestPluginDescriptor, destroy)),
        ("free_buffer", std::mem::offset_of!(IngestPluginDescriptor, free_buffer)),
    ]
    .into_iter()
    .filter(|(_, offset)| {
        // SAFETY: `size` covers a 1.0 descriptor, so the field is in bounds; a function pointer
        // field holds either NULL or a function, both valid for `Option<fn>`.
        unsafe { raw.byte_add(*offset).cast::<Option<unsafe extern "C" fn()>>().read() }.is_none()
    })
    .map(|(name, _)| name)
    .collect();
    if !null_functions.is_empty() {
        return Err(fail(format!("its descriptor has NULL functions: {}", null_functions.join(", "))));
    }
    // Each field is read through the raw pointer, never through a reference to the whole
    // (1.1-sized) struct, which a 1.0 plugin's static descriptor is too short for.
    // SAFETY: magic, version and size checked: the 1.0 fields are in bounds, in static memory
    // of a library that is never unloaded, and the four functions were checked non-null.
    let (flags, name, version, functions) = unsafe {
        (
            (&raw const (*raw).flags).read(),
            (&raw const (*raw).name).read(),
            (&raw const (*raw).version).read(),
            Functions {
                create: (&raw const (*raw).create).read(),
                process: (&raw const (*raw).process).read(),
                destroy: (&raw const (*raw).destroy).read(),
                free_buffer: (&raw const (*raw).free_buffer).read(),
                // ABI 1.1: only from a descriptor that claims minor >= 1 (checked above to be
                // long enough); a 1.0 descriptor's trailing bytes (padding, a longer static
                // the plugin happens to sit in) are not a function to call.
                flush: if has_flush(minor, size) { (&raw const (*raw).flush).read() } else { None },
            },
        )
    };
    // SAFETY: the descriptor's strings point to static data of the plugin (the contract).
    let (name, version) = unsafe { (IngestStr::as_bytes(name), IngestStr::as_bytes(version)) };
    let text = |bytes: &[u8], what: &str| {
        std::str::from_utf8(bytes).map(str::to_owned).map_err(|_| fail(format!("its {what} is not UTF-8")))
    };
    let name = text(name, "name")?;
    if name.is_empty() {
        return Err(fail("its descriptor has an empty name".into()));
    }
    Ok(PluginLibrary {
        path: path.to_owned(),
        version: text(version, "version")?,
        name,
        abi: (major, minor),
        thread_safe: flags & FLAG_THREAD_SAFE != 0,
        reads_prior_results: flags & FLAG_NO_PRIOR_RESULTS == 0,
        functions,
    })
}

/// Whether a descriptor of ABI minor `minor` and `struct_size` `size` has the 1.1 `flush`.
fn has_flush(minor: u16, size: usize) -> bool {
    minor >= 1 && size >= DESCRIPTOR_FLUSH_END
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `flush` is read only from a 1.1 (or newer) descriptor long enough to hold it.
    #[test]
    fn flush_is_read_only_from_minor_1_descriptors_that_hold_it() {
        assert!(has_flush(1, DESCRIPTOR_FLUSH_END));
        assert!(has_flush(2, DESCRIPTOR_FLUSH_END + 16));
        assert!(!has_flush(0, DESCRIPTOR_FLUSH_END), "a 1.0 descriptor as long as 1.1's");
        assert!(!has_flush(0, DESCRIPTOR_SIZE_1_0));
        assert!(!has_flush(1, DESCRIPTOR_SIZE_1_0));
    }

    #[test]
    fn default_file_name_follows_cargo() {
        assert_eq!(default_file_name("my-plugin"), "libmy_plugin.so");
    }

    #[test]
    fn missing_library_names_where_it_looked() {
        let err = locate("nosuch", None, Some(Path::new("/opt/x"))).unwrap_err().to_string();
        assert!(err.contains("nosuch"), "{err}");
        assert!(err.contains("/opt/x/libnosuch.so"), "{err}");
    }

    #[test]
    fn a_file_that_is_not_a_library_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("libjunk.so");
        std::fs::write(&path, b"not an ELF file").unwrap();
        let err = open(&path).unwrap_err().to_string();
        assert!(err.contains("libjunk.so"), "{err}");
    }
}
