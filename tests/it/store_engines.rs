//! The store's behaviour on both engines: each check runs on a fresh SQLite database and on a
//! fresh PostgreSQL database (the latter when `MARQUEE_TEST_POSTGRES` names a server; ignored
//! otherwise, saying how to run it). Only the store's own API is used, so one check holds
//! both engines to the same answers.

use std::future::Future;
use std::time::Duration;

use chrono::Utc;
use marquee::import::{import_sources, ImportReport, Source};
use marquee::review::{Decade, Grade};
use marquee::store::Store;
use marquee_testkit::pg;

fn review(title: &str, year: i32, grade: &str, director: &str) -> Vec<u8> {
    format!(
        "(director: {director}; screenwriter: Ida Finn; cast: Ann Lee (June), Bo Park; Runtime: 99; MPAA Rating: PG; producer: Gus Rowe: Neon; {year})\n\n\
         “A steady hand on a wobbly table.”\n\nReviewed by Dennis Schwartz\n\nOne paragraph about {title}.\n\n\
         {director}'s {title}\n      where the engines agree\n\n\nREVIEWED ON 3/4/2020  GRADE: {grade}"
    )
    .into_bytes()
}

fn source(name: &str, bytes: Vec<u8>) -> Source {
    Source::Bytes {
        name: name.into(),
        bytes,
    }
}

async fn import(store: &Store, files: Vec<Source>) -> ImportReport {
    import_sources(store, files, |_| {}).await.unwrap()
}

/// Runs `check` on a fresh SQLite database.
async fn on_sqlite<F, Fut>(check: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("engines.db").display());
    let store = Store::open(&url, true).await.unwrap();
    assert!(!store.is_postgres());
    check(store.clone()).await;
    store.close().await;
}

/// Runs `check` on a fresh PostgreSQL database, then drops it.
async fn on_postgres<F, Fut>(check: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let db = pg::fresh().await;
    let store = Store::open(&db.url, true).await.unwrap();
    assert!(store.is_postgres());
    check(store.clone()).await;
    store.close().await;
    db.drop_now().await;
}

/// A check run on each engine, as two tests: `name::sqlite` and `name::postgres`.
macro_rules! on_both {
    ($name:ident, $check:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                on_sqlite($check).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(
                not(marquee_pg),
                ignore = "needs PostgreSQL: MARQUEE_TEST_POSTGRES=postgres://USER:PASS@HOST/postgres cargo test (.ci/run starts one)"
            )]
            async fn postgres() {
                on_postgres($check).await;
            }
        }
    };
}

on_both!(
    imports_read_back_and_reimports_change_nothing,
    |store: Store| async move {
        let files = || {
            vec![
                source("a.txt", review("The Long Walk", 2019, "B", "Nora Lind")),
                source("b.txt", review("Short Days", 2001, "A-", "Ed Marsh")),
            ]
        };
        let version = store.archive_version().await.unwrap();
        let first = import(&store, files()).await;
        assert_eq!((first.counts.added, first.counts.unchanged), (2, 0));
        assert_eq!(store.count_reviews().await.unwrap(), 2);
        let moved = store.archive_version().await.unwrap();
        assert!(moved > version, "adding films moves the version on");

        // A review reads back as it was parsed: text, grade, date, credits in order.
        let entries = store.index_entries().await.unwrap();
        let walk = entries.iter().find(|e| e.title == "The Long Walk").unwrap();
        assert_eq!(
            (walk.year, walk.grade),
            (Some(2019), Grade::parse("B").unwrap())
        );
        let stored = store.review(walk.id).await.unwrap().unwrap();
        let parsed = marquee::review::Review::parse_bytes_with(
            &review("The Long Walk", 2019, "B", "Nora Lind"),
            &Default::default(),
        )
        .unwrap();
        assert_eq!(stored.review, parsed);
        assert_eq!(stored.source_path.as_deref(), Some("a.txt"));
        let both = store
            .reviews(&entries.iter().map(|e| e.id).collect::<Vec<_>>())
            .await
            .unwrap();
        assert_eq!(both.len(), 2);

        let second = import(&store, files()).await;
        assert_eq!(
            (
                second.counts.added,
                second.counts.updated,
                second.counts.unchanged
            ),
            (0, 0, 2)
        );
        assert_eq!(
            store.archive_version().await.unwrap(),
            moved,
            "nothing changed"
        );
        let (_, imported) = store.ops_counts().await.unwrap();
        assert_eq!(
            imported,
            vec![
                ("added", 2),
                ("updated", 0),
                ("unchanged", 2),
                ("failed", 0)
            ]
        );
        store.ping().await.unwrap();
    }
);

on_both!(
    a_corrected_title_keeps_its_review_and_a_clash_changes_nothing,
    |store: Store| async move {
        import(
            &store,
            vec![
                source("a.txt", review("The Lnog Walk", 2019, "B", "Nora Lind")),
                source("b.txt", review("Short Days", 2001, "A-", "Ed Marsh")),
            ],
        )
        .await;
        let id_of = |entries: &[marquee::search::IndexEntry], title: &str| {
            entries.iter().find(|e| e.title == title).map(|e| e.id)
        };
        let before = store.index_entries().await.unwrap();
        let a = id_of(&before, "The Lnog Walk").unwrap();
        let fixed = import(
            &store,
            vec![source(
                "a.txt",
                review("The Long Walk", 2019, "B", "Nora Lind"),
            )],
        )
        .await;
        assert_eq!(fixed.counts.updated, 1);
        let after = store.index_entries().await.unwrap();
        assert_eq!(after.len(), 2, "no second film");
        assert_eq!(id_of(&after, "The Long Walk"), Some(a), "the same review");

        // a.txt now claims b.txt's film: a failure naming b.txt, and neither review changes.
        let clash = import(
            &store,
            vec![source(
                "a.txt",
                review("Short Days", 2001, "C", "Nora Lind"),
            )],
        )
        .await;
        assert_eq!(clash.failed.len(), 1);
        assert!(
            clash.failed[0].error.contains("b.txt"),
            "{:?}",
            clash.failed
        );
        assert_eq!(store.index_entries().await.unwrap(), after);

        // Retiring b.txt frees the film.
        let removed = store.remove_imported_from("b.txt").await.unwrap();
        assert_eq!(removed, vec![("Short Days".to_owned(), Some(2001))]);
        assert_eq!(store.count_reviews().await.unwrap(), 1);
    }
);

on_both!(
    new_reviews_and_regrades_are_queued_for_the_channels_that_asked,
    |store: Store| async move {
        store.subscribe(1, 100, Grade::F, 7, false).await.unwrap();
        store
            .subscribe(1, 200, Grade::parse("A-").unwrap(), 7, true)
            .await
            .unwrap();
        import(
            &store,
            vec![
                source("a.txt", review("Great", 2020, "A", "Nora Lind")),
                source("b.txt", review("Fine", 2020, "B", "Nora Lind")),
            ],
        )
        .await;
        let later = Utc::now() + chrono::Duration::days(1);
        let due = store.due_deliveries(later, 10).await.unwrap();
        let mut queued: Vec<u64> = due.iter().map(|d| d.channel_id).collect();
        queued.sort_unstable();
        assert_eq!(queued, [100, 200], "one due per channel, its oldest first");
        assert!(due
            .iter()
            .all(|d| d.nonce.len() <= 25 && d.regrade.is_none()));

        // Fine goes from B to A: a regrade for channel 200 only (it asked, and A meets A-).
        import(
            &store,
            vec![source("b.txt", review("Fine", 2020, "A", "Nora Lind"))],
        )
        .await;
        let mut regrades = Vec::new();
        for _ in 0..4 {
            for d in store.due_deliveries(later, 10).await.unwrap() {
                if d.regrade.is_some() {
                    regrades.push((d.channel_id, d.regrade.clone()));
                }
                store.delivery_sent(d.id, Some(2)).await.unwrap();
            }
        }
        assert_eq!(
            regrades,
            vec![(200, Some(("B".to_owned(), "A".to_owned())))]
        );
        let (by_status, _) = store.ops_counts().await.unwrap();
        assert!(
            by_status.contains(&("pending".to_owned(), 0)),
            "{by_status:?}"
        );
        // Three new (Fine's B is under channel 200's floor) and one regrade.
        assert!(by_status.contains(&("sent".to_owned(), 4)), "{by_status:?}");

        let subs = store.subscriptions(1).await.unwrap();
        assert_eq!(subs.len(), 2);
        assert!(subs.iter().any(|s| s.channel_id == 200 && s.regrades));
        assert!(store.unsubscribe(1, 100).await.unwrap());
        assert_eq!(store.subscriptions(1).await.unwrap().len(), 1);
    }
);

on_both!(claims_are_exclusive_and_expire, |store: Store| async move {
    for channel in 0..30u64 {
        store
            .subscribe(1, 1000 + channel, Grade::F, 7, false)
            .await
            .unwrap();
    }
    import(
        &store,
        vec![source("a.txt", review("Crowded", 2021, "B", "Nora Lind"))],
    )
    .await;
    let now = Utc::now() + chrono::Duration::seconds(1);
    let lease = Duration::from_secs(30);
    // Three owners claim at once, each in batches of four, on their own connections.
    let claims = (0..3).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            let owner = format!("owner-{i}");
            let mut got: Vec<i64> = Vec::new();
            loop {
                let batch = store
                    .claim_due_deliveries(&owner, now, lease, 4)
                    .await
                    .unwrap();
                if batch.is_empty() {
                    break got;
                }
                // Each is sent, as the announcer would, before the next batch.
                for d in batch {
                    store.delivery_sent(d.id, Some(1)).await.unwrap();
                    got.push(d.id);
                }
            }
        })
    });
    let mut all = Vec::new();
    let mut total = 0;
    for claim in claims {
        let got = claim.await.unwrap();
        total += got.len();
        all.extend(got);
    }
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 30, "every delivery claimed");
    assert_eq!(total, 30, "none claimed by two owners");
    // Sent ones are nobody's to claim again.
    assert!(store
        .claim_due_deliveries("late", now, lease, 100)
        .await
        .unwrap()
        .is_empty());
});

on_both!(
    a_held_claim_is_taken_over_when_its_lease_ends,
    |store: Store| async move {
        for channel in 0..5u64 {
            store
                .subscribe(1, 1000 + channel, Grade::F, 7, false)
                .await
                .unwrap();
        }
        import(
            &store,
            vec![source("a.txt", review("Held", 2021, "B", "Nora Lind"))],
        )
        .await;
        let now = Utc::now() + chrono::Duration::seconds(1);
        let lease = Duration::from_secs(30);
        let held = store
            .claim_due_deliveries("gone", now, lease, 100)
            .await
            .unwrap();
        assert_eq!(held.len(), 5);
        assert!(store
            .claim_due_deliveries("late", now, lease, 100)
            .await
            .unwrap()
            .is_empty());
        // The next due time others see is the lease's end, not now.
        let next = store.next_delivery_at("late").await.unwrap().unwrap();
        assert!(next > now + chrono::Duration::seconds(29));
        let after = now + chrono::Duration::seconds(31);
        let taken = store
            .claim_due_deliveries("late", after, lease, 100)
            .await
            .unwrap();
        assert_eq!(
            taken.iter().map(|d| &d.nonce).collect::<Vec<_>>(),
            held.iter().map(|d| &d.nonce).collect::<Vec<_>>(),
            "the same deliveries, under the same nonces"
        );
    }
);

on_both!(
    outcomes_release_claims_and_shape_what_is_due,
    |store: Store| async move {
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
        let now = Utc::now() + chrono::Duration::seconds(1);
        let lease = Duration::from_secs(30);
        let due = store
            .claim_due_deliveries("me", now, lease, 10)
            .await
            .unwrap();
        assert_eq!(due.len(), 2);
        let to_100 = due.iter().find(|d| d.channel_id == 100).unwrap().clone();
        let to_200 = due.iter().find(|d| d.channel_id == 200).unwrap().clone();
        // A retry frees the delivery for anyone, at its new time.
        store
            .delivery_retry(to_100.id, now + chrono::Duration::seconds(60), "429", false)
            .await
            .unwrap();
        assert!(store
            .claim_due_deliveries("other", now, lease, 10)
            .await
            .unwrap()
            .iter()
            .all(|d| d.channel_id != 100));
        let retried = store
            .claim_due_deliveries("other", now + chrono::Duration::seconds(61), lease, 10)
            .await
            .unwrap();
        assert!(retried.iter().any(|d| d.id == to_100.id && d.attempts == 0));
        // A refused channel: its subscription is disabled and its pending ones dropped.
        store
            .disable_subscription(to_200.subscription_id, "Discord answered 403")
            .await
            .unwrap();
        let subs = store.subscriptions(1).await.unwrap();
        assert_eq!(
            subs.iter()
                .find(|s| s.channel_id == 200)
                .and_then(|s| s.disabled_reason.clone())
                .as_deref(),
            Some("Discord answered 403")
        );
        let (by_status, _) = store.ops_counts().await.unwrap();
        assert!(
            by_status.contains(&("dropped".to_owned(), 2)),
            "{by_status:?}"
        );
        // Holding every pending one (a global 429), then making them due at once.
        let held = now + chrono::Duration::seconds(600);
        store.delay_pending(held).await.unwrap();
        assert!(store
            .due_deliveries(held - chrono::Duration::seconds(1), 10)
            .await
            .unwrap()
            .is_empty());
        assert!(store.retry_pending_now(now).await.unwrap() >= 1);
        assert!(!store.due_deliveries(now, 10).await.unwrap().is_empty());
        // Pruning takes what is finished, never what is pending.
        assert_eq!(
            store.prune_deliveries(held).await.unwrap(),
            2,
            "the dropped ones"
        );
        assert!(!store.due_deliveries(now, 10).await.unwrap().is_empty());
    }
);

on_both!(
    a_saved_index_is_used_only_while_current,
    |store: Store| async move {
        import(
            &store,
            vec![source("a.txt", review("Indexed", 2020, "B", "Nora Lind"))],
        )
        .await;
        let (version, entries) = store.versioned_index_entries().await.unwrap();
        assert_eq!(entries.len(), 1);
        store
            .save_index("titles", "fmt-1", version, b"\x00\x01saved")
            .await
            .unwrap();
        assert_eq!(
            store
                .current_index("titles", "fmt-1")
                .await
                .unwrap()
                .as_deref(),
            Some(&b"\x00\x01saved"[..])
        );
        assert!(store.has_current_index("titles", "fmt-1").await.unwrap());
        assert!(!store.has_current_index("titles", "fmt-2").await.unwrap());
        // An older build's save does not replace a newer one.
        store
            .save_index("titles", "fmt-1", version - 1, b"old")
            .await
            .unwrap();
        assert_eq!(
            store
                .current_index("titles", "fmt-1")
                .await
                .unwrap()
                .as_deref(),
            Some(&b"\x00\x01saved"[..])
        );
        import(
            &store,
            vec![source("b.txt", review("Newer", 2021, "A", "Nora Lind"))],
        )
        .await;
        assert!(store
            .current_index("titles", "fmt-1")
            .await
            .unwrap()
            .is_none());
        let (fingerprint_version, imported) = store.fingerprint().await.unwrap();
        assert_eq!(fingerprint_version, store.archive_version().await.unwrap());
        assert_eq!(imported, 2);
    }
);

on_both!(
    removing_a_folder_retires_its_reviews_and_their_announcements,
    |store: Store| async move {
        store.subscribe(1, 100, Grade::F, 7, false).await.unwrap();
        let sep = std::path::MAIN_SEPARATOR;
        import(
            &store,
            vec![
                source(
                    &format!("70s{sep}a.txt"),
                    review("Seventies", 1975, "B", "Nora Lind"),
                ),
                source(
                    &format!("70s0{sep}b.txt"),
                    review("Beside", 1976, "B", "Nora Lind"),
                ),
            ],
        )
        .await;
        let removed = store.remove_imported_under("70s").await.unwrap();
        assert_eq!(removed.len(), 1, "{removed:?}");
        assert_eq!(removed[0].1, "Seventies");
        assert_eq!(store.count_reviews().await.unwrap(), 1);
        let later = Utc::now() + chrono::Duration::days(1);
        let due = store.due_deliveries(later, 10).await.unwrap();
        assert_eq!(
            due.len(),
            1,
            "the retired review's announcement went with it"
        );
        let left = store.review(due[0].review_id).await.unwrap().unwrap();
        assert_eq!(left.review.title, "Beside");
        let picked = store
            .random_review_id(marquee::store::RandomFilter {
                min_grade: Grade::F,
                decade: Decade::of(1970).ok(),
            })
            .await
            .unwrap();
        assert_eq!(picked, Some(left.id));
    }
);

/// Announcements waiting to be sent.
async fn pending(store: &Store) -> i64 {
    let (deliveries, _) = store.ops_counts().await.unwrap();
    deliveries
        .into_iter()
        .find(|(status, _)| status == "pending")
        .map_or(0, |(_, n)| n)
}

/// A letter page of capsules, as text: `(title, year, grade, body)` each.
fn letter_page(capsules: &[(&str, i32, &str, &str)]) -> Vec<u8> {
    let mut page = String::from("Dennis Schwartz'\nShort Reviews\n'L'  3\n\n\n");
    for (title, year, grade, body) in capsules {
        page.push_str(&format!(
            "{title} (director: Ines Marr; cast: Bo Kline; {year}) Reviewed on 2/3/2004.\n\n{body} GRADE: {grade}\n\n"
        ));
    }
    page.into_bytes()
}

on_both!(
    a_letter_page_s_capsules_follow_their_page,
    |store: Store| async move {
        store.subscribe(1, 100, Grade::F, 7, true).await.unwrap();
        let first = letter_page(&[
            ("LANTERN, THE", 1991, "B", "A warm little ghost story."),
            ("LOW TIDE", 1992, "C", "Wet, and not much else."),
            ("LUCKY DRAW", 1993, "A", "A card sharp's last honest game."),
        ]);
        let report = import(&store, vec![source("l.htm", first)]).await;
        assert_eq!(report.counts.added, 3);
        assert_eq!(pending(&store).await, 3);

        // Low Tide taken out, Lucky Draw regraded, Lost Key added.
        let second = letter_page(&[
            ("LANTERN, THE", 1991, "B", "A warm little ghost story."),
            ("LUCKY DRAW", 1993, "A-", "A card sharp's last honest game."),
            ("LOST KEY", 1994, "B+", "A locksmith's long night."),
        ]);
        let report = import(&store, vec![source("l.htm", second)]).await;
        let c = report.counts;
        assert_eq!(
            (c.added, c.updated, c.unchanged, c.retired, c.failed),
            (1, 1, 1, 1, 0)
        );
        assert_eq!(store.count_reviews().await.unwrap(), 3);
        // Low Tide's pending announcement went with it; Lucky Draw's regrade and Lost Key's
        // announcement joined the others.
        assert_eq!(pending(&store).await, 4);
        let removed = store.remove_imported_from("l.htm").await.unwrap();
        assert_eq!(removed.len(), 3, "the page's every review: {removed:?}");
    }
);

on_both!(
    feed_polls_are_claimed_once_and_items_remembered,
    |store: Store| async move {
        use marquee::store::{ItemOutcome, Polled, SeenItem};
        let feed = "https://critic.example/feed/";
        let now = Utc::now();
        let interval = chrono::Duration::seconds(60);
        store.add_feed(feed, now).await.unwrap();
        store.add_feed(feed, now).await.unwrap();
        // Three processes claim at once: one wins.
        let claims = futures_util::future::join_all(
            (0..3).map(|_| store.claim_feed_poll(feed, now, now + interval)),
        )
        .await;
        let won: Vec<_> = claims.into_iter().filter_map(Result::unwrap).collect();
        assert_eq!(won.len(), 1, "{won:?}");
        assert!(!won[0].polled_before);
        store
            .feed_polled(
                feed,
                &Polled::Fetched {
                    etag: Some("\"v1\"".into()),
                    last_modified: Some("Tue, 07 May 2024 09:00:00 GMT".into()),
                },
                now,
                now + interval,
            )
            .await
            .unwrap();
        // Not due again before the interval.
        let early = now + chrono::Duration::seconds(30);
        assert!(store
            .claim_feed_poll(feed, early, early + interval)
            .await
            .unwrap()
            .is_none());
        assert_eq!(
            store
                .next_feed_poll(&[feed.to_owned()])
                .await
                .unwrap()
                .map(|t| t.timestamp()),
            Some((now + interval).timestamp())
        );
        let due = now + interval;
        let state = store
            .claim_feed_poll(feed, due, due + interval)
            .await
            .unwrap()
            .unwrap();
        assert!(state.polled_before);
        assert_eq!(state.etag.as_deref(), Some("\"v1\""));
        // Failures count up, and a success (a 304 too) clears them, keeping the validators.
        for _ in 0..2 {
            store
                .feed_polled(feed, &Polled::Failed("HTTP 500".into()), due, due)
                .await
                .unwrap();
        }
        let state = store
            .claim_feed_poll(feed, due, due + interval)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(state.consecutive_failures, 2);
        store
            .feed_polled(feed, &Polled::NotModified, due, due)
            .await
            .unwrap();
        let state = store
            .claim_feed_poll(feed, due, due + interval)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(state.consecutive_failures, 0);
        assert_eq!(state.etag.as_deref(), Some("\"v1\""));

        let item = |digest: &str, outcome| SeenItem {
            key: "https://critic.example/?p=7".into(),
            link: Some("https://critic.example/2024/05/07/gull-rock/".into()),
            title: Some("Gull Rock".into()),
            digest: digest.into(),
            outcome,
            reason: None,
        };
        store
            .record_feed_items(feed, &[item("d1", ItemOutcome::Skipped)], now)
            .await
            .unwrap();
        store
            .record_feed_items(feed, &[item("d2", ItemOutcome::Imported)], now)
            .await
            .unwrap();
        let seen = store.feed_items(feed).await.unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(
            seen.get("https://critic.example/?p=7"),
            Some(&("d2".to_owned(), ItemOutcome::Imported))
        );
    }
);

on_both!(a_post_s_reviews_keep_its_link, |store: Store| async move {
    let html = String::from_utf8(review("Gull Rock", 2001, "B", "Nora Lind")).unwrap();
    let html: String = html.split("\n\n").map(|p| format!("<p>{p}</p>")).collect();
    let link = "https://critic.example/2024/05/07/gull-rock/";
    let report = import(
        &store,
        vec![Source::Html {
            name: "https://critic.example/?p=7".into(),
            html: html.clone(),
            url: Some(link.into()),
        }],
    )
    .await;
    assert_eq!(report.counts.added, 1, "{report:?}");
    let id = report.added_ids[0];
    let stored = store.review(id).await.unwrap().unwrap();
    assert_eq!(stored.review.url.as_deref(), Some(link));
    assert_eq!(
        stored.source_path.as_deref(),
        Some("https://critic.example/?p=7")
    );
    // The same post under a new link is an update, not the same text.
    let moved = "https://critic.example/gull-rock/";
    let report = import(
        &store,
        vec![Source::Html {
            name: "https://critic.example/?p=7".into(),
            html,
            url: Some(moved.into()),
        }],
    )
    .await;
    assert_eq!(report.counts.updated, 1, "{report:?}");
    let stored = store.review(id).await.unwrap().unwrap();
    assert_eq!(stored.review.url.as_deref(), Some(moved));
});
