//! Candidate generation: which hundred or so names are worth scoring for a query.
//!
//! * A character-trigram inverted index over the keys (padded with a space at each end).
//!   A query counts, per name, how many of its distinct trigrams the name shares, in a dense
//!   counter array kept per thread and reset only where it was touched. The best names by
//!   shared count and by Dice coefficient go on to be scored.
//! * For short keys, where one typo destroys most trigrams, a one-deletion neighbourhood
//!   (every key with one letter removed) finds names within one edit of the query.
//!
//! Both are flat sorted arrays ([`Postings`]), so that a saved index decodes in a few
//! large allocations.

use std::cell::RefCell;

/// How many names the trigram pass hands on, by shared count and by Dice coefficient.
const BY_COUNT: usize = 40;
const BY_DICE: usize = 25;
/// A trigram held by more than this share (1/n) of the names, and by more than
/// [`COMMON_MIN`] names, is common: it only counts for names a rarer trigram found.
const COMMON_SHARE: usize = 50;
const COMMON_MIN: usize = 1000;
/// With this many trigrams that are not common, the common ones are not counted at all.
const ENOUGH_RARE: usize = 4;
/// The rarest few trigrams of a query always find names.
const ALWAYS_ADD: usize = 3;
/// Names ranked by shared trigrams: those at the best counts until this many are reached,
/// and never more than [`MAX_RANKED`].
const ENOUGH: usize = 600;
const MAX_RANKED: usize = 2000;
/// Keys of at most this many letters (without spaces) get a deletion neighbourhood.
const SHORT_KEY: usize = 10;

/// The trigram postings of every name, plus the deletion index.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct GramIndex {
    /// Trigram code → the names holding it.
    trigrams: Postings,
    /// Number of distinct trigrams of each name.
    gram_counts: Vec<u16>,
    /// Hash of a space-free short key, or of one of its one-letter deletions → names. Two
    /// strings sharing a hash only make a name a candidate that scoring then turns down.
    deletions: Postings,
}

/// Names grouped by a sorted key, in compressed-row form: `names[offsets[i]..offsets[i + 1]]`
/// are the names with `keys[i]`. All three are mostly ascending, so they are saved as
/// differences (see [`deltas`]): a third of the bytes to store and to decode.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Postings {
    #[serde(with = "deltas")]
    keys: Vec<u32>,
    #[serde(with = "deltas")]
    offsets: Vec<u32>,
    #[serde(with = "deltas")]
    names: Vec<u32>,
}

impl Postings {
    /// Groups `(key, name)` pairs; duplicates are dropped.
    fn build(mut pairs: Vec<(u32, u32)>) -> Postings {
        pairs.sort_unstable();
        pairs.dedup();
        let mut postings = Postings::default();
        for (key, name) in pairs {
            if postings.keys.last() != Some(&key) {
                postings.keys.push(key);
                postings.offsets.push(to_u32(postings.names.len()));
            }
            postings.names.push(name);
        }
        postings.offsets.push(to_u32(postings.names.len()));
        postings
    }

    fn get(&self, key: u32) -> &[u32] {
        let Ok(at) = self.keys.binary_search(&key) else {
            return &[];
        };
        let start = self.offsets.get(at).map_or(0, |&o| o as usize);
        let end = self.offsets.get(at + 1).map_or(start, |&o| o as usize);
        self.names.get(start..end).unwrap_or(&[])
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Per-thread scratch space for counting, so that searching allocates little.
#[derive(Default)]
struct Counter {
    counts: Vec<u16>,
    touched: Vec<u32>,
}

impl Counter {
    fn reset(&mut self, size: usize) {
        for &name in &self.touched {
            if let Some(slot) = self.counts.get_mut(name as usize) {
                *slot = 0;
            }
        }
        self.touched.clear();
        if self.counts.len() < size {
            self.counts.resize(size, 0);
        }
    }
}

thread_local! {
    static COUNTER: RefCell<Counter> = RefCell::new(Counter::default());
}

impl GramIndex {
    /// Indexes `keys` (normalised, with spaces) and `compacts` (the same without spaces);
    /// name `i` is `keys[i]`.
    pub fn build(keys: &[&str], compacts: &[&str]) -> GramIndex {
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        let mut gram_counts = Vec::with_capacity(keys.len());
        for (name, key) in keys.iter().enumerate() {
            let grams = trigrams(key);
            gram_counts.push(u16::try_from(grams.len()).unwrap_or(u16::MAX));
            pairs.extend(grams.into_iter().map(|g| (g, to_u32(name))));
        }
        GramIndex {
            trigrams: Postings::build(pairs),
            gram_counts,
            deletions: deletion_index(compacts),
        }
    }

    /// The names sharing the most trigrams with `key`, plus those within one edit of it when
    /// it is short. Unordered, without duplicates.
    pub fn candidates(&self, key: &str, compact: &str) -> Vec<u32> {
        let grams = trigrams(key);
        let mut found = COUNTER.with(|cell| match cell.try_borrow_mut() {
            Ok(mut counter) => self.best_by_trigrams(&grams, &mut counter),
            // Only reachable if this thread re-entered a search; count in a fresh array.
            Err(_) => self.best_by_trigrams(&grams, &mut Counter::default()),
        });
        if compact.len() <= SHORT_KEY {
            found.extend(self.within_one_edit(compact));
        }
        found.sort_unstable();
        found.dedup();
        found
    }

    fn postings_of(&self, code: u32) -> &[u32] {
        self.trigrams.get(code)
    }

    fn best_by_trigrams(&self, grams: &[u32], counter: &mut Counter) -> Vec<u32> {
        counter.reset(self.gram_counts.len());
        self.count_shared(grams, counter);
        let threshold = threshold(counter, grams.len());
        let mut scored: Vec<Shared> = counter
            .touched
            .iter()
            .filter(|&&name| {
                counter
                    .counts
                    .get(name as usize)
                    .is_some_and(|&c| c >= threshold)
            })
            .take(MAX_RANKED)
            .map(|&name| self.shared(name, counter, grams.len()))
            .collect();
        counter.reset(0);
        let mut found = top(&mut scored, BY_COUNT, |a, b| {
            b.count.cmp(&a.count).then(a.gap.cmp(&b.gap))
        });
        found.extend(top(&mut scored, BY_DICE, |a, b| b.dice.total_cmp(&a.dice)));
        found
    }

    /// Counts shared trigrams per name. Posting lists are walked rarest first; a very common
    /// trigram (`the`, ` of`) only adds to names a rarer one already found, and is not
    /// counted at all when the query has enough rarer ones. That keeps the work and the
    /// number of names touched small without losing any name that shares something telling
    /// with the query. The rarest few lists may always add names, so that a query made only
    /// of common trigrams still finds something.
    fn count_shared(&self, grams: &[u32], counter: &mut Counter) {
        let mut lists: Vec<&[u32]> = grams
            .iter()
            .map(|&g| self.postings_of(g))
            .filter(|l| !l.is_empty())
            .collect();
        lists.sort_by_key(|l| l.len());
        let common = (self.gram_counts.len() / COMMON_SHARE).max(COMMON_MIN);
        let rare = lists.iter().filter(|l| l.len() <= common).count();
        if rare >= ENOUGH_RARE {
            lists.truncate(rare);
        }
        for (i, list) in lists.into_iter().enumerate() {
            let may_add = i < ALWAYS_ADD || list.len() <= common;
            for &name in list {
                let Some(count) = counter.counts.get_mut(name as usize) else {
                    continue;
                };
                if *count == 0 {
                    if !may_add {
                        continue;
                    }
                    counter.touched.push(name);
                }
                *count = count.saturating_add(1);
            }
        }
    }

    fn shared(&self, name: u32, counter: &Counter, query_grams: usize) -> Shared {
        let count = counter.counts.get(name as usize).copied().unwrap_or(0);
        let own = self.gram_counts.get(name as usize).copied().unwrap_or(0);
        let total = query_grams + usize::from(own);
        Shared {
            name,
            count,
            gap: query_grams.abs_diff(usize::from(own)),
            dice: 2.0 * f64::from(count) / total.max(1) as f64,
        }
    }

    /// The short names (up to ten letters without spaces) within one edit of `compact`, and
    /// a few that merely share a hash with one of its deletions.
    pub(crate) fn within_one_edit(&self, compact: &str) -> Vec<u32> {
        let mut found = Vec::new();
        for variant in std::iter::once(compact.to_owned()).chain(deletions(compact)) {
            found.extend_from_slice(self.deletions.get(stable_hash(&variant)));
        }
        found
    }
}

/// The lowest shared-trigram count worth ranking: the highest count at which at least
/// [`ENOUGH`] names are reached (or the lowest seen), so that ranking looks at a few
/// thousand names, not at every name that shares one common trigram.
fn threshold(counter: &Counter, query_grams: usize) -> u16 {
    let mut histogram = vec![0usize; query_grams + 1];
    for &name in &counter.touched {
        let count = counter.counts.get(name as usize).copied().unwrap_or(0);
        if let Some(slot) = histogram.get_mut(usize::from(count)) {
            *slot += 1;
        }
    }
    let mut reached = 0;
    for (count, &names) in histogram.iter().enumerate().rev() {
        reached += names;
        if reached >= ENOUGH {
            return u16::try_from(count).unwrap_or(u16::MAX).max(1);
        }
    }
    1
}

/// One name's overlap with the query.
#[derive(Debug, Clone, Copy)]
struct Shared {
    name: u32,
    count: u16,
    /// Difference between the two trigram counts: a tie-breaker favouring similar lengths.
    gap: usize,
    dice: f64,
}

/// The names of the `n` best entries of `scored` under `order`, ties broken by name so that
/// the result is deterministic. Reorders `scored`.
fn top(
    scored: &mut [Shared],
    n: usize,
    order: impl Fn(&Shared, &Shared) -> std::cmp::Ordering,
) -> Vec<u32> {
    let by = |a: &Shared, b: &Shared| order(a, b).then(a.name.cmp(&b.name));
    if scored.len() > n {
        scored.select_nth_unstable_by(n, by);
    }
    scored.iter().take(n).map(|s| s.name).collect()
}

/// The distinct trigrams of ` key `, each packed into a `u32`. Keys are ASCII; any other
/// byte is still packed consistently, so nothing can go wrong with odd input.
pub(crate) fn trigrams(key: &str) -> Vec<u32> {
    let padded: Vec<u8> = std::iter::once(b' ')
        .chain(key.bytes())
        .chain(std::iter::once(b' '))
        .collect();
    let mut grams: Vec<u32> = padded
        .windows(3)
        .map(|w| w.iter().fold(0u32, |code, &b| (code << 8) | u32::from(b)))
        .collect();
    grams.sort_unstable();
    grams.dedup();
    grams
}

/// Every string made by removing one character from `word`.
fn deletions(word: &str) -> impl Iterator<Item = String> + '_ {
    word.char_indices().map(move |(at, c)| {
        let mut variant = String::with_capacity(word.len());
        variant.push_str(word.get(..at).unwrap_or(""));
        variant.push_str(word.get(at + c.len_utf8()..).unwrap_or(""));
        variant
    })
}

fn deletion_index(compacts: &[&str]) -> Postings {
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    for (name, compact) in compacts.iter().enumerate() {
        if compact.is_empty() || compact.len() > SHORT_KEY {
            continue;
        }
        for variant in std::iter::once((*compact).to_owned()).chain(deletions(compact)) {
            pairs.push((stable_hash(&variant), to_u32(name)));
        }
    }
    Postings::build(pairs)
}

/// 32-bit FNV-1a. The hashes are saved with the index, so they must not change with a
/// dependency's version (as `FxHash` and `SipHash` values may): this one is fixed here.
/// 32 bits is plenty: among the ~150k deletion keys of 100k films a handful collide, and a
/// collision only adds a candidate.
fn stable_hash(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

/// Saves a mostly ascending `Vec<u32>` as the differences between neighbours, which postcard
/// writes as zigzag varints: one or two bytes each instead of up to five.
mod deltas {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(values: &[u32], serializer: S) -> Result<S::Ok, S::Error> {
        let mut previous = 0u32;
        serializer.collect_seq(values.iter().map(|&value| {
            // Reinterpreting the wrapped difference as signed makes a step down small too.
            let delta = value.wrapping_sub(previous) as i32;
            previous = value;
            delta
        }))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u32>, D::Error> {
        let deltas = Vec::<i32>::deserialize(deserializer)?;
        let mut previous = 0u32;
        Ok(deltas
            .into_iter()
            .map(|delta| {
                previous = previous.wrapping_add(delta as u32);
                previous
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigrams_are_padded_and_distinct() {
        assert_eq!(trigrams("aaaa").len(), 3); // " aa", "aaa", "aa "
        assert_eq!(trigrams("").len(), 0);
        assert_eq!(trigrams("a").len(), 1);
    }

    #[test]
    fn deletions_of_a_word() {
        let all: Vec<String> = deletions("jaws").collect();
        assert_eq!(all, ["aws", "jws", "jas", "jaw"]);
    }

    #[test]
    fn postings_group_names_by_key() {
        let postings = Postings::build(vec![(7, 2), (3, 1), (7, 0), (7, 2), (u32::MAX, 9)]);
        assert_eq!(postings.get(7), [0, 2]);
        assert_eq!(postings.get(3), [1]);
        assert_eq!(postings.get(u32::MAX), [9]);
        assert!(postings.get(5).is_empty());
        assert!(Postings::default().get(1).is_empty());
    }

    #[test]
    fn postings_survive_encoding_as_differences() {
        let postings = Postings::build(vec![(u32::MAX, 0), (0, u32::MAX), (5, 3), (5, 1), (9, 2)]);
        let bytes = postcard::to_stdvec(&postings).unwrap();
        let decoded: Postings = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(decoded.keys, postings.keys);
        assert_eq!(decoded.offsets, postings.offsets);
        assert_eq!(decoded.names, postings.names);
        assert_eq!(decoded.get(5), [1, 3]);
    }

    #[test]
    fn the_stable_hash_is_fnv_1a() {
        // Published FNV-1a 32 test values: the saved index depends on exactly this function.
        assert_eq!(stable_hash(""), 0x811c_9dc5);
        assert_eq!(stable_hash("a"), 0xe40c_292c);
    }

    #[test]
    fn a_short_key_with_a_typo_is_found() {
        let keys = ["jaws", "jack", "james", "jane", "jazz"];
        let index = GramIndex::build(&keys, &keys);
        assert!(index.candidates("jwas", "jwas").contains(&0));
        assert!(index.candidates("jaqs", "jaqs").contains(&0));
    }
}
