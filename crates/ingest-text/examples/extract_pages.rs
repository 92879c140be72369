//! Prints, for each `*.html` page in a folder, the body ingest-text extracts, as JSON Lines
//! (`{"page": name, "body": text}`): the input of `scripts/extraction_eval.py`, which scores
//! it and trafilatura against the known bodies.
//!
//! `cargo run --release -p ingest-text --example extract_pages -- crates/ingest-text/tests/fixtures/pages`

use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(
        std::env::args().nth(1).unwrap_or_else(|| "crates/ingest-text/tests/fixtures/pages".into()),
    );
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("readable folder").path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    pages.sort();
    for page in pages {
        let bytes = std::fs::read(&page).unwrap_or_else(|e| panic!("cannot read {}: {e}", page.display()));
        let name = page.file_name().expect("a file name").to_string_lossy().into_owned();
        let body = ingest_text::html_body(&bytes);
        println!("{}", serde_json::json!({"page": name, "body": body}));
    }
}
