//! How alike a query and a title are, both already normalised: a score in `0.0..=1.0`.
//!
//! Three readings of the query are scored and the best one counts:
//!
//! * **whole string**: Levenshtein (with transpositions) plus Jaro-Winkler over the keys.
//!   Good at typos.
//! * **words**: query words and title words paired one to one, most alike first; how much of
//!   the query is found in the title and how much of the title in the query. Good at a
//!   missing word, a changed word order, or a typo in one word of a long title.
//! * **prefix**: the query is the start of the title (possibly with a typo), as when
//!   someone types only the first part of a long title.
//!
//! Only identical keys score 1.0; identical space-free forms (`spiderman`, `spider man`)
//! score [`SAME_LETTERS`]; anything else is capped at [`FUZZY_CAP`]. Numbers are identity,
//! not spelling: a title whose numbers differ from the query's is scaled down, so that
//! `superman 3` is not a one-letter typo of `superman 2`.

use super::normalize::roman_value;

/// Score of a title whose key differs from the query only in spacing.
pub(crate) const SAME_LETTERS: f64 = 0.98;
/// The highest score of any other inexact match.
pub(crate) const FUZZY_CAP: f64 = 0.97;
/// Factor per number present on one side only.
const NUMBER_MISMATCH: f64 = 0.88;

/// A normalised key prepared for comparison, borrowed: from a query's [`FormBuf`] or from
/// the index's string buffer, so that scoring a name allocates nothing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Form<'a> {
    /// The normalised key, words separated by single spaces.
    pub key: &'a str,
    /// The key without spaces.
    pub compact: &'a str,
}

impl<'a> Form<'a> {
    /// The words of the key.
    pub fn words(&self) -> impl Iterator<Item = &'a str> {
        self.key.split(' ').filter(|w| !w.is_empty())
    }

    /// The words that are numbers: digits, or (in a name's roman spelling) roman numerals.
    fn numbers(&self) -> impl Iterator<Item = &'a str> {
        self.words()
            .filter(|w| is_number(w) || roman_value(w).is_some())
    }
}

/// An owned [`Form`]: a query's key and its space-free form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FormBuf {
    /// The normalised key, words separated by single spaces.
    pub key: String,
    /// The key without spaces.
    pub compact: String,
}

impl FormBuf {
    /// Prepares an already normalised key.
    pub fn new(key: String) -> FormBuf {
        let compact = key.split(' ').collect();
        FormBuf { key, compact }
    }

    pub fn form(&self) -> Form<'_> {
        Form {
            key: &self.key,
            compact: &self.compact,
        }
    }
}

fn is_number(word: &str) -> bool {
    !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit())
}

/// How alike `query` and `title` are, from 0.0 (nothing in common) to 1.0 (same key).
pub(crate) fn similarity(query: &Form, title: &Form) -> f64 {
    if query.key == title.key {
        return 1.0;
    }
    if query.compact == title.compact && !starts_a_word(query, title) {
        return SAME_LETTERS;
    }
    let numbers = number_factor(query, title);
    // When the query is the title plus more words (`dick t`, `collateral d`), the edit
    // distance would call the extra words a typo; only the word reading is fair to them.
    let whole = if extends(query, title) {
        0.0
    } else {
        whole_string(query, title)
    };
    let fuzzy = whole
        .max(word_match(query, title))
        .max(missing_words(query, title))
        * numbers;
    // A prefix holds every number of the query already; the title's further numbers are
    // in the part not typed yet.
    fuzzy.max(prefix_match(query, title)).min(FUZZY_CAP)
}

/// The query is the title with words left out: every query word (two or more) is a title
/// word, in the title's order, and the title has more. As telling as a prefix covering as
/// much of the title, a shade less (the words typed are not all together at the start):
/// `squid die` is `The Squid Must Die` rather than a two-letter typo of `The Squid It`.
fn missing_words(query: &Form, title: &Form) -> f64 {
    let mut title_words = title.words();
    let mut typed = 0;
    for word in query.words() {
        if !title_words.any(|t| t == word) {
            return 0.0;
        }
        typed += 1;
    }
    if typed < 2 || title.compact.len() <= query.compact.len() {
        return 0.0;
    }
    GAPPED * prefix_weight(query, title.compact.len())
}

/// What a gap between the words typed costs against the same words typed as a prefix.
const GAPPED: f64 = 0.995;

/// True when the query ends in a single letter that the title joins to the word before
/// (`soul s` and `souls`): that is the start of the next word being typed, not the same
/// letters spaced differently.
fn starts_a_word(query: &Form, title: &Form) -> bool {
    let last = query.key.rsplit(' ').next().unwrap_or("");
    last.len() == 1 && query.key.len() > 1 && !title.key.ends_with(&format!(" {last}"))
}

/// True when the query is the title's words followed by more words.
fn extends(query: &Form, title: &Form) -> bool {
    query
        .key
        .strip_prefix(title.key)
        .is_some_and(|rest| rest.starts_with(' '))
}

/// The whole-string reading: typo-tolerant edit distance plus Jaro-Winkler, both over the
/// spaced keys (so that a word added at the end costs its space too: `collateral d` is the
/// start of `collateral damage` more than a typo of `collateral`).
fn whole_string(query: &Form, title: &Form) -> f64 {
    let edit = edit_similarity(query.key, title.key, 0.5);
    let jaro = rapidfuzz::distance::jaro_winkler::similarity(query.key.chars(), title.key.chars());
    0.6 * edit + 0.4 * jaro
}

/// `1 - distance / longer length`, with the optimal-string-alignment distance (Levenshtein
/// plus adjacent transpositions). Two empty strings are identical. When the lengths alone
/// show the result would be below `floor`, returns 0 without computing the distance.
pub(crate) fn edit_similarity(a: &str, b: &str, floor: f64) -> f64 {
    let longer = a.len().max(b.len());
    if longer == 0 {
        return 1.0;
    }
    // Cheap bounds first: the length difference, and for longer strings the letters one
    // has and the other lacks. Most unrelated pairs stop here.
    let bound = if longer >= 10 {
        distance_at_least(a, b)
    } else {
        a.len().abs_diff(b.len())
    };
    let longer = longer as f64;
    if 1.0 - bound as f64 / longer < floor {
        return 0.0;
    }
    let similarity = 1.0 - rapidfuzz::distance::osa::distance(a.chars(), b.chars()) as f64 / longer;
    if similarity < floor {
        0.0
    } else {
        similarity
    }
}

/// A cheap lower bound of the edit distance between `a` and `b`: every edit adds at most
/// one letter and removes at most one, so the distance is at least the larger of the
/// letters `a` has in excess and the letters `b` has in excess. Bytes are bucketed by their
/// low six bits; sharing a bucket only makes the bound weaker, never wrong.
fn distance_at_least(a: &str, b: &str) -> usize {
    let bucket = |byte: u8| usize::from(byte & 0x3f);
    let mut balance = [0i32; 64];
    for byte in a.bytes() {
        if let Some(slot) = balance.get_mut(bucket(byte)) {
            *slot += 1;
        }
    }
    for byte in b.bytes() {
        if let Some(slot) = balance.get_mut(bucket(byte)) {
            *slot -= 1;
        }
    }
    // Visit each bucket in use once, clearing it as it is counted.
    let (mut excess_a, mut excess_b) = (0i32, 0i32);
    for byte in a.bytes().chain(b.bytes()) {
        if let Some(slot) = balance.get_mut(bucket(byte)) {
            excess_a += (*slot).max(0);
            excess_b += (-*slot).max(0);
            *slot = 0;
        }
    }
    usize::try_from(excess_a.max(excess_b)).unwrap_or(0)
}

/// The word reading: how well the query's words are found in the title and the title's
/// words in the query, each word weighted by its length plus one (so that a stray short word
/// still counts). Words are paired one to one, most alike first, and pairs out of order cost
/// a little (`kong king`).
fn word_match(query: &Form, title: &Form) -> f64 {
    let query_words: Vec<&str> = query.words().collect();
    let title_words: Vec<&str> = title.words().collect();
    let pairs = pair_words(&query_words, &title_words);
    let mut for_query = vec![0.0; query_words.len()];
    let mut for_title = vec![0.0; title_words.len()];
    let mut title_order = Vec::with_capacity(pairs.len());
    for pair in &pairs {
        if let (Some(q), Some(t)) = (for_query.get_mut(pair.query), for_title.get_mut(pair.title)) {
            *q = pair.similarity;
            *t = pair.similarity;
        }
        title_order.push((pair.query, pair.title));
    }
    title_order.sort_unstable();
    let in_order = title_order
        .windows(2)
        .all(|w| matches!(w, [a, b] if a.1 < b.1));
    let order = if in_order { 1.0 } else { 0.95 };
    let found_in_title = weighted_mean(&query_words, &for_query);
    let found_in_query = weighted_mean(&title_words, &for_title);
    0.95 * order * (0.65 * found_in_title + 0.35 * found_in_query)
}

/// A query word and the title word it is paired with.
#[derive(Debug, Clone, Copy)]
struct Pair {
    similarity: f64,
    query: usize,
    title: usize,
}

/// Pairs query words with title words one to one, the most alike first (ties: earlier words
/// first). Words without a counterpart at least half alike stay unpaired.
fn pair_words(query: &[&str], title: &[&str]) -> Vec<Pair> {
    let last = query.len().saturating_sub(1);
    let mut candidates = Vec::new();
    for (qi, q) in query.iter().enumerate() {
        for (ti, t) in title.iter().enumerate() {
            let similarity = word_similarity(q, t, qi == last);
            if similarity > 0.0 {
                candidates.push(Pair {
                    similarity,
                    query: qi,
                    title: ti,
                });
            }
        }
    }
    candidates.sort_by(|a, b| {
        b.similarity
            .total_cmp(&a.similarity)
            .then(a.query.cmp(&b.query))
            .then(a.title.cmp(&b.title))
    });
    let mut query_free = vec![true; query.len()];
    let mut title_free = vec![true; title.len()];
    let mut pairs = Vec::new();
    for pair in candidates {
        let free = |flags: &[bool], at: usize| flags.get(at).copied().unwrap_or(false);
        if free(&query_free, pair.query) && free(&title_free, pair.title) {
            take(&mut query_free, pair.query);
            take(&mut title_free, pair.title);
            pairs.push(pair);
        }
    }
    pairs
}

fn take(free: &mut [bool], at: usize) {
    if let Some(flag) = free.get_mut(at) {
        *flag = false;
    }
}

/// Similarity of a query word and a title word. Numbers and very short words must match
/// exactly, and words less than half alike count as unrelated. The query's last word may be
/// the start of a title word (typing in progress).
fn word_similarity(query_word: &str, title_word: &str, may_be_prefix: bool) -> f64 {
    if query_word == title_word {
        return 1.0;
    }
    if is_number(query_word) || is_number(title_word) {
        return 0.0;
    }
    if may_be_prefix && query_word.len() >= 2 && title_word.starts_with(query_word) {
        return 0.75 + 0.2 * query_word.len() as f64 / title_word.len() as f64;
    }
    if query_word.len().max(title_word.len()) <= 2 {
        return 0.0;
    }
    edit_similarity(query_word, title_word, 0.5)
}

/// Mean of `values`, each weighted by the length of its word plus one; 0 without words.
fn weighted_mean(words: &[&str], values: &[f64]) -> f64 {
    let (total, weight) = words
        .iter()
        .zip(values)
        .fold((0.0, 0.0), |(t, w), (word, value)| {
            let weight = word.len() as f64 + 1.0;
            (t + weight * value, w + weight)
        });
    if weight > 0.0 {
        total / weight
    } else {
        0.0
    }
}

/// The prefix reading: the query is how the title starts, perhaps with a typo in it.
pub(crate) fn prefix_match(query: &Form, title: &Form) -> f64 {
    let (q, t) = (query.compact, title.compact);
    if q.len() < 3 || t.len() <= q.len() {
        return 0.0;
    }
    if let Some(exact) = exact_prefix(query, title) {
        return exact;
    }
    // A typo in what was typed so far: only for a telling length, the same first letter and
    // the query's numbers all in the title.
    if q.len() < 6 || q.get(..1) != t.get(..1) || !numbers_all_in(query, title) {
        return 0.0;
    }
    let weight = prefix_weight(query, t.len());
    // Compare with the title's start at the query's length, one shorter and one longer, so
    // that a dropped or doubled letter costs one edit rather than shifting the rest. Spaced
    // keys here: where the words break is part of what was typed. Weaker evidence than a
    // typo in a whole title, so the similarity counts in full against the prefix's score.
    let (q, t) = (query.key, title.key);
    let closest = [q.len() - 1, q.len(), q.len() + 1]
        .into_iter()
        .filter(|&n| !cuts_a_number(t, n))
        .filter_map(|n| t.get(..n))
        .map(|start| edit_similarity(q, start, 0.8))
        .fold(0.0, f64::max);
    weight * closest
}

/// True when cutting `key` after `at` bytes splits a number (`part ii|i`): the start of a
/// number is not a typo of another number.
fn cuts_a_number(key: &str, at: usize) -> bool {
    let (Some(before), Some(after)) = (key.get(..at), key.get(at..)) else {
        return false;
    };
    let head = before.rsplit(' ').next().unwrap_or("");
    let tail = after.split(' ').next().unwrap_or("");
    if head.is_empty() || tail.is_empty() {
        return false;
    }
    let word = format!("{head}{tail}");
    is_number(&word) || roman_value(&word).is_some()
}

/// The score of `query` as the exact start of `title` (a longer title), if it is one.
/// Starting with the same letters but with the words broken differently (`fat al` and
/// `fatale`) counts for less.
pub(crate) fn exact_prefix(query: &Form, title: &Form) -> Option<f64> {
    if query.compact.len() < 3 || title.compact.len() <= query.compact.len() {
        return None;
    }
    let weight = prefix_weight(query, title.compact.len());
    if title.key.starts_with(query.key) {
        Some(weight)
    } else if title.compact.starts_with(query.compact) {
        Some(0.9 * weight)
    } else {
        None
    }
}

/// The score of an exact prefix: higher the more of the title it covers, and lower for a
/// short single word, which says little (and may be a typo of a short title).
pub(crate) fn prefix_weight(query: &Form, title_len: usize) -> f64 {
    let typed = query.compact.len();
    let covered = typed as f64 / title_len.max(1) as f64;
    let telling = typed >= 5 || (typed >= 4 && query.words().nth(1).is_some());
    if telling {
        0.86 + 0.11 * covered
    } else {
        0.72 + 0.15 * covered
    }
}

/// True when every number in the query is also in the title.
fn numbers_all_in(query: &Form, title: &Form) -> bool {
    query.numbers().all(|n| title.numbers().any(|t| t == n))
}

/// 1.0 when both sides carry the same numbers, lower for each number on one side only.
fn number_factor(query: &Form, title: &Form) -> f64 {
    let mut title_numbers: Vec<&str> = title.numbers().collect();
    let mut unmatched: i32 = 0;
    for number in query.numbers() {
        match title_numbers.iter().position(|&n| n == number) {
            Some(at) => {
                title_numbers.swap_remove(at);
            }
            None => unmatched = unmatched.saturating_add(1),
        }
    }
    unmatched = unmatched.saturating_add(i32::try_from(title_numbers.len()).unwrap_or(i32::MAX));
    NUMBER_MISMATCH.powi(unmatched)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::normalize;

    fn sim(query: &str, title: &str) -> f64 {
        let (query, title) = (
            FormBuf::new(normalize(query)),
            FormBuf::new(normalize(title)),
        );
        similarity(&query.form(), &title.form())
    }

    /// The search scores with rapidfuzz's bit-parallel distances for speed; they must be
    /// the very measures strsim defines (optimal string alignment, Jaro-Winkler with a 0.1
    /// prefix scale over at most four letters, boosted above 0.7), or rankings would move.
    #[test]
    fn rapidfuzz_distances_are_strsim_s() {
        let words = [
            "",
            "a",
            "the",
            "teh",
            "godfather",
            "godfahter",
            "the godfather part ii",
            "amelie",
            "am\u{e9}lie",
            "ca",
            "abc",
            "acb",
            "bca",
            "spider man",
            "spiderman",
            "2001 a space odyssey",
            "2001 space odyssey",
            "x",
            "xx",
            "distant voices still lives",
            "distant voice",
            "a very long title that runs on past sixty four letters of text",
            "a very long title that runs on past sixty four letter of text!!",
            "ii",
            "2",
        ];
        for a in words {
            for b in words {
                assert_eq!(
                    rapidfuzz::distance::osa::distance(a.chars(), b.chars()),
                    strsim::osa_distance(a, b),
                    "osa {a:?} {b:?}"
                );
                let ours = rapidfuzz::distance::jaro_winkler::similarity(a.chars(), b.chars());
                let theirs = strsim::jaro_winkler(a, b);
                // Two empty strings: strsim says 1, rapidfuzz too; any other gap is a bug.
                assert!(
                    (ours - theirs).abs() < 1e-12,
                    "jaro-winkler {a:?} {b:?}: {ours} {theirs}"
                );
            }
        }
    }

    #[test]
    fn identical_keys_score_one_and_spacing_just_below() {
        assert_eq!(sim("The Godfather", "godfather"), 1.0);
        assert_eq!(sim("spiderman", "Spider-Man"), SAME_LETTERS);
        assert!(sim("godfahter", "The Godfather") <= FUZZY_CAP);
    }

    #[test]
    fn a_typo_beats_a_different_title() {
        assert!(sim("godfahter", "The Godfather") > sim("godfahter", "Godzilla"));
        assert!(sim("the godfater part 2", "The Godfather: Part II") > 0.85);
    }

    #[test]
    fn numbers_are_identity_not_spelling() {
        let right = sim("superman 2", "Superman II");
        let wrong = sim("superman 2", "Superman III");
        assert_eq!(right, 1.0);
        assert!(wrong < 0.85, "{wrong}");
    }

    #[test]
    fn missing_word_and_word_order() {
        assert!(sim("lord of rings", "The Lord of the Rings") > 0.85);
        assert!(sim("kong king", "King Kong") > 0.85);
    }

    #[test]
    fn prefixes_prefer_the_shorter_completion() {
        let short = sim("lord of the ri", "Lord of the Rings");
        let long = sim(
            "lord of the ri",
            "Lord of the Rings: The Fellowship of the Ring",
        );
        assert!(short > long && long > 0.8, "{short} {long}");
    }

    #[test]
    fn scores_stay_in_range() {
        for (q, t) in [
            ("", ""),
            ("a", ""),
            ("", "a"),
            ("x", "y"),
            ("1", "2"),
            ("abc", "abcdef"),
        ] {
            let s = sim(q, t);
            assert!((0.0..=1.0).contains(&s), "{q:?} {t:?} {s}");
        }
    }
}
