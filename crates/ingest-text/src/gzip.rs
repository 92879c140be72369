//! [`gunzip`]: gzip-compressed input, decompressed with a limit against bombs.

use std::io::Read;

/// The two magic bytes every gzip member starts with.
const MAGIC: [u8; 2] = [0x1F, 0x8B];

/// True when `bytes` start like a gzip stream (checked by content, not by file name).
#[must_use]
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC)
}

/// Why a gzip stream could not be decompressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GzipError {
    /// The decompressed data would exceed `limit` bytes (a decompression bomb, or simply
    /// too large); decompression stopped there.
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The stream is corrupt or truncated.
    Corrupt(String),
}

impl std::fmt::Display for GzipError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooLarge { limit } => write!(f, "gzip content decompresses to more than {limit} bytes"),
            Self::Corrupt(e) => write!(f, "corrupt gzip stream: {e}"),
        }
    }
}

impl std::error::Error for GzipError {}

/// Decompresses a gzip stream (all members, as `gzip -d` does) held in memory, refusing
/// to produce more than `limit` bytes. Memory use is bounded by `limit`, whatever the
/// compression ratio.
pub fn gunzip(bytes: &[u8], limit: u64) -> Result<Vec<u8>, GzipError> {
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4).min(limit as usize));
    flate2::read::MultiGzDecoder::new(bytes)
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| GzipError::Corrupt(e.to_string()))?;
    if out.len() as u64 > limit {
        return Err(GzipError::TooLarge { limit });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn round_trip_and_magic() {
        let packed = gz(b"Kyiv accepted the ceasefire.");
        assert!(is_gzip(&packed));
        assert!(!is_gzip(b"plain"));
        assert_eq!(gunzip(&packed, 1000).unwrap(), b"Kyiv accepted the ceasefire.");
    }

    #[test]
    fn a_bomb_stops_at_the_limit() {
        let packed = gz(&vec![b'a'; 10_000_000]);
        assert!(packed.len() < 20_000);
        assert_eq!(gunzip(&packed, 1_000_000), Err(GzipError::TooLarge { limit: 1_000_000 }));
    }

    #[test]
    fn truncated_stream_is_corrupt() {
        let packed = gz(b"some text that will be cut short");
        assert!(matches!(gunzip(&packed[..packed.len() / 2], 1000), Err(GzipError::Corrupt(_))));
    }
}
