//! `ingestd-bench`: the end-to-end benchmark of issue 6.
//!
//! It measures ingestd the way a user meets it: it builds the workspace in release mode, starts
//! the real `target/release/ingestd run` on fresh temporary folders with the documented default
//! configuration (`config/ingestd.toml`: the three standard plugins), drops news articles into
//! the inbox the way a well-behaved scraper does (written under a staging name, then renamed
//! in), and watches the outbox.
//!
//! ```text
//! cargo run --release -p ingestd-bench -- [--articles N] [--rate 200] [--runs 3] [--peer] [--big 100000]
//! ```
//!
//! What it reports, per run and as medians:
//!
//! - **start-up**: from spawning the process to `READY=1` on a fake `NOTIFY_SOCKET` (the same
//!   datagram systemd reads for `Type=notify`);
//! - **burst**: all N articles renamed into the inbox at once; articles/s and words/s from the
//!   first drop to the last result; drop-to-result latency p50/p95/p99;
//! - **steady**: articles dropped at a fixed offered rate; latency p50/p95/p99;
//! - **peak RSS** (`VmHWM` of the daemon), **CPU seconds per 1,000 articles** (`utime + stime`
//!   of the daemon during the phase, with the kernel's part, `stime`, beside it), and
//!   **per-plugin share** of plugin time (from the results' `plugins.*.ms`);
//! - with `--peer`: the Python peer pipeline (`../shared/peers/pipeline.py`: spaCy + VADER +
//!   datasketch) on the same files in the same run, and the ratio ingestd/peer for throughput;
//! - with `--big N`: an N-article burst (the corpus cycled, each copy made unique by a suffix
//!   line) for the peak-RSS target.
//!
//! `--ingestd PATH` measures another daemon binary (a saved copy of an earlier build, with its
//! plugin libraries beside it), so before and after a change can be run alternately under the
//! same load; `--daemon-log FILTER` sets the daemon's `RUST_LOG` (with `--keep`, its log stays
//! in the kept folder, e.g. the committer's batch sizes at `ingestd::commit=debug`).
//!
//! Each phase's folders are made under `$TMPDIR` (default `/tmp`) and removed only when the
//! benchmark exits (see `Spent`): on a filesystem that scans recently freed inodes for every
//! new file (ext4 without a journal), deletions just before a phase would be billed to the
//! daemon's result files. Point `TMPDIR` at a folder of its own to keep other programs'
//! deletions in `/tmp` out of the figures too.
//!
//! Latency is **observed time**: the benchmark's clock when inotify reports the result's rename
//! into the outbox (the moment a consumer could see it) minus its clock right after the
//! article's rename into the inbox. Words are whitespace-separated words of the input files,
//! the peer's own definition, so words/s compare like for like.

use std::collections::HashMap;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;

/// The end-to-end benchmark: the real daemon, real files, the Python peer on the same files.
#[derive(Debug, Parser)]
#[command(name = "ingestd-bench")]
struct Opts {
    /// The news corpus: a folder of `*.txt` files, or of folders of them (flattened as
    /// `<folder>_<file>.txt`, like the peer's bench.py).
    #[arg(long, default_value = "../shared/data/bbc_news/bbc")]
    data: PathBuf,
    /// Articles per burst and steady phase (0 = the whole corpus).
    #[arg(long, default_value_t = 0)]
    articles: usize,
    /// Offered rate of the steady phase, articles per second.
    #[arg(long, default_value_t = 200.0)]
    rate: f64,
    /// Articles in the steady phase (0 = the same as `--articles`).
    #[arg(long, default_value_t = 0)]
    steady_articles: usize,
    /// Repetitions of the burst and steady phases (each on a fresh daemon and folders).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Worker count written into the configuration (default: the file's, 0 = one per core plus one).
    #[arg(long)]
    workers: Option<usize>,
    /// Also run the Python peer pipeline on the same files and print the throughput ratio.
    #[arg(long)]
    peer: bool,
    /// The peer's Python interpreter (a venv with `../shared/peers/requirements.txt`).
    #[arg(long, default_value = "/tmp/peers-venv/bin/python")]
    peer_python: PathBuf,
    /// The peer pipeline's folder.
    #[arg(long, default_value = "../shared/peers")]
    peer_dir: PathBuf,
    /// `--n-process` values to run the peer with (comma-separated); 2 uses both cores as
    /// ingestd does.
    #[arg(long, value_delimiter = ',', default_value = "1,2")]
    peer_processes: Vec<u32>,
    /// Run an N-article burst (the corpus cycled) for peak RSS, instead of nothing.
    #[arg(long)]
    big: Option<usize>,
    /// How the big burst makes copies distinct: `suffix` (a unique last line, so no copy is an
    /// exact duplicate; later cycles are near-duplicates of earlier ones) or `exact`
    /// (byte-identical copies under new names, which dedup answers as exact duplicates).
    #[arg(long, default_value = "suffix")]
    big_mode: String,
    /// Skip the phases other than the big burst.
    #[arg(long)]
    big_only: bool,
    /// Skip `cargo build --release --workspace`.
    #[arg(long)]
    no_build: bool,
    /// The daemon binary to measure (plugins are found next to it); default
    /// `target/release/ingestd`. With a saved copy of an earlier build, before and after can be
    /// measured in one sitting, under the same load.
    #[arg(long)]
    ingestd: Option<PathBuf>,
    /// The daemon's log filter (`RUST_LOG`, e.g. `info,ingestd::commit=debug` for the group
    /// commit's batch sizes; default: the configuration's level); its log is `ingestd.log` in
    /// the kept folders (`--keep`).
    #[arg(long)]
    daemon_log: Option<String>,
    /// Keep the temporary folders (printed) for inspection.
    #[arg(long)]
    keep: bool,
    /// Give up on a phase after this many seconds without a new result.
    #[arg(long, default_value_t = 120)]
    stall_secs: u64,
}

impl Opts {
    /// The daemon binary under test.
    fn binary(&self, root: &Path) -> PathBuf {
        match &self.ingestd {
            Some(path) if path.is_relative() => root.join(path),
            Some(path) => path.clone(),
            None => root.join("target/release/ingestd"),
        }
    }
}

/// One input article.
struct Article {
    name: String,
    bytes: Vec<u8>,
    words: usize,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the workspace root exists")
}

fn load_corpus(dir: &Path) -> anyhow::Result<Vec<Article>> {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) -> std::io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                walk(&path, &format!("{prefix}{name}_"), out)?;
            } else if name.ends_with(".txt") {
                out.push((format!("{prefix}{name}"), path));
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(dir, "", &mut files).with_context(|| format!("cannot read corpus {}", dir.display()))?;
    if files.is_empty() {
        bail!("no *.txt files under {}", dir.display());
    }
    files
        .into_iter()
        .map(|(name, path)| {
            let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let words = String::from_utf8_lossy(&bytes).split_whitespace().count();
            Ok(Article { name, bytes, words })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The daemon under test

/// A running `ingestd run` on its own temporary folders.
struct Daemon {
    child: Child,
    dir: tempfile::TempDir,
    startup: Duration,
}

impl Daemon {
    /// Starts the daemon on fresh folders and waits for `READY=1`.
    fn start(
        root: &Path,
        binary: &Path,
        log: Option<&str>,
        workers: Option<usize>,
        keep: bool,
    ) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new().prefix("ingestd-bench-").tempdir()?;
        if keep {
            eprintln!("  folders: {}", dir.path().display());
        }
        let etc = dir.path().join("etc");
        std::fs::create_dir_all(&etc)?;
        let mut config = std::fs::read_to_string(root.join("config/ingestd.toml"))?;
        if let Some(w) = workers {
            config = config.replace("\nworkers = 0\n", &format!("\nworkers = {w}\n"));
        }
        std::fs::write(etc.join("ingestd.toml"), config)?;
        for folder in ["inbox", "stage"] {
            std::fs::create_dir_all(dir.path().join(folder))?;
        }
        let socket_path = dir.path().join("notify.sock");
        let socket = UnixDatagram::bind(&socket_path)?;
        socket.set_read_timeout(Some(Duration::from_secs(60)))?;
        let stderr = std::fs::File::create(dir.path().join("ingestd.log"))?;
        let spawned = Instant::now();
        let mut command = Command::new(binary);
        match log {
            Some(filter) => command.env("RUST_LOG", filter),
            None => command.env_remove("RUST_LOG"),
        };
        let mut child = command
            .args(["--config", "etc/ingestd.toml", "run"])
            .current_dir(dir.path())
            .env("NOTIFY_SOCKET", &socket_path)
            .env_remove("WATCHDOG_USEC")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .with_context(|| format!("cannot start {} (build it first)", binary.display()))?;
        let mut buf = [0u8; 4096];
        loop {
            let n = match socket.recv(&mut buf) {
                Ok(n) => n,
                Err(e) => {
                    let _ = child.kill();
                    bail!("no READY=1 from ingestd: {e} (log: {}/ingestd.log)", dir.path().display());
                }
            };
            if buf[..n].split(|&b| b == b'\n').any(|line| line == b"READY=1") {
                break;
            }
        }
        let startup = spawned.elapsed();
        Ok(Self { child, dir, startup })
    }

    fn path(&self, folder: &str) -> PathBuf {
        self.dir.path().join(folder)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops the daemon gracefully (SIGTERM) and waits for it. Its folders are handed back,
    /// not removed: see [`Spent`].
    fn stop(mut self, keep: bool, spent: &mut Spent) -> anyhow::Result<()> {
        // SAFETY: plain kill(2) on our own child's pid.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let status = self.child.wait()?;
        if !status.success() {
            eprintln!(
                "  warning: ingestd exited with {status} (log: {}/ingestd.log)",
                self.dir.path().display()
            );
        }
        if keep {
            let _ = self.dir.keep();
        } else {
            spent.0.push(self.dir);
        }
        Ok(())
    }
}

/// The folders of the phases that have finished, removed only when the benchmark ends.
///
/// Removing a phase's thousands of files right before the next phase starts would tax that
/// phase: on an ext4 without a journal (this box's root filesystem) the inode allocator skips
/// inodes freed in the last minute or more, and every file the next daemon creates (each
/// result) scans past all of them in its block group, which showed up as up to 0.7 ms of
/// kernel CPU per result in the daemon's profile (`find_inode_bit`/`recently_deleted` under
/// `openat`). The measured daemon should pay for its own files, not the benchmark's clean-up.
#[derive(Default)]
struct Spent(Vec<tempfile::TempDir>);

/// Memory figures from `/proc/<pid>/status`, in KiB.
#[derive(Debug, Clone, Copy, Default)]
struct Memory {
    hwm: u64,
    rss: u64,
    anon: u64,
    file: u64,
}

fn memory(pid: u32) -> Memory {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Memory { hwm: field("VmHWM:"), rss: field("VmRSS:"), anon: field("RssAnon:"), file: field("RssFile:") }
}

/// `utime + stime` of `pid` (all its threads), in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let (user, system) = cpu_split(pid);
    user + system
}

/// `(utime, stime)` of `pid` (all its threads), in seconds: time in the daemon's and plugins'
/// own code, and time in the kernel on its behalf (syscalls: file creation, renames, syncs).
fn cpu_split(pid: u32) -> (f64, f64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // rest starts at field 3 (state); utime is field 14, stime 15.
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0) as f64;
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    (ticks(11) / hz, ticks(12) / hz)
}

// ---------------------------------------------------------------------------------------------
// Watching the outbox

/// Reports every file renamed into a folder (`IN_MOVED_TO`), with the time it was seen.
struct Watch {
    events: mpsc::Receiver<(String, Instant)>,
    overflowed: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Watch {
    fn new(dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        // SAFETY: plain syscall.
        let fd = unsafe { libc::inotify_init1(libc::IN_CLOEXEC | libc::IN_NONBLOCK) };
        if fd < 0 {
            bail!("inotify_init1: {}", std::io::Error::last_os_error());
        }
        let path = CString::new(dir.as_os_str().as_bytes())?;
        // SAFETY: `path` is a valid C string; `fd` is ours.
        if unsafe { libc::inotify_add_watch(fd, path.as_ptr(), libc::IN_MOVED_TO) } < 0 {
            bail!("inotify_add_watch {}: {}", dir.display(), std::io::Error::last_os_error());
        }
        let (tx, events) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let overflowed = Arc::new(AtomicBool::new(false));
        let (stop2, overflowed2) = (stop.clone(), overflowed.clone());
        let thread = std::thread::spawn(move || {
            let mut buf = vec![0u8; 256 * 1024];
            while !stop2.load(Ordering::Relaxed) {
                let mut pfd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
                // SAFETY: one valid pollfd.
                if unsafe { libc::poll(&mut pfd, 1, 100) } <= 0 {
                    continue;
                }
                // SAFETY: `buf` is writable for its length.
                let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
                let seen = Instant::now();
                if n <= 0 {
                    continue;
                }
                let mut at = 0usize;
                let header = std::mem::size_of::<libc::inotify_event>();
                while at + header <= n as usize {
                    // SAFETY: the kernel wrote whole events; read_unaligned copes with alignment.
                    let event: libc::inotify_event =
                        unsafe { std::ptr::read_unaligned(buf[at..].as_ptr().cast()) };
                    let name_bytes = &buf[at + header..at + header + event.len as usize];
                    let name_end = name_bytes.iter().position(|&b| b == 0).unwrap_or(name_bytes.len());
                    if event.mask & libc::IN_Q_OVERFLOW != 0 {
                        overflowed2.store(true, Ordering::Relaxed);
                    }
                    let name = String::from_utf8_lossy(&name_bytes[..name_end]).into_owned();
                    if !name.is_empty() && tx.send((name, seen)).is_err() {
                        break;
                    }
                    at += header + event.len as usize;
                }
            }
            // SAFETY: our fd, closed once.
            unsafe { libc::close(fd) };
        });
        Ok(Self { events, overflowed, stop, thread: Some(thread) })
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Phases

/// What one phase measured.
#[derive(Debug, Default, Clone)]
struct Phase {
    articles: usize,
    words: usize,
    seconds: f64,
    latencies_ms: Vec<f64>,
    cpu_seconds: f64,
    /// The part of `cpu_seconds` spent in the kernel (`stime`).
    system_seconds: f64,
    memory: Memory,
    plugin_ms: Vec<(String, f64)>,
    errors: usize,
    failed: usize,
    startup_ms: f64,
}

impl Phase {
    fn articles_per_s(&self) -> f64 {
        self.articles as f64 / self.seconds
    }
    fn words_per_s(&self) -> f64 {
        self.words as f64 / self.seconds
    }
    fn cpu_per_1000(&self) -> f64 {
        self.cpu_seconds / self.articles as f64 * 1000.0
    }
    fn kernel_per_1000(&self) -> f64 {
        self.system_seconds / self.articles as f64 * 1000.0
    }
    fn percentile(&self, p: f64) -> f64 {
        percentile(&self.latencies_ms, p)
    }
}

fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

fn median(values: impl IntoIterator<Item = f64>) -> f64 {
    percentile(&values.into_iter().collect::<Vec<_>>(), 50.0)
}

/// How articles are offered.
#[derive(Debug, Clone, Copy)]
enum Offer {
    /// All at once.
    Burst,
    /// At this many articles per second.
    Rate(f64),
}

fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

/// Starts a fresh daemon, offers `articles`, waits for every outcome and measures.
fn run_phase(
    opts: &Opts,
    root: &Path,
    articles: &[Article],
    offer: Offer,
    spent: &mut Spent,
) -> anyhow::Result<Phase> {
    let daemon =
        Daemon::start(root, &opts.binary(root), opts.daemon_log.as_deref(), opts.workers, opts.keep)?;
    let (inbox, stage, outbox, failed) =
        (daemon.path("inbox"), daemon.path("stage"), daemon.path("outbox"), daemon.path("failed"));
    for a in articles {
        std::fs::write(stage.join(&a.name), &a.bytes)?;
    }
    let watch = Watch::new(&outbox)?;
    let pid = daemon.pid();
    let index: HashMap<&str, usize> = articles.iter().enumerate().map(|(i, a)| (stem(&a.name), i)).collect();
    let mut dropped: Vec<Option<Instant>> = vec![None; articles.len()];
    let mut seen: Vec<Option<Instant>> = vec![None; articles.len()];
    let cpu_before = cpu_split(pid);

    let t0 = Instant::now();
    for (i, a) in articles.iter().enumerate() {
        if let Offer::Rate(rate) = offer {
            let due = t0 + Duration::from_secs_f64(i as f64 / rate);
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
        }
        std::fs::rename(stage.join(&a.name), inbox.join(&a.name))?;
        dropped[i] = Some(Instant::now());
    }

    let mut outcomes = 0usize;
    let mut last = t0;
    let mut failed_count = 0usize;
    while outcomes < articles.len() {
        match watch.events.recv_timeout(Duration::from_millis(500)) {
            Ok((name, at)) => {
                if let Some(&i) = index.get(stem(&name))
                    && seen[i].is_none()
                {
                    seen[i] = Some(at);
                    last = last.max(at);
                    outcomes += 1;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                failed_count = std::fs::read_dir(&failed)
                    .map(|d| {
                        d.filter_map(Result::ok)
                            .filter(|e| !e.file_name().as_bytes().ends_with(b".json"))
                            .count()
                    })
                    .unwrap_or(0);
                if outcomes + failed_count >= articles.len() {
                    break;
                }
                if last.elapsed() > Duration::from_secs(opts.stall_secs)
                    && t0.elapsed().as_secs() > opts.stall_secs
                {
                    bail!("stalled: {outcomes} results of {} (folders kept with --keep)", articles.len());
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => bail!("the outbox watch stopped"),
        }
    }
    let cpu_after = cpu_split(pid);
    let (cpu, system) = (cpu_after.0 + cpu_after.1 - cpu_before.0 - cpu_before.1, cpu_after.1 - cpu_before.1);
    let mem = memory(pid);
    if watch.overflowed.load(Ordering::Relaxed) {
        eprintln!("  warning: inotify queue overflowed; some latencies are missing");
    }
    drop(watch);

    // Per-plugin time and errors, from the results themselves.
    let mut plugin_ms: Vec<(String, f64)> = Vec::new();
    let mut errors = 0usize;
    for entry in std::fs::read_dir(&outbox)? {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let value: serde_json::Value = serde_json::from_slice(&std::fs::read(&path)?)?;
        if value["errors"].as_array().is_some_and(|e| !e.is_empty()) {
            errors += 1;
        }
        if let Some(plugins) = value["plugins"].as_object() {
            for (name, report) in plugins {
                let ms = report["ms"].as_f64().unwrap_or(0.0);
                match plugin_ms.iter_mut().find(|(n, _)| n == name) {
                    Some((_, total)) => *total += ms,
                    None => plugin_ms.push((name.clone(), ms)),
                }
            }
        }
    }
    let latencies_ms = dropped
        .iter()
        .zip(&seen)
        .filter_map(|(d, s)| Some(s.as_ref()?.duration_since(*d.as_ref()?).as_secs_f64() * 1000.0))
        .collect();
    let startup_ms = daemon.startup.as_secs_f64() * 1000.0;
    daemon.stop(opts.keep, spent)?;
    Ok(Phase {
        articles: outcomes,
        words: articles.iter().zip(&seen).filter(|(_, s)| s.is_some()).map(|(a, _)| a.words).sum(),
        seconds: last.duration_since(t0).as_secs_f64(),
        latencies_ms,
        cpu_seconds: cpu,
        system_seconds: system,
        memory: mem,
        plugin_ms,
        errors,
        failed: failed_count,
        startup_ms,
    })
}

/// The big burst: N articles (the corpus cycled), all renamed in at once; peak RSS sampled.
fn run_big(opts: &Opts, root: &Path, corpus: &[Article], n: usize, spent: &mut Spent) -> anyhow::Result<()> {
    let exact = match opts.big_mode.as_str() {
        "suffix" => false,
        "exact" => true,
        other => bail!("--big-mode is `suffix` or `exact`, not `{other}`"),
    };
    let daemon =
        Daemon::start(root, &opts.binary(root), opts.daemon_log.as_deref(), opts.workers, opts.keep)?;
    let (inbox, stage, outbox) = (daemon.path("inbox"), daemon.path("stage"), daemon.path("outbox"));
    let staging = Instant::now();
    let mut names = Vec::with_capacity(n);
    let mut words = 0usize;
    for i in 0..n {
        let a = &corpus[i % corpus.len()];
        let name = format!("c{:03}_{}", i / corpus.len(), a.name);
        let mut bytes = a.bytes.clone();
        if !exact && i >= corpus.len() {
            bytes.extend_from_slice(format!("\n\nBench copy {i}.\n").as_bytes());
        }
        words += a.words;
        std::fs::write(stage.join(&name), &bytes)?;
        names.push(name);
    }
    eprintln!("  staged {n} files in {:.1} s", staging.elapsed().as_secs_f64());
    let pid = daemon.pid();
    let cpu_before = cpu_seconds(pid);
    let t0 = Instant::now();
    for name in &names {
        std::fs::rename(stage.join(name), inbox.join(name))?;
    }
    let dropped_in = t0.elapsed();
    let mut peak_rss = 0u64;
    let mut last_count = 0usize;
    let mut last_progress = Instant::now();
    let mut done_at = t0;
    let mut last_report = Instant::now();
    loop {
        std::thread::sleep(Duration::from_secs(1));
        let mem = memory(pid);
        peak_rss = peak_rss.max(mem.rss);
        let count = count_results(&outbox) + count_failed(&daemon.path("failed"));
        if count != last_count {
            last_count = count;
            last_progress = Instant::now();
            done_at = Instant::now();
        }
        if count >= n {
            break;
        }
        if last_progress.elapsed() > Duration::from_secs(opts.stall_secs) {
            bail!("stalled at {count} of {n} results");
        }
        if last_report.elapsed() >= Duration::from_secs(30) {
            last_report = Instant::now();
            eprintln!("  {count}/{n} results, RSS {} MiB", mem.rss / 1024);
        }
    }
    let cpu = cpu_seconds(pid) - cpu_before;
    let mem = memory(pid);
    let seconds = done_at.duration_since(t0).as_secs_f64();
    println!("big burst ({n} articles, copies by {}):", opts.big_mode);
    println!("  renamed into the inbox in {:.2} s", dropped_in.as_secs_f64());
    println!(
        "  throughput {:.1} articles/s, {:.0} words/s (to the last result, ±1 s sampling)",
        n as f64 / seconds,
        words as f64 / seconds
    );
    println!(
        "  peak RSS (VmHWM) {:.1} MiB; RSS sampled max {:.1} MiB; at end RSS {:.1} MiB (anon {:.1}, file {:.1})",
        mem.hwm as f64 / 1024.0,
        peak_rss as f64 / 1024.0,
        mem.rss as f64 / 1024.0,
        mem.anon as f64 / 1024.0,
        mem.file as f64 / 1024.0
    );
    println!("  CPU {:.2} s per 1,000 articles", cpu / n as f64 * 1000.0);
    daemon.stop(opts.keep, spent)
}

fn count_results(outbox: &Path) -> usize {
    std::fs::read_dir(outbox)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| {
                    let n = e.file_name();
                    let b = n.as_bytes();
                    b.ends_with(b".json") && !b.starts_with(b".")
                })
                .count()
        })
        .unwrap_or(0)
}

fn count_failed(failed: &Path) -> usize {
    std::fs::read_dir(failed)
        .map(|d| d.filter_map(Result::ok).filter(|e| !e.file_name().as_bytes().ends_with(b".json")).count())
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// The peer

/// What one peer run reported.
struct PeerRun {
    processes: u32,
    articles_per_s: f64,
    words_per_s: f64,
    load_s: f64,
    wall_s: f64,
    peak_rss_mib: f64,
}

fn run_peer(opts: &Opts, root: &Path, articles: &[Article], processes: u32) -> anyhow::Result<PeerRun> {
    let dir = tempfile::Builder::new().prefix("ingestd-bench-peer-").tempdir()?;
    let inbox = dir.path().join("inbox");
    std::fs::create_dir_all(&inbox)?;
    for a in articles {
        std::fs::write(inbox.join(&a.name), &a.bytes)?;
    }
    let pipeline = root.join(&opts.peer_dir).join("pipeline.py");
    let started = Instant::now();
    let output = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(&opts.peer_python)
        .arg(&pipeline)
        .arg(&inbox)
        .arg(dir.path().join("out"))
        .args(["--n-process", &processes.to_string()])
        .output()
        .with_context(|| format!("cannot run {} {}", opts.peer_python.display(), pipeline.display()))?;
    let wall_s = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!("peer pipeline failed ({}):\n{stdout}\n{stderr}", output.status);
    }
    let field = |text: &str, key: &str| -> Option<f64> {
        let at = text.rfind(key)? + key.len();
        text[at..].split(|c: char| c.is_whitespace()).next()?.trim().parse().ok()
    };
    Ok(PeerRun {
        processes,
        articles_per_s: field(&stdout, "articles_per_s=")
            .context("no articles_per_s in the peer's output")?,
        words_per_s: field(&stdout, "words_per_s=").unwrap_or(f64::NAN),
        load_s: field(&stdout, "model_load_seconds=").unwrap_or(f64::NAN),
        wall_s,
        peak_rss_mib: field(&stderr, "Maximum resident set size (kbytes): ").unwrap_or(f64::NAN) / 1024.0,
    })
}

// ---------------------------------------------------------------------------------------------

fn print_phase(label: &str, p: &Phase) {
    println!(
        "  {label}: {} articles in {:.2} s = {:.1} articles/s, {:.0} words/s; latency ms p50 {:.1} p95 {:.1} p99 {:.1} max {:.1}; \
         CPU {:.2} s/1000 (kernel {:.2}); VmHWM {:.1} MiB; start-up {:.1} ms{}",
        p.articles,
        p.seconds,
        p.articles_per_s(),
        p.words_per_s(),
        p.percentile(50.0),
        p.percentile(95.0),
        p.percentile(99.0),
        p.percentile(100.0),
        p.cpu_per_1000(),
        p.kernel_per_1000(),
        p.memory.hwm as f64 / 1024.0,
        p.startup_ms,
        if p.failed + p.errors > 0 {
            format!("; {} failed, {} with errors", p.failed, p.errors)
        } else {
            String::new()
        },
    );
}

fn print_plugins(phases: &[&Phase]) {
    let mut totals: Vec<(String, f64, usize)> = Vec::new();
    for p in phases {
        for (name, ms) in &p.plugin_ms {
            match totals.iter_mut().find(|(n, _, _)| n == name) {
                Some((_, t, c)) => {
                    *t += ms;
                    *c += p.articles;
                }
                None => totals.push((name.clone(), *ms, p.articles)),
            }
        }
    }
    let sum: f64 = totals.iter().map(|(_, t, _)| t).sum();
    let parts: Vec<String> = totals
        .iter()
        .map(|(n, t, c)| format!("{n} {:.1}% ({:.3} ms/article)", t / sum * 100.0, t / *c as f64))
        .collect();
    println!("  per-plugin share of plugin time (results' ms, all phases): {}", parts.join(", "));
}

fn main() -> anyhow::Result<()> {
    let opts = Opts::parse();
    let root = workspace_root();
    if !opts.no_build {
        eprintln!("building: cargo build --release --workspace");
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--release", "--workspace"])
            .current_dir(&root)
            .status()?;
        if !status.success() {
            bail!("cargo build --release --workspace failed");
        }
    }
    let data = if opts.data.is_relative() { root.join(&opts.data) } else { opts.data.clone() };
    let corpus = load_corpus(&data)?;
    let total_words: usize = corpus.iter().map(|a| a.words).sum();
    eprintln!("corpus: {} articles, {} words ({})", corpus.len(), total_words, data.display());
    let big = opts.big;
    let mut spent = Spent::default();

    if !opts.big_only {
        let n = if opts.articles == 0 { corpus.len() } else { opts.articles.min(corpus.len()) };
        let articles = &corpus[..n];
        let steady_n = if opts.steady_articles == 0 { n } else { opts.steady_articles.min(corpus.len()) };
        let mut bursts = Vec::new();
        let mut steadies = Vec::new();
        for run in 1..=opts.runs {
            eprintln!("run {run}/{}: burst of {n}", opts.runs);
            let burst = run_phase(&opts, &root, articles, Offer::Burst, &mut spent)?;
            eprintln!("run {run}/{}: steady {steady_n} at {} articles/s", opts.runs, opts.rate);
            let steady = run_phase(&opts, &root, &corpus[..steady_n], Offer::Rate(opts.rate), &mut spent)?;
            println!("run {run}:");
            print_phase("burst ", &burst);
            print_phase(&format!("steady {}/s", opts.rate), &steady);
            bursts.push(burst);
            steadies.push(steady);
        }
        let startups: Vec<f64> = bursts.iter().chain(&steadies).map(|p| p.startup_ms).collect();
        println!(
            "median of {} runs ({} articles, {} words):",
            opts.runs,
            n,
            articles.iter().map(|a| a.words).sum::<usize>()
        );
        println!(
            "  burst: {:.1} articles/s, {:.0} words/s; latency ms p50 {:.1} p95 {:.1} p99 {:.1}",
            median(bursts.iter().map(Phase::articles_per_s)),
            median(bursts.iter().map(Phase::words_per_s)),
            median(bursts.iter().map(|p| p.percentile(50.0))),
            median(bursts.iter().map(|p| p.percentile(95.0))),
            median(bursts.iter().map(|p| p.percentile(99.0))),
        );
        println!(
            "  steady {}/s offered ({} articles): achieved {:.1} articles/s; latency ms p50 {:.1} p95 {:.1} p99 {:.1}",
            opts.rate,
            steady_n,
            median(steadies.iter().map(Phase::articles_per_s)),
            median(steadies.iter().map(|p| p.percentile(50.0))),
            median(steadies.iter().map(|p| p.percentile(95.0))),
            median(steadies.iter().map(|p| p.percentile(99.0))),
        );
        println!(
            "  CPU s per 1,000 articles: burst {:.2} (kernel {:.2}), steady {:.2} (kernel {:.2}); peak RSS (VmHWM) burst {:.1} MiB, steady {:.1} MiB",
            median(bursts.iter().map(Phase::cpu_per_1000)),
            median(bursts.iter().map(Phase::kernel_per_1000)),
            median(steadies.iter().map(Phase::cpu_per_1000)),
            median(steadies.iter().map(Phase::kernel_per_1000)),
            median(bursts.iter().map(|p| p.memory.hwm as f64 / 1024.0)),
            median(steadies.iter().map(|p| p.memory.hwm as f64 / 1024.0)),
        );
        println!(
            "  start-up to READY=1: median {:.1} ms, max {:.1} ms ({} starts)",
            median(startups.iter().copied()),
            percentile(&startups, 100.0),
            startups.len()
        );
        print_plugins(&bursts.iter().chain(&steadies).collect::<Vec<_>>());

        if opts.peer {
            let ours = median(bursts.iter().map(Phase::articles_per_s));
            let ours_words = median(bursts.iter().map(Phase::words_per_s));
            for &processes in &opts.peer_processes {
                eprintln!("peer: pipeline.py --n-process {processes} on the same {n} files");
                let peer = run_peer(&opts, &root, articles, processes)?;
                println!(
                    "peer pipeline.py --n-process {}: {:.2} articles/s, {:.0} words/s (model load {:.2} s, wall {:.1} s, peak RSS {:.0} MiB)",
                    peer.processes,
                    peer.articles_per_s,
                    peer.words_per_s,
                    peer.load_s,
                    peer.wall_s,
                    peer.peak_rss_mib
                );
                println!(
                    "  ratio ingestd/peer (burst throughput, median): {:.1}x articles/s, {:.1}x words/s",
                    ours / peer.articles_per_s,
                    ours_words / peer.words_per_s
                );
            }
        }
    }
    if let Some(n) = big {
        run_big(&opts, &root, &corpus, n, &mut spent)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&v, 100.0), 100.0);
        assert_eq!(percentile(&[3.0], 99.0), 3.0);
    }

    #[test]
    fn stems_drop_the_extension() {
        assert_eq!(stem("business_001.txt"), "business_001");
        assert_eq!(stem("business_001.json"), "business_001");
    }
}
