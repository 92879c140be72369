//! Turning an input file into the [`Document`]s plugins see: read it safely, then hand the
//! bytes to [`ingest_text::read_articles`] (gzip, decoding, format, extraction, cleaning)
//! and segment each article.
//!
//! Architecture invariant: this is the only place that reads an article's bytes; everything
//! after works on the cleaned text, and every offset indexes that text in code points.

use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use ingest_abi::{ArticleMeta, Document, Removed, ResultError, Source, Span, Stats};
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
    /// A gzip input that is corrupt or decompresses past the limit.
    #[error("{0} (max_bytes also limits decompressed size)")]
    Gzip(ingest_text::GzipError),
    /// The file could not be read.
    #[error("cannot read file: {0}")]
    Io(#[from] std::io::Error),
}

impl From<ingest_text::ReadError> for InputError {
    fn from(e: ingest_text::ReadError) -> Self {
        match e {
            ingest_text::ReadError::Empty => Self::Empty,
            ingest_text::ReadError::Binary(why) => Self::Binary(why),
            ingest_text::ReadError::Gzip(e) => Self::Gzip(e),
        }
    }
}

impl InputError {
    /// A short machine-readable kind, for `failed/<name>.error.json`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "too_large",
            Self::Empty => "empty",
            Self::Binary(_) => "binary",
            Self::NotRegular(_) => "not_regular",
            Self::Gzip(ingest_text::GzipError::TooLarge { .. }) => "too_large",
            Self::Gzip(ingest_text::GzipError::Corrupt(_)) => "corrupt",
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

/// A document ready for the plugins, with its stats, metadata and any notes from reading.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// What the plugins receive.
    pub document: Document,
    /// Counts for the result.
    pub stats: Stats,
    /// How the article was read and its metadata, for the result.
    pub meta: ArticleMeta,
    /// Problems met while decoding or reading the format, recorded in the result's `errors`.
    pub notes: Vec<ResultError>,
}

fn span(s: ingest_text::Span) -> Span {
    Span { start: s.start, end: s.end }
}

/// The id of an article: `b3:` + BLAKE3 of the file's bytes; for the article at position
/// `record` of a multi-article file (JSON Lines, JSON array), BLAKE3 of the bytes followed
/// by `#<record>`, so each gets its own id and a redelivery gets the same ones.
fn article_id(bytes: &[u8], record: Option<usize>) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(bytes);
    if let Some(n) = record {
        hasher.update(format!("#{n}").as_bytes());
    }
    format!("b3:{}", hasher.finalize().to_hex())
}

/// Builds the documents for `bytes` read from the file called `name`: one per article
/// (one for most files; one per line for JSON Lines). Decoding, format detection and
/// extraction are [`ingest_text::read_articles`]; a gzip input may decompress to at most
/// `max_decompressed` bytes.
pub fn prepare(
    name: &str,
    bytes: &[u8],
    received_at: String,
    max_decompressed: u64,
) -> Result<Vec<Prepared>, InputError> {
    if bytes.is_empty() {
        return Err(InputError::Empty);
    }
    let limits = ingest_text::Limits { max_decompressed };
    let extracted = ingest_text::read_articles(name, bytes, limits)?;
    let notes: Vec<ResultError> = extracted
        .notes
        .iter()
        .map(|n| ResultError { plugin: None, kind: n.kind.to_owned(), message: n.message.clone() })
        .collect();
    let source = Source {
        name: name.to_owned(),
        bytes: bytes.len() as u64,
        sha256: hex::encode(sha2::Sha256::digest(bytes)),
        received_at,
    };
    let prepared = extracted
        .articles
        .into_iter()
        .map(|article| {
            let text = article.text;
            let analysis = ingest_text::analyse(&text);
            let title = article.title.or_else(|| analysis.title.map(|t| t.slice(&text).to_owned()));
            let stats = Stats {
                words: analysis.words,
                sentences: analysis.sentences.len(),
                paragraphs: analysis.paragraphs.len(),
            };
            let meta = ArticleMeta {
                byline: article.byline,
                published: article.published,
                url: article.url,
                site: article.site,
                language_confidence: article.language.confidence,
                format: extracted.format.name().to_owned(),
                encoding: extracted.encoding.clone(),
                compression: extracted.compression.map(str::to_owned),
                record: article.record.map(|n| n as u64),
                removed: article
                    .removed
                    .into_iter()
                    .map(|r| Removed { reason: r.reason.to_owned(), text: r.text })
                    .collect(),
            };
            let document = Document {
                id: article_id(bytes, article.record),
                source: source.clone(),
                title,
                language: article.language.code.to_owned(),
                paragraphs: analysis.paragraphs.into_iter().map(span).collect(),
                sentences: analysis.sentences.into_iter().map(span).collect(),
                text,
                plugins: Default::default(),
            };
            Prepared { document, stats, meta, notes: notes.clone() }
        })
        .collect();
    Ok(prepared)
}

/// Runs one prepared article through the plugins and adds what reading found out.
pub fn analyse(pipeline: &crate::host::Pipeline, prepared: Prepared) -> crate::host::Analysed {
    let mut result = pipeline.analyse(prepared.document, prepared.stats, prepared.notes);
    result.meta = prepared.meta;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepare_bytes(bytes: &[u8]) -> Result<Prepared, InputError> {
        prepare("a.txt", bytes, "2026-01-01T00:00:00Z".into(), 1 << 20).map(|mut all| all.remove(0))
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
        assert_eq!(p.meta.encoding, "windows-1252");
    }

    #[test]
    fn json_lines_give_one_document_per_line_with_its_own_id() {
        let bytes = b"{\"title\": \"One\", \"text\": \"First story.\"}\n{\"title\": \"Two\", \"text\": \"Second story.\"}\n";
        let all = prepare("feed.jsonl", bytes, "2026-01-01T00:00:00Z".into(), 1 << 20).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].document.title.as_deref(), Some("One"));
        assert_eq!(all[1].meta.record, Some(2));
        assert_eq!(all[1].meta.format, "jsonl");
        assert_ne!(all[0].document.id, all[1].document.id);
        assert_eq!(all[0].document.id, article_id(bytes, Some(1)), "ids are stable");
        assert_eq!(all[0].document.source, all[1].document.source);
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
