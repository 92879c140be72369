//! Trains the NER tagger on CoNLL-2003 `train`, picks epochs by F1 on `dev`, and writes
//! the model file.
//!
//! Two stages (see `src/tagger/model.rs`). The first is trained on `train`, its epoch
//! picked on `dev`. The second is stacked on it: it sees the first stage's tags of the
//! whole document. So that those tags are as noisy in training as on new text, the
//! training documents' first-stage tags come from jackknifing: `train` is cut into
//! `--folds` parts and each part is tagged by a first stage trained (for the same number
//! of epochs) on the others. The second stage's epoch is picked on `dev` too.
//!
//! `--holdout` is a sanity check on generalisation: every tenth training document is set
//! aside (never trained on, never used to pick anything) and scored at the end; the model
//! is then written only with `--out`.
//!
//! ```sh
//! cargo run --release -p entities --example ner_train -- \
//!     [--train ../shared/data/conll2003/train.txt] [--dev ../shared/data/conll2003/dev.txt] \
//!     [--epochs 12] [--min-count 1] [--folds 10] [--one-stage] [--holdout] \
//!     [--out plugins/entities/model/ner.bin]
//! ```

mod common;

use std::path::PathBuf;
use std::time::Instant;

use entities::tagger::model::Model;
use entities::tagger::train::Trainer;
use entities::tagger::{Tagger, conll};

type Doc<'a> = Vec<(Vec<&'a str>, Vec<u8>)>;

fn words<'a>(doc: &[(Vec<&'a str>, Vec<u8>)]) -> Vec<Vec<&'a str>> {
    doc.iter().map(|(w, _)| w.clone()).collect()
}

fn main() -> Result<(), String> {
    let mut train = common::shared_data().join("conll2003/train.txt");
    let mut dev = common::shared_data().join("conll2003/dev.txt");
    let mut out = None;
    let mut epochs = 12;
    let mut min_count = 1;
    let mut folds = 10;
    let mut stack = true;
    let mut holdout = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--train" => train = PathBuf::from(value()?),
            "--dev" => dev = PathBuf::from(value()?),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--epochs" => epochs = value()?.parse().map_err(|e| format!("--epochs: {e}"))?,
            "--min-count" => min_count = value()?.parse().map_err(|e| format!("--min-count: {e}"))?,
            "--folds" => folds = value()?.parse().map_err(|e| format!("--folds: {e}"))?,
            "--one-stage" => stack = false,
            "--holdout" => holdout = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if folds < 2 {
        return Err("--folds must be at least 2".into());
    }
    let out = match (out, holdout) {
        (Some(p), _) => Some(p),
        (None, false) => Some(common::crate_dir().join("model/ner.bin")),
        (None, true) => None,
    };
    let read = |p: &PathBuf| {
        let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
        conll::read(&text).map_err(|e| format!("{}: {e}", p.display()))
    };
    let (mut train_docs, dev_docs) = (read(&train)?, read(&dev)?);
    let mut held_docs = Vec::new();
    if holdout {
        let all = std::mem::take(&mut train_docs);
        for (i, d) in all.into_iter().enumerate() {
            if i % 10 == 9 { held_docs.push(d) } else { train_docs.push(d) }
        }
        eprintln!("holdout: {} training documents, {} held out", train_docs.len(), held_docs.len());
    }
    let started = Instant::now();
    let lexicon = common::load_lexicon(&common::crate_dir());
    let mapped: Vec<Vec<conll::Mapped>> =
        train_docs.iter().map(|d| d.iter().map(conll::map).collect()).collect();
    let docs: Vec<Doc<'_>> = mapped
        .iter()
        .map(|d| d.iter().map(|m| (m.words.iter().map(String::as_str).collect(), m.tags.clone())).collect())
        .collect();

    // Stage 1.
    let mut trainer = Trainer::new(lexicon.clone());
    for doc in &docs {
        trainer.add_document(doc, None);
    }
    eprintln!(
        "{} documents, {} features, {:.1}s",
        docs.len(),
        trainer.feature_count(),
        started.elapsed().as_secs_f64()
    );
    let mut best: Option<(f64, usize, Model)> = None;
    for epoch in 1..=epochs {
        let errors = trainer.epoch();
        let tagger = Tagger::new(trainer.model(min_count));
        let scores = tagger.evaluate(&dev_docs);
        let f1 = scores.overall.f1();
        eprintln!(
            "stage 1 epoch {epoch:2}: {errors} wrong sentences; dev F1 {f1:.2} (P {:.2} R {:.2}); {} rows; {:.1}s",
            scores.overall.precision(),
            scores.overall.recall(),
            tagger.model().rows(),
            started.elapsed().as_secs_f64()
        );
        if best.as_ref().is_none_or(|b| f1 > b.0) {
            best = Some((f1, epoch, tagger.model().clone()));
        }
    }
    let (f1, first_epoch, first) = best.ok_or("no epochs")?;
    eprintln!("stage 1: epoch {first_epoch}, dev F1 {f1:.2}");
    drop(trainer);

    let mut best = (f1, first_epoch, first.clone());
    if stack {
        // Jackknifed first-stage tags of the training documents.
        let mut first_tags: Vec<Vec<Vec<u8>>> = vec![Vec::new(); docs.len()];
        for fold in 0..folds {
            let mut t = Trainer::new(lexicon.clone());
            for (_, doc) in docs.iter().enumerate().filter(|(i, _)| i % folds != fold) {
                t.add_document(doc, None);
            }
            for _ in 0..first_epoch {
                t.epoch();
            }
            let tagger = Tagger::new(t.model(min_count));
            for (i, doc) in docs.iter().enumerate().filter(|(i, _)| i % folds == fold) {
                first_tags[i] = tagger.tag_words(&words(doc));
            }
            eprintln!("fold {}/{folds} tagged; {:.1}s", fold + 1, started.elapsed().as_secs_f64());
        }
        let mut trainer = Trainer::new(lexicon.clone());
        for (doc, tags) in docs.iter().zip(&first_tags) {
            trainer.add_document(doc, Some(tags));
        }
        for epoch in 1..=epochs {
            let errors = trainer.epoch();
            let tagger = Tagger::new(first.stacked(trainer.stage(min_count)));
            let scores = tagger.evaluate(&dev_docs);
            let f1 = scores.overall.f1();
            eprintln!(
                "stage 2 epoch {epoch:2}: {errors} wrong sentences; dev F1 {f1:.2} (P {:.2} R {:.2}); {} rows; {:.1}s",
                scores.overall.precision(),
                scores.overall.recall(),
                tagger.model().rows(),
                started.elapsed().as_secs_f64()
            );
            if f1 > best.0 || best.2.stages.len() == 1 {
                best = (f1, epoch, tagger.model().clone());
            }
        }
    }
    let (f1, epoch, model) = best;
    let tagger = Tagger::new(model);
    eprintln!("picked: {} stage(s), last stage epoch {epoch}; dev:", tagger.model().stages.len());
    eprint!("{}", tagger.evaluate(&dev_docs).report());
    if holdout {
        eprintln!("held-out tenth of train ({} documents):", held_docs.len());
        eprint!("{}", tagger.evaluate(&held_docs).report());
        let one = Tagger::new(first);
        eprintln!("  (first stage alone on it: F1 {:.2})", one.evaluate(&held_docs).overall.f1());
    }
    if let Some(out) = out {
        let bytes = tagger.model().to_bytes();
        std::fs::write(&out, &bytes).map_err(|e| format!("{}: {e}", out.display()))?;
        eprintln!("wrote {} ({} bytes): dev F1 {f1:.2}", out.display(), bytes.len());
    }
    Ok(())
}
