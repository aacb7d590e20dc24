//! How long browsing takes: `/person`, its autocomplete, `/top`, `/search` and `/stats`, each
//! as the bot runs it — an interaction in, the reply out, SQLite included — over an archive
//! that `marquee import` built; the full-text index's size; the chart's render time.
//!
//! ```sh
//! cargo run --release --example browse_latency -- marquee.db [--queries 400]
//! ```
//!
//! Queries are generated from the archive itself, deterministically: sloppy names of the
//! people it credits (the kinds of the `person_precision` test), prefixes of their names,
//! `/top` scopes, words, phrases and prefixes from its reviews.

// The tests' sloppy-query generators (they need marquee, so they are not in marquee-testkit);
// this example uses a part of them, the tests the rest.
#[allow(dead_code)]
#[path = "../tests/it/support/sloppy.rs"]
mod sloppy;

#[allow(dead_code)]
#[path = "../tests/it/support/sloppy_people.rs"]
mod sloppy_people;

use std::sync::Arc;
use std::time::{Duration, Instant};

use marquee::archive::{Archive, Origin};
use marquee::commands::{dispatch, Data};
use marquee::review::{Grade, GradeCounts};
use marquee::search::people::PersonRecord;
use marquee::store::Store;
use marquee_testkit::fake_discord::{autocomplete, focused, opt, slash_command, Ctx};
use serde_json::{json, Value};
use serenity::all::Interaction;
use sloppy::SplitMix64;

const SEED: u64 = 0x6272_6f77_7365;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{what:<28} {:>6} {:>10.2?} {:>10.2?} {:>10.2?}",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.last().copied().unwrap_or_default()
    );
}

/// What an interaction asked, for the list of the slowest.
fn asked(d: &Value) -> String {
    let options = &d["data"]["options"];
    format!("/{} {}", d["data"]["name"].as_str().unwrap_or(""), options)
}

/// Runs interactions through the command layer; the time of each, and how many replies were
/// the internal-error apology (there should be none). With `MARQUEE_SLOWEST=N`, prints the
/// N slowest.
async fn run(data: &Data, payloads: Vec<Value>) -> (Vec<Duration>, usize) {
    let mut times = Vec::with_capacity(payloads.len());
    let mut slowest: Vec<(Duration, String)> = Vec::new();
    let mut failures = 0;
    for d in payloads {
        let what = asked(&d);
        let interaction: Interaction = serde_json::from_value(d).expect("a valid interaction");
        let started = Instant::now();
        let reply = dispatch(data, &interaction).await;
        let took = started.elapsed();
        times.push(took);
        slowest.push((took, what));
        let text = serde_json::to_string(&reply).unwrap_or_default();
        if text.contains("Sorry, something went wrong") {
            failures += 1;
        }
    }
    let show: usize = std::env::var("MARQUEE_SLOWEST")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    slowest.sort_by_key(|(took, _)| std::cmp::Reverse(*took));
    for (took, what) in slowest.iter().take(show) {
        println!("    {took:>10.2?}  {what}");
    }
    (times, failures)
}

/// The `i`-th scope of a mix of `kinds` (3: everything, a decade, a person; 4: a year too).
fn scope_options(i: usize, kinds: usize, rng: &mut SplitMix64, people: &[PersonRecord]) -> Value {
    match (i % kinds, kinds) {
        (0, _) => json!([]),
        (1, _) => json!([opt("decade", 4, 1930 + 10 * (i as i64 % 9))]),
        (2, 4) => json!([opt("year", 4, 1960 + (i as i64 % 50))]),
        _ => {
            let name = rng.pick(people).map(|r| r.name.clone()).unwrap_or_default();
            json!([opt("person", 3, name)])
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(db) = args.first() else {
        anyhow::bail!("usage: browse_latency DB [--queries N]");
    };
    let queries: usize = args
        .iter()
        .position(|a| a == "--queries")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(400);
    let url = marquee::cli::database_url(db)?;
    let store = Store::open(&url, false).await?;
    let reviews = store.count_reviews().await?;
    let started = Instant::now();
    let archive = Arc::new(Archive::new(store.clone(), Origin::Database).await?);
    archive.index().await?;
    let title_index = started.elapsed();
    let started = Instant::now();
    let people = archive.people().await?;
    let people_index = started.elapsed();
    println!(
        "{reviews} reviews; title index {title_index:.1?}; people index ({} people) {people_index:.1?}",
        people.len()
    );
    let fts: Option<i64> =
        sqlx::query_scalar("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'reviews_fts%'")
            .fetch_one(store.pool()?)
            .await?;
    let file = std::fs::metadata(db).map(|m| m.len()).unwrap_or(0);
    println!(
        "FTS index: {:.1} MB of a {:.1} MB database",
        fts.unwrap_or(0) as f64 / 1e6,
        file as f64 / 1e6
    );
    let data = Data {
        archive: archive.clone(),
        critic: "Dennis Schwartz".into(),
    };
    let ctx = Ctx::guild(8000, 5000, 6000, 0);
    let mut rng = SplitMix64::new(SEED);
    let mut id = 1u64;
    let mut next = || {
        id += 1;
        id
    };

    // People: sloppy names of everyone credited, and what autocomplete sees while typing.
    let records = store.person_records().await?;
    let per_kind = queries / sloppy_people::Kind::ALL.len() + 1;
    let named = sloppy_people::sample(sloppy_people::generate(&records, SEED), per_kind, SEED);
    let person: Vec<Value> = named
        .iter()
        .map(|q| {
            slash_command(
                next(),
                "person",
                json!([opt("name", 3, q.text.as_str())]),
                &ctx,
            )
        })
        .collect();
    let typing: Vec<Value> = (0..queries)
        .filter_map(|_| rng.pick(&records))
        .map(|r| {
            let cut = 1 + r.name.chars().count().min(8) / 2;
            let partial: String = r.name.chars().take(cut).collect();
            autocomplete(
                next(),
                "person",
                json!([focused("name", 3, &partial)]),
                &ctx,
            )
        })
        .collect();

    // /top: the whole archive, decades, years, people.
    let top: Vec<Value> = (0..queries)
        .map(|i| {
            let options = scope_options(i, 4, &mut rng, &records);
            slash_command(next(), "top", options, &ctx)
        })
        .collect();

    // /search: words of every frequency, two words, phrases and prefixes from the reviews.
    // A temporary table lives on one connection: ask on that one.
    let mut conn = store.pool()?.acquire().await?;
    sqlx::query(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms USING fts5vocab(main, reviews_fts, 'row')",
    )
    .execute(&mut *conn)
    .await?;
    let terms: Vec<String> = sqlx::query_scalar("SELECT term FROM temp.fts_terms")
        .fetch_all(&mut *conn)
        .await?;
    drop(conn);
    let quotes: Vec<String> = sqlx::query_scalar(
        "SELECT pull_quote FROM reviews WHERE pull_quote IS NOT NULL LIMIT 2000",
    )
    .fetch_all(store.pool()?)
    .await?;
    let search: Vec<Value> = (0..queries)
        .map(|i| {
            let mut term = || rng.pick(&terms).cloned().unwrap_or_default();
            let text = match i % 4 {
                0 => term(),
                1 => format!("{} {}", term(), term()),
                2 => {
                    let quote = quotes
                        .get(i % quotes.len().max(1))
                        .cloned()
                        .unwrap_or_default();
                    let words: Vec<&str> = quote.split_whitespace().collect();
                    let start = (i / 4) % words.len().max(1);
                    format!(
                        "\"{}\"",
                        words
                            .iter()
                            .skip(start)
                            .take(2)
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(" ")
                    )
                }
                _ => format!("{}*", term().chars().take(3).collect::<String>()),
            };
            slash_command(next(), "search", json!([opt("text", 3, text)]), &ctx)
        })
        .collect();

    // /stats: everything, decades, people (each reply renders a chart).
    let stats: Vec<Value> = (0..queries / 4)
        .map(|i| {
            let options = scope_options(i, 3, &mut rng, &records);
            slash_command(next(), "stats", options, &ctx)
        })
        .collect();

    println!(
        "{:<28} {:>6} {:>10} {:>10} {:>10}",
        "interaction", "n", "p50", "p99", "max"
    );
    let mut failures = 0;
    for (what, payloads) in [
        ("/person (sloppy names)", person),
        ("autocomplete /person", typing),
        ("/top", top),
        ("/search", search),
        ("/stats (with the chart)", stats),
    ] {
        let (times, failed) = run(&data, payloads).await;
        failures += failed;
        report(what, times);
    }

    // The chart alone.
    let mut counts = GradeCounts::default();
    for (i, g) in Grade::ALL.iter().enumerate() {
        counts.add(*g, 100 + 37 * i as u32);
    }
    let times: Vec<Duration> = (0..50)
        .map(|_| {
            let started = Instant::now();
            let png = marquee::present::chart::png("Grades: the whole archive", &counts);
            let took = started.elapsed();
            assert!(png.is_ok());
            took
        })
        .collect();
    report("chart render (PNG)", times);
    anyhow::ensure!(failures == 0, "{failures} interactions failed inside");
    Ok(())
}
