//! The dedup scale benchmark: builds an on-disk index of `--articles N` synthetic news
//! articles and reports insert+query latency per article (p50, p99, max), peak RSS (VmHWM)
//! and the index size on disk.
//!
//! ```sh
//! cargo run --release -p dedup --example dedup_scale -- --articles 1000000
//! ```
//!
//! Articles are synthesised from the BBC corpus: each takes a headline and 3-12 paragraphs
//! from random corpus articles, and half of its words are replaced by words drawn from the
//! corpus's own word distribution, so texts read like news vocabulary but their word
//! 5-shingles are new. `--copies` (default 0.03) of the articles are lightly altered copies
//! of a recent earlier one, so the near-duplicate path is exercised. The figure is the
//! plugin's `analyse` call (insert + query; documents are built before the clock starts).
//! As the daemon does with ABI 1.1's `flush`, the bench calls `flush` (one sync of the
//! write-ahead log) after every `--flush N` articles (default 16) and reports its latency
//! separately: an article is durable only after that flush.
//!
//! On a shared machine a call's wall time includes time spent waiting for a CPU. Linux
//! reports that wait per thread (`/proc/thread-self/schedstat`), so the bench also prints the
//! latency with the run-queue wait taken out, beside the plain wall-clock figure.
//!
//! Flags: `--articles N` (default 100000), `--seed N`, `--state DIR` (default a temp folder,
//! removed afterwards unless `--keep`), `--config JSON`, `--data DIR` (the `bbc` folder),
//! `--report N` (progress every N articles), `--flush N` (articles per flush; 1 = per article).

mod common;

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::time::Instant;

use common::rng::Rng;
use dedup::{Config, Dedup};

/// This thread's time waiting on a run queue so far, in milliseconds (the second field of
/// `/proc/thread-self/schedstat`); `None` where the kernel does not report it.
fn run_queue_wait_ms(schedstat: Option<&File>) -> Option<f64> {
    let mut buf = [0u8; 128];
    let n = schedstat?.read_at(&mut buf, 0).ok()?;
    let text = std::str::from_utf8(&buf[..n]).ok()?;
    let waited: u64 = text.split_whitespace().nth(1)?.parse().ok()?;
    Some(waited as f64 / 1e6)
}

fn main() {
    let args = common::Args::parse();
    let n: usize = args.value("articles", 100_000);
    let seed: u64 = args.value("seed", 7);
    let copies: f64 = args.value("copies", 0.03);
    let report: usize = args.value("report", 100_000);
    let flush_every: usize = args.value::<usize>("flush", 16).max(1);
    let data =
        args.get("data").map_or_else(|| common::default_data_dir().join("bbc_news/bbc"), PathBuf::from);
    let config: Config = match args.get("config") {
        Some(json) => serde_json::from_str(json).expect("--config: a dedup configuration table as JSON"),
        None => Config::default(),
    };
    let state = args.get("state").map_or_else(
        || std::env::temp_dir().join(format!("dedup-scale-{}", std::process::id())),
        PathBuf::from,
    );
    std::fs::create_dir_all(&state).expect("state folder");

    let articles = common::corpus::load(&data).expect("corpus");
    let mut paragraphs: Vec<String> = Vec::new();
    let mut titles: Vec<String> = Vec::new();
    let mut vocabulary: Vec<String> = Vec::new();
    for a in &articles {
        let mut blocks = a.text.split("\n\n").map(str::trim).filter(|b| !b.is_empty());
        if let Some(t) = blocks.next() {
            titles.push(t.to_owned());
        }
        for p in blocks {
            vocabulary.extend(p.split_whitespace().map(str::to_owned));
            paragraphs.push(p.to_owned());
        }
    }
    let mut rng = Rng::new(seed);
    let synth_paragraph = |rng: &mut Rng, p: &str| -> String {
        p.split_whitespace()
            .map(|w| if rng.chance(0.5) { rng.pick(&vocabulary).as_str() } else { w })
            .collect::<Vec<_>>()
            .join(" ")
    };

    // The benchmark's own data (corpus, vocabulary) counts in the process's RSS too.
    let setup_rss = common::peak_rss_kib().unwrap_or(0) / 1024;
    let started_at = Instant::now();
    let dedup = Dedup::open(config.clone(), Some(&state)).expect("index");
    let open_ms = started_at.elapsed().as_secs_f64() * 1000.0;
    let mut recent: std::collections::VecDeque<String> = std::collections::VecDeque::new();
    let mut latencies: Vec<f64> = Vec::with_capacity(n);
    let mut flushes: Vec<f64> = Vec::with_capacity(n / flush_every + 1);
    let schedstat = File::open("/proc/thread-self/schedstat").ok();
    let mut on_cpu: Vec<f64> = Vec::with_capacity(n);
    let (mut flagged, mut copies_made) = (0usize, 0usize);
    let wall = Instant::now();
    for i in 0..n {
        let text = if !recent.is_empty() && rng.chance(copies) {
            copies_made += 1;
            let original = recent[rng.range(0, recent.len())].clone();
            let mut paras: Vec<&str> = original.split("\n\n").collect();
            if paras.len() > 3 && rng.chance(0.5) {
                paras.pop();
            }
            format!("By a staff reporter\n\n{}\n", paras.join("\n\n"))
        } else {
            let mut t = rng.pick(&titles).clone();
            for _ in 0..rng.range(3, 13) {
                let p = rng.pick(&paragraphs).clone();
                t.push_str("\n\n");
                t.push_str(&synth_paragraph(&mut rng, &p));
            }
            t.push('\n');
            t
        };
        let name = format!("synthetic-{i:07}.txt");
        let document = common::document(&name, &text, "2026-11-23T00:00:00Z");
        recent.push_back(text);
        if recent.len() > 1000 {
            recent.pop_front();
        }
        let waited = run_queue_wait_ms(schedstat.as_ref());
        let t0 = Instant::now();
        let answer = dedup.analyse(&document).expect("analysed");
        let ms = t0.elapsed().as_secs_f64() * 1000.0;
        latencies.push(ms);
        if let (Some(before), Some(after)) = (waited, run_queue_wait_ms(schedstat.as_ref())) {
            on_cpu.push((ms - (after - before)).max(0.0));
        }
        flagged += usize::from(answer.exact_duplicate_of.is_some() || !answer.near_duplicates.is_empty());
        if (i + 1) % flush_every == 0 || i + 1 == n {
            let t0 = Instant::now();
            dedup.flush().expect("flushed");
            flushes.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
        if (i + 1) % report == 0 {
            let mut recent_lat = latencies[latencies.len() - report..].to_vec();
            recent_lat.sort_by(f64::total_cmp);
            let mut recent_cpu = on_cpu[on_cpu.len().saturating_sub(report)..].to_vec();
            recent_cpu.sort_by(f64::total_cmp);
            println!(
                "{:>8} articles  last {report}: p50 {:.3} ms p99 {:.3} ms (without run-queue wait {:.3}) rss {} MiB  disk {} MiB  {:.0} s",
                i + 1,
                common::metrics::quantile(&recent_lat, 0.5),
                common::metrics::quantile(&recent_lat, 0.99),
                common::metrics::quantile(&recent_cpu, 0.99),
                common::peak_rss_kib().unwrap_or(0) / 1024,
                common::disk_usage(&state) / (1 << 20),
                wall.elapsed().as_secs_f64()
            );
        }
    }
    let total = wall.elapsed().as_secs_f64();
    drop(dedup);
    let reopen = Instant::now();
    let dedup = Dedup::open(config, Some(&state)).expect("reopen");
    let reopen_ms = reopen.elapsed().as_secs_f64() * 1000.0;
    drop(dedup);
    let mut sorted = latencies.clone();
    sorted.sort_by(f64::total_cmp);
    let q = |x| common::metrics::quantile(&sorted, x);
    let disk = common::disk_usage(&state);
    println!("articles {n} (copies made {copies_made}, flagged {flagged})");
    println!(
        "insert+query latency: p50 {:.3} ms  p90 {:.3} ms  p99 {:.3} ms  p99.9 {:.3} ms  max {:.3} ms  mean {:.3} ms",
        q(0.5),
        q(0.9),
        q(0.99),
        q(0.999),
        sorted.last().copied().unwrap_or(0.0),
        latencies.iter().sum::<f64>() / n.max(1) as f64
    );
    flushes.sort_by(f64::total_cmp);
    on_cpu.sort_by(f64::total_cmp);
    if !on_cpu.is_empty() {
        let q = |x| common::metrics::quantile(&on_cpu, x);
        println!(
            "same without run-queue wait: p50 {:.3} ms  p90 {:.3} ms  p99 {:.3} ms  p99.9 {:.3} ms  max {:.3} ms",
            q(0.5),
            q(0.9),
            q(0.99),
            q(0.999),
            on_cpu.last().copied().unwrap_or(0.0)
        );
    }
    println!(
        "flush every {flush_every} articles ({} flushes): p50 {:.3} ms  p99 {:.3} ms  max {:.3} ms",
        flushes.len(),
        common::metrics::quantile(&flushes, 0.5),
        common::metrics::quantile(&flushes, 0.99),
        flushes.last().copied().unwrap_or(0.0)
    );
    println!(
        "peak RSS (VmHWM) {} MiB ({setup_rss} MiB of it before the index was opened)",
        common::peak_rss_kib().unwrap_or(0) / 1024
    );
    println!("index on disk {} MiB ({} bytes per article)", disk / (1 << 20), disk / n.max(1) as u64);
    println!("wall {total:.1} s; open {open_ms:.0} ms; reopen {reopen_ms:.0} ms");
    if !args.has("keep") && args.get("state").is_none() {
        std::fs::remove_dir_all(&state).ok();
    }
}
