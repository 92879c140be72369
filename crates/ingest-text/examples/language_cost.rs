//! CPU cost of [`ingest_text::detect_language`] over a folder of articles (default: the 2,225
//! BBC articles): each file is read with `read_articles` first, as the daemon does, then only
//! the detection is timed, `rounds` times over all texts. Prints CPU (user + system, from
//! `/proc/self/stat`) and wall time per call, and a checksum of the answers so that two builds
//! can be compared.
//!
//! `cargo run --release -p ingest-text --example language_cost -- [folder] [rounds]`

mod common;

use std::path::PathBuf;
use std::time::Instant;

use common::files;

/// This process's CPU time (user + system) in seconds, from `/proc/self/stat` (clock ticks,
/// assumed 100 per second as on every Linux this runs on).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("cannot read /proc/self/stat");
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    let rest = &stat[stat.rfind(')').expect("/proc/self/stat: no command name") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
    ticks as f64 / 100.0
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "../shared/data/bbc_news/bbc".into()));
    let rounds: usize = args.next().map_or(20, |r| r.parse().expect("rounds: a number"));
    let limits = ingest_text::Limits { max_decompressed: u64::MAX };
    let texts: Vec<String> = files(&dir)
        .iter()
        .filter_map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            ingest_text::read_articles(&name, &std::fs::read(p).unwrap(), limits).ok()
        })
        .flat_map(|x| x.articles.into_iter().map(|a| a.text))
        .collect();
    // Warm-up (and the lazily built tables), then the timed rounds.
    let mut check = 0u64;
    for t in &texts {
        check = check.wrapping_add(ingest_text::detect_language(t).confidence.to_bits());
    }
    let (cpu0, wall0) = (cpu_seconds(), Instant::now());
    for _ in 0..rounds {
        for t in &texts {
            let l = ingest_text::detect_language(std::hint::black_box(t));
            check = check.wrapping_add(l.confidence.to_bits() ^ u64::from(l.code.as_bytes()[0]));
        }
    }
    let (cpu, wall) = (cpu_seconds() - cpu0, wall0.elapsed().as_secs_f64());
    let calls = (rounds * texts.len()) as f64;
    println!(
        "{} texts x {rounds} rounds: {:.1} µs CPU per detect_language ({:.1} µs wall), checksum {check:016x}",
        texts.len(),
        cpu / calls * 1e6,
        wall / calls * 1e6,
    );
}
