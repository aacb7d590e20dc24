//! Hostile files: `marquee import` of a batch that mixes good reviews with files built to hang,
//! crash or poison the parser. Each bad file must be named with its line and reason, every good
//! file stored, and the exit status 1. Every file here is made by this test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_marquee");

fn marquee(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("MARQUEE_ENVIRONMENT")
        .env_remove("MARQUEE_CONFIG")
        .output()
        .expect("the marquee binary runs")
}

fn modern(title: &str, year: i32, grade: &str) -> String {
    format!(
        "(director: Nora Lind; cast: Ann Lee (June); Runtime: 101; {year})\n\n\
         “A film that knows where it is going.”\n\nReviewed by Dennis Schwartz\n\n\
         The body of the review, written for this test.\n\n\
         Nora Lind's {title}\n      a tagline\n\n\nREVIEWED ON 3/4/2022  GRADE: {grade}\n"
    )
}

/// A small deterministic generator, so the "random" file is the same on every run.
fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// A header whose cast runs over `n` indented lines: every line is short, so only the credits
/// limit stops it.
fn many_cast(n: usize) -> String {
    let cast: Vec<String> = (0..n).map(|i| format!("Actor{i} Surname{i}")).collect();
    format!(
        "(director: Nora Lind; cast: {}; 1999)\n\n“Quote.”\n\nBody.\n\nNora Lind's Crowded\n\nREVIEWED ON 1/2/2003  GRADE: B\n",
        cast.join(",\n    ")
    )
}

struct Bad {
    name: &'static str,
    bytes: Vec<u8>,
    /// Part of the error the report must give, and the line it must name.
    error: &'static str,
    line: Option<u64>,
}

fn hostile() -> Vec<Bad> {
    let good = modern("Fine Film", 2001, "B");
    let mut nul = good.clone().into_bytes();
    nul.splice(40..40, [0u8]);
    let mut bad_utf8 = modern("Amélie Again", 2001, "B").into_bytes();
    let at = bad_utf8.len() - 20;
    bad_utf8.splice(at..at, [0xFFu8, 0xC3]);
    let mut lone_surrogate = vec![0xFF, 0xFE];
    for unit in "(director: X Y; 1999)\n\n".encode_utf16() {
        lone_surrogate.extend_from_slice(&unit.to_le_bytes());
    }
    lone_surrogate.extend_from_slice(&0xDC00u16.to_le_bytes());
    let title_300 = modern(&"Long ".repeat(60), 2001, "B");
    let nested = format!(
        "{}director: X; 1999{}\n\nX's Title\n\nREVIEWED ON 1/2/2003  GRADE: B\n",
        "(".repeat(20_000),
        ")".repeat(20_000)
    );
    vec![
        Bad {
            name: "single-line-50mb.txt",
            bytes: vec![b'x'; 50_000_000],
            error: "import.max_file_bytes",
            line: None,
        },
        Bad {
            name: "cast-10k.txt",
            bytes: many_cast(10_000).into_bytes(),
            error: "import.max_credits",
            line: Some(1),
        },
        Bad {
            name: "cast-100k.txt",
            bytes: many_cast(100_000).into_bytes(),
            error: "import.max_credits",
            line: Some(1),
        },
        Bad {
            name: "nul.txt",
            bytes: nul,
            error: "binary",
            line: Some(1),
        },
        Bad {
            name: "bad-utf8.txt",
            bytes: bad_utf8,
            error: "invalid UTF-8",
            // The footer, where the damaged bytes are.
            line: Some(13),
        },
        Bad {
            name: "lone-surrogate.txt",
            bytes: lone_surrogate,
            error: "invalid UTF-16",
            line: Some(3),
        },
        Bad {
            name: "random-2mb.txt",
            bytes: noise(2_000_000),
            error: "binary",
            line: None,
        },
        Bad {
            name: "nested-parens.txt",
            bytes: nested.into_bytes(),
            error: "import.max_nesting",
            line: Some(1),
        },
        Bad {
            name: "unbalanced-parens.txt",
            bytes: format!("{}director: X; 1999\n", "(".repeat(60_000)).into_bytes(),
            error: "import.max_nesting",
            line: Some(1),
        },
        Bad {
            name: "closing-parens.txt",
            bytes: format!("{}\n", ")".repeat(60_000)).into_bytes(),
            error: "expected a credits header",
            line: Some(1),
        },
        Bad {
            name: "title-line-800k.txt",
            bytes: modern(&"T".repeat(800_000), 2001, "B").into_bytes(),
            error: "import.max_line_chars",
            line: Some(9),
        },
        Bad {
            name: "title-300.txt",
            bytes: title_300.into_bytes(),
            error: "import.max_title_chars",
            line: Some(9),
        },
        Bad {
            name: "quotes.txt",
            bytes: "\"“”".repeat(20_000).into_bytes(),
            error: "expected a credits header",
            line: Some(1),
        },
        Bad {
            name: "semicolons.txt",
            bytes: format!("({})\n", ";".repeat(60_000)).into_bytes(),
            error: "no year",
            line: Some(1),
        },
        Bad {
            name: "grade-lines.txt",
            bytes: "GRADE: A\n".repeat(200_000).into_bytes(),
            error: "expected a credits header",
            line: Some(1),
        },
        Bad {
            name: "punctuation-title.txt",
            bytes: modern("!!! ... ???", 2001, "B").into_bytes(),
            error: "is not a title",
            line: Some(9),
        },
        Bad {
            name: "no-year.txt",
            bytes: modern("Fine Film", 2001, "B")
                .replace("; 2001)", ")")
                .into_bytes(),
            error: "no year",
            line: Some(1),
        },
        Bad {
            name: "empty.txt",
            bytes: Vec::new(),
            error: "empty file",
            line: Some(1),
        },
    ]
}

fn failure<'a>(report: &'a Value, path: &Path) -> Option<&'a Value> {
    let path = path.display().to_string();
    report["failed"]
        .as_array()?
        .iter()
        .find(|f| f["path"].as_str() == Some(path.as_str()))
}

#[test]
fn a_hostile_batch_fails_file_by_file_and_keeps_every_good_review() {
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("batch");
    std::fs::create_dir(&batch).unwrap();
    let goods = [
        ("good-1.txt", modern("First Light", 2001, "A-")),
        ("good-2.txt", modern("Second Wind", 2002, "B+")),
        (
            "good-3.txt",
            "LAST TRAIN, THE (director: Ivo Tan; cast: Bo Park; 1987) Reviewed on 5/6/2001.\n\
             A capsule written for this test, short and dry.  GRADE: C+\n"
                .to_owned(),
        ),
    ];
    for (name, text) in &goods {
        std::fs::write(batch.join(name), text).unwrap();
    }
    let bad = hostile();
    for b in &bad {
        std::fs::write(batch.join(b.name), &b.bytes).unwrap();
    }
    // A symbolic link that loops back to its own directory, and one that points nowhere.
    let looped = batch.join("loop");
    std::fs::create_dir(&looped).unwrap();
    std::os::unix::fs::symlink(&batch, looped.join("back-up")).unwrap();
    std::os::unix::fs::symlink(batch.join("nowhere.txt"), batch.join("dangling.txt")).unwrap();

    let started = Instant::now();
    let out = marquee(
        dir.path(),
        &["--db", "hostile.db", "import", "--json", "batch"],
    );
    eprintln!("the hostile batch took {:?}", started.elapsed());
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["added"], goods.len(), "{report:#}");
    for b in &bad {
        let path = PathBuf::from("batch").join(b.name);
        let f =
            failure(&report, &path).unwrap_or_else(|| panic!("{} not failed: {report:#}", b.name));
        let error = f["error"].as_str().unwrap_or_default();
        assert!(error.contains(b.error), "{}: {error}", b.name);
        assert!(
            error.len() < 300,
            "{}: the error quotes too much: {error}",
            b.name
        );
        if b.line.is_some() {
            assert_eq!(f["line"].as_u64(), b.line, "{}: {f}", b.name);
        }
    }
    for name in ["batch/loop/back-up", "batch/dangling.txt"] {
        let f = failure(&report, Path::new(name)).unwrap_or_else(|| panic!("{name}: {report:#}"));
        assert!(
            f["error"].as_str().unwrap_or_default().contains("cannot"),
            "{f}"
        );
    }
    assert_eq!(
        report["failed"].as_array().map(Vec::len),
        Some(bad.len() + 2),
        "{report:#}"
    );

    // Every good review is there, and nothing else.
    for title in ["First Light", "Second Wind", "The Last Train"] {
        let found = marquee(
            dir.path(),
            &["--db", "hostile.db", "lookup", "--format", "json", title],
        );
        let v: Value = serde_json::from_slice(&found.stdout).unwrap();
        assert_eq!(v["match"]["title"], title, "{v}");
    }
    let all = marquee(
        dir.path(),
        &["--db", "hostile.db", "top", "--format", "json"],
    );
    let listed: Value = serde_json::from_slice(&all.stdout).unwrap_or(Value::Null);
    assert_eq!(listed["total"], goods.len(), "{listed:#}");
}

#[test]
fn a_raised_limit_lets_a_long_title_in() {
    let dir = tempfile::tempdir().unwrap();
    let title = "Long ".repeat(60);
    std::fs::write(dir.path().join("long.txt"), modern(title.trim(), 2001, "B")).unwrap();
    let refused = marquee(dir.path(), &["--db", "a.db", "import", "long.txt"]);
    assert_eq!(refused.status.code(), Some(1));
    let raised = Command::new(BIN)
        .args(["--db", "b.db", "import", "long.txt"])
        .current_dir(dir.path())
        .env("MARQUEE__IMPORT__MAX_TITLE_CHARS", "400")
        .output()
        .unwrap();
    assert!(
        raised.status.success(),
        "{}",
        String::from_utf8_lossy(&raised.stderr)
    );
}
