//! Indexes every `.txt` file under the given folders (sorted by path) with the default
//! configuration and prints what the dedup plugin found, how long it took and how large the
//! index grew: the figures behind the cost notes in the crate documentation.
//!
//! ```sh
//! cargo run --release -p dedup --example dedup_index_folder -- ../shared/data/bbc_news/bbc
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;

use dedup::{Config, Dedup};
use ingest_abi::{Document, Source, Span};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "txt") {
            out.push(path);
        }
    }
}

fn document(path: &Path, root: &Path) -> Document {
    let bytes = std::fs::read(path).expect("readable file");
    let raw = String::from_utf8_lossy(&bytes);
    let text = ingest_text::clean(&raw).text;
    let paragraphs = ingest_text::paragraphs(&text);
    let sentences = ingest_text::sentences(&text, &paragraphs);
    let spans = |v: Vec<ingest_text::Span>| -> Vec<Span> {
        v.into_iter().map(|s| Span { start: s.start, end: s.end }).collect()
    };
    let name = path.strip_prefix(root).unwrap_or(path).to_string_lossy().replace('/', "_");
    Document {
        id: format!("b3:{}", blake3::hash(&bytes).to_hex()),
        source: Source { name, bytes: bytes.len() as u64, sha256: String::new(), received_at: String::new() },
        title: None,
        language: "en".to_owned(),
        paragraphs: spans(paragraphs),
        sentences: spans(sentences),
        text,
        plugins: Default::default(),
    }
}

fn main() {
    let roots: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let mut files = Vec::new();
    for root in &roots {
        collect(root, &mut files);
    }
    files.sort();
    let state = std::env::temp_dir().join(format!("dedup-index-folder-{}", std::process::id()));
    std::fs::create_dir_all(&state).expect("state folder");
    let dedup = Dedup::open(Config::default(), Some(&state)).expect("index");
    let (mut exact, mut near, mut repeated) = (0, 0, 0);
    let mut stories = std::collections::HashSet::new();
    let started = Instant::now();
    for path in &files {
        let root = roots.iter().find(|r| path.starts_with(r)).expect("under a root");
        let answer = dedup.analyse(&document(path, root)).expect("analysed");
        exact += usize::from(answer.exact_duplicate_of.is_some());
        near += usize::from(!answer.near_duplicates.is_empty());
        repeated += usize::from(!answer.repeated_paragraphs.is_empty());
        stories.insert(answer.story);
    }
    let elapsed = started.elapsed();
    drop(dedup);
    let size = std::fs::metadata(state.join("dedup.redb")).map_or(0, |m| m.len());
    println!("articles {}", files.len());
    println!("exact duplicates {exact}");
    println!("with near-duplicates {near}");
    println!("with repeated paragraphs {repeated}");
    println!("stories {}", stories.len());
    println!(
        "time {:.2} s ({:.2} ms per article, one thread, fsync per article)",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1000.0 / files.len().max(1) as f64
    );
    println!("index {} bytes ({} per article)", size, size / files.len().max(1) as u64);
    std::fs::remove_dir_all(&state).ok();
}
