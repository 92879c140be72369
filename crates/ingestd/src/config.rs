//! The daemon's configuration: one TOML file, overridable from the command line.
//!
//! Every field has a default, so an empty file (or none) is a working configuration. Unknown
//! keys and wrong types are refused with the file, the line and the key named. Relative paths
//! resolve against the working directory, like every other command-line tool's.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Why a configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The TOML is malformed, has an unknown key or a value of the wrong type.
    #[error("invalid config file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message, with the line and key.
        message: String,
    },
    /// A value is well-typed but unusable.
    #[error("invalid config file {path}: key `{key}`: {message}")]
    Invalid {
        /// The file (or `<defaults>`).
        path: PathBuf,
        /// The offending key.
        key: String,
        /// What is wrong with it.
        message: String,
    },
}

/// What happens to an input file once its result is safely in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum AfterSuccess {
    /// Move it to the archive folder (the default: nothing is ever deleted unasked).
    #[default]
    Archive,
    /// Delete it.
    Delete,
}

/// How new files are noticed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum WatchMode {
    /// Kernel file events (inotify), with periodic rescans as a safety net.
    #[default]
    Native,
    /// Scanning only, for network filesystems where file events never arrive.
    Poll,
}

/// The `[watch]` table: how arrivals are detected.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WatchConfig {
    /// `native` (file events + rescans) or `poll` (scans only, for NFS/SMB).
    pub mode: WatchMode,
    /// How often `poll` mode scans the inbox, in milliseconds.
    pub poll_interval_ms: u64,
    /// How long a file found by a scan (rather than announced by a close or rename event) must
    /// stay unchanged in size and mtime before it is taken: a writer may still be busy.
    pub settle_ms: u64,
    /// How often `native` mode rescans the inbox anyway, in milliseconds: events can be lost.
    pub rescan_interval_ms: u64,
}

impl Default for WatchConfig {
    fn default() -> Self {
        Self { mode: WatchMode::Native, poll_interval_ms: 1000, settle_ms: 1000, rescan_interval_ms: 30_000 }
    }
}

/// The `[metrics]` table: the optional HTTP endpoint for Prometheus and health checks.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// Serve `/metrics` and `/healthz`. Off by default: nothing listens unless asked.
    pub enabled: bool,
    /// Address to listen on; keep it on loopback unless a firewall guards it.
    pub listen: std::net::SocketAddr,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self { enabled: false, listen: std::net::SocketAddr::from(([127, 0, 0, 1], 9464)) }
    }
}

/// One `[[plugins]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginConfig {
    /// The plugin's name; its part of the result is stored under it.
    pub name: String,
    /// The library file. Default `lib<name>.so` (dashes become underscores), looked up next to
    /// the executable, then in `plugin_dir`. A path with a `/` is used as given.
    #[serde(default)]
    pub library: Option<PathBuf>,
    /// `false` keeps the entry in the file but does not load it.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Time limit per document, in milliseconds. Past it the plugin is asked to stop (it sees
    /// `is_cancelled`), its answer is discarded and a `timeout` error is recorded; the
    /// document still completes with the other plugins' results.
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    /// The plugin's own settings, passed to it as a JSON object at `create`.
    #[serde(default)]
    pub config: toml::Table,
}

fn yes() -> bool {
    true
}

impl PluginConfig {
    /// An entry for `name` with default settings.
    pub fn named(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            library: None,
            enabled: true,
            timeout_ms: None,
            config: toml::Table::new(),
        }
    }
}

/// The most documents analysed at once that `workers` accepts.
pub const MAX_WORKERS: usize = 4096;

/// `path` made absolute against the working directory, with `.` and `..` resolved by name
/// (no filesystem access: the folders may not exist yet).
fn lexical_absolute(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut out = PathBuf::new();
    for part in absolute.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The standard plugins loaded when the file names none, in their run order.
pub const STANDARD_PLUGINS: [&str; 3] = ["entities", "sentiment", "dedup"];

fn standard_plugins() -> Vec<PluginConfig> {
    STANDARD_PLUGINS.iter().map(|name| PluginConfig::named(name)).collect()
}

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where articles are dropped.
    pub inbox: PathBuf,
    /// Where one JSON result per article is written.
    pub outbox: PathBuf,
    /// The daemon's own state: claimed files in flight (`work/`) and each plugin's folder
    /// (`plugins/<name>/`). Must be on the same filesystem as the inbox (claims are renames).
    pub state: PathBuf,
    /// Inputs that could not be analysed, each with a `<name>.error.json` beside it.
    pub failed: PathBuf,
    /// Inputs whose result was written, when `after_success = "archive"`.
    pub archive: PathBuf,
    /// `archive` (default) or `delete`.
    pub after_success: AfterSuccess,
    /// Documents analysed at once; 0 means one per CPU core, plus one.
    pub workers: usize,
    /// Larger inputs are refused (moved to `failed/`) without being read.
    pub max_bytes: u64,
    /// A file that was being analysed during this many daemon crashes is moved to `failed/`
    /// (a poison pill) instead of crashing the daemon again.
    pub max_crashes: u32,
    /// A folder searched for plugin libraries after the executable's own folder.
    pub plugin_dir: Option<PathBuf>,
    /// Log level filter (`error`, `warn`, `info`, `debug`, `trace`, or a `tracing` directive
    /// such as `ingestd=debug`); the `RUST_LOG` environment variable wins over it.
    pub log_level: String,
    /// How arrivals are detected.
    pub watch: WatchConfig,
    /// The optional metrics endpoint.
    pub metrics: MetricsConfig,
    /// The plugins, in the order they run; each sees the results of those before it.
    pub plugins: Vec<PluginConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            inbox: "inbox".into(),
            outbox: "outbox".into(),
            state: "state".into(),
            failed: "failed".into(),
            archive: "archive".into(),
            after_success: AfterSuccess::Archive,
            workers: 0,
            max_bytes: 16 * 1024 * 1024,
            max_crashes: 3,
            plugin_dir: None,
            log_level: "info".into(),
            watch: WatchConfig::default(),
            metrics: MetricsConfig::default(),
            plugins: standard_plugins(),
        }
    }
}

/// Folder overrides from the command line; they win over the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--inbox`.
    pub inbox: Option<PathBuf>,
    /// `--outbox`.
    pub outbox: Option<PathBuf>,
    /// `--state`.
    pub state: Option<PathBuf>,
}

/// A validated configuration and where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The settings.
    pub config: Config,
    /// The file they were read from, or `None` for built-in defaults.
    pub path: Option<PathBuf>,
}

/// Where `ingestd` looks for a configuration when `--config` is not given, in order.
pub const DEFAULT_CONFIG_PATHS: [&str; 2] = ["config/ingestd.toml", "/etc/ingestd/ingestd.toml"];

impl Config {
    /// Parses and validates TOML text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        config.validate(path)?;
        Ok(config)
    }

    /// Reads `explicit` if given (it must exist), else the first of
    /// [`DEFAULT_CONFIG_PATHS`] that exists, else the built-in defaults; then applies overrides.
    pub fn load(explicit: Option<&Path>, overrides: &Overrides) -> Result<Loaded, ConfigError> {
        let path = match explicit {
            Some(p) => Some(p.to_owned()),
            None => DEFAULT_CONFIG_PATHS.iter().map(PathBuf::from).find(|p| p.is_file()),
        };
        let mut config = match &path {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|source| ConfigError::Read { path: p.clone(), source })?;
                Config::parse(&text, p)?
            }
            None => Config::default(),
        };
        config.apply(overrides);
        // Overrides can make folders collide: check again with them applied.
        config.validate(path.as_deref().unwrap_or(Path::new("<defaults>")))?;
        Ok(Loaded { config, path })
    }

    /// Applies command-line folder overrides.
    pub fn apply(&mut self, overrides: &Overrides) {
        if let Some(p) = &overrides.inbox {
            self.inbox.clone_from(p);
        }
        if let Some(p) = &overrides.outbox {
            self.outbox.clone_from(p);
        }
        if let Some(p) = &overrides.state {
            self.state.clone_from(p);
        }
    }

    /// The number of documents analysed at once, with 0 resolved to the core count plus one:
    /// the extra document keeps every core analysing while a worker waits to hand its results
    /// to the committer or for its next file (a burst of BBC articles on 2 cores: about 12%
    /// more articles/s than one per core; docs/BENCHMARKS.md, "Three workers on two cores").
    pub fn worker_count(&self) -> usize {
        if self.workers > 0 {
            self.workers
        } else {
            (std::thread::available_parallelism().map_or(1, |n| n.get()) + 1).min(MAX_WORKERS)
        }
    }

    /// The plugins that are switched on, in run order.
    pub fn enabled_plugins(&self) -> impl Iterator<Item = &PluginConfig> {
        self.plugins.iter().filter(|p| p.enabled)
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let invalid = |key: &str, message: &str| ConfigError::Invalid {
            path: path.to_owned(),
            key: key.to_owned(),
            message: message.to_owned(),
        };
        for (key, dir) in [
            ("inbox", &self.inbox),
            ("outbox", &self.outbox),
            ("state", &self.state),
            ("failed", &self.failed),
            ("archive", &self.archive),
        ] {
            if dir.as_os_str().is_empty() {
                return Err(invalid(key, "must not be empty"));
            }
        }
        let folders = [
            ("inbox", &self.inbox),
            ("outbox", &self.outbox),
            ("state", &self.state),
            ("failed", &self.failed),
            ("archive", &self.archive),
        ];
        for (i, (key_a, a)) in folders.iter().enumerate() {
            for (key_b, b) in &folders[i + 1..] {
                let (a, b) = (lexical_absolute(a), lexical_absolute(b));
                if a.starts_with(&b) || b.starts_with(&a) {
                    return Err(invalid(
                        key_a,
                        &format!(
                            "folder {} overlaps `{key_b}` ({}): each spool folder must be separate",
                            a.display(),
                            b.display()
                        ),
                    ));
                }
            }
        }
        if self.workers > MAX_WORKERS {
            return Err(invalid(
                "workers",
                &format!("must be at most {MAX_WORKERS} (0 means one per core, plus one)"),
            ));
        }
        if self.max_bytes == 0 {
            return Err(invalid("max_bytes", "must be greater than 0"));
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log_level).is_err() {
            return Err(invalid("log_level", "is not a valid level or tracing directive (e.g. \"info\")"));
        }
        if self.max_crashes == 0 {
            return Err(invalid("max_crashes", "must be at least 1"));
        }
        if self.watch.poll_interval_ms == 0 {
            return Err(invalid("watch.poll_interval_ms", "must be greater than 0"));
        }
        if self.watch.rescan_interval_ms == 0 {
            return Err(invalid("watch.rescan_interval_ms", "must be greater than 0"));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, plugin) in self.plugins.iter().enumerate() {
            let key = format!("plugins[{i}].name");
            let valid_name = !plugin.name.is_empty()
                && plugin.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !valid_name {
                return Err(invalid(&key, "must be non-empty ASCII letters, digits, `-` or `_`"));
            }
            if plugin.timeout_ms == Some(0) {
                return Err(invalid(
                    &format!("plugins[{i}].timeout_ms"),
                    "must be greater than 0 (omit it for no limit)",
                ));
            }
            if plugin.enabled && !seen.insert(plugin.name.as_str()) {
                return Err(invalid(&key, &format!("plugin `{}` is listed twice", plugin.name)));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("test.toml"))
    }

    #[test]
    fn empty_file_means_defaults_with_the_standard_plugins() {
        let config = parse("").unwrap();
        assert_eq!(config.inbox, PathBuf::from("inbox"));
        let names: Vec<_> = config.plugins.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, STANDARD_PLUGINS);
    }

    #[test]
    fn workers_zero_means_one_per_core_plus_one_and_a_number_is_kept() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(parse("workers = 0").unwrap().worker_count(), cores + 1);
        assert_eq!(parse("workers = 3").unwrap().worker_count(), 3);
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let err = parse("inbox = \"in\"\n\ninbx = \"x\"\n").unwrap_err().to_string();
        assert!(err.contains("inbx"), "{err}");
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("test.toml"), "{err}");
    }

    #[test]
    fn wrong_type_is_named() {
        let err = parse("[watch]\nsettle_ms = \"soon\"\n").unwrap_err().to_string();
        assert!(err.contains("settle_ms") || err.contains("line 2"), "{err}");
    }

    #[test]
    fn plugin_tables_keep_file_order_and_settings() {
        let config = parse(
            "[[plugins]]\nname = \"dedup\"\nconfig = { threshold = 0.7 }\n\n[[plugins]]\nname = \"entities\"\n",
        )
        .unwrap();
        let names: Vec<_> = config.plugins.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["dedup", "entities"]);
        assert_eq!(config.plugins[0].config["threshold"].as_float(), Some(0.7));
    }

    #[test]
    fn duplicate_plugin_is_refused() {
        let err = parse("[[plugins]]\nname = \"a\"\n[[plugins]]\nname = \"a\"\n").unwrap_err();
        assert!(err.to_string().contains("listed twice"), "{err}");
    }

    #[test]
    fn overlapping_folders_are_refused() {
        for text in ["outbox = \"inbox\"", "failed = \"inbox/failed\"", "archive = \"./inbox/../inbox\""] {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.contains("overlaps"), "{text}: {err}");
        }
        parse("outbox = \"out\"\narchive = \"archive-old\"").unwrap();
    }

    #[test]
    fn command_line_overrides_win() {
        let mut config = parse("inbox = \"a\"").unwrap();
        config.apply(&Overrides { inbox: Some("b".into()), ..Overrides::default() });
        assert_eq!(config.inbox, PathBuf::from("b"));
    }

    #[test]
    fn shipped_default_config_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/ingestd.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let config = Config::parse(&text, &path).unwrap();
        let names: Vec<_> = config.enabled_plugins().map(|p| p.name.as_str()).collect();
        assert_eq!(names, STANDARD_PLUGINS);
    }
}
