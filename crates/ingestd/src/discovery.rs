//! Discovery: the one reconciler that decides which inbox files are ready to claim.
//!
//! It runs a full scan at start, on a timer, when events were lost and after the ready queue
//! was cut short; file events only wake it early. A file is *ready* when an event says it was
//! closed after writing or renamed in, or when it has stayed unchanged (size and mtime) for
//! `settle` — so a file still being written by a slow writer is never claimed half-done.
//! Non-regular entries (directories, FIFOs, links) are ready at once: the worker refuses them
//! into `failed/` with a reason.
//!
//! Memory is bounded by the number of names, never by their content: the ready queue holds
//! at most [`READY_CAP`] names; a scan that finds more stops adding and scans again when the
//! queue drains.

use std::collections::{HashMap, HashSet, VecDeque};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use crate::config::WatchMode;
use crate::spool::is_ignored;

/// Most names waiting in the ready queue at once.
pub const READY_CAP: usize = 10_000;

/// What a look at an inbox entry found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file of this size and modification time.
    File {
        /// Bytes.
        size: u64,
        /// Last modification.
        mtime: SystemTime,
    },
    /// Anything else (directory, FIFO, symbolic link, socket, device).
    Other,
}

/// Looks at one entry without following links; `None` when it is gone.
pub fn stat(dir: &Path, name: &OsString) -> Option<EntryKind> {
    let meta = std::fs::symlink_metadata(dir.join(name)).ok()?;
    Some(if meta.file_type().is_file() {
        EntryKind::File { size: meta.len(), mtime: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH) }
    } else {
        EntryKind::Other
    })
}

/// Lists the inbox's entries that are not ignored, with what each is.
pub fn scan(inbox: &Path) -> std::io::Result<Vec<(OsString, EntryKind)>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(inbox)? {
        let entry = entry?;
        let name = entry.file_name();
        if is_ignored(&name) {
            continue;
        }
        if let Some(kind) = stat(inbox, &name) {
            found.push((name, kind));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(found)
}

/// A regular file seen but not yet settled.
#[derive(Debug, Clone, Copy)]
struct Observation {
    size: u64,
    mtime: SystemTime,
    since: Instant,
}

/// The reconciler's state: which names are settling and which are ready to claim.
#[derive(Debug)]
pub struct Discovery {
    inbox: PathBuf,
    mode: WatchMode,
    settle: Duration,
    /// Files seen but not yet stable, with when they were last seen changing.
    settling: HashMap<OsString, Observation>,
    /// Names ready to claim, oldest first.
    ready: VecDeque<OsString>,
    /// The names in `ready`, to queue each once.
    queued: HashSet<OsString>,
    /// A scan stopped adding at [`READY_CAP`]; scan again when the queue drains.
    truncated: bool,
}

impl Discovery {
    /// A reconciler for `inbox`.
    pub fn new(inbox: PathBuf, mode: WatchMode, settle: Duration) -> Self {
        Self {
            inbox,
            mode,
            settle,
            settling: HashMap::new(),
            ready: VecDeque::new(),
            queued: HashSet::new(),
            truncated: false,
        }
    }

    /// The inbox folder.
    pub fn inbox(&self) -> &Path {
        &self.inbox
    }

    /// Takes the next name to claim.
    pub fn next_ready(&mut self) -> Option<OsString> {
        let name = self.ready.pop_front()?;
        self.queued.remove(&name);
        Some(name)
    }

    /// How many names are waiting to be claimed.
    pub fn ready_len(&self) -> usize {
        self.ready.len()
    }

    /// True when names are waiting to be claimed.
    pub fn has_ready(&self) -> bool {
        !self.ready.is_empty()
    }

    /// True when the last scan was cut short and the queue has drained: time to scan again.
    pub fn wants_rescan(&self) -> bool {
        self.truncated && self.ready.is_empty()
    }

    /// When the earliest settling file should be looked at again.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.settling.values().map(|o| o.since + self.settle).min()
    }

    /// Names whose settle time has passed, to look at again.
    pub fn due(&self, now: Instant) -> Vec<OsString> {
        self.settling.iter().filter(|(_, o)| o.since + self.settle <= now).map(|(n, _)| n.clone()).collect()
    }

    /// Records what a full scan found: forgets vanished names, and queues what is ready.
    pub fn on_scan(&mut self, entries: Vec<(OsString, EntryKind)>, now: Instant, wall: SystemTime) {
        let present: HashSet<&OsString> = entries.iter().map(|(n, _)| n).collect();
        self.settling.retain(|name, _| present.contains(name));
        self.truncated = false;
        for (name, kind) in entries {
            if self.ready.len() >= READY_CAP {
                self.truncated = true;
                break;
            }
            self.observe(name, Some(kind), false, now, wall);
        }
    }

    /// Records one look at `name` (`None`: it is gone). `announced` is true when a file event
    /// said the file is complete (closed after writing, or renamed in).
    pub fn observe(
        &mut self,
        name: OsString,
        kind: Option<EntryKind>,
        announced: bool,
        now: Instant,
        wall: SystemTime,
    ) {
        if is_ignored(&name) {
            return;
        }
        let Some(kind) = kind else {
            self.settling.remove(&name);
            return;
        };
        if self.queued.contains(&name) {
            return;
        }
        let ready = match kind {
            EntryKind::Other => true,
            EntryKind::File { size, mtime } => {
                let aged = self.mode == WatchMode::Native
                    && wall.duration_since(mtime).is_ok_and(|age| age >= self.settle);
                let unchanged_long_enough = self.settling.get(&name).is_some_and(|o| {
                    o.size == size && o.mtime == mtime && now.duration_since(o.since) >= self.settle
                });
                if announced || aged || unchanged_long_enough {
                    true
                } else {
                    let entry =
                        self.settling.entry(name.clone()).or_insert(Observation { size, mtime, since: now });
                    if entry.size != size || entry.mtime != mtime {
                        *entry = Observation { size, mtime, since: now };
                    }
                    false
                }
            }
        };
        if ready {
            self.settling.remove(&name);
            self.queued.insert(name.clone());
            self.ready.push_back(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETTLE: Duration = Duration::from_millis(500);

    fn file(size: u64, mtime: SystemTime) -> Option<EntryKind> {
        Some(EntryKind::File { size, mtime })
    }

    #[test]
    fn announced_files_are_ready_at_once() {
        let mut d = Discovery::new("in".into(), WatchMode::Native, SETTLE);
        let now = Instant::now();
        let wall = SystemTime::now();
        d.observe("a.txt".into(), file(10, wall), true, now, wall);
        assert_eq!(d.next_ready(), Some("a.txt".into()));
    }

    #[test]
    fn a_growing_file_waits_until_it_settles() {
        let mut d = Discovery::new("in".into(), WatchMode::Poll, SETTLE);
        let t0 = Instant::now();
        let wall = SystemTime::now();
        d.observe("a.txt".into(), file(10, wall), false, t0, wall);
        assert!(!d.has_ready());
        // It grew: the clock restarts.
        let t1 = t0 + SETTLE;
        d.observe("a.txt".into(), file(20, wall + SETTLE), false, t1, wall + SETTLE);
        assert!(!d.has_ready());
        assert_eq!(d.next_deadline(), Some(t1 + SETTLE));
        // Unchanged for the settle time: ready.
        d.observe("a.txt".into(), file(20, wall + SETTLE), false, t1 + SETTLE, wall + SETTLE * 2);
        assert_eq!(d.next_ready(), Some("a.txt".into()));
    }

    #[test]
    fn old_files_found_by_a_native_scan_are_ready() {
        let mut d = Discovery::new("in".into(), WatchMode::Native, SETTLE);
        let wall = SystemTime::now();
        let old = wall - Duration::from_secs(60);
        d.on_scan(vec![("old.txt".into(), file(5, old).unwrap())], Instant::now(), wall);
        assert_eq!(d.next_ready(), Some("old.txt".into()));
    }

    #[test]
    fn poll_mode_never_trusts_mtime_alone() {
        let mut d = Discovery::new("in".into(), WatchMode::Poll, SETTLE);
        let wall = SystemTime::now();
        d.on_scan(
            vec![("old.txt".into(), file(5, wall - Duration::from_secs(60)).unwrap())],
            Instant::now(),
            wall,
        );
        assert!(!d.has_ready(), "a network filesystem's clock may lie: wait for two equal looks");
    }

    #[test]
    fn names_are_queued_once_and_ignored_names_never() {
        let mut d = Discovery::new("in".into(), WatchMode::Native, SETTLE);
        let now = Instant::now();
        let wall = SystemTime::now();
        d.observe("a.txt".into(), file(1, wall), true, now, wall);
        d.observe("a.txt".into(), file(1, wall), true, now, wall);
        d.observe("b.tmp".into(), file(1, wall), true, now, wall);
        assert_eq!(d.next_ready(), Some("a.txt".into()));
        assert_eq!(d.next_ready(), None);
    }

    #[test]
    fn a_huge_scan_is_cut_at_the_cap_and_resumed() {
        let mut d = Discovery::new("in".into(), WatchMode::Native, SETTLE);
        let wall = SystemTime::now();
        let old = wall - Duration::from_secs(60);
        let entries: Vec<_> = (0..READY_CAP + 5)
            .map(|i| (OsString::from(format!("{i:06}.txt")), EntryKind::File { size: 1, mtime: old }))
            .collect();
        d.on_scan(entries, Instant::now(), wall);
        assert!(!d.wants_rescan());
        while d.next_ready().is_some() {}
        assert!(d.wants_rescan());
    }

    #[test]
    fn directories_and_other_entries_are_ready_for_refusal() {
        let mut d = Discovery::new("in".into(), WatchMode::Native, SETTLE);
        d.observe("dir".into(), Some(EntryKind::Other), false, Instant::now(), SystemTime::now());
        assert_eq!(d.next_ready(), Some("dir".into()));
    }
}
