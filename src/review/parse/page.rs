//! A text → the reviews it holds. A file of the modern layout holds one review; a letter page
//! of the critic's old site holds dozens of capsules, under a heading (`Dennis Schwartz'` /
//! `Short Reviews` / `'G'  24`) and sometimes above links back to the index. Each capsule is a
//! header paragraph (`TITLE (credits; YEAR) Reviewed on M/D/YYYY.`, perhaps hard-wrapped) and
//! its review paragraph ending in `GRADE: X`; capsules are parsed one by one, so a broken one
//! fails alone.
//!
//! What is not a capsule is skipped: the heading above the first review, navigation and notes
//! between or after them. A paragraph that ends in a grade but follows no header is a capsule
//! whose header is broken, and fails, naming its line.

use super::{
    check_file_size, grade_marker, logical_line, nesting, over, parse_modern, parse_short,
    short_header_start, Line, ParseError,
};
use crate::review::{Limits, Review};

/// One review of a text, or why a part of it is not one, with the line it starts on (as
/// the text's line numbers name it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub line: usize,
    pub review: Result<Review, ParseError>,
}

/// How many lines of a paragraph are read to decide whether it opens a review: a header
/// wrapped onto more lines than this is not one the critic writes.
const HEAD_LINES: usize = 12;

/// What a paragraph opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opens {
    /// The modern layout's `(credits …` header.
    Modern,
    /// A capsule's `TITLE (credits …` header.
    Capsule,
}

/// See [`Review::parse_page_with`].
pub(super) fn parse_page(
    text: &str,
    numbers: Option<&[usize]>,
    limits: &Limits,
) -> Result<Vec<Part>, ParseError> {
    check_file_size(text.len() as u64, limits)?;
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<Line> = normalised
        .split('\n')
        .enumerate()
        .map(|(i, text)| Line {
            no: numbers.and_then(|n| n.get(i).copied()).unwrap_or(i + 1),
            text,
        })
        .collect();
    for line in &lines {
        if let Some(chars) = over(line.text, limits.max_line_chars) {
            return Err(ParseError::at(
                line.no,
                format!(
                    "the line is {chars} characters long; the longest allowed is {} \
                     (import.max_line_chars)",
                    limits.max_line_chars
                ),
            ));
        }
    }
    let first = lines
        .iter()
        .position(|l| !l.is_blank())
        .ok_or_else(|| ParseError::at(1, "empty file: expected a review"))?;
    let Some((start, opens)) = first_review(&lines, first) else {
        return Err(ParseError::at(
            lines.get(first).map_or(1, |l| l.no),
            "expected a credits header: `(director: …; YEAR)` at the start of the file, \
             or a capsule's `TITLE (director: …; YEAR)`",
        ));
    };
    let first_no = lines.get(start).map_or(1, |l| l.no);
    let (head, _) = logical_line(&lines, start);
    let depth = nesting(&head);
    if depth > limits.max_nesting {
        return Err(ParseError::at(
            first_no,
            format!(
                "the credits header nests parentheses {depth} deep; at most {} are allowed \
                 (import.max_nesting)",
                limits.max_nesting
            ),
        ));
    }
    let from = lines.get(start..).unwrap_or(&[]);
    let mut reviews = match opens {
        Opens::Modern => vec![Part {
            line: first_no,
            review: parse_modern(from, 0, limits),
        }],
        Opens::Capsule => capsules(from, limits),
    };
    if let [Part {
        review: Ok(only), ..
    }] = reviews.as_mut_slice()
    {
        if numbers.is_none() {
            // A file of one review is that review, as it always was.
            text.clone_into(&mut only.raw_text);
        } else if only.raw_text.is_empty() {
            // A web page's review ends at its footer: what follows is the site's (share
            // buttons, related posts).
            let end = from
                .iter()
                .rposition(|l| grade_marker(l.text).is_some())
                .map_or(from.len(), |i| i + 1);
            only.raw_text = text_of(from.get(..end).unwrap_or(from));
        }
    }
    Ok(reviews)
}

/// The paragraphs of `lines`, as index ranges, split also where a capsule follows a grade
/// with no blank line between them.
fn paragraph_ranges(lines: &[Line]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, line) in lines.iter().enumerate() {
        if line.is_blank() {
            if let Some(s) = start.take() {
                out.push(s..i);
            }
            continue;
        }
        let after_grade = i > 0
            && start.is_some()
            && lines
                .get(i - 1)
                .is_some_and(|prev| grade_marker(prev.text).is_some());
        if after_grade && opens_alone(line.text) == Some(Opens::Capsule) {
            if let Some(s) = start.take() {
                out.push(s..i);
            }
        }
        start.get_or_insert(i);
    }
    if let Some(s) = start {
        out.push(s..lines.len());
    }
    out
}

/// A paragraph's first lines joined, enough to see a wrapped header whole.
fn head_of(lines: &[Line]) -> String {
    lines
        .iter()
        .take(HEAD_LINES)
        .map(|l| l.text.trim())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where the text's first review starts: its first paragraph if that opens one as the
/// layouts have it (a header at the start, or a capsule's title and header, in any case),
/// else the first later paragraph that opens one for certain (a modern header, or a capsule
/// title in capitals): what comes before it is a heading or navigation.
fn first_review(lines: &[Line], first: usize) -> Option<(usize, Opens)> {
    let rest = lines.get(first..).unwrap_or(&[]);
    let ranges = paragraph_ranges(rest);
    let mut ranges = ranges.into_iter();
    let opening = ranges.next()?;
    let paragraph = rest.get(opening).unwrap_or(&[]);
    // A heading may run straight into the first capsule, without a blank line.
    for (i, line) in paragraph.iter().enumerate().skip(1) {
        if !line.is_indented() && opens_alone(line.text) == Some(Opens::Capsule) {
            return Some((first + i, Opens::Capsule));
        }
    }
    let head = head_of(paragraph);
    match short_header_start(&head) {
        Some(0) => return Some((first, Opens::Modern)),
        Some(_) => return Some((first, Opens::Capsule)),
        None if head.starts_with('(') => return Some((first, Opens::Modern)),
        None => {}
    }
    ranges.find_map(|range| {
        let head = head_of(rest.get(range.clone()).unwrap_or(&[]));
        opens_for_certain(&head).map(|opens| (first + range.start, opens))
    })
}

/// Whether a line alone opens a review for certain.
fn opens_alone(text: &str) -> Option<Opens> {
    opens_for_certain(text.trim())
}

/// Whether `head` (a paragraph's start) opens a review beyond doubt: a modern header, or a
/// capsule's title in capitals before its header. Prose that happens to hold a `(director:`
/// does not: its words are not in capitals.
fn opens_for_certain(head: &str) -> Option<Opens> {
    let open = short_header_start(head)?;
    if open == 0 {
        return Some(Opens::Modern);
    }
    let title = head.get(..open).unwrap_or("");
    if title.starts_with('(') {
        // An original title wrapped onto the header's line: not a title of its own.
        return None;
    }
    let upper = title.chars().filter(|c| c.is_uppercase()).count();
    let lower = title.chars().filter(|c| c.is_lowercase()).count();
    // `8 1/2` and `1900` have no letters at all.
    let named = title.chars().any(char::is_alphanumeric);
    (named && lower * 4 <= upper).then_some(Opens::Capsule)
}

/// The capsules of `lines` (which start with the first one's header), each parsed alone.
fn capsules(lines: &[Line], limits: &Limits) -> Vec<Part> {
    let ranges = paragraph_ranges(lines);
    let mut out = Vec::new();
    // The capsule being read: where it starts, and where its first paragraph after the
    // header ends (a capsule that never reaches its grade is taken to end there, so that
    // what follows it, links or notes, is not blamed).
    let mut open: Option<usize> = None;
    let mut review_end: Option<usize> = None;
    // A paragraph that opened nothing, just before this one: a header the parser could not
    // read, if a grade follows.
    let mut stray: Option<usize> = None;
    let paragraph = |range: &std::ops::Range<usize>| lines.get(range.clone()).unwrap_or(&[]);
    for (k, range) in ranges.iter().enumerate() {
        let para = paragraph(range);
        let head = head_of(para);
        let starts = if k == 0 {
            // The first paragraph opens a capsule by the caller's judgement.
            true
        } else {
            opens_for_certain(&head) == Some(Opens::Capsule)
        };
        let graded = para.iter().any(|l| grade_marker(l.text).is_some());
        if starts {
            if let Some(from) = open.take() {
                // The capsule before ended without its grade.
                let end = review_end.take().unwrap_or(range.start);
                out.push(capsule(lines.get(from..end).unwrap_or(&[]), 0, limits));
            }
            stray = None;
            if graded {
                out.push(capsule(paragraph(range), 0, limits));
            } else {
                open = Some(range.start);
            }
        } else if let Some(from) = open {
            review_end.get_or_insert(range.end);
            if graded {
                open = None;
                review_end = None;
                out.push(capsule(
                    lines.get(from..range.end).unwrap_or(&[]),
                    0,
                    limits,
                ));
            }
        } else if graded {
            // A review with no header this parser can read: the paragraph before it, if
            // there is one right there, is the broken header.
            let from = stray.take().unwrap_or(range.start);
            out.push(capsule(
                lines.get(from..range.end).unwrap_or(&[]),
                0,
                limits,
            ));
        } else {
            stray = Some(range.start);
        }
    }
    if let Some(from) = open {
        let end = review_end.unwrap_or(lines.len());
        out.push(capsule(lines.get(from..end).unwrap_or(&[]), 0, limits));
    }
    out
}

/// One capsule's lines, parsed, with those lines as its text.
fn capsule(lines: &[Line], first: usize, limits: &Limits) -> Part {
    Part {
        line: lines.get(first).map_or(1, |l| l.no),
        review: capsule_review(lines, first, limits),
    }
}

fn capsule_review(lines: &[Line], first: usize, limits: &Limits) -> Result<Review, ParseError> {
    let mut review = parse_short(lines, first, limits)?;
    let end = lines
        .iter()
        .rposition(|l| !l.is_blank())
        .map_or(0, |i| i + 1);
    review.raw_text = text_of(lines.get(first..end).unwrap_or(&[]));
    Ok(review)
}

fn text_of(lines: &[Line]) -> String {
    lines.iter().map(|l| l.text).collect::<Vec<_>>().join("\n")
}
