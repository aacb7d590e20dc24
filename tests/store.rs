//! The store, each test on its own freshly migrated SQLite database (`#[sqlx::test]`).

use marquee::import::{import_sources, Source};
use marquee::review::Grade;
use marquee::store::{RandomFilter, Store};
use sqlx::SqlitePool;

/// A modern review written for these tests.
fn review(title: &str, year: i32, grade: &str, director: &str) -> Vec<u8> {
    format!(
        "(director: {director}; screenwriter: Ida Finn; cast: Ann Lee (June), Bo Park; Runtime: 99; MPAA Rating: PG; producer: Gus Rowe: Neon; {year})\n\n\
         “A test of patience, kindly meant.”\n\nReviewed by Dennis Schwartz\n\nOne paragraph.\n\n\
         {director}'s {title}\n      goes where tests go\n\n\nREVIEWED ON 3/4/2020  GRADE: {grade}"
    )
    .into_bytes()
}

fn source(name: &str, bytes: Vec<u8>) -> Source {
    Source::Bytes {
        name: name.into(),
        bytes,
    }
}

async fn count(pool: &SqlitePool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn reimporting_the_same_files_changes_nothing(pool: SqlitePool) {
    let store = Store::from_pool(pool.clone()).await.unwrap();
    let files = || {
        vec![
            source("a.txt", review("The Long Walk", 2019, "B", "Nora Lind")),
            source("b.txt", review("Short Days", 2001, "A-", "Ed Marsh")),
        ]
    };
    let first = import_sources(&store, files(), |_| {}).await.unwrap();
    assert_eq!((first.counts.added, first.counts.unchanged), (2, 0));
    let tables = ["reviews", "people", "credits", "alt_titles"];
    let mut before = Vec::new();
    for t in tables {
        before.push(count(&pool, t).await);
    }
    let second = import_sources(&store, files(), |_| {}).await.unwrap();
    assert_eq!(
        (
            second.counts.added,
            second.counts.updated,
            second.counts.unchanged
        ),
        (0, 0, 2)
    );
    for (t, n) in tables.iter().zip(before) {
        assert_eq!(count(&pool, t).await, n, "{t} changed");
    }
    // Both imports are in the log.
    let log: Vec<(i64, i64, i64)> =
        sqlx::query_as("SELECT added, unchanged, finished_at IS NOT NULL FROM imports ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(log, vec![(2, 0, 1), (0, 2, 1)]);
}

#[sqlx::test]
async fn an_edited_review_is_updated_not_duplicated(pool: SqlitePool) {
    let store = Store::from_pool(pool.clone()).await.unwrap();
    import_sources(
        &store,
        vec![source(
            "a.txt",
            review("The Long Walk", 2019, "B", "Nora Lind"),
        )],
        |_| {},
    )
    .await
    .unwrap();
    let id: i64 = sqlx::query_scalar("SELECT id FROM reviews")
        .fetch_one(&pool)
        .await
        .unwrap();
    let credits = count(&pool, "credits").await;

    let report = import_sources(
        &store,
        vec![source(
            "a.txt",
            review("The Long Walk", 2019, "A –", "Nora Lind"),
        )],
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!((report.counts.added, report.counts.updated), (0, 1));
    assert_eq!(count(&pool, "reviews").await, 1);
    assert_eq!(count(&pool, "credits").await, credits);
    let stored = store.review(id).await.unwrap().unwrap();
    assert_eq!(stored.review.grade, Grade::AMinus);
    assert_eq!(stored.review.credits.directors, vec!["Nora Lind"]);

    // The same title in another year is another film (a remake).
    let report = import_sources(
        &store,
        vec![source(
            "c.txt",
            review("The Long Walk", 1961, "C", "Ed Marsh"),
        )],
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(report.counts.added, 1);
    assert_eq!(count(&pool, "reviews").await, 2);
}

#[sqlx::test]
async fn failed_files_are_logged_and_the_rest_stored(pool: SqlitePool) {
    let store = Store::from_pool(pool.clone()).await.unwrap();
    let report = import_sources(
        &store,
        vec![
            source("good.txt", review("Good Film", 2000, "B", "Nora Lind")),
            source("notes.txt", b"shopping list\neggs\n".to_vec()),
            source(
                "nograde.txt",
                b"(director: Ann Lee; 1999)\n\nWords.\n".to_vec(),
            ),
        ],
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(report.counts.added, 1);
    assert_eq!(report.failed.len(), 2);
    assert_eq!(report.failed[0].path, "notes.txt");
    assert_eq!(report.failed[0].line, Some(1));
    assert_eq!(report.failed[1].path, "nograde.txt");
    assert_eq!(report.failed[1].line, Some(3));
    let logged: Vec<(String, String, Option<i64>)> =
        sqlx::query_as("SELECT path, outcome, line FROM import_files ORDER BY rowid")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        logged,
        vec![
            ("good.txt".into(), "added".into(), None),
            ("notes.txt".into(), "failed".into(), Some(1)),
            ("nograde.txt".into(), "failed".into(), Some(3)),
        ]
    );
    assert_eq!(count(&pool, "reviews").await, 1);
}

#[sqlx::test]
async fn a_review_reads_back_as_it_was_parsed(pool: SqlitePool) {
    let store = Store::from_pool(pool).await.unwrap();
    let bytes = review("Round Trip", 1977, "B +", "Nora Lind");
    let parsed = marquee::review::Review::parse_bytes(&bytes).unwrap();
    let report = import_sources(&store, vec![source("r.txt", bytes)], |_| {})
        .await
        .unwrap();
    let stored = store.review(report.added_ids[0]).await.unwrap().unwrap();
    assert_eq!(stored.review, parsed);
    assert_eq!(stored.source_path.as_deref(), Some("r.txt"));
}

#[sqlx::test]
async fn index_entries_carry_alt_titles(pool: SqlitePool) {
    let store = Store::from_pool(pool).await.unwrap();
    let capsule = b"DAMAGE (FATALE) (director: Louis Malle; Runtime: 111; New Line; 1992)\n\nA capsule. GRADE: B".to_vec();
    import_sources(
        &store,
        vec![
            source("a.txt", review("Plain", 2000, "C", "Nora Lind")),
            source("d.txt", capsule),
        ],
        |_| {},
    )
    .await
    .unwrap();
    let entries = store.index_entries().await.unwrap();
    let damage = entries.iter().find(|e| e.title == "Damage").unwrap();
    assert_eq!(damage.alt_titles, vec!["Fatale"]);
    assert_eq!(damage.year, Some(1992));
    assert_eq!(damage.grade, Grade::B);
    let plain = entries.iter().find(|e| e.title == "Plain").unwrap();
    assert!(plain.alt_titles.is_empty());
}

#[sqlx::test]
async fn random_respects_grade_and_decade(pool: SqlitePool) {
    let store = Store::from_pool(pool).await.unwrap();
    import_sources(
        &store,
        vec![
            source("1.txt", review("Seventies Gem", 1974, "A", "Nora Lind")),
            source("2.txt", review("Seventies Dud", 1975, "C", "Nora Lind")),
            source("3.txt", review("Eighties Gem", 1984, "A+", "Nora Lind")),
            source("4.txt", review("Nearly", 1979, "B+", "Nora Lind")),
        ],
        |_| {},
    )
    .await
    .unwrap();
    let pick = |min_grade, decade| {
        let store = store.clone();
        async move {
            let mut seen = std::collections::BTreeSet::new();
            for _ in 0..100 {
                if let Some(id) = store
                    .random_review_id(RandomFilter { min_grade, decade })
                    .await
                    .unwrap()
                {
                    seen.insert(store.review(id).await.unwrap().unwrap().review.title);
                }
            }
            seen.into_iter().collect::<Vec<_>>()
        }
    };
    assert_eq!(pick(Grade::AMinus, Some(1970)).await, vec!["Seventies Gem"]);
    assert_eq!(pick(Grade::AMinus, Some(1983)).await, vec!["Eighties Gem"]);
    assert_eq!(
        pick(Grade::BPlus, Some(1970)).await,
        vec!["Nearly", "Seventies Gem"]
    );
    assert!(pick(Grade::APlus, Some(1970)).await.is_empty());
    assert_eq!(pick(Grade::F, None).await.len(), 4);
}
