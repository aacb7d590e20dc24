//! `serve` in-process over either transport, against the fake Discord: what a test needs to
//! send the same interactions through the gateway and through the HTTP endpoint and compare.

use std::path::Path;

use ed25519_dalek::SigningKey;
use marquee::app::App;
use marquee::config::{Env, Settings};
use marquee::import::Source;
use marquee_testkit::fake_discord::{FakeDiscord, Recorded};
use serde_json::{json, Value};

use super::serve::WAIT;

const TOKEN: &str = "in-process-test-token";

/// The variables a deployment would set, and nothing from this process's environment.
pub struct Vars(pub Vec<(String, String)>);

impl Env for Vars {
    fn vars(&self) -> config::Map<String, String> {
        self.0.iter().cloned().collect()
    }
}

/// The application's key pair for HTTP interactions: the bot is given the public half, the
/// fake signs with the rest.
pub fn signing_key() -> SigningKey {
    SigningKey::from_bytes(&[42; 32])
}

/// How Discord reaches the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Gateway,
    Http,
}

/// A running app, its archive imported.
pub struct InProcess {
    pub fake: FakeDiscord,
    pub transport: Transport,
    /// The HTTP interactions endpoint (HTTP transport only).
    endpoint: Option<String>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    running: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl InProcess {
    /// Imports `sources` into a new database and starts the app on `transport`, ready to
    /// answer (over the gateway: READY and the commands registered).
    pub async fn start(transport: Transport, sources: Vec<Source>) -> InProcess {
        let dir = tempfile::tempdir().unwrap();
        let fake = FakeDiscord::start().await;
        fake.require_token(TOKEN);
        let (settings, db) = settings(dir.path(), &fake, transport, sources).await;
        let app = App::build(&settings, &db).await.unwrap();
        let endpoint = app
            .interactions_addr()
            .map(|addr| format!("http://{addr}/interactions"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let running = tokio::spawn(app.run_until(async {
            let _ = stopped.await;
        }));
        if transport == Transport::Gateway {
            fake.wait_ready_and_registered(WAIT).await;
        }
        InProcess {
            fake,
            transport,
            endpoint,
            stop: Some(stop),
            running: Some(running),
            _dir: dir,
        }
    }

    /// Sends interaction `d` as Discord would and returns the response as Discord ends up
    /// with it: over the gateway, the callback; over HTTP, the HTTP response or, when that
    /// deferred the answer, the edit of `@original` that followed (as `{"type", "data"}`,
    /// type 4 for a command's deferral, 7 for a component's).
    pub async fn ask(&self, d: &Value) -> Answer {
        let id = d["id"].as_str().unwrap_or_default().to_owned();
        match (self.transport, &self.endpoint) {
            (Transport::Http, Some(url)) => {
                let (status, body) = self.fake.post_interaction(url, &signing_key(), d).await;
                assert_eq!(status, 200, "{body}");
                let deferred = match body["type"].as_u64() {
                    Some(5) => 4,
                    Some(6) => 7,
                    _ => {
                        return Answer {
                            body,
                            files: Vec::new(),
                        }
                    }
                };
                let token = d["token"].as_str().unwrap_or_default().to_owned();
                let edit = self
                    .fake
                    .wait_for(
                        "the edit of @original",
                        |r| {
                            r.method == "PATCH"
                                && r.route().ends_with(&format!("{token}/messages/@original"))
                        },
                        WAIT,
                    )
                    .await;
                let mut data = edit.body.clone();
                if body["data"]["flags"].as_u64().unwrap_or(0) & 64 != 0 {
                    data["flags"] = json!(64);
                }
                Answer {
                    body: json!({"type": deferred, "data": data}),
                    files: edit.files.iter().map(|f| f.bytes.clone()).collect(),
                }
            }
            _ => {
                self.fake.dispatch("INTERACTION_CREATE", d.clone()).await;
                let reply: Recorded = self
                    .fake
                    .wait_for(
                        "the callback",
                        |r| r.is("POST", &format!("/interactions/{id}/")),
                        WAIT,
                    )
                    .await;
                Answer {
                    body: reply.body.clone(),
                    files: reply.files.iter().map(|f| f.bytes.clone()).collect(),
                }
            }
        }
    }

    /// Stops the app, which must end cleanly having sent Discord nothing it refuses.
    pub async fn stop(mut self) {
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

/// An interaction's response as Discord has it, and the files uploaded with it.
pub struct Answer {
    pub body: Value,
    pub files: Vec<Vec<u8>>,
}

async fn settings(
    dir: &Path,
    fake: &FakeDiscord,
    transport: Transport,
    sources: Vec<Source>,
) -> (Settings, String) {
    let url = format!("sqlite://{}", dir.join("bot.db").display());
    let store = marquee::store::Store::open(&url, true).await.unwrap();
    marquee::import::import_sources(&store, sources, |_| {})
        .await
        .unwrap();
    store.close().await;
    let mut vars = vec![
        ("DISCORD_TOKEN", TOKEN.to_owned()),
        ("DISCORD_API_BASE", fake.api_base()),
        ("DATABASE_URL", url.clone()),
    ];
    if transport == Transport::Http {
        vars.extend([
            (
                "DISCORD_PUBLIC_KEY",
                hex::encode(signing_key().verifying_key().to_bytes()),
            ),
            ("MARQUEE__SERVE__TRANSPORT", "http".into()),
            ("MARQUEE__SERVE__LISTEN", "127.0.0.1:0".into()),
        ]);
    }
    let vars = Vars(vars.into_iter().map(|(k, v)| (k.to_owned(), v)).collect());
    (Settings::load(dir, &vars).unwrap(), url)
}
