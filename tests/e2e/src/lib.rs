//! The harness for ingestd's end-to-end tests: run the real binary on real folders.
//!
//! These tests treat `ingestd` as a user does: a binary, a config file, folders and
//! signals. Nothing here links against the daemon; the only shared code is the result's
//! JSON shape from `ingest-abi`.
//!
//! - [`Env`] is one test's world: a fresh temporary directory that is also the daemon's
//!   working directory (so the relative paths of [`Env::config`] land inside it), with an
//!   `inbox/` ready. It writes configs, drops files the way scrapers do, compiles C plugins
//!   with the system `cc`, runs one-shot commands and starts the daemon.
//! - [`Daemon`] is a running `ingestd run`. Its stdout and stderr go to files in the temp
//!   dir; when a test fails (the thread is panicking) the log is printed and the temp dir is
//!   kept, so a failure shows what the daemon said. Dropping it kills the process.
//! - Nothing sleeps to assert: [`wait_for`] polls a condition until a timeout
//!   ([`TIMEOUT`]), and [`Daemon::wait_for`] additionally fails fast, with the log, when
//!   the daemon exits early.
//!
//! The binary and the plugin libraries are taken from the build directory the test binary
//! itself lives in (`target/<profile>/deps/e2e-…` → `target/<profile>`). Cargo does not
//! build another package's `cdylib` or binary for a test, so run `cargo build --workspace`
//! before `cargo test`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest, Sha256};

/// How long any awaited condition may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// How often [`wait_for`] re-checks its condition.
const POLL: Duration = Duration::from_millis(25);

/// The standard plugins `ingestd` loads when a config lists none, in their default order.
pub const STANDARD_PLUGINS: [&str; 3] = ["entities", "sentiment", "dedup"];

/// The workspace root (this package lives in `<root>/tests/e2e`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("tests/e2e sits two levels below the workspace root")
        .to_path_buf()
}

/// The C header every plugin is compiled against.
pub fn abi_include_dir() -> PathBuf {
    workspace_root().join("crates/ingest-abi/include")
}

/// The C sources of the negative-test fixtures (`bad_abi.c`, `no_symbol.c`).
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The example C plugin's source.
pub fn wordcount_source() -> PathBuf {
    workspace_root().join("plugins/examples/wordcount.c")
}

/// The build directory holding `ingestd` and the plugin libraries: the parent of the
/// `deps/` folder the running test binary lives in.
pub fn build_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary knows its own path");
    let mut dir = exe.parent().expect("the test binary lives in a folder").to_path_buf();
    if dir.file_name().is_some_and(|n| n == "deps") {
        dir.pop();
    }
    dir
}

/// A file in the build directory, which must exist.
fn built(name: &str) -> PathBuf {
    let path = build_dir().join(name);
    assert!(path.is_file(), "{} is missing: run `cargo build --workspace` first", path.display());
    path
}

/// The `ingestd` binary under test.
pub fn ingestd_bin() -> PathBuf {
    built("ingestd")
}

/// A workspace plugin library by plugin name (`entities` → `libentities.so`).
pub fn plugin_lib(name: &str) -> PathBuf {
    built(&format!("lib{name}.so"))
}

/// The five sample articles, sorted by name. Fails with a clear message when the seeds
/// folder (`<workspace>/../shared/seeds`) is absent; CI provides it.
pub fn seeds() -> Vec<PathBuf> {
    let dir = workspace_root().join("../shared/seeds");
    let entries = fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "the seed articles are missing ({}: {e}); these tests need the five seeds in \
             <workspace>/../shared/seeds/*.txt",
            dir.display()
        )
    });
    let mut seeds: Vec<PathBuf> = entries
        .map(|e| e.expect("readable seeds folder").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    seeds.sort();
    assert_eq!(seeds.len(), 5, "expected five seed articles in {}, found {seeds:?}", dir.display());
    seeds
}

/// Polls `condition` every few milliseconds until it holds (true) or `timeout` passes
/// (false).
pub fn wait_for(mut condition: impl FnMut() -> bool, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(POLL);
    }
}

/// Hex SHA-256 of some bytes, as `source.sha256` publishes it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The file names in `dir` (empty when it does not exist), sorted.
pub fn list(dir: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> =
        entries.map(|e| e.expect("readable folder").file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// The result file name for an input name: its stem plus `.json` (`x.txt` → `x.json`).
pub fn result_name(input: &str) -> String {
    let stem = match input.rfind('.') {
        Some(i) if i > 0 => &input[..i],
        _ => input,
    };
    format!("{stem}.json")
}

/// A readable multi-sentence article for tests that do not need the seeds; `marker` is
/// placed in its own sentence so tests can find (or trigger on) it.
pub fn article(title: &str, marker: &str) -> String {
    format!(
        "{title}\n\nForeign ministers met in Quebec on Friday to discuss trade and security. \
         The talks ended with a joint statement that welcomed the proposed ceasefire.\n\n\
         Officials said the meeting had been difficult but productive. {marker}\n"
    )
}

/// One test's world: a fresh temporary directory used as the daemon's working directory.
#[derive(Debug)]
pub struct Env {
    /// The temp dir; `None` once kept for a failing test's post-mortem.
    dir: Option<tempfile::TempDir>,
    /// Its path (stays valid after the dir is kept).
    root: PathBuf,
}

impl Default for Env {
    fn default() -> Self {
        Self::new()
    }
}

impl Env {
    /// A fresh temp dir with an empty `inbox/`.
    pub fn new() -> Self {
        let dir = tempfile::Builder::new().prefix("ingestd-e2e-").tempdir().expect("temp dir");
        let root = dir.path().canonicalize().expect("temp dir path");
        fs::create_dir_all(root.join("inbox")).expect("create inbox");
        Self { dir: Some(dir), root }
    }

    /// The temp dir's absolute path.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A path inside the temp dir.
    pub fn path(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.root.join(rel)
    }

    /// The inbox folder.
    pub fn inbox(&self) -> PathBuf {
        self.path("inbox")
    }

    /// The outbox folder.
    pub fn outbox(&self) -> PathBuf {
        self.path("outbox")
    }

    /// The archive folder.
    pub fn archive(&self) -> PathBuf {
        self.path("archive")
    }

    /// The folder of claimed files in flight.
    pub fn work(&self) -> PathBuf {
        self.path("state/work")
    }

    /// The folder of failed inputs.
    pub fn failed(&self) -> PathBuf {
        self.path("failed")
    }

    /// A complete config using this env's folders (relative, resolved against the temp dir),
    /// two workers and a quick poll interval, followed by `plugins` (TOML `[[plugins]]`
    /// tables; empty for the default plugins).
    pub fn config(&self, plugins: &str) -> String {
        self.config_with("", "mode = \"native\"\npoll_interval_ms = 200\nsettle_ms = 1000\n", plugins)
    }

    /// Like [`Env::config`], with extra top-level keys (`top`, e.g. `max_bytes = 1024`) and
    /// the whole body of the `[watch]` table (`watch`).
    pub fn config_with(&self, top: &str, watch: &str, plugins: &str) -> String {
        format!(
            "inbox = \"inbox\"\n\
             outbox = \"outbox\"\n\
             state = \"state\"\n\
             failed = \"failed\"\n\
             archive = \"archive\"\n\
             after_success = \"archive\"\n\
             workers = 2\n\
             {top}\n\
             \n\
             [watch]\n\
             {watch}\n\
             \n\
             {plugins}"
        )
    }

    /// Writes `toml` to `<name>` in the temp dir and returns its absolute path.
    pub fn write_config(&self, name: &str, toml: &str) -> PathBuf {
        let path = self.path(name);
        fs::write(&path, toml).expect("write config");
        path
    }

    /// Writes a file straight into the inbox (create, write, close).
    pub fn write_inbox(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.inbox().join(name);
        fs::write(&path, contents).expect("write inbox file");
        path
    }

    /// Drops a file into the inbox the way scrapers do: write it under a hidden temporary
    /// name in the inbox, then rename it to `name`.
    pub fn drop_file(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let tmp = self.inbox().join(format!(".{name}.partial.tmp"));
        let mut f = fs::File::create(&tmp).expect("create hidden temp file");
        f.write_all(contents.as_ref()).expect("write hidden temp file");
        f.sync_all().expect("sync hidden temp file");
        drop(f);
        let dest = self.inbox().join(name);
        fs::rename(&tmp, &dest).expect("rename into inbox");
        dest
    }

    /// Compiles a C plugin source into `lib<name>.so` in the temp dir with the system `cc`,
    /// against the ABI header, and returns its absolute path.
    pub fn compile_c(&self, source: &Path, name: &str) -> PathBuf {
        self.compile_c_with(source, name, &[])
    }

    /// Like [`Env::compile_c`], with extra compiler flags (e.g. `-DNAME` to select a variant).
    pub fn compile_c_with(&self, source: &Path, name: &str, flags: &[&str]) -> PathBuf {
        let out = self.path(format!("lib{name}.so"));
        let output = Command::new("cc")
            .args(flags)
            .args(["-std=c99", "-shared", "-fPIC", "-O2", "-Wall", "-I"])
            .arg(abi_include_dir())
            .arg("-o")
            .arg(&out)
            .arg(source)
            .output()
            .expect("run the system C compiler `cc`");
        assert!(
            output.status.success(),
            "cc failed for {}:\n{}",
            source.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        out
    }

    /// An `ingestd` command with the temp dir as its working directory.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(ingestd_bin());
        cmd.current_dir(&self.root).env("RUST_BACKTRACE", "1").stdin(Stdio::null());
        cmd
    }

    /// Runs `ingestd <args>` to completion (one-shot subcommands), capturing its output.
    /// Fails the test if it does not finish within [`TIMEOUT`].
    pub fn run(&self, args: &[&str]) -> Output {
        let stdout = self.path(format!("cmd-{}.stdout", args.first().unwrap_or(&"none")));
        let stderr = stdout.with_extension("stderr");
        let mut child = self
            .command()
            .args(args)
            .stdout(fs::File::create(&stdout).expect("stdout file"))
            .stderr(fs::File::create(&stderr).expect("stderr file"))
            .spawn()
            .expect("spawn ingestd");
        let status = wait_exit(&mut child, TIMEOUT).unwrap_or_else(|| {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`ingestd {}` did not finish within {TIMEOUT:?}; stderr:\n{}",
                args.join(" "),
                fs::read_to_string(&stderr).unwrap_or_default()
            )
        });
        Output {
            status,
            stdout: fs::read(&stdout).expect("read stdout"),
            stderr: fs::read(&stderr).expect("read stderr"),
        }
    }

    /// Starts `ingestd run --config <config>` in the temp dir. Its log is appended to
    /// `daemon.stderr`, so the log of a restarted daemon keeps its predecessors' lines.
    pub fn start(&self, config: &Path) -> Daemon {
        let stdout = self.path("daemon.stdout");
        let stderr = self.path("daemon.stderr");
        let append =
            |path: &Path| fs::OpenOptions::new().create(true).append(true).open(path).expect("log file");
        let log_start = fs::metadata(&stderr).map_or(0, |m| m.len() as usize);
        let child = self
            .command()
            .arg("run")
            .arg("--config")
            .arg(config)
            .env("RUST_LOG", "info,ingestd=debug")
            .stdout(append(&stdout))
            .stderr(append(&stderr))
            .spawn()
            .expect("spawn ingestd run");
        Daemon { child, stdout, stderr, log_start, exit: None }
    }

    /// The parsed result for an input name (`outbox/<stem>.json`), if it exists.
    pub fn result(&self, input: &str) -> Option<Value> {
        let bytes = fs::read(self.outbox().join(result_name(input))).ok()?;
        Some(
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("outbox/{} is not valid JSON: {e}", result_name(input))),
        )
    }

    /// The complete results in the outbox: visible `*.json` files.
    pub fn result_files(&self) -> Vec<String> {
        list(&self.outbox()).into_iter().filter(|n| !n.starts_with('.') && n.ends_with(".json")).collect()
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if std::thread::panicking()
            && let Some(dir) = self.dir.take()
        {
            let kept = dir.keep();
            eprintln!("e2e: kept the failing test's folder: {}", kept.display());
        }
    }
}

/// Waits up to `timeout` for `child` to exit.
fn wait_exit(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let mut status = None;
    wait_for(
        || {
            status = child.try_wait().expect("wait for ingestd");
            status.is_some()
        },
        timeout,
    );
    status
}

/// A running `ingestd run`; killed when dropped.
#[derive(Debug)]
pub struct Daemon {
    /// The process.
    child: Child,
    /// Where its stdout goes.
    stdout: PathBuf,
    /// Where its stderr (the log) goes.
    stderr: PathBuf,
    /// Length of that log when this process started: the log is shared by the daemons of
    /// one test folder, so this run's lines are the ones after it.
    log_start: usize,
    /// Its exit status, once seen.
    exit: Option<ExitStatus>,
}

impl Daemon {
    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the daemon wrote so far: stderr (the log), then stdout if any.
    pub fn log(&self) -> String {
        let err = fs::read_to_string(&self.stderr).unwrap_or_default();
        let out = fs::read_to_string(&self.stdout).unwrap_or_default();
        if out.is_empty() { err } else { format!("{err}\n--- stdout ---\n{out}") }
    }

    /// The exit status if the daemon has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        if self.exit.is_none() {
            self.exit = self.child.try_wait().expect("poll ingestd");
        }
        self.exit
    }

    /// Fails the test (with the log) unless the daemon is still running.
    pub fn assert_running(&mut self) {
        if let Some(status) = self.exited() {
            panic!("ingestd exited unexpectedly ({status}); log:\n{}", self.log());
        }
    }

    /// Polls `condition` until it holds; fails the test, naming `what` and printing the
    /// log, after [`TIMEOUT`] or as soon as the daemon exits.
    pub fn wait_for(&mut self, what: &str, condition: impl FnMut() -> bool) {
        self.wait_for_within(what, TIMEOUT, condition);
    }

    /// Like [`Daemon::wait_for`], with its own timeout (for floods and chaos runs).
    pub fn wait_for_within(&mut self, what: &str, timeout: Duration, mut condition: impl FnMut() -> bool) {
        let mut exited = None;
        let ok = wait_for(
            || {
                if condition() {
                    return true;
                }
                exited = self.exited();
                exited.is_some()
            },
            timeout,
        );
        if let Some(status) = exited {
            if !condition() {
                panic!("ingestd exited ({status}) while waiting for {what}; log:\n{}", tail(&self.log()));
            }
            return;
        }
        if !ok {
            panic!("timed out after {timeout:?} waiting for {what}; log:\n{}", tail(&self.log()));
        }
    }

    /// SIGKILL (no chance to clean up, like a power cut for the process), then reaps it.
    pub fn kill(&mut self) -> ExitStatus {
        if self.exited().is_none() {
            self.signal(libc::SIGKILL);
        }
        self.wait_exit()
    }

    /// A field of `/proc/<pid>/status` in KiB (`VmHWM`: peak resident set; `VmRSS`: now),
    /// while the process runs.
    pub fn memory_kib(&self, field: &str) -> Option<u64> {
        memory_kib(self.pid(), field)
    }

    /// Waits until the daemon has loaded its plugins and watches the inbox (its
    /// `ingestd started` log line).
    pub fn wait_started(&mut self) {
        let (stderr, from) = (self.stderr.clone(), self.log_start);
        self.wait_for("the daemon to start", || {
            fs::read(&stderr).is_ok_and(|log| {
                String::from_utf8_lossy(log.get(from..).unwrap_or_default()).contains("ingestd started")
            })
        });
    }

    /// The peak resident set size so far (`VmHWM`), in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        self.memory_kib("VmHWM").unwrap_or_else(|| panic!("no VmHWM for pid {}", self.pid()))
    }

    /// How many lines of the log contain `needle`.
    pub fn log_count(&self, needle: &str) -> usize {
        self.log().lines().filter(|l| l.contains(needle)).count()
    }

    /// Sends a signal to the daemon.
    pub fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.pid()).expect("pid fits pid_t");
        // SAFETY: `kill` has no memory-safety preconditions; the child has not been reaped
        // (we hold its `Child` and only reap in `exited`/`wait_exit`), so the pid is ours.
        let rc = unsafe { libc::kill(pid, signal) };
        assert_eq!(rc, 0, "kill({pid}, {signal}): {}", std::io::Error::last_os_error());
    }

    /// Asks the daemon to stop gracefully (SIGTERM).
    pub fn sigterm(&self) {
        self.signal(libc::SIGTERM);
    }

    /// Waits for the daemon to exit; fails the test (with the log) after [`TIMEOUT`].
    pub fn wait_exit(&mut self) -> ExitStatus {
        if let Some(status) = self.exit {
            return status;
        }
        match wait_exit(&mut self.child, TIMEOUT) {
            Some(status) => {
                self.exit = Some(status);
                status
            }
            None => panic!("ingestd did not exit within {TIMEOUT:?}; log:\n{}", self.log()),
        }
    }

    /// SIGTERM, then wait for the exit, which must be clean (code 0).
    pub fn stop(&mut self) {
        // Until it is serving, its signal handlers may not be installed yet and SIGTERM would
        // kill it outright (as it would any process), which is not what a stop test checks.
        if self.exited().is_none() {
            self.wait_started();
        }
        self.sigterm();
        let status = self.wait_exit();
        assert_eq!(status.code(), Some(0), "ingestd did not exit cleanly ({status}); log:\n{}", self.log());
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if self.exited().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if std::thread::panicking() {
            eprintln!("---- ingestd log ----\n{}\n---- end of log ----", self.log());
        }
    }
}

/// Asserts that `result` has every field of the published result (DESIGN.md) with the right
/// types, and that `source` describes `input` (its name, size and SHA-256).
pub fn assert_result_shape(result: &Value, input_name: &str, input: &[u8]) {
    let ctx = || format!("result for {input_name}: {result:#}");
    assert_eq!(result["schema"], ingest_abi::RESULT_SCHEMA, "{}", ctx());
    assert!(result["id"].as_str().is_some_and(|id| id.starts_with("b3:") && id.len() > 3), "id: {}", ctx());
    let source = &result["source"];
    assert_eq!(source["name"], input_name, "source.name: {}", ctx());
    assert_eq!(source["bytes"].as_u64(), Some(input.len() as u64), "source.bytes: {}", ctx());
    assert_eq!(source["sha256"].as_str(), Some(sha256_hex(input).as_str()), "source.sha256: {}", ctx());
    assert!(source["received_at"].as_str().is_some_and(|s| !s.is_empty()), "source.received_at: {}", ctx());
    assert!(result.get("title").is_some_and(|t| t.is_null() || t.is_string()), "title: {}", ctx());
    assert!(result["language"].as_str().is_some_and(|s| !s.is_empty()), "language: {}", ctx());
    assert!(result["text"].as_str().is_some_and(|s| !s.is_empty()), "text: {}", ctx());
    for key in ["words", "sentences", "paragraphs"] {
        assert!(result["stats"][key].as_u64().is_some_and(|n| n > 0), "stats.{key}: {}", ctx());
    }
    assert!(result["plugins"].is_object(), "plugins: {}", ctx());
    assert!(result["errors"].is_array(), "errors: {}", ctx());
    // And the typed view consumers use must accept it.
    serde_json::from_value::<ingest_abi::ArticleResult>(result.clone())
        .unwrap_or_else(|e| panic!("not an ArticleResult ({e}): {}", ctx()));
}

/// Asserts that `plugin` reported on `result`: `plugins.<plugin>` has a version string, a
/// number `ms` and a `result`. Returns that result.
pub fn plugin_result<'a>(result: &'a Value, plugin: &str) -> &'a Value {
    let report = &result["plugins"][plugin];
    assert!(
        report["version"].as_str().is_some_and(|v| !v.is_empty())
            && report["ms"].is_number()
            && report.get("result").is_some(),
        "plugins.{plugin} missing or incomplete in result for {}: {result:#}",
        result["source"]["name"]
    );
    &report["result"]
}

/// The last 200 lines of a long log, so a failure message stays readable.
pub fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    let start = lines.len().saturating_sub(200);
    let mut out = if start > 0 { format!("[… {start} earlier lines]\n") } else { String::new() };
    out.push_str(&lines[start..].join("\n"));
    out
}

/// A number from the environment (`INGESTD_CHAOS_FILES=5000`), or `default`.
pub fn env_number(var: &str, default: u64) -> u64 {
    match std::env::var(var) {
        Ok(value) => value.trim().parse().unwrap_or_else(|e| panic!("{var}={value:?} is not a number: {e}")),
        Err(_) => default,
    }
}

/// A small seeded generator (SplitMix64): reproducible runs without another dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator with this seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The seed from `var` if set, else one from the clock; printed either way, so a failing
    /// run can be replayed with `var=<seed>`.
    pub fn from_env(var: &str, test: &str) -> Self {
        let seed = match std::env::var(var) {
            Ok(value) => value.trim().parse().unwrap_or_else(|e| panic!("{var}={value:?}: {e}")),
            Err(_) => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64),
        };
        eprintln!("e2e: {test}: seed {seed} (replay with {var}={seed})");
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `range` (half-open).
    pub fn range(&mut self, range: std::ops::Range<u64>) -> u64 {
        assert!(range.start < range.end, "empty range {range:?}");
        range.start + self.next_u64() % (range.end - range.start)
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0..items.len() as u64) as usize]
    }
}

/// What [`snapshot`] records of one entry: its kind, size, modification time and (for links)
/// target.
pub type EntryState = (char, u64, Option<std::time::SystemTime>, Option<PathBuf>);

/// Every entry below `root` (not following links), except below the `skip` paths, keyed by
/// path relative to `root`: to prove that nothing outside the configured folders changes.
pub fn snapshot(root: &Path, skip: &[PathBuf]) -> std::collections::BTreeMap<PathBuf, EntryState> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries {
            let path = entry.expect("readable folder").path();
            if skip.iter().any(|s| path.starts_with(s)) {
                continue;
            }
            let Ok(meta) = fs::symlink_metadata(&path) else { continue };
            let kind = meta.file_type();
            let tag = if kind.is_dir() {
                'd'
            } else if kind.is_symlink() {
                'l'
            } else if kind.is_file() {
                'f'
            } else {
                'o'
            };
            let target = kind.is_symlink().then(|| fs::read_link(&path).expect("read link"));
            // A folder's own mtime changes when entries come and go: compare its listing instead.
            let mtime = if kind.is_dir() { None } else { meta.modified().ok() };
            let rel = path.strip_prefix(root).expect("below root").to_path_buf();
            out.insert(rel, (tag, if kind.is_dir() { 0 } else { meta.len() }, mtime, target));
            if kind.is_dir() {
                stack.push(path);
            }
        }
    }
    out
}

/// A field of `/proc/<pid>/status` in KiB (`VmHWM`: peak resident set; `VmRSS`: now).
pub fn memory_kib(pid: u32, field: &str) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))?;
    line[field.len() + 1..].trim().trim_end_matches("kB").trim().parse().ok()
}

/// True when the tests run as root, where permission bits do not stop reads or writes.
pub fn is_root() -> bool {
    // SAFETY: `geteuid` takes no arguments, cannot fail and touches no memory of ours.
    unsafe { libc::geteuid() == 0 }
}
