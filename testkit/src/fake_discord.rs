//! A fake Discord on 127.0.0.1 for end-to-end tests of a serenity bot: REST (axum) on one port,
//! the gateway (tokio-tungstenite, JSON text frames) on another. Nothing leaves loopback.
//!
//! # Pointing a bot at it
//! ```ignore
//! use marquee_testkit::fake_discord::{opt, slash_command, Ctx, FakeDiscord};
//!
//! let fake = FakeDiscord::start().await;
//! let http = serenity::http::HttpBuilder::new("test-token")
//!     .proxy(fake.api_base()) // every https://discord.com URL becomes http://127.0.0.1:PORT
//!     .ratelimiter_disabled(true) // required: with the limiter on, serenity ignores the proxy
//!     .build();
//! let mut client = serenity::all::ClientBuilder::new_with_http(http, GatewayIntents::GUILDS)
//!     .event_handler(handler)
//!     .await?;
//! tokio::spawn(async move { client.start().await });
//! fake.wait_ready(Duration::from_secs(5)).await;
//! let ctx = Ctx::guild(8000, 5000, 6000, Permissions::SEND_MESSAGES.bits());
//! let d = slash_command(4001, "review", json!([opt("title", 3, "Alien")]), &ctx);
//! fake.dispatch("INTERACTION_CREATE", d).await;
//! let reply = fake
//!     .wait_for("the reply", |r| r.is("POST", "/interactions/4001/"), Duration::from_secs(5))
//!     .await;
//! assert_eq!(reply.body["type"], 4);
//! assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
//! ```
//! `GET /gateway` answers with the fake's own `ws://127.0.0.1:PORT`, so serenity connects there.
//! Never script a failure for `GET /gateway`: serenity then falls back to Discord's real gateway.
//! If `HTTP_PROXY`/`HTTPS_PROXY` are set, reqwest would route loopback through them: unset them
//! (or set `NO_PROXY=127.0.0.1`) for such tests.
//!
//! # What it does like Discord
//! - REST answers (status codes and JSON shapes serenity 0.12.5 deserializes): `GET /gateway`,
//!   `/gateway/bot`, `/users/@me`, `/oauth2/applications/@me`; application commands (global and
//!   guild: `GET`, bulk `PUT`, `POST`, `DELETE`), echoed with `id`, `application_id`, `version`…;
//!   `POST /interactions/{id}/{token}/callback` (204); the interaction webhook (`@original`
//!   `GET`/`PATCH`/`DELETE`, follow-ups `POST`, `PATCH`/`GET`/`DELETE` by id); channel messages
//!   (`POST`, `GET`/`PATCH`/`DELETE` by id, `typing`); `POST /users/@me/channels` (DM channel).
//!   Anything else: 404 `{"code":0,"message":"404: Not Found"}`. Every error body has `code` and
//!   `message`.
//! - Uploads: a `multipart/form-data` body is read as Discord reads it; its `payload_json` is
//!   the recorded (and validated) body and its files are [`Recorded::files`]. Every file must
//!   have its `attachments` entry (same id and name) and every `attachment://NAME` in an embed
//!   an uploaded file, or [`FakeDiscord::violations`] says so. A reply with files gets them as
//!   its message's `attachments`.
//! - Discord's rules that catch real bugs: a second callback for one interaction is refused
//!   (400, code 40060); a callback later than [`FakeDiscord::set_interaction_deadline`] (3 s by
//!   default) after the fake dispatched the interaction is refused (404, code 10062), as is one
//!   with the wrong token (401, code 50027); editing `@original` before any callback is 404
//!   (code 10008); an empty message is 400 (code 50006); `enforce_nonce: true` with a nonce
//!   already used in that channel returns the existing message instead of a new one.
//! - Rate limits, once [`FakeDiscord::enforce_rate_limits`] turns them on (they are off by
//!   default): the global limit (Discord: 50 requests in any second, interaction callbacks and
//!   webhooks exempt) answers 429 `{"message","retry_after","global":true,"code":0}` with
//!   `retry-after`, `x-ratelimit-global` and `x-ratelimit-scope: global`; the per-channel bucket
//!   of `POST /channels/{id}/messages` (5 per 5 s) answers 429 with `global: false` and scope
//!   `user`; every answer on that route carries `x-ratelimit-limit`, `-remaining`, `-reset`,
//!   `-reset-after` and `-bucket`, as Discord sends them. A refused request has no effect and
//!   does not count against the limits.
//! - Gateway: HELLO on connect; IDENTIFY → READY (`s` 1, a new session); heartbeat → ACK;
//!   RESUME of a known session → RESUMED (`s` continues), of an unknown one → INVALID_SESSION
//!   (`d: false`, so serenity identifies again); the bot's close frame is answered. A restarted
//!   bot may connect again at any time and gets a new READY.
//!
//! # Secrets
//! The bot token is never stored where it could be printed: [`Recorded::headers`] holds
//! `authorization` as `"[redacted]"` and [`FakeDiscord::identify`] holds `d.token` as
//! `"[redacted]"`; compare with [`Recorded::authorization_is`] and
//! [`FakeDiscord::identify_token_is`]. Timeout panics list requests without their headers.
//!
//! # Contract checks
//! With `../shared/discord/openapi.json` present, [`FakeDiscord::violations`] checks every
//! recorded request against Discord's OpenAPI spec: the route must exist for that method and the
//! JSON body must fit its `requestBody` schema. Checks run when `violations()` is called, not
//! while the bot waits for an answer. Without the spec only the upload rules are checked (and a
//! note says the spec is missing).

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch, Notify};
use tokio::task::AbortHandle;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

use crate::openapi::Spec;

/// Every route serenity calls starts with this.
pub const API_PREFIX: &str = "/api/v10";
/// What the fake stores instead of the bot token.
pub const REDACTED: &str = "[redacted]";
/// The owner of the application (`GET /oauth2/applications/@me`).
pub const OWNER_ID: u64 = 3000;
/// The bot's permissions in the channel, sent as `app_permissions` with every interaction:
/// view channel, send messages, embed links, attach files, read history, external emojis.
pub const APP_PERMISSIONS: u64 =
    (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 18);
/// `app_permissions` of an interaction with an app installed to a user's account where the bot
/// is not a member: what a user-installed app may do there (embed links, attach files, use
/// external emojis).
pub const USER_INSTALL_APP_PERMISSIONS: u64 = (1 << 14) | (1 << 15) | (1 << 18);
/// The heartbeat interval the fake asks for (ms), long enough not to matter in a test.
pub const HEARTBEAT_INTERVAL_MS: u64 = 41250;

/// One REST request the fake received (and what it answered).
#[derive(Clone)]
pub struct Recorded {
    /// Upper case: `"POST"`.
    pub method: String,
    /// The full path without the query: `"/api/v10/channels/5000/messages"`.
    pub path: String,
    /// The query string, if any: `"wait=true"`.
    pub query: Option<String>,
    /// Header names lower case; `authorization` is `"[redacted]"`.
    pub headers: BTreeMap<String, String>,
    /// The JSON body; `Null` when there was none; for a multipart upload, its `payload_json`
    /// part; a JSON string holding the raw text when the body was neither.
    pub body: Value,
    /// The files of a multipart upload (`files[N]` parts), in order.
    pub files: Vec<Upload>,
    /// The status the fake answered with (a scripted one, when scripted); 0 when it gave no
    /// answer (a reset connection, a hang).
    pub status: u16,
    /// When the request reached the fake's handler.
    pub received_at: Instant,
    authorization: Option<String>,
}

/// A file part of a multipart request.
#[derive(Clone, Debug)]
pub struct Upload {
    /// The form field: `files[0]`.
    pub field: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl Recorded {
    /// The path without `/api/v10`: `"/channels/5000/messages"`.
    pub fn route(&self) -> &str {
        self.path.strip_prefix(API_PREFIX).unwrap_or(&self.path)
    }

    /// Whether this is `method` (any case) on a path starting with `prefix`, which may be
    /// written with or without `/api/v10`: `r.is("POST", "/interactions/4001/")`.
    pub fn is(&self, method: &str, prefix: &str) -> bool {
        self.method.eq_ignore_ascii_case(method) && self.path.starts_with(&full_path(prefix))
    }

    /// A header by (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// Whether the request carried exactly this `Authorization` value (e.g. `"Bot test-token"`),
    /// without exposing it.
    pub fn authorization_is(&self, expected: &str) -> bool {
        self.authorization.as_deref() == Some(expected)
    }
}

impl fmt::Debug for Recorded {
    /// Method, path, status and body; never the headers.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let query = self
            .query
            .as_ref()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        let mut body = self.body.to_string();
        if body.len() > 400 {
            let mut cut = 400;
            while !body.is_char_boundary(cut) {
                cut -= 1;
            }
            body.truncate(cut);
            body.push('…');
        }
        write!(
            f,
            "{} {}{} -> {} {}",
            self.method, self.path, query, self.status, body
        )
    }
}

/// A one-shot answer for the next request matching a method and path prefix
/// ([`FakeDiscord::script`]).
#[derive(Clone, Debug)]
pub struct Scripted {
    pub status: u16,
    /// Sent as JSON; `Null` sends no body.
    pub body: Value,
    pub headers: Vec<(&'static str, &'static str)>,
    /// Instead of any answer: the connection is reset, or the request hangs (status and body
    /// are then unused).
    pub fault: Option<Fault>,
}

/// A request that gets no answer at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The TCP connection is reset (`SO_LINGER` 0, so the bot sees ECONNRESET) before any byte
    /// of an answer.
    Reset,
    /// The request is read and then never answered, until the bot gives up on it.
    Hang,
}

/// Discord unreachable, for [`FakeDiscord::set_outage`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outage {
    /// Every REST request is answered with this status (502/503, as Discord's edge does), and
    /// every gateway connection is dropped before its handshake.
    Status(u16),
    /// Every REST connection is reset, and every gateway connection dropped.
    Reset,
}

/// Discord's rate limits, for [`FakeDiscord::enforce_rate_limits`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimits {
    /// At most this many requests are accepted in any `global_window` (a sliding window over
    /// the accepted requests' arrival times).
    pub global: usize,
    pub global_window: Duration,
    /// At most this many posts to one channel per bucket window, which starts with the first
    /// post after the previous one ended (Discord's bucket of `POST /channels/{id}/messages`).
    pub per_channel: u32,
    pub channel_window: Duration,
}

impl RateLimits {
    /// Discord's: 50 requests per second in all, 5 messages per 5 s in one channel.
    pub const DISCORD: RateLimits = RateLimits {
        global: 50,
        global_window: Duration::from_secs(1),
        per_channel: 5,
        channel_window: Duration::from_secs(5),
    };
}

/// The bucket id the fake gives `POST /channels/{id}/messages` (one hash for the route; the
/// channel is the bucket's major parameter), as `x-ratelimit-bucket`.
pub const MESSAGES_BUCKET: &str = "5f0c6f1e8b2d4a7c9e3b1d0a6c8e2f47";

impl Scripted {
    /// Discord's 429: body `{"message","retry_after","global","code":0}` and the headers
    /// `retry-after` (whole seconds, rounded up) and `x-ratelimit-scope`.
    pub fn rate_limited(retry_after_secs: f64, global: bool) -> Scripted {
        let whole = retry_after_secs.ceil().max(0.0) as u64;
        // The header field is `&'static str`; a handful of bytes per scripted 429 in a test.
        let header: &'static str = Box::leak(whole.to_string().into_boxed_str());
        Scripted {
            status: 429,
            body: json!({
                "message": "You are being rate limited.",
                "retry_after": retry_after_secs,
                "global": global,
                "code": 0,
            }),
            headers: vec![
                ("retry-after", header),
                ("x-ratelimit-scope", if global { "global" } else { "user" }),
            ],
            fault: None,
        }
    }

    /// An error answer with Discord's body shape.
    pub fn error(status: u16, code: u64, message: &str) -> Scripted {
        Scripted {
            status,
            body: json!({"code": code, "message": message}),
            headers: Vec::new(),
            fault: None,
        }
    }

    /// No answer: the connection is reset, and the request has no effect.
    pub fn reset() -> Scripted {
        Scripted {
            fault: Some(Fault::Reset),
            ..Scripted::error(500, 0, "reset")
        }
    }

    /// No answer: the request hangs until the bot gives up, and has no effect.
    pub fn hang() -> Scripted {
        Scripted {
            fault: Some(Fault::Hang),
            ..Scripted::error(500, 0, "hang")
        }
    }
}

/// A running fake Discord. Clones share it; dropping the last clone (or [`FakeDiscord::shutdown`])
/// stops its listeners and connections.
#[derive(Clone)]
pub struct FakeDiscord {
    shared: Arc<Shared>,
    _guard: Arc<Guard>,
}

impl FakeDiscord {
    /// The application's id (`application_id` everywhere, the commands' owner).
    pub const APP_ID: u64 = 2000;
    /// The bot user's id.
    pub const BOT_ID: u64 = 1000;

    /// REST and gateway listeners on fresh 127.0.0.1 ports, `TCP_NODELAY` on every socket.
    pub async fn start() -> FakeDiscord {
        let rest = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind REST");
        let gateway = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind gateway");
        let (shutdown, _) = watch::channel(false);
        let shared = Arc::new(Shared {
            rest_addr: rest.local_addr().unwrap(),
            gateway_addr: gateway.local_addr().unwrap(),
            state: Mutex::new(FakeState::default()),
            changed: watch::channel(0).0,
            shutdown,
            tasks: Mutex::new(Vec::new()),
            spec: spec(),
            checked: Mutex::new((0, Vec::new())),
        });

        let rest_task = tokio::spawn(accept_rest(shared.clone(), rest));
        let gateway_task = tokio::spawn(accept_gateway(shared.clone(), gateway));
        shared
            .tasks
            .lock()
            .unwrap()
            .extend([rest_task.abort_handle(), gateway_task.abort_handle()]);

        FakeDiscord {
            _guard: Arc::new(Guard(shared.clone())),
            shared,
        }
    }

    /// `"http://127.0.0.1:PORT"`: the bot's `DISCORD_API_BASE`, for `HttpBuilder::proxy`.
    pub fn api_base(&self) -> String {
        format!("http://{}", self.shared.rest_addr)
    }

    /// Stops the listeners and closes the connections (dropping the last clone does the same).
    pub fn shutdown(&self) {
        self.shared.stop();
    }

    // ----- REST -----

    /// Every REST request so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.lock().requests.clone()
    }

    /// How many REST requests arrived so far: a mark for [`FakeDiscord::wait_for_since`].
    pub fn request_count(&self) -> usize {
        self.shared.lock().requests.len()
    }

    /// The first request (already received or still to come) that `pred` accepts. Panics with
    /// `what` and the requests seen when none has come within `timeout`.
    pub async fn wait_for(
        &self,
        what: &str,
        pred: impl Fn(&Recorded) -> bool,
        timeout: Duration,
    ) -> Recorded {
        self.wait_for_since(0, what, pred, timeout).await
    }

    /// Like [`FakeDiscord::wait_for`], among the requests from index `mark` on (a value of
    /// [`FakeDiscord::request_count`] taken earlier).
    pub async fn wait_for_since(
        &self,
        mark: usize,
        what: &str,
        pred: impl Fn(&Recorded) -> bool,
        timeout: Duration,
    ) -> Recorded {
        let found = self
            .shared
            .wait_state(timeout, |st| {
                st.requests.iter().skip(mark).find(|r| pred(r)).cloned()
            })
            .await;
        match found {
            Some(r) => r,
            None => panic!(
                "timed out after {timeout:?} waiting for {what}; requests seen:\n{}",
                self.describe_requests()
            ),
        }
    }

    /// Waits until `n` requests in all match `pred`; returns them. Panics with `what` after
    /// `timeout`.
    pub async fn wait_count(
        &self,
        what: &str,
        n: usize,
        pred: impl Fn(&Recorded) -> bool,
        timeout: Duration,
    ) -> Vec<Recorded> {
        let found = self
            .shared
            .wait_state(timeout, |st| {
                let hits: Vec<Recorded> = st.requests.iter().filter(|r| pred(r)).cloned().collect();
                (hits.len() >= n).then_some(hits)
            })
            .await;
        match found {
            Some(hits) => hits,
            None => panic!("timed out after {timeout:?} waiting for {n} × {what}"),
        }
    }

    /// Queues a one-shot answer for the next request of `method` (any case) whose path starts
    /// with `path_prefix` (with or without `/api/v10`). Several queued for matching requests are
    /// used in the order queued; after them normal handling resumes. A scripted answer replaces
    /// the request's effect (a scripted 429 creates no message).
    ///
    /// Scripting `GET /gateway` is refused (a panic): when that call fails, serenity connects to
    /// Discord's real gateway instead.
    /// The next request to `method` `path_prefix` takes effect as usual (a message is created)
    /// but is never answered, as when a connection drops after Discord acted on it.
    pub fn stall(&self, method: &str, path_prefix: &str) {
        let path = full_path(path_prefix);
        self.shared
            .lock()
            .stalls
            .push((method.to_ascii_uppercase(), path, Fault::Hang));
    }

    /// The next request to `method` `path_prefix` takes effect as usual, and then its
    /// connection is reset instead of answered: Discord acted, the bot saw an error.
    pub fn lose_answer(&self, method: &str, path_prefix: &str) {
        let path = full_path(path_prefix);
        self.shared
            .lock()
            .stalls
            .push((method.to_ascii_uppercase(), path, Fault::Reset));
    }

    /// Every answer to `method` `path_prefix` waits `latency` after the request took effect
    /// (until called again; `Duration::ZERO` ends it).
    pub fn set_latency(&self, method: &str, path_prefix: &str, latency: Duration) {
        let path = full_path(path_prefix);
        let method = method.to_ascii_uppercase();
        let mut st = self.shared.lock();
        st.latencies
            .retain(|(m, p, _)| !(*m == method && *p == path));
        if !latency.is_zero() {
            st.latencies.push((method, path, latency));
        }
    }

    /// Enforces Discord's rate limits (`Some`, e.g. [`RateLimits::DISCORD`]) from now on, or
    /// stops (`None`, the default). See the module documentation for the answers.
    pub fn enforce_rate_limits(&self, limits: Option<RateLimits>) {
        let mut st = self.shared.lock();
        st.limits = limits;
        st.global_log.clear();
        st.buckets.clear();
    }

    /// How many 429s the enforced limits answered: (global, per-channel bucket).
    pub fn rate_limited_counts(&self) -> (usize, usize) {
        self.shared.lock().limited
    }

    /// How many distinct messages `POST /channels/{id}/messages` created in all channels (a
    /// post deduplicated by `enforce_nonce` created none).
    pub fn channel_message_count(&self) -> usize {
        self.shared.lock().posted
    }

    /// Waits until `POST /channels/{id}/messages` has created `n` distinct messages in all.
    /// Panics after `timeout`.
    pub async fn wait_channel_message_count(&self, n: usize, timeout: Duration) {
        let found = self
            .shared
            .wait_state(timeout, |st| (st.posted >= n).then_some(()))
            .await;
        if found.is_none() {
            panic!(
                "timed out after {timeout:?} waiting for {n} channel messages (got {})",
                self.channel_message_count()
            );
        }
    }

    /// The most requests accepted by `pred` that arrived within any `window` (half open: the
    /// requests at `t` and at `t + window` are in different windows).
    pub fn busiest_window(&self, window: Duration, pred: impl Fn(&Recorded) -> bool) -> usize {
        let times: Vec<Instant> = self
            .shared
            .lock()
            .requests
            .iter()
            .filter(|r| pred(r))
            .map(|r| r.received_at)
            .collect();
        let mut busiest = 0;
        let mut first = 0;
        for (last, at) in times.iter().enumerate() {
            while at.duration_since(times[first]) >= window {
                first += 1;
            }
            busiest = busiest.max(last + 1 - first);
        }
        busiest
    }

    /// Takes Discord down (`Some`) or brings it back (`None`). Down, every REST request but
    /// `GET /gateway` fails as the outage says (and has no effect), the bot's gateway
    /// connection is dropped without a close frame, and new gateway connections are dropped
    /// before their handshake. Sessions survive, so a bot may resume once Discord is back.
    /// `GET /gateway` keeps working: when it fails, serenity goes to Discord's real gateway.
    pub fn set_outage(&self, outage: Option<Outage>) {
        let conn = {
            let mut st = self.shared.lock();
            st.outage = outage;
            if outage.is_some() {
                st.gateway.take()
            } else {
                None
            }
        };
        if let Some(conn) = conn {
            conn.kill.notify_one();
        }
        self.shared.bump();
    }

    /// From now on REST requests must carry `Authorization: Bot <token>` (401 otherwise; the
    /// interaction webhook and callback routes and `GET /gateway` need none, as on Discord),
    /// and an IDENTIFY with another token is closed with 4004 (authentication failed).
    pub fn require_token(&self, token: &str) {
        let bare = token.strip_prefix("Bot ").unwrap_or(token);
        self.shared.lock().token = Some(bare.to_string());
    }

    pub fn script(&self, method: &str, path_prefix: &str, response: Scripted) {
        let path = full_path(path_prefix);
        assert!(
            !(method.eq_ignore_ascii_case("GET")
                && format!("{API_PREFIX}/gateway").starts_with(path.trim_end_matches('/'))),
            "scripting GET /gateway would send serenity to Discord's real gateway"
        );
        self.shared
            .lock()
            .scripts
            .push((method.to_ascii_uppercase(), path, response));
    }

    /// The distinct messages created by `POST /channels/{channel_id}/messages` (edits applied;
    /// a request deduplicated by `enforce_nonce` created none), oldest first.
    pub fn created_messages(&self, channel_id: u64) -> Vec<Value> {
        self.shared
            .lock()
            .messages
            .get(&channel_id)
            .cloned()
            .unwrap_or_default()
    }

    /// Waits until at least `n` distinct messages exist in `channel_id`; returns them all.
    pub async fn wait_created(&self, channel_id: u64, n: usize, timeout: Duration) -> Vec<Value> {
        let found = self
            .shared
            .wait_state(timeout, |st| {
                let list = st.messages.get(&channel_id).cloned().unwrap_or_default();
                (list.len() >= n).then_some(list)
            })
            .await;
        match found {
            Some(list) => list,
            None => panic!(
                "timed out after {timeout:?} waiting for {n} messages in channel {channel_id}; \
                 requests seen:\n{}",
                self.describe_requests()
            ),
        }
    }

    /// How many message creations were answered with an existing message (`enforce_nonce`).
    pub fn deduplicated_count(&self) -> usize {
        self.shared.lock().duplicates
    }

    /// The interaction's original response as it stands (after the callback and any
    /// `PATCH @original`), by interaction token.
    pub fn original_response(&self, token: &str) -> Option<Value> {
        self.shared.lock().originals.get(token).cloned()
    }

    /// The follow-up messages sent through the interaction webhook, by interaction token.
    pub fn followups(&self, token: &str) -> Vec<Value> {
        self.shared
            .lock()
            .followups
            .get(token)
            .cloned()
            .unwrap_or_default()
    }

    /// The registered commands: global with `None`, a guild's with `Some(guild_id)`.
    pub fn commands(&self, guild_id: Option<u64>) -> Vec<Value> {
        self.shared
            .lock()
            .commands
            .get(&guild_id)
            .cloned()
            .unwrap_or_default()
    }

    /// How long after [`FakeDiscord::dispatch`] of an interaction its callback is still accepted
    /// (Discord: 3 s, the default); `None` accepts callbacks at any time.
    pub fn set_interaction_deadline(&self, deadline: Option<Duration>) {
        self.shared.lock().deadline = deadline;
    }

    /// The violations among the requests so far, each as `"METHOD /path: problem"`: uploads
    /// whose files and `attachments` disagree (always checked), and, with Discord's OpenAPI
    /// spec, routes it does not have for that method and JSON bodies that break the route's
    /// request schema.
    pub fn violations(&self) -> Vec<String> {
        let spec = self.shared.spec.as_deref();
        let mut checked = self.shared.checked.lock().unwrap();
        let new: Vec<Recorded> = self.shared.lock().requests[checked.0..].to_vec();
        for r in &new {
            let target = match &r.query {
                Some(q) => format!("{}?{q}", r.path),
                None => r.path.clone(),
            };
            for problem in spec
                .map(|s| s.violations(&r.method, &r.path, &r.body))
                .unwrap_or_default()
            {
                checked.1.push(format!("{} {target}: {problem}", r.method));
            }
            if !r.files.is_empty()
                || r.header("content-type")
                    .is_some_and(|c| c.starts_with("multipart/"))
            {
                for problem in upload_problems(&r.body, &r.files) {
                    checked.1.push(format!("{} {target}: {problem}", r.method));
                }
            }
        }
        checked.0 += new.len();
        checked.1.clone()
    }

    /// Whether Discord's spec was found, so [`FakeDiscord::violations`] means something.
    pub fn has_spec(&self) -> bool {
        self.shared.spec.is_some()
    }

    // ----- gateway -----

    /// Waits until a bot is connected to the gateway with a live session: it sent IDENTIFY and
    /// got READY (or resumed). Panics after `timeout`.
    pub async fn wait_ready(&self, timeout: Duration) {
        let ready = self
            .shared
            .wait_state(timeout, |st| st.live_session().map(|_| ()))
            .await;
        if ready.is_none() {
            panic!(
                "no bot got READY within {timeout:?}; gateway frames received: {:?}; requests:\n{}",
                self.gateway_received(),
                self.describe_requests()
            );
        }
    }

    /// Waits for READY and then for the bot's bulk registration of its commands (`PUT
    /// …/commands`), as a started bot does before it is ready for interactions.
    pub async fn wait_ready_and_registered(&self, timeout: Duration) {
        self.wait_ready(timeout).await;
        self.wait_for(
            "command registration",
            |r| r.method == "PUT" && r.path.contains("/commands"),
            timeout,
        )
        .await;
    }

    /// Waits until the fake has sent READY `n` times in all (a restarted bot's second IDENTIFY
    /// makes 2). Panics after `timeout`.
    pub async fn wait_ready_count(&self, n: u64, timeout: Duration) {
        let ready = self
            .shared
            .wait_state(timeout, |st| {
                (st.ready_count >= n && st.live_session().is_some()).then_some(())
            })
            .await;
        if ready.is_none() {
            panic!(
                "READY was not sent {n} times within {timeout:?} (sent {})",
                self.ready_count()
            );
        }
    }

    /// How many times the fake sent READY.
    pub fn ready_count(&self) -> u64 {
        self.shared.lock().ready_count
    }

    /// The last IDENTIFY payload (`{"op":2,"d":{…}}`), with `d.token` replaced by `"[redacted]"`.
    pub fn identify(&self) -> Option<Value> {
        self.shared.lock().identify.clone()
    }

    /// The gateway intents of the last IDENTIFY.
    pub fn intents(&self) -> Option<u64> {
        self.identify()?["d"]["intents"].as_u64()
    }

    /// Whether the last IDENTIFY carried this token, without exposing it. The `Bot ` prefix is
    /// ignored on both sides (serenity 0.12.5 sends `"Bot <token>"` in IDENTIFY).
    pub fn identify_token_is(&self, expected: &str) -> bool {
        let bare = |t: &str| t.strip_prefix("Bot ").unwrap_or(t).to_string();
        self.shared.lock().identify_token.as_deref().map(bare) == Some(bare(expected))
    }

    /// Every payload the bot sent on the gateway, oldest first, tokens redacted.
    pub fn gateway_received(&self) -> Vec<Value> {
        self.shared.lock().received.clone()
    }

    /// Sends `{"op":0,"s":N,"t":event,"d":d}` (a text frame) to the connected bot, `s` one more
    /// than the session's last. Waits up to 10 s for a live session first (so it can follow a
    /// reconnection), and panics without one. An `INTERACTION_CREATE` starts the interaction's
    /// callback deadline and lets the webhook routes know its channel.
    pub async fn dispatch(&self, event: &str, d: Value) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let live = self
                .shared
                .wait_state(
                    deadline.saturating_duration_since(tokio::time::Instant::now()),
                    |st| st.live_session().map(|_| ()),
                )
                .await;
            assert!(
                live.is_some(),
                "dispatch({event}): no bot is connected to the fake gateway"
            );
            let mut st = self.shared.lock();
            // The session may have gone between the wait and the lock: wait again.
            let Some((conn, session)) = st.live_session() else {
                continue;
            };
            let tx = conn.tx.clone();
            if event == "INTERACTION_CREATE" {
                st.note_interaction(&d);
            }
            let seq = st.sessions.get_mut(&session).expect("a known session");
            *seq += 1;
            let seq = *seq;
            let frame = json!({"op": 0, "s": seq, "t": event, "d": d}).to_string();
            st.history
                .entry(session)
                .or_default()
                .push((seq, frame.clone()));
            assert!(
                tx.send(Message::Text(frame)).is_ok(),
                "dispatch({event}): the gateway connection is gone"
            );
            return;
        }
    }

    /// Discord's side of an HTTP interactions endpoint: POSTs the interaction `d` to `url`,
    /// signed by `key` as Discord signs (hex Ed25519 over the timestamp and the body, in
    /// `X-Signature-Ed25519` and `X-Signature-Timestamp`), and takes a 200's JSON body as the
    /// interaction's response. That body is recorded as a `POST
    /// /interactions/{id}/{token}/callback` (so [`FakeDiscord::violations`] checks it against
    /// the spec and `wait_for` finds it) and has that route's effects: a message or a
    /// deferral becomes the original response that `@original` edits act on. Returns the
    /// status and the body (JSON, or the text as a JSON string).
    pub async fn post_interaction(
        &self,
        url: &str,
        key: &ed25519_dalek::SigningKey,
        d: &Value,
    ) -> (u16, Value) {
        use ed25519_dalek::Signer as _;
        let body = d.to_string();
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|t| t.as_secs())
            .unwrap_or(0)
            .to_string();
        let signature = key.sign(format!("{timestamp}{body}").as_bytes());
        let token = d["token"].as_str().unwrap_or_default().to_string();
        {
            let mut st = self.shared.lock();
            st.note_interaction(d);
            st.http_pending.insert(token.clone());
        }
        let answer = http_client()
            .post(url)
            .header("content-type", "application/json")
            .header("x-signature-ed25519", hex_lower(&signature.to_bytes()))
            .header("x-signature-timestamp", timestamp)
            .body(body)
            .send()
            .await
            .unwrap_or_else(|err| panic!("POST {url}: {err}"));
        let status = answer.status().as_u16();
        let text = answer.text().await.unwrap_or_default();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if status == 200 {
            let id = d["id"].as_str().unwrap_or_default().to_string();
            let received_at = Instant::now();
            let mut st = self.shared.lock();
            st.http_pending.remove(&token);
            callback(&mut st, &id, &token, &value, &[], received_at);
            st.requests.push(Recorded {
                method: "POST".into(),
                path: format!("{API_PREFIX}/interactions/{id}/{token}/callback"),
                query: None,
                headers: BTreeMap::new(),
                body: value.clone(),
                files: Vec::new(),
                status: 204,
                received_at,
                authorization: None,
            });
            drop(st);
        } else {
            self.shared.lock().http_pending.remove(&token);
        }
        self.shared.bump();
        (status, value)
    }

    /// Closes the bot's gateway connection with code 4000 (reconnectable); serenity then
    /// reconnects and resumes. Does nothing when no bot is connected.
    pub async fn disconnect_gateway(&self) {
        self.close_gateway(4000, true).await;
    }

    /// Closes the bot's gateway connection with a close frame of `code`. With
    /// `session_survives` false the fake forgets the session, as Discord does after 4007
    /// (invalid sequence) and 4009 (session timed out): a RESUME then gets INVALID_SESSION.
    /// Does nothing when no bot is connected.
    pub async fn close_gateway(&self, code: u16, session_survives: bool) {
        let conn = {
            let mut st = self.shared.lock();
            let conn = st.gateway.take();
            if let Some(session) = conn.as_ref().and_then(|c| c.session.clone()) {
                if !session_survives {
                    st.sessions.remove(&session);
                    st.history.remove(&session);
                }
            }
            conn
        };
        if let Some(conn) = conn {
            let _ = conn.tx.send(Message::Close(Some(CloseFrame {
                code: CloseCode::from(code),
                reason: "fake discord: closed".into(),
            })));
        }
        self.shared.bump();
    }

    /// Sends INVALID_SESSION (op 9) with `d: resumable` on the live connection. Not resumable,
    /// the fake forgets the session: the bot must IDENTIFY again.
    pub async fn invalidate_session(&self, resumable: bool) {
        let mut st = self.shared.lock();
        let Some((conn, session)) = st.live_session() else {
            return;
        };
        let tx = conn.tx.clone();
        if !resumable {
            st.sessions.remove(&session);
            st.history.remove(&session);
            if let Some(conn) = st.gateway.as_mut() {
                conn.session = None;
            }
        }
        drop(st);
        let _ = tx.send(text(json!({"op": 9, "d": resumable})));
        self.shared.bump();
    }

    /// Sends RECONNECT (op 7) on the live connection: the bot should resume on a new one.
    pub async fn request_reconnect(&self) {
        let tx = self.shared.lock().live_session().map(|(c, _)| c.tx.clone());
        if let Some(tx) = tx {
            let _ = tx.send(text(json!({"op": 7, "d": null})));
        }
    }

    /// The heartbeat interval (ms) sent in HELLO to connections made from now on.
    pub fn set_heartbeat_interval(&self, ms: u64) {
        self.shared.lock().heartbeat_ms = ms;
    }

    /// The current connection stops acknowledging heartbeats (a zombie connection, as when
    /// Discord's side of it died silently). Later connections are answered again.
    pub fn stop_acking_heartbeats(&self) {
        let mut st = self.shared.lock();
        st.zombie = st.gateway.as_ref().map(|c| c.id);
    }

    /// How many gateway connections the fake has accepted (handshake done) so far.
    pub fn connection_count(&self) -> u64 {
        self.shared.lock().next_conn
    }

    /// Queues a dispatch in the last session without a live connection, as Discord buffers
    /// events for a disconnected session: a RESUME replays it, a new IDENTIFY loses it. An
    /// `INTERACTION_CREATE` starts its callback deadline now.
    pub fn buffer_dispatch(&self, event: &str, d: Value) {
        let mut st = self.shared.lock();
        let Some(session) = st.last_session.clone() else {
            panic!("buffer_dispatch({event}): no session to buffer it in");
        };
        if event == "INTERACTION_CREATE" {
            st.note_interaction(&d);
        }
        let Some(seq) = st.sessions.get_mut(&session) else {
            panic!("buffer_dispatch({event}): the session is gone");
        };
        *seq += 1;
        let seq = *seq;
        let frame = json!({"op": 0, "s": seq, "t": event, "d": d}).to_string();
        st.history.entry(session).or_default().push((seq, frame));
    }

    fn describe_requests(&self) -> String {
        let requests = self.requests();
        if requests.is_empty() {
            return "  (none)".to_string();
        }
        requests
            .iter()
            .map(|r| format!("  {r:?}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

// ----- interaction payloads -----

/// Where an interaction happens: a guild channel when `guild` is set, else a DM with the user;
/// and who installed the app that gets it.
#[derive(Clone, Copy, Debug)]
pub struct Ctx {
    pub channel_id: u64,
    pub guild: Option<GuildCtx>,
    pub user_id: u64,
    /// Installed to the user's account, not to the server: the interaction carries `user` and
    /// no `member`, and `authorizing_integration_owners` names the user (type 1).
    pub user_install: bool,
}

/// The guild of an interaction and the invoking member's permissions (a decimal string on the
/// wire, as `member.permissions`).
#[derive(Clone, Copy, Debug)]
pub struct GuildCtx {
    pub guild_id: u64,
    pub permissions: u64,
}

impl Ctx {
    /// A DM between the bot and `user_id`, in channel `channel_id`.
    pub fn dm(channel_id: u64, user_id: u64) -> Ctx {
        Ctx {
            channel_id,
            guild: None,
            user_id,
            user_install: false,
        }
    }

    /// Guild channel `channel_id` of `guild_id`, a server the bot is not in, by `user_id`, who
    /// installed the app to their account.
    pub fn user_install_in_guild(guild_id: u64, channel_id: u64, user_id: u64) -> Ctx {
        Ctx {
            user_install: true,
            ..Ctx::guild(guild_id, channel_id, user_id, 0)
        }
    }

    /// A DM between `user_id` and someone else (not the bot), in channel `channel_id`, by
    /// `user_id`, who installed the app to their account (context 2, a private channel).
    pub fn user_install_in_dm(channel_id: u64, user_id: u64) -> Ctx {
        Ctx {
            user_install: true,
            ..Ctx::dm(channel_id, user_id)
        }
    }

    /// Guild channel `channel_id` of `guild_id`, invoked by `user_id` with `permissions`.
    pub fn guild(guild_id: u64, channel_id: u64, user_id: u64, permissions: u64) -> Ctx {
        Ctx {
            channel_id,
            guild: Some(GuildCtx {
                guild_id,
                permissions,
            }),
            user_id,
            user_install: false,
        }
    }
}

/// The token the payload builders give interaction `id` (the webhook routes use it).
pub fn interaction_token(id: u64) -> String {
    format!("fake-interaction-token-{id}")
}

/// The command id the fake gives a command called `name` (when registering, and in payloads).
pub fn command_id(name: &str) -> u64 {
    // FNV-1a: stable across runs.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    7_000_000 + hash % 1_000_000
}

/// A user object as Discord sends it for other users: `username` `user{id}`.
pub fn user_json(id: u64) -> Value {
    json!({
        "id": id.to_string(),
        "username": format!("user{id}"),
        "discriminator": "0",
        "global_name": null,
        "avatar": null,
        "public_flags": 0,
    })
}

/// A command option as it arrives in an interaction: `opt("title", 3, "alien")`.
pub fn opt(name: &str, kind: u8, value: impl Into<Value>) -> Value {
    json!({"name": name, "type": kind, "value": value.into()})
}

/// The focused option of an autocomplete interaction, as typed so far (`kind` 3 for strings).
pub fn focused(name: &str, kind: u8, partial: &str) -> Value {
    json!({"name": name, "type": kind, "value": partial, "focused": true})
}

/// A complete INTERACTION_CREATE `d` for slash command `name` (type 2). `options` is the
/// wire-format array (see [`opt`]), or `Null` for none.
pub fn slash_command(id: u64, name: &str, options: Value, ctx: &Ctx) -> Value {
    let mut d = interaction_base(id, 2, ctx);
    d["data"] = command_data(name, options);
    d
}

/// A complete INTERACTION_CREATE `d` for the message command `name` (a message context menu
/// command: interaction type 2, command type 3) used on `message` (see [`user_message`]).
pub fn message_command(id: u64, name: &str, message: Value, ctx: &Ctx) -> Value {
    let mut d = interaction_base(id, 2, ctx);
    let target = message["id"].as_str().unwrap_or("0").to_owned();
    d["data"] = json!({
        "id": command_id(name).to_string(),
        "name": name,
        "type": 3,
        "target_id": target,
        "resolved": {"messages": {target.clone(): message}},
    });
    d
}

/// A message `content` written by user `author_id` in channel `channel_id`, as an interaction's
/// resolved data carries it.
pub fn user_message(id: u64, channel_id: u64, author_id: u64, content: &str) -> Value {
    json!({
        "id": id.to_string(),
        "channel_id": channel_id.to_string(),
        "author": user_json(author_id),
        "content": content,
        "timestamp": now_timestamp(),
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "components": [],
        "pinned": false,
        "type": 0,
        "flags": 0,
    })
}

/// A complete INTERACTION_CREATE `d` for autocomplete of command `name` (type 4); one option
/// carries `"focused": true` (see [`focused`]).
pub fn autocomplete(id: u64, name: &str, options: Value, ctx: &Ctx) -> Value {
    let mut d = interaction_base(id, 4, ctx);
    d["data"] = command_data(name, options);
    d
}

/// A complete INTERACTION_CREATE `d` for a message component (type 3): `component_type` 2 for a
/// button (no values), 3 for a string select (with `values`), 5–8 for the other selects.
/// `message` is the message holding the component (see [`bot_message`], or a message from
/// [`FakeDiscord::created_messages`]).
pub fn component(
    id: u64,
    custom_id: &str,
    component_type: u8,
    values: Vec<String>,
    message: Value,
    ctx: &Ctx,
) -> Value {
    let mut d = interaction_base(id, 3, ctx);
    let mut data = json!({"custom_id": custom_id, "component_type": component_type});
    if component_type != 2 {
        data["values"] = json!(values);
    }
    d["data"] = data;
    d["message"] = message;
    d
}

/// A valid message authored by the bot, as Discord returns it: `body` is what the bot sent
/// (`content`, `embeds`, `components`, `flags`, `nonce`, `tts`, `message_reference`).
pub fn bot_message(id: u64, channel_id: u64, body: &Value) -> Value {
    let mut message = json!({
        "id": id.to_string(),
        "channel_id": channel_id.to_string(),
        "author": bot_user(),
        "content": body["content"].as_str().unwrap_or_default(),
        "timestamp": now_timestamp(),
        "edited_timestamp": null,
        "tts": body["tts"].as_bool().unwrap_or(false),
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": embeds_out(&body["embeds"]),
        "components": body.get("components").filter(|c| c.is_array()).cloned().unwrap_or(json!([])),
        "pinned": false,
        "type": 0,
        "flags": body["flags"].as_u64().unwrap_or(0),
    });
    if let Some(nonce) = body.get("nonce").filter(|n| !n.is_null()) {
        message["nonce"] = nonce.clone();
    }
    if let Some(reference) = body.get("message_reference").filter(|r| r.is_object()) {
        let mut reference = reference.clone();
        if reference.get("channel_id").is_none() {
            reference["channel_id"] = json!(channel_id.to_string());
        }
        message["message_reference"] = reference;
        message["type"] = json!(19);
    }
    message
}

fn interaction_base(id: u64, kind: u8, ctx: &Ctx) -> Value {
    let mut d = json!({
        "id": id.to_string(),
        "application_id": FakeDiscord::APP_ID.to_string(),
        "type": kind,
        "token": interaction_token(id),
        "version": 1,
        "channel_id": ctx.channel_id.to_string(),
        "channel": {"id": ctx.channel_id.to_string(), "type": if ctx.guild.is_some() { 0 } else { 1 }},
        "app_permissions": APP_PERMISSIONS.to_string(),
        "locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": 8_388_608,
    });
    if ctx.user_install {
        // Discord's shape for an app installed to the user's account: the user, no member
        // (the bot may not be in the server), the owner of the installation a user (type 1),
        // and what the app may do where it is not a member.
        d["user"] = user_json(ctx.user_id);
        d["authorizing_integration_owners"] = json!({"1": ctx.user_id.to_string()});
        d["app_permissions"] = json!(USER_INSTALL_APP_PERMISSIONS.to_string());
        match ctx.guild {
            Some(guild) => {
                d["guild_id"] = json!(guild.guild_id.to_string());
                d["guild_locale"] = json!("en-US");
                d["context"] = json!(0);
            }
            None => {
                d["context"] = json!(2);
                d["channel"] = json!({"id": ctx.channel_id.to_string(), "type": 1});
            }
        }
        return d;
    }
    match ctx.guild {
        Some(guild) => {
            d["guild_id"] = json!(guild.guild_id.to_string());
            d["guild_locale"] = json!("en-US");
            d["context"] = json!(0);
            d["authorizing_integration_owners"] = json!({"0": guild.guild_id.to_string()});
            d["member"] = json!({
                "user": user_json(ctx.user_id),
                "nick": null,
                "avatar": null,
                "roles": [],
                "joined_at": "2020-01-01T00:00:00.000000+00:00",
                "premium_since": null,
                "deaf": false,
                "mute": false,
                "flags": 0,
                "pending": false,
                "permissions": guild.permissions.to_string(),
                "communication_disabled_until": null,
            });
        }
        None => {
            d["context"] = json!(1);
            d["authorizing_integration_owners"] = json!({"0": "0"});
            d["user"] = user_json(ctx.user_id);
        }
    }
    d
}

fn command_data(name: &str, options: Value) -> Value {
    let options = if options.is_null() {
        json!([])
    } else {
        options
    };
    json!({"id": command_id(name).to_string(), "name": name, "type": 1, "options": options})
}

fn bot_user() -> Value {
    json!({
        "id": FakeDiscord::BOT_ID.to_string(),
        "username": "marquee-test",
        "discriminator": "0",
        "global_name": null,
        "avatar": null,
        "bot": true,
        "public_flags": 0,
    })
}

fn embeds_out(embeds: &Value) -> Value {
    let Some(embeds) = embeds.as_array() else {
        return json!([]);
    };
    embeds
        .iter()
        .map(|e| {
            let mut e = e.clone();
            if e.is_object() && e.get("type").is_none() {
                e["type"] = json!("rich");
            }
            e
        })
        .collect()
}

// ----- shared state -----

struct Shared {
    rest_addr: SocketAddr,
    gateway_addr: SocketAddr,
    state: Mutex<FakeState>,
    /// Bumped on every change a waiter may be waiting for.
    changed: watch::Sender<u64>,
    shutdown: watch::Sender<bool>,
    tasks: Mutex<Vec<AbortHandle>>,
    spec: Option<Arc<Spec>>,
    /// Requests already checked against the spec, and what was found.
    checked: Mutex<(usize, Vec<String>)>,
}

struct FakeState {
    /// Interaction tokens whose HTTP response the fake has not taken in yet (see
    /// `post_interaction`): Discord has the answer before the bot's next request about it.
    http_pending: HashSet<String>,
    requests: Vec<Recorded>,
    scripts: Vec<(String, String, Scripted)>,
    /// Requests whose effect is applied but whose answer never comes or is reset (see
    /// `stall`, `lose_answer`).
    stalls: Vec<(String, String, Fault)>,
    latencies: Vec<(String, String, Duration)>,
    outage: Option<Outage>,
    limits: Option<RateLimits>,
    /// Arrival times of the requests accepted within the last global window, oldest first.
    global_log: VecDeque<Instant>,
    /// Channel → (start of its bucket window, posts accepted in it).
    buckets: HashMap<u64, (Instant, u32)>,
    /// Distinct messages created by `POST /channels/{id}/messages`.
    posted: usize,
    /// 429s answered by the global limit, and by channel buckets.
    limited: (usize, usize),
    /// The bot token REST requests and IDENTIFY must carry, once required.
    token: Option<String>,
    heartbeat_ms: u64,
    /// The connection whose heartbeats go unanswered.
    zombie: Option<u64>,
    /// Session id → the dispatches sent in it (sequence, frame), replayed on RESUME.
    history: HashMap<String, Vec<(u64, String)>>,
    last_session: Option<String>,
    next_id: u64,
    messages: BTreeMap<u64, Vec<Value>>,
    deleted: HashSet<u64>,
    nonces: HashMap<(u64, String), Value>,
    duplicates: usize,
    /// Interaction token → original response.
    originals: HashMap<String, Value>,
    followups: HashMap<String, Vec<Value>>,
    /// Interaction token → channel, from dispatched interactions.
    interaction_channels: HashMap<String, u64>,
    /// Interaction id → (token, dispatched at).
    dispatched: HashMap<String, (String, Instant)>,
    acknowledged: HashSet<String>,
    deadline: Option<Duration>,
    commands: BTreeMap<Option<u64>, Vec<Value>>,
    dm_channels: HashMap<u64, u64>,
    gateway: Option<Conn>,
    /// Session id → last sequence number sent.
    sessions: HashMap<String, u64>,
    next_conn: u64,
    ready_count: u64,
    identify: Option<Value>,
    identify_token: Option<String>,
    received: Vec<Value>,
}

impl Default for FakeState {
    fn default() -> Self {
        FakeState {
            http_pending: HashSet::new(),
            requests: Vec::new(),
            scripts: Vec::new(),
            stalls: Vec::new(),
            latencies: Vec::new(),
            outage: None,
            limits: None,
            global_log: VecDeque::new(),
            buckets: HashMap::new(),
            posted: 0,
            limited: (0, 0),
            token: None,
            heartbeat_ms: HEARTBEAT_INTERVAL_MS,
            zombie: None,
            history: HashMap::new(),
            last_session: None,
            next_id: 1_200_000_000_000_000_000,
            messages: BTreeMap::new(),
            deleted: HashSet::new(),
            nonces: HashMap::new(),
            duplicates: 0,
            originals: HashMap::new(),
            followups: HashMap::new(),
            interaction_channels: HashMap::new(),
            dispatched: HashMap::new(),
            acknowledged: HashSet::new(),
            deadline: Some(Duration::from_secs(3)),
            commands: BTreeMap::new(),
            dm_channels: HashMap::new(),
            gateway: None,
            sessions: HashMap::new(),
            next_conn: 0,
            ready_count: 0,
            identify: None,
            identify_token: None,
            received: Vec::new(),
        }
    }
}

/// The gateway connection the fake currently talks to.
struct Conn {
    id: u64,
    tx: mpsc::UnboundedSender<Message>,
    /// Set once READY or RESUMED was sent on this connection.
    session: Option<String>,
    /// Drops the connection without a close frame.
    kill: Arc<Notify>,
}

impl FakeState {
    /// An interaction on its way to the bot: its callback deadline starts, and the webhook
    /// routes learn its channel.
    fn note_interaction(&mut self, d: &Value) {
        let id = d["id"].as_str().unwrap_or_default().to_string();
        let token = d["token"].as_str().unwrap_or_default().to_string();
        let channel = d["channel_id"]
            .as_str()
            .and_then(|c| c.parse::<u64>().ok())
            .unwrap_or(1);
        self.interaction_channels.insert(token.clone(), channel);
        self.dispatched.insert(id, (token, Instant::now()));
    }

    fn fresh_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn live_session(&self) -> Option<(&Conn, String)> {
        let conn = self.gateway.as_ref()?;
        let session = conn.session.clone()?;
        Some((conn, session))
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, FakeState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn bump(&self) {
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    fn gateway_url(&self) -> String {
        format!("ws://{}", self.gateway_addr)
    }

    /// Waits until `f` finds something in the state, or `timeout` passes (`None`).
    async fn wait_state<T>(
        &self,
        timeout: Duration,
        mut f: impl FnMut(&FakeState) -> Option<T>,
    ) -> Option<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        // Subscribing first: a change after this point wakes `changed()` below.
        let mut rx = self.changed.subscribe();
        loop {
            if let Some(found) = f(&self.lock()) {
                return Some(found);
            }
            if tokio::time::timeout_at(deadline, rx.changed())
                .await
                .is_err()
            {
                return None;
            }
        }
    }

    fn stop(&self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
        self.lock().gateway = None;
        self.bump();
    }
}

struct Guard(Arc<Shared>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// The spec, loaded once per test binary.
fn spec() -> Option<Arc<Spec>> {
    static SPEC: OnceLock<Option<Arc<Spec>>> = OnceLock::new();
    SPEC.get_or_init(|| Spec::load().map(Arc::new)).clone()
}

fn full_path(prefix: &str) -> String {
    if prefix.starts_with(API_PREFIX) {
        prefix.to_string()
    } else {
        format!("{API_PREFIX}{prefix}")
    }
}

// ----- REST -----

/// What the fake answers: status, extra headers, JSON body (`None`: no body).
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Option<Value>,
}

impl Answer {
    fn json(status: u16, body: Value) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: Some(body),
        }
    }

    fn ok(body: Value) -> Answer {
        Answer::json(200, body)
    }

    fn no_content() -> Answer {
        Answer {
            status: 204,
            headers: Vec::new(),
            body: None,
        }
    }

    fn error(status: u16, code: u64, message: &str) -> Answer {
        Answer::json(status, json!({"code": code, "message": message}))
    }

    fn not_found() -> Answer {
        Answer::error(404, 0, "404: Not Found")
    }

    fn unknown_message() -> Answer {
        Answer::error(404, 10008, "Unknown Message")
    }
}

impl From<Scripted> for Answer {
    fn from(s: Scripted) -> Answer {
        Answer {
            status: s.status,
            headers: s
                .headers
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: (!s.body.is_null()).then_some(s.body),
        }
    }
}

/// Serves REST over HTTP/1.1, one task per connection, each connection with its own
/// [`ResetSwitch`] so that a request can have its connection reset.
async fn accept_rest(shared: Arc<Shared>, listener: TcpListener) {
    while let Ok((stream, _)) = listener.accept().await {
        let _ = stream.set_nodelay(true);
        let switch = ResetSwitch(Arc::new(AtomicBool::new(false)));
        let app = axum::Router::new()
            .fallback(rest_handler)
            .with_state(shared.clone())
            .layer(axum::Extension(switch.clone()));
        let io = hyper_util::rt::TokioIo::new(Resettable {
            inner: stream,
            reset: switch.0,
        });
        let service = hyper_util::service::TowerToHyperService::new(app);
        let task = tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await;
        });
        shared.tasks.lock().unwrap().push(task.abort_handle());
    }
}

/// Set by a request whose connection must be reset; the connection's socket then fails its
/// next read or write, and closes with `SO_LINGER` 0, which sends RST.
#[derive(Clone)]
struct ResetSwitch(Arc<AtomicBool>);

struct Resettable {
    inner: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Resettable {
    fn broken(&self) -> Option<io::Error> {
        if !self.reset.load(Ordering::SeqCst) {
            return None;
        }
        let _ = self.inner.set_zero_linger();
        Some(io::Error::from(io::ErrorKind::ConnectionReset))
    }
}

impl AsyncRead for Resettable {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.broken() {
            Some(err) => Poll::Ready(Err(err)),
            None => Pin::new(&mut self.inner).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Resettable {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.broken() {
            Some(err) => Poll::Ready(Err(err)),
            None => Pin::new(&mut self.inner).poll_write(cx, buf),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.broken() {
            Some(err) => Poll::Ready(Err(err)),
            None => Pin::new(&mut self.inner).poll_flush(cx),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.broken() {
            Some(err) => Poll::Ready(Err(err)),
            None => Pin::new(&mut self.inner).poll_shutdown(cx),
        }
    }
}

/// Whether a request carries the token [`FakeDiscord::require_token`] asked for, or needs none.
fn authorized(st: &FakeState, method: &str, path: &str, authorization: Option<&str>) -> bool {
    let Some(expected) = st.token.as_deref() else {
        return true;
    };
    let route = path.strip_prefix(API_PREFIX).unwrap_or(path);
    if (method == "GET" && route.trim_end_matches('/') == "/gateway")
        || route.starts_with("/interactions/")
        || route.starts_with("/webhooks/")
    {
        return true;
    }
    authorization.and_then(|a| a.strip_prefix("Bot ")) == Some(expected)
}

async fn rest_handler(
    AxumState(shared): AxumState<Arc<Shared>>,
    axum::Extension(switch): axum::Extension<ResetSwitch>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    // A request about an interaction whose HTTP response Discord is still taking in waits
    // for it, as it would on Discord (the response reached Discord first).
    if let Some(token) = webhook_token(&path) {
        let _ = shared
            .wait_state(Duration::from_secs(5), |st| {
                (!st.http_pending.contains(token)).then_some(())
            })
            .await;
    }
    let received_at = Instant::now();
    let method = method.as_str().to_ascii_uppercase();
    let query = uri.query().map(str::to_string);
    let mut recorded_headers = BTreeMap::new();
    let mut authorization = None;
    for (name, value) in &headers {
        let name = name.as_str().to_ascii_lowercase();
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == "authorization" {
            authorization = Some(value);
            recorded_headers.insert(name, REDACTED.to_string());
        } else {
            recorded_headers.insert(name, value);
        }
    }
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let (body, files) = if body.is_empty() {
        (Value::Null, Vec::new())
    } else if content_type.starts_with("multipart/form-data") {
        match multipart(&content_type, body.clone()).await {
            Ok(parts) => parts,
            Err(err) => (
                Value::String(format!("unreadable multipart body: {err}")),
                Vec::new(),
            ),
        }
    } else {
        let json = serde_json::from_slice(&body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
        (json, Vec::new())
    };

    // What happens instead of an answer, if anything: before the effect (a scripted fault or
    // an outage: nothing happens) or after it (`stall`, `lose_answer`).
    let mut fault = None;
    let latency;
    let answer = {
        let mut st = shared.lock();
        let gateway =
            method == "GET" && path.trim_end_matches('/') == format!("{API_PREFIX}/gateway");
        let answer = match st.outage.filter(|_| !gateway) {
            Some(Outage::Status(status)) => {
                Answer::error(status, 0, "Discord is unavailable (fake outage)")
            }
            Some(Outage::Reset) => {
                fault = Some(Fault::Reset);
                Answer::no_content()
            }
            None if !authorized(&st, &method, &path, authorization.as_deref()) => {
                Answer::error(401, 0, "401: Unauthorized")
            }
            None => match rate_limit(&mut st, &method, &path, received_at) {
                Err(limited) => limited,
                Ok(bucket_headers) => {
                    let scripted = st.scripts.iter().position(|(m, prefix, _)| {
                        *m == method && path.starts_with(prefix.as_str())
                    });
                    match scripted {
                        Some(i) => {
                            let script = st.scripts.remove(i).2;
                            fault = script.fault;
                            script.into()
                        }
                        None => {
                            let mut answer = default_answer(
                                &shared,
                                &mut st,
                                &method,
                                &path,
                                &body,
                                &files,
                                received_at,
                            );
                            answer.headers.extend(bucket_headers);
                            fault = st
                                .stalls
                                .iter()
                                .position(|(m, prefix, _)| {
                                    *m == method && path.starts_with(prefix.as_str())
                                })
                                .map(|i| st.stalls.remove(i).2);
                            answer
                        }
                    }
                }
            },
        };
        latency = st
            .latencies
            .iter()
            .find(|(m, prefix, _)| *m == method && path.starts_with(prefix.as_str()))
            .map(|(_, _, l)| *l);
        st.requests.push(Recorded {
            method,
            path,
            query,
            headers: recorded_headers,
            body,
            files,
            status: if fault.is_some() { 0 } else { answer.status },
            received_at,
            authorization,
        });
        answer
    };
    shared.bump();
    if let Some(latency) = latency {
        tokio::time::sleep(latency).await;
    }
    match fault {
        // The caller sees a hung request.
        Some(Fault::Hang) => std::future::pending::<()>().await,
        // The caller sees its connection reset before any answer.
        Some(Fault::Reset) => switch.0.store(true, Ordering::SeqCst),
        None => {}
    }

    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match answer.body {
        Some(body) => (status, axum::Json(body)).into_response(),
        None => status.into_response(),
    };
    for (name, value) in answer.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// Applies [`FakeState::limits`] to a request arriving `at`: `Err` with the 429 when a limit
/// refuses it (it then counts against nothing), else `Ok` with the bucket headers its answer
/// carries (none off a bucketed route). Interaction callbacks, webhooks and `GET /gateway` are
/// exempt, as on Discord.
fn rate_limit(
    st: &mut FakeState,
    method: &str,
    path: &str,
    at: Instant,
) -> Result<Vec<(String, String)>, Answer> {
    let Some(limits) = st.limits else {
        return Ok(Vec::new());
    };
    let route = path.strip_prefix(API_PREFIX).unwrap_or(path);
    let segments: Vec<&str> = route.trim_matches('/').split('/').collect();
    if route.starts_with("/interactions/")
        || route.starts_with("/webhooks/")
        || segments.first() == Some(&"gateway")
    {
        return Ok(Vec::new());
    }
    while st
        .global_log
        .front()
        .is_some_and(|t| at.saturating_duration_since(*t) >= limits.global_window)
    {
        st.global_log.pop_front();
    }
    if st.global_log.len() >= limits.global {
        let oldest = st.global_log.front().copied().unwrap_or(at);
        let wait = (oldest + limits.global_window).saturating_duration_since(at);
        st.limited.0 += 1;
        return Err(too_many(
            wait,
            true,
            vec![
                ("x-ratelimit-global".to_string(), "true".to_string()),
                ("x-ratelimit-scope".to_string(), "global".to_string()),
            ],
        ));
    }
    let channel = match (method, segments.as_slice()) {
        ("POST", ["channels", c, "messages"]) => c.parse::<u64>().ok(),
        _ => None,
    };
    let mut headers = Vec::new();
    if let Some(channel) = channel {
        let window = limits.channel_window;
        let bucket = st.buckets.entry(channel).or_insert((at, 0));
        if at.saturating_duration_since(bucket.0) >= window {
            *bucket = (at, 0);
        }
        let reset_after = (bucket.0 + window).saturating_duration_since(at);
        let remaining = limits.per_channel.saturating_sub(bucket.1);
        let reset_at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            + reset_after;
        let bucket_headers = |remaining: u32| {
            vec![
                (
                    "x-ratelimit-limit".to_string(),
                    limits.per_channel.to_string(),
                ),
                ("x-ratelimit-remaining".to_string(), remaining.to_string()),
                (
                    "x-ratelimit-reset".to_string(),
                    format!("{:.3}", reset_at.as_secs_f64()),
                ),
                (
                    "x-ratelimit-reset-after".to_string(),
                    format!("{:.3}", reset_after.as_secs_f64()),
                ),
                (
                    "x-ratelimit-bucket".to_string(),
                    MESSAGES_BUCKET.to_string(),
                ),
            ]
        };
        if remaining == 0 {
            let mut extra = bucket_headers(0);
            extra.push(("x-ratelimit-scope".to_string(), "user".to_string()));
            st.limited.1 += 1;
            return Err(too_many(reset_after, false, extra));
        }
        bucket.1 += 1;
        headers = bucket_headers(remaining - 1);
    }
    st.global_log.push_back(at);
    Ok(headers)
}

/// Discord's 429: `retry_after` in seconds (rounded up to the millisecond) in the body, whole
/// seconds (rounded up) in `retry-after`, and `extra` headers.
fn too_many(wait: Duration, global: bool, extra: Vec<(String, String)>) -> Answer {
    let secs = (wait.as_secs_f64() * 1000.0).ceil() / 1000.0;
    let mut answer = Answer::json(
        429,
        json!({
            "message": "You are being rate limited.",
            "retry_after": secs,
            "global": global,
            "code": 0,
        }),
    );
    answer
        .headers
        .push(("retry-after".to_string(), format!("{}", secs.ceil() as u64)));
    answer.headers.extend(extra);
    answer
}

/// The default answer to a request, applying its effect on the state.
/// Reads a multipart/form-data body as Discord takes it: the `payload_json` part (the JSON
/// body) and the file parts.
async fn multipart(content_type: &str, body: Bytes) -> Result<(Value, Vec<Upload>), String> {
    let boundary = multer::parse_boundary(content_type).map_err(|e| e.to_string())?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    let mut payload = Value::Null;
    let mut files = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or_default().to_string();
        let filename = field.file_name().map(str::to_string);
        let content_type = field.content_type().map(|m| m.to_string());
        let bytes = field.bytes().await.map_err(|e| e.to_string())?;
        if name == "payload_json" {
            payload = serde_json::from_slice(&bytes).map_err(|e| format!("payload_json: {e}"))?;
        } else {
            files.push(Upload {
                field: name,
                filename,
                content_type,
                bytes: bytes.to_vec(),
            });
        }
    }
    Ok((payload, files))
}

/// What Discord checks of an upload: every `files[N]` part has an `attachments` entry with
/// id N and its file name, every entry has its part, and an embed's `attachment://NAME`
/// names an uploaded file.
fn upload_problems(body: &Value, files: &[Upload]) -> Vec<String> {
    let mut problems = Vec::new();
    let data = body.get("data").filter(|d| d.is_object()).unwrap_or(body);
    let entries: Vec<&Value> = data["attachments"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let entry_id = |e: &Value| {
        e["id"]
            .as_u64()
            .or_else(|| e["id"].as_str().and_then(|s| s.parse().ok()))
    };
    for file in files {
        let Some(n) = file
            .field
            .strip_prefix("files[")
            .and_then(|r| r.strip_suffix(']'))
            .and_then(|n| n.parse::<u64>().ok())
        else {
            problems.push(format!("multipart part `{}` is not files[N]", file.field));
            continue;
        };
        match entries.iter().find(|e| entry_id(e) == Some(n)) {
            None => problems.push(format!("files[{n}] has no attachments entry with id {n}")),
            Some(e) if e["filename"].as_str() != file.filename.as_deref() => {
                problems.push(format!(
                    "files[{n}] is named {:?} but its attachments entry says {}",
                    file.filename, e["filename"]
                ))
            }
            Some(_) => {}
        }
    }
    for e in &entries {
        let id = entry_id(e);
        if !files
            .iter()
            .any(|f| Some(f.field.clone()) == id.map(|n| format!("files[{n}]")))
        {
            problems.push(format!("attachments entry {e} has no files[N] part"));
        }
    }
    let names: Vec<&str> = files.iter().filter_map(|f| f.filename.as_deref()).collect();
    for embed in data["embeds"].as_array().into_iter().flatten() {
        for url in [&embed["image"]["url"], &embed["thumbnail"]["url"]] {
            if let Some(name) = url.as_str().and_then(|u| u.strip_prefix("attachment://")) {
                if !names.contains(&name) {
                    problems.push(format!(
                        "the embed shows attachment://{name}, which was not uploaded"
                    ));
                }
            }
        }
    }
    problems
}

fn default_answer(
    shared: &Shared,
    st: &mut FakeState,
    method: &str,
    path: &str,
    body: &Value,
    files: &[Upload],
    received_at: Instant,
) -> Answer {
    let Some(route) = path.strip_prefix(API_PREFIX) else {
        return Answer::not_found();
    };
    let segments: Vec<&str> = route.trim_matches('/').split('/').collect();
    let app = FakeDiscord::APP_ID.to_string();
    let id = |s: &str| s.parse::<u64>().ok();
    match (method, segments.as_slice()) {
        ("GET", ["gateway"]) => Answer::ok(json!({"url": shared.gateway_url()})),
        ("GET", ["gateway", "bot"]) => Answer::ok(json!({
            "url": shared.gateway_url(),
            "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
        })),
        ("GET", ["users", "@me"]) => {
            let mut user = bot_user();
            user["verified"] = json!(true);
            user["mfa_enabled"] = json!(false);
            user["flags"] = json!(0);
            user["locale"] = json!("en-US");
            Answer::ok(user)
        }
        ("GET", ["oauth2", "applications", "@me"] | ["applications", "@me"]) => {
            Answer::ok(application())
        }
        (_, ["applications", a, "commands"]) if *a == app => commands(st, method, None, body),
        (_, ["applications", a, "guilds", g, "commands"]) if *a == app => match id(g) {
            Some(g) => commands(st, method, Some(g), body),
            None => Answer::not_found(),
        },
        ("DELETE", ["applications", a, "commands", c]) if *a == app => delete_command(st, None, c),
        ("DELETE", ["applications", a, "guilds", g, "commands", c]) if *a == app => match id(g) {
            Some(g) => delete_command(st, Some(g), c),
            None => Answer::not_found(),
        },
        ("POST", ["interactions", i, token, "callback"]) => {
            callback(st, i, token, body, files, received_at)
        }
        (_, ["webhooks", a, token, "messages", "@original"]) if *a == app => {
            original(st, method, token, body)
        }
        ("POST", ["webhooks", a, token]) if *a == app => {
            let channel = st.interaction_channels.get(*token).copied().unwrap_or(1);
            let mut message = bot_message(st.fresh_id(), channel, body);
            webhook_fields(&mut message, 0);
            st.followups
                .entry(token.to_string())
                .or_default()
                .push(message.clone());
            Answer::ok(message)
        }
        (_, ["webhooks", a, token, "messages", m]) if *a == app => {
            followup(st, method, token, m, body)
        }
        ("POST", ["channels", c, "messages"]) => match id(c) {
            Some(c) => create_message(st, c, body),
            None => Answer::not_found(),
        },
        (_, ["channels", c, "messages", m]) => match (id(c), id(m)) {
            (Some(c), Some(m)) => channel_message(st, method, c, m, body),
            _ => Answer::not_found(),
        },
        ("POST", ["channels", _, "typing"]) => Answer::no_content(),
        ("POST", ["users", "@me", "channels"]) => {
            let Some(recipient) = body["recipient_id"]
                .as_str()
                .and_then(|r| r.parse::<u64>().ok())
                .or_else(|| body["recipient_id"].as_u64())
            else {
                return Answer::error(400, 50035, "Invalid Form Body");
            };
            let channel = match st.dm_channels.get(&recipient) {
                Some(c) => *c,
                None => {
                    let c = st.fresh_id();
                    st.dm_channels.insert(recipient, c);
                    c
                }
            };
            Answer::ok(json!({
                "id": channel.to_string(),
                "type": 1,
                "last_message_id": null,
                "flags": 0,
                "recipients": [user_json(recipient)],
            }))
        }
        _ => Answer::not_found(),
    }
}

/// A client for the requests the fake itself makes (to an HTTP interactions endpoint), never
/// through a proxy.
fn http_client() -> reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("a plain HTTP client")
        })
        .clone()
}

/// The interaction token in a `/webhooks/{app}/{token}…` path.
fn webhook_token(path: &str) -> Option<&str> {
    let route = path.strip_prefix(API_PREFIX)?;
    let mut segments = route.trim_start_matches('/').split('/');
    (segments.next()? == "webhooks").then_some(())?;
    segments.next()?;
    segments.next()
}

/// Now, as Discord writes a message's timestamps and as serenity's `Timestamp` (with chrono)
/// displays one: RFC 3339 in UTC, to the millisecond, `Z`.
fn now_timestamp() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn application() -> Value {
    json!({
        "id": FakeDiscord::APP_ID.to_string(),
        "name": "marquee-test",
        "icon": null,
        "description": "",
        "summary": "",
        "rpc_origins": [],
        "bot_public": true,
        "bot_require_code_grant": false,
        "verify_key": "1f0ee3e7ba0ad1e3a8f6b2c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708",
        "owner": user_json(OWNER_ID),
        "team": null,
        "flags": 0,
        "bot": bot_user(),
        "redirect_uris": [],
        "interactions_endpoint_url": null,
        "approximate_guild_count": 1,
    })
}

/// `GET`, bulk `PUT` and `POST` of a scope's commands.
fn commands(st: &mut FakeState, method: &str, guild: Option<u64>, body: &Value) -> Answer {
    match method {
        "GET" => Answer::ok(json!(st.commands.get(&guild).cloned().unwrap_or_default())),
        "PUT" => {
            let Some(list) = body.as_array() else {
                return Answer::error(400, 50035, "Invalid Form Body");
            };
            let registered: Vec<Value> = list
                .iter()
                .map(|c| registered_command(st, guild, c))
                .collect();
            st.commands.insert(guild, registered.clone());
            Answer::ok(json!(registered))
        }
        "POST" => {
            if !body.is_object() {
                return Answer::error(400, 50035, "Invalid Form Body");
            }
            let command = registered_command(st, guild, body);
            let list = st.commands.entry(guild).or_default();
            let existing = list.iter().position(|c| c["id"] == command["id"]);
            match existing {
                Some(i) => {
                    list[i] = command.clone();
                    Answer::ok(command)
                }
                None => {
                    list.push(command.clone());
                    Answer::json(201, command)
                }
            }
        }
        _ => Answer::not_found(),
    }
}

fn delete_command(st: &mut FakeState, guild: Option<u64>, command: &str) -> Answer {
    let list = st.commands.entry(guild).or_default();
    match list.iter().position(|c| c["id"] == json!(command)) {
        Some(i) => {
            list.remove(i);
            Answer::no_content()
        }
        None => Answer::error(404, 10063, "Unknown application command"),
    }
}

/// A command as Discord returns it after registration: the sent fields plus `id`,
/// `application_id`, `version` and the defaults serenity's `Command` needs.
fn registered_command(st: &mut FakeState, guild: Option<u64>, sent: &Value) -> Value {
    let mut command = sent.clone();
    let name = sent["name"].as_str().unwrap_or_default();
    command["id"] = json!(command_id(name).to_string());
    command["application_id"] = json!(FakeDiscord::APP_ID.to_string());
    command["version"] = json!(st.fresh_id().to_string());
    let defaults = [
        ("type", json!(1)),
        ("description", json!("")),
        ("options", json!([])),
        ("default_member_permissions", Value::Null),
        ("nsfw", json!(false)),
        ("integration_types", json!([0])),
        ("contexts", Value::Null),
    ];
    for (key, value) in defaults {
        if command.get(key).is_none_or_null() {
            command[key] = value;
        }
    }
    match guild {
        Some(g) => command["guild_id"] = json!(g.to_string()),
        None => {
            if command.get("dm_permission").is_none_or_null() {
                command["dm_permission"] = json!(true);
            }
        }
    }
    command
}

trait NoneOrNull {
    fn is_none_or_null(&self) -> bool;
}

impl NoneOrNull for Option<&Value> {
    fn is_none_or_null(&self) -> bool {
        self.is_none_or(Value::is_null)
    }
}

/// `POST /interactions/{id}/{token}/callback`.
fn callback(
    st: &mut FakeState,
    id: &str,
    token: &str,
    body: &Value,
    files: &[Upload],
    at: Instant,
) -> Answer {
    if let Some((sent_token, dispatched_at)) = st.dispatched.get(id) {
        if sent_token != token {
            return Answer::error(401, 50027, "Invalid Webhook Token");
        }
        if st
            .deadline
            .is_some_and(|d| at.duration_since(*dispatched_at) > d)
        {
            return Answer::error(404, 10062, "Unknown interaction");
        }
    }
    if !st.acknowledged.insert(id.to_string()) {
        return Answer::error(400, 40060, "Interaction has already been acknowledged.");
    }
    let channel = st.interaction_channels.get(token).copied().unwrap_or(1);
    match body["type"].as_u64() {
        // CHANNEL_MESSAGE_WITH_SOURCE: the original response exists.
        Some(4) => {
            let mut message = bot_message(st.fresh_id(), channel, &body["data"]);
            webhook_fields(&mut message, 20);
            message["attachments"] = attachments_out(st, channel, files);
            st.originals.insert(token.to_string(), message);
        }
        // DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE: a "thinking…" placeholder (flag LOADING).
        Some(5) => {
            let mut message = bot_message(st.fresh_id(), channel, &json!({}));
            webhook_fields(&mut message, 20);
            let ephemeral = body["data"]["flags"].as_u64().unwrap_or(0) & 64;
            message["flags"] = json!(128 | ephemeral);
            st.originals.insert(token.to_string(), message);
        }
        _ => {}
    }
    Answer::no_content()
}

/// A message's `attachments` for uploaded files, as Discord returns them.
fn attachments_out(st: &mut FakeState, channel: u64, files: &[Upload]) -> Value {
    let out: Vec<Value> = files
        .iter()
        .map(|f| {
            let id = st.fresh_id();
            let name = f.filename.clone().unwrap_or_default();
            let url = format!("https://cdn.discordapp.test/attachments/{channel}/{id}/{name}");
            json!({
                "id": id.to_string(),
                "filename": name,
                "size": f.bytes.len(),
                "url": url,
                "proxy_url": url,
                "content_type": f.content_type,
            })
        })
        .collect();
    Value::Array(out)
}

fn webhook_fields(message: &mut Value, kind: u8) {
    message["webhook_id"] = json!(FakeDiscord::APP_ID.to_string());
    message["application_id"] = json!(FakeDiscord::APP_ID.to_string());
    message["type"] = json!(kind);
}

/// Applies an edit body to a stored message.
fn edit(message: &mut Value, body: &Value) {
    if let Some(content) = body.get("content").filter(|c| !c.is_null()) {
        message["content"] = content.clone();
    }
    if let Some(embeds) = body.get("embeds").filter(|e| !e.is_null()) {
        message["embeds"] = embeds_out(embeds);
    }
    if let Some(components) = body.get("components").filter(|c| !c.is_null()) {
        message["components"] = components.clone();
    }
    if let Some(flags) = body["flags"].as_u64() {
        message["flags"] = json!(flags);
    } else if let Some(flags) = message["flags"].as_u64() {
        // An edit ends the deferred "thinking…" state.
        message["flags"] = json!(flags & !128);
    }
    message["edited_timestamp"] = json!(now_timestamp());
}

/// `GET`/`PATCH`/`DELETE /webhooks/{app}/{token}/messages/@original`.
fn original(st: &mut FakeState, method: &str, token: &str, body: &Value) -> Answer {
    match method {
        "GET" => match st.originals.get(token) {
            Some(m) => Answer::ok(m.clone()),
            None => Answer::unknown_message(),
        },
        "PATCH" => match st.originals.get_mut(token) {
            Some(m) => {
                edit(m, body);
                Answer::ok(m.clone())
            }
            None => Answer::unknown_message(),
        },
        "DELETE" => match st.originals.remove(token) {
            Some(_) => Answer::no_content(),
            None => Answer::unknown_message(),
        },
        _ => Answer::not_found(),
    }
}

/// `GET`/`PATCH`/`DELETE /webhooks/{app}/{token}/messages/{id}` (follow-ups, or the original by
/// its id).
fn followup(st: &mut FakeState, method: &str, token: &str, id: &str, body: &Value) -> Answer {
    let id = json!(id);
    let original_matches = st.originals.get(token).is_some_and(|m| m["id"] == id);
    if original_matches {
        return original(st, method, token, body);
    }
    let list = st.followups.entry(token.to_string()).or_default();
    let Some(i) = list.iter().position(|m| m["id"] == id) else {
        return Answer::unknown_message();
    };
    match method {
        "GET" => Answer::ok(list[i].clone()),
        "PATCH" => {
            edit(&mut list[i], body);
            Answer::ok(list[i].clone())
        }
        "DELETE" => {
            list.remove(i);
            Answer::no_content()
        }
        _ => Answer::not_found(),
    }
}

/// `POST /channels/{id}/messages`, with Discord's empty-message and nonce rules.
fn create_message(st: &mut FakeState, channel: u64, body: &Value) -> Answer {
    let has = |key: &str| match &body[key] {
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Null => false,
        _ => true,
    };
    let has_payload = [
        "content",
        "embeds",
        "components",
        "sticker_ids",
        "poll",
        "attachments",
    ]
    .iter()
    .any(|k| has(k));
    if body.is_object() && !has_payload {
        return Answer::error(400, 50006, "Cannot send an empty message");
    }
    let nonce = body.get("nonce").filter(|n| !n.is_null()).map(|n| match n {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    if let Some(nonce) = &nonce {
        if body["enforce_nonce"] == json!(true) {
            if let Some(existing) = st.nonces.get(&(channel, nonce.clone())) {
                let existing = existing.clone();
                st.duplicates += 1;
                return Answer::ok(existing);
            }
        }
    }
    let message = bot_message(st.fresh_id(), channel, body);
    if let Some(nonce) = nonce {
        st.nonces.insert((channel, nonce), message.clone());
    }
    st.messages
        .entry(channel)
        .or_default()
        .push(message.clone());
    st.posted += 1;
    Answer::ok(message)
}

/// `GET`/`PATCH`/`DELETE /channels/{c}/messages/{m}`.
fn channel_message(
    st: &mut FakeState,
    method: &str,
    channel: u64,
    id: u64,
    body: &Value,
) -> Answer {
    if st.deleted.contains(&id) {
        return Answer::unknown_message();
    }
    let list = st.messages.entry(channel).or_default();
    let Some(i) = list.iter().position(|m| m["id"] == json!(id.to_string())) else {
        return Answer::unknown_message();
    };
    match method {
        "GET" => Answer::ok(list[i].clone()),
        "PATCH" => {
            edit(&mut list[i], body);
            Answer::ok(list[i].clone())
        }
        "DELETE" => {
            st.deleted.insert(id);
            Answer::no_content()
        }
        _ => Answer::not_found(),
    }
}

// ----- gateway -----

async fn accept_gateway(shared: Arc<Shared>, listener: TcpListener) {
    while let Ok((stream, _)) = listener.accept().await {
        if shared.lock().outage.is_some() {
            // Down: the connection is dropped before the handshake.
            let _ = stream.set_zero_linger();
            drop(stream);
            continue;
        }
        let _ = stream.set_nodelay(true);
        let task = tokio::spawn(serve_gateway(shared.clone(), stream));
        shared.tasks.lock().unwrap().push(task.abort_handle());
    }
}

fn text(value: Value) -> Message {
    Message::Text(value.to_string())
}

async fn serve_gateway(shared: Arc<Shared>, stream: TcpStream) {
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (mut sink, mut source) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let kill = Arc::new(Notify::new());
    let (conn_id, heartbeat_ms) = {
        let mut st = shared.lock();
        st.next_conn += 1;
        let id = st.next_conn;
        // A newer connection replaces the older one (a restarted bot).
        st.gateway = Some(Conn {
            id,
            tx: tx.clone(),
            session: None,
            kill: kill.clone(),
        });
        (id, st.heartbeat_ms)
    };
    shared.bump();
    let _ = tx.send(text(
        json!({"op": 10, "d": {"heartbeat_interval": heartbeat_ms}}),
    ));
    let reader_shared = shared.clone();

    let writer = async move {
        while let Some(message) = rx.recv().await {
            let closing = matches!(message, Message::Close(_));
            if sink.send(message).await.is_err() || closing {
                break;
            }
        }
        // Flushes the answer to the bot's close frame, if any.
        let _ = sink.close().await;
    };
    let reader = async move {
        let shared = reader_shared;
        while let Some(Ok(message)) = source.next().await {
            match message {
                Message::Text(payload) => on_gateway_payload(&shared, conn_id, &tx, &payload),
                // The bot logs off: its close frame is answered at once, as Discord does (the
                // writer would otherwise wait for a message to send, and serenity waits 5 s
                // for the answer before it gives up on a clean shutdown).
                Message::Close(_) => {
                    let _ = tx.send(Message::Close(None));
                    break;
                }
                _ => {}
            }
        }
        // Dropping `tx` (and the state's clone, below) ends the writer.
        drop(tx);
    };
    tokio::select! {
        _ = async { tokio::join!(writer, reader) } => {}
        // Dropped without a close frame (an outage): the socket just goes.
        _ = kill.notified() => {}
    }
    let mut st = shared.lock();
    if st.gateway.as_ref().is_some_and(|c| c.id == conn_id) {
        st.gateway = None;
    }
    drop(st);
    shared.bump();
}

fn on_gateway_payload(
    shared: &Shared,
    conn_id: u64,
    tx: &mpsc::UnboundedSender<Message>,
    payload: &str,
) {
    let Ok(value) = serde_json::from_str::<Value>(payload) else {
        return;
    };
    let mut redacted = value.clone();
    if redacted["d"].get("token").is_some() {
        redacted["d"]["token"] = json!(REDACTED);
    }
    let mut st = shared.lock();
    st.received.push(redacted.clone());
    match value["op"].as_u64() {
        // Heartbeat, unless this is a zombie connection.
        Some(1) if st.zombie != Some(conn_id) => {
            let _ = tx.send(text(json!({"op": 11})));
        }
        Some(1) => {}
        // Identify: a new session, if the token is right.
        Some(2) => {
            st.identify = Some(redacted);
            st.identify_token = value["d"]["token"].as_str().map(str::to_string);
            let sent = st.identify_token.as_deref().unwrap_or_default();
            let sent = sent.strip_prefix("Bot ").unwrap_or(sent);
            if st.token.as_deref().is_some_and(|expected| expected != sent) {
                let _ = tx.send(Message::Close(Some(CloseFrame {
                    code: CloseCode::from(4004),
                    reason: "Authentication failed.".into(),
                })));
                return;
            }
            st.ready_count += 1;
            let session = format!("fake-session-{}", st.ready_count);
            st.sessions.insert(session.clone(), 1);
            let mut ready = json!({
                "v": 10,
                "user": bot_user(),
                "guilds": [],
                "session_id": session,
                "resume_gateway_url": shared.gateway_url(),
                "application": {"id": FakeDiscord::APP_ID.to_string(), "flags": 0},
            });
            if value["d"]["shard"].is_array() {
                ready["shard"] = value["d"]["shard"].clone();
            }
            let _ = tx.send(text(json!({"op": 0, "s": 1, "t": "READY", "d": ready})));
            if let Some(conn) = st.gateway.as_mut().filter(|c| c.id == conn_id) {
                conn.session = Some(session.clone());
            }
            st.last_session = Some(session);
            drop(st);
            shared.bump();
        }
        // Resume: replay what the session missed and continue it, else make the bot identify
        // again.
        Some(6) => {
            let session = value["d"]["session_id"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let since = value["d"]["seq"].as_u64().unwrap_or(0);
            let missed: Vec<String> = st
                .history
                .get(&session)
                .map(|h| {
                    h.iter()
                        .filter(|(seq, _)| *seq > since)
                        .map(|(_, frame)| frame.clone())
                        .collect()
                })
                .unwrap_or_default();
            match st.sessions.get_mut(&session) {
                Some(seq) => {
                    for frame in missed {
                        let _ = tx.send(Message::Text(frame));
                    }
                    *seq += 1;
                    let resumed = json!({"op": 0, "s": *seq, "t": "RESUMED", "d": {}});
                    let _ = tx.send(text(resumed));
                    if let Some(conn) = st.gateway.as_mut().filter(|c| c.id == conn_id) {
                        conn.session = Some(session.clone());
                    }
                    st.last_session = Some(session);
                    drop(st);
                    shared.bump();
                }
                None => {
                    let _ = tx.send(text(json!({"op": 9, "d": false})));
                }
            }
        }
        _ => {}
    }
}
