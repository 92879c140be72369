//! HTML pages: the article's body and metadata, with the page around it left out.
//!
//! In the spirit of readability and trafilatura, in three steps:
//!
//! 1. **Prune** what is never the article: scripts, styles, forms, `nav`/`aside`/`footer`
//!    /`header`, AMP components, hidden elements, ARIA landmarks for navigation, and
//!    elements whose class or id names boilerplate (comments, share bars, cookie banners,
//!    newsletter boxes, "most read" and "related" lists, ads, captions, bylines). A class
//!    that also names content (`article`, `body`, `story`…) saves an element from the
//!    *weak* names (`sidebar`, `menu`…) but not from the strong ones (`comments`, `share`).
//! 2. **Cut the rest into blocks** (text between block-level tags; `<br>` keeps line breaks)
//!    and **score containers** as readability does: each paragraph-like block adds
//!    `1 + commas + min(chars/100, 3)` to its parent, half to its grandparent, less
//!    further up; a container's score is then scaled by `1 - link density`.
//! 3. **Take the best container** (plus siblings scoring at least a fifth of it) and
//!    emit its blocks in order, dropping link lists.
//!
//! Metadata comes from JSON-LD (`NewsArticle` and friends), `<meta>` (Open Graph,
//! `article:published_time`, `author`), `<link rel=canonical>`, `<time datetime>`, the
//! first `<h1>` and `<title>`. When the page body yields little text but JSON-LD carries
//! an `articleBody`, that is used.

use scraper::{Html, Node, Selector};
use serde_json::Value;

use super::RawArticle;

/// Finds an encoding the page declares in its first 1024 bytes (`<meta charset=…>` or
/// `<meta http-equiv=Content-Type content="…; charset=…">`), as the WHATWG prescan does.
#[must_use]
pub fn declared_charset(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(1024)];
    let lower: Vec<u8> = head.to_ascii_lowercase();
    let at = lower.windows(8).position(|w| w == b"charset=")? + 8;
    let rest = &lower[at..];
    let rest = rest.strip_prefix(b"\"").or_else(|| rest.strip_prefix(b"'")).unwrap_or(rest);
    let end =
        rest.iter().position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.')))?;
    (end > 0).then(|| String::from_utf8_lossy(&rest[..end]).into_owned())
}

/// Extracts the article from an HTML page.
#[must_use]
pub fn extract(page: &str) -> RawArticle {
    let html = Html::parse_document(page);
    let meta = Metadata::read(&html);
    let mut body = Blocks::collect(&html).body();
    if body.chars().count() < 200
        && let Some(ld_body) = meta.ld_body.as_deref().filter(|b| b.len() > body.len())
    {
        body = ld_body.to_owned();
    }
    RawArticle {
        title: meta.title,
        byline: meta.byline,
        published: meta.published,
        url: meta.url,
        site: meta.site,
        body,
        record: None,
    }
}

// ---------------------------------------------------------------------------------------
// Metadata

#[derive(Default)]
struct Metadata {
    title: Option<String>,
    byline: Option<String>,
    published: Option<String>,
    url: Option<String>,
    site: Option<String>,
    ld_body: Option<String>,
}

fn select<'a>(html: &'a Html, css: &str) -> impl Iterator<Item = scraper::ElementRef<'a>> + 'a {
    let selector = Selector::parse(css).expect("selectors in this module are valid");
    html.select(&selector).collect::<Vec<_>>().into_iter()
}

fn meta_content(html: &Html, keys: &[&str]) -> Option<String> {
    for key in keys {
        for attr in ["property", "name", "itemprop"] {
            let css = format!("meta[{attr}=\"{key}\"]");
            if let Some(v) = select(html, &css)
                .find_map(|e| e.value().attr("content").map(squash))
                .filter(|v| !v.is_empty())
            {
                return Some(v);
            }
        }
    }
    None
}

fn text_of(e: scraper::ElementRef<'_>) -> String {
    squash(&e.text().collect::<String>())
}

/// Whitespace runs to one space, trimmed.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// "By Jane Doe and John Roe" → "Jane Doe and John Roe".
fn strip_by(s: &str) -> String {
    let s = s.trim();
    let lower = s.to_lowercase();
    if lower.starts_with("by ") { s[3..].trim().to_owned() } else { s.to_owned() }
}

/// `<title>` usually carries the site name: "Headline | Site" → "Headline".
fn strip_site_suffix(title: &str) -> String {
    for sep in [" | ", " - ", " – ", " — ", " :: "] {
        if let Some(longest) = title.split(sep).max_by_key(|p| p.chars().count())
            && title.contains(sep)
        {
            return longest.trim().to_owned();
        }
    }
    title.to_owned()
}

impl Metadata {
    fn read(html: &Html) -> Self {
        let mut m = Self::default();
        for script in select(html, "script[type=\"application/ld+json\"]") {
            let raw: String = script.text().collect();
            if let Ok(value) = serde_json::from_str::<Value>(raw.trim()) {
                m.read_json_ld(&value);
            }
        }
        let h1 = select(html, "h1").map(text_of).find(|t| !t.is_empty());
        m.title =
            h1.or(m.title.take()).or_else(|| meta_content(html, &["og:title", "twitter:title"])).or_else(
                || select(html, "title").map(text_of).find(|t| !t.is_empty()).map(|t| strip_site_suffix(&t)),
            );
        if m.byline.is_none() {
            m.byline =
                meta_content(html, &["author", "byl", "parsely-author", "dc.creator", "sailthru.author"])
                    .filter(|a| !a.starts_with("http"))
                    .or_else(|| {
                        select(html, "[rel=author], [itemprop=author], .byline, .author-name, .byline__name")
                            .map(text_of)
                            .find(|t| !t.is_empty() && t.split_whitespace().count() <= 12)
                    })
                    .map(|a| strip_by(&a));
        }
        if m.published.is_none() {
            m.published = meta_content(
                html,
                &[
                    "article:published_time",
                    "datePublished",
                    "date",
                    "pubdate",
                    "parsely-pub-date",
                    "dc.date",
                    "og:published_time",
                ],
            )
            .or_else(|| select(html, "time[datetime]").find_map(|t| t.value().attr("datetime").map(squash)));
        }
        if m.url.is_none() {
            m.url = select(html, "link[rel=canonical]")
                .find_map(|l| l.value().attr("href").map(squash))
                .or_else(|| meta_content(html, &["og:url"]));
        }
        if m.site.is_none() {
            m.site = meta_content(html, &["og:site_name", "application-name"]);
        }
        m
    }

    fn read_json_ld(&mut self, value: &Value) {
        match value {
            Value::Array(items) => items.iter().for_each(|v| self.read_json_ld(v)),
            Value::Object(map) => {
                if let Some(graph) = map.get("@graph") {
                    self.read_json_ld(graph);
                }
                let is_article = match map.get("@type") {
                    Some(Value::String(t)) => is_article_type(t),
                    Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(is_article_type),
                    _ => false,
                };
                if !is_article {
                    return;
                }
                let s = |k: &str| map.get(k).and_then(Value::as_str).map(squash).filter(|s| !s.is_empty());
                self.title = self.title.take().or_else(|| s("headline")).or_else(|| s("name"));
                self.published =
                    self.published.take().or_else(|| s("datePublished")).or_else(|| s("dateCreated"));
                self.url =
                    self.url.take().or_else(|| s("url")).or_else(|| match map.get("mainEntityOfPage") {
                        Some(Value::String(u)) => Some(u.clone()),
                        Some(Value::Object(o)) => o.get("@id").and_then(Value::as_str).map(str::to_owned),
                        _ => None,
                    });
                self.byline = self.byline.take().or_else(|| map.get("author").and_then(names));
                self.site = self.site.take().or_else(|| map.get("publisher").and_then(names));
                if self.ld_body.is_none() {
                    self.ld_body = map.get("articleBody").and_then(Value::as_str).map(str::to_owned);
                }
            }
            _ => {}
        }
    }
}

fn is_article_type(t: &str) -> bool {
    t.ends_with("Article") || t == "BlogPosting" || t == "Report" || t == "LiveBlogPosting"
}

/// A person or organisation in JSON-LD or scraper JSON: a string, `{"name": …}`, or a
/// list of them, joined with ", ".
pub(crate) fn names(value: &Value) -> Option<String> {
    let joined = match value {
        Value::String(s) => squash(s),
        Value::Object(o) => o.get("name").and_then(names)?,
        Value::Array(items) => items.iter().filter_map(names).collect::<Vec<_>>().join(", "),
        _ => return None,
    };
    (!joined.is_empty()).then_some(joined)
}

// ---------------------------------------------------------------------------------------
// Pruning

/// Elements that never hold article text.
const SKIP_TAGS: [&str; 28] = [
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "aside",
    "footer",
    "header",
    "form",
    "iframe",
    "svg",
    "button",
    "select",
    "input",
    "textarea",
    "figure",
    "figcaption",
    "dialog",
    "menu",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
    "picture",
    "map",
    "head",
    "label",
];

/// Class/id words that mark boilerplate whatever else the element says.
const STRONG_JUNK: [&str; 45] = [
    "comment",
    "comments",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "newsletter",
    "subscribe",
    "subscription",
    "signup",
    "share",
    "sharing",
    "social",
    "related",
    "byline",
    "dateline",
    "timestamp",
    "meta",
    "author",
    "outbrain",
    "taboola",
    "disqus",
    "promo",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "adslot",
    "sponsored",
    "most",
    "popular",
    "trending",
    "recommended",
    "recommendations",
    "breadcrumb",
    "breadcrumbs",
    "tags",
    "paywall",
    "modal",
    "popup",
    "caption",
    "credit",
    "hidden",
    "sr",
    "banner",
];

/// Class/id words that mark boilerplate unless a content word is present too.
const WEAK_JUNK: [&str; 13] = [
    "sidebar",
    "nav",
    "navbar",
    "navigation",
    "menu",
    "footer",
    "header",
    "widget",
    "masthead",
    "toolbar",
    "rail",
    "pagination",
    "skip",
];

/// Class/id words that mark the article.
const CONTENT_WORDS: [&str; 10] =
    ["article", "body", "content", "story", "entry", "post", "text", "main", "articlebody", "prose"];

/// ARIA roles of page furniture.
const SKIP_ROLES: [&str; 9] = [
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "dialog",
    "alertdialog",
    "search",
    "menu",
    "menubar",
];

fn name_words(e: &scraper::node::Element) -> Vec<String> {
    let mut words = Vec::new();
    for value in [e.attr("class"), e.attr("id")].into_iter().flatten() {
        for word in value.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
            words.push(word.to_ascii_lowercase());
        }
    }
    words
}

fn is_pruned(e: &scraper::node::Element) -> bool {
    let name = e.name();
    if SKIP_TAGS.contains(&name) || name.starts_with("amp-") {
        return true;
    }
    if e.attr("hidden").is_some() || e.attr("aria-hidden") == Some("true") {
        return true;
    }
    if e.attr("role").is_some_and(|r| SKIP_ROLES.contains(&r)) {
        return true;
    }
    if e.attr("style").is_some_and(|s| s.replace(' ', "").contains("display:none")) {
        return true;
    }
    let words = name_words(e);
    if words.iter().any(|w| STRONG_JUNK.contains(&w.as_str())) {
        return true;
    }
    words.iter().any(|w| WEAK_JUNK.contains(&w.as_str()))
        && !words.iter().any(|w| CONTENT_WORDS.contains(&w.as_str()))
}

// ---------------------------------------------------------------------------------------
// Blocks and scoring

/// Tags that start a new block of text.
const BLOCK_TAGS: [&str; 33] = [
    "p",
    "div",
    "section",
    "article",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "table",
    "tbody",
    "thead",
    "tr",
    "td",
    "th",
    "hr",
    "address",
    "center",
    "details",
    "summary",
    "fieldset",
    "hgroup",
    "body",
];

/// One element kept after pruning.
struct Elem {
    tag: String,
    parent: Option<usize>,
    /// Head start from the element's own name (`<article>`, class words).
    bonus: f64,
}

/// Text of one block.
struct Block {
    /// The element whose block it is.
    owner: usize,
    text: String,
    chars: usize,
    link_chars: usize,
}

struct Blocks {
    elems: Vec<Elem>,
    blocks: Vec<Block>,
    /// The block being filled.
    buf: String,
    buf_links: usize,
    stack: Vec<usize>,
    in_link: usize,
    in_pre: usize,
}

impl Blocks {
    fn collect(html: &Html) -> Self {
        let mut b = Self {
            elems: Vec::new(),
            blocks: Vec::new(),
            buf: String::new(),
            buf_links: 0,
            stack: Vec::new(),
            in_link: 0,
            in_pre: 0,
        };
        b.walk(*html.root_element());
        b.flush();
        b
    }

    fn walk(&mut self, node: ego_node::NodeRef<'_>) {
        match node.value() {
            Node::Text(t) => {
                let before = self.buf.chars().count();
                if self.in_pre > 0 {
                    self.buf.push_str(t);
                } else {
                    self.buf.extend(t.chars().map(|c| if c.is_whitespace() { ' ' } else { c }));
                }
                if self.in_link > 0 {
                    self.buf_links += self.buf.chars().count() - before;
                }
            }
            Node::Element(e) => {
                let name = e.name();
                if name == "br" {
                    self.buf.push('\n');
                    return;
                }
                if is_pruned(e) {
                    return;
                }
                let block = BLOCK_TAGS.contains(&name) || name == "html";
                if block {
                    self.flush();
                    let words = name_words(e);
                    let mut bonus = match name {
                        "article" => 10.0,
                        "main" => 5.0,
                        "div" | "section" => 2.0,
                        "pre" | "td" | "blockquote" => 3.0,
                        "li" | "ul" | "ol" | "dl" | "dd" | "dt" | "th" | "form" => -3.0,
                        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => -5.0,
                        _ => 0.0,
                    };
                    if e.attr("itemprop") == Some("articleBody") {
                        bonus += 30.0;
                    }
                    if words.iter().any(|w| CONTENT_WORDS.contains(&w.as_str())) {
                        bonus += 25.0;
                    }
                    if words.iter().any(|w| WEAK_JUNK.contains(&w.as_str())) {
                        bonus -= 25.0;
                    }
                    self.elems.push(Elem { tag: name.to_owned(), parent: self.stack.last().copied(), bonus });
                    self.stack.push(self.elems.len() - 1);
                }
                let link = name == "a";
                let pre = name == "pre";
                self.in_link += usize::from(link);
                self.in_pre += usize::from(pre);
                for child in node.children() {
                    self.walk(child);
                }
                self.in_link -= usize::from(link);
                self.in_pre -= usize::from(pre);
                if block {
                    self.flush();
                    self.stack.pop();
                }
            }
            _ => {
                for child in node.children() {
                    self.walk(child);
                }
            }
        }
    }

    /// Ends the current block.
    fn flush(&mut self) {
        let raw = std::mem::take(&mut self.buf);
        let links = std::mem::take(&mut self.buf_links);
        let Some(&owner) = self.stack.last() else { return };
        let lines: Vec<String> = raw.split('\n').map(squash).collect();
        let mut text = String::new();
        let mut blank = false;
        for line in lines {
            if line.is_empty() {
                blank = !text.is_empty();
                continue;
            }
            if !text.is_empty() {
                text.push_str(if blank { "\n\n" } else { "\n" });
            }
            blank = false;
            text.push_str(&line);
        }
        if text.is_empty() {
            return;
        }
        let chars = text.chars().count();
        self.blocks.push(Block { owner, chars, link_chars: links.min(chars), text });
    }

    fn ancestors(&self, mut i: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::from_fn(move || {
            let p = self.elems[i].parent?;
            i = p;
            Some(p)
        })
    }

    /// The article body: the best container's blocks, in order, as paragraphs.
    fn body(&self) -> String {
        let n = self.elems.len();
        let mut score = vec![0.0f64; n];
        let mut chars = vec![0usize; n];
        let mut links = vec![0usize; n];
        let mut scored = vec![false; n];
        for block in &self.blocks {
            for e in std::iter::once(block.owner).chain(self.ancestors(block.owner)) {
                chars[e] += block.chars;
                links[e] += block.link_chars;
            }
            let tag = self.elems[block.owner].tag.as_str();
            let prose = matches!(
                tag,
                "p" | "pre" | "blockquote" | "div" | "section" | "article" | "td" | "main" | "dd"
            ) || (tag == "li" && block.chars >= 100);
            if !prose || block.chars < 25 || block.link_chars * 2 > block.chars {
                continue;
            }
            let commas = block.text.matches([',', '，', '、']).count() as f64;
            let points = 1.0 + commas + (block.chars as f64 / 100.0).min(3.0);
            let mut levels: Vec<usize> = Vec::new();
            if tag != "p" {
                levels.push(block.owner);
            }
            levels.extend(self.ancestors(block.owner).take(if tag == "p" { 3 } else { 2 }));
            for (level, e) in levels.into_iter().enumerate() {
                let divider = match level {
                    0 => 1.0,
                    1 => 2.0,
                    l => l as f64 * 3.0,
                };
                if !scored[e] {
                    scored[e] = true;
                    score[e] += self.elems[e].bonus;
                }
                score[e] += points / divider;
            }
        }
        let final_score = |e: usize| {
            let density = if chars[e] == 0 { 0.0 } else { links[e] as f64 / chars[e] as f64 };
            score[e] * (1.0 - density)
        };
        let Some(top) =
            (0..n).filter(|&e| scored[e]).max_by(|&a, &b| final_score(a).total_cmp(&final_score(b)))
        else {
            return self.fallback();
        };
        let best = final_score(top);
        let mut chosen = vec![false; n];
        chosen[top] = true;
        if let Some(parent) = self.elems[top].parent {
            let threshold = (best * 0.2).max(10.0);
            for e in 0..n {
                if e != top
                    && self.elems[e].parent == Some(parent)
                    && scored[e]
                    && final_score(e) >= threshold
                {
                    chosen[e] = true;
                }
            }
            // Loose paragraphs beside the container (an article split by an ad slot).
            for block in &self.blocks {
                if self.elems[block.owner].parent == Some(parent)
                    && self.elems[block.owner].tag == "p"
                    && block.chars >= 80
                    && block.link_chars * 4 < block.chars
                {
                    chosen[block.owner] = true;
                }
            }
        }
        let inside = |owner: usize| chosen[owner] || self.ancestors(owner).any(|a| chosen[a]);
        self.join(self.blocks.iter().filter(|b| inside(b.owner)))
    }

    /// No container scored (a fragment, or a page of short lines): every block that is
    /// not a link list.
    fn fallback(&self) -> String {
        self.join(self.blocks.iter())
    }

    fn join<'a>(&'a self, blocks: impl Iterator<Item = &'a Block>) -> String {
        let mut out = String::new();
        for block in blocks {
            let tag = self.elems[block.owner].tag.as_str();
            let link_list = block.link_chars * 2 > block.chars && block.chars < 300;
            if link_list || tag == "h1" {
                continue;
            }
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(&block.text);
        }
        out
    }
}

/// The node type scraper's tree is made of, named without depending on `ego-tree` directly.
mod ego_node {
    /// A node of a parsed page.
    pub type NodeRef<'a> = <scraper::ElementRef<'a> as std::ops::Deref>::Target;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charset_prescan() {
        assert_eq!(
            declared_charset(b"<html><head><meta charset=\"ISO-8859-1\">").as_deref(),
            Some("iso-8859-1")
        );
        assert_eq!(
            declared_charset(
                b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">"
            )
            .as_deref(),
            Some("windows-1252")
        );
        assert_eq!(declared_charset(b"<html><p>no declaration</p>"), None);
    }

    #[test]
    fn site_suffix_is_stripped_from_title() {
        assert_eq!(strip_site_suffix("Talks end in Quebec | The Daily Ledger"), "Talks end in Quebec");
        assert_eq!(strip_site_suffix("Plain title"), "Plain title");
    }
}
