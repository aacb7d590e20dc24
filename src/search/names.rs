//! The searchable names of the films: titles and alternative titles, normalised, with the
//! other spellings a sloppy query may be closer to.

use super::normalize::{analyse, to_roman};
use super::query::Reading;
use super::score::{similarity, Form, FUZZY_CAP, SAME_LETTERS};
use super::strings::{Span, Strings};
use super::IndexEntry;

/// A normalised key and its space-free form, in the index's [`Strings`].
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub(crate) struct Spelling {
    pub key: Span,
    compact: Span,
}

impl Spelling {
    fn push(strings: &mut Strings, key: &str) -> Spelling {
        let key_span = strings.push(key);
        let compact = key.replace(' ', "");
        let compact = if compact == key {
            key_span
        } else {
            strings.push(&compact)
        };
        Spelling {
            key: key_span,
            compact,
        }
    }

    pub fn form<'a>(&self, strings: &'a Strings) -> Form<'a> {
        Form {
            key: strings.get(self.key),
            compact: strings.get(self.compact),
        }
    }
}

/// A searchable name of a film: its title or one of its alternative titles.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Name {
    /// The normalised key.
    pub spelling: Spelling,
    /// The key with the title's article in front (`the godfather`), when it has one: a typo
    /// in the article (`teh godfather`), a moved article without its comma (`godfather the`)
    /// or a prefix typed with its article (`the apart`) is closer to this than to the key.
    pub with_article: Option<Spelling>,
    /// The key with its numbers from 1 to 39 as roman numerals (`rambo iii`), when it has
    /// any: a garbled numeral (`rambo iiii`) is closer to this than to the digits.
    pub roman: Option<Spelling>,
    /// Index of the film in the index's entries.
    pub entry: u32,
    /// This is an alternative title, not the one the review is filed under.
    pub alt: bool,
    /// The name as written: its [`super::surface`] tells tied films apart.
    pub written: Span,
}

/// A name before it is stored: what [`names_of`] compares to drop duplicates.
struct NewName {
    key: String,
    with_article: Option<String>,
    roman: Option<String>,
}

impl NewName {
    fn new(title: &str) -> Option<NewName> {
        let analysed = analyse(title);
        if analysed.words.is_empty() {
            return None;
        }
        let roman: Vec<String> = analysed
            .words
            .iter()
            .map(|w| {
                w.parse()
                    .ok()
                    .and_then(to_roman)
                    .unwrap_or_else(|| w.clone())
            })
            .collect();
        let roman = (roman != analysed.words).then(|| roman.join(" "));
        Some(NewName {
            key: analysed.key(),
            with_article: analysed.with_article(),
            roman,
        })
    }

    fn store(&self, strings: &mut Strings, written: Span, entry: u32, alt: bool) -> Name {
        Name {
            spelling: Spelling::push(strings, &self.key),
            with_article: self
                .with_article
                .as_deref()
                .map(|k| Spelling::push(strings, k)),
            roman: self.roman.as_deref().map(|k| Spelling::push(strings, k)),
            entry,
            alt,
            written,
        }
    }
}

impl Name {
    /// The normalised key and its space-free form.
    pub fn form<'a>(&self, strings: &'a Strings) -> Form<'a> {
        self.spelling.form(strings)
    }

    /// How well `reading` matches this name: the key, or (never quite as well as an exact
    /// key) one of the other spellings.
    pub fn similarity(&self, reading: &Reading, strings: &Strings) -> f64 {
        let query = reading.form.form();
        let plain = similarity(&query, &self.form(strings));
        if plain >= 1.0 {
            return plain;
        }
        let own = self.form(strings).key;
        // Typed with its article, the query is this key (`the the end` of `The The End`).
        if reading.with_article.as_ref().is_some_and(|t| t.key == own) {
            return 1.0;
        }
        let mut best = plain;
        if let Some(with_article) = self.with_article.as_ref().filter(|_| reading.stray_article) {
            best = best.max(similarity(&query, &with_article.form(strings)));
        }
        if let Some(roman) = &self.roman {
            best = best.max(similarity(&query, &roman.form(strings)));
        }
        if let (Some(typed), Some(own)) = (&reading.with_article, &self.with_article) {
            best = best.max(similarity(&typed.form(), &own.form(strings)));
        }
        // The same title with its numbers spelled the other way (`4 rooms`, `Four Rooms`)
        // is as good as the same letters spaced differently, which the cap must not lower.
        let spelled = reading.other_numbers.as_ref().is_some_and(|t| t.key == own);
        let same = if spelled { SAME_LETTERS } else { plain };
        best.min(FUZZY_CAP).max(same)
    }
}

/// Where a film's title and its normalised key are in the index's strings.
pub(crate) struct FiledTitle {
    pub title: Span,
    /// Empty when the title normalises to nothing.
    pub key: Span,
}

/// The title and every distinct alternative title of every entry, and each entry's filed
/// title. Names that normalise to nothing (only punctuation, say) are left out.
pub(crate) fn names_of(
    entries: &[IndexEntry],
    strings: &mut Strings,
) -> (Vec<Name>, Vec<FiledTitle>) {
    let mut names: Vec<Name> = Vec::new();
    let mut filed = Vec::with_capacity(entries.len());
    for (entry, film) in entries.iter().enumerate() {
        let entry = u32::try_from(entry).unwrap_or(u32::MAX);
        let title = strings.push(&film.title);
        let mut key = Span::default();
        let mut keys: Vec<String> = Vec::new();
        if let Some(name) = NewName::new(&film.title) {
            let stored = name.store(strings, title, entry, false);
            key = stored.spelling.key;
            names.push(stored);
            keys.push(name.key);
        }
        for alt in &film.alt_titles {
            let Some(name) = NewName::new(alt) else {
                continue;
            };
            if !keys.contains(&name.key) {
                let written = strings.push(alt);
                names.push(name.store(strings, written, entry, true));
                keys.push(name.key);
            }
        }
        filed.push(FiledTitle { title, key });
    }
    (names, filed)
}
