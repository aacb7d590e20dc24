//! `serve` as an app, started in-process: built, run until stopped, its tasks supervised.
//! Against a fake Discord on 127.0.0.1, with its own database.

use std::path::Path;
use std::time::Duration;

use marquee::app::App;
use marquee::config::Settings;
use marquee_testkit::fake_discord::{opt, slash_command, Ctx, FakeDiscord};
use serde_json::json;

use crate::support::archive;
use crate::support::inproc::Vars;
use crate::support::serve::{metrics_with, stop_app};

const TOKEN: &str = "in-process-test-token";
const WAIT: Duration = Duration::from_secs(20);

/// Settings for a bot on `dir/bot.db` talking to `fake`, its archive imported.
async fn settings(dir: &Path, fake: &FakeDiscord) -> (Settings, String) {
    settings_with(dir, fake, &[]).await
}

async fn settings_with(
    dir: &Path,
    fake: &FakeDiscord,
    extra: &[(&str, &str)],
) -> (Settings, String) {
    let url = format!("sqlite://{}", dir.join("bot.db").display());
    let store = marquee::store::Store::open(&url, true).await.unwrap();
    marquee::import::import_sources(&store, archive::sources(), |_| {})
        .await
        .unwrap();
    store.close().await;
    let mut vars = Vars(vec![
        ("DISCORD_TOKEN".into(), TOKEN.into()),
        ("DISCORD_API_BASE".into(), fake.api_base()),
        ("DATABASE_URL".into(), url.clone()),
        (
            "MARQUEE__DISCORD__ANNOUNCE_INTERVAL_SECONDS".into(),
            "1".into(),
        ),
    ]);
    vars.0
        .extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    (Settings::load(dir, &vars).unwrap(), url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_answers_then_stops_cleanly_when_told() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeDiscord::start().await;
    fake.require_token(TOKEN);
    let (settings, url) = settings(dir.path(), &fake).await;
    let app = App::build(&settings, &url).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));

    fake.wait_ready_and_registered(WAIT).await;
    let ctx = Ctx::guild(8000, 5000, 6000, 1 << 11);
    let film = &archive::films()[0];
    fake.dispatch(
        "INTERACTION_CREATE",
        slash_command(4001, "review", json!([opt("title", 3, film.title)]), &ctx),
    )
    .await;
    let reply = fake
        .wait_for("the reply", |r| r.is("POST", "/interactions/4001/"), WAIT)
        .await;
    let title = reply.body["data"]["embeds"][0]["title"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(title.starts_with(film.title), "{title} for {}", film.title);

    stop.send(()).unwrap();
    let ended = tokio::time::timeout(WAIT, running)
        .await
        .expect("the app stops when told")
        .expect("run_until does not panic");
    assert!(ended.is_ok(), "{ended:?}");
    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_that_fails_stops_the_app_with_its_error() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeDiscord::start().await;
    // The gateway refuses this bot's token (close code 4004): the gateway task ends, and the
    // announcer and the refresher must not keep the app alive without it.
    fake.require_token("some-other-token");
    let (settings, url) = settings(dir.path(), &fake).await;
    let app = App::build(&settings, &url).await.unwrap();
    let ended = tokio::time::timeout(WAIT, app.run_until(std::future::pending()))
        .await
        .expect("a failed task ends the app");
    let err = format!("{:#}", ended.expect_err("the app reports the failure"));
    assert!(err.contains("the gateway ended"), "{err}");
    assert!(err.contains("Discord refused the token"), "{err}");
    assert!(!err.contains(TOKEN), "the token is never shown: {err}");
}

#[tokio::test]
async fn building_without_a_token_says_which_variable_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bot.db").display());
    let vars = Vars(vec![("DATABASE_URL".into(), url.clone())]);
    let settings = Settings::load(dir.path(), &vars).unwrap();
    let err = App::build(&settings, &url)
        .await
        .err()
        .expect("no token, no app");
    assert!(format!("{err:#}").contains("DISCORD_TOKEN"), "{err:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_and_metrics_are_served_on_their_own_address() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeDiscord::start().await;
    fake.require_token(TOKEN);
    let (settings, url) = settings_with(
        dir.path(),
        &fake,
        &[("MARQUEE__OPS__LISTEN", "127.0.0.1:0")],
    )
    .await;
    let app = App::build(&settings, &url).await.unwrap();
    let ops = app
        .ops_addr()
        .expect("ops.listen set: the address is bound");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    fake.wait_ready(WAIT).await;
    let ctx = Ctx::guild(8000, 5000, 6000, 1 << 11);
    for (id, title) in [
        (4101, archive::films()[0].title),
        (4102, "zzqx nothing like it"),
    ] {
        fake.dispatch(
            "INTERACTION_CREATE",
            slash_command(id, "review", json!([opt("title", 3, title)]), &ctx),
        )
        .await;
        fake.wait_for(
            "the reply",
            |r| r.is("POST", &format!("/interactions/{id}/")),
            WAIT,
        )
        .await;
    }

    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let health = http
        .get(format!("http://{ops}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let body: serde_json::Value = health.json().await.unwrap();
    assert_eq!(body["status"], "ok");

    // The reply is counted once Discord has it, just after the fake records it.
    let answered = r#"marquee_interactions_total{command="review",outcome="answered"} 2"#;
    let text = metrics_with(ops, answered).await;
    assert!(
        text.contains(r#"marquee_interaction_seconds_count{command="review"} 2"#),
        "{text}"
    );
    let films = archive::len();
    assert!(
        text.contains(&format!(
            r#"marquee_imported_files{{outcome="added"}} {films}"#
        )),
        "{text}"
    );
    assert!(
        text.contains(r#"marquee_outbox_deliveries{status="pending"} 0"#),
        "{text}"
    );

    stop.send(()).unwrap();
    let ended = tokio::time::timeout(WAIT, running).await.unwrap().unwrap();
    assert!(ended.is_ok(), "{ended:?}");
    // Stopped with the app.
    assert!(http
        .get(format!("http://{ops}/healthz"))
        .send()
        .await
        .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_gateway_a_command_that_panics_gets_the_apology_and_is_counted_panicked() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeDiscord::start().await;
    fake.require_token(TOKEN);
    let (settings, url) = settings_with(
        dir.path(),
        &fake,
        &[
            ("MARQUEE__OPS__LISTEN", "127.0.0.1:0"),
            ("MARQUEE_TEST_PANIC_IN", "random"),
        ],
    )
    .await;
    let app = App::build(&settings, &url).await.unwrap();
    let ops = app.ops_addr().expect("ops.listen set");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let mut running = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    fake.wait_ready(WAIT).await;
    let ctx = Ctx::guild(8000, 5000, 6000, 1 << 11);
    fake.dispatch(
        "INTERACTION_CREATE",
        slash_command(4301, "random", json!([]), &ctx),
    )
    .await;
    let reply = fake
        .wait_for("the apology", |r| r.is("POST", "/interactions/4301/"), WAIT)
        .await;
    assert_eq!(reply.body["data"]["flags"], 64, "{}", reply.body);
    let content = reply.body["data"]["content"].as_str().unwrap_or_default();
    assert!(
        content.starts_with("Sorry, something went wrong"),
        "{content}"
    );

    let text = metrics_with(
        ops,
        r#"marquee_interactions_total{command="random",outcome="panicked"} 1"#,
    )
    .await;
    assert!(
        !text.contains(r#"marquee_interactions_total{command="random",outcome="answered"}"#),
        "{text}"
    );
    stop_app(Some(stop), &mut running, &fake).await;
}

#[tokio::test]
async fn an_ops_address_that_cannot_be_bound_names_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let url = format!("sqlite://{}", dir.path().join("bot.db").display());
    let vars = Vars(vec![
        ("DATABASE_URL".into(), url.clone()),
        ("DISCORD_TOKEN".into(), TOKEN.into()),
        ("DISCORD_API_BASE".into(), "http://127.0.0.1:9".into()),
        ("MARQUEE__OPS__LISTEN".into(), addr.clone()),
    ]);
    let settings = Settings::load(dir.path(), &vars).unwrap();
    let err = App::build(&settings, &url)
        .await
        .err()
        .expect("the port is taken");
    let err = format!("{err:#}");
    assert!(err.contains("ops.listen") && err.contains(&addr), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shard_range_connects_just_those_shards() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeDiscord::start().await;
    fake.require_token(TOKEN);
    // Shards 1 and 2 of 3: another process would run shard 0.
    let (settings, url) = settings_with(
        dir.path(),
        &fake,
        &[
            ("MARQUEE__SERVE__SHARDS", "3"),
            ("MARQUEE__SERVE__SHARD_RANGE", "1..3"),
        ],
    )
    .await;
    let app = App::build(&settings, &url).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    // serenity starts one shard every 5 s.
    fake.wait_ready_count(2, WAIT).await;
    let mut identified: Vec<serde_json::Value> = fake
        .gateway_received()
        .into_iter()
        .filter(|p| p["op"] == 2)
        .map(|p| p["d"]["shard"].clone())
        .collect();
    identified.sort_by_key(|s| s[0].as_u64());
    assert_eq!(identified, vec![json!([1, 3]), json!([2, 3])]);

    stop.send(()).unwrap();
    let ended = tokio::time::timeout(WAIT, running).await.unwrap().unwrap();
    assert!(ended.is_ok(), "{ended:?}");
}

#[tokio::test]
async fn a_shard_range_without_a_shard_count_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bot.db").display());
    let vars = Vars(vec![
        ("DATABASE_URL".into(), url.clone()),
        ("DISCORD_TOKEN".into(), TOKEN.into()),
        ("DISCORD_API_BASE".into(), "http://127.0.0.1:9".into()),
        ("MARQUEE__SERVE__SHARD_RANGE".into(), "0..2".into()),
    ]);
    // The settings are checked as they are loaded, before anything is built.
    let err =
        Settings::load(dir.path(), &vars).expect_err("a range of an unknown number of shards");
    let err = format!("{err:#}");
    assert!(err.contains("--shard-range 0..2 needs --shards"), "{err}");
    assert!(!url.is_empty());
}
