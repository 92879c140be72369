//! Brown clustering (Brown et al. 1992) with a window of active clusters (Liang 2005):
//! a binary merge tree over the vocabulary in which words that share left and right
//! neighbours share long path prefixes. The tagger uses prefixes of 4, 6, 10 and 20 bits
//! of a word's path as features (Ratinov & Roth 2009); `examples/ner_clusters.rs` learns
//! them from unlabelled text.
//!
//! Words enter by decreasing frequency. The `window` most frequent start as clusters;
//! each further word becomes a cluster of its own, then the pair of active clusters whose
//! merge loses the least average mutual information between adjacent clusters is merged.
//! When every word is in, the remaining clusters are merged down to the root. Merge
//! losses are kept for every active pair and updated after each merge in O(window²).
//! Ties go to the lower slot pair, so the result is a pure function of the input.

/// `x · ln(x / (l · r))`, or 0 when `x` is 0.
#[inline]
fn q(x: f64, l: f64, r: f64) -> f64 {
    if x > 0.0 { x * (x / (l * r)).ln() } else { 0.0 }
}

struct State {
    k: usize,
    /// Bigram probability between active slots, `p[s * k + t]`.
    p: Vec<f64>,
    /// Left and right marginals (all the word's bigrams, also with words not yet in).
    pl: Vec<f64>,
    pr: Vec<f64>,
    /// `q` of every slot pair, cached.
    qm: Vec<f64>,
    /// Merge loss of slot pairs (`s < t`).
    loss: Vec<f64>,
    active: Vec<bool>,
    node: Vec<usize>,
}

impl State {
    fn pp(&self, s: usize, t: usize) -> f64 {
        self.p[s * self.k + t]
    }

    fn refresh_q(&mut self, s: usize) {
        for t in 0..self.k {
            if self.active[t] {
                self.qm[s * self.k + t] = q(self.pp(s, t), self.pl[s], self.pr[t]);
                self.qm[t * self.k + s] = q(self.pp(t, s), self.pl[t], self.pr[s]);
            }
        }
    }

    /// The loss of merging `a` and `b`, from scratch.
    fn direct_loss(&self, a: usize, b: usize) -> f64 {
        let k = self.k;
        let (plm, prm) = (self.pl[a] + self.pl[b], self.pr[a] + self.pr[b]);
        let mut removed = 0.0;
        let mut added = 0.0;
        for d in (0..k).filter(|&d| self.active[d]) {
            removed += self.qm[a * k + d] + self.qm[d * k + a] + self.qm[b * k + d] + self.qm[d * k + b];
            if d != a && d != b {
                added += q(self.pp(a, d) + self.pp(b, d), plm, self.pr[d]);
                added += q(self.pp(d, a) + self.pp(d, b), self.pl[d], prm);
            }
        }
        // Pairs among a and b were counted twice above.
        removed -= self.qm[a * k + a] + self.qm[b * k + b] + self.qm[a * k + b] + self.qm[b * k + a];
        let pmm = self.pp(a, a) + self.pp(a, b) + self.pp(b, a) + self.pp(b, b);
        added += q(pmm, plm, prm);
        removed - added
    }

    /// Test builds: the kept losses equal losses computed from scratch.
    #[cfg(test)]
    fn check(&self) {
        for a in (0..self.k).filter(|&a| self.active[a]) {
            for b in (a + 1..self.k).filter(|&b| self.active[b]) {
                let (kept, direct) = (self.loss[a * self.k + b], self.direct_loss(a, b));
                assert!((kept - direct).abs() < 1e-9, "loss({a}, {b}) kept {kept}, direct {direct}");
            }
        }
    }

    fn refresh_loss(&mut self, s: usize) {
        for t in 0..self.k {
            if t != s && self.active[t] {
                let (a, b) = (s.min(t), s.max(t));
                self.loss[a * self.k + b] = self.direct_loss(a, b);
            }
        }
    }
}

/// Clusters `vocab` words (ids `0..vocab`, most frequent first) from `bigrams`
/// (`(left id, right id, count)`, both below `vocab`) and per-word marginal counts
/// `left[w]` (bigrams with `w` on the left, any right word) and `right[w]`, `total`
/// bigrams in all. Returns each word's path from the root as `'0'`/`'1'` characters.
#[must_use]
pub fn cluster(
    vocab: usize,
    bigrams: &[(u32, u32, f64)],
    left: &[f64],
    right: &[f64],
    total: f64,
    window: usize,
) -> Vec<String> {
    let k = window + 1;
    let mut out_edges: Vec<Vec<(u32, f64)>> = vec![Vec::new(); vocab];
    let mut in_edges: Vec<Vec<(u32, f64)>> = vec![Vec::new(); vocab];
    for &(a, b, c) in bigrams {
        out_edges[a as usize].push((b, c / total));
        in_edges[b as usize].push((a, c / total));
    }
    let mut st = State {
        k,
        p: vec![0.0; k * k],
        pl: vec![0.0; k],
        pr: vec![0.0; k],
        qm: vec![0.0; k * k],
        loss: vec![0.0; k * k],
        active: vec![false; k],
        node: vec![0; k],
    };
    let mut slot_of: Vec<Option<usize>> = vec![None; vocab];
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); k];
    // Tree: nodes 0..vocab are words; merges add nodes.
    let mut parent: Vec<usize> = vec![usize::MAX; vocab];
    let mut bit: Vec<u8> = vec![0; vocab];

    let merge = |st: &mut State,
                 members: &mut Vec<Vec<u32>>,
                 slot_of: &mut Vec<Option<usize>>,
                 parent: &mut Vec<usize>,
                 bit: &mut Vec<u8>| {
        let (mut best, mut pair) = (f64::INFINITY, (0, 0));
        for a in (0..k).filter(|&a| st.active[a]) {
            for b in (a + 1..k).filter(|&b| st.active[b]) {
                if st.loss[a * k + b] < best {
                    (best, pair) = (st.loss[a * k + b], (a, b));
                }
            }
        }
        let (a, b) = pair;
        #[cfg(test)]
        st.check();
        // Update the other pairs' losses before the merge changes p.
        let (plm, prm) = (st.pl[a] + st.pl[b], st.pr[a] + st.pr[b]);
        let mut term = vec![0.0; k];
        for i in (0..k).filter(|&i| st.active[i] && i != a && i != b) {
            let old = st.qm[i * k + a] + st.qm[a * k + i] + st.qm[i * k + b] + st.qm[b * k + i];
            let new =
                q(st.pp(i, a) + st.pp(i, b), st.pl[i], prm) + q(st.pp(a, i) + st.pp(b, i), plm, st.pr[i]);
            term[i] = new - old;
        }
        for i in (0..k).filter(|&i| st.active[i] && i != a && i != b) {
            for j in (i + 1..k).filter(|&j| st.active[j] && j != a && j != b) {
                let (pli, prj) = (st.pl[i] + st.pl[j], st.pr[i] + st.pr[j]);
                let (ia, ib) = (st.pp(i, a) + st.pp(j, a), st.pp(i, b) + st.pp(j, b));
                let (ai, bi) = (st.pp(a, i) + st.pp(a, j), st.pp(b, i) + st.pp(b, j));
                let cross_old =
                    q(ia, pli, st.pr[a]) + q(ib, pli, st.pr[b]) + q(ai, st.pl[a], prj) + q(bi, st.pl[b], prj);
                let cross_new = q(ia + ib, pli, prm) + q(ai + bi, plm, prj);
                st.loss[i * k + j] += term[i] + term[j] + cross_old - cross_new;
            }
        }
        // Merge b into a.
        for t in 0..k {
            st.p[a * k + t] += st.p[b * k + t];
            st.p[b * k + t] = 0.0;
        }
        for t in 0..k {
            st.p[t * k + a] += st.p[t * k + b];
            st.p[t * k + b] = 0.0;
        }
        st.pl[a] = plm;
        st.pr[a] = prm;
        st.active[b] = false;
        let moved = std::mem::take(&mut members[b]);
        for &w in &moved {
            slot_of[w as usize] = Some(a);
        }
        members[a].extend(moved);
        let n = parent.len();
        parent.push(usize::MAX);
        bit.push(0);
        parent[st.node[a]] = n;
        bit[st.node[a]] = 0;
        parent[st.node[b]] = n;
        bit[st.node[b]] = 1;
        st.node[a] = n;
        st.refresh_q(a);
        st.refresh_loss(a);
        b
    };

    let mut free: Vec<usize> = (0..k).rev().collect();
    for w in 0..vocab {
        let s = free.pop().expect("a free slot");
        st.active[s] = true;
        st.node[s] = w;
        slot_of[w] = Some(s);
        members[s] = vec![w as u32];
        st.pl[s] = left[w] / total;
        st.pr[s] = right[w] / total;
        for t in 0..k {
            st.p[s * k + t] = 0.0;
            st.p[t * k + s] = 0.0;
        }
        for &(x, c) in &out_edges[w] {
            if let Some(t) = slot_of[x as usize] {
                st.p[s * k + t] += c;
            }
        }
        for &(x, c) in &in_edges[w] {
            if let Some(t) = slot_of[x as usize]
                && x as usize != w
            {
                st.p[t * k + s] += c;
            }
        }
        // Other pairs gain the terms with the new slot.
        for i in (0..k).filter(|&i| st.active[i] && i != s) {
            for j in (i + 1..k).filter(|&j| st.active[j] && j != s) {
                let gain_i = q(st.pp(i, s), st.pl[i], st.pr[s]) + q(st.pp(s, i), st.pl[s], st.pr[i]);
                let gain_j = q(st.pp(j, s), st.pl[j], st.pr[s]) + q(st.pp(s, j), st.pl[s], st.pr[j]);
                let merged = q(st.pp(i, s) + st.pp(j, s), st.pl[i] + st.pl[j], st.pr[s])
                    + q(st.pp(s, i) + st.pp(s, j), st.pl[s], st.pr[i] + st.pr[j]);
                st.loss[i * k + j] += gain_i + gain_j - merged;
            }
        }
        st.refresh_q(s);
        st.refresh_loss(s);
        if w + 1 >= k {
            free.push(merge(&mut st, &mut members, &mut slot_of, &mut parent, &mut bit));
        }
    }
    while st.active.iter().filter(|&&a| a).count() > 1 {
        free.push(merge(&mut st, &mut members, &mut slot_of, &mut parent, &mut bit));
    }
    (0..vocab)
        .map(|w| {
            let mut path = Vec::new();
            let mut n = w;
            while parent[n] != usize::MAX {
                path.push(if bit[n] == 0 { '0' } else { '1' });
                n = parent[n];
            }
            path.iter().rev().collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_with_the_same_neighbours_share_a_branch() {
        // One stream of sentences with "." between them: cat/dog, the/a and runs/sleeps
        // are interchangeable.
        let words = [".", "the", "a", "cat", "dog", "runs", "sleeps"];
        let id = |w: &str| words.iter().position(|x| *x == w).unwrap() as u32;
        let text =
            "the cat runs . the dog runs . a cat sleeps . a dog sleeps . the dog sleeps . a cat runs .";
        let ids: Vec<u32> = text.split(' ').map(id).collect();
        let bigrams: Vec<(u32, u32, f64)> = ids.windows(2).map(|w| (w[0], w[1], 1.0)).collect();
        let (mut left, mut right) = (vec![0.0; 7], vec![0.0; 7]);
        for &(a, b, c) in &bigrams {
            left[a as usize] += c;
            right[b as usize] += c;
        }
        let paths = cluster(7, &bigrams, &left, &right, bigrams.len() as f64, 7);
        // A small window checks the kept losses against fresh ones at every merge.
        assert_eq!(cluster(7, &bigrams, &left, &right, bigrams.len() as f64, 2).len(), 7);
        let common = |a: &str, b: &str| {
            let (a, b) = (&paths[id(a) as usize], &paths[id(b) as usize]);
            a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
        };
        assert!(paths.iter().all(|p| !p.is_empty()), "{paths:?}");
        assert!(common("cat", "dog") > common("cat", "runs"), "{paths:?}");
        assert!(common("the", "a") > common("the", "cat"), "{paths:?}");
        assert!(common("runs", "sleeps") > common("runs", "the"), "{paths:?}");
    }
}
