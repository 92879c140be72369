// Generated stress texts for the sentence split and the scorer: every case the split's and
// the tokenizer's rules look at (terminators, closers, starters, abbreviations, initials,
// ASCII and non-ASCII white space and line breaks, control bytes, curly quotes, emoji,
// "but", ALL CAPS, long tokens), mixed at random but deterministically.
//
// Shared (by `include!`/`#[path]`) by the tests of `src/split.rs` and `src/news.rs` and by
// `examples/sentiment_bench.rs` (`--stress N`), so the split is checked, and the scores
// dumped, on the same texts.

/// Pieces the generator joins (some several times, to weight them).
const PIECES: &[&str] = &[
    "Mr",
    "Dr",
    "Sen",
    "Inc",
    "vs",
    "etc",
    "Jan",
    "No",
    "Nos",
    "U.S",
    "e.g",
    "J",
    "I",
    "AT&T",
    "Jay-Z",
    "a",
    "A",
    "Z",
    "word",
    "Word",
    "WORD",
    "good",
    "GOOD",
    "bad",
    "not",
    "never",
    "so",
    "but",
    "But",
    "BUT",
    "very",
    "kind",
    "of",
    "least",
    "at",
    "without",
    "doubt",
    "excellent",
    "horrible",
    "isn't",
    "couldn't",
    "kiss",
    "death",
    ":)",
    ":-(",
    "10",
    "3.5",
    ".",
    ".",
    ".",
    "!",
    "?",
    "...",
    "?!",
    "!!",
    "??",
    "\"",
    "'",
    ")",
    "(",
    "[",
    "]",
    "}",
    "{",
    " ",
    " ",
    " ",
    " ",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "\u{b}",
    "\u{c}",
    "\u{1c}",
    "\u{1f}",
    "\u{0}",
    "\u{7f}",
    ",",
    "-",
    "&",
    "#",
    "@",
    "\u{a0}",
    "\u{2003}",
    "\u{3000}",
    "\u{85}",
    "\u{2028}",
    "\u{2029}",
    "“",
    "”",
    "‘",
    "’",
    "—",
    "…",
    "é",
    "É",
    "😀",
    "💔",
    "Mélanie",
    "ÉTÉ",
    "don’t",
    "“excellent”",
];

/// An ASCII-only subset of [`PIECES`] (most news text is ASCII: the split's fast path).
const ASCII: &[&str] = &[
    "Mr",
    "Dr",
    "Inc",
    "Jan",
    "No",
    "U.S",
    "e.g",
    "J",
    "I",
    "AT&T",
    "a",
    "A",
    "word",
    "Word",
    "WORD",
    "good",
    "GOOD",
    "bad",
    "not",
    "never",
    "so",
    "but",
    "But",
    "very",
    "kind",
    "of",
    "excellent",
    "horrible",
    "isn't",
    ":)",
    "10",
    "3.5",
    ".",
    ".",
    ".",
    ".",
    "!",
    "?",
    "...",
    "?!",
    "\"",
    "'",
    ")",
    "(",
    " ",
    " ",
    " ",
    " ",
    " ",
    " ",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    "\u{b}",
    "\u{c}",
    "\u{1c}",
    ",",
];

/// A xorshift generator: the same texts on every run and platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed | 1)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// `count` generated texts: pieces joined at random (ASCII-only every other text), with a
/// long token now and then.
pub fn texts(count: usize) -> Vec<String> {
    let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15);
    (0..count)
        .map(|n| {
            let pieces = if n % 2 == 0 { ASCII } else { PIECES };
            let len = 1 + rng.below(if n % 7 == 0 { 400 } else { 60 });
            let mut text = String::new();
            for _ in 0..len {
                if rng.below(97) == 0 {
                    text.push_str(&"x".repeat(50 + rng.below(40)));
                } else {
                    text.push_str(pieces[rng.below(pieces.len())]);
                }
            }
            text
        })
        .collect()
}

/// The `.txt` files under `dir` (recursively, sorted): multi-paragraph articles such as
/// `../shared/data/bbc_news/bbc`. Missing folders give nothing.
pub fn text_files(dir: &std::path::Path) -> Vec<String> {
    let mut paths = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "txt") {
                paths.push(p);
            }
        }
    }
    paths.sort();
    paths
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect()
}
