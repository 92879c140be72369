//! End-to-end checks on the real sample articles in `shared/seeds` (and a slice of the
//! BBC corpus in `shared/data`), as the daemon uses the crate: clean, then analyse.
//! Skipped with a note when the folders are not there (e.g. in a crate-only checkout).

use std::path::{Path, PathBuf};

use ingest_text::{Analysis, Span, analyse, clean, reason, tokens};

fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared").join(rel)
}

/// The `*.txt` files of a folder, sorted; `None` (with a note) when it is absent.
fn txt_files(dir: &Path) -> Option<Vec<PathBuf>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        println!("note: {} not found, skipping", dir.display());
        return None;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    Some(files)
}

fn seed(name_prefix: &str) -> Option<String> {
    let files = txt_files(&shared("seeds"))?;
    let path = files
        .iter()
        .find(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(name_prefix)))?;
    Some(std::fs::read_to_string(path).expect("seed is UTF-8"))
}

fn slice(text: &str, s: Span) -> String {
    text.chars().skip(s.start).take(s.end - s.start).collect()
}

/// Every span in range, ordered, non-overlapping, trimmed, and sentences inside
/// paragraphs; every token's offsets round-trip.
fn assert_consistent(name: &str, text: &str, a: &Analysis) {
    let n = text.chars().count();
    for (what, spans) in [("paragraph", &a.paragraphs), ("sentence", &a.sentences)] {
        let mut prev_end = 0;
        for s in spans.iter() {
            assert!(s.start < s.end && s.end <= n, "{name}: {what} {s:?} out of range ({n})");
            assert!(s.start >= prev_end, "{name}: {what} {s:?} overlaps the previous one");
            prev_end = s.end;
            let t = slice(text, *s);
            assert_eq!(t.trim(), t, "{name}: {what} {s:?} not trimmed");
            assert!(!t.contains('\n'), "{name}: {what} {s:?} crosses a line");
        }
    }
    for s in &a.sentences {
        assert!(a.paragraphs.iter().any(|p| p.contains(*s)), "{name}: sentence {s:?} crosses paragraphs");
    }
    if let Some(t) = a.title {
        assert!(a.paragraphs.contains(&t), "{name}: title {t:?} is not a whole line");
    }
    for t in tokens(text) {
        assert_eq!(slice(text, t.span()), t.text(text), "{name}: token {t:?}");
    }
}

#[test]
fn seeds_analyse_sanely() {
    let Some(files) = txt_files(&shared("seeds")) else {
        return;
    };
    assert!(files.len() >= 5, "expected the five seeds, found {}", files.len());
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let raw = std::fs::read_to_string(path).expect("seed is UTF-8");
        let cleaned = clean(&raw);
        let text = &cleaned.text;
        let a = analyse(text);
        assert_consistent(&name, text, &a);

        // News paragraphs are one to a handful of sentences.
        assert!(a.paragraphs.len() >= 5, "{name}: {} paragraphs", a.paragraphs.len());
        assert!(a.sentences.len() >= a.paragraphs.len(), "{name}: fewer sentences than paragraphs");
        assert!(a.sentences.len() <= a.paragraphs.len() * 6, "{name}: {} sentences", a.sentences.len());
        assert!(a.words > 200 && a.words < 2000, "{name}: {} words", a.words);
        let avg = a.words / a.sentences.len();
        assert!((8..=60).contains(&avg), "{name}: {avg} words per sentence");
        for s in &a.sentences {
            let t = slice(text, *s);
            assert!(!t.ends_with("U.S.") || t.ends_with("the U.S."), "{name}: split after U.S.: {t:?}");
        }
        println!(
            "{name}: {} paragraphs, {} sentences, {} words, title {:?}",
            a.paragraphs.len(),
            a.sentences.len(),
            a.words,
            a.title.map(|t| slice(text, t))
        );
    }
}

#[test]
fn windows_line_endings_and_a_bom_change_nothing_visible() {
    let Some(raw) = seed("002") else { return };
    let windows = format!("\u{FEFF}{}\r\n", raw.replace('\n', "\r\n"));
    let (a, b) = (clean(&raw), clean(&windows));
    assert_eq!(a.text, b.text);
    assert_eq!(analyse(&a.text), analyse(&b.text));
    assert_eq!(b.removed.len(), 1);
    assert_eq!(b.removed[0].reason, reason::INVISIBLE_CHAR);
}

#[test]
fn seed_001_repeated_headline_is_removed_once_and_reported() {
    let Some(raw) = seed("001") else { return };
    let headline = "Trump Hails Productive Dialogue with Putin on Ukraine Ceasefire";
    assert_eq!(raw.matches(headline).count(), 2);
    let cleaned = clean(&raw);
    assert_eq!(cleaned.text.matches(headline).count(), 1);
    let repeated: Vec<_> = cleaned.removed.iter().filter(|r| r.reason == reason::REPEATED_LINE).collect();
    assert_eq!(repeated.len(), 1);
    assert_eq!(repeated[0].text, headline);
    // The headline follows a one-paragraph summary and is still found.
    let a = analyse(&cleaned.text);
    assert_eq!(a.title.map(|t| slice(&cleaned.text, t)).as_deref(), Some(headline));
}

#[test]
fn seed_000_keeps_typography_and_us_sentences() {
    let Some(raw) = seed("000") else { return };
    let text = clean(&raw).text;
    assert!(text.contains("Ukraine’s") && text.contains("“excellent likelihood”"));
    let a = analyse(&text);
    let sentences: Vec<String> = a.sentences.iter().map(|s| slice(&text, *s)).collect();
    assert!(sentences.iter().any(|s| {
        s.starts_with("U.S. Secretary of State Marco Rubio told reporters")
            && s.ends_with("his stated conditions.")
    }));
    assert!(sentences.contains(&"The U.S. under Trump has up to now not ruled out the likelihood that Kyiv might cede territory.".to_string()));
    // The first line is a sentence, not a headline.
    assert_eq!(a.title, None);
    // Promo removal is not cleaning's job (yet): the block is still there.
    assert!(text.contains("Get each day National news"));
}

#[test]
fn seed_004_headline_and_pasted_body() {
    let Some(raw) = seed("004") else { return };
    let cleaned = clean(&raw);
    // The body pasted twice is not adjacent repetition: dedup reports it, cleaning keeps it.
    assert!(cleaned.removed.is_empty(), "{:?}", cleaned.removed);
    let a = analyse(&cleaned.text);
    assert_eq!(
        a.title.map(|t| slice(&cleaned.text, t)).as_deref(),
        Some("Western Allies Unite Behind Ukraine as Ceasefire Talks Enter Critical Stage")
    );
    assert_eq!(a.paragraphs.len(), 15);
}

#[test]
fn bbc_sample_analyses_sanely() {
    let root = shared("data/bbc_news/bbc");
    let mut seen = 0;
    for topic in ["business", "entertainment", "politics", "sport", "tech"] {
        let Some(files) = txt_files(&root.join(topic)) else {
            return;
        };
        for path in files.iter().take(40) {
            let bytes = std::fs::read(path).expect("readable");
            let raw = String::from_utf8_lossy(&bytes);
            let text = clean(&raw).text;
            let a = analyse(&text);
            let name = path.display().to_string();
            assert_consistent(&name, &text, &a);
            // BBC files start with a headline line.
            let first_line = text.lines().next().unwrap_or_default();
            assert_eq!(a.title.map(|t| slice(&text, t)).as_deref(), Some(first_line), "{name}");
            seen += 1;
        }
    }
    println!("checked {seen} BBC articles");
}
