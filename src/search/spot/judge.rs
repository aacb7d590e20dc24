//! Weighing a found window: which film it names (a year next to it picks among remakes, or
//! rules the film out) and what the message says about it being a title.

use super::decide::{kind_of, weaker, Kind};
use std::ops::Range;

use super::find::swapped;
use super::text::{ends_sentence, Case, Text, Token};
use super::vocab::{class, Class};
use super::Found;
use crate::search::normalize::ARTICLES;
use crate::search::TitleIndex;

/// What the message says about one window.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Evidence {
    /// Quotes, italics or bold around it.
    pub(super) marked: bool,
    /// A year next to it fits one of the films.
    pub(super) year: bool,
    /// A year next to it fits none: another film.
    pub(super) contradicted: bool,
    /// A number right after it that is not a sequel the archive has.
    pub(super) sequel: bool,
    /// The message is the title and nothing else.
    pub(super) whole: bool,
    /// `watched`, `saw`, `the film` just before it.
    pub(super) cue_before: bool,
    /// `to`, `in`, `from` … just before it: a place.
    pub(super) place_before: bool,
    /// `my`, `a`, `his` … just before it (not the title's own article).
    pub(super) determiner_before: bool,
    /// Capitals on its words, in the middle of a sentence.
    pub(super) capital_mid: bool,
    /// Capitals on its words, at the start of a sentence.
    pub(super) capital_start: bool,
    /// All its words are places or names.
    pub(super) proper_only: bool,
    /// A plural noun after a number (`300 people`).
    pub(super) plural_after: bool,
    /// The mention opens a sentence (its article, if typed, does).
    pub(super) opens_sentence: bool,
    /// `of` right after a one-word title: a longer name (`the godfather of soul`, `signs of
    /// the zodiac`).
    pub(super) of_after: bool,
}

/// A found window, resolved to a film and weighed.
#[derive(Debug, Clone)]
pub(super) struct Judged {
    pub(super) found: Found,
    /// First token, with the title's article when it was typed.
    pub(super) first: usize,
    pub(super) entry: u32,
    pub(super) same_title: Vec<u32>,
    pub(super) kind: Kind,
    pub(super) evidence: Evidence,
    /// Letters of the name matched (for typo rules).
    pub(super) name_letters: usize,
    /// Words of the window that are not function words (numbers count).
    pub(super) title_words: usize,
    pub(super) accepted: bool,
    pub(super) span: Range<usize>,
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

/// Years a number next to a title may be.
const YEARS: std::ops::RangeInclusive<u32> = 1870..=2100;

impl TitleIndex {
    /// Resolves a window to its film (by a year next to it, else the oldest of the films of
    /// that title) and gathers the evidence; `None` when it names nothing.
    pub(super) fn judge(&self, message: &Text, found: Found) -> Option<Judged> {
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
        // `godfather 3`, not `godfather 1`, which is the first film.
        evidence.sequel =
            year.is_none() && sequel_number(message, found.last).is_some_and(|(n, _)| n != 1);
        let (words, keys) = window_words(message, &found);
        let classes: Vec<Class> = keys.iter().map(|k| class(k)).collect();
        let kind = self.window_kind(&found, &keys, &classes);
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
        evidence.opens_sentence = tokens.get(first).is_some_and(|t| t.sentence_start);
        evidence.of_after = keys.len() == 1
            && tokens.get(found.last + 1).is_some_and(|t| t.key == "of")
            && message
                .between(found.last, found.last + 1)
                .chars()
                .all(char::is_whitespace);
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
            // A lone `x` or `v` is keyed as a numeral, but says as little as a letter.
            title_words: words
                .iter()
                .zip(&classes)
                .filter(|(t, c)| {
                    **c != Class::Function
                        && !(**c == Class::Number && !t.digits && t.chars.len() == 1)
                })
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

    /// What kind of title a window's words make; for a typo or words run together, no
    /// stronger than the name's own words.
    fn window_kind(&self, found: &Found, keys: &[&str], classes: &[Class]) -> Kind {
        let kind = kind_of(keys, classes);
        let joined = found.score < 1.0 && found.exact;
        if found.exact && !joined {
            return kind;
        }
        // A typo can make everyday words look rare (`watchin`), and so can words run
        // together (`everyday` for `Every Day`): the name's own words must be telling too.
        let own: Vec<&str> = found
            .names
            .first()
            .map_or("", |&n| self.name_key(n))
            .split(' ')
            .collect();
        let own_classes: Vec<Class> = own.iter().map(|k| class(k)).collect();
        weaker(kind, kind_of(&own, &own_classes))
    }

    /// True when the window's words are separated by two commas or more, more than any of its
    /// names has: a list of words, not the title (`Distant Voices, Still Lives` has one, and
    /// `the godfather, part ii` is still the film).
    fn more_commas_than_title(&self, message: &Text, found: &Found) -> bool {
        let typed: usize = (found.first..found.last)
            .map(|i| message.between(i, i + 1).matches(',').count())
            .sum();
        typed >= 2
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
        // `Godard's Breathless`, `barry jenkins' moonlight`, `billy wilder's`: a name's film.
        let named = |t: &Token| {
            matches!(
                class(t.bare.as_deref().unwrap_or(&t.key)),
                Class::Rare | Class::Proper
            )
        };
        let first_name = before
            .checked_sub(1)
            .and_then(|p| message.tokens.get(p))
            .is_some_and(|t| t.class == Class::Proper);
        let maker = prev.possessive
            && (named(prev) || first_name)
            && message
                .between(before, first)
                .chars()
                .all(|c| c.is_whitespace() || c == '\'' || c == '\u{2019}');
        evidence.cue_before = CUES_BEFORE.contains(&key) || maker;
        evidence.place_before =
            PLACE_BEFORE.contains(&key) || (proper && PLACE_NAME_BEFORE.contains(&key));
        evidence.determiner_before = DETERMINERS.contains(&key);
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
    // `Lang's Metropolis`: a possessive before the title is its maker, not more of a name.
    let runs_on = |i: Option<usize>| {
        i.and_then(|i| message.tokens.get(i)).is_some_and(|t| {
            capital(t)
                && !t.sentence_start
                && t.key != "1"
                && t.class != Class::Number
                && !t.possessive
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
pub(super) fn sequel_number(message: &Text, last: usize) -> Option<(u32, usize)> {
    let mut at = last + 1;
    let gap_ok = |a: usize, b: usize, dot: bool| {
        message
            .between(a, b)
            .chars()
            .all(|c| c.is_whitespace() || ":-,".contains(c) || (dot && c == '.'))
    };
    let mut token = message.tokens.get(at)?;
    let mut after_part = false;
    if ["part", "pt", "chapter", "episode", "vol", "volume"].contains(&token.key.as_str()) {
        let next = message.tokens.get(at + 1)?;
        if !gap_ok(last, at, true) || !gap_ok(at, at + 1, true) {
            return None;
        }
        at += 1;
        token = next;
        after_part = true;
    } else if message.between(last, at).contains(',') || !gap_ok(last, at, false) {
        // `tokyo story, seven samurai`: a list.
        return None;
    }
    let written_i = token.key == "1" && !token.digits;
    let digits = if token.key.bytes().all(|b| b.is_ascii_digit()) {
        token.key.clone()
    } else if after_part {
        // `part two`; a number word alone after a title is just a word (`seven samurai`).
        swapped(&token.key).unwrap_or_default()
    } else {
        String::new()
    };
    if written_i || digits.is_empty() || digits.len() > 2 {
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
            && t.class != Class::Function
            && !ends_sentence(message.between(last, last + 1))
    })
}

/// A window's tokens and their keys (the last word's without its `'s` when the name matched
/// it bare).
fn window_words<'m>(message: &'m Text, found: &Found) -> (Vec<&'m Token>, Vec<&'m str>) {
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
    (words, keys)
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
