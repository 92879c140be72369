//! The dedup evaluation: builds the development benchmark from the BBC corpus (seeded), runs
//! the dedup engine over it in order and prints precision, recall and F1 of the "is a copy of
//! an earlier article" flags and the adjusted Rand index of the copy clusters; with
//! `--python`, also runs datasketch MinHash LSH on the same set (`scripts/datasketch_eval.py`).
//!
//! ```sh
//! cargo run --release -p dedup --example dedup_eval -- --seed 1 --python /tmp/peers-venv/bin/python
//! ```
//!
//! Flags: `--data DIR` (the `bbc` folder; default `../shared/data/bbc_news/bbc`), `--seed N`,
//! `--out DIR` (where `set.jsonl` is written; default a temp folder), `--config JSON` (the
//! plugin's configuration table; default: the defaults), generator knobs `--copied`,
//! `--max-copies`, `--hard-negatives`, `--reword`, `--trim-min`, `--excerpt-min`,
//! `--natural-cutoff`, `--limit`; `--errors N` lists up to N misses and false alarms.

mod common;

use std::path::PathBuf;

use common::eval;
use common::generate::{self, Params};
use dedup::Config;

fn main() {
    let args = common::Args::parse();
    let data =
        args.get("data").map_or_else(|| common::default_data_dir().join("bbc_news/bbc"), PathBuf::from);
    let d = Params::default();
    let params = Params {
        seed: args.value("seed", d.seed),
        limit: args.get("limit").map(|v| v.parse().expect("--limit N")),
        copied: args.value("copied", d.copied),
        max_copies: args.value("max-copies", d.max_copies),
        hard_negatives: args.value("hard-negatives", d.hard_negatives),
        reword: args.value("reword", d.reword),
        trim_min: args.value("trim-min", d.trim_min),
        excerpt_min: args.value("excerpt-min", d.excerpt_min),
        natural_cutoff: args.value("natural-cutoff", d.natural_cutoff),
    };
    let config: Config = match args.get("config") {
        Some(json) => serde_json::from_str(json).expect("--config: a dedup configuration table as JSON"),
        None => Config::default(),
    };
    let articles = common::corpus::load(&data).unwrap_or_else(|e| panic!("{}: {e}", data.display()));
    let (items, summary) = generate::generate(&articles, &params);
    let out = args
        .get("out")
        .map_or_else(|| std::env::temp_dir().join(format!("dedup-eval-seed{}", params.seed)), PathBuf::from);
    std::fs::create_dir_all(&out).expect("output folder");
    let set = out.join("set.jsonl");
    generate::write_jsonl(&items, &set).expect("set written");
    let copies = items.iter().filter(|i| i.copy_of.is_some()).count();
    println!("{params:?}");
    println!(
        "set: {} articles ({} copies of an earlier one, {} byte-identical corpus pairs, {} clusters with copies); \
         corpus {} read, {} left out as unlabelled natural near-duplicates; written to {}",
        items.len(),
        copies,
        summary.identical_pairs,
        items.iter().enumerate().filter(|(i, it)| it.cluster == *i && items.iter().any(|o| o.cluster == *i && o.copy_of.is_some())).count(),
        summary.corpus,
        summary.natural_left_out,
        set.display()
    );
    let started = std::time::Instant::now();
    let predictions = eval::run(&items, &config);
    let elapsed = started.elapsed();
    let scores = eval::score(&items, &predictions);
    let f = scores.flags;
    println!(
        "ingestd dedup: P {:.4} R {:.4} F1 {:.4} (tp {} fp {} fn {}) | attributed F1 {:.4} | ARI {:.4} | {:.2} ms/article",
        f.precision,
        f.recall,
        f.f1,
        f.tp,
        f.fp,
        f.fn_,
        scores.attributed.f1,
        scores.ari,
        elapsed.as_secs_f64() * 1000.0 / items.len().max(1) as f64
    );
    println!("config: {config:?}");
    println!("flagged by kind (kind: flagged/articles):");
    for (kind, n, flagged) in &scores.by_kind {
        println!("  {kind:18} {flagged:5}/{n:<5}");
    }
    let show: usize = args.value("errors", 0);
    if show > 0 {
        let mut shown = 0;
        for (i, (item, p)) in items.iter().zip(&predictions).enumerate() {
            let miss = item.copy_of.is_some() && p.named.is_empty();
            let false_alarm = item.copy_of.is_none() && !p.named.is_empty();
            if (miss || false_alarm) && shown < show {
                shown += 1;
                let what = if miss { "MISS" } else { "FALSE" };
                let other = if miss { item.copy_of.unwrap_or(i) } else { p.named[0] };
                println!(
                    "{what} {} ({}) vs {} ({})",
                    item.name, item.kind, items[other].name, items[other].kind
                );
            }
        }
    }
    if let Some(python) = args.get("python") {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/datasketch_eval.py");
        let status = std::process::Command::new(python).arg(&script).arg(&set).status().expect("python runs");
        assert!(status.success(), "datasketch evaluation failed");
    }
}
