//! Review text inside Discord markdown: escaped so that it shows as written and can neither
//! format the message nor mention anyone, with only the formatting marquee adds (matched words
//! in bold) left live.

use crate::store::{MATCH_END, MATCH_START};

/// Characters that format (or mention, or link) anywhere in a line.
const ALWAYS: &[char] = &['\\', '*', '_', '~', '`', '|', '<', '>', '[', ']', '@'];
/// Characters that format only at the start of a line (lists, headings, quotes).
const LINE_START: &[char] = &['-', '+', '>', '#'];

/// Bidirectional embeddings, overrides and isolates: invisible, and able to show the text
/// after them reversed (`U+202E`), so a title or a query could pass itself off as another.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every character that Discord markdown would act on escaped: emphasis, code,
/// spoilers, quotes, headings, lists, masked links, mentions (`@everyone`, `<@123>`, `<#5>`)
/// and bare links (`https://…` shows as text). Escaped punctuation shows as itself.
/// Bidirectional controls are dropped (the text shows in its stored order).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut line_start = true;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' {
            out.push(c);
            line_start = true;
            continue;
        }
        if is_bidi_control(c) {
            continue;
        }
        if ALWAYS.contains(&c) || (line_start && LINE_START.contains(&c)) {
            out.push('\\');
            out.push(c);
        } else if c == ':' && chars.peek() == Some(&'/') {
            // `https://` stays text instead of becoming a link.
            out.push_str("\\:");
        } else if line_start && c.is_ascii_digit() {
            // `1. ` at the start of a line would be a numbered list.
            out.push(c);
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                out.push(d);
            }
            if chars.peek() == Some(&'.') {
                chars.next();
                out.push_str("\\.");
            }
        } else {
            out.push(c);
        }
        line_start = line_start && c.is_whitespace();
    }
    out
}

/// [`escape`]d `text` of at most `max` characters: the text is cut (with `…`) before it is
/// escaped, so a cut never strands a backslash.
pub fn escape_within(text: &str, max: usize) -> String {
    let mut keep = max;
    loop {
        let escaped = escape(&crate::present::truncate(text, keep));
        let over = escaped.chars().count().saturating_sub(max);
        if over == 0 {
            return escaped;
        }
        // Each kept character escapes to at most two: this converges in a few rounds.
        keep = keep.saturating_sub(over.div_ceil(2).max(1));
    }
}

/// Discord markdown for a snippet whose matched words sit between [`MATCH_START`] and
/// [`MATCH_END`]: matched words in bold, everything else escaped, white space collapsed to
/// single spaces, at most `max` characters of text (cut at a word, with `…`).
pub fn snippet(marked: &str, max: usize) -> String {
    let flat: String = marked.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::new();
    let mut shown = 0;
    let mut bold = false;
    let mut piece = String::new();
    let flush = |out: &mut String, piece: &mut String, bold: bool| {
        if piece.is_empty() {
            return;
        }
        let text = escape(piece);
        if bold {
            out.push_str("**");
            out.push_str(&text);
            out.push_str("**");
        } else {
            out.push_str(&text);
        }
        piece.clear();
    };
    for c in flat.chars() {
        match c {
            MATCH_START => {
                flush(&mut out, &mut piece, bold);
                bold = true;
            }
            MATCH_END => {
                flush(&mut out, &mut piece, bold);
                bold = false;
            }
            _ if shown >= max => {}
            _ => {
                if shown + 1 == max && c != '…' {
                    // The last place goes to the mark of the cut.
                    piece.push('…');
                } else {
                    piece.push(c);
                }
                shown += 1;
            }
        }
    }
    flush(&mut out, &mut piece, bold);
    out
}

/// The snippet as plain text, for a terminal: matched words between `**`, nothing escaped.
pub fn snippet_plain(marked: &str) -> String {
    let flat: String = marked.split_whitespace().collect::<Vec<_>>().join(" ");
    flat.replace([MATCH_START, MATCH_END], "**")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_within_a_limit_never_strands_a_backslash() {
        for text in [
            "*".repeat(50),
            "a*".repeat(40),
            "plain ".repeat(30),
            "<@1>".repeat(20),
        ] {
            for max in [1, 2, 7, 10, 33, 64] {
                let out = escape_within(&text, max);
                assert!(out.chars().count() <= max, "{text:?} {max}: {out:?}");
                let unescaped = out.strip_suffix('…').unwrap_or(&out);
                assert!(
                    !unescaped.ends_with('\\') || unescaped.ends_with("\\\\"),
                    "{out:?}"
                );
            }
        }
        assert_eq!(escape_within("**bold**", 100), r"\*\*bold\*\*");
        assert_eq!(escape_within("", 10), "");
    }

    #[test]
    fn bidirectional_controls_are_dropped() {
        assert_eq!(escape("abc\u{202E}fed\u{2066}x\u{2069}"), "abcfedx");
        // Joiners stay: they build emoji sequences.
        assert_eq!(escape("👩\u{200D}💻"), "👩\u{200D}💻");
    }

    #[test]
    fn formatting_characters_are_escaped() {
        assert_eq!(
            escape("**bold** _it_ ~~s~~ `c` ||spoiler||"),
            r"\*\*bold\*\* \_it\_ \~\~s\~\~ \`c\` \|\|spoiler\|\|"
        );
        assert_eq!(
            escape("[click](https://x.test)"),
            r"\[click\](https\://x.test)"
        );
        assert_eq!(
            escape("> quote\n# head\n- item\n1. first"),
            "\\> quote\n\\# head\n\\- item\n1\\. first"
        );
        assert_eq!(escape("a - b 1. c"), "a - b 1. c");
        assert_eq!(escape("rock-n-roll"), "rock-n-roll");
    }

    #[test]
    fn mentions_cannot_ping() {
        assert_eq!(escape("@everyone @here"), r"\@everyone \@here");
        assert_eq!(escape("<@123> <#5> <@&9>"), r"\<\@123\> \<#5\> \<\@&9\>");
        assert_eq!(escape("plain words, é and 東京"), "plain words, é and 東京");
    }

    #[test]
    fn snippets_bold_the_matches_and_escape_the_rest() {
        let marked = format!("a *true* {MATCH_START}masterpiece{MATCH_END} for @everyone");
        assert_eq!(
            snippet(&marked, 200),
            r"a \*true\* **masterpiece** for \@everyone"
        );
        let hostile = format!("{MATCH_START}**x**{MATCH_END}\n\n<@1>");
        assert_eq!(snippet(&hostile, 200), r"**\*\*x\*\*** \<\@1\>");
        assert_eq!(
            snippet_plain(&marked),
            "a *true* **masterpiece** for @everyone"
        );
    }

    #[test]
    fn snippets_stay_within_their_length() {
        let marked = format!(
            "{} {MATCH_START}word{MATCH_END} {}",
            "x".repeat(50),
            "y".repeat(50)
        );
        let cut = snippet(&marked, 20);
        assert_eq!(cut.chars().filter(|c| *c == 'x').count(), 19, "{cut}");
        assert!(cut.ends_with('…'), "{cut}");
        assert!(!cut.contains("**"), "{cut}");
        let short = snippet(&marked, 60);
        assert!(short.contains("**word**"), "{short}");
    }
}
