//! Micro-benchmarks of the daemon's hot path, through the real plugin libraries and the C ABI
//! exactly as the daemon calls them (`cargo bench -p ingestd --bench pipeline`).
//!
//! Needs the release plugin libraries: run `cargo build --release --workspace` first (they are
//! looked up in `target/release`). Inputs are BBC News articles from
//! `../shared/data/bbc_news/bbc` (the seeds when it is missing), prepared by the daemon's own
//! `input::prepare`.
//!
//! - `prepare`: decode, clean, segment, hash one article (what runs before any plugin);
//! - `abi_round_trip`: the `faulty` test plugin with no faults configured, which only counts
//!   characters: what crossing the boundary costs (document JSON out, parse in the plugin,
//!   result JSON back, parse in the host);
//! - `plugin/<name>`: one plugin's `process` through its descriptor, on the document JSON the
//!   host would hand it (with the results of the plugins before it);
//! - `result_json`: encoding one finished result as the spool writes it;
//! - `analyse`: `Pipeline::analyse` with all three standard plugins (dedup's index grows
//!   during the run; every article is a new document, see below).
//!
//! Dedup answers a redelivered document from its store, so every call gets a fresh id and
//! file name and a unique last line; from the second pass over the corpus on, each article is
//! a near-duplicate of its earlier copies (as in the end-to-end big burst).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ingest_abi::Document;
use ingestd::config::Config;
use ingestd::host::{Analysed, CallState, Pipeline, PluginInstance, locate, open};
use ingestd::input;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Prepared documents from the corpus (every `step`-th file, up to `limit`).
fn corpus(limit: usize) -> Vec<input::Prepared> {
    let bbc = workspace().join("../shared/data/bbc_news/bbc");
    let mut files = Vec::new();
    let roots = if bbc.is_dir() { vec![bbc] } else { vec![workspace().join("../shared/seeds")] };
    for root in roots {
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("corpus folder") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "txt") {
                    files.push(path);
                }
            }
        }
    }
    files.sort();
    let step = (files.len() / limit).max(1);
    files
        .iter()
        .step_by(step)
        .take(limit)
        .filter_map(|p| {
            let bytes = std::fs::read(p).ok()?;
            let name = p.file_name()?.to_string_lossy().into_owned();
            input::prepare(&name, &bytes, "2026-11-23T00:00:00.000Z".into(), u64::MAX).ok()
        })
        .flatten()
        .collect()
}

fn plugin_dir() -> PathBuf {
    let dir = workspace().join("target/release");
    assert!(
        dir.join("libentities.so").is_file(),
        "build the plugin libraries first: cargo build --release --workspace"
    );
    dir
}

fn instance(name: &str, state: &Path) -> PluginInstance {
    let path = locate(name, None, Some(&plugin_dir())).expect("plugin library");
    let dir = state.join(name);
    std::fs::create_dir_all(&dir).expect("state folder");
    PluginInstance::create(open(&path).expect("plugin opens"), name, &serde_json::json!({}), &dir)
        .expect("create")
}

/// Makes `document` a new article for dedup: a fresh id and name and a unique last line.
fn fresh(document: &Document, n: usize) -> Document {
    let mut d = document.clone();
    d.id = format!("b3:bench{n:016x}");
    d.source.name = format!("bench-{n}.txt");
    if n >= 1_000_000 {
        d.text.push_str(&format!("\n\nBench copy {n}."));
    }
    d
}

fn benches(c: &mut Criterion) {
    let docs = corpus(200);
    let bytes: usize = docs.iter().map(|p| p.document.text.len()).sum();
    let state = tempfile::tempdir().expect("temp dir");

    // Inputs as the host hands them: plain documents, then with the results before each plugin.
    let entities = instance("entities", state.path());
    let sentiment = instance("sentiment", state.path());
    let dedup = instance("dedup", state.path());
    let faulty = instance("faulty", state.path());
    let call = CallState::default();
    let mut with_entities = Vec::new();
    let mut with_both = Vec::new();
    for p in &docs {
        let mut d = p.document.clone();
        let e = entities.process(&serde_json::to_vec(&d).unwrap(), &call).expect("entities");
        d.plugins.insert("entities".into(), serde_json::from_slice(&e).unwrap());
        with_entities.push(serde_json::to_vec(&d).unwrap());
        let s = sentiment.process(with_entities.last().unwrap(), &call).expect("sentiment");
        d.plugins.insert("sentiment".into(), serde_json::from_slice(&s).unwrap());
        with_both.push(d);
    }
    let plain: Vec<Vec<u8>> = docs.iter().map(|p| serde_json::to_vec(&p.document).unwrap()).collect();

    let mut group = c.benchmark_group("per_article");
    group.throughput(Throughput::Bytes((bytes / docs.len()) as u64));
    group.sample_size(30);

    let raw: Vec<(String, Vec<u8>)> =
        docs.iter().map(|p| (p.document.source.name.clone(), p.document.text.clone().into_bytes())).collect();
    let mut i = 0usize;
    group.bench_function("prepare", |b| {
        b.iter(|| {
            let (name, bytes) = &raw[i % raw.len()];
            i += 1;
            input::prepare(name, bytes, String::new(), u64::MAX).unwrap()
        })
    });
    let mut i = 0usize;
    group.bench_function("abi_round_trip", |b| {
        b.iter(|| {
            let p = &docs[i % docs.len()];
            i += 1;
            let json = serde_json::to_vec(&p.document).unwrap();
            let out = faulty.process(&json, &call).unwrap();
            serde_json::from_slice::<serde_json::Value>(&out).unwrap()
        })
    });
    let mut i = 0usize;
    group.bench_function("plugin/entities", |b| {
        b.iter(|| {
            i += 1;
            entities.process(&plain[i % plain.len()], &call).unwrap()
        })
    });
    let mut i = 0usize;
    group.bench_function("plugin/sentiment", |b| {
        b.iter(|| {
            i += 1;
            sentiment.process(&with_entities[i % with_entities.len()], &call).unwrap()
        })
    });
    let n = AtomicUsize::new(0);
    group.bench_function("plugin/dedup", |b| {
        b.iter_batched(
            || {
                let k = n.fetch_add(1, Ordering::Relaxed);
                let suffix = if k >= with_both.len() { 1_000_000 + k } else { k };
                serde_json::to_vec(&fresh(&with_both[k % with_both.len()], suffix)).unwrap()
            },
            |json| dedup.process(&json, &call).unwrap(),
            criterion::BatchSize::SmallInput,
        )
    });
    // Finished results, as the pipeline assembles them (on a pipeline of their own).
    let results_state = tempfile::tempdir().expect("temp dir");
    let config = Config { plugin_dir: Some(plugin_dir()), ..Config::default() };
    let results_pipeline = Pipeline::load(&config, results_state.path()).expect("default pipeline");
    let results: Vec<Analysed> =
        docs.iter().map(|p| results_pipeline.analyse(p.document.clone(), p.stats, Vec::new())).collect();
    let mut i = 0usize;
    group.bench_function("result_json", |b| {
        b.iter(|| {
            i += 1;
            serde_json::to_vec_pretty(&results[i % results.len()]).unwrap()
        })
    });
    group.finish();

    // The whole pipeline (the default configuration), on its own state.
    let pipeline_state = tempfile::tempdir().expect("temp dir");
    let pipeline = Pipeline::load(&config, pipeline_state.path()).expect("default pipeline");
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(20);
    let n = AtomicUsize::new(0);
    group.bench_function("analyse", |b| {
        b.iter_batched(
            || {
                let k = n.fetch_add(1, Ordering::Relaxed);
                let p = &docs[k % docs.len()];
                let suffix = if k >= docs.len() { 1_000_000 + k } else { k };
                (fresh(&p.document, suffix), p.stats)
            },
            |(document, stats)| pipeline.analyse(document, stats, Vec::new()),
            criterion::BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(pipeline, benches);
criterion_main!(pipeline);
