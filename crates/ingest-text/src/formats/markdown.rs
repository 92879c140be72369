//! Markdown articles: headings, emphasis, links and lists reduced to their text with
//! `pulldown-cmark`; images, raw HTML and link targets dropped. A YAML front matter block
//! (`---` … `---`) gives `title`, `author`, `date` and `url`; otherwise the first level-1
//! heading is the title.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::RawArticle;

/// Extracts the article from Markdown text.
#[must_use]
pub fn extract(text: &str) -> RawArticle {
    let (front, content) = front_matter(text);
    let mut article = RawArticle::default();
    for (key, value) in front {
        let slot = match key.as_str() {
            "title" => &mut article.title,
            "author" | "authors" | "byline" => &mut article.byline,
            "date" | "published" => &mut article.published,
            "url" | "link" | "canonical_url" => &mut article.url,
            "source" | "site" => &mut article.site,
            _ => continue,
        };
        *slot = Some(value);
    }
    let mut out = String::new();
    let mut h1: Option<String> = None;
    let mut in_h1 = false;
    let mut skip = 0usize; // inside an image (its alt text) or a metadata block
    for event in Parser::new_ext(content, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Start(Tag::Image { .. }) => skip += 1,
            Event::End(TagEnd::Image) => skip = skip.saturating_sub(1),
            _ if skip > 0 => {}
            Event::Start(Tag::Heading { level, .. }) => {
                block_break(&mut out);
                in_h1 = level == HeadingLevel::H1 && h1.is_none();
                if in_h1 {
                    h1 = Some(String::new());
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                in_h1 = false;
                block_break(&mut out);
            }
            Event::Start(
                Tag::Paragraph | Tag::Item | Tag::CodeBlock(_) | Tag::BlockQuote(_) | Tag::TableRow,
            )
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::TableRow,
            )
            | Event::Rule => block_break(&mut out),
            Event::End(TagEnd::TableCell) => out.push(' '),
            Event::Text(t) | Event::Code(t) => {
                if in_h1 && let Some(h) = h1.as_mut() {
                    h.push_str(&t);
                }
                out.push_str(&t);
            }
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            _ => {}
        }
    }
    article.title = article.title.or(h1.map(|h| h.trim().to_owned()).filter(|h| !h.is_empty()));
    article.body = out.trim().to_owned();
    article
}

/// Ends the current block with a blank line (once).
fn block_break(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push_str(if out.ends_with('\n') { "\n" } else { "\n\n" });
    }
}

/// Splits a leading `---` YAML front matter block off `text`: its simple `key: value`
/// lines (keys lower-cased, quotes trimmed), and the rest.
fn front_matter(text: &str) -> (Vec<(String, String)>, &str) {
    let Some(rest) = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n")) else {
        return (Vec::new(), text);
    };
    let Some(end) = rest.find("\n---") else {
        return (Vec::new(), text);
    };
    let after = &rest[end + 4..];
    let after = after.split_once('\n').map_or("", |(_, tail)| tail);
    let pairs = rest[..end]
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().trim_matches(['"', '\'']).to_owned()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    (pairs, after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_links_and_emphasis_become_text() {
        let md = "# G7 backs Ukraine\n\nMinisters met in [La Malbaie](https://example.org/lm) on **Friday**,\n\
                  officials said.\n\n![photo](x.jpg)\n\n## Shadow fleet\n\n- a task force\n- new sanctions\n\n> “Excellent,” Lammy said.\n";
        let a = extract(md);
        assert_eq!(a.title.as_deref(), Some("G7 backs Ukraine"));
        assert_eq!(
            a.body,
            "G7 backs Ukraine\n\nMinisters met in La Malbaie on Friday, officials said.\n\nShadow fleet\n\n\
             a task force\n\nnew sanctions\n\n“Excellent,” Lammy said."
        );
    }

    #[test]
    fn front_matter_gives_metadata() {
        let md = "---\ntitle: \"Talks end\"\nauthor: Ann Lee\ndate: 2025-03-14\nurl: https://news.example/a\n---\nBody text.\n";
        let a = extract(md);
        assert_eq!(a.title.as_deref(), Some("Talks end"));
        assert_eq!(a.byline.as_deref(), Some("Ann Lee"));
        assert_eq!(a.published.as_deref(), Some("2025-03-14"));
        assert_eq!(a.url.as_deref(), Some("https://news.example/a"));
        assert_eq!(a.body, "Body text.");
    }
}
