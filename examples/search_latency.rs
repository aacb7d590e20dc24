//! Latency of title search and autocomplete on a real or generated archive.
//!
//! ```text
//! cargo run --release --example search_latency -- \
//!     [--queries N] [--best-of K] [--by-kind] TRUTH.jsonl [MORE.jsonl ...]
//! ```
//!
//! Loads every row of the given `truth.jsonl` files, builds the index (printing how long
//! that took), then times N sloppy searches (default 20,000) of every kind and N
//! autocompletions of prefixes of 1 to 12 characters of random titles, printing p50, p90,
//! p99 and max. `--by-kind` adds a line per kind of sloppy query. `--best-of K` runs each
//! call K times and keeps the fastest, which filters out preemption on a busy machine (with
//! other builds running, the scheduler's 4 ms time slice otherwise dominates p99). The
//! precision@1 of the timed searches is printed too, as a sanity check (the precision test
//! is the real one).

// The tests' sloppy-query generator (it needs marquee, so it is not in marquee-testkit); this
// example uses most of it, the tests all of it.
#[allow(dead_code)]
#[path = "../tests/it/support/sloppy.rs"]
mod sloppy;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use marquee::search::TitleIndex;
use sloppy::{Kind, Query, Row, SplitMix64};

const SEED: u64 = 0x6c61_7465_6e63_7921;
const USAGE: &str =
    "usage: search_latency [--queries N] [--best-of K] [--by-kind] TRUTH.jsonl [MORE.jsonl ...]";

struct Options {
    count: usize,
    best_of: usize,
    by_kind: bool,
    paths: Vec<PathBuf>,
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    let mut rows: Vec<Row> = Vec::new();
    for path in &options.paths {
        match sloppy::load_rows(path) {
            Ok(more) => rows.extend(more),
            Err(message) => {
                eprintln!("{message}");
                return ExitCode::FAILURE;
            }
        }
    }
    let started = Instant::now();
    let index = TitleIndex::new(sloppy::entries(&rows));
    println!(
        "built index of {} titles in {:.1?}",
        index.len(),
        started.elapsed()
    );

    let per_kind = options.count.div_ceil(Kind::ALL.len());
    let queries = sloppy::sample(sloppy::generate(&rows, SEED), per_kind, SEED);
    let queries: Vec<&Query> = queries.iter().cycle().take(options.count).collect();
    time_searches(&index, &queries, &rows, &options);
    time_autocomplete(&index, &rows, &options);
    ExitCode::SUCCESS
}

/// Runs `call` `best_of` times (at least once); returns its last result and fastest time.
fn timed<T>(best_of: usize, mut call: impl FnMut() -> T) -> (T, Duration) {
    let started = Instant::now();
    let mut result = call();
    let mut fastest = started.elapsed();
    for _ in 1..best_of {
        let started = Instant::now();
        result = call();
        fastest = fastest.min(started.elapsed());
    }
    (result, fastest)
}

fn time_searches(index: &TitleIndex, queries: &[&Query], rows: &[Row], options: &Options) {
    let mut times = Vec::with_capacity(queries.len());
    let mut right = 0;
    for query in queries {
        let (outcome, took) = timed(options.best_of, || {
            index.search(&query.text, query.year, 10)
        });
        times.push(took);
        let correct = outcome
            .best
            .is_some_and(|best| sloppy::is_correct(&best, query, rows));
        right += usize::from(correct);
    }
    let mut slowest: Vec<(Duration, &str)> = times
        .iter()
        .zip(queries)
        .map(|(t, q)| (*t, q.text.as_str()))
        .collect();
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    if options.by_kind {
        for kind in Kind::ALL {
            let mut of_kind: Vec<Duration> = times
                .iter()
                .zip(queries)
                .filter(|(_, q)| q.kind == kind)
                .map(|(t, _)| *t)
                .collect();
            report(&format!("  {kind}"), &mut of_kind);
        }
    }
    report("search", &mut times);
    println!(
        "  precision@1 of these searches: {:.4}",
        right as f64 / queries.len().max(1) as f64
    );
    for (took, text) in slowest.iter().take(3) {
        println!("  slowest: {took:>9.1?}  {text:?}");
    }
}

fn time_autocomplete(index: &TitleIndex, rows: &[Row], options: &Options) {
    let mut rng = SplitMix64::new(SEED);
    let mut times = Vec::with_capacity(options.count);
    while times.len() < options.count {
        let Some(row) = rng.pick(rows) else { break };
        let chars: Vec<char> = row.title.chars().collect();
        for len in 1..=chars.len().min(12) {
            let partial: String = chars.iter().take(len).collect();
            let (found, took) = timed(options.best_of, || index.autocomplete(&partial, 25));
            times.push(took);
            std::hint::black_box(found);
        }
    }
    report("autocomplete", &mut times);
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        count: 20_000,
        best_of: 1,
        by_kind: false,
        paths: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--queries" => options.count = number(&arg, args.next())?,
            "--best-of" => options.best_of = number(&arg, args.next())?,
            "--by-kind" => options.by_kind = true,
            _ => options.paths.push(PathBuf::from(arg)),
        }
    }
    if options.paths.is_empty() {
        return Err("no truth.jsonl given".to_owned());
    }
    Ok(options)
}

fn number(option: &str, value: Option<String>) -> Result<usize, String> {
    let value = value.ok_or(format!("{option} needs a number"))?;
    value
        .parse()
        .map_err(|_| format!("{option}: not a number: {value}"))
}

fn report(what: &str, times: &mut [Duration]) {
    if times.is_empty() {
        println!("{what}: nothing timed");
        return;
    }
    times.sort();
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "{what:<26} n={:<6} p50 {:>9.1?}  p90 {:>9.1?}  p99 {:>9.1?}  max {:>9.1?}",
        times.len(),
        at(0.50),
        at(0.90),
        at(0.99),
        at(1.0)
    );
}
