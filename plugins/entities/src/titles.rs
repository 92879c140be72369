//! [`split_title`]: separates a leading title or role from the name it precedes.
//!
//! "Canadian Foreign Minister Mélanie Joly" is three things: a nationality ("Canadian", a
//! MISC mention of its own), a role ("Foreign Minister", kept as the entity's `role`) and
//! the name ("Mélanie Joly", the PER mention). The same holds for "U.S. Secretary of State
//! Marco Rubio", "UK Prime Minister Sir Keir Starmer" or "President Donald Trump".

use crate::gazetteer::Gazetteer;
use crate::pieces::Piece;

/// Where a title sits in a run of pieces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TitleSplit {
    /// Index of the first title piece; pieces before it are context ("Canadian").
    pub title_at: usize,
    /// Index of the first name piece.
    pub name_at: usize,
    /// The role as written ("Foreign Minister", "Secretary of State"), or the form of
    /// address ("Sir") when there is no other title.
    pub role: String,
    /// The role is only a form of address (Sir, Mr, Dr).
    pub honorific_only: bool,
}

/// Finds the first title in `run` that is followed by a name. `text` is the document text
/// the pieces index.
///
/// A title is a sequence of title words containing at least one head word ("Prime
/// Minister", "Press Secretary"), optionally "of" + one capitalised word ("Secretary of
/// State"), then optional forms of address ("Sir"); or forms of address alone ("Mr").
/// No split happens when the "name" would contain an organisation cue word ("General
/// Staff" is an organisation, not General Staff).
pub fn split_title(run: &[&Piece<'_>], text: &str, g: &Gazetteer) -> Option<TitleSplit> {
    let n = run.len();
    let word = |k: usize| run[k].folded.as_str();
    for i in 0..n {
        let mut j = i;
        let mut has_head = false;
        while j < n && (g.title_heads.contains(word(j)) || g.title_modifiers.contains(word(j))) {
            has_head |= g.title_heads.contains(word(j));
            j += 1;
        }
        if !has_head {
            j = i;
        } else if j + 2 < n && word(j) == "of" && run[j + 1].capitalised {
            j += 2;
        }
        let title_end = j;
        while j < n && g.honorifics.contains(word(j)) {
            j += 1;
        }
        if j == i || j >= n {
            continue;
        }
        if run[j..].iter().any(|p| g.org_cues.contains(&p.folded)) {
            return None;
        }
        let (from, to) = if has_head { (i, title_end) } else { (title_end, j) };
        return Some(TitleSplit {
            title_at: i,
            name_at: j,
            role: text[run[from].byte_start..run[to - 1].byte_end].to_owned(),
            honorific_only: !has_head,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pieces::pieces;
    use ingest_abi::Span;

    fn split(text: &str) -> Option<(String, String, String)> {
        let g = Gazetteer::builtin().unwrap();
        let all = pieces(text, &[Span { start: 0, end: text.chars().count() }]);
        let run: Vec<&Piece<'_>> = all[0].iter().collect();
        let s = split_title(&run, text, &g)?;
        let join = |ps: &[&Piece<'_>]| ps.iter().map(|p| p.text).collect::<Vec<_>>().join(" ");
        Some((join(&run[..s.title_at]), s.role, join(&run[s.name_at..])))
    }

    #[test]
    fn titles_roles_and_context() {
        let s = |a: &str, b: &str, c: &str| Some((a.to_owned(), b.to_owned(), c.to_owned()));
        assert_eq!(split("President Donald Trump"), s("", "President", "Donald Trump"));
        assert_eq!(
            split("Canadian Foreign Minister Mélanie Joly"),
            s("Canadian", "Foreign Minister", "Mélanie Joly")
        );
        assert_eq!(
            split("U.S. Secretary of State Marco Rubio"),
            s("U.S.", "Secretary of State", "Marco Rubio")
        );
        assert_eq!(split("UK Prime Minister Sir Keir Starmer"), s("UK", "Prime Minister", "Keir Starmer"));
        assert_eq!(split("Sir Keir Starmer"), s("", "Sir", "Keir Starmer"));
    }

    #[test]
    fn no_split_without_a_name_or_inside_an_organisation() {
        assert_eq!(split("President"), None);
        assert_eq!(split("Foreign Minister"), None);
        assert_eq!(split("General Staff"), None);
        assert_eq!(split("Vladimir Putin"), None);
    }
}
