//! Speed against the Python reference: every ground-truth text scored by the faithful mode
//! (whole text, as `vaderSentiment.polarity_scores` does) and by the news mode.
//!
//! ```sh
//! cargo run --release -p sentiment --example sentiment_bench -- ../shared/data/vader_groundtruth/*_GroundTruth.txt [--runs 5]
//! /tmp/vader-venv/bin/python plugins/sentiment/scripts/vader_reference.py --time --runs 5 \
//!     ../shared/data/vader_groundtruth/*_GroundTruth.txt
//! ```
//!
//! One thread; reports the median of `--runs` passes (after one warm-up) and texts/s, in
//! **CPU time** of the process (the machine is shared, so wall time measures the
//! neighbours; the Python script's `--time` measures CPU time too).

use std::hint::black_box;

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
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--runs" {
            runs = args.next().and_then(|r| r.parse().ok()).expect("--runs N");
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
    let vader = time(&|t| polarity(t, &lexicon).compound);
    let news_secs = time(&|t| news.text(t));
    let n = texts.len() as f64;
    println!(
        "texts={} runs={runs} vader: median_seconds={vader:.4} texts_per_s={:.0} | news: median_seconds={news_secs:.4} texts_per_s={:.0}",
        texts.len(),
        n / vader,
        n / news_secs
    );
}
