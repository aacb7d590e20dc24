//! Full-text search on the shared corpus, checked against a brute-force reading of the same
//! text: the 3,200 reviews are imported, then phrases and prefixes drawn from them are
//! searched, and each count must equal the number of reviews that a plain scan finds them in;
//! a film's title words must bring that film (or one of the same title) first.
//!
//! Skipped, with a message, when the corpus is absent.

use std::collections::HashMap;
use std::path::Path;

use marquee::import::{collect_sources, import_sources};
use marquee::search::words::TextQuery;
use marquee::store::Store;

use crate::support::sloppy::SplitMix64;

const SEED: u64 = 0x7465_7874_2121;
const QUERIES: usize = 40;

/// The indexed columns of a review: title, other titles, pull quote, body, tagline.
type Row = (
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
);

/// The text of one review, per indexed column, as token ids.
type Doc = Vec<Vec<u32>>;

/// Words as FTS5's unicode61 tokenizer cuts them: runs of letters and digits, lower case,
/// accents folded.
fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lower = w.to_lowercase();
            if lower.is_ascii() {
                lower
            } else {
                deunicode::deunicode(&lower)
            }
        })
        .collect()
}

struct Corpus {
    docs: Vec<(String, Doc)>,
    vocabulary: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Corpus {
    fn id(&mut self, token: String) -> u32 {
        if let Some(id) = self.ids.get(&token) {
            return *id;
        }
        let id = self.vocabulary.len() as u32;
        self.vocabulary.push(token.clone());
        self.ids.insert(token, id);
        id
    }

    /// Reviews with `phrase` (token ids) in one column.
    fn with_phrase(&self, phrase: &[u32]) -> usize {
        self.docs
            .iter()
            .filter(|(_, columns)| {
                columns
                    .iter()
                    .any(|c| c.windows(phrase.len()).any(|w| w == phrase))
            })
            .count()
    }

    /// Reviews with a word starting with `prefix`.
    fn with_prefix(&self, prefix: &str) -> usize {
        let matching: Vec<bool> = self
            .vocabulary
            .iter()
            .map(|w| w.starts_with(prefix))
            .collect();
        self.docs
            .iter()
            .filter(|(_, columns)| columns.iter().flatten().any(|&t| matching[t as usize]))
            .count()
    }
}

async fn load(store: &Store) -> Corpus {
    let rows: Vec<Row> =
        sqlx::query_as("SELECT title, other_titles, pull_quote, body, tagline FROM reviews")
            .fetch_all(store.pool().unwrap())
            .await
            .unwrap();
    let mut corpus = Corpus {
        docs: Vec::new(),
        vocabulary: Vec::new(),
        ids: HashMap::new(),
    };
    for (title, other, quote, body, tagline) in rows {
        let columns = [Some(title.clone()), other, quote, Some(body), tagline];
        let doc: Doc = columns
            .iter()
            .map(|c| {
                tokens(c.as_deref().unwrap_or(""))
                    .into_iter()
                    .map(|t| corpus.id(t))
                    .collect()
            })
            .collect();
        corpus.docs.push((title, doc));
    }
    corpus
}

async fn total(store: &Store, text: &str) -> (u32, bool) {
    let query = TextQuery::parse(text).unwrap_or_else(|| panic!("{text} parses"));
    let results = store.text_search(&query, 0, 5).await.unwrap();
    (results.total, results.any_term)
}

#[tokio::test]
async fn counts_match_a_plain_scan_of_the_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/reviews");
    if !dir.exists() {
        println!("skipped: {} not found", dir.display());
        return;
    }
    let store = Store::in_memory().await.unwrap();
    let started = std::time::Instant::now();
    let report = import_sources(&store, collect_sources(&[dir]), |_| {})
        .await
        .unwrap();
    println!(
        "{} reviews imported in {:.1?}",
        report.counts.added,
        started.elapsed()
    );
    let corpus = load(&store).await;
    let mut rng = SplitMix64::new(SEED);

    // Phrases of two or three words from the bodies, in quotes.
    let mut checked = 0;
    while checked < QUERIES {
        let (_, doc) = &corpus.docs[rng.below(corpus.docs.len())];
        let body = &doc[3];
        let n = 2 + rng.below(2);
        if body.len() < n {
            continue;
        }
        let start = rng.below(body.len() - n + 1);
        let phrase = &body[start..start + n];
        let words: Vec<&str> = phrase
            .iter()
            .map(|&t| corpus.vocabulary[t as usize].as_str())
            .collect();
        let text = format!("\"{}\"", words.join(" "));
        let (found, any) = total(&store, &text).await;
        assert!(!any);
        assert_eq!(found as usize, corpus.with_phrase(phrase), "{text}");
        checked += 1;
    }

    // Prefixes of words, with a trailing *.
    let mut checked = 0;
    while checked < QUERIES {
        let word = &corpus.vocabulary[rng.below(corpus.vocabulary.len())];
        if word.chars().count() < 5 || !word.is_ascii() {
            continue;
        }
        let prefix: String = word.chars().take(4).collect();
        let (found, _) = total(&store, &format!("{prefix}*")).await;
        assert_eq!(found as usize, corpus.with_prefix(&prefix), "{prefix}*");
        checked += 1;
    }

    // A film's title words bring it first: titles weigh most.
    let mut checked = 0;
    let mut first = 0;
    while checked < QUERIES {
        let (title, doc) = &corpus.docs[rng.below(corpus.docs.len())];
        if doc[0].len() < 2 {
            continue;
        }
        let words: Vec<&str> = doc[0]
            .iter()
            .map(|&t| corpus.vocabulary[t as usize].as_str())
            .collect();
        let query = TextQuery::parse(&words.join(" ")).unwrap();
        let hits = store.text_search(&query, 0, 1).await.unwrap().hits;
        let top = hits.first().map(|h| tokens(&h.film.title));
        checked += 1;
        if top.as_deref() == Some(&tokens(title)[..]) {
            first += 1;
        } else {
            println!(
                "{title:?}: first hit {:?}",
                hits.first().map(|h| &h.film.title)
            );
        }
    }
    println!("title words first: {first}/{checked}");
    assert!(first as f64 >= 0.9 * checked as f64, "{first}/{checked}");
}
