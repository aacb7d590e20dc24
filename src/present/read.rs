//! The whole review, to read: its parts in reading order (pull quote, body, title line and
//! tagline, footer), and pages of them that each fit one Discord embed, split between
//! paragraphs. Pure: the card's "Read the review" button and `marquee read` both use it.

use super::{human_date, markdown, title_with_year};
use crate::review::Review;

/// The most characters a page's text may have: an embed's description (4,096) less room for
/// the title and footer within an embed's 6,000 in all, and short enough to read on a phone.
pub const PAGE_MAX: usize = 3_500;

/// A review's readable parts, in order, each a paragraph (as the critic wrote it, not escaped):
/// the pull quote in quotes, the body's paragraphs, the title line (`<Director>'s <Title>`)
/// with the tagline under it, and the footer (`Reviewed on … · Grade …`).
pub fn paragraphs(review: &Review) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(quote) = review.pull_quote.as_deref().map(str::trim) {
        if !quote.is_empty() {
            parts.push(format!("“{quote}”"));
        }
    }
    parts.extend(
        review
            .body
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned),
    );
    let mut title_line = match review.credits.directors.as_slice() {
        [] => review.title.clone(),
        directors => format!("{}'s {}", directors.join(" and "), review.title),
    };
    if let Some(tagline) = review.tagline.as_deref().map(str::trim) {
        if !tagline.is_empty() {
            title_line.push('\n');
            title_line.push_str(tagline);
        }
    }
    parts.push(title_line);
    let mut footer = Vec::new();
    if let Some(date) = review.reviewed_on {
        footer.push(format!("Reviewed on {}", human_date(date)));
    }
    footer.push(format!("Grade {}", review.grade));
    parts.push(footer.join(" · "));
    parts
}

/// `paragraphs` gathered into pages of at most `max` characters, paragraphs joined by a blank
/// line. A page ends between paragraphs; only a paragraph that alone is over `max` is split,
/// between sentences if it can be, else between words, else anywhere. Never empty: no
/// paragraphs give one empty page.
pub fn pages(paragraphs: &[String], max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut pages = Vec::new();
    let mut page = String::new();
    let mut page_len = 0;
    for piece in paragraphs.iter().flat_map(|p| pieces(p, max)) {
        let len = piece.chars().count();
        let joined = if page.is_empty() {
            len
        } else {
            page_len + 2 + len
        };
        if joined > max && !page.is_empty() {
            pages.push(std::mem::take(&mut page));
            page_len = 0;
        }
        if !page.is_empty() {
            page.push_str("\n\n");
            page_len += 2;
        }
        page.push_str(&piece);
        page_len += len;
    }
    if !page.is_empty() || pages.is_empty() {
        pages.push(page);
    }
    pages
}

/// A paragraph as pieces of at most `max` characters: itself when it fits, else cut at the
/// last sentence end, or else the last space, that keeps a piece within `max`.
fn pieces(paragraph: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = paragraph.trim();
    while rest.chars().count() > max {
        // The byte offset just past the `max`th character.
        let limit = rest.char_indices().nth(max).map_or(rest.len(), |(i, _)| i);
        let window = rest.get(..limit).unwrap_or(rest);
        let sentence = window
            .rmatch_indices(['.', '!', '?', '…'])
            .map(|(i, m)| i + m.len())
            .find(|&end| end > 0 && rest.get(end..).is_some_and(|r| r.starts_with(' ')));
        let space = window.rfind(' ').filter(|&i| i > 0);
        let cut = sentence.or(space).unwrap_or(limit);
        let (piece, tail) = rest.split_at(cut);
        out.push(piece.trim_end().to_owned());
        rest = tail.trim_start();
    }
    if !rest.is_empty() {
        out.push(rest.to_owned());
    }
    out
}

/// The review's pages for Discord: each paragraph escaped (so that the critic's text shows as
/// written and mentions no one) before the paging, so every page is within [`PAGE_MAX`] as
/// Discord counts it.
pub fn discord_pages(review: &Review) -> Vec<String> {
    let escaped: Vec<String> = paragraphs(review)
        .iter()
        .map(|p| markdown::escape(p))
        .collect();
    pages(&escaped, PAGE_MAX)
}

/// The whole review as text, for a terminal (`marquee read`).
pub fn text(review: &Review) -> String {
    let title = title_with_year(&review.title, review.year());
    let mut out = format!("{title}\n{}\n\n", "─".repeat(title.chars().count().min(60)));
    out.push_str(&paragraphs(review).join("\n\n"));
    out.push('\n');
    if let Some(url) = &review.url {
        out.push_str(&format!("\n{url}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn para(words: usize, tag: &str) -> String {
        let mut p = (0..words)
            .map(|i| format!("{tag}{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        p.push('.');
        p
    }

    #[test]
    fn short_paragraphs_share_a_page_and_a_page_ends_between_them() {
        let paras: Vec<String> = (0..10).map(|i| para(30, &format!("p{i}w"))).collect();
        let len = paras[0].chars().count();
        // Room for three paragraphs and their two separators, not four.
        let max = 3 * len + 2 * 2 + 5;
        let pages = pages(&paras, max);
        assert_eq!(pages.len(), 4, "{pages:#?}");
        for page in &pages {
            assert!(page.chars().count() <= max);
            for part in page.split("\n\n") {
                assert!(
                    paras.contains(&part.to_owned()),
                    "a paragraph was split: {part}"
                );
            }
        }
        assert_eq!(
            pages.join("\n\n"),
            paras.join("\n\n"),
            "nothing lost or moved"
        );
    }

    #[test]
    fn a_paragraph_over_the_limit_alone_is_cut_between_sentences() {
        let long = (0..40)
            .map(|i| format!("Sentence number {i} ends here."))
            .collect::<Vec<_>>()
            .join(" ");
        let pages = pages(&[long.clone(), "After.".into()], 200);
        assert!(pages.len() > 1);
        for page in &pages {
            assert!(page.chars().count() <= 200, "{page}");
        }
        for page in &pages[..pages.len() - 1] {
            let last = page.rsplit("\n\n").next().unwrap_or_default();
            assert!(last.ends_with("here."), "cut mid-sentence: {last}");
        }
        let rejoined = pages.join(" ").replace("\n\n", " ");
        assert_eq!(rejoined, format!("{long} After."));
    }

    #[test]
    fn a_word_longer_than_a_page_is_cut_anywhere_and_nothing_is_lost() {
        let word = "x".repeat(25);
        let pages = pages(&[word], 10);
        assert_eq!(pages, ["xxxxxxxxxx", "xxxxxxxxxx", "xxxxx"]);
    }

    #[test]
    fn a_review_reads_quote_body_title_line_tagline_and_footer_in_order() {
        let text = include_str!("../../sample/alien-1979.txt");
        let review = Review::parse(text).unwrap();
        let parts = paragraphs(&review);
        let q = review.pull_quote.clone().unwrap_or_default();
        assert_eq!(parts.first(), Some(&format!("“{q}”")), "{parts:#?}");
        let body: Vec<&str> = review.body.split("\n\n").collect();
        assert_eq!(&parts[1..1 + body.len()], body.as_slice());
        let title_line = &parts[parts.len() - 2];
        assert!(
            title_line.starts_with("Ridley Scott's Alien\n"),
            "{title_line}"
        );
        if let Some(tagline) = &review.tagline {
            assert!(title_line.ends_with(tagline.trim()), "{title_line}");
        }
        let footer = &parts[parts.len() - 1];
        assert!(footer.contains("Grade A-"), "{footer}");
        assert!(footer.contains("2003"), "{footer}");
    }

    #[test]
    fn nothing_to_read_is_one_empty_page() {
        assert_eq!(pages(&[], 100), [String::new()]);
    }

    #[test]
    fn mentions_and_markdown_in_the_review_are_escaped_on_every_page() {
        let mut review =
            Review::parse("PING (director: Ida Penn; 2004)\n\nIt goes. GRADE: B").unwrap();
        review.body =
            "@everyone look *here* <@123> and https://x.example now.\n\n# Not a heading".into();
        let pages = discord_pages(&review);
        let all = pages.join("\n");
        assert!(all.contains("\\@everyone"), "{all}");
        assert!(all.contains("\\*here\\*"), "{all}");
        assert!(all.contains("\\<\\@123\\>"), "{all}");
        assert!(all.contains("https\\://x.example"), "{all}");
        assert!(all.contains("\\# Not a heading"), "{all}");
    }

    proptest! {
        #[test]
        fn pages_keep_every_character_within_the_limit(
            paras in proptest::collection::vec("[a-zé .!?\n]{0,300}", 0..12),
            max in 1usize..400,
        ) {
            let pages = pages(&paras, max);
            for page in &pages {
                prop_assert!(page.chars().count() <= max);
            }
            let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            let before: String = paras.iter().map(|p| squash(p)).collect();
            let after: String = pages.iter().map(|p| squash(p)).collect();
            prop_assert_eq!(before, after);
        }
    }
}
