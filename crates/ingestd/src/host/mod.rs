//! The plugin host: loads the configured plugins once and runs each document through them.
//!
//! Architecture invariant: the daemon knows plugins only through the C ABI of `ingest-abi`.
//! It links against no plugin crate; a plugin is a file named in the configuration.

mod instance;
mod library;
mod output;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indexmap::IndexMap;
use ingest_abi::{ArticleResult, Document, PluginReport, RESULT_SCHEMA, ResultError, Stats};

use crate::config::Config;
pub use instance::{CallError, CallState, PluginInstance};
pub use library::{PluginLibrary, default_file_name, locate, open};
pub use output::PluginOutput;

/// A finished result as the daemon holds it until it is written: each plugin's output kept as
/// its compact JSON text ([`PluginOutput`]); it serialises exactly as an [`ArticleResult`]
/// holding `serde_json::Value`s would.
pub type Analysed = ArticleResult<PluginOutput>;

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

/// A plugin's `flush` failed: the results of the documents it covers must not be committed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("plugin `{plugin}` could not make its state durable (flush, {}): {}", .error.kind(), .error.message())]
pub struct FlushError {
    /// The configured name of the plugin whose `flush` failed.
    pub plugin: String,
    /// What it answered.
    pub error: CallError,
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
            let instance = PluginInstance::create(library, &entry.name, &settings, &state_dir)?;
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

    /// Makes durable what every plugin recorded for the documents analysed so far (each
    /// plugin's ABI 1.1 `flush`, in run order): called once per batch before its results are
    /// committed. Stops at the first failure, naming the plugin.
    pub fn flush(&self) -> Result<(), FlushError> {
        for plugin in &self.plugins {
            plugin.instance.flush().map_err(|error| FlushError { plugin: plugin.name.clone(), error })?;
        }
        Ok(())
    }

    /// Runs `document` through every plugin in order and assembles the result. A plugin that
    /// fails is recorded in `errors` and skipped; the others still run. `notes` are problems
    /// met before the plugins (e.g. a lossy decode) and open the `errors` list.
    ///
    /// The document crosses to each plugin as JSON; everything but the prior results is
    /// encoded once per document (see [`DocumentJson`]), not once per plugin.
    pub fn analyse(&self, document: Document, stats: Stats, notes: Vec<ResultError>) -> Analysed {
        self.analyse_with(document, stats, notes, Encoding::Once)
    }

    fn analyse_with(
        &self,
        mut document: Document,
        stats: Stats,
        notes: Vec<ResultError>,
        encoding: Encoding,
    ) -> Analysed {
        let mut errors = notes;
        let mut timings: Vec<(String, String, f64)> = Vec::with_capacity(self.plugins.len());
        // The results so far, by plugin name (as `document.plugins`, whose entries start it).
        let mut outputs: IndexMap<String, PluginOutput> = document
            .plugins
            .iter()
            .map(|(name, prior)| (name.clone(), PluginOutput::from_prior(prior)))
            .collect();
        let mut json = match encoding {
            Encoding::Once => DocumentJson::new(&mut document, &outputs),
            Encoding::PerPlugin => None,
        };
        for plugin in &self.plugins {
            let library = plugin.instance.library();
            let reencoded;
            let input: &[u8] = match json.as_mut() {
                Some(json) if library.reads_prior_results => json.bytes(),
                Some(json) => json.bare(),
                None if library.reads_prior_results => {
                    reencoded = serde_json::to_vec(&document).expect("a Document always serialises");
                    &reencoded
                }
                None => {
                    let prior = std::mem::take(&mut document.plugins);
                    reencoded = serde_json::to_vec(&document).expect("a Document always serialises");
                    document.plugins = prior;
                    &reencoded
                }
            };
            let started = Instant::now();
            let call = CallState::with_deadline(plugin.timeout.map(|t| started + t));
            let mut outcome = plugin.instance.process(input, &call);
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
                Ok(bytes) => match PluginOutput::from_plugin(&bytes) {
                    Ok(output) => {
                        if json.is_none() {
                            document.plugins.insert(plugin.name.clone(), output.to_prior());
                        }
                        let replaces = outputs.insert(plugin.name.clone(), output).is_some();
                        if let Some(json) = json.as_mut() {
                            json.push(&plugin.name, &outputs, replaces);
                        }
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
        let plugins: IndexMap<String, PluginReport<PluginOutput>> = timings
            .into_iter()
            .filter_map(|(name, version, ms)| {
                let result = outputs.shift_remove(&name)?;
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
            meta: Default::default(),
            stats,
            plugins,
            errors,
        }
    }
}

/// How the document JSON is built for each plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    /// Once per document, prior results appended (what [`Pipeline::analyse`] does).
    Once,
    /// The whole document again for every plugin (the reference the tests compare with).
    #[cfg_attr(not(test), expect(dead_code, reason = "the reference path is only run by the tests"))]
    PerPlugin,
}

/// The JSON of a [`Document`] as plugins receive it, built incrementally: every field but
/// `plugins` (text, spans, source: most of the bytes) is encoded once per document, and each
/// plugin's result is appended to the `plugins` object as it arrives. The bytes handed to a
/// plugin are exactly `serde_json::to_vec(&document)` at that moment.
///
/// Invariant: `buf` holds the document's JSON up to and including the entries of its open
/// `plugins` object (the closing `}}` is added only while a plugin reads it); this relies
/// on `plugins` being the last field of `Document`, which [`DocumentJson::new`] checks.
struct DocumentJson {
    buf: Vec<u8>,
    /// The document with `plugins` empty, for plugins that never read it
    /// (`INGEST_PLUGIN_NO_PRIOR_RESULTS`); made when the first of them asks.
    bare: Option<Vec<u8>>,
    /// Offset of the `{` that opens the `plugins` object.
    start: usize,
    /// Entries in the open `plugins` object.
    entries: usize,
    /// Whether `buf` currently ends with the closing `}}`.
    closed: bool,
}

impl DocumentJson {
    /// Encodes `document` once; `None` if its JSON does not end with the `plugins` object
    /// (then the caller encodes the whole document for each plugin).
    fn new(document: &mut Document, prior: &IndexMap<String, PluginOutput>) -> Option<Self> {
        let entries = std::mem::take(&mut document.plugins);
        let mut buf = serde_json::to_vec(&*document).expect("a Document always serialises");
        document.plugins = entries;
        const EMPTY_TAIL: &[u8] = b"\"plugins\":{}}";
        if !buf.ends_with(EMPTY_TAIL) {
            return None;
        }
        buf.truncate(buf.len() - 2);
        let start = buf.len() - 1;
        let mut json = Self { buf, bare: None, start, entries: 0, closed: false };
        json.rebuild_plugins(prior);
        Some(json)
    }

    /// The complete document JSON, for one plugin call.
    fn bytes(&mut self) -> &[u8] {
        if !self.closed {
            self.buf.extend_from_slice(b"}}");
            self.closed = true;
        }
        &self.buf
    }

    /// The document JSON with an empty `plugins` object, for a plugin that never reads it.
    fn bare(&mut self) -> &[u8] {
        let Self { buf, bare, start, .. } = self;
        bare.get_or_insert_with(|| {
            let mut json = Vec::with_capacity(*start + 3);
            json.extend_from_slice(&buf[..=*start]);
            json.extend_from_slice(b"}}");
            json
        })
    }

    /// Adds the result of plugin `name`, just inserted into `outputs`. A name already present
    /// (a plugin configured twice) replaced the earlier entry in place, as inserting into the
    /// map does: then the object is rebuilt from `outputs`.
    fn push(&mut self, name: &str, outputs: &IndexMap<String, PluginOutput>, replaces: bool) {
        if self.closed {
            self.buf.truncate(self.buf.len() - 2);
            self.closed = false;
        }
        if replaces {
            self.rebuild_plugins(outputs);
            return;
        }
        if self.entries > 0 {
            self.buf.push(b',');
        }
        self.push_entry(name, &outputs[name]);
    }

    /// Re-encodes the `plugins` object (left open) from `outputs`.
    fn rebuild_plugins(&mut self, outputs: &IndexMap<String, PluginOutput>) {
        self.buf.truncate(self.start + 1);
        self.closed = false;
        self.entries = 0;
        for (i, (name, output)) in outputs.iter().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            self.push_entry(name, output);
        }
    }

    /// `"name":output`, the output's compact JSON as it is (the bytes its `Value` encodes to).
    fn push_entry(&mut self, name: &str, output: &PluginOutput) {
        serde_json::to_writer(&mut self.buf, name).expect("a string always serialises");
        self.buf.push(b':');
        self.buf.extend_from_slice(output.as_str().as_bytes());
        self.entries += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ingest_abi::PriorResult;

    fn document(text: &str) -> Document {
        serde_json::from_value(serde_json::json!({
            "id": "b3:x", "source": {"name": "x.txt", "bytes": 1, "sha256": "", "received_at": ""},
            "title": "A \"title\"", "language": "en", "text": text, "paragraphs": [{"start": 0, "end": 3}],
            "sentences": [], "plugins": {"first": {"plugins": {"x": 1}}},
        }))
        .unwrap()
    }

    /// The incrementally built JSON is byte for byte what encoding the whole document gives,
    /// also with prior results, a result holding a "plugins" key, and a replaced entry.
    #[test]
    fn document_json_matches_encoding_the_whole_document() {
        let mut doc = document("Kyiv “talks” \n\u{1F1FA}\u{1F1E6} é");
        let mut outputs: IndexMap<String, PluginOutput> =
            doc.plugins.iter().map(|(name, prior)| (name.clone(), PluginOutput::from_prior(prior))).collect();
        let mut json = DocumentJson::new(&mut doc, &outputs).expect("plugins is the last field");
        assert_eq!(json.bytes(), serde_json::to_vec(&doc).unwrap());
        for (name, output) in [
            ("entities", &br#"{"mentions": [], "plugins": "}}"}"#[..]),
            ("sentiment", br#"{"score":-0.31,"label":"n\u00e9gatif","score":-0.5}"#),
            ("first", b"[1, 2.5, null, 1e2]"),
        ] {
            let value: serde_json::Value = serde_json::from_slice(output).unwrap();
            let replaces =
                outputs.insert(name.to_owned(), PluginOutput::from_plugin(output).unwrap()).is_some();
            json.push(name, &outputs, replaces);
            doc.plugins.insert(name.to_owned(), PriorResult::from_value(&value));
            assert_eq!(json.bytes(), serde_json::to_vec(&doc).unwrap(), "after {name}");
            // A plugin that never reads prior results gets the same document without them.
            let bare = Document { plugins: IndexMap::new(), ..doc.clone() };
            assert_eq!(json.bare(), serde_json::to_vec(&bare).unwrap(), "bare, after {name}");
        }
    }

    /// Folder of the built plugin libraries: next to the test binary's parent
    /// (`target/debug`), where `cargo build --workspace` puts them.
    fn built_plugins() -> std::path::PathBuf {
        let exe = std::env::current_exe().unwrap();
        let dir = exe.parent().and_then(Path::parent).unwrap().to_owned();
        assert!(
            dir.join(default_file_name("entities")).is_file(),
            "{} has no plugin libraries: run `cargo build --workspace` before `cargo test` (as the README says)",
            dir.display()
        );
        dir
    }

    /// The descriptor flag reaches the host: entities needs no earlier results, sentiment
    /// reads entities' mentions.
    #[test]
    fn libraries_say_whether_they_read_prior_results() {
        let dir = built_plugins();
        let entities = open(&dir.join(default_file_name("entities"))).unwrap();
        let sentiment = open(&dir.join(default_file_name("sentiment"))).unwrap();
        assert!(!entities.reads_prior_results);
        assert!(sentiment.reads_prior_results);
    }

    /// Results are identical whether the document JSON is encoded once per document (the
    /// optimisation) or once per plugin (the reference), on the seeds and a sample of the BBC
    /// corpus, through the three standard plugins (each path on its own dedup state).
    #[test]
    fn encoding_once_gives_the_results_of_encoding_per_plugin() {
        let config = Config { plugin_dir: Some(built_plugins()), ..Config::default() };
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let once = Pipeline::load(&config, a.path()).unwrap();
        let per_plugin = Pipeline::load(&config, b.path()).unwrap();

        let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
        let mut files: Vec<PathBuf> = Vec::new();
        for folder in
            ["seeds", "data/bbc_news/bbc/business", "data/bbc_news/bbc/sport", "data/bbc_news/bbc/tech"]
        {
            let Ok(entries) = std::fs::read_dir(shared.join(folder)) else { continue };
            let mut found: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
            found.sort();
            let step = if folder == "seeds" { 1 } else { 40 };
            files.extend(
                found.into_iter().filter(|p| p.extension().is_some_and(|e| e == "txt")).step_by(step),
            );
        }
        assert!(files.len() >= 5, "no seeds found under {}", shared.display());
        let mut compared = 0;
        for path in &files {
            let bytes = std::fs::read(path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy();
            let prepared =
                crate::input::prepare(&name, &bytes, "2026-11-23T00:00:00.000Z".into(), u64::MAX).unwrap();
            for p in prepared {
                let x = once.analyse_with(p.document.clone(), p.stats, p.notes.clone(), Encoding::Once);
                let y = per_plugin.analyse_with(p.document, p.stats, p.notes, Encoding::PerPlugin);
                // The result file's bytes, timings zeroed.
                let strip = |r: &Analysed| {
                    let mut r = r.clone();
                    r.plugins.values_mut().for_each(|report| report.ms = 0.0);
                    r
                };
                let (x, y) = (strip(&x), strip(&y));
                assert_eq!(x.plugins.len(), 3, "{name}: {:?}", x.errors);
                let file = serde_json::to_vec_pretty(&x).unwrap();
                assert_eq!(file, serde_json::to_vec_pretty(&y).unwrap(), "{name}");
                // ...and exactly what the same result holding `Value` trees encodes to.
                let plugins = x.plugins.iter().map(|(plugin, report)| {
                    let result = report.result.to_value();
                    (plugin.clone(), PluginReport { version: report.version.clone(), ms: report.ms, result })
                });
                let tree = ArticleResult {
                    schema: x.schema.clone(),
                    id: x.id.clone(),
                    source: x.source.clone(),
                    title: x.title.clone(),
                    language: x.language.clone(),
                    text: x.text.clone(),
                    meta: x.meta.clone(),
                    stats: x.stats,
                    plugins: plugins.collect(),
                    errors: x.errors.clone(),
                };
                assert_eq!(file, serde_json::to_vec_pretty(&tree).unwrap(), "{name}: as Value trees");
                assert_eq!(serde_json::to_string(&x).unwrap(), serde_json::to_string(&tree).unwrap());
                compared += 1;
            }
        }
        assert!(compared >= files.len());
    }
}
