//! A deterministic generator of sloppy person queries — what people type for a director or
//! an actor they half remember — over the people of a `truth.jsonl` file (its `directors`
//! and `cast`). Shared by the `person_precision` test and `examples/browse_latency.rs`, which
//! includes it (and `sloppy.rs`, for the random numbers) with `#[path]`.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use marquee::review::Role;
use marquee::search::people::{
    name_words, PersonCandidate, PersonOutcome, PersonRecord, RoleCounts,
};

use super::sloppy::SplitMix64;

/// Everyone a `truth.jsonl` credits, with how many films they directed or acted in.
pub fn load_people(path: &Path) -> Result<Vec<PersonRecord>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut counts: HashMap<String, RoleCounts> = HashMap::new();
    let slot = |role: Role| Role::ALL.iter().position(|r| *r == role).unwrap_or(0);
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?;
        let mut credited: Vec<(String, Role)> = Vec::new();
        for (field, role) in [("directors", Role::Director), ("cast", Role::Cast)] {
            for name in value[field].as_array().into_iter().flatten() {
                if let Some(name) = name.as_str().filter(|n| !n.trim().is_empty()) {
                    credited.push((name.to_owned(), role));
                }
            }
        }
        let mut seen: Vec<&str> = Vec::new();
        for (name, role) in &credited {
            let c = counts.entry(name.clone()).or_default();
            c.by_role[slot(*role)] += 1;
            if !seen.contains(&name.as_str()) {
                c.films += 1;
                seen.push(name);
            }
        }
    }
    let mut names: Vec<(String, RoleCounts)> = counts.into_iter().collect();
    names.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(names
        .into_iter()
        .enumerate()
        .map(|(i, (name, counts))| PersonRecord {
            id: i as i64 + 1,
            name,
            counts,
        })
        .collect())
}

/// The kinds of sloppiness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Lower case, accents dropped: `kyoko jarvis`.
    Plain,
    OneTypo,
    TwoTypos,
    /// First names as initials: `j. l. godard`, `jl godard`, `s kubrick`.
    Initials,
    /// Two words run together, or a hyphen dropped: `jeanluc godard`, `depalma`.
    Spacing,
    /// The last word alone: `kubrick`.
    Surname,
    /// `kubrick, stanley`.
    Reversed,
    /// A middle name left out: `francis coppola`.
    MissingMiddle,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Plain,
        Kind::OneTypo,
        Kind::TwoTypos,
        Kind::Initials,
        Kind::Spacing,
        Kind::Surname,
        Kind::Reversed,
        Kind::MissingMiddle,
    ];
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Kind::Plain => "plain / no accents",
            Kind::OneTypo => "one typo",
            Kind::TwoTypos => "two typos",
            Kind::Initials => "initials",
            Kind::Spacing => "spacing",
            Kind::Surname => "surname alone",
            Kind::Reversed => "surname, first",
            Kind::MissingMiddle => "missing middle name",
        };
        f.pad(name)
    }
}

/// One generated query and the person it was made from.
#[derive(Debug, Clone)]
pub struct Query {
    pub kind: Kind,
    pub text: String,
    pub person: String,
}

/// Words of a name as typed: accents dropped, lower case, punctuation kept inside words.
fn typed_words(name: &str) -> Vec<String> {
    deunicode::deunicode(name)
        .to_lowercase()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz";

/// One random edit of `word`: a letter dropped, added, changed, or two swapped.
fn typo(word: &str, rng: &mut SplitMix64) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() < 2 {
        return word.to_owned();
    }
    let i = rng.below(chars.len());
    let letter = LETTERS[rng.below(LETTERS.len())] as char;
    match rng.below(4) {
        0 => {
            chars.remove(i);
        }
        1 => chars.insert(i, letter),
        2 => {
            if chars[i] == letter {
                chars[i] = if letter == 'a' { 'e' } else { 'a' };
            } else {
                chars[i] = letter;
            }
        }
        _ => {
            let j = if i + 1 < chars.len() { i + 1 } else { i - 1 };
            if chars[i] == chars[j] {
                chars.remove(i);
            } else {
                chars.swap(i, j);
            }
        }
    }
    chars.into_iter().collect()
}

/// Queries of every kind that fits each person.
pub fn generate(people: &[PersonRecord], seed: u64) -> Vec<Query> {
    let mut rng = SplitMix64::new(seed);
    let mut out = Vec::new();
    for p in people {
        let words = typed_words(&p.name);
        if words.is_empty() {
            continue;
        }
        let mut push = |kind: Kind, text: String| {
            out.push(Query {
                kind,
                text,
                person: p.name.clone(),
            })
        };
        push(Kind::Plain, words.join(" "));
        // Typos go into the longer words: a typo in a three-letter name is another name.
        let long: Vec<usize> = (0..words.len()).filter(|&i| words[i].len() >= 4).collect();
        if let Some(&i) = rng.pick(&long) {
            let mut w = words.clone();
            w[i] = typo(&w[i], &mut rng);
            push(Kind::OneTypo, w.join(" "));
        }
        let total: usize = words.iter().map(|w| w.len()).sum();
        if long.len() >= 2 && total >= 9 {
            let mut w = words.clone();
            let first = long[0];
            let second = long[long.len() - 1];
            w[first] = typo(&w[first], &mut rng);
            w[second] = typo(&w[second], &mut rng);
            push(Kind::TwoTypos, w.join(" "));
        }
        if let Some((last, first)) = words.split_last().filter(|(_, f)| !f.is_empty()) {
            let initials: Vec<String> = first
                .iter()
                .flat_map(|w| w.split('-').map(str::to_owned).collect::<Vec<_>>())
                .filter_map(|w| w.chars().find(|c| c.is_alphanumeric()))
                .map(|c| c.to_string())
                .collect();
            let text = if rng.chance(0.5) {
                format!("{}. {last}", initials.join(". "))
            } else {
                format!("{} {last}", initials.concat())
            };
            push(Kind::Initials, text);
            push(Kind::Surname, last.clone());
            push(Kind::Reversed, format!("{last}, {}", first.join(" ")));
            if first.len() >= 2 {
                let mut w = vec![first[0].clone()];
                w.push(last.clone());
                push(Kind::MissingMiddle, w.join(" "));
            }
        }
        let hyphenated = words.iter().position(|w| w.contains('-'));
        if let Some(i) = hyphenated {
            let mut w = words.clone();
            w[i] = w[i].replace('-', "");
            push(Kind::Spacing, w.join(" "));
        } else if words.len() >= 3 {
            let n = words.len();
            let joined = format!("{}{}", words[n - 2], words[n - 1]);
            let mut w = words[..n - 2].to_vec();
            w.push(joined);
            push(Kind::Spacing, w.join(" "));
        }
    }
    out
}

/// At most `per_kind` queries of each kind, chosen deterministically.
pub fn sample(mut queries: Vec<Query>, per_kind: usize, seed: u64) -> Vec<Query> {
    if per_kind == 0 {
        return queries;
    }
    let mut rng = SplitMix64::new(seed ^ 0x5eed);
    rng.shuffle(&mut queries);
    let mut taken: HashMap<Kind, usize> = HashMap::new();
    queries.retain(|q| {
        let n = taken.entry(q.kind).or_default();
        *n += 1;
        *n <= per_kind
    });
    queries
}

fn same_person(candidate: &PersonCandidate, name: &str) -> bool {
    name_words(&candidate.name) == name_words(name)
}

/// How a query did: `Exact` when the best match is the person; `Offered` when the query
/// cannot tell them apart from others (a shared surname, shared initials) and the reply offers
/// the choice with them in it; `Fair` when a typo made the query as close to someone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Exact,
    Offered,
    Fair,
    Wrong,
}

pub fn judge(outcome: &PersonOutcome, query: &Query, people: &[PersonRecord]) -> Verdict {
    let Some(best) = &outcome.best else {
        return Verdict::Wrong;
    };
    if same_person(best, &query.person) {
        return Verdict::Exact;
    }
    if outcome.ambiguous
        && outcome
            .candidates
            .iter()
            .any(|c| same_person(c, &query.person))
    {
        return Verdict::Offered;
    }
    if matches!(query.kind, Kind::OneTypo | Kind::TwoTypos) {
        // The typo may have made another person's name, or one as near.
        let typed: String = name_words(&query.text).concat();
        let distance = |name: &str| strsim::osa_distance(&typed, &name_words(name).concat());
        if distance(&best.name) <= distance(&query.person) {
            return Verdict::Fair;
        }
    }
    let _ = people;
    Verdict::Wrong
}
