#!/usr/bin/env python3
"""datasketch MinHash LSH on the dedup development benchmark, scored like the Rust eval.

    datasketch_eval.py SET.jsonl [--thresholds 0.1,0.15,...]

SET.jsonl is what `cargo run --release -p dedup --example dedup_eval` writes: one line per article
in arrival order, {"name", "text", "copy_of": name|null, "cluster": name, "kind"}.

The system is the peer's (`shared/peers/pipeline.py`, class Dedup): sha256 of the
whitespace-collapsed text for exact copies; MinHash(num_perm=128, seed 1) over lowercased
word 5-shingles (\\w+ runs), MinHashLSH(threshold=T) queried before inserting, candidates kept
when their MinHash estimate is >= T. An article is flagged "a copy of an earlier one" when
it has an exact original or a kept candidate. Printed: P/R/F1 of the flags and the adjusted
Rand index of the clusters the flagged links imply, at the default threshold 0.5 and at each
threshold of the sweep, then the best threshold by F1 (an oracle choice on this very set,
which flatters datasketch).
"""
import hashlib
import json
import re
import sys
from collections import defaultdict

from datasketch import MinHash, MinHashLSH

WORD_RE = re.compile(r"\w+")
K, NUM_PERM = 5, 128


def shingles(text, k=K):
    words = WORD_RE.findall(text.lower())
    if not words:
        return set()
    if len(words) < k:
        return {" ".join(words)}
    return {" ".join(words[i:i + k]) for i in range(len(words) - k + 1)}


def comb2(n):
    return n * (n - 1) / 2


def ari(a, b):
    cells, rows, cols = defaultdict(int), defaultdict(int), defaultdict(int)
    for x, y in zip(a, b):
        cells[(x, y)] += 1
        rows[x] += 1
        cols[y] += 1
    index = sum(comb2(c) for c in cells.values())
    sa = sum(comb2(c) for c in rows.values())
    sb = sum(comb2(c) for c in cols.values())
    expected = sa * sb / max(comb2(len(a)), 1)
    mx = (sa + sb) / 2
    return 1.0 if mx == expected else (index - expected) / (mx - expected)


def run(items, minhashes, threshold):
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    sha_first, named = {}, []
    for i, it in enumerate(items):
        sha = hashlib.sha256(" ".join(it["text"].split()).encode("utf-8")).hexdigest()
        links = []
        if sha in sha_first:
            links.append(sha_first[sha])
        m = minhashes[i]
        if m is not None:
            for cand in lsh.query(m):
                if m.jaccard(minhashes[cand]) >= threshold:
                    links.append(cand)
            lsh.insert(i, m)
        sha_first.setdefault(sha, i)
        named.append(links)
    return named


def score(items, named):
    index = {it["name"]: i for i, it in enumerate(items)}
    gold = [it["copy_of"] is not None for it in items]
    flag = [bool(n) for n in named]
    tp = sum(f and g for f, g in zip(flag, gold))
    fp = sum(f and not g for f, g in zip(flag, gold))
    fn = sum(g and not f for f, g in zip(flag, gold))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    parent = list(range(len(items)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    for i, links in enumerate(named):
        for j in links:
            a, b = find(i), find(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    gold_labels = [index[it["cluster"]] for it in items]
    return p, r, f1, tp, fp, fn, ari(gold_labels, [find(i) for i in range(len(items))])


def main():
    path = sys.argv[1]
    thresholds = [0.5] + [round(0.1 + 0.05 * i, 2) for i in range(17) if round(0.1 + 0.05 * i, 2) != 0.5]
    if "--thresholds" in sys.argv:
        thresholds = [float(t) for t in sys.argv[sys.argv.index("--thresholds") + 1].split(",")]
    items = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    minhashes = []
    for it in items:
        sh = shingles(it["text"])
        if not sh:
            minhashes.append(None)
            continue
        m = MinHash(num_perm=NUM_PERM, seed=1)
        m.update_batch([s.encode("utf-8") for s in sh])
        minhashes.append(m)
    results = []
    for t in thresholds:
        p, r, f1, tp, fp, fn, a = score(items, run(items, minhashes, t))
        results.append((f1, t))
        tag = " (default)" if t == 0.5 else ""
        print(f"datasketch threshold {t:.2f}{tag}: P {p:.4f} R {r:.4f} F1 {f1:.4f} "
              f"(tp {tp} fp {fp} fn {fn}) | ARI {a:.4f}")
    best_f1, best_t = max(results)
    print(f"datasketch best threshold on this set: {best_t:.2f} F1 {best_f1:.4f}")


if __name__ == "__main__":
    main()
