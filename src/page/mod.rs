//! A page → the reviews it holds. A page is what the critic publishes in one piece: a text
//! file (one review, or a letter page of capsules), a saved web page (`.htm`, `.html`: a
//! letter page, or one full review with the site around it), or a feed item's HTML. Every
//! kind goes through the same parser once it is text; an HTML page's errors name the lines of
//! its source, and its canonical address becomes its reviews' `url`.

pub mod html;

use std::path::Path;

use crate::review::decode::decode;
use crate::review::{Limits, ParseError, Part, Review};

/// How a page's bytes are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Plain text in the critic's layouts (`*.txt`).
    Text,
    /// A saved web page (`*.htm`, `*.html`).
    Html,
}

impl Kind {
    /// What a file's name says it holds: `None` for a file that is not a page (an editor's
    /// backup, an image).
    pub fn of(path: &Path) -> Option<Kind> {
        let ext = path.extension()?.to_str()?;
        if ext.eq_ignore_ascii_case("txt") {
            Some(Kind::Text)
        } else if ext.eq_ignore_ascii_case("htm") || ext.eq_ignore_ascii_case("html") {
            Some(Kind::Html)
        } else {
            None
        }
    }
}

/// A page's bytes → its parts (reviews, or why a part is not one). Never empty.
pub fn read(bytes: &[u8], kind: Kind, limits: &Limits) -> Vec<Part> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return failed(ParseError {
            line: None,
            message: format!(
                "the file is {} bytes; the largest allowed is {} (import.max_file_bytes)",
                bytes.len(),
                limits.max_file_bytes
            ),
        });
    }
    match kind {
        Kind::Text => match decode(bytes) {
            Ok((text, _)) => Review::parse_page_with(&text, None, limits),
            Err(err) => failed(err.into()),
        },
        Kind::Html => {
            let (html, _) = html::decode_page(bytes);
            read_html(&html, None, limits)
        }
    }
}

/// A web page's or a feed item's HTML → its parts. Their `url` is `url` if given (a feed
/// item's link), else the page's canonical address.
pub fn read_html(html: &str, url: Option<&str>, limits: &Limits) -> Vec<Part> {
    let page = html::page_text(html);
    let url = url.map(str::to_owned).or(page.canonical);
    let numbers = (page.source_lines.len() == page.text.split('\n').count())
        .then_some(page.source_lines.as_slice());
    let mut parts = Review::parse_page_with(&page.text, numbers, limits);
    for part in &mut parts {
        if let Ok(review) = &mut part.review {
            review.url.clone_from(&url);
        }
    }
    parts
}

fn failed(err: ParseError) -> Vec<Part> {
    vec![Part {
        line: err.line.unwrap_or(1),
        review: Err(err),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::Grade;

    fn reviews(parts: &[Part]) -> Vec<&Review> {
        parts
            .iter()
            .filter_map(|p| p.review.as_ref().ok())
            .collect()
    }

    const S_HTM: &[u8] = include_bytes!("../../tests/fixtures/pages/s.htm");
    const D_HTML: &[u8] = include_bytes!("../../tests/fixtures/pages/d.html");
    const T_TXT: &[u8] = include_bytes!("../../tests/fixtures/pages/t.txt");
    const ORCHARD: &[u8] = include_bytes!("../../tests/fixtures/pages/quiet-orchard.html");

    #[test]
    fn a_windows_1252_letter_page_gives_each_capsule_and_names_the_broken_one_s_source_line() {
        let parts = read(S_HTM, Kind::Html, &Limits::default());
        let ok = reviews(&parts);
        let titles: Vec<&str> = ok.iter().map(|r| r.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "The Salt Marsh",
                "Second Wind",
                "Sparrow's Nest",
                "Sundown on 4th Street"
            ]
        );
        let marsh = ok[0];
        // Declared windows-1252: the byte 0xE9 and `&eacute;` are both é.
        assert_eq!(marsh.credits.directors, ["René Aubert"]);
        assert_eq!(marsh.credits.writers, ["René Aubert"]);
        assert!(marsh.body.contains("café owner"), "{}", marsh.body);
        // Wrapped with `<br>`: the header is read whole.
        assert_eq!(marsh.credits.runtime_minutes, Some(101));
        assert_eq!(marsh.credits.studio.as_deref(), Some("Films du Delta"));
        assert_eq!(
            marsh.reviewed_on,
            chrono::NaiveDate::from_ymd_opt(2001, 7, 21)
        );
        assert_eq!(marsh.grade, Grade::BPlus);
        assert_eq!(ok[1].credits.cast.len(), 2, "cast: repeated");
        assert_eq!(ok[2].alt_titles, ["Spatzennest"]);
        assert!(ok[2].body.contains("tender as it is funny — the best"));
        // The capsule without a grade fails alone, at its line in the HTML source.
        let failed: Vec<&ParseError> = parts
            .iter()
            .filter_map(|p| p.review.as_ref().err())
            .collect();
        assert_eq!(failed.len(), 1, "{failed:?}");
        let source = String::from_utf8_lossy(S_HTM);
        let stray = source
            .lines()
            .position(|l| l.contains("shaggy city fable"))
            .map(|i| i + 1);
        assert_eq!(failed[0].line, stray, "{}", failed[0]);
        assert!(failed[0].message.contains("GRADE"), "{}", failed[0]);
        // The capsules start where the source has them.
        let stray_dog = source
            .lines()
            .position(|l| l.contains("STRAY DOG DAYS"))
            .unwrap()
            + 1;
        assert!(parts
            .iter()
            .any(|p| p.line == stray_dog && p.review.is_err()));
        // A letter page has no address of its own.
        assert!(ok.iter().all(|r| r.url.is_none()));
    }

    #[test]
    fn a_utf_8_letter_page_in_pre_and_a_text_letter_page_read_alike() {
        let parts = read(D_HTML, Kind::Html, &Limits::default());
        let ok = reviews(&parts);
        assert_eq!(parts.len(), 2, "{parts:#?}");
        assert_eq!(ok[0].title, "Dry Season");
        assert_eq!(ok[0].credits.cast[0].actor, "Aïssa Traoré");
        assert_eq!(
            ok[0].credits.release_note.as_deref(),
            Some("Chad, in French and Arabic with English subtitles")
        );
        assert_eq!(ok[1].title, "Dust Devils");
        assert_eq!(
            ok[1].reviewed_on,
            chrono::NaiveDate::from_ymd_opt(1990, 1, 9)
        );

        let parts = read(T_TXT, Kind::Text, &Limits::default());
        let titles: Vec<&str> = reviews(&parts).iter().map(|r| r.title.as_str()).collect();
        assert_eq!(titles, ["Tidewater", "The Third Daughter", "The 13th Hour"]);
    }

    #[test]
    fn a_saved_modern_review_is_read_from_its_article_with_its_canonical_address() {
        let parts = read(ORCHARD, Kind::Html, &Limits::default());
        assert_eq!(parts.len(), 1, "{parts:#?}");
        let r = parts[0].review.as_ref().unwrap();
        assert_eq!(r.title, "The Quiet Orchard");
        assert_eq!(r.credits.directors, ["Lena Kovac"]);
        assert_eq!(r.credits.year, Some(2019));
        assert_eq!(
            r.pull_quote.as_deref(),
            Some("Kovac lets the apples fall in their own time.")
        );
        assert_eq!(r.tagline.as_deref(), Some("a harvest of what is left"));
        assert_eq!(r.grade, Grade::AMinus);
        assert!(r.body.contains("distance & the scenes"), "{}", r.body);
        // Nothing of the site around it: navigation, sidebar, footer, share buttons.
        for chrome in ["Home", "Recent Posts", "Share this", "Posted in", "©"] {
            assert!(!r.raw_text.contains(chrome), "{chrome} in {}", r.raw_text);
        }
        assert_eq!(
            r.url.as_deref(),
            Some("https://critic.example/2020/03/14/the-quiet-orchard/")
        );
    }

    #[test]
    fn a_feed_item_s_link_is_its_reviews_address() {
        let html = String::from_utf8_lossy(ORCHARD);
        let parts = read_html(
            &html,
            Some("https://critic.example/?p=4242"),
            &Limits::default(),
        );
        let r = parts[0].review.as_ref().unwrap();
        assert_eq!(r.url.as_deref(), Some("https://critic.example/?p=4242"));
    }

    #[test]
    fn pages_are_known_by_their_names() {
        assert_eq!(Kind::of(Path::new("a/b.TXT")), Some(Kind::Text));
        assert_eq!(Kind::of(Path::new("g.htm")), Some(Kind::Html));
        assert_eq!(Kind::of(Path::new("g.Html")), Some(Kind::Html));
        assert_eq!(Kind::of(Path::new("g.htm~")), None);
        assert_eq!(Kind::of(Path::new("4913")), None);
    }
}
