//! [`Gazetteer`]: the small built-in word lists the rule-based recogniser types names with.
//!
//! The lists are plain text files in `data/` (one entry per line, `#` comments), compiled
//! in with `include_str!` and folded with `ingest_text::fold` once, in `create`, so every
//! lookup is accent- and case-insensitive. They are general world knowledge (countries,
//! capitals, demonyms, title words, common given names), not answers for any article.

use std::collections::{HashMap, HashSet};

use ingest_text::fold;

use crate::result::EntityType;

/// One folded word or phrase per line of a `data/*.txt` list.
fn set(list: &str) -> HashSet<String> {
    entries(list).map(fold).collect()
}

fn entries(list: &str) -> impl Iterator<Item = &str> {
    list.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// A name that must resolve to one canonical entity (see `data/aliases.txt`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    /// The entity's canonical name: "United States".
    pub canonical: String,
    /// Its type.
    pub kind: EntityType,
}

/// The recogniser's lists, folded.
#[derive(Debug, Clone)]
pub struct Gazetteer {
    /// Countries, capitals, major cities and regions.
    pub places: HashSet<String>,
    /// Nationality and group words.
    pub demonyms: HashSet<String>,
    /// Organisations known by one word or an acronym.
    pub organisations: HashSet<String>,
    /// Words that make a name an organisation.
    pub org_cues: HashSet<String>,
    /// Last words that make a name a place.
    pub loc_cues: HashSet<String>,
    /// First words of multi-word place names.
    pub loc_prefixes: HashSet<String>,
    /// Words that make a name an event or law.
    pub misc_cues: HashSet<String>,
    /// Common given names.
    pub first_names: HashSet<String>,
    /// Title head words ("President", "Minister").
    pub title_heads: HashSet<String>,
    /// Words qualifying a title head ("Prime", "Foreign").
    pub title_modifiers: HashSet<String>,
    /// Forms of address ("Sir", "Mr").
    pub honorifics: HashSet<String>,
    /// Lowercase words allowed inside a name ("of", "von").
    pub connectors: HashSet<String>,
    /// Capitalised words that are never an entity alone ("The", "However").
    pub stopwords: HashSet<String>,
    /// Weekdays and months.
    pub calendar: HashSet<String>,
    /// Variant spellings, by folded variant.
    pub aliases: HashMap<String, Alias>,
}

impl Gazetteer {
    /// The lists built into the crate.
    ///
    /// # Errors
    /// A malformed line in `data/aliases.txt`, named.
    pub fn builtin() -> Result<Self, String> {
        let mut places = set(include_str!("../data/countries.txt"));
        places.extend(set(include_str!("../data/capitals.txt")));
        places.extend(set(include_str!("../data/regions.txt")));
        Ok(Self {
            places,
            demonyms: set(include_str!("../data/demonyms.txt")),
            organisations: set(include_str!("../data/org_names.txt")),
            org_cues: set(include_str!("../data/org_cues.txt")),
            loc_cues: set(include_str!("../data/loc_cues.txt")),
            loc_prefixes: set(include_str!("../data/loc_prefixes.txt")),
            misc_cues: set(include_str!("../data/misc_cues.txt")),
            first_names: set(include_str!("../data/first_names.txt")),
            title_heads: set(include_str!("../data/title_heads.txt")),
            title_modifiers: set(include_str!("../data/title_modifiers.txt")),
            honorifics: set(include_str!("../data/honorifics.txt")),
            connectors: set(include_str!("../data/connectors.txt")),
            stopwords: set(include_str!("../data/stopwords.txt")),
            calendar: set(include_str!("../data/calendar.txt")),
            aliases: aliases(include_str!("../data/aliases.txt"))?,
        })
    }

    /// True when the folded word or phrase is in any list that names things (places,
    /// demonyms, organisations, aliases, given names): evidence that a capitalised word at
    /// the start of a sentence is a name and not just capitalised by position.
    pub fn knows(&self, folded: &str) -> bool {
        self.places.contains(folded)
            || self.demonyms.contains(folded)
            || self.organisations.contains(folded)
            || self.aliases.contains_key(folded)
            || self.first_names.contains(folded)
    }

    /// True for a word that is part of a title or form of address.
    pub fn is_title_word(&self, folded: &str) -> bool {
        self.title_heads.contains(folded)
            || self.title_modifiers.contains(folded)
            || self.honorifics.contains(folded)
    }
}

/// `TYPE<TAB>Canonical<TAB>variant...` lines.
fn aliases(list: &str) -> Result<HashMap<String, Alias>, String> {
    let mut out = HashMap::new();
    for (n, line) in entries(list).enumerate() {
        let mut fields = line.split('\t').map(str::trim);
        let (Some(kind), Some(canonical)) = (fields.next(), fields.next()) else {
            return Err(format!("aliases.txt entry {}: expected TYPE<TAB>name", n + 1));
        };
        let kind = EntityType::parse(kind)
            .ok_or_else(|| format!("aliases.txt entry {}: unknown type {kind:?}", n + 1))?;
        let alias = Alias { canonical: canonical.to_owned(), kind };
        for variant in std::iter::once(canonical).chain(fields) {
            out.insert(fold(variant), alias.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_load_and_fold() {
        let g = Gazetteer::builtin().unwrap();
        assert!(g.places.contains("ukraine"));
        assert!(g.places.contains("kyiv"));
        assert!(g.demonyms.contains("ukrainian"));
        assert!(g.first_names.contains("melanie"));
        assert_eq!(g.aliases["u.s."].canonical, "United States");
        assert_eq!(g.aliases["britain"].canonical, "United Kingdom");
        assert_eq!(g.aliases["g7"].kind, EntityType::Org);
        assert!(g.knows("russian") && !g.knows("hails"));
    }
}
