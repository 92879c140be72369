//! [`similar`]: are two folded words spellings of one name? ("zelensky"/"zelenskyy")

/// Levenshtein distance between two strings, in chars, giving up (returning `limit + 1`)
/// as soon as it must exceed `limit`.
pub fn edit_distance(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let substitution = prev[j] + usize::from(ca != cb);
            cur[j + 1] = substitution.min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > limit {
            return limit + 1;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()].min(limit + 1)
}

/// Minimum length (chars) of both words before one edit is tolerated: shorter names differ
/// meaningfully by one letter ("Lamy"/"Lammy" may be two people; "Iran"/"Iraq" are).
pub const MIN_FUZZY_LEN: usize = 6;

/// Two folded words name the same thing: equal, or both at least [`MIN_FUZZY_LEN`] chars
/// and one edit apart.
pub fn similar(a: &str, b: &str) -> bool {
    a == b
        || (a.chars().count() >= MIN_FUZZY_LEN && b.chars().count() >= MIN_FUZZY_LEN && within_one_edit(a, b))
}

/// `edit_distance(a, b, 1) <= 1`, without allocating: after the common prefix, the rest
/// of both must be equal once one char is substituted, or dropped from the longer one.
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let (mut x, mut y) = (a.chars(), b.chars());
    loop {
        let (rx, ry) = (x.clone(), y.clone());
        match (x.next(), y.next()) {
            (Some(p), Some(q)) if p == q => continue,
            (None, None) => return true,
            // First difference: substitute, insert or delete one char; the rest must match.
            (p, q) => {
                return (p.is_some() && q.is_some() && x.clone().eq(y.clone()))
                    || (p.is_some() && x.eq(ry))
                    || (q.is_some() && rx.eq(y));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("zelensky", "zelenskyy", 2), 1);
        assert_eq!(edit_distance("kitten", "sitting", 5), 3);
        assert_eq!(edit_distance("kitten", "sitting", 1), 2);
        assert_eq!(edit_distance("", "abc", 5), 3);
    }

    #[test]
    fn one_edit_check_agrees_with_the_distance() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "acb",
            "abcd",
            "zelensky",
            "zelenskyy",
            "zelenskiy",
            "zelensk",
            "éa",
            "ea",
        ];
        for a in words {
            for b in words {
                assert_eq!(within_one_edit(a, b), edit_distance(a, b, 1) <= 1, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn only_long_names_are_fuzzy() {
        assert!(similar("zelensky", "zelenskyy"));
        assert!(!similar("iran", "iraq"));
        assert!(!similar("lamy", "lammy"));
        assert!(!similar("austria", "australia"));
    }
}
