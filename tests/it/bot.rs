//! `marquee serve` end to end: the real binary against a fake Discord on 127.0.0.1 (REST and
//! gateway). Each test has its own database and its own fake; every body the bot sends is
//! checked against Discord's OpenAPI spec when `../shared` is present.

use std::time::{Duration, Instant};

use marquee_testkit::fake_discord::{
    self, component, opt, slash_command, Ctx, RateLimits, Recorded, Scripted,
};
use serde_json::{json, Value};

use crate::support::archive;
use crate::support::serve::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registers_commands_and_answers_review_autocomplete_and_picks() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, bot) = started(dir.path(), &[]).await;
    assert!(fake.identify_token_is(TOKEN));
    let put = fake
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT" && r.path.contains("/commands"))
        .unwrap();
    assert_eq!(
        put.path, "/api/v10/applications/2000/commands",
        "global by default"
    );
    let names: Vec<&str> = put
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "review",
            "random",
            "person",
            "top",
            "search",
            "stats",
            "Find the review",
            "subscribe",
            "unsubscribe",
            "subscriptions"
        ]
    );
    let subscribe = &put.body[7];
    assert_eq!(subscribe["name"], "subscribe");
    assert_eq!(subscribe["default_member_permissions"], "16");
    // The message command: type 3, no description or options.
    let find = &put.body[6];
    assert_eq!(find["type"], 3, "{find}");
    assert!(find.get("description").is_none_or(|d| d == ""), "{find}");
    let review_opts = &put.body[0]["options"];
    assert_eq!(review_opts[0]["name"], "title");
    assert_eq!(review_opts[0]["autocomplete"], true);
    assert_eq!(review_opts[1]["name"], "year");

    let ctx = Ctx::guild(8000, 5000, 6000, SEND_MESSAGES);
    // An ambiguous title: the best card and a menu of the others.
    fake.dispatch(
        "INTERACTION_CREATE",
        slash_command(4001, "review", json!([opt("title", 3, "king kong")]), &ctx),
    )
    .await;
    let reply = fake
        .wait_for("the /review reply", callback_of(4001), WAIT)
        .await;
    assert_eq!(reply.body["type"], 4);
    assert_mentions_nobody(&reply.body);
    let embed = &reply.body["data"]["embeds"][0];
    assert!(
        embed["title"].as_str().unwrap().starts_with("King Kong ("),
        "{embed}"
    );
    // The card's buttons, then the menu of the other films.
    let read = &reply.body["data"]["components"][0]["components"][0];
    assert_eq!(read["label"], "Read the review", "{read}");
    let menu = &reply.body["data"]["components"][1]["components"][0];
    assert_eq!(menu["custom_id"], "marquee:review:pick");
    let options = menu["options"].as_array().unwrap();
    assert_eq!(options.len(), 2, "{menu}");
    let remake = options
        .iter()
        .find(|o| o["label"].as_str().unwrap().starts_with("King Kong (1976)"))
        .expect("the 1976 remake is offered");

    // Choosing another film updates the message in place.
    let message = fake_discord::bot_message(9001, 5000, &reply.body["data"]);
    fake.dispatch(
        "INTERACTION_CREATE",
        component(
            4002,
            "marquee:review:pick",
            3,
            vec![remake["value"].as_str().unwrap().to_owned()],
            message,
            &ctx,
        ),
    )
    .await;
    let update = fake
        .wait_for("the pick's update", callback_of(4002), WAIT)
        .await;
    assert_eq!(update.body["type"], 7);
    assert_eq!(
        update.body["data"]["embeds"][0]["title"],
        "King Kong (1976)"
    );
    assert_mentions_nobody(&update.body);

    // A year option picks the remake directly, with no menu.
    fake.dispatch(
        "INTERACTION_CREATE",
        slash_command(
            4003,
            "review",
            json!([opt("title", 3, "King Kong"), opt("year", 4, 2005)]),
            &ctx,
        ),
    )
    .await;
    let reply = fake
        .wait_for("the /review year reply", callback_of(4003), WAIT)
        .await;
    assert_eq!(reply.body["data"]["embeds"][0]["title"], "King Kong (2005)");
    let no_menu = reply.body["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .all(|c| c["type"] == 2);
    assert!(no_menu, "{}", reply.body);

    // Autocomplete: ≤ 25 choices, best first, labelled with year and grade.
    fake.dispatch(
        "INTERACTION_CREATE",
        fake_discord::autocomplete(
            4004,
            "review",
            json!([fake_discord::focused("title", 3, "godf")]),
            &ctx,
        ),
    )
    .await;
    let reply = fake
        .wait_for("the autocomplete reply", callback_of(4004), WAIT)
        .await;
    assert_eq!(reply.body["type"], 8);
    let choices = reply.body["data"]["choices"].as_array().unwrap();
    assert!(!choices.is_empty() && choices.len() <= 25);
    assert_eq!(choices[0]["name"], "The Godfather (1972) — A+");
    assert_eq!(choices[0]["value"], "The Godfather (1972)");

    // Nothing found: an ephemeral reply naming the closest titles.
    fake.dispatch(
        "INTERACTION_CREATE",
        slash_command(4005, "review", json!([opt("title", 3, "xqzv wplk")]), &ctx),
    )
    .await;
    let reply = fake
        .wait_for("the not-found reply", callback_of(4005), WAIT)
        .await;
    assert_eq!(reply.body["data"]["flags"], 64);
    assert!(reply.body["data"]["content"]
        .as_str()
        .unwrap()
        .starts_with("No review matches"));

    // /random: an A-grade pick with an "Another one" button that swaps the card.
    fake.dispatch(
        "INTERACTION_CREATE",
        slash_command(4006, "random", json!([]), &ctx),
    )
    .await;
    let reply = fake
        .wait_for("the /random reply", callback_of(4006), WAIT)
        .await;
    let grade = reply.body["data"]["embeds"][0]["fields"][0]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(["A+", "A", "A-"].contains(&grade.as_str()), "{grade}");
    let button = &reply.body["data"]["components"][0]["components"][1];
    assert_eq!(button["label"], "Another one");
    let message = fake_discord::bot_message(9002, 5000, &reply.body["data"]);
    fake.dispatch(
        "INTERACTION_CREATE",
        component(
            4007,
            button["custom_id"].as_str().unwrap(),
            2,
            vec![],
            message,
            &ctx,
        ),
    )
    .await;
    let reply = fake
        .wait_for("the button's update", callback_of(4007), WAIT)
        .await;
    assert_eq!(reply.body["type"], 7);

    assert_no_violations(&fake, &bot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dev_guild_gets_the_commands_instead_of_everyone() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, bot) = started(dir.path(), &[("MARQUEE_DEV_GUILD", "8000")]).await;
    let put = fake
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT" && r.path.contains("/commands"))
        .unwrap();
    assert_eq!(put.path, "/api/v10/applications/2000/guilds/8000/commands");
    assert_no_violations(&fake, &bot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_and_announcements_of_an_import_by_another_process() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, bot) = started(dir.path(), &[]).await;

    // A member without Manage Channels is refused, even though Discord showed the command.
    let refused = subscribe(&fake, 4101, 5000, None, SEND_MESSAGES).await;
    assert!(refused.contains("Manage Channels"), "{refused}");
    assert!(subscribe(&fake, 4102, 5000, None, MANAGE_CHANNELS)
        .await
        .contains("<#5000>"));
    assert!(subscribe(&fake, 4103, 5001, Some("A"), MANAGE_CHANNELS)
        .await
        .contains("A or better"));
    // 5002 is subscribed and then unsubscribed: it must get nothing.
    subscribe(&fake, 4104, 5002, None, MANAGE_CHANNELS).await;
    let ctx = Ctx::guild(8000, 5002, 6000, MANAGE_CHANNELS);
    fake.dispatch(
        "INTERACTION_CREATE",
        slash_command(4105, "unsubscribe", json!([]), &ctx),
    )
    .await;
    fake.wait_for("the /unsubscribe reply", callback_of(4105), WAIT)
        .await;
    let ctx = Ctx::guild(8000, 5000, 6000, MANAGE_CHANNELS);
    fake.dispatch(
        "INTERACTION_CREATE",
        slash_command(4106, "subscriptions", json!([]), &ctx),
    )
    .await;
    let list = fake
        .wait_for("the /subscriptions reply", callback_of(4106), WAIT)
        .await;
    let text = list.body["data"]["content"].as_str().unwrap();
    assert!(
        text.contains("<#5000>") && text.contains("<#5001>") && !text.contains("<#5002>"),
        "{text}"
    );

    // Nothing from the back catalogue is announced by subscribing.
    let new = dir.path().join("new");
    std::fs::create_dir(&new).unwrap();
    std::fs::write(new.join("b.txt"), review_text("A Fine Mess", 2024, "B")).unwrap();
    std::fs::write(new.join("a.txt"), review_text("A Triumph", 2024, "A+")).unwrap();
    let started_import = Instant::now();
    let out = import(dir.path(), &[&new]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    fake.wait_created(5001, 1, Duration::from_secs(15)).await;
    fake.wait_created(5000, 2, Duration::from_secs(15)).await;
    let latency = started_import.elapsed();
    let in_5000 = fake.created_messages(5000);
    let in_5001 = fake.created_messages(5001);
    assert_eq!(in_5000.len(), 2, "{in_5000:#?}");
    assert_eq!(in_5001.len(), 1, "{in_5001:#?}");
    assert!(fake.created_messages(5002).is_empty());
    let announced = &in_5001[0];
    assert_eq!(announced["embeds"][0]["title"], "A Triumph (2024)");
    assert_eq!(announced["embeds"][0]["author"]["name"], "New review");
    let posts: Vec<Recorded> = fake
        .requests()
        .into_iter()
        .filter(|r| r.is("POST", "/channels/"))
        .collect();
    for post in &posts {
        assert_mentions_nobody(&post.body);
        assert_eq!(post.body["enforce_nonce"], true);
        assert!(post.body["nonce"]
            .as_str()
            .is_some_and(|n| !n.is_empty() && n.len() <= 25));
        assert!(post.authorization_is(&format!("Bot {TOKEN}")));
    }
    eprintln!("import → announcements delivered in {latency:?}");
    // The bot refreshed its index: the new film can be looked up without a restart.
    fake.dispatch(
        "INTERACTION_CREATE",
        slash_command(4107, "review", json!([opt("title", 3, "a triumph")]), &ctx),
    )
    .await;
    let reply = fake
        .wait_for("the /review of the new film", callback_of(4107), WAIT)
        .await;
    assert_eq!(reply.body["data"]["embeds"][0]["title"], "A Triumph (2024)");
    assert_no_violations(&fake, &bot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_are_honoured_and_refused_channels_disabled() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, bot) = started(dir.path(), &[]).await;
    subscribe(&fake, 4201, 5000, None, MANAGE_CHANNELS).await;
    subscribe(&fake, 4202, 5003, None, MANAGE_CHANNELS).await;
    subscribe(&fake, 4203, 5004, None, MANAGE_CHANNELS).await;
    fake.script(
        "POST",
        "/channels/5004/messages",
        Scripted::error(502, 0, "Bad Gateway"),
    );
    fake.script(
        "POST",
        "/channels/5000/messages",
        Scripted::rate_limited(0.3, false),
    );
    fake.script(
        "POST",
        "/channels/5003/messages",
        Scripted::error(403, 50001, "Missing Access"),
    );

    let new = dir.path().join("new");
    std::fs::create_dir(&new).unwrap();
    std::fs::write(new.join("c.txt"), review_text("Once Again", 2023, "C")).unwrap();
    import(dir.path(), &[&new]);

    let first = fake
        .wait_for(
            "the rate-limited post",
            |r| r.is("POST", "/channels/5000/messages"),
            Duration::from_secs(15),
        )
        .await;
    assert_eq!(first.status, 429);
    let second = fake
        .wait_for(
            "the retry after the 429",
            |r| r.is("POST", "/channels/5000/messages") && r.status == 200,
            Duration::from_secs(15),
        )
        .await;
    let waited = second.received_at.duration_since(first.received_at);
    assert!(
        waited >= Duration::from_millis(300),
        "retried after {waited:?}, before retry_after"
    );
    assert_eq!(second.body["nonce"], first.body["nonce"]);
    assert_eq!(fake.created_messages(5000).len(), 1);

    fake.wait_for(
        "the refused post",
        |r| r.is("POST", "/channels/5003/messages"),
        Duration::from_secs(15),
    )
    .await;
    // The refusal disables the subscription, which /subscriptions then shows as paused.
    let ctx = Ctx::guild(8000, 5000, 6000, MANAGE_CHANNELS);
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut id = 4300;
    let text = loop {
        id += 1;
        fake.dispatch(
            "INTERACTION_CREATE",
            slash_command(id, "subscriptions", json!([]), &ctx),
        )
        .await;
        let list = fake
            .wait_for("the /subscriptions reply", callback_of(id), WAIT)
            .await;
        let text = list.body["data"]["content"].as_str().unwrap().to_owned();
        if text.contains("paused") || Instant::now() > deadline {
            break text;
        }
    };
    assert!(
        text.contains("<#5003>") && text.contains("paused") && text.contains("403"),
        "{text}"
    );
    assert!(
        bot.log().contains("subscription is now disabled"),
        "{}",
        bot.log()
    );
    assert!(fake.created_messages(5003).is_empty());

    // A 5xx is retried after a backoff, and then delivered once.
    let failed = fake
        .wait_for(
            "the 502",
            |r| r.is("POST", "/channels/5004/messages"),
            Duration::from_secs(15),
        )
        .await;
    assert_eq!(failed.status, 502);
    let retried = fake
        .wait_for(
            "the retry after the 502",
            |r| r.is("POST", "/channels/5004/messages") && r.status == 200,
            Duration::from_secs(15),
        )
        .await;
    let waited = retried.received_at.duration_since(failed.received_at);
    assert!(
        waited >= Duration::from_secs(2),
        "retried after {waited:?}, without backoff"
    );
    assert_eq!(fake.created_messages(5004).len(), 1);
    assert_no_violations(&fake, &bot);
}

/// Measures gateway event → callback received, through the fake, for the README. Asserts only
/// that every interaction was answered; timings are printed, never asserted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interaction_latency_through_the_fake() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, bot) = started(dir.path(), &[]).await;
    let ctx = Ctx::guild(8000, 5000, 6000, SEND_MESSAGES);
    let queries = [
        "vertigo",
        "the godfater",
        "king kong 1976",
        "amelie",
        "superman 2",
    ];
    let mut times = Vec::new();
    for i in 0..50u64 {
        let id = 5000 + i;
        let query = queries[i as usize % queries.len()];
        let sent = Instant::now();
        fake.dispatch(
            "INTERACTION_CREATE",
            slash_command(id, "review", json!([opt("title", 3, query)]), &ctx),
        )
        .await;
        let reply = fake
            .wait_for("a /review reply", callback_of(id), WAIT)
            .await;
        assert_eq!(reply.body["type"], 4);
        times.push(reply.received_at.duration_since(sent));
    }
    times.sort();
    eprintln!(
        "gateway INTERACTION_CREATE → callback received, n={}: median {:?}, p90 {:?}, max {:?}",
        times.len(),
        times[times.len() / 2],
        times[times.len() * 9 / 10],
        times[times.len() - 1]
    );
    assert_no_violations(&fake, &bot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_mid_delivery_neither_loses_nor_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    // The crashed process's claim on the stalled post holds for its lease (2 s here).
    let lease = [("MARQUEE__DISCORD__OUTBOX_LEASE_SECONDS", "2")];
    let (fake, bot) = started(dir.path(), &lease).await;
    subscribe(&fake, 4401, 5000, None, MANAGE_CHANNELS).await;
    // Discord creates the message, but the bot never hears back: then it crashes.
    fake.stall("POST", "/channels/5000/messages");
    let new = dir.path().join("new");
    std::fs::create_dir(&new).unwrap();
    std::fs::write(new.join("d.txt"), review_text("Mid Flight", 2022, "B")).unwrap();
    std::fs::write(new.join("e.txt"), review_text("Second Wind", 2022, "B")).unwrap();
    import(dir.path(), &[&new]);
    let stalled = fake
        .wait_for(
            "the stalled post",
            |r| r.is("POST", "/channels/5000/messages"),
            Duration::from_secs(15),
        )
        .await;
    let log = bot.crash();
    assert!(!log.contains(TOKEN));
    assert_eq!(fake.created_messages(5000).len(), 1);

    // A new process resumes the outbox: the stalled message is sent again with its nonce,
    // which Discord deduplicates, and the other one is sent once.
    let mark = fake.request_count();
    let bot = Bot::start(BIN, dir.path(), &fake, &lease).await;
    fake.wait_ready_count(2, WAIT).await;
    // Both announcements are posted again by the new process (in outbox order)...
    for (what, same) in [
        ("the stalled post, sent again", true),
        ("the other post", false),
    ] {
        fake.wait_for_since(
            mark,
            what,
            |r| {
                r.is("POST", "/channels/5000/messages")
                    && (r.body["nonce"] == stalled.body["nonce"]) == same
            },
            Duration::from_secs(15),
        )
        .await;
    }
    // ...and Discord's nonce check leaves exactly one message per review.
    let created = fake.created_messages(5000);
    assert_eq!(
        created.len(),
        2,
        "one message per review, no duplicate: {created:#?}"
    );
    assert_eq!(fake.deduplicated_count(), 1);
    assert_no_violations(&fake, &bot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_global_rate_limit_holds_every_channel() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, bot) = started(dir.path(), &[]).await;
    subscribe(&fake, 4501, 5000, None, MANAGE_CHANNELS).await;
    subscribe(&fake, 4502, 5001, None, MANAGE_CHANNELS).await;
    // The first two posts meet a global limit. Both channels are posted to at once, so the
    // second may be on its way before the bot has read the first 429: it meets one too, and
    // every post that is accepted comes after a limit lifted.
    fake.script("POST", "/channels/", Scripted::rate_limited(0.5, true));
    fake.script("POST", "/channels/", Scripted::rate_limited(0.5, true));
    let new = dir.path().join("new");
    std::fs::create_dir(&new).unwrap();
    std::fs::write(new.join("g.txt"), review_text("Held Up", 2021, "B")).unwrap();
    import(dir.path(), &[&new]);
    let limited = fake
        .wait_for(
            "the rate-limited post",
            |r| r.is("POST", "/channels/") && r.status == 429,
            Duration::from_secs(15),
        )
        .await;
    fake.wait_created(5000, 1, Duration::from_secs(15)).await;
    fake.wait_created(5001, 1, Duration::from_secs(15)).await;
    for post in fake
        .requests()
        .iter()
        .filter(|r| r.is("POST", "/channels/") && r.status == 200)
    {
        let after = post.received_at.duration_since(limited.received_at);
        assert!(
            after >= Duration::from_millis(500),
            "a post {after:?} into a global limit"
        );
    }
    assert_no_violations(&fake, &bot);
}

/// Announcements of one review to 120 channels, against a fake that enforces Discord's
/// limits: the bot paces itself to them (never more than 50 posts in any second), posts to the
/// channels concurrently, and posts each announcement exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fan_out_keeps_the_global_limit_and_posts_each_once() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, bot) = started(dir.path(), &[]).await;
    let channels: Vec<u64> = (0..120).map(|i| 9_500 + i).collect();
    subscribe_all(&fake, 12_000, &channels).await;
    fake.enforce_rate_limits(Some(RateLimits::DISCORD));
    // Each answer takes Discord 50 ms: one post at a time could not keep up with the limit.
    fake.set_latency("POST", "/channels/", Duration::from_millis(50));
    let mark = fake.request_count();
    let new = write_reviews(dir.path(), "new", &[("Everywhere", 2024, "A")]);
    import_ok(dir.path(), &new);
    fake.wait_channel_message_count(channels.len(), Duration::from_secs(60))
        .await;
    let is_post = |r: &Recorded| r.is("POST", "/channels/") && r.path.ends_with("/messages");
    // Counted where the fake received them, in windows a little under a second: a post
    // delayed on a loaded machine must not look like a burst, while a bot that did not pace
    // itself would send all 120 within a few hundred milliseconds.
    let busiest = fake.busiest_window(Duration::from_millis(900), is_post);
    assert!(
        busiest <= RateLimits::DISCORD.global,
        "{busiest} posts within 0.9 s"
    );
    for channel in &channels {
        let created = fake.created_messages(*channel);
        assert_eq!(created.len(), 1, "channel {channel}: exactly once");
        assert_eq!(created[0]["embeds"][0]["title"], "Everywhere (2024)");
    }
    assert_eq!(fake.deduplicated_count(), 0, "nothing was posted twice");
    let posts: Vec<Recorded> = fake.requests()[mark..]
        .iter()
        .filter(|r| is_post(r))
        .cloned()
        .collect();
    for post in &posts {
        assert_mentions_nobody(&post.body);
    }
    // Posts overlap: some post started while another's answer was still on its way.
    let overlapping = posts
        .windows(2)
        .any(|w| w[1].received_at.duration_since(w[0].received_at) < Duration::from_millis(50));
    assert!(overlapping, "the channels were posted to one at a time");
    eprintln!(
        "fan-out to {} channels under Discord's limits: {} posts, 429s (global, bucket) {:?}, \
         busiest second {busiest}",
        channels.len(),
        posts.len(),
        fake.rate_limited_counts()
    );
    assert_no_violations(&fake, &bot);
}

/// A channel's bucket (5 messages per 5 s) is read from the X-RateLimit headers of the answers
/// and waited out: seven reviews imported at once reach the channel without a single 429.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_channel_bucket_is_waited_out_not_run_into() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, bot) = started(dir.path(), &[]).await;
    subscribe(&fake, 4601, 5600, None, MANAGE_CHANNELS).await;
    fake.enforce_rate_limits(Some(RateLimits::DISCORD));
    let reviews: Vec<(String, i32)> = (1..=7).map(|i| (format!("Part {i}"), 2010 + i)).collect();
    let listed: Vec<(&str, i32, &str)> =
        reviews.iter().map(|(t, y)| (t.as_str(), *y, "B")).collect();
    let new = write_reviews(dir.path(), "new", &listed);
    import_ok(dir.path(), &new);
    let created = fake
        .wait_created(5600, reviews.len(), Duration::from_secs(30))
        .await;
    let mut titles = embed_titles(&created);
    titles.sort();
    let mut expected: Vec<String> = reviews.iter().map(|(t, y)| format!("{t} ({y})")).collect();
    expected.sort();
    assert_eq!(titles, expected, "each review once");
    assert_eq!(
        fake.rate_limited_counts(),
        (0, 0),
        "the bot ran into a limit instead of waiting for it"
    );
    let posts: Vec<Recorded> = fake
        .requests()
        .into_iter()
        .filter(|r| r.is("POST", "/channels/5600/messages"))
        .collect();
    assert_eq!(posts.len(), reviews.len());
    assert_no_violations(&fake, &bot);
}

// ----- browsing: /person, /top, /search, /stats -----

/// The component of a reply whose custom id starts with `prefix`.
fn control(reply: &Recorded, prefix: &str) -> Value {
    reply.body["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .find(|c| {
            c["custom_id"]
                .as_str()
                .is_some_and(|id| id.starts_with(prefix))
        })
        .unwrap_or_else(|| panic!("no {prefix} control in {:?}", reply.body))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn person_end_to_end_autocomplete_choice_pages_and_a_card() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, bot) = started_on_fixture(dir.path()).await;
    let ctx = Ctx::guild(8000, 5000, 6000, SEND_MESSAGES);

    let reply = ask(
        &fake,
        4101,
        fake_discord::autocomplete(
            4101,
            "person",
            json!([fake_discord::focused("name", 3, "lun")]),
            &ctx,
        ),
    )
    .await;
    assert_eq!(reply.body["type"], 8);
    assert_eq!(
        reply.body["data"]["choices"][0]["name"],
        "Mara Lund — director of 3, writer of 1, cast in 1"
    );

    // A shared surname: the best person's films and a menu of the others.
    let reply = ask(
        &fake,
        4102,
        slash_command(4102, "person", json!([opt("name", 3, "lund")]), &ctx),
    )
    .await;
    assert_eq!(reply.body["type"], 4);
    assert_eq!(reply.body["data"]["embeds"][0]["title"], "Mara Lund");
    let who = control(&reply, "marquee:person:who");
    assert_eq!(who["options"].as_array().unwrap().len(), 4);

    // Three pages: Next, as Discord sends it with the message the bot created.
    let reply = ask(
        &fake,
        4103,
        slash_command(
            4103,
            "person",
            json!([opt("name", 3, archive::BUSY_ACTOR)]),
            &ctx,
        ),
    )
    .await;
    let next = control(&reply, "marquee:person:next");
    let message = fake
        .original_response(&fake_discord::interaction_token(4103))
        .expect("the reply became a message");
    let page2 = ask(
        &fake,
        4104,
        component(
            4104,
            next["custom_id"].as_str().unwrap(),
            2,
            vec![],
            message,
            &ctx,
        ),
    )
    .await;
    assert_eq!(page2.body["type"], 7);
    assert_eq!(
        page2.body["data"]["embeds"][0]["footer"]["text"],
        "Page 2 of 3"
    );

    // The film menu opens a card in place.
    let menu = control(&page2, "marquee:person:film");
    let first = menu["options"][0]["value"].as_str().unwrap().to_owned();
    let message = fake_discord::bot_message(9101, 5000, &page2.body["data"]);
    let card = ask(
        &fake,
        4105,
        component(
            4105,
            menu["custom_id"].as_str().unwrap(),
            3,
            vec![first],
            message,
            &ctx,
        ),
    )
    .await;
    assert_eq!(card.body["type"], 7);
    let fields = card.body["data"]["embeds"][0]["fields"].as_array().unwrap();
    assert_eq!(fields[0]["name"], "Grade", "a review card: {card:?}");
    control(&card, "marquee:person:back");

    assert_no_violations(&fake, &bot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn top_and_search_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, bot) = started_on_fixture(dir.path()).await;
    let ctx = Ctx::guild(8000, 5000, 6000, SEND_MESSAGES);

    let reply = ask(
        &fake,
        4201,
        slash_command(4201, "top", json!([opt("decade", 4, 1970)]), &ctx),
    )
    .await;
    let embed = &reply.body["data"]["embeds"][0];
    assert_eq!(embed["title"], "Best of the 1970s");
    assert!(
        embed["description"]
            .as_str()
            .unwrap()
            .contains("**1.** Paper Moons (1975) — **A**"),
        "{embed}"
    );

    let reply = ask(
        &fake,
        4202,
        slash_command(4202, "search", json!([opt("text", 3, "starburst")]), &ctx),
    )
    .await;
    let description = reply.body["data"]["embeds"][0]["description"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(description.contains("**starburst**"), "{description}");
    assert!(
        description.contains(r"\@everyone") && description.contains(r"\<\@123\>"),
        "{description}"
    );

    // FTS syntax that SQLite would reject is searched as words.
    let reply = ask(
        &fake,
        4203,
        slash_command(
            4203,
            "search",
            json!([opt("text", 3, "masterpiece AND(")]),
            &ctx,
        ),
    )
    .await;
    assert_eq!(reply.body["type"], 4);
    assert!(reply.body["data"]["embeds"][0]["description"]
        .as_str()
        .unwrap()
        .contains("Harbour Lights"));

    assert_no_violations(&fake, &bot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_end_to_end_uploads_the_chart_as_multipart() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, bot) = started_on_fixture(dir.path()).await;
    let ctx = Ctx::guild(8000, 5000, 6000, SEND_MESSAGES);

    let reply = ask(
        &fake,
        4301,
        slash_command(4301, "stats", json!([opt("person", 3, "kyoko arai")]), &ctx),
    )
    .await;
    assert!(
        reply
            .header("content-type")
            .is_some_and(|c| c.starts_with("multipart/form-data")),
        "{:?}",
        reply.headers
    );
    // The body is the payload_json part, and it fits Discord's schema (checked below).
    assert_eq!(reply.body["type"], 4);
    let embed = &reply.body["data"]["embeds"][0];
    assert_eq!(embed["title"], "Grades: Kyôko Arai");
    assert_eq!(embed["image"]["url"], "attachment://grades.png");
    assert_eq!(
        reply.body["data"]["attachments"][0]["filename"],
        "grades.png"
    );
    assert_eq!(reply.files.len(), 1);
    let file = &reply.files[0];
    assert_eq!(file.field, "files[0]");
    assert_eq!(file.filename.as_deref(), Some("grades.png"));
    let decoder = png::Decoder::new(std::io::Cursor::new(file.bytes.clone()));
    let info = decoder.read_info().expect("a PNG").info().clone();
    assert_eq!((info.width, info.height), (800, 450));
    // Discord keeps the file as the message's attachment.
    let message = fake
        .original_response(&fake_discord::interaction_token(4301))
        .unwrap();
    assert_eq!(message["attachments"][0]["filename"], "grades.png");
    assert_eq!(message["attachments"][0]["size"], file.bytes.len());

    assert_no_violations(&fake, &bot);
}

/// `/subscribe regrades:true`: a film imported again (in another process) with another grade
/// is announced as a regrade there, and only there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_regrade_is_announced_to_channels_subscribed_with_regrades() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, bot) = started(dir.path(), &[]).await;
    let ctx = Ctx::guild(8000, 5100, 6000, MANAGE_CHANNELS);
    fake.dispatch(
        "INTERACTION_CREATE",
        slash_command(4201, "subscribe", json!([opt("regrades", 5, true)]), &ctx),
    )
    .await;
    let reply = fake
        .wait_for("the /subscribe reply", callback_of(4201), WAIT)
        .await;
    let text = reply.body["data"]["content"].as_str().unwrap_or_default();
    assert!(text.contains("regrades"), "{text}");
    subscribe(&fake, 4202, 5101, None, MANAGE_CHANNELS).await;
    fake.dispatch(
        "INTERACTION_CREATE",
        slash_command(4203, "subscriptions", json!([]), &ctx),
    )
    .await;
    let list = fake
        .wait_for("the /subscriptions reply", callback_of(4203), WAIT)
        .await;
    let list = list.body["data"]["content"].as_str().unwrap_or_default();
    let line = |channel: &str| list.lines().find(|l| l.contains(channel)).unwrap_or("");
    assert!(line("<#5100>").contains("regrades"), "{list}");
    assert!(!line("<#5101>").contains("regrades"), "{list}");

    let new = dir.path().join("new");
    std::fs::create_dir(&new).unwrap();
    let file = new.join("mess.txt");
    std::fs::write(&file, review_text("A Fine Mess", 2024, "B")).unwrap();
    assert_eq!(import(dir.path(), &[&file]).status.code(), Some(0));
    fake.wait_created(5100, 1, WAIT).await;
    fake.wait_created(5101, 1, WAIT).await;

    std::fs::write(&file, review_text("A Fine Mess", 2024, "A-")).unwrap();
    assert_eq!(import(dir.path(), &[&file]).status.code(), Some(0));
    let in_5100 = fake.wait_created(5100, 2, WAIT).await;
    let regrade = &in_5100[1];
    assert_eq!(regrade["embeds"][0]["author"]["name"], "Regraded: B → A-");
    assert_eq!(regrade["embeds"][0]["title"], "A Fine Mess (2024)");
    for post in fake
        .requests()
        .into_iter()
        .filter(|r| r.is("POST", "/channels/"))
    {
        assert_mentions_nobody(&post.body);
    }
    // The channel without regrades got the new review only.
    assert_eq!(fake.created_messages(5101).len(), 1);
    assert_no_violations(&fake, &bot);
}
