//! `ingestd process`: analyse files once and print JSON Lines, touching no spool folder.
//!
//! Printing a result is this command's commit, so it follows the daemon's rule: results are
//! printed only after the plugins' `flush` has made the state behind them durable (this
//! matters with `--state`). As in the daemon, one flush covers a batch: the results of up to
//! [`BATCH`] articles are held, then flushed and printed together.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::host::Pipeline;
use crate::input;
use crate::spool::{is_ignored, now_rfc3339};

/// The files named on the command line: files as given, folders expanded to their
/// non-hidden entries (not recursively), in name order.
pub fn expand(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
                .filter_map(Result::ok)
                .filter(|e| !is_ignored(&e.file_name()))
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect();
            entries.sort();
            files.extend(entries);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// How many articles' results are held before one `flush` and printing them.
pub const BATCH: usize = 64;

/// Analyses each file and writes one compact JSON result per article and line to `out`
/// (a JSON Lines input gives one per line), in file order. A file that cannot be analysed is
/// reported on stderr (naming it) and skipped; so are the files of a batch whose plugin
/// `flush` failed (naming the plugin), since their results are not durable. `done` is called
/// after each file is analysed (for a progress display). Returns how many failed.
pub fn process(
    pipeline: &Pipeline,
    files: &[PathBuf],
    max_bytes: u64,
    out: &mut dyn Write,
    done: &mut dyn FnMut(&Path),
) -> std::io::Result<usize> {
    let mut failed = 0;
    let mut batch: Vec<(&Path, Vec<crate::host::Analysed>)> = Vec::new();
    let mut held = 0;
    for path in files {
        match analyse(pipeline, path, max_bytes) {
            Ok(results) => {
                held += results.len();
                batch.push((path, results));
            }
            Err(e) => {
                failed += 1;
                eprintln!("ingestd: {}: {e}", path.display());
            }
        }
        done(path);
        if held >= BATCH {
            failed += commit(pipeline, std::mem::take(&mut batch), out)?;
            held = 0;
        }
    }
    failed += commit(pipeline, batch, out)?;
    out.flush()?;
    Ok(failed)
}

/// Flushes the plugins, then prints the batch's results; if the flush fails, reports each of
/// the batch's files instead. Returns how many files failed.
fn commit(
    pipeline: &Pipeline,
    batch: Vec<(&Path, Vec<crate::host::Analysed>)>,
    out: &mut dyn Write,
) -> std::io::Result<usize> {
    if batch.is_empty() {
        return Ok(0);
    }
    if let Err(e) = pipeline.flush() {
        for (path, _) in &batch {
            eprintln!("ingestd: {}: no result: {e}", path.display());
        }
        return Ok(batch.len());
    }
    for (_, results) in batch {
        for result in results {
            serde_json::to_writer(&mut *out, &result)?;
            out.write_all(b"\n")?;
        }
    }
    Ok(0)
}

fn analyse(
    pipeline: &Pipeline,
    path: &Path,
    max_bytes: u64,
) -> Result<Vec<crate::host::Analysed>, input::InputError> {
    let bytes = input::read_file(path, max_bytes)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let prepared = input::prepare(&name, &bytes, now_rfc3339(), max_bytes)?;
    Ok(prepared.into_iter().map(|p| input::analyse(pipeline, p)).collect())
}
