//! `ingestd status`: what an operator checks first, read straight from the spool folders
//! (works whether or not the daemon is running).

use std::fmt::Write;
use std::path::Path;
use std::time::SystemTime;

use crate::config::Config;
use crate::spool::is_ignored;

/// How many results `status` lists.
const NEWEST: usize = 5;

/// Entries of `dir` that count (not hidden or temporary), with their modification times.
/// A missing folder counts as empty.
fn entries(dir: &Path) -> std::io::Result<Vec<(String, SystemTime)>> {
    let read = match std::fs::read_dir(dir) {
        Ok(read) => read,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut found = Vec::new();
    for entry in read {
        let entry = entry?;
        if is_ignored(&entry.file_name()) {
            continue;
        }
        let mtime = entry.metadata().and_then(|m| m.modified()).unwrap_or(SystemTime::UNIX_EPOCH);
        found.push((entry.file_name().to_string_lossy().into_owned(), mtime));
    }
    Ok(found)
}

fn ago(t: SystemTime) -> String {
    let secs = SystemTime::now().duration_since(t).map_or(0, |d| d.as_secs());
    humantime::format_duration(std::time::Duration::from_secs(secs)).to_string()
}

/// The report `ingestd status` prints.
pub fn report(config: &Config) -> anyhow::Result<String> {
    let read = |dir: &Path| entries(dir).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", dir.display()));
    let inbox = read(&config.inbox)?;
    let work = read(&config.state.join("work"))?;
    let failed: Vec<_> =
        read(&config.failed)?.into_iter().filter(|(name, _)| !name.ends_with(".error.json")).collect();
    let mut results: Vec<_> =
        read(&config.outbox)?.into_iter().filter(|(name, _)| name.ends_with(".json")).collect();
    results.sort_by_key(|(_, mtime)| std::cmp::Reverse(*mtime));

    let mut out = String::new();
    let oldest = inbox.iter().map(|(_, t)| *t).min();
    let _ = writeln!(
        out,
        "inbox      {:>8}  {}{}",
        inbox.len(),
        config.inbox.display(),
        oldest.map_or_else(String::new, |t| format!("  (oldest {} ago)", ago(t)))
    );
    let _ = writeln!(out, "in flight  {:>8}  {}", work.len(), config.state.join("work").display());
    let _ = writeln!(out, "failed     {:>8}  {}", failed.len(), config.failed.display());
    let _ = writeln!(out, "results    {:>8}  {}", results.len(), config.outbox.display());
    for (name, mtime) in results.iter().take(NEWEST) {
        let _ = writeln!(out, "  {name}  ({} ago)", ago(*mtime));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_folder_and_lists_newest_results() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            inbox: dir.path().join("inbox"),
            outbox: dir.path().join("outbox"),
            state: dir.path().join("state"),
            failed: dir.path().join("failed"),
            ..Config::default()
        };
        for d in [&config.inbox, &config.outbox, &config.failed] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(config.inbox.join("a.txt"), "x").unwrap();
        std::fs::write(config.inbox.join(".hidden"), "x").unwrap();
        std::fs::write(config.failed.join("b.txt"), "").unwrap();
        std::fs::write(config.failed.join("b.txt.error.json"), "{}").unwrap();
        std::fs::write(config.outbox.join("c.json"), "{}").unwrap();
        let report = report(&config).unwrap();
        assert!(report.lines().next().unwrap().contains(" 1 "), "{report}");
        assert!(report.contains("in flight         0"), "{report}");
        assert!(report.contains("failed            1"), "{report}");
        assert!(report.contains("c.json"), "{report}");
    }
}
