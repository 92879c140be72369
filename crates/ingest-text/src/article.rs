//! [`read_articles`]: the bytes of an input file to clean articles with metadata.
//!
//! ```text
//! bytes --gzip?--> bytes --decode--> text --detect format--> extractor --> RawArticle(s)
//!       --strip_boilerplate + clean + title--> Article(s) (text every offset indexes)
//! ```
//!
//! Pure: no I/O, no clock. The caller reads the file (with its own size limit) and passes
//! the decompressed-size limit.

use crate::clean::{Removed, clean};
use crate::decode::decode;
use crate::formats::{self, Format, RawArticle, html, json, markdown};
use crate::gzip::{GzipError, gunzip, is_gzip};
use crate::language::{Language, detect_language};
use crate::strip_boilerplate;

/// Limits that protect the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes a gzip input may decompress to.
    pub max_decompressed: u64,
}

/// Something worth telling the reader of a result about how its input was read
/// (it did not stop the article).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// `decode` (encoding guessed, bytes replaced) or `format` (fallback, skipped records).
    pub kind: &'static str,
    /// For a person.
    pub message: String,
}

/// One article, ready for analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// The headline the source gives apart from the body (HTML `<h1>`/metadata, JSON
    /// `title`, Markdown front matter or first `#` heading). When present it is also
    /// the first line of `text`. `None` for plain text, whose title is found by [`crate::title`].
    pub title: Option<String>,
    /// Author(s).
    pub byline: Option<String>,
    /// Publication date/time as stated by the source.
    pub published: Option<String>,
    /// Canonical URL.
    pub url: Option<String>,
    /// Publication or site name.
    pub site: Option<String>,
    /// The cleaned text (see [`clean`]): title line, blank line, body.
    pub text: String,
    /// What boilerplate removal and cleaning dropped, in order.
    pub removed: Vec<Removed>,
    /// The detected language.
    pub language: Language,
    /// 1-based position in a multi-article input (see [`RawArticle::record`]).
    pub record: Option<usize>,
}

/// Everything read from one input file.
#[derive(Debug, Clone, PartialEq)]
pub struct Extracted {
    /// The format detected.
    pub format: Format,
    /// The encoding used (WHATWG name, lower case).
    pub encoding: String,
    /// `Some("gzip")` when the input was compressed.
    pub compression: Option<&'static str>,
    /// Notes that concern every article of the file.
    pub notes: Vec<Note>,
    /// The articles, in input order; never empty.
    pub articles: Vec<Article>,
}

/// Why a file yields no article at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// No text (or no article text) in it.
    Empty,
    /// Binary data rather than text.
    Binary(&'static str),
    /// A gzip input that is corrupt or decompresses past the limit.
    Gzip(GzipError),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Empty => f.write_str("file has no text"),
            Self::Binary(why) => write!(f, "file is binary, not text ({why})"),
            Self::Gzip(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ReadError {}

/// Share of control characters above which decoded text is called binary.
const MAX_CONTROL_SHARE: f64 = 0.01;

/// More than [`MAX_CONTROL_SHARE`] of the code points are control characters (other than
/// line breaks, tabs and form feeds).
///
/// One pass over the bytes rather than the chars: every code point has exactly one byte
/// that is not a UTF-8 continuation byte (`10xxxxxx`), and the control characters (Unicode
/// `Cc`: U+0000..U+001F, U+007F..U+009F) are the ASCII bytes below 0x20 and 0x7F, and the
/// two-byte sequences `C2 80`..`C2 9F`.
fn looks_binary(text: &str) -> bool {
    let bytes = text.as_bytes();
    let (mut total, mut control) = (0usize, 0usize);
    for (i, &b) in bytes.iter().enumerate() {
        total += usize::from(b & 0xC0 != 0x80);
        let is_control = match b {
            b'\n' | b'\r' | b'\t' | 0x0C => false,
            0x00..=0x1F | 0x7F => true,
            0xC2 => bytes.get(i + 1).is_some_and(|n| (0x80..=0x9F).contains(n)),
            _ => false,
        };
        control += usize::from(is_control);
    }
    total > 0 && control as f64 / total as f64 > MAX_CONTROL_SHARE
}

/// Reads the articles in `bytes`, the content of a file called `name` (the name's
/// extension is a hint; see [`formats::detect_format`]).
pub fn read_articles(name: &str, bytes: &[u8], limits: Limits) -> Result<Extracted, ReadError> {
    let mut compression = None;
    let unpacked;
    let bytes = if is_gzip(bytes) {
        unpacked = gunzip(bytes, limits.max_decompressed).map_err(ReadError::Gzip)?;
        compression = Some("gzip");
        &unpacked[..]
    } else {
        bytes
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ReadError::Empty);
    }
    let has_bom = crate::decode::bom(bytes).is_some();
    if !has_bom && bytes.contains(&0) {
        return Err(ReadError::Binary("contains NUL bytes"));
    }
    let ext = formats::extension(name);
    let declared =
        if matches!(ext.as_str(), "html" | "htm" | "xhtml") || bytes.trim_ascii_start().starts_with(b"<") {
            html::declared_charset(bytes)
        } else {
            None
        };
    let decoded = decode(bytes, declared.as_deref());
    if looks_binary(&decoded.text) {
        return Err(ReadError::Binary("too many control characters"));
    }
    let mut notes = Vec::new();
    if let Some(message) = decoded.note() {
        notes.push(Note { kind: "decode", message });
    }
    let mut format = formats::detect_format(name, &decoded.text);
    let raws = match format {
        Format::Text => vec![RawArticle { body: decoded.text, ..RawArticle::default() }],
        Format::Markdown => vec![markdown::extract(&decoded.text)],
        Format::Html => vec![html::extract(&decoded.text)],
        Format::Json => json::extract(&decoded.text).unwrap_or_else(|why| {
            notes.push(Note { kind: "format", message: format!("read as plain text: {why}") });
            format = Format::Text;
            vec![RawArticle { body: decoded.text.clone(), ..RawArticle::default() }]
        }),
        Format::JsonLines => {
            let (articles, skipped) = json::extract_lines(&decoded.text);
            notes.extend(skipped.into_iter().map(|message| Note { kind: "format", message }));
            articles
        }
    };
    let articles: Vec<Article> = raws.into_iter().filter_map(finish).collect();
    if articles.is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(Extracted { format, encoding: decoded.encoding, compression, notes, articles })
}

/// Turns what an extractor found into an [`Article`]: boilerplate lines dropped, text
/// cleaned, the title (when the source gave one apart) put on the first line unless the
/// body already starts with it, language detected. `None` when no text is left.
#[must_use]
pub fn finish(raw: RawArticle) -> Option<Article> {
    let (body, mut removed) = strip_boilerplate(&raw.body);
    let cleaned = clean(&body);
    removed.extend(cleaned.removed);
    if cleaned.text.is_empty() {
        return None;
    }
    let title = raw.title.map(|t| clean(&t.replace('\n', " ")).text).filter(|t| !t.is_empty());
    let text = match &title {
        Some(t) if cleaned.text.lines().next() != Some(t.as_str()) => format!("{t}\n\n{}", cleaned.text),
        _ => cleaned.text,
    };
    let language = detect_language(&text);
    let tidy = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    Some(Article {
        title,
        byline: tidy(raw.byline),
        published: tidy(raw.published),
        url: tidy(raw.url),
        site: tidy(raw.site),
        text,
        removed,
        language,
        record: raw.record,
    })
}

/// The cleaned body (no title line) extracted from an HTML page's bytes, decoded as
/// [`read_articles`] does: what the extraction evaluation scores.
#[must_use]
pub fn html_body(bytes: &[u8]) -> String {
    let decoded = decode(bytes, html::declared_charset(bytes).as_deref());
    let raw = html::extract(&decoded.text);
    clean(&strip_boilerplate(&raw.body).0).text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reason;

    const LIMITS: Limits = Limits { max_decompressed: 1 << 20 };

    #[test]
    fn plain_text_keeps_its_own_title_detection() {
        let x =
            read_articles("a.txt", b"Headline\n\nThe minister said the talks went well.", LIMITS).unwrap();
        assert_eq!(x.format, Format::Text);
        assert_eq!(x.encoding, "utf-8");
        assert_eq!(x.articles[0].title, None);
        assert_eq!(x.articles[0].text, "Headline\n\nThe minister said the talks went well.");
    }

    #[test]
    fn title_is_not_doubled_when_the_body_starts_with_it() {
        let raw = RawArticle {
            title: Some("Talks end".into()),
            body: "Talks end\n\nBody.".into(),
            ..Default::default()
        };
        assert_eq!(finish(raw).unwrap().text, "Talks end\n\nBody.");
        let raw = RawArticle { title: Some("Talks end".into()), body: "Body.".into(), ..Default::default() };
        assert_eq!(finish(raw).unwrap().text, "Talks end\n\nBody.");
    }

    #[test]
    fn boilerplate_and_cleaning_are_both_reported() {
        let raw = RawArticle {
            body: "A\u{200B}b.\nShare this article\nA\u{200B}b.\n".into(),
            ..Default::default()
        };
        let a = finish(raw).unwrap();
        assert_eq!(a.text, "Ab.");
        let reasons: Vec<&str> = a.removed.iter().map(|r| r.reason).collect();
        assert_eq!(reasons, [reason::SHARE, reason::INVISIBLE_CHAR, reason::REPEATED_LINE]);
    }

    #[test]
    fn gzip_is_read_by_content_and_limited() {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b"# Markdown title\n\nBody of the story.").unwrap();
        let packed = e.finish().unwrap();
        let x = read_articles("story.md.gz", &packed, LIMITS).unwrap();
        assert_eq!((x.format, x.compression), (Format::Markdown, Some("gzip")));
        assert_eq!(x.articles[0].title.as_deref(), Some("Markdown title"));
        assert!(matches!(
            read_articles("story.md.gz", &packed, Limits { max_decompressed: 10 }),
            Err(ReadError::Gzip(GzipError::TooLarge { limit: 10 }))
        ));
    }

    #[test]
    fn looks_binary_counts_code_points_like_chars_does() {
        fn by_chars(text: &str) -> bool {
            let total = text.chars().count();
            let control =
                text.chars().filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')).count();
            total > 0 && control as f64 / total as f64 > MAX_CONTROL_SHARE
        }
        let base = "Mélanie Joly £5m “quoted” 🇺🇦 end\r\n\t\u{c}".repeat(2);
        for extra in ["", "\u{7}", "\u{85}", "\u{9F}", "\u{A0}", "\u{7F}", "\u{0}", "\u{80}\u{1}", "\u{100}"]
        {
            for text in [base.clone() + extra, extra.to_owned(), extra.repeat(3) + "ab"] {
                assert_eq!(looks_binary(&text), by_chars(&text), "{text:?}");
            }
        }
        assert!(!looks_binary(""));
    }

    #[test]
    fn empty_binary_and_bad_json() {
        assert_eq!(read_articles("a.txt", b" \n", LIMITS), Err(ReadError::Empty));
        assert!(matches!(
            read_articles("a.bin", b"\x7fELF\x02\x01\x01\x00\x00", LIMITS),
            Err(ReadError::Binary(_))
        ));
        let x = read_articles("a.json", b"{\"title\": \"no body\"}", LIMITS).unwrap();
        assert_eq!(x.format, Format::Text);
        assert_eq!(x.notes[0].kind, "format");
    }
}
