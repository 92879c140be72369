//! [`group`]: mentions → entities, one per real-world thing in the article.
//!
//! In three passes, so a short form met before the full name still finds it:
//!
//! 1. **Known variants** (`data/aliases.txt`): "U.S.", "US", "America" → "United States".
//! 2. **Multi-word names** group when their folded words match one by one, allowing one
//!    edit in words of six letters or more ("Volodymyr Zelensky"/"Volodymyr Zelenskyy"),
//!    or when the first word is equal and the last words are one edit apart
//!    ("David Lammy"/"David Lamy"). Folding makes "Mélanie Joly" meet "Melanie Joly".
//! 3. **Single words** join the multi-word entity whose last word (else first word)
//!    matches them the same way ("Putin" → "Vladimir Putin", "Zelenskyy" → "Volodymyr
//!    Zelensky"), the most-mentioned one if several do; places, demonyms and
//!    organisations from the lists never join a person. Other single words group with
//!    each other.
//!
//! The canonical name is the fullest form (most words, then most used, then first), the
//! type is the majority among the mentions with the strongest evidence, and the role the
//! most frequent title (a real title beats "Sir").

use std::collections::HashMap;

use crate::gazetteer::Gazetteer;
use crate::recognise::Mention;
use crate::result::EntityType;
use crate::similar::{similar, within_one_edit};

/// One entity before output: its mentions are indices into the mention list.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// Canonical name.
    pub name: String,
    /// Type decided by the mentions.
    pub kind: EntityType,
    /// Other spellings used, in order of first use.
    pub aliases: Vec<String>,
    /// Indices of its mentions, in text order.
    pub mentions: Vec<usize>,
    /// Most frequent title given to it.
    pub role: Option<String>,
}

/// A group being built: its key words and members.
struct Draft {
    canonical: Option<String>,
    words: Vec<String>,
    members: Vec<usize>,
}

/// Groups `mentions` (in text order) into entities, ordered by first mention.
pub fn group(mentions: &[Mention], g: &Gazetteer) -> Vec<Entity> {
    let mut drafts: Vec<Draft> = Vec::new();
    let words_of = |m: &Mention| m.key.split_whitespace().map(str::to_owned).collect::<Vec<_>>();

    // 1. Known variants.
    let mut by_canonical: HashMap<&str, usize> = HashMap::new();
    let mut pending = Vec::new();
    for (i, m) in mentions.iter().enumerate() {
        if let Some(alias) = g.aliases.get(&m.key) {
            let d = *by_canonical.entry(alias.canonical.as_str()).or_insert_with(|| {
                drafts.push(Draft {
                    canonical: Some(alias.canonical.clone()),
                    words: Vec::new(),
                    members: Vec::new(),
                });
                drafts.len() - 1
            });
            drafts[d].members.push(i);
        } else {
            pending.push(i);
        }
    }
    // 2. Multi-word names.
    let (multi, single): (Vec<usize>, Vec<usize>) =
        pending.into_iter().partition(|&i| mentions[i].key.split_whitespace().nth(1).is_some());
    let first_multi = drafts.len();
    for i in multi {
        let words = words_of(&mentions[i]);
        match drafts[first_multi..].iter().position(|d| same_name(&d.words, &words)) {
            Some(d) => drafts[first_multi + d].members.push(i),
            None => drafts.push(Draft { canonical: None, words, members: vec![i] }),
        }
    }
    let end_multi = drafts.len();
    // 3. Single words.
    for i in single {
        let key = mentions[i].key.as_str();
        let listed = g.places.contains(key) || g.demonyms.contains(key) || g.organisations.contains(key);
        let part_of = |d: &Draft, last: bool| {
            let w = if last { d.words.last() } else { d.words.first() };
            w.is_some_and(|w| similar(w, key))
        };
        let best = |last: bool| {
            (first_multi..end_multi)
                .filter(|&d| part_of(&drafts[d], last))
                .max_by_key(|&d| (drafts[d].members.len(), std::cmp::Reverse(d)))
        };
        let target = if listed { None } else { best(true).or_else(|| best(false)) };
        let target = target.or_else(|| {
            (end_multi..drafts.len())
                .find(|&d| drafts[d].words.len() == 1 && similar(&drafts[d].words[0], key))
        });
        match target {
            Some(d) => drafts[d].members.push(i),
            None => drafts.push(Draft { canonical: None, words: vec![key.to_owned()], members: vec![i] }),
        }
    }

    let mut out: Vec<Entity> = drafts
        .into_iter()
        .map(|mut d| {
            d.members.sort_unstable();
            finish(d, mentions)
        })
        .collect();
    out.sort_by_key(|e| e.mentions[0]);
    out
}

/// Two multi-word keys name the same thing.
fn same_name(a: &[String], b: &[String]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.iter().zip(b).all(|(x, y)| similar(x, y)) {
        return true;
    }
    // Same given name, surname one letter apart: "David Lammy" / "David Lamy".
    let (la, lb) = (&a[a.len() - 1], &b[b.len() - 1]);
    a[..a.len() - 1] == b[..b.len() - 1]
        && la.chars().count() >= 4
        && lb.chars().count() >= 4
        && within_one_edit(la, lb)
}

fn finish(d: Draft, mentions: &[Mention]) -> Entity {
    let members: Vec<&Mention> = d.members.iter().map(|&i| &mentions[i]).collect();
    let name = d.canonical.unwrap_or_else(|| fullest_form(&members));
    let mut aliases: Vec<String> = Vec::new();
    for m in &members {
        if m.text != name && !aliases.contains(&m.text) {
            aliases.push(m.text.clone());
        }
    }
    Entity { name, kind: vote_type(&members), aliases, mentions: d.members, role: vote_role(&members) }
}

/// Most words, then most used, then first used.
fn fullest_form(members: &[&Mention]) -> String {
    let mut counts: Vec<(&str, usize, usize, usize)> = Vec::new(); // text, words, uses, first
    for (k, m) in members.iter().enumerate() {
        match counts.iter_mut().find(|c| c.0 == m.text) {
            Some(c) => c.2 += 1,
            None => counts.push((&m.text, m.key.split_whitespace().count(), 1, k)),
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(_, words, uses, first)| (words, uses, std::cmp::Reverse(first)))
        .map(|c| c.0.to_owned())
        .unwrap_or_default()
}

/// Majority type among the mentions with the strongest evidence; ties go to the type met
/// first.
fn vote_type(members: &[&Mention]) -> EntityType {
    let best = members.iter().map(|m| m.evidence).max();
    let mut votes: Vec<(EntityType, usize, usize)> = Vec::new(); // type, count, first
    for (k, m) in members.iter().enumerate().filter(|(_, m)| Some(m.evidence) == best) {
        match votes.iter_mut().find(|v| v.0 == m.kind) {
            Some(v) => v.1 += 1,
            None => votes.push((m.kind, 1, k)),
        }
    }
    votes
        .into_iter()
        .max_by_key(|&(_, count, first)| (count, std::cmp::Reverse(first)))
        .map_or(EntityType::Misc, |v| v.0)
}

/// Most frequent real title; a form of address only when there is none.
fn vote_role(members: &[&Mention]) -> Option<String> {
    let mut best: Option<(bool, usize, usize, &str)> = None; // real, count, -first, role
    let mut counts: Vec<(&str, bool, usize, usize)> = Vec::new();
    for (k, m) in members.iter().enumerate() {
        let Some(role) = m.role.as_deref() else { continue };
        match counts.iter_mut().find(|c| c.0 == role) {
            Some(c) => c.2 += 1,
            None => counts.push((role, !m.honorific_role, 1, k)),
        }
    }
    for &(role, real, count, first) in &counts {
        let candidate = (real, count, usize::MAX - first, role);
        if best.is_none_or(|b| (candidate.0, candidate.1, candidate.2) > (b.0, b.1, b.2)) {
            best = Some(candidate);
        }
    }
    best.map(|b| b.3.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recognise::recognise;
    use ingest_abi::Span;

    fn entities(text: &str) -> Vec<Entity> {
        let g = Gazetteer::builtin().unwrap();
        let spans: Vec<Span> = ingest_text::sentences(text, &ingest_text::paragraphs(text))
            .iter()
            .map(|s| Span { start: s.start, end: s.end })
            .collect();
        let mentions = recognise(text, &spans, None, &g, &crate::tagger::Tagger::builtin().unwrap());
        group(&mentions, &g)
    }

    fn find<'a>(es: &'a [Entity], name: &str) -> &'a Entity {
        es.iter().find(|e| e.name == name).unwrap_or_else(|| panic!("no {name} in {es:#?}"))
    }

    #[test]
    fn surname_joins_the_full_name_and_keeps_the_role() {
        let es = entities(
            "Trump spoke first. Russian President Vladimir Putin listened to President Donald \
             Trump. Later Putin’s envoy said Trump was right.",
        );
        let trump = find(&es, "Donald Trump");
        assert_eq!((trump.kind, trump.mentions.len()), (EntityType::Per, 3));
        assert_eq!(trump.role.as_deref(), Some("President"));
        assert_eq!(trump.aliases, ["Trump"]);
        let putin = find(&es, "Vladimir Putin");
        assert_eq!((putin.kind, putin.mentions.len()), (EntityType::Per, 2));
        assert_eq!(find(&es, "Russian").kind, EntityType::Misc);
    }

    #[test]
    fn variants_accents_and_spellings_group() {
        let es = entities(
            "The U.S. and the United States of America met in the UK. US officials and \
             Britain agreed. Canadian Foreign Minister Mélanie Joly and Melanie Joly spoke. \
             Ukrainian President Volodymyr Zelensky thanked them, and Zelenskyy left.",
        );
        let us = find(&es, "United States");
        assert_eq!((us.kind, us.mentions.len()), (EntityType::Loc, 3));
        assert_eq!(find(&es, "United Kingdom").mentions.len(), 2);
        let joly = find(&es, "Mélanie Joly");
        assert_eq!(joly.mentions.len(), 2);
        assert_eq!(joly.role.as_deref(), Some("Foreign Minister"));
        let zelensky = find(&es, "Volodymyr Zelensky");
        assert_eq!((zelensky.kind, zelensky.mentions.len()), (EntityType::Per, 2));
        assert_eq!(zelensky.aliases, ["Zelenskyy"]);
    }

    #[test]
    fn strongest_evidence_decides_the_type() {
        // "Zelenskyy" alone would be MISC; the titled mention makes the entity PER.
        let es = entities("Zelenskyy spoke. Then President Zelenskyy left. Zelenskyy returned.");
        let z = find(&es, "Zelenskyy");
        assert_eq!((z.kind, z.mentions.len()), (EntityType::Per, 3));
    }

    #[test]
    fn real_titles_beat_forms_of_address() {
        let es = entities(
            "Sir Keir Starmer spoke. UK Prime Minister Sir Keir Starmer agreed. Sir Keir Starmer left.",
        );
        assert_eq!(find(&es, "Keir Starmer").role.as_deref(), Some("Prime Minister"));
    }
}
