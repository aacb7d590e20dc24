//! Title search over the review archive: forgiving of typos, missing words, punctuation,
//! articles, accents and numeral styles, and able to tell remakes apart by year.
//!
//! [`TitleIndex`] is built once from every reviewed film and is then read-only, so it can be
//! shared between threads. A search normalises the query ([`normalize`]), picks a hundred
//! or so candidate names from a trigram index (see `grams`), scores them with string
//! metrics (see `score`) and ranks the films.

mod grams;
mod names;
mod normalize;
pub mod people;
mod query;
mod score;
mod spot;
mod strings;
pub mod words;

#[cfg(test)]
mod tests;

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

use crate::review::grade::Grade;
use grams::GramIndex;
use names::{names_of, Name};
pub use normalize::normalize;
use query::{readings, Reading};
use score::Form;
pub use spot::{Spotted, MAX_SPOT_CHARS};
use strings::{Span, Strings};

/// The most candidates [`TitleIndex::autocomplete`] returns (Discord's limit).
pub const AUTOCOMPLETE_MAX: usize = 25;
/// Candidates scoring below this are not worth showing.
pub const MIN_CANDIDATE_SCORE: f64 = 0.4;

/// Invisible characters that join the letters around them into one word (U+2060 WORD JOINER,
/// U+FEFF ZERO WIDTH NO-BREAK SPACE, U+200D ZERO WIDTH JOINER, U+200C ZERO WIDTH NON-JOINER,
/// U+00AD SOFT HYPHEN): text pasted from the web carries them inside words.
pub(crate) const INVISIBLE_JOINERS: &[char] =
    &['\u{2060}', '\u{feff}', '\u{200d}', '\u{200c}', '\u{ad}'];

/// `text` without invisible joiners, so that `God⁠father` is searched as `Godfather`.
pub fn without_joiners(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains(INVISIBLE_JOINERS) {
        std::borrow::Cow::Owned(text.replace(INVISIBLE_JOINERS, ""))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The best candidate must score at least this to be reported as [`SearchOutcome::best`].
pub const MIN_BEST_SCORE: f64 = 0.6;
/// A runner-up within this distance of the best makes the outcome ambiguous.
pub const AMBIGUITY_GAP: f64 = 0.03;

/// Prefix matches looked at per search (the shortest completions are kept).
const PREFIX_SCAN: usize = 1000;
const PREFIX_KEEP: usize = 20;
/// One reviewed film, as the index needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// The review's id in the store.
    pub id: i64,
    /// The title the review is filed under.
    pub title: String,
    /// Other titles the film is known by (original-language titles), also searchable.
    pub alt_titles: Vec<String>,
    /// Release year, which tells remakes apart.
    pub year: Option<i32>,
    /// The critic's grade.
    pub grade: Grade,
}

/// A film that matches a query, with how well it matches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// The review's id in the store.
    #[serde(skip)]
    pub id: i64,
    /// The title the review is filed under (even when an alternative title matched).
    pub title: String,
    /// Release year.
    pub year: Option<i32>,
    /// The critic's grade.
    pub grade: Grade,
    /// Match quality from 0 to 1, rounded to 3 decimals; 1 means the normalised title (or
    /// title plus year) is exactly what was asked for.
    pub score: f64,
}

/// The result of [`TitleIndex::search`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchOutcome {
    /// The best match, when it is good enough to act on ([`MIN_BEST_SCORE`]).
    pub best: Option<Candidate>,
    /// Ranked candidates, best first; when `best` is set it is `candidates[0]`.
    pub candidates: Vec<Candidate>,
    /// The best match is not clear: the runner-up scores within [`AMBIGUITY_GAP`] of it, or
    /// several films share its title and no year was given. The caller should offer a choice.
    pub ambiguous: bool,
}

/// An in-memory index of every reviewed film's titles. Immutable once built.
///
/// Laid out flat: every string in one buffer, every lookup a sorted array, so that a saved
/// index decodes in a few large allocations (a one-shot `lookup` at 100k films) and takes
/// little memory in a long-running bot.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct TitleIndex {
    strings: Strings,
    entries: Vec<Entry>,
    names: Vec<Name>,
    /// Names sorted by normalised key, for exact matches.
    by_key: Vec<u32>,
    /// Names sorted by space-free key, for same-letter matches and prefix ranges.
    by_compact: Vec<u32>,
    /// Entries sorted by normalised title, for autocomplete on empty input.
    alphabetical: Vec<u32>,
    grams: GramIndex,
    /// What [`TitleIndex::spot`] needs besides, built on its first call (never saved).
    #[serde(skip)]
    spot: std::sync::OnceLock<spot::SpotIndex>,
}

/// A film as the index keeps it.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    id: i64,
    title: Span,
    /// The normalised title, which tells remakes (same key) apart from other films.
    title_key: Span,
    year: Option<i32>,
    grade: Grade,
}

/// A film's best score so far while ranking.
#[derive(Debug, Clone, Copy)]
struct Scored {
    entry: u32,
    score: f64,
    alt: bool,
    /// The name that gave the score.
    name: u32,
}

impl TitleIndex {
    /// What an encoded index depends on: this build's search code (see `build.rs`). An index
    /// saved by another build is rebuilt, not decoded.
    pub const FORMAT: &'static str = env!("MARQUEE_INDEX_FORMAT");

    /// The index, encoded (postcard) for [`TitleIndex::from_bytes`] by the same build.
    pub fn to_bytes(&self) -> anyhow::Result<Vec<u8>> {
        Ok(postcard::to_stdvec(self)?)
    }

    /// An index encoded by [`TitleIndex::to_bytes`] of this build.
    pub fn from_bytes(bytes: &[u8]) -> anyhow::Result<TitleIndex> {
        Ok(postcard::from_bytes(bytes)?)
    }

    /// Builds the index. Titles that normalise to nothing (only punctuation, say) are kept
    /// as entries but cannot be found by title.
    pub fn new(films: Vec<IndexEntry>) -> Self {
        let mut strings = Strings::default();
        let (names, filed) = names_of(&films, &mut strings);
        let entries = films
            .iter()
            .zip(filed)
            .map(|(film, filed)| Entry {
                id: film.id,
                title: filed.title,
                title_key: filed.key,
                year: film.year,
                grade: film.grade,
            })
            .collect();
        drop(films);
        let form = |id: &u32| names.get(*id as usize).map(|n| n.form(&strings));
        let keys: Vec<&str> = names.iter().map(|n| n.form(&strings).key).collect();
        let compacts: Vec<&str> = names.iter().map(|n| n.form(&strings).compact).collect();
        let grams = GramIndex::build(&keys, &compacts);
        let mut by_key: Vec<u32> = (0..to_u32(names.len())).collect();
        by_key.sort_by_key(|id| (form(id).map(|f| f.key), *id));
        let mut by_compact: Vec<u32> = (0..to_u32(names.len())).collect();
        by_compact.sort_by_key(|id| (form(id).map(|f| f.compact), *id));
        let alphabetical = alphabetical_order(&names, &strings);
        strings.shrink_to_fit();
        TitleIndex {
            strings,
            entries,
            names,
            by_key,
            by_compact,
            alphabetical,
            grams,
            spot: std::sync::OnceLock::new(),
        }
    }

    /// Number of films in the index.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the index holds no films.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Finds the film a user means by `query` (what they typed, however sloppy) and `year`
    /// (from a `--year` option). A trailing year in the query (`king kong 1976`) is used too,
    /// unless the title itself ends in that number. Returns the best match and up to `limit`
    /// ranked candidates, best first.
    pub fn search(&self, query: &str, year: Option<i32>, limit: usize) -> SearchOutcome {
        let readings = readings(query, year);
        let ranked = self.rank(&readings, &surface(query));
        let has_year = readings.iter().any(|r| r.year.is_some());
        let ambiguous = self.is_ambiguous(&ranked, has_year);
        let candidates: Vec<Candidate> = ranked
            .iter()
            .take(limit)
            .map(|s| self.candidate(s))
            .collect();
        let best = ranked
            .first()
            .filter(|s| s.score >= MIN_BEST_SCORE)
            .map(|s| self.candidate(s));
        SearchOutcome {
            ambiguous: ambiguous && best.is_some(),
            best,
            candidates,
        }
    }

    /// Suggestions while the user types `partial`: up to `limit` (at most
    /// [`AUTOCOMPLETE_MAX`]) films, titles starting with the input first (shortest
    /// completion first), then fuzzy matches. Empty input lists the first titles
    /// alphabetically.
    pub fn autocomplete(&self, partial: &str, limit: usize) -> Vec<Candidate> {
        let limit = limit.min(AUTOCOMPLETE_MAX);
        if limit == 0 {
            return Vec::new();
        }
        let reading = Reading::plain(partial);
        if reading.form.compact.is_empty() {
            return self.first_alphabetically(limit);
        }
        let typed = surface(partial);
        let mut found = self.completions(reading.form.form(), &typed, limit);
        if found.len() < limit {
            for scored in self.rank(std::slice::from_ref(&reading), &typed) {
                if found.len() >= limit {
                    break;
                }
                if !found.iter().any(|f| f.entry == scored.entry) {
                    found.push(scored);
                }
            }
        }
        found.iter().map(|s| self.candidate(s)).collect()
    }

    /// Every film any reading matches, best first, with scores of at least
    /// [`MIN_CANDIDATE_SCORE`]. Films that tie are told apart by how close their name as
    /// written is to `typed` ([`surface`] of the query).
    fn rank(&self, readings: &[Reading], typed: &str) -> Vec<Scored> {
        let mut best: FxHashMap<u32, Scored> = FxHashMap::default();
        for reading in readings {
            for name_id in self.candidate_names(reading) {
                let Some(name) = self.names.get(name_id as usize) else {
                    continue;
                };
                let score = name.similarity(reading, &self.strings)
                    * self.year_factor(name.entry, reading.year);
                keep_better(&mut best, name.entry, score, name.alt, name_id);
            }
        }
        let mut ranked: Vec<Scored> = best
            .into_values()
            .filter(|s| s.score >= MIN_CANDIDATE_SCORE)
            .collect();
        ranked.sort_by(|a, b| self.order(a, b));
        self.break_ties(&mut ranked, typed);
        ranked
    }

    /// Within each run of films that tie on score and on filed-or-alternative title, puts
    /// first the one whose name as written is closest to what was typed: `Collateral` is
    /// the 2004 film, `The Collateral` the 1990 one, though both normalise to `collateral`.
    /// Where that ties too, the order stays (older first). Only tied runs are compared, so
    /// the usual query costs nothing here.
    fn break_ties(&self, ranked: &mut [Scored], typed: &str) {
        let mut start = 0;
        while start < ranked.len() {
            let Some(first) = ranked.get(start).copied() else {
                break;
            };
            let len = ranked
                .get(start..)
                .unwrap_or(&[])
                .iter()
                .take_while(|s| s.score == first.score && s.alt == first.alt)
                .count();
            if len > 1 {
                if let Some(run) = ranked.get_mut(start..start + len) {
                    let (typed_article, _) = split_article(typed);
                    let closeness = |s: &Scored| {
                        self.names.get(s.name as usize).map_or((0, 0), |name| {
                            let written = surface(self.strings.get(name.written));
                            let (article, rest) = split_article(&written);
                            // An article the user did not type costs the same whichever
                            // it is; then the likeliest one to leave out goes first.
                            let compared = if typed_article.is_none() {
                                rest
                            } else {
                                &written
                            };
                            // What was typed is there as written: as close as can be.
                            let close = if compared.starts_with(typed) {
                                1.0
                            } else {
                                strsim::normalized_levenshtein(typed, compared)
                            };
                            (ordered(close), article_rarity(article))
                        })
                    };
                    // A stable sort keeps the year order among equally close names.
                    run.sort_by_cached_key(|s| {
                        let (close, rarity) = closeness(s);
                        (std::cmp::Reverse(close), rarity)
                    });
                }
            }
            start += len.max(1);
        }
    }

    /// Names worth scoring for `reading`: shared trigrams, one edit away, same key, same
    /// letters, or completions of it; the key it is typed with its article or with its
    /// numbers spelled the other way, and the completions that have the article typed.
    fn candidate_names(&self, reading: &Reading) -> Vec<u32> {
        let form = reading.form.form();
        if form.compact.is_empty() {
            return Vec::new();
        }
        let mut ids = self.grams.candidates(form.key, form.compact);
        ids.extend_from_slice(self.with_key(form.key));
        ids.extend_from_slice(self.with_compact(form.compact));
        ids.extend(self.shortest_completions(form.compact, PREFIX_SCAN, PREFIX_KEEP, |_| true));
        if let Some(typed) = &reading.with_article {
            ids.extend_from_slice(self.with_key(&typed.key));
            // `the mess` is the start of `The Messenger`, however many shorter names
            // without the article start with `mess`.
            let typed_article = first_word(&typed.key);
            ids.extend(
                self.shortest_completions(form.compact, PREFIX_SCAN, PREFIX_KEEP, |id| {
                    self.names
                        .get(id as usize)
                        .and_then(|n| n.with_article)
                        .is_some_and(|w| first_word(w.form(&self.strings).key) == typed_article)
                }),
            );
        }
        if let Some(other) = &reading.other_numbers {
            ids.extend_from_slice(self.with_key(&other.key));
        }
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Up to `keep` names whose space-free key starts with `prefix` and that `wanted`
    /// accepts, shortest first, looking at no more than `scan` of them.
    fn shortest_completions(
        &self,
        prefix: &str,
        scan: usize,
        keep: usize,
        wanted: impl Fn(u32) -> bool,
    ) -> Vec<u32> {
        let compact = |id: &u32| self.compact(*id);
        let start = self.by_compact.partition_point(|id| compact(id) < prefix);
        let end = self
            .by_compact
            .partition_point(|id| compact(id) < prefix || compact(id).starts_with(prefix));
        let range = self.by_compact.get(start..end.max(start)).unwrap_or(&[]);
        let mut found: Vec<(usize, u32)> = range
            .iter()
            .take(scan)
            .filter(|&&id| wanted(id))
            .map(|&id| (compact(&id).len(), id))
            .collect();
        if found.len() > keep {
            found.select_nth_unstable(keep);
            found.truncate(keep);
        }
        found.sort_unstable();
        found.into_iter().map(|(_, id)| id).collect()
    }

    /// Films with a name starting with the input, scored by how much of the name it covers.
    fn completions(&self, form: Form<'_>, typed: &str, limit: usize) -> Vec<Scored> {
        let mut best: FxHashMap<u32, Scored> = FxHashMap::default();
        for id in
            self.shortest_completions(form.compact, usize::MAX, limit.saturating_mul(4), |_| true)
        {
            let Some(name) = self.names.get(id as usize) else {
                continue;
            };
            let own = name.form(&self.strings);
            let score = if own.key == form.key {
                1.0
            } else if own.compact == form.compact {
                score::SAME_LETTERS
            } else {
                score::exact_prefix(&form, &own)
                    .unwrap_or_else(|| score::prefix_weight(&form, own.compact.len()))
            };
            keep_better(&mut best, name.entry, score, name.alt, id);
        }
        let mut found: Vec<Scored> = best.into_values().collect();
        found.sort_by(|a, b| self.order(a, b));
        self.break_ties(&mut found, typed);
        found.truncate(limit);
        found
    }

    fn first_alphabetically(&self, limit: usize) -> Vec<Candidate> {
        self.alphabetical
            .iter()
            .take(limit)
            .map(|&entry| {
                self.candidate(&Scored {
                    entry,
                    score: 0.0,
                    alt: false,
                    name: u32::MAX,
                })
            })
            .collect()
    }

    /// How a year asked for affects a film's score: no change when it matches, a little
    /// less when it is one year off (release dates vary by country), a lot less otherwise.
    fn year_factor(&self, entry: u32, wanted: Option<i32>) -> f64 {
        let Some(wanted) = wanted else {
            return 1.0;
        };
        match self.entry(entry).and_then(|e| e.year) {
            Some(year) if year == wanted => 1.0,
            Some(year) if year.abs_diff(wanted) == 1 => 0.95,
            Some(_) => 0.85,
            None => 0.9,
        }
    }

    /// The ranking order: score, then the filed title over an alternative one, then older
    /// films first (the original before the remake), then archive order.
    fn order(&self, a: &Scored, b: &Scored) -> std::cmp::Ordering {
        let year = |s: &Scored| self.entry(s.entry).and_then(|e| e.year).unwrap_or(i32::MAX);
        b.score
            .total_cmp(&a.score)
            .then(a.alt.cmp(&b.alt))
            .then(year(a).cmp(&year(b)))
            .then(a.entry.cmp(&b.entry))
    }

    fn is_ambiguous(&self, ranked: &[Scored], has_year: bool) -> bool {
        let (Some(best), Some(second)) = (ranked.first(), ranked.get(1)) else {
            return false;
        };
        if best.score - second.score < AMBIGUITY_GAP {
            return true;
        }
        // Remakes: another film filed under the same title, and nothing to choose by.
        if has_year {
            return false;
        }
        let key = |s: &Scored| self.entry(s.entry).map(|e| self.strings.get(e.title_key));
        let best_key = key(best);
        ranked.iter().skip(1).any(|s| key(s) == best_key)
    }

    /// The space-free key of a name.
    fn compact(&self, name: u32) -> &str {
        self.names
            .get(name as usize)
            .map_or("", |n| n.form(&self.strings).compact)
    }

    /// Names whose key is exactly `key`.
    fn with_key(&self, key: &str) -> &[u32] {
        equal_range(&self.by_key, key, |id| {
            self.names
                .get(id as usize)
                .map_or("", |n| n.form(&self.strings).key)
        })
    }

    /// Names whose space-free key is exactly `compact`.
    fn with_compact(&self, compact: &str) -> &[u32] {
        equal_range(&self.by_compact, compact, |id| self.compact(id))
    }

    fn entry(&self, entry: u32) -> Option<&Entry> {
        self.entries.get(entry as usize)
    }

    fn candidate(&self, scored: &Scored) -> Candidate {
        let entry = self.entry(scored.entry);
        Candidate {
            id: entry.map_or(0, |e| e.id),
            title: entry
                .map(|e| self.strings.get(e.title).to_owned())
                .unwrap_or_default(),
            year: entry.and_then(|e| e.year),
            grade: entry.map_or(Grade::F, |e| e.grade),
            score: (scored.score * 1000.0).round() / 1000.0,
        }
    }
}

/// Records `score` for `entry` if it beats what the entry already has.
fn keep_better(best: &mut FxHashMap<u32, Scored>, entry: u32, score: f64, alt: bool, name: u32) {
    let new = Scored {
        entry,
        score,
        alt,
        name,
    };
    best.entry(entry)
        .and_modify(|old| {
            if score > old.score || (score == old.score && old.alt && !alt) {
                *old = new;
            }
        })
        .or_insert(new);
}

/// Entries in the order of their normalised title (then archive order).
fn alphabetical_order(names: &[Name], strings: &Strings) -> Vec<u32> {
    let mut filed: Vec<(&str, u32)> = names
        .iter()
        .filter(|n| !n.alt)
        .map(|n| (n.form(strings).key, n.entry))
        .collect();
    filed.sort_unstable();
    filed.into_iter().map(|(_, entry)| entry).collect()
}

/// The run of `sorted` (sorted by `key_of`) whose key is `key`.
fn equal_range<'a>(sorted: &'a [u32], key: &str, key_of: impl Fn(u32) -> &'a str) -> &'a [u32] {
    let start = sorted.partition_point(|&id| key_of(id) < key);
    let len = sorted
        .get(start..)
        .unwrap_or(&[])
        .partition_point(|&id| key_of(id) == key);
    sorted.get(start..start + len).unwrap_or(&[])
}

/// A name or query as written, for telling tied films apart: lower-cased, runs of white
/// space made one space, the article, digits and punctuation kept (an article moved to the
/// end, `Gangster, The`, goes back in front); cut to a title's length.
pub(crate) fn surface(text: &str) -> String {
    let mut lower = text.trim().to_lowercase();
    if let Some((rest, article)) = lower.rsplit_once(',') {
        let article = article.trim();
        if normalize::ARTICLES.contains(&article) && !rest.trim().is_empty() {
            lower = format!("{article} {}", rest.trim());
        }
    }
    let mut out = String::with_capacity(lower.len());
    for word in lower.split_whitespace().take(64) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.chars().take(256).collect()
}

/// The first of the words of `key`.
fn first_word(key: &str) -> &str {
    key.split(' ').next().unwrap_or("")
}

/// A [`surface`] split into its leading article, if any, and the rest.
fn split_article(surface: &str) -> (Option<&str>, &str) {
    match surface.split_once(' ') {
        Some((first, rest)) if normalize::ARTICLES.contains(&first) && !rest.is_empty() => {
            (Some(first), rest)
        }
        _ => (None, surface),
    }
}

/// How unlikely `article` is to be the one a user left out: none at all first, then the
/// commonest article in titles, `the`, then `a`, then `an` ([`normalize::ARTICLES`] order).
fn article_rarity(article: Option<&str>) -> usize {
    article.map_or(0, |a| {
        normalize::ARTICLES
            .iter()
            .position(|&known| known == a)
            .map_or(normalize::ARTICLES.len(), |at| at + 1)
    })
}

/// A closeness in 0..=1 as an integer key (parts per million), for sorting.
fn ordered(closeness: f64) -> u32 {
    // In range by construction; `as` saturates anyway.
    (closeness.clamp(0.0, 1.0) * 1e6) as u32
}

/// Index conversion; the index holds far fewer than 4 billion names.
fn to_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}
