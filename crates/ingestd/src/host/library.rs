//! Finding and opening plugin libraries, and checking their descriptor before trusting it.

use std::path::{Path, PathBuf};

use ingest_abi::ffi::{
    ABI_MAGIC, ABI_MAJOR, DescriptorFn, FLAG_THREAD_SAFE, IngestPluginDescriptor, PLUGIN_SYMBOL,
};

use super::HostError;

/// An opened plugin library whose descriptor passed every check.
///
/// Invariant: the library is never unloaded (it is leaked on purpose), so `descriptor` and
/// every function pointer in it stay valid for the life of the process.
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
    pub(super) descriptor: &'static IngestPluginDescriptor,
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
    let needed = std::mem::size_of::<IngestPluginDescriptor>();
    if (size as usize) < needed {
        return Err(fail(format!("descriptor is {size} bytes, ABI {ABI_MAJOR} needs at least {needed}")));
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
        // SAFETY: `size` covers a v1 descriptor, so the field is in bounds; a function pointer
        // field holds either NULL or a function, both valid for `Option<fn>`.
        unsafe { raw.byte_add(*offset).cast::<Option<unsafe extern "C" fn()>>().read() }.is_none()
    })
    .map(|(name, _)| name)
    .collect();
    if !null_functions.is_empty() {
        return Err(fail(format!("its descriptor has NULL functions: {}", null_functions.join(", "))));
    }
    // SAFETY: magic, version, size and non-null functions checked: this is a v1 descriptor in
    // static memory of a library that is never unloaded.
    let descriptor: &'static IngestPluginDescriptor = unsafe { &*raw };
    // SAFETY: the descriptor's strings point to static data of the plugin (the contract).
    let (name, version) = unsafe { (descriptor.name.as_bytes(), descriptor.version.as_bytes()) };
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
        thread_safe: descriptor.flags & FLAG_THREAD_SAFE != 0,
        descriptor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
