//! [`recognise`]: text → typed [`Mention`]s, from the trained tagger ([`crate::tagger`]).
//!
//! 1. Each host sentence is tokenised as the tagger was trained (`ingest_text` tokens,
//!    possessive "'s" split off) and tagged with BIO tags. A title-case headline ("Trump
//!    Hails Productive Dialogue with Putin") is shown to the tagger truecased: a word
//!    keeps its capital only if the article capitalises it mid-sentence elsewhere or a
//!    list knows it as a name, so "Hails" and "Dialogue" are not read as names.
//! 2. Each BIO span becomes a mention with code-point offsets.
//! 3. A capitalised function word starting a sentence is dropped from a span ("Despite
//!    Trump"); a name in the curated lists (`aliases.txt`, `org_names.txt`) takes the
//!    list's type ("Kremlin", "White House": ORG), with [`Evidence::Known`].
//! 4. **Titles become roles**, and a person title makes the name PER whatever the tagger
//!    said, with [`Evidence::Cue`] (the tagger's own types are [`Evidence::Context`]), so
//!    grouping prefers titled mentions when an entity's mentions disagree. Title words inside the start of a person span or right
//!    before it ("Canadian Foreign Minister Mélanie Joly", "U.S. Secretary of State Marco
//!    Rubio", "Sir Keir Starmer", "Mr. Smith") are not part of the mention: they are its
//!    role ("Foreign Minister", "Secretary of State"; "Sir" only when no other title).
//!
//! Grouping, salience and the result shape ([`crate::group`], [`crate::salience`],
//! [`crate::result`]) work on these mentions as they did on the rule-based ones.

use ingest_abi::Span;
use ingest_text::fold;

use crate::classify::Evidence;
use crate::gazetteer::Gazetteer;
use crate::result::EntityType;
use crate::tagger::Tagger;
use crate::tagger::decode::spans;
use crate::tagger::tokens::{Tok, sentence_tokens};

/// One occurrence of a name, typed, before grouping.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// The text covered (titles excluded).
    pub text: String,
    /// [`Mention::text`] folded and single-spaced: the grouping key.
    pub key: String,
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// The type the tagger gave this occurrence.
    pub kind: EntityType,
    /// How the type was decided: [`Evidence::Known`] from a list, [`Evidence::Cue`] from a
    /// person title before it, else [`Evidence::Context`] (the tagger's decision).
    pub evidence: Evidence,
    /// A title written before it ("President"), if any.
    pub role: Option<String>,
    /// The role is only a form of address ("Sir").
    pub honorific_role: bool,
}

/// All mentions in `text`, in text order. `sentences` are the host's sentence spans;
/// `title` is the document's headline, if the host found one.
pub fn recognise(
    text: &str,
    sentences: &[Span],
    title: Option<&str>,
    g: &Gazetteer,
    tagger: &Tagger,
) -> Vec<Mention> {
    let toks = sentence_tokens(text, sentences);
    let raw: Vec<Vec<&str>> = toks.iter().map(|s| s.iter().map(|t| t.text(text)).collect()).collect();
    // Title-case headlines go to the tagger truecased.
    let headline: Vec<bool> =
        raw.iter().zip(sentences).map(|(words, span)| is_headline(words, text, span, title)).collect();
    let mut named_mid = std::collections::HashSet::new();
    if headline.contains(&true) {
        for (words, _) in raw.iter().zip(&headline).filter(|(_, h)| !**h) {
            named_mid.extend(words.iter().skip(1).filter(|w| capitalised(w)).map(|w| fold(w)));
        }
    }
    let truecased: Vec<Option<Vec<String>>> = raw
        .iter()
        .zip(&headline)
        .map(|(words, &h)| h.then(|| words.iter().map(|w| truecase(w, &named_mid, g)).collect()))
        .collect();
    let words: Vec<Vec<&str>> = raw
        .iter()
        .zip(&truecased)
        .map(|(w, u)| match u {
            Some(u) => u.iter().map(String::as_str).collect(),
            None => w.clone(),
        })
        .collect();
    let tags = tagger.tag_words(&words);
    let mut out = Vec::new();
    for ((toks, words), tags) in toks.iter().zip(&raw).zip(&tags) {
        for (a, b, kind) in spans(tags) {
            push_mention(text, toks, words, a..b, kind, g, &mut out);
        }
    }
    out
}

/// Slicing a code-point span out of the text.
trait SliceOf {
    fn slice_of<'a>(&self, text: &'a str) -> &'a str;
}

impl SliceOf for Span {
    fn slice_of<'a>(&self, text: &'a str) -> &'a str {
        let mut idx = text.char_indices().map(|(b, _)| b).chain(std::iter::once(text.len()));
        let start = idx.nth(self.start).unwrap_or(text.len());
        let end = if self.end > self.start {
            idx.nth(self.end - self.start - 1).unwrap_or(text.len())
        } else {
            start
        };
        &text[start..end]
    }
}

/// A title-case line without closing punctuation, or the host's headline in title case:
/// its capitals say nothing about names. `span` is the sentence's code-point span of `text`,
/// sliced only for title-case sentences.
fn is_headline(words: &[&str], text: &str, span: &Span, title: Option<&str>) -> bool {
    let (mut long, mut caps) = (0, 0);
    for w in words {
        if w.chars().count() >= 4 && w.chars().all(char::is_alphabetic) {
            long += 1;
            caps += usize::from(capitalised(w));
        }
    }
    let title_case = long >= 3 && caps * 10 >= long * 7;
    if !title_case {
        return false;
    }
    let sentence = span.slice_of(text).trim();
    let is_title = title.is_some_and(|t| !sentence.is_empty() && t.trim() == sentence);
    let unpunctuated = !sentence.ends_with(['.', '!', '?', '"', '”', '\'', '’', ')', ':', ';']);
    is_title || unpunctuated
}

/// A headline word as it would be written mid-sentence: kept when the article writes it
/// capitalised elsewhere or a list knows it as a name, else lowercased.
fn truecase(word: &str, named_mid: &std::collections::HashSet<String>, g: &Gazetteer) -> String {
    let f = fold(word);
    if !capitalised(word)
        || named_mid.contains(&f)
        || g.knows(&f)
        || word.chars().filter(|c| c.is_uppercase()).count() > 1
    {
        word.to_owned()
    } else {
        word.to_lowercase()
    }
}

fn capitalised(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

/// Turns the tagged span `range` of a sentence into a mention, its title split off.
fn push_mention(
    text: &str,
    toks: &[Tok],
    words: &[&str],
    range: std::ops::Range<usize>,
    kind: EntityType,
    g: &Gazetteer,
    out: &mut Vec<Mention>,
) {
    let folded = |k: usize| fold(words[k]);
    let (mut a, b) = (range.start, range.end);
    // A function word capitalised by position is not part of a name ("Despite Trump").
    while a == 0 && a + 1 < b && g.stopwords.contains(&folded(a)) && capitalised(words[a + 1]) {
        a += 1;
    }
    let mut role_end = None;
    if kind == EntityType::Per {
        // Title words the tagger put inside the span.
        while a + 1 < b && (capitalised(words[a]) && g.is_title_word(&folded(a)) || words[a] == ".") {
            a += 1;
            role_end = Some(a);
        }
    }
    // Title words right before it.
    let mut j = range.start;
    loop {
        let title_word = j >= 1 && capitalised(words[j - 1]) && g.is_title_word(&folded(j - 1));
        let honorific_dot = j >= 2 && words[j - 1] == "." && g.honorifics.contains(&folded(j - 2));
        let head_of =
            j >= 2 && j < range.start && folded(j - 1) == "of" && g.title_heads.contains(&folded(j - 2));
        if title_word || honorific_dot || head_of {
            j -= 1;
        } else if j >= 3
            && capitalised(words[j - 1])
            && folded(j - 2) == "of"
            && g.title_heads.contains(&folded(j - 3))
        {
            j -= 2;
        } else {
            break;
        }
    }
    if j < range.start || role_end.is_some() {
        let role_range = j..role_end.unwrap_or(range.start);
        if let Some(role) = role_of(text, toks, words, role_range, g) {
            // A person title makes the name a person, whatever the tagger said.
            if kind == EntityType::Per || !role.1 {
                return push(text, toks, a..b, EntityType::Per, Some(role), Evidence::Cue, g, out);
            }
        }
    }
    push(text, toks, a..b, kind, None, Evidence::Context, g, out);
}

/// The role of the title tokens `range`: the title proper when it has a head word
/// ("Foreign Minister"), else the form of address ("Sir").
fn role_of(
    text: &str,
    toks: &[Tok],
    words: &[&str],
    range: std::ops::Range<usize>,
    g: &Gazetteer,
) -> Option<(String, bool)> {
    let is = |k: usize, set: &std::collections::HashSet<String>| set.contains(&fold(words[k]));
    let keep: Vec<usize> = range.clone().filter(|&k| words[k] != ".").collect();
    let has_head = keep.iter().any(|&k| is(k, &g.title_heads));
    let chosen: Vec<usize> = if has_head {
        // From the first title word to the last non-honorific one.
        let last = keep.iter().rposition(|&k| !is(k, &g.honorifics))?;
        let first = keep.iter().position(|&k| !is(k, &g.honorifics) && fold(words[k]) != "of")?;
        keep[first..=last].to_vec()
    } else {
        keep.into_iter().filter(|&k| is(k, &g.honorifics)).collect()
    };
    let (first, last) = (*chosen.first()?, *chosen.last()?);
    Some((text[toks[first].byte_start..toks[last].byte_end].to_owned(), !has_head))
}

#[allow(clippy::too_many_arguments)]
fn push(
    text: &str,
    toks: &[Tok],
    range: std::ops::Range<usize>,
    kind: EntityType,
    role: Option<(String, bool)>,
    evidence: Evidence,
    g: &Gazetteer,
    out: &mut Vec<Mention>,
) {
    let (first, last) = (toks[range.start], toks[range.end - 1]);
    let surface = &text[first.byte_start..last.byte_end];
    if !surface.chars().any(char::is_alphanumeric) {
        return;
    }
    let key = fold(surface).split_whitespace().collect::<Vec<_>>().join(" ");
    // The curated lists decide the type of the names they list ("Kremlin" is ORG for a
    // news reader, LOC in CoNLL's annotation).
    let (kind, evidence) = match g.aliases.get(&key) {
        Some(alias) => (alias.kind, Evidence::Known),
        None if g.organisations.contains(&key) => (EntityType::Org, Evidence::Known),
        None => (kind, evidence),
    };
    let (role, honorific_role) = match role {
        Some((r, h)) => (Some(r), h),
        None => (None, false),
    };
    out.push(Mention {
        text: surface.to_owned(),
        key,
        start: first.start,
        end: last.end,
        kind,
        evidence,
        role,
        honorific_role,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, EntityType, Option<String>)> {
        let g = Gazetteer::builtin().unwrap();
        let tagger = Tagger::builtin().unwrap();
        let spans = ingest_text::sentences(text, &ingest_text::paragraphs(text));
        let spans: Vec<Span> = spans.iter().map(|s| Span { start: s.start, end: s.end }).collect();
        recognise(text, &spans, None, &g, &tagger).into_iter().map(|m| (m.text, m.kind, m.role)).collect()
    }

    fn m(text: &str, kind: EntityType, role: Option<&str>) -> (String, EntityType, Option<String>) {
        (text.to_owned(), kind, role.map(str::to_owned))
    }

    #[test]
    fn titles_become_roles_and_nationalities_mentions() {
        use EntityType::*;
        assert_eq!(
            found("Canadian Foreign Minister Mélanie Joly told reporters."),
            [m("Canadian", Misc, None), m("Mélanie Joly", Per, Some("Foreign Minister"))]
        );
        assert_eq!(
            found("He met President Donald Trump on Friday."),
            [m("Donald Trump", Per, Some("President"))]
        );
        assert_eq!(
            found("U.S. Secretary of State Marco Rubio said so."),
            [m("U.S.", Loc, None), m("Marco Rubio", Per, Some("Secretary of State"))]
        );
        assert_eq!(
            found("UK Prime Minister Sir Keir Starmer spoke to Mr. Smith."),
            [m("UK", Loc, None), m("Keir Starmer", Per, Some("Prime Minister")), m("Smith", Per, Some("Mr"))]
        );
    }

    #[test]
    fn possessives_are_cut_and_offsets_are_code_points() {
        use EntityType::*;
        let text =
            "The Kremlin backed Russia’s plan for Kursk, and President Zelenskyy’s office in Kyiv agreed.";
        let f = found(text);
        assert!(f.contains(&m("Russia", Loc, None)), "{f:?}");
        assert!(f.contains(&m("Kursk", Loc, None)), "{f:?}");
        assert!(f.contains(&m("Zelenskyy", Per, Some("President"))), "{f:?}");
        let chars: Vec<char> = text.chars().collect();
        let g = Gazetteer::builtin().unwrap();
        let spans = [Span { start: 0, end: chars.len() }];
        for mention in recognise(text, &spans, None, &g, &Tagger::builtin().unwrap()) {
            assert_eq!(chars[mention.start..mention.end].iter().collect::<String>(), mention.text);
        }
    }

    #[test]
    fn headline_capitals_are_not_names() {
        let text = "Trump Hails Productive Dialogue with Putin on Ukraine Ceasefire\n\nThen Donald Trump spoke to Putin.";
        let f = found(text);
        let names: Vec<&str> = f.iter().map(|x| x.0.as_str()).collect();
        assert!(names.contains(&"Trump") && names.contains(&"Ukraine"), "{f:?}");
        assert!(!names.iter().any(|n| n.contains("Hails") || n.contains("Dialogue")), "{f:?}");
    }
}
