//! Spotting the archive's films in free text: "we watched the florida project last night,
//! and red rocket" names two films; "it was a good night out" names none.
//!
//! [`TitleIndex::spot`] cuts the message into words keyed exactly as titles are (see
//! `text`), and looks every window of words up in the index: exact keys (hashed word by
//! word, a window growing only while some title starts with it), the same letters spaced
//! differently (`spider man`), numbers spelled the other way (`paddington two`), a sequel
//! number after a title (`godfather 2` for *The Godfather Part II*), and a typo in a long
//! title (`the shawshank redemtion`), found from a rarer word of it that was typed right.
//!
//! A window that matches is not yet a mention. What its words are (see `vocab`) decides how
//! much evidence it needs:
//!
//! * a title with a **rare** word (`Rashomon`, `Seven Samurai`), or three everyday words or
//!   more (`Distant Voices, Still Lives`), or a place and a word (`Tokyo Story`), is taken
//!   as it is, in any case;
//! * a title of **everyday words** (`Vertigo`, `Taxi Driver`, `The General`) needs a sign it
//!   is a title: quotes or markdown emphasis around it, a year next to it, capitals in the
//!   middle of a sentence (not the start of a longer capitalised name), a verb of watching
//!   or the word film just before it, or the whole message being the title; or, when the
//!   message is about films (a word like `movie` or `rewatch`, or another film spotted),
//!   capitals anywhere, or a place where a list of films runs on (`rashomon and vertigo`);
//! * a **short** title (three letters or fewer: `It`, `Up`, `Her`) needs quotes, a year,
//!   or a capital in the middle of a sentence; a **number** (`300`, `1941`) needs quotes,
//!   a year, a verb of watching before it, or a list of films.
//!
//! Whatever the title, a year that fits none of the films of that title (`Alien (1992)`),
//! a sequel number the archive does not have (`godfather 3`), or a possessive before it
//! (`my godfather`) means the message is about something else. A year picks the film among
//! remakes. Mentions do not overlap (the longest wins: `Blade Runner 2049` is not also
//! `Blade Runner`), and each film is returned once, in the order of the text.

mod index;
mod text;
mod vocab;

#[cfg(test)]
mod tests;

use std::ops::Range;

use crate::review::grade::Grade;
use crate::search::normalize::ARTICLES;
use crate::search::query::NUMBER_WORDS;
use crate::search::score::{edit_similarity, SAME_LETTERS};
use crate::search::TitleIndex;
pub(crate) use index::SpotIndex;
use index::{feed, hash, FNV_OFFSET, LONG_NAME};
use text::{ends_sentence, Case, Text, Token};
use vocab::{class, Class};

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

/// How much a title's own words say that it is a title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Has a rare word.
    Distinctive,
    /// Three everyday words or more, or a place or name with another word.
    Telling,
    /// Everyday words.
    Plain,
    /// Three letters or fewer.
    Short,
    /// Only a number.
    Numeric,
}

/// What the message says about one window.
#[derive(Debug, Clone, Copy, Default)]
struct Evidence {
    /// Quotes, italics or bold around it.
    marked: bool,
    /// A year next to it fits one of the films.
    year: bool,
    /// A year next to it fits none: another film.
    contradicted: bool,
    /// A number right after it that is not a sequel the archive has.
    sequel: bool,
    /// The message is the title and nothing else.
    whole: bool,
    /// `watched`, `saw`, `the film` just before it.
    cue_before: bool,
    /// `to`, `in`, `from` … just before it: a place.
    place_before: bool,
    /// `my`, `a`, `his` … just before it (not the title's own article).
    determiner_before: bool,
    /// `and`, `or`, a comma … just before it: it may go on a list of films.
    linked: bool,
    /// Capitals on its words, in the middle of a sentence.
    capital_mid: bool,
    /// Capitals on its words, at the start of a sentence.
    capital_start: bool,
    /// All its words are places or names.
    proper_only: bool,
    /// A plural noun after a number (`300 people`).
    plural_after: bool,
}

/// A found window, resolved to a film and weighed.
#[derive(Debug, Clone)]
struct Judged {
    found: Found,
    /// First token, with the title's article when it was typed.
    first: usize,
    entry: u32,
    same_title: Vec<u32>,
    kind: Kind,
    evidence: Evidence,
    /// Letters of the name matched (for typo rules).
    name_letters: usize,
    /// Words of the window that are neither function words nor numbers.
    content_words: usize,
    accepted: bool,
    span: Range<usize>,
}

/// Verbs of watching and words for a film, right before a title.
const CUES_BEFORE: &[&str] = &[
    "watch",
    "watched",
    "watching",
    "watches",
    "rewatch",
    "rewatched",
    "rewatching",
    "rewatches",
    "saw",
    "seen",
    "see",
    "seeing",
    "stream",
    "streamed",
    "streaming",
    "recommend",
    "recommended",
    "movie",
    "film",
    "flick",
    "classic",
    "documentary",
];

/// Words that make a message one about films.
const FILM_TALK: &[&str] = &[
    "movie",
    "movies",
    "film",
    "films",
    "flick",
    "flicks",
    "cinema",
    "cinemas",
    "theater",
    "theatre",
    "screening",
    "screenings",
    "rewatch",
    "rewatched",
    "rewatching",
    "rewatches",
    "watched",
    "watching",
    "director",
    "directors",
    "directed",
    "sequel",
    "sequels",
    "prequel",
    "remake",
    "remakes",
    "trailer",
    "trailers",
    "actor",
    "actors",
    "actress",
    "performance",
    "screenplay",
    "oscar",
    "oscars",
    "criterion",
    "bluray",
    "dvd",
    "netflix",
    "letterboxd",
    "imdb",
    "critic",
    "critics",
    "reviewed",
    "cinematography",
    "soundtrack",
    "spoiler",
    "spoilers",
    "runtime",
    "masterpiece",
    "franchise",
    "ending",
    "scene",
    "scenes",
    "plot",
    "premiere",
    "matinee",
    "popcorn",
];

/// Words before a place, whatever its name: `down Sunset Boulevard`.
const PLACE_BEFORE: &[&str] = &[
    "via", "through", "across", "outside", "visiting", "visit", "visited", "towards", "toward",
    "down", "along", "off", "flew", "fly", "flying", "drove", "driving", "moved", "living",
    "lived", "born", "near",
];
/// Words before a place named as one (`in Casablanca`), which before everyday words are as
/// often before a film (`Keaton in The General`).
const PLACE_NAME_BEFORE: &[&str] = &["to", "from", "in", "into", "at", "on", "around", "inside"];

/// Words before a noun that a title does not follow.
const DETERMINERS: &[&str] = &[
    "my", "your", "his", "her", "our", "their", "a", "an", "some", "its",
];

/// Words that run a list on.
const LINKERS: &[&str] = &["and", "or", "then", "plus", "vs", "versus", "nor", "also"];

/// Years a number next to a title may be.
const YEARS: std::ops::RangeInclusive<u32> = 1870..=2100;

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
        decide_all(&message, &mut judged);
        self.chosen(&message, judged)
    }

    /// Every window whose key (or space-free form, or form with numbers spelled the other
    /// way) is a name's.
    fn exact_windows(&self, spot: &SpotIndex, message: &Text, out: &mut Vec<Found>) {
        let tokens = &message.tokens;
        let reach = spot.max_words.max(1);
        // Tokens up to each one that are numbers spelled one way or the other.
        let mut numbers_before = Vec::with_capacity(tokens.len() + 1);
        numbers_before.push(0usize);
        for token in tokens {
            let count = numbers_before.last().copied().unwrap_or(0);
            numbers_before.push(count + usize::from(swapped(&token.key).is_some()));
        }
        for start in 0..tokens.len() {
            let end = (start + reach).min(tokens.len());
            let window = tokens.get(start..end).unwrap_or(&[]);
            self.walk(spot, window, start, |t| t.key.clone(), 1.0, out);
            let numbers = |at: usize| numbers_before.get(at).copied().unwrap_or(0);
            if numbers(end) > numbers(start) {
                let other = |t: &Token| swapped(&t.key).unwrap_or_else(|| t.key.clone());
                self.walk(spot, window, start, other, SAME_LETTERS, out);
            }
            self.spacing(spot, window, start, out);
        }
    }

    /// Grows a window from `start` word by word while some name starts with it, recording
    /// each one that is a name. A possessive last word is tried without its `'s` first.
    fn walk(
        &self,
        spot: &SpotIndex,
        window: &[Token],
        start: usize,
        word_of: impl Fn(&Token) -> String,
        score: f64,
        out: &mut Vec<Found>,
    ) {
        let mut h = FNV_OFFSET;
        let mut key = String::new();
        for (offset, token) in window.iter().enumerate() {
            if offset > 0 {
                if token.sentence_start {
                    break;
                }
                h = feed(h, b" ");
                key.push(' ');
            }
            let mut matched_bare = false;
            if let Some(bare) = &token.bare {
                let with_bare = feed(h, bare.as_bytes());
                if spot.has_key(with_bare) {
                    let names = self.with_key(&format!("{key}{bare}"));
                    if !names.is_empty() {
                        matched_bare = true;
                        out.push(Found {
                            first: start,
                            last: start + offset,
                            bare: true,
                            names: names.to_vec(),
                            exact: true,
                            score,
                        });
                    }
                }
            }
            let word = word_of(token);
            h = feed(h, word.as_bytes());
            key.push_str(&word);
            if !matched_bare && spot.has_key(h) {
                let names = self.with_key(&key);
                if !names.is_empty() {
                    out.push(Found {
                        first: start,
                        last: start + offset,
                        bare: false,
                        names: names.to_vec(),
                        exact: true,
                        score,
                    });
                }
            }
            if !spot.has_prefix(h) {
                break;
            }
        }
    }

    /// Windows of up to three words that are a name spaced differently (`spiderman` for
    /// `Spider-Man`, `super man ii`).
    fn spacing(&self, spot: &SpotIndex, window: &[Token], start: usize, out: &mut Vec<Found>) {
        let mut compact = String::new();
        let mut key = String::new();
        for (offset, token) in window.iter().take(3).enumerate() {
            if offset > 0 && token.sentence_start {
                break;
            }
            compact.push_str(&token.key);
            if offset > 0 {
                key.push(' ');
            }
            key.push_str(&token.key);
            if !spot.has_compact(hash(&compact)) {
                continue;
            }
            let names: Vec<u32> = self
                .with_compact(&compact)
                .iter()
                .copied()
                .filter(|&n| self.name_key(n) != key)
                .collect();
            if !names.is_empty() {
                out.push(Found {
                    first: start,
                    last: start + offset,
                    bare: false,
                    names,
                    exact: true,
                    score: SAME_LETTERS,
                });
            }
        }
    }

    /// A title followed by a sequel number (`godfather 2`, `godfather part ii`) is the
    /// sequel when the archive has it under `title N`, `title part N` or `title chapter N`.
    fn sequels(&self, message: &Text, out: &mut Vec<Found>) {
        let mut more = Vec::new();
        for found in out.iter().filter(|f| !f.bare) {
            let Some((number, last)) = sequel_number(message, found.last) else {
                continue;
            };
            let key = window_key(&message.tokens, found.first, found.last, false);
            for form in [
                format!("{key} {number}"),
                format!("{key} part {number}"),
                format!("{key} chapter {number}"),
            ] {
                let names = self.with_key(&form);
                if !names.is_empty() {
                    more.push(Found {
                        first: found.first,
                        last,
                        bare: false,
                        names: names.to_vec(),
                        exact: true,
                        score: score_cap(found.score),
                    });
                    break;
                }
            }
        }
        out.extend(more);
    }

    /// Windows that a long name matches but for a typo or two: found from a word of the
    /// name typed right (one few names share), or, for a window of up to ten letters, from
    /// the names one edit away.
    fn typos(&self, spot: &SpotIndex, message: &Text, out: &mut Vec<Found>) {
        let tokens = &message.tokens;
        let mut seen: Vec<(usize, usize, u32)> = Vec::new();
        for (at, token) in tokens.iter().enumerate() {
            if token.key.len() < 3 || class(&token.key) == Class::Function {
                continue;
            }
            for name in spot.anchored(hash(&token.key)) {
                if let Some(found) = self.near_window(message, at, name) {
                    if !seen.contains(&(found.first, found.last, name)) {
                        seen.push((found.first, found.last, name));
                        out.push(found);
                    }
                }
            }
        }
        for start in 0..tokens.len() {
            let mut compact = String::new();
            let mut rare = false;
            for (offset, token) in tokens
                .get(start..)
                .unwrap_or(&[])
                .iter()
                .take(3)
                .enumerate()
            {
                if offset > 0 && token.sentence_start {
                    break;
                }
                compact.push_str(&token.key);
                rare |= class(&token.key) == Class::Rare;
                if !rare || !(7..=LONG_NAME + 1).contains(&compact.len()) {
                    continue;
                }
                for name in self.grams.within_one_edit(&compact) {
                    let own = self.name_compact(name);
                    let last = start + offset;
                    if own.len() >= 7
                        && own != compact
                        && own.get(..1) == compact.get(..1)
                        && numbers(own) == numbers(&compact)
                        && rapidfuzz::distance::osa::distance(own.chars(), compact.chars()) == 1
                        && !seen.contains(&(start, last, name))
                    {
                        seen.push((start, last, name));
                        out.push(Found {
                            first: start,
                            last,
                            bare: false,
                            names: vec![name],
                            exact: false,
                            score: score_cap(1.0 - 1.0 / own.len() as f64),
                        });
                    }
                }
            }
        }
    }

    /// The window around token `at` (a word of `name`) closest to the name, if it is close
    /// enough: a few windows are compared, placed as the word sits in the name, a word
    /// longer or shorter, shifted by one.
    fn near_window(&self, message: &Text, at: usize, name: u32) -> Option<Found> {
        let tokens = &message.tokens;
        let own = self.name_key(name);
        let words: Vec<&str> = own.split(' ').collect();
        let allowed = typos_allowed(self.name_compact(name).len());
        // (typos, a word more or fewer than the name, first, last)
        let mut best: Option<(usize, bool, usize, usize)> = None;
        for position in words
            .iter()
            .enumerate()
            .filter(|(_, w)| **w == tokens.get(at).map_or("", |t| t.key.as_str()))
            .map(|(p, _)| p)
        {
            let Some(origin) = at.checked_sub(position) else {
                continue;
            };
            for start in [origin.checked_sub(1), Some(origin), Some(origin + 1)]
                .into_iter()
                .flatten()
            {
                for len in [words.len().saturating_sub(1), words.len(), words.len() + 1] {
                    let last = start + len.max(1) - 1;
                    if len == 0 || start > at || last < at || last >= tokens.len() {
                        continue;
                    }
                    if tokens
                        .get(start + 1..=last)
                        .unwrap_or(&[])
                        .iter()
                        .any(|t| t.sentence_start)
                    {
                        continue;
                    }
                    let key = window_key(tokens, start, last, false);
                    if key == own || numbers(&key) != numbers(own) {
                        continue;
                    }
                    let Some(distance) = bounded_distance(&key, own, allowed) else {
                        continue;
                    };
                    let candidate = (distance, len != words.len(), start, last);
                    let better = best.is_none_or(|b| (candidate.0, candidate.1) < (b.0, b.1));
                    if better && ends_alike(&key, own) {
                        best = Some(candidate);
                    }
                }
            }
        }
        let (distance, _, first, last) = best?;
        let letters = own.len().max(1) as f64;
        Some(Found {
            first,
            last,
            bare: false,
            names: vec![name],
            exact: false,
            score: score_cap(1.0 - distance as f64 / letters),
        })
    }

    /// Resolves a window to its film (by a year next to it, else the oldest of the films of
    /// that title) and gathers the evidence; `None` when it names nothing.
    fn judge(&self, message: &Text, found: Found) -> Option<Judged> {
        let tokens = &message.tokens;
        let entries = self.entries_of(&found);
        if entries.is_empty() {
            return None;
        }
        if self.more_commas_than_title(message, &found) {
            // `I want everything, everywhere, all at once`: a list, not the title.
            return None;
        }
        let first = self.with_typed_article(message, &found);
        let mut evidence = Evidence::default();
        let after = year_after(message, found.last);
        let year = after.or_else(|| year_before(message, first));
        let (entry, same_title) = self.film_of(entries, year, &found, &mut evidence);
        evidence.sequel = year.is_none() && sequel_number(message, found.last).is_some();
        let (classes, kind) = self.window_kind(message, &found);
        let (start_char, end_char, title_start) = span_of(message, &found, first);
        evidence.marked = marked(message, start_char, end_char, found.last)
            || marked(message, title_start, end_char, found.last);
        evidence.proper_only = classes
            .iter()
            .all(|c| matches!(c, Class::Proper | Class::Function | Class::Number))
            && classes.contains(&Class::Proper);
        let proper = classes.contains(&Class::Proper);
        self.context_before(message, first, proper, &mut evidence);
        capitals(message, &found, first, &classes, &mut evidence);
        let year_token = usize::from(year.is_some());
        evidence.whole = tokens.len() == found.last + 1 - first + year_token
            && (first == 0 || (after.is_none() && first == year_token));
        evidence.plural_after = plural_after(message, found.last);
        let name_letters = found
            .names
            .first()
            .map_or(0, |&n| self.name_compact(n).len());
        Some(Judged {
            span: start_char..end_char,
            first,
            entry,
            same_title,
            kind,
            evidence,
            name_letters,
            content_words: classes
                .iter()
                .filter(|c| !matches!(c, Class::Function | Class::Number))
                .count(),
            accepted: false,
            found,
        })
    }

    /// The films a window's names belong to, each once.
    fn entries_of(&self, found: &Found) -> Vec<u32> {
        let mut entries: Vec<u32> = found
            .names
            .iter()
            .filter_map(|&n| self.names.get(n as usize).map(|name| name.entry))
            .collect();
        entries.sort_unstable();
        entries.dedup();
        entries
    }

    /// The film a window means among `entries` (its films), and the others of the same title
    /// it could mean as well: the one of the year next to it (or a year off), else the oldest.
    /// A year that fits none of them contradicts the mention.
    fn film_of(
        &self,
        mut entries: Vec<u32>,
        year: Option<i32>,
        found: &Found,
        evidence: &mut Evidence,
    ) -> (u32, Vec<u32>) {
        let year_of = |e: &u32| self.entry(*e).and_then(|e| e.year);
        if let Some(year) = year {
            let exact: Vec<u32> = entries
                .iter()
                .copied()
                .filter(|e| year_of(e) == Some(year))
                .collect();
            let near: Vec<u32> = entries
                .iter()
                .copied()
                .filter(|e| year_of(e).is_some_and(|y| y.abs_diff(year) == 1))
                .collect();
            entries = if exact.is_empty() { near } else { exact };
            evidence.year = !entries.is_empty();
            evidence.contradicted = entries.is_empty();
        }
        entries.sort_by_key(|e| (year_of(e).unwrap_or(i32::MAX), *e));
        match entries.split_first() {
            Some((entry, rest)) if year.is_none() => (*entry, rest.to_vec()),
            Some((entry, _)) => (*entry, Vec::new()),
            None => (
                found.names.first().map_or(0, |&n| self.name_entry(n)),
                Vec::new(),
            ),
        }
    }

    /// The classes of a window's words and what kind of title they make (for a typo or words
    /// run together, no stronger than the name's own words).
    fn window_kind(&self, message: &Text, found: &Found) -> (Vec<Class>, Kind) {
        let words: Vec<&Token> = message
            .tokens
            .get(found.first..=found.last)
            .unwrap_or(&[])
            .iter()
            .collect();
        let keys: Vec<&str> = words
            .iter()
            .enumerate()
            .map(|(i, t)| {
                if found.bare && i + 1 == words.len() {
                    t.bare.as_deref().unwrap_or(&t.key)
                } else {
                    t.key.as_str()
                }
            })
            .collect();
        let classes: Vec<Class> = keys.iter().map(|k| class(k)).collect();
        let mut kind = kind_of(&keys, &classes);
        let joined = found.score < 1.0 && found.exact;
        if !found.exact || joined {
            // A typo can make everyday words look rare (`watchin`), and so can words run
            // together (`everyday` for `Every Day`): the name's own words must be telling too.
            let own: Vec<&str> = found
                .names
                .first()
                .map_or("", |&n| self.name_key(n))
                .split(' ')
                .collect();
            let own_classes: Vec<Class> = own.iter().map(|k| class(k)).collect();
            kind = weaker(kind, kind_of(&own, &own_classes));
        }
        (classes, kind)
    }

    /// True when the window's words are separated by more commas than any of its names has
    /// (`Distant Voices, Still Lives` has one).
    fn more_commas_than_title(&self, message: &Text, found: &Found) -> bool {
        let typed: usize = (found.first..found.last)
            .map(|i| message.between(i, i + 1).matches(',').count())
            .sum();
        typed > 0
            && found.names.iter().all(|&n| {
                self.names
                    .get(n as usize)
                    .is_none_or(|name| self.strings.get(name.written).matches(',').count() < typed)
            })
    }

    /// The window's first token, or the article before it when the title has that article
    /// (`the godfather`).
    fn with_typed_article(&self, message: &Text, found: &Found) -> usize {
        let Some(before) = found.first.checked_sub(1) else {
            return found.first;
        };
        let (Some(article), Some(title_start)) =
            (message.tokens.get(before), message.tokens.get(found.first))
        else {
            return found.first;
        };
        if !ARTICLES.contains(&article.key.as_str()) || title_start.sentence_start {
            return found.first;
        }
        let has_it = found.names.iter().any(|&n| {
            self.names
                .get(n as usize)
                .and_then(|name| name.with_article)
                .is_some_and(|w| {
                    w.form(&self.strings).key.split(' ').next() == Some(article.key.as_str())
                })
        });
        if has_it {
            before
        } else {
            found.first
        }
    }

    /// What the word before the mention says.
    fn context_before(&self, message: &Text, first: usize, proper: bool, evidence: &mut Evidence) {
        let Some(before) = first.checked_sub(1) else {
            return;
        };
        let (Some(prev), Some(token)) = (message.tokens.get(before), message.tokens.get(first))
        else {
            return;
        };
        if token.sentence_start || ends_sentence(message.between(before, first)) {
            return;
        }
        let key = prev.key.as_str();
        evidence.cue_before = CUES_BEFORE.contains(&key);
        evidence.place_before =
            PLACE_BEFORE.contains(&key) || (proper && PLACE_NAME_BEFORE.contains(&key));
        evidence.linked = LINKERS.contains(&key) || message.between(before, first).contains(',');
        evidence.determiner_before = DETERMINERS.contains(&key);
    }

    /// The spotted films: accepted windows, the longest first where they overlap, in text
    /// order, each film once.
    fn chosen(&self, message: &Text, mut judged: Vec<Judged>) -> Vec<Spotted> {
        judged.retain(|j| j.accepted);
        judged.sort_by(|a, b| {
            let len = |j: &Judged| j.span.end - j.span.start;
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

/// Decides every window: first on its own evidence, then again while the message turns out
/// to be about films (a word of film talk, or films already spotted), until nothing changes.
fn decide_all(message: &Text, judged: &mut [Judged]) {
    let talk = message
        .tokens
        .iter()
        .any(|t| FILM_TALK.contains(&t.key.as_str()));
    let shouting = message.capitalised_share() >= 0.6;
    if shouting {
        for j in judged.iter_mut() {
            j.evidence.capital_mid = false;
            j.evidence.capital_start = false;
        }
    }
    for j in judged.iter_mut() {
        j.accepted = accept(j, false, false);
    }
    for _ in 0..8 {
        let mut changed = false;
        for i in 0..judged.len() {
            if judged.get(i).is_none_or(|j| j.accepted) {
                continue;
            }
            let (films, listed) = neighbours(message, judged, i);
            let context = talk || films;
            if let Some(j) = judged.get_mut(i) {
                if accept(j, context, listed) {
                    j.accepted = true;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
}

/// Whether another accepted window (not overlapping window `i`) exists, and whether one is
/// next to it in a list (`rashomon, vertigo and alien`).
fn neighbours(message: &Text, judged: &[Judged], i: usize) -> (bool, bool) {
    let Some(me) = judged.get(i) else {
        return (false, false);
    };
    let mut films = false;
    let mut listed = false;
    for other in judged.iter().filter(|o| o.accepted) {
        let apart = other.found.last < me.first || me.found.last < other.first;
        if !apart {
            continue;
        }
        films = true;
        let (a_last, b_first) = if other.found.last < me.first {
            (other.found.last, me.first)
        } else {
            (me.found.last, other.first)
        };
        listed |= links(message, a_last, b_first);
    }
    (films, listed)
}

/// True when tokens `a` and `b` are neighbours in a list: between them only a comma, a
/// slash, an `and`, an `or`, a `then` …
fn links(message: &Text, a: usize, b: usize) -> bool {
    if b <= a || b - a > 2 {
        return false;
    }
    let joined = if b - a == 2 {
        message
            .tokens
            .get(a + 1)
            .is_some_and(|t| LINKERS.contains(&t.key.as_str()))
    } else {
        let gap = message.between(a, b);
        gap.contains([',', '/', '+', ';', '&', '|']) || gap.contains(" - ")
    };
    let gap = message.between(a, b);
    joined && !ends_sentence(gap)
}

/// Whether a window is a mention, given its evidence, whether the message is about films
/// and whether it stands in a list of spotted films.
fn accept(j: &Judged, context: bool, listed: bool) -> bool {
    let e = &j.evidence;
    if e.contradicted || e.sequel {
        return false;
    }
    if e.marked || e.year {
        return true;
    }
    if e.determiner_before {
        return false;
    }
    let fuzzy = !j.found.exact;
    match j.kind {
        Kind::Distinctive => true,
        Kind::Telling => !e.place_before,
        Kind::Plain if fuzzy => e.capital_mid && j.name_letters >= 12 && !e.place_before,
        Kind::Plain => {
            let on_its_own = e.whole || e.cue_before || (e.capital_mid && !e.place_before);
            let in_film_talk = context
                && (listed
                    || (e.linked && j.content_words >= 2)
                    || (!e.place_before && (e.capital_start || e.capital_mid || e.proper_only)));
            on_its_own || in_film_talk
        }
        Kind::Short => e.capital_mid || (context && listed && e.capital_start),
        Kind::Numeric => (e.cue_before && !e.plural_after) || (context && listed),
    }
}

/// Where a mention is, in characters: from `first` (with a typed article) to the window's
/// end (a bare last word without its `'s`), and where the title itself starts.
fn span_of(message: &Text, found: &Found, first: usize) -> (usize, usize, usize) {
    let tokens = &message.tokens;
    let start_char = tokens.get(first).map_or(0, |t| t.chars.start);
    let end_char = tokens.get(found.last).map_or(start_char, |t| {
        if found.bare {
            t.bare_end
        } else {
            t.chars.end
        }
    });
    let title_start = tokens
        .get(found.first)
        .map_or(start_char, |t| t.chars.start);
    (start_char, end_char, title_start)
}

/// The kind that needs more evidence.
fn weaker(a: Kind, b: Kind) -> Kind {
    let strength = |k: Kind| match k {
        Kind::Distinctive => 3,
        Kind::Telling => 2,
        Kind::Plain => 1,
        Kind::Short | Kind::Numeric => 0,
    };
    if strength(b) < strength(a) {
        b
    } else {
        a
    }
}

/// What kind of title words `keys` are.
fn kind_of(keys: &[&str], classes: &[Class]) -> Kind {
    let letters: usize = keys.iter().map(|k| k.len()).sum();
    let content: Vec<Class> = classes
        .iter()
        .copied()
        .filter(|c| !matches!(c, Class::Function | Class::Number))
        .collect();
    let numbers = classes.iter().filter(|c| **c == Class::Number).count();
    if content.is_empty() && numbers > 0 {
        return Kind::Numeric;
    }
    if letters <= 3 {
        return Kind::Short;
    }
    if content.contains(&Class::Rare) {
        Kind::Distinctive
    } else if content.len() + numbers >= 3
        || (content.len() >= 2 && content.contains(&Class::Proper))
    {
        Kind::Telling
    } else {
        Kind::Plain
    }
}

/// Sets the capital evidence: every content word of the window capitalised, with one that
/// is an everyday word in the middle of a sentence (`capital_mid`) or at its start
/// (`capital_start`); not when the capitals run on into the words around it (`the General
/// Assembly`), which makes it part of a longer name.
fn capitals(
    message: &Text,
    found: &Found,
    typed_first: usize,
    classes: &[Class],
    evidence: &mut Evidence,
) {
    let (first, last) = (typed_first, found.last);
    let tokens = message.tokens.get(found.first..=last).unwrap_or(&[]);
    let content: Vec<(&Token, Class)> = tokens
        .iter()
        .zip(classes.iter().copied())
        .filter(|(_, c)| !matches!(c, Class::Function | Class::Number))
        .collect();
    let content: Vec<(&Token, Class)> = if content.is_empty() {
        tokens.iter().zip(classes.iter().copied()).collect()
    } else {
        content
    };
    let short = tokens.iter().map(|t| t.key.len()).sum::<usize>() <= 3;
    let capital = |t: &Token| t.case == Case::Capital || (t.case == Case::Upper && !short);
    if content.is_empty() || !content.iter().all(|(t, _)| capital(t)) {
        return;
    }
    let runs_on = |i: Option<usize>| {
        i.and_then(|i| message.tokens.get(i)).is_some_and(|t| {
            capital(t) && !t.sentence_start && t.key != "1" && class(&t.key) != Class::Number
        })
    };
    let after = last + 1;
    let next_runs_on = runs_on(Some(after))
        && message.tokens.get(after).is_some_and(|_| {
            let gap = message.between(last, after);
            gap.chars().all(char::is_whitespace)
        });
    let prev_runs_on = first.checked_sub(1).is_some_and(|p| {
        runs_on(Some(p))
            && message.tokens.get(first).is_some_and(|t| !t.sentence_start)
            && message.between(p, first).chars().all(char::is_whitespace)
    });
    if next_runs_on || prev_runs_on {
        return;
    }
    if content
        .iter()
        .any(|(t, c)| *c != Class::Proper && !t.sentence_start)
    {
        evidence.capital_mid = true;
    } else {
        evidence.capital_start = true;
    }
}

/// True when the characters before `start` and after `end` are quotes or markdown
/// emphasis (`"Alien"`, `*Red Rocket*`, `_Alien_`, “Alien”), allowing a stop or comma
/// inside the closing mark.
fn marked(message: &Text, start: usize, end: usize, last: usize) -> bool {
    const OPEN: &[char] = &[
        '"', '\u{201c}', '\u{201d}', '\u{201e}', '\u{ab}', '\u{2018}', '\'', '*', '_', '`',
    ];
    const CLOSE: &[char] = &[
        '"', '\u{201d}', '\u{201c}', '\u{bb}', '\u{2019}', '\'', '*', '_', '`',
    ];
    let opened = message
        .char_before(start)
        .is_some_and(|c| OPEN.contains(&c));
    let after = message.after_char(end, last + 1);
    let closing = after.trim_start_matches(['.', ',', '!', '?', ':', ';']);
    let closed = closing.chars().next().is_some_and(|c| CLOSE.contains(&c))
        || message.char_at(end).is_some_and(|c| CLOSE.contains(&c));
    opened && closed
}

/// A year right after token `last`: `Alien (1979)`, `alien 1979`, `Alien, 1979`.
fn year_after(message: &Text, last: usize) -> Option<i32> {
    let next = last + 1;
    let token = message.tokens.get(next)?;
    let gap = message.between(last, next);
    let plain = gap.chars().all(|c| {
        c.is_whitespace() || "([{,-\u{2013}\u{2014}'\u{2019}\"\u{201c}\u{201d}*_".contains(c)
    });
    year_of(token).filter(|_| plain)
}

/// A year right before token `first`: `the 1976 king kong`.
fn year_before(message: &Text, first: usize) -> Option<i32> {
    let before = first.checked_sub(1)?;
    let token = message.tokens.get(before)?;
    let plain = message
        .between(before, first)
        .chars()
        .all(char::is_whitespace);
    year_of(token).filter(|_| plain)
}

fn year_of(token: &Token) -> Option<i32> {
    if !token.digits || token.key.len() != 4 {
        return None;
    }
    let year: u32 = token.key.parse().ok()?;
    if YEARS.contains(&year) {
        i32::try_from(year).ok()
    } else {
        None
    }
}

/// A sequel number right after token `last` (`2`, `ii`, `part 2`, `pt. iii`), with the
/// token it ends at. The pronoun `I` is not a number.
fn sequel_number(message: &Text, last: usize) -> Option<(u32, usize)> {
    let mut at = last + 1;
    let gap_ok = |a: usize, b: usize, dot: bool| {
        message
            .between(a, b)
            .chars()
            .all(|c| c.is_whitespace() || ":-,".contains(c) || (dot && c == '.'))
    };
    let mut token = message.tokens.get(at)?;
    if !gap_ok(last, at, false) {
        return None;
    }
    if ["part", "pt", "chapter", "episode", "vol", "volume"].contains(&token.key.as_str()) {
        let next = message.tokens.get(at + 1)?;
        if !gap_ok(at, at + 1, true) {
            return None;
        }
        at += 1;
        token = next;
    }
    let written_i = token.key == "1" && !token.digits;
    let digits = if token.key.bytes().all(|b| b.is_ascii_digit()) {
        token.key.clone()
    } else {
        swapped(&token.key).unwrap_or_default()
    };
    if written_i || digits.len() > 2 {
        return None;
    }
    let number: u32 = digits.parse().ok()?;
    (1..=39).contains(&number).then_some((number, at))
}

/// A lower-case plural noun right after token `last` (`300 people`, `1941 films`).
fn plural_after(message: &Text, last: usize) -> bool {
    message.tokens.get(last + 1).is_some_and(|t| {
        t.case == Case::Lower
            && t.key.len() > 3
            && t.key.ends_with('s')
            && class(&t.key) != Class::Function
            && !ends_sentence(message.between(last, last + 1))
    })
}

/// The key of tokens `first..=last`.
fn window_key(tokens: &[Token], first: usize, last: usize, bare: bool) -> String {
    let words = tokens.get(first..=last).unwrap_or(&[]);
    let mut key = String::new();
    for (i, token) in words.iter().enumerate() {
        if i > 0 {
            key.push(' ');
        }
        if bare && i + 1 == words.len() {
            key.push_str(token.bare.as_deref().unwrap_or(&token.key));
        } else {
            key.push_str(&token.key);
        }
    }
    key
}

/// A number from one to twenty spelled the other way (`2` ↔ `two`), as titles are searched.
fn swapped(word: &str) -> Option<String> {
    match word.parse::<usize>() {
        Ok(n) if !word.starts_with('0') => NUMBER_WORDS
            .get(n)
            .filter(|_| n > 0)
            .map(|w| (*w).to_owned()),
        Ok(_) => None,
        Err(_) => NUMBER_WORDS
            .iter()
            .skip(1)
            .position(|w| *w == word)
            .map(|at| (at + 1).to_string()),
    }
}

/// The runs of digits in a key or a space-free key, in order: `paddington 2` and
/// `paddington3` differ in them, as a sequel differs from another.
fn numbers(key: &str) -> Vec<&str> {
    key.split(|c: char| !c.is_ascii_digit())
        .filter(|w| !w.is_empty())
        .collect()
}

/// How many typos a name of `letters` letters may carry.
fn typos_allowed(letters: usize) -> usize {
    match letters {
        0..LONG_NAME => 0,
        LONG_NAME..=15 => 1,
        16..=24 => 2,
        _ => 3,
    }
}

/// The edit distance (with transpositions) when it is at most `allowed` (and not zero).
fn bounded_distance(a: &str, b: &str, allowed: usize) -> Option<usize> {
    if allowed == 0 || a.len().abs_diff(b.len()) > allowed {
        return None;
    }
    let longer = a.len().max(b.len()).max(1);
    let floor = 1.0 - allowed as f64 / longer as f64;
    if edit_similarity(a, b, floor) <= 0.0 {
        return None;
    }
    let distance = rapidfuzz::distance::osa::distance(a.chars(), b.chars());
    (1..=allowed).contains(&distance).then_some(distance)
}

/// True when the first and last words of two keys are alike (equal, or one edit apart for
/// longer words), so a window does not take in a word either side of the title.
fn ends_alike(a: &str, b: &str) -> bool {
    let alike = |x: &str, y: &str| {
        x == y
            || (x.len().min(y.len()) >= 4
                && rapidfuzz::distance::osa::distance(x.chars(), y.chars()) <= 1)
    };
    let first = |s: &str| s.split(' ').next().unwrap_or("").to_owned();
    let last = |s: &str| s.rsplit(' ').next().unwrap_or("").to_owned();
    alike(&first(a), &first(b)) && alike(&last(a), &last(b))
}

/// Scores of inexact matches stay below an exact key's.
fn score_cap(score: f64) -> f64 {
    score.clamp(0.0, crate::search::score::FUZZY_CAP)
}
