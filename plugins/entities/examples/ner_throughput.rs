//! Measures the plugin's `process` work (tagging, grouping, salience: [`entities::analyse`])
//! on the BBC News corpus, one core, after building each document as the host does.
//!
//! ```sh
//! cargo run --release -p entities --example ner_throughput -- [BBC_DIR] [--runs 3]
//! ```
//! Prints model load time, then per run: documents, words (Word/Number tokens), tagger
//! tokens, seconds and tokens/s; and the median run.

mod common;

use std::time::Instant;

use entities::Config;
use entities::gazetteer::Gazetteer;
use entities::tagger::Tagger;
use ingest_abi::{Document, Source, Span};

fn document(name: &str, raw: &str) -> Document {
    let text = ingest_text::clean(raw).text;
    let a = ingest_text::analyse(&text);
    let span = |s: &ingest_text::Span| Span { start: s.start, end: s.end };
    Document {
        id: format!("b3:{name}"),
        source: Source {
            name: name.into(),
            bytes: raw.len() as u64,
            sha256: String::new(),
            received_at: String::new(),
        },
        title: a.title.map(|t| t.slice(&text).to_owned()),
        language: "en".into(),
        paragraphs: a.paragraphs.iter().map(span).collect(),
        sentences: a.sentences.iter().map(span).collect(),
        text,
        plugins: Default::default(),
    }
}

fn main() -> Result<(), String> {
    let mut dir = common::shared_data().join("bbc_news/bbc");
    let mut runs = 3;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => {
                runs = args.next().ok_or("--runs needs a value")?.parse().map_err(|e| format!("{e}"))?
            }
            other => dir = other.into(),
        }
    }
    let started = Instant::now();
    let tagger = Tagger::builtin()?;
    let tagger_ms = started.elapsed().as_secs_f64() * 1e3;
    let gazetteer = Gazetteer::builtin()?;
    let create_ms = started.elapsed().as_secs_f64() * 1e3;
    println!("model load {tagger_ms:.1} ms (tagger), {create_ms:.1} ms (tagger + lists, as in create)");

    let mut paths = Vec::new();
    common::text_files(&dir, &mut paths);
    paths.sort();
    let docs: Vec<Document> = paths
        .iter()
        .map(|p| {
            let raw = String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
            document(&p.display().to_string(), &raw)
        })
        .collect();
    let words: usize = docs.iter().map(|d| ingest_text::word_count(&d.text)).sum();
    let tokens: usize = docs
        .iter()
        .map(|d| {
            entities::tagger::tokens::sentence_tokens(&d.text, &d.sentences)
                .iter()
                .map(Vec::len)
                .sum::<usize>()
        })
        .sum();
    let config = Config::default();
    let mut secs = Vec::new();
    for run in 1..=runs {
        let t = Instant::now();
        let mut mentions = 0;
        for d in &docs {
            mentions += entities::analyse(d, &gazetteer, &tagger, &config).mentions.len();
        }
        let s = t.elapsed().as_secs_f64();
        println!(
            "run {run}: {} docs, {words} words, {tokens} tokens, {mentions} mentions, {s:.3}s, {:.0} tokens/s, {:.0} words/s",
            docs.len(),
            tokens as f64 / s,
            words as f64 / s
        );
        secs.push(s);
    }
    secs.sort_by(f64::total_cmp);
    let median = secs[secs.len() / 2];
    println!(
        "median: {median:.3}s, {:.0} tokens/s, {:.0} words/s per core",
        tokens as f64 / median,
        words as f64 / median
    );
    Ok(())
}
