//! The ingestd **entities** plugin: who and what an article names (people, organisations,
//! places, other names), every mention with its offsets, grouped into one entity per
//! real-world thing, with a canonical name, aliases, a role and a salience.
//!
//! # A trained tagger
//!
//! Mentions come from a statistical sequence tagger ([`tagger`]): a structured averaged
//! perceptron over BIO tags (CoNLL-2003 types PER, ORG, LOC, MISC), decoded with Viterbi,
//! with word, shape, affix, context-window, gazetteer, word-cluster (k-means and Brown),
//! sentence-position and document-level features. It runs in two stages: the second is
//! stacked on the first and sees the first's tags of the whole article (how the same
//! word was tagged elsewhere in it), so names are typed consistently within an article.
//! It is trained by code in this crate on CoNLL-2003 `train` (epochs chosen on `dev`);
//! the model file `model/ner.bin` is compiled into the library,
//! so the cdylib needs no files at run time. Retrain, evaluate and measure with the
//! examples (`plugins/entities/README.md`).
//!
//! # The seams
//!
//! - [`recognise`] turns the text into typed [`recognise::Mention`]s: it runs the tagger
//!   per host sentence, converts BIO spans to code-point offsets, splits titles off as
//!   roles, and lets the curated lists type the names they list.
//! - [`group`] groups mentions into entities within the article: known variants
//!   ("U.S."/"US"/"America"), surnames joining full names, accent-insensitive and
//!   one-edit spelling matches ([`similar`]). It works on any tagger's mentions, and
//!   prefers the best-founded type ([`classify::Evidence`]).
//! - [`salience`] scores entities by earliness-weighted mention share.
//! - [`result`] is the JSON shape; [`config`] the settings; [`gazetteer`] the lists.
//!
//! All offsets are code points into `document.text`; sentences are the host's.
//! Processing is a pure function of the document text, so redelivery gives the same answer.

pub mod classify;
pub mod config;
pub mod gazetteer;
pub mod group;
pub mod recognise;
pub mod result;
pub mod salience;
pub mod similar;
pub mod tagger;

use ingest_abi::{Call, Document, Host, Plugin, PluginError, Span};

pub use config::Config;
pub use result::{EntitiesResult, EntityOut, EntityType, MentionOut};

use gazetteer::Gazetteer;
use tagger::Tagger;

/// The plugin instance: its configuration, the lists and the tagger, loaded once.
#[derive(Debug)]
pub struct Entities {
    config: Config,
    gazetteer: Gazetteer,
    tagger: Tagger,
}

impl Plugin for Entities {
    const NAME: &'static str = "entities";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    /// Mentions come from the text alone: configured after other plugins, entities still
    /// needs none of their results, so the host need not send them.
    const READS_PRIOR_RESULTS: bool = false;

    type Config = Config;
    type Output = EntitiesResult;

    fn create(config: Config, _host: &Host) -> Result<Self, PluginError> {
        config.validate().map_err(PluginError::Config)?;
        let gazetteer = Gazetteer::builtin().map_err(PluginError::Failed)?;
        let tagger = Tagger::builtin().map_err(|e| PluginError::Failed(format!("NER model: {e}")))?;
        Ok(Self { config, gazetteer, tagger })
    }

    fn process(&self, document: &Document, call: &Call<'_>) -> Result<EntitiesResult, PluginError> {
        if call.is_cancelled() {
            return Err(PluginError::Cancelled);
        }
        Ok(analyse(document, &self.gazetteer, &self.tagger, &self.config))
    }
}

ingest_abi::export_plugin!(Entities);

/// Finds, groups and scores the entities of `document`.
pub fn analyse(
    document: &Document,
    gazetteer: &Gazetteer,
    tagger: &Tagger,
    config: &Config,
) -> EntitiesResult {
    let text = document.text.as_str();
    let sentences = if document.sentences.is_empty() {
        ingest_text::sentences(text, &ingest_text::paragraphs(text))
            .iter()
            .map(|s| Span { start: s.start, end: s.end })
            .collect()
    } else {
        document.sentences.clone()
    };
    let mentions = recognise::recognise(text, &sentences, document.title.as_deref(), gazetteer, tagger);
    let entities = group::group(&mentions, gazetteer);
    let starts: Vec<Vec<usize>> =
        entities.iter().map(|e| e.mentions.iter().map(|&i| mentions[i].start).collect()).collect();
    let saliences = salience::salience(&starts, text.chars().count());

    let mut order: Vec<usize> = (0..entities.len()).collect();
    order.sort_by(|&a, &b| {
        saliences[b].total_cmp(&saliences[a]).then(entities[a].mentions[0].cmp(&entities[b].mentions[0]))
    });
    let mut out = EntitiesResult { mentions: Vec::new(), entities: Vec::new() };
    for e in order {
        let entity = &entities[e];
        if saliences[e] < config.min_salience || !config.types.contains(&entity.kind) {
            continue;
        }
        let id = format!("e{}", out.entities.len() + 1);
        out.mentions.extend(entity.mentions.iter().map(|&i| MentionOut {
            text: mentions[i].text.clone(),
            kind: entity.kind,
            start: mentions[i].start,
            end: mentions[i].end,
            entity: id.clone(),
        }));
        out.entities.push(EntityOut {
            id,
            name: entity.name.clone(),
            kind: entity.kind,
            aliases: entity.aliases.clone(),
            mentions: entity.mentions.len(),
            first: mentions[entity.mentions[0]].start,
            salience: saliences[e],
            role: entity.role.clone(),
        });
    }
    out.mentions.sort_by_key(|m| (m.start, m.end));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(text: &str) -> Document {
        serde_json::from_value(serde_json::json!({
            "id": "b3:x", "source": {"name": "x.txt", "bytes": 1, "sha256": "", "received_at": ""},
            "title": null, "language": "en", "text": text, "paragraphs": [], "sentences": [],
        }))
        .unwrap()
    }

    #[test]
    fn offsets_are_code_points_on_non_ascii_text() {
        let text = "« Très bien », dit Mélanie Joly à Zürich. Ukraine’s envoy met Mélanie Joly.";
        let g = Gazetteer::builtin().unwrap();
        let r = analyse(&document(text), &g, &Tagger::builtin().unwrap(), &Config::default());
        let chars: Vec<char> = text.chars().collect();
        assert!(!r.mentions.is_empty());
        for m in &r.mentions {
            assert_eq!(chars[m.start..m.end].iter().collect::<String>(), m.text);
        }
        let ukraine = r.mentions.iter().find(|m| m.text == "Ukraine").expect("Ukraine, possessive cut");
        assert_eq!(ukraine.start, text.chars().position(|c| c == 'U').unwrap());
        let joly = r.entities.iter().find(|e| e.name == "Mélanie Joly").unwrap();
        assert_eq!((joly.mentions, joly.kind), (2, EntityType::Per));
    }

    #[test]
    fn config_filters_types_and_low_salience() {
        let text = "Vladimir Putin met Donald Trump in Moscow. Putin spoke. Putin left. Trump stayed.";
        let g = Gazetteer::builtin().unwrap();
        let people = Config { types: vec![EntityType::Per], ..Config::default() };
        let r = analyse(&document(text), &g, &Tagger::builtin().unwrap(), &people);
        assert!(r.entities.iter().all(|e| e.kind == EntityType::Per));
        assert!(r.mentions.iter().all(|m| m.kind == EntityType::Per));
        assert_eq!(r.entities[0].name, "Vladimir Putin", "most salient first");
        assert_eq!(r.entities[0].id, "e1");
        let main = Config { min_salience: 0.4, ..Config::default() };
        let r = analyse(&document(text), &g, &Tagger::builtin().unwrap(), &main);
        assert_eq!(r.entities.len(), 1);
        assert!(r.mentions.iter().all(|m| m.entity == "e1"));
    }
}
