//! Running the dedup engine over a generated stream and scoring its answers.

use std::collections::HashMap;

use dedup::{Config, Dedup, DedupResult};

use super::generate::Item;
use super::metrics::{self, Clusters, Prf};

/// What the engine said about one item.
#[derive(Debug, Clone, Default)]
pub struct Prediction {
    /// Earlier items it named (exact original first, then near-duplicates).
    pub named: Vec<usize>,
}

/// Runs a fresh in-memory engine with `config` over `items` in order.
pub fn run(items: &[Item], config: &Config) -> Vec<Prediction> {
    let dedup = Dedup::open(config.clone(), None).expect("dedup engine");
    run_with(&dedup, items)
}

/// Runs `dedup` over `items` in order, mapping named source files back to items.
pub fn run_with(dedup: &Dedup, items: &[Item]) -> Vec<Prediction> {
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let received = format!("2005-01-01T00:00:00.{i:06}Z");
        let answer: DedupResult =
            dedup.analyse(&super::document(&item.name, &item.text, &received)).expect("analysed");
        let mut named = Vec::new();
        let refs = answer
            .exact_duplicate_of
            .iter()
            .map(|d| d.source.as_str())
            .chain(answer.near_duplicates.iter().map(|n| n.source.as_str()));
        for source in refs {
            if let Some(&j) = by_name.get(source) {
                named.push(j);
            }
        }
        by_name.insert(item.name.as_str(), i);
        out.push(Prediction { named });
    }
    out
}

/// The figures for one run.
#[derive(Debug, Clone)]
pub struct Scores {
    /// "Is a copy of an earlier article" flags.
    pub flags: Prf,
    /// Flags that also name an article of the right copy cluster.
    pub attributed: Prf,
    /// Adjusted Rand index of the copy clusters (links named by the engine vs the labels).
    pub ari: f64,
    /// Per copy kind: (copies, flagged).
    pub by_kind: Vec<(String, usize, usize)>,
}

/// Scores `predictions` against the labels in `items`.
pub fn score(items: &[Item], predictions: &[Prediction]) -> Scores {
    let gold: Vec<bool> = items.iter().map(|i| i.copy_of.is_some()).collect();
    let flagged: Vec<bool> = predictions.iter().map(|p| !p.named.is_empty()).collect();
    let right: Vec<bool> = items
        .iter()
        .zip(predictions)
        .map(|(item, p)| p.named.iter().any(|&j| items[j].cluster == item.cluster))
        .collect();
    // Attributed: a true positive must name an article of the right copy cluster; a flag
    // naming only wrong articles is a false positive (and, on a copy, also a miss).
    let mut attributed = metrics::prf(&right, &gold);
    attributed.fp = flagged.iter().zip(&right).filter(|(f, r)| **f && !**r).count();
    attributed.precision = attributed.tp as f64 / (attributed.tp + attributed.fp).max(1) as f64;
    attributed.f1 = if attributed.precision + attributed.recall > 0.0 {
        2.0 * attributed.precision * attributed.recall / (attributed.precision + attributed.recall)
    } else {
        0.0
    };
    let mut clusters = Clusters::new(items.len());
    for (i, p) in predictions.iter().enumerate() {
        for &j in &p.named {
            clusters.union(i, j);
        }
    }
    let gold_labels: Vec<usize> = items.iter().map(|i| i.cluster).collect();
    let ari = metrics::adjusted_rand_index(&gold_labels, &clusters.labels());
    let mut kinds: HashMap<String, (usize, usize)> = HashMap::new();
    for (item, &f) in items.iter().zip(&flagged) {
        let e = kinds.entry(item.kind.split('+').next().unwrap_or_default().to_owned()).or_default();
        e.0 += 1;
        e.1 += usize::from(f);
    }
    let mut by_kind: Vec<(String, usize, usize)> = kinds.into_iter().map(|(k, (n, f))| (k, n, f)).collect();
    by_kind.sort();
    Scores { flags: metrics::prf(&flagged, &gold), attributed, ari, by_kind }
}
