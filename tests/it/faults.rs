//! Discord's faults, scripted against the fake: rate limits, errors, resets and hangs on the
//! interaction callback and on announcements; gateway closes, invalid sessions, RECONNECT and a
//! zombie connection; Discord down for seconds while reviews arrive (for minutes in the ignored
//! soak); a crash mid fan-out to 200 channels; a token refused at login, on a reply and on an
//! announcement; a panic in a handler. The real `marquee serve` each time.

use std::time::{Duration, Instant};

use marquee_testkit::fake_discord::{
    interaction_token, opt, slash_command, Ctx, FakeDiscord, Outage, Recorded, Scripted,
};
use serde_json::{json, Value};

use crate::support::serve::*;

fn review_alien(id: u64) -> Value {
    let ctx = Ctx::guild(8000, 5000, 6000, SEND_MESSAGES);
    slash_command(id, "review", json!([opt("title", 3, "Alien")]), &ctx)
}

fn is_alien_card(body: &Value) -> bool {
    body["type"] == 4
        && body["data"]["embeds"][0]["title"]
            .as_str()
            .is_some_and(|t| t.contains("Alien"))
}

fn callbacks(fake: &FakeDiscord, id: u64) -> Vec<Recorded> {
    fake.requests()
        .into_iter()
        .filter(|r| callback_of(id)(r))
        .collect()
}

fn posts_to(channel: u64) -> impl Fn(&Recorded) -> bool {
    move |r| r.is("POST", &format!("/channels/{channel}/messages"))
}

/// The titles of a channel's announcements, oldest first.
fn announced(fake: &FakeDiscord, channel: u64) -> Vec<String> {
    embed_titles(&fake.created_messages(channel))
}

// ----- the interaction callback -----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callback_faults_are_retried_while_discord_still_takes_the_reply() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, bot) = started(dir.path(), &[]).await;
    let faults: Vec<(&str, Vec<Scripted>)> = vec![
        (
            "a 429 on the route",
            vec![Scripted::rate_limited(0.2, false)],
        ),
        ("a global 429", vec![Scripted::rate_limited(0.2, true)]),
        (
            "500, 502 and 503 in a row",
            vec![
                Scripted::error(500, 0, "500: Internal Server Error"),
                Scripted::error(502, 0, "502: Bad Gateway"),
                Scripted::error(503, 0, "503: Service Unavailable"),
            ],
        ),
        ("a reset connection", vec![Scripted::reset()]),
        ("a request that hangs", vec![Scripted::hang()]),
    ];
    for (i, (what, scripts)) in faults.into_iter().enumerate() {
        let id = 7100 + i as u64;
        let failures = scripts.len();
        for script in scripts {
            fake.script("POST", &format!("/interactions/{id}/"), script);
        }
        fake.dispatch("INTERACTION_CREATE", review_alien(id)).await;
        let answered = fake
            .wait_for(
                &format!("the reply after {what}"),
                |r| callback_of(id)(r) && r.status == 204,
                WAIT,
            )
            .await;
        assert!(is_alien_card(&answered.body), "{what}: {}", answered.body);
        assert_mentions_nobody(&answered.body);
        assert_eq!(
            callbacks(&fake, id).len(),
            failures + 1,
            "{what}: one attempt per failure, then the reply"
        );
        assert!(
            fake.original_response(&interaction_token(id)).is_some(),
            "{what}: the user sees the reply"
        );
    }

    // Discord took the reply but the answer was lost: the retry meets "already acknowledged",
    // which means done.
    fake.lose_answer("POST", "/interactions/7200/");
    fake.dispatch("INTERACTION_CREATE", review_alien(7200))
        .await;
    wait_log(
        &bot,
        "an earlier attempt at the reply reached Discord",
        WAIT,
    )
    .await;
    let tries = callbacks(&fake, 7200);
    assert_eq!(tries.iter().map(|r| r.status).collect::<Vec<_>>(), [0, 400]);
    let original = fake.original_response(&interaction_token(7200)).unwrap();
    assert!(original["embeds"][0]["title"]
        .as_str()
        .is_some_and(|t| t.contains("Alien")));

    // Hung past the 3 s window: the bot gives up, and goes on answering.
    for _ in 0..3 {
        fake.script("POST", "/interactions/7300/", Scripted::hang());
    }
    fake.dispatch("INTERACTION_CREATE", review_alien(7300))
        .await;
    let next = ask(&fake, 7301, review_alien(7301)).await;
    assert!(is_alien_card(&next.body));
    wait_log(&bot, "gave up on the reply", WAIT).await;
    assert_eq!(
        callbacks(&fake, 7300).len(),
        2,
        "two attempts of at most 1.5 s fit the window"
    );
    assert_no_violations(&fake, &bot);
}

// ----- announcements -----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn announcement_errors_resets_and_hangs_deliver_each_once() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, bot) = started(dir.path(), &[]).await;
    let channels = [5201u64, 5202, 5203, 5204, 5205, 5206];
    subscribe_all(&fake, 7500, &channels).await;
    // The first post to each channel meets one fault.
    let first = |c: u64| format!("/channels/{c}/messages");
    fake.script("POST", &first(5201), Scripted::error(500, 0, "500"));
    fake.script("POST", &first(5202), Scripted::error(502, 0, "502"));
    fake.script("POST", &first(5203), Scripted::error(503, 0, "503"));
    fake.script("POST", &first(5204), Scripted::reset());
    fake.script("POST", &first(5205), Scripted::hang());
    // Discord posts this one, but the answer is lost.
    fake.lose_answer("POST", &first(5206));

    let new = write_reviews(dir.path(), "new", &[("Weathered", 2023, "B+")]);
    import_ok(dir.path(), &new);
    for channel in channels {
        fake.wait_count(
            &format!("the fault and the retry in {channel}"),
            2,
            posts_to(channel),
            Duration::from_secs(90),
        )
        .await;
    }
    for channel in channels {
        assert_eq!(announced(&fake, channel), ["Weathered (2023)"]);
        let posts: Vec<Recorded> = fake
            .requests()
            .into_iter()
            .filter(|r| posts_to(channel)(r))
            .collect();
        assert_eq!(
            posts.len(),
            2,
            "channel {channel}: the fault, then the retry"
        );
        assert_eq!(
            posts[1].status, 200,
            "channel {channel}: the retry is answered"
        );
        assert_eq!(
            posts[0].body["nonce"], posts[1].body["nonce"],
            "a retry carries the same nonce"
        );
    }
    assert_eq!(
        fake.deduplicated_count(),
        1,
        "only the post whose answer was lost came twice"
    );
    assert_no_violations(&fake, &bot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_waiting_on_a_rate_limit_keeps_its_announcements_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, bot) = started(dir.path(), &[]).await;
    subscribe(&fake, 7550, 5250, None, MANAGE_CHANNELS).await;
    subscribe(&fake, 7551, 5251, None, MANAGE_CHANNELS).await;
    // The channel's first post waits a second on its route; the second review is due at once.
    fake.script(
        "POST",
        "/channels/5250/messages",
        Scripted::rate_limited(1.0, false),
    );
    let new = write_reviews(
        dir.path(),
        "new",
        &[("Opening Act", 2023, "B"), ("Closing Act", 2023, "B")],
    );
    import_ok(dir.path(), &new);
    let order = fake.wait_created(5250, 2, WAIT).await;
    let titles: Vec<&str> = order
        .iter()
        .map(|m| m["embeds"][0]["title"].as_str().unwrap_or_default())
        .collect();
    // The other channel is not held by this one's limit.
    let other = announced(&fake, 5251);
    assert_eq!(other.len(), 2);
    assert_eq!(
        titles,
        [other[0].as_str(), other[1].as_str()],
        "same order in both channels"
    );
    let posts: Vec<Recorded> = fake
        .requests()
        .into_iter()
        .filter(|r| posts_to(5250)(r))
        .collect();
    assert_eq!(posts.len(), 3, "the limited post, its retry, then the next");
    assert_eq!(
        posts[0].body["nonce"], posts[1].body["nonce"],
        "the limited announcement goes before the next one"
    );
    assert_no_violations(&fake, &bot);
}

/// Discord unreachable for a few seconds while reviews keep arriving: the outage below, in
/// real time, end to end. The paused-time tests of the announcer (src/announce/paused.rs) take
/// it through five minutes and the backoff's cap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_down_for_seconds_then_every_announcement_once_in_order() {
    discord_down_then_every_announcement_once_in_order(4).await;
}

/// The soak: the same for `MARQUEE_TEST_OUTAGE_SECS` (default 300, five minutes) of real time.
/// `cargo test --locked --test it -- --ignored soak`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a soak of five minutes of real time: run with --ignored"]
async fn soak_discord_down_for_five_minutes_then_every_announcement_once_in_order() {
    let outage_secs: u64 = std::env::var("MARQUEE_TEST_OUTAGE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    discord_down_then_every_announcement_once_in_order(outage_secs).await;
}

/// Discord unreachable for `outage_secs` while reviews keep arriving: half the time REST
/// answers 503, half the time connections are reset, and the gateway is gone. When Discord is
/// back, every announcement is posted once, in order per channel, and the bot answers again.
async fn discord_down_then_every_announcement_once_in_order(outage_secs: u64) {
    let dir = tempfile::tempdir().unwrap();
    let (fake, bot) = started(dir.path(), &[]).await;
    let channels = [5301u64, 5302, 5303];
    subscribe_all(&fake, 7600, &channels).await;
    let before = write_reviews(dir.path(), "before", &[("Clear Skies", 2020, "B")]);
    import_ok(dir.path(), &before);
    for channel in channels {
        fake.wait_created(channel, 1, WAIT).await;
    }

    let down_at = fake.request_count();
    let started_down = Instant::now();
    fake.set_outage(Some(Outage::Status(503)));
    let arriving = [
        ("First Drops", 2021),
        ("Heavy Weather", 2021),
        ("Eye Of It", 2022),
        ("Last Gust", 2022),
    ];
    // One import per fifth of the outage; the outage turns from 503s to resets half way.
    let step = Duration::from_secs(outage_secs) / 5;
    for (i, (title, year)) in arriving.iter().enumerate() {
        // Time passing is the point here: there is no event to wait for.
        tokio::time::sleep(step).await;
        if i == 2 {
            fake.set_outage(Some(Outage::Reset));
        }
        let folder = write_reviews(dir.path(), &format!("during-{i}"), &[(title, *year, "B")]);
        import_ok(dir.path(), &folder);
    }
    tokio::time::sleep(Duration::from_secs(outage_secs).saturating_sub(started_down.elapsed()))
        .await;
    let tried_during = fake.requests()[down_at..]
        .iter()
        .filter(|r| r.is("POST", "/channels/"))
        .count();
    assert!(
        channels
            .iter()
            .all(|c| fake.created_messages(*c).len() == 1),
        "nothing is posted while Discord is down"
    );
    let readies = fake.ready_count();
    fake.set_outage(None);
    let back = Instant::now();

    let expected: Vec<String> = std::iter::once("Clear Skies (2020)".to_string())
        .chain(arriving.iter().map(|(t, y)| format!("{t} ({y})")))
        .collect();
    for channel in channels {
        fake.wait_created(channel, expected.len(), Duration::from_secs(120))
            .await;
    }
    let delivered_after = back.elapsed();
    for channel in channels {
        assert_eq!(
            announced(&fake, channel),
            expected,
            "channel {channel}: each announcement once, in the order the reviews came"
        );
    }
    assert_eq!(fake.deduplicated_count(), 0, "nothing was posted twice");
    // The gateway came back too, and the bot answers.
    fake.wait_ready(WAIT).await;
    let reply = ask(&fake, 7700, review_alien(7700)).await;
    assert!(is_alien_card(&reply.body));
    eprintln!(
        "outage of {outage_secs} s: {tried_during} announcement attempts during it for {} \
         announcements; all delivered {delivered_after:?} after Discord came back; READY {} → {}",
        arriving.len() * channels.len(),
        readies,
        fake.ready_count()
    );
    assert_no_violations(&fake, &bot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_mid_fan_out_to_200_channels_announces_once_to_each() {
    let dir = tempfile::tempdir().unwrap();
    // Claims held by the killed bot are taken over after 2 s, not the default 30 s.
    let lease = [("MARQUEE__DISCORD__OUTBOX_LEASE_SECONDS", "2")];
    let (fake, bot) = started(dir.path(), &lease).await;
    let channels: Vec<u64> = (0..200).map(|i| 9_000 + i).collect();
    subscribe_all(&fake, 10_000, &channels).await;
    // Each post takes Discord 15 ms, so the fan-out lasts about 3 s and the crash lands in it.
    fake.set_latency("POST", "/channels/", Duration::from_millis(15));
    let new = write_reviews(dir.path(), "new", &[("Wide Release", 2024, "A-")]);
    import_ok(dir.path(), &new);
    let is_post = |r: &Recorded| r.is("POST", "/channels/") && r.path.ends_with("/messages");
    fake.wait_count("posts", 70, is_post, WAIT).await;
    let log = bot.crash();
    assert!(!log.contains(TOKEN));
    let before: usize = channels
        .iter()
        .filter(|c| !fake.created_messages(**c).is_empty())
        .count();
    assert!(before < channels.len(), "the crash came mid fan-out");

    let bot = Bot::start(BIN, dir.path(), &fake, &lease).await;
    fake.wait_ready_count(2, WAIT).await;
    for channel in &channels {
        fake.wait_created(*channel, 1, Duration::from_secs(60))
            .await;
    }
    for channel in &channels {
        assert_eq!(
            announced(&fake, *channel),
            ["Wide Release (2024)"],
            "channel {channel}: exactly once"
        );
    }
    assert!(
        fake.deduplicated_count() <= marquee::announce::MAX_IN_FLIGHT,
        "at most the posts in flight at the crash are sent again"
    );
    eprintln!(
        "fan-out to 200 channels: {before} delivered before the kill, the rest after the \
         restart; {} post(s) deduplicated by nonce",
        fake.deduplicated_count()
    );
    assert_no_violations(&fake, &bot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_a_fan_out_and_a_kill_of_one_loses_and_repeats_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // Claims held by a dead instance are taken over after 2 s.
    let lease = [("MARQUEE__DISCORD__OUTBOX_LEASE_SECONDS", "2")];
    let (fake, first) = started(dir.path(), &lease).await;
    let channels: Vec<u64> = (0..200).map(|i| 19_000 + i).collect();
    subscribe_all(&fake, 20_000, &channels).await;
    let second = Bot::start(BIN, dir.path(), &fake, &lease).await;
    fake.wait_ready_count(2, WAIT).await;
    // Each post takes Discord 15 ms, so the fan-out lasts long enough for the kill to land
    // in it.
    fake.set_latency("POST", "/channels/", Duration::from_millis(15));
    let started_at = std::time::Instant::now();
    let new = write_reviews(dir.path(), "new", &[("Shared Screen", 2024, "B+")]);
    import_ok(dir.path(), &new);
    let is_post = |r: &Recorded| r.is("POST", "/channels/") && r.path.ends_with("/messages");
    fake.wait_count("posts", 60, is_post, WAIT).await;
    let first_log = first.crash();
    let by_first = first_log.matches("announced").count();
    let before: usize = channels
        .iter()
        .filter(|c| !fake.created_messages(**c).is_empty())
        .count();
    assert!(before < channels.len(), "the kill came mid fan-out");

    for channel in &channels {
        fake.wait_created(*channel, 1, Duration::from_secs(60))
            .await;
    }
    let took = started_at.elapsed();
    // The posts the killed one had in flight reached Discord but were never recorded: the
    // second takes them over when their lease ends, and sends them again. Wait for the
    // outbox to empty.
    let store = marquee::store::Store::open(&db_url(dir.path()), false)
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !store
        .due_deliveries(chrono::Utc::now() + chrono::Duration::days(1), 1)
        .await
        .unwrap()
        .is_empty()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the outbox never emptied"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    store.close().await;
    for channel in &channels {
        assert_eq!(
            announced(&fake, *channel),
            ["Shared Screen (2024)"],
            "channel {channel}: exactly once"
        );
    }
    let by_second = second.log().matches("announced").count();
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
    assert!(
        by_first > 0,
        "the first instance took its share before the kill"
    );
    assert!(by_second > 0, "the second instance took its share");
    assert!(
        fake.deduplicated_count() <= marquee::announce::MAX_IN_FLIGHT,
        "at most the posts the killed one had in flight are sent again"
    );
    eprintln!(
        "two instances, fan-out to 200 channels: {by_first} by the first before its kill, \
         {by_second} by the second, {} deduplicated by nonce, all delivered in {took:?}",
        fake.deduplicated_count()
    );
    assert_no_violations(&fake, &second);
}

// ----- the gateway -----

/// Counts the RESUMEs (op 6) the bot sent.
fn resumes(fake: &FakeDiscord) -> usize {
    fake.gateway_received()
        .iter()
        .filter(|p| p["op"] == 6)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resumable_faults_resume_and_replay_what_was_missed() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, bot) = started(dir.path(), &[]).await;
    let faults = [
        "close 4000",
        "close 4008",
        "RECONNECT",
        "INVALID_SESSION resumable",
    ];
    for (i, what) in faults.iter().enumerate() {
        let id = 7800 + i as u64;
        let resumed = resumes(&fake);
        // Discord has an interaction for the bot that the connection never carried.
        fake.buffer_dispatch("INTERACTION_CREATE", review_alien(id));
        match *what {
            "close 4000" => fake.close_gateway(4000, true).await,
            "close 4008" => fake.close_gateway(4008, true).await,
            "RECONNECT" => fake.request_reconnect().await,
            _ => fake.invalidate_session(true).await,
        }
        let reply = fake
            .wait_for(
                &format!("the replayed interaction after {what}"),
                callback_of(id),
                WAIT,
            )
            .await;
        assert!(is_alien_card(&reply.body), "{what}");
        assert_eq!(resumes(&fake), resumed + 1, "{what}: the bot resumed");
    }
    assert_eq!(fake.ready_count(), 1, "no fault needed a new session");
    assert_no_violations(&fake, &bot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_resumable_faults_identify_again_and_answer() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, bot) = started(dir.path(), &[]).await;
    let faults = [
        "close 4009 (session timed out)",
        "close 4007 (invalid sequence)",
        "INVALID_SESSION not resumable",
    ];
    for (i, what) in faults.iter().enumerate() {
        let readies = fake.ready_count();
        match i {
            0 => fake.close_gateway(4009, false).await,
            1 => fake.close_gateway(4007, false).await,
            _ => fake.invalidate_session(false).await,
        }
        fake.wait_ready_count(readies + 1, Duration::from_secs(30))
            .await;
        let id = 7900 + i as u64;
        let reply = ask(&fake, id, review_alien(id)).await;
        assert!(is_alien_card(&reply.body), "{what}");
    }
    assert!(fake.identify_token_is(TOKEN));
    assert_no_violations(&fake, &bot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zombie_connection_is_dropped_and_the_bot_answers_again() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeDiscord::start().await;
    // Heartbeats every 500 ms, so a missed ACK shows within a second.
    fake.set_heartbeat_interval(500);
    let (fake, bot) = start_on(dir.path(), &sample_dir(), fake, &[]).await;
    let before = ask(&fake, 7950, review_alien(7950)).await;
    assert!(is_alien_card(&before.body));
    let connections = fake.connection_count();
    fake.stop_acking_heartbeats();
    fake.wait_ready_count(2, Duration::from_secs(30)).await;
    assert!(fake.connection_count() > connections, "a new connection");
    let heartbeats = fake
        .gateway_received()
        .iter()
        .filter(|p| p["op"] == 1)
        .count();
    assert!(
        heartbeats >= 1,
        "the zombie got a heartbeat it never acknowledged"
    );
    let after = ask(&fake, 7951, review_alien(7951)).await;
    assert!(is_alien_card(&after.body));
    assert_no_violations(&fake, &bot);
}

// ----- the token -----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_ends_serve_clearly_loses_no_announcement_and_is_never_logged() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, bot) = started(dir.path(), &[]).await;
    subscribe(&fake, 8100, 5400, None, MANAGE_CHANNELS).await;
    drop(bot);
    // A review arrives while the bot is down, and the bot comes back with a wrong token.
    let new = write_reviews(dir.path(), "new", &[("Wrong Key", 2019, "B")]);
    import_ok(dir.path(), &new);
    const WRONG: &str = "wrong-token-that-must-never-be-printed";
    let mut refused = Bot::start(
        BIN,
        dir.path(),
        &fake,
        &[("DISCORD_TOKEN", WRONG), ("RUST_LOG", "trace")],
    )
    .await;
    let code = wait_exit(&mut refused, WAIT).await;
    let log = refused.log();
    assert_ne!(code, Some(0), "a refused token is a failure:\n{log}");
    assert!(
        log.contains("Discord refused the token: check DISCORD_TOKEN"),
        "{log}"
    );
    assert!(!log.contains(WRONG), "the wrong token appeared in the log");
    assert!(!log.contains(TOKEN));
    assert!(fake.created_messages(5400).is_empty());

    // With the right token the announcement the refused run could not send goes out once.
    let bot = Bot::start(BIN, dir.path(), &fake, &[]).await;
    let posted = fake.wait_created(5400, 1, Duration::from_secs(30)).await;
    assert_eq!(posted.len(), 1);
    assert_eq!(announced(&fake, 5400), ["Wrong Key (2019)"]);
    assert_no_violations(&fake, &bot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_refused_on_a_reply_ends_serve_as_one_refused_at_login_does() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, mut bot) = started(dir.path(), &[("RUST_LOG", "trace")]).await;
    // The token is revoked while the bot runs: the next request Discord answers 401.
    fake.script(
        "POST",
        "/interactions/8150/",
        Scripted::error(401, 0, "401: Unauthorized"),
    );
    fake.dispatch("INTERACTION_CREATE", review_alien(8150))
        .await;
    let code = wait_exit(&mut bot, WAIT).await;
    let log = bot.log();
    assert_ne!(code, Some(0), "a refused token is a failure:\n{log}");
    assert!(
        log.contains("Discord refused the token: check DISCORD_TOKEN"),
        "{log}"
    );
    assert!(!log.contains(TOKEN), "the token appeared in the log");
    // Given up on at once: a 401 is not tried again.
    assert_eq!(callbacks(&fake, 8150).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_refused_on_an_announcement_ends_serve_and_the_announcement_waits() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, mut bot) = started(dir.path(), &[("RUST_LOG", "trace")]).await;
    subscribe(&fake, 8160, 5410, None, MANAGE_CHANNELS).await;
    fake.script(
        "POST",
        "/channels/5410/messages",
        Scripted::error(401, 0, "401: Unauthorized"),
    );
    let new = write_reviews(dir.path(), "new", &[("Revoked", 2020, "B+")]);
    import_ok(dir.path(), &new);
    let code = wait_exit(&mut bot, WAIT).await;
    let log = bot.log();
    assert_ne!(code, Some(0), "a refused token is a failure:\n{log}");
    assert!(
        log.contains("Discord refused the token: check DISCORD_TOKEN"),
        "{log}"
    );
    assert!(!log.contains(TOKEN), "the token appeared in the log");
    assert!(fake.created_messages(5410).is_empty());

    // The token fixed (here: the script spent), the announcement goes out, once.
    let bot = Bot::start(BIN, dir.path(), &fake, &[]).await;
    fake.wait_created(5410, 1, WAIT).await;
    assert_eq!(announced(&fake, 5410), ["Revoked (2020)"]);
    assert_no_violations(&fake, &bot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_a_handler_gets_the_apology_and_the_log_keeps_the_token_out() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, bot) = started(
        dir.path(),
        &[("MARQUEE_TEST_PANIC_IN", "random"), ("RUST_LOG", "trace")],
    )
    .await;
    let ctx = Ctx::guild(8000, 5000, 6000, SEND_MESSAGES);
    let reply = ask(&fake, 8200, slash_command(8200, "random", json!([]), &ctx)).await;
    assert_eq!(reply.body["data"]["flags"], 64);
    assert!(
        reply.body["data"]["content"]
            .as_str()
            .is_some_and(|c| c.starts_with("Sorry, something went wrong")),
        "{}",
        reply.body
    );
    // The bot lives on.
    let next = ask(&fake, 8201, review_alien(8201)).await;
    assert!(is_alien_card(&next.body));
    let log = wait_log(&bot, "a command panicked", WAIT).await;
    assert!(log.contains("injected panic in /random"), "{log}");
    assert_no_violations(&fake, &bot);
}
