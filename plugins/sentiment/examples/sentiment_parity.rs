//! Parity with the Python reference: how many texts score within 0.001 of vaderSentiment.
//!
//! ```sh
//! /tmp/vader-venv/bin/python plugins/sentiment/scripts/vader_reference.py \
//!     ../shared/data/vader_groundtruth/*_GroundTruth.txt > /tmp/vader_reference.tsv
//! cargo run --release -p sentiment --example sentiment_parity -- /tmp/vader_reference.tsv [--show 20]
//! ```
//!
//! Input: `file<TAB>id<TAB>compound<TAB>text` lines (the script's output, or the committed
//! sample `tests/data/vader_reference_sample.tsv`). Prints the count per file and overall,
//! and the first mismatches. With `PARITY_NEWS=1` it scores with the news mode's sentence
//! options instead, to show what the faithful mode changes.

use std::collections::BTreeMap;

use sentiment::lexicon::Lexicon;
use sentiment::score::polarity;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: sentiment_parity REFERENCE.tsv [--show N]");
        std::process::exit(2);
    };
    let show: usize =
        args.iter().position(|a| a == "--show").and_then(|i| args.get(i + 1)?.parse().ok()).unwrap_or(10);
    let content = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let lexicon = Lexicon::vader().expect("vendored lexicon");
    let mut per_file: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut shown = 0;
    let mut max_diff: f64 = 0.0;
    let news = std::env::var_os("PARITY_NEWS").is_some();
    for line in content.lines() {
        let mut fields = line.splitn(4, '\t');
        let (Some(file), Some(id), Some(reference), Some(text)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let reference: f64 = reference.parse().expect("numeric compound");
        let ours = if news {
            sentiment::score::polarity_with(text, &lexicon, sentiment::score::Options::NEWS).compound
        } else {
            polarity(text, &lexicon).compound
        };
        max_diff = max_diff.max((ours - reference).abs());
        let entry = per_file.entry(file).or_default();
        entry.1 += 1;
        if (ours - reference).abs() <= 0.001 {
            entry.0 += 1;
        } else if shown < show {
            shown += 1;
            println!("MISMATCH {file} {id}: python {reference} rust {ours:.4} | {text}");
        }
    }
    let (mut ok, mut total) = (0, 0);
    for (file, (k, n)) in &per_file {
        println!("{file}: {k}/{n} within 0.001");
        ok += k;
        total += n;
    }
    println!("all: {ok}/{total} within 0.001 (largest difference {max_diff:.6})");
}
