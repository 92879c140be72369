//! Fits the news mode's document calibration (and, for experiments, a supplementary
//! lexicon) on the development ground truth.
//!
//! ```sh
//! cargo run --release -p sentiment --example sentiment_fit -- ../shared/data/vader_groundtruth \
//!     --out plugins/sentiment/data/news_calibration.json
//! # experiment (not shipped): a learned lexicon, optionally leaving one domain out
//! cargo run --release -p sentiment --example sentiment_fit -- ../shared/data/vader_groundtruth \
//!     --lexicon --out /tmp/learned.tsv [--exclude tweets] [--lambda 8]
//! ```
//!
//! Reads `tweets`, `movieReviewSnippets` and `amazonReviewSnippets` `_GroundTruth.txt` from
//! the folder and uses only their **training halves** (`sentiment::eval::is_train`; the
//! other halves are for reporting). Never the NYT editorial file (held out) nor Financial
//! PhraseBank (non-commercial, evaluation only).
//!
//! **Calibration** (default): a grid search over [`Calibration`]'s three numbers (positive
//! weight, alpha, sentence exponent) on the training halves for the setting whose *worst*
//! margin over VADER itself (the faithful compound of each whole text) is largest: the
//! margin of each domain's Pearson r and of its 3-class macro-F1, six in all, at zero
//! tolerance ("no worse than VADER on any domain" is the target, so the fit maximises the
//! smallest lead); ties go to the higher mean of r + F1. Deterministic; writes JSON and
//! prints each domain's margins. (Until 2026-11-23 it maximised the mean of r + F1 among
//! the settings within 0.001 of VADER on every domain; that tolerance let the shipped
//! calibration sit a few thousandths below VADER on three rows. Before that the floor
//! was VADER's combination of the news mode's own sentences, with a tolerance of 0.002.)
//!
//! **Lexicon** (`--lexicon`): for each text, the news mode's valence sum S and a target
//! sum T = the sum whose VADER normalisation equals the human mean / 4 (clipped to ±0.9).
//! Candidate words are plain alphabetic tokens (3+ letters) that VADER does not know at
//! all (not in the lexicon, not a booster or negation, not a stop word). Their valences are
//! a ridge regression of the residual T - S on which candidates a text contains (solved by
//! coordinate descent, `--lambda` the ridge penalty), then kept only when the word is in at
//! least two domains' training halves (3+ texts each) and its per-domain mean residual has
//! the same sign in each. Output: `word<TAB>valence<TAB>texts`. `--exclude NAME` leaves a
//! domain out, to measure how the lexicon carries to a domain it never saw (it does not:
//! see `docs/BENCHMARKS.md`, which is why the news mode ships none).

use std::collections::{BTreeMap, HashMap};

use sentiment::eval::{Item, figures, is_train, parse};
use sentiment::lexicon::Lexicon;
use sentiment::news::{Calibration, NewsModel};
use sentiment::score::{Polarity, polarity};
use sentiment::words::{prepare, words};

const DOMAINS: [&str; 3] = ["tweets", "movieReviewSnippets", "amazonReviewSnippets"];

/// Function words that carry no sentiment but appear everywhere (a fitted valence on them
/// would only absorb each domain's average tone).
const STOP: &[&str] = &[
    "the", "and", "for", "that", "this", "with", "you", "was", "are", "but", "have", "has", "had", "not",
    "his", "her", "its", "they", "them", "their", "there", "then", "than", "from", "what", "when", "where",
    "which", "who", "whom", "why", "how", "all", "any", "can", "could", "would", "should", "will", "just",
    "one", "our", "out", "also", "about", "into", "over", "some", "such", "only", "other", "more", "most",
    "very", "been", "being", "were", "she", "him", "your", "yours", "these", "those", "each", "both", "does",
    "did", "doing", "done", "get", "got", "may", "might", "must", "shall", "own", "same", "too", "off",
    "once", "here", "while", "after", "before", "because", "until", "again", "further", "under", "above",
    "below", "between", "through", "during", "against", "upon", "even", "still", "yet", "ever", "much",
    "many", "every", "film", "movie", "movies", "films", "product", "camera", "phone", "player",
];

struct Text {
    domain: usize,
    residual: f64,
    words: Vec<u32>,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut folder, mut out, mut exclude, mut lambda) = (None, None, None, 8.0_f64);
    let mut lexicon_mode = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--lexicon" => lexicon_mode = true,
            "--out" => out = args.next(),
            "--exclude" => exclude = args.next(),
            "--lambda" => lambda = args.next().and_then(|v| v.parse().ok()).expect("--lambda NUMBER"),
            _ => folder = Some(arg),
        }
    }
    let folder =
        folder.expect("usage: sentiment_fit FOLDER --out FILE [--lexicon [--exclude DOMAIN] [--lambda L]]");
    let out = out.expect("--out FILE");
    let base = NewsModel::with_calibration(Calibration::VADER).expect("model");
    let train = |domain: &str| -> Vec<Item> {
        let path = format!("{folder}/{domain}_GroundTruth.txt");
        parse(&std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
            .into_iter()
            .filter(|it| is_train(&it.id))
            .collect()
    };
    if !lexicon_mode {
        calibrate(&base, &DOMAINS.map(train), &out);
        return;
    }
    let lexicon = base.lexicon();
    let alpha = 15.0;

    let mut vocab: HashMap<String, u32> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut texts: Vec<Text> = Vec::new();
    for (d, domain) in DOMAINS.iter().enumerate() {
        if exclude.as_deref().is_some_and(|x| domain.starts_with(x)) {
            continue;
        }
        for item in &train(domain) {
            let sum: f64 = base.split(&item.text).iter().map(|p| p.sum).sum();
            let y = (item.mean / 4.0).clamp(-0.9, 0.9);
            let target = y * (alpha / (1.0 - y * y)).sqrt();
            let prepared = prepare(&item.text, lexicon, true);
            let mut ids: Vec<u32> = words(&prepared)
                .into_iter()
                .map(str::to_lowercase)
                .filter(|w| w.len() >= 3 && w.bytes().all(|b| b.is_ascii_alphabetic()))
                .filter(|w| lexicon.word(w).is_none() && !STOP.contains(&w.as_str()))
                .map(|w| {
                    let next = names.len() as u32;
                    *vocab.entry(w.clone()).or_insert_with(|| {
                        names.push(w);
                        next
                    })
                })
                .collect();
            ids.sort_unstable();
            ids.dedup();
            texts.push(Text { domain: d, residual: target - sum, words: ids });
        }
    }

    // Per word: texts per domain and per-domain sum of residuals.
    let mut count = vec![[0usize; 3]; names.len()];
    let mut resid = vec![[0.0f64; 3]; names.len()];
    for t in &texts {
        for &w in &t.words {
            count[w as usize][t.domain] += 1;
            resid[w as usize][t.domain] += t.residual;
        }
    }
    let keep: Vec<bool> = (0..names.len())
        .map(|w| {
            let present: Vec<usize> = (0..3).filter(|&d| count[w][d] >= 3).collect();
            let signs: Vec<f64> = present.iter().map(|&d| resid[w][d].signum()).collect();
            present.len() >= 2 && signs.iter().all(|&s| s == signs[0])
        })
        .collect();

    // Ridge regression of the residuals on the kept words, by coordinate descent.
    let mut postings: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
    for (i, t) in texts.iter().enumerate() {
        for &w in &t.words {
            if keep[w as usize] {
                postings[w as usize].push(i);
            }
        }
    }
    let mut value = vec![0.0f64; names.len()];
    let mut r: Vec<f64> = texts.iter().map(|t| t.residual).collect();
    for _ in 0..30 {
        for w in (0..names.len()).filter(|&w| keep[w]) {
            let old = value[w];
            let n = postings[w].len() as f64;
            let s: f64 = postings[w].iter().map(|&i| r[i] + old).sum();
            let new = s / (n + lambda);
            if new != old {
                for &i in &postings[w] {
                    r[i] -= new - old;
                }
                value[w] = new;
            }
        }
    }
    let mut lines: BTreeMap<&str, (f64, usize)> = BTreeMap::new();
    for w in (0..names.len()).filter(|&w| keep[w] && value[w].abs() >= 0.05) {
        lines.insert(&names[w], (value[w], postings[w].len()));
    }
    let mut text = String::from(
        "# news-mode supplementary lexicon, learned by examples/sentiment_fit.rs from the training halves of the\n# VADER tweet, movie and Amazon ground truth: word<TAB>valence<TAB>training texts\n",
    );
    for (w, (v, n)) in &lines {
        text.push_str(&format!("{w}\t{v:.3}\t{n}\n"));
    }
    std::fs::write(&out, text).unwrap_or_else(|e| panic!("{out}: {e}"));
    eprintln!(
        "texts={} candidates={} kept={} written={} lambda={lambda} -> {out}",
        texts.len(),
        names.len(),
        keep.iter().filter(|&&k| k).count(),
        lines.len()
    );
}

/// The document sum is not divided by a power of the sentence count: the development texts
/// have one to three sentences, so they cannot say how a 40-sentence article should be
/// scaled, and a fitted exponent would change every long article's score on their evidence
/// (VADER itself sums a whole text). With the exponent in the grid (0, 0.1, 0.25, 0.5) the
/// fit picks 0.1, which is no worse than VADER on the training halves but 0.00016 below it
/// on the Amazon test half's macro-F1 (measured 2026-11-23, see `docs/BENCHMARKS.md`).
const SENTENCE_EXPONENT: f64 = 0.0;

/// The grid search for [`Calibration`]; writes the best as JSON to `out`.
fn calibrate(base: &NewsModel, domains: &[Vec<Item>; 3], out: &str) {
    let scored: Vec<(Vec<Vec<Polarity>>, Vec<f64>)> = domains
        .iter()
        .map(|items| {
            (items.iter().map(|it| base.split(&it.text)).collect(), items.iter().map(|it| it.mean).collect())
        })
        .collect();
    let per_domain = |c: &Calibration| -> Vec<(f64, f64)> {
        scored
            .iter()
            .map(|(sentences, gold)| {
                let pred: Vec<f64> = sentences.iter().map(|s| c.combine(s)).collect();
                let fig = figures(&pred, gold);
                (fig.pearson, fig.macro_f1)
            })
            .collect()
    };
    // The floor is VADER itself: the faithful compound of each whole text, as the Python
    // package gives it.
    let vader = Lexicon::vader().expect("lexicon");
    let floor: Vec<(f64, f64)> = domains
        .iter()
        .map(|items| {
            let pred: Vec<f64> = items.iter().map(|it| polarity(&it.text, &vader).compound).collect();
            let fig = figures(&pred, &items.iter().map(|it| it.mean).collect::<Vec<_>>());
            (fig.pearson, fig.macro_f1)
        })
        .collect();
    // (smallest margin over VADER, mean r, mean F1) and each domain's margins.
    let objective = |c: &Calibration| -> ((f64, f64, f64), Vec<(f64, f64)>) {
        let d = per_domain(c);
        let (r, f1) = (d.iter().map(|x| x.0).sum::<f64>() / 3.0, d.iter().map(|x| x.1).sum::<f64>() / 3.0);
        let margins: Vec<(f64, f64)> = d.iter().zip(&floor).map(|(x, v)| (x.0 - v.0, x.1 - v.1)).collect();
        let worst = margins.iter().map(|m| m.0.min(m.1)).fold(f64::INFINITY, f64::min);
        ((worst, r, f1), margins)
    };
    let better = |a: (f64, f64, f64), b: (f64, f64, f64)| {
        a.0 > b.0 + 1e-12 || (a.0 >= b.0 - 1e-12 && a.1 + a.2 > b.1 + b.2 + 1e-12)
    };
    let combination = objective(&Calibration::VADER);
    let mut best = (Calibration::VADER, combination.clone());
    // Positive weight 0.8..1.1 by 0.0125, alpha 9..20 by 0.5; the sentence exponent stays 0
    // (see SENTENCE_EXPONENT).
    for pw in (64..=88).map(|i| f64::from(i) / 80.0) {
        for alpha in (0..=22).map(|i| 9.0 + 0.5 * f64::from(i)) {
            let c = Calibration { positive_weight: pw, alpha, sentence_exponent: SENTENCE_EXPONENT };
            let o = objective(&c);
            if better(o.0, best.1.0) {
                best = (c, o);
            }
        }
    }
    let json = serde_json::to_string_pretty(&best.0).expect("json") + "\n";
    std::fs::write(out, json).unwrap_or_else(|e| panic!("{out}: {e}"));
    let mean = |f: &dyn Fn(&(f64, f64)) -> f64| floor.iter().map(f).sum::<f64>() / 3.0;
    let ((worst, r, f1), margins) = &best.1;
    eprintln!(
        "train halves: VADER r={:.4} F1={:.4}; VADER's combination of the sentences r={:.4} F1={:.4} (worst margin {:+.6}); best {:?} r={:.4} F1={:.4}, worst margin over VADER {worst:+.6} -> {out}",
        mean(&|x| x.0),
        mean(&|x| x.1),
        combination.0.1,
        combination.0.2,
        combination.0.0,
        best.0,
        r,
        f1,
    );
    for (domain, (dr, df)) in DOMAINS.iter().zip(margins) {
        eprintln!("  {domain}: r {dr:+.6} F1 {df:+.6} against VADER");
    }
}
