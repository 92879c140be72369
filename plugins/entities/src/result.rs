//! [`EntitiesResult`]: the JSON shape this plugin writes under `plugins.entities.result`.
//!
//! ```json
//! {"mentions": [{"text": "Putin", "type": "PER", "start": 120, "end": 125, "entity": "e2"}],
//!  "entities": [{"id": "e2", "name": "Vladimir Putin", "type": "PER",
//!                "aliases": ["Putin"], "mentions": 9, "first": 98, "salience": 0.21,
//!                "role": "President"}]}
//! ```
//!
//! Offsets are code points into the document text; `text` is exactly the text they cover.
//! Each mention names its entity's `id`, so consumers (the sentiment plugin) need not
//! re-match names. Entities are ordered by salience, most salient first; ids follow that
//! order and are stable for a given text.

use serde::{Deserialize, Serialize};

/// The CoNLL-2003 entity types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EntityType {
    /// A person.
    #[serde(rename = "PER")]
    Per,
    /// An organisation: institutions, companies, parties, alliances, media.
    #[serde(rename = "ORG")]
    Org,
    /// A place: countries, cities, regions, geographical features.
    #[serde(rename = "LOC")]
    Loc,
    /// Everything else named: nationalities, events, laws, products.
    #[serde(rename = "MISC")]
    Misc,
}

impl EntityType {
    /// All four types.
    pub const ALL: [EntityType; 4] = [Self::Per, Self::Org, Self::Loc, Self::Misc];

    /// The type from its CoNLL tag ("PER", "ORG", "LOC", "MISC").
    pub fn parse(tag: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.tag() == tag)
    }

    /// The CoNLL tag.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Per => "PER",
            Self::Org => "ORG",
            Self::Loc => "LOC",
            Self::Misc => "MISC",
        }
    }
}

/// One occurrence of a name in the text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MentionOut {
    /// The text covered, possessive "'s" and leading titles excluded.
    pub text: String,
    /// The type of the entity it belongs to.
    #[serde(rename = "type")]
    pub kind: EntityType,
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// The `id` of its entity.
    pub entity: String,
}

/// One real-world thing named in the article, with all its mentions grouped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityOut {
    /// `e1`, `e2`, … in salience order.
    pub id: String,
    /// Canonical name: the fullest form used ("Donald Trump" for "Trump"), or the
    /// standard name of a known variant ("United States" for "U.S.").
    pub name: String,
    /// The entity's type.
    #[serde(rename = "type")]
    pub kind: EntityType,
    /// Other spellings used in the text, in order of first use.
    pub aliases: Vec<String>,
    /// Number of mentions.
    pub mentions: usize,
    /// Start offset of the first mention.
    pub first: usize,
    /// Share of the article's attention, in [0, 1]; see [`crate::salience`].
    pub salience: f64,
    /// The title or role the text gives the entity ("President", "Foreign Minister").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// What the plugin returns for one document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntitiesResult {
    /// Every kept mention, in text order.
    pub mentions: Vec<MentionOut>,
    /// Every kept entity, most salient first.
    pub entities: Vec<EntityOut>,
}
