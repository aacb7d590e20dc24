//! What spotting needs beyond the title index, built from it on the first spot: hashes of
//! every name's key, of each key's leading words and of its space-free form, so that a window
//! of a message is checked with a hash lookup or two; and, for long names, the words that
//! anchor a typo-tolerant comparison.

use rustc_hash::{FxHashMap, FxHashSet};

use super::vocab::{class, Class};
use crate::search::TitleIndex;

/// A name is long enough for a typo in it to be forgiven: this many letters (without
/// spaces) and two words or more.
pub(crate) const LONG_NAME: usize = 10;
/// A word held by more long names than this does not anchor a typo search (`love`, `night`):
/// it would bring too many names to compare, and a rarer word of the title will do.
const ANCHOR_CAP: usize = 64;
/// No window is longer than this many words, whatever the archive holds.
const MAX_WORDS: usize = 32;

/// The spotting index: hashes (64-bit FNV-1a) of every name's key, of each key's leading
/// words and of its space-free form, each with the names that have it. A name found by a
/// hash is compared with the window before it counts, so a collision costs a comparison,
/// never a wrong answer.
#[derive(Debug, Default)]
pub(crate) struct SpotIndex {
    keys: Grouped,
    /// Each key's first words (`godfather`, `godfather part` for `godfather part 2`).
    prefixes: FxHashSet<u64>,
    compacts: Grouped,
    /// The words of long names, each word held by few of them.
    anchors: Grouped,
    /// The most words in a name's key.
    pub max_words: usize,
}

/// Names grouped by a hash: `names[start..start + len]` for the hash's `(start, len)`.
#[derive(Debug, Default)]
struct Grouped {
    ranges: FxHashMap<u64, (u32, u32)>,
    names: Vec<u32>,
}

impl Grouped {
    /// Groups `(hash, name)` pairs, keeping only the hashes `keep` accepts the count of.
    fn build(mut pairs: Vec<(u64, u32)>, keep: impl Fn(usize) -> bool) -> Grouped {
        pairs.sort_unstable();
        pairs.dedup();
        let mut grouped = Grouped::default();
        let mut start = 0;
        while start < pairs.len() {
            let hash = pairs.get(start).map_or(0, |p| p.0);
            let len = pairs
                .get(start..)
                .unwrap_or(&[])
                .iter()
                .take_while(|p| p.0 == hash)
                .count()
                .max(1);
            if keep(len) {
                let at = u32::try_from(grouped.names.len()).unwrap_or(u32::MAX);
                let count = u32::try_from(len).unwrap_or(u32::MAX);
                grouped.ranges.insert(hash, (at, count));
                grouped.names.extend(
                    pairs
                        .get(start..start + len)
                        .unwrap_or(&[])
                        .iter()
                        .map(|p| p.1),
                );
            }
            start += len;
        }
        grouped.names.shrink_to_fit();
        grouped
    }

    fn get(&self, hash: u64) -> &[u32] {
        match self.ranges.get(&hash) {
            Some(&(at, len)) => {
                let at = at as usize;
                self.names.get(at..at + len as usize).unwrap_or(&[])
            }
            None => &[],
        }
    }
}

pub(crate) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Continues an FNV-1a hash over `bytes`: hashing `a`, then `" "`, then `b` gives the hash of
/// `"a b"`, which is how a window's key is hashed one word at a time.
pub(crate) fn feed(hash: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(hash, |h, &b| (h ^ u64::from(b)).wrapping_mul(FNV_PRIME))
}

pub(crate) fn hash(text: &str) -> u64 {
    feed(FNV_OFFSET, text.as_bytes())
}

impl SpotIndex {
    pub fn build(index: &TitleIndex) -> SpotIndex {
        let mut keys = Vec::with_capacity(index.names.len());
        let mut compacts = Vec::with_capacity(index.names.len());
        let mut prefixes = FxHashSet::default();
        let mut words_of_long: Vec<(u64, u32)> = Vec::new();
        let mut max_words = 0;
        for (id, name) in index.names.iter().enumerate() {
            let id = u32::try_from(id).unwrap_or(u32::MAX);
            let form = name.form(&index.strings);
            if form.key.is_empty() {
                continue;
            }
            keys.push((hash(form.key), id));
            compacts.push((hash(form.compact), id));
            let mut h = FNV_OFFSET;
            let words: Vec<&str> = form.words().collect();
            max_words = max_words.max(words.len());
            for (at, word) in words.iter().enumerate() {
                if at > 0 {
                    prefixes.insert(h);
                    h = feed(h, b" ");
                }
                h = feed(h, word.as_bytes());
            }
            if form.compact.len() >= LONG_NAME && words.len() >= 2 {
                for word in &words {
                    if word.len() >= 3 && class(word) != Class::Function {
                        words_of_long.push((hash(word), id));
                    }
                }
            }
        }
        prefixes.shrink_to_fit();
        SpotIndex {
            keys: Grouped::build(keys, |_| true),
            prefixes,
            compacts: Grouped::build(compacts, |_| true),
            // A word many long names share anchors too many comparisons.
            anchors: Grouped::build(words_of_long, |len| len <= ANCHOR_CAP),
            max_words: max_words.min(MAX_WORDS),
        }
    }

    /// The names whose key may be the one hashed (compare before trusting).
    pub fn with_key(&self, hash: u64) -> &[u32] {
        self.keys.get(hash)
    }

    /// Some name's key starts with the words hashed (and has more).
    pub fn has_prefix(&self, hash: u64) -> bool {
        self.prefixes.contains(&hash)
    }

    /// The names whose space-free key may be the one hashed.
    pub fn with_compact(&self, hash: u64) -> &[u32] {
        self.compacts.get(hash)
    }

    /// The long names holding the word hashed (none when too many do).
    pub fn anchored(&self, word: u64) -> &[u32] {
        self.anchors.get(word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashing_word_by_word_is_hashing_the_key() {
        let h = feed(feed(feed(FNV_OFFSET, b"blade"), b" "), b"runner");
        assert_eq!(h, hash("blade runner"));
        assert_ne!(hash("blade runner"), hash("bladerunner"));
    }
}
