//! Latency of spotting films in chat messages, against 100,000 titles.
//!
//! ```text
//! cargo run --release --example spot_latency -- [--titles N] [--best-of K] [TRUTH.jsonl]
//! ```
//!
//! The titles: every row of `TRUTH.jsonl` (default `../shared/corpus/truth.jsonl`, 3,200 real
//! titles), then titles spliced from two real ones (the first half of one, the second half of
//! another, as `gen_corpus.py --scale` makes them) up to N (default 100,000). Without the
//! corpus, titles generated like the benches' (`benches/archive/generate.rs`).
//!
//! The messages: the hand-written ones of `tests/fixtures/spot/` (chat about films, and
//! ordinary chat), messages that name titles of this archive among other talk, and messages of
//! Discord's longest (4,000 characters). Prints the index's build time, the spotting index's
//! (built on the first spot) with the resident memory it added, and p50, p90, p99 and max of
//! a spot by kind of message.
//! `--best-of K` keeps the fastest of K runs of each spot (on a busy machine the scheduler's
//! time slice otherwise dominates p99).

#[allow(dead_code)]
#[path = "../tests/it/support/sloppy.rs"]
mod sloppy;

#[allow(dead_code)]
#[path = "../benches/archive/generate.rs"]
mod generate;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use marquee::review::Grade;
use marquee::search::{IndexEntry, TitleIndex};
use sloppy::SplitMix64;

const SEED: u64 = 0x7370_6f74_7465_7221;

/// Talk around the titles of the generated messages.
const OPENINGS: &[&str] = &[
    "we watched",
    "finally saw",
    "has anyone seen",
    "rewatching",
    "ok hot take:",
    "my dad made us watch",
    "is it just me or is",
    "tonight's pick is",
    "can't stop thinking about",
    "honestly",
];
const MIDDLES: &[&str] = &[
    "last night and",
    "then",
    "and",
    "which is better than",
    ", the one with the dog, and",
    "at the cinema, then",
    "on the plane, also",
];
const ENDINGS: &[&str] = &[
    "and it was way too long",
    "lol",
    "which one should i pick for friday?",
    "the ending wrecked me",
    "10/10 no notes",
    "the soundtrack though",
    "my cat hated it",
    "before work, bad idea",
];

fn main() {
    let mut titles = 100_000;
    let mut best_of = 1;
    let mut truth = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/truth.jsonl");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--titles" => titles = number(args.next()),
            "--best-of" => best_of = number(args.next()).max(1),
            _ => truth = PathBuf::from(arg),
        }
    }
    let entries = archive(&truth, titles);
    let started = Instant::now();
    let index = TitleIndex::new(entries.clone());
    println!(
        "title index of {} films built in {:.1?}",
        index.len(),
        started.elapsed()
    );
    let before = resident_kib();
    let started = Instant::now();
    let first = index.spot("warming up: the spotting index is built on the first spot");
    let took = started.elapsed();
    match (before, resident_kib()) {
        (Some(before), Some(after)) => println!(
            "spotting index built (first spot) in {took:.1?}; resident memory +{:.1} MiB",
            after.saturating_sub(before) as f64 / 1024.0
        ),
        _ => println!("spotting index built (first spot) in {took:.1?}"),
    }
    std::hint::black_box(first);

    let mut rng = SplitMix64::new(SEED);
    let written = written_messages();
    let named: Vec<String> = (0..300).map(|_| naming(&entries, &mut rng)).collect();
    let longest: Vec<String> = (0..40)
        .map(|_| longest(&written, &named, &mut rng))
        .collect();
    let mut all = Vec::new();
    for (kind, messages) in [
        ("hand-written", &written),
        ("naming titles", &named),
        ("4,000 characters", &longest),
    ] {
        let times = time(&index, messages, best_of);
        report(kind, &times);
        all.extend(times);
    }
    report("all", &all);
}

/// The index entries: the corpus's rows and spliced titles, or generated ones.
fn archive(truth: &Path, count: usize) -> Vec<IndexEntry> {
    let Ok(rows) = sloppy::load_rows(truth) else {
        println!("{} not found: {count} generated titles", truth.display());
        return generate::entries(count, SEED);
    };
    println!(
        "{} titles from {}, the rest spliced from them",
        rows.len(),
        truth.display()
    );
    let mut entries = sloppy::entries(&rows);
    let words: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| r.title.split_whitespace().collect())
        .collect();
    let mut seen: std::collections::HashSet<String> =
        rows.iter().map(|r| r.title.to_lowercase()).collect();
    let mut rng = SplitMix64::new(SEED);
    let mut tries = 0;
    while entries.len() < count && tries < count * 20 {
        tries += 1;
        let (Some(a), Some(b)) = (rng.pick(&words), rng.pick(&words)) else {
            break;
        };
        let head = &a[..(a.len() / 2).max(1).min(a.len())];
        let tail = &b[b.len() / 2..];
        let title = head
            .iter()
            .chain(tail)
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        if title.is_empty() || !seen.insert(title.to_lowercase()) {
            continue;
        }
        entries.push(IndexEntry {
            id: entries.len() as i64 + 1,
            title,
            alt_titles: Vec::new(),
            year: Some(1920 + rng.below(107) as i32),
            grade: Grade::ALL[rng.below(Grade::ALL.len())],
        });
    }
    entries
}

/// The hand-written messages of the tests.
fn written_messages() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/spot");
    let mut messages = Vec::new();
    for name in ["messages.jsonl", "corpus_messages.jsonl"] {
        let Ok(text) = std::fs::read_to_string(dir.join(name)) else {
            continue;
        };
        for line in text.lines() {
            if let Ok(value) = serde_json::from_str::<serde_json::Value>(line) {
                if let Some(text) = value.get("text").and_then(|t| t.as_str()) {
                    messages.push(text.to_owned());
                }
            }
        }
    }
    messages
}

/// A message naming one to three titles of the archive, lower-cased or not.
fn naming(entries: &[IndexEntry], rng: &mut SplitMix64) -> String {
    let title = |rng: &mut SplitMix64| {
        let title = rng
            .pick(entries)
            .map(|e| e.title.clone())
            .unwrap_or_default();
        if rng.chance(0.5) {
            title.to_lowercase()
        } else {
            title
        }
    };
    let mut text = format!("{} {}", rng.pick(OPENINGS).unwrap_or(&""), title(rng));
    for _ in 0..rng.below(3) {
        text.push_str(&format!(
            " {} {}",
            rng.pick(MIDDLES).unwrap_or(&""),
            title(rng)
        ));
    }
    text.push_str(&format!(" {}", rng.pick(ENDINGS).unwrap_or(&"")));
    text
}

/// A message of 4,000 characters: messages of both other kinds run together.
fn longest(written: &[String], named: &[String], rng: &mut SplitMix64) -> String {
    let mut text = String::new();
    while text.chars().count() < 4000 {
        let pool = if rng.chance(0.5) { written } else { named };
        let Some(next) = rng.pick(pool) else { break };
        text.push_str(next);
        text.push_str(". ");
    }
    text.chars().take(4000).collect()
}

fn time(index: &TitleIndex, messages: &[String], best_of: usize) -> Vec<Duration> {
    messages
        .iter()
        .map(|text| {
            let mut fastest = Duration::MAX;
            for _ in 0..best_of {
                let started = Instant::now();
                std::hint::black_box(index.spot(text));
                fastest = fastest.min(started.elapsed());
            }
            fastest
        })
        .collect()
}

fn report(what: &str, times: &[Duration]) {
    let mut times = times.to_vec();
    times.sort();
    if times.is_empty() {
        println!("{what}: nothing timed");
        return;
    }
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "{what:<18} n={:<5} p50 {:>9.1?}  p90 {:>9.1?}  p99 {:>9.1?}  max {:>9.1?}",
        times.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    );
}

/// The process's resident memory in KiB (Linux), to see what the spotting index costs.
fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn number(value: Option<String>) -> usize {
    value.and_then(|v| v.parse().ok()).unwrap_or_else(|| {
        eprintln!("usage: spot_latency [--titles N] [--best-of K] [TRUTH.jsonl]");
        std::process::exit(2)
    })
}
