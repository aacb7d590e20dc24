//! A fixed mix of sloppy queries made from the indexed titles, seeded, so every run times the
//! same queries: a typo, a dropped article, a prefix, a missing word, numerals written the
//! other way. All are in lower case, as people type them.

use std::fmt;

use crate::generate::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Typo,
    NoArticle,
    Prefix,
    MissingWord,
    Numerals,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Typo,
        Kind::NoArticle,
        Kind::Prefix,
        Kind::MissingWord,
        Kind::Numerals,
    ];

    /// The query this kind makes of `title`, if it applies to it.
    fn apply(self, title: &str, rng: &mut Rng) -> Option<String> {
        let title = title.to_lowercase();
        let words: Vec<&str> = title.split_whitespace().collect();
        match self {
            Kind::Typo => typo(&title, rng),
            Kind::NoArticle => match words.split_first() {
                Some((first, rest)) if ["the", "a", "an"].contains(first) && !rest.is_empty() => {
                    Some(rest.join(" "))
                }
                _ => None,
            },
            Kind::Prefix => {
                let chars: Vec<char> = title.chars().collect();
                if chars.len() < 8 {
                    return None;
                }
                let keep = chars.len() * rng.between(40, 75) / 100;
                let prefix: String = chars.iter().take(keep.max(4)).collect();
                Some(prefix.trim_end().to_owned())
            }
            Kind::MissingWord => {
                if words.len() < 3 {
                    return None;
                }
                let drop = rng.below(words.len());
                let kept: Vec<&str> = words
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| i != drop)
                    .map(|(_, w)| *w)
                    .collect();
                Some(kept.join(" "))
            }
            Kind::Numerals => {
                let mut changed = false;
                let rewritten: Vec<String> = words
                    .iter()
                    .map(|word| match other_numeral(word) {
                        Some(other) => {
                            changed = true;
                            other.to_owned()
                        }
                        None => (*word).to_owned(),
                    })
                    .collect();
                changed.then(|| rewritten.join(" "))
            }
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Typo => "typo",
            Kind::NoArticle => "no article",
            Kind::Prefix => "prefix",
            Kind::MissingWord => "missing word",
            Kind::Numerals => "numerals",
        })
    }
}

/// One letter replaced, dropped, doubled or swapped with the next.
fn typo(title: &str, rng: &mut Rng) -> Option<String> {
    let mut chars: Vec<char> = title.chars().collect();
    let letters: Vec<usize> = (0..chars.len())
        .filter(|&i| chars[i].is_alphabetic())
        .collect();
    if letters.len() < 4 {
        return None;
    }
    let at = *rng.pick(&letters)?;
    match rng.below(4) {
        0 => {
            let replacement = char::from(b'a' + rng.below(26) as u8);
            if replacement == chars[at] {
                return None;
            }
            chars[at] = replacement;
        }
        1 => {
            chars.remove(at);
        }
        2 => chars.insert(at, chars[at]),
        _ => match chars.get(at + 1) {
            Some(next) if next.is_alphabetic() && *next != chars[at] => chars.swap(at, at + 1),
            _ => return None,
        },
    }
    Some(chars.into_iter().collect())
}

const ROMAN: [&str; 10] = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"];
const ARABIC: [&str; 10] = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"];

/// `ii` ↔ `2` … `x` ↔ `10`; `i` alone stays a word.
fn other_numeral(word: &str) -> Option<&'static str> {
    if let Some(i) = ROMAN.iter().position(|r| *r == word).filter(|&i| i > 0) {
        return ARABIC.get(i).copied();
    }
    let i = ARABIC.iter().position(|a| *a == word)?;
    ROMAN.get(i).copied()
}

/// A timed query and the kind it is.
pub struct Query {
    pub kind: Kind,
    pub text: String,
}

/// Up to `per_kind` queries of each kind, from titles picked at random (a kind that fits few
/// titles, such as numerals, may give fewer).
pub fn search_mix(titles: &[&str], per_kind: usize, seed: u64) -> Vec<Query> {
    let mut rng = Rng::new(seed);
    let mut mix = Vec::new();
    for kind in Kind::ALL {
        let mut made = 0;
        for _ in 0..per_kind * 50 {
            if made == per_kind {
                break;
            }
            let Some(title) = rng.pick(titles) else { break };
            if let Some(text) = kind.apply(title, &mut rng) {
                if text != title.to_lowercase() && !text.is_empty() {
                    mix.push(Query { kind, text });
                    made += 1;
                }
            }
        }
    }
    mix
}

/// `count` inputs as they are typed: the first 1 to 12 characters of titles picked at random.
pub fn autocomplete_mix(titles: &[&str], count: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let mut mix = Vec::with_capacity(count);
    while mix.len() < count {
        let Some(title) = rng.pick(titles) else { break };
        let chars: Vec<char> = title.to_lowercase().chars().collect();
        let typed = rng.between(1, chars.len().clamp(1, 12));
        mix.push(chars.iter().take(typed).collect());
    }
    mix
}
