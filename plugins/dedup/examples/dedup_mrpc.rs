//! Checks the same-story signal at sentence level on MRPC **train** (the test split is held
//! out and never read): for each labelled pair, the cosine of the plugin's TF-IDF story
//! vectors (IDF learnt from all train sentences) and the shingle Jaccard. Prints ROC AUC,
//! F1 at the default `story_threshold` and the best threshold's F1 for each signal.
//!
//! ```sh
//! cargo run --release -p dedup --example dedup_mrpc
//! ```

mod common;

use std::collections::HashMap;

use dedup::story::{Stories, StoryDoc, terms};
use dedup::{Config, minhash, normalise};

fn cosine(a: &[(u64, f32)], b: &[(u64, f32)]) -> f64 {
    let map: HashMap<u64, f32> = a.iter().copied().collect();
    b.iter().map(|(t, w)| f64::from(map.get(t).copied().unwrap_or(0.0) * w)).sum()
}

fn auc(scores: &[(f64, bool)]) -> f64 {
    let mut s = scores.to_vec();
    s.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut rank_sum, mut pos, mut i) = (0.0, 0usize, 0);
    while i < s.len() {
        let mut j = i;
        while j < s.len() && s[j].0 == s[i].0 {
            j += 1;
        }
        let avg_rank = (i + j + 1) as f64 / 2.0;
        for x in &s[i..j] {
            if x.1 {
                rank_sum += avg_rank;
                pos += 1;
            }
        }
        i = j;
    }
    let neg = s.len() - pos;
    (rank_sum - (pos * (pos + 1)) as f64 / 2.0) / (pos * neg).max(1) as f64
}

fn f1_at(scores: &[(f64, bool)], t: f64) -> f64 {
    let pred: Vec<bool> = scores.iter().map(|s| s.0 >= t).collect();
    let gold: Vec<bool> = scores.iter().map(|s| s.1).collect();
    common::metrics::prf(&pred, &gold).f1
}

fn report(name: &str, scores: &[(f64, bool)], default: Option<f64>) {
    let (best_t, best) = (1..100)
        .map(|i| f64::from(i) / 100.0)
        .map(|t| (t, f1_at(scores, t)))
        .fold((0.0, 0.0), |acc, x| if x.1 > acc.1 { x } else { acc });
    let at_default = default.map_or(String::new(), |d| format!("  F1 at {d} {:.4}", f1_at(scores, d)));
    println!("{name:28} AUC {:.4}{at_default}  best F1 {best:.4} at {best_t:.2}", auc(scores));
}

fn main() {
    let args = common::Args::parse();
    let path = args.get("pairs").map_or_else(
        || common::default_data_dir().join("mrpc/msr_paraphrase_train.txt"),
        std::path::PathBuf::from,
    );
    assert!(!path.to_string_lossy().contains("test"), "MRPC test is held out");
    let text = std::fs::read_to_string(&path).expect("MRPC train");
    let pairs: Vec<(bool, String, String)> = text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() >= 5).then(|| (f[0] == "1", f[3].to_owned(), f[4].to_owned()))
        })
        .collect();
    // IDF from every train sentence, as the plugin would learn it from what it has indexed.
    let mut stories = Stories::new(1, Vec::new(), 0, Vec::new());
    for (i, (_, a, b)) in pairs.iter().enumerate() {
        for (j, s) in [a, b].into_iter().enumerate() {
            let v = stories.vector(&terms(&normalise::words(s)));
            stories.add(StoryDoc { no: (2 * i + j) as u64, story: String::new(), vector: v });
        }
    }
    let mut story = Vec::new();
    let mut jaccard5 = Vec::new();
    let mut jaccard1 = Vec::new();
    for (label, a, b) in &pairs {
        let (wa, wb) = (normalise::words(a), normalise::words(b));
        let (va, vb) = (stories.vector(&terms(&wa)), stories.vector(&terms(&wb)));
        story.push((cosine(&va, &vb), *label));
        let o5 = minhash::overlap(&minhash::shingles(&wa, 5), &minhash::shingles(&wb, 5));
        jaccard5.push((o5.jaccard.max(o5.containment), *label));
        let o1 = minhash::overlap(&minhash::shingles(&wa, 1), &minhash::shingles(&wb, 1));
        jaccard1.push((o1.jaccard, *label));
    }
    let positives = pairs.iter().filter(|p| p.0).count();
    println!(
        "MRPC train: {} pairs, {positives} paraphrases ({:.3} of pairs)",
        pairs.len(),
        positives as f64 / pairs.len() as f64
    );
    let c = Config::default();
    report("story cosine (TF-IDF)", &story, Some(c.story_threshold));
    report("5-shingle max(J, C)", &jaccard5, Some(c.threshold));
    report("word Jaccard", &jaccard1, None);
    println!("(\"everything is a paraphrase\" scores F1 {:.4})", f1_at(&story, -1.0));
}
