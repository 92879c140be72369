//! [`classify`]: the type of one candidate name, and how sure the rules are of it.
//!
//! Rules in order, first match wins:
//!
//! 1. known variant (`aliases.txt`), organisation, place or demonym list: the list's type
//!    ([`Evidence::Known`]); a name made only of demonyms ("Israeli-Palestinian") is MISC;
//! 2. a multi-word name with an organisation cue ("Foreign Ministry", "White House") is
//!    ORG; a place cue ("Taiwan Strait") or place prefix ("La Malbaie") LOC; an event cue
//!    ("World War II") MISC ([`Evidence::Cue`]);
//! 3. preceded by a person title, or starting with a common given name: PER
//!    ([`Evidence::Cue`]);
//! 4. place context: "in X", "city of X", "X region": LOC ([`Evidence::Context`]);
//! 5. otherwise two or more words default to PER, one word to MISC
//!    ([`Evidence::Default`]).
//!
//! The evidence level lets grouping prefer the better-founded type when one entity's
//! mentions disagree ("Zelenskyy" alone is MISC by default, "President Zelenskyy" PER by
//! title: the entity is PER).

use crate::gazetteer::Gazetteer;
use crate::result::EntityType;

/// How a type was decided, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Evidence {
    /// No rule applied; the fallback by word count.
    Default,
    /// The surrounding words suggest it.
    Context,
    /// A cue word in the name or a title before it.
    Cue,
    /// The name is in a built-in list.
    Known,
}

/// What the classifier needs to know about a candidate name.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    /// The folded name, single-spaced ("u.s.", "melanie joly").
    pub key: &'a str,
    /// Its folded words (hyphen parts separate).
    pub words: &'a [&'a str],
    /// A person title preceded it.
    pub titled: bool,
    /// Up to two lowercase words before it, nearest last.
    pub before: [Option<&'a str>; 2],
    /// The lowercase word right after it.
    pub after: Option<&'a str>,
}

/// Prepositions after which an unknown name is most likely a place.
const PLACE_PREPOSITIONS: &[&str] = &["in", "near", "outside", "inside", "across"];
/// "city of X", "region of X".
const PLACE_NOUNS: &[&str] = &["city", "town", "village", "region", "province", "capital", "port"];
/// "X region", "X oblast".
const PLACE_FOLLOWERS: &[&str] = &[
    "region", "province", "oblast", "city", "town", "village", "county", "district", "area", "border",
    "coast",
];

/// The type of `c` and the evidence for it.
pub fn classify(c: &Candidate<'_>, g: &Gazetteer) -> (EntityType, Evidence) {
    use EntityType::{Loc, Misc, Org, Per};
    if let Some(alias) = g.aliases.get(c.key) {
        return (alias.kind, Evidence::Known);
    }
    if g.organisations.contains(c.key) {
        return (Org, Evidence::Known);
    }
    if g.places.contains(c.key) {
        return (Loc, Evidence::Known);
    }
    if c.words.iter().all(|w| g.demonyms.contains(*w)) {
        return (Misc, Evidence::Known);
    }
    let multi = c.words.len() > 1;
    if multi {
        if c.words.iter().any(|w| g.org_cues.contains(*w)) {
            return (Org, Evidence::Cue);
        }
        let (first, last) = (c.words[0], c.words[c.words.len() - 1]);
        if g.loc_cues.contains(last) || g.loc_prefixes.contains(first) {
            return (Loc, Evidence::Cue);
        }
        if c.words.iter().any(|w| g.misc_cues.contains(*w)) {
            return (Misc, Evidence::Cue);
        }
    }
    if c.titled || (multi && g.first_names.contains(c.words[0])) {
        return (Per, Evidence::Cue);
    }
    let place_context = c.before[1].is_some_and(|w| PLACE_PREPOSITIONS.contains(&w))
        || (c.before[1] == Some("of") && c.before[0].is_some_and(|w| PLACE_NOUNS.contains(&w)))
        || c.after.is_some_and(|w| PLACE_FOLLOWERS.contains(&w));
    if place_context {
        return (Loc, Evidence::Context);
    }
    if g.first_names.contains(c.words[0]) {
        return (Per, Evidence::Context);
    }
    if multi { (Per, Evidence::Default) } else { (Misc, Evidence::Default) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(
        key: &str,
        titled: bool,
        before: [Option<&str>; 2],
        after: Option<&str>,
    ) -> (EntityType, Evidence) {
        let g = Gazetteer::builtin().unwrap();
        let words: Vec<&str> = key.split([' ', '-']).collect();
        classify(&Candidate { key, words: &words, titled, before, after }, &g)
    }

    fn plain(key: &str) -> EntityType {
        kind(key, false, [None, None], None).0
    }

    #[test]
    fn lists_and_cues() {
        use EntityType::*;
        assert_eq!(plain("ukraine"), Loc);
        assert_eq!(plain("u.s."), Loc);
        assert_eq!(plain("g7"), Org);
        assert_eq!(plain("kremlin"), Org);
        assert_eq!(plain("russian"), Misc);
        assert_eq!(plain("israeli-palestinian"), Misc);
        assert_eq!(plain("white house"), Org);
        assert_eq!(plain("ukrainian armed forces"), Org);
        assert_eq!(plain("taiwan strait"), Loc);
        assert_eq!(plain("la malbaie"), Loc);
        assert_eq!(plain("world war ii"), Misc);
        assert_eq!(plain("steve witkoff"), Per);
        assert_eq!(plain("kaja kallas"), Per, "two unknown words default to PER");
        assert_eq!(plain("witkoff"), Misc, "one unknown word defaults to MISC");
    }

    #[test]
    fn titles_and_context() {
        use EntityType::*;
        assert_eq!(kind("zelenskyy", true, [None, None], None), (Per, Evidence::Cue));
        assert_eq!(kind("kursk", false, [None, None], Some("region")), (Loc, Evidence::Context));
        assert_eq!(kind("kursk", false, [None, Some("in")], None).0, Loc);
        assert_eq!(kind("jeddah", false, [Some("city"), Some("of")], None).0, Loc);
    }
}
