//! Parity with the Python reference on a committed sample of its scores.
//!
//! `tests/data/vader_reference_sample.tsv` holds vaderSentiment 3.3.2's compound for 350
//! ground-truth texts from the three development files (tweets, movie and Amazon
//! snippets): every 60th item of each file plus every item where VADER's quirks matter
//! (its "but" shift, typographic punctuation). The command that regenerates it is in
//! `scripts/vader_reference.py`; the full check over all 18,513 texts is
//! `cargo run --release -p sentiment --example sentiment_parity`.

use sentiment::lexicon::Lexicon;
use sentiment::score::{Options, polarity, polarity_with};

const SAMPLE: &str = include_str!("data/vader_reference_sample.tsv");

fn rows() -> Vec<(&'static str, &'static str, f64, &'static str)> {
    SAMPLE
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.splitn(4, '\t').collect();
            (f[0], f[1], f[2].parse().unwrap(), f[3])
        })
        .collect()
}

#[test]
fn faithful_mode_matches_vader_sentiment_within_0_001() {
    let lexicon = Lexicon::vader().unwrap();
    let rows = rows();
    assert!(rows.len() >= 300, "{}", rows.len());
    for file in ["tweets", "movieReview", "amazonReview"] {
        assert!(rows.iter().filter(|r| r.0.starts_with(file)).count() >= 50, "{file}");
    }
    let bad: Vec<String> = rows
        .iter()
        .filter_map(|&(file, id, reference, text)| {
            let ours = polarity(text, &lexicon).compound;
            ((ours - reference).abs() > 0.001).then(|| format!("{file} {id}: {ours:.4} vs {reference}"))
        })
        .collect();
    assert!(bad.is_empty(), "{} mismatches:\n{}", bad.len(), bad.join("\n"));
}

#[test]
fn the_sample_exercises_the_quirks() {
    // The news mode's sentence options fix VADER's quirks, so on this sample they must
    // differ somewhere; otherwise the fixture would not test them.
    let lexicon = Lexicon::vader().unwrap();
    let differing = rows()
        .iter()
        .filter(|&&(_, _, reference, text)| {
            (polarity_with(text, &lexicon, Options::NEWS).compound - reference).abs() > 0.001
        })
        .count();
    assert!(differing >= 10, "{differing}");
}
