//! [`decode`]: bytes in an unknown encoding to text, saying which encoding was used.
//!
//! The order of evidence: a byte-order mark (UTF-8, UTF-16 LE/BE) wins; then an encoding the
//! document declares itself (an HTML `<meta charset>`, passed in by the caller); then valid
//! UTF-8; then a guess by `chardetng` (Firefox's detector) among the legacy encodings, e.g.
//! Windows-1252, ISO-8859-2, KOI8-R, Shift_JIS (Windows-1252 when chardetng says its guess is
//! weak or there are at most three non-ASCII bytes, as with one `£` in an English sentence). Invalid bytes become U+FFFD and are
//! reported; they never abort a document.

use encoding_rs::Encoding;

/// Text decoded from bytes, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The decoded text (BOM removed).
    pub text: String,
    /// The WHATWG name of the encoding used, lower case (`utf-8`, `utf-16le`, `windows-1252`…).
    pub encoding: String,
    /// How the encoding was chosen.
    pub evidence: Evidence,
    /// Some bytes were invalid in that encoding and became U+FFFD.
    pub lossy: bool,
}

/// How [`decode`] chose the encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// A byte-order mark.
    Bom,
    /// The document's own declaration (e.g. `<meta charset>`).
    Declared,
    /// The bytes are valid UTF-8.
    Utf8,
    /// Not UTF-8 and undeclared: guessed from the byte statistics.
    Guessed,
}

impl Decoded {
    /// A human-readable note when the decoding deserves one (a guess, or replaced bytes).
    #[must_use]
    pub fn note(&self) -> Option<String> {
        match (self.evidence, self.lossy) {
            (_, true) => Some(format!("invalid {} bytes replaced with U+FFFD", self.encoding)),
            (Evidence::Guessed, false) => {
                Some(format!("not valid UTF-8 and no declared encoding; decoded as {}", self.encoding))
            }
            _ => None,
        }
    }
}

/// The byte-order mark at the start of `bytes`, if any: the encoding and the BOM's length.
#[must_use]
pub fn bom(bytes: &[u8]) -> Option<(&'static Encoding, usize)> {
    Encoding::for_bom(bytes)
}

/// Decodes `bytes`. `declared` is an encoding label the document states about itself
/// (`"iso-8859-1"`, `"utf-8"`…); an unknown label is ignored. See the module docs for the
/// order of evidence.
#[must_use]
pub fn decode(bytes: &[u8], declared: Option<&str>) -> Decoded {
    if let Some((encoding, len)) = bom(bytes) {
        return run(encoding, &bytes[len..], Evidence::Bom);
    }
    if let Some(encoding) = declared.and_then(|l| Encoding::for_label(l.trim().as_bytes())) {
        // A page declaring a legacy encoding but sent as UTF-8 is common: trust valid UTF-8.
        // UTF-16 declared without a BOM in an ASCII-compatible prescan is a lie (WHATWG).
        if (encoding != encoding_rs::UTF_8
            && std::str::from_utf8(bytes).is_err()
            && encoding.is_ascii_compatible())
            || encoding == encoding_rs::UTF_8
        {
            return run(encoding, bytes, Evidence::Declared);
        }
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded {
            text: text.to_owned(),
            encoding: "utf-8".to_owned(),
            evidence: Evidence::Utf8,
            lossy: false,
        };
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    // Too little evidence (a handful of non-ASCII bytes) makes any guess a coin toss: then
    // the usual legacy encoding of Western news, Windows-1252, is the better bet.
    let non_ascii = bytes.iter().filter(|b| !b.is_ascii()).count();
    let encoding = match detector.guess_assess(None, false) {
        (encoding, true) if non_ascii > MIN_NON_ASCII_TO_GUESS => encoding,
        _ => encoding_rs::WINDOWS_1252,
    };
    run(encoding, bytes, Evidence::Guessed)
}

/// Below this many non-ASCII bytes, an undeclared legacy text is read as Windows-1252.
const MIN_NON_ASCII_TO_GUESS: usize = 3;

fn run(encoding: &'static Encoding, bytes: &[u8], evidence: Evidence) -> Decoded {
    let (text, lossy) = encoding.decode_without_bom_handling(bytes);
    Decoded { text: text.into_owned(), encoding: encoding.name().to_ascii_lowercase(), evidence, lossy }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut bytes = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
        }
        bytes
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let d = decode("Mélanie Joly".as_bytes(), None);
        assert_eq!(
            (d.text.as_str(), d.encoding.as_str(), d.evidence),
            ("Mélanie Joly", "utf-8", Evidence::Utf8)
        );
        let d = decode(b"\xEF\xBB\xBFKyiv", None);
        assert_eq!((d.text.as_str(), d.evidence), ("Kyiv", Evidence::Bom));
        assert_eq!(d.note(), None);
    }

    #[test]
    fn utf16_both_byte_orders_with_bom() {
        for big in [false, true] {
            let d = decode(&utf16("Zelenskyy said “yes” – €5", big), None);
            assert_eq!(d.text, "Zelenskyy said “yes” – €5");
            assert_eq!(d.encoding, if big { "utf-16be" } else { "utf-16le" });
            assert!(!d.lossy);
        }
    }

    #[test]
    fn undeclared_windows_1252_is_guessed() {
        let bytes =
            b"The minister\x92s \x93excellent\x94 talks cost \xa35m \x96 a caf\xe9 r\xe9sum\xe9 na\xefve.";
        let d = decode(bytes, None);
        assert_eq!(d.encoding, "windows-1252");
        assert_eq!(d.evidence, Evidence::Guessed);
        assert_eq!(d.text, "The minister’s “excellent” talks cost £5m – a café résumé naïve.");
        assert!(d.note().unwrap().contains("windows-1252"));
    }

    #[test]
    fn undeclared_iso_8859_2_is_guessed() {
        // Polish: "Zażółć gęślą jaźń. Świętokrzyskie województwo ogłosiło, że rząd..."
        let text = "Wczoraj w Krakowie minister spraw zagranicznych ogłosił, że rozmowy pokojowe \
                    będą kontynuowane. Źródła w rządzie twierdzą, że porozumienie jest bliskie, \
                    a władze Ukrainy przyjęły propozycję zawieszenia broni z ostrożnym optymizmem.";
        let (bytes, _, _) = encoding_rs::ISO_8859_2.encode(text);
        let d = decode(&bytes, None);
        assert_eq!(d.text, text, "guessed {}", d.encoding);
        assert_eq!(d.evidence, Evidence::Guessed);
    }

    #[test]
    fn little_evidence_falls_back_to_windows_1252() {
        let d = decode(b"It cost \xa35m in the end.", None);
        assert_eq!((d.text.as_str(), d.encoding.as_str()), ("It cost £5m in the end.", "windows-1252"));
    }

    #[test]
    fn declared_encoding_is_used_when_the_bytes_are_not_utf8() {
        let d = decode(b"caf\xe9", Some("iso-8859-1"));
        assert_eq!((d.text.as_str(), d.evidence), ("café", Evidence::Declared));
        // Declared legacy, but the bytes are valid UTF-8: UTF-8 wins.
        let d = decode("café".as_bytes(), Some("iso-8859-1"));
        assert_eq!((d.text.as_str(), d.evidence), ("café", Evidence::Utf8));
        // Unknown labels are ignored.
        assert_eq!(decode(b"abc", Some("klingon")).evidence, Evidence::Utf8);
    }

    #[test]
    fn invalid_bytes_are_replaced_and_reported() {
        let d = decode(b"\xEF\xBB\xBFok \xFF\xFE end", None);
        assert!(d.lossy);
        assert!(d.text.contains('\u{FFFD}'));
        assert!(d.note().unwrap().contains("U+FFFD"));
    }
}
