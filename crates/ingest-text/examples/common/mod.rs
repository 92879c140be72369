//! What the ingest-text examples share.

use std::path::{Path, PathBuf};

/// Every `.txt` and `.html` file under `dir`, recursively, sorted by path.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in
            std::fs::read_dir(&d).unwrap_or_else(|e| panic!("cannot list {}: {e}", d.display())).flatten()
        {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "txt" || x == "html") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
