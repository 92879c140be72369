//! Rebuilds the dedup index from an outbox: reads every result JSON file in `--outbox DIR`,
//! orders them by `source.received_at` (then file name), and feeds each article's text to a
//! fresh index in `--state DIR` with the given (or default) configuration. Paragraph spans,
//! which results do not carry, are recomputed with `ingest_text::paragraphs`.
//!
//! ```sh
//! cargo run --release -p dedup --example dedup_rebuild_index -- --outbox outbox --state state/dedup
//! ```
//!
//! Refuses a state folder that already holds the index file (move it away first). The
//! rebuilt answers follow arrival order, so they equal the published ones when the outbox
//! holds every article since the index was started.

mod common;

use std::path::PathBuf;

use dedup::{Config, Dedup};
use ingest_abi::{Document, Source, Span};

fn main() {
    let args = common::Args::parse();
    let (Some(outbox), Some(state)) = (args.get("outbox"), args.get("state")) else {
        eprintln!("usage: rebuild_index --outbox DIR --state DIR [--config JSON]");
        std::process::exit(2);
    };
    let config: Config = match args.get("config") {
        Some(json) => serde_json::from_str(json).expect("--config: a dedup configuration table as JSON"),
        None => Config::default(),
    };
    let state = PathBuf::from(state);
    if state.join(&config.index).exists() {
        eprintln!("{} already exists; move it away to rebuild", state.join(&config.index).display());
        std::process::exit(2);
    }
    std::fs::create_dir_all(&state).expect("state folder");
    let mut results: Vec<(String, String, Document)> = Vec::new();
    let mut skipped = 0;
    let mut files: Vec<PathBuf> = std::fs::read_dir(outbox)
        .expect("outbox readable")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .collect();
    files.sort();
    for path in files {
        let parsed: Option<serde_json::Value> =
            std::fs::read(&path).ok().and_then(|b| serde_json::from_slice(&b).ok());
        let Some(value) = parsed else {
            skipped += 1;
            continue;
        };
        let (Some(id), Some(text), Some(source)) =
            (value["id"].as_str(), value["text"].as_str(), value.get("source"))
        else {
            skipped += 1;
            continue;
        };
        let Ok(source) = serde_json::from_value::<Source>(source.clone()) else {
            skipped += 1;
            continue;
        };
        let paragraphs =
            ingest_text::paragraphs(text).into_iter().map(|s| Span { start: s.start, end: s.end }).collect();
        let received = source.received_at.clone();
        let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let document = Document {
            id: id.to_owned(),
            source,
            title: value["title"].as_str().map(str::to_owned),
            language: value["language"].as_str().unwrap_or("und").to_owned(),
            text: text.to_owned(),
            paragraphs,
            sentences: Vec::new(),
            plugins: Default::default(),
        };
        results.push((received, name, document));
    }
    results.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let dedup = Dedup::open(config, Some(&state)).expect("index");
    for (_, _, document) in &results {
        dedup.analyse(document).expect("indexed");
    }
    drop(dedup);
    println!(
        "indexed {} results into {} ({skipped} files skipped: not results)",
        results.len(),
        state.display()
    );
}
