//! Shared by the examples: the plugin's data folder and the tagger's lexicon sources.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use entities::tagger::lexicon::{LISTS, Lexicon, pack_brown, phrase_hashes};

/// `plugins/entities`.
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `shared/data` next to the repository (`../shared/data`).
pub fn shared_data() -> PathBuf {
    crate_dir().join("../../../shared/data")
}

/// Appends the `.txt` files under `dir`, recursively, to `out` (a corpus folder such as
/// the BBC News one; its `README.TXT` is not an article).
pub fn text_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            text_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "txt")
            && p.file_name().is_some_and(|n| n != "README.TXT")
        {
            out.push(p);
        }
    }
}

/// Gazetteer files and the list (see [`LISTS`]) each feeds. `aliases.txt` lines are
/// `TYPE<TAB>name<TAB>variant…` and go to the list of their type.
pub const GAZETTEER_FILES: &[(&str, &str)] = &[
    ("data/countries.txt", "loc"),
    ("data/capitals.txt", "loc"),
    ("data/regions.txt", "loc"),
    ("data/gazetteer/geonames_places.txt", "loc"),
    ("data/first_names.txt", "per_first"),
    ("data/org_names.txt", "org"),
    ("data/demonyms.txt", "misc_demonym"),
    ("data/title_heads.txt", "title"),
    ("data/honorifics.txt", "title"),
];

fn list_index(name: &str) -> usize {
    LISTS.iter().position(|l| *l == name).unwrap_or_else(|| panic!("unknown list {name}"))
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Reads the gazetteers, the word clusters (`data/gazetteer/clusters.txt`,
/// `word<TAB>packed ids`) and the Brown clusters (`data/gazetteer/brown.txt`,
/// `word<TAB>bit path`), each if present, into a [`Lexicon`].
pub fn load_lexicon(dir: &Path) -> Lexicon {
    let mut phrases = Vec::new();
    for (file, list) in GAZETTEER_FILES {
        let path = dir.join(file);
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("note: {} missing; skipped", path.display());
            continue;
        };
        for l in lines(&text) {
            phrases.push((list_index(list), phrase_hashes(l)));
        }
    }
    if let Ok(text) = std::fs::read_to_string(dir.join("data/aliases.txt")) {
        for l in lines(&text) {
            let mut fields = l.split('\t').map(str::trim);
            let list = match fields.next() {
                Some("LOC") => "loc",
                Some("ORG") => "org",
                Some("PER") => "person",
                _ => "misc_demonym",
            };
            for name in fields {
                phrases.push((list_index(list), phrase_hashes(name)));
            }
        }
    }
    let mut clusters = Vec::new();
    if let Ok(text) = std::fs::read_to_string(dir.join("data/gazetteer/clusters.txt")) {
        for l in lines(&text) {
            if let Some((w, ids)) = l.split_once('\t')
                && let Ok(ids) = ids.trim().parse::<u32>()
            {
                clusters.push((entities::tagger::features::lower_hash(w), ids));
            }
        }
    }
    let mut brown = Vec::new();
    if let Ok(text) = std::fs::read_to_string(dir.join("data/gazetteer/brown.txt")) {
        for l in lines(&text) {
            if let Some((w, path)) = l.split_once('\t') {
                brown.push((entities::tagger::features::lower_hash(w), pack_brown(path.trim())));
            }
        }
    }
    eprintln!(
        "lexicon: {} phrases, {} clustered words, {} Brown paths",
        phrases.len(),
        clusters.len(),
        brown.len()
    );
    Lexicon::build(&phrases, &clusters, &brown)
}
