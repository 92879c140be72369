//! Shared by the dedup crate's evaluation and benchmark commands (`examples/`) and by the
//! harness test (`tests/harness.rs`): a seeded RNG, the BBC corpus, the copy-benchmark
//! generator, the metrics, and documents built the way the daemon builds them.
//!
//! Nothing here ships in the plugin: it is compiled only into examples and tests.

#![allow(dead_code)]

pub mod corpus;
pub mod eval;
pub mod generate;
pub mod metrics;
pub mod rng;

use ingest_abi::{Document, Source, Span};

/// A document as the daemon builds it from a file `name` holding `raw` (cleaned text,
/// paragraphs, sentences, `b3:` id of the bytes).
pub fn document(name: &str, raw: &str, received_at: &str) -> Document {
    let text = ingest_text::clean(raw).text;
    let paragraphs = ingest_text::paragraphs(&text);
    let sentences = ingest_text::sentences(&text, &paragraphs);
    let spans = |v: Vec<ingest_text::Span>| -> Vec<Span> {
        v.into_iter().map(|s| Span { start: s.start, end: s.end }).collect()
    };
    Document {
        id: format!("b3:{}", blake3::hash(raw.as_bytes()).to_hex()),
        source: Source {
            name: name.to_owned(),
            bytes: raw.len() as u64,
            sha256: String::new(),
            received_at: received_at.to_owned(),
        },
        title: None,
        language: "en".to_owned(),
        paragraphs: spans(paragraphs),
        sentences: spans(sentences),
        text,
        plugins: Default::default(),
    }
}

/// Peak resident set size of this process in KiB (`VmHWM` in /proc/self/status), if known.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Disk space allocated to the files under `path`, in bytes (blocks, as `du` counts: a
/// sparse file's holes are free).
pub fn disk_usage(path: &std::path::Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(path) else { return 0 };
    if meta.is_file() {
        return meta.blocks() * 512;
    }
    std::fs::read_dir(path).map(|entries| entries.flatten().map(|e| disk_usage(&e.path())).sum()).unwrap_or(0)
}

/// A tiny flag parser: `--key value` pairs and bare `--switch`es.
#[derive(Debug, Default)]
pub struct Args {
    /// (key without dashes, value or empty for a switch), in order.
    pairs: Vec<(String, String)>,
}

impl Args {
    /// Parses `std::env::args()`; a flag followed by another flag (or nothing) is a switch.
    pub fn parse() -> Self {
        let raw: Vec<String> = std::env::args().skip(1).collect();
        let mut pairs = Vec::new();
        let mut i = 0;
        while i < raw.len() {
            let key = raw[i].trim_start_matches("--").to_owned();
            if i + 1 < raw.len() && !raw[i + 1].starts_with("--") {
                pairs.push((key, raw[i + 1].clone()));
                i += 2;
            } else {
                pairs.push((key, String::new()));
                i += 1;
            }
        }
        Self { pairs }
    }

    /// The value of `--key`, if given.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The value of `--key` parsed, or `default`; exits with a message on a bad value.
    pub fn value<T: std::str::FromStr>(&self, key: &str, default: T) -> T {
        match self.get(key) {
            None => default,
            Some(v) => v.parse().unwrap_or_else(|_| {
                eprintln!("bad value for --{key}: {v:?}");
                std::process::exit(2)
            }),
        }
    }

    /// Whether the switch `--key` was given.
    pub fn has(&self, key: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == key)
    }
}

/// The shared data folder next to the repository (`../shared/data` from the workspace root).
pub fn default_data_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}
