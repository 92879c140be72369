//! Reading input files as the daemon does ([`read_articles`]): the HTML fixtures (page shapes
//! real news sites use, with known bodies), the seeds' promo block and repeated headline,
//! and every format and encoding.

use std::path::{Path, PathBuf};

use ingest_text::{Format, Limits, read_articles, reason};

const LIMITS: Limits = Limits { max_decompressed: 1 << 24 };

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages")
}

/// Every fixture page with its known body, sorted.
fn pages() -> Vec<(String, Vec<u8>, String)> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .expect("fixtures/pages exists")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".html"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let html = std::fs::read(fixtures().join(&name)).unwrap();
            let body = std::fs::read_to_string(fixtures().join(name.replace(".html", ".body.txt"))).unwrap();
            (name, html, body)
        })
        .collect()
}

fn words(text: &str) -> std::collections::HashMap<String, usize> {
    let mut bag = std::collections::HashMap::new();
    for w in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        *bag.entry(w.to_lowercase()).or_insert(0) += 1;
    }
    bag
}

/// Word-level (bag of words) F1 of `got` against `want`, as `scripts/extraction_eval.py`.
fn f1(got: &str, want: &str) -> f64 {
    let (g, w) = (words(got), words(want));
    let overlap: usize = g.iter().map(|(k, n)| (*n).min(*w.get(k).unwrap_or(&0))).sum();
    let (total_g, total_w): (usize, usize) = (g.values().sum(), w.values().sum());
    if overlap == 0 {
        return 0.0;
    }
    let (p, r) = (overlap as f64 / total_g as f64, overlap as f64 / total_w as f64);
    2.0 * p * r / (p + r)
}

#[test]
fn there_are_at_least_twenty_fixture_pages() {
    assert!(pages().len() >= 20, "{} pages", pages().len());
}

#[test]
fn every_page_keeps_all_paragraphs_of_its_body_in_order() {
    for (name, html, body) in pages() {
        let x = read_articles(&name, &html, LIMITS).unwrap();
        assert_eq!(x.format, Format::Html, "{name}");
        let text = &x.articles[0].text;
        let mut from = 0;
        for paragraph in body.split("\n\n").map(str::trim) {
            let at = text[from..].find(paragraph).unwrap_or_else(|| {
                panic!("{name}: missing or out of order: {paragraph}\n--- got ---\n{text}")
            });
            from += at + paragraph.len();
        }
    }
}

#[test]
fn boilerplate_is_left_out() {
    let furniture = [
        "We use cookies",
        "Sign up for our free newsletter",
        "Most read",
        "Does anyone know whether",
        "Leave a comment",
        "Share on Facebook",
        "independent regional newspaper founded in 1871",
        "Accept all",
        "Photograph: Agency",
        "Support independent journalism",
    ];
    for (name, html, _) in pages() {
        let text = &read_articles(&name, &html, LIMITS).unwrap().articles[0].text;
        for phrase in furniture {
            assert!(!text.contains(phrase), "{name} kept {phrase:?}:\n{text}");
        }
    }
}

#[test]
fn mean_word_f1_over_the_fixtures_is_high() {
    let pages = pages();
    let mean = pages.iter().map(|(_, html, body)| f1(&ingest_text::html_body(html), body)).sum::<f64>()
        / pages.len() as f64;
    assert!(mean >= 0.95, "mean word F1 {mean:.3}");
}

#[test]
fn html_metadata_comes_from_meta_json_ld_and_headings() {
    let (name, html, _) = pages().into_iter().find(|(n, ..)| n.contains("_jsonld_")).unwrap();
    let a = &read_articles(&name, &html, LIMITS).unwrap().articles[0];
    assert_eq!(a.title.as_deref(), Some("Police recover stolen medieval manuscripts"));
    assert_eq!(a.byline.as_deref(), Some("Clara Nwosu and Piet Janssen"));
    assert_eq!(a.published.as_deref(), Some("2025-01-21T17:45:00Z"));
    assert_eq!(a.url.as_deref(), Some("https://www.dailycourier.example/crime/manuscripts-recovered"));
    assert_eq!(a.site.as_deref(), Some("The Ledger"));
    assert_eq!(a.language.code, "en");
    assert!(
        a.text.starts_with("Police recover stolen medieval manuscripts\n\nThree illuminated"),
        "{}",
        a.text
    );

    let (name, html, _) = pages().into_iter().find(|(n, ..)| n.contains("_amp_")).unwrap();
    let a = &read_articles(&name, &html, LIMITS).unwrap().articles[0];
    assert_eq!(a.byline.as_deref(), Some("Joanna Pike"), "AMP: from JSON-LD");
    assert_eq!(
        a.url.as_deref(),
        Some("https://www.thecommuter.example/transport/rail-strike-vote"),
        "AMP: canonical"
    );
}

#[test]
fn promo_lines_inside_an_html_body_are_reported() {
    let (name, html, _) = pages().into_iter().find(|(n, ..)| n.contains("_cookie_")).unwrap();
    let a = &read_articles(&name, &html, LIMITS).unwrap().articles[0];
    let reasons: Vec<&str> = a.removed.iter().map(|r| r.reason).collect();
    assert!(reasons.contains(&reason::ADVERTISEMENT), "{reasons:?}");
    assert!(reasons.contains(&reason::SHARE), "{reasons:?}");
}

#[test]
fn legacy_encoded_page_with_declared_charset() {
    let html = "<html><head><meta charset=\"iso-8859-1\"><title>Café owners protest</title></head><body><article>\
                <h1>Café owners protest</h1><p>Owners of cafés in the old town said the new fees, about €40 a \
                month, were «unfair», and the mayor's office promised a review before the summer season.</p>\
                </article></body></html>";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(html);
    let x = read_articles("page.html", &bytes, LIMITS).unwrap();
    assert_eq!(x.encoding, "windows-1252");
    assert!(
        x.articles[0].text.contains("cafés in the old town said the new fees, about €40"),
        "{}",
        x.articles[0].text
    );
}

fn seed(prefix: &str) -> Option<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let entry = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with(prefix))?;
    std::fs::read(entry.path()).ok()
}

#[test]
fn seed_000_promo_block_is_dropped_and_reported() {
    let Some(bytes) = seed("000_") else {
        println!("note: shared/seeds not found, skipping");
        return;
    };
    let a = &read_articles("000.txt", &bytes, LIMITS).unwrap().articles[0];
    assert!(!a.text.contains("Get each day National news"));
    assert!(!a.text.contains("delivered to your inbox"));
    let promos: Vec<&str> =
        a.removed.iter().filter(|r| r.reason == reason::PROMO).map(|r| r.text.as_str()).collect();
    assert_eq!(promos.len(), 2, "{promos:?}");
    assert_eq!(promos[0], "Get each day National news");
    assert!(a.text.contains("G7 officials had feared"), "the news around it stays");
    assert!(a.text.contains("“Relating to different issues"), "the news around it stays");
}

#[test]
fn seed_001_repeated_headline_is_kept_once() {
    let Some(bytes) = seed("001_") else {
        println!("note: shared/seeds not found, skipping");
        return;
    };
    let a = &read_articles("001.txt", &bytes, LIMITS).unwrap().articles[0];
    let headline = "Trump Hails Productive Dialogue with Putin on Ukraine Ceasefire";
    assert_eq!(a.text.matches(headline).count(), 1);
    assert!(a.removed.iter().any(|r| r.reason == reason::REPEATED_LINE && r.text == headline));
}

#[test]
fn every_format_and_encoding() {
    let story = "Ministers agreed on a ceasefire plan in Quebec on Friday, officials said.";
    let utf16 = |be: bool| {
        let mut b = if be { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
        for u in format!("Talks end\n\n{story}").encode_utf16() {
            b.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
        }
        b
    };
    let cases: Vec<(&str, Vec<u8>, Format, &str)> = vec![
        ("a.txt", format!("Talks end\n\n{story}").into_bytes(), Format::Text, "utf-8"),
        (
            "a.txt",
            [&b"\xEF\xBB\xBF"[..], format!("Talks end\n\n{story}").as_bytes()].concat(),
            Format::Text,
            "utf-8",
        ),
        ("a.txt", utf16(false), Format::Text, "utf-16le"),
        ("a.txt", utf16(true), Format::Text, "utf-16be"),
        ("a.md", format!("# Talks end\n\n{story}").into_bytes(), Format::Markdown, "utf-8"),
        (
            "a.json",
            format!("{{\"title\": \"Talks end\", \"text\": \"{story}\"}}").into_bytes(),
            Format::Json,
            "utf-8",
        ),
        (
            "a.html",
            format!("<html><body><h1>Talks end</h1><p>{story}</p></body></html>").into_bytes(),
            Format::Html,
            "utf-8",
        ),
    ];
    for (name, bytes, format, encoding) in cases {
        let x = read_articles(name, &bytes, LIMITS).unwrap();
        assert_eq!((x.format, x.encoding.as_str()), (format, encoding), "{name}");
        assert_eq!(x.articles[0].text, format!("Talks end\n\n{story}"), "{name} {format:?} {encoding}");
    }
}
