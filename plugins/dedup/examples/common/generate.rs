//! The development benchmark: a stream of articles built from the BBC corpus in which some
//! articles are copies of earlier ones, made the way news copies arise, with labels.
//!
//! - **Originals** are distinct corpus articles in a seeded random order.
//! - **Copies** of an original (or of an earlier copy) are made by one main transformation,
//!   often with light extra noise: syndication headers and footers, a trimmed version, an
//!   updated version (new paragraph, changed figures), light rewording (synonyms, dropped
//!   words, a dropped or swapped sentence), an excerpt (a run of paragraphs), the whole
//!   article pasted into a longer unrelated one, the body pasted twice, and typographic noise
//!   (curly/straight quotes and dashes, whitespace, line wrapping, case).
//! - The corpus's own **byte-identical pairs** (98) are copies too.
//! - Everything else is a **distractor**; some distractors get the same syndication
//!   boilerplate and noise as copies (hard negatives), so shared boilerplate is not a copy.
//! - Corpus articles that already share a lot of wording with an earlier one without being
//!   byte-identical (reposted or updated stories: unlabelled) are left out, so no label is
//!   guessed.
//!
//! Every choice comes from one seeded [`Rng`]: a seed and parameters give the same set.

use std::collections::HashMap;

use super::corpus::{self, Article};
use super::rng::Rng;

/// What can be varied when building a set (for robustness checks).
#[derive(Debug, Clone)]
pub struct Params {
    /// Seed of every random choice.
    pub seed: u64,
    /// Use at most this many corpus articles (all when `None`).
    pub limit: Option<usize>,
    /// Share of originals that get copies.
    pub copied: f64,
    /// At most this many copies per original.
    pub max_copies: usize,
    /// Share of distractors given syndication boilerplate or noise.
    pub hard_negatives: f64,
    /// Probability that a rewordable word is replaced in a reworded copy.
    pub reword: f64,
    /// Shortest trimmed copy, as a share of the body's paragraphs.
    pub trim_min: f64,
    /// Shortest excerpt, as a share of the body's words.
    pub excerpt_min: f64,
    /// Leave out corpus articles sharing at least this max(Jaccard, containment) of word
    /// 5-shingles with an earlier one (byte-identical pairs excepted).
    pub natural_cutoff: f64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            seed: 1,
            limit: None,
            copied: 0.3,
            max_copies: 3,
            hard_negatives: 0.15,
            reword: 0.6,
            trim_min: 0.5,
            excerpt_min: 0.3,
            natural_cutoff: 0.2,
        }
    }
}

/// One article of the benchmark stream.
#[derive(Debug, Clone)]
pub struct Item {
    /// Unique file name.
    pub name: String,
    /// The text as it would arrive.
    pub text: String,
    /// The earlier item this is a copy of (`None` for originals and distractors).
    pub copy_of: Option<usize>,
    /// The copy cluster: the stream index of the cluster's original.
    pub cluster: usize,
    /// How it was made (`original`, `distractor`, `corpus-identical`, or the copy's
    /// transformations joined by `+`).
    pub kind: String,
}

/// Counts describing a generated set.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    /// Corpus articles read.
    pub corpus: usize,
    /// Left out as unlabelled natural near-duplicates.
    pub natural_left_out: usize,
    /// Byte-identical corpus pairs used.
    pub identical_pairs: usize,
}

/// A headline and body paragraphs, the shape of a BBC file.
#[derive(Debug, Clone)]
struct Art {
    title: String,
    paras: Vec<String>,
    /// How paragraphs are joined when rendered.
    sep: &'static str,
}

impl Art {
    fn parse(text: &str) -> Self {
        let sep = if text.trim().contains("\n\n") { "\n\n" } else { "\n" };
        let mut blocks = text.split(sep).map(str::trim).filter(|b| !b.is_empty()).map(str::to_owned);
        let title = blocks.next().unwrap_or_default();
        Self { title, paras: blocks.collect(), sep: "\n\n" }
    }

    fn render(&self) -> String {
        let mut out = self.title.clone();
        for p in &self.paras {
            out.push_str(self.sep);
            out.push_str(p);
        }
        out.push('\n');
        out
    }

    fn words(&self) -> usize {
        self.paras.iter().map(|p| p.split_whitespace().count()).sum()
    }
}

const AGENCIES: &[&str] = &["Reuters", "AP", "AFP", "Press Association", "Bloomberg", "UPI", "dpa"];
const CITIES: &[&str] = &["LONDON", "NEW YORK", "BRUSSELS", "PARIS", "WASHINGTON", "TOKYO", "BERLIN"];
const DAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS: &[&str] = &["January", "March", "April", "June", "September", "November"];

fn header(rng: &mut Rng) -> String {
    let agency = *rng.pick(AGENCIES);
    let city = *rng.pick(CITIES);
    let (day, month, date) = (*rng.pick(DAYS), *rng.pick(MONTHS), rng.range(1, 29));
    match rng.range(0, 6) {
        0 => format!("By {agency} staff | Published {day} {date} {month} 2005"),
        1 => format!(
            "{city} ({agency}) - Filed {date} {month} 2005, {:02}:{:02} GMT",
            rng.range(0, 24),
            rng.range(0, 60)
        ),
        2 => format!("From our correspondents in {} | {agency} wire service", city.to_lowercase()),
        3 => "Advertisement | Skip to main content | Subscribe now for unlimited access".to_owned(),
        4 => format!("This story is provided by {agency} and has not been edited by our staff."),
        _ => format!("Breaking news | {day} {date} {month} 2005 | Updated {} minutes ago", rng.range(2, 59)),
    }
}

fn footer(rng: &mut Rng) -> String {
    let agency = *rng.pick(AGENCIES);
    match rng.range(0, 6) {
        0 => format!(
            "Copyright 2005 {agency}. All rights reserved. This material may not be published, \
             broadcast, rewritten or redistributed."
        ),
        1 => "Share this article: Facebook | Twitter | Email | Print".to_owned(),
        2 => "Sign up for our daily newsletter to get the top stories delivered to your inbox \
              every morning. You can unsubscribe at any time."
            .to_owned(),
        3 => format!("Reporting by {agency} correspondents; editing by the news desk."),
        4 => {
            "Related stories: more news from this section, and the most read articles of the day.".to_owned()
        }
        _ => format!("(c) {agency} 2005. Distributed under licence. Follow us for more updates."),
    }
}

/// Promotional blocks pasted into articles by aggregators (40-60 words each).
const PROMOS: &[&str] = &[
    "Get the best of our journalism delivered to you. Sign up for the morning briefing, a free \
     newsletter with the stories you need to know about, the analysis that explains them and the \
     opinions that will get you thinking, sent to your inbox before breakfast every weekday.",
    "Advertisement. Our reporting is funded by readers like you. For less than the price of a cup \
     of coffee a week you can support independent journalism and get unlimited access to every \
     article, our apps and the digital edition. Subscribe today and cancel at any time.",
    "Read more: the latest headlines from around the world, live coverage of the stories that \
     matter, in-depth features and opinion from our correspondents. Download our free app to get \
     breaking news alerts on your phone and listen to our daily podcast wherever you are.",
];

fn syndicate(a: &mut Art, rng: &mut Rng) {
    let (head, foot) = match rng.range(0, 3) {
        0 => (true, false),
        1 => (false, true),
        _ => (true, true),
    };
    if head {
        let h = header(rng);
        if rng.chance(0.5) {
            a.paras.insert(0, h);
        } else {
            a.title = format!("{h}\n\n{}", a.title);
        }
    }
    if rng.chance(0.35) && a.paras.len() > 2 {
        // A newsletter promo in the middle (seed 000 has one): long shared boilerplate.
        let at = rng.range(1, a.paras.len());
        a.paras.insert(at, rng.pick(PROMOS).to_string());
    }
    if foot {
        for _ in 0..rng.range(1, 3) {
            let f = footer(rng);
            a.paras.push(f);
        }
    }
}

fn trim(a: &mut Art, rng: &mut Rng, min: f64) {
    let n = a.paras.len();
    if n < 3 {
        return;
    }
    let share = min + (0.9 - min).max(0.0) * rng.f64();
    let keep = ((n as f64 * share).ceil() as usize).clamp(2, n - 1);
    a.paras.truncate(keep);
}

/// A figure changed the way an update changes it.
fn change_number(word: &str, rng: &mut Rng) -> String {
    let digits: String = word.chars().filter(char::is_ascii_digit).collect();
    match digits.parse::<u64>() {
        Ok(n) if !digits.is_empty() => {
            let changed = (n + rng.range(1, 9) as u64).to_string();
            word.replacen(&digits, &changed, 1)
        }
        _ => word.to_owned(),
    }
}

fn update(a: &mut Art, rng: &mut Rng) {
    let day = *rng.pick(DAYS);
    let who = *rng.pick(&["a spokesman", "officials", "the company", "analysts", "police", "a spokeswoman"]);
    let sentences = [
        format!("Update: on {day} {who} confirmed the details and said further information would follow."),
        format!("In a statement released late on {day}, {who} declined to comment further on the matter."),
        format!("This article was updated on {day} with the latest figures and reaction from {who}."),
        format!(
            "Later on {day}, {who} said the situation was being monitored closely and more news was expected."
        ),
    ];
    for _ in 0..rng.range(1, 3) {
        let at = rng.range(a.paras.len().min(1), a.paras.len() + 1);
        a.paras.insert(at, rng.pick(&sentences).clone());
    }
    // Changed figures in a few places.
    for p in &mut a.paras {
        if p.chars().any(|c| c.is_ascii_digit()) && rng.chance(0.5) {
            *p = p
                .split(' ')
                .map(|w| {
                    if w.chars().any(|c| c.is_ascii_digit()) && rng.chance(0.5) {
                        change_number(w, rng)
                    } else {
                        w.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ");
        }
    }
}

/// Words a sub-editor swaps when lightly rewording (both directions are used).
const SYNONYMS: &[(&str, &str)] = &[
    ("said", "stated"),
    ("says", "states"),
    ("told", "informed"),
    ("also", "additionally"),
    ("but", "however"),
    ("company", "firm"),
    ("firms", "companies"),
    ("government", "administration"),
    ("people", "individuals"),
    ("big", "large"),
    ("major", "significant"),
    ("rise", "increase"),
    ("fell", "dropped"),
    ("rose", "climbed"),
    ("expected", "anticipated"),
    ("announced", "revealed"),
    ("about", "around"),
    ("after", "following"),
    ("before", "prior to"),
    ("because", "since"),
    ("help", "assist"),
    ("show", "demonstrate"),
    ("buy", "purchase"),
    ("start", "begin"),
    ("end", "finish"),
    ("make", "create"),
    ("use", "employ"),
    ("think", "believe"),
    ("important", "key"),
    ("need", "require"),
    ("plan", "proposal"),
    ("plans", "proposals"),
    ("chief", "head"),
    ("boss", "chief executive"),
    ("world", "global"),
    ("country", "nation"),
    ("cut", "reduce"),
    ("got", "received"),
    ("game", "match"),
    ("win", "victory"),
    ("film", "movie"),
    ("music", "songs"),
    ("mobile", "cell"),
    ("phone", "handset"),
    ("minister", "secretary"),
    ("party", "group"),
    ("added", "continued"),
    ("while", "whereas"),
    ("many", "numerous"),
    ("recent", "latest"),
    ("likely", "probable"),
    ("around", "roughly"),
    ("however", "though"),
    ("now", "currently"),
    ("last", "previous"),
    ("more than", "over"),
];

fn reword_word(word: &str, rng: &mut Rng, rate: f64) -> String {
    let core: String = word.chars().filter(|c| c.is_alphabetic()).collect();
    let lower = core.to_lowercase();
    let found = SYNONYMS.iter().find_map(|&(a, b)| {
        if a == lower {
            Some(b)
        } else if b == lower {
            Some(a)
        } else {
            None
        }
    });
    match found {
        Some(other) if !core.is_empty() && rng.chance(rate) => {
            let mut replaced = other.to_owned();
            if core.chars().next().is_some_and(char::is_uppercase) {
                let mut c = replaced.chars();
                replaced =
                    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default();
            }
            word.replacen(&core, &replaced, 1)
        }
        _ => word.to_owned(),
    }
}

fn sentences(p: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for w in p.split(' ') {
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(w);
        if w.ends_with('.') && w.len() > 3 {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn reword(a: &mut Art, rng: &mut Rng, rate: f64) {
    let drop_sentence = rng.chance(0.3);
    for p in &mut a.paras {
        let mut ss = sentences(p);
        if ss.len() > 1 && rng.chance(0.15) {
            let i = rng.range(0, ss.len() - 1);
            ss.swap(i, i + 1);
        }
        let joined = ss.join(" ");
        let mut words: Vec<String> = Vec::new();
        for w in joined.split(' ') {
            if w.len() <= 3 && w.chars().all(char::is_alphabetic) && rng.chance(0.02) {
                continue;
            }
            words.push(reword_word(w, rng, rate));
        }
        *p = words.join(" ");
    }
    if drop_sentence && a.paras.len() > 3 {
        let i = rng.range(1, a.paras.len());
        let mut ss = sentences(&a.paras[i]);
        if ss.len() > 1 {
            ss.remove(rng.range(0, ss.len()));
            a.paras[i] = ss.join(" ");
        } else {
            a.paras.remove(i);
        }
    }
}

fn excerpt(a: &mut Art, rng: &mut Rng, min: f64) {
    let total = a.words();
    let n = a.paras.len();
    if n < 3 || total < 120 {
        return trim(a, rng, 0.5);
    }
    let share = min + (0.7 - min).max(0.0) * rng.f64();
    let want = ((total as f64 * share) as usize).max(40);
    let start = rng.range(0, n / 2 + 1);
    let mut end = start;
    let mut got = 0;
    while end < n && got < want {
        got += a.paras[end].split_whitespace().count();
        end += 1;
    }
    a.paras = a.paras[start..end].to_vec();
    if rng.chance(0.5) {
        a.title = a.paras.remove(0);
        if a.paras.is_empty() {
            a.paras.push(a.title.clone());
        }
    }
}

fn embed(a: &mut Art, host: &Art, rng: &mut Rng) {
    let mut copied = a.paras.clone();
    if copied.len() > 3 && rng.chance(0.4) {
        copied.pop(); // the last paragraph left off
    }
    let mut paras = host.paras.clone();
    let at = rng.range(1, paras.len().max(1) + 1).min(paras.len());
    if rng.chance(0.5) {
        copied.insert(0, a.title.clone());
    }
    paras.splice(at..at, copied);
    a.title = host.title.clone();
    a.paras = paras;
}

fn double(a: &mut Art, rng: &mut Rng) {
    let body = a.paras.clone();
    if rng.chance(0.3) {
        a.paras.push(a.title.clone());
    }
    a.paras.extend(body);
}

fn map_chars(s: &str, f: impl Fn(char, bool) -> String) -> String {
    let mut open = true;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '"' {
            out.push_str(&f(c, open));
            open = !open;
        } else {
            out.push_str(&f(c, open));
        }
    }
    out
}

fn wrap(p: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for w in p.split(' ') {
        if line > 0 && line + w.len() > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(w);
        line += w.len();
    }
    out
}

fn typo(a: &mut Art, rng: &mut Rng) {
    let all = |a: &mut Art, f: &dyn Fn(&str) -> String| {
        a.title = f(&a.title);
        for p in &mut a.paras {
            *p = f(p);
        }
    };
    for _ in 0..rng.range(1, 4) {
        match rng.range(0, 8) {
            0 => all(a, &|s| {
                map_chars(s, |c, open| match c {
                    '"' if open => "\u{201C}".into(),
                    '"' => "\u{201D}".into(),
                    '\'' => "\u{2019}".into(),
                    c => c.to_string(),
                })
            }),
            1 => all(a, &|s| {
                map_chars(s, |c, _| match c {
                    '\u{201C}' | '\u{201D}' => "\"".into(),
                    '\u{2018}' | '\u{2019}' => "'".into(),
                    c => c.to_string(),
                })
            }),
            2 => all(a, &|s| s.replace(" - ", " \u{2013} ").replace("--", "\u{2014}")),
            3 => all(a, &|s| s.replace(". ", ".  ").replace(", ", " , ")),
            4 => {
                let width = rng.range(60, 80);
                all(a, &|s| wrap(s, width));
            }
            5 => a.title = a.title.to_uppercase(),
            6 => {
                if rng.chance(0.5) {
                    all(a, &|s| s.to_lowercase());
                } else {
                    a.sep = "\n";
                }
            }
            _ => all(a, &|s| format!("  {}\t", s.replace(' ', "\u{00A0}"))),
        }
    }
}

const KINDS: &[(&str, f64)] = &[
    ("syndicated", 0.16),
    ("trimmed", 0.12),
    ("updated", 0.12),
    ("reworded", 0.16),
    ("excerpt", 0.12),
    ("embedded", 0.1),
    ("doubled", 0.07),
    ("typo", 0.15),
];

/// Builds the benchmark stream from corpus `articles`.
pub fn generate(articles: &[Article], params: &Params) -> (Vec<Item>, Summary) {
    let mut rng = Rng::new(params.seed);
    let mut summary = Summary { corpus: articles.len(), ..Summary::default() };
    // The corpus's own pairs: byte-identical ones become labelled copies; others sharing much
    // wording are left out (kept: the earlier one).
    let mut identical_of: HashMap<usize, usize> = HashMap::new();
    let mut left_out = vec![false; articles.len()];
    for pair in corpus::shared_pairs(articles, 5) {
        if articles[pair.first].text == articles[pair.second].text {
            identical_of.entry(pair.second).or_insert(pair.first);
        } else if pair.jaccard.max(pair.containment) >= params.natural_cutoff {
            left_out[pair.second] = true;
        }
    }
    for (&second, &first) in &identical_of {
        if left_out[first] {
            left_out[second] = true;
        }
    }
    summary.natural_left_out = left_out.iter().filter(|&&x| x).count();
    let mut pool: Vec<usize> =
        (0..articles.len()).filter(|i| !left_out[*i] && !identical_of.contains_key(i)).collect();
    rng.shuffle(&mut pool);
    if let Some(limit) = params.limit {
        pool.truncate(limit);
    }
    let mut seconds: HashMap<usize, Vec<usize>> = HashMap::new();
    for (&second, &first) in &identical_of {
        if !left_out[second] {
            seconds.entry(first).or_default().push(second);
        }
    }
    for list in seconds.values_mut() {
        list.sort_unstable();
    }

    // (time, name, text, parent event, kind); parents are event indices.
    struct Event {
        time: f64,
        name: String,
        text: String,
        parent: Option<usize>,
        root: usize,
        kind: String,
    }
    let mut events: Vec<Event> = Vec::new();
    let n_copied = (pool.len() as f64 * params.copied).round() as usize;
    // Hosts for embedded copies come from the end of the pool and appear nowhere else.
    let mut hosts: Vec<usize> = Vec::new();
    let mut cursor_end = pool.len();
    let mut i = 0;
    while i < pool.len().min(cursor_end) {
        let src = pool[i];
        let art = &articles[src];
        let time = rng.f64();
        let root = events.len();
        let copied = i < n_copied;
        events.push(Event {
            time,
            name: format!("{}.txt", art.name),
            text: art.text.clone(),
            parent: None,
            root,
            kind: if copied { "original" } else { "distractor" }.to_owned(),
        });
        if !copied && rng.chance(params.hard_negatives) {
            let mut a = Art::parse(&art.text);
            if rng.chance(0.6) {
                syndicate(&mut a, &mut rng);
            } else {
                typo(&mut a, &mut rng);
            }
            events[root].text = a.render();
            events[root].kind = "distractor-noisy".to_owned();
        }
        for &second in seconds.get(&src).into_iter().flatten() {
            let t = time + (1.0 - time) * rng.f64();
            let name = format!("{}.txt", articles[second].name);
            events.push(Event {
                time: t,
                name,
                text: articles[second].text.clone(),
                parent: Some(root),
                root,
                kind: "corpus-identical".into(),
            });
            summary.identical_pairs += 1;
        }
        if copied {
            let n = 1 + (0..params.max_copies.saturating_sub(1)).filter(|_| rng.chance(0.4)).count();
            for c in 0..n {
                let family: Vec<usize> = (root..events.len()).filter(|&e| events[e].root == root).collect();
                let parent =
                    if family.len() > 1 && rng.chance(0.25) { *rng.pick(&family[1..]) } else { root };
                let mut a = Art::parse(&events[parent].text);
                let weights: Vec<f64> = KINDS.iter().map(|k| k.1).collect();
                let mut kind = KINDS[rng.weighted(&weights)].0.to_owned();
                match kind.as_str() {
                    "syndicated" => syndicate(&mut a, &mut rng),
                    "trimmed" => trim(&mut a, &mut rng, params.trim_min),
                    "updated" => update(&mut a, &mut rng),
                    "reworded" => reword(&mut a, &mut rng, params.reword),
                    "excerpt" => excerpt(&mut a, &mut rng, params.excerpt_min),
                    "embedded" => match (cursor_end > n_copied + i + 2).then(|| {
                        cursor_end -= 1;
                        hosts.push(pool[cursor_end]);
                        pool[cursor_end]
                    }) {
                        Some(h) => embed(&mut a, &Art::parse(&articles[h].text), &mut rng),
                        None => {
                            kind = "syndicated".into();
                            syndicate(&mut a, &mut rng);
                        }
                    },
                    "doubled" => double(&mut a, &mut rng),
                    _ => typo(&mut a, &mut rng),
                }
                if kind != "typo" && rng.chance(0.3) {
                    typo(&mut a, &mut rng);
                    kind.push_str("+typo");
                }
                if kind != "syndicated" && rng.chance(0.2) {
                    syndicate(&mut a, &mut rng);
                    kind.push_str("+syndicated");
                }
                let t = events[parent].time + (1.0 - events[parent].time) * rng.f64();
                let name = format!("{}.c{}.txt", articles[src].name, c + 1);
                events.push(Event { time: t, name, text: a.render(), parent: Some(parent), root, kind });
            }
        }
        i += 1;
    }
    // Stream order: by time (a copy is always later than its parent).
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by(|&a, &b| events[a].time.total_cmp(&events[b].time).then(a.cmp(&b)));
    let mut position = vec![0; events.len()];
    for (pos, &e) in order.iter().enumerate() {
        position[e] = pos;
    }
    let items = order
        .iter()
        .map(|&e| {
            let ev = &events[e];
            Item {
                name: ev.name.clone(),
                text: ev.text.clone(),
                copy_of: ev.parent.map(|p| position[p]),
                cluster: position[ev.root],
                kind: ev.kind.clone(),
            }
        })
        .collect::<Vec<_>>();
    debug_assert!(items.iter().enumerate().all(|(i, it)| it.copy_of.is_none_or(|p| p < i)));
    (items, summary)
}

/// Writes the set as JSON Lines (`name`, `text`, `copy_of` (a name or null), `cluster` (the
/// original's name), `kind`): what the datasketch script reads.
pub fn write_jsonl(items: &[Item], path: &std::path::Path) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for item in items {
        let line = serde_json::json!({
            "name": item.name,
            "text": item.text,
            "copy_of": item.copy_of.map(|p| items[p].name.clone()),
            "cluster": items[item.cluster].name,
            "kind": item.kind,
        });
        writeln!(out, "{line}")?;
    }
    out.flush()
}
