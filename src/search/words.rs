//! Full-text queries: what a user types → an FTS5 `MATCH` expression that cannot fail.
//!
//! Users type words, not FTS5 syntax. Two things are honoured: `"an exact phrase"` (a closed
//! pair of double quotes) and a trailing `*` on a word or phrase (`masterpi*`), which matches
//! any word starting with it. Everything else is text: each word becomes a quoted FTS5 string,
//! so operators (`AND`, `OR`, `NOT`, `NEAR`), column filters (`title:`), parentheses, `-`,
//! `^` and a lone quote are searched for as the plain words they are (or dropped, when they
//! hold no letter or digit). FTS5 folds case and accents on both sides (`cafe` finds café).

/// Terms kept from one query; the rest are ignored.
pub const MAX_TERMS: usize = 16;

/// A user's search, ready for FTS5.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextQuery {
    /// The terms as FTS5 strings: `"word"`, `"two words"`, `"prefix"*`.
    pub terms: Vec<String>,
}

impl TextQuery {
    /// Reads what the user typed; `None` when it holds nothing to search for.
    pub fn parse(text: &str) -> Option<TextQuery> {
        let text = super::without_joiners(text);
        let mut terms = Vec::new();
        let mut rest = text.as_ref();
        while terms.len() < MAX_TERMS {
            rest = rest.trim_start();
            let Some(first) = rest.chars().next() else {
                break;
            };
            if first == '"' {
                let after_quote = rest.get(1..).unwrap_or("");
                match after_quote.find('"') {
                    // A closed pair: everything inside is one phrase; a `*` after it, a prefix.
                    Some(end) => {
                        let inner = after_quote.get(..end).unwrap_or("");
                        let after = after_quote.get(end + 1..).unwrap_or("");
                        let (after, prefix) = match after.strip_prefix('*') {
                            Some(after) => (after, true),
                            None => (after, false),
                        };
                        terms.extend(term(inner, prefix));
                        rest = after;
                    }
                    // A lone quote is not syntax: skip it.
                    None => rest = after_quote,
                }
                continue;
            }
            let end = rest
                .find(|c: char| c.is_whitespace() || c == '"')
                .unwrap_or(rest.len());
            for (piece, prefix) in pieces(rest.get(..end).unwrap_or("")) {
                if terms.len() < MAX_TERMS {
                    terms.extend(term(piece, prefix));
                }
            }
            rest = rest.get(end..).unwrap_or("");
        }
        (!terms.is_empty()).then_some(TextQuery { terms })
    }

    /// Every term must occur (FTS5's implicit AND).
    pub fn all(&self) -> String {
        self.terms.join(" ")
    }

    /// Any term may occur: the fallback when no review has them all.
    pub fn any(&self) -> String {
        self.terms.join(" OR ")
    }
}

/// Characters that join the parts of one word (`don't`, `well-made`, `e.g.`): the word stays
/// one term, a phrase of its parts, as FTS5 reads it in a review.
const JOINERS: &[char] = &['\'', '’', '‘', 'ʼ', '-', '‐', '‑', '–', '.'];

/// The words of a chunk typed without spaces: any punctuation but a joiner separates them,
/// and a `*` right after a word makes it a prefix.
fn pieces(chunk: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in chunk.char_indices() {
        let inside = c.is_alphanumeric() || JOINERS.contains(&c);
        match (inside, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((chunk.get(s..i).unwrap_or(""), c == '*'));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((chunk.get(s..).unwrap_or(""), false));
    }
    out
}

/// One term as an FTS5 string, or `None` when it holds no letter or digit. Inside an FTS5
/// string only `"` is special, and it is doubled; the tokenizer splits the rest into words.
fn term(raw: &str, prefix: bool) -> Option<String> {
    let words: Vec<&str> = raw
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return None;
    }
    let text = words.join(" ").replace('"', "\"\"");
    Some(if prefix {
        format!("\"{text}\"*")
    } else {
        format!("\"{text}\"")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        TextQuery::parse(text).map(|q| q.terms).unwrap_or_default()
    }

    #[test]
    fn words_become_quoted_terms() {
        assert_eq!(terms("masterpiece"), ["\"masterpiece\""]);
        assert_eq!(
            terms("  Quiet   MASTERPIECE "),
            ["\"Quiet\"", "\"MASTERPIECE\""]
        );
        assert_eq!(TextQuery::parse("a b").unwrap().all(), "\"a\" \"b\"");
        assert_eq!(TextQuery::parse("a b").unwrap().any(), "\"a\" OR \"b\"");
    }

    #[test]
    fn invisible_joiners_join_a_word_and_do_not_split_it() {
        // U+2060 WORD JOINER, U+FEFF, U+200D ZERO WIDTH JOINER, U+00AD SOFT HYPHEN: a word
        // pasted with one inside is still the one word.
        for joined in [
            "God\u{2060}father",
            "God\u{feff}father",
            "God\u{200d}father",
            "God\u{ad}father",
        ] {
            assert_eq!(terms(joined), ["\"Godfather\""], "{joined:?}");
        }
        assert_eq!(terms("\"the God\u{2060}father\""), ["\"the Godfather\""]);
        // A zero-width space is a break between words, as a space is.
        assert_eq!(terms("God\u{200b}father"), ["\"God\"", "\"father\""]);
    }

    #[test]
    fn phrases_and_prefixes_are_honoured() {
        assert_eq!(terms("\"small town\" noir"), ["\"small town\"", "\"noir\""]);
        assert_eq!(terms("masterpi*"), ["\"masterpi\"*"]);
        assert_eq!(terms("\"border tow\"*"), ["\"border tow\"*"]);
        assert_eq!(terms("\"a\"\"b\""), ["\"a\"", "\"b\""]);
    }

    #[test]
    fn fts_syntax_is_plain_text() {
        assert_eq!(terms("AND("), ["\"AND\""]);
        assert_eq!(terms("NEAR(a b)"), ["\"NEAR\"", "\"a\"", "\"b\""]);
        assert_eq!(terms("title:rocket"), ["\"title\"", "\"rocket\""]);
        assert_eq!(terms("well-made"), ["\"well made\""]);
        assert_eq!(terms("a*b"), ["\"a\"*", "\"b\""]);
        assert_eq!(terms("-"), Vec::<String>::new());
        assert_eq!(terms("\"unclosed quote"), ["\"unclosed\"", "\"quote\""]);
        assert_eq!(terms("lone \" quote"), ["\"lone\"", "\"quote\""]);
        assert_eq!(
            terms("^x OR NOT y"),
            ["\"x\"", "\"OR\"", "\"NOT\"", "\"y\""]
        );
        assert_eq!(terms("don't"), ["\"don t\""]);
        assert_eq!(terms("*"), Vec::<String>::new());
        assert_eq!(terms("\"\""), Vec::<String>::new());
        assert!(TextQuery::parse("  \" ( ) - * ").is_none());
    }

    #[test]
    fn long_input_is_cut_to_a_bound() {
        let long = "word ".repeat(1000);
        assert_eq!(terms(&long).len(), MAX_TERMS);
        let quotes = "\"".repeat(10_001);
        assert!(TextQuery::parse(&quotes).is_none());
    }
}
