//! Learns word clusters from unlabelled text and writes `data/gazetteer/clusters.txt`
//! (`word<TAB>packed ids`), which `train` folds into the model's lexicon.
//!
//! Text: the BBC News corpus (`../shared/data/bbc_news/bbc`) and the words of CoNLL-2003
//! `train` (never dev or test). Each word seen at least `--min-count` times is described
//! by the counts of its left and right neighbours among the 600 most frequent words
//! (square-rooted, L2-normalised); spherical k-means groups the words at three
//! granularities (k = 800, 200, 50). The ids are packed 10 bits each, + 1.
//!
//! It also learns Brown clusters ([`entities::tagger::brown`], window `--window`, default
//! 300) from the same text, as one stream with `<s>` between sentences, and writes
//! `data/gazetteer/brown.txt` (`word<TAB>bit path`).
//!
//! ```sh
//! cargo run --release -p entities --example ner_clusters -- [--min-count 3] [--window 300]
//! ```

mod common;

use std::collections::HashMap;

use entities::tagger::conll;
use entities::tagger::lexicon::BROWN_BITS;
use ingest_abi::Span;

const CONTEXT: usize = 600;
const KS: [usize; 3] = [800, 200, 50];
const ITERATIONS: usize = 12;

fn kmeans(vectors: &[Vec<(u32, f32)>], k: usize, seed: u64) -> Vec<u16> {
    let dims = 2 * CONTEXT;
    let n = vectors.len();
    let mut rng = seed;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    // Start from k distinct words spread over the frequency list.
    let mut centroids = vec![0f32; k * dims];
    for c in 0..k {
        let w = (next() as usize) % n;
        for &(d, x) in &vectors[w] {
            centroids[c * dims + d as usize] = x;
        }
    }
    let mut assign = vec![0u16; n];
    for _ in 0..ITERATIONS {
        for (w, v) in vectors.iter().enumerate() {
            let (mut best, mut arg) = (f32::NEG_INFINITY, 0);
            for c in 0..k {
                let row = &centroids[c * dims..(c + 1) * dims];
                let s: f32 = v.iter().map(|&(d, x)| row[d as usize] * x).sum();
                if s > best {
                    (best, arg) = (s, c);
                }
            }
            assign[w] = arg as u16;
        }
        centroids.iter_mut().for_each(|x| *x = 0.0);
        for (w, v) in vectors.iter().enumerate() {
            let c = usize::from(assign[w]);
            for &(d, x) in v {
                centroids[c * dims + d as usize] += x;
            }
        }
        for c in 0..k {
            let row = &mut centroids[c * dims..(c + 1) * dims];
            let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt();
            if norm > 0.0 {
                row.iter_mut().for_each(|x| *x /= norm);
            } else {
                let w = (next() as usize) % n;
                for &(d, x) in &vectors[w] {
                    row[d as usize] = x;
                }
            }
        }
    }
    assign
}

fn main() -> Result<(), String> {
    let mut min_count = 3usize;
    let mut window = 300usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--min-count" => min_count = args.next().ok_or("value")?.parse().map_err(|e| format!("{e}"))?,
            "--window" => window = args.next().ok_or("value")?.parse().map_err(|e| format!("{e}"))?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    // Sentences of lowercased words.
    let mut sentences: Vec<Vec<String>> = Vec::new();
    let mut paths = Vec::new();
    common::text_files(&common::shared_data().join("bbc_news/bbc"), &mut paths);
    paths.sort();
    for p in &paths {
        let raw = String::from_utf8_lossy(&std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?)
            .into_owned();
        let text = ingest_text::clean(&raw).text;
        let a = ingest_text::analyse(&text);
        let spans: Vec<Span> = a.sentences.iter().map(|s| Span { start: s.start, end: s.end }).collect();
        for s in entities::tagger::tokens::sentence_tokens(&text, &spans) {
            sentences.push(s.iter().map(|t| ingest_text::fold(t.text(&text))).collect());
        }
    }
    let train = std::fs::read_to_string(common::shared_data().join("conll2003/train.txt"))
        .map_err(|e| e.to_string())?;
    for doc in conll::read(&train)? {
        for s in &doc {
            sentences.push(conll::map(s).words.iter().map(|w| ingest_text::fold(w)).collect());
        }
    }
    let mut freq: HashMap<&str, usize> = HashMap::new();
    for s in &sentences {
        for w in s {
            *freq.entry(w.as_str()).or_default() += 1;
        }
    }
    let mut by_freq: Vec<(&str, usize)> = freq.iter().map(|(w, c)| (*w, *c)).collect();
    by_freq.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let context: HashMap<&str, u32> =
        by_freq.iter().take(CONTEXT).enumerate().map(|(i, (w, _))| (*w, i as u32)).collect();
    let vocab: Vec<&str> = by_freq.iter().filter(|(_, c)| *c >= min_count).map(|(w, _)| *w).collect();
    let index: HashMap<&str, usize> = vocab.iter().enumerate().map(|(i, w)| (*w, i)).collect();
    let mut counts: Vec<HashMap<u32, f32>> = vec![HashMap::new(); vocab.len()];
    for s in &sentences {
        for (i, w) in s.iter().enumerate() {
            let Some(&v) = index.get(w.as_str()) else { continue };
            let left =
                if i == 0 { Some(CONTEXT as u32 - 1) } else { context.get(s[i - 1].as_str()).copied() };
            let right = s.get(i + 1).map_or(Some(CONTEXT as u32 - 1), |r| context.get(r.as_str()).copied());
            if let Some(l) = left {
                *counts[v].entry(l).or_default() += 1.0;
            }
            if let Some(r) = right {
                *counts[v].entry(CONTEXT as u32 + r).or_default() += 1.0;
            }
        }
    }
    let vectors: Vec<Vec<(u32, f32)>> = counts
        .into_iter()
        .map(|m| {
            let mut v: Vec<(u32, f32)> = m.into_iter().map(|(d, c)| (d, c.sqrt())).collect();
            v.sort_by_key(|x| x.0);
            let norm = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt().max(1e-9);
            v.iter_mut().for_each(|x| x.1 /= norm);
            v
        })
        .collect();
    eprintln!("{} sentences, {} words clustered", sentences.len(), vocab.len());
    let assignments: Vec<Vec<u16>> =
        KS.iter().enumerate().map(|(i, &k)| kmeans(&vectors, k, 0x9E37 + i as u64)).collect();
    let out = common::crate_dir().join("data/gazetteer/clusters.txt");
    let mut text = String::from(
        "# Generated by `cargo run --release -p entities --example ner_clusters`: word clusters from the\n\
         # BBC News corpus and the words of CoNLL-2003 train (distributional k-means, k = 800/200/50).\n\
         # word<TAB>(id800+1) | (id200+1) << 10 | (id50+1) << 20\n",
    );
    for (w, word) in vocab.iter().enumerate() {
        let packed = assignments
            .iter()
            .enumerate()
            .fold(0u32, |p, (lvl, a)| p | ((u32::from(a[w]) + 1) << (10 * lvl)));
        text.push_str(&format!("{word}\t{packed}\n"));
    }
    std::fs::write(&out, text).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("wrote {}", out.display());
    brown(&sentences, &vocab, window)
}

/// Brown clusters of `vocab` (most frequent first) from `sentences`, written to
/// `data/gazetteer/brown.txt`.
fn brown(sentences: &[Vec<String>], vocab: &[&str], window: usize) -> Result<(), String> {
    const BOUNDARY: &str = "<s>";
    let mut words: Vec<&str> = vec![BOUNDARY];
    words.extend(vocab.iter().filter(|w| **w != BOUNDARY));
    // The boundary is the most frequent "word": one per sentence.
    let index: HashMap<&str, u32> = words.iter().enumerate().map(|(i, w)| (*w, i as u32)).collect();
    let mut counts: HashMap<(u32, u32), f64> = HashMap::new();
    let mut prev = Some(0u32);
    for s in sentences {
        for w in s.iter().map(|w| index.get(w.as_str()).copied()).chain(std::iter::once(Some(0))) {
            if let (Some(a), Some(b)) = (prev, w) {
                *counts.entry((a, b)).or_default() += 1.0;
            }
            prev = w;
        }
    }
    let mut bigrams: Vec<(u32, u32, f64)> = counts.into_iter().map(|((a, b), c)| (a, b, c)).collect();
    bigrams.sort_by_key(|x| (x.0, x.1));
    let (mut left, mut right) = (vec![0.0; words.len()], vec![0.0; words.len()]);
    let mut total = 0.0;
    for &(a, b, c) in &bigrams {
        left[a as usize] += c;
        right[b as usize] += c;
        total += c;
    }
    let started = std::time::Instant::now();
    let paths = entities::tagger::brown::cluster(words.len(), &bigrams, &left, &right, total, window);
    eprintln!("brown: {} words, window {window}, {:.1}s", words.len(), started.elapsed().as_secs_f64());
    let out = common::crate_dir().join("data/gazetteer/brown.txt");
    let mut text = format!(
        "# Generated by `cargo run --release -p entities --example ner_clusters`: Brown clusters (window\n\
         # {window}) from the BBC News corpus and the words of CoNLL-2003 train.\n\
         # word<TAB>bit path (the first {BROWN_BITS} bits: the tagger uses no more)\n"
    );
    for (w, p) in words.iter().zip(&paths).skip(1) {
        let p = &p[..p.len().min(BROWN_BITS)];
        text.push_str(&format!("{w}\t{p}\n"));
    }
    std::fs::write(&out, text).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("wrote {}", out.display());
    Ok(())
}
