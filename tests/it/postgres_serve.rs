//! Several `marquee serve` processes on one PostgreSQL database, against the fake Discord:
//! they share a fan-out, and a `kill -9` of one mid fan-out loses and repeats nothing. Needs
//! a server (`MARQUEE_TEST_POSTGRES`); ignored without one, saying how to run it.

use std::path::Path;
use std::time::{Duration, Instant};

use marquee_testkit::fake_discord::{FakeDiscord, Recorded};
use marquee_testkit::pg;

use crate::support::serve::*;

/// `marquee import` into the database at `url`, as its own process.
fn import_into(url: &str, dir: &Path, folder: &Path) {
    let out = std::process::Command::new(BIN)
        .arg("import")
        .arg(folder)
        .env("DATABASE_URL", url)
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(marquee_pg),
    ignore = "needs PostgreSQL: MARQUEE_TEST_POSTGRES=postgres://USER:PASS@HOST/postgres cargo test (.ci/run starts one)"
)]
async fn two_instances_on_postgres_share_a_fan_out_and_a_kill_of_one_loses_and_repeats_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = pg::fresh().await;
    import_into(&db.url, dir.path(), &sample_dir());
    let fake = FakeDiscord::start().await;
    fake.require_token(TOKEN);
    // Claims held by a dead instance are taken over after 2 s.
    let env = [
        ("DATABASE_URL", db.url.as_str()),
        ("MARQUEE__DISCORD__OUTBOX_LEASE_SECONDS", "2"),
    ];
    let first = Bot::start(BIN, dir.path(), &fake, &env).await;
    fake.wait_ready_and_registered(WAIT).await;
    let channels: Vec<u64> = (0..200).map(|i| 29_000 + i).collect();
    subscribe_all(&fake, 30_000, &channels).await;
    let second = Bot::start(BIN, dir.path(), &fake, &env).await;
    fake.wait_ready_count(2, WAIT).await;
    // Each post takes Discord 15 ms, so the fan-out lasts long enough for the kill.
    fake.set_latency("POST", "/channels/", Duration::from_millis(15));
    let started_at = Instant::now();
    let new = write_reviews(dir.path(), "new", &[("Shared Server", 2024, "B+")]);
    import_into(&db.url, dir.path(), &new);
    let is_post = |r: &Recorded| r.is("POST", "/channels/") && r.path.ends_with("/messages");
    fake.wait_count("posts", 60, is_post, WAIT).await;
    let first_log = first.crash();
    assert!(!first_log.contains(TOKEN));
    let by_first = first_log.matches("announced").count();
    let before = channels
        .iter()
        .filter(|c| !fake.created_messages(**c).is_empty())
        .count();
    assert!(before < channels.len(), "the kill came mid fan-out");

    for channel in &channels {
        fake.wait_created(*channel, 1, Duration::from_secs(60))
            .await;
    }
    let took = started_at.elapsed();
    // Wait for the outbox to empty (what the killed one held is sent after its lease).
    let store = marquee::store::Store::open(&db.url, false).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (by_status, _) = store.ops_counts().await.unwrap();
        if by_status.contains(&("pending".to_owned(), 0)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the outbox never emptied: {by_status:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    store.close().await;
    for channel in &channels {
        assert_eq!(
            embed_titles(&fake.created_messages(*channel)),
            ["Shared Server (2024)"],
            "channel {channel}: exactly once"
        );
    }
    let by_second = second.log().matches("announced").count();
    assert!(by_first > 0 && by_second > 0, "both took a share");
    assert_eq!(
        by_first + by_second,
        channels.len(),
        "each delivery recorded as sent once"
    );
    assert_eq!(
        fake.requests().iter().filter(|r| is_post(r)).count(),
        channels.len() + fake.deduplicated_count(),
        "every post beyond one per channel was a repeat Discord deduplicated"
    );
    eprintln!(
        "two instances on PostgreSQL, fan-out to 200 channels: {by_first} by the first before \
         its kill, {by_second} by the second, {} deduplicated by nonce, all delivered in {took:?}",
        fake.deduplicated_count()
    );
    assert_no_violations(&fake, &second);
    drop(second);
    db.drop_now().await;
}
