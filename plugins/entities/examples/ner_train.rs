//! Trains the NER tagger on CoNLL-2003 `train`, picks the epoch with the best F1 on
//! `dev`, and writes the model file.
//!
//! ```sh
//! cargo run --release -p entities --example ner_train -- \
//!     [--train ../shared/data/conll2003/train.txt] [--dev ../shared/data/conll2003/dev.txt] \
//!     [--epochs 12] [--min-count 1] [--out plugins/entities/model/ner.bin]
//! ```

mod common;

use std::path::PathBuf;
use std::time::Instant;

use entities::tagger::train::Trainer;
use entities::tagger::{Tagger, conll};

fn main() -> Result<(), String> {
    let mut train = common::shared_data().join("conll2003/train.txt");
    let mut dev = common::shared_data().join("conll2003/dev.txt");
    let mut out = common::crate_dir().join("model/ner.bin");
    let mut epochs = 12;
    let mut min_count = 1;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--train" => train = PathBuf::from(value()?),
            "--dev" => dev = PathBuf::from(value()?),
            "--out" => out = PathBuf::from(value()?),
            "--epochs" => epochs = value()?.parse().map_err(|e| format!("--epochs: {e}"))?,
            "--min-count" => min_count = value()?.parse().map_err(|e| format!("--min-count: {e}"))?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let read = |p: &PathBuf| {
        let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
        conll::read(&text).map_err(|e| format!("{}: {e}", p.display()))
    };
    let (train_docs, dev_docs) = (read(&train)?, read(&dev)?);
    let started = Instant::now();
    let mut trainer = Trainer::new(common::load_lexicon(&common::crate_dir()));
    for doc in &train_docs {
        let mapped: Vec<conll::Mapped> = doc.iter().map(conll::map).collect();
        let sentences: Vec<(Vec<&str>, Vec<u8>)> =
            mapped.iter().map(|m| (m.words.iter().map(String::as_str).collect(), m.tags.clone())).collect();
        trainer.add_document(&sentences);
    }
    eprintln!(
        "{} documents, {} features, {:.1}s",
        train_docs.len(),
        trainer.feature_count(),
        started.elapsed().as_secs_f64()
    );
    let mut best: Option<(f64, usize, Vec<u8>)> = None;
    for epoch in 1..=epochs {
        let errors = trainer.epoch();
        let model = trainer.model(min_count);
        let tagger = Tagger::new(model);
        let scores = tagger.evaluate(&dev_docs);
        let f1 = scores.overall.f1();
        eprintln!(
            "epoch {epoch:2}: {errors} wrong sentences; dev F1 {f1:.2} (P {:.2} R {:.2}); {} rows; {:.1}s",
            scores.overall.precision(),
            scores.overall.recall(),
            tagger.model().weights.len(),
            started.elapsed().as_secs_f64()
        );
        if best.as_ref().is_none_or(|b| f1 > b.0) {
            best = Some((f1, epoch, tagger.model().to_bytes()));
        }
    }
    let (f1, epoch, bytes) = best.ok_or("no epochs")?;
    std::fs::write(&out, &bytes).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("wrote {} ({} bytes): epoch {epoch}, dev F1 {f1:.2}", out.display(), bytes.len());
    Ok(())
}
