//! Floods: many files at once cost names, not memory; lost file events cost nothing,
//! because discovery rescans.
//!
//! Sizes: the CI run drops [`CI_FILES`] files; the documented full run is
//! `INGESTD_FLOOD_FILES=100000 cargo test -p ingestd-e2e --test e2e flood -- --nocapture`.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::time::{Duration, Instant};

use ingestd_e2e::{Env, TIMEOUT, env_number, list, result_name};

/// Files dropped during a CI run (`INGESTD_FLOOD_FILES` overrides).
const CI_FILES: u64 = 5000;

/// The fast, well-behaved test plugin: the flood measures the daemon, not the analysis.
const FAULTY: &str = "[[plugins]]\nname = \"faulty\"\n";

/// Peak RSS the daemon may reach in a flood, whatever its size: documents in flight are
/// bounded by `workers` and the ready queue by 10,000 names.
const MAX_PEAK_RSS_MIB: u64 = 256;

fn small_article(i: usize) -> String {
    format!("Flood item {i}\n\nA short wire item, number {i}, about the flood of files. It ends here.\n")
}

#[test]
fn flood_of_files_is_processed_with_bounded_memory() {
    let files = env_number("INGESTD_FLOOD_FILES", CI_FILES) as usize;
    let env = Env::new();
    let config = env.write_config("ingestd.toml", &env.config(FAULTY));
    let mut daemon = env.start(&config);
    daemon.wait_started();
    let baseline_kib = daemon.peak_rss_kib();

    // All at once, written in place while the daemon watches: a storm of file events.
    let started = Instant::now();
    for i in 0..files {
        env.write_inbox(&format!("flood-{i:06}.txt"), small_article(i));
    }
    let dropped_in = started.elapsed();
    let mut peak_kib = baseline_kib;
    let pid = daemon.pid();
    daemon.wait_for_within(
        &format!("all {files} files to be processed"),
        TIMEOUT + Duration::from_millis(files as u64 * 30),
        || {
            // Sample while the flood is processed; VmHWM keeps the peak anyway.
            peak_kib = peak_kib.max(ingestd_e2e::memory_kib(pid, "VmHWM").unwrap_or(0));
            list(&env.archive()).len() == files
        },
    );
    let processed_in = started.elapsed();
    peak_kib = peak_kib.max(daemon.peak_rss_kib());
    let overflows = daemon.log_count("file events overflowed");
    daemon.stop();

    let expected: BTreeSet<String> = (0..files).map(|i| result_name(&format!("flood-{i:06}.txt"))).collect();
    let results: BTreeSet<String> = env.result_files().into_iter().collect();
    assert_eq!(results.len(), files, "one result per file");
    assert!(results == expected, "the results are exactly the inputs'");
    assert!(list(&env.inbox()).is_empty() && list(&env.work()).is_empty() && list(&env.failed()).is_empty());
    // Spot-check a few results completely.
    for i in [0, files / 2, files - 1] {
        let name = format!("flood-{i:06}.txt");
        let result = env.result(&name).unwrap();
        ingestd_e2e::assert_result_shape(&result, &name, small_article(i).as_bytes());
    }

    eprintln!(
        "e2e: flood: {files} files dropped in {:.1} s, all processed after {:.1} s ({:.0} files/s); \
         event-queue overflows logged: {overflows}; daemon RSS at start {} MiB, peak {} MiB",
        dropped_in.as_secs_f64(),
        processed_in.as_secs_f64(),
        files as f64 / processed_in.as_secs_f64(),
        baseline_kib / 1024,
        peak_kib / 1024,
    );
    assert!(
        peak_kib / 1024 < MAX_PEAK_RSS_MIB,
        "peak RSS {} MiB for {files} files: memory is not bounded",
        peak_kib / 1024
    );
}

/// The kernel's per-watch event queue length; more events than this are dropped.
fn max_queued_events() -> usize {
    fs::read_to_string("/proc/sys/fs/inotify/max_queued_events")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(16384)
}

#[test]
fn files_whose_events_are_lost_are_found_by_rescans() {
    let env = Env::new();
    let outside = env.path("elsewhere");
    fs::create_dir(&outside).unwrap();
    let mut expected = BTreeSet::new();

    // Phase 1: no periodic rescan to speak of (10 minutes). Only events, and the rescan an
    // overflow triggers, can find files.
    let watch = "mode = \"native\"\nsettle_ms = 500\nrescan_interval_ms = 600000\n";
    let config = env.write_config("ingestd.toml", &env.config_with("", watch, FAULTY));
    let mut daemon = env.start(&config);
    daemon.wait_started();

    // Hard links and renames from another folder: a create or a moved-to event, never a
    // close-after-write.
    for i in 0..20 {
        let name = format!("linked-{i:02}.txt");
        let source = outside.join(&name);
        fs::write(&source, small_article(1000 + i)).unwrap();
        fs::hard_link(&source, env.inbox().join(&name)).unwrap();
        expected.insert(name);
        let name = format!("moved-{i:02}.txt");
        fs::write(outside.join(&name), small_article(2000 + i)).unwrap();
        fs::rename(outside.join(&name), env.inbox().join(&name)).unwrap();
        expected.insert(name);
    }
    daemon.wait_for("hard-linked and moved-in files to be processed", || list(&env.archive()).len() == 40);

    // Lose events for real: freeze the daemon, fill the kernel's inotify queue with noise,
    // then drop files. Their events are dropped by the kernel, which queues an overflow.
    let noise_events = max_queued_events() + 512;
    daemon.signal(libc::SIGSTOP);
    let mut noise: Vec<fs::File> = [".noise-a.tmp", ".noise-b.tmp"]
        .iter()
        .map(|n| fs::File::create(env.inbox().join(n)).unwrap())
        .collect();
    for n in 0..noise_events {
        // Alternating files: consecutive identical events would be merged by the kernel.
        noise[n % 2].write_all(b"x").unwrap();
    }
    for i in 0..300 {
        let name = format!("unannounced-{i:03}.txt");
        env.write_inbox(&name, small_article(3000 + i));
        expected.insert(name);
    }
    daemon.signal(libc::SIGCONT);
    daemon.wait_for("files dropped while events were lost to be processed", || {
        list(&env.archive()).len() == 340
    });
    daemon.stop();

    // Phase 2: events lost with no overflow at all. The inbox folder is replaced under the
    // running daemon, so its watch follows the old folder and sees nothing; only the periodic
    // rescan (short here) finds files.
    let watch = "mode = \"native\"\nsettle_ms = 500\nrescan_interval_ms = 1000\n";
    let config = env.write_config("ingestd.toml", &env.config_with("", watch, FAULTY));
    let mut daemon = env.start(&config);
    daemon.wait_started();
    let old_inode = fs::metadata(env.inbox()).unwrap().ino();
    fs::rename(env.inbox(), env.path("inbox-replaced")).unwrap();
    fs::create_dir(env.inbox()).unwrap();
    assert_ne!(fs::metadata(env.inbox()).unwrap().ino(), old_inode);
    for i in 0..50 {
        let name = format!("silent-{i:02}.txt");
        env.write_inbox(&name, small_article(4000 + i));
        expected.insert(name);
    }
    daemon
        .wait_for("files the watch never saw to be found by a rescan", || list(&env.archive()).len() == 390);
    daemon.stop();

    let results: BTreeSet<String> = env.result_files().into_iter().collect();
    let expected_results: BTreeSet<String> = expected.iter().map(|n| result_name(n)).collect();
    assert!(
        results == expected_results,
        "one result per file: missing {:?}",
        expected_results.difference(&results)
    );
    assert!(list(&env.failed()).is_empty(), "nothing failed: {:?}", list(&env.failed()));
    assert!(list(&env.work()).is_empty());
    let left: Vec<String> = list(&env.inbox()).into_iter().filter(|n| !n.starts_with('.')).collect();
    assert!(left.is_empty(), "the inbox is drained: {left:?}");
}
