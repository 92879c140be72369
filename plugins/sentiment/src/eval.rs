//! Ground-truth files and the figures the evaluation commands report (`examples/sentiment_eval.rs`,
//! `examples/sentiment_fit.rs`): reading, a deterministic train/test split, Pearson r and 3-class
//! macro-F1.
//!
//! Files are read as `peers/eval_sentiment.py` reads them, so the two scorers agree:
//! UTF-8 with replacement, universal newlines, `id<TAB>mean<TAB>text` (VADER's
//! `*_GroundTruth.txt`, mean on -4..+4; a header line is skipped) or Financial PhraseBank's
//! `sentence@label` (id = 1-based line number, label read as +1/0/-1).
//!
//! Classes are the peer's too: predicted positive at score ≥ 0.05, negative at ≤ -0.05,
//! neutral between; gold = the **sign of the human mean** (0 is neutral).

use std::fmt::Write as _;

/// One rated text.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Its id in the file.
    pub id: String,
    /// Human mean (-4..+4), or +1/0/-1 for a labelled sentence.
    pub mean: f64,
    /// The text.
    pub text: String,
}

/// Reads a ground-truth file's content (see the module docs for the formats).
pub fn parse(content: &[u8]) -> Vec<Item> {
    let content = String::from_utf8_lossy(content);
    let mut out = Vec::new();
    // Python's universal newlines: "\r\n", "\r" and "\n" all end a line.
    let normalised = content.replace("\r\n", "\n").replace('\r', "\n");
    for (n, line) in normalised.split('\n').enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split('\t').collect();
        if parts.len() < 3 {
            if let Some((head, label)) = line.rsplit_once('@') {
                let mean = match label.trim().to_lowercase().as_str() {
                    "positive" => 1.0,
                    "negative" => -1.0,
                    "neutral" => 0.0,
                    _ => continue,
                };
                if !head.is_empty() {
                    out.push(Item { id: (n + 1).to_string(), mean, text: head.to_owned() });
                }
            }
            continue;
        }
        let Ok(mean) = parts[1].trim().parse::<f64>() else { continue };
        out.push(Item { id: parts[0].trim().to_owned(), mean, text: parts[2..].join("\t") });
    }
    out
}

/// Which half of a file an item belongs to, for fitting on one half and reporting on the
/// other. Deterministic: a hash (FNV-1a) of the item's *group*, the id up to `_` (so the
/// snippets of one Amazon review or editorial stay together), even = train.
pub fn is_train(id: &str) -> bool {
    let group = id.split('_').next().unwrap_or(id);
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in group.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h.is_multiple_of(2)
}

/// Pearson correlation; NaN when either side is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx == 0.0 || syy == 0.0 { f64::NAN } else { sxy / (sxx * syy).sqrt() }
}

/// The three classes, in the order figures are printed.
pub const CLASSES: [&str; 3] = ["pos", "neg", "neu"];

/// The class of a predicted score: ±0.05 as VADER uses.
pub fn predicted_class(score: f64) -> usize {
    if score >= 0.05 {
        0
    } else if score <= -0.05 {
        1
    } else {
        2
    }
}

/// The gold class: the sign of the human mean, 0 neutral.
pub fn gold_class(mean: f64) -> usize {
    if mean > 0.0 {
        0
    } else if mean < 0.0 {
        1
    } else {
        2
    }
}

/// The figures for one set of predictions.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// Number of items.
    pub n: usize,
    /// Pearson r of prediction to human mean.
    pub pearson: f64,
    /// Unweighted mean of the three classes' F1.
    pub macro_f1: f64,
    /// Support-weighted F1 (Hutto & Gilbert's Table 4 averaging).
    pub weighted_f1: f64,
    /// Share of items classified right.
    pub accuracy: f64,
    /// Per class (pos, neg, neu): precision, recall, F1, predicted, gold.
    pub per_class: [(f64, f64, f64, usize, usize); 3],
}

/// Scores `predictions` against `gold` means (same order).
pub fn figures(predictions: &[f64], gold: &[f64]) -> Figures {
    let pc: Vec<usize> = predictions.iter().map(|&p| predicted_class(p)).collect();
    let gc: Vec<usize> = gold.iter().map(|&g| gold_class(g)).collect();
    let mut per_class = [(0.0, 0.0, 0.0, 0, 0); 3];
    for (c, slot) in per_class.iter_mut().enumerate() {
        let tp = pc.iter().zip(&gc).filter(|&(&a, &b)| a == c && b == c).count();
        let np = pc.iter().filter(|&&a| a == c).count();
        let ng = gc.iter().filter(|&&b| b == c).count();
        let p = if np > 0 { tp as f64 / np as f64 } else { 0.0 };
        let r = if ng > 0 { tp as f64 / ng as f64 } else { 0.0 };
        let f = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
        *slot = (p, r, f, np, ng);
    }
    let n = predictions.len();
    Figures {
        n,
        pearson: pearson(predictions, gold),
        macro_f1: per_class.iter().map(|c| c.2).sum::<f64>() / 3.0,
        weighted_f1: per_class.iter().map(|c| c.2 * c.4 as f64).sum::<f64>() / n.max(1) as f64,
        accuracy: pc.iter().zip(&gc).filter(|(a, b)| a == b).count() as f64 / n.max(1) as f64,
        per_class,
    }
}

impl Figures {
    /// One line: `n=.. pearson=.. macro_f1=.. accuracy=.. weighted_f1=..`, then a line per
    /// class.
    pub fn report(&self) -> String {
        let mut s = format!(
            "n={} pearson={:.4} macro_f1={:.4} accuracy={:.4} weighted_f1={:.4}",
            self.n, self.pearson, self.macro_f1, self.accuracy, self.weighted_f1
        );
        for (name, (p, r, f, np, ng)) in CLASSES.iter().zip(&self.per_class) {
            let _ = write!(s, "\n  {name}: P={p:.3} R={r:.3} F1={f:.3} pred={np} gold={ng}");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_formats_like_the_peer_scorer() {
        let items = parse(b"1\t2.5\tgood day\r\nid\tmean\ttext\r\n2_1\t-1\ta\tb");
        assert_eq!(items.len(), 2);
        assert_eq!(items[1], Item { id: "2_1".into(), mean: -1.0, text: "a\tb".into() });
        let fpb = parse("Profit rose , it said .@positive\nFlat.@neutral\n".as_bytes());
        assert_eq!((fpb[0].id.as_str(), fpb[0].mean, fpb[1].mean), ("1", 1.0, 0.0));
        assert_eq!(fpb[0].text, "Profit rose , it said .");
    }

    #[test]
    fn figures_match_hand_computation() {
        let f = figures(&[0.5, -0.5, 0.0, 0.5], &[1.0, -2.0, 0.0, -1.0]);
        assert_eq!(f.n, 4);
        assert!((f.accuracy - 0.75).abs() < 1e-12);
        // pos: P 1/2 R 1 -> 2/3; neg: P 1 R 1/2 -> 2/3; neu: 1.
        assert!((f.macro_f1 - (2.0 / 3.0 + 2.0 / 3.0 + 1.0) / 3.0).abs() < 1e-12);
        assert!((pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.5]) - 0.9986).abs() < 1e-3);
    }

    #[test]
    fn split_keeps_groups_together_and_is_roughly_half() {
        assert_eq!(is_train("17_1"), is_train("17_9"));
        let train = (0..2000).filter(|i| is_train(&i.to_string())).count();
        assert!((900..1100).contains(&train), "{train}");
    }
}
