//! The ingestd plugin contract.
//!
//! A plugin is a shared library that the daemon loads at run time. Plugins may be written in
//! any language, by people who never build the daemon, against daemons of other versions.
//! That fixes the design:
//!
//! - **Only C types cross the boundary.** [`ffi`] mirrors `include/ingest_plugin.h`, which
//!   is the specification. Documents and results cross as UTF-8 JSON (pointer + length), so
//!   no Rust layout, allocator or trait object is shared. (Bevy's dynamic plugins passed
//!   `&dyn Trait` and needed the exact same compiler on both sides; we do not.)
//! - **Versions are checked before anything else is trusted.** Every plugin exports one
//!   symbol returning a static descriptor whose first fields (magic, ABI major/minor,
//!   struct size) never move. A host refuses a different major version; minor versions
//!   only append fields.
//! - **Whoever allocates, frees.** Buffers a plugin returns go back to its own
//!   `free_buffer`.
//! - **No unwinding across the boundary.** Every exported function catches panics.
//!
//! Rust plugins do not touch any of that: they implement [`Plugin`] and invoke
//! [`export_plugin!`], and the [`sdk`] does the rest. [`types`] holds the JSON shapes both
//! sides share: the [`Document`] a plugin receives and the [`ArticleResult`] the daemon
//! writes.
//!
//! This crate knows nothing about files, folders or the daemon: it is the contract only.

pub mod ffi;
pub mod sdk;
pub mod testing;
pub mod types;

pub use sdk::{Call, Host, Level, Plugin, PluginError};
pub use types::{
    ArticleMeta, ArticleResult, Document, PluginReport, PriorResult, RESULT_SCHEMA, Removed, ResultError,
    Source, Span, Stats,
};

/// Exports a [`Plugin`] implementation as an ingestd plugin library.
///
/// Expands to the one C symbol the host looks for, `ingest_plugin_descriptor`, returning a
/// static descriptor whose functions are the SDK's panic-catching trampolines for `$plugin`.
/// The crate must be built as a `cdylib`.
///
/// ```ignore
/// ingest_abi::export_plugin!(MyPlugin);
/// ```
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        /// The ingestd plugin entry point: returns this library's static descriptor.
        #[unsafe(no_mangle)]
        pub extern "C" fn ingest_plugin_descriptor() -> *const $crate::ffi::IngestPluginDescriptor {
            static DESCRIPTOR: $crate::ffi::IngestPluginDescriptor = $crate::sdk::descriptor::<$plugin>();
            &DESCRIPTOR
        }
    };
}
