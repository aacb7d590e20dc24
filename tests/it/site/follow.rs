//! `serve --feed`: the app (in-process) following the fake site's feed, announcing through the
//! fake Discord. A feed's first poll is quiet; a new post is announced once, with its link; an
//! unchanged feed costs a 304; failures back off while the bot keeps answering; a restart
//! re-announces nothing; an edited post is imported again; a post that is not a review is
//! skipped until it changes; two processes share the polls.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use marquee::app::App;
use marquee::config::{Env, Settings};
use marquee::review::Grade;
use marquee::store::Store;
use marquee_testkit::fake_discord::{Ctx, FakeDiscord};
use marquee_testkit::fake_site::{FakeSite, Target};

use super::helpers::{date, eventually, list_post, post, WAIT};
use crate::support::serve;

const TOKEN: &str = "feed-test-token";
const GUILD: u64 = 8100;
const CHANNEL: u64 = 5100;

/// The variables a deployment would set, and nothing from this process's environment.
struct Vars(Vec<(String, String)>);

impl Env for Vars {
    fn vars(&self) -> config::Map<String, String> {
        self.0.iter().cloned().collect()
    }
}

fn db_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("bot.db").display())
}

/// A database whose channel is subscribed to every new review (and, with `regrades`, to
/// regrades).
async fn subscribed(dir: &Path, regrades: bool) -> Store {
    subscribed_at(&db_url(dir), regrades).await
}

async fn subscribed_at(url: &str, regrades: bool) -> Store {
    let store = Store::open(url, true).await.unwrap();
    store
        .subscribe(GUILD, CHANNEL, Grade::F, 7, regrades)
        .await
        .unwrap();
    store
}

/// The app, running, following the site's feed every second.
struct Following {
    fake: FakeDiscord,
    ops: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    running: tokio::task::JoinHandle<anyhow::Result<()>>,
    next_interaction: u64,
}

impl Following {
    async fn start(dir: &Path, site: &FakeSite) -> Following {
        Following::start_on(dir, &db_url(dir), site).await
    }

    /// The app on the database at `url` (`dir` is its working directory).
    async fn start_on(dir: &Path, url: &str, site: &FakeSite) -> Following {
        let fake = FakeDiscord::start().await;
        fake.require_token(TOKEN);
        let vars = Vars(
            [
                ("DISCORD_TOKEN", TOKEN.to_owned()),
                ("DISCORD_API_BASE", fake.api_base()),
                ("DATABASE_URL", url.to_owned()),
                ("MARQUEE__DISCORD__ANNOUNCE_INTERVAL_SECONDS", "1".into()),
                ("MARQUEE__ARCHIVE__FEEDS", site.feed_url()),
                ("MARQUEE__ARCHIVE__FEED_POLL_SECONDS", "1".into()),
                ("MARQUEE__ARCHIVE__FEED_TIMEOUT_SECONDS", "1".into()),
                ("MARQUEE__OPS__LISTEN", "127.0.0.1:0".into()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        );
        let settings = Settings::load(dir, &vars).unwrap();
        let app = App::build(&settings, url).await.unwrap();
        let ops = app.ops_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let running = tokio::spawn(app.run_until(async {
            let _ = stopped.await;
        }));
        fake.wait_ready_and_registered(WAIT).await;
        Following {
            fake,
            ops,
            stop: Some(stop),
            running,
            next_interaction: 9000,
        }
    }

    /// The title of the card `/review title:query` answers with (`None`: no card).
    async fn card(&mut self, query: &str) -> Option<String> {
        self.next_interaction += 1;
        let ctx = Ctx::guild(GUILD, CHANNEL, 6000, 1 << 11);
        serve::review_card(&self.fake, self.next_interaction, &ctx, query).await
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let response = reqwest::get(format!("http://{}{path}", self.ops))
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    /// Stops the app, which must end cleanly (a feed never stops it).
    async fn stop(mut self) {
        serve::stop_app(self.stop.take(), &mut self.running, &self.fake).await;
    }
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(store.pool().unwrap())
        .await
        .unwrap()
}

/// Waits until the feed's first poll is over (what it found recorded, quietly): a post added
/// after this is news.
async fn first_poll_done(store: &Store) {
    eventually("the feed's first poll", async || {
        let done: Option<String> = sqlx::query_scalar("SELECT last_success_at FROM feeds")
            .fetch_optional(store.pool().unwrap())
            .await
            .unwrap()
            .flatten();
        done.map(drop)
    })
    .await;
}

/// Waits until the site has answered `n` more polls of its feed than `since`.
async fn polls(site: &FakeSite, since: usize, n: usize) {
    site.wait_count(
        "polls of the feed",
        since + n,
        |r| r.is("GET", "/feed/"),
        WAIT,
    )
    .await;
}

/// A feed's metric (`polls` or `items`) for one outcome, in the exposition (`None`: not
/// there).
fn feed_metric(text: &str, which: &str, feed: &str, outcome: &str) -> Option<f64> {
    let name = format!(r#"marquee_feed_{which}_total{{feed="{feed}",outcome="{outcome}"}}"#);
    text.lines()
        .find_map(|l| l.strip_prefix(&name))
        .and_then(|v| v.trim().parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_poll_is_quiet_then_a_new_post_is_announced_once_with_its_link() {
    let dir = tempfile::tempdir().unwrap();
    let store = subscribed(dir.path(), false).await;
    let site = FakeSite::start().await;
    for (i, title) in ["Gull Rock", "Salt Lamp", "The Long Watch"]
        .iter()
        .enumerate()
    {
        site.add_post(
            title,
            &post(title, 2001 + i as i32, "B"),
            date(1 + i as u32),
        );
    }
    let mut app = Following::start(dir.path(), &site).await;
    eventually("the feed's reviews stored", async || {
        (count(&store, "SELECT count(*) FROM reviews").await == 3).then_some(())
    })
    .await;
    polls(&site, site.count("/feed/"), 2).await;
    assert!(
        app.fake.created_messages(CHANNEL).is_empty(),
        "the feed's first poll announced: {:#?}",
        app.fake.created_messages(CHANNEL)
    );
    // What it recorded is findable.
    let card = app.card("salt lamp").await;
    assert!(
        card.as_deref().is_some_and(|t| t.starts_with("Salt Lamp")),
        "{card:?}"
    );

    let mark = app.fake.request_count();
    let id = site.add_post("Tern Light", &post("Tern Light", 2024, "A-"), date(20));
    let sent = app
        .fake
        .wait_for_since(
            mark,
            "the announcement",
            |r| r.is("POST", &format!("/channels/{CHANNEL}/messages")),
            WAIT,
        )
        .await;
    let embed = &sent.body["embeds"][0];
    assert!(
        embed["title"].as_str().unwrap().starts_with("Tern Light"),
        "{embed}"
    );
    assert_eq!(
        embed["url"],
        site.permalink(id),
        "the card links to the post"
    );
    assert_eq!(embed["author"]["name"], "New review");
    serve::assert_mentions_nobody(&sent.body);
    // Announced once, however many polls see the post again.
    polls(&site, site.count("/feed/"), 3).await;
    assert_eq!(app.fake.created_messages(CHANNEL).len(), 1);

    let (status, text) = app.get("/metrics").await;
    assert_eq!(status, 200);
    let feed = site.feed_url();
    let fetched = feed_metric(&text, "polls", &feed, "fetched");
    assert_eq!(
        fetched,
        Some(2.0),
        "the first poll and the new post's: {text}"
    );
    let imported = feed_metric(&text, "items", &feed, "imported");
    assert_eq!(imported, Some(4.0), "{text}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unchanged_feed_is_asked_conditionally_and_its_304_reads_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = subscribed(dir.path(), false).await;
    let site = FakeSite::start().await;
    site.add_post("Gull Rock", &post("Gull Rock", 2001, "B"), date(1));
    let app = Following::start(dir.path(), &site).await;
    let first = site
        .wait_for("the first poll", |r| r.is("GET", "/feed/"), WAIT)
        .await;
    assert_eq!(first.header("if-none-match"), None);
    assert!(
        first
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with(&format!("marquee/{}", env!("CARGO_PKG_VERSION")))),
        "{first:?}"
    );
    polls(&site, 1, 3).await;
    let later: Vec<_> = site
        .requests()
        .into_iter()
        .filter(|r| r.is("GET", "/feed/"))
        .skip(1)
        .collect();
    for poll in &later {
        assert!(poll.header("if-none-match").is_some(), "{poll:?}");
        assert!(poll.header("if-modified-since").is_some(), "{poll:?}");
    }
    // One import, of the first poll: the 304s read nothing.
    assert_eq!(count(&store, "SELECT count(*) FROM imports").await, 1);
    let (_, text) = app.get("/metrics").await;
    let not_modified = feed_metric(&text, "polls", &site.feed_url(), "not_modified");
    assert!(not_modified.is_some_and(|n| n >= 3.0), "{text}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_or_hanging_feed_backs_off_and_the_bot_keeps_answering() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&db_url(dir.path()), true).await.unwrap();
    // Something to look up meanwhile, imported from a file.
    let file = dir.path().join("lamp.txt");
    std::fs::write(&file, serve::review_text("The Harbour Lamp", 1999, "B")).unwrap();
    let out = serve::import(dir.path(), &[&file]);
    assert!(out.status.success(), "{out:?}");
    let site = FakeSite::start().await;
    site.add_post("Gull Rock", &post("Gull Rock", 2001, "B"), date(1));
    site.set_failing(Target::Feed, true);
    let mut app = Following::start(dir.path(), &site).await;

    let failures = |n: i64| {
        let store = store.clone();
        async move {
            let state: (i64, Option<String>, String, String) =
                eventually("the failures", async || {
                    let row: Option<(i64, Option<String>, String, String)> = sqlx::query_as(
                        "SELECT consecutive_failures, last_error, last_attempt_at, next_poll_at
                     FROM feeds",
                    )
                    .fetch_optional(store.pool().unwrap())
                    .await
                    .unwrap();
                    row.filter(|r| r.0 >= n)
                })
                .await;
            state
        }
    };
    let (n, error, attempt, next) = failures(2).await;
    assert_eq!(n, 2);
    assert!(
        error.as_deref().is_some_and(|e| e.contains("HTTP 500")),
        "{error:?}"
    );
    // The next poll waits twice as long for each failure in a row: 4 s after two.
    let gap = chrono::DateTime::parse_from_rfc3339(&next).unwrap()
        - chrono::DateTime::parse_from_rfc3339(&attempt).unwrap();
    assert!(gap >= chrono::Duration::seconds(4), "{attempt} → {next}");
    // The bot answers meanwhile, and says it is healthy.
    let card = app.card("harbour lamp").await;
    assert!(
        card.as_deref()
            .is_some_and(|t| t.starts_with("The Harbour Lamp")),
        "{card:?}"
    );
    assert_eq!(app.get("/healthz").await.0, 200);

    // Now the site hangs: the poll times out (1 s here), and that is a failure too.
    site.set_failing(Target::Feed, false);
    site.set_hanging(true);
    let (n, error, attempt, next) = failures(3).await;
    assert!(
        error.as_deref().is_some_and(|e| e.contains("timed out")),
        "{n}: {error:?}"
    );
    let gap = chrono::DateTime::parse_from_rfc3339(&next).unwrap()
        - chrono::DateTime::parse_from_rfc3339(&attempt).unwrap();
    assert!(gap >= chrono::Duration::seconds(8), "{attempt} → {next}");
    let card = app.card("harbour lamp").await;
    assert!(card.is_some(), "the bot answers while the site hangs");
    let (_, text) = app.get("/metrics").await;
    let failed = feed_metric(&text, "polls", &site.feed_url(), "failed");
    assert_eq!(failed, Some(3.0), "{text}");
    site.set_hanging(false);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_re_announces_nothing_and_asks_conditionally() {
    let dir = tempfile::tempdir().unwrap();
    let store = subscribed(dir.path(), false).await;
    let site = FakeSite::start().await;
    site.add_post("Gull Rock", &post("Gull Rock", 2001, "B"), date(1));
    let app = Following::start(dir.path(), &site).await;
    first_poll_done(&store).await;
    site.add_post("Tern Light", &post("Tern Light", 2024, "A-"), date(2));
    app.fake.wait_created(CHANNEL, 1, WAIT).await;
    eventually("the announcement sent", async || {
        (count(
            &store,
            "SELECT count(*) FROM deliveries WHERE status = 'sent'",
        )
        .await
            == 1)
            .then_some(())
    })
    .await;
    app.stop().await;

    let before = site.count("/feed/");
    let again = Following::start(dir.path(), &site).await;
    polls(&site, before, 2).await;
    let first = site
        .requests()
        .into_iter()
        .filter(|r| r.is("GET", "/feed/"))
        .nth(before)
        .unwrap();
    assert!(
        first.header("if-none-match").is_some(),
        "the validators outlive the process: {first:?}"
    );
    assert!(again.fake.created_messages(CHANNEL).is_empty());
    // And after the restart a new post is news again (the first poll was not the feed's).
    site.add_post("Cormorant", &post("Cormorant", 2024, "B+"), date(3));
    let posted = again.fake.wait_created(CHANNEL, 1, WAIT).await;
    assert!(
        posted[0]["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .starts_with("Cormorant"),
        "{posted:?}"
    );
    polls(&site, site.count("/feed/"), 2).await;
    assert_eq!(again.fake.created_messages(CHANNEL).len(), 1);
    again.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_post_is_imported_again_and_its_regrade_announced() {
    let dir = tempfile::tempdir().unwrap();
    let store = subscribed(dir.path(), true).await;
    let site = FakeSite::start().await;
    let id = site.add_post("Gull Rock", &post("Gull Rock", 2001, "B"), date(1));
    let mut app = Following::start(dir.path(), &site).await;
    first_poll_done(&store).await;
    let review: i64 = eventually("the review", async || {
        sqlx::query_scalar("SELECT id FROM reviews")
            .fetch_optional(store.pool().unwrap())
            .await
            .unwrap()
    })
    .await;

    site.edit_post(id, &post("Gull Rock", 2001, "A-"));
    let posted = app.fake.wait_created(CHANNEL, 1, WAIT).await;
    assert_eq!(posted[0]["embeds"][0]["author"]["name"], "Regraded: B → A-");
    let after: (i64, String) = sqlx::query_as("SELECT id, grade FROM reviews")
        .fetch_one(store.pool().unwrap())
        .await
        .unwrap();
    assert_eq!(
        after,
        (review, "A-".to_owned()),
        "the same review, regraded"
    );
    let card = app.card("gull rock").await;
    assert!(card.is_some());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_that_is_not_a_review_is_skipped_until_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let store = subscribed(dir.path(), false).await;
    let site = FakeSite::start().await;
    site.add_post("Gull Rock", &post("Gull Rock", 2001, "B"), date(1));
    let app = Following::start(dir.path(), &site).await;
    first_poll_done(&store).await;
    let list = site.add_post("Best of the Year", &list_post(), date(2));
    let skipped: (String, String, Option<String>) = eventually("the list recorded", async || {
        sqlx::query_as("SELECT link, outcome, reason FROM feed_items WHERE outcome = 'skipped'")
            .fetch_optional(store.pool().unwrap())
            .await
            .unwrap()
    })
    .await;
    assert_eq!(skipped.0, site.permalink(list));
    assert!(
        skipped
            .2
            .as_deref()
            .is_some_and(|r| r.contains("credits header")),
        "{skipped:?}"
    );
    // A new review changes the feed: the list is seen again, unchanged, and not read again.
    site.add_post("Tern Light", &post("Tern Light", 2024, "A-"), date(3));
    app.fake.wait_created(CHANNEL, 1, WAIT).await;
    let (_, text) = app.get("/metrics").await;
    let feed = site.feed_url();
    let outcome = |o: &str| feed_metric(&text, "items", &feed, o);
    assert_eq!(outcome("skipped"), Some(1.0), "{text}");
    assert!(outcome("unchanged").is_some_and(|n| n >= 2.0), "{text}");
    // Edited, it is read again (and is still not a review).
    site.edit_post(
        list,
        &format!("{}<p>Updated with one more.</p>", list_post()),
    );
    eventually("the edited list read again", async || {
        let (_, text) = app.get("/metrics").await;
        let skipped = feed_metric(&text, "items", &feed, "skipped");
        (skipped == Some(2.0)).then_some(())
    })
    .await;
    assert_eq!(app.fake.created_messages(CHANNEL).len(), 1);
    app.stop().await;
}

/// Two apps on the database at `url`, following one feed: each poll is a second or more
/// after the one before, whichever app made it, and a new post is announced once.
async fn two_apps_share_the_polls(dir: &Path, url: &str) {
    subscribed_at(url, false).await;
    let site = FakeSite::start().await;
    site.add_post("Gull Rock", &post("Gull Rock", 2001, "B"), date(1));
    let one = Following::start_on(dir, url, &site).await;
    let two = Following::start_on(dir, url, &site).await;
    polls(&site, 0, 6).await;
    site.add_post("Tern Light", &post("Tern Light", 2024, "A-"), date(2));
    let mut announced = 0;
    let deadline = std::time::Instant::now() + WAIT;
    while announced == 0 {
        announced =
            one.fake.created_messages(CHANNEL).len() + two.fake.created_messages(CHANNEL).len();
        assert!(std::time::Instant::now() < deadline, "never announced");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    polls(&site, site.count("/feed/"), 3).await;
    let times: Vec<std::time::Instant> = site
        .requests()
        .iter()
        .filter(|r| r.is("GET", "/feed/"))
        .map(|r| r.at)
        .collect();
    // Polls are a second apart at the least, whichever process made them (a slow machine
    // only spaces them further).
    for pair in times.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap >= Duration::from_millis(800), "two polls {gap:?} apart");
    }
    assert_eq!(
        one.fake.created_messages(CHANNEL).len() + two.fake.created_messages(CHANNEL).len(),
        1,
        "announced once between them"
    );
    one.stop().await;
    two.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_database_poll_the_feed_once_per_interval_between_them() {
    let dir = tempfile::tempdir().unwrap();
    two_apps_share_the_polls(dir.path(), &db_url(dir.path())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(marquee_pg),
    ignore = "needs PostgreSQL: MARQUEE_TEST_POSTGRES=postgres://USER:PASS@HOST/postgres cargo test (.ci/run starts one)"
)]
async fn two_processes_on_one_postgresql_database_poll_the_feed_once_per_interval() {
    let dir = tempfile::tempdir().unwrap();
    let db = marquee_testkit::pg::fresh().await;
    two_apps_share_the_polls(dir.path(), &db.url).await;
    db.drop_now().await;
}
