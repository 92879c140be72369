//! [`recognise`]: text → typed [`Mention`]s. **This module is the seam for the trained
//! tagger** (issue 7): anything that returns the same `Mention`s can replace it, and
//! grouping, salience and the result shape stay as they are.
//!
//! The rule-based version:
//!
//! 1. **Candidates** are maximal runs of capitalised words within a sentence, joined by
//!    spaces or hyphens, allowing lowercase connectors inside ("Group of Seven", "von der")
//!    and a full stop after an abbreviated title ("Mr. Smith"). A possessive ends a run
//!    and is not part of the mention. Weekdays and months end a run.
//! 2. **Leading function words** ("The", "In", "However") are dropped.
//! 3. **Titles** are split off ([`crate::titles`]): "Canadian Foreign Minister Mélanie
//!    Joly" yields the MISC mention "Canadian", the role "Foreign Minister" and the PER
//!    mention "Mélanie Joly".
//! 4. **Capitals by position are not evidence.** A word that is capitalised only because it
//!    starts a sentence or a quotation, or any word of a title-case headline, is kept only
//!    when a list knows it or the article capitalises it elsewhere mid-sentence ("Putin
//!    said" is kept, "Anticipating further" is not).
//! 5. Runs of title words alone, single letters and function words are dropped; the rest
//!    are typed by [`crate::classify`].

use std::collections::HashSet;

use ingest_abi::Span;

use crate::classify::{Candidate, Evidence, classify};
use crate::gazetteer::Gazetteer;
use crate::pieces::{Gap, Piece, pieces};
use crate::result::EntityType;
use crate::titles::split_title;

/// One occurrence of a name, typed, before grouping.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// The text covered (titles and possessive excluded).
    pub text: String,
    /// [`Mention::text`] folded and single-spaced: the grouping key.
    pub key: String,
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// The type the rules gave this occurrence.
    pub kind: EntityType,
    /// How the type was decided.
    pub evidence: Evidence,
    /// A title written before it ("President"), if any.
    pub role: Option<String>,
    /// The role is only a form of address ("Sir").
    pub honorific_role: bool,
}

/// All mentions in `text`, in text order. `sentences` are the host's sentence spans;
/// `title` is the document's headline, if the host found one.
pub fn recognise(text: &str, sentences: &[Span], title: Option<&str>, g: &Gazetteer) -> Vec<Mention> {
    let mut sentences_pieces = pieces(text, sentences);
    for (span, ps) in sentences.iter().zip(&mut sentences_pieces) {
        if is_headline(ps, text, *span, title) {
            for p in ps.iter_mut() {
                p.initial = true;
            }
        }
    }
    let evidence = mid_sentence_capitals(&sentences_pieces, g);
    let mut out = Vec::new();
    for ps in &sentences_pieces {
        for run in runs(ps, g) {
            mentions_of_run(ps, run, text, &evidence, g, &mut out);
        }
    }
    out
}

/// A title-case line without closing punctuation ("Trump Hails Productive Dialogue with
/// Putin"), or the host's headline: its capitals say nothing about names.
fn is_headline(ps: &[Piece<'_>], text: &str, span: Span, title: Option<&str>) -> bool {
    let sentence = span_text(text, span).trim();
    if title.is_some_and(|t| t.trim() == sentence) && !sentence.is_empty() {
        return true;
    }
    let long: Vec<&Piece<'_>> = ps
        .iter()
        .filter(|p| p.text.chars().count() >= 4 && p.text.chars().all(char::is_alphabetic))
        .collect();
    let caps = long.iter().filter(|p| p.capitalised).count();
    let unpunctuated = !sentence.ends_with(['.', '!', '?', '"', '”', '\'', '’', ')', ':', ';']);
    long.len() >= 3 && caps * 10 >= long.len() * 7 && unpunctuated
}

fn span_text(text: &str, span: Span) -> &str {
    let mut idx = text.char_indices().map(|(b, _)| b).chain(std::iter::once(text.len()));
    let start = idx.nth(span.start).unwrap_or(text.len());
    let end =
        if span.end > span.start { idx.nth(span.end - span.start - 1).unwrap_or(text.len()) } else { start };
    &text[start..end]
}

/// Folded words the article capitalises where position does not force it.
fn mid_sentence_capitals(sentences: &[Vec<Piece<'_>>], g: &Gazetteer) -> HashSet<String> {
    sentences
        .iter()
        .flatten()
        .filter(|p| p.capitalised && !p.initial)
        .filter(|p| !is_stopword(p, g) && !g.calendar.contains(&p.folded))
        .map(|p| p.folded.clone())
        .collect()
}

/// Index ranges of maximal capitalised runs in one sentence.
fn runs(ps: &[Piece<'_>], g: &Gazetteer) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut connectors = 0;
    for (i, p) in ps.iter().enumerate() {
        let in_run = start.is_some();
        let name_word = p.capitalised && !g.calendar.contains(&p.folded);
        let joins = in_run
            && match p.gap {
                Gap::Space => true,
                Gap::Hyphen => connectors == 0,
                Gap::Dot => connectors == 0 && is_abbreviated_title(&ps[i - 1], g),
                Gap::Break => false,
            };
        if name_word {
            if !joins {
                close(&mut out, &mut start, i - connectors);
                start = Some(i);
            }
            connectors = 0;
            if p.possessive {
                close(&mut out, &mut start, i + 1);
            }
        } else if joins && connectors < 2 && g.connectors.contains(&p.folded) {
            connectors += 1;
        } else {
            close(&mut out, &mut start, i - connectors);
            connectors = 0;
        }
    }
    close(&mut out, &mut start, ps.len() - connectors);
    out
}

fn close(out: &mut Vec<std::ops::Range<usize>>, start: &mut Option<usize>, end: usize) {
    if let Some(s) = start.take()
        && s < end
    {
        out.push(s..end);
    }
}

/// "Mr", "Dr", "Gen": a short title word that may be followed by its full stop.
fn is_abbreviated_title(p: &Piece<'_>, g: &Gazetteer) -> bool {
    p.text.chars().count() <= 4 && (g.honorifics.contains(&p.folded) || g.title_heads.contains(&p.folded))
}

/// A function word, unless written in capitals ("US" is not "us", "WHO" not "who").
fn is_stopword(p: &Piece<'_>, g: &Gazetteer) -> bool {
    let acronym = p.text.chars().count() >= 2 && !p.text.chars().any(char::is_lowercase);
    !acronym && g.stopwords.contains(&p.folded)
}

/// Turns one run into zero or more mentions (context before a title, the name after it).
fn mentions_of_run(
    ps: &[Piece<'_>],
    run: std::ops::Range<usize>,
    text: &str,
    evidence: &HashSet<String>,
    g: &Gazetteer,
    out: &mut Vec<Mention>,
) {
    let mut from = run.start;
    while from < run.end && is_stopword(&ps[from], g) {
        from += 1;
    }
    if from == run.end {
        return;
    }
    let all: Vec<&Piece<'_>> = ps[from..run.end].iter().collect();
    let whole_key = key_of(text, &all);
    let split = if g.knows(&whole_key) { None } else { split_title(&all, text, g) };
    match split {
        Some(s) => {
            emit(ps, from..from + s.title_at, None, text, evidence, g, out);
            let role = Some((s.role, s.honorific_only));
            emit(ps, from + s.name_at..run.end, role, text, evidence, g, out);
        }
        None => emit(ps, from..run.end, None, text, evidence, g, out),
    }
}

/// Emits the mentions of one segment: pieces capitalised only by position and unknown
/// elsewhere are removed, which may cut the segment in parts.
fn emit(
    ps: &[Piece<'_>],
    segment: std::ops::Range<usize>,
    role: Option<(String, bool)>,
    text: &str,
    evidence: &HashSet<String>,
    g: &Gazetteer,
    out: &mut Vec<Mention>,
) {
    let supported =
        |p: &Piece<'_>| !p.capitalised || !p.initial || g.knows(&p.folded) || evidence.contains(&p.folded);
    let mut i = segment.start;
    while i < segment.end {
        if !supported(&ps[i]) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < segment.end && supported(&ps[j]) {
            j += 1;
        }
        // Connectors cannot start or end a name.
        let (mut a, mut b) = (i, j);
        while a < b && !ps[a].capitalised {
            a += 1;
        }
        while b > a && !ps[b - 1].capitalised {
            b -= 1;
        }
        // The role belongs to the part right after the title only.
        let part_role = if a == segment.start { role.clone() } else { None };
        if a < b {
            push_mention(ps, a..b, part_role, text, g, out);
        }
        i = j;
    }
}

fn push_mention(
    ps: &[Piece<'_>],
    range: std::ops::Range<usize>,
    role: Option<(String, bool)>,
    text: &str,
    g: &Gazetteer,
    out: &mut Vec<Mention>,
) {
    let pieces: Vec<&Piece<'_>> = ps[range.clone()].iter().collect();
    let words: Vec<&str> = pieces.iter().map(|p| p.folded.as_str()).collect();
    let only_titles = pieces.iter().all(|p| g.is_title_word(&p.folded) || is_stopword(p, g));
    let first = pieces[0];
    let last = pieces[pieces.len() - 1];
    let surface = &text[first.byte_start..last.byte_end];
    if only_titles || surface.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
        return;
    }
    let key = key_of(text, &pieces);
    let lower_word = |k: usize| ps.get(k).filter(|p| !p.capitalised).map(|p| p.folded.as_str());
    let before =
        [range.start.checked_sub(2).and_then(lower_word), range.start.checked_sub(1).and_then(lower_word)];
    let after = ps.get(range.end).filter(|p| p.gap == Gap::Space).and_then(|_| lower_word(range.end));
    let candidate = Candidate { key: &key, words: &words, titled: role.is_some(), before, after };
    let (kind, evidence) = classify(&candidate, g);
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

/// The folded, single-spaced text from the first to the last piece.
fn key_of(text: &str, pieces: &[&Piece<'_>]) -> String {
    let (Some(first), Some(last)) = (pieces.first(), pieces.last()) else { return String::new() };
    let folded = ingest_text::fold(&text[first.byte_start..last.byte_end]);
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, EntityType, Option<String>)> {
        let g = Gazetteer::builtin().unwrap();
        let spans = ingest_text::sentences(text, &ingest_text::paragraphs(text));
        let spans: Vec<Span> = spans.iter().map(|s| Span { start: s.start, end: s.end }).collect();
        recognise(text, &spans, None, &g).into_iter().map(|m| (m.text, m.kind, m.role)).collect()
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
    }

    #[test]
    fn possessives_connectors_and_function_words() {
        use EntityType::*;
        assert_eq!(
            found("The Kremlin backed Russia’s Kursk region plan and the Group of Seven agreed."),
            [
                m("Kremlin", Org, None),
                m("Russia", Loc, None),
                m("Kursk", Loc, None),
                m("Group of Seven", Org, None)
            ]
        );
    }

    #[test]
    fn sentence_initial_capitals_need_evidence() {
        use EntityType::*;
        let text = "Anticipating talks, officials met. Witkoff flew to Moscow. Steve Witkoff landed.";
        assert_eq!(
            found(text),
            [m("Witkoff", Misc, None), m("Moscow", Loc, None), m("Steve Witkoff", Per, None)]
        );
    }

    #[test]
    fn headline_words_need_evidence() {
        use EntityType::*;
        let text = "Trump Hails Productive Dialogue with Putin on Ukraine Ceasefire\n\nThen Donald Trump spoke to Putin.";
        let f = found(text);
        assert_eq!(&f[..3], [m("Trump", Misc, None), m("Putin", Misc, None), m("Ukraine", Loc, None)]);
    }

    #[test]
    fn hyphenated_words_yield_their_capitalised_part() {
        use EntityType::*;
        assert_eq!(
            found("the US-led force and a U.S.-proposed truce"),
            [m("US", Loc, None), m("U.S.", Loc, None)]
        );
    }
}
