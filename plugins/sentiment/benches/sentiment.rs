//! Micro-benchmarks of the sentiment plugin's `process` work through its Rust API
//! (`cargo bench -p sentiment --bench sentiment`), on the VADER ground-truth snippets and on
//! BBC News articles (`../shared/data`), split into sentences as the host splits them.
//!
//! - `snippets/vader` and `snippets/news`: every ground-truth text scored whole (what
//!   `examples/sentiment_bench.rs` times against the Python package);
//! - `article/news`: [`sentiment::document::analyse`] on one article (its sentences, the
//!   document score; no entity results here, the `ingestd` pipeline bench has them).

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ingest_abi::{Document, Source, Span};
use sentiment::document::{Scorer, analyse};
use sentiment::lexicon::Lexicon;
use sentiment::news::NewsModel;
use sentiment::score::polarity;

fn data() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

fn snippets() -> Vec<String> {
    let dir = data().join("vader_groundtruth");
    let mut out = Vec::new();
    for name in ["tweets", "movieReviewSnippets", "amazonReviewSnippets"] {
        let Ok(text) = std::fs::read_to_string(dir.join(format!("{name}_GroundTruth.txt"))) else { continue };
        out.extend(text.lines().filter_map(|l| l.splitn(3, '\t').nth(2)).map(str::to_owned));
    }
    if out.is_empty() {
        out.push("The talks were a great success, but the ceasefire is fragile :(".to_owned());
    }
    out
}

fn articles() -> Vec<Document> {
    let dir = data().join("bbc_news/bbc/business");
    let mut files: Vec<_> =
        std::fs::read_dir(&dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    files.sort();
    files
        .iter()
        .take(100)
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .chain(std::iter::once(
            "Trump hails talks.\n\nThe minister said the deal was excellent. Critics disagreed.".into(),
        ))
        .map(|raw| {
            let text = ingest_text::clean(&raw).text;
            let a = ingest_text::analyse(&text);
            let span = |s: ingest_text::Span| Span { start: s.start, end: s.end };
            Document {
                id: "b3:bench".into(),
                source: Source {
                    name: "a.txt".into(),
                    bytes: 0,
                    sha256: String::new(),
                    received_at: String::new(),
                },
                title: None,
                language: "en".into(),
                paragraphs: a.paragraphs.into_iter().map(span).collect(),
                sentences: a.sentences.into_iter().map(span).collect(),
                text,
                plugins: Default::default(),
            }
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let snippets = snippets();
    let lexicon = Lexicon::vader().expect("lexicon");
    let news = NewsModel::new().expect("news model");
    let mut group = c.benchmark_group("snippets");
    group.throughput(Throughput::Elements(snippets.len() as u64));
    group.sample_size(10);
    group.bench_function("vader", |b| {
        b.iter(|| snippets.iter().map(|t| polarity(t, &lexicon).compound).sum::<f64>())
    });
    group.bench_function("news", |b| b.iter(|| snippets.iter().map(|t| news.text(t)).sum::<f64>()));
    group.finish();

    let docs = articles();
    let config = sentiment::Config::default();
    let scorer = Scorer::News(news);
    let mut group = c.benchmark_group("article");
    group.throughput(Throughput::Elements(docs.len() as u64));
    group.sample_size(10);
    group.bench_function("news", |b| {
        b.iter(|| docs.iter().filter_map(|d| analyse(d, &[], &scorer, &config, || false)).count())
    });
    group.finish();
}

criterion_group!(sentiment_benches, benches);
criterion_main!(sentiment_benches);
