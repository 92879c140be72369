//! Turning an input file into the [`Document`] plugins see: read it safely, decode it, clean
//! it, segment it.
//!
//! Architecture invariant: this is the only place that reads an article's bytes; everything
//! after works on the cleaned text, and every offset indexes that text in code points.

use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use ingest_abi::{Document, ResultError, Source, Span, Stats};
use sha2::Digest;

/// Why an input cannot be analysed at all (it goes to `failed/`).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Larger than `max_bytes`; refused without being read.
    #[error("file is {bytes} bytes, over the limit of {max} (max_bytes)")]
    TooLarge {
        /// The file's size.
        bytes: u64,
        /// The configured limit.
        max: u64,
    },
    /// Nothing to analyse.
    #[error("file has no text")]
    Empty,
    /// Binary data rather than text.
    #[error("file is binary, not text ({0})")]
    Binary(&'static str),
    /// A directory, FIFO, socket, device or symbolic link.
    #[error("not a regular file: {0}")]
    NotRegular(&'static str),
    /// The file could not be read.
    #[error("cannot read file: {0}")]
    Io(#[from] std::io::Error),
}

impl InputError {
    /// A short machine-readable kind, for `failed/<name>.error.json`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "too_large",
            Self::Empty => "empty",
            Self::Binary(_) => "binary",
            Self::NotRegular(_) => "not_regular",
            Self::Io(_) => "io",
        }
    }
}

fn file_kind(kind: std::fs::FileType) -> &'static str {
    if kind.is_dir() {
        "a directory"
    } else if kind.is_symlink() {
        "a symbolic link (never followed)"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

/// Reads a claimed file: never follows a symbolic link, never blocks on a FIFO, refuses
/// anything over `max_bytes` before reading it.
pub fn read_file(path: &Path, max_bytes: u64) -> Result<Vec<u8>, InputError> {
    let meta = std::fs::symlink_metadata(path)?;
    if !meta.file_type().is_file() {
        return Err(InputError::NotRegular(file_kind(meta.file_type())));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        return Err(InputError::NotRegular(file_kind(meta.file_type())));
    }
    if meta.len() > max_bytes {
        return Err(InputError::TooLarge { bytes: meta.len(), max: max_bytes });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // Read at most one byte past the limit: the file may have grown since the check.
    file.take(max_bytes + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(InputError::TooLarge { bytes: bytes.len() as u64, max: max_bytes });
    }
    Ok(bytes)
}

/// Decoded text and what the decoder had to say.
struct Decoded {
    text: String,
    note: Option<String>,
}

/// Decodes bytes to text: a BOM (UTF-8, UTF-16 LE/BE) wins; otherwise UTF-8, and bytes that
/// are not UTF-8 are read as Windows-1252 (the usual legacy encoding of Western news), with
/// a note in the result so the guess is visible.
fn decode(bytes: &[u8]) -> Result<Decoded, InputError> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
        let note = had_errors.then(|| format!("invalid {} bytes replaced with U+FFFD", encoding.name()));
        return Ok(Decoded { text: text.into_owned(), note });
    }
    if bytes.contains(&0) {
        return Err(InputError::Binary("contains NUL bytes"));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Decoded { text: text.to_owned(), note: None }),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            let note = Some("not valid UTF-8; decoded as windows-1252".to_owned());
            Ok(Decoded { text: text.into_owned(), note })
        }
    }
}

/// Share of control characters above which a text is called binary.
const MAX_CONTROL_SHARE: f64 = 0.01;

fn looks_binary(text: &str) -> bool {
    let (mut total, mut control) = (0usize, 0usize);
    for c in text.chars() {
        total += 1;
        if c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}') {
            control += 1;
        }
    }
    total > 0 && control as f64 / total as f64 > MAX_CONTROL_SHARE
}

/// English function words, for the language guess below.
const ENGLISH_MARKERS: [&str; 16] = [
    "the", "and", "of", "to", "in", "is", "that", "for", "on", "with", "was", "as", "by", "it", "at", "said",
];

/// A cheap guess: `en` when English function words make up a good share of the first words,
/// else `und` (undetermined). A real detector replaces this when other languages matter.
fn language(text: &str) -> &'static str {
    let mut words = 0usize;
    let mut markers = 0usize;
    for word in text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).take(300) {
        words += 1;
        if ENGLISH_MARKERS.iter().any(|m| m.eq_ignore_ascii_case(word)) {
            markers += 1;
        }
    }
    if words > 0 && markers * 100 >= words * 8 { "en" } else { "und" }
}

/// A document ready for the plugins, with its stats and any notes from decoding.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// What the plugins receive.
    pub document: Document,
    /// Counts for the result.
    pub stats: Stats,
    /// Problems met while decoding or cleaning, recorded in the result's `errors`.
    pub notes: Vec<ResultError>,
}

fn span(s: ingest_text::Span) -> Span {
    Span { start: s.start, end: s.end }
}

/// Builds the document for `bytes` read from the file called `name`.
pub fn prepare(name: &str, bytes: &[u8], received_at: String) -> Result<Prepared, InputError> {
    if bytes.is_empty() {
        return Err(InputError::Empty);
    }
    let decoded = decode(bytes)?;
    if looks_binary(&decoded.text) {
        return Err(InputError::Binary("too many control characters"));
    }
    let cleaned = ingest_text::clean(&decoded.text);
    if cleaned.text.trim().is_empty() {
        return Err(InputError::Empty);
    }
    let text = cleaned.text;
    let analysis = ingest_text::analyse(&text);
    let title = analysis.title.map(|t| text.chars().skip(t.start).take(t.end - t.start).collect());
    let mut notes = Vec::new();
    if let Some(message) = decoded.note {
        notes.push(ResultError { plugin: None, kind: "decode".to_owned(), message });
    }
    let stats = Stats {
        words: analysis.words,
        sentences: analysis.sentences.len(),
        paragraphs: analysis.paragraphs.len(),
    };
    let document = Document {
        id: format!("b3:{}", blake3::hash(bytes).to_hex()),
        source: Source {
            name: name.to_owned(),
            bytes: bytes.len() as u64,
            sha256: hex::encode(sha2::Sha256::digest(bytes)),
            received_at,
        },
        title,
        language: language(&text).to_owned(),
        paragraphs: analysis.paragraphs.into_iter().map(span).collect(),
        sentences: analysis.sentences.into_iter().map(span).collect(),
        text,
        plugins: Default::default(),
    };
    Ok(Prepared { document, stats, notes })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepare_bytes(bytes: &[u8]) -> Result<Prepared, InputError> {
        prepare("a.txt", bytes, "2026-01-01T00:00:00Z".into())
    }

    #[test]
    fn id_and_hash_identify_the_bytes() {
        let p = prepare_bytes(b"Headline\n\nThe minister said the talks went well.").unwrap();
        assert!(p.document.id.starts_with("b3:"));
        assert_eq!(p.document.source.sha256.len(), 64);
        assert_eq!(p.document.source.bytes, 48);
        assert_eq!(p.document.language, "en");
        assert!(p.stats.words >= 8);
    }

    #[test]
    fn empty_and_binary_inputs_are_refused() {
        assert!(matches!(prepare_bytes(b""), Err(InputError::Empty)));
        assert!(matches!(prepare_bytes(b" \n\n "), Err(InputError::Empty)));
        assert!(matches!(prepare_bytes(b"\x7fELF\x02\x01\x01\x00\x00"), Err(InputError::Binary(_))));
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Kyiv and the talks".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let p = prepare_bytes(&bytes).unwrap();
        assert_eq!(p.document.text, "Kyiv and the talks");
        assert!(p.notes.is_empty());
    }

    #[test]
    fn latin1_pound_sign_is_kept_and_noted() {
        let p = prepare_bytes(b"It cost \xa35m in the end.").unwrap();
        assert!(p.document.text.contains("£5m"), "{}", p.document.text);
        assert_eq!(p.notes[0].kind, "decode");
    }

    #[test]
    fn symlinks_are_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("secret");
        std::fs::write(&target, "secret text").unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(matches!(read_file(&link, 1000), Err(InputError::NotRegular(_))));
    }

    #[test]
    fn oversized_file_is_refused_without_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.txt");
        std::fs::write(&path, vec![b'a'; 2048]).unwrap();
        assert!(matches!(read_file(&path, 1024), Err(InputError::TooLarge { bytes: 2048, max: 1024 })));
    }
}
