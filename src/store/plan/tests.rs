//! The import plan, rule by rule, without a database: what each review of a page does, given
//! what the archive holds.

use super::*;
use crate::review::{Limits, Review};

fn capsule(title: &str, year: i32, body: &str, grade: &str) -> String {
    format!("{title} (director: Ada Lind; {year})\n\n{body} GRADE: {grade}")
}

fn page(path: &str, capsules: &[String]) -> Page {
    let text = capsules.join("\n\n");
    Page::new(
        path.into(),
        Review::parse_page_with(&text, None, &Limits::default()),
    )
}

/// The archive as the given pages left it: ids from 1, in order.
fn stored(pages: &[&Page]) -> Vec<Existing> {
    let mut id = 0;
    let mut out = Vec::new();
    for page in pages {
        for (review, key) in page.films() {
            id += 1;
            out.push(Existing {
                id,
                title: review.title.clone(),
                key: key.to_owned(),
                year: review.year(),
                raw_text: review.raw_text.clone(),
                body: review.body.clone(),
                grade: review.grade.as_str().to_owned(),
                source_path: Some(page.path.clone()),
                url: review.url.clone(),
            });
        }
    }
    out
}

fn maps(archive: &[Existing]) -> (HashMap<Identity, Existing>, HashMap<String, Vec<Existing>>) {
    let by_identity = archive
        .iter()
        .map(|e| ((e.key.clone(), e.year), e.clone()))
        .collect();
    let mut by_path: HashMap<String, Vec<Existing>> = HashMap::new();
    for e in archive {
        by_path
            .entry(e.source_path.clone().unwrap())
            .or_default()
            .push(e.clone());
    }
    (by_identity, by_path)
}

/// Each review's step, by the id it touches (`+` added, `=` unchanged, `~` updated by
/// identity, `>N` renames review N, `!` failed or in conflict), and the retired ids.
fn summary(plan: &Plan) -> (Vec<String>, Vec<i64>) {
    let steps = plan
        .steps
        .iter()
        .flatten()
        .map(|step| match step {
            Step::Failed | Step::Conflict { .. } => "!".to_owned(),
            Step::Unchanged(e) => format!("={}", e.id),
            Step::Upsert { before: None } => "+".to_owned(),
            Step::Upsert { before: Some(e) } => format!("~{}", e.id),
            Step::Rename { from } => format!(">{}", from.id),
        })
        .collect();
    let mut retired: Vec<i64> = plan.retired.iter().map(|e| e.id).collect();
    retired.sort_unstable();
    (steps, retired)
}

fn plan_of(round: &[Page], archive: &[Existing]) -> (Vec<String>, Vec<i64>) {
    let (by_identity, by_path) = maps(archive);
    summary(&plan_round(round, &by_identity, &by_path))
}

fn letter_page() -> Vec<String> {
    vec![
        capsule(
            "ALPHA",
            2001,
            "A tidy heist picture with a loose ending.",
            "B",
        ),
        capsule("BRAVO", 2002, "Loud, proud and empty inside.", "C-"),
        capsule(
            "CHARLIE",
            2003,
            "A small miracle of a film about bees.",
            "A",
        ),
    ]
}

#[test]
fn a_page_imported_again_unchanged_changes_nothing() {
    let before = page("a.htm", &letter_page());
    let archive = stored(&[&before]);
    let again = page("a.htm", &letter_page());
    assert_eq!(
        plan_of(&[again], &archive),
        (vec!["=1".into(), "=2".into(), "=3".into()], vec![])
    );
}

#[test]
fn an_edited_capsule_updates_its_review_and_the_others_stay() {
    let before = page("a.htm", &letter_page());
    let archive = stored(&[&before]);
    let mut edited = letter_page();
    edited[1] = capsule("BRAVO", 2002, "Loud, proud and, on reflection, fun.", "B");
    assert_eq!(
        plan_of(&[page("a.htm", &edited)], &archive),
        (vec!["=1".into(), "~2".into(), "=3".into()], vec![])
    );
}

#[test]
fn a_capsule_taken_out_of_its_page_is_retired_and_one_added_is_new() {
    let before = page("a.htm", &letter_page());
    let archive = stored(&[&before]);
    let mut now = letter_page();
    now.remove(1);
    now.push(capsule(
        "DELTA",
        2004,
        "Nobody asked for a sequel to nothing.",
        "D",
    ));
    assert_eq!(
        plan_of(&[page("a.htm", &now)], &archive),
        (vec!["=1".into(), "=3".into(), "+".into()], vec![2])
    );
}

#[test]
fn a_corrected_title_keeps_the_review_by_its_text() {
    let before = page("a.htm", &letter_page());
    let archive = stored(&[&before]);
    let mut now = letter_page();
    // BRAVO is corrected to BRAVURA, the same review.
    now[1] = capsule("BRAVURA", 2002, "Loud, proud and empty inside.", "C-");
    assert_eq!(
        plan_of(&[page("a.htm", &now)], &archive),
        (vec!["=1".into(), ">2".into(), "=3".into()], vec![])
    );
    // A corrected year alone, with a reworded review, is the same film too.
    let mut now = letter_page();
    now[2] = capsule("CHARLIE", 2013, "Bees, again, and a miracle, again.", "A-");
    assert_eq!(
        plan_of(&[page("a.htm", &now)], &archive),
        (vec!["=1".into(), "=2".into(), ">3".into()], vec![])
    );
}

#[test]
fn a_removed_capsule_and_an_unrelated_new_one_are_not_taken_for_a_correction() {
    let before = page("a.htm", &letter_page());
    let archive = stored(&[&before]);
    let mut now = letter_page();
    now[1] = capsule(
        "ECHO",
        2009,
        "A ghost story told from inside the walls.",
        "B+",
    );
    assert_eq!(
        plan_of(&[page("a.htm", &now)], &archive),
        (vec!["=1".into(), "+".into(), "=3".into()], vec![2])
    );
}

#[test]
fn a_file_of_one_review_keeps_it_whatever_its_new_title() {
    // As a single review file always did: identity follows the file.
    let before = page("walk.txt", &[capsule("LONG WALK", 2019, "Steps.", "B")]);
    let archive = stored(&[&before]);
    let now = page(
        "walk.txt",
        &[capsule("SHORT RUN", 2020, "Entirely different words.", "B")],
    );
    assert_eq!(plan_of(&[now], &archive), (vec![">1".into()], vec![]));
}

#[test]
fn a_page_with_a_broken_part_retires_nothing() {
    let before = page("a.htm", &letter_page());
    let archive = stored(&[&before]);
    let mut now = letter_page();
    now[1] = "BRAVO (director: Ada Lind; 2002)\n\nLoud, proud and empty inside.".into();
    assert_eq!(
        plan_of(&[page("a.htm", &now)], &archive),
        (vec!["=1".into(), "!".into(), "=3".into()], vec![])
    );
}

#[test]
fn a_capsule_moved_to_another_page_keeps_its_review() {
    let a = page("a.htm", &letter_page());
    let archive = stored(&[&a]);
    let mut now_a = letter_page();
    let moved = now_a.remove(2);
    let now_b = page("b.htm", &[moved]);
    // Both pages in one import: CHARLIE is taken over by b.htm, not retired and added.
    assert_eq!(
        plan_of(&[page("a.htm", &now_a), now_b], &archive),
        (vec!["=1".into(), "=2".into(), "=3".into()], vec![])
    );
}

#[test]
fn a_rename_onto_another_page_s_film_is_a_conflict_and_one_onto_a_retired_film_is_not() {
    let a = page("a.htm", &[capsule("ALPHA", 2001, "Heist.", "B")]);
    let b = page("b.htm", &[capsule("BRAVO", 2002, "Loud.", "C")]);
    let archive = stored(&[&a, &b]);
    // a.htm's one review is now BRAVO (2002), which b.htm holds and still holds.
    let now_a = page("a.htm", &[capsule("BRAVO", 2002, "Heist.", "B")]);
    let (steps, retired) = plan_of(&[now_a], &archive);
    assert_eq!((steps, retired), (vec!["!".into()], vec![]));
    // The same, while b.htm drops BRAVO in the same import: the film is free.
    let now_a = page("a.htm", &[capsule("BRAVO", 2002, "Heist.", "B")]);
    let now_b = page(
        "b.htm",
        &[
            capsule("FOXTROT", 2005, "Dance.", "A"),
            capsule("GOLF", 2006, "Grass and silence for ninety minutes.", "C"),
        ],
    );
    let (steps, retired) = plan_of(&[now_a, now_b], &archive);
    // a.htm's review keeps its id under its new film; b.htm's BRAVO is retired first.
    assert_eq!(steps, vec![">1".to_owned(), "+".into(), "+".into()]);
    assert_eq!(retired, vec![2]);
}

#[test]
fn a_film_twice_on_one_page_is_stored_once_and_the_second_fails_naming_the_first() {
    let p = page(
        "a.htm",
        &[
            capsule("ALPHA", 2001, "First.", "B"),
            capsule("ALPHA", 2001, "Second.", "C"),
        ],
    );
    let err = p.reviews[1].review.as_ref().err().unwrap();
    assert!(err.message.contains("twice"), "{err}");
    assert!(err.message.contains("line 1"), "{err}");
    assert_eq!(err.line, Some(p.reviews[1].line));
    assert_eq!(plan_of(&[p], &[]), (vec!["+".into(), "!".into()], vec![]));
}

#[test]
fn rounds_split_before_a_repeated_page_or_film() {
    let mut rest = vec![
        page("a.htm", &letter_page()),
        page("b.htm", &[capsule("DELTA", 2004, "New.", "B")]),
        page("c.htm", &[capsule("BRAVO", 2002, "Again.", "B")]),
        page("b.htm", &[capsule("ECHO", 2005, "Newer.", "B")]),
    ];
    let first = split_round(&mut rest);
    let paths: Vec<&str> = first.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["a.htm", "b.htm"]);
    let second = split_round(&mut rest);
    let paths: Vec<&str> = second.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["c.htm", "b.htm"]);
    assert!(rest.is_empty());
}

#[test]
fn word_likeness_is_a_share_of_words() {
    assert_eq!(word_likeness("a b c", "a b c"), 1.0);
    assert_eq!(word_likeness("A, b!", "a b"), 1.0);
    assert_eq!(word_likeness("a b", "c d"), 0.0);
    assert_eq!(word_likeness("", ""), 0.0);
    assert!((word_likeness("a b c d", "a b c e") - 0.6).abs() < 1e-9);
}

#[test]
fn a_page_s_retirements_follow_the_rest_of_its_outcomes() {
    let outcome = |path: &str, outcome| FileOutcome {
        path: path.into(),
        outcome,
        review_id: None,
        line: None,
        error: None,
        conflict_with: None,
        film: None,
    };
    let a = page("a.htm", &letter_page());
    let archive = stored(&[&a]);
    let gone: Vec<&Existing> = archive.iter().skip(1).collect();
    let ordered = in_page_order(
        vec![
            outcome("a.htm", Outcome::Unchanged),
            outcome("b.htm", Outcome::Added),
            outcome("b.htm", Outcome::Added),
        ],
        &gone,
    );
    let seen: Vec<(&str, Outcome, Option<&str>)> = ordered
        .iter()
        .map(|o| (o.path.as_str(), o.outcome, o.film.as_deref()))
        .collect();
    assert_eq!(
        seen,
        [
            ("a.htm", Outcome::Unchanged, None),
            ("a.htm", Outcome::Retired, Some("Bravo (2002)")),
            ("a.htm", Outcome::Retired, Some("Charlie (2003)")),
            ("b.htm", Outcome::Added, None),
            ("b.htm", Outcome::Added, None),
        ]
    );
}
