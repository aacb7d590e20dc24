//! Bytes → text. The archive is UTF-8, but older files are Windows-1252, some start with a
//! byte-order mark and some use CRLF line ends.

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};

/// Which decoding turned the bytes into text, for the import log and for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8WithBom,
    Utf16,
    Windows1252,
}

/// Why bytes are not a review's text. Each names the 1-based line where the trouble starts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("not a text file: binary data")]
    Binary { line: usize },
    #[error("invalid UTF-8 in a file that is otherwise UTF-8")]
    InvalidUtf8 { line: usize },
    #[error("invalid UTF-16 (a lone surrogate or an odd byte)")]
    InvalidUtf16 { line: usize },
}

impl DecodeError {
    pub fn line(&self) -> usize {
        match self {
            DecodeError::Binary { line }
            | DecodeError::InvalidUtf8 { line }
            | DecodeError::InvalidUtf16 { line } => *line,
        }
    }
}

/// Decodes a review file. Valid UTF-8 (with or without a BOM) is taken as it is; a UTF-16 BOM
/// is honoured; bytes that are not UTF-8 and hold no UTF-8 character at all are read as
/// Windows-1252, which maps every byte. A file that mixes UTF-8 characters with invalid
/// sequences, or UTF-16 with a lone surrogate, is damaged and refused (guessing would store
/// mojibake). Text that holds control characters other than tab, line feed, carriage return
/// and form feed is refused as binary. Line ends are left as they are: the parser accepts LF,
/// CRLF and CR. Linear in the length of `bytes`.
pub fn decode(bytes: &[u8]) -> Result<(String, Encoding), DecodeError> {
    let utf16 = bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF");
    if !utf16 {
        // A control byte is the same character in UTF-8 and Windows-1252: refuse before
        // guessing which of them a file of random bytes is in.
        if let Some(offset) = bytes.iter().position(|&b| is_binary_char(char::from(b))) {
            let line = line_of(bytes.get(..offset).unwrap_or(b""));
            return Err(DecodeError::Binary { line });
        }
    }
    let (text, encoding) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        match std::str::from_utf8(rest) {
            Ok(text) => (text.to_owned(), Encoding::Utf8WithBom),
            Err(err) => {
                let line = line_of(rest.get(..err.valid_up_to()).unwrap_or(b""));
                return Err(DecodeError::InvalidUtf8 { line });
            }
        }
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (decode_utf16(rest, UTF_16LE)?, Encoding::Utf16)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (decode_utf16(rest, UTF_16BE)?, Encoding::Utf16)
    } else {
        match std::str::from_utf8(bytes) {
            Ok(text) => (text.to_owned(), Encoding::Utf8),
            Err(err) if holds_utf8_characters(bytes) => {
                let line = line_of(bytes.get(..err.valid_up_to()).unwrap_or(b""));
                return Err(DecodeError::InvalidUtf8 { line });
            }
            Err(_) => (
                WINDOWS_1252
                    .decode_without_bom_handling(bytes)
                    .0
                    .into_owned(),
                Encoding::Windows1252,
            ),
        }
    };
    if let Some(offset) = text.find(is_binary_char) {
        let line = line_of(text.as_bytes().get(..offset).unwrap_or(b""));
        return Err(DecodeError::Binary { line });
    }
    Ok((text, encoding))
}

/// The 1-based line that the byte after `before` is on.
fn line_of(before: &[u8]) -> usize {
    before.iter().filter(|&&b| b == b'\n').count() + 1
}

/// Whether the valid stretches of `bytes` hold a character beyond ASCII: UTF-8 text with a
/// damaged byte, not Windows-1252 (where `é` is one byte, never a valid UTF-8 sequence of
/// two or more).
fn holds_utf8_characters(bytes: &[u8]) -> bool {
    bytes.utf8_chunks().any(|chunk| !chunk.valid().is_ascii())
}

fn decode_utf16(
    bytes: &[u8],
    encoding: &'static encoding_rs::Encoding,
) -> Result<String, DecodeError> {
    match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok(text.into_owned()),
        None => {
            // Where the damage is: the line of the first replacement character.
            let (lossy, _) = encoding.decode_without_bom_handling(bytes);
            let line = lossy
                .find('\u{FFFD}')
                .map_or(1, |at| line_of(lossy.as_bytes().get(..at).unwrap_or(b"")));
            Err(DecodeError::InvalidUtf16 { line })
        }
    }
}

fn is_binary_char(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}') && (c as u32) < 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_utf8_is_kept() {
        let (text, enc) = decode("Cuarón’s “film”".as_bytes()).unwrap();
        assert_eq!(text, "Cuarón’s “film”");
        assert_eq!(enc, Encoding::Utf8);
    }

    #[test]
    fn bom_is_stripped() {
        let (text, enc) = decode(b"\xEF\xBB\xBF(director: X; 1999)").unwrap();
        assert_eq!(text, "(director: X; 1999)");
        assert_eq!(enc, Encoding::Utf8WithBom);
    }

    #[test]
    fn windows_1252_is_the_fallback() {
        // "Cuarón" and curly quotes as Windows-1252 bytes.
        let (text, enc) = decode(b"Cuar\xf3n \x93quote\x94 \x96 B").unwrap();
        assert_eq!(text, "Cuarón “quote” – B");
        assert_eq!(enc, Encoding::Windows1252);
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Amélie".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(
            decode(&bytes).unwrap(),
            ("Amélie".to_owned(), Encoding::Utf16)
        );
    }

    #[test]
    fn binary_is_refused_with_its_line() {
        assert_eq!(
            decode(b"line one\nline two\n\x00\x01\x02"),
            Err(DecodeError::Binary { line: 3 })
        );
        assert_eq!(
            decode(b"\x89PNG\r\n\x1a\n"),
            Err(DecodeError::Binary { line: 2 })
        );
    }

    #[test]
    fn damaged_utf8_is_refused_with_its_line() {
        assert_eq!(
            decode("Amélie\nline two \u{2013} ok\n".as_bytes()).map(|t| t.1),
            Ok(Encoding::Utf8)
        );
        let mut bytes = "Amélie\nline two\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"bad \xff\xfe byte\n");
        assert_eq!(decode(&bytes), Err(DecodeError::InvalidUtf8 { line: 3 }));
        assert_eq!(
            decode(b"\xEF\xBB\xBFok\n\xc3"),
            Err(DecodeError::InvalidUtf8 { line: 2 })
        );
    }

    #[test]
    fn a_lone_utf16_surrogate_is_refused_with_its_line() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "one\ntwo ".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        bytes.extend_from_slice(&0xD800u16.to_le_bytes());
        bytes.extend_from_slice(&u16::from(b'x').to_le_bytes());
        assert_eq!(decode(&bytes), Err(DecodeError::InvalidUtf16 { line: 2 }));
        // An odd number of bytes: half a code unit.
        assert_eq!(
            decode(b"\xFE\xFF\x00a\x00"),
            Err(DecodeError::InvalidUtf16 { line: 1 })
        );
    }

    #[test]
    fn crlf_and_form_feed_are_text() {
        assert!(decode(b"a\r\nb\x0c\r\n").is_ok());
    }
}
