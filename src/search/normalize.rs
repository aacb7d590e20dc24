//! Title normalisation: the key under which a film title is stored and searched.
//!
//! The key is plain lower-case ASCII words separated by single spaces. It is deterministic
//! and depends on nothing but the input text, so the store can use it as the identity of a
//! title. The rules, in order:
//!
//! 1. Transliterate to ASCII with `deunicode` (`é` → `e`, `ø` → `o`, `ß` → `ss`, `³` → `3`).
//! 2. Lower-case.
//! 3. Apostrophes vanish (`Let's` → `lets`), a comma between two digits vanishes
//!    (`20,000` → `20000`), dotted single letters join (`E.T.` → `et`, `F.I.S.T` → `fist`),
//!    `&` becomes the word `and`, and any other punctuation separates words.
//! 4. A leading article (`the`, `a`, `an`) is dropped, and so is an article moved to the end
//!    after a comma (`Gangster, The`), as long as a word remains.
//! 5. Roman numerals written canonically from 1 to 39 (`ii`, `iv`, `xiv`, `xxxix`) become
//!    digits, so `Superman II` and `Superman 2` share a key. Words that merely consist of
//!    the letters i, v and x but are not canonical numerals (`iiii`, `vx`) are left alone,
//!    as is every word with another letter in it (`mix`, `civil`, `did`). The pronoun `I`
//!    becomes `1` too, which is harmless because it does so on both sides.

/// The articles dropped at the start of a title, or at its end after a comma.
pub(crate) const ARTICLES: [&str; 3] = ["the", "a", "an"];

/// Roman numeral units, indexed by their value.
const ROMAN_UNITS: [&str; 10] = ["", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix"];

/// The normalised key of a title (or of a query): see the module documentation for the rules.
///
/// ```
/// use marquee::search::normalize;
/// assert_eq!(normalize("The Godfather: Part II"), normalize("godfather part 2"));
/// assert_eq!(normalize("Gangster, The"), "gangster");
/// assert_eq!(normalize("Léon"), "leon");
/// ```
pub fn normalize(title: &str) -> String {
    analyse(title).key()
}

/// A title cut into normalised words, with its article (leading, or moved to the end) set
/// apart so that it can be left out of the key or put back in front.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Analysed {
    pub article: Option<String>,
    pub words: Vec<String>,
}

impl Analysed {
    /// The normalised key: the words without the article.
    pub fn key(&self) -> String {
        self.words.join(" ")
    }

    /// The words with the article in front, if the title has one: `the godfather` for
    /// both `The Godfather` and `Godfather, The`.
    pub fn with_article(&self) -> Option<String> {
        let article = self.article.as_deref()?;
        Some(format!("{article} {}", self.key()))
    }
}

/// Applies every normalisation rule, keeping the dropped article aside.
pub(crate) fn analyse(title: &str) -> Analysed {
    let ascii = deunicode::deunicode(title);
    let (article, words) = split_article(split_words(&ascii));
    Analysed {
        article,
        words: words.into_iter().map(canonical_number).collect(),
    }
}

/// A word as cut from the text, before articles and numerals are dealt with.
#[derive(Debug, PartialEq)]
struct Word {
    text: String,
    /// A comma stood between this word and the one before it.
    after_comma: bool,
}

/// Cuts ASCII text into lower-case words, applying the punctuation rules (step 3).
fn split_words(text: &str) -> Vec<Word> {
    split_spanned(text.as_bytes())
        .into_iter()
        .map(|spanned| spanned.word)
        .collect()
}

/// A word cut from ASCII bytes, with where its letters lie in them.
#[derive(Debug, PartialEq)]
pub(crate) struct SpannedWord {
    word: Word,
    /// The first byte that went into the word.
    pub start: usize,
    /// One past the last byte that went into the word (apostrophes and dots inside it, which
    /// vanish, lie between the two).
    pub end: usize,
}

impl SpannedWord {
    /// The word's text, lower case, before articles and numerals are dealt with.
    pub fn text(&self) -> &str {
        &self.word.text
    }

    /// The word as a title key has it: a canonical roman numeral (or the pronoun `I`) as
    /// digits.
    pub fn key(&self) -> String {
        canonical_number(self.word.text.clone())
    }
}

/// [`split_words`] over bytes that need not be one string (the spotter maps each character
/// of a message to ASCII itself, to know where each word came from), keeping each word's
/// place. Bytes outside ASCII separate words.
pub(crate) fn split_spanned(bytes: &[u8]) -> Vec<SpannedWord> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    let mut end = 0;
    let mut acronym = false;
    let mut comma = false;
    for (i, &byte) in bytes.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|j| bytes.get(j)).copied();
        let next = bytes.get(i + 1).copied();
        match byte {
            b if b.is_ascii_alphanumeric() => {
                if current.is_empty() {
                    start = i;
                }
                current.push(char::from(b.to_ascii_lowercase()));
                end = i + 1;
            }
            b'\'' | b'`' => {}
            b',' if is_digit(prev) && is_digit(next) => {}
            b'.' if continues_acronym(&current, acronym, next, bytes.get(i + 2).copied()) => {
                acronym = true;
            }
            other => {
                push_spanned(&mut words, &mut current, &mut comma, start..end);
                acronym = false;
                if other == b'&' {
                    current.push_str("and");
                    push_spanned(&mut words, &mut current, &mut comma, i..i + 1);
                }
                comma |= other == b',';
            }
        }
    }
    push_spanned(&mut words, &mut current, &mut comma, start..end);
    words
}

/// Moves the word being built (if any) to `words`, with its place.
fn push_spanned(
    words: &mut Vec<SpannedWord>,
    current: &mut String,
    comma: &mut bool,
    at: std::ops::Range<usize>,
) {
    let mut plain = Vec::new();
    push_word(&mut plain, current, comma);
    words.extend(plain.into_iter().map(|word| SpannedWord {
        word,
        start: at.start,
        end: at.end,
    }));
}

fn is_digit(byte: Option<u8>) -> bool {
    byte.is_some_and(|b| b.is_ascii_digit())
}

/// True when the `.` after `current` sits inside a dotted abbreviation such as `E.T.` or
/// `F.I.S.T`: the word so far is single letters, and the dot is followed by one letter that
/// is not the start of a longer word.
fn continues_acronym(current: &str, acronym: bool, next: Option<u8>, after: Option<u8>) -> bool {
    let single_letters =
        acronym || (current.len() == 1 && current.bytes().all(|b| b.is_ascii_alphabetic()));
    let next_is_letter = next.is_some_and(|b| b.is_ascii_alphabetic());
    let after_ends_word = !after.is_some_and(|b| b.is_ascii_alphanumeric());
    single_letters && next_is_letter && after_ends_word
}

/// Moves the word being built (if any) to `words`.
fn push_word(words: &mut Vec<Word>, current: &mut String, comma: &mut bool) {
    if current.is_empty() {
        return;
    }
    words.push(Word {
        text: std::mem::take(current),
        after_comma: *comma,
    });
    *comma = false;
}

/// Takes off a leading article, or else an article moved to the end after a comma (step 4),
/// as long as a word remains. Returns the article and the remaining words.
fn split_article(mut words: Vec<Word>) -> (Option<String>, Vec<String>) {
    let is_article = |w: &Word| ARTICLES.contains(&w.text.as_str());
    let mut article = None;
    if words.len() > 1 && words.first().is_some_and(is_article) {
        article = Some(words.remove(0).text);
    }
    if words.len() > 1 && words.last().is_some_and(|w| w.after_comma && is_article(w)) {
        let moved = words.pop().map(|w| w.text);
        article = article.or(moved);
    }
    (article, words.into_iter().map(|w| w.text).collect())
}

/// A canonical roman numeral from 1 to 39 becomes its digits; any other word is returned as is.
pub(crate) fn canonical_number(word: String) -> String {
    match roman_value(&word) {
        Some(value) => value.to_string(),
        None => word,
    }
}

/// The value of a lower-case roman numeral written canonically (`xiv`, not `xiiii`), 1 to 39.
pub(crate) fn roman_value(word: &str) -> Option<u32> {
    let tens = word.bytes().take_while(|&b| b == b'x').count();
    if tens > 3 {
        return None;
    }
    let rest = word.get(tens..)?;
    let units = ROMAN_UNITS.iter().position(|&u| u == rest)?;
    let value = u32::try_from(tens * 10 + units).ok()?;
    (value > 0).then_some(value)
}

/// The lower-case roman numeral for 1 to 39 (`xiv` for 14); `None` outside that range.
pub(crate) fn to_roman(value: u32) -> Option<String> {
    if !(1..=39).contains(&value) {
        return None;
    }
    let units = ROMAN_UNITS.get(usize::try_from(value % 10).ok()?)?;
    let tens = usize::try_from(value / 10).ok()?;
    Some(format!("{}{units}", "x".repeat(tens)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) {
        assert_eq!(normalize(a), normalize(b), "{a:?} vs {b:?}");
    }

    #[test]
    fn case_and_spacing_collapse() {
        assert_eq!(normalize("  STAR   wars\t"), "star wars");
        assert_eq!(normalize("Star Wars"), "star wars");
    }

    #[test]
    fn accents_and_foreign_letters_become_ascii() {
        assert_eq!(normalize("Léon"), "leon");
        assert_eq!(normalize("Die Fälscher"), "die falscher");
        assert_eq!(normalize("Søren"), "soren");
        assert_eq!(normalize("Straße"), "strasse");
        assert_eq!(normalize("Alien³"), "alien3");
        same(
            "Le Fabuleux destin d'Amélie Poulain",
            "le fabuleux destin damelie poulain",
        );
    }

    #[test]
    fn apostrophes_vanish() {
        assert_eq!(normalize("Let's Go"), "lets go");
        same("Pandora\u{2019}s Box", "Pandoras Box");
        same("Child's Play 2", "Childs Play 2");
    }

    #[test]
    fn commas_between_digits_vanish() {
        assert_eq!(
            normalize("20,000 Leagues Under the Sea"),
            "20000 leagues under the sea"
        );
        assert_eq!(normalize("Sorry, 2 Bad"), "sorry 2 bad");
    }

    #[test]
    fn other_punctuation_separates_words() {
        assert_eq!(normalize("Spider-Man"), "spider man");
        assert_eq!(
            normalize("Home Alone 2: Lost in New York"),
            "home alone 2 lost in new york"
        );
        assert_eq!(normalize("Nine 1/2 Weeks"), "nine 1 2 weeks");
        assert_eq!(normalize("!!!"), "");
    }

    #[test]
    fn dotted_single_letters_join() {
        assert_eq!(
            normalize("E.T. the Extra-Terrestrial"),
            "et the extra terrestrial"
        );
        assert_eq!(normalize("F.I.S.T"), "fist");
        assert_eq!(normalize("L.A. Confidential"), "la confidential");
        assert_eq!(normalize("Star Wars Ep. V"), "star wars ep 5");
        assert_eq!(normalize("St.Elmo"), "st elmo");
    }

    #[test]
    fn ampersand_is_and() {
        same("Aimée & Jaguar", "Aimee and Jaguar");
        assert_eq!(normalize("Tom&Jerry"), "tom and jerry");
    }

    #[test]
    fn leading_article_is_dropped() {
        assert_eq!(normalize("The Godfather"), "godfather");
        assert_eq!(
            normalize("A Nightmare on Elm Street"),
            "nightmare on elm street"
        );
        assert_eq!(
            normalize("An American Werewolf in London"),
            "american werewolf in london"
        );
        // Only a leading article: "the" in the middle stays.
        assert_eq!(normalize("Friday the 13th"), "friday the 13th");
        // A title that is nothing but an article keeps it.
        assert_eq!(normalize("The"), "the");
    }

    #[test]
    fn moved_article_is_dropped() {
        same("Gangster, The", "The Gangster");
        same("GODFATHER, THE", "the godfather");
        same("Nightmare on Elm Street, A", "A Nightmare on Elm Street");
        // Without the comma it is an ordinary last word.
        assert_eq!(normalize("Meet the"), "meet the");
    }

    #[test]
    fn roman_numerals_and_digits_share_a_form() {
        same("Superman II", "Superman 2");
        same(
            "Star Trek VI: The Undiscovered Country",
            "star trek 6 the undiscovered country",
        );
        same("Friday the 13th Part VIII", "friday the 13th part 8");
        assert_eq!(normalize("Malcolm X"), "malcolm 10");
        assert_eq!(normalize("XXXIX"), "39");
        assert_eq!(
            normalize("I Married a Strange Person"),
            "1 married a strange person"
        );
    }

    #[test]
    fn words_made_of_numeral_letters_stay_words() {
        assert_eq!(normalize("Mix"), "mix");
        assert_eq!(normalize("Civil Action"), "civil action");
        assert_eq!(normalize("What Did You Do"), "what did you do");
        assert_eq!(normalize("iiii vx xxxx"), "iiii vx xxxx");
        assert_eq!(normalize("XL"), "xl");
    }

    #[test]
    fn the_article_is_kept_aside() {
        assert_eq!(
            analyse("Gangster, The").with_article().as_deref(),
            Some("the gangster")
        );
        assert_eq!(
            analyse("A Nightmare on Elm Street")
                .with_article()
                .as_deref(),
            Some("a nightmare on elm street")
        );
        assert_eq!(analyse("Godzilla").with_article(), None);
        assert_eq!(analyse("The").with_article(), None);
    }

    #[test]
    fn roman_values() {
        assert_eq!(roman_value("i"), Some(1));
        assert_eq!(roman_value("iv"), Some(4));
        assert_eq!(roman_value("xiv"), Some(14));
        assert_eq!(roman_value("xxxix"), Some(39));
        for bad in ["", "iiii", "vv", "ic", "xxxx", "iix", "vix", "xvx"] {
            assert_eq!(roman_value(bad), None, "{bad}");
        }
        for value in 1..=39 {
            let roman = to_roman(value).unwrap_or_default();
            assert_eq!(roman_value(&roman), Some(value), "{roman}");
        }
        assert_eq!(to_roman(0), None);
        assert_eq!(to_roman(40), None);
    }

    #[test]
    fn normalising_twice_changes_nothing() {
        for title in [
            "The Godfather: Part II",
            "Gangster, The",
            "E.T.",
            "20,000 Leagues",
            "Léon",
        ] {
            let once = normalize(title);
            assert_eq!(normalize(&once), once, "{title}");
        }
    }

    #[test]
    fn strange_input_does_not_panic() {
        for text in [
            "", " ", "…", "🎬🍿", "'''", ",,,", ".", "a.", ".a", "1,", ",1", "&", "\u{0}",
        ] {
            let _ = normalize(text);
        }
    }
}
