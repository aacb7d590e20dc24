//! The searchable names of the films: titles and alternative titles, normalised, with the
//! other spellings a sloppy query may be closer to.

use super::normalize::{analyse, to_roman};
use super::query::Reading;
use super::score::{similarity, Form, FUZZY_CAP};
use super::IndexEntry;

/// A searchable name of a film: its title or one of its alternative titles.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Name {
    /// The normalised key.
    pub form: Form,
    /// The key with the title's article in front (`the godfather`), when it has one: a typo
    /// in the article (`teh godfather`), a moved article without its comma (`godfather the`)
    /// or a prefix typed with its article (`the apart`) is closer to this than to the key.
    pub with_article: Option<Form>,
    /// The key with its numbers from 1 to 39 as roman numerals (`rambo iii`), when it has
    /// any: a garbled numeral (`rambo iiii`) is closer to this than to the digits.
    pub roman: Option<Form>,
    /// Index of the film in the index's entries.
    pub entry: u32,
    /// This is an alternative title, not the one the review is filed under.
    pub alt: bool,
    /// The name as written, only lower-cased: what tells tied films apart.
    pub surface: String,
}

impl Name {
    fn new(title: &str, entry: u32, alt: bool) -> Option<Name> {
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
        let roman = (roman != analysed.words).then(|| Form::new(roman.join(" ")));
        Some(Name {
            form: Form::new(analysed.key()),
            with_article: analysed.with_article().map(Form::new),
            roman,
            entry,
            alt,
            surface: super::surface(title),
        })
    }

    /// How well `reading` matches this name: the key, or (never quite as well as an exact
    /// key) one of the other spellings.
    pub fn similarity(&self, reading: &Reading) -> f64 {
        let plain = similarity(&reading.form, &self.form);
        if plain >= 1.0 {
            return plain;
        }
        let mut best = plain;
        if let Some(with_article) = self.with_article.as_ref().filter(|_| reading.stray_article) {
            best = best.max(similarity(&reading.form, with_article));
        }
        if let Some(roman) = &self.roman {
            best = best.max(similarity(&reading.form, roman));
        }
        if let (Some(typed), Some(own)) = (&reading.with_article, &self.with_article) {
            best = best.max(similarity(typed, own));
        }
        best.min(FUZZY_CAP)
    }
}

/// The title and every distinct alternative title of every entry. Names that normalise to
/// nothing (only punctuation, say) are left out.
pub(crate) fn names_of(entries: &[IndexEntry]) -> Vec<Name> {
    let mut names: Vec<Name> = Vec::new();
    for (entry, film) in entries.iter().enumerate() {
        let entry = u32::try_from(entry).unwrap_or(u32::MAX);
        let first = names.len();
        let titles =
            std::iter::once((&film.title, false)).chain(film.alt_titles.iter().map(|t| (t, true)));
        for (title, alt) in titles {
            let Some(name) = Name::new(title, entry, alt) else {
                continue;
            };
            let seen = names
                .get(first..)
                .unwrap_or(&[])
                .iter()
                .any(|n| n.form.key == name.form.key);
            if !seen {
                names.push(name);
            }
        }
    }
    names
}
