//! What must hold of the parser's answer for any input, whatever the bytes.
//!
//! Shared by the fuzz targets (`fuzz/fuzz_targets/*.rs`, which include this file by its path)
//! and by the corpus replay in `cargo test` (`fuzz_regressions`, in tests/it), so that both
//! check exactly the same things.
//! Keep every check here true of the parser as it is (`src/review/`): a failure means the
//! parser broke a promise, not that the fuzzer was too strict.

use marquee::review::decode::decode;
use marquee::review::{Grade, Layout, ParseError, Review, Role};

/// `Review::parse_bytes(bytes)`'s answer, checked. Panics (with what broke) on a violation.
pub fn check_bytes(bytes: &[u8], result: &Result<Review, ParseError>) {
    match result {
        Ok(review) => {
            check_review(review);
            // `raw_text` is the decoded file, as it was.
            let decoded = decode(bytes).map(|(text, _)| text);
            assert_eq!(
                decoded.as_deref(),
                Ok(review.raw_text.as_str()),
                "raw_text is not the decoded input"
            );
        }
        Err(err) => check_error(err, max_lines_of_bytes(bytes)),
    }
}

/// `Review::parse(text)`'s answer, checked.
pub fn check_text(text: &str, result: &Result<Review, ParseError>) {
    match result {
        Ok(review) => {
            check_review(review);
            assert_eq!(review.raw_text, text, "raw_text is not the input text");
        }
        Err(err) => check_error(err, max_lines_of_bytes(text.as_bytes())),
    }
}

/// An upper bound on the file's line count: every LF and CR byte may end a line (in UTF-8 and
/// Windows-1252 they are exactly the line ends; in UTF-16 these bytes occur at least as often).
fn max_lines_of_bytes(bytes: &[u8]) -> usize {
    1 + bytes.iter().filter(|&&b| b == b'\n' || b == b'\r').count()
}

/// An error names a line inside the file (1-based), and says something.
fn check_error(err: &ParseError, max_lines: usize) {
    if let Some(line) = err.line {
        assert!(
            (1..=max_lines).contains(&line),
            "error on line {line} of a file of at most {max_lines} lines: {err}"
        );
    }
    assert!(!err.message.trim().is_empty(), "error without a message");
}

/// True for text that is non-empty, on one line, trimmed and with single spaces: what the
/// parser's `collapse_spaces` makes of every name and one-line field.
fn is_collapsed(text: &str) -> bool {
    !text.is_empty() && text.split_whitespace().collect::<Vec<_>>().join(" ") == text
}

fn is_one_line(text: &str) -> bool {
    !text.contains(['\n', '\r'])
}

/// The invariants of any parsed review.
pub fn check_review(review: &Review) {
    let title = &review.title;
    assert!(
        title.chars().any(|c| !c.is_whitespace()),
        "empty title: {title:?}"
    );
    assert!(is_one_line(title), "title spans lines: {title:?}");
    for alt in &review.alt_titles {
        assert!(
            alt.chars().any(|c| !c.is_whitespace()),
            "empty alt title: {alt:?}"
        );
        assert!(is_one_line(alt), "alt title spans lines: {alt:?}");
    }

    for (what, field) in [
        ("pull_quote", &review.pull_quote),
        ("tagline", &review.tagline),
        ("critic", &review.critic),
        ("mpaa_rating", &review.credits.mpaa_rating),
        ("studio", &review.credits.studio),
        ("release_note", &review.credits.release_note),
    ] {
        if let Some(text) = field {
            assert!(is_collapsed(text), "{what} is not collapsed: {text:?}");
        }
    }

    for role in Role::ALL {
        for name in review.credits.names(role) {
            assert!(
                is_collapsed(name),
                "{} name is not collapsed: {name:?}",
                role.as_str()
            );
        }
    }
    if let Some(year) = review.credits.year {
        assert!((1870..=2100).contains(&year), "year out of range: {year}");
    }
    if let Some(minutes) = review.credits.runtime_minutes {
        assert!(minutes > 0, "runtime of 0 minutes");
    }

    // The body: paragraphs joined by one blank line, each collapsed onto one line.
    if !review.body.is_empty() {
        for paragraph in review.body.split("\n\n") {
            assert!(
                is_collapsed(paragraph),
                "body paragraph is not collapsed: {paragraph:?}"
            );
        }
    }

    match review.layout {
        Layout::Short => {
            assert_eq!(review.pull_quote, None, "a capsule with a pull quote");
            assert_eq!(review.tagline, None, "a capsule with a tagline");
            assert_eq!(review.critic, None, "a capsule with a `Reviewed by`");
        }
        Layout::Modern => {
            assert!(
                review.alt_titles.is_empty(),
                "a modern review with alt titles"
            );
        }
    }

    assert_eq!(
        Grade::parse(review.grade.as_str()),
        Ok(review.grade),
        "the grade does not round-trip"
    );
    assert!(!review.raw_text.is_empty(), "empty raw_text");
}
