//! The plugin host: loads the configured plugins once and runs each document through them.
//!
//! Architecture invariant: the daemon knows plugins only through the C ABI of `ingest-abi`.
//! It links against no plugin crate; a plugin is a file named in the configuration.

mod instance;
mod library;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indexmap::IndexMap;
use ingest_abi::{ArticleResult, Document, PluginReport, RESULT_SCHEMA, ResultError, Stats};

use crate::config::Config;
pub use instance::{CallError, CallState, PluginInstance};
pub use library::{PluginLibrary, default_file_name, locate, open};

/// Why a plugin could not be loaded or started. Every variant names the plugin or its file.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// No library file was found for a configured plugin.
    #[error("plugin `{plugin}`: library not found; looked for {}", display_paths(searched))]
    NotFound {
        /// The configured name.
        plugin: String,
        /// Every path tried.
        searched: Vec<PathBuf>,
    },
    /// The dynamic loader could not open the file.
    #[error("cannot load plugin library {path}: {reason}")]
    Open {
        /// The library file.
        path: PathBuf,
        /// The loader's message.
        reason: String,
    },
    /// The file opened but is not a compatible plugin.
    #[error("refusing plugin library {path}: {reason}")]
    Refused {
        /// The library file.
        path: PathBuf,
        /// What check failed.
        reason: String,
    },
    /// The plugin's `create` failed (usually its configuration table).
    #[error("plugin `{plugin}` ({path}) failed to start: {reason}")]
    Create {
        /// The plugin's name.
        plugin: String,
        /// The library file.
        path: PathBuf,
        /// The plugin's message.
        reason: String,
    },
    /// The plugin's state folder could not be made.
    #[error("plugin `{plugin}`: cannot create state folder {path}: {source}")]
    StateDir {
        /// The plugin's name.
        plugin: String,
        /// The folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

fn display_paths(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}

/// A configured plugin, loaded and created, with the name its results are stored under.
#[derive(Debug)]
pub struct LoadedPlugin {
    /// The name from the configuration: the key of its part of the result.
    pub name: String,
    /// The live instance.
    pub instance: PluginInstance,
    /// The per-document time limit, if configured.
    pub timeout: Option<Duration>,
}

/// The configured plugins in run order.
#[derive(Debug, Default)]
pub struct Pipeline {
    plugins: Vec<LoadedPlugin>,
}

/// Opens every enabled plugin's library without creating instances (for `ingestd plugins`).
pub fn open_all(config: &Config) -> Result<Vec<PluginLibrary>, HostError> {
    config
        .enabled_plugins()
        .map(|p| open(&locate(&p.name, p.library.as_deref(), config.plugin_dir.as_deref())?))
        .collect()
}

impl Pipeline {
    /// Loads and creates every enabled plugin; each gets `state_root/<name>/` for its state.
    pub fn load(config: &Config, state_root: &Path) -> Result<Self, HostError> {
        let mut plugins = Vec::new();
        for entry in config.enabled_plugins() {
            let path = locate(&entry.name, entry.library.as_deref(), config.plugin_dir.as_deref())?;
            let library = open(&path)?;
            let state_dir = state_root.join(&entry.name);
            std::fs::create_dir_all(&state_dir).map_err(|source| HostError::StateDir {
                plugin: entry.name.clone(),
                path: state_dir.clone(),
                source,
            })?;
            let settings = serde_json::to_value(&entry.config).expect("TOML tables map to JSON");
            let instance = PluginInstance::create(library, &settings, &state_dir)?;
            tracing::debug!(plugin = %entry.name, path = %path.display(), "plugin loaded");
            let timeout = entry.timeout_ms.map(Duration::from_millis);
            plugins.push(LoadedPlugin { name: entry.name.clone(), instance, timeout });
        }
        Ok(Self { plugins })
    }

    /// The loaded plugins, in run order.
    pub fn plugins(&self) -> &[LoadedPlugin] {
        &self.plugins
    }

    /// Runs `document` through every plugin in order and assembles the result. A plugin that
    /// fails is recorded in `errors` and skipped; the others still run. `notes` are problems
    /// met before the plugins (e.g. a lossy decode) and open the `errors` list.
    pub fn analyse(&self, mut document: Document, stats: Stats, notes: Vec<ResultError>) -> ArticleResult {
        let mut errors = notes;
        let mut timings: Vec<(String, String, f64)> = Vec::with_capacity(self.plugins.len());
        for plugin in &self.plugins {
            let library = plugin.instance.library();
            let input = serde_json::to_vec(&document).expect("a Document always serialises");
            let started = Instant::now();
            let call = CallState::with_deadline(plugin.timeout.map(|t| started + t));
            let mut outcome = plugin.instance.process(&input, &call);
            let elapsed = started.elapsed();
            if let Some(limit) = plugin.timeout.filter(|limit| elapsed > *limit) {
                outcome = Err(CallError::TimedOut { limit_ms: limit.as_millis() as u64 });
            }
            let ms = elapsed.as_secs_f64() * 1000.0;
            let error = |kind: &str, message: String| ResultError {
                plugin: Some(plugin.name.clone()),
                kind: kind.to_owned(),
                message,
            };
            match outcome {
                Ok(bytes) => match serde_json::from_slice::<serde_json::Value>(&bytes) {
                    Ok(value) => {
                        document.plugins.insert(plugin.name.clone(), value);
                        timings.push((plugin.name.clone(), library.version.clone(), ms));
                    }
                    Err(e) => errors.push(error("invalid_output", format!("result is not valid JSON: {e}"))),
                },
                Err(e) => {
                    tracing::warn!(plugin = %plugin.name, file = %document.source.name, kind = e.kind(), "{}", e.message());
                    errors.push(error(e.kind(), e.message()));
                }
            }
        }
        let mut results = std::mem::take(&mut document.plugins);
        let plugins: IndexMap<String, PluginReport> = timings
            .into_iter()
            .filter_map(|(name, version, ms)| {
                let result = results.shift_remove(&name)?;
                Some((name, PluginReport { version, ms: (ms * 1000.0).round() / 1000.0, result }))
            })
            .collect();
        ArticleResult {
            schema: RESULT_SCHEMA.to_owned(),
            id: document.id,
            source: document.source,
            title: document.title,
            language: document.language,
            text: document.text,
            stats,
            plugins,
            errors,
        }
    }
}
