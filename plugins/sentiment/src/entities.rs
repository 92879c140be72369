//! Reads the entities plugin's result from the document: which entity each mention
//! belongs to, so [`crate::document`] can score entities by the sentences naming them.
//!
//! The coupling is deliberately loose: only `mentions[].start` and the entity's `name`
//! are required. A mention is linked by its `entity` id when the entities plugin gives one,
//! otherwise by matching its text (accent- and case-insensitively) against an entity's
//! name or aliases. A result of another shape is reported, not fatal.

use std::borrow::Cow;

use ingest_abi::Document;
use ingest_text::fold;
use serde::Deserialize;

/// The key of the entities plugin's result in [`Document::plugins`].
pub const ENTITIES_PLUGIN: &str = "entities";

/// One entity and the code-point offsets where its mentions start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityMentions {
    /// The entity's canonical name: the key of its score in the result.
    pub name: String,
    /// Start offset of every mention linked to it, in text order.
    pub starts: Vec<usize>,
}

// Views borrowing their strings from the result's JSON text (a copy only for a string with
// escapes); fields not named here (types, offsets, salience, ...) are skipped unparsed.
#[derive(Deserialize)]
struct View<'a> {
    #[serde(default, borrow)]
    mentions: Vec<MentionView<'a>>,
    #[serde(default, borrow)]
    entities: Vec<EntityView<'a>>,
}

#[derive(Deserialize)]
struct MentionView<'a> {
    start: usize,
    #[serde(default, borrow)]
    text: Text<'a>,
    #[serde(default, borrow)]
    entity: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct EntityView<'a> {
    #[serde(default, borrow)]
    id: Option<Text<'a>>,
    #[serde(borrow)]
    name: Text<'a>,
    #[serde(default, borrow)]
    aliases: Vec<Text<'a>>,
}

/// A string of the result, borrowed unless it holds escapes. (A bare `Cow` field borrows, but
/// one inside an `Option` or a `Vec` is always copied; this wrapper borrows in both.)
#[derive(Deserialize, Default, PartialEq)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

/// The entities of `document` with their mentions, in the entities plugin's order; empty
/// when that plugin did not run (or failed).
///
/// # Errors
/// The entities result is present but not of the documented shape; the message says why.
pub fn entity_mentions(document: &Document) -> Result<Vec<EntityMentions>, String> {
    let Some(result) = document.plugins.get(ENTITIES_PLUGIN) else { return Ok(Vec::new()) };
    let view: View<'_> =
        result.parse().map_err(|e| format!("cannot read the {ENTITIES_PLUGIN} result: {e}"))?;
    let mut out: Vec<EntityMentions> = view
        .entities
        .iter()
        .map(|e| EntityMentions { name: e.name.0.to_string(), starts: Vec::new() })
        .collect();
    // Folded names and aliases, computed only if some mention has no entity id.
    let mut keys: Option<Vec<Vec<String>>> = None;
    for mention in &view.mentions {
        let by_id = mention
            .entity
            .as_ref()
            .and_then(|id| view.entities.iter().position(|e| e.id.as_ref() == Some(id)));
        let index = by_id.or_else(|| {
            let key = fold(&mention.text.0);
            let keys = keys.get_or_insert_with(|| {
                view.entities
                    .iter()
                    .map(|e| std::iter::once(&e.name).chain(&e.aliases).map(|n| fold(&n.0)).collect())
                    .collect()
            });
            keys.iter().position(|names| names.contains(&key))
        });
        if let Some(i) = index {
            out[i].starts.push(mention.start);
        }
    }
    for e in &mut out {
        e.starts.sort_unstable();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document(entities: serde_json::Value) -> Document {
        let mut doc: Document = serde_json::from_value(json!({
            "id": "b3:x", "source": {"name": "x.txt", "bytes": 1, "sha256": "", "received_at": ""},
            "title": null, "language": "en", "text": "", "paragraphs": [], "sentences": [],
        }))
        .unwrap();
        doc.plugins.insert(ENTITIES_PLUGIN.into(), ingest_abi::PriorResult::from_value(&entities));
        doc
    }

    #[test]
    fn links_by_id_then_by_name_or_alias() {
        let doc = document(json!({
            "mentions": [
                {"text": "Putin", "type": "PER", "start": 40, "end": 45, "entity": "e2"},
                {"text": "Melanie Joly", "type": "PER", "start": 10, "end": 22},
                {"text": "Mélanie Joly", "type": "PER", "start": 0, "end": 12},
                {"text": "Nobody", "type": "PER", "start": 50, "end": 56},
            ],
            "entities": [
                {"id": "e1", "name": "Mélanie Joly", "type": "PER", "aliases": []},
                {"id": "e2", "name": "Vladimir Putin", "type": "PER", "aliases": ["Putin"]},
            ]
        }));
        let found = entity_mentions(&doc).unwrap();
        assert_eq!(found[0], EntityMentions { name: "Mélanie Joly".into(), starts: vec![0, 10] });
        assert_eq!(found[1], EntityMentions { name: "Vladimir Putin".into(), starts: vec![40] });
    }

    /// Strings with JSON escapes cannot be borrowed from the result's text; they still link.
    #[test]
    fn names_with_escapes_link_too() {
        let doc = document(json!({
            "mentions": [{"text": "The \"Times\"\n", "start": 3}, {"text": "Times", "start": 9, "entity": "e\\1"}],
            "entities": [{"id": "e\\1", "name": "The \"Times\"\n", "aliases": ["Times\t"]}]
        }));
        assert!(doc.plugins[ENTITIES_PLUGIN].json().contains(r#"\"Times\""#), "the JSON holds escapes");
        let found = entity_mentions(&doc).unwrap();
        assert_eq!(found, vec![EntityMentions { name: "The \"Times\"\n".into(), starts: vec![3, 9] }]);
    }

    #[test]
    fn absent_is_empty_and_malformed_is_an_error() {
        let mut doc = document(json!(null));
        doc.plugins.clear();
        assert!(entity_mentions(&doc).unwrap().is_empty());
        let doc = document(json!({"mentions": "oops"}));
        assert!(entity_mentions(&doc).is_err());
    }
}
