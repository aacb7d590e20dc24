//! The film spotter against messages written for it (`tests/fixtures/spot/`, see its README):
//! precision and recall over the built-in sample archive (always), over the shared corpus's
//! 3,200 titles (when `../shared` is there), and the `marquee spot` binary's JSON.
//!
//! The floors sit a little below what the spotter measures, so that a change that loses
//! mentions or claims ordinary words fails. `--nocapture` prints the figures and every miss.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use marquee::archive::{Archive, Origin};
use marquee::search::TitleIndex;
use serde::Deserialize;
use serde_json::Value;

use crate::support::sloppy;

/// Floors for the sample set: measured 0.980 (146 films right, 3 wrong) and 0.907 (15 missed).
const SAMPLE_PRECISION: f64 = 0.96;
const SAMPLE_RECALL: f64 = 0.88;
/// Floors for the corpus set: measured 0.992 (131 right, 1 wrong) and 0.814 (30 missed).
const CORPUS_PRECISION: f64 = 0.97;
const CORPUS_RECALL: f64 = 0.79;

#[derive(Deserialize)]
struct Message {
    text: String,
    films: Vec<String>,
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/spot")
        .join(name)
}

fn load(path: &Path) -> Vec<Message> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(n, l)| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), n + 1))
        })
        .collect()
}

/// What the spotter got right and wrong over a set of messages.
#[derive(Default)]
struct Tally {
    messages: usize,
    negatives: usize,
    /// Films expected and found, found but not expected, expected but not found.
    right: usize,
    wrong: usize,
    missed: usize,
    /// Negative messages in which something was found.
    negatives_claimed: usize,
    /// Messages whose films came out exactly as expected, in order.
    exact: usize,
    report: Vec<String>,
}

impl Tally {
    fn precision(&self) -> f64 {
        self.right as f64 / (self.right + self.wrong).max(1) as f64
    }

    fn recall(&self) -> f64 {
        self.right as f64 / (self.right + self.missed).max(1) as f64
    }

    fn print(&self, name: &str) {
        println!(
            "{name}: {} messages ({} naming no film); films right {}, wrong {}, missed {}; \
             precision {:.3}, recall {:.3}; negatives with a film claimed {}/{}; messages exactly \
             right {}/{}",
            self.messages,
            self.negatives,
            self.right,
            self.wrong,
            self.missed,
            self.precision(),
            self.recall(),
            self.negatives_claimed,
            self.negatives,
            self.exact,
            self.messages
        );
        for line in &self.report {
            println!("  {line}");
        }
    }
}

/// Runs every message through `index.spot` and counts films right, wrong and missed.
fn tally(index: &TitleIndex, messages: &[Message]) -> Tally {
    let mut tally = Tally::default();
    for message in messages {
        let found: Vec<String> = index
            .spot(&message.text)
            .iter()
            .map(|s| match s.year {
                Some(year) => format!("{} ({year})", s.title),
                None => s.title.clone(),
            })
            .collect();
        let mut expected: BTreeMap<&str, usize> = BTreeMap::new();
        for film in &message.films {
            *expected.entry(film.as_str()).or_default() += 1;
        }
        let mut wrong = Vec::new();
        for film in &found {
            match expected.get_mut(film.as_str()) {
                Some(left) if *left > 0 => {
                    *left -= 1;
                    tally.right += 1;
                }
                _ => wrong.push(film.clone()),
            }
        }
        let missed: Vec<&str> = expected
            .iter()
            .flat_map(|(film, left)| std::iter::repeat_n(*film, *left))
            .collect();
        tally.messages += 1;
        tally.wrong += wrong.len();
        tally.missed += missed.len();
        if message.films.is_empty() {
            tally.negatives += 1;
            tally.negatives_claimed += usize::from(!found.is_empty());
        }
        if found == message.films {
            tally.exact += 1;
        }
        if !wrong.is_empty() || !missed.is_empty() {
            tally.report.push(format!(
                "{:?}: wrong {wrong:?}, missed {missed:?}",
                message.text
            ));
        }
    }
    tally
}

async fn sample_index() -> std::sync::Arc<TitleIndex> {
    let (store, report) = marquee::sample::store().await.unwrap();
    let reviews = (report.counts.added + report.counts.updated) as usize;
    let archive = Archive::new(store, Origin::Sample { reviews })
        .await
        .unwrap();
    archive.index().await.unwrap()
}

#[tokio::test]
async fn precision_and_recall_on_the_sample_archive() {
    let messages = load(&fixture("messages.jsonl"));
    let negatives = messages.iter().filter(|m| m.films.is_empty()).count();
    assert!(messages.len() >= 150 && negatives >= 60, "the set shrank");
    let index = sample_index().await;
    assert_eq!(index.len(), 36, "the sample archive");
    let tally = tally(&index, &messages);
    tally.print("sample archive");
    assert!(
        tally.precision() >= SAMPLE_PRECISION,
        "precision {:.3} below {SAMPLE_PRECISION}",
        tally.precision()
    );
    assert!(
        tally.recall() >= SAMPLE_RECALL,
        "recall {:.3} below {SAMPLE_RECALL}",
        tally.recall()
    );
}

#[test]
fn precision_and_recall_on_the_shared_corpus() {
    let truth = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/truth.jsonl");
    if !truth.is_file() {
        println!("skipped: {} not found", truth.display());
        return;
    }
    let rows = sloppy::load_rows(&truth).unwrap();
    let index = TitleIndex::new(sloppy::entries(&rows));
    let messages = load(&fixture("corpus_messages.jsonl"));
    let negatives = messages.iter().filter(|m| m.films.is_empty()).count();
    assert!(messages.len() >= 150 && negatives >= 60, "the set shrank");
    let tally = tally(&index, &messages);
    tally.print("shared corpus");
    assert!(
        tally.precision() >= CORPUS_PRECISION,
        "precision {:.3} below {CORPUS_PRECISION}",
        tally.precision()
    );
    assert!(
        tally.recall() >= CORPUS_RECALL,
        "recall {:.3} below {CORPUS_RECALL}",
        tally.recall()
    );
}

/// `marquee spot` in an empty directory (so on the sample archive), with `stdin` if given.
fn marquee_spot(args: &[&str], stdin: Option<&str>) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_marquee"))
        .arg("spot")
        .args(args)
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("MARQUEE_ENVIRONMENT")
        .env_remove("MARQUEE_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the marquee binary runs");
    if let Some(input) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

#[test]
fn the_binary_prints_films_with_character_spans() {
    let text = "Amélie 🎬, then *the Godfather* and king kong (1976)";
    let out = marquee_spot(&[text, "--format", "json"], None);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let object = json.as_object().unwrap();
    assert_eq!(object.keys().collect::<Vec<_>>(), ["films"]);
    let films = json["films"].as_array().unwrap();
    let chars: Vec<char> = text.chars().collect();
    let mut seen = Vec::new();
    for film in films {
        let keys: Vec<&String> = film.as_object().unwrap().keys().collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(sorted, ["grade", "span", "title", "year"], "{film}");
        let span = film["span"].as_array().unwrap();
        assert_eq!(span.len(), 2);
        let (start, end) = (
            span[0].as_u64().unwrap() as usize,
            span[1].as_u64().unwrap() as usize,
        );
        let mention: String = chars[start..end].iter().collect();
        seen.push((
            film["title"].as_str().unwrap().to_owned(),
            film["year"].as_i64().unwrap(),
            film["grade"].as_str().unwrap().to_owned(),
            mention,
        ));
    }
    assert_eq!(
        seen,
        [
            (
                "Amélie".to_owned(),
                2001,
                "B+".to_owned(),
                "Amélie".to_owned()
            ),
            (
                "The Godfather".to_owned(),
                1972,
                "A+".to_owned(),
                "the Godfather".to_owned()
            ),
            (
                "King Kong".to_owned(),
                1976,
                "C-".to_owned(),
                "king kong".to_owned()
            ),
        ]
    );
}

#[test]
fn the_binary_reads_standard_input_and_fails_when_nothing_is_named() {
    let out = marquee_spot(
        &["-"],
        Some("first line\nthen rashomon\nand vertigo (1958)\n"),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "Rashomon (1950) A-  “rashomon”",
            "Vertigo (1958) A+  “vertigo”"
        ]
    );

    let none = marquee_spot(&["it was a good night out", "--format", "json"], None);
    assert_eq!(none.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&none.stdout).unwrap();
    assert_eq!(json, serde_json::json!({ "films": [] }));
}
