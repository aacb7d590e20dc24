//! Precision@1 of title search on the shared corpus, over generated sloppy queries.
//!
//! Builds the index from every row of `../shared/corpus/truth.jsonl` (relative to the crate)
//! and checks that the best match of each query is the film it was made from. Skipped, with a
//! message, when the corpus is absent.
//!
//! Debug builds are slow, so at most `MARQUEE_PRECISION_PER_KIND` queries of each kind are
//! run (default 120; 0 runs all of them, which is worth doing in release mode), and
//! `MARQUEE_PRECISION_SEED` picks another deterministic set of queries, and
//! `MARQUEE_PRECISION_CORPUS` another `truth.jsonl` (a generated 100k archive, say).
//!
//! What counts as correct is decided by `sloppy::is_correct`: the intended film, or, when
//! the query lost what told it apart, a film the query names just as well (see there).

use std::collections::BTreeMap;

use marquee::search::TitleIndex;

use crate::support::sloppy::{self, Kind};

const BAR: f64 = 0.98;
const SEED: u64 = 0x6d61_7271_7565_6521;

#[test]
fn precision_at_one_on_the_corpus() {
    let Some(path) = sloppy::corpus_path() else {
        return;
    };
    let rows = match sloppy::load_rows(&path) {
        Ok(rows) => rows,
        Err(e) => panic!("cannot read the corpus: {e}"),
    };
    let started = std::time::Instant::now();
    let index = TitleIndex::new(sloppy::entries(&rows));
    println!(
        "index of {} films built in {:.1?}",
        index.len(),
        started.elapsed()
    );
    let per_kind = sloppy::env_number("MARQUEE_PRECISION_PER_KIND", 120);
    let seed = sloppy::env_number("MARQUEE_PRECISION_SEED", SEED);
    let started = std::time::Instant::now();
    let queries = sloppy::sample(sloppy::generate(&rows, seed), per_kind, seed);
    println!(
        "{} queries generated in {:.1?}",
        queries.len(),
        started.elapsed()
    );
    let started = std::time::Instant::now();

    let mut tally: BTreeMap<Kind, (usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    for query in &queries {
        let outcome = index.search(&query.text, query.year, 5);
        let right = outcome
            .best
            .as_ref()
            .is_some_and(|best| sloppy::is_correct(best, query, &rows));
        let counts = tally.entry(query.kind).or_default();
        counts.1 += 1;
        if right {
            counts.0 += 1;
        } else {
            misses.push((query, outcome.candidates));
        }
    }

    println!("searched in {:.1?}", started.elapsed());
    print_table(&tally);
    for (query, candidates) in misses.iter().take(40) {
        let intended = &rows[query.row];
        let got: Vec<String> = candidates
            .iter()
            .take(3)
            .map(|c| format!("{} ({:?}) {:.3}", c.title, c.year, c.score))
            .collect();
        println!(
            "miss [{}] {:?} year {:?} meant {} ({:?}); got {:?}",
            query.kind, query.text, query.year, intended.title, intended.year, got
        );
    }
    for kind in Kind::ALL {
        assert!(tally.contains_key(&kind), "no query of kind {kind}");
    }
    let (right, total) = tally
        .values()
        .fold((0, 0), |(r, t), &(kr, kt)| (r + kr, t + kt));
    let overall = right as f64 / total as f64;
    assert!(overall >= BAR, "precision@1 {overall:.4} is below {BAR}");
}

fn print_table(tally: &BTreeMap<Kind, (usize, usize)>) {
    println!("{:<24} {:>7} {:>7} {:>9}", "kind", "right", "total", "p@1");
    let (mut right, mut total) = (0, 0);
    for (kind, &(r, t)) in tally {
        println!("{kind:<24} {r:>7} {t:>7} {:>9.4}", r as f64 / t as f64);
        right += r;
        total += t;
    }
    println!(
        "{:<24} {right:>7} {total:>7} {:>9.4}",
        "overall",
        right as f64 / total as f64
    );
}
