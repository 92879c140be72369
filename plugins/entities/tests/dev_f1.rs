//! The shipped model reaches F1 ≥ 85 on CoNLL-2003 `dev` (exact spans, conlleval rules).
//! Skipped, with a note, when `../shared/data/conll2003/dev.txt` is absent.

use std::path::Path;
use std::time::Instant;

use entities::tagger::{Tagger, conll};

#[test]
fn shipped_model_reaches_f1_85_on_dev() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/conll2003/dev.txt");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("note: {} not found; dev F1 test skipped", path.display());
        return;
    };
    let started = Instant::now();
    let tagger = Tagger::builtin().expect("the shipped model loads");
    let load = started.elapsed();
    let docs = conll::read(&text).unwrap();
    let scores = tagger.evaluate(&docs);
    println!("{}", scores.report());
    println!("model load {load:?}, total {:?}", started.elapsed());
    assert_eq!(scores.tokens, 51_362, "the whole dev set is scored");
    assert!(scores.overall.f1() >= 85.0, "dev F1 {:.2} < 85", scores.overall.f1());
}
