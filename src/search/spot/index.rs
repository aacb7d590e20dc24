//! What spotting needs beyond the title index, built from it on the first spot: hashes of
//! every name's key, of each key's leading words and of its space-free form, so that a window
//! of a message is checked with a few integer searches; and, for long names, the words that
//! anchor a typo-tolerant comparison.

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

/// The spotting index. Sorted arrays of 64-bit FNV-1a hashes: a hash found is confirmed
/// against the title index's own sorted names, so a collision costs a lookup, never a
/// wrong answer.
#[derive(Debug, Default)]
pub(crate) struct SpotIndex {
    keys: Vec<u64>,
    /// Each key's first words (`godfather`, `godfather part` for `godfather part 2`).
    prefixes: Vec<u64>,
    compacts: Vec<u64>,
    /// (hash of a word, name) for the words of long names, each word held by few of them.
    anchors: Vec<(u64, u32)>,
    /// The most words in a name's key.
    pub max_words: usize,
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
        let mut spot = SpotIndex::default();
        let mut words_of_long: Vec<(u64, u32)> = Vec::new();
        for (id, name) in index.names.iter().enumerate() {
            let id = u32::try_from(id).unwrap_or(u32::MAX);
            let form = name.form(&index.strings);
            if form.key.is_empty() {
                continue;
            }
            spot.keys.push(hash(form.key));
            spot.compacts.push(hash(form.compact));
            let mut h = FNV_OFFSET;
            let words: Vec<&str> = form.words().collect();
            spot.max_words = spot.max_words.max(words.len());
            for (at, word) in words.iter().enumerate() {
                if at > 0 {
                    spot.prefixes.push(h);
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
        for list in [&mut spot.keys, &mut spot.prefixes, &mut spot.compacts] {
            list.sort_unstable();
            list.dedup();
        }
        words_of_long.sort_unstable();
        words_of_long.dedup();
        // Keep the words few names share.
        let mut start = 0;
        while start < words_of_long.len() {
            let word = words_of_long.get(start).map_or(0, |w| w.0);
            let len = words_of_long
                .get(start..)
                .unwrap_or(&[])
                .iter()
                .take_while(|w| w.0 == word)
                .count()
                .max(1);
            if len <= ANCHOR_CAP {
                spot.anchors
                    .extend_from_slice(words_of_long.get(start..start + len).unwrap_or(&[]));
            }
            start += len;
        }
        spot.max_words = spot.max_words.min(MAX_WORDS);
        spot
    }

    pub fn has_key(&self, hash: u64) -> bool {
        self.keys.binary_search(&hash).is_ok()
    }

    /// Some name's key starts with the words hashed (and has more).
    pub fn has_prefix(&self, hash: u64) -> bool {
        self.prefixes.binary_search(&hash).is_ok()
    }

    pub fn has_compact(&self, hash: u64) -> bool {
        self.compacts.binary_search(&hash).is_ok()
    }

    /// The long names holding the word hashed (none when too many do).
    pub fn anchored(&self, word: u64) -> impl Iterator<Item = u32> + '_ {
        let start = self.anchors.partition_point(|a| a.0 < word);
        self.anchors
            .get(start..)
            .unwrap_or(&[])
            .iter()
            .take_while(move |a| a.0 == word)
            .map(|a| a.1)
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
