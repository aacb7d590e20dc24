//! The parser against the generated corpus in `../shared/corpus` (when it is there): it must
//! reproduce `truth.jsonl` for at least 99.5% of the files, every compared field right.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::Datelike;
use marquee::review::{Layout, Review};
use serde::Deserialize;

#[derive(Deserialize)]
struct Truth {
    file: String,
    layout: String,
    title: String,
    year: Option<i32>,
    directors: Vec<String>,
    grade: String,
    reviewed_on: String,
    runtime: Option<u32>,
    mpaa: String,
    studio: String,
    cast: Vec<String>,
    pull_quote: String,
    alt_title: String,
}

/// `../shared/corpus`, or `$MARQUEE_CORPUS_DIR` (a folder with `reviews/` and `truth.jsonl`,
/// e.g. one made by `gen_corpus.py --scale 100000`).
fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("MARQUEE_CORPUS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    dir.join("truth.jsonl").is_file().then_some(dir)
}

/// The fields that differ, as (field, expected, found).
fn differences(t: &Truth, r: &Review) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    let mut check = |field: &'static str, want: String, got: String| {
        if want != got {
            out.push((field, want, got));
        }
    };
    let short = t.layout == "short";
    check(
        "layout",
        t.layout.clone(),
        match r.layout {
            Layout::Modern => "modern".into(),
            Layout::Short => "short".into(),
        },
    );
    let fold = |s: &str| {
        if short {
            s.to_lowercase()
        } else {
            s.to_owned()
        }
    };
    check("title", fold(&t.title), fold(&r.title));
    check(
        "year",
        format!("{:?}", t.year),
        format!("{:?}", r.credits.year),
    );
    check(
        "directors",
        t.directors.join(" | "),
        r.credits.directors.join(" | "),
    );
    check("grade", t.grade.clone(), r.grade.to_string());
    check(
        "reviewed_on",
        t.reviewed_on.clone(),
        r.reviewed_on
            .map(|d| format!("{}/{}/{}", d.month(), d.day(), d.year()))
            .unwrap_or_default(),
    );
    check(
        "runtime",
        format!("{:?}", t.runtime),
        format!("{:?}", r.credits.runtime_minutes),
    );
    check(
        "mpaa",
        t.mpaa.clone(),
        r.credits.mpaa_rating.clone().unwrap_or_default(),
    );
    check(
        "studio",
        t.studio.clone(),
        r.credits.studio.clone().unwrap_or_default(),
    );
    check(
        "cast",
        t.cast.join(" | "),
        r.credits
            .cast
            .iter()
            .map(|c| c.actor.as_str())
            .collect::<Vec<_>>()
            .join(" | "),
    );
    check(
        "pull_quote",
        t.pull_quote.clone(),
        r.pull_quote.clone().unwrap_or_default(),
    );
    check(
        "alt_title",
        t.alt_title.to_lowercase(),
        r.alt_titles
            .first()
            .map(|a| a.to_lowercase())
            .unwrap_or_default(),
    );
    out
}

/// Parses every file that `truth` lists (a JSON line per file) and compares it with the
/// truth. Returns (fully right, total), printing the fields that differ.
fn score(reviews: &Path, truth: &Path) -> (usize, usize) {
    let truth = std::fs::read_to_string(truth).expect("truth file");
    let mut total = 0usize;
    let mut right = 0usize;
    let mut by_field: BTreeMap<&str, usize> = BTreeMap::new();
    let mut examples = Vec::new();
    for (i, line) in truth.lines().enumerate() {
        let t: Truth =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("truth line {}: {e}", i + 1));
        total += 1;
        let bytes = std::fs::read(reviews.join(&t.file)).expect("review file");
        match Review::parse_bytes(&bytes) {
            Ok(review) => {
                let diffs = differences(&t, &review);
                if diffs.is_empty() {
                    right += 1;
                }
                for (field, want, got) in diffs {
                    *by_field.entry(field).or_default() += 1;
                    if examples.len() < 15 {
                        examples.push(format!("{}: {field}: want {want:?}, got {got:?}", t.file));
                    }
                }
            }
            Err(e) => {
                *by_field.entry("parse error").or_default() += 1;
                if examples.len() < 15 {
                    examples.push(format!("{}: {e}", t.file));
                }
            }
        }
    }
    eprintln!(
        "{}: {right}/{total} files fully right ({:.2}%); wrong fields: {by_field:?}",
        reviews.display(),
        right as f64 * 100.0 / total.max(1) as f64
    );
    for e in &examples {
        eprintln!("  {e}");
    }
    (right, total)
}

#[test]
fn parser_reproduces_the_corpus_truth() {
    let Some(dir) = corpus_dir() else {
        eprintln!("skipped: ../shared/corpus is not here");
        return;
    };
    let (right, total) = score(&dir.join("reviews"), &dir.join("truth.jsonl"));
    assert!(
        total >= 3000,
        "expected the 3,200-file corpus, read {total}"
    );
    let accuracy = right as f64 / total as f64;
    assert!(accuracy >= 0.995, "accuracy {accuracy:.4} is below 99.5%");
}

/// The shipped sample archive exercises every variant of FORMAT.md (see its files); each
/// must parse exactly as `sample/expected.jsonl` says.
#[test]
fn parser_reads_every_sample_review_exactly() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample");
    let (right, total) = score(&dir, &dir.join("expected.jsonl"));
    let files = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "txt")
        })
        .count();
    assert_eq!(total, files, "expected.jsonl must list every sample file");
    assert_eq!(right, total);
}
