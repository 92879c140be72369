//! Scores the tagger on a CoNLL-format file, conlleval-style: exact-span precision,
//! recall and F1, overall and per type, on the file's own tokens.
//!
//! ```sh
//! cargo run --release -p entities --example ner_eval -- [FILE] [--model model/ner.bin]
//! ```
//! FILE defaults to `../shared/data/conll2003/dev.txt`; the model to the one compiled in.

mod common;

use std::time::Instant;

use entities::tagger::{Tagger, conll};

fn main() -> Result<(), String> {
    let mut file = common::shared_data().join("conll2003/dev.txt");
    let mut model = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--model" => model = Some(args.next().ok_or("--model needs a path")?),
            other => file = other.into(),
        }
    }
    let load = Instant::now();
    let tagger = match &model {
        Some(p) => Tagger::from_bytes(&std::fs::read(p).map_err(|e| format!("{p}: {e}"))?)?,
        None => Tagger::builtin()?,
    };
    let load = load.elapsed();
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let docs = conll::read(&text)?;
    let started = Instant::now();
    let scores = tagger.evaluate(&docs);
    let secs = started.elapsed().as_secs_f64();
    println!("{}", file.display());
    print!("{}", scores.report());
    println!(
        "tokens {}  tagging {:.3}s ({:.0} tokens/s)  model load {:.1} ms",
        scores.tokens,
        secs,
        scores.tokens as f64 / secs,
        load.as_secs_f64() * 1e3
    );
    Ok(())
}
