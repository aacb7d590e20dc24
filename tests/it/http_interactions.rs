//! `serve --transport http`: the app in-process behind Discord's HTTP interactions endpoint,
//! with the fake Discord playing Discord (it signs each interaction with a test key, POSTs it
//! and takes the HTTP response as the interaction's answer) and receiving everything the bot
//! sends over REST. No gateway is involved.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ed25519_dalek::{Signer, SigningKey};
use marquee::app::App;
use marquee::config::Settings;
use marquee_testkit::fake_discord::{opt, slash_command, Ctx, FakeDiscord, Scripted};
use serde_json::{json, Value};

use crate::support::archive;
use crate::support::inproc::{signing_key, Vars};
use crate::support::serve::metrics_with;

const TOKEN: &str = "http-transport-test-token";
const WAIT: Duration = Duration::from_secs(20);
const MANAGE_CHANNELS: u64 = 1 << 4;

/// A running app on the HTTP transport, its archive imported.
struct Running {
    fake: FakeDiscord,
    url: String,
    db: String,
    /// The ops address, when the test asked for one (`MARQUEE__OPS__LISTEN`).
    ops: Option<SocketAddr>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    running: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl Running {
    async fn start(defer_after_ms: u64) -> Running {
        Running::start_with(defer_after_ms, &[]).await
    }

    /// Like [`Running::start`], with more variables set.
    async fn start_with(defer_after_ms: u64, extra: &[(&str, &str)]) -> Running {
        let dir = tempfile::tempdir().unwrap();
        let fake = FakeDiscord::start().await;
        fake.require_token(TOKEN);
        let (settings, db) = settings(dir.path(), &fake, defer_after_ms, extra).await;
        let app = App::build(&settings, &db).await.unwrap();
        let addr: SocketAddr = app.interactions_addr().expect("the endpoint is bound");
        let ops = app.ops_addr();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let running = tokio::spawn(app.run_until(async {
            let _ = stopped.await;
        }));
        Running {
            fake,
            url: format!("http://{addr}/interactions"),
            db,
            ops,
            stop: Some(stop),
            running: Some(running),
            _dir: dir,
        }
    }

    async fn post(&self, d: &Value) -> (u16, Value) {
        self.fake
            .post_interaction(&self.url, &signing_key(), d)
            .await
    }

    /// Waits for the app to end by itself, and returns how it ended.
    async fn ended(mut self) -> anyhow::Result<()> {
        let running = self.running.take().expect("running");
        tokio::time::timeout(WAIT, running)
            .await
            .expect("the app ends by itself")
            .expect("run_until does not panic")
    }

    /// Stops the app and checks it ended cleanly and sent Discord nothing out of spec.
    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(running) = self.running.take() {
            let ended = tokio::time::timeout(WAIT, running)
                .await
                .expect("the app stops when told")
                .expect("run_until does not panic");
            assert!(ended.is_ok(), "{ended:?}");
        }
        assert!(
            self.fake.violations().is_empty(),
            "{:#?}",
            self.fake.violations()
        );
    }
}

async fn settings(
    dir: &Path,
    fake: &FakeDiscord,
    defer_after_ms: u64,
    extra: &[(&str, &str)],
) -> (Settings, String) {
    let url = format!("sqlite://{}", dir.join("bot.db").display());
    let store = marquee::store::Store::open(&url, true).await.unwrap();
    marquee::import::import_sources(&store, archive::sources(), |_| {})
        .await
        .unwrap();
    store.close().await;
    let public = hex::encode(signing_key().verifying_key().to_bytes());
    let vars = Vars(
        [
            ("DISCORD_TOKEN", TOKEN.to_string()),
            ("DISCORD_API_BASE", fake.api_base()),
            ("DISCORD_PUBLIC_KEY", public),
            ("DATABASE_URL", url.clone()),
            ("MARQUEE__SERVE__TRANSPORT", "http".into()),
            ("MARQUEE__SERVE__LISTEN", "127.0.0.1:0".into()),
            ("MARQUEE__SERVE__DEFER_AFTER_MS", defer_after_ms.to_string()),
        ]
        .into_iter()
        .chain(extra.iter().map(|(k, v)| (*k, v.to_string())))
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
    );
    (Settings::load(dir, &vars).unwrap(), url)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// POSTs `body` with the given signature headers, as an attacker could.
async fn post_raw(
    url: &str,
    signature: Option<String>,
    timestamp: Option<String>,
    body: &str,
) -> u16 {
    let mut request = client()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(signature) = signature {
        request = request.header("x-signature-ed25519", signature);
    }
    if let Some(timestamp) = timestamp {
        request = request.header("x-signature-timestamp", timestamp);
    }
    request.send().await.unwrap().status().as_u16()
}

fn sign(key: &SigningKey, timestamp: &str, body: &str) -> String {
    hex::encode(key.sign(format!("{timestamp}{body}").as_bytes()).to_bytes())
}

fn guild() -> Ctx {
    Ctx::guild(8000, 5000, 6000, MANAGE_CHANNELS)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ping_is_answered_with_a_pong_and_the_commands_are_registered_without_a_gateway() {
    let app = Running::start(2000).await;
    let ping = json!({"id": "1", "application_id": FakeDiscord::APP_ID.to_string(), "type": 1, "token": "t", "version": 1});
    let (status, body) = app.post(&ping).await;
    assert_eq!((status, body), (200, json!({"type": 1})));
    app.fake
        .wait_for(
            "the commands registered over REST",
            |r| r.method == "PUT" && r.route().ends_with("/commands"),
            WAIT,
        )
        .await;
    assert!(!app.fake.commands(None).is_empty());
    assert_eq!(app.fake.connection_count(), 0, "no gateway connection");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_is_answered_in_the_http_response() {
    let app = Running::start(2000).await;
    let film = &archive::films()[0];
    let d = slash_command(
        4001,
        "review",
        json!([opt("title", 3, film.title)]),
        &guild(),
    );
    let (status, body) = app.post(&d).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["type"], 4, "{body}");
    let title = body["data"]["embeds"][0]["title"]
        .as_str()
        .unwrap_or_default();
    assert!(title.starts_with(film.title), "{title}");
    assert_eq!(body["data"]["allowed_mentions"]["parse"], json!([]));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_forged_altered_and_stale_requests_are_refused_and_change_nothing() {
    let app = Running::start(2000).await;
    // A /subscribe that would add a subscription if it were taken.
    let d = slash_command(4101, "subscribe", json!([]), &guild());
    let body = d.to_string();
    let ts = now().to_string();
    let attacker = SigningKey::from_bytes(&[9; 32]);

    assert_eq!(post_raw(&app.url, None, None, &body).await, 401, "unsigned");
    assert_eq!(
        post_raw(
            &app.url,
            Some(sign(&attacker, &ts, &body)),
            Some(ts.clone()),
            &body
        )
        .await,
        401,
        "signed by another key"
    );
    let altered = body.replace("subscribe", "subscribe ");
    assert_eq!(
        post_raw(
            &app.url,
            Some(sign(&signing_key(), &ts, &body)),
            Some(ts.clone()),
            &altered
        )
        .await,
        401,
        "the body changed after signing"
    );
    let old = (now() - 600).to_string();
    assert_eq!(
        post_raw(
            &app.url,
            Some(sign(&signing_key(), &old, &body)),
            Some(old.clone()),
            &body
        )
        .await,
        401,
        "a replay ten minutes late"
    );
    assert_eq!(
        post_raw(&app.url, Some("not hex".into()), Some(ts.clone()), &body).await,
        401,
        "a signature that is not hex"
    );

    // Nothing was subscribed, and the bot said nothing to Discord about any of it.
    let store = marquee::store::Store::open(&app.db, false).await.unwrap();
    assert!(store.subscriptions(8000).await.unwrap().is_empty());
    let spoken: Vec<String> = app
        .fake
        .requests()
        .iter()
        .filter(|r| !r.route().ends_with("/commands") && !r.route().contains("applications/@me"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(spoken.is_empty(), "{spoken:?}");

    // Signed, but not an interaction Discord would send (an integer option given as text):
    // refused with 400, and nothing happens either.
    let mut mistyped = slash_command(
        4102,
        "random",
        json!([opt("decade", 4, "seventies")]),
        &guild(),
    );
    mistyped["data"]["options"][0]["value"] = json!("seventies");
    let (status, _) = app.post(&mistyped).await;
    assert_eq!(status, 400);

    // The same request, signed by the application's key, is taken.
    let (status, reply) = app.post(&d).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(store.subscriptions(8000).await.unwrap().len(), 1);
    store.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_http_a_command_that_panics_gets_the_apology_and_is_counted_panicked() {
    let app = Running::start_with(
        2000,
        &[
            ("MARQUEE__OPS__LISTEN", "127.0.0.1:0"),
            ("MARQUEE_TEST_PANIC_IN", "random"),
        ],
    )
    .await;
    let d = slash_command(4101, "random", json!([]), &guild());
    let (status, body) = app.post(&d).await;
    assert_eq!((status, body["type"].clone()), (200, json!(4)), "{body}");
    assert_eq!(body["data"]["flags"], 64, "{body}");
    let content = body["data"]["content"].as_str().unwrap_or_default();
    assert!(content.starts_with("Sorry, something went wrong"), "{body}");

    let ops = app.ops.expect("ops.listen set");
    let text = metrics_with(
        ops,
        r#"marquee_interactions_total{command="random",outcome="panicked"} 1"#,
    )
    .await;
    assert!(
        !text.contains(r#"marquee_interactions_total{command="random",outcome="answered"}"#),
        "{text}"
    );
    // The endpoint lives on.
    let film = &archive::films()[0];
    let d = slash_command(
        4102,
        "review",
        json!([opt("title", 3, film.title)]),
        &guild(),
    );
    let (status, body) = app.post(&d).await;
    assert_eq!((status, body["type"].clone()), (200, json!(4)), "{body}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_http_a_refused_token_on_a_reply_stops_the_app_naming_the_variable() {
    // Every command is deferred, so its answer is a REST edit of `@original`; Discord refuses
    // the token on it.
    let app = Running::start(0).await;
    app.fake.script(
        "PATCH",
        "/webhooks/",
        Scripted::error(401, 0, "401: Unauthorized"),
    );
    let film = &archive::films()[0];
    let d = slash_command(
        4111,
        "review",
        json!([opt("title", 3, film.title)]),
        &guild(),
    );
    let (status, body) = app.post(&d).await;
    assert_eq!((status, body["type"].clone()), (200, json!(5)), "{body}");
    let err = format!(
        "{:#}",
        app.ended().await.expect_err("a refused token ends serve")
    );
    assert!(err.contains("Discord refused the token"), "{err}");
    assert!(!err.contains(TOKEN), "the token is never shown: {err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_work_is_deferred_and_then_edits_the_original_response() {
    // Every command counts as slow: each is deferred, and its answer edits `@original`.
    let app = Running::start(0).await;
    let film = &archive::films()[1];
    let d = slash_command(
        4201,
        "review",
        json!([opt("title", 3, film.title)]),
        &guild(),
    );
    let (status, body) = app.post(&d).await;
    assert_eq!((status, body["type"].clone()), (200, json!(5)), "{body}");
    let token = d["token"].as_str().unwrap().to_owned();
    let edit = app
        .fake
        .wait_for(
            "the edit of @original",
            |r| r.method == "PATCH" && r.route().ends_with(&format!("{token}/messages/@original")),
            WAIT,
        )
        .await;
    assert_eq!(edit.status, 200);
    assert_eq!(edit.body["allowed_mentions"]["parse"], json!([]));
    let original = app.fake.original_response(&token).expect("the original");
    let title = original["embeds"][0]["title"].as_str().unwrap_or_default();
    assert!(title.starts_with(film.title), "{original}");
    assert_eq!(
        original["flags"].as_u64().unwrap_or(0) & 128,
        0,
        "no longer loading"
    );

    // A user's mistake is for their eyes only: the public "thinking" reply goes, and the
    // answer comes as an ephemeral follow-up.
    let d = slash_command(
        4202,
        "review",
        json!([opt("title", 3, "zzqx no film like this")]),
        &guild(),
    );
    let (_, body) = app.post(&d).await;
    assert_eq!(body["type"], 5);
    let token = d["token"].as_str().unwrap().to_owned();
    app.fake
        .wait_for(
            "the ephemeral follow-up",
            |r| r.method == "POST" && r.route().ends_with(&token),
            WAIT,
        )
        .await;
    let followups = app.fake.followups(&token);
    assert_eq!(followups.len(), 1, "{followups:?}");
    assert_eq!(followups[0]["flags"].as_u64().unwrap_or(0) & 64, 64);
    assert!(app.fake.original_response(&token).is_none(), "deleted");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_with_a_file_is_deferred_and_uploaded_with_the_edit() {
    let app = Running::start(2000).await;
    let d = slash_command(4301, "stats", json!([]), &guild());
    let (status, body) = app.post(&d).await;
    assert_eq!((status, body["type"].clone()), (200, json!(5)), "{body}");
    let token = d["token"].as_str().unwrap().to_owned();
    let edit = app
        .fake
        .wait_for(
            "the edit with the chart",
            |r| r.method == "PATCH" && r.route().ends_with(&format!("{token}/messages/@original")),
            WAIT,
        )
        .await;
    assert_eq!(edit.files.len(), 1, "one file uploaded");
    assert!(edit.files[0].bytes.starts_with(b"\x89PNG"), "a PNG");
    let original = app.fake.original_response(&token).expect("the original");
    assert_eq!(
        original["embeds"][0]["image"]["url"],
        json!(format!(
            "attachment://{}",
            edit.files[0].filename.clone().unwrap_or_default()
        ))
    );
    app.stop().await;
}

/// Not a check of speed (the machine is shared): prints the round trip of a signed `/review`
/// through the endpoint, for the README (`cargo test --release --test it http_interactions::
/// -- --nocapture`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_interaction_latency() {
    let app = Running::start(2000).await;
    let films = archive::films();
    let mut took = Vec::new();
    for i in 0..60u64 {
        let film = &films[(i as usize) % films.len()];
        let d = slash_command(
            5000 + i,
            "review",
            json!([opt("title", 3, film.title)]),
            &guild(),
        );
        let started = Instant::now();
        let (status, body) = app.post(&d).await;
        took.push(started.elapsed());
        assert_eq!((status, body["type"].clone()), (200, json!(4)));
    }
    // The first few warm the connection and the caches.
    let mut took = took.split_off(10);
    took.sort();
    let at = |q: f64| took[((took.len() - 1) as f64 * q).round() as usize];
    println!(
        "HTTP /review, signed POST -> response: median {:?}, p90 {:?}, max {:?} over {}",
        at(0.5),
        at(0.9),
        at(1.0),
        took.len()
    );
    app.stop().await;
}
