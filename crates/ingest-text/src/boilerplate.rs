//! [`strip_boilerplate`]: whole lines that are page furniture rather than news, dropped
//! and reported.
//!
//! Scraped text keeps what the page wrapped around the story: a newsletter promo pasted
//! mid-article (seed 000's "Get each day National news" block), a row of share buttons,
//! "Advertisement" markers. These rules look at one line at a time and only at short,
//! formulaic lines, so a sentence of news is never taken for boilerplate: a line must be
//! short *and* match a pattern, and every dropped line is listed in the result.

use crate::clean::{Removed, reason};

/// Longest promo line considered, in words (the seed's blurb has 17).
const MAX_PROMO_WORDS: usize = 30;
/// Longest share-button or advertisement line, in words.
const MAX_BUTTON_WORDS: usize = 8;

/// Phrases that make a short line a subscription promo.
const PROMO_PHRASES: [&str; 8] = [
    "delivered to your inbox",
    "straight to your inbox",
    "sign up for our",
    "sign up to our",
    "subscribe to our",
    "download our app",
    "get breaking news alerts",
    "get the latest news",
];

/// Words that may make up a line of share buttons.
const SHARE_WORDS: [&str; 24] = [
    "share",
    "this",
    "article",
    "story",
    "on",
    "facebook",
    "twitter",
    "x",
    "whatsapp",
    "linkedin",
    "email",
    "e-mail",
    "reddit",
    "pinterest",
    "copy",
    "link",
    "print",
    "tweet",
    "via",
    "messenger",
    "telegram",
    "bluesky",
    "threads",
    "flipboard",
];
/// At least one of these must appear for a line to count as share buttons.
const SHARE_MARKERS: [&str; 9] =
    ["share", "facebook", "twitter", "whatsapp", "linkedin", "tweet", "email", "print", "pinterest"];

/// Whole lines that mark an advertisement slot.
const AD_LINES: [&str; 8] = [
    "advertisement",
    "ad",
    "sponsored",
    "sponsored content",
    "story continues below advertisement",
    "article continues below advertisement",
    "continue reading below",
    "scroll to continue with content",
];

/// Why `line` is boilerplate, if it is.
#[must_use]
pub fn boilerplate_reason(line: &str) -> Option<&'static str> {
    // Fast exit for the common case, a line of news: every rule below needs at most
    // MAX_PROMO_WORDS words in the lower-cased line, and lower-casing and trimming the end's
    // punctuation drop at most the last word, so a line with more is never boilerplate
    // (counted without allocating, stopping early).
    if line.split(is_word_separator).filter(|w| !w.is_empty()).nth(MAX_PROMO_WORDS + 1).is_some() {
        return None;
    }
    let lower = line.trim().to_lowercase();
    let lower = lower.trim_end_matches(['.', ':', '!']);
    if lower.is_empty() {
        return None;
    }
    let words: Vec<&str> = lower.split(is_word_separator).filter(|w| !w.is_empty()).collect();
    if AD_LINES.contains(&lower) {
        return Some(reason::ADVERTISEMENT);
    }
    if words.len() <= MAX_BUTTON_WORDS
        && words
            .iter()
            .all(|w| SHARE_WORDS.contains(&w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-')))
        && words.iter().any(|w| SHARE_MARKERS.contains(&w.trim_matches(|c: char| !c.is_alphanumeric())))
    {
        return Some(reason::SHARE);
    }
    if words.len() <= MAX_PROMO_WORDS && is_promo(lower, &words) {
        return Some(reason::PROMO);
    }
    None
}

fn is_word_separator(c: char) -> bool {
    c.is_whitespace() || c == '|' || c == '·' || c == '•' || c == '/'
}

fn is_promo(lower: &str, words: &[&str]) -> bool {
    if PROMO_PHRASES.iter().any(|p| lower.contains(p)) {
        return true;
    }
    if lower.contains("newsletter") && ["sign up", "subscribe", "inbox"].iter().any(|p| lower.contains(p)) {
        return true;
    }
    // A short imperative heading: "Get each day National news", "Get daily headlines".
    let first = words.first().copied().unwrap_or("");
    let last = words.last().copied().unwrap_or("");
    words.len() <= 6
        && matches!(first, "get" | "sign" | "subscribe")
        && matches!(last, "news" | "headlines" | "newsletter" | "updates" | "alerts" | "briefing")
}

/// Drops boilerplate lines from `text` (see the module docs), returning the remaining text
/// (other lines untouched, line breaks kept) and one [`Removed`] per dropped line.
#[must_use]
pub fn strip_boilerplate(text: &str) -> (String, Vec<Removed>) {
    let mut out = String::with_capacity(text.len());
    let mut removed = Vec::new();
    for line in text.split_inclusive('\n') {
        match boilerplate_reason(line) {
            Some(reason) => removed.push(Removed { reason, text: line.trim().to_owned() }),
            None => out.push_str(line),
        }
    }
    (out, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_the_seed_000_promo_block() {
        let text = "G7 officials had feared they might not agree.\n\nGet each day National news\n\
                    Get the day’s top news, political, economic, and current affairs headlines, \
                    delivered to your inbox once a day.\n“Relating to different issues,” Joly said.\n";
        let (kept, removed) = strip_boilerplate(text);
        assert_eq!(
            kept,
            "G7 officials had feared they might not agree.\n\n“Relating to different issues,” Joly said.\n"
        );
        assert_eq!(removed.len(), 2);
        assert!(removed.iter().all(|r| r.reason == reason::PROMO));
        assert_eq!(removed[0].text, "Get each day National news");
    }

    #[test]
    fn drops_share_rows_and_ad_markers() {
        for line in
            ["Share this article", "Facebook Twitter WhatsApp Email", "Share on X", "Copy link | Print"]
        {
            assert_eq!(boilerplate_reason(line), Some(reason::SHARE), "{line}");
        }
        for line in ["Advertisement", "ADVERTISEMENT", "Story continues below advertisement"] {
            assert_eq!(boilerplate_reason(line), Some(reason::ADVERTISEMENT), "{line}");
        }
    }

    #[test]
    fn the_word_limit_is_the_same_with_the_fast_exit() {
        let promo = |n: usize, tail: &str| format!("{} delivered to your inbox{tail}", "word ".repeat(n - 4));
        assert_eq!(boilerplate_reason(&promo(30, "")), Some(reason::PROMO));
        assert_eq!(boilerplate_reason(&promo(31, "")), None);
        // A trailing "..." is one word of the line but is trimmed before counting.
        assert_eq!(boilerplate_reason(&promo(30, " ...")), Some(reason::PROMO));
        assert_eq!(boilerplate_reason(&promo(31, " ...")), None);
    }

    #[test]
    fn news_sentences_are_kept() {
        for line in [
            "Trump posted on social media after his envoy met Putin.",
            "Get ready for more talks, the minister said on Friday about the news.",
            "Facebook shares fell 3% on Friday.",
            "Email records show the envoy was in Moscow.",
            "The newspaper's editor said readers had written in.",
            "The company's newsletter said profits rose.",
        ] {
            assert_eq!(boilerplate_reason(line), None, "{line}");
        }
    }
}
