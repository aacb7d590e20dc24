//! The layout parser: text → [`Review`]. Pure: no I/O, never panics, whatever the text.
//!
//! Both layouts of `FORMAT.md`: the modern one (credits header, pull quote, `Reviewed by`,
//! body, `<Director>'s <Title>` with a tagline, dated footer with the grade) and the older
//! capsule (`TITLE, THE (credits) Reviewed on …`, one paragraph ending in the grade).

use chrono::NaiveDate;

use super::decode::{decode, DecodeError};
use super::grade::Grade;
use super::header::{collapse_spaces, parse_credits, parse_key};
use super::limits::{excerpt, nesting, over, Limits};
use super::model::{Credits, Layout, Review};

mod page;

pub use page::Part;

/// Why a text is not a review. `line` is 1-based; `None` when the problem is not on one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct ParseError {
    pub line: Option<usize>,
    pub message: String,
}

impl ParseError {
    fn at(line: usize, message: impl Into<String>) -> Self {
        ParseError {
            line: Some(line),
            message: message.into(),
        }
    }
}

impl From<DecodeError> for ParseError {
    fn from(err: DecodeError) -> Self {
        ParseError::at(err.line(), err.to_string())
    }
}

/// A line of the file with its 1-based number.
#[derive(Clone, Copy)]
struct Line<'a> {
    no: usize,
    text: &'a str,
}

impl Line<'_> {
    fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }
    fn is_indented(&self) -> bool {
        self.text.starts_with(char::is_whitespace) && !self.is_blank()
    }
}

impl Review {
    /// Decodes (UTF-8, BOM, UTF-16, Windows-1252) and parses a review file's bytes, within
    /// the default [`Limits`].
    pub fn parse_bytes(bytes: &[u8]) -> Result<Review, ParseError> {
        Review::parse_bytes_with(bytes, &Limits::default())
    }

    /// [`Review::parse_bytes`] within `limits`.
    pub fn parse_bytes_with(bytes: &[u8], limits: &Limits) -> Result<Review, ParseError> {
        check_file_size(bytes.len() as u64, limits)?;
        let (text, _) = decode(bytes)?;
        Review::parse_with(&text, limits)
    }

    /// Parses a review in either layout, within the default [`Limits`].
    pub fn parse(text: &str) -> Result<Review, ParseError> {
        Review::parse_with(text, &Limits::default())
    }

    /// Reads `text` as one review: the first that it holds (a page of capsules holds many:
    /// see [`Review::parse_page_with`]), with the whole text as its `raw_text`. Time and memory
    /// are linear in the text's length.
    pub fn parse_with(text: &str, limits: &Limits) -> Result<Review, ParseError> {
        let first = Review::parse_page_with(text, None, limits)
            .into_iter()
            .next()
            .map_or_else(
                || Err(ParseError::at(1, "empty file: expected a review")),
                |part| part.review,
            );
        first.map(|mut review| {
            text.clone_into(&mut review.raw_text);
            review
        })
    }

    /// Every review a text holds: one modern review, or the capsules of a page (a letter
    /// page's heading and any navigation around them skipped), each parsed on its own so that
    /// a broken capsule fails alone, naming its line. Never empty: a text that holds no review
    /// at all is one error. `numbers` gives each line's number as the error should name it
    /// (the line of the HTML source a page's text came from); by default, the line's own.
    /// A text that holds one review keeps the whole text as its `raw_text`; a capsule of
    /// several keeps its own lines. Time and memory are linear in the text's length.
    pub fn parse_page_with(text: &str, numbers: Option<&[usize]>, limits: &Limits) -> Vec<Part> {
        match page::parse_page(text, numbers, limits) {
            Ok(parts) => parts,
            Err(err) => vec![Part {
                line: err.line.unwrap_or(1),
                review: Err(err),
            }],
        }
    }
}

fn check_file_size(bytes: u64, limits: &Limits) -> Result<(), ParseError> {
    if bytes > limits.max_file_bytes {
        return Err(ParseError {
            line: None,
            message: format!(
                "the file is {bytes} bytes; the largest allowed is {} (import.max_file_bytes)",
                limits.max_file_bytes
            ),
        });
    }
    Ok(())
}

/// Refuses credits that no review has: too many people, a name too long to be one, no year.
fn check_credits(credits: &Credits, line: usize, limits: &Limits) -> Result<(), ParseError> {
    let people: Vec<&str> = [
        &credits.directors,
        &credits.writers,
        &credits.cinematographers,
        &credits.editors,
        &credits.music,
        &credits.producers,
    ]
    .into_iter()
    .flatten()
    .map(String::as_str)
    .chain(credits.cast.iter().map(|member| member.actor.as_str()))
    .collect();
    let count = people.len();
    let roles = credits
        .cast
        .iter()
        .filter_map(|member| member.role.as_deref());
    for name in people
        .iter()
        .copied()
        .chain(roles)
        .chain(credits.studio.as_deref())
    {
        if let Some(chars) = over(name, limits.max_name_chars) {
            return Err(ParseError::at(
                line,
                format!(
                    "a name in the credits is {chars} characters long; the longest allowed is {} \
                     (import.max_name_chars)",
                    limits.max_name_chars
                ),
            ));
        }
    }
    if count > limits.max_credits {
        return Err(ParseError::at(
            line,
            format!(
                "the credits header lists {count} names; at most {} are allowed \
                 (import.max_credits)",
                limits.max_credits
            ),
        ));
    }
    if credits.year.is_none() {
        return Err(ParseError::at(
            line,
            "the credits header has no year: expected it last, as in `(director: …; 1999)`",
        ));
    }
    Ok(())
}

fn check_title_length(title: &str, line: usize, max: usize) -> Result<(), ParseError> {
    match over(title, max) {
        Some(chars) => Err(ParseError::at(
            line,
            format!(
                "the title is {chars} characters long; the longest allowed is {max} \
                 (import.max_title_chars)"
            ),
        )),
        None => Ok(()),
    }
}

/// A title is at most `max_title_chars` long and has a letter or a digit in it.
fn check_title(title: &str, line: usize, limits: &Limits) -> Result<(), ParseError> {
    check_title_length(title, line, limits.max_title_chars)?;
    if !title.chars().any(char::is_alphanumeric) {
        return Err(ParseError::at(
            line,
            format!(
                "`{}` is not a title: it has no letter or digit",
                excerpt(title, 40)
            ),
        ));
    }
    Ok(())
}

/// The first line and its indented continuation lines, joined; and the index after them.
fn logical_line(lines: &[Line], first: usize) -> (String, usize) {
    let mut text = lines.get(first).map_or("", |l| l.text).trim().to_owned();
    let mut next = first + 1;
    while let Some(line) = lines.get(next).filter(|l| l.is_indented()) {
        text.push(' ');
        text.push_str(line.text.trim());
        next += 1;
    }
    (text, next)
}

/// Splits `(inside) rest` at the parenthesis that closes the one at `open`. A header whose
/// closing parenthesis is missing runs to the end (less a `)` that closes it there).
fn split_parenthesised(text: &str, open: usize) -> (&str, &str) {
    let after = text.get(open + 1..).unwrap_or("");
    let mut depth = 1usize;
    for (i, c) in after.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return (
                        after.get(..i).unwrap_or(""),
                        after.get(i + 1..).unwrap_or(""),
                    );
                }
            }
            _ => {}
        }
    }
    (after.trim_end().strip_suffix(')').unwrap_or(after), "")
}

/// Finds `GRADE:` in a line and returns what follows it.
fn grade_marker(text: &str) -> Option<(usize, &str)> {
    let upper = text.to_ascii_uppercase();
    let mut search_end = upper.len();
    while let Some(at) = upper.get(..search_end).and_then(|u| u.rfind("GRADE")) {
        let after = text.get(at + 5..).unwrap_or("");
        if let Some(value) = after.trim_start().strip_prefix(':') {
            return Some((at, value));
        }
        search_end = at;
    }
    None
}

/// The line that carries the grade.
struct GradeLine<'a> {
    /// Its index in the lines searched.
    at: usize,
    line: Line<'a>,
    /// Where `GRADE` starts in the line.
    marker: usize,
    grade: Grade,
}

/// The last line of `rest` with `GRADE: X`, its grade parsed. Without one, the error names the
/// file's last non-blank line and says what was `missing`.
fn find_grade<'a>(
    lines: &[Line],
    rest: &[Line<'a>],
    missing: &str,
) -> Result<GradeLine<'a>, ParseError> {
    let (at, line, marker, value) = rest
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, l)| grade_marker(l.text).map(|(m, g)| (i, *l, m, g)))
        .ok_or_else(|| {
            let last = lines
                .iter()
                .rev()
                .find(|l| !l.is_blank())
                .map_or(1, |l| l.no);
            ParseError::at(last, missing)
        })?;
    let grade = Grade::parse(value).map_err(|e| ParseError::at(line.no, e.to_string()))?;
    Ok(GradeLine {
        at,
        line,
        marker,
        grade,
    })
}

/// `M/D/YYYY` as the critic writes it, optionally followed by a period.
fn parse_date(token: &str) -> Option<NaiveDate> {
    let token = token.trim().trim_end_matches(['.', ',']);
    let mut parts = token.split('/');
    let month = parts.next()?.trim().parse().ok()?;
    let day = parts.next()?.trim().parse().ok()?;
    let year_text = parts.next()?.trim();
    if parts.next().is_some() || year_text.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(year_text.parse().ok()?, month, day)
}

/// Finds `marker` (ASCII, any case) and parses the date token that follows it.
fn dated(line: Line, marker: &str) -> Result<Option<NaiveDate>, ParseError> {
    let upper = line.text.to_ascii_uppercase();
    let Some(at) = upper.find(marker) else {
        return Ok(None);
    };
    let after = line.text.get(at + marker.len()..).unwrap_or("");
    let token = after.split_whitespace().next().unwrap_or("");
    parse_date(token).map(Some).ok_or_else(|| {
        ParseError::at(
            line.no,
            format!(
                "expected a date M/D/YYYY after `{marker}`, found `{}`",
                excerpt(token, 40)
            ),
        )
    })
}

fn paragraphs<'a>(lines: &[Line<'a>]) -> Vec<Vec<Line<'a>>> {
    let mut out: Vec<Vec<Line>> = Vec::new();
    let mut current = Vec::new();
    for line in lines {
        if line.is_blank() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push(*line);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn join_lines(lines: &[Line]) -> String {
    collapse_spaces(
        &lines
            .iter()
            .map(|l| l.text.trim())
            .collect::<Vec<_>>()
            .join(" "),
    )
}

const OPENING_QUOTES: &[char] = &['“', '"', '„', '«', '‘'];
const CLOSING_QUOTES: &[char] = &['”', '"', '»', '’', '“'];

fn unquote(text: &str) -> String {
    let text = text.trim();
    let text = text.strip_prefix(OPENING_QUOTES).unwrap_or(text);
    let text = text.strip_suffix(CLOSING_QUOTES).unwrap_or(text);
    collapse_spaces(text)
}

fn parse_modern(lines: &[Line], first: usize, limits: &Limits) -> Result<Review, ParseError> {
    let first_line = lines.get(first).map_or(1, |l| l.no);
    let (header, after_header) = logical_line(lines, first);
    let (inner, _) = split_parenthesised(&header, 0);
    let credits = parse_credits(inner);
    check_credits(&credits, first_line, limits)?;

    // The footer: the last line that carries the grade.
    let rest = lines.get(after_header..).unwrap_or(&[]);
    let GradeLine {
        at: footer_at,
        line: footer,
        grade,
        ..
    } = find_grade(
        lines,
        rest,
        "expected the footer `REVIEWED ON M/D/YYYY  GRADE: X`, found no grade",
    )?;
    let before_footer = rest.get(..footer_at).unwrap_or(&[]);
    let reviewed_on = footer_date(footer, before_footer)?;
    let TitleBlock {
        start: middle_end,
        title,
        tagline,
    } = title_block(before_footer, footer, &credits.directors, limits)?;
    let middle: Vec<Line> = before_footer.get(..middle_end).unwrap_or(&[]).to_vec();
    let Text {
        pull_quote,
        critic,
        body,
    } = text_of_review(paragraphs(&middle));
    Ok(Review {
        layout: Layout::Modern,
        title,
        alt_titles: Vec::new(),
        credits,
        pull_quote,
        body,
        tagline,
        critic,
        reviewed_on,
        grade,
        raw_text: String::new(),
        url: None,
    })
}

fn starts_reviewed_on(line: &Line) -> bool {
    line.text
        .trim_start()
        .to_ascii_uppercase()
        .starts_with("REVIEWED ON")
}

/// The footer's date: on the grade's line, or on its own line just above it.
fn footer_date(footer: Line, before_footer: &[Line]) -> Result<Option<NaiveDate>, ParseError> {
    if let Some(date) = dated(footer, "REVIEWED ON")? {
        return Ok(Some(date));
    }
    match before_footer
        .iter()
        .rev()
        .find(|l| !l.is_blank())
        .filter(|l| starts_reviewed_on(l))
    {
        Some(line) => dated(*line, "REVIEWED ON"),
        None => Ok(None),
    }
}

/// The title line and its tagline: the last run of non-blank lines before the footer.
struct TitleBlock {
    /// Where the title line is among the lines before the footer (what precedes it is the
    /// pull quote and the body).
    start: usize,
    title: String,
    tagline: Option<String>,
}

fn title_block(
    before_footer: &[Line],
    footer: Line,
    directors: &[String],
    limits: &Limits,
) -> Result<TitleBlock, ParseError> {
    let block_end = before_footer
        .iter()
        .rposition(|l| !l.is_blank() && !starts_reviewed_on(l))
        .map(|i| i + 1)
        .unwrap_or(0);
    let block_start = before_footer
        .get(..block_end)
        .and_then(|ls| ls.iter().rposition(Line::is_blank))
        .map_or(0, |i| i + 1);
    let block = before_footer.get(block_start..block_end).unwrap_or(&[]);
    let (title_at, title) = find_title_line(block, directors).ok_or_else(|| {
        let no = block.first().map_or(footer.no, |l| l.no);
        ParseError::at(
            no,
            "expected the title line `<Director>'s <Title>` before the footer",
        )
    })?;
    check_title(
        &title,
        block.get(title_at).map_or(footer.no, |l| l.no),
        limits,
    )?;
    let tagline_lines = block.get(title_at + 1..).unwrap_or(&[]);
    Ok(TitleBlock {
        start: block_start + title_at,
        title,
        tagline: Some(join_lines(tagline_lines)).filter(|t| !t.is_empty()),
    })
}

/// A modern review's text between its header and its title line.
struct Text {
    pull_quote: Option<String>,
    critic: Option<String>,
    body: String,
}

/// Pull quote, `Reviewed by`, body: the paragraph before `Reviewed by` is the pull quote; without
/// that line, a first paragraph in quotes is.
fn text_of_review(mut paras: Vec<Vec<Line>>) -> Text {
    let mut critic = None;
    let mut pull_quote = None;
    let reviewed_by = paras.iter().position(|p| {
        p.first().is_some_and(|l| {
            l.text
                .trim_start()
                .to_lowercase()
                .starts_with("reviewed by")
        })
    });
    let body_paras: Vec<Vec<Line>> = match reviewed_by {
        Some(r) => {
            if let Some(first_para) = paras.get(..r).and_then(<[_]>::first) {
                pull_quote = Some(unquote(&join_lines(first_para)));
            }
            let mut body = Vec::new();
            if let Some((by_line, same_para)) = paras.get(r).and_then(|p| p.split_first()) {
                let name = by_line.text.trim_start().get("reviewed by".len()..);
                critic = name.map(collapse_spaces).filter(|n| !n.is_empty());
                if !same_para.is_empty() {
                    body.push(same_para.to_vec());
                }
            }
            body.extend(paras.get(r + 1..).unwrap_or(&[]).iter().cloned());
            body
        }
        None => {
            let quoted = paras
                .first()
                .and_then(|p| p.first())
                .is_some_and(|l| l.text.trim_start().starts_with(OPENING_QUOTES));
            if quoted && paras.len() > 1 {
                let first_para = paras.remove(0);
                pull_quote = Some(unquote(&join_lines(&first_para)));
            }
            paras
        }
    };
    Text {
        pull_quote: pull_quote.filter(|q| !q.is_empty()),
        critic,
        body: body_paras
            .iter()
            .map(|p| join_lines(p))
            .collect::<Vec<_>>()
            .join("\n\n"),
    }
}

/// How many lines above the footer the title line may be (the tagline is a line or two).
const TITLE_BLOCK_LINES: usize = 32;

/// Picks the `<Director>'s <Title>` line from the block before the footer: the last
/// unindented line that starts with a director's possessive, else the last with any possessive.
fn find_title_line(block: &[Line], directors: &[String]) -> Option<(usize, String)> {
    let skipped = block.len().saturating_sub(TITLE_BLOCK_LINES);
    let unindented = || {
        block
            .iter()
            .enumerate()
            .skip(skipped)
            .rev()
            .filter(|(_, l)| !l.is_indented() && !l.is_blank())
    };
    let names = director_names(directors);
    unindented()
        .find_map(|(i, l)| strip_director_possessive(l.text, &names).map(|t| (i, t)))
        .or_else(|| unindented().find_map(|(i, l)| strip_any_possessive(l.text).map(|t| (i, t))))
        .map(|(i, title)| (i, title.trim().to_owned()))
        .filter(|(_, title)| !title.is_empty())
}

/// Lower case, accents dropped, white space as one space: how names are compared.
fn fold_char(c: char) -> String {
    if c.is_whitespace() {
        return " ".into();
    }
    if c == '’' || c == '‘' {
        return "'".into();
    }
    let mut buf = [0u8; 4];
    deunicode::deunicode_char(c)
        .unwrap_or(c.encode_utf8(&mut buf))
        .to_lowercase()
}

fn fold(name: &str) -> String {
    collapse_spaces(name).chars().map(fold_char).collect()
}

/// The directors' names as a title line may start with them, folded, longest first: each
/// name, and for a few directors all of them joined (`A & B's Title`).
fn director_names(directors: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    if (2..=4).contains(&directors.len()) {
        for joiner in [" & ", " and ", ", ", "/"] {
            names.push(fold(&directors.join(joiner)));
        }
    }
    names.extend(directors.iter().map(|d| fold(d)));
    names.retain(|n| !n.is_empty());
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    names
}

/// If `line` starts with the folded name `want`, the byte offset where the name ends.
fn folded_prefix(line: &str, want: &str) -> Option<usize> {
    let mut got = String::new();
    for (i, c) in line.char_indices() {
        if got.len() >= want.len() {
            return (got == want).then_some(i);
        }
        got.push_str(&fold_char(c));
        if !want.starts_with(&got) {
            return None;
        }
    }
    (got == want).then_some(line.len())
}

/// `'s Title`, `’s Title`, `' Title` (after a name that ends in s) → `Title`.
fn after_possessive(rest: &str) -> Option<&str> {
    let rest = ["'s", "’s", "'S", "’S", "'", "’"]
        .iter()
        .find_map(|p| rest.strip_prefix(p))?;
    rest.starts_with(char::is_whitespace).then(|| rest.trim())
}

fn strip_director_possessive<'a>(line: &'a str, names: &[String]) -> Option<&'a str> {
    names
        .iter()
        .filter_map(|name| folded_prefix(line, name))
        .find_map(|end| after_possessive(line.get(end..).unwrap_or("")))
}

/// The title after the first possessive on the line, whoever the name before it is.
fn strip_any_possessive(line: &str) -> Option<&str> {
    line.char_indices()
        .filter(|(i, c)| (*c == '\'' || *c == '’') && *i > 0)
        .find_map(|(i, c)| {
            let before = line.get(..i)?;
            let after = line.get(i + c.len_utf8()..)?;
            let possessive_s = (after.starts_with('s') || after.starts_with('S'))
                && after.get(1..)?.starts_with(char::is_whitespace);
            let bare = before.ends_with(['s', 'S']) && after.starts_with(char::is_whitespace);
            if possessive_s {
                Some(after.get(1..)?.trim())
            } else if bare {
                Some(after.trim())
            } else {
                None
            }
        })
}

/// How far past a `(` a header key's `:` may be.
const KEY_WINDOW: usize = 64;

/// Where the credits header starts in a capsule's first line: the first `(` that opens
/// `key: …`.
fn short_header_start(text: &str) -> Option<usize> {
    text.char_indices()
        .filter(|(_, c)| *c == '(')
        .map(|(i, _)| i)
        .find(|&open| {
            // A key is a few words: look no further than that for its `:`, so that a run of
            // `(` costs its length, not its square.
            let after = text.get(open + 1..).unwrap_or("");
            let Some((key_end, delimiter)) = after
                .char_indices()
                .take(KEY_WINDOW)
                .find(|(_, c)| matches!(c, ':' | ';' | ')'))
            else {
                return false;
            };
            delimiter != ')' && parse_key(after.get(..key_end).unwrap_or("")).is_some()
        })
}

/// A capsule's header: its whole first paragraph when the review is a paragraph of its own
/// (the header may be hard-wrapped, with or without an indent), else the first line and its
/// indented continuations. Returns it and the index after it.
fn capsule_head(lines: &[Line], first: usize) -> (String, usize) {
    let end = lines
        .iter()
        .skip(first)
        .position(Line::is_blank)
        .map_or(lines.len(), |n| first + n);
    let paragraph = lines.get(first..end).unwrap_or(&[]);
    if paragraph.iter().any(|l| grade_marker(l.text).is_some()) {
        // The review follows in the same paragraph: the header is its first line and what
        // continues it, indented or (as a web page's `<br>` leaves it) inside the credits'
        // parentheses until they close.
        let (mut head, mut next) = logical_line(lines, first);
        let mut joined = head.clone();
        let mut upto = next;
        while open_parens(&joined) > 0 {
            match lines.get(upto).filter(|l| !l.is_blank()) {
                Some(line) if grade_marker(line.text).is_none() => {
                    joined.push(' ');
                    joined.push_str(line.text.trim());
                    upto += 1;
                }
                _ => break,
            }
        }
        if open_parens(&joined) == 0 {
            (head, next) = (joined, upto);
        }
        return (head, next);
    }
    let head = paragraph
        .iter()
        .map(|l| l.text.trim())
        .collect::<Vec<_>>()
        .join(" ");
    (head, end)
}

/// How many parentheses `text` leaves open.
fn open_parens(text: &str) -> usize {
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    depth
}

/// The review date after a capsule's header: `Reviewed on M/D/YYYY.`, `... Reviewed
/// M/D/YYYY.` (without "on"), or none.
fn capsule_date(line: Line) -> Result<Option<NaiveDate>, ParseError> {
    let upper = line.text.to_ascii_uppercase();
    let Some(at) = upper.find("REVIEWED") else {
        return Ok(None);
    };
    let after = line.text.get(at + "REVIEWED".len()..).unwrap_or("");
    let mut words = after.split_whitespace();
    let mut token = words.next().unwrap_or("");
    let on = token.eq_ignore_ascii_case("on") || token.eq_ignore_ascii_case("on:");
    if on {
        token = words.next().unwrap_or("");
    }
    let token = token.trim_start_matches(':');
    if !on && !token.contains(|c: char| c.is_ascii_digit()) {
        // `Reviewed by …`: words, not a date.
        return Ok(None);
    }
    parse_date(token).map(Some).ok_or_else(|| {
        ParseError::at(
            line.no,
            format!(
                "expected a date M/D/YYYY after `Reviewed on`, found `{}`",
                excerpt(token, 40)
            ),
        )
    })
}

fn parse_short(lines: &[Line], first: usize, limits: &Limits) -> Result<Review, ParseError> {
    let first_line = lines.get(first).map_or(1, |l| l.no);
    let (head, after_head) = capsule_head(lines, first);
    let open = short_header_start(&head).ok_or_else(|| {
        ParseError::at(
            first_line,
            "expected a credits header: `(director: …; YEAR)` at the start of the file, \
             or a capsule's `TITLE (director: …; YEAR)`",
        )
    })?;
    let title_part = head.get(..open).unwrap_or("").trim();
    let (inner, after) = split_parenthesised(&head, open);
    let credits = parse_credits(inner);
    check_credits(&credits, first_line, limits)?;
    let head_line = Line {
        no: first_line,
        text: after,
    };
    let reviewed_on = capsule_date(head_line)?;

    // The title and an alternative one in parentheses, bounded before they are cased.
    if over(title_part, 2 * limits.max_title_chars + 3).is_some() {
        check_title_length(title_part, first_line, limits.max_title_chars)?;
    }
    let (title, alt_title) = capsule_title(title_part).ok_or_else(|| {
        ParseError::at(
            first_line,
            "expected the film's title before the credits header",
        )
    })?;
    check_title(&title, first_line, limits)?;
    if let Some(alt) = &alt_title {
        check_title(alt, first_line, limits)?;
    }

    let rest = lines.get(after_head..).unwrap_or(&[]);
    let GradeLine {
        at: grade_at,
        line: grade_line,
        marker: marker_at,
        grade,
    } = find_grade(
        lines,
        rest,
        "expected `GRADE: X` at the end of the capsule, found no grade",
    )?;
    let mut body_lines: Vec<Line> = rest.get(..grade_at).unwrap_or(&[]).to_vec();
    body_lines.push(Line {
        no: grade_line.no,
        text: grade_line.text.get(..marker_at).unwrap_or(""),
    });
    let body = paragraphs(&body_lines)
        .iter()
        .map(|p| join_lines(p))
        .collect::<Vec<_>>()
        .join("\n\n");

    Ok(Review {
        layout: Layout::Short,
        title,
        alt_titles: alt_title.into_iter().collect(),
        credits,
        pull_quote: None,
        body,
        tagline: None,
        critic: None,
        reviewed_on,
        grade,
        raw_text: String::new(),
        url: None,
    })
}

/// `BLUES BROTHERS, THE` → `The Blues Brothers`; `DAMAGE (FATALE)` → (`Damage`, `Fatale`).
fn capsule_title(text: &str) -> Option<(String, Option<String>)> {
    let text = text.trim().to_owned();
    let (main, alt) = match text.strip_suffix(')').and_then(|t| t.rsplit_once('(')) {
        Some((main, alt)) if !main.trim().is_empty() => (main.trim().to_owned(), Some(alt.trim())),
        _ => (text.clone(), None),
    };
    let title = readable_title(&main);
    let alt = alt.map(readable_title).filter(|a| !a.is_empty());
    (!title.is_empty()).then_some((title, alt))
}

const MOVED_ARTICLES: &[&str] = &[
    "the", "a", "an", "le", "la", "les", "l'", "el", "il", "lo", "der", "die", "das",
];

const SMALL_WORDS: &[&str] = &[
    "a", "an", "the", "and", "but", "or", "nor", "for", "of", "in", "on", "at", "to", "by", "from",
    "as", "vs", "vs.", "via", "with",
];

/// Moves a trailing article to the front and, for a title in capitals, sets it in title case.
pub fn readable_title(text: &str) -> String {
    let text = text.trim().to_owned();
    let moved = match text.rsplit_once(", ") {
        Some((rest, article))
            if MOVED_ARTICLES.contains(&article.to_lowercase().as_str()) && !rest.is_empty() =>
        {
            if article.ends_with('\'') {
                format!("{article}{rest}")
            } else {
                format!("{article} {rest}")
            }
        }
        _ => text,
    };
    if moved.chars().any(char::is_lowercase) {
        return moved;
    }
    title_case(&moved)
}

fn is_roman_numeral(word: &str) -> bool {
    const ROMANS: &[&str] = &[
        "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
        "XVI", "XX",
    ];
    ROMANS.contains(&word.trim_end_matches([':', ',', '.']))
}

fn capitalise(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut start_of_word = true;
    let mut chars = word.chars().peekable();
    let mut prev: Option<char> = None;
    let mut letters = 0usize;
    while let Some(c) = chars.next() {
        let upper = start_of_word && c.is_alphabetic();
        if upper {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        if c.is_alphabetic() {
            start_of_word = false;
            letters += 1;
        }
        // Spider-Man, O'Brien, L'Avventura: a new word starts after a hyphen, and after an
        // apostrophe that follows a single letter and is followed by more than one letter.
        let apostrophe_starts_word = (c == '\'' || c == '’')
            && prev.is_some_and(char::is_alphabetic)
            && letters == 1
            && chars
                .clone()
                .take_while(|c| c.is_alphabetic())
                .take(2)
                .count()
                > 1;
        if c == '-' || c == '/' || apostrophe_starts_word {
            start_of_word = true;
        }
        prev = Some(c);
    }
    out
}

/// A title word with digits in it, from a title in capitals: kept as written (`3D`, `2001:`,
/// `MI5`), but for an ordinal's suffix (`4TH` → `4th`, `1ST` → `1st`) and a decade's plural
/// (`1950S` → `1950s`); the letter words of a hyphenated one are capitalised
/// (`21ST-CENTURY` → `21st-Century`).
fn digit_word(word: &str) -> String {
    word.split_inclusive(['-', '/'])
        .map(|part| {
            if !part.contains(|c: char| c.is_ascii_digit()) {
                return capitalise(part);
            }
            let core_len = part.trim_end_matches(|c: char| !c.is_alphanumeric()).len();
            let (core, tail) = (
                part.get(..core_len).unwrap_or(part),
                part.get(core_len..).unwrap_or(""),
            );
            let Some(last_digit) = core.rfind(|c: char| c.is_ascii_digit()) else {
                return part.to_owned();
            };
            let (number, suffix) = (
                core.get(..=last_digit).unwrap_or(core),
                core.get(last_digit + 1..).unwrap_or(""),
            );
            let digits = number.chars().filter(char::is_ascii_digit).count();
            let lower = suffix.to_lowercase();
            let ordinal = ["st", "nd", "rd", "th"].contains(&lower.as_str())
                && number.chars().all(|c| c.is_ascii_digit());
            let decades = lower == "s" && digits >= 2;
            if ordinal || decades {
                format!("{number}{lower}{tail}")
            } else {
                part.to_owned()
            }
        })
        .collect()
}

fn title_case(text: &str) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let last = words.len().saturating_sub(1);
    let mut after_colon = true;
    words
        .iter()
        .enumerate()
        .map(|(i, word)| {
            let lower = word.to_lowercase();
            let cased = if is_roman_numeral(word) {
                (*word).to_owned()
            } else if word.contains(|c: char| c.is_ascii_digit()) {
                digit_word(word)
            } else if !after_colon && i != last && SMALL_WORDS.contains(&lower.as_str()) {
                lower
            } else {
                capitalise(word)
            };
            after_colon = word.ends_with(':');
            cased
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests;
