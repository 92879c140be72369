//! [`Evidence`]: how a mention's type was decided, so grouping can prefer the
//! better-founded type when one entity's mentions disagree ("Zelenskyy" typed ORG by the
//! tagger in one sentence, "President Zelenskyy" PER by its title: the entity is PER).

/// How a type was decided, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Evidence {
    /// No rule applied; a fallback.
    Default,
    /// The tagger's decision from the words and their context.
    Context,
    /// A person title before the name.
    Cue,
    /// The name is in a curated list (`aliases.txt`, `org_names.txt`).
    Known,
}
