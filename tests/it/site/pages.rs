//! `marquee import` of the critic's pages as he publishes them: letter pages of many capsules
//! (text and HTML, UTF-8 and Windows-1252) and a saved web page of one review, then edited,
//! imported again, and removed.

use std::path::Path;

use super::helpers::{fixture, json, marquee, stderr, stdout};

/// A folder `archive/` in `dir` holding the fixtures named.
fn archive(dir: &Path, names: &[&str]) {
    let folder = dir.join("archive");
    std::fs::create_dir_all(&folder).unwrap();
    for name in names {
        std::fs::copy(fixture(name), folder.join(name)).unwrap();
    }
}

fn lookup(dir: &Path, query: &str) -> serde_json::Value {
    let out = marquee(dir, &["lookup", query, "--format", "json"]);
    json(&out)
}

#[test]
fn letter_pages_and_saved_pages_are_imported_review_by_review() {
    let dir = tempfile::tempdir().unwrap();
    archive(
        dir.path(),
        &["s.htm", "t.txt", "d.html", "quiet-orchard.html"],
    );
    let out = marquee(dir.path(), &["import", "archive", "--json"]);
    // One capsule of s.htm has no grade: it fails alone, and the status says so.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    // s.htm 4 + t.txt 3 + d.html 2 + the saved review 1: reviews, not files.
    assert_eq!(report["added"], 10, "{report}");
    assert_eq!(report["failed"].as_array().unwrap().len(), 1, "{report}");
    let failed = &report["failed"][0];
    assert!(
        failed["path"].as_str().unwrap().ends_with("archive/s.htm"),
        "{report}"
    );
    // The line is the HTML source's, where the broken capsule's review ends.
    let source = String::from_utf8_lossy(&std::fs::read(fixture("s.htm")).unwrap()).into_owned();
    let line = source
        .lines()
        .position(|l| l.contains("shaggy city fable"))
        .unwrap()
        + 1;
    assert_eq!(failed["line"], line, "{report}");
    assert!(
        failed["error"].as_str().unwrap().contains("GRADE"),
        "{report}"
    );

    // The text summary counts reviews too, and names the file and line.
    let again = marquee(dir.path(), &["import", "archive"]);
    assert_eq!(
        stdout(&again).trim(),
        "added 0, updated 0, unchanged 10, retired 0, failed 1"
    );
    assert!(
        stderr(&again).contains(&format!("archive/s.htm:{line}: ")),
        "{}",
        stderr(&again)
    );

    // Each capsule is its own film, found by its title; Windows-1252 read right.
    let marsh = lookup(dir.path(), "salt marsh");
    assert_eq!(marsh["match"]["title"], "The Salt Marsh");
    assert_eq!(marsh["match"]["directors"][0], "René Aubert");
    assert_eq!(marsh["match"]["reviewed_on"], "2001-07-21");
    assert_eq!(marsh["match"]["url"], serde_json::Value::Null);
    assert_eq!(
        lookup(dir.path(), "4th street")["match"]["title"],
        "Sundown on 4th Street"
    );
    assert_eq!(
        lookup(dir.path(), "13th hour")["match"]["title"],
        "The 13th Hour"
    );
    assert_eq!(
        lookup(dir.path(), "spatzennest")["match"]["title"],
        "Sparrow's Nest"
    );
    assert_eq!(
        lookup(dir.path(), "dry season")["match"]["cast"][0],
        "Aïssa Traoré"
    );
}

#[test]
fn a_saved_page_s_canonical_address_is_its_review_s_url_in_every_form() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path(), &["quiet-orchard.html", "t.txt"]);
    let out = marquee(dir.path(), &["import", "archive", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let canonical = "https://critic.example/2020/03/14/the-quiet-orchard/";

    let found = lookup(dir.path(), "quiet orchard");
    assert_eq!(found["match"]["title"], "The Quiet Orchard");
    assert_eq!(found["match"]["url"], canonical);
    assert_eq!(found["match"]["tagline"], "a harvest of what is left");

    let discord = json(&marquee(
        dir.path(),
        &["lookup", "quiet orchard", "--format", "discord"],
    ));
    assert_eq!(discord["data"]["embeds"][0]["url"], canonical);
    let text = stdout(&marquee(dir.path(), &["lookup", "quiet orchard"]));
    assert!(
        text.lines()
            .any(|l| l.starts_with("Online") && l.ends_with(canonical)),
        "{text}"
    );

    // A review from a text file has no address, and its card no link.
    let discord = json(&marquee(
        dir.path(),
        &["lookup", "tidewater", "--format", "discord"],
    ));
    assert!(
        discord["data"]["embeds"][0].get("url").is_none(),
        "{discord}"
    );
}

#[test]
fn a_letter_page_imported_again_updates_retires_and_adds_capsule_by_capsule() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path(), &["t.txt"]);
    let out = marquee(dir.path(), &["import", "archive", "--json"]);
    assert_eq!(json(&out)["added"], 3, "{}", stdout(&out));
    let tidewater = lookup(dir.path(), "tidewater")["match"]["id"].clone();
    let hour = lookup(dir.path(), "13th hour")["match"]["id"].clone();

    // The critic regrades one capsule, takes one out, corrects a title and adds one.
    let page = std::fs::read_to_string(fixture("t.txt")).unwrap();
    let edited = page
        .replace("earns its one big storm. GRADE: B", "earns its one big storm. GRADE: A-")
        .replace(
            "THIRD DAUGHTER, THE (director: Wim Sorel; cast: Ines Brand; 1958-Netherlands) Reviewed 2/14/2004.\n\nSorel shoots a family supper like a siege, and it is thrilling. GRADE: A\n",
            "",
        )
        .replace("13TH HOUR, THE", "13TH HOUR OF THE NIGHT, THE")
        + "\n\nTORN SAIL (director: Ada Quill; cast: Ray Dunn; 2012) Reviewed on 8/8/2013.\n\nA sea yarn with a hole where its middle should be. GRADE: C\n";
    assert_ne!(edited, page);
    std::fs::write(dir.path().join("archive/t.txt"), edited).unwrap();
    let out = marquee(dir.path(), &["import", "archive", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(
        (
            &report["added"],
            &report["updated"],
            &report["retired"],
            &report["unchanged"]
        ),
        (&1.into(), &2.into(), &1.into(), &0.into()),
        "regraded and corrected are updates: {report}"
    );
    // Tidewater: updated in place, the same review, now A-.
    let after = lookup(dir.path(), "tidewater");
    assert_eq!(after["match"]["id"], tidewater);
    assert_eq!(after["match"]["grade"], "A-");
    // The corrected title is the same review under its new title.
    let renamed = lookup(dir.path(), "13th hour of the night");
    assert_eq!(renamed["match"]["title"], "The 13th Hour of the Night");
    assert_eq!(renamed["match"]["id"], hour);
    // The capsule taken out is no longer in the archive.
    let gone = marquee(
        dir.path(),
        &["lookup", "the third daughter", "--format", "json"],
    );
    assert_ne!(
        json(&gone)["match"]["title"],
        "The Third Daughter",
        "{}",
        stdout(&gone)
    );
    assert_eq!(
        lookup(dir.path(), "torn sail")["match"]["title"],
        "Torn Sail"
    );
}

#[test]
fn remove_of_a_page_retires_every_review_it_gave() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path(), &["s.htm", "t.txt"]);
    marquee(dir.path(), &["import", "archive"]);
    let out = marquee(dir.path(), &["remove", "archive/s.htm", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let removed = json(&out)["removed"].as_array().unwrap().clone();
    let mut titles: Vec<&str> = removed
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    titles.sort_unstable();
    assert_eq!(
        titles,
        [
            "Second Wind",
            "Sparrow's Nest",
            "Sundown on 4th Street",
            "The Salt Marsh"
        ]
    );
    // The other page's reviews stay.
    assert_eq!(
        lookup(dir.path(), "tidewater")["match"]["title"],
        "Tidewater"
    );
}
