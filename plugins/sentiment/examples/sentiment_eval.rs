//! Evaluation on human-rated ground truth: Pearson r with the human mean and 3-class
//! macro-F1, per file, for either mode.
//!
//! ```sh
//! cargo run --release -p sentiment --example sentiment_eval -- FILE... [--mode vader|vader-doc|news]
//!     [--split all|train|test] [--calibration JSON] [--learned FILE [--learned-weight W]]
//!     [--dump PRED.jsonl]
//! ```
//!
//! FILE: a VADER `*_GroundTruth.txt` (`id<TAB>mean<TAB>text`) or a Financial PhraseBank
//! `Sentences_*.txt` (`sentence@label`). Modes:
//! - `vader`: vaderSentiment's compound of the whole text (the faithful port; what the
//!   Python package and `peers/predict_sentiment_vader.py` give);
//! - `vader-doc`: the plugin's faithful mode on a document: the text split into sentences
//!   as the host splits, each scored by VADER, the mean compound;
//! - `news` (default): the plugin's news mode, same sentence split.
//!
//! Classes as `peers/eval_sentiment.py` makes them: predicted positive at ≥ 0.05, negative
//! at ≤ -0.05; gold = the sign of the human mean (0 neutral). `--split` keeps the items of
//! the deterministic half used by `examples/sentiment_fit.rs` (`train`) or the other (`test`).
//! `--calibration '{"positive_weight":1,"alpha":15,"sentence_exponent":0}'` replaces the
//! shipped calibration; `--learned` adds a lexicon from `examples/sentiment_fit.rs --lexicon`.
//! `--dump` writes `{"id", "compound"}` lines that `peers/eval_sentiment.py score` reads.

use std::io::Write as _;

use sentiment::eval::{figures, is_train, parse};
use sentiment::lexicon::Lexicon;
use sentiment::news::{Calibration, NewsModel};
use sentiment::score::{Polarity, polarity};

fn main() {
    let mut files = Vec::new();
    let (mut mode, mut split, mut params, mut dump) = ("news".to_owned(), "all".to_owned(), None, None);
    let (mut learned, mut learned_weight) = (None, 1.0);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--mode" => mode = args.next().expect("--mode NAME"),
            "--split" => split = args.next().expect("--split all|train|test"),
            "--calibration" => params = Some(args.next().expect("--calibration JSON")),
            "--learned" => learned = Some(args.next().expect("--learned FILE")),
            "--learned-weight" => {
                learned_weight = args.next().and_then(|w| w.parse().ok()).expect("--learned-weight W")
            }
            "--dump" => dump = Some(args.next().expect("--dump FILE")),
            _ => files.push(arg),
        }
    }
    if files.is_empty() {
        eprintln!(
            "usage: sentiment_eval FILE... [--mode vader|vader-doc|news] [--split all|train|test] [--calibration JSON] [--learned FILE] [--dump PRED.jsonl]"
        );
        std::process::exit(2);
    }
    let calibration = params.map_or_else(
        || Calibration::shipped().expect("shipped"),
        |p| serde_json::from_str(&p).expect("--calibration"),
    );
    let mut news = NewsModel::with_calibration(calibration).expect("model");
    if let Some(path) = learned {
        let table = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        news = news.with_learned(&table, learned_weight).expect("learned lexicon");
    }
    let vader = Lexicon::vader().expect("lexicon");
    let mut out = dump.map(|p| std::io::BufWriter::new(std::fs::File::create(p).expect("--dump file")));
    for file in &files {
        let items = parse(&std::fs::read(file).unwrap_or_else(|e| panic!("{file}: {e}")));
        let items: Vec<_> = items
            .into_iter()
            .filter(|it| match split.as_str() {
                "train" => is_train(&it.id),
                "test" => !is_train(&it.id),
                _ => true,
            })
            .collect();
        let scores: Vec<f64> = items
            .iter()
            .map(|it| match mode.as_str() {
                "vader" => polarity(&it.text, &vader).compound,
                "vader-doc" => vader_doc(&it.text, &vader),
                "news" => news.text(&it.text),
                other => panic!("unknown mode {other}"),
            })
            .collect();
        if let Some(out) = out.as_mut() {
            for (it, s) in items.iter().zip(&scores) {
                writeln!(out, "{}", serde_json::json!({"id": it.id, "compound": s})).expect("write");
            }
        }
        let gold: Vec<f64> = items.iter().map(|it| it.mean).collect();
        let name =
            std::path::Path::new(file).file_name().map_or(file.clone(), |n| n.to_string_lossy().into_owned());
        let fig = figures(&scores, &gold);
        // Six decimals too: the news mode and VADER can differ by one text on a boundary.
        println!(
            "{name} mode={mode} split={split}\n{}\nsix decimals: pearson={:.6} macro_f1={:.6}",
            fig.report(),
            fig.pearson,
            fig.macro_f1
        );
    }
}

/// The plugin's faithful mode on a text: VADER per host sentence, mean compound.
fn vader_doc(text: &str, lexicon: &Lexicon) -> f64 {
    let spans = ingest_text::sentences(text, &ingest_text::paragraphs(text));
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let byte = |cp: usize| chars.get(cp).map_or(text.len(), |&(b, _)| b);
    let scored: Vec<Polarity> = spans
        .iter()
        .map(|s| polarity(&text[byte(s.start)..byte(s.end)], lexicon))
        .filter(|p| p.words > 0)
        .collect();
    if scored.is_empty() { 0.0 } else { scored.iter().map(|p| p.compound).sum::<f64>() / scored.len() as f64 }
}
