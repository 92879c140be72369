//! The spool: how a file travels from the inbox to exactly one outcome.
//!
//! ```text
//! inbox/x.txt --claim (rename)--> state/work/x.txt --analyse--> outbox/x.json (tmp + fsync + rename)
//!                                        |                 then work/x.txt --> archive/ (or deleted)
//!                                        +--fails--> failed/x.txt + failed/x.txt.error.json
//! ```
//!
//! Invariants:
//! - A claim is a rename that never replaces an existing file, so one file is processed by one
//!   worker of one daemon at a time, and nothing in `work/` is ever overwritten.
//! - A result becomes visible in the outbox only complete and durable: it is written to a
//!   hidden temporary file, fsynced, renamed into place, and the folder is fsynced.
//! - The input leaves `work/` only after its result (or error report) is durable; a crash in
//!   between means the file is analysed again at start, and the result is rewritten in place.
//! - A result never overwrites the result of a different document: the name is taken only
//!   if it is free or holds a result with the same id and source name.
//! - Only the configured folders are written, and only names taken from their own listings.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use crate::host::Analysed;
use serde::{Deserialize, Serialize};

use crate::config::{AfterSuccess, Config};

/// A spool operation that failed; names the file or folder involved.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// A folder could not be created or used.
    #[error("spool folder {path}: {source}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A folder is on another filesystem than the work folder, so moves cannot be renames.
    #[error(
        "{key} folder {path} and work folder {work} must be on the same filesystem (files move between them by rename)"
    )]
    CrossDevice {
        /// The configuration key of the folder.
        key: &'static str,
        /// The folder.
        path: PathBuf,
        /// The work folder.
        work: PathBuf,
    },
    /// Another daemon holds the state folder.
    #[error("another ingestd is running on this state folder (it holds {path})")]
    Locked {
        /// The lock file.
        path: PathBuf,
    },
    /// A file operation failed.
    #[error("{action} {path}: {source}")]
    File {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

fn file_error(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> SpoolError {
    let path = path.to_owned();
    move |source| SpoolError::File { action, path, source }
}

/// True for names the daemon leaves alone until they are renamed: hidden files and the
/// temporary names writers use while a file is incomplete.
pub fn is_ignored(name: &OsStr) -> bool {
    let bytes = name.as_bytes();
    bytes.is_empty()
        || bytes[0] == b'.'
        || bytes.ends_with(b".tmp")
        || bytes.ends_with(b".part")
        || bytes.ends_with(b"~")
}

/// A file this daemon has claimed: it sits in `work/` until it has an outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The file name, as it arrived.
    pub name: OsString,
    /// Its path in `work/`.
    pub path: PathBuf,
}

/// The folders, created and checked.
#[derive(Debug, Clone)]
pub struct Spool {
    /// Where files arrive.
    pub inbox: PathBuf,
    /// Claimed files in flight (`<state>/work`).
    pub work: PathBuf,
    /// Results.
    pub outbox: PathBuf,
    /// Inputs that could not be analysed.
    pub failed: PathBuf,
    /// Processed inputs, when archiving.
    pub archive: PathBuf,
    /// Crash markers (`<state>/crashes/<name>`): how many times a file in `work/` was resumed
    /// after a crash. Only resumed files have one, so the normal path costs nothing.
    pub crashes: PathBuf,
    /// Present after a graceful stop (`<state>/clean-stop`): files then still in `work/` were
    /// not in flight during a crash and must not count towards `max_crashes`.
    clean_stop: PathBuf,
    after_success: AfterSuccess,
}

/// The longest file name most filesystems accept, in bytes.
const NAME_MAX: usize = 255;

/// `base` + `suffix`, with `base` shortened so the whole fits in [`NAME_MAX`] bytes.
fn fit(base: &OsStr, suffix: &str) -> OsString {
    fit_within(base, suffix, NAME_MAX)
}

/// `base` + `suffix`, with `base` shortened so the whole fits in `max` bytes.
fn fit_within(base: &OsStr, suffix: &str, max: usize) -> OsString {
    let room = max.saturating_sub(suffix.len());
    let mut bytes = base.as_bytes();
    if bytes.len() > room {
        bytes = &bytes[..room];
        // Back off to a character boundary when the name is UTF-8.
        while !bytes.is_empty() && std::str::from_utf8(bytes).is_err() && base.to_str().is_some() {
            bytes = &bytes[..bytes.len() - 1];
        }
    }
    let mut out = bytes.to_vec();
    out.extend_from_slice(suffix.as_bytes());
    OsString::from_vec(out)
}

/// Renames `from` to `to` unless `to` exists. `Ok(false)` when it exists.
fn rename_noreplace(from: &Path, to: &Path) -> std::io::Result<bool> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
        Ok(()) => Ok(true),
        Err(rustix::io::Errno::EXIST) => Ok(false),
        // Filesystems without RENAME_NOREPLACE: a hard link never replaces either, then the
        // old name goes. Directories cannot be linked: check, then rename (racy only between
        // daemons, and only for a directory, which is refused anyway).
        Err(rustix::io::Errno::INVAL) => match std::fs::hard_link(from, to) {
            Ok(()) => std::fs::remove_file(from).map(|()| true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(_) if std::fs::symlink_metadata(to).is_ok() => Ok(false),
            Err(_) => std::fs::rename(from, to).map(|()| true),
        },
        Err(e) => Err(e.into()),
    }
}

/// Makes a rename or new file in `dir` durable.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// How the temporary files of [`write_atomic`] begin and end (hidden, and ignored as `*.tmp`).
const TEMP_PREFIX: &str = ".ingestd-";
/// See [`TEMP_PREFIX`].
const TEMP_SUFFIX: &str = ".tmp";

/// Writes `bytes` to `dir/name` atomically and durably: a hidden temp file, fsync, rename,
/// fsync of the folder. With `replace == false` an existing file is left alone and
/// `Ok(false)` is returned.
fn write_atomic(dir: &Path, name: &OsStr, bytes: &[u8], replace: bool) -> std::io::Result<bool> {
    let mut tmp = tempfile::Builder::new().prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX).tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    let target = dir.join(name);
    if replace {
        tmp.persist(&target).map_err(|e| e.error)?;
    } else {
        match tmp.persist_noclobber(&target) {
            Ok(_) => {}
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
            Err(e) => return Err(e.error),
        }
    }
    sync_dir(dir)?;
    Ok(true)
}

/// The part of an existing result that says whose it is.
#[derive(Deserialize)]
struct Identity {
    id: String,
    source: IdentitySource,
}

#[derive(Deserialize)]
struct IdentitySource {
    name: String,
}

/// What `failed/<name>.error.json` says.
#[derive(Debug, Serialize, Deserialize)]
pub struct FailureReport {
    /// The input's file name.
    pub file: String,
    /// A short machine-readable kind (`empty`, `binary`, `too_large`, `not_regular`, `io`…).
    pub kind: String,
    /// What went wrong, for a person.
    pub error: String,
    /// When it was decided, RFC 3339 UTC.
    pub at: String,
}

/// An exclusive lock on a state folder, held for the life of the daemon: two daemons on one
/// state would resume each other's files in flight.
#[derive(Debug)]
pub struct StateLock {
    _file: std::fs::File,
}

impl StateLock {
    /// Takes the lock on `state/lock`, creating the folder; fails at once if another process
    /// holds it.
    pub fn acquire(state: &Path) -> Result<Self, SpoolError> {
        std::fs::create_dir_all(state)
            .map_err(|source| SpoolError::Folder { path: state.to_owned(), source })?;
        let path = state.join("lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(file_error("cannot open lock file", &path))?;
        match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => Ok(Self { _file: file }),
            Err(rustix::io::Errno::WOULDBLOCK) => Err(SpoolError::Locked { path }),
            Err(e) => Err(SpoolError::File { action: "cannot lock", path, source: e.into() }),
        }
    }
}

/// Now as RFC 3339 UTC with milliseconds.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}

impl Spool {
    /// Creates the folders (if missing) and checks that claims can be renames.
    pub fn open(config: &Config) -> Result<Self, SpoolError> {
        let spool = Self {
            inbox: config.inbox.clone(),
            work: config.state.join("work"),
            outbox: config.outbox.clone(),
            failed: config.failed.clone(),
            archive: config.archive.clone(),
            crashes: config.state.join("crashes"),
            clean_stop: config.state.join("clean-stop"),
            after_success: config.after_success,
        };
        for dir in [&spool.inbox, &spool.work, &spool.outbox, &spool.failed, &spool.archive, &spool.crashes] {
            std::fs::create_dir_all(dir)
                .map_err(|source| SpoolError::Folder { path: dir.clone(), source })?;
        }
        let device = |dir: &Path| {
            use std::os::unix::fs::MetadataExt;
            std::fs::metadata(dir)
                .map(|m| m.dev())
                .map_err(|source| SpoolError::Folder { path: dir.to_owned(), source })
        };
        let work = device(&spool.work)?;
        let mut moved_by_rename = vec![("inbox", &spool.inbox), ("failed", &spool.failed)];
        if spool.after_success == AfterSuccess::Archive {
            moved_by_rename.push(("archive", &spool.archive));
        }
        for (key, dir) in moved_by_rename {
            if device(dir)? != work {
                return Err(SpoolError::CrossDevice { key, path: dir.clone(), work: spool.work.clone() });
            }
        }
        spool.sweep();
        Ok(spool)
    }

    /// Removes what a killed daemon leaves behind: the hidden temporary files of atomic writes
    /// it was in the middle of (never visible under a real name, so never a result), and
    /// crash markers whose file is no longer in `work/` (killed after the outcome, before the
    /// marker was cleared; a later file of that name must not inherit the count). A daemon
    /// sharing these folders that loses a temporary file this way retries its write.
    fn sweep(&self) {
        for dir in [&self.outbox, &self.failed, &self.crashes] {
            let Ok(entries) = std::fs::read_dir(dir) else { continue };
            for entry in entries.flatten() {
                let name = entry.file_name();
                let bytes = name.as_bytes();
                let is_temp =
                    bytes.starts_with(TEMP_PREFIX.as_bytes()) && bytes.ends_with(TEMP_SUFFIX.as_bytes());
                let stale_marker = dir == &self.crashes
                    && !is_temp
                    && std::fs::symlink_metadata(self.work.join(&name)).is_err();
                if !(is_temp || stale_marker) || !entry.file_type().is_ok_and(|t| t.is_file()) {
                    continue;
                }
                match std::fs::remove_file(entry.path()) {
                    Ok(()) => {
                        tracing::debug!(file = %entry.path().display(), "removed a leftover of an interrupted run")
                    }
                    Err(e) => {
                        tracing::warn!(file = %entry.path().display(), "cannot remove a leftover of an interrupted run: {e}")
                    }
                }
            }
        }
    }

    /// Claims `name` from the inbox by renaming it into `work/`. `Ok(None)` when it is gone
    /// (another worker or daemon took it, or it was deleted) or when a file of the same name is
    /// still in flight (it stays in the inbox and is found again by a later scan).
    pub fn claim(&self, name: &OsStr) -> Result<Option<Claim>, SpoolError> {
        let from = self.inbox.join(name);
        let to = self.work.join(name);
        match rename_noreplace(&from, &to) {
            Ok(true) => Ok(Some(Claim { name: name.to_owned(), path: to })),
            Ok(false) => {
                tracing::debug!(file = %name.to_string_lossy(), "a file of this name is still in flight; claim later");
                Ok(None)
            }
            // Gone from the inbox: another worker or daemon took it, or it was deleted. But if
            // it is still there, it is the work folder that vanished: say so.
            Err(e)
                if e.kind() == std::io::ErrorKind::NotFound && std::fs::symlink_metadata(&from).is_err() =>
            {
                Ok(None)
            }
            Err(source) => {
                Err(SpoolError::File { action: "cannot claim into work folder", path: to, source })
            }
        }
    }

    /// Files left in `work/` by an earlier run that stopped before finishing them.
    pub fn leftovers(&self) -> Result<Vec<Claim>, SpoolError> {
        let entries = std::fs::read_dir(&self.work).map_err(file_error("cannot list", &self.work))?;
        let mut claims = Vec::new();
        for entry in entries {
            let entry = entry.map_err(file_error("cannot list", &self.work))?;
            let name = entry.file_name();
            claims.push(Claim { path: entry.path(), name });
        }
        claims.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(claims)
    }

    /// Records durably that the daemon stopped gracefully.
    pub fn mark_clean_stop(&self) -> Result<(), SpoolError> {
        let dir = self.clean_stop.parent().unwrap_or(Path::new("."));
        let name = self.clean_stop.file_name().unwrap_or_default();
        write_atomic(dir, name, b"", true)
            .map(drop)
            .map_err(file_error("cannot write clean-stop marker", &self.clean_stop))
    }

    /// True (once) when the previous run stopped gracefully; the marker is consumed.
    pub fn take_clean_stop(&self) -> bool {
        std::fs::remove_file(&self.clean_stop).is_ok()
    }

    /// How many times `claim` was already resumed after a crash (0 for a file never resumed).
    pub fn resumptions(&self, claim: &Claim) -> u32 {
        std::fs::read_to_string(self.crashes.join(&claim.name))
            .ok()
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or(0)
    }

    /// Durably records that `claim` is being resumed for the `count`th time, so the next
    /// start knows if it crashes again.
    pub fn record_resumption(&self, claim: &Claim, count: u32) -> Result<(), SpoolError> {
        write_atomic(&self.crashes, &claim.name, count.to_string().as_bytes(), true)
            .map(drop)
            .map_err(file_error("cannot write crash marker", &self.crashes.join(&claim.name)))
    }

    /// Forgets the crash marker of a file that reached its outcome.
    fn clear_resumptions(&self, claim: &Claim) {
        let marker = self.crashes.join(&claim.name);
        if let Err(e) = std::fs::remove_file(&marker)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(marker = %marker.display(), "cannot remove crash marker: {e}");
        }
    }

    /// Writes the result durably under a name that is not another document's, then archives
    /// (or deletes) the input. Returns the result's path. (The tests' batch of one.)
    #[cfg(test)]
    pub fn commit(&self, claim: &Claim, result: &Analysed) -> Result<PathBuf, SpoolError> {
        let mut paths = self.commit_all(claim, std::slice::from_ref(result))?;
        Ok(paths.remove(0))
    }

    /// Writes one result per article of the claimed input (most inputs hold one; a JSON Lines
    /// file one per line, each named `<stem>.<record>.json`), each durably under a name that
    /// is not another document's, then archives (or deletes) the input once all are written.
    /// Returns the results' paths, in order. A batch of one: see [`Spool::commit_batch`].
    #[cfg(test)]
    pub fn commit_all(&self, claim: &Claim, results: &[Analysed]) -> Result<Vec<PathBuf>, SpoolError> {
        let mut pending = Pending::new(claim.clone(), results.to_vec());
        self.commit_batch(&mut [&mut pending]).pop().expect("one outcome per input")
    }

    /// Group commit: commits several claimed inputs with one folder sync per folder instead of
    /// one per input. Every result not yet durable is written to a hidden temp file and
    /// fsynced; each is renamed to a name that is not another document's; the outbox is
    /// fsynced once; then every input whose results are all durable is moved to `archive/`
    /// (or deleted), and the archive is fsynced once.
    ///
    /// Returns one outcome per input, in order: its results' paths, or why it is not
    /// committed yet. Failures are per input: one input's failed write does not hold back the
    /// others (a failed folder sync does fail every input that needed it). A failed input
    /// keeps its progress in its [`Pending`], so committing it again resumes where it stopped:
    /// results already durable are not rewritten, an input already moved is not moved again.
    /// The caller must have made the plugins' state durable first (`Pipeline::flush`) for
    /// every input that [`Pending::needs_flush`].
    pub fn commit_batch(&self, batch: &mut [&mut Pending]) -> Vec<Result<Vec<PathBuf>, SpoolError>> {
        let mut errors: Vec<Option<SpoolError>> = batch.iter().map(|_| None).collect();
        // Milliseconds since the start at the end of steps 1-4, logged at trace level: where a
        // batch's time goes.
        let began = std::time::Instant::now();
        let mut marks = [0.0f64; 4];
        let mut mark = |step: usize| marks[step] = began.elapsed().as_secs_f64() * 1000.0;

        // 1. Each result of each input not yet written: a hidden temp file, fsynced. All are
        //    written (and their writeback started) before the first fsync, so the fsyncs of a
        //    batch mostly share the same disk writes and journal commit instead of queueing
        //    one behind the other.
        let mut staged: Vec<Vec<Staged>> = batch.iter().map(|_| Vec::new()).collect();
        let mut unsynced: Vec<(usize, Unsynced)> = Vec::new();
        for (i, job) in batch.iter().enumerate() {
            if job.progress != Progress::Analysed {
                continue;
            }
            for (stem, json) in result_files(&job.claim, &job.results) {
                match self.write_unsynced(stem, &json) {
                    Ok(file) => unsynced.push((i, file)),
                    Err(e) => {
                        errors[i] = Some(e);
                        break;
                    }
                }
                if unsynced.len() >= MAX_UNSYNCED {
                    sync_staged(&mut unsynced, &mut staged, &mut errors);
                }
            }
        }
        sync_staged(&mut unsynced, &mut staged, &mut errors);
        mark(0);

        // 2. Renamed into place, each under a name that is not another document's.
        let mut placed: Vec<Option<Vec<PathBuf>>> = batch.iter().map(|_| None).collect();
        let mut renamed = vec![false; batch.len()];
        for (i, files) in staged.into_iter().enumerate() {
            if errors[i].is_some() || files.is_empty() {
                continue;
            }
            let mut paths = Vec::with_capacity(files.len());
            for (file, result) in files.into_iter().zip(&batch[i].results) {
                match self.place(file, result) {
                    Ok(path) => {
                        renamed[i] = true;
                        paths.push(path);
                    }
                    Err(e) => {
                        errors[i] = Some(e);
                        break;
                    }
                }
            }
            if errors[i].is_none() {
                placed[i] = Some(paths);
            }
        }

        mark(1);
        // 3. One fsync of the outbox makes every new name durable.
        if renamed.contains(&true)
            && let Err(e) = sync_dir(&self.outbox)
        {
            for i in (0..batch.len()).filter(|&i| renamed[i]) {
                placed[i] = None;
                errors[i].get_or_insert_with(|| same_error("cannot sync", &self.outbox, &e));
            }
        }
        for (job, paths) in batch.iter_mut().zip(placed) {
            if let Some(paths) = paths {
                job.progress = Progress::Written(paths);
            }
        }

        mark(2);
        // 4. Inputs whose results are all durable leave work/.
        for (job, error) in batch.iter_mut().zip(&mut errors) {
            let Progress::Written(paths) = &job.progress else { continue };
            if error.is_some() {
                continue;
            }
            let moved = match self.after_success {
                AfterSuccess::Archive => {
                    self.move_out(&job.claim, &self.archive, &short_id(&job.results[0].id), false).map(drop)
                }
                AfterSuccess::Delete => std::fs::remove_file(&job.claim.path)
                    .map_err(file_error("cannot delete", &job.claim.path)),
            };
            match moved {
                Ok(()) => job.progress = Progress::Moved(paths.clone()),
                Err(e) => *error = Some(e),
            }
        }

        // 5. One fsync of the archive makes every move durable.
        let unsynced: Vec<usize> = (0..batch.len())
            .filter(|&i| errors[i].is_none() && matches!(batch[i].progress, Progress::Moved(_)))
            .collect();
        if self.after_success == AfterSuccess::Archive
            && !unsynced.is_empty()
            && let Err(e) = sync_dir(&self.archive)
        {
            for &i in &unsynced {
                errors[i] = Some(same_error("cannot sync", &self.archive, &e));
            }
        }

        mark(3);
        tracing::trace!(
            inputs = batch.len(),
            written_ms = format!("{:.1}", marks[0]),
            renamed_ms = format!("{:.1}", marks[1]),
            outbox_synced_ms = format!("{:.1}", marks[2]),
            archived_ms = format!("{:.1}", marks[3]),
            "batch steps"
        );
        batch
            .iter()
            .zip(errors)
            .map(|(job, error)| match (error, &job.progress) {
                (Some(e), _) => Err(e),
                (None, Progress::Moved(paths)) => {
                    self.clear_resumptions(&job.claim);
                    Ok(paths.clone())
                }
                (None, _) => unreachable!("an input without an error has moved out"),
            })
            .collect()
    }

    /// Writes `json` to a hidden temp file in the outbox and asks the kernel to start writing
    /// it to disk; not yet durable ([`Unsynced::sync`]).
    fn write_unsynced(&self, stem: OsString, json: &[u8]) -> Result<Unsynced, SpoolError> {
        let target = self.outbox.join(fit(&stem, ".json"));
        let write = || -> std::io::Result<tempfile::NamedTempFile> {
            let mut tmp =
                tempfile::Builder::new().prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX).tempfile_in(&self.outbox)?;
            tmp.write_all(json)?;
            start_writeback(tmp.as_file());
            Ok(tmp)
        };
        let tmp = write().map_err(file_error("cannot write result", &target))?;
        Ok(Unsynced { stem, target, tmp })
    }

    /// Writes `json` to a hidden temp file in the outbox and fsyncs it.
    #[cfg(test)]
    fn stage(&self, stem: OsString, json: &[u8]) -> Result<Staged, SpoolError> {
        self.write_unsynced(stem, json)?.sync()
    }

    /// Writes one result durably (temp file, fsync, rename, folder fsync) under a name that is
    /// not another document's: `<stem>.json`, else `<stem>.<tag>.json`, `<stem>.<tag>-N.json`.
    /// (The tests' way to put a result in place without a claim.)
    #[cfg(test)]
    fn write_result(&self, stem: &OsStr, result: &Analysed, json: &[u8]) -> Result<PathBuf, SpoolError> {
        let staged = self.stage(stem.to_owned(), json)?;
        let path = self.place(staged, result)?;
        sync_dir(&self.outbox).map_err(file_error("cannot sync", &self.outbox))?;
        Ok(path)
    }

    /// Renames a staged result to `<stem>.json`, else `<stem>.<id prefix>.json`, then
    /// `<stem>.<id prefix>-N.json`: the first name that is free or holds this same document's
    /// result (a redelivery after a crash, rewritten in place). The outbox is not synced.
    fn place(&self, staged: Staged, result: &Analysed) -> Result<PathBuf, SpoolError> {
        let Staged { stem, tmp } = staged;
        let tag = short_id(&result.id);
        let candidates = std::iter::once(fit(&stem, ".json"))
            .chain(std::iter::once(fit(&stem, &format!(".{tag}.json"))))
            .chain((2..).map(|n| fit(&stem, &format!(".{tag}-{n}.json"))));
        let mut tmp = tmp;
        for name in candidates {
            let path = self.outbox.join(&name);
            // Try to take a free name; if it is taken, see whose result is there.
            loop {
                match std::fs::read(&path) {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        match tmp.persist_noclobber(&path) {
                            Ok(()) => return Ok(path),
                            // Someone wrote it between our look and our rename: look again.
                            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => tmp = e.path,
                            Err(e) => {
                                return Err(SpoolError::File {
                                    action: "cannot write result",
                                    path,
                                    source: e.error,
                                });
                            }
                        }
                    }
                    Err(source) => return Err(SpoolError::File { action: "cannot read", path, source }),
                    Ok(existing) => {
                        let same = serde_json::from_slice::<Identity>(&existing)
                            .is_ok_and(|i| i.id == result.id && i.source.name == result.source.name);
                        if !same {
                            break;
                        }
                        // The same document again (redelivery after a crash): rewrite in place.
                        tmp.persist(&path).map_err(|e| SpoolError::File {
                            action: "cannot write result",
                            path: path.clone(),
                            source: e.error,
                        })?;
                        return Ok(path);
                    }
                }
            }
        }
        unreachable!("the candidate names never run out")
    }

    /// Moves a claimed file into `dir` under its own name, or `<name>.<tag>` (then
    /// `<name>.<tag>-N`) when that is taken, and fsyncs `dir` if `sync` (a batch syncs once
    /// for all its moves). Returns the new path.
    fn move_out(&self, claim: &Claim, dir: &Path, tag: &str, sync: bool) -> Result<PathBuf, SpoolError> {
        let candidates = std::iter::once(claim.name.clone())
            .chain(std::iter::once(fit(&claim.name, &format!(".{tag}"))))
            .chain((2..).map(|n| fit(&claim.name, &format!(".{tag}-{n}"))));
        for name in candidates {
            let to = dir.join(&name);
            if rename_noreplace(&claim.path, &to).map_err(file_error("cannot move", &claim.path))? {
                if sync {
                    sync_dir(dir).map_err(file_error("cannot sync", dir))?;
                }
                return Ok(to);
            }
        }
        unreachable!("the candidate names never run out")
    }

    /// Moves a claimed file to `failed/` with a `<name>.error.json` report beside it.
    /// The report is written first, so the input never sits in `failed/` unexplained.
    pub fn fail(&self, claim: &Claim, kind: &str, error: &str) -> Result<PathBuf, SpoolError> {
        let report = FailureReport {
            file: claim.name.to_string_lossy().into_owned(),
            kind: kind.to_owned(),
            error: error.to_owned(),
            at: now_rfc3339(),
        };
        let json = serde_json::to_vec_pretty(&report).expect("a report always serialises");
        let tag = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
            .to_string();
        // Leave room for the report's suffix, so `<name>.error.json` always fits beside `<name>`.
        let room = NAME_MAX - REPORT_SUFFIX.len();
        let candidates = std::iter::once(fit_within(&claim.name, "", room))
            .chain((1..).map(|n| fit_within(&claim.name, &format!(".{tag}-{n}"), room)));
        for name in candidates {
            let target = self.failed.join(&name);
            if target.exists() || std::fs::symlink_metadata(&target).is_ok() {
                continue;
            }
            let mut report_name = name.clone();
            report_name.push(REPORT_SUFFIX);
            // The report's name may be taken by another failed input (one called `x.error.json`
            // beside `x`): never replace that. Only our own report (a redo after a crash) is
            // rewritten.
            match std::fs::symlink_metadata(self.failed.join(&report_name)) {
                Err(_) => {}
                Ok(meta)
                    if meta.is_file()
                        && std::fs::read(self.failed.join(&report_name)).is_ok_and(|bytes| {
                            serde_json::from_slice::<FailureReport>(&bytes)
                                .is_ok_and(|r| r.file == report.file)
                        }) => {}
                Ok(_) => continue,
            }
            write_atomic(&self.failed, &report_name, &json, true)
                .map_err(file_error("cannot write error report", &self.failed.join(&report_name)))?;
            if rename_noreplace(&claim.path, &target).map_err(file_error("cannot move", &claim.path))? {
                sync_dir(&self.failed).map_err(file_error("cannot sync", &self.failed))?;
                self.clear_resumptions(claim);
                return Ok(target);
            }
        }
        unreachable!("the candidate names never run out")
    }
}

/// How many results of a batch may be written and not yet fsynced at once (each holds an
/// open file).
const MAX_UNSYNCED: usize = 128;

/// The result files of an input: `(stem, JSON)` per article, the stem being the input's
/// (`x.txt` → `x`) or, for article N of a multi-article input, `<stem>.<N>`. The JSON is the
/// result pretty-printed, with a final newline.
fn result_files<'a>(
    claim: &'a Claim,
    results: &'a [Analysed],
) -> impl Iterator<Item = (OsString, Vec<u8>)> + 'a {
    assert!(!results.is_empty(), "an input commits at least one result");
    let stem = Path::new(&claim.name).file_stem().unwrap_or(&claim.name).to_owned();
    results.iter().map(move |result| {
        let mut json = serde_json::to_vec_pretty(result).expect("a result always serialises");
        json.push(b'\n');
        let stem = match result.meta.record {
            Some(record) => {
                let mut stem = stem.clone();
                stem.push(format!(".{record}"));
                stem
            }
            None => stem.clone(),
        };
        (stem, json)
    })
}

/// Starts writing a file's dirty pages to disk without waiting (`sync_file_range`), so a
/// later fsync finds them written or in flight. Only a hint: durability comes from the fsync.
fn start_writeback(file: &std::fs::File) {
    use std::os::fd::AsRawFd;
    // SAFETY: a valid open descriptor; the call only schedules writeback of its pages.
    let _ = unsafe { libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE) };
}

/// At most this many threads fsync the results of one batch at once.
const SYNC_THREADS: usize = 8;

/// Fsyncs the written results in `unsynced` and moves each, in order, into its input's
/// `staged` list; an input whose fsync fails gets the error and loses its staged files.
///
/// The fsyncs run on up to [`SYNC_THREADS`] threads at once: the filesystem's journal then
/// commits them together (one journal commit and disk flush for all) instead of one after
/// the other, which is most of a batch's cost.
fn sync_staged(
    unsynced: &mut Vec<(usize, Unsynced)>,
    staged: &mut [Vec<Staged>],
    errors: &mut [Option<SpoolError>],
) {
    let files: Vec<(usize, Unsynced)> = unsynced.drain(..).filter(|(i, _)| errors[*i].is_none()).collect();
    let threads = files.len().min(SYNC_THREADS);
    let synced: Vec<(usize, Result<Staged, SpoolError>)> = if threads <= 1 {
        files.into_iter().map(|(i, file)| (i, file.sync())).collect()
    } else {
        // Deal the files out round-robin, then put the answers back in their order.
        let mut shares: Vec<Vec<(usize, usize, Unsynced)>> = (0..threads).map(|_| Vec::new()).collect();
        for (position, (i, file)) in files.into_iter().enumerate() {
            shares[position % threads].push((position, i, file));
        }
        type Share = Vec<(usize, usize, Unsynced)>;
        let sync_share = |share: Option<Share>| {
            share
                .unwrap_or_default()
                .into_iter()
                .map(|(position, i, file)| (position, i, file.sync()))
                .collect::<Vec<_>>()
        };
        // A share (taken by whichever thread syncs it) and its files' (position, input, name).
        type Slot = (std::sync::Mutex<Option<Share>>, Vec<(usize, usize, PathBuf)>);
        let take =
            |slot: &std::sync::Mutex<Option<Share>>| slot.lock().unwrap_or_else(|e| e.into_inner()).take();
        // Each share sits in a slot its thread borrows, so a share whose thread the OS refuses
        // (limits, memory) is still here to be synced on this thread instead.
        let slots: Vec<Slot> = shares
            .into_iter()
            .map(|share| {
                let names =
                    share.iter().map(|(position, i, file)| (*position, *i, file.target.clone())).collect();
                (std::sync::Mutex::new(Some(share)), names)
            })
            .collect();
        let mut answers: Vec<(usize, usize, Result<Staged, SpoolError>)> = std::thread::scope(|scope| {
            let mut answers = Vec::new();
            let mut handles = Vec::with_capacity(slots.len());
            for (slot, names) in &slots {
                match std::thread::Builder::new()
                    .name("ingestd-fsync".into())
                    .spawn_scoped(scope, move || sync_share(take(slot)))
                {
                    Ok(handle) => handles.push((handle, names)),
                    Err(e) => {
                        tracing::debug!("cannot start an fsync thread, syncing serially: {e}");
                        answers.extend(sync_share(take(slot)));
                    }
                }
            }
            for (handle, names) in handles {
                match handle.join() {
                    Ok(synced) => answers.extend(synced),
                    // Its files were dropped (deleted) with the thread: the inputs are retried.
                    Err(_) => answers.extend(names.iter().map(|(position, i, target)| {
                        let e = SpoolError::File {
                            action: "cannot sync",
                            path: target.clone(),
                            source: std::io::Error::other("the fsync thread panicked"),
                        };
                        (*position, *i, Err(e))
                    })),
                }
            }
            answers
        });
        answers.sort_by_key(|(position, _, _)| *position);
        answers.into_iter().map(|(_, i, result)| (i, result)).collect()
    };
    for (i, result) in synced {
        if errors[i].is_some() {
            continue;
        }
        match result {
            Ok(file) => staged[i].push(file),
            Err(e) => {
                errors[i] = Some(e);
                staged[i].clear();
            }
        }
    }
}

/// A result written to a hidden temp file in the outbox, not yet fsynced.
#[derive(Debug)]
struct Unsynced {
    stem: OsString,
    /// The name it is meant for (errors name it).
    target: PathBuf,
    tmp: tempfile::NamedTempFile,
}

impl Unsynced {
    /// Fsyncs the file and closes it.
    fn sync(self) -> Result<Staged, SpoolError> {
        self.tmp.as_file().sync_all().map_err(file_error("cannot write result", &self.target))?;
        Ok(Staged { stem: self.stem, tmp: self.tmp.into_temp_path() })
    }
}

/// A result written to a hidden temp file in the outbox and fsynced, not yet renamed.
#[derive(Debug)]
struct Staged {
    /// The result's name without `.json` (`<input stem>` or `<input stem>.<record>`).
    stem: OsString,
    /// The temp file (closed; deleted if dropped unplaced).
    tmp: tempfile::TempPath,
}

/// How far one input's commit has got; kept across attempts so a retry resumes there.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Progress {
    /// Nothing of it is durable yet.
    Analysed,
    /// Every result is durable under these names; the input is still in `work/`.
    Written(Vec<PathBuf>),
    /// The input has left `work/` (moved into `archive/`, or deleted); only the archive's
    /// fsync may be missing.
    Moved(Vec<PathBuf>),
}

/// A claimed input and its results (one per article), waiting to be committed by
/// [`Spool::commit_batch`], with how far earlier attempts got.
#[derive(Debug)]
pub struct Pending {
    /// The input in `work/`.
    pub claim: Claim,
    /// Its results, in article order; at least one.
    pub results: Vec<Analysed>,
    progress: Progress,
}

impl Pending {
    /// An input whose results are ready and nothing of which is committed yet.
    pub fn new(claim: Claim, results: Vec<Analysed>) -> Self {
        assert!(!results.is_empty(), "an input commits at least one result");
        Self { claim, results, progress: Progress::Analysed }
    }

    /// What it holds in memory while it waits for its commit, roughly: each result's text and
    /// title plus its plugins' outputs (their compact JSON text). Bounds the commit queue
    /// ([`crate::commit::QUEUE_BYTES`]).
    pub fn queued_bytes(&self) -> usize {
        self.results
            .iter()
            .map(|result| {
                let plugins: usize =
                    result.plugins.iter().map(|(name, report)| name.len() + report.result.len()).sum();
                result.text.len() + result.title.as_ref().map_or(0, String::len) + plugins
            })
            .sum()
    }

    /// True until its results are durable: the plugins' state behind them must be flushed
    /// before they are written (the ABI's `flush`).
    pub fn needs_flush(&self) -> bool {
        self.progress == Progress::Analysed
    }
}

/// An error like `e` for each of several files a failed folder sync concerns.
fn same_error(action: &'static str, path: &Path, e: &std::io::Error) -> SpoolError {
    SpoolError::File { action, path: path.to_owned(), source: std::io::Error::new(e.kind(), e.to_string()) }
}

/// What a failed input's report adds to its name in `failed/`.
const REPORT_SUFFIX: &str = ".error.json";

/// The first 12 hex digits of a `b3:` id: enough to tell documents apart in a file name.
fn short_id(id: &str) -> String {
    id.trim_start_matches("b3:").chars().take(12).collect()
}

/// Spool fixtures shared by the unit tests of the spool and of the commit stage.
#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// A spool over `inbox`, `outbox`, `state`, `failed` and `archive` folders in `dir`.
    pub(crate) fn spool(dir: &Path) -> Spool {
        let config = Config {
            inbox: dir.join("inbox"),
            outbox: dir.join("outbox"),
            state: dir.join("state"),
            failed: dir.join("failed"),
            archive: dir.join("archive"),
            ..Config::default()
        };
        Spool::open(&config).unwrap()
    }

    /// A minimal result for document `id` from input `name`, with text "x".
    pub(crate) fn result(id: &str, name: &str) -> Analysed {
        ingest_abi::ArticleResult {
            schema: ingest_abi::RESULT_SCHEMA.into(),
            id: id.into(),
            source: ingest_abi::Source {
                name: name.into(),
                bytes: 1,
                sha256: String::new(),
                received_at: String::new(),
            },
            title: None,
            language: "en".into(),
            text: "x".into(),
            meta: Default::default(),
            stats: Default::default(),
            plugins: Default::default(),
            errors: Vec::new(),
        }
    }

    /// Drops `name` with `body` into the inbox and claims it.
    pub(crate) fn drop_and_claim(s: &Spool, name: &str, body: &str) -> Claim {
        std::fs::write(s.inbox.join(name), body).unwrap();
        s.claim(OsStr::new(name)).unwrap().unwrap()
    }

    /// The sorted names in `dir`.
    pub(crate) fn list(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{drop_and_claim, list, result, spool};
    use super::*;

    #[test]
    fn folders_on_another_filesystem_than_work_are_refused() {
        use std::os::unix::fs::MetadataExt;
        // /dev/shm is a tmpfs on Linux: another filesystem than the temp dir's.
        let dir = tempfile::tempdir().unwrap();
        let shm = Path::new("/dev/shm");
        let other = std::fs::metadata(shm).map(|m| m.dev()).ok();
        assert_ne!(
            other,
            std::fs::metadata(dir.path()).map(|m| m.dev()).ok(),
            "needs /dev/shm on its own filesystem"
        );
        let archive = tempfile::tempdir_in(shm).unwrap();
        let config = Config {
            inbox: dir.path().join("inbox"),
            outbox: dir.path().join("outbox"),
            state: dir.path().join("state"),
            failed: dir.path().join("failed"),
            archive: archive.path().join("archive"),
            ..Config::default()
        };
        let err = Spool::open(&config).unwrap_err().to_string();
        assert!(err.contains("archive folder") && err.contains("same filesystem"), "{err}");
    }

    #[test]
    fn a_second_daemon_cannot_take_the_same_state() {
        let dir = tempfile::tempdir().unwrap();
        let _first = StateLock::acquire(dir.path()).unwrap();
        let err = StateLock::acquire(dir.path()).unwrap_err().to_string();
        assert!(err.contains("another ingestd"), "{err}");
    }

    #[test]
    fn ignored_names() {
        for name in [".hidden.txt", "a.tmp", "a.txt.part", "a.txt~"] {
            assert!(is_ignored(OsStr::new(name)), "{name}");
        }
        for name in ["a.txt", "tmp.txt", "-leading-dash.txt", "with space.txt"] {
            assert!(!is_ignored(OsStr::new(name)), "{name}");
        }
    }

    #[test]
    fn claim_moves_to_work_and_never_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path());
        let claim = drop_and_claim(&s, "a.txt", "one");
        assert!(!s.inbox.join("a.txt").exists());
        // A second a.txt while the first is in flight stays in the inbox.
        std::fs::write(s.inbox.join("a.txt"), "two").unwrap();
        assert_eq!(s.claim(OsStr::new("a.txt")).unwrap(), None);
        assert_eq!(std::fs::read_to_string(&claim.path).unwrap(), "one");
        assert_eq!(std::fs::read_to_string(s.inbox.join("a.txt")).unwrap(), "two");
        // A file that vanished is simply not claimed.
        assert_eq!(s.claim(OsStr::new("gone.txt")).unwrap(), None);
    }

    #[test]
    fn commit_writes_result_and_archives_input() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path());
        let claim = drop_and_claim(&s, "a.txt", "one");
        let path = s.commit(&claim, &result("b3:aaaa", "a.txt")).unwrap();
        assert_eq!(path, s.outbox.join("a.json"));
        assert!(s.archive.join("a.txt").exists());
        assert!(s.leftovers().unwrap().is_empty());
        let leftovers: Vec<_> =
            std::fs::read_dir(&s.outbox).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, [OsString::from("a.json")], "no temp files remain");
    }

    #[test]
    fn each_article_of_a_multi_article_input_gets_its_result_then_one_archive() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path());
        let claim = drop_and_claim(&s, "feed.jsonl", "{}\n{}\n");
        let mut first = result("b3:aaaaaaaaaaaa#1", "feed.jsonl");
        first.meta.record = Some(1);
        let mut fourth = result("b3:aaaaaaaaaaaa#4", "feed.jsonl");
        fourth.meta.record = Some(4);
        let paths = s.commit_all(&claim, &[first, fourth]).unwrap();
        assert_eq!(paths, [s.outbox.join("feed.1.json"), s.outbox.join("feed.4.json")]);
        assert!(s.archive.join("feed.jsonl").exists());
        assert!(s.leftovers().unwrap().is_empty());
    }

    /// In a batch, an input with several articles moves only when all of its results are
    /// durable: one failed article holds back that input alone, and the retry resumes it.
    #[test]
    fn a_batch_moves_a_multi_article_input_only_with_all_its_results() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path());
        let feed = drop_and_claim(&s, "feed.jsonl", "{}\n{}\n");
        let articles: Vec<Analysed> = (1..=2)
            .map(|n| {
                let mut r = result(&format!("b3:ffffffffffff#{n}"), "feed.jsonl");
                r.meta.record = Some(n);
                r
            })
            .collect();
        let mut feed = Pending::new(feed, articles);
        let mut single =
            Pending::new(drop_and_claim(&s, "one.txt", "one"), vec![result("b3:1111", "one.txt")]);
        // Article 2's name is a folder with something in it: its result cannot be placed.
        std::fs::create_dir(s.outbox.join("feed.2.json")).unwrap();
        std::fs::write(s.outbox.join("feed.2.json/x"), "").unwrap();

        let outcomes = s.commit_batch(&mut [&mut feed, &mut single]);
        assert!(outcomes[0].as_ref().is_err_and(|e| e.to_string().contains("feed.2.json")), "{outcomes:?}");
        assert_eq!(outcomes[1].as_ref().unwrap(), &[s.outbox.join("one.json")]);
        assert_eq!(list(&s.work), ["feed.jsonl"], "the input waits for its second result");
        assert_eq!(list(&s.archive), ["one.txt"]);
        assert!(feed.needs_flush(), "nothing of it is committed yet");

        std::fs::remove_dir_all(s.outbox.join("feed.2.json")).unwrap();
        let outcomes = s.commit_batch(&mut [&mut feed]);
        assert_eq!(
            outcomes[0].as_ref().unwrap(),
            &[s.outbox.join("feed.1.json"), s.outbox.join("feed.2.json")],
            "the retry rewrites article 1's result in place and adds article 2's"
        );
        assert_eq!(list(&s.archive), ["feed.jsonl", "one.txt"]);
        assert!(list(&s.work).is_empty());
        assert_eq!(list(&s.outbox), ["feed.1.json", "feed.2.json", "one.json"], "no temp files left");
    }

    #[test]
    fn a_different_document_with_the_same_name_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path());
        let first = drop_and_claim(&s, "a.txt", "one");
        s.commit(&first, &result("b3:111111111111aaaa", "a.txt")).unwrap();
        let second = drop_and_claim(&s, "a.txt", "two");
        let path = s.commit(&second, &result("b3:222222222222bbbb", "a.txt")).unwrap();
        assert_eq!(path, s.outbox.join("a.222222222222.json"));
        assert!(std::fs::read_to_string(s.outbox.join("a.json")).unwrap().contains("b3:111111111111aaaa"));
        assert!(s.archive.join("a.txt").exists());
        assert!(s.archive.join("a.txt.222222222222").exists());
    }

    #[test]
    fn redelivery_rewrites_its_own_result_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path());
        let claim = drop_and_claim(&s, "a.txt", "one");
        s.write_result(
            OsStr::new("a"),
            &result("b3:aaaa", "a.txt"),
            b"{\"id\":\"b3:aaaa\",\"source\":{\"name\":\"a.txt\"}}",
        )
        .unwrap();
        // Crash before archiving: the same claim is committed again at start.
        let path = s.commit(&claim, &result("b3:aaaa", "a.txt")).unwrap();
        assert_eq!(path, s.outbox.join("a.json"));
        assert_eq!(std::fs::read_dir(&s.outbox).unwrap().count(), 1);
    }

    #[test]
    fn failure_moves_input_with_a_report() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path());
        let claim = drop_and_claim(&s, "bad.txt", "");
        let path = s.fail(&claim, "empty", "file has no text").unwrap();
        assert_eq!(path, s.failed.join("bad.txt"));
        let report: FailureReport =
            serde_json::from_slice(&std::fs::read(s.failed.join("bad.txt.error.json")).unwrap()).unwrap();
        assert_eq!(report.kind, "empty");
        assert_eq!(report.file, "bad.txt");
        // The same name failing again keeps both.
        let claim = drop_and_claim(&s, "bad.txt", "");
        let again = s.fail(&claim, "empty", "file has no text").unwrap();
        assert_ne!(again, path);
        assert!(again.exists());
    }

    #[test]
    fn opening_sweeps_what_a_killed_run_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path());
        let claim = drop_and_claim(&s, "kept.txt", "one");
        s.record_resumption(&claim, 1).unwrap();
        std::fs::write(s.crashes.join("gone.txt"), "2").unwrap();
        std::fs::write(s.outbox.join(".ingestd-AbC123.tmp"), "{\"partial").unwrap();
        std::fs::write(s.failed.join(".ingestd-XyZ789.tmp"), "{").unwrap();
        std::fs::write(s.outbox.join("other.json"), "{}").unwrap();
        let s = spool(dir.path());
        assert_eq!(list(&s.outbox), ["other.json"], "temp files removed, results kept");
        assert!(list(&s.failed).is_empty());
        assert_eq!(list(&s.crashes), ["kept.txt"], "only the marker of a file still in work/ stays");
        assert_eq!(s.resumptions(&claim), 1);
    }

    #[test]
    fn failure_of_a_255_byte_name_keeps_the_report_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path());
        let name = format!("{}.txt", "n".repeat(251));
        let claim = drop_and_claim(&s, &name, "");
        let path = s.fail(&claim, "empty", "file has no text").unwrap();
        let failed = path.file_name().unwrap().to_str().unwrap().to_owned();
        assert_eq!(failed.len(), NAME_MAX - REPORT_SUFFIX.len());
        assert!(name.starts_with(&failed));
        let report: FailureReport = serde_json::from_slice(
            &std::fs::read(s.failed.join(format!("{failed}{REPORT_SUFFIX}"))).unwrap(),
        )
        .unwrap();
        assert_eq!(report.file, name, "the report names the original file");
        assert_eq!(list(&s.failed).len(), 2, "one input, one report");
    }

    #[test]
    fn a_report_never_replaces_an_input_named_like_it() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path());
        let claim = drop_and_claim(&s, "x.error.json", "not json at all");
        s.fail(&claim, "binary", "first").unwrap();
        let claim = drop_and_claim(&s, "x", "");
        let path = s.fail(&claim, "empty", "second").unwrap();
        assert_ne!(path, s.failed.join("x"), "`x.error.json` is taken by an input");
        assert_eq!(std::fs::read_to_string(s.failed.join("x.error.json")).unwrap(), "not json at all");
        let mut report_name = path.file_name().unwrap().to_owned();
        report_name.push(REPORT_SUFFIX);
        let report: FailureReport =
            serde_json::from_slice(&std::fs::read(s.failed.join(report_name)).unwrap()).unwrap();
        assert_eq!(report.file, "x");
        assert_eq!(list(&s.failed).len(), 4, "two inputs, two reports");
    }

    #[test]
    fn a_failure_redone_after_a_crash_reuses_its_report() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path());
        let claim = drop_and_claim(&s, "bad.txt", "");
        // A crash between the report and the move left the report alone.
        let report = FailureReport {
            file: "bad.txt".into(),
            kind: "empty".into(),
            error: "e".into(),
            at: now_rfc3339(),
        };
        std::fs::write(s.failed.join("bad.txt.error.json"), serde_json::to_vec(&report).unwrap()).unwrap();
        assert_eq!(s.fail(&claim, "empty", "file has no text").unwrap(), s.failed.join("bad.txt"));
        assert_eq!(list(&s.failed), ["bad.txt", "bad.txt.error.json"]);
    }

    #[test]
    fn crash_markers_count_resumptions_until_an_outcome() {
        let dir = tempfile::tempdir().unwrap();
        let s = spool(dir.path());
        let claim = drop_and_claim(&s, "a.txt", "one");
        assert_eq!(s.resumptions(&claim), 0);
        s.record_resumption(&claim, 2).unwrap();
        assert_eq!(s.resumptions(&claim), 2);
        s.commit(&claim, &result("b3:aaaa", "a.txt")).unwrap();
        assert_eq!(s.resumptions(&claim), 0, "an outcome clears the marker");
    }

    #[test]
    fn long_names_are_shortened_to_fit() {
        let long = "x".repeat(255);
        let name = fit(OsStr::new(&long), ".abcdef.json");
        assert_eq!(name.len(), 255);
        assert!(name.to_str().unwrap().ends_with(".abcdef.json"));
    }
}
