#!/usr/bin/env python3
"""Extraction quality: word-level F1 of the extracted body against the known body, for
ingest-text and for trafilatura, on the same pages in the same run.

    python3 -m venv /tmp/traf-venv && /tmp/traf-venv/bin/pip install trafilatura
    /tmp/traf-venv/bin/python crates/ingest-text/scripts/extraction_eval.py

Runs `cargo run --release -p ingest-text --example extract_pages` for ingest-text's bodies
and `trafilatura.extract(html)` for trafilatura's, twice: with its defaults (which keep
comment sections) and with `include_comments=False` (the fairer comparison: ingestd drops
comments). Words: lower-cased runs of letters and digits (\\w+); precision, recall and F1
count words as a multiset (bag of words). Prints one row per page and the means.
Use --ours-only to skip trafilatura (no venv needed)."""

import collections
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PAGES = os.path.join(ROOT, "crates", "ingest-text", "tests", "fixtures", "pages")
WORD = re.compile(r"\w+", re.UNICODE)


def words(text):
    return collections.Counter(w.lower() for w in WORD.findall(text or ""))


def prf(extracted, gold):
    e, g = words(extracted), words(gold)
    overlap = sum((e & g).values())
    p = overlap / sum(e.values()) if e else 0.0
    r = overlap / sum(g.values()) if g else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def ours():
    out = subprocess.run(
        ["cargo", "run", "--quiet", "--release", "-p", "ingest-text", "--example", "extract_pages", "--", PAGES],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    return {r["page"]: r["body"] for r in rows}


def main():
    ours_only = "--ours-only" in sys.argv
    pages = sorted(p for p in os.listdir(PAGES) if p.endswith(".html"))
    t0 = time.time()
    mine = ours()
    t_ours = time.time() - t0
    theirs, theirs_nc, t_traf, version = {}, {}, 0.0, None
    if not ours_only:
        import trafilatura
        version = trafilatura.__version__
        t0 = time.time()
        for page in pages:
            with open(os.path.join(PAGES, page), encoding="utf-8", errors="replace") as f:
                page_html = f.read()
            theirs[page] = trafilatura.extract(page_html) or ""
            theirs_nc[page] = trafilatura.extract(page_html, include_comments=False) or ""
        t_traf = time.time() - t0
    sums = collections.defaultdict(float)
    print(f"{'page':45} {'ours P':>7} {'R':>6} {'F1':>6}" + ("" if ours_only else f" {'traf P':>7} {'R':>6} {'F1':>6} {'-comm F1':>8}"))
    for page in pages:
        with open(os.path.join(PAGES, page[:-5] + ".body.txt"), encoding="utf-8") as f:
            gold = f.read()
        p, r, f1 = prf(mine.get(page, ""), gold)
        sums["p"] += p; sums["r"] += r; sums["f"] += f1
        row = f"{page[:45]:45} {p:7.3f} {r:6.3f} {f1:6.3f}"
        if not ours_only:
            tp, tr, tf = prf(theirs[page], gold)
            sums["tp"] += tp; sums["tr"] += tr; sums["tf"] += tf
            _, _, nf = prf(theirs_nc[page], gold)
            sums["nf"] += nf
            row += f" {tp:7.3f} {tr:6.3f} {tf:6.3f} {nf:8.3f}"
        print(row)
    n = len(pages)
    line = f"{'mean of ' + str(n) + ' pages':45} {sums['p']/n:7.3f} {sums['r']/n:6.3f} {sums['f']/n:6.3f}"
    if not ours_only:
        line += f" {sums['tp']/n:7.3f} {sums['tr']/n:6.3f} {sums['tf']/n:6.3f} {sums['nf']/n:8.3f}"
    print(line)
    print(f"ingest-text: {t_ours:.2f} s for {n} pages (including cargo's start-up)")
    if not ours_only:
        print(f"trafilatura {version}: {t_traf:.2f} s for {n} pages x 2 settings")


if __name__ == "__main__":
    main()
