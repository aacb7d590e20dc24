//! A deterministic generator of sloppy title queries: what people type when they half
//! remember a film. Shared by the tests (`search_precision`, `person_precision`…) and by
//! `examples/search_latency.rs` and `examples/browse_latency.rs` (which include this file with
//! `#[path]`), so it stays out of the library.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use marquee::review::grade::Grade;
use marquee::search::{normalize, Candidate, IndexEntry};

/// One film of a `truth.jsonl` file (only the fields search cares about).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub title: String,
    pub year: Option<i32>,
    pub grade: String,
    pub alt_title: String,
}

/// Reads a `truth.jsonl` file: one JSON object per line with `title`, `year` (int or null),
/// `grade` and `alt_title` (maybe empty). Blank lines are skipped.
pub fn load_rows(path: &Path) -> Result<Vec<Row>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?;
        let text_field = |name: &str| {
            value
                .get(name)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_owned()
        };
        rows.push(Row {
            title: text_field("title"),
            year: value
                .get("year")
                .and_then(|v| v.as_i64())
                .and_then(|y| i32::try_from(y).ok()),
            grade: text_field("grade"),
            alt_title: text_field("alt_title"),
        });
    }
    Ok(rows)
}

/// The `truth.jsonl` a precision test reads: `MARQUEE_PRECISION_CORPUS`, else the shared
/// corpus beside the checkout; `None` (with a message saying the test is skipped) when it is
/// not there.
pub fn corpus_path() -> Option<std::path::PathBuf> {
    let path = match std::env::var_os("MARQUEE_PRECISION_CORPUS") {
        Some(path) => std::path::PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/truth.jsonl"),
    };
    if path.exists() {
        Some(path)
    } else {
        println!("skipped: {} not found", path.display());
        None
    }
}

/// A number from the environment variable `name`, or `default`.
pub fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// splitmix64: a tiny, good-enough, fully deterministic pseudo-random generator.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        unit < p
    }

    /// A random element of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    /// Shuffles `items` in place (Fisher-Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// The kinds of sloppiness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    OneTypo,
    TwoTypos,
    DroppedArticle,
    MovedArticle,
    Punctuation,
    Prefix,
    MissingWord,
    Accents,
    Numerals,
    RemakeTrailingYear,
    RemakeYearOption,
    NumericTitle,
    AltTitle,
}

impl Kind {
    pub const ALL: [Kind; 13] = [
        Kind::OneTypo,
        Kind::TwoTypos,
        Kind::DroppedArticle,
        Kind::MovedArticle,
        Kind::Punctuation,
        Kind::Prefix,
        Kind::MissingWord,
        Kind::Accents,
        Kind::Numerals,
        Kind::RemakeTrailingYear,
        Kind::RemakeYearOption,
        Kind::NumericTitle,
        Kind::AltTitle,
    ];
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Kind::OneTypo => "one-letter typo",
            Kind::TwoTypos => "two-letter typo",
            Kind::DroppedArticle => "dropped article",
            Kind::MovedArticle => "moved article",
            Kind::Punctuation => "punctuation",
            Kind::Prefix => "prefix",
            Kind::MissingWord => "missing word",
            Kind::Accents => "accents",
            Kind::Numerals => "roman/digit numerals",
            Kind::RemakeTrailingYear => "remake + trailing year",
            Kind::RemakeYearOption => "remake + year option",
            Kind::NumericTitle => "numeric title",
            Kind::AltTitle => "alt title",
        };
        f.pad(name)
    }
}

/// A generated query: what was typed, the year option, and the row it means.
#[derive(Debug, Clone)]
pub struct Query {
    pub kind: Kind,
    pub text: String,
    pub year: Option<i32>,
    pub row: usize,
}

/// Every query the generator can make for `rows`, at most one per row and kind, in a
/// deterministic order for a given `seed`.
/// The rows as index entries: ids are row numbers; a missing grade reads as C.
pub fn entries(rows: &[Row]) -> Vec<IndexEntry> {
    rows.iter()
        .enumerate()
        .map(|(i, row)| IndexEntry {
            id: i as i64,
            title: row.title.clone(),
            alt_titles: if row.alt_title.is_empty() {
                Vec::new()
            } else {
                vec![row.alt_title.clone()]
            },
            year: row.year,
            grade: Grade::parse(&row.grade).unwrap_or(Grade::C),
        })
        .collect()
}

pub fn generate(rows: &[Row], seed: u64) -> Vec<Query> {
    let mut rng = SplitMix64::new(seed);
    let keys = KeyTable::new(rows);
    let mut queries = Vec::new();
    for (row, film) in rows.iter().enumerate() {
        for kind in Kind::ALL {
            let made = make(kind, film, &keys, &mut rng);
            if let Some((text, year)) = made {
                queries.push(Query {
                    kind,
                    text,
                    year,
                    row,
                });
            }
        }
    }
    queries
}

/// At most `per_kind` queries of each kind (all of them when `per_kind` is 0), chosen at
/// random but deterministically.
pub fn sample(queries: Vec<Query>, per_kind: usize, seed: u64) -> Vec<Query> {
    if per_kind == 0 {
        return queries;
    }
    let mut rng = SplitMix64::new(seed);
    let mut by_kind: HashMap<Kind, Vec<Query>> = HashMap::new();
    for q in queries {
        by_kind.entry(q.kind).or_default().push(q);
    }
    let mut out = Vec::new();
    for kind in Kind::ALL {
        let mut list = by_kind.remove(&kind).unwrap_or_default();
        rng.shuffle(&mut list);
        list.truncate(per_kind);
        out.extend(list);
    }
    out
}

/// Normalised titles of all rows, sorted, for "how many titles start with this" questions,
/// and how many rows share each normalised title (remakes).
pub struct KeyTable {
    sorted: Vec<String>,
    shared: HashMap<String, usize>,
}

impl KeyTable {
    pub fn new(rows: &[Row]) -> Self {
        let mut sorted: Vec<String> = rows.iter().map(|r| normalize(&r.title)).collect();
        let mut shared = HashMap::new();
        for key in &sorted {
            *shared.entry(key.clone()).or_insert(0) += 1;
        }
        sorted.sort();
        KeyTable { sorted, shared }
    }

    /// The distinct titles whose normalised form starts with `prefix`.
    fn completions(&self, prefix: &str) -> Vec<&str> {
        let start = self.sorted.partition_point(|k| k.as_str() < prefix);
        let mut found: Vec<&str> = self.sorted[start..]
            .iter()
            .take_while(|k| k.starts_with(prefix))
            .map(String::as_str)
            .collect();
        found.dedup();
        found
    }

    /// How many rows share the normalised title `key`.
    pub fn films_titled(&self, key: &str) -> usize {
        self.shared.get(key).copied().unwrap_or(0)
    }
}

fn make(
    kind: Kind,
    film: &Row,
    keys: &KeyTable,
    rng: &mut SplitMix64,
) -> Option<(String, Option<i32>)> {
    let title = film.title.as_str();
    let untimed = |text: Option<String>| text.map(|t| (t, None));
    match kind {
        Kind::OneTypo => untimed(typos(title, 1, 4, rng)),
        Kind::TwoTypos => untimed(typos(title, 2, 8, rng)),
        Kind::DroppedArticle => untimed(drop_article(title)),
        Kind::MovedArticle => untimed(move_article(title, rng)),
        Kind::Punctuation => untimed(change_punctuation(title, rng)),
        Kind::Prefix => untimed(prefix(title, keys, rng)),
        Kind::MissingWord => untimed(missing_word(title, rng)),
        Kind::Accents => untimed(change_accents(title, rng)),
        Kind::Numerals => untimed(swap_numerals(title)),
        Kind::RemakeTrailingYear => {
            remake(film, keys, rng).map(|(t, y)| (trailing_year(&t, y, rng), None))
        }
        Kind::RemakeYearOption => remake(film, keys, rng).map(|(t, y)| (t, Some(y))),
        Kind::NumericTitle => numeric_title(film, rng),
        Kind::AltTitle => untimed(alt_title(film, rng)),
    }
}

/// Keys next to each letter on a QWERTY keyboard: the usual source of a wrong letter.
const NEIGHBOURS: [&str; 26] = [
    "qwsz", "vghn", "xdfv", "serfcx", "wsdr", "drtgvc", "ftyhbv", "gyujnb", "ujko", "huikmn",
    "jiolm", "kop", "njk", "bhjm", "iklp", "ol", "wa", "edft", "awedxz", "rfgy", "yhji", "cfgb",
    "qase", "zsdc", "tghu", "asx",
];

/// `count` typos (wrong key, missing letter, doubled/extra letter, swapped letters) at
/// distinct letters of `title`, which needs at least `min_letters` letters. Digits, roman
/// numerals and punctuation are left alone: they are identity, not spelling (a typo that
/// turns `II` into `III` names another film).
fn typos(title: &str, count: usize, min_letters: usize, rng: &mut SplitMix64) -> Option<String> {
    let mut chars: Vec<char> = title.chars().collect();
    let numeral = numeral_mask(&chars);
    let letters = chars.iter().filter(|c| c.is_ascii_alphabetic()).count();
    if letters < min_letters {
        return None;
    }
    let mut touched: Vec<usize> = Vec::new();
    for _ in 0..count {
        // Positions refer to the original title; earlier typos shift at most one place, and
        // positions next to an earlier typo are excluded, so the mask stays close enough.
        let positions: Vec<usize> = (0..chars.len())
            .filter(|&i| {
                chars[i].is_ascii_alphabetic() && !numeral.get(i).copied().unwrap_or(false)
            })
            .filter(|&i| !touched.iter().any(|&t| t.abs_diff(i) <= 1))
            .collect();
        let &at = rng.pick(&positions)?;
        let c = chars[at].to_ascii_lowercase();
        match rng.below(4) {
            0 => {
                let near = NEIGHBOURS[(c as u8 - b'a') as usize].as_bytes();
                chars[at] = char::from(near[rng.below(near.len())]);
            }
            1 => {
                chars.remove(at);
            }
            2 => chars.insert(at, c),
            _ => {
                let next_is_letter = chars.get(at + 1).is_some_and(|n| n.is_ascii_alphabetic());
                if next_is_letter && chars[at + 1].to_ascii_lowercase() != c {
                    chars.swap(at, at + 1);
                } else {
                    chars[at] = char::from(b'a' + rng.below(26) as u8);
                }
            }
        }
        touched.push(at);
    }
    let typed: String = chars.into_iter().collect();
    (normalize(&typed) != normalize(title)).then_some(typed)
}

/// For each character, whether it belongs to a word that is a roman numeral (`II`, `xiv`).
fn numeral_mask(chars: &[char]) -> Vec<bool> {
    let mut mask = vec![false; chars.len()];
    let mut start = 0;
    while start < chars.len() {
        let end = (start..chars.len())
            .find(|&i| !chars[i].is_alphanumeric())
            .unwrap_or(chars.len());
        let word: String = chars[start..end].iter().collect::<String>().to_uppercase();
        if !word.is_empty() && ROMAN.contains(&word.as_str()) {
            mask[start..end].iter_mut().for_each(|m| *m = true);
        }
        start = end + 1;
    }
    mask
}

const ARTICLES: [&str; 3] = ["the ", "a ", "an "];

fn leading_article(title: &str) -> Option<(&str, &str)> {
    let lower = title.to_ascii_lowercase();
    let article = ARTICLES.iter().find(|a| lower.starts_with(*a))?;
    let (head, rest) = title.split_at(article.len());
    (!rest.trim().is_empty()).then(|| (head.trim(), rest.trim()))
}

/// "The Godfather" → "Godfather".
fn drop_article(title: &str) -> Option<String> {
    leading_article(title).map(|(_, rest)| rest.to_owned())
}

/// "The Godfather" → "Godfather, The" (as the critic's short layout writes it, sometimes in
/// capitals); "Barbarians, The" → "The Barbarians".
fn move_article(title: &str, rng: &mut SplitMix64) -> Option<String> {
    if let Some((article, rest)) = leading_article(title) {
        let moved = format!("{rest}, {article}");
        return Some(if rng.chance(0.3) {
            moved.to_uppercase()
        } else {
            moved
        });
    }
    let (rest, article) = title.rsplit_once(", ")?;
    ARTICLES
        .iter()
        .any(|a| a.trim().eq_ignore_ascii_case(article))
        .then(|| format!("{article} {rest}"))
}

/// Punctuation stripped, or changed to what someone might type instead.
fn change_punctuation(title: &str, rng: &mut SplitMix64) -> Option<String> {
    let has_punctuation = title
        .chars()
        .any(|c| !c.is_alphanumeric() && !c.is_whitespace());
    let has_and = title.split(' ').any(|w| w.eq_ignore_ascii_case("and"));
    if !has_punctuation && !has_and {
        return None;
    }
    let changed = if rng.chance(0.5) {
        strip_punctuation(title)
    } else {
        retype_punctuation(title, rng)
    };
    (changed != title).then_some(changed)
}

fn strip_punctuation(title: &str) -> String {
    let kept: String = title
        .chars()
        .map(|c| if c == '-' || c == '/' { ' ' } else { c })
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn retype_punctuation(title: &str, rng: &mut SplitMix64) -> String {
    let mut out = String::new();
    for c in title.chars() {
        match c {
            ':' => out.push_str(rng.pick(&[" -", "", ",", " :"]).copied().unwrap_or("")),
            '\'' | '\u{2019}' => {
                out.push_str(rng.pick(&["", "\u{2019}", "`"]).copied().unwrap_or(""))
            }
            '-' => out.push_str(rng.pick(&["", " ", " - "]).copied().unwrap_or("")),
            '&' => out.push_str("and"),
            '.' | '!' | '?' | ',' => {}
            other => out.push(other),
        }
    }
    let words: Vec<String> = out
        .split_whitespace()
        .map(|w| {
            if w.eq_ignore_ascii_case("and") {
                "&".to_owned()
            } else {
                w.to_owned()
            }
        })
        .collect();
    words.join(" ")
}

/// The start of the title, cut where what is left still names only this title (among the
/// distinct normalised titles) and covers well over half of it. A cut must keep numbers
/// whole (`Superman I` is not the start of `Superman II` once numerals are normalised).
fn prefix(title: &str, keys: &KeyTable, rng: &mut SplitMix64) -> Option<String> {
    let full = normalize(title);
    let chars: Vec<char> = title.chars().collect();
    let shortest = (chars.len() * 55 / 100).max(6);
    let longest = chars.len().checked_sub(2)?;
    if shortest > longest {
        return None;
    }
    let start = shortest + rng.below((longest - shortest) / 3 + 1);
    (start..=longest).find_map(|cut| {
        let typed: String = chars[..cut].iter().collect();
        let key = normalize(&typed);
        let whole_words_kept =
            !chars[cut - 1].is_ascii_digit() || !chars[cut].is_ascii_alphanumeric();
        let unique = keys.completions(&key) == [full.as_str()];
        (key.len() >= 5
            && key != full
            && whole_words_kept
            && is_numeral_safe(&key, &full)
            && unique)
            .then(|| typed.trim_end().to_owned())
    })
}

/// The key of a cut title must be a plain prefix of the full key (it is not when the cut
/// splits a roman numeral, like `Superman I|I`).
fn is_numeral_safe(key: &str, full: &str) -> bool {
    full.starts_with(key)
}

/// One word left out, as people do with long titles: not the first word (after any article;
/// leaving that out is a different title more than a sloppy one), not a number (numbers tell
/// sequels apart), and at least two telling words (three letters or more, not "and" or "the")
/// must remain.
fn missing_word(title: &str, rng: &mut SplitMix64) -> Option<String> {
    let words: Vec<&str> = title.split_whitespace().collect();
    let first = words
        .iter()
        .position(|w| !ARTICLES.contains(&format!("{} ", w.to_lowercase()).as_str()))?;
    let droppable: Vec<usize> = (first + 1..words.len())
        .filter(|&i| {
            let key = normalize(words[i]);
            !key.is_empty() && !key.bytes().all(|b| b.is_ascii_digit())
        })
        .collect();
    let &gone = rng.pick(&droppable)?;
    let kept: Vec<&str> = words
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != gone)
        .map(|(_, w)| *w)
        .collect();
    let typed = kept.join(" ");
    let key = normalize(&typed);
    let telling = key
        .split(' ')
        .filter(|w| w.len() >= 3 && *w != "and" && *w != "the")
        .count();
    (telling >= 2).then_some(typed)
}

/// Accents stripped from a title that has them, or sprinkled on one that has none.
fn change_accents(title: &str, rng: &mut SplitMix64) -> Option<String> {
    if !title.is_ascii() {
        return Some(deunicode_lite(title));
    }
    let accented: String = title
        .chars()
        .map(|c| match c {
            'e' if rng.chance(0.5) => 'é',
            'a' if rng.chance(0.3) => 'à',
            'o' if rng.chance(0.3) => 'ö',
            'u' if rng.chance(0.3) => 'ü',
            'i' if rng.chance(0.2) => 'ï',
            'n' if rng.chance(0.1) => 'ñ',
            'c' if rng.chance(0.1) => 'ç',
            other => other,
        })
        .collect();
    (accented != title).then_some(accented)
}

/// What someone typing without accents would write: accents dropped letter by letter.
fn deunicode_lite(title: &str) -> String {
    title
        .chars()
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'ø' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            'É' => 'E',
            'Á' => 'A',
            other => other,
        })
        .collect()
}

const ROMAN: [&str; 40] = [
    "", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV",
    "XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI", "XXII", "XXIII", "XXIV", "XXV", "XXVI",
    "XXVII", "XXVIII", "XXIX", "XXX", "XXXI", "XXXII", "XXXIII", "XXXIV", "XXXV", "XXXVI",
    "XXXVII", "XXXVIII", "XXXIX",
];

/// Roman numerals written as digits and digits (1 to 39) as roman numerals. A lone "I" is
/// only taken for a numeral after "Part".
fn swap_numerals(title: &str) -> Option<String> {
    let words: Vec<&str> = title.split(' ').collect();
    let mut changed = false;
    let mut out = Vec::with_capacity(words.len());
    for (i, word) in words.iter().enumerate() {
        let core = word.trim_end_matches([':', ',', '.']);
        let tail = &word[core.len()..];
        let after_part = i > 0 && words[i - 1].eq_ignore_ascii_case("part");
        let swapped = if let Some(value) = ROMAN.iter().position(|r| !r.is_empty() && *r == core) {
            (value > 1 || after_part).then(|| value.to_string())
        } else if let Ok(value) = core.parse::<usize>() {
            ROMAN
                .get(value)
                .filter(|r| !r.is_empty())
                .map(|r| (*r).to_owned())
        } else {
            None
        };
        match swapped {
            Some(s) => {
                changed = true;
                out.push(format!("{s}{tail}"));
            }
            None => out.push((*word).to_owned()),
        }
    }
    changed.then(|| out.join(" "))
}

/// For a title several films share: the title (sometimes with a typo) and this film's year.
fn remake(film: &Row, keys: &KeyTable, rng: &mut SplitMix64) -> Option<(String, i32)> {
    let year = film.year?;
    if keys.films_titled(&normalize(&film.title)) < 2 {
        return None;
    }
    let text = if rng.chance(0.3) {
        typos(&film.title, 1, 5, rng).unwrap_or_else(|| film.title.to_lowercase())
    } else {
        film.title.to_lowercase()
    };
    Some((text, year))
}

fn trailing_year(title: &str, year: i32, rng: &mut SplitMix64) -> String {
    if rng.chance(0.5) {
        format!("{title} ({year})")
    } else {
        format!("{title} {year}")
    }
}

/// A title that is a number or ends with one, typed as is (sometimes with its year).
fn numeric_title(film: &Row, rng: &mut SplitMix64) -> Option<(String, Option<i32>)> {
    let key = normalize(&film.title);
    let last = key.rsplit(' ').next()?;
    if last.is_empty() || !last.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let text = film.title.to_lowercase();
    match film.year {
        Some(year) if rng.chance(0.3) => Some((format!("{text} {year}"), None)),
        Some(year) if rng.chance(0.2) => Some((text, Some(year))),
        _ => Some((text, None)),
    }
}

/// The film's other title, as typed.
fn alt_title(film: &Row, rng: &mut SplitMix64) -> Option<String> {
    let alt = film.alt_title.trim();
    if alt.is_empty() {
        return None;
    }
    Some(if rng.chance(0.5) {
        alt.to_lowercase()
    } else {
        alt.to_owned()
    })
}

/// Whether `best` is a right answer to `query`, being fair to queries that lost the
/// information needed to single out the film they were made from:
/// * the best match has the intended title (case-insensitively) and year (so when two rows
///   share both, either counts: nothing could tell them apart); or
/// * the query carried no year and the best match is filed under the same normalised title
///   as the intended film (remakes: nothing in `king kong` says which one is meant); or
/// * the query, normalised, *is* a name of the best match (title or alternative title): the
///   sloppiness turned it into another film's exact name (a dropped word that leaves another
///   title, or an alternative title several films share), so that film is a right answer;
///   likewise when the query holds exactly the words of the best match's title in another
///   order (`friday next`, made from `Friday After Next`, is all of `Next Friday`).
pub fn is_correct(best: &Candidate, query: &Query, rows: &[Row]) -> bool {
    let Some(intended) = rows.get(query.row) else {
        return false;
    };
    if best.title.eq_ignore_ascii_case(&intended.title) && best.year == intended.year {
        return true;
    }
    let gave_year = query.year.is_some() || matches!(query.kind, Kind::RemakeTrailingYear);
    if !gave_year && normalize(&best.title) == normalize(&intended.title) {
        return true;
    }
    let typed = sorted_words(&query.text);
    rows.iter()
        .filter(|r| r.title == best.title && r.year == best.year)
        .any(|r| {
            sorted_words(&r.title) == typed
                || (!r.alt_title.is_empty() && sorted_words(&r.alt_title) == typed)
        })
}

/// The words of the normalised text, sorted.
fn sorted_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = normalize(text).split(' ').map(str::to_owned).collect();
    words.sort();
    words
}
