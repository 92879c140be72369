//! Input formats: which one a file is ([`detect_format`]), and one extractor per format
//! that turns decoded text into [`RawArticle`]s (body and metadata, before boilerplate
//! removal and cleaning).

pub mod html;
pub mod json;
pub mod markdown;

/// The format of an input, decided by [`detect_format`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text: the body as is.
    Text,
    /// An HTML page: main content extracted, metadata from `<meta>`/JSON-LD.
    Html,
    /// One JSON article object (or an array of them), with common scraper field names.
    Json,
    /// JSON Lines: one article object per line.
    JsonLines,
    /// Markdown: headings, emphasis and links reduced to their text.
    Markdown,
}

impl Format {
    /// The name the result publishes in `format`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Html => "html",
            Self::Json => "json",
            Self::JsonLines => "jsonl",
            Self::Markdown => "markdown",
        }
    }
}

/// What an extractor found, before boilerplate removal and cleaning.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawArticle {
    /// The headline, when the format carries one apart from the body.
    pub title: Option<String>,
    /// The author(s), as the source names them.
    pub byline: Option<String>,
    /// Publication date/time as the source states it (usually ISO 8601).
    pub published: Option<String>,
    /// The article's canonical URL.
    pub url: Option<String>,
    /// The publication or site name.
    pub site: Option<String>,
    /// The body: paragraphs separated by blank lines.
    pub body: String,
    /// 1-based position in a multi-article input (JSON Lines line, JSON array element);
    /// `None` for a single-article input.
    pub record: Option<usize>,
}

/// The lower-case extension of `name`, ignoring a trailing `.gz`.
#[must_use]
pub fn extension(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let base = lower.strip_suffix(".gz").unwrap_or(&lower);
    match base.rfind('.') {
        Some(i) if i > 0 => base[i + 1..].to_owned(),
        _ => String::new(),
    }
}

/// True when the start of `text` is unmistakably HTML.
#[must_use]
pub fn looks_like_html(text: &str) -> bool {
    // Cheap exit first: HTML must start with markup (the lower-cased head below does too).
    if !text.trim_start().starts_with('<') {
        return false;
    }
    let head: String = text.trim_start().chars().take(2048).collect::<String>().to_ascii_lowercase();
    head.starts_with('<')
        && ["<!doctype html", "<html", "<head", "<body", "<article", "<div", "<p>", "<p ", "<meta", "<title"]
            .iter()
            .any(|t| head.contains(t))
}

/// Decides the format of a file called `name` whose decoded content is `text`.
///
/// Content wins where it is unambiguous: a document starting with HTML markup is HTML
/// and a document that parses as JSON is JSON (several object lines: JSON Lines),
/// whatever the extension says. Otherwise the extension decides (`.html`/`.htm`,
/// `.json`, `.jsonl`/`.ndjson`, `.md`/`.markdown`); a file with no known extension
/// whose first line is a Markdown heading is Markdown; anything else is plain text.
#[must_use]
pub fn detect_format(name: &str, text: &str) -> Format {
    let ext = extension(name);
    let trimmed = text.trim_start();
    if looks_like_html(trimmed) {
        return Format::Html;
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        if serde_json::from_str::<serde_json::Value>(trimmed).is_ok() {
            return if matches!(ext.as_str(), "jsonl" | "ndjson") { Format::JsonLines } else { Format::Json };
        }
        if json::looks_like_lines(trimmed) {
            return Format::JsonLines;
        }
    }
    match ext.as_str() {
        "html" | "htm" | "xhtml" => Format::Html,
        "json" => Format::Json,
        "jsonl" | "ndjson" => Format::JsonLines,
        "md" | "markdown" | "mdown" | "mkd" => Format::Markdown,
        "" | "text" if trimmed.starts_with("# ") => Format::Markdown,
        _ => Format::Text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_ignores_gz() {
        assert_eq!(extension("a.HTML.gz"), "html");
        assert_eq!(extension("a.txt"), "txt");
        assert_eq!(extension(".hidden"), "");
        assert_eq!(extension("noext"), "");
    }

    #[test]
    fn content_beats_extension() {
        assert_eq!(detect_format("a.txt", "<!DOCTYPE html><html><body><p>x</p></body></html>"), Format::Html);
        assert_eq!(detect_format("a.txt", "{\"title\": \"x\", \"text\": \"y\"}"), Format::Json);
        assert_eq!(detect_format("a.txt", "{\"text\": \"y\"}\n{\"text\": \"z\"}\n"), Format::JsonLines);
        assert_eq!(detect_format("feed", "# Heading\n\nBody"), Format::Markdown);
    }

    #[test]
    fn extension_decides_otherwise() {
        assert_eq!(detect_format("a.md", "Plain words"), Format::Markdown);
        assert_eq!(detect_format("a.htm", "Just text"), Format::Html);
        assert_eq!(detect_format("a.jsonl", "{\"text\": \"y\"}"), Format::JsonLines);
        assert_eq!(detect_format("a.txt", "# not markdown in a .txt"), Format::Text);
        assert_eq!(detect_format("a.txt", "[Reuters] Kyiv said"), Format::Text);
    }
}
