//! Person search on the shared corpus: generated sloppy queries for everyone it credits (its
//! directors and cast), and how often the reply is right.
//!
//! Skipped, with a message, when the corpus is absent. `MARQUEE_PRECISION_PER_KIND` caps the
//! queries of each kind (default 150; 0 runs all), `MARQUEE_PRECISION_SEED` picks another
//! deterministic set, `MARQUEE_PRECISION_CORPUS` another `truth.jsonl`.
//!
//! A reply is right when its best match is the person (`Exact`), or when the query cannot
//! tell them from others (a surname or initials they share) and the reply offers the choice
//! with them in it (`Offered`), or when a typo made the query as near to someone else
//! (`Fair`). See `support/sloppy_people.rs`.

use std::collections::BTreeMap;

use marquee::search::people::{PersonIndex, RoleFilter};

use crate::support::sloppy;
use crate::support::sloppy_people::{self, Kind, Verdict};

/// Right (exact, offered or fair) over every kind but the surname alone.
const BAR: f64 = 0.97;
/// Exactly the person, for the kinds that name one person.
const EXACT_BAR: f64 = 0.95;
const SEED: u64 = 0x7065_6f70_6c65_2121;
/// The most people a reply can offer (Discord's menu limit).
const OFFERED: usize = 25;

#[test]
fn person_queries_on_the_corpus() {
    let Some(path) = sloppy::corpus_path() else {
        return;
    };
    let people = sloppy_people::load_people(&path).unwrap_or_else(|e| panic!("{e}"));
    let started = std::time::Instant::now();
    let index = PersonIndex::new(people.clone());
    println!(
        "index of {} people built in {:.1?}",
        index.len(),
        started.elapsed()
    );
    let per_kind = sloppy::env_number("MARQUEE_PRECISION_PER_KIND", 150);
    let seed = sloppy::env_number("MARQUEE_PRECISION_SEED", SEED);
    let queries = sloppy_people::sample(sloppy_people::generate(&people, seed), per_kind, seed);

    // kind → (exact, offered, fair, total)
    let mut tally: BTreeMap<Kind, [usize; 4]> = BTreeMap::new();
    let mut misses = Vec::new();
    let started = std::time::Instant::now();
    for query in &queries {
        let outcome = index.search(&query.text, RoleFilter::Any, OFFERED);
        let verdict = sloppy_people::judge(&outcome, query, &people);
        let counts = tally.entry(query.kind).or_default();
        counts[3] += 1;
        match verdict {
            Verdict::Exact => counts[0] += 1,
            Verdict::Offered => counts[1] += 1,
            Verdict::Fair => counts[2] += 1,
            Verdict::Wrong => misses.push((query, outcome)),
        }
    }
    println!("{} queries in {:.1?}", queries.len(), started.elapsed());
    println!(
        "{:<22} {:>6} {:>8} {:>5} {:>6} {:>8} {:>8}",
        "kind", "exact", "offered", "fair", "total", "right", "exact%"
    );
    let (mut right, mut total, mut exact, mut exact_total) = (0, 0, 0, 0);
    for (kind, [e, o, f, t]) in &tally {
        println!(
            "{kind:<22} {e:>6} {o:>8} {f:>5} {t:>6} {:>8.4} {:>8.4}",
            (e + o + f) as f64 / *t as f64,
            *e as f64 / *t as f64
        );
        if *kind != Kind::Surname {
            right += e + o + f;
            total += t;
        }
        if matches!(
            kind,
            Kind::Plain | Kind::Reversed | Kind::Spacing | Kind::MissingMiddle
        ) {
            exact += e;
            exact_total += t;
        }
    }
    // The misses that matter most first: a surname shared by more people than a menu holds
    // cannot be settled by any reply.
    misses.sort_by_key(|(q, _)| q.kind == Kind::Surname);
    for (query, outcome) in misses.iter().take(30) {
        let got: Vec<String> = outcome
            .candidates
            .iter()
            .take(3)
            .map(|c| format!("{} {:.3}", c.name, c.score))
            .collect();
        println!(
            "miss [{}] {:?} meant {}; got {got:?}{}",
            query.kind,
            query.text,
            query.person,
            if outcome.ambiguous {
                " (ambiguous)"
            } else {
                ""
            }
        );
    }
    for kind in Kind::ALL {
        assert!(tally.contains_key(&kind), "no query of kind {kind}");
    }
    let overall = right as f64 / total as f64;
    let exact = exact as f64 / exact_total as f64;
    println!("right, all kinds but the surname alone: {overall:.4}; exact where the name is whole: {exact:.4}");
    assert!(overall >= BAR, "right {overall:.4} is below {BAR}");
    assert!(exact >= EXACT_BAR, "exact {exact:.4} is below {EXACT_BAR}");
}
