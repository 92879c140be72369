//! Indexes every `.txt` file under the given folders (sorted by path) with the default
//! configuration and prints what the dedup plugin found, how long it took and how large the
//! index grew: the figures behind the cost notes in the crate documentation.
//!
//! ```sh
//! cargo run --release -p dedup --example dedup_index_folder -- ../shared/data/bbc_news/bbc
//! ```
//!
//! Flags: `--flush N` calls `flush` every N articles as the daemon does
//! per batch (default 16); `--dump FILE` writes each article's answer JSON on a line, in
//! path order, so two builds can be compared byte for byte (`cmp`); `--state DIR` builds the
//! index in DIR and keeps it (default: a temporary folder, removed). The time reported is
//! the CPU time of the analysing thread spent inside `analyse` (`CLOCK_THREAD_CPUTIME_ID`, so
//! other processes on the box do not count), documents read and cleaned beforehand.

use std::fs::File;
use std::io::{BufWriter, Write};
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

/// `struct timespec` of the C library (64-bit Linux).
#[repr(C)]
struct Timespec {
    sec: i64,
    nsec: i64,
}

unsafe extern "C" {
    fn clock_gettime(clock: i32, out: *mut Timespec) -> i32;
}

/// CPU time this thread has run so far, in nanoseconds (`CLOCK_THREAD_CPUTIME_ID`: exact at
/// the call, unlike `/proc/thread-self/schedstat`, which lags by up to a scheduler tick).
fn thread_cpu_ns() -> u64 {
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut t = Timespec { sec: 0, nsec: 0 };
    // SAFETY: `t` is a valid, writable timespec; the clock id is Linux's constant.
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    t.sec as u64 * 1_000_000_000 + t.nsec as u64
}

fn main() {
    let (mut roots, mut dump, mut kept, mut flush_every) = (Vec::new(), None, None, 16usize);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--dump" => dump = Some(PathBuf::from(args.next().expect("--dump FILE"))),
            "--flush" => flush_every = args.next().and_then(|n| n.parse().ok()).expect("--flush N"),
            "--state" => kept = Some(PathBuf::from(args.next().expect("--state DIR"))),
            _ => roots.push(PathBuf::from(arg)),
        }
    }
    let flush_every = flush_every.max(1);
    let mut files = Vec::new();
    for root in &roots {
        collect(root, &mut files);
    }
    files.sort();
    let documents: Vec<Document> = files
        .iter()
        .map(|path| document(path, roots.iter().find(|r| path.starts_with(r)).expect("under a root")))
        .collect();
    let mut dump = dump.map(|path| BufWriter::new(File::create(&path).expect("dump file")));
    let state = kept
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("dedup-index-folder-{}", std::process::id())));
    std::fs::create_dir_all(&state).expect("state folder");
    let dedup = Dedup::open(Config::default(), Some(&state)).expect("index");
    let (mut exact, mut near, mut repeated) = (0, 0, 0);
    let mut stories = std::collections::HashSet::new();
    let (mut cpu_ns, mut flush_ns) = (0u64, 0u64);
    let started = Instant::now();
    for (i, document) in documents.iter().enumerate() {
        let before = thread_cpu_ns();
        let answer = dedup.analyse(document).expect("analysed");
        let after = thread_cpu_ns();
        cpu_ns += after - before;
        if (i + 1) % flush_every == 0 || i + 1 == documents.len() {
            dedup.flush().expect("flushed");
            flush_ns += thread_cpu_ns() - after;
        }
        if let Some(out) = dump.as_mut() {
            serde_json::to_writer(&mut *out, &answer).expect("dump written");
            out.write_all(b"\n").expect("dump written");
        }
        exact += usize::from(answer.exact_duplicate_of.is_some());
        near += usize::from(!answer.near_duplicates.is_empty());
        repeated += usize::from(!answer.repeated_paragraphs.is_empty());
        stories.insert(answer.story);
    }
    let elapsed = started.elapsed();
    if let Some(mut out) = dump {
        out.flush().expect("dump written");
    }
    drop(dedup);
    let size = std::fs::metadata(state.join("dedup.redb")).map_or(0, |m| m.len());
    println!("articles {}", files.len());
    println!("exact duplicates {exact}");
    println!("with near-duplicates {near}");
    println!("with repeated paragraphs {repeated}");
    println!("stories {}", stories.len());
    let per = |ns: u64| ns as f64 / 1e3 / files.len().max(1) as f64;
    println!(
        "time {:.2} s wall ({:.2} ms per article, one thread, flush every {flush_every})",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1000.0 / files.len().max(1) as f64
    );
    println!(
        "cpu in analyse {:.1} µs per article, in flush {:.1} µs per article",
        per(cpu_ns),
        per(flush_ns)
    );
    println!("index {} bytes ({} per article)", size, size / files.len().max(1) as u64);
    if kept.is_none() {
        std::fs::remove_dir_all(&state).ok();
    }
}
