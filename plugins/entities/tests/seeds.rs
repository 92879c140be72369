//! The five sample articles (`shared/seeds/`): the names a reader sees in them must come
//! out as entities of plausible types. Skipped, with a note, when the folder is absent.

use std::path::Path;

use entities::gazetteer::Gazetteer;
use entities::{Config, EntitiesResult, EntityType};
use ingest_abi::{Document, Source, Span};

fn document(name: &str, raw: &str) -> Document {
    let text = ingest_text::clean(raw).text;
    let a = ingest_text::analyse(&text);
    let span = |s: &ingest_text::Span| Span { start: s.start, end: s.end };
    Document {
        id: format!("b3:{name}"),
        source: Source {
            name: name.into(),
            bytes: raw.len() as u64,
            sha256: String::new(),
            received_at: String::new(),
        },
        title: a.title.map(|t| t.slice(&text).to_owned()),
        language: "en".into(),
        paragraphs: a.paragraphs.iter().map(span).collect(),
        sentences: a.sentences.iter().map(span).collect(),
        text,
        plugins: Default::default(),
    }
}

fn seeds() -> Option<Vec<(String, Document)>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("note: {} not found; seed test skipped", dir.display());
        return None;
    };
    let mut files: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    files.sort();
    Some(
        files
            .iter()
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                let raw = std::fs::read_to_string(p).unwrap();
                (name.clone(), document(&name, &raw))
            })
            .collect(),
    )
}

#[test]
fn seed_articles_name_the_story_s_actors() {
    let Some(seeds) = seeds() else { return };
    let g = Gazetteer::builtin().unwrap();
    let tagger = entities::tagger::Tagger::builtin().unwrap();
    let results: Vec<(String, Document, EntitiesResult)> = seeds
        .into_iter()
        .map(|(name, doc)| {
            let r = entities::analyse(&doc, &g, &tagger, &Config::default());
            (name, doc, r)
        })
        .collect();

    for (name, doc, r) in &results {
        println!("== {name}");
        for e in &r.entities {
            println!(
                "  {:4} {:<28} {:>2}x sal {:.3} role {:?} aliases {:?}",
                e.kind.tag(),
                e.name,
                e.mentions,
                e.salience,
                e.role,
                e.aliases
            );
        }
        // Every mention's offsets select exactly its text, in code points.
        let chars: Vec<char> = doc.text.chars().collect();
        for m in &r.mentions {
            assert_eq!(chars[m.start..m.end].iter().collect::<String>(), m.text, "{name}");
        }
    }

    use EntityType::*;
    let expected: &[(&str, &[EntityType])] = &[
        ("Trump", &[Per]),
        ("Putin", &[Per]),
        ("Zelensky", &[Per]),
        ("Starmer", &[Per]),
        ("Witkoff", &[Per]),
        ("Rubio", &[Per]),
        ("Joly", &[Per]),
        ("Lammy", &[Per]),
        ("Macron", &[Per]),
        ("Merz", &[Per]),
        ("Ukraine", &[Loc]),
        ("Russia", &[Loc]),
        ("Moscow", &[Loc]),
        ("Kursk", &[Loc]),
        ("Quebec", &[Loc]),
        ("G7", &[Org]),
        ("Kremlin", &[Org]),
        ("White House", &[Org]),
    ];
    for &(needle, types) in expected {
        let needle_folded = ingest_text::fold(needle);
        // Where each seed mentions the name, the entity carrying it (by name or alias).
        let hits: Vec<(&str, EntityType, usize)> = results
            .iter()
            .flat_map(|(name, _, r)| {
                r.entities
                    .iter()
                    .filter(|e| {
                        std::iter::once(&e.name)
                            .chain(&e.aliases)
                            .any(|n| ingest_text::fold(n).contains(&needle_folded))
                    })
                    .map(move |e| (name.as_str(), e.kind, e.mentions))
            })
            .collect();
        assert!(!hits.is_empty(), "{needle} is not an entity in any seed");
        // The entity with the most mentions across seeds must have a plausible type.
        let main = hits.iter().max_by_key(|h| h.2).unwrap();
        assert!(types.contains(&main.1), "{needle}: {hits:?}");
        // And most seeds that name it agree.
        let plausible = hits.iter().filter(|h| types.contains(&h.1)).count();
        assert!(plausible * 2 > hits.len(), "{needle}: {hits:?}");
    }

    // Merged as described: one canonical entity per thing, titles stripped into roles.
    let entity = |seed: &str, name: &str| {
        let (_, _, r) = results.iter().find(|(n, _, _)| n.starts_with(seed)).unwrap();
        r.entities.iter().find(|e| e.name == name).cloned().unwrap_or_else(|| panic!("{seed}: no {name}"))
    };
    let trump = entity("000", "Donald Trump");
    assert!(trump.aliases.contains(&"Trump".to_owned()) && trump.role.as_deref() == Some("President"));
    let putin = entity("002", "Vladimir Putin");
    assert!(putin.aliases.contains(&"Putin".to_owned()));
    assert_eq!(entity("001", "Volodymyr Zelensky").aliases, ["Zelensky"]);
    assert_eq!(entity("003", "Keir Starmer").role.as_deref(), Some("Prime Minister"));
    assert_eq!(entity("001", "Mélanie Joly").role.as_deref(), Some("Foreign Minister"));
    assert_eq!(entity("000", "Marco Rubio").role.as_deref(), Some("Secretary of State"));
    let us = entity("000", "United States");
    assert!(us.aliases.contains(&"U.S.".to_owned()));
    assert_eq!(entity("000", "Group of Seven").aliases, ["G7"]);
}
