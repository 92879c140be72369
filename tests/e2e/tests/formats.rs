//! Every input format and encoding, dropped into the real daemon: plain text (UTF-8 with and
//! without BOM, UTF-16 LE/BE with BOM, undeclared Windows-1252 and ISO-8859-2), HTML (a
//! fixture page with comments, share bars and a "most read" list), JSON, JSON Lines (one
//! result per line), Markdown, gzip; a gzip bomb goes to `failed/`. Each result is checked
//! against the published JSON Schema.

use std::fs;
use std::io::Write;

use ingestd_e2e::{Env, assert_result_shape, list, result_name, workspace_root};
use serde_json::Value;

const STORY: &str = "Foreign ministers met in Quebec on Friday to discuss trade and security. \
                     The talks ended with a joint statement that welcomed the proposed ceasefire.";

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut bytes = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
    }
    bytes
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_slice(&fs::read(workspace_root().join("docs/result.schema.json")).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("the schema itself is valid")
}

fn read(env: &Env, result: &str) -> Value {
    let path = env.outbox().join(result);
    serde_json::from_slice(&fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

/// One expected single-article result.
struct Case {
    input: &'static str,
    bytes: Vec<u8>,
    format: &'static str,
    encoding: &'static str,
    /// Must appear in `text`.
    contains: &'static str,
}

#[test]
fn every_format_and_encoding_gets_a_result() {
    let page = fs::read(
        workspace_root().join("crates/ingest-text/tests/fixtures/pages/09_comments_coral-study.html"),
    )
    .expect("HTML fixture");
    let text = format!("Talks end in Quebec\n\n{STORY}\n");
    // "Le ministre a déclaré « très difficiles » à Québec, où l’été…" in Windows-1252, undeclared.
    let cp1252 = b"Les ministres ont d\xe9clar\xe9 que les n\xe9gociations \xe9taient \xab tr\xe8s difficiles \xbb \
                   \xe0 Qu\xe9bec, o\xf9 l\x92\xe9t\xe9 s\x92annonce d\xe9j\xe0 chaud. Le pr\xe9sident a r\xe9pondu \
                   qu\x92il faudrait \x93 plus de temps \x94 pour r\xe9gler la question."
        .to_vec();
    let polish = "Wczoraj w Krakowie minister spraw zagranicznych ogłosił, że rozmowy pokojowe będą kontynuowane. \
                  Źródła w rządzie twierdzą, że porozumienie jest bliskie, a władze przyjęły propozycję z ostrożnym \
                  optymizmem.";
    let iso_8859_2: Vec<u8> = polish
        .chars()
        .map(|c| match c {
            'ą' => 0xB1,
            'ć' => 0xE6,
            'ę' => 0xEA,
            'ł' => 0xB3,
            'ń' => 0xF1,
            'ó' => 0xF3,
            'ś' => 0xB6,
            'ź' => 0xBC,
            'ż' => 0xBF,
            'Ź' => 0xAC,
            c => u8::try_from(u32::from(c)).expect("ASCII"),
        })
        .collect();
    let cases = vec![
        Case { input: "plain.txt", bytes: text.clone().into_bytes(), format: "text", encoding: "utf-8", contains: STORY },
        Case {
            input: "bom.txt",
            bytes: [&b"\xEF\xBB\xBF"[..], text.as_bytes()].concat(),
            format: "text",
            encoding: "utf-8",
            contains: STORY,
        },
        Case { input: "le.txt", bytes: utf16(&text, false), format: "text", encoding: "utf-16le", contains: STORY },
        Case { input: "be.txt", bytes: utf16(&text, true), format: "text", encoding: "utf-16be", contains: STORY },
        Case {
            input: "legacy.txt",
            bytes: cp1252,
            format: "text",
            encoding: "windows-1252",
            contains: "« très difficiles » à Québec, où l’été",
        },
        Case {
            input: "polish.txt",
            bytes: iso_8859_2,
            format: "text",
            encoding: "iso-8859-2",
            contains: "Źródła w rządzie twierdzą",
        },
        Case {
            input: "page.html",
            bytes: page.clone(),
            format: "html",
            encoding: "utf-8",
            contains: "some corals carry traits",
        },
        Case {
            input: "story.json",
            bytes: format!(
                r#"{{"headline": "Talks end in Quebec", "content": "{STORY}", "url": "https://news.example/talks",
                    "publishedAt": "2025-03-14T10:00:00Z", "author": {{"name": "Ann Lee"}}, "source": {{"name": "Example News"}}}}"#
            )
            .into_bytes(),
            format: "json",
            encoding: "utf-8",
            contains: STORY,
        },
        Case {
            input: "notes.md",
            bytes: "---\nauthor: Ann Lee\n---\n# Talks end in Quebec\n\n**Foreign ministers** met in [Quebec](https://q.example) on Friday to discuss trade and security. The talks ended with a joint statement that welcomed the proposed ceasefire.\n".as_bytes().to_vec(),
            format: "markdown",
            encoding: "utf-8",
            contains: STORY,
        },
        Case { input: "page.html.gz", bytes: gzip(&page), format: "html", encoding: "utf-8", contains: "heat-tolerant" },
    ];

    let env = Env::new();
    let config = env.write_config("ingestd.toml", &env.config(""));
    let mut daemon = env.start(&config);
    for case in &cases {
        env.drop_file(case.input, &case.bytes);
    }
    daemon.wait_for("a result per file and every input archived", || {
        list(&env.archive()).len() == cases.len() || !list(&env.failed()).is_empty()
    });
    assert!(list(&env.failed()).is_empty(), "nothing fails: {:?}\n{}", list(&env.failed()), daemon.log());

    let validator = validator();
    for case in &cases {
        let result = read(&env, &result_name(case.input));
        assert_result_shape(&result, case.input, &case.bytes);
        let errors: Vec<String> =
            validator.iter_errors(&result).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{} does not match the schema: {errors:?}", case.input);
        assert_eq!(result["format"], case.format, "{}: {result:#}", case.input);
        assert_eq!(result["encoding"], case.encoding, "{}: {result:#}", case.input);
        let text = result["text"].as_str().unwrap();
        assert!(text.contains(case.contains), "{}: {text}", case.input);
        assert_eq!(
            result["compression"].as_str(),
            case.input.ends_with(".gz").then_some("gzip"),
            "{}",
            case.input
        );
        assert!(result.get("record").is_none(), "{}: a single article has no record", case.input);
    }

    let html = read(&env, "page.json");
    assert_eq!(html["title"], "Scientists find heat-tolerant corals on remote reef");
    assert_eq!(html["byline"], "Dr. Hana Sato");
    assert_eq!(html["published"], "2025-04-28T09:00:00Z");
    assert_eq!(html["url"], "https://www.sciencewire.example/oceans/heat-tolerant-corals");
    assert_eq!(html["language"], "en");
    assert!(html["language_confidence"].as_f64().unwrap() > 0.5);
    let text = html["text"].as_str().unwrap();
    for furniture in
        ["Does anyone know whether", "Most read", "Leave a comment", "independent regional newspaper"]
    {
        assert!(!text.contains(furniture), "page.html kept {furniture:?}: {text}");
    }
    let json = read(&env, "story.json");
    assert_eq!(
        (&json["title"], &json["byline"], &json["url"], &json["site"]),
        (
            &Value::from("Talks end in Quebec"),
            &Value::from("Ann Lee"),
            &Value::from("https://news.example/talks"),
            &Value::from("Example News")
        )
    );
    let md = read(&env, "notes.json");
    assert_eq!((&md["title"], &md["byline"]), (&Value::from("Talks end in Quebec"), &Value::from("Ann Lee")));
    assert!(!md["text"].as_str().unwrap().contains("https://q.example"), "link targets are dropped");
    assert_eq!(read(&env, "legacy.json")["errors"][0]["kind"], "decode", "a guessed encoding is noted");
    assert_eq!(read(&env, "legacy.json")["language"], "fr");
    assert_eq!(read(&env, "polish.json")["language"], "pl");
    daemon.stop();
}

#[test]
fn json_lines_give_one_result_per_line_and_the_input_is_archived_after_all() {
    let lines = [
        format!(r#"{{"title": "Talks end in Quebec", "text": "{STORY}", "url": "https://news.example/1"}}"#),
        String::new(),
        "this line is not JSON".to_owned(),
        r#"{"title": "Flood warnings issued", "body": "Residents in low-lying parts of Brookfield were told to prepare to leave their homes on Wednesday."}"#.to_owned(),
    ];
    let bytes = format!("{}\n", lines.join("\n")).into_bytes();
    let env = Env::new();
    let config = env.write_config("ingestd.toml", &env.config(""));
    let mut daemon = env.start(&config);
    env.drop_file("feed.jsonl", &bytes);
    daemon.wait_for("the feed archived", || list(&env.archive()) == ["feed.jsonl"]);
    assert_eq!(
        env.result_files(),
        ["feed.1.json", "feed.4.json"],
        "one result per article line, named by line"
    );
    let first = read(&env, "feed.1.json");
    let fourth = read(&env, "feed.4.json");
    for (result, line, title) in [(&first, 1, "Talks end in Quebec"), (&fourth, 4, "Flood warnings issued")] {
        assert_result_shape(result, "feed.jsonl", &bytes);
        assert_eq!(result["record"], line);
        assert_eq!(result["format"], "jsonl");
        assert_eq!(result["title"], title);
        assert!(
            result["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["kind"] == "format" && e["message"].as_str().unwrap().starts_with("line 3:")),
            "the bad line is noted: {result:#}"
        );
    }
    assert_ne!(first["id"], fourth["id"], "each article has its own id");
    assert_eq!(first["url"], "https://news.example/1");
    daemon.stop();
}

#[test]
fn a_gzip_bomb_is_refused_into_failed() {
    let env = Env::new();
    let config = env.write_config("ingestd.toml", &format!("max_bytes = 100000\n{}", env.config("")));
    let mut daemon = env.start(&config);
    let bomb = gzip(&vec![b'a'; 50_000_000]);
    assert!(bomb.len() < 100_000);
    env.drop_file("bomb.txt.gz", &bomb);
    daemon.wait_for("the bomb in failed/", || list(&env.failed()).len() == 2);
    let report: Value =
        serde_json::from_slice(&fs::read(env.failed().join("bomb.txt.gz.error.json")).unwrap()).unwrap();
    assert_eq!(report["kind"], "too_large", "{report:#}");
    assert!(env.result_files().is_empty());
    daemon.stop();
}
