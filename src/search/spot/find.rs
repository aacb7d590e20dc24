//! Finding the windows of a message that some title matches: exact keys grown word by word,
//! other spacing, numbers and abbreviations spelled the other way, sequel numbers, and typos
//! in long titles.

use std::borrow::Cow;

use super::index::{feed, hash, SpotIndex, FNV_OFFSET, LONG_NAME};
use super::judge::sequel_number;
use super::text::{Text, Token};
use super::vocab::Class;
use super::Found;
use crate::search::query::NUMBER_WORDS;
use crate::search::score::{edit_similarity, SAME_LETTERS};
use crate::search::TitleIndex;

impl TitleIndex {
    /// Every window whose key (or space-free form, or form with numbers spelled the other
    /// way) is a name's.
    pub(super) fn exact_windows(&self, spot: &SpotIndex, message: &Text, out: &mut Vec<Found>) {
        let tokens = &message.tokens;
        let reach = spot.max_words.max(1);
        // How many tokens up to each one are numbers, and abbreviations titles spell out.
        let mut numbers_before = vec![0usize];
        let mut short_before = vec![0usize];
        for token in tokens {
            let count = numbers_before.last().copied().unwrap_or(0);
            numbers_before.push(count + usize::from(swapped_number(token).is_some()));
            let count = short_before.last().copied().unwrap_or(0);
            short_before.push(count + usize::from(spelled_out(&token.key).is_some()));
        }
        for start in 0..tokens.len() {
            let end = (start + reach).min(tokens.len());
            let window = tokens.get(start..end).unwrap_or(&[]);
            self.walk(spot, window, start, plain, 1.0, out);
            let count = |counts: &[usize], at: usize| counts.get(at).copied().unwrap_or(0);
            if count(&short_before, end) > count(&short_before, start) {
                self.walk(spot, window, start, spelled, SAME_LETTERS, out);
            }
            if count(&numbers_before, end) > count(&numbers_before, start) {
                self.walk(spot, window, start, respelled, SAME_LETTERS, out);
            }
            self.spacing(spot, window, start, out);
        }
    }

    /// Grows a window from `start` word by word while some name starts with it, recording
    /// each one that is a name. A possessive last word is tried without its `'s` first.
    fn walk<'t>(
        &self,
        spot: &SpotIndex,
        window: &'t [Token],
        start: usize,
        word_of: impl Fn(&'t Token) -> Cow<'t, str>,
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
                let candidates = spot.with_key(with_bare);
                if !candidates.is_empty() {
                    let names = self.named(candidates, &format!("{key}{bare}"));
                    if !names.is_empty() {
                        matched_bare = true;
                        out.push(Found {
                            first: start,
                            last: start + offset,
                            bare: true,
                            names,
                            exact: true,
                            score,
                        });
                    }
                }
            }
            let word = word_of(token);
            h = feed(h, word.as_bytes());
            key.push_str(&word);
            let candidates = spot.with_key(h);
            if !matched_bare && !candidates.is_empty() {
                let names = self.named(candidates, &key);
                if !names.is_empty() {
                    out.push(Found {
                        first: start,
                        last: start + offset,
                        bare: false,
                        names,
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
        let mut h = FNV_OFFSET;
        for (offset, token) in window.iter().take(3).enumerate() {
            if offset > 0 && token.sentence_start {
                break;
            }
            h = feed(h, token.key.as_bytes());
            let candidates = spot.with_compact(h);
            if candidates.is_empty() {
                continue;
            }
            let words = window.get(..=offset).unwrap_or(&[]);
            let compact: String = words.iter().map(|t| t.key.as_str()).collect();
            let key = window_key(words, 0, offset, false);
            let names: Vec<u32> = candidates
                .iter()
                .copied()
                .filter(|&n| self.name_compact(n) == compact && self.name_key(n) != key)
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
    pub(super) fn sequels(&self, message: &Text, out: &mut Vec<Found>) {
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
    pub(super) fn typos(&self, spot: &SpotIndex, message: &Text, out: &mut Vec<Found>) {
        let tokens = &message.tokens;
        let mut seen: Vec<(usize, usize, u32)> = Vec::new();
        for (at, token) in tokens.iter().enumerate() {
            if token.key.len() < 3 || token.class == Class::Function {
                continue;
            }
            for &name in spot.anchored(hash(&token.key)) {
                if let Some(found) = self.near_window(message, at, name) {
                    if !seen.contains(&(found.first, found.last, name)) {
                        seen.push((found.first, found.last, name));
                        out.push(found);
                    }
                }
            }
        }
        let mut compact = String::new();
        for start in 0..tokens.len() {
            compact.clear();
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
                rare |= token.class == Class::Rare;
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
        // Called for every word of a message and every name it anchors: nothing here
        // allocates until a window has passed the cheap tests.
        let tokens = &message.tokens;
        let own = self.name_key(name);
        let word_count = own.split(' ').count();
        let allowed = typos_allowed(self.name_compact(name).len());
        let own_first = own.split(' ').next().unwrap_or("");
        let own_last = own.rsplit(' ').next().unwrap_or("");
        let anchor = tokens.get(at).map_or("", |t| t.key.as_str());
        // (typos, a word more or fewer than the name, first, last)
        let mut best: Option<(usize, bool, usize, usize)> = None;
        for position in own
            .split(' ')
            .enumerate()
            .filter(|(_, w)| *w == anchor)
            .map(|(p, _)| p)
        {
            let Some(origin) = at.checked_sub(position) else {
                continue;
            };
            for start in [origin.checked_sub(1), Some(origin), Some(origin + 1)]
                .into_iter()
                .flatten()
            {
                for len in [word_count.saturating_sub(1), word_count, word_count + 1] {
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
                    // Cheap refusals first: the length, then the words at either end.
                    let span = tokens.get(start..=last).unwrap_or(&[]);
                    let length = span
                        .iter()
                        .map(|t| t.key.len() + 1)
                        .sum::<usize>()
                        .saturating_sub(1);
                    let ends = |t: Option<&Token>, w: &str| t.is_some_and(|t| alike(&t.key, w));
                    if length.abs_diff(own.len()) > allowed
                        || !ends(span.first(), own_first)
                        || !ends(span.last(), own_last)
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
                    let candidate = (distance, len != word_count, start, last);
                    if best.is_none_or(|b| (candidate.0, candidate.1) < (b.0, b.1)) {
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

/// A token's key as it is.
fn plain(token: &Token) -> Cow<'_, str> {
    Cow::Borrowed(&token.key)
}

/// A token's key with an abbreviation spelled out (`vol` as `volume`).
fn spelled(token: &Token) -> Cow<'_, str> {
    spelled_out(&token.key).map_or(Cow::Borrowed(token.key.as_str()), Cow::Borrowed)
}

/// A token's key with a number spelled the other way (`2` as `two`), or else spelled out.
fn respelled(token: &Token) -> Cow<'_, str> {
    swapped_number(token).map_or_else(|| spelled(token), Cow::Owned)
}

/// An abbreviation that titles spell out: `vol` for `volume`, `pt` for `part`.
fn spelled_out(word: &str) -> Option<&'static str> {
    const SPELLED_OUT: [(&str, &str); 5] = [
        ("vol", "volume"),
        ("pt", "part"),
        ("ep", "episode"),
        ("ch", "chapter"),
        ("chap", "chapter"),
    ];
    SPELLED_OUT
        .iter()
        .find(|(short, _)| *short == word)
        .map(|(_, full)| *full)
}

/// A number written with digits or as a word, spelled the other way (`2`, `two`); the
/// pronoun `I`, keyed `1`, is not a number.
fn swapped_number(token: &Token) -> Option<String> {
    if token.digits || !token.key.bytes().all(|b| b.is_ascii_digit()) {
        swapped(&token.key)
    } else {
        None
    }
}

/// A number from one to twenty spelled the other way (`2` ↔ `two`), as titles are searched.
pub(super) fn swapped(word: &str) -> Option<String> {
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

/// True when two words are alike (equal, or one edit apart for longer words): a window's
/// first and last words must be alike the name's, so that it does not take in a word either
/// side of the title.
fn alike(x: &str, y: &str) -> bool {
    x == y
        || (x.len().min(y.len()) >= 4
            && x.len().abs_diff(y.len()) <= 1
            && rapidfuzz::distance::osa::distance(x.chars(), y.chars()) <= 1)
}

/// Scores of inexact matches stay below an exact key's.
fn score_cap(score: f64) -> f64 {
    score.clamp(0.0, crate::search::score::FUZZY_CAP)
}
