//! Story clustering: which earlier article is this one about the same thing as?
//!
//! Each article becomes a unit-length TF-IDF vector over its content words (folded words
//! that are not stopwords and contain a letter). The IDF is learnt incrementally from the
//! documents indexed so far, and each vector is frozen with the IDF of the moment it was
//! indexed: cheap (no re-weighting of the window) but the first few hundred articles are
//! weighted by an immature IDF. A new article joins the story of the most similar article in
//! the recent window when their cosine reaches the threshold, otherwise it starts a story.
//!
//! Entity overlap (from the entities plugin) was considered and left out: it would make this
//! plugin's answer depend on another plugin being configured before it, and entity variants
//! (Zelensky/Zelenskyy) need the linking that plugin does not promise.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

use crate::minhash::word_hash;
use crate::normalise::Words;

/// The most heavily weighted terms kept per article vector; bounds memory per article.
pub const MAX_TERMS: usize = 200;

/// Document-frequency counters: a term counts in slot `hash % DF_SLOTS` (8 MiB of u32s,
/// whatever the vocabulary; two terms sharing a slot share a count, which only blurs the IDF
/// of rare terms a little).
pub const DF_SLOTS: usize = 1 << 21;

fn slot(term: u64) -> usize {
    (term % DF_SLOTS as u64) as usize
}

/// Counts each list of terms (one list per article) into `df`, sizing it first.
pub fn count_terms<'a>(df: &mut Vec<u32>, articles: impl IntoIterator<Item = &'a [u64]>) {
    df.resize(DF_SLOTS, 0);
    for terms in articles {
        for &term in terms {
            let c = &mut df[slot(term)];
            *c = c.saturating_add(1);
        }
    }
}

/// Function words carrying no topic (English; other languages keep all their words).
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "even",
    "ever",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "however",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "last",
    "many",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "myself",
    "new",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "said",
    "same",
    "say",
    "says",
    "she",
    "should",
    "since",
    "so",
    "some",
    "still",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "two",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "year",
    "years",
    "yet",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

/// The content terms of an article: (term hash, count), sorted by hash. A possessive counts
/// as its stem ("Putin's" is "putin").
pub fn terms(words: &Words) -> Vec<(u64, u32)> {
    count(words.texts().filter_map(|w| content_term(w, word_hash(w))))
}

/// The story term of one folded word whose [`word_hash`] is `hash`: the hash of its stem
/// (without a possessive ending) when that is a content word (at least two characters, one
/// of them a letter, not a stopword), else `None`.
pub fn content_term(word: &str, hash: u64) -> Option<u64> {
    let stem = ingest_text::strip_possessive(word);
    let content = stem.chars().nth(1).is_some()
        && stem.chars().any(char::is_alphabetic)
        && STOPWORDS.binary_search(&stem).is_err();
    match content {
        false => None,
        true if stem.len() == word.len() => Some(hash),
        true => Some(word_hash(stem)),
    }
}

/// Counts term hashes into (term, count) sorted by term: [`terms`] from precomputed
/// [`content_term`]s.
pub fn count(terms: impl IntoIterator<Item = u64>) -> Vec<(u64, u32)> {
    let mut all: Vec<u64> = terms.into_iter().collect();
    all.sort_unstable();
    let mut counted: Vec<(u64, u32)> = Vec::with_capacity(all.len());
    for term in all {
        match counted.last_mut() {
            Some((last, n)) if *last == term => *n += 1,
            _ => counted.push((term, 1)),
        }
    }
    counted
}

/// The story id an article starts: `s-` and the first 16 hex digits of its id.
pub fn story_id(document_id: &str) -> String {
    let hex = document_id.strip_prefix("b3:").unwrap_or(document_id);
    format!("s-{}", hex.chars().take(16).collect::<String>())
}

/// One article in the window: its index number, story and frozen unit vector.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryDoc {
    /// The article's number in the index (increasing in indexing order).
    pub no: u64,
    /// The story it belongs to.
    pub story: String,
    /// Unit TF-IDF vector, (term hash, weight) sorted by term hash.
    pub vector: Vec<(u64, f32)>,
}

/// Hashes a term hash for the postings map by using it as is: term hashes are already
/// uniformly distributed (BLAKE3-derived), so SipHash over them was pure cost.
#[derive(Debug, Default)]
struct TermHasher(u64);

impl Hasher for TermHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, term: u64) {
        self.0 ^= term;
    }
}

/// Asks the CPU to start loading the cache line at `at` (a posting list read soon after),
/// so the misses of an article's posting lists overlap instead of coming one by one.
#[inline(always)]
fn prefetch<T>(at: *const T) {
    // SAFETY: a prefetch neither faults (whatever the address) nor changes memory, and SSE
    // is part of every x86_64 CPU.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(at.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}

/// The recent-article window and the learnt document frequencies.
#[derive(Debug, Default)]
pub struct Stories {
    /// The window, oldest first; at most `capacity` long.
    window: VecDeque<StoryDoc>,
    /// Term -> (article number, weight) for the window's articles, oldest first, so evicting
    /// the oldest article pops the front of each of its terms' lists. Numbers are kept as
    /// their low 32 bits (8 bytes a posting instead of 16): the window spans far fewer than
    /// 2³² numbers, so offsets from its first article are exact with wrapping arithmetic.
    postings: HashMap<u64, VecDeque<(u32, f32)>, BuildHasherDefault<TermHasher>>,
    /// Hashed counters: articles whose vector holds a term of the slot ([`DF_SLOTS`]).
    df: Vec<u32>,
    /// Number of indexed articles counted in `df`.
    docs: u64,
    /// The window's size.
    capacity: usize,
    /// Scratch for [`Stories::most_similar`]: one score per window article.
    scores: Vec<f32>,
}

impl Stories {
    /// A clustering state from what the index stored: document frequencies, the number of
    /// articles they count, and the most recent articles (oldest first).
    pub fn new(capacity: usize, mut df: Vec<u32>, docs: u64, recent: Vec<StoryDoc>) -> Self {
        df.resize(DF_SLOTS, 0);
        let mut stories = Self { capacity: capacity.max(1), df, docs, ..Self::default() };
        for doc in recent {
            stories.push_window(doc);
        }
        stories
    }

    /// The unit TF-IDF vector of an article with these `terms`, weighted as if the article
    /// were already counted (so its own rare words get a finite IDF). Sublinear TF
    /// (1 + ln tf), smoothed IDF (ln((1 + N) / (1 + df)) + 1); only the [`MAX_TERMS`]
    /// heaviest terms are kept.
    pub fn vector(&self, terms: &[(u64, u32)]) -> Vec<(u64, f32)> {
        let n = (self.docs + 1) as f64;
        // The counters are read first, all together: each read is a cache miss in the 8 MiB
        // table, and with no logarithm between them the CPU overlaps those misses.
        let counts: Vec<u32> = terms.iter().map(|&(term, _)| self.df[slot(term)]).collect();
        let mut weighted: Vec<(u64, f64)> = terms
            .iter()
            .zip(counts)
            .map(|(&(term, tf), count)| {
                let df = u64::from(count) + 1;
                let idf = ((1.0 + n) / (1.0 + df as f64)).ln() + 1.0;
                // ln 1 is exactly 0 (IEEE 754), and most terms occur once.
                let tf_ln = if tf == 1 { 0.0 } else { f64::from(tf).ln() };
                (term, (1.0 + tf_ln) * idf)
            })
            .collect();
        weighted.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        weighted.truncate(MAX_TERMS);
        let norm = weighted.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
        let mut vector: Vec<(u64, f32)> = weighted
            .into_iter()
            .map(|(term, w)| (term, if norm > 0.0 { (w / norm) as f32 } else { 0.0 }))
            .collect();
        vector.sort_unstable_by_key(|&(term, _)| term);
        vector
    }

    /// The window article most similar to `vector` (cosine; ties go to the earlier article)
    /// with that similarity, or `None` when nothing shares a term. Takes `&mut self` only to
    /// reuse its score buffer.
    pub fn most_similar(&mut self, vector: &[(u64, f32)]) -> Option<(&StoryDoc, f64)> {
        // Window numbers are consecutive, so scores live in a dense array (a hash map here
        // cost more than everything else per article).
        let first = self.window.front()?.no;
        let last = self.window.back()?.no;
        self.scores.clear();
        self.scores.resize(usize::try_from(last - first + 1).ok()?, 0.0);
        // A plain slice, so the loop keeps its length and address in registers.
        let scores = self.scores.as_mut_slice();
        // The posting lists are looked up first, all together: each lookup is a cache miss or
        // two, and with no work between them the CPU overlaps those misses.
        let lists: Vec<(&VecDeque<(u32, f32)>, f32)> = vector
            .iter()
            .filter_map(|(term, weight)| {
                let list = self.postings.get(term)?;
                prefetch(list.as_slices().0.as_ptr());
                Some((list, *weight))
            })
            .collect();
        let mut touched = false;
        // Each article's score sums its terms' products in the order of `vector`.
        for (list, weight) in lists {
            let (older, newer) = list.as_slices();
            for part in [older, newer] {
                for &(no, other) in part {
                    if let Some(score) = scores.get_mut(no.wrapping_sub(first as u32) as usize) {
                        *score += weight * other;
                        touched = true;
                    }
                }
            }
        }
        if !touched {
            return None;
        }
        // The highest score, at its first (earliest) position. Scores are sums of products
        // of positive weights: never NaN nor -0.0, so `max` and `==` order them as
        // `total_cmp` would.
        let best = scores.iter().fold(0f32, |m, &s| m.max(s));
        if best <= 0.0 {
            return None;
        }
        let offset = scores.iter().position(|&s| s == best)?;
        let no = first + offset as u64;
        let at = self.window.binary_search_by_key(&no, |d| d.no).ok()?;
        Some((&self.window[at], f64::from(best)))
    }

    /// Counts an indexed article: its vector's terms into the document frequencies (the
    /// index can replay exactly these after a restart), its vector into the window
    /// (evicting the oldest article when full).
    pub fn add(&mut self, doc: StoryDoc) {
        for &(term, _) in &doc.vector {
            let c = &mut self.df[slot(term)];
            *c = c.saturating_add(1);
        }
        self.docs += 1;
        self.push_window(doc);
    }

    /// The document-frequency counters and the number of articles they count.
    pub fn df(&self) -> (&[u32], u64) {
        (&self.df, self.docs)
    }

    fn push_window(&mut self, doc: StoryDoc) {
        for &(term, weight) in &doc.vector {
            self.postings.entry(term).or_default().push_back((doc.no as u32, weight));
        }
        self.window.push_back(doc);
        while self.window.len() > self.capacity {
            let Some(old) = self.window.pop_front() else { break };
            for (term, _) in &old.vector {
                if let Some(list) = self.postings.get_mut(term) {
                    list.pop_front();
                    if list.is_empty() {
                        self.postings.remove(term);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::words;

    #[test]
    fn stopwords_are_sorted_for_binary_search() {
        assert!(STOPWORDS.windows(2).all(|p| p[0] < p[1]));
    }

    #[test]
    fn content_terms_skip_stopwords_numbers_and_single_letters() {
        let t = terms(&words("The ceasefire and the ceasefire, 2025 a G7"));
        assert_eq!(t.len(), 2, "ceasefire, g7: {t:?}");
        assert!(t.contains(&(word_hash("ceasefire"), 2)));
    }

    #[test]
    fn a_tie_goes_to_the_earlier_article_and_unrelated_text_matches_nothing() {
        let mut s = Stories::new(10, Vec::new(), 0, Vec::new());
        let text = "ceasefire talks moscow kremlin";
        let v = s.vector(&terms(&words(text)));
        for no in 5..8 {
            s.add(StoryDoc { no, story: format!("s-{no}"), vector: v.clone() });
        }
        let (best, score) = s.most_similar(&v).unwrap();
        assert_eq!(best.story, "s-5", "three equal scores: the earliest wins");
        assert!((score - 1.0).abs() < 1e-5, "{score}");
        assert!(s.most_similar(&s.vector(&terms(&words("tennis open final")))).is_none());
    }

    #[test]
    fn counting_terms_matches_counting_words() {
        let w = words("Putin's talks, Putin talks: the talks of 2025 in G7 Putin's");
        let t = terms(&w);
        assert!(t.windows(2).all(|p| p[0].0 < p[1].0), "sorted by hash, distinct");
        assert!(t.contains(&(word_hash("putin"), 3)) && t.contains(&(word_hash("talks"), 3)));
        assert_eq!(t.len(), 3, "putin, talks, g7: {t:?}");
    }

    #[test]
    fn the_window_finds_the_closest_article_and_forgets_the_oldest() {
        let mut s = Stories::new(2, Vec::new(), 0, Vec::new());
        let docs = ["ceasefire talks moscow kremlin", "football league cup final", "tennis open"];
        for (no, text) in docs.iter().enumerate() {
            let t = terms(&words(text));
            let v = s.vector(&t);
            s.add(StoryDoc { no: no as u64, story: format!("s-{no}"), vector: v });
        }
        let query = s.vector(&terms(&words("football cup final tonight")));
        let (best, score) = s.most_similar(&query).unwrap();
        assert_eq!(best.story, "s-1");
        assert!(score > 0.3 && score <= 1.0001, "{score}");
        let evicted = s.vector(&terms(&words("kremlin ceasefire talks")));
        assert!(s.most_similar(&evicted).is_none(), "article 0 left the window");
    }

    #[test]
    fn story_ids_are_short() {
        assert_eq!(story_id("b3:0123456789abcdef0123"), "s-0123456789abcdef");
    }
}
