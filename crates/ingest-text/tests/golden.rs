//! Golden test of the whole input path: [`read_articles`] (gzip, decoding, format detection,
//! extraction, boilerplate, cleaning, title, language) and [`analyse`] (what the daemon's
//! `input::prepare` adds: paragraphs, sentences, title span, word count), on the seeds, the
//! 24 HTML fixture pages, 50 BBC articles (every 44th file of the sorted corpus) and a set of
//! small inputs for the other formats and encodings. Every output field is compared with
//! `tests/golden/read_articles.json` (for the third-party seeds and BBC texts, through a
//! SHA-256 of the output: the repository does not republish them), so a speed-up cannot
//! change a result unnoticed.
//!
//! The golden file was generated from the code *before* the input-path optimisations
//! (2026-11-23). To regenerate it after a deliberate change (and say why in the change):
//!
//! ```sh
//! INGEST_TEXT_BLESS=1 cargo test -p ingest-text --test golden
//! ```
//!
//! The seeds and the BBC corpus live outside the repository (`../shared`); when they are
//! missing, their entries are skipped with a note and the rest is still compared.

use std::io::Write;
use std::path::{Path, PathBuf};

use ingest_text::{Limits, ReadError, analyse, read_articles};
use serde_json::{Value, json};

const LIMITS: Limits = Limits { max_decompressed: 1 << 24 };
/// How many BBC articles, and every how many-th file of the sorted corpus.
const BBC_ARTICLES: usize = 50;
const BBC_STEP: usize = 44;

fn golden_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/read_articles.json")
}

fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared").join(rel)
}

/// Files under `dir` (recursively) whose name ends with `suffix`, sorted.
fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(suffix) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut b = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
    for u in text.encode_utf16() {
        b.extend_from_slice(&if big_endian { u.to_be_bytes() } else { u.to_le_bytes() });
    }
    b
}

/// Small inputs for every format, encoding and cleaning rule (kept in the repository).
fn synthetic() -> Vec<(String, String, Vec<u8>)> {
    let story = "Ministers agreed on a ceasefire plan in Quebec on Friday, officials said. \
                 Mr. Smith met Dr. Jones on Jan. 20 at No. 10. The U.S. envoy said “yes.”";
    let fr = "Les ministres des Affaires étrangères se sont réunis vendredi au Québec pour discuter \
              du commerce et de la sécurité. Ils ont publié une déclaration commune.";
    let de = "Die Außenminister trafen sich am Freitag in Quebec, um über Handel und Sicherheit zu \
              sprechen, und einigten sich auf eine gemeinsame Erklärung.";
    let uk =
        "Міністри закордонних справ зустрілися в п'ятницю в Квебеку, щоб обговорити торгівлю та безпеку.";
    let long_en = format!("Long story\n\n{}", [story; 80].join("\n\n"));
    let long_mixed = format!("Mixed story\n\n{}\n\n{}", [story; 40].join(" "), [fr; 60].join(" "));
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("plain.txt", format!("Talks end\n\n{story}").into_bytes()),
        ("bom.txt", [&b"\xEF\xBB\xBF"[..], format!("Talks end\n\n{story}").as_bytes()].concat()),
        ("utf16le.txt", utf16(&format!("Talks end\n\n{story}"), false)),
        ("utf16be.txt", utf16(&format!("Talks end\n\n{story}"), true)),
        ("latin1.txt", b"It cost \xa35m in the end, the caf\xe9 owner said.".to_vec()),
        (
            "cp1252.txt",
            b"The minister\x92s \x93excellent\x94 talks cost \xa35m \x96 a caf\xe9 r\xe9sum\xe9 na\xefve."
                .to_vec(),
        ),
        ("crlf.txt", format!("Head  line\r\n Head line \r\n\r\n\r\nBody\ttext\x07 here.\r\n{story}\r\n{story}\r\n").into_bytes()),
        ("nfd.txt", "Me\u{301}lanie Joly\n\nShe said e\u{200B}\u{301}. Zelen\u{200B}skyy\u{AD} too.".into()),
        (
            "spaces.txt",
            format!(
                "  Title\u{A0}here \u{2028}\u{3000}Second\u{85}line\u{2029}\u{0C}third. And more. {story} {story}"
            )
            .into_bytes(),
        ),
        ("promo.txt", format!("Headline\n\n{story}\nShare this article\nAdvertisement\nGet each day National news\n{story}\n").into_bytes()),
        ("fr.txt", format!("Titre\n\n{fr}").into_bytes()),
        ("de.txt", format!("Titel\n\n{de}").into_bytes()),
        ("uk.txt", format!("Заголовок\n\n{uk}").into_bytes()),
        ("short.txt", b"Headline\n\nThe minister said the talks went well.".to_vec()),
        ("numbers.txt", b"12345 !!!".to_vec()),
        ("long_en.txt", long_en.clone().into_bytes()),
        ("long_mixed.txt", long_mixed.into_bytes()),
        ("story.txt.gz", gzip(long_en.as_bytes())),
        ("a.md", format!("# Talks end\n\n*{story}* [link](http://x.org)\n\n## Sub\n\n- one\n- two\n").into_bytes()),
        ("front.md", format!("---\ntitle: Front matter\nauthor: A. Writer\n---\n\n{story}\n").into_bytes()),
        ("heading", format!("# Heading\n\n{story}").into_bytes()),
        ("a.json", format!("{{\"title\": \"Talks end\", \"text\": \"{story}\", \"author\": \"Jo\"}}").into_bytes()),
        (
            "array.json",
            format!("[{{\"title\": \"One\", \"text\": \"{story}\"}}, {{\"headline\": \"Two\", \"body\": \"{fr}\"}}]")
                .into_bytes(),
        ),
        ("bad.json", b"{\"title\": \"no body\"}".to_vec()),
        (
            "feed.jsonl",
            format!("{{\"title\": \"One\", \"text\": \"{story}\"}}\nnot json\n{{\"title\": \"Two\", \"text\": \"{de}\"}}\n")
                .into_bytes(),
        ),
        ("feed.txt", b"{\"text\": \"First story.\"}\n{\"text\": \"Second story.\"}\n".to_vec()),
        (
            "a.html",
            format!("<html><head><meta charset=\"iso-8859-1\"><title>T</title></head><body><h1>Talks end</h1><p>{story}</p><p>caf\u{e9}</p></body></html>")
                .into_bytes(),
        ),
        ("page.txt", format!("<!DOCTYPE html><html><body><article><h1>Talks</h1><p>{fr}</p></article></body></html>").into_bytes()),
        ("empty.txt", b" \n\t".to_vec()),
        ("binary.bin", b"\x7fELF\x02\x01\x01\x00\x00".to_vec()),
        ("controls.txt", b"a\x01\x02\x03\x04\x05b\x06\x07\x08".to_vec()),
        ("bad.gz", b"\x1f\x8b\x08\x00garbage".to_vec()),
    ];
    cases.into_iter().map(|(n, b)| (format!("synthetic/{n}"), n.to_owned(), b)).collect()
}

/// (key, file name given to `read_articles`, bytes) for every input, and whether the shared
/// corpora were found.
fn inputs() -> (Vec<(String, String, Vec<u8>)>, bool) {
    let mut out = synthetic();
    let pages = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages");
    for p in files(&pages, ".html") {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        out.push((format!("pages/{name}"), name, std::fs::read(&p).unwrap()));
    }
    let seeds = files(&shared("seeds"), ".txt");
    let bbc = files(&shared("data/bbc_news/bbc"), ".txt");
    let found = !seeds.is_empty() && !bbc.is_empty();
    for p in seeds {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        out.push((format!("seeds/{name}"), name, std::fs::read(&p).unwrap()));
    }
    let root = shared("data/bbc_news/bbc");
    for p in bbc.iter().step_by(BBC_STEP).take(BBC_ARTICLES) {
        let rel = p.strip_prefix(&root).unwrap().to_string_lossy().into_owned();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        out.push((format!("bbc/{rel}"), name, std::fs::read(p).unwrap()));
    }
    (out, found)
}

fn spans(s: &[ingest_text::Span]) -> Value {
    s.iter().map(|s| json!([s.start, s.end])).collect()
}

/// Everything `read_articles` returns, plus `analyse` of each article's text.
fn render(name: &str, bytes: &[u8]) -> Value {
    let x = match read_articles(name, bytes, LIMITS) {
        Ok(x) => x,
        Err(e) => {
            let kind = match &e {
                ReadError::Empty => "empty",
                ReadError::Binary(_) => "binary",
                ReadError::Gzip(_) => "gzip",
            };
            return json!({ "error": kind, "message": e.to_string() });
        }
    };
    let articles: Vec<Value> = x
        .articles
        .iter()
        .map(|a| {
            let an = analyse(&a.text);
            json!({
                "title": a.title,
                "byline": a.byline,
                "published": a.published,
                "url": a.url,
                "site": a.site,
                "record": a.record,
                "language": a.language.code,
                "confidence": a.language.confidence,
                "removed": a.removed.iter().map(|r| json!([r.reason, r.text])).collect::<Vec<_>>(),
                "text": a.text,
                "analysis": {
                    "title": an.title.map(|t| [t.start, t.end]),
                    "paragraphs": spans(&an.paragraphs),
                    "sentences": spans(&an.sentences),
                    "words": an.words,
                },
            })
        })
        .collect();
    json!({
        "format": x.format.name(),
        "encoding": x.encoding,
        "compression": x.compression,
        "notes": x.notes.iter().map(|n| json!([n.kind, n.message])).collect::<Vec<_>>(),
        "articles": articles,
    })
}

/// What the golden file keeps for an input: the full output for the repository's own
/// inputs, and only a SHA-256 of it for texts from `../shared` (the seeds and the BBC
/// corpus are third-party articles the repository must not republish).
fn stored(key: &str, value: Value) -> Value {
    if key.starts_with("bbc/") || key.starts_with("seeds/") {
        use sha2::Digest;
        json!({ "sha256": hex::encode(sha2::Sha256::digest(value.to_string().as_bytes())) })
    } else {
        value
    }
}

#[test]
fn read_articles_and_analyse_match_the_golden_file() {
    let (inputs, found) = inputs();
    if !found {
        println!("note: ../shared seeds or BBC corpus not found: only repository inputs compared");
    }
    let got: serde_json::Map<String, Value> =
        inputs.iter().map(|(key, name, bytes)| (key.clone(), stored(key, render(name, bytes)))).collect();
    if std::env::var_os("INGEST_TEXT_BLESS").is_some() {
        assert!(found, "bless only with the shared corpora present");
        std::fs::create_dir_all(golden_path().parent().unwrap()).unwrap();
        let mut text = serde_json::to_string_pretty(&Value::Object(got)).unwrap();
        text.push('\n');
        std::fs::write(golden_path(), text).unwrap();
        println!("wrote {}", golden_path().display());
        return;
    }
    let want: serde_json::Map<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(golden_path()).expect("golden file")).unwrap();
    let mut checked = 0;
    for (key, want) in &want {
        match got.get(key) {
            Some(got) => {
                assert_eq!(got, want, "{key}: output differs from the golden file");
                checked += 1;
            }
            None => assert!(!found, "{key}: in the golden file but not among the inputs"),
        }
    }
    for key in got.keys() {
        assert!(want.contains_key(key), "{key}: not in the golden file (regenerate it, see the docs)");
    }
    assert!(checked >= 50, "only {checked} inputs compared");
    if found {
        assert_eq!(checked, want.len());
        assert!(want.keys().filter(|k| k.starts_with("bbc/")).count() == BBC_ARTICLES);
    }
}
