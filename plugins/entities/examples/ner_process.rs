//! Measures the plugin's whole `process` path as the host drives it: document JSON in,
//! through the C descriptor (JSON decode, [`entities::analyse`], result JSON encode), result
//! JSON out, on the BBC News corpus, one thread. Documents are read as the daemon reads
//! input files (`ingest_text::read_articles`, then `ingest_text::analyse`) and encoded to
//! JSON beforehand; only the `process` calls are timed, in CPU time of this thread.
//!
//! ```sh
//! cargo run --release -p entities --example ner_process -- [BBC_DIR] [--runs 3] [--limit N] [--dump FILE]
//! ```
//! `--dump FILE` writes one line per article, `path<TAB>result JSON` (path relative to
//! the corpus folder), from the first run: the before/after comparison of a speed change
//! (`cmp old new`).

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ingest_abi::ffi::STATUS_OK;
use ingest_abi::testing::TestHost;
use ingest_abi::{Document, Source, Span};

/// CPU time of the calling thread, in seconds (Linux: `/proc/thread-self/schedstat`, ns).
fn thread_cpu() -> Result<f64, String> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat")
        .map_err(|e| format!("/proc/thread-self/schedstat: {e}"))?;
    let ns: u64 = s
        .split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .ok_or("/proc/thread-self/schedstat: no CPU time field")?;
    Ok(ns as f64 * 1e-9)
}

/// The documents of one input file, built as the daemon's `input.rs` builds them (the
/// source's hash and time are placeholders: the plugin does not read them).
fn documents(path: &Path) -> Result<Vec<Document>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let name = path.display().to_string();
    let limits = ingest_text::Limits { max_decompressed: 16 << 20 };
    let extracted =
        ingest_text::read_articles(&name, &bytes, limits).map_err(|e| format!("{name}: {e:?}"))?;
    let span = |s: ingest_text::Span| Span { start: s.start, end: s.end };
    Ok(extracted
        .articles
        .into_iter()
        .map(|article| {
            let text = article.text;
            let analysis = ingest_text::analyse(&text);
            let title = article.title.or_else(|| analysis.title.map(|t| t.slice(&text).to_owned()));
            Document {
                id: format!("b3:{name}"),
                source: Source {
                    name: name.clone(),
                    bytes: bytes.len() as u64,
                    sha256: String::new(),
                    received_at: "2026-01-01T00:00:00Z".into(),
                },
                title,
                language: article.language.code.to_owned(),
                paragraphs: analysis.paragraphs.into_iter().map(span).collect(),
                sentences: analysis.sentences.into_iter().map(span).collect(),
                text,
                plugins: Default::default(),
            }
        })
        .collect())
}

fn main() -> Result<(), String> {
    let mut dir = common::shared_data().join("bbc_news/bbc");
    let (mut runs, mut limit, mut dump) = (3, usize::MAX, None);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |flag: &str| args.next().ok_or(format!("{flag} needs a value"));
        match a.as_str() {
            "--runs" => runs = value("--runs")?.parse().map_err(|e| format!("--runs: {e}"))?,
            "--limit" => limit = value("--limit")?.parse().map_err(|e| format!("--limit: {e}"))?,
            "--dump" => dump = Some(PathBuf::from(value("--dump")?)),
            other => dir = other.into(),
        }
    }
    let mut paths = Vec::new();
    common::text_files(&dir, &mut paths);
    paths.sort();
    paths.truncate(limit);
    if runs == 0 {
        return Err("--runs must be at least 1".into());
    }
    if paths.is_empty() {
        return Err(format!("no .txt files under {}", dir.display()));
    }
    let mut docs: Vec<(String, String)> = Vec::new();
    let mut tokens = 0;
    for p in &paths {
        for d in documents(p)? {
            tokens += entities::tagger::tokens::sentence_tokens(&d.text, &d.sentences)
                .iter()
                .map(Vec::len)
                .sum::<usize>();
            let json = serde_json::to_string(&d).map_err(|e| format!("{}: {e}", p.display()))?;
            docs.push((p.strip_prefix(&dir).unwrap_or(p).display().to_string(), json));
        }
    }

    // SAFETY: returns a pointer to the plugin's static descriptor.
    let descriptor = unsafe { &*entities::ingest_plugin_descriptor() };
    let host = TestHost::new();
    let started = Instant::now();
    let instance = host.create(descriptor, "{}").map_err(|(s, m)| format!("create: status {s}: {m}"))?;
    println!("create {:.1} ms", started.elapsed().as_secs_f64() * 1e3);

    let mut cpu = Vec::new();
    for run in 1..=runs {
        let mut out = (run == 1).then_some(()).and(dump.as_ref()).map(|_| String::new());
        let (wall, start) = (Instant::now(), thread_cpu()?);
        let mut bytes = 0;
        for (name, json) in &docs {
            let (status, result) = instance.process(json);
            if status != STATUS_OK {
                return Err(format!("{name}: status {status}: {result}"));
            }
            bytes += result.len();
            if let Some(out) = out.as_mut() {
                out.push_str(name);
                out.push('\t');
                out.push_str(&result);
                out.push('\n');
            }
        }
        let (s, w) = (thread_cpu()? - start, wall.elapsed().as_secs_f64());
        println!(
            "run {run}: {} docs, {tokens} tokens, {bytes} result bytes, CPU {s:.3}s ({:.3} ms/doc, {:.0} tokens/s), wall {w:.3}s",
            docs.len(),
            s * 1e3 / docs.len() as f64,
            tokens as f64 / s
        );
        cpu.push(s);
        if let (Some(out), Some(path)) = (out, dump.as_ref()) {
            let mut f = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
            f.write_all(out.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))?;
            println!("results written to {}", path.display());
        }
    }
    cpu.sort_by(f64::total_cmp);
    let median = cpu[cpu.len() / 2];
    println!(
        "median CPU: {median:.3}s, {:.3} ms/doc, {:.0} tokens/s per core",
        median * 1e3 / docs.len() as f64,
        tokens as f64 / median
    );
    Ok(())
}
