//! The BBC News corpus (`shared/data/bbc_news/bbc/<category>/NNN.txt`) as articles, and the
//! near-duplicate pairs it already holds.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

/// One corpus article.
#[derive(Debug, Clone)]
pub struct Article {
    /// `category_NNN` (the file's place in the corpus).
    pub name: String,
    /// The file's text (lossy UTF-8: `sport/199.txt` has one Latin-1 byte).
    pub text: String,
}

/// Every `.txt` file under `bbc` (the folder holding the category folders), sorted by path.
pub fn load(bbc: &Path) -> std::io::Result<Vec<Article>> {
    let mut out = Vec::new();
    let mut categories: Vec<_> = std::fs::read_dir(bbc)?.flatten().map(|e| e.path()).collect();
    categories.sort();
    for category in categories.into_iter().filter(|p| p.is_dir()) {
        let mut files: Vec<_> = std::fs::read_dir(&category)?.flatten().map(|e| e.path()).collect();
        files.sort();
        let cat = category.file_name().unwrap_or_default().to_string_lossy().into_owned();
        for file in files.into_iter().filter(|p| p.extension().is_some_and(|e| e == "txt")) {
            let bytes = std::fs::read(&file)?;
            let stem = file.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            out.push(Article {
                name: format!("{cat}_{stem}"),
                text: String::from_utf8_lossy(&bytes).into_owned(),
            });
        }
    }
    Ok(out)
}

/// Lowercased runs of letters and digits (the peer's `\w+`, near enough), independent of the
/// plugin's tokenizer so labels do not inherit its choices.
pub fn simple_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// The set of hashed word `k`-shingles of `text` (a text shorter than `k` is one shingle).
pub fn shingle_set(text: &str, k: usize) -> HashSet<u64> {
    let words = simple_words(text);
    if words.is_empty() {
        return HashSet::new();
    }
    let k = k.min(words.len());
    words
        .windows(k)
        .map(|w| {
            let mut h = DefaultHasher::new();
            w.hash(&mut h);
            h.finish()
        })
        .collect()
}

/// A pair of articles sharing word 5-shingles: indices into the article list (first < second).
#[derive(Debug, Clone, Copy)]
pub struct SharedPair {
    /// The earlier article.
    pub first: usize,
    /// The later article.
    pub second: usize,
    /// Jaccard of their 5-shingle sets.
    pub jaccard: f64,
    /// Shared shingles over the smaller set.
    pub containment: f64,
}

/// Every pair of articles sharing at least `min_shared` word 5-shingles (byte-identical
/// pairs included), found through an inverted index.
pub fn shared_pairs(articles: &[Article], min_shared: usize) -> Vec<SharedPair> {
    let sets: Vec<HashSet<u64>> = articles.iter().map(|a| shingle_set(&a.text, 5)).collect();
    let mut postings: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, set) in sets.iter().enumerate() {
        for &s in set {
            postings.entry(s).or_default().push(i);
        }
    }
    let mut counts: HashMap<(usize, usize), usize> = HashMap::new();
    for list in postings.values() {
        if list.len() > 50 {
            continue; // a phrase in fifty articles is common wording, not copying
        }
        for (x, &a) in list.iter().enumerate() {
            for &b in &list[x + 1..] {
                *counts.entry((a, b)).or_default() += 1;
            }
        }
    }
    let mut pairs: Vec<SharedPair> = counts
        .into_iter()
        .filter(|&(_, n)| n >= min_shared)
        .map(|((a, b), n)| {
            let (la, lb) = (sets[a].len(), sets[b].len());
            SharedPair {
                first: a,
                second: b,
                jaccard: n as f64 / (la + lb - n) as f64,
                containment: n as f64 / la.min(lb).max(1) as f64,
            }
        })
        .collect();
    pairs.sort_by_key(|p| (p.first, p.second));
    pairs
}
