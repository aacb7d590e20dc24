//! The store, each test on its own freshly migrated SQLite database (`#[sqlx::test]`).

use marquee::import::{import_sources, ImportReport, Source};
use marquee::review::{Decade, Grade};
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

/// Imports `files`, which must not fail to store (a file may still fail to parse).
async fn import(store: &Store, files: Vec<Source>) -> ImportReport {
    import_sources(store, files, |_| {}).await.unwrap()
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
    let first = import(&store, files()).await;
    assert_eq!((first.counts.added, first.counts.unchanged), (2, 0));
    let tables = ["reviews", "people", "credits", "alt_titles"];
    let mut before = Vec::new();
    for t in tables {
        before.push(count(&pool, t).await);
    }
    let second = import(&store, files()).await;
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
    import(
        &store,
        vec![source(
            "a.txt",
            review("The Long Walk", 2019, "B", "Nora Lind"),
        )],
    )
    .await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM reviews")
        .fetch_one(&pool)
        .await
        .unwrap();
    let credits = count(&pool, "credits").await;

    let report = import(
        &store,
        vec![source(
            "a.txt",
            review("The Long Walk", 2019, "A –", "Nora Lind"),
        )],
    )
    .await;
    assert_eq!((report.counts.added, report.counts.updated), (0, 1));
    assert_eq!(count(&pool, "reviews").await, 1);
    assert_eq!(count(&pool, "credits").await, credits);
    let stored = store.review(id).await.unwrap().unwrap();
    assert_eq!(stored.review.grade, Grade::AMinus);
    assert_eq!(stored.review.credits.directors, vec!["Nora Lind"]);

    // The same title in another year is another film (a remake).
    let report = import(
        &store,
        vec![source(
            "c.txt",
            review("The Long Walk", 1961, "C", "Ed Marsh"),
        )],
    )
    .await;
    assert_eq!(report.counts.added, 1);
    assert_eq!(count(&pool, "reviews").await, 2);
}

#[sqlx::test]
async fn failed_files_are_logged_and_the_rest_stored(pool: SqlitePool) {
    let store = Store::from_pool(pool.clone()).await.unwrap();
    let report = import(
        &store,
        vec![
            source("good.txt", review("Good Film", 2000, "B", "Nora Lind")),
            source("notes.txt", b"shopping list\neggs\n".to_vec()),
            source(
                "nograde.txt",
                b"(director: Ann Lee; 1999)\n\nWords.\n".to_vec(),
            ),
        ],
    )
    .await;
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
            // A stored review's line is where it starts in its page (a letter page holds many).
            ("good.txt".into(), "added".into(), Some(1)),
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
    let report = import(&store, vec![source("r.txt", bytes)]).await;
    let stored = store.review(report.added_ids[0]).await.unwrap().unwrap();
    assert_eq!(stored.review, parsed);
    assert_eq!(stored.source_path.as_deref(), Some("r.txt"));

    // A capsule: another title, a cast without characters, no date.
    let capsule = b"DAMAGE (FATALE) (director: Louis Malle; cast: Jeremy Irons, Juliette Binoche; Runtime: 111; New Line; 1992)\n\nA capsule. GRADE: B".to_vec();
    let parsed = marquee::review::Review::parse_bytes(&capsule).unwrap();
    assert_eq!(parsed.alt_titles, vec!["Fatale"]);
    let report = import(&store, vec![source("d.txt", capsule)]).await;
    let stored = store.review(report.added_ids[0]).await.unwrap().unwrap();
    assert_eq!(stored.review, parsed);
    assert_eq!(store.review(i64::MAX).await.unwrap(), None);
}

#[sqlx::test]
async fn index_entries_carry_alt_titles(pool: SqlitePool) {
    let store = Store::from_pool(pool).await.unwrap();
    let capsule = b"DAMAGE (FATALE) (director: Louis Malle; Runtime: 111; New Line; 1992)\n\nA capsule. GRADE: B".to_vec();
    import(
        &store,
        vec![
            source("a.txt", review("Plain", 2000, "C", "Nora Lind")),
            source("d.txt", capsule),
        ],
    )
    .await;
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
    import(
        &store,
        vec![
            source("1.txt", review("Seventies Gem", 1974, "A", "Nora Lind")),
            source("2.txt", review("Seventies Dud", 1975, "C", "Nora Lind")),
            source("3.txt", review("Eighties Gem", 1984, "A+", "Nora Lind")),
            source("4.txt", review("Nearly", 1979, "B+", "Nora Lind")),
        ],
    )
    .await;
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
    assert_eq!(
        pick(Grade::AMinus, Decade::of(1970).ok()).await,
        vec!["Seventies Gem"]
    );
    assert_eq!(
        pick(Grade::AMinus, Decade::of(1983).ok()).await,
        vec!["Eighties Gem"]
    );
    assert_eq!(
        pick(Grade::BPlus, Decade::of(1970).ok()).await,
        vec!["Nearly", "Seventies Gem"]
    );
    assert!(pick(Grade::APlus, Decade::of(1970).ok()).await.is_empty());
    assert_eq!(pick(Grade::F, None).await.len(), 4);
}

#[sqlx::test]
async fn new_reviews_queue_announcements_for_matching_channels_only(pool: SqlitePool) {
    let store = Store::from_pool(pool.clone()).await.unwrap();
    // A review from before anyone subscribed is never announced (no back catalogue).
    import(
        &store,
        vec![source("old.txt", review("Old One", 1990, "A", "Nora Lind"))],
    )
    .await;
    use marquee::store::Subscribed;
    assert_eq!(
        store.subscribe(1, 100, Grade::F, 7, false).await.unwrap(),
        Subscribed::New
    );
    assert_eq!(
        store
            .subscribe(1, 200, Grade::BPlus, 7, false)
            .await
            .unwrap(),
        Subscribed::New
    );
    assert_eq!(
        store.subscribe(2, 300, Grade::A, 7, false).await.unwrap(),
        Subscribed::New
    );
    assert_eq!(
        store
            .subscribe(2, 300, Grade::AMinus, 7, false)
            .await
            .unwrap(),
        Subscribed::Changed
    );
    import(
        &store,
        vec![
            source("a.txt", review("Great", 2020, "A-", "Nora Lind")),
            source("b.txt", review("Fine", 2020, "B", "Nora Lind")),
        ],
    )
    .await;
    let mut queued: Vec<(String, i64)> = sqlx::query_as(
        "SELECT r.title, d.channel_id FROM deliveries d JOIN reviews r ON r.id = d.review_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    queued.sort();
    assert_eq!(
        queued,
        vec![
            ("Fine".into(), 100),
            ("Great".into(), 100),
            ("Great".into(), 200),
            ("Great".into(), 300),
        ]
    );
    // Re-importing or updating a review queues nothing more.
    import(
        &store,
        vec![source("b.txt", review("Fine", 2020, "A+", "Nora Lind"))],
    )
    .await;
    assert_eq!(count(&pool, "deliveries").await, 4);
    // One due per channel: a channel's second waits for its first.
    let due = store.due_deliveries(chrono::Utc::now(), 10).await.unwrap();
    let mut channels: Vec<u64> = due.iter().map(|d| d.channel_id).collect();
    channels.sort();
    assert_eq!(channels, [100, 200, 300]);
    let nonces: Vec<String> = sqlx::query_scalar("SELECT nonce FROM deliveries")
        .fetch_all(&pool)
        .await
        .unwrap();
    let nonces: std::collections::BTreeSet<_> = nonces.into_iter().collect();
    assert_eq!(nonces.len(), 4, "nonces are unique");
    assert!(
        nonces.iter().all(|n| n.len() <= 25),
        "Discord caps nonces at 25 characters"
    );
}

#[sqlx::test]
async fn a_claimed_delivery_is_left_to_its_owner_until_the_lease_ends(pool: SqlitePool) {
    let store = Store::from_pool(pool.clone()).await.unwrap();
    for channel in [100, 200, 300] {
        store
            .subscribe(1, channel, Grade::F, 7, false)
            .await
            .unwrap();
    }
    import(
        &store,
        vec![
            source("a.txt", review("One", 2020, "B", "Nora Lind")),
            source("b.txt", review("Two", 2021, "B", "Nora Lind")),
        ],
    )
    .await;
    let now = chrono::Utc::now();
    let lease = std::time::Duration::from_secs(30);
    // Two processes ask at once: each channel's head goes to one of them.
    let a = store
        .claim_due_deliveries("a", now, lease, 2)
        .await
        .unwrap();
    let b = store
        .claim_due_deliveries("b", now, lease, 10)
        .await
        .unwrap();
    assert_eq!(a.len(), 2);
    assert_eq!(b.len(), 1, "only the third channel's head is left");
    let mut channels: Vec<u64> = a.iter().chain(&b).map(|d| d.channel_id).collect();
    channels.sort();
    assert_eq!(channels, [100, 200, 300], "no channel twice, none left out");
    assert!(a.windows(2).all(|w| w[0].id < w[1].id), "oldest first");
    // Its owner may ask again (it filters what it has in flight); nobody else gets them.
    assert_eq!(
        store
            .claim_due_deliveries("a", now, lease, 10)
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(store
        .claim_due_deliveries("c", now, lease, 10)
        .await
        .unwrap()
        .is_empty());
    // For the others, the held ones are due when the lease ends: no busy loop meanwhile.
    let next = store.next_delivery_at("c").await.unwrap().unwrap();
    assert!(
        next > now + chrono::Duration::seconds(29),
        "{next} vs {now}"
    );
    assert!(store.next_delivery_at("a").await.unwrap().unwrap() <= now);

    // `a` sends one and dies holding the other: its channel's second waits behind it, and
    // after the lease another process takes the one `a` held.
    let (sent, held) = (&a[0], &a[1]);
    store.delivery_sent(sent.id, Some(1)).await.unwrap();
    let after_send = store
        .claim_due_deliveries("c", now, lease, 10)
        .await
        .unwrap();
    assert_eq!(
        after_send.iter().map(|d| d.channel_id).collect::<Vec<_>>(),
        vec![sent.channel_id],
        "the sent one's channel moves on to its next; the held one stays held"
    );
    let later = now + chrono::Duration::seconds(31);
    let taken = store
        .claim_due_deliveries("c", later, lease, 10)
        .await
        .unwrap();
    assert!(
        taken.iter().any(|d| d.id == held.id),
        "taken over after the lease"
    );
    assert_eq!(
        taken.iter().find(|d| d.id == held.id).map(|d| &d.nonce),
        Some(&held.nonce),
        "with the same nonce, so Discord posts it once"
    );
}

#[sqlx::test]
async fn the_outbox_records_sends_retries_and_refusals(pool: SqlitePool) {
    let store = Store::from_pool(pool.clone()).await.unwrap();
    store.subscribe(1, 100, Grade::F, 7, false).await.unwrap();
    store.subscribe(1, 200, Grade::F, 7, false).await.unwrap();
    import(
        &store,
        vec![
            source("a.txt", review("One", 2020, "B", "Nora Lind")),
            source("b.txt", review("Two", 2021, "B", "Nora Lind")),
        ],
    )
    .await;
    let now = chrono::Utc::now();
    // Each channel's oldest first; its second waits until the first is sent.
    let due = store.due_deliveries(now, 10).await.unwrap();
    assert_eq!(due.len(), 2);
    let first_100 = due.iter().find(|d| d.channel_id == 100).unwrap().clone();
    let to_200 = due.iter().find(|d| d.channel_id == 200).unwrap().clone();
    store.delivery_sent(first_100.id, Some(555)).await.unwrap();
    let next = store.due_deliveries(now, 10).await.unwrap();
    let second_100 = next.iter().find(|d| d.channel_id == 100).unwrap().clone();
    assert!(
        second_100.id > first_100.id,
        "in the order they were queued"
    );
    assert_eq!(
        next.iter().filter(|d| d.channel_id == 200).count(),
        1,
        "channel 200 still has only its first"
    );
    let to_100 = [first_100, second_100];
    store
        .delivery_retry(
            to_100[1].id,
            now + chrono::Duration::seconds(60),
            "429",
            false,
        )
        .await
        .unwrap();
    // While the head waits, nothing behind it in that channel is due.
    assert_eq!(
        store.next_delivery_at("me").await.unwrap().map(|t| t > now),
        Some(false),
        "channel 200 is still due"
    );
    let to_200 = &to_200;
    store
        .disable_subscription(to_200.subscription_id, "Discord answered 403 Forbidden")
        .await
        .unwrap();
    // Nothing is due now: one sent, one waiting, the 200 channel's dropped.
    assert!(store.due_deliveries(now, 10).await.unwrap().is_empty());
    let later = store
        .due_deliveries(now + chrono::Duration::seconds(61), 10)
        .await
        .unwrap();
    assert_eq!(
        later.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![to_100[1].id]
    );
    assert_eq!(later[0].attempts, 0, "a 429 is not a failed attempt");
    let subs = store.subscriptions(1).await.unwrap();
    let disabled = subs.iter().find(|s| s.channel_id == 200).unwrap();
    assert_eq!(
        disabled.disabled_reason.as_deref(),
        Some("Discord answered 403 Forbidden")
    );
    // A disabled channel gets no new announcements until it subscribes again.
    import(
        &store,
        vec![source("c.txt", review("Three", 2022, "B", "Nora Lind"))],
    )
    .await;
    let new: Vec<i64> = sqlx::query_scalar(
        "SELECT channel_id FROM deliveries WHERE review_id = (SELECT id FROM reviews WHERE title = 'Three')",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(new, vec![100]);
    assert!(store.unsubscribe(1, 100).await.unwrap());
    assert!(!store.unsubscribe(1, 100).await.unwrap());
}

#[sqlx::test]
async fn the_outbox_prunes_finished_deliveries_after_the_retention(pool: SqlitePool) {
    let store = Store::from_pool(pool.clone()).await.unwrap();
    for channel in [100, 200, 300, 400] {
        store
            .subscribe(1, channel, Grade::F, 7, false)
            .await
            .unwrap();
    }
    import(
        &store,
        vec![source("a.txt", review("One", 2020, "B", "Nora Lind"))],
    )
    .await;
    let now = chrono::Utc::now();
    let due = store.due_deliveries(now, 10).await.unwrap();
    let id = |channel: u64| due.iter().find(|d| d.channel_id == channel).unwrap().id;
    // 100: sent long ago; 200: dropped long ago; 300: sent just now; 400: pending, long due.
    store.delivery_sent(id(100), Some(1)).await.unwrap();
    store
        .delivery_dropped(id(200), "400 Bad Request")
        .await
        .unwrap();
    store.delivery_sent(id(300), Some(2)).await.unwrap();
    let old = "2000-01-01T00:00:00.000Z";
    for channel in [100, 200, 400] {
        sqlx::query("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?")
            .bind(old)
            .bind(id(channel))
            .execute(&pool)
            .await
            .unwrap();
    }
    let pruned = store
        .prune_deliveries(now - chrono::Duration::days(30))
        .await
        .unwrap();
    assert_eq!(pruned, 2);
    let left: Vec<(i64, String)> =
        sqlx::query_as("SELECT channel_id, status FROM deliveries ORDER BY channel_id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        left,
        vec![(300, "sent".to_owned()), (400, "pending".to_owned())]
    );
    // The pending one is still delivered.
    let due = store.due_deliveries(now, 10).await.unwrap();
    assert_eq!(
        due.iter().map(|d| d.channel_id).collect::<Vec<_>>(),
        vec![400]
    );
}

/// `serve` runs `keep_fresh` as its own task: an import by another process reaches both
/// indexes without a restart and without the announcer (which is not running here).
#[sqlx::test]
async fn the_archive_rebuilds_its_indexes_when_another_process_imports(pool: SqlitePool) {
    use marquee::archive::{Archive, Origin};
    use marquee::search::people::RoleFilter;
    use std::sync::Arc;
    use std::time::Duration;

    let store = Store::from_pool(pool.clone()).await.unwrap();
    import(
        &store,
        vec![source(
            "a.txt",
            review("The Long Walk", 2019, "B", "Nora Lind"),
        )],
    )
    .await;
    let archive = Arc::new(Archive::new(store, Origin::Database).await.unwrap());
    let before = archive.index().await.unwrap();
    assert_eq!(before.len(), 1);
    archive.people().await.unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(
        archive
            .clone()
            .keep_fresh(Duration::from_millis(20), stopped),
    );

    let other = Store::from_pool(pool.clone()).await.unwrap();
    import(
        &other,
        vec![source(
            "b.txt",
            review("Short Days", 2001, "A-", "Ed Marsh"),
        )],
    )
    .await;
    // No signal crosses processes: poll, with a deadline far above the 20 ms tick. The
    // people index is swapped after the title index, so wait for both.
    let marsh = || async {
        let people = archive.people().await.unwrap();
        people
            .search("ed marsh", RoleFilter::Director, 3)
            .best
            .map(|b| b.name)
    };
    let rebuilt = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let now = archive.index().await.unwrap();
            if now.len() == 2 && marsh().await.is_some() {
                return now;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the indexes were not rebuilt within 30 s");
    assert_eq!(before.len(), 1, "the old index is swapped, not changed");
    let found = rebuilt.search("short days", None, 3);
    assert_eq!(found.best.map(|b| b.title), Some("Short Days".to_owned()));
    assert_eq!(marsh().await, Some("Ed Marsh".to_owned()));

    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("keep_fresh ends when told to")
        .unwrap();
}

/// An import of more files than one transaction takes: the pipeline parses them in batches
/// while the writer stores several batches per transaction. Nothing may be lost, reordered or
/// counted twice across those seams, and a person met in one transaction is the same person
/// in the next.
#[sqlx::test]
async fn a_large_import_stores_every_file_across_batches_and_transactions(pool: SqlitePool) {
    use marquee::import::{BATCH, FILES_PER_TRANSACTION};
    let store = Store::from_pool(pool.clone()).await.unwrap();
    let films = FILES_PER_TRANSACTION + BATCH + 7;
    let mut files: Vec<Source> = (0..films)
        .map(|i| {
            let year = 1930 + (i % 90) as i32;
            let director = format!("Director {}", i % 37);
            source(
                &format!("{i:05}.txt"),
                review(&format!("Film Number {i}"), year, "B", &director),
            )
        })
        .collect();
    // A broken file in the middle of a batch, and a second take of the first film after the
    // first transaction's end: it must update the review the first transaction added.
    files.insert(BATCH + 3, source("broken.txt", b"no layout here".to_vec()));
    files.push(source(
        "again.txt",
        review("Film Number 0", 1930, "A", "Director 0"),
    ));
    let names: Vec<String> = files
        .iter()
        .map(|s| match s {
            Source::Bytes { name, .. } => name.clone(),
            _ => unreachable!(),
        })
        .collect();

    let mut seen = Vec::new();
    let report = import_sources(&store, files, |o| seen.push(o.path.clone()))
        .await
        .unwrap();

    assert_eq!(seen, names, "every file is reported once, in order");
    assert_eq!(
        (
            report.counts.added,
            report.counts.updated,
            report.counts.failed
        ),
        (films as u64, 1, 1)
    );
    assert_eq!(report.failed[0].path, "broken.txt");
    assert_eq!(report.added_ids.len(), films);
    assert_eq!(count(&pool, "reviews").await, films as i64);
    assert_eq!(count(&pool, "import_files").await, names.len() as i64);
    // 37 directors plus the four people every review credits (writer, two actors, producer).
    assert_eq!(count(&pool, "people").await, 37 + 4);
    let grade: String =
        sqlx::query_scalar("SELECT grade FROM reviews WHERE title = 'Film Number 0'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(grade, "A");
    let logged: (i64, i64, i64) =
        sqlx::query_as("SELECT added, updated, failed FROM imports ORDER BY id DESC LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(logged, (films as i64, 1, 1));
}

/// The archive's version moves on with every change the title index is made of, and with
/// nothing else: a reimport of the same files leaves it (and a saved index) current.
#[sqlx::test]
async fn the_archive_version_moves_on_with_titles_and_grades(pool: SqlitePool) {
    let store = Store::from_pool(pool.clone()).await.unwrap();
    let start = store.archive_version().await.unwrap();
    let walk = |grade: &str| {
        vec![source(
            "a.txt",
            review("The Long Walk", 2019, grade, "Nora Lind"),
        )]
    };
    import(&store, walk("B")).await;
    let added = store.archive_version().await.unwrap();
    assert!(added > start, "adding a review moves the version on");
    import(&store, walk("B")).await;
    assert_eq!(
        store.archive_version().await.unwrap(),
        added,
        "an unchanged file does not"
    );
    import(&store, walk("A")).await;
    let regraded = store.archive_version().await.unwrap();
    assert!(regraded > added, "a new grade does");
    sqlx::query(
        "INSERT INTO alt_titles (review_id, title) SELECT id, 'Der lange Weg' FROM reviews",
    )
    .execute(&pool)
    .await
    .unwrap();
    assert!(
        store.archive_version().await.unwrap() > regraded,
        "a new other title does"
    );
}

/// A one-shot process decodes the title index the last one saved, while it is current; once
/// the archive changes, the saved index is stale and a new one is built (and saved).
#[sqlx::test]
async fn the_title_index_is_saved_and_used_only_while_current(pool: SqlitePool) {
    use marquee::archive::{Archive, Origin};
    use marquee::search::TitleIndex;

    let store = Store::from_pool(pool.clone()).await.unwrap();
    let films = vec![
        source("a.txt", review("The Long Walk", 2019, "B", "Nora Lind")),
        source("b.txt", review("Short Days", 2001, "A-", "Ed Marsh")),
    ];
    import(&store, films).await;
    assert!(store
        .current_index("titles", TitleIndex::FORMAT)
        .await
        .unwrap()
        .is_none());

    let first = Archive::new(store.clone(), Origin::Database).await.unwrap();
    let built = first.index().await.unwrap();
    let saved = store
        .current_index("titles", TitleIndex::FORMAT)
        .await
        .unwrap()
        .expect("the first process saves the index it built");
    // Another build's index is not this build's.
    assert!(store
        .current_index("titles", "another build")
        .await
        .unwrap()
        .is_none());

    // The next process decodes exactly what was built: same answers, same candidates.
    let decoded = TitleIndex::from_bytes(&saved).unwrap();
    for query in ["long walk", "shrot days", "the", "days 2001"] {
        assert_eq!(
            decoded.search(query, None, 5),
            built.search(query, None, 5),
            "{query}"
        );
        assert_eq!(
            decoded.autocomplete(query, 5),
            built.autocomplete(query, 5),
            "{query}"
        );
    }
    let second = Archive::new(store.clone(), Origin::Database).await.unwrap();
    assert_eq!(second.index().await.unwrap().len(), 2);

    // A third film makes the saved index stale: the next process must find the new film.
    import(
        &store,
        vec![source(
            "c.txt",
            review("Night Train", 1999, "C", "Ida Finn"),
        )],
    )
    .await;
    assert!(store
        .current_index("titles", TitleIndex::FORMAT)
        .await
        .unwrap()
        .is_none());
    let third = Archive::new(store.clone(), Origin::Database).await.unwrap();
    let fresh = third.index().await.unwrap();
    assert_eq!(fresh.len(), 3);
    assert_eq!(
        fresh.search("night train", None, 1).best.map(|c| c.title),
        Some("Night Train".to_string())
    );
    assert!(store
        .current_index("titles", TitleIndex::FORMAT)
        .await
        .unwrap()
        .is_some());
}

/// A saved index that cannot be decoded (a damaged row) is rebuilt, not trusted.
#[sqlx::test]
async fn a_damaged_saved_index_is_rebuilt(pool: SqlitePool) {
    use marquee::archive::{Archive, Origin};
    use marquee::search::TitleIndex;

    let store = Store::from_pool(pool.clone()).await.unwrap();
    import(
        &store,
        vec![source(
            "a.txt",
            review("The Long Walk", 2019, "B", "Nora Lind"),
        )],
    )
    .await;
    let version = store.archive_version().await.unwrap();
    store
        .save_index(
            "titles",
            TitleIndex::FORMAT,
            version,
            b"\xff\xff\xff not an index",
        )
        .await
        .unwrap();
    let archive = Archive::new(store.clone(), Origin::Database).await.unwrap();
    let index = archive.index().await.unwrap();
    assert_eq!(
        index.search("long walk", None, 1).best.map(|c| c.title),
        Some("The Long Walk".to_string())
    );
    let saved = store
        .current_index("titles", TitleIndex::FORMAT)
        .await
        .unwrap()
        .unwrap();
    assert!(
        TitleIndex::from_bytes(&saved).is_ok(),
        "the rebuilt index replaced the damaged one"
    );
}

/// `serve` rebuilds its indexes when the fingerprint changes: it must change when another
/// import edits only a review's credits (the people index), not just its title or grade,
/// and stay put when an import changes nothing.
#[sqlx::test]
async fn the_fingerprint_changes_with_every_stored_edit(pool: SqlitePool) {
    let store = Store::from_pool(pool.clone()).await.unwrap();
    let walk = |director: &str| {
        vec![source(
            "a.txt",
            review("The Long Walk", 2019, "B", director),
        )]
    };
    import(&store, walk("Nora Lind")).await;
    let first = store.fingerprint().await.unwrap();
    import(&store, walk("Nora Lind")).await;
    assert_eq!(store.fingerprint().await.unwrap(), first, "nothing changed");
    let report = import(&store, walk("Ed Marsh")).await;
    assert_eq!(report.counts.updated, 1);
    assert_ne!(
        store.fingerprint().await.unwrap(),
        first,
        "a new director is a change"
    );
}

/// The import turns foreign-key checks off for its own transaction only: every connection
/// of the pool has them back afterwards, so a stray write elsewhere is still refused.
#[tokio::test]
async fn foreign_keys_are_on_again_on_every_connection_after_an_import() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("fk.db").display());
    let store = Store::open(&url, true).await.unwrap();
    let files = (0..1200)
        .map(|i| {
            source(
                &format!("r{i}.txt"),
                review(&format!("Film Number {i}"), 1990, "B", "Nora Lind"),
            )
        })
        .collect();
    let report = import(&store, files).await;
    assert_eq!(report.counts.added, 1200);
    let pool = store.pool().unwrap();
    let mut held = Vec::new();
    for _ in 0..pool.size() {
        held.push(pool.acquire().await.unwrap());
    }
    assert!(!held.is_empty());
    for conn in &mut held {
        let on: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut **conn)
            .await
            .unwrap();
        assert_eq!(on, 1);
        let stray = sqlx::query(
            "INSERT INTO credits (review_id, role, position, person_id) VALUES (999999, 'cast', 0, 1)",
        )
        .execute(&mut **conn)
        .await;
        assert!(stray.is_err(), "a credit of no review was stored");
    }
}

/// Retiring a file's review takes everything that hangs off it: credits, unsent
/// announcements, the full-text entry; the other film and the people stay.
#[sqlx::test]
async fn removing_a_file_s_review_takes_its_credits_announcements_and_text(pool: SqlitePool) {
    let store = Store::from_pool(pool.clone()).await.unwrap();
    store.subscribe(1, 10, Grade::F, 7, false).await.unwrap();
    import(
        &store,
        vec![
            source("a.txt", review("The Long Walk", 2019, "B", "Nora Lind")),
            source("b.txt", review("Short Days", 2001, "A-", "Ed Marsh")),
        ],
    )
    .await;
    assert_eq!(count(&pool, "deliveries").await, 2);
    let credits_before = count(&pool, "credits").await;
    let version_before = store.archive_version().await.unwrap();

    let gone = store.remove_imported_from("a.txt").await.unwrap();
    assert_eq!(gone, vec![("The Long Walk".to_owned(), Some(2019))]);
    assert_eq!(count(&pool, "reviews").await, 1);
    assert_eq!(count(&pool, "deliveries").await, 1);
    assert!(count(&pool, "credits").await < credits_before);
    assert!(count(&pool, "credits").await > 0);
    let walk: i64 =
        sqlx::query_scalar("SELECT count(*) FROM reviews_fts WHERE reviews_fts MATCH 'walk'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(walk, 0, "the full-text index forgot it");
    assert!(store.archive_version().await.unwrap() > version_before);
    assert!(store
        .remove_imported_from("a.txt")
        .await
        .unwrap()
        .is_empty());
}

/// A film imported again with another grade is a regrade: queued for the channels that asked
/// for regrades (and whose floor the new grade meets), once per change of grade.
#[sqlx::test]
async fn a_regrade_is_queued_for_channels_that_asked_once_per_change(pool: SqlitePool) {
    let store = Store::from_pool(pool.clone()).await.unwrap();
    store.subscribe(1, 100, Grade::F, 7, true).await.unwrap();
    store.subscribe(1, 200, Grade::F, 7, false).await.unwrap();
    store.subscribe(1, 300, Grade::A, 7, true).await.unwrap();
    let regrades = |pool: SqlitePool| async move {
        sqlx::query_as::<_, (i64, String, String, String)>(
            "SELECT channel_id, regraded_from, regraded_to, nonce FROM deliveries
             WHERE regraded_from IS NOT NULL ORDER BY id",
        )
        .fetch_all(&pool)
        .await
        .unwrap()
    };
    let walk = |grade: &str| {
        source(
            "walk.txt",
            review("The Long Walk", 2019, grade, "Nora Lind"),
        )
    };
    import(&store, vec![walk("B")]).await;
    assert!(
        regrades(pool.clone()).await.is_empty(),
        "a new film is not a regrade"
    );
    let new_ones = count(&pool, "deliveries").await;

    import(&store, vec![walk("A-")]).await;
    let after = regrades(pool.clone()).await;
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(
        (after[0].0, after[0].1.as_str(), after[0].2.as_str()),
        (100, "B", "A-")
    );

    // The same file again changes nothing; another grade is another regrade.
    import(&store, vec![walk("A-")]).await;
    assert_eq!(regrades(pool.clone()).await.len(), 1);
    import(&store, vec![walk("A")]).await;
    let after = regrades(pool.clone()).await;
    let got: Vec<(i64, &str, &str)> = after
        .iter()
        .map(|r| (r.0, r.1.as_str(), r.2.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![(100, "B", "A-"), (100, "A-", "A"), (300, "A-", "A")]
    );
    assert_ne!(after[0].3, after[1].3, "each regrade has its own nonce");
    assert!(
        after.iter().all(|r| r.3.len() <= 25),
        "Discord takes nonces of 25 at most"
    );
    // An edit that keeps the grade is no regrade.
    import(
        &store,
        vec![source("walk.txt", {
            let mut text = review("The Long Walk", 2019, "A", "Nora Lind");
            text.extend_from_slice(b"\n");
            text
        })],
    )
    .await;
    assert_eq!(regrades(pool.clone()).await.len(), 3);
    assert_eq!(count(&pool, "deliveries").await, new_ones + 3);
}

/// Identity follows the file: a file imported before whose title (or year) was corrected
/// updates its own review, which keeps its id, its announcements and no double.
#[sqlx::test]
async fn a_corrected_title_or_year_updates_the_file_s_review_in_place(pool: SqlitePool) {
    let store = Store::from_pool(pool.clone()).await.unwrap();
    store.subscribe(1, 100, Grade::F, 7, true).await.unwrap();
    import(
        &store,
        vec![source(
            "walk.txt",
            review("The Lnog Wlak", 2019, "B", "Nora Lind"),
        )],
    )
    .await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM reviews")
        .fetch_one(&pool)
        .await
        .unwrap();
    let credits = count(&pool, "credits").await;

    let report = import(
        &store,
        vec![source(
            "walk.txt",
            review("The Long Walk", 2019, "B", "Nora Lind"),
        )],
    )
    .await;
    assert_eq!((report.counts.added, report.counts.updated), (0, 1));
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let rows: Vec<(i64, String, Option<i32>, String)> =
        sqlx::query_as("SELECT id, title, year, source_path FROM reviews")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        rows,
        vec![(id, "The Long Walk".into(), Some(2019), "walk.txt".into())]
    );
    assert_eq!(count(&pool, "credits").await, credits);
    let text = |word: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM reviews_fts WHERE reviews_fts MATCH ?",
            )
            .bind(word)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(text("lnog").await, 0, "the old title is forgotten");
    assert_eq!(text("long").await, 1);

    // The year corrected, and the grade with it: still the same review, and a regrade.
    let report = import(
        &store,
        vec![source(
            "walk.txt",
            review("The Long Walk", 2018, "A", "Nora Lind"),
        )],
    )
    .await;
    assert_eq!(report.counts.updated, 1);
    let rows: Vec<(i64, Option<i32>, String)> =
        sqlx::query_as("SELECT id, year, grade FROM reviews")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(rows, vec![(id, Some(2018), "A".into())]);
    // One announcement as new (when it was added) and one regrade, both of this review.
    let deliveries: Vec<(i64, Option<String>)> =
        sqlx::query_as("SELECT review_id, regraded_to FROM deliveries ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(deliveries, vec![(id, None), (id, Some("A".into()))]);
}

/// A corrected identity that is another file's film is refused with both files named, and
/// neither review changes; once the other file is retired, the correction goes through.
#[sqlx::test]
async fn a_correction_onto_another_file_s_film_fails_naming_both_files(pool: SqlitePool) {
    let store = Store::from_pool(pool.clone()).await.unwrap();
    import(
        &store,
        vec![
            source("a.txt", review("Short Days", 2001, "A-", "Ed Marsh")),
            source("b.txt", review("The Long Walk", 2019, "B", "Nora Lind")),
        ],
    )
    .await;
    let before: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, title, raw_text FROM reviews ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();

    let edited = || source("a.txt", review("The Long Walk", 2019, "C", "Ed Marsh"));
    let report = import(&store, vec![edited()]).await;
    assert_eq!(report.counts.failed, 1);
    let failure = &report.failed[0];
    assert_eq!(failure.path, "a.txt");
    assert!(failure.error.contains("b.txt"), "{}", failure.error);
    assert!(
        failure.error.contains("“The Long Walk” (2019)"),
        "{}",
        failure.error
    );
    assert!(
        failure.error.contains("“Short Days” (2001)"),
        "{}",
        failure.error
    );
    let after: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, title, raw_text FROM reviews ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(after, before, "neither review changed");

    store.remove_imported_from("b.txt").await.unwrap();
    let report = import(&store, vec![edited()]).await;
    assert_eq!(report.counts.updated, 1, "{:?}", report.failed);
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, title, source_path FROM reviews")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        rows,
        vec![(before[0].0, "The Long Walk".into(), "a.txt".into())]
    );
}

/// In one import, a title freed by one file's correction may be taken by another file (a new
/// film, or another correction): the renames run in an order that frees each title first.
#[sqlx::test]
async fn corrections_in_one_import_free_titles_for_each_other(pool: SqlitePool) {
    let store = Store::from_pool(pool.clone()).await.unwrap();
    import(
        &store,
        vec![
            source("a.txt", review("Alpha", 2000, "B", "Nora Lind")),
            source("b.txt", review("Beta", 2000, "B", "Nora Lind")),
        ],
    )
    .await;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM reviews ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    // b.txt: Beta → Gamma; a.txt: Alpha → Beta (after b's moved away); c.txt: a new Alpha.
    let report = import(
        &store,
        vec![
            source("a.txt", review("Beta", 2000, "B", "Nora Lind")),
            source("b.txt", review("Gamma", 2000, "B", "Nora Lind")),
            source("c.txt", review("Alpha", 2000, "B", "Nora Lind")),
        ],
    )
    .await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!((report.counts.added, report.counts.updated), (1, 2));
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, title, source_path FROM reviews ORDER BY source_path")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(rows[0], (ids[0], "Beta".into(), "a.txt".into()));
    assert_eq!(rows[1], (ids[1], "Gamma".into(), "b.txt".into()));
    assert_eq!((rows[2].1.as_str(), rows[2].2.as_str()), ("Alpha", "c.txt"));
    assert!(!ids.contains(&rows[2].0), "Alpha is a new review");

    // Two files swapping titles cannot both go first: both are refused, nothing changes.
    let report = import(
        &store,
        vec![
            source("a.txt", review("Gamma", 2000, "B", "Nora Lind")),
            source("b.txt", review("Beta", 2000, "B", "Nora Lind")),
        ],
    )
    .await;
    assert_eq!(report.counts.failed, 2, "{:?}", report.failed);
    let titles: Vec<String> = sqlx::query_scalar("SELECT title FROM reviews ORDER BY source_path")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(titles, ["Beta", "Gamma", "Alpha"]);
}

/// A file moved or renamed keeps its film: importing it from the new path moves the
/// recorded path (even when the text is unchanged), so removing the old path retires nothing.
#[sqlx::test]
async fn a_moved_file_keeps_its_film_and_takes_its_path(pool: SqlitePool) {
    let store = Store::from_pool(pool.clone()).await.unwrap();
    let text = || review("The Long Walk", 2019, "B", "Nora Lind");
    import(&store, vec![source("old/walk.txt", text())]).await;
    let report = import(&store, vec![source("new/walk.txt", text())]).await;
    assert_eq!(report.counts.unchanged, 1);
    assert!(store
        .remove_imported_from("old/walk.txt")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(count(&pool, "reviews").await, 1);
    assert_eq!(
        store.remove_imported_from("new/walk.txt").await.unwrap(),
        vec![("The Long Walk".to_owned(), Some(2019))]
    );
}

/// A folder that went away retires the reviews of every file under it, and nothing of a
/// folder whose name merely starts the same way.
#[sqlx::test]
async fn removing_under_a_folder_takes_its_files_only(pool: SqlitePool) {
    let store = Store::from_pool(pool.clone()).await.unwrap();
    import(
        &store,
        vec![
            source("archive/70s/a.txt", review("Alpha", 1971, "B", "Nora Lind")),
            source(
                "archive/70s/deep/b.txt",
                review("Beta", 1972, "B", "Nora Lind"),
            ),
            source(
                "archive/70s0/c.txt",
                review("Gamma", 1973, "B", "Nora Lind"),
            ),
            source("archive/70s.txt", review("Delta", 1974, "B", "Nora Lind")),
        ],
    )
    .await;
    let mut gone = store.remove_imported_under("archive/70s").await.unwrap();
    gone.sort();
    let titles: Vec<&str> = gone.iter().map(|g| g.1.as_str()).collect();
    assert_eq!(titles, ["Alpha", "Beta"]);
    assert_eq!(gone[0].0, "archive/70s/a.txt");
    assert_eq!(count(&pool, "reviews").await, 2);
    let file = store
        .remove_imported_under("archive/70s.txt")
        .await
        .unwrap();
    assert_eq!(file.len(), 1);
}
