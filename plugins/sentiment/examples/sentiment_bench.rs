//! Speed against the Python reference: every ground-truth text scored by the faithful mode
//! (whole text, as `vaderSentiment.polarity_scores` does) and by the news mode.
//!
//! ```sh
//! cargo run --release -p sentiment --example sentiment_bench -- ../shared/data/vader_groundtruth/*_GroundTruth.txt [--runs 5] [--only vader|news] [--dump FILE]
//! /tmp/vader-venv/bin/python plugins/sentiment/scripts/vader_reference.py --time --runs 5 \
//!     ../shared/data/vader_groundtruth/*_GroundTruth.txt
//! ```
//!
//! One thread; reports the median of `--runs` passes (after one warm-up) and texts/s, in
//! **CPU time** of the process (the machine is shared, so wall time measures the
//! neighbours; the Python script's `--time` measures CPU time too).
//!
//! `--only vader|news` times one mode (for profiling). `--dump FILE` also writes every text's scores in both modes as exact bit patterns (one
//! line per text), so a speed change can be checked to change no result: dump before and
//! after, then `cmp` the files. `--stress N` adds N generated stress texts
//! (`tests/support/stress.rs`) and `--articles DIR` every `.txt` under DIR (multi-paragraph
//! articles, e.g. `../shared/data/bbc_news/bbc`) to the dump, not to the timing.

use std::hint::black_box;

#[path = "../tests/support/stress.rs"]
mod stress;

/// CPU seconds this process has used.
fn cpu_seconds() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant the kernel knows.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &raw mut ts) };
    assert_eq!(rc, 0, "clock_gettime");
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

use sentiment::eval::parse;
use sentiment::lexicon::Lexicon;
use sentiment::news::NewsModel;
use sentiment::score::polarity;

fn main() {
    let mut files = Vec::new();
    let mut runs = 5usize;
    let mut dump = None;
    let mut only = None;
    let mut extra = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--runs" {
            runs = args.next().and_then(|r| r.parse().ok()).expect("--runs N");
        } else if arg == "--only" {
            only = Some(args.next().expect("--only vader|news"));
        } else if arg == "--stress" {
            let n = args.next().and_then(|r| r.parse().ok()).expect("--stress N");
            extra.extend(stress::texts(n));
        } else if arg == "--articles" {
            let dir = args.next().expect("--articles DIR");
            extra.extend(stress::text_files(std::path::Path::new(&dir)));
        } else if arg == "--dump" {
            dump = Some(args.next().expect("--dump FILE"));
        } else {
            files.push(arg);
        }
    }
    let texts: Vec<String> = files
        .iter()
        .flat_map(|f| parse(&std::fs::read(f).unwrap_or_else(|e| panic!("{f}: {e}"))))
        .map(|it| it.text)
        .collect();
    let lexicon = Lexicon::vader().expect("lexicon");
    let news = NewsModel::new().expect("model");
    if let Some(path) = dump {
        let all: Vec<String> = texts.iter().chain(&extra).cloned().collect();
        write_dump(&path, &all, &lexicon, &news);
    }
    let time = |f: &dyn Fn(&str) -> f64| -> f64 {
        let mut secs = Vec::with_capacity(runs);
        for run in 0..=runs {
            let start = cpu_seconds();
            let mut acc = 0.0;
            for t in &texts {
                acc += f(black_box(t));
            }
            black_box(acc);
            if run > 0 {
                secs.push(cpu_seconds() - start);
            }
        }
        secs.sort_by(f64::total_cmp);
        secs[secs.len() / 2]
    };
    let skip = |mode: &str| only.as_deref().is_some_and(|o| o != mode);
    let vader = if skip("vader") { f64::NAN } else { time(&|t| polarity(t, &lexicon).compound) };
    let news_secs = if skip("news") { f64::NAN } else { time(&|t| news.text(t)) };
    let n = texts.len() as f64;
    println!(
        "texts={} runs={runs} vader: median_seconds={vader:.4} texts_per_s={:.0} | news: median_seconds={news_secs:.4} texts_per_s={:.0}",
        texts.len(),
        n / vader,
        n / news_secs
    );
}

/// One line per text: the faithful mode's polarity fields and the news mode's document
/// score and sentence sums, as hexadecimal bit patterns (exact, diffable).
fn write_dump(path: &str, texts: &[String], lexicon: &Lexicon, news: &NewsModel) {
    use std::fmt::Write as _;
    let mut out = String::new();
    for t in texts {
        let p = polarity(t, lexicon);
        let bits = |x: f64| x.to_bits();
        let _ = write!(
            out,
            "{:x} {:x} {:x} {:x} {:x} {:x} {:x} {} | {:x} |",
            bits(p.compound),
            bits(p.pos),
            bits(p.neu),
            bits(p.neg),
            bits(p.sum),
            bits(p.positive),
            bits(p.negative),
            p.words,
            bits(news.text(t))
        );
        for s in news.split(t) {
            let _ = write!(out, " {:x}/{:x}/{}", bits(s.sum), bits(s.compound), s.words);
        }
        out.push('\n');
    }
    std::fs::write(path, out).unwrap_or_else(|e| panic!("{path}: {e}"));
}
