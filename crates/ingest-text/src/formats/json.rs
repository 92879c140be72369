//! JSON and JSON Lines articles, with the field names scrapers and news APIs use.
//!
//! An article is a JSON object. Its body is the first of `text`, `content`, `body`,
//! `article`, `articleBody`, `maintext`, `full_text`, `story`, `html`, `description`
//! that holds text: a string (HTML in a string is extracted as a page), a list of
//! paragraph strings, an object with `rendered` (WordPress) or a nested article object.
//! Metadata: `title`/`headline`; `url`/`link`/`canonical_url`; `published`/`date`/
//! `published_at`/`publishedAt`/`datePublished`/`date_publish`/`pubDate`;
//! `author`/`authors`/`byline`/`creator` (strings, `{"name"}` objects or lists);
//! `source`/`site`/`site_name`/`publisher`/`source_domain`.

use serde_json::{Map, Value};

use super::{RawArticle, html};

const BODY_KEYS: [&str; 13] = [
    "text",
    "content",
    "body",
    "article",
    "articleBody",
    "article_body",
    "maintext",
    "full_text",
    "fulltext",
    "story",
    "html",
    "content_html",
    "description",
];
const TITLE_KEYS: [&str; 3] = ["title", "headline", "name"];
const URL_KEYS: [&str; 5] = ["url", "link", "canonical_url", "source_url", "uri"];
const DATE_KEYS: [&str; 10] = [
    "published",
    "date",
    "published_at",
    "publishedAt",
    "datePublished",
    "date_publish",
    "pubDate",
    "pub_date",
    "publish_date",
    "created_at",
];
const AUTHOR_KEYS: [&str; 5] = ["author", "authors", "byline", "creator", "author_name"];
const SITE_KEYS: [&str; 6] = ["source", "site", "site_name", "publisher", "source_domain", "domain"];

/// The articles in a JSON document: one object, or an array of objects (each numbered
/// with its 1-based position in [`RawArticle::record`]). `Err` says why there is none.
pub fn extract(text: &str) -> Result<Vec<RawArticle>, String> {
    match serde_json::from_str::<Value>(text.trim()) {
        Ok(Value::Object(map)) => {
            article(&map).map(|a| vec![a]).ok_or_else(|| "the JSON object has no article text".to_owned())
        }
        Ok(Value::Array(items)) => {
            let articles: Vec<RawArticle> = items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| {
                    let mut a = article(v.as_object()?)?;
                    a.record = Some(i + 1);
                    Some(a)
                })
                .collect();
            if articles.is_empty() {
                Err("no element of the JSON array is an article".to_owned())
            } else {
                Ok(articles)
            }
        }
        Ok(_) => Err("the JSON document is not an object or an array".to_owned()),
        Err(e) => Err(format!("not valid JSON: {e}")),
    }
}

/// True when the first non-blank line of `text` is a JSON object (the shape of JSON Lines).
#[must_use]
pub fn looks_like_lines(text: &str) -> bool {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| matches!(serde_json::from_str::<Value>(l.trim()), Ok(Value::Object(_))))
}

/// The articles in JSON Lines text, each numbered with its 1-based line, and a note for
/// every non-blank line that is not an article (kept going: one bad line never costs
/// the others).
#[must_use]
pub fn extract_lines(text: &str) -> (Vec<RawArticle>, Vec<String>) {
    let mut articles = Vec::new();
    let mut notes = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(map)) => match article(&map) {
                Some(mut a) => {
                    a.record = Some(i + 1);
                    articles.push(a);
                }
                None => notes.push(format!("line {}: the object has no article text; skipped", i + 1)),
            },
            Ok(_) => notes.push(format!("line {}: not a JSON object; skipped", i + 1)),
            Err(e) => notes.push(format!("line {}: not valid JSON ({e}); skipped", i + 1)),
        }
    }
    (articles, notes)
}

fn string(map: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match map.get(*k) {
        Some(Value::String(s)) if !s.trim().is_empty() => {
            Some(s.split_whitespace().collect::<Vec<_>>().join(" "))
        }
        Some(Value::Object(o)) => o.get("rendered").and_then(Value::as_str).map(strip_tags),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// A title or similar short field that may carry inline HTML (`"rendered"` titles).
fn strip_tags(s: &str) -> String {
    if s.contains(['<', '&']) { html::extract(&format!("<p>{s}</p>")).body } else { s.trim().to_owned() }
}

/// One article object, or `None` when it has no body text.
fn article(map: &Map<String, Value>) -> Option<RawArticle> {
    let mut found = BODY_KEYS.iter().find_map(|k| body(map.get(*k)?))?;
    found.title = found.title.or_else(|| string(map, &TITLE_KEYS));
    found.url = string(map, &URL_KEYS).or(found.url);
    found.published = string(map, &DATE_KEYS).or(found.published);
    found.byline = AUTHOR_KEYS.iter().find_map(|k| map.get(*k).and_then(html::names)).or(found.byline);
    found.site = SITE_KEYS.iter().find_map(|k| map.get(*k).and_then(html::names)).or(found.site);
    Some(found)
}

/// The body held by one field's value, as a partial article (HTML and nested objects
/// may bring their own metadata).
fn body(value: &Value) -> Option<RawArticle> {
    let found = match value {
        Value::String(s) if super::looks_like_html(s) || (s.contains("</p>") && s.contains("<p")) => {
            html::extract(s)
        }
        Value::String(s) => RawArticle { body: s.clone(), ..RawArticle::default() },
        Value::Array(items) => {
            let paragraphs: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            RawArticle { body: paragraphs.join("\n\n"), ..RawArticle::default() }
        }
        Value::Object(o) => match o.get("rendered") {
            Some(rendered) => body(rendered)?,
            None => article(o)?,
        },
        _ => return None,
    };
    (!found.body.trim().is_empty()).then_some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scraper_object_with_common_names() {
        let json = r#"{"headline": "Talks end", "content": "First paragraph.\n\nSecond.",
            "link": "https://news.example/a", "publishedAt": "2025-03-14T10:00:00Z",
            "authors": ["Ann Lee", {"name": "Bo Park"}], "source": {"id": null, "name": "Example News"}}"#;
        let a = &extract(json).unwrap()[0];
        assert_eq!(a.title.as_deref(), Some("Talks end"));
        assert_eq!(a.body, "First paragraph.\n\nSecond.");
        assert_eq!(a.url.as_deref(), Some("https://news.example/a"));
        assert_eq!(a.published.as_deref(), Some("2025-03-14T10:00:00Z"));
        assert_eq!(a.byline.as_deref(), Some("Ann Lee, Bo Park"));
        assert_eq!(a.site.as_deref(), Some("Example News"));
        assert_eq!(a.record, None);
    }

    #[test]
    fn html_bodies_and_wordpress_rendered_fields() {
        let json = r#"{"title": {"rendered": "Ceasefire &amp; trade"},
            "content": {"rendered": "<p>One paragraph of news, with detail.</p><p>Another one.</p>"}}"#;
        let a = &extract(json).unwrap()[0];
        assert_eq!(a.title.as_deref(), Some("Ceasefire & trade"));
        assert_eq!(a.body, "One paragraph of news, with detail.\n\nAnother one.");
    }

    #[test]
    fn arrays_are_numbered() {
        let json = r#"[{"text": "a"}, {"nothing": 1}, {"body": ["p1", "p2"]}]"#;
        let all = extract(json).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!((all[0].record, all[1].record), (Some(1), Some(3)));
        assert_eq!(all[1].body, "p1\n\np2");
    }

    #[test]
    fn lines_are_numbered_and_bad_lines_noted() {
        let text = "{\"text\": \"one\"}\n\nnot json\n{\"title\": \"no body\"}\n{\"article\": \"four\"}\n";
        let (articles, notes) = extract_lines(text);
        assert_eq!(
            articles.iter().map(|a| (a.record, a.body.as_str())).collect::<Vec<_>>(),
            [(Some(1), "one"), (Some(5), "four")]
        );
        assert_eq!(notes.len(), 2);
        assert!(notes[0].starts_with("line 3:"), "{notes:?}");
        assert!(notes[1].starts_with("line 4:"), "{notes:?}");
    }

    #[test]
    fn objects_without_text_are_refused() {
        assert!(extract("{\"title\": \"only\"}").is_err());
        assert!(extract("42").is_err());
        assert!(extract("{broken").is_err());
    }
}
