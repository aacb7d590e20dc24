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

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("not a text file: binary data on line {line}")]
    Binary { line: usize },
}

/// Decodes a review file. Valid UTF-8 (with or without a BOM) is taken as it is; a UTF-16 BOM
/// is honoured; anything else is read as Windows-1252, which maps every byte. Text that holds
/// control characters other than tab, line feed, carriage return and form feed is refused as
/// binary. Line ends are left as they are: the parser accepts LF, CRLF and CR.
pub fn decode(bytes: &[u8]) -> Result<(String, Encoding), DecodeError> {
    let (text, encoding) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        (
            String::from_utf8_lossy(rest).into_owned(),
            Encoding::Utf8WithBom,
        )
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (
            UTF_16LE.decode_without_bom_handling(rest).0.into_owned(),
            Encoding::Utf16,
        )
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (
            UTF_16BE.decode_without_bom_handling(rest).0.into_owned(),
            Encoding::Utf16,
        )
    } else {
        match std::str::from_utf8(bytes) {
            Ok(text) => (text.to_owned(), Encoding::Utf8),
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
        let line = text
            .get(..offset)
            .map_or(1, |t| t.matches('\n').count() + 1);
        return Err(DecodeError::Binary { line });
    }
    Ok((text, encoding))
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
    fn crlf_and_form_feed_are_text() {
        assert!(decode(b"a\r\nb\x0c\r\n").is_ok());
    }
}
