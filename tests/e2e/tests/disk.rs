//! A full disk or an unwritable outbox never costs an input: the claim is kept in
//! `state/work/`, the error is logged and the write retried with backoff until it succeeds.
//!
//! How writes are made to fail: tests run as root in CI, and permission bits do not stop
//! root. So, in order: a small tmpfs mounted over the outbox and filled (a real ENOSPC; needs
//! CAP_SYS_ADMIN), the immutable attribute (`chattr +i`, binds root on ext4/xfs/btrfs), and
//! for other users `chmod 0555`. Each method is probed (a test write must fail) before use;
//! if none works the test fails and says so.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use ingestd_e2e::{Env, article, assert_result_shape, list};

const FAULTY: &str = "[[plugins]]\nname = \"faulty\"\n";

/// Something that makes writes into a folder fail until it is lifted (or dropped).
#[derive(Debug)]
enum Blocker {
    /// A full tmpfs mounted on the folder; the filler file is deleted to make room.
    FullTmpfs { dir: PathBuf, filler: PathBuf, mounted: bool },
    /// `chattr +i` on the folder.
    Immutable { dir: PathBuf, on: bool },
    /// Mode 0555 (non-root only).
    ReadOnlyMode { dir: PathBuf, on: bool },
}

fn run(cmd: &str, args: &[&str]) -> bool {
    Command::new(cmd).args(args).output().is_ok_and(|o| o.status.success())
}

/// True when creating and writing a file in `dir` fails.
fn writes_fail(dir: &Path) -> bool {
    let probe = dir.join("write-probe");
    let failed = fs::File::create(&probe)
        .and_then(|mut f| f.write_all(&[b'x'; 8192]).and_then(|()| f.sync_all()))
        .is_err();
    let _ = fs::remove_file(&probe);
    failed
}

impl Blocker {
    /// A full filesystem on `dir`, if this machine lets the test mount one.
    fn full_disk(dir: &Path) -> Option<Self> {
        let root = ingestd_e2e::is_root();
        if !root || !run("mount", &["-t", "tmpfs", "-o", "size=256k", "ingestd-e2e-full", dir.to_str()?]) {
            eprintln!("e2e: disk: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)");
            return None;
        }
        let filler = dir.join("filler");
        let mut f = fs::File::create(&filler).expect("create filler");
        while f.write_all(&[0u8; 4096]).is_ok() {}
        while f.write_all(&[0u8; 1]).is_ok() {}
        let _ = f.sync_all();
        let blocker = Self::FullTmpfs { dir: dir.to_owned(), filler, mounted: true };
        if writes_fail(dir) {
            Some(blocker)
        } else {
            eprintln!("e2e: disk: a full tmpfs still accepted a write");
            None
        }
    }

    /// An unwritable folder: immutable for root, read-only mode for others.
    fn unwritable(dir: &Path) -> Self {
        let root = ingestd_e2e::is_root();
        let blocker = if root {
            assert!(
                run("chattr", &["+i", dir.to_str().unwrap()]),
                "running as root and `chattr +i {}` failed: this filesystem has no immutable \
                 attribute, and permission bits do not stop root; no way to make the outbox unwritable",
                dir.display()
            );
            Self::Immutable { dir: dir.to_owned(), on: true }
        } else {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o555)).unwrap();
            Self::ReadOnlyMode { dir: dir.to_owned(), on: true }
        };
        assert!(writes_fail(dir), "{blocker:?} did not make {} unwritable", dir.display());
        blocker
    }

    /// Makes writes possible again (the folder stays mounted for a tmpfs: room is made).
    fn lift(&mut self) {
        match self {
            Self::FullTmpfs { filler, .. } => {
                let _ = fs::remove_file(&*filler);
            }
            Self::Immutable { dir, on } => {
                if *on {
                    assert!(run("chattr", &["-i", dir.to_str().unwrap()]), "chattr -i");
                    *on = false;
                }
            }
            Self::ReadOnlyMode { dir, on } => {
                use std::os::unix::fs::PermissionsExt;
                if *on {
                    fs::set_permissions(&*dir, fs::Permissions::from_mode(0o755)).unwrap();
                    *on = false;
                }
            }
        }
    }
}

impl Drop for Blocker {
    fn drop(&mut self) {
        self.lift();
        if let Self::FullTmpfs { dir, mounted: true, .. } = self {
            // Lazy: the folder may still be open; the temp dir must be removable after.
            let _ = run("umount", &["-l", dir.to_str().unwrap()]);
        }
    }
}

/// Drops one file while the outbox is blocked and checks the claim is held and retried.
fn blocked_write_keeps_the_claim(env: &Env, daemon: &mut ingestd_e2e::Daemon, name: &str, text: &str) {
    env.drop_file(name, text);
    daemon.wait_for("the failed write to be retried twice", || {
        daemon_log_count(env, "cannot write outcome, input kept in work/") >= 2
    });
    assert_eq!(
        fs::read_to_string(env.work().join(name)).ok().as_deref(),
        Some(text),
        "the input is still claimed in state/work/, unchanged"
    );
    assert!(!env.inbox().join(name).exists(), "claimed, not returned to the inbox");
    assert!(list(&env.failed()).is_empty(), "not failed: {:?}", list(&env.failed()));
    assert!(env.result(name).is_none());
    daemon.assert_running();
}

fn daemon_log_count(env: &Env, needle: &str) -> usize {
    fs::read_to_string(env.path("daemon.stderr"))
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(needle))
        .count()
}

#[test]
fn full_disk_keeps_the_claim_and_resumes_when_space_returns() {
    let env = Env::new();
    fs::create_dir_all(env.outbox()).unwrap();
    let mut blocker = Blocker::full_disk(&env.outbox()).unwrap_or_else(|| {
        eprintln!("e2e: disk: falling back to an unwritable outbox for the full-disk case");
        Blocker::unwritable(&env.outbox())
    });
    let config = env.write_config("ingestd.toml", &env.config(FAULTY));
    let mut daemon = env.start(&config);
    daemon.wait_started();

    let text = article("Written to a full disk", "No space left.");
    blocked_write_keeps_the_claim(&env, &mut daemon, "full.txt", &text);
    let log = daemon.log();
    if matches!(blocker, Blocker::FullTmpfs { .. }) {
        assert!(log.contains("No space left on device"), "the log names the cause:\n{log}");
    }

    blocker.lift();
    daemon.wait_for("the result once space returns", || env.result("full.txt").is_some());
    assert_result_shape(&env.result("full.txt").unwrap(), "full.txt", text.as_bytes());
    daemon.wait_for("the input to be archived", || env.archive().join("full.txt").exists());
    assert!(list(&env.work()).is_empty() && list(&env.failed()).is_empty());
    let stray: Vec<String> = list(&env.outbox()).into_iter().filter(|n| n.starts_with('.')).collect();
    assert!(stray.is_empty(), "failed writes left no temp files: {stray:?}");
    daemon.stop();
    drop(blocker);
}

#[test]
fn unwritable_outbox_keeps_the_claim_across_a_restart() {
    let env = Env::new();
    fs::create_dir_all(env.outbox()).unwrap();
    let mut blocker = Blocker::unwritable(&env.outbox());
    let config = env.write_config("ingestd.toml", &env.config(FAULTY));
    let mut daemon = env.start(&config);
    daemon.wait_started();

    let text = article("Written to a locked outbox", "Permission denied.");
    blocked_write_keeps_the_claim(&env, &mut daemon, "locked-out.txt", &text);
    // A stop while retrying is prompt and clean; the claim stays for the next start.
    daemon.stop();
    assert_eq!(
        fs::read_to_string(env.work().join("locked-out.txt")).unwrap(),
        text,
        "still claimed after the stop"
    );

    blocker.lift();
    let mut daemon = env.start(&config);
    daemon.wait_for("the result after the restart", || env.result("locked-out.txt").is_some());
    assert_result_shape(&env.result("locked-out.txt").unwrap(), "locked-out.txt", text.as_bytes());
    daemon.wait_for("the input to be archived", || env.archive().join("locked-out.txt").exists());
    assert!(list(&env.work()).is_empty() && list(&env.failed()).is_empty());
    daemon.stop();
    drop(blocker);
}
