//! The title index, per set of titles:
//! - `titles/build/<set>`: `TitleIndex::new` from the entries (cloning them is not timed,
//!   nor is dropping the index), in titles per second; the first run also measures the
//!   peak RSS after a build (see `rss`) and prints it;
//! - `titles/encode/<set>` and `titles/decode/<set>`: `to_bytes` and `from_bytes`, in bytes
//!   of the encoded index per second (dropping the decoded index is not timed);
//! - `titles/search/<set>`: `search` over the sloppy query mix, one query an iteration, the
//!   year not given and 5 candidates (the command line's default);
//! - `titles/autocomplete/<set>`: `autocomplete` of 1 to 12 typed characters, 25 choices.
//!
//! For search and autocomplete every query's own time is recorded too, and their p50, p99
//! and maximum are printed after criterion's lines (warm-up runs included).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput};
use marquee::search::{IndexEntry, TitleIndex, AUTOCOMPLETE_MAX};

use crate::queries::{self, Kind, Query};
use crate::rss;

/// Queries of each kind in the search mix, and inputs in the autocomplete mix.
const PER_KIND: usize = 200;
const AUTOCOMPLETE_INPUTS: usize = 1_000;
const SEED: u64 = 0x7469_746c_6573_2121;
/// The command line's `search.candidates`.
const CANDIDATES: usize = 5;
/// Above this many titles, builds and decodes are timed in ten samples.
const LARGE: usize = 20_000;

/// Titles to index, and the label their benchmarks carry.
pub struct TitleSet {
    pub label: String,
    pub entries: Vec<IndexEntry>,
}

pub fn bench(criterion: &mut Criterion, sets: &[TitleSet]) {
    let mut group = criterion.benchmark_group("titles");
    for set in sets {
        let large = set.entries.len() > LARGE;
        if large {
            group
                .sampling_mode(SamplingMode::Flat)
                .sample_size(10)
                .warm_up_time(Duration::from_secs(1))
                .measurement_time(Duration::from_secs(10));
        } else {
            group
                .sampling_mode(SamplingMode::Auto)
                .sample_size(100)
                .warm_up_time(Duration::from_secs(3))
                .measurement_time(Duration::from_secs(8));
        }
        build(&mut group, set);
        let index = TitleIndex::new(set.entries.clone());
        codec(&mut group, set, &index);
        // Queries time best in the usual number of samples, whatever the index's size.
        group
            .sampling_mode(SamplingMode::Auto)
            .sample_size(100)
            .warm_up_time(Duration::from_secs(3))
            .measurement_time(Duration::from_secs(5));
        let titles: Vec<&str> = set.entries.iter().map(|e| e.title.as_str()).collect();
        let mix = queries::search_mix(&titles, PER_KIND, SEED);
        let id = BenchmarkId::new("search", &set.label);
        let times = latencies(&mut group, id, &mix, |query| {
            index.search(&query.text, None, CANDIDATES)
        });
        report(&format!("search/{}", set.label), &times, &mix);
        let typed = queries::autocomplete_mix(&titles, AUTOCOMPLETE_INPUTS, SEED);
        let id = BenchmarkId::new("autocomplete", &set.label);
        let times = latencies(&mut group, id, &typed, |partial| {
            index.autocomplete(partial, AUTOCOMPLETE_MAX)
        });
        report(&format!("autocomplete/{}", set.label), &times, &[]);
    }
    group.finish();
}

fn build(group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>, set: &TitleSet) {
    group.throughput(Throughput::Elements(set.entries.len() as u64));
    let mut memory = None;
    group.bench_function(BenchmarkId::new("build", &set.label), |b| {
        if memory.is_none() {
            memory = Some(rss::measure(&set.label, &set.entries));
        }
        b.iter_batched(
            || set.entries.clone(),
            TitleIndex::new,
            BatchSize::PerIteration,
        )
    });
    match memory {
        Some(Ok(line)) => println!("{line}"),
        Some(Err(err)) => println!("rss/{}: not measured: {err}", set.label),
        None => {}
    }
}

fn codec(
    group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    set: &TitleSet,
    index: &TitleIndex,
) {
    let bytes = match index.to_bytes() {
        Ok(bytes) => bytes,
        Err(err) => {
            println!("titles/encode/{}: cannot encode: {err:#}", set.label);
            return;
        }
    };
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    let mut encoded = false;
    group.bench_function(BenchmarkId::new("encode", &set.label), |b| {
        encoded = true;
        b.iter(|| index.to_bytes().map(|bytes| bytes.len()).ok())
    });
    if encoded {
        println!(
            "titles/encode/{}: {:.2} MiB encoded",
            set.label,
            bytes.len() as f64 / 1048576.0
        );
    }
    group.bench_function(BenchmarkId::new("decode", &set.label), |b| {
        b.iter_with_large_drop(|| TitleIndex::from_bytes(black_box(&bytes)).ok())
    });
}

/// Benchmarks `call` over `inputs`, one input an iteration, in turn; returns the time each
/// call took (by the position of its input), empty if the benchmark was filtered out.
fn latencies<T, R>(
    group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    id: BenchmarkId,
    inputs: &[T],
    mut call: impl FnMut(&T) -> R,
) -> Vec<(usize, Duration)> {
    let mut times = Vec::new();
    if inputs.is_empty() {
        return times;
    }
    let mut next = 0;
    group.throughput(Throughput::Elements(1));
    group.bench_function(id, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let input = &inputs[next];
                let started = Instant::now();
                black_box(call(black_box(input)));
                let took = started.elapsed();
                total += took;
                times.push((next, took));
                next = (next + 1) % inputs.len();
            }
            total
        })
    });
    times
}

/// Prints p50, p99 and the maximum of `times`, then per kind when the inputs have kinds.
fn report(name: &str, times: &[(usize, Duration)], mix: &[Query]) {
    if times.is_empty() {
        return;
    }
    let all: Vec<Duration> = times.iter().map(|(_, t)| *t).collect();
    println!(
        "titles/{name}: per query {} over {} timed calls",
        percentiles(all),
        times.len()
    );
    for kind in Kind::ALL {
        let of_kind: Vec<Duration> = times
            .iter()
            .filter(|(i, _)| mix.get(*i).is_some_and(|q| q.kind == kind))
            .map(|(_, t)| *t)
            .collect();
        if !of_kind.is_empty() {
            let queries = mix.iter().filter(|q| q.kind == kind).count();
            println!(
                "  {kind:<12} ({queries:>3} queries) {}",
                percentiles(of_kind)
            );
        }
    }
}

fn percentiles(mut times: Vec<Duration>) -> String {
    times.sort_unstable();
    let at = |p: usize| times[(times.len() - 1) * p / 100];
    format!(
        "p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        ms(at(50)),
        ms(at(99)),
        ms(at(100))
    )
}

fn ms(time: Duration) -> f64 {
    time.as_secs_f64() * 1e3
}
