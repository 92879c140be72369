//! Micro-benchmarks of the text primitives on the daemon's hot path
//! (`cargo bench -p ingest-text --bench tokens`), on BBC News articles from
//! `../shared/data/bbc_news/bbc` (the seeds when it is missing), cleaned as the daemon cleans.
//!
//! - `tokens`: [`ingest_text::tokens`] (collects every token with its offsets);
//! - `word_count`: [`ingest_text::word_count`] (the iterator, nothing collected);
//! - `analyse`: [`ingest_text::analyse`] (paragraphs, sentences, title, word count);
//! - `clean`: [`ingest_text::clean`] on the raw file text.
//!
//! Throughput is in bytes of text, so the figures read as MB/s.

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn texts() -> Vec<String> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bbc = workspace.join("../shared/data/bbc_news/bbc");
    let root = if bbc.is_dir() { bbc } else { workspace.join("../shared/seeds") };
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("corpus folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "txt") {
                files.push(path);
            }
        }
    }
    files.sort();
    let step = (files.len() / 200).max(1);
    files
        .iter()
        .step_by(step)
        .filter_map(|p| std::fs::read(p).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect()
}

fn benches(c: &mut Criterion) {
    let raw = texts();
    let cleaned: Vec<String> = raw.iter().map(|t| ingest_text::clean(t).text).collect();
    let bytes: usize = cleaned.iter().map(String::len).sum();
    let mut group = c.benchmark_group("text");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(20);
    group.bench_function("tokens", |b| {
        b.iter(|| cleaned.iter().map(|t| ingest_text::tokens(t).len()).sum::<usize>())
    });
    group.bench_function("word_count", |b| {
        b.iter(|| cleaned.iter().map(|t| ingest_text::word_count(t)).sum::<usize>())
    });
    group.bench_function("analyse", |b| {
        b.iter(|| cleaned.iter().map(|t| ingest_text::analyse(t).sentences.len()).sum::<usize>())
    });
    group.throughput(Throughput::Bytes(raw.iter().map(String::len).sum::<usize>() as u64));
    group.bench_function("clean", |b| {
        b.iter(|| raw.iter().map(|t| ingest_text::clean(t).text.len()).sum::<usize>())
    });
    group.finish();
}

criterion_group!(text, benches);
criterion_main!(text);
