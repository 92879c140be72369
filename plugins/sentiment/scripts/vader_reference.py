#!/usr/bin/env python3
"""Reference compound scores from the Python vaderSentiment package, for the parity check.

    python3 -m venv /tmp/vader-venv && /tmp/vader-venv/bin/pip install vaderSentiment==3.3.2
    /tmp/vader-venv/bin/python plugins/sentiment/scripts/vader_reference.py \
        ../shared/data/vader_groundtruth/*_GroundTruth.txt > /tmp/vader_reference.tsv
    /tmp/vader-venv/bin/python plugins/sentiment/scripts/vader_reference.py --sample 60 \
        ../shared/data/vader_groundtruth/*_GroundTruth.txt > plugins/sentiment/tests/data/vader_reference_sample.tsv
    /tmp/vader-venv/bin/python plugins/sentiment/scripts/vader_reference.py --time FILES...

Writes `file<TAB>id<TAB>compound<TAB>text` per ground-truth item (file = base name; compound
as the package returns it, rounded to 4 decimals). Ground-truth files are read exactly as
`peers/eval_sentiment.py` reads them (UTF-8 with replacement, universal newlines, `id<TAB>
mean<TAB>text`). `--sample K` keeps every K-th item of each file plus every item where
VADER's quirks matter: its "but" shift differs from a shift by position, or the text has
typographic quotes, apostrophes or dashes (the committed test fixture). `--time` instead scores every text N times (`--runs`, default 5) and prints
the median CPU seconds and texts per second: the Python side of the speed comparison.
"""
import argparse
import os
import statistics
import sys
import time

import vaderSentiment
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


def read_gt(path):
    rows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n").rstrip("\r")
            parts = line.split("\t")
            if len(parts) < 3:
                continue
            try:
                float(parts[1])
            except ValueError:
                continue
            rows.append((parts[0].strip(), "\t".join(parts[2:])))
    return rows


def but_by_position(words, sentiments):
    """The "but" shift applied by position (for finding texts where VADER's differs)."""
    lower = [str(w).lower() for w in words]
    if "but" not in lower:
        return sentiments
    bi = lower.index("but")
    return [v * 0.5 if k < bi else v * 1.5 if k > bi else v for k, v in enumerate(sentiments)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--time", action="store_true")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sample", type=int, default=0)
    a = ap.parse_args()
    an = SentimentIntensityAnalyzer()
    items = [(os.path.basename(p), i, t) for p in a.files for i, t in read_gt(p)]
    if a.time:
        secs = []
        for _ in range(a.runs):
            t0 = time.process_time()  # CPU time: the machine is shared
            for _, _, t in items:
                an.polarity_scores(t)
            secs.append(time.process_time() - t0)
        med = statistics.median(secs)
        print(f"vaderSentiment={getattr(vaderSentiment, '__version__', '3.3.2')} texts={len(items)} "
              f"runs={a.runs} median_seconds={med:.3f} texts_per_s={len(items) / med:.0f} "
              f"all={[round(s, 3) for s in secs]}")
        return 0
    out = sys.stdout
    by_position = SentimentIntensityAnalyzer()
    by_position._but_check = but_by_position
    seen = {}
    for f, i, t in items:
        c = an.polarity_scores(t)["compound"]
        k = seen[f] = seen.get(f, -1) + 1
        if a.sample:
            quirky = (by_position.polarity_scores(t)["compound"] != c
                      or any(ch in t for ch in "\u2018\u2019\u201c\u201d\u2013\u2014\u2026"))
            if k % a.sample and not quirky:
                continue
        out.write(f"{f}\t{i}\t{c}\t{t}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
