//! A message cut into normalised words, each knowing where it stands in the message.
//!
//! Every character is turned into ASCII the way [`crate::search::normalize`] turns a title
//! (`deunicode`, curly quotes as straight ones, invisible joiners gone), and the bytes are cut
//! into words by the same rules ([`split_spanned`]), so a window of words has exactly the key
//! the same words would have as a title. Each word remembers the characters it came from.

use std::ops::Range;

use super::vocab::{class, Class};
use crate::search::normalize::{canonical_number, split_spanned};
use crate::search::INVISIBLE_JOINERS;

/// How a word is capitalised as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Case {
    /// No letters (a number).
    None,
    Lower,
    /// A capital first letter (`Alien`, `McQueen`).
    Capital,
    /// Every letter a capital, two letters or more (`ALIEN`, `US`).
    Upper,
}

/// One normalised word of a message.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    /// The word as a title key has it.
    pub key: String,
    /// What kind of word the key is.
    pub class: Class,
    /// For a possessive (`Alien's`), the key without its `'s`.
    pub bare: Option<String>,
    /// The characters it came from (in the message as given).
    pub chars: Range<usize>,
    /// Where a possessive's `'s` starts (the end of the word without it).
    pub bare_end: usize,
    /// Written as a possessive: `Godard's`, `Jenkins'`.
    pub possessive: bool,
    pub case: Case,
    /// Written with digits only (`2`, `1979`), not as a numeral word (`ii`) or the pronoun.
    pub digits: bool,
    /// The first word of a sentence (or of the message).
    pub sentence_start: bool,
}

/// A message cut into words.
#[derive(Debug)]
pub(crate) struct Text<'a> {
    pub text: &'a str,
    pub tokens: Vec<Token>,
    /// The byte offset of each character, and the text's length at the end.
    char_bytes: Vec<usize>,
}

/// Characters read as an apostrophe, a double quote or a dash, whatever `deunicode` makes
/// of them.
const APOSTROPHES: &[char] = &['\u{2019}', '\u{2018}', '\u{02bc}', '\u{2032}', '\u{00b4}'];
const QUOTES: &[char] = &['\u{201c}', '\u{201d}', '\u{201e}', '\u{00ab}', '\u{00bb}'];

/// Combining marks: part of the letter before them (`e` + U+0301 is `é`), never a break.
fn is_combining(c: char) -> bool {
    matches!(u32::from(c), 0x300..=0x36f | 0x1ab0..=0x1aff | 0x1dc0..=0x1dff | 0x20d0..=0x20ff | 0xfe20..=0xfe2f)
}

/// A text folded to ASCII for keying, with where each byte came from.
struct Folded {
    /// The text folded: accents dropped, joiners removed, apostrophes and quotes one each,
    /// anything else that is not a letter or a digit a space.
    ascii: Vec<u8>,
    /// For each byte of `ascii`, the character it came from.
    origin: Vec<usize>,
    /// The byte offset of each character, and the text's length after the last.
    char_bytes: Vec<usize>,
    chars: Vec<char>,
}

/// Folds `text` for [`Text::new`].
fn fold(text: &str) -> Folded {
    let mut ascii: Vec<u8> = Vec::with_capacity(text.len());
    let mut origin: Vec<usize> = Vec::with_capacity(text.len());
    let mut char_bytes: Vec<usize> = Vec::with_capacity(text.len() + 1);
    let mut chars: Vec<char> = Vec::with_capacity(text.len());
    for (at, (byte, c)) in text.char_indices().enumerate() {
        char_bytes.push(byte);
        chars.push(c);
        let mut push = |b: u8| {
            ascii.push(b);
            origin.push(at);
        };
        if c.is_ascii() {
            push(if c == '\n' || c == '\r' {
                b' '
            } else {
                c as u8
            });
        } else if INVISIBLE_JOINERS.contains(&c) || is_combining(c) {
            // Part of the word around it.
        } else if APOSTROPHES.contains(&c) {
            push(b'\'');
        } else if QUOTES.contains(&c) {
            push(b'"');
        } else if c.is_alphanumeric() {
            match deunicode::deunicode_char(c) {
                Some(s) => s
                    .bytes()
                    .for_each(|b| push(if b.is_ascii_graphic() { b } else { b' ' })),
                None => push(b' '),
            }
        } else {
            // Emoji, symbols, dashes, other scripts' punctuation: a break.
            push(b' ');
        }
    }
    char_bytes.push(text.len());
    Folded {
        ascii,
        origin,
        char_bytes,
        chars,
    }
}

impl<'a> Text<'a> {
    /// Cuts `text` into words.
    pub fn new(text: &'a str) -> Text<'a> {
        let Folded {
            ascii,
            origin,
            char_bytes,
            chars,
        } = fold(text);
        let mut tokens = Vec::new();
        for spanned in split_spanned(&ascii) {
            let (Some(&first), Some(&last)) = (
                origin.get(spanned.start),
                spanned.end.checked_sub(1).and_then(|i| origin.get(i)),
            ) else {
                continue;
            };
            let word = spanned.text();
            let chars_of = chars.get(first..=last).unwrap_or(&[]);
            // `alien's`: an apostrophe just before a final `s`.
            let possessive = word.len() > 2
                && spanned.end >= spanned.start + 2
                && spanned.end.checked_sub(2).and_then(|i| ascii.get(i)) == Some(&b'\'')
                && spanned.end.checked_sub(1).and_then(|i| ascii.get(i)) == Some(&b's');
            // `Jenkins'`: an apostrophe right after a final `s`, ending the word.
            let plural_possessive = word.ends_with('s')
                && ascii.get(spanned.end) == Some(&b'\'')
                && !ascii
                    .get(spanned.end + 1)
                    .is_some_and(|b| b.is_ascii_alphanumeric());
            let bare = word
                .strip_suffix('s')
                .filter(|_| possessive)
                .map(|w| canonical_number(w.to_owned()));
            let bare_end = match spanned.end.checked_sub(2).and_then(|i| origin.get(i)) {
                Some(&apostrophe) if possessive => apostrophe,
                _ => last + 1,
            };
            let key = spanned.key();
            tokens.push(Token {
                class: class(&key),
                key,
                bare,
                chars: first..last + 1,
                bare_end,
                possessive: possessive || plural_possessive,
                case: case_of(chars_of),
                digits: chars_of.iter().all(|c| c.is_ascii_digit()),
                sentence_start: false,
            });
        }
        let mut text = Text {
            text,
            tokens,
            char_bytes,
        };
        text.mark_sentence_starts();
        text
    }

    /// The byte offset of character `at` (the text's length past the end).
    pub fn byte(&self, at: usize) -> usize {
        self.char_bytes
            .get(at)
            .or(self.char_bytes.last())
            .copied()
            .unwrap_or(0)
    }

    /// The text from character `start` to character `end`.
    pub fn slice(&self, start: usize, end: usize) -> &'a str {
        let (start, end) = (self.byte(start), self.byte(end.max(start)));
        self.text.get(start..end).unwrap_or("")
    }

    /// The text between token `a` and token `b` (after `a`, before `b`).
    pub fn between(&self, a: usize, b: usize) -> &'a str {
        match (self.tokens.get(a), self.tokens.get(b)) {
            (Some(a), Some(b)) => self.slice(a.chars.end, b.chars.start),
            _ => "",
        }
    }

    /// The text before token `i` back to the previous token (or the start).
    pub fn before(&self, i: usize) -> &'a str {
        let start = i
            .checked_sub(1)
            .and_then(|p| self.tokens.get(p))
            .map_or(0, |t| t.chars.end);
        let end = self.tokens.get(i).map_or(start, |t| t.chars.start);
        self.slice(start, end)
    }

    /// The text after character `end` up to the next token (or the end).
    pub fn after_char(&self, end: usize, next: usize) -> &'a str {
        let stop = self
            .tokens
            .get(next)
            .map_or(self.char_bytes.len().saturating_sub(1), |t| t.chars.start);
        self.slice(end, stop)
    }

    /// The character just before character `at`, and the one at `at`.
    pub fn char_before(&self, at: usize) -> Option<char> {
        at.checked_sub(1)
            .and_then(|p| self.slice(p, at).chars().next())
    }

    pub fn char_at(&self, at: usize) -> Option<char> {
        self.slice(at, at + 1).chars().next()
    }

    fn mark_sentence_starts(&mut self) {
        for i in 0..self.tokens.len() {
            let gap = self.before(i);
            let after_abbreviation = i
                .checked_sub(1)
                .and_then(|p| self.tokens.get(p))
                .is_some_and(|t| ABBREVIATIONS.contains(&t.key.as_str()));
            let start = i == 0 || (ends_sentence(gap) && !after_abbreviation);
            if let Some(token) = self.tokens.get_mut(i) {
                token.sentence_start = start;
            }
        }
    }
}

/// Words after which a dot does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "vs", "jr", "sr", "no", "vol", "pt", "ep", "ch", "chap",
];

/// True when the text between two words ends a sentence.
pub(crate) fn ends_sentence(gap: &str) -> bool {
    gap.contains(['.', '!', '?', '\n', '\u{2026}'])
}

fn case_of(chars: &[char]) -> Case {
    let letters: Vec<&char> = chars.iter().filter(|c| c.is_alphabetic()).collect();
    let Some(first) = letters.first() else {
        return Case::None;
    };
    if letters.len() >= 2 && letters.iter().all(|c| !c.is_lowercase()) {
        Case::Upper
    } else if first.is_uppercase() {
        Case::Capital
    } else {
        Case::Lower
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        Text::new(text).tokens.into_iter().map(|t| t.key).collect()
    }

    #[test]
    fn words_are_keyed_as_titles_are() {
        assert_eq!(
            keys("The Godfather: Part II"),
            ["the", "godfather", "part", "2"]
        );
        assert_eq!(keys("Schindler’s List"), ["schindlers", "list"]);
        assert_eq!(keys("Amélie"), ["amelie"]);
        assert_eq!(keys("Ame\u{301}lie"), ["amelie"]);
        assert_eq!(keys("God\u{2060}father"), ["godfather"]);
        assert_eq!(keys("Mr. & Mrs. Smith"), ["mr", "and", "mrs", "smith"]);
        assert_eq!(keys("E.T. rocks"), ["et", "rocks"]);
        assert_eq!(keys("🍿alien🎬"), ["alien"]);
    }

    #[test]
    fn spans_are_characters_of_the_message() {
        let text = Text::new("«Amélie» 🎬 and *Alien's* end");
        let spans: Vec<(String, &str)> = text
            .tokens
            .iter()
            .map(|t| (t.key.clone(), text.slice(t.chars.start, t.chars.end)))
            .collect();
        assert_eq!(
            spans,
            [
                ("amelie".to_owned(), "Amélie"),
                ("and".to_owned(), "and"),
                ("aliens".to_owned(), "Alien's"),
                ("end".to_owned(), "end"),
            ]
        );
        let alien = &text.tokens[2];
        assert_eq!(alien.bare.as_deref(), Some("alien"));
        assert_eq!(text.slice(alien.chars.start, alien.bare_end), "Alien");
    }

    #[test]
    fn case_and_sentences() {
        let text = Text::new("Vertigo is great. Saw ALIEN and It with mr. Smith");
        let cases: Vec<(Case, bool)> = text
            .tokens
            .iter()
            .map(|t| (t.case, t.sentence_start))
            .collect();
        assert_eq!(cases[0], (Case::Capital, true));
        assert_eq!(cases[3], (Case::Capital, true));
        assert_eq!(cases[4], (Case::Upper, false));
        assert_eq!(cases[6], (Case::Capital, false));
        assert_eq!(cases[9], (Case::Capital, false), "not after mr.");
    }
}
