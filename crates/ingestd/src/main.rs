//! The `ingestd` binary: parses flags, sets up logging, and calls into the library.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use ingestd::config::{Config, Overrides};
use ingestd::host::{self, Pipeline};
use tokio_util::sync::CancellationToken;

/// Watches an inbox folder for news articles and writes one JSON analysis per article.
#[derive(Debug, Parser)]
#[command(name = "ingestd", version)]
struct Cli {
    /// Configuration file [default: ./config/ingestd.toml, then /etc/ingestd/ingestd.toml,
    /// then built-in defaults].
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Log line format on stderr.
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
    /// Run the daemon in the foreground until SIGINT or SIGTERM.
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
}

#[derive(Debug, clap::Args)]
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

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ingestd: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run { folders } => {
            let overrides = Overrides { inbox: folders.inbox, outbox: folders.outbox, state: folders.state };
            let loaded = Config::load(cli.config.as_deref(), &overrides)?;
            run(loaded.config)
        }
        Command::Process { state, paths } => {
            let loaded = Config::load(cli.config.as_deref(), &Overrides::default())?;
            let temporary = tempfile::tempdir().context("cannot create a temporary state folder")?;
            let state = state.unwrap_or_else(|| temporary.path().to_owned());
            let pipeline = Pipeline::load(&loaded.config, &state.join("plugins"))?;
            let files = ingestd::oneshot::expand(&paths).context("cannot list input folder")?;
            let failed = ingestd::oneshot::process(
                &pipeline,
                &files,
                loaded.config.max_bytes,
                &mut std::io::stdout().lock(),
            )?;
            Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Plugins => {
            let loaded = Config::load(cli.config.as_deref(), &Overrides::default())?;
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
            let loaded = Config::load(cli.config.as_deref(), &Overrides::default())?;
            // Creating each plugin validates its settings; a scratch state keeps the real one untouched.
            let scratch = tempfile::tempdir().context("cannot create a temporary state folder")?;
            Pipeline::load(&loaded.config, scratch.path())?;
            let source =
                loaded.path.map_or_else(|| "built-in defaults".to_owned(), |p| p.display().to_string());
            println!("{source}: ok ({} plugins)", loaded.config.enabled_plugins().count());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run(config: Config) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(config.worker_count() + 8)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let shutdown = CancellationToken::new();
        let daemon = ingestd::daemon::Daemon::new(config, &shutdown)?;
        tokio::spawn(stop_on_signals(shutdown.clone()));
        daemon.run(shutdown).await?;
        Ok(ExitCode::SUCCESS)
    })
}

/// First SIGINT/SIGTERM: graceful stop. Second: exit at once (claimed files stay in
/// `work/` and are resumed at the next start, so nothing is lost).
async fn stop_on_signals(shutdown: CancellationToken) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt()))
    else {
        tracing::error!("cannot install signal handlers");
        return;
    };
    tokio::select! { _ = term.recv() => {}, _ = int.recv() => {} }
    tracing::info!("signal received: stopping after documents in flight (signal again to stop now)");
    shutdown.cancel();
    tokio::select! { _ = term.recv() => {}, _ = int.recv() => {} }
    tracing::warn!("second signal: exiting now; claimed files resume at next start");
    std::process::exit(130);
}
