//! The figures the evaluation prints: precision/recall/F1 of binary flags and the adjusted
//! Rand index of two clusterings.

use std::collections::HashMap;

/// Precision, recall and F1 of a set of binary predictions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prf {
    /// True positives.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// False negatives.
    pub fn_: usize,
    /// tp / (tp + fp), 0 when nothing was flagged.
    pub precision: f64,
    /// tp / (tp + fn), 0 when nothing should have been.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
}

/// Scores `predicted` against `gold`, element by element.
pub fn prf(predicted: &[bool], gold: &[bool]) -> Prf {
    let mut tp = 0;
    let mut fp = 0;
    let mut fn_ = 0;
    for (&p, &g) in predicted.iter().zip(gold) {
        match (p, g) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fn_ += 1,
            (false, false) => {}
        }
    }
    let ratio = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
    let precision = ratio(tp, tp + fp);
    let recall = ratio(tp, tp + fn_);
    let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
    Prf { tp, fp, fn_, precision, recall, f1 }
}

fn comb2(n: u64) -> f64 {
    (n * n.saturating_sub(1)) as f64 / 2.0
}

/// The adjusted Rand index (Hubert & Arabie) of two labelings of the same items; 1.0 for
/// identical partitions, about 0 for independent ones. Two all-singleton (or both one-cluster)
/// labelings score 1.0.
pub fn adjusted_rand_index(a: &[usize], b: &[usize]) -> f64 {
    assert_eq!(a.len(), b.len(), "labelings of different lengths");
    let n = a.len() as u64;
    let mut cells: HashMap<(usize, usize), u64> = HashMap::new();
    let mut rows: HashMap<usize, u64> = HashMap::new();
    let mut cols: HashMap<usize, u64> = HashMap::new();
    for (&x, &y) in a.iter().zip(b) {
        *cells.entry((x, y)).or_default() += 1;
        *rows.entry(x).or_default() += 1;
        *cols.entry(y).or_default() += 1;
    }
    let index: f64 = cells.values().map(|&c| comb2(c)).sum();
    let sum_a: f64 = rows.values().map(|&c| comb2(c)).sum();
    let sum_b: f64 = cols.values().map(|&c| comb2(c)).sum();
    let expected = sum_a * sum_b / comb2(n).max(1.0);
    let max = (sum_a + sum_b) / 2.0;
    if (max - expected).abs() < f64::EPSILON {
        return 1.0;
    }
    (index - expected) / (max - expected)
}

/// Union-find over `n` items: the clusters that a set of "same as" links implies.
#[derive(Debug, Clone)]
pub struct Clusters {
    parent: Vec<usize>,
}

impl Clusters {
    /// `n` singletons.
    pub fn new(n: usize) -> Self {
        Self { parent: (0..n).collect() }
    }

    /// The representative of `x`'s cluster.
    pub fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// Puts `a` and `b` in one cluster.
    pub fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent[ra.max(rb)] = ra.min(rb);
        }
    }

    /// One label per item.
    pub fn labels(&mut self) -> Vec<usize> {
        (0..self.parent.len()).map(|i| self.find(i)).collect()
    }
}

/// The value at quantile `q` (0..=1) of `sorted` values (nearest rank).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}
