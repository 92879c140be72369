//! The `ingestd` binary: parses flags, sets up logging and signals, and calls into the library.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use ingestd::config::{Config, Overrides};
use ingestd::daemon::{self, ConfigSource};
use ingestd::host::{self, Pipeline};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Watches an inbox folder for news articles and writes one JSON analysis per article.
#[derive(Debug, Parser)]
#[command(name = "ingestd", version)]
struct Cli {
    /// Configuration file [default: ./config/ingestd.toml, then /etc/ingestd/ingestd.toml,
    /// then built-in defaults].
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Log line format on stderr (under systemd, text goes to the journal with fields).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the daemon in the foreground until SIGINT or SIGTERM; SIGHUP reloads.
    Run {
        #[command(flatten)]
        folders: Folders,
    },
    /// Analyse files or folders once; print one JSON result per line on stdout.
    Process {
        /// State folder for plugins that keep state (dedup's index) [default: a temporary
        /// folder, so one-shot runs never touch the daemon's state].
        #[arg(long, value_name = "DIR")]
        state: Option<PathBuf>,
        /// Files or folders (folders: their files, not recursively).
        #[arg(required = true, value_name = "FILE|DIR")]
        paths: Vec<PathBuf>,
    },
    /// List the configured plugins: name, version, ABI version and library path.
    Plugins,
    /// Check the configuration file and the plugins' settings, then exit.
    CheckConfig,
    /// Show the spool: backlog, in flight, failed, and the newest results.
    Status {
        #[command(flatten)]
        folders: Folders,
    },
}

#[derive(Debug, Default, clap::Args)]
struct Folders {
    /// Inbox folder (overrides the file).
    #[arg(long, value_name = "DIR")]
    inbox: Option<PathBuf>,
    /// Outbox folder (overrides the file).
    #[arg(long, value_name = "DIR")]
    outbox: Option<PathBuf>,
    /// State folder (overrides the file).
    #[arg(long, value_name = "DIR")]
    state: Option<PathBuf>,
}

impl From<Folders> for Overrides {
    fn from(f: Folders) -> Self {
        Overrides { inbox: f.inbox, outbox: f.outbox, state: f.state }
    }
}

fn init_logging(format: LogFormat, level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let registry = tracing_subscriber::registry().with(filter);
    // Under systemd stderr is the journal: send structured fields instead of text.
    if matches!(format, LogFormat::Text)
        && std::env::var_os("JOURNAL_STREAM").is_some()
        && let Ok(journald) = tracing_journald::layer()
    {
        registry.with(journald).init();
        return;
    }
    let stderr = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    match format {
        LogFormat::Text => registry.with(stderr.with_ansi(std::io::stderr().is_terminal())).init(),
        LogFormat::Json => registry.with(stderr.json()).init(),
    }
}

fn main() -> ExitCode {
    tune_malloc();
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ingestd: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Tunes glibc's malloc for a long-running daemon, before any thread starts; a setting
/// given in the environment (`MALLOC_ARENA_MAX`, `MALLOC_MMAP_THRESHOLD_`,
/// `MALLOC_TRIM_THRESHOLD_`) still wins. Figures: docs/BENCHMARKS.md, 100,000-article burst.
/// - Two arenas: by default glibc gives up to eight per core, and every short-lived thread
///   (workers, fsync helpers, plugins' threads) may take one and keep what it freed; a
///   100,000-article burst held 330 MiB and growing, against 190 MiB flat with two.
/// - Blocks of 128 KiB and more are mapped on their own and unmapped when freed, and the
///   heap is trimmed above 256 KiB free: transient large buffers (a dedup index commit or
///   run merge, a long article's JSON) otherwise stay in the heap and raise its high-water
///   mark. glibc's default threshold grows up to 32 MiB after the first such free; fixing it
///   took the burst's peak from 164 to 142 MiB.
fn tune_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    for (variable, option, value) in [
        ("MALLOC_ARENA_MAX", libc::M_ARENA_MAX, 2),
        ("MALLOC_MMAP_THRESHOLD_", libc::M_MMAP_THRESHOLD, 128 << 10),
        ("MALLOC_TRIM_THRESHOLD_", libc::M_TRIM_THRESHOLD, 256 << 10),
    ] {
        if std::env::var_os(variable).is_none() {
            // SAFETY: mallopt only changes an allocator setting; no thread has started yet.
            unsafe { libc::mallopt(option, value) };
        }
    }
}

fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    let overrides = match &cli.command {
        Command::Run { folders } | Command::Status { folders } => Overrides {
            inbox: folders.inbox.clone(),
            outbox: folders.outbox.clone(),
            state: folders.state.clone(),
        },
        _ => Overrides::default(),
    };
    let source = ConfigSource { path: cli.config.clone(), overrides };
    let loaded = source.load()?;
    init_logging(cli.log_format, &loaded.config.log_level);
    match cli.command {
        Command::Run { .. } => run(source, loaded.config, loaded.path),
        Command::Process { state, paths } => {
            let temporary = tempfile::tempdir().context("cannot create a temporary state folder")?;
            let state = state.unwrap_or_else(|| temporary.path().to_owned());
            let pipeline = Pipeline::load(&loaded.config, &state.join("plugins"))?;
            let files = ingestd::oneshot::expand(&paths).context("cannot list input folder")?;
            let bar = indicatif::ProgressBar::new(files.len() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} eta {eta} {msg}")
                    .expect("the template is valid"),
            );
            let failed = ingestd::oneshot::process(
                &pipeline,
                &files,
                loaded.config.max_bytes,
                &mut std::io::stdout().lock(),
                &mut |_| bar.inc(1),
            )?;
            bar.finish_and_clear();
            Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Plugins => {
            for (entry, library) in loaded.config.enabled_plugins().zip(host::open_all(&loaded.config)?) {
                let (major, minor) = library.abi;
                println!(
                    "{}\t{}\tabi {major}.{minor}\t{}",
                    entry.name,
                    library.version,
                    library.path.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::CheckConfig => {
            daemon::validate_plugins(&loaded.config)?;
            let source =
                loaded.path.map_or_else(|| "built-in defaults".to_owned(), |p| p.display().to_string());
            println!("{source}: ok ({} plugins)", loaded.config.enabled_plugins().count());
            Ok(ExitCode::SUCCESS)
        }
        Command::Status { .. } => {
            print!("{}", ingestd::status::report(&loaded.config)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run(source: ConfigSource, config: Config, config_path: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // Threads start on demand; the cap only has to leave room for scans next to the
        // largest worker count a reload may set.
        .max_blocking_threads(ingestd::config::MAX_WORKERS + 16)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let shutdown = CancellationToken::new();
        let (reload_tx, reloads) = mpsc::channel(1);
        // Installed here, before anything can report ready: a handler installed later by the
        // spawned task would leave a window in which SIGTERM kills the process outright.
        let signals = StopSignals::install().context("cannot install signal handlers")?;
        tokio::spawn(handle_signals(signals, shutdown.clone(), reload_tx.clone()));
        let _config_watch = config_path.as_deref().and_then(|p| watch_config(p, reload_tx));
        daemon::serve(source, config, shutdown, reloads).await?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Asks for a reload whenever the configuration file changes (editors often replace it, so
/// its folder is watched). Without file events, SIGHUP still works.
fn watch_config(path: &Path, reloads: mpsc::Sender<()>) -> Option<notify::RecommendedWatcher> {
    use notify::Watcher;
    let path = std::path::absolute(path).ok()?;
    let (dir, name) = (path.parent()?.to_owned(), path.file_name()?.to_owned());
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let relevant = matches!(event.kind, notify::EventKind::Create(_) | notify::EventKind::Modify(_))
            && event.paths.iter().any(|p| p.file_name() == Some(name.as_os_str()));
        if relevant {
            // A reload already pending covers this change too.
            let _ = reloads.try_send(());
        }
    })
    .ok()?;
    match watcher.watch(&dir, notify::RecursiveMode::NonRecursive) {
        Ok(()) => Some(watcher),
        Err(e) => {
            tracing::warn!(config = %path.display(), "not watching the config file for changes (SIGHUP still reloads): {e}");
            None
        }
    }
}

/// The signals the daemon answers, registered with the runtime.
struct StopSignals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

impl StopSignals {
    /// Registers the handlers; from then on these signals are queued, never fatal.
    fn install() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
            hup: signal(SignalKind::hangup())?,
        })
    }
}

/// SIGHUP: reload. First SIGINT/SIGTERM: graceful stop. Second: exit at once (claimed files
/// stay in `work/` and are resumed at the next start, so nothing is lost).
async fn handle_signals(signals: StopSignals, shutdown: CancellationToken, reloads: mpsc::Sender<()>) {
    let StopSignals { mut term, mut int, mut hup } = signals;
    loop {
        tokio::select! {
            _ = term.recv() => break,
            _ = int.recv() => break,
            _ = hup.recv() => {
                tracing::info!("SIGHUP: reloading the configuration");
                let _ = reloads.try_send(());
            }
        }
    }
    tracing::info!("signal received: stopping after documents in flight (signal again to stop now)");
    shutdown.cancel();
    tokio::select! { _ = term.recv() => {}, _ = int.recv() => {} }
    tracing::warn!("second signal: exiting now; claimed files resume at next start");
    // _exit, not exit: plugin threads may still be running, and exit handlers (C++ static
    // destructors in a plugin) must not run under them.
    // SAFETY: _exit only ends the process.
    unsafe { libc::_exit(130) };
}
