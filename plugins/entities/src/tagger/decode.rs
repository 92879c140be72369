//! BIO tags and [`viterbi`]: the best tag sequence under emission and transition scores,
//! with the BIO constraint built in (an `I-X` only continues a `B-X` or `I-X`).

use crate::result::EntityType;

/// Number of tags: `O`, then `B-`/`I-` for PER, ORG, LOC, MISC.
pub const TAGS: usize = 9;

/// The tag names, by index.
pub const TAG_NAMES: [&str; TAGS] =
    ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"];

/// Index of a tag name (`"B-LOC"`), accepting IOB1's names too.
#[must_use]
pub fn tag_index(name: &str) -> Option<u8> {
    TAG_NAMES.iter().position(|t| *t == name).map(|i| i as u8)
}

/// The entity type of a non-`O` tag.
#[must_use]
pub fn tag_type(tag: u8) -> Option<EntityType> {
    (tag != 0).then(|| EntityType::ALL[usize::from((tag - 1) / 2)])
}

/// The type slot of a tag: 0 for `O`, 1–4 for PER, ORG, LOC, MISC (B-X and I-X share it).
#[must_use]
pub fn slot(tag: u8) -> u8 {
    tag.div_ceil(2)
}

/// True for a `B-` tag.
#[must_use]
pub fn is_begin(tag: u8) -> bool {
    tag % 2 == 1
}

/// May tag `to` follow `from` (`None`: sentence start)?
#[must_use]
pub fn allowed(from: Option<u8>, to: u8) -> bool {
    if to == 0 || is_begin(to) {
        return true;
    }
    from.is_some_and(|f| f != 0 && slot(f) == slot(to))
}

/// Entity spans `(first token, one past last token, type)` of a valid tag sequence.
#[must_use]
pub fn spans(tags: &[u8]) -> Vec<(usize, usize, EntityType)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, u8)> = None;
    for (i, &t) in tags.iter().enumerate() {
        let continues = open.is_some_and(|(_, o)| t != 0 && !is_begin(t) && slot(o) == slot(t));
        if !continues {
            if let Some((s, o)) = open.take() {
                out.push((s, i, tag_type(o).expect("open span has a type")));
            }
            if t != 0 {
                open = Some((i, t));
            }
        }
    }
    if let Some((s, o)) = open {
        out.push((s, tags.len(), tag_type(o).expect("open span has a type")));
    }
    out
}

/// Best tags for `n` tokens. `emissions[i * TAGS + t]` scores tag `t` at token `i`;
/// `transitions[f][t]` scores `t` after `f`, with row `TAGS` for the sentence start.
/// Ties go to the lower tag index, so the result is deterministic.
pub fn viterbi(emissions: &[f32], transitions: &[[f32; TAGS]; TAGS + 1], out: &mut Vec<u8>) {
    Viterbi::new(transitions).decode(emissions, &mut Vec::new(), out);
}

/// [`viterbi`] with its transition scores prepared once: disallowed transitions (the BIO
/// constraint) score −∞, so decoding needs no BIO check per tag pair and gives exactly
/// [`viterbi`]'s answer (same `f32` sums in the same order, same tie-breaking).
#[derive(Debug, Clone, PartialEq)]
pub struct Viterbi {
    /// Sentence-start scores, −∞ where not allowed.
    start: [f32; TAGS],
    /// `trans[f][t]`, −∞ where `t` may not follow `f`.
    trans: [[f32; TAGS]; TAGS],
}

impl Viterbi {
    /// Prepares `transitions` (row `TAGS`: the sentence start).
    #[must_use]
    pub fn new(transitions: &[[f32; TAGS]; TAGS + 1]) -> Self {
        let mut start = [f32::NEG_INFINITY; TAGS];
        let mut trans = [[f32::NEG_INFINITY; TAGS]; TAGS];
        for t in 0..TAGS {
            if allowed(None, t as u8) {
                start[t] = transitions[TAGS][t];
            }
            for f in 0..TAGS {
                if allowed(Some(f as u8), t as u8) {
                    trans[f][t] = transitions[f][t];
                }
            }
        }
        Self { start, trans }
    }

    /// Best tags for the tokens of `emissions` (as in [`viterbi`]); `back` is scratch.
    pub fn decode(&self, emissions: &[f32], back: &mut Vec<[u8; TAGS]>, out: &mut Vec<u8>) {
        let n = emissions.len() / TAGS;
        out.clear();
        if n == 0 {
            return;
        }
        back.clear();
        back.resize(n, [0; TAGS]);
        let mut score = [f32::NEG_INFINITY; TAGS];
        for t in 0..TAGS {
            // −∞ + a finite emission stays −∞, as when the tag is skipped.
            score[t] = self.start[t] + emissions[t];
        }
        for (em, back) in emissions.chunks_exact(TAGS).zip(back.iter_mut()).skip(1) {
            // For each tag, the best previous tag; a previous score of −∞ (or a disallowed
            // transition) gives −∞, which never beats the running best, like a skip.
            let mut best = [f32::NEG_INFINITY; TAGS];
            let mut arg = [0u8; TAGS];
            for (f, (&sf, row)) in score.iter().zip(&self.trans).enumerate() {
                if sf == f32::NEG_INFINITY {
                    continue;
                }
                for t in 0..TAGS {
                    let s = sf + row[t];
                    if s > best[t] {
                        best[t] = s;
                        arg[t] = f as u8;
                    }
                }
            }
            for t in 0..TAGS {
                score[t] = best[t] + em[t];
            }
            *back = arg;
        }
        let mut last = 0u8;
        for t in 1..TAGS {
            if score[t] > score[usize::from(last)] {
                last = t as u8;
            }
        }
        out.resize(n, 0);
        out[n - 1] = last;
        for i in (1..n).rev() {
            out[i - 1] = back[i][usize::from(out[i])];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_names_and_types() {
        assert_eq!(tag_index("B-LOC"), Some(5));
        assert_eq!(tag_type(5), Some(EntityType::Loc));
        assert_eq!(tag_type(2), Some(EntityType::Per));
        assert_eq!(tag_type(8), Some(EntityType::Misc));
        assert_eq!(tag_type(0), None);
        assert!(allowed(Some(1), 2) && allowed(Some(2), 2));
        assert!(!allowed(Some(3), 2) && !allowed(None, 2) && !allowed(Some(0), 6));
    }

    #[test]
    fn spans_from_bio() {
        // B-PER I-PER O B-LOC B-LOC I-LOC
        assert_eq!(
            spans(&[1, 2, 0, 5, 5, 6]),
            [(0, 2, EntityType::Per), (3, 4, EntityType::Loc), (4, 6, EntityType::Loc)]
        );
        assert_eq!(spans(&[0, 7]), [(1, 2, EntityType::Misc)]);
    }

    #[test]
    fn viterbi_respects_bio_and_transitions() {
        let zero = [[0.0; TAGS]; TAGS + 1];
        // Token 1 prefers I-PER, but token 0 prefers O: I-PER cannot follow O.
        let mut e = vec![0.0; 2 * TAGS];
        e[0] = 1.0; // O at 0
        e[TAGS + 2] = 5.0; // I-PER at 1
        e[TAGS + 1] = 4.0; // B-PER at 1
        let mut out = Vec::new();
        viterbi(&e, &zero, &mut out);
        assert!(out == [0, 1] || out == [1, 2], "{out:?}");
        // With B-PER at 0 nearly as good as O, the pair B-PER I-PER wins (0.9 + 5 > 1 + 4).
        e[1] = 0.9;
        viterbi(&e, &zero, &mut out);
        assert_eq!(out, [1, 2]);
        // A transition penalty changes the decision.
        let mut tr = zero;
        tr[1][2] = -2.0;
        viterbi(&e, &tr, &mut out);
        assert_eq!(out, [0, 1]);
        viterbi(&[], &zero, &mut out);
        assert!(out.is_empty());
    }
}
