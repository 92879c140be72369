//! [`salience`]: how central each entity is to the article.
//!
//! An entity's salience is its share of the article's mentions, each mention weighted by
//! how early it comes: a mention at the very start weighs 1, one at the very end 0.5
//! (news puts what matters first: headline, lead). So
//! `salience(e) = Σ_{m ∈ e} w(m) / Σ_{all m} w(m)`, with `w(m) = 1 − 0.5 · start(m) / len`.
//! Saliences of one article sum to 1, and the same text always gets the same values.

/// Salience of each entity, given the start offsets of its mentions and the text length
/// in code points. Rounded to four decimals.
pub fn salience(entities: &[Vec<usize>], text_len: usize) -> Vec<f64> {
    let len = text_len.max(1) as f64;
    let weight = |start: usize| 1.0 - 0.5 * (start as f64 / len).min(1.0);
    let raw: Vec<f64> = entities.iter().map(|starts| starts.iter().map(|&s| weight(s)).sum()).collect();
    let total: f64 = raw.iter().sum();
    raw.iter().map(|r| if total > 0.0 { (r / total * 10_000.0).round() / 10_000.0 } else { 0.0 }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_weighted_by_earliness() {
        let s = salience(&[vec![0, 50], vec![90], vec![0]], 100);
        assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-3);
        assert!(s[0] > s[2] && s[2] > s[1], "{s:?}");
        assert_eq!(salience(&[], 0), Vec::<f64>::new());
    }
}
