//! Spotting the archive's films in free text: "we watched the florida project last night,
//! and red rocket" names two films; "it was a good night out" names none.
//!
//! [`TitleIndex::spot`] cuts the message into words keyed exactly as titles are (`text`),
//! and looks windows of words up (`find`): exact keys, hashed word by word, a window growing
//! only while some title starts with it; the same letters spaced differently (`spiderman`);
//! numbers and abbreviations spelled the other way (`paddington two`, `kill bill vol 1`); a
//! sequel number after a title (`godfather 2` for *The Godfather Part II*); and a typo in a
//! long title (`the shawshank redemtion`), found from a rarer word of it typed right, or
//! among the names one edit away from a short rare word (`rashomn`).
//!
//! A window that matches is not yet a mention. What its words are (`vocab`) decides how much
//! evidence it needs (`judge` gathers it, `decide` weighs it):
//!
//! * a title with a **rare** word (`Rashomon`, `Seven Samurai`) is taken as it is, in any
//!   case; so is a **telling** one: three everyday words or more (`Distant Voices, Still
//!   Lives`), five words, two words and a number (`blade runner 2049`), or a place or name
//!   with another word (`Tokyo Story`), unless a place is meant (`in Tokyo Story`);
//! * a title of **everyday words** (`Vertigo`, `Taxi Driver`, `The General`) needs a sign it
//!   is a title: quotes or markdown emphasis around it, a year next to it, capitals in the
//!   middle of a sentence (not part of a longer capitalised name, `the General Assembly`), a
//!   verb of watching, `the film` or a maker's possessive just before it (`watched vertigo`,
//!   `godard's breathless`), or the whole message being the title; or, when the message is
//!   about films (a word like `movie` or `rewatch`, or another film spotted in it), two
//!   words or more, capitals, a name of a place or person, the title's article opening the
//!   sentence, or a place in a list of films (`rashomon and vertigo`);
//! * a **short** title (three letters or fewer: `It`, `Up`, `Her`) needs quotes, a year, or
//!   a capital in the middle of a sentence; a **number** (`300`, `1941`) needs quotes, a
//!   year, a verb of watching before it (not `watched 300 movies`), or a list of films.
//!
//! Whatever the title, a year that fits none of the films of that title (`Alien (1992)`) or
//! a sequel number the archive does not have (`godfather 3`) means another film; a
//! possessive or an indefinite article before it (`my godfather`, `an alien`) or `of` after
//! a one-word title (`the godfather of soul`) means the word in its ordinary sense, unless
//! quotes or a year say otherwise. A year picks the film among remakes; without one, the
//! oldest is spotted and the others are listed with it. Mentions do not overlap (the longest
//! wins: `Blade Runner 2049` is not also `Blade Runner`), and each film is returned once, in
//! the order of the text.

mod decide;
mod find;
mod index;
mod judge;
mod text;
mod vocab;

#[cfg(test)]
mod tests;

use std::ops::Range;

use crate::review::grade::Grade;
use crate::search::TitleIndex;
pub(crate) use index::SpotIndex;
use judge::Judged;
use text::Text;

/// Only this many characters of a message are read (Discord's longest is 4,000).
pub const MAX_SPOT_CHARS: usize = 20_000;

/// A film of the archive named in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Spotted {
    /// The review's id in the store.
    pub id: i64,
    /// The title the review is filed under.
    pub title: String,
    pub year: Option<i32>,
    pub grade: Grade,
    /// Where the mention is, in characters (Unicode scalar values) of the text, end
    /// exclusive: the title as written, with its article if one was typed, without quotes
    /// or year around it.
    pub span: Range<usize>,
    /// The same in bytes, for slicing the `&str`.
    pub bytes: Range<usize>,
    /// 1 for the title's key as it is; a little less for other spacing or numbers spelled
    /// the other way; less again for a typo.
    pub score: f64,
    /// Other films filed under the same title that the mention could mean as well (no year
    /// told them apart); the spotted film is the oldest of them.
    pub same_title: Vec<i64>,
}

/// A window of the message that some name matches.
#[derive(Debug, Clone)]
struct Found {
    /// Token range, inclusive.
    first: usize,
    last: usize,
    /// The last token is read without its possessive `'s`.
    bare: bool,
    names: Vec<u32>,
    exact: bool,
    score: f64,
}

impl TitleIndex {
    /// The archive's films named in `text` (a chat message, say), in the order they are
    /// named, each once. See the module documentation for what counts as naming a film.
    /// Reads at most [`MAX_SPOT_CHARS`] characters.
    pub fn spot(&self, text: &str) -> Vec<Spotted> {
        let text = match text.char_indices().nth(MAX_SPOT_CHARS) {
            Some((cut, _)) => text.get(..cut).unwrap_or(text),
            None => text,
        };
        let spot = self.spot.get_or_init(|| SpotIndex::build(self));
        let message = Text::new(text);
        if message.tokens.is_empty() || self.names.is_empty() {
            return Vec::new();
        }
        let mut found = Vec::new();
        self.exact_windows(spot, &message, &mut found);
        self.sequels(&message, &mut found);
        self.typos(spot, &message, &mut found);
        let mut judged: Vec<Judged> = found
            .into_iter()
            .filter_map(|f| self.judge(&message, f))
            .collect();
        decide::decide_all(&message, &mut judged);
        self.chosen(&message, judged)
    }

    /// The spotted films: accepted windows, the longest first where they overlap, in text
    /// order, each film once.
    fn chosen(&self, message: &Text, mut judged: Vec<Judged>) -> Vec<Spotted> {
        judged.retain(|j| j.accepted);
        judged.sort_by(|a, b| {
            let len = |j: &Judged| j.span.end.saturating_sub(j.span.start);
            len(b)
                .cmp(&len(a))
                .then(b.found.exact.cmp(&a.found.exact))
                .then(b.found.score.total_cmp(&a.found.score))
                .then(a.span.start.cmp(&b.span.start))
        });
        let mut kept: Vec<Judged> = Vec::new();
        for j in judged {
            if kept
                .iter()
                .all(|k| k.span.end <= j.span.start || j.span.end <= k.span.start)
            {
                kept.push(j);
            }
        }
        kept.sort_by_key(|j| j.span.start);
        let mut out: Vec<Spotted> = Vec::new();
        for j in kept {
            let Some(entry) = self.entry(j.entry) else {
                continue;
            };
            if out.iter().any(|s| s.id == entry.id) {
                continue;
            }
            out.push(Spotted {
                id: entry.id,
                title: self.strings.get(entry.title).to_owned(),
                year: entry.year,
                grade: entry.grade,
                bytes: message.byte(j.span.start)..message.byte(j.span.end),
                span: j.span,
                score: (j.found.score * 1000.0).round() / 1000.0,
                same_title: j
                    .same_title
                    .iter()
                    .filter_map(|&e| self.entry(e).map(|e| e.id))
                    .collect(),
            });
        }
        out
    }

    /// The names among `candidates` (found by a hash) whose key is `key`.
    fn named(&self, candidates: &[u32], key: &str) -> Vec<u32> {
        candidates
            .iter()
            .copied()
            .filter(|&n| self.name_key(n) == key)
            .collect()
    }

    fn name_key(&self, name: u32) -> &str {
        self.names
            .get(name as usize)
            .map_or("", |n| n.form(&self.strings).key)
    }

    fn name_compact(&self, name: u32) -> &str {
        self.compact(name)
    }

    fn name_entry(&self, name: u32) -> u32 {
        self.names.get(name as usize).map_or(0, |n| n.entry)
    }
}
