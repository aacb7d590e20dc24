//! The `marquee` binary end to end: exit codes, JSON shapes, the Discord body, stdin mode and
//! the sample archive. Each test works in its own temporary directory.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use marquee_testkit::openapi;
use serde_json::Value;

use crate::support::archive as fixture;

const BIN: &str = env!("CARGO_BIN_EXE_marquee");

fn marquee(dir: &Path, args: &[&str]) -> Output {
    marquee_with_stdin(dir, args, None)
}

fn marquee_with_stdin(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("MARQUEE_ENVIRONMENT")
        .env_remove("MARQUEE_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the marquee binary runs");
    if let Some(input) = stdin {
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

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\n{}", stdout(o), stderr(o)))
}

/// A modern review written for these tests.
fn review(title: &str, year: i32, grade: &str) -> String {
    format!(
        "(director: Nora Lind; cast: Ann Lee (June), Bo Park; Runtime: 99; MPAA Rating: PG; producer: Gus Rowe: Neon; {year})\n\n\
         “Better than its poster, worse than its trailer.”\n\nReviewed by Dennis Schwartz\n\nOne paragraph.\n\n\
         Nora Lind's {title}\n      a tagline\n\n\nREVIEWED ON 3/4/2020  GRADE: {grade}"
    )
}

/// An archive folder: two good reviews, a nested one, two bad files and a non-.txt file.
fn archive(dir: &Path) {
    let root = dir.join("archive");
    std::fs::create_dir_all(root.join("older")).unwrap();
    std::fs::write(root.join("walk.txt"), review("The Long Walk", 2019, "B")).unwrap();
    std::fs::write(root.join("days.txt"), review("Short Days", 2001, "A –")).unwrap();
    std::fs::write(
        root.join("older/capsule.txt"),
        "GANGSTER, THE (director: Gordon Wiles; Runtime: 84; Allied Artists; 1947) Reviewed on 5/6/2001.\n\nA capsule. GRADE: C +\n",
    )
    .unwrap();
    std::fs::write(root.join("notes.txt"), "shopping list\neggs\n").unwrap();
    std::fs::write(
        root.join("older/broken.txt"),
        "(director: Ann Lee; 1999)\n\nNo grade anywhere.\n",
    )
    .unwrap();
    std::fs::write(root.join("cover.jpg"), [0xff, 0xd8, 0xff, 0x00]).unwrap();
}

#[test]
fn import_stores_good_files_and_names_the_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    let out = marquee(dir.path(), &["import", "archive", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["added"], 3);
    assert_eq!(report["updated"], 0);
    assert_eq!(report["unchanged"], 0);
    let failed = report["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 2, "{report}");
    let mut by_path: Vec<(String, Value, String)> = failed
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["line"].clone(),
                f["error"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    by_path.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(by_path[0].0.ends_with("archive/notes.txt"), "{by_path:?}");
    assert_eq!(by_path[0].1, 1);
    assert!(by_path[0].2.contains("credits header"), "{by_path:?}");
    assert!(
        by_path[1].0.ends_with("archive/older/broken.txt"),
        "{by_path:?}"
    );
    assert_eq!(by_path[1].1, 3);
    assert!(by_path[1].2.contains("GRADE"), "{by_path:?}");
    assert_eq!(
        report.as_object().unwrap().keys().collect::<Vec<_>>(),
        vec![
            "added",
            "failed",
            "retired",
            "sites",
            "unchanged",
            "updated"
        ]
    );
    // The database is where the default config says, and the good files are in it.
    assert!(dir.path().join("marquee.db").is_file());
    let out = marquee(dir.path(), &["lookup", "gangster", "--format", "json"]);
    assert_eq!(json(&out)["match"]["title"], "The Gangster");

    // Again: nothing changes; the bad files still fail; the text summary says so.
    let out = marquee(dir.path(), &["import", "archive"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out).trim(),
        "added 0, updated 0, unchanged 3, retired 0, failed 2"
    );
    assert!(stderr(&out).contains("notes.txt:1: "), "{}", stderr(&out));
}

#[test]
fn import_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("one.txt"), review("Solo", 1999, "B")).unwrap();
    let out = marquee(dir.path(), &["import", "one.txt"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "added 1, updated 0, unchanged 0, retired 0, failed 0"
    );
    // No path at all is a usage error.
    assert_eq!(marquee(dir.path(), &["import"]).status.code(), Some(2));
    // A path that does not exist is a failed file.
    let out = marquee(dir.path(), &["import", "missing.txt", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["failed"][0]["path"], "missing.txt");
    // A database that cannot be opened is exit 2, with the reason.
    let out = marquee(
        dir.path(),
        &["--db", "no/such/dir/x.db", "import", "one.txt"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot open the database"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_edited_file_is_updated() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.txt");
    std::fs::write(&file, review("Second Thoughts", 2010, "C")).unwrap();
    assert_eq!(
        marquee(dir.path(), &["import", "r.txt"]).status.code(),
        Some(0)
    );
    std::fs::write(&file, review("Second Thoughts", 2010, "B+")).unwrap();
    let out = marquee(dir.path(), &["import", "r.txt", "--json"]);
    assert_eq!(json(&out)["updated"], 1);
    let out = marquee(
        dir.path(),
        &["lookup", "second thoughts", "--format", "json"],
    );
    assert_eq!(json(&out)["match"]["grade"], "B+");
}

#[test]
fn lookup_json_shape() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    marquee(dir.path(), &["import", "archive"]);
    let out = marquee(dir.path(), &["lookup", "the long wlak", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    let m = &v["match"];
    assert_eq!(m["title"], "The Long Walk");
    assert_eq!(m["year"], 2019);
    assert_eq!(m["grade"], "B");
    assert_eq!(
        m["pull_quote"],
        "Better than its poster, worse than its trailer."
    );
    assert_eq!(m["directors"], serde_json::json!(["Nora Lind"]));
    assert_eq!(m["cast"], serde_json::json!(["Ann Lee", "Bo Park"]));
    assert_eq!(m["runtime_minutes"], 99);
    assert_eq!(m["mpaa_rating"], "PG");
    assert_eq!(m["reviewed_on"], "2020-03-04");
    assert_eq!(m["studio"], "Neon");
    let candidates = v["candidates"].as_array().unwrap();
    assert!(!candidates.is_empty());
    for c in candidates {
        let keys: Vec<&String> = c.as_object().unwrap().keys().collect();
        assert_eq!(keys, vec!["grade", "score", "title", "year"], "{c}");
        assert!(c["score"].as_f64().unwrap() <= 1.0);
    }
    assert_eq!(candidates[0]["title"], "The Long Walk");
    assert!(v["ambiguous"].is_boolean());
    let capsule = marquee(dir.path(), &["lookup", "gangster", "--format", "json"]);
    assert_eq!(json(&capsule)["match"]["reviewed_on"], "2001-05-06");
}

#[test]
fn lookup_discord_is_the_interaction_response() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    marquee(dir.path(), &["import", "archive"]);
    let out = marquee(dir.path(), &["lookup", "short days", "--format", "discord"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["type"], 4);
    assert_eq!(
        v["data"]["allowed_mentions"]["parse"],
        serde_json::json!([])
    );
    let embed = &v["data"]["embeds"][0];
    assert_eq!(embed["title"], "Short Days (2001)");
    assert_eq!(
        embed["description"],
        "“Better than its poster, worse than its trailer.”"
    );
    assert_eq!(embed["footer"]["text"], "Reviewed by Dennis Schwartz");
    let field = |name: &str| {
        embed["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .map(|f| f["value"].as_str().unwrap().to_owned())
    };
    assert_eq!(field("Grade").as_deref(), Some("A-"));
    assert_eq!(field("Director").as_deref(), Some("Nora Lind"));
    assert_eq!(
        field("Starring").as_deref(),
        Some("Ann Lee (June), Bo Park")
    );
    assert_eq!(field("Runtime").as_deref(), Some("99 min"));
    assert_eq!(field("Rated").as_deref(), Some("PG"));
    assert_eq!(field("Studio").as_deref(), Some("Neon"));
    assert_eq!(field("Reviewed").as_deref(), Some("Mar 4, 2020"));
    // A-band colour differs from a C-band one.
    let c = json(&marquee(
        dir.path(),
        &["lookup", "gangster", "--format", "discord"],
    ));
    assert_ne!(embed["color"], c["data"]["embeds"][0]["color"]);
    if let Some(spec) = openapi::Spec::load() {
        for body in [&v, &c] {
            spec.validate(
                "post",
                "/interactions/{interaction_id}/{interaction_token}/callback",
                body,
            );
            spec.validate_schema("CreateMessageInteractionCallbackRequest", body);
        }
    }
}

#[test]
fn lookup_reads_queries_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    marquee(dir.path(), &["import", "archive"]);
    let out = marquee_with_stdin(
        dir.path(),
        &["lookup", "-"],
        Some("long walk\nshort dyas\nthe gangster\n"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let titles: Vec<String> = stdout(&out)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["match"]["title"].as_str().unwrap_or("").to_owned()
        })
        .collect();
    assert_eq!(titles, vec!["The Long Walk", "Short Days", "The Gangster"]);
}

#[test]
fn lookup_text_card() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    marquee(dir.path(), &["import", "archive"]);
    let out = marquee(dir.path(), &["lookup", "long walk"]);
    let text = stdout(&out);
    assert!(text.starts_with("The Long Walk (2019)\n"), "{text}");
    assert!(text.contains("Grade     B\n"), "{text}");
    assert!(
        text.contains("“Better than its poster, worse than its trailer.”"),
        "{text}"
    );
}

#[test]
fn without_a_database_reads_answer_from_the_sample_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = marquee(
        dir.path(),
        &["lookup", "godfather part 2", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("built-in sample archive"),
        "{}",
        stderr(&out)
    );
    let v = json(&out);
    assert_eq!(v["match"]["title"], "The Godfather Part II");
    assert_eq!(v["match"]["year"], 1974);

    let out = marquee(dir.path(), &["random", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let grade = json(&out)["grade"].as_str().unwrap().to_owned();
    assert!(["A+", "A", "A-"].contains(&grade.as_str()), "{grade}");

    let out = marquee(
        dir.path(),
        &[
            "random",
            "--min-grade",
            "b+",
            "--decade",
            "1950",
            "--format",
            "json",
        ],
    );
    let v = json(&out);
    let year = v["year"].as_i64().unwrap();
    assert!((1950..1960).contains(&year), "{v}");

    assert!(
        !dir.path().join("marquee.db").exists(),
        "a read must not create the database"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn random_with_nothing_to_pick_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = marquee(
        dir.path(),
        &["random", "--min-grade", "A+", "--decade", "1890"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("No review graded A+ or better from the 1890s"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_options_are_usage_errors_that_name_the_option() {
    let dir = tempfile::tempdir().unwrap();
    let out = marquee(dir.path(), &["random", "--min-grade", "Q"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--min-grade"), "{}", stderr(&out));
    let out = marquee(dir.path(), &["lookup", "x", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--format"), "{}", stderr(&out));
    let out = marquee(dir.path(), &["--db", "postgres://x", "lookup", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let out = marquee(dir.path(), &["lookup", "x"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn help_documents_every_command() {
    let out = marquee(Path::new("."), &["--help"]);
    let text = stdout(&out);
    for word in [
        "import", "lookup", "spot", "random", "person", "top", "search", "stats", "--db",
    ] {
        assert!(text.contains(word), "{word} missing from --help:\n{text}");
    }
}

/// The schema check is real: a body over Discord's limits is refused.
#[test]
fn the_schema_check_refuses_what_discord_refuses() {
    let Some(spec) = openapi::Spec::load() else {
        return;
    };
    let long_title = "x".repeat(257);
    let body = serde_json::json!({"type": 4, "data": {"embeds": [{"title": long_title}]}});
    let refused = std::panic::catch_unwind(|| {
        spec.validate_schema("CreateMessageInteractionCallbackRequest", &body)
    });
    assert!(
        refused.is_err(),
        "a 257-character embed title passed the schema"
    );
}

// ----- browsing: person, top, search, stats -----

/// A database holding the browsing fixture (support/archive.rs), in `dir/m.db`.
fn browsing(dir: &Path) -> String {
    let folder = fixture::write(dir);
    let db = dir.join("m.db").display().to_string();
    let out = marquee(dir, &["--db", &db, "import", folder.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    db
}

#[test]
fn person_json_shape_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let db = browsing(dir.path());
    let out = marquee(
        dir.path(),
        &["--db", &db, "person", "j. l. godard", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["query"], "j. l. godard");
    assert_eq!(
        v["person"],
        serde_json::json!({"name": "Jean-Luc Godard", "films": 3})
    );
    assert_eq!(v["candidates"][0]["name"], "Jean-Luc Godard");
    assert_eq!(v["candidates"][0]["films"], 3);
    assert!(v["candidates"][0]["score"].as_f64().unwrap() > 0.9);
    let films = v["films"].as_array().unwrap();
    assert_eq!(films.len(), 3);
    assert_eq!(films[0]["title"], "Breath of Air");
    assert_eq!(films[0]["year"], 1960);
    assert_eq!(films[0]["grade"], "A-");
    assert_eq!(films[0]["roles"], serde_json::json!(["director", "writer"]));
    assert_eq!(films[2]["roles"], serde_json::json!(["writer"]), "{v}");

    let out = marquee(
        dir.path(),
        &[
            "--db", &db, "person", "lund", "--role", "writer", "--format", "json",
        ],
    );
    let v = json(&out);
    assert_eq!(v["person"]["name"], "Ada Lund");
    let names: Vec<&str> = v["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ada Lund", "Mara Lund"]);

    let out = marquee(
        dir.path(),
        &["--db", &db, "person", "zzyzx qqq", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["person"], Value::Null);
    assert_eq!(v["films"], serde_json::json!([]));

    let out = marquee(
        dir.path(),
        &["--db", &db, "person", "lund", "--role", "gaffer"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--role"), "{}", stderr(&out));
}

#[test]
fn person_text_lists_every_film_and_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let db = browsing(dir.path());
    let out = marquee(dir.path(), &["--db", &db, "person", fixture::BUSY_ACTOR]);
    let text = stdout(&out);
    assert!(text.starts_with("Pia Holt\n"), "{text}");
    assert!(
        text.contains(&format!("{} films", fixture::BUSY_FILMS)),
        "{text}"
    );
    assert!(
        text.contains(&format!("{}. ", fixture::BUSY_FILMS)),
        "every film, not a page: {text}"
    );
    let out = marquee(dir.path(), &["--db", &db, "person", "lund"]);
    let text = stdout(&out);
    assert!(text.starts_with("Mara Lund\n"), "{text}");
    assert!(
        text.contains("Or did you mean:\n  Ada Lund — writer of 2"),
        "{text}"
    );
    let out = marquee(
        dir.path(),
        &["--db", &db, "person", "godard", "--role", "cast"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("Jean-Luc Godard is in the archive: director of 2, writer of 2"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn top_json_shape() {
    let dir = tempfile::tempdir().unwrap();
    let db = browsing(dir.path());
    let out = marquee(
        dir.path(),
        &[
            "--db", &db, "top", "--decade", "1970", "--limit", "2", "--format", "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        json(&out),
        serde_json::json!({
            "films": [
                {"title": "Paper Moons", "year": 1975, "grade": "A"},
                {"title": "Harbour Lights", "year": 1972, "grade": "A"}
            ],
            "total": 5
        })
    );
    let out = marquee(
        dir.path(),
        &["--db", &db, "top", "--person", "kyoko", "--format", "json"],
    );
    assert_eq!(json(&out)["total"], 2);
    let out = marquee(
        dir.path(),
        &["--db", &db, "top", "--decade", "1970", "--year", "1985"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--decade and --year"),
        "{}",
        stderr(&out)
    );
    let out = marquee(dir.path(), &["--db", &db, "top", "--decade", "1890"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn search_json_shape_and_hostile_syntax() {
    let dir = tempfile::tempdir().unwrap();
    let db = browsing(dir.path());
    let out = marquee(
        dir.path(),
        &["--db", &db, "search", "starburst", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["query"], "starburst");
    assert_eq!(v["total"], 1);
    let hit = &v["hits"][0];
    assert_eq!(hit["title"], "Loud Neighbours");
    assert_eq!(hit["year"], 1985);
    assert_eq!(hit["grade"], "D");
    let snippet = hit["snippet"].as_str().unwrap();
    assert!(
        snippet.contains("**starburst**") && snippet.contains(r"\@everyone"),
        "{snippet}"
    );
    // Words, not syntax: these reach SQLite as plain words and never fail.
    for words in [
        ["masterpiece", "AND("],
        ["NEAR(", "masterpiece"],
        ["\"masterpiece", "-"],
    ] {
        let mut args = vec!["--db", db.as_str(), "search"];
        args.extend(words);
        let out = marquee(dir.path(), &args);
        assert_eq!(out.status.code(), Some(0), "{words:?}: {}", stderr(&out));
        assert!(stdout(&out).contains("Harbour Lights"), "{words:?}");
    }
    let out = marquee(dir.path(), &["--db", &db, "search", "--", "-"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = marquee(
        dir.path(),
        &["--db", &db, "search", "qqqzzz", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["total"], 0);
}

#[test]
fn stats_as_json_text_and_png() {
    let dir = tempfile::tempdir().unwrap();
    let db = browsing(dir.path());
    let out = marquee(dir.path(), &["--db", &db, "stats", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with(r#"{"count":"#), "keys in order: {text}");
    assert!(
        text.contains(r#""by_grade":{"A+":0,"A":"#),
        "grades in order: {text}"
    );
    let v = json(&out);
    assert_eq!(v["count"], fixture::len());
    for grade in ["A+", "A", "B+", "C", "F"] {
        assert_eq!(
            v["by_grade"][grade],
            fixture::count_graded(grade),
            "{grade}"
        );
    }
    assert!(v["mean"].is_string());
    let out = marquee(
        dir.path(),
        &[
            "--db",
            &db,
            "stats",
            "--person",
            "kyoko arai",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        json(&out),
        serde_json::json!({"count": 2, "by_grade": {"A+":0,"A":2,"A-":0,"B+":0,"B":0,"B-":0,"C+":0,"C":0,"C-":0,"D+":0,"D":0,"D-":0,"F":0}, "mean": "A"})
    );

    let out = marquee(dir.path(), &["--db", &db, "stats"]);
    let text = stdout(&out);
    assert!(text.contains("A  ███"), "{text}");

    let png = dir.path().join("chart.png");
    let out = marquee(
        dir.path(),
        &[
            "--db",
            &db,
            "stats",
            "--format",
            "png",
            "--out",
            png.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let bytes = std::fs::read(&png).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    assert_eq!(decoder.read_info().unwrap().info().width, 800);
    let out = marquee(dir.path(), &["--db", &db, "stats", "--format", "png"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--out"), "{}", stderr(&out));
}

/// `marquee lookup -` on the sample archive, its standard streams piped.
fn lookup_from_a_pipe(dir: &Path) -> std::process::Child {
    Command::new(BIN)
        .args(["lookup", "-"])
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn a_closed_pipe_ends_quietly_with_status_0() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = lookup_from_a_pipe(dir.path());
    let mut stdin = child.stdin.take().unwrap();
    // More answers than a pipe buffers, so the writer must meet the closed end.
    let feeder = std::thread::spawn(move || {
        for _ in 0..5000 {
            if writeln!(stdin, "alien").is_err() {
                break;
            }
        }
    });
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("Alien"), "{first}");
    // `head -1` has what it wants and goes: the read end closes here.
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.to_lowercase().contains("broken pipe"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn lookup_from_stdin_answers_a_line_before_the_next_arrives() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = lookup_from_a_pipe(dir.path());
    let mut stdin = child.stdin.take().unwrap();
    let mut answers = BufReader::new(child.stdout.take().unwrap());
    // Each answer is read while standard input is still open: batching the waiting lines
    // must never wait for more.
    for (query, title) in [("alein", "Alien"), ("casablanka", "Casablanca")] {
        writeln!(stdin, "{query}").unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        answers.read_line(&mut line).unwrap();
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["query"], query);
        assert_eq!(v["match"]["title"], title, "{line}");
    }
    drop(stdin);
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn lookup_from_stdin_in_batches_answers_every_line_in_order_as_alone() {
    let dir = tempfile::tempdir().unwrap();
    let queries = [
        "alein",
        "zzzz qqqq xxxx",
        "",
        "casablanka",
        "blade runner 2049",
        "alien",
        "the 1941",
        "amelie\r",
    ];
    // More lines than one batch holds, the same films asked for many times.
    let lines: Vec<&str> = queries.iter().copied().cycle().take(700).collect();
    let out = marquee_with_stdin(
        dir.path(),
        &["lookup", "-"],
        Some(&(lines.join("\n") + "\n")),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let answers: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), lines.len());
    for (query, alone) in queries.iter().zip(&answers) {
        let query = query.trim_end_matches('\r');
        let one = marquee(dir.path(), &["lookup", query, "--format", "json"]);
        let one: Value = serde_json::from_str(stdout(&one).trim()).unwrap();
        assert_eq!(one["match"], alone["match"], "{query}");
        assert_eq!(one["candidates"], alone["candidates"], "{query}");
    }
    for (i, (line, answer)) in lines.iter().zip(&answers).enumerate() {
        assert_eq!(
            answer["query"],
            line.trim_end_matches('\r'),
            "line {}",
            i + 1
        );
        assert_eq!(answer, &answers[i % queries.len()], "line {}", i + 1);
    }
}

#[test]
fn remove_retires_the_reviews_of_a_file_and_says_which_paths_had_none() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    // The fixture holds two broken files on purpose: exit status 1, the rest stored.
    let out = marquee(dir.path(), &["import", "archive"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let total = |dir: &Path| -> u64 {
        let out = marquee(dir, &["top", "--format", "json"]);
        let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
        v["total"].as_u64().unwrap()
    };
    let title = |dir: &Path| -> Value {
        let out = marquee(dir, &["lookup", "the long walk", "--format", "json"]);
        let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
        v["match"]["title"].clone()
    };
    let before = total(dir.path());
    assert_eq!(title(dir.path()), "The Long Walk");

    let file = "archive/walk.txt";
    let out = marquee(
        dir.path(),
        &["remove", file, "archive/no-such.txt", "--json"],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "one path had no review: {}",
        stderr(&out)
    );
    let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["removed"][0]["path"], file);
    assert_eq!(v["removed"][0]["title"], "The Long Walk");
    assert_eq!(v["removed"][0]["year"], 2019);
    assert_eq!(v["not_found"], serde_json::json!(["archive/no-such.txt"]));
    assert_eq!(total(dir.path()), before - 1);
    assert_ne!(title(dir.path()), "The Long Walk");

    // Removing it again finds nothing; importing the file brings the film back.
    let out = marquee(dir.path(), &["remove", file]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains(file), "{}", stderr(&out));
    let out = marquee(dir.path(), &["import", file, "--json"]);
    let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["added"], 1, "{v}");
    assert_eq!(title(dir.path()), "The Long Walk");
}

#[test]
fn remove_without_a_database_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = marquee(dir.path(), &["remove", "a.txt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no database"), "{}", stderr(&out));
    assert!(!dir.path().join("marquee.db").exists());
}

#[test]
fn serve_watch_of_a_missing_folder_fails_naming_the_option_and_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let serve = |args: &[&str]| {
        Command::new(BIN)
            .arg("serve")
            .args(args)
            .current_dir(dir.path())
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", dir.path().join("bot.db").display()),
            )
            .env("DISCORD_TOKEN", "cli-test-token")
            .env("DISCORD_API_BASE", "http://127.0.0.1:9")
            .env("MARQUEE__ARCHIVE__WATCH", "configured-folder")
            .env_remove("MARQUEE_ENVIRONMENT")
            .env_remove("MARQUEE_CONFIG")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    // The flag wins over archive.watch.
    let out = serve(&["--watch", "flagged-folder"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("--watch") && err.contains("archive.watch"),
        "{err}"
    );
    assert!(err.contains("flagged-folder"), "{err}");
    assert!(!err.contains("configured-folder"), "{err}");
    // Without the flag, the setting is used.
    let out = serve(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("configured-folder"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn serve_refuses_a_feed_that_is_not_http_naming_the_option_and_the_feed() {
    let dir = tempfile::tempdir().unwrap();
    let serve = |args: &[&str], feeds: &str| {
        Command::new(BIN)
            .arg("serve")
            .args(args)
            .current_dir(dir.path())
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", dir.path().join("bot.db").display()),
            )
            .env("DISCORD_TOKEN", "cli-test-token")
            .env("DISCORD_API_BASE", "http://127.0.0.1:9")
            .env("MARQUEE__ARCHIVE__FEEDS", feeds)
            .env_remove("MARQUEE_ENVIRONMENT")
            .env_remove("MARQUEE_CONFIG")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    // The flag replaces archive.feeds, and a feed that is not http(s) stops serve at start.
    let out = serve(
        &[
            "--feed",
            "https://critic.example/feed/",
            "--feed",
            "ftp://critic.example/feed/",
        ],
        "file:///configured",
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("serve --feed / archive.feeds"), "{err}");
    assert!(err.contains("ftp://critic.example/feed/"), "{err}");
    assert!(!err.contains("file:///configured"), "{err}");
    // Without the flag, the setting is used.
    let out = serve(&[], "file:///configured");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("file:///configured"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn years_and_decades_at_integer_extremes_are_refused_not_wrapped() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        ["top", "--decade=-2147483648"],
        ["top", "--year=2147483647"],
        ["random", "--decade=-2147483648"],
        ["stats", "--decade=99999999999"],
    ] {
        let out = marquee(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("from 1870 to 2100") || err.contains("not a year"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("2147483646"), "{err}");
    }
}

#[test]
fn a_log_written_to_a_pipe_has_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    // stderr is a pipe here: the debug log of an import must be plain text.
    let out = Command::new(BIN)
        .args(["import", "archive"])
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("MARQUEE_ENVIRONMENT")
        .env_remove("MARQUEE_CONFIG")
        .env_remove("NO_COLOR")
        .env("RUST_LOG", "marquee=debug")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(err.contains("DEBUG"), "the log was written: {err}");
    assert!(
        !err.contains('\u{1b}'),
        "colour codes in a piped log: {err:?}"
    );
}
