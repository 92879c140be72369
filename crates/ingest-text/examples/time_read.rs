//! Times the input path on a folder of articles (default: the BBC corpus): `read_articles`
//! alone, then `read_articles` + `analyse` (the text half of the daemon's `input::prepare`),
//! best of several rounds, as µs per article and MiB/s of input bytes.
//!
//! `cargo run --release -p ingest-text --example time_read -- [folder] [rounds]`

mod common;

use std::path::PathBuf;
use std::time::Instant;

use common::files;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "../shared/data/bbc_news/bbc".into()));
    let rounds: usize = args.next().map_or(5, |r| r.parse().expect("rounds: a number"));
    let inputs: Vec<(String, Vec<u8>)> = files(&dir)
        .iter()
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(p).unwrap()))
        .collect();
    let bytes: usize = inputs.iter().map(|(_, b)| b.len()).sum();
    let limits = ingest_text::Limits { max_decompressed: u64::MAX };
    let time = |label: &str, analyse: bool| {
        let mut best = f64::INFINITY;
        let mut check = 0usize;
        for _ in 0..rounds {
            let t = Instant::now();
            for (name, b) in &inputs {
                let Ok(x) = ingest_text::read_articles(name, b, limits) else { continue };
                for a in &x.articles {
                    check += a.text.len();
                    if analyse {
                        check += ingest_text::analyse(&a.text).sentences.len();
                    }
                }
            }
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!(
            "{label:<24} {:>8.1} µs/article {:>8.2} MiB/s  ({} files, {:.2} MiB, best of {rounds}; {check})",
            best * 1e6 / inputs.len() as f64,
            bytes as f64 / (1 << 20) as f64 / best,
            inputs.len(),
            bytes as f64 / (1 << 20) as f64,
        );
    };
    time("read_articles", false);
    time("read_articles + analyse", true);
}
