//! `ingestd process`: analyse files once and print JSON Lines, touching no spool folder.

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

/// Analyses each file and writes one compact JSON result per article and line to `out`
/// (a JSON Lines input gives one per line). A file that
/// cannot be analysed is reported on stderr (naming it) and skipped. `done` is called after
/// each file (for a progress display). Returns how many failed.
pub fn process(
    pipeline: &Pipeline,
    files: &[PathBuf],
    max_bytes: u64,
    out: &mut dyn Write,
    done: &mut dyn FnMut(&Path),
) -> std::io::Result<usize> {
    let mut failed = 0;
    for path in files {
        match analyse(pipeline, path, max_bytes) {
            Ok(results) => {
                for result in results {
                    serde_json::to_writer(&mut *out, &result)?;
                    out.write_all(b"\n")?;
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("ingestd: {}: {e}", path.display());
            }
        }
        done(path);
    }
    out.flush()?;
    Ok(failed)
}

fn analyse(
    pipeline: &Pipeline,
    path: &Path,
    max_bytes: u64,
) -> Result<Vec<ingest_abi::ArticleResult>, input::InputError> {
    let bytes = input::read_file(path, max_bytes)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let prepared = input::prepare(&name, &bytes, now_rfc3339(), max_bytes)?;
    Ok(prepared.into_iter().map(|p| input::analyse(pipeline, p)).collect())
}
