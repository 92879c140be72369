//! The evaluation harness itself: metrics on known partitions, and a tiny generated
//! benchmark run end to end (skipped when the shared BBC corpus is absent).

#[path = "../examples/common/mod.rs"]
mod common;

use common::generate::{self, Params};
use common::metrics::{Clusters, adjusted_rand_index, prf, quantile};

#[test]
fn prf_counts_and_ratios() {
    let p = prf(&[true, true, false, false, true], &[true, false, true, false, true]);
    assert_eq!((p.tp, p.fp, p.fn_), (2, 1, 1));
    assert!((p.precision - 2.0 / 3.0).abs() < 1e-12 && (p.recall - 2.0 / 3.0).abs() < 1e-12);
    assert!((p.f1 - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(prf(&[false], &[false]).f1, 0.0);
}

#[test]
fn ari_on_known_partitions() {
    // Identical partitions (whatever the label names) score 1.
    assert!((adjusted_rand_index(&[0, 0, 1, 1, 2], &[5, 5, 7, 7, 9]) - 1.0).abs() < 1e-12);
    // The textbook example (sklearn's docs): [0,0,1,1] vs [0,0,1,2] -> 0.5714...
    assert!((adjusted_rand_index(&[0, 0, 1, 1], &[0, 0, 1, 2]) - 4.0 / 7.0).abs() < 1e-12);
    // Everything in one cluster against all singletons: 0.
    assert!(adjusted_rand_index(&[0, 0, 0, 0], &[0, 1, 2, 3]).abs() < 1e-12);
    // [0,0,1,1] vs [0,1,0,1]: worse than chance.
    assert!((adjusted_rand_index(&[0, 0, 1, 1], &[0, 1, 0, 1]) + 0.5).abs() < 1e-12);
    let mut c = Clusters::new(5);
    c.union(3, 1);
    c.union(4, 3);
    assert_eq!(c.labels(), vec![0, 1, 2, 1, 1]);
    assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.0);
    assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.99), 4.0);
}

#[test]
fn a_tiny_generated_benchmark_runs_end_to_end() {
    let bbc = common::default_data_dir().join("bbc_news/bbc");
    if !bbc.exists() {
        println!("note: {} is absent; skipping", bbc.display());
        return;
    }
    let articles = common::corpus::load(&bbc).unwrap();
    assert_eq!(articles.len(), 2225);
    let params = Params { limit: Some(60), copied: 0.5, ..Params::default() };
    let (items, summary) = generate::generate(&articles, &params);
    let (again, _) = generate::generate(&articles, &params);
    assert_eq!(items.len(), again.len(), "seeded: the same set twice");
    assert!(items.iter().zip(&again).all(|(a, b)| a.text == b.text && a.copy_of == b.copy_of));
    assert!(summary.identical_pairs <= 98);
    for (i, item) in items.iter().enumerate() {
        if let Some(p) = item.copy_of {
            assert!(p < i, "a copy comes after what it copies");
            assert_eq!(items[p].cluster, item.cluster);
        }
    }
    let copies = items.iter().filter(|i| i.copy_of.is_some()).count();
    assert!(copies >= 20, "{copies} copies");
    let predictions = common::eval::run(&items, &dedup::Config::default());
    let scores = common::eval::score(&items, &predictions);
    assert!(scores.flags.f1 > 0.9, "{scores:?}");
    assert!(scores.ari > 0.9, "{scores:?}");
    let dir = tempfile::tempdir().unwrap();
    generate::write_jsonl(&items, &dir.path().join("set.jsonl")).unwrap();
    let first = std::fs::read_to_string(dir.path().join("set.jsonl")).unwrap();
    let line: serde_json::Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
    assert!(line["name"].is_string() && line["text"].is_string() && line.get("copy_of").is_some());
}
