//! `serve --transport http`: Discord's HTTP interactions endpoint. Discord POSTs each
//! interaction to `/interactions`, signed with the application's key; marquee checks the
//! signature, answers a PING with a PONG, and hands everything else to the same command layer
//! the gateway uses ([`crate::commands::dispatch`]).
//!
//! The answer goes back in the HTTP response when it is ready within `serve.defer_after_ms`.
//! Otherwise — and always for a reply that attaches a file, which an HTTP response cannot
//! carry — the response is a deferred reply, and the answer follows over REST as an edit of
//! `@original` (or a follow-up, where an edit cannot say it: an ephemeral message after a
//! public deferral, a new message after a component's silent one).

use std::future::IntoFuture as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use ed25519_dalek::{Signature, VerifyingKey};
use secrecy::SecretString;
use serde_json::{json, Value};
use serenity::all::{CreateAutocompleteResponse, CreateInteractionResponse, Interaction};
use serenity::http::Http;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::commands::{self, Reply};
use crate::discord::interaction::{self, Deferral, Incoming, Outcome};
use crate::discord::register::register_over_rest;
use crate::discord::rest::{describe, http, retry, Retry};
use crate::discord::Serving;

/// The endpoint's path (the application's Interactions Endpoint URL must lead here).
pub const PATH: &str = "/interactions";

/// How far a request's timestamp may be from now: an older request is a replay.
pub const MAX_SKEW: Duration = Duration::from_secs(5 * 60);

/// How often an edit or follow-up is tried when Discord fails it in a way that may pass.
const EDIT_ATTEMPTS: u32 = 4;

/// Why a request was refused (401).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("no X-Signature-Ed25519 and X-Signature-Timestamp headers")]
    Unsigned,
    #[error("the signature is not 64 bytes in hex")]
    MalformedSignature,
    #[error("the signature does not match the timestamp and body")]
    Forged,
    #[error("the timestamp is not a number of seconds")]
    MalformedTimestamp,
    #[error("the timestamp is {0} s from now (at most {max} s is taken)", max = MAX_SKEW.as_secs())]
    Stale(u64),
}

/// Checks requests against the application's public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    key: VerifyingKey,
}

impl Verifier {
    /// The key as the developer portal shows it: 64 hex digits.
    pub fn from_hex(text: &str) -> anyhow::Result<Verifier> {
        let bytes: [u8; 32] = hex::decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .context(
                "DISCORD_PUBLIC_KEY is not 64 hex digits (copy the Public Key from the \
                 application's General Information page)",
            )?;
        let key = VerifyingKey::from_bytes(&bytes)
            .context("DISCORD_PUBLIC_KEY is not a valid Ed25519 public key")?;
        Ok(Verifier { key })
    }

    /// Accepts a request whose signature is the key's over `timestamp ‖ body` and whose
    /// timestamp is within [`MAX_SKEW`] of `now`.
    pub fn verify(
        &self,
        signature: Option<&str>,
        timestamp: Option<&str>,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), Rejection> {
        let (Some(signature), Some(timestamp)) = (signature, timestamp) else {
            return Err(Rejection::Unsigned);
        };
        let signature: [u8; 64] = hex::decode(signature.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(Rejection::MalformedSignature)?;
        let mut message = Vec::with_capacity(timestamp.len() + body.len());
        message.extend_from_slice(timestamp.as_bytes());
        message.extend_from_slice(body);
        self.key
            .verify_strict(&message, &Signature::from_bytes(&signature))
            .map_err(|_| Rejection::Forged)?;
        let sent: u64 = timestamp
            .trim()
            .parse()
            .map_err(|_| Rejection::MalformedTimestamp)?;
        let now = now
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let skew = now.abs_diff(sent);
        if skew > MAX_SKEW.as_secs() {
            return Err(Rejection::Stale(skew));
        }
        Ok(())
    }
}

/// The HTTP front end, bound and ready to serve.
pub struct HttpFront {
    listener: tokio::net::TcpListener,
    endpoint: Arc<Endpoint>,
}

impl HttpFront {
    /// Binds `listen` and builds the endpoint; nothing is served yet.
    pub async fn build(
        serving: Serving,
        secret: &SecretString,
        api_base: &str,
        verifier: Verifier,
        listen: SocketAddr,
        defer_after: Duration,
    ) -> anyhow::Result<HttpFront> {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen} (--listen, serve.listen)"))?;
        tracing::info!(
            addr = %listener.local_addr()?,
            path = PATH,
            "serving the HTTP interactions endpoint"
        );
        let endpoint = Arc::new(Endpoint {
            verifier,
            http: Arc::new(http(secret, api_base)),
            defer_after,
            serving,
            pending: Mutex::new(JoinSet::new()),
        });
        Ok(HttpFront { listener, endpoint })
    }

    /// Where it listens (port 0 picks one).
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr().ok()
    }

    /// Serves until `stopping` turns true, registering the commands over REST beside it
    /// (Discord checks the endpoint with a PING before it sends anything else); only a refused
    /// token, or a registration Discord refuses, ends it early. At the end, the answers still
    /// owed after deferrals get `grace` to go out.
    pub async fn run(
        self,
        mut stopping: watch::Receiver<bool>,
        grace: Duration,
    ) -> anyhow::Result<()> {
        let HttpFront { listener, endpoint } = self;
        let http = endpoint.http.clone();
        let (dev_guild, token) = (endpoint.serving.dev_guild, endpoint.serving.token.clone());
        let registering = async move { register_over_rest(&http, dev_guild, Some(&token)).await };
        let serving = axum::serve(listener, router(endpoint.clone()))
            .with_graceful_shutdown(async move {
                let _ = stopping.wait_for(|stop| *stop).await;
            })
            .into_future();
        tokio::pin!(serving);
        let served = tokio::select! {
            served = &mut serving => served,
            registered = registering => match registered {
                Ok(()) => serving.await,
                Err(err) => return Err(err),
            },
        };
        endpoint.drain(grace).await;
        served.context("the interactions endpoint failed")
    }
}

/// What the endpoint shares between requests.
struct Endpoint {
    verifier: Verifier,
    http: Arc<Http>,
    defer_after: Duration,
    serving: Serving,
    /// Answers still to be sent after a deferred reply.
    pending: Mutex<JoinSet<()>>,
}

impl Endpoint {
    fn later(&self, task: impl std::future::Future<Output = ()> + Send + 'static) {
        if let Ok(mut pending) = self.pending.lock() {
            // Reap the finished ones, so the set holds only what is in flight.
            while pending.try_join_next().is_some() {}
            pending.spawn(task);
        }
    }

    /// Waits (up to `grace`) for the answers still owed after deferred replies.
    async fn drain(&self, grace: Duration) {
        let mut pending = match self.pending.lock() {
            Ok(mut pending) => std::mem::take(&mut *pending),
            Err(_) => return,
        };
        if tokio::time::timeout(grace, async {
            while pending.join_next().await.is_some() {}
        })
        .await
        .is_err()
        {
            tracing::warn!(
                left = pending.len(),
                "answers still unsent at the stop: dropped"
            );
            pending.abort_all();
        }
    }
}

/// The endpoint's routes: `POST /interactions`.
fn router(endpoint: Arc<Endpoint>) -> axum::Router {
    axum::Router::new()
        .route(PATH, axum::routing::post(receive))
        .with_state(endpoint)
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn json_response(body: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => ([(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "cannot encode a reply");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn receive(
    State(endpoint): State<Arc<Endpoint>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let arrived = Instant::now();
    if let Err(rejection) = endpoint.verifier.verify(
        header_str(&headers, "x-signature-ed25519"),
        header_str(&headers, "x-signature-timestamp"),
        &body,
        SystemTime::now(),
    ) {
        tracing::warn!(reason = %rejection, "refused an unsigned or forged interaction");
        return (StatusCode::UNAUTHORIZED, "invalid request signature").into_response();
    }
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(err) => {
            tracing::warn!(error = %err, "a signed interaction is not JSON");
            return (StatusCode::BAD_REQUEST, "not JSON").into_response();
        }
    };
    if value["type"] == 1 {
        return json_response(&json!({"type": 1}));
    }
    let interaction: Interaction = match serde_json::from_value(value) {
        Ok(i) => i,
        Err(err) => {
            tracing::warn!(error = %err, "cannot read a signed interaction");
            return (StatusCode::BAD_REQUEST, "not an interaction").into_response();
        }
    };
    let Some(incoming) = Incoming::of(&interaction, arrived) else {
        return (StatusCode::BAD_REQUEST, "unsupported interaction type").into_response();
    };
    // Edits of `@original` are addressed by the application; every interaction names it.
    endpoint
        .http
        .set_application_id(interaction.application_id());
    let serving = &endpoint.serving;
    let mut answering =
        interaction::start(serving.data.clone(), interaction, serving.panic_in.clone());
    // Zero defers everything, without a race against a quick answer.
    let ready = match endpoint.defer_after {
        wait if wait.is_zero() => None,
        wait => tokio::time::timeout(wait, &mut answering).await.ok(),
    };
    match ready {
        Some(joined) => {
            let answer = interaction::answer(joined, incoming.id);
            respond(endpoint, incoming, answer)
        }
        None => defer(endpoint, incoming, answering),
    }
}

/// The answer came within `defer_after`: it is the HTTP response, unless it carries files,
/// which an HTTP response cannot: then the response defers (as the reply itself would show)
/// and the reply goes with its files as the edit.
fn respond(
    endpoint: Arc<Endpoint>,
    incoming: Incoming,
    (reply, outcome): (Option<Reply>, Outcome),
) -> Response {
    let Some(reply) = reply else {
        incoming.record(&endpoint.serving.metrics, Outcome::Unanswered);
        return (StatusCode::BAD_REQUEST, "unsupported interaction").into_response();
    };
    if reply.files.is_empty() || incoming.deferral == Deferral::Never {
        incoming.record(&endpoint.serving.metrics, outcome);
        return json_response(&reply);
    }
    let deferral = match incoming.deferral {
        Deferral::Thinking { .. } => Deferral::Thinking {
            ephemeral: is_ephemeral(&reply),
        },
        other => other,
    };
    let Some(deferred) = deferral.response() else {
        return json_response(&reply);
    };
    let later = endpoint.clone();
    endpoint.later(async move {
        let sent = follow_up(&later, &incoming.token, deferral, reply).await;
        incoming.record(&later.serving.metrics, outcome.unless_lost(sent));
    });
    json_response(&deferred)
}

/// The answer is not ready within `defer_after`: the response defers, and the answer follows
/// over REST when it is. An autocomplete cannot be deferred: it gets no suggestions.
fn defer(
    endpoint: Arc<Endpoint>,
    incoming: Incoming,
    answering: interaction::Answering,
) -> Response {
    let Some(deferred) = incoming.deferral.response() else {
        answering.abort();
        incoming.record(&endpoint.serving.metrics, Outcome::Late);
        return json_response(&CreateInteractionResponse::Autocomplete(
            CreateAutocompleteResponse::new(),
        ));
    };
    let later = endpoint.clone();
    endpoint.later(async move {
        let (reply, outcome) = match interaction::answer(answering.await, incoming.id) {
            (Some(reply), outcome) => (reply, outcome),
            // Deferred already: something must replace "thinking…".
            (None, _) => (commands::apology().into(), Outcome::Unanswered),
        };
        let sent = follow_up(&later, &incoming.token, incoming.deferral, reply).await;
        incoming.record(&later.serving.metrics, outcome.unless_lost(sent));
    });
    json_response(&deferred)
}

fn is_ephemeral(reply: &Reply) -> bool {
    serde_json::to_value(reply)
        .ok()
        .and_then(|v| v["data"]["flags"].as_u64())
        .is_some_and(|flags| flags & 64 != 0)
}

/// How the answer to a deferred interaction is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delivery {
    /// `PATCH @original`: the deferred reply (or the component's message) becomes the answer.
    Edit,
    /// `POST` a follow-up: a new message, e.g. an ephemeral error under a public deferral.
    FollowUp,
    /// Remove the public "thinking" reply first, then post the answer as a follow-up only
    /// the user sees.
    ReplaceWithEphemeral,
}

fn delivery(deferral: Deferral, response: &CreateInteractionResponse, ephemeral: bool) -> Delivery {
    match (deferral, response) {
        (Deferral::Silent, CreateInteractionResponse::UpdateMessage(_)) => Delivery::Edit,
        (Deferral::Silent, _) => Delivery::FollowUp,
        (Deferral::Thinking { ephemeral: false }, _) if ephemeral => Delivery::ReplaceWithEphemeral,
        _ => Delivery::Edit,
    }
}

/// Sends the answer to a deferred interaction, trying again as [`EDIT_ATTEMPTS`] allow. True
/// when Discord has it.
async fn follow_up(endpoint: &Endpoint, token: &str, deferral: Deferral, reply: Reply) -> bool {
    let http = &endpoint.http;
    let ephemeral = is_ephemeral(&reply);
    let how = delivery(deferral, &reply.response, ephemeral);
    let Ok(mut body) = serde_json::to_value(&reply) else {
        return false;
    };
    let mut message = body["data"].take();
    let files = reply.files;
    if let Some(fields) = message.as_object_mut() {
        if how == Delivery::Edit {
            // An edit cannot change these; the deferral already set them.
            fields.remove("flags");
            fields.remove("tts");
        }
    }
    if how == Delivery::ReplaceWithEphemeral {
        if let Err(err) = http.delete_original_interaction_response(token).await {
            tracing::warn!(error = %describe(&err), "cannot remove the deferred reply");
        }
    }
    let policy = Retry {
        attempts: Some(EDIT_ATTEMPTS),
        deadline: None,
        attempt_timeout: None,
        first_pause: Duration::from_millis(250),
        max_pause: Duration::from_secs(2),
    };
    retry(
        policy,
        "a deferred answer",
        Some(&endpoint.serving.token),
        || {
            let (message, files) = (&message, files.clone());
            async move {
                match how {
                    Delivery::Edit => http
                        .edit_original_interaction_response(token, message, files)
                        .await
                        .map(drop),
                    Delivery::FollowUp | Delivery::ReplaceWithEphemeral => http
                        .create_followup_message(token, message, files)
                        .await
                        .map(drop),
                }
            }
        },
    )
    .await
    .delivered()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};
    use serenity::all::CreateInteractionResponseMessage;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[7; 32])
    }

    fn verifier() -> Verifier {
        Verifier::from_hex(&hex::encode(key().verifying_key().to_bytes())).unwrap()
    }

    fn signed(timestamp: &str, body: &[u8]) -> String {
        let mut message = timestamp.as_bytes().to_vec();
        message.extend_from_slice(body);
        hex::encode(key().sign(&message).to_bytes())
    }

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn a_request_signed_by_the_key_within_five_minutes_is_taken() {
        let body = br#"{"type":1}"#;
        let sig = signed("1700000000", body);
        let v = verifier();
        assert_eq!(
            v.verify(Some(&sig), Some("1700000000"), body, at(1_700_000_000)),
            Ok(())
        );
        assert_eq!(
            v.verify(Some(&sig), Some("1700000000"), body, at(1_700_000_300)),
            Ok(())
        );
        assert_eq!(
            v.verify(Some(&sig), Some("1700000000"), body, at(1_700_000_301)),
            Err(Rejection::Stale(301))
        );
        assert_eq!(
            v.verify(Some(&sig), Some("1700000000"), body, at(1_699_999_000)),
            Err(Rejection::Stale(1000))
        );
    }

    #[test]
    fn anything_else_is_refused_with_its_reason() {
        let body = br#"{"type":1}"#;
        let now = at(1_700_000_000);
        let sig = signed("1700000000", body);
        let v = verifier();
        assert_eq!(
            v.verify(None, Some("1700000000"), body, now),
            Err(Rejection::Unsigned)
        );
        assert_eq!(
            v.verify(Some(&sig), None, body, now),
            Err(Rejection::Unsigned)
        );
        assert_eq!(
            v.verify(Some("zz"), Some("1700000000"), body, now),
            Err(Rejection::MalformedSignature)
        );
        // The body or the timestamp changed after signing.
        assert_eq!(
            v.verify(Some(&sig), Some("1700000000"), br#"{"type":2}"#, now),
            Err(Rejection::Forged)
        );
        assert_eq!(
            v.verify(Some(&sig), Some("1700000001"), body, now),
            Err(Rejection::Forged)
        );
        // Signed by another key.
        let other = SigningKey::from_bytes(&[8; 32]);
        let mut message = b"1700000000".to_vec();
        message.extend_from_slice(body);
        let forged = hex::encode(other.sign(&message).to_bytes());
        assert_eq!(
            v.verify(Some(&forged), Some("1700000000"), body, now),
            Err(Rejection::Forged)
        );
        // A signed timestamp that is not a number.
        let sig = signed("soon", body);
        assert_eq!(
            v.verify(Some(&sig), Some("soon"), body, now),
            Err(Rejection::MalformedTimestamp)
        );
    }

    #[test]
    fn the_public_key_must_be_64_hex_digits_of_a_valid_key() {
        for bad in ["", "abcd", &"zz".repeat(32), &"00".repeat(33)] {
            let err = Verifier::from_hex(bad).expect_err("refused");
            assert!(format!("{err:#}").contains("DISCORD_PUBLIC_KEY"), "{err:#}");
        }
        assert!(Verifier::from_hex(&hex::encode(key().verifying_key().to_bytes())).is_ok());
    }

    #[test]
    fn a_deferred_answer_edits_or_follows_up_as_its_kind_needs() {
        let message = CreateInteractionResponse::Message(CreateInteractionResponseMessage::new());
        let update =
            CreateInteractionResponse::UpdateMessage(CreateInteractionResponseMessage::new());
        let public = Deferral::Thinking { ephemeral: false };
        let private = Deferral::Thinking { ephemeral: true };
        assert_eq!(delivery(public, &message, false), Delivery::Edit);
        assert_eq!(
            delivery(public, &message, true),
            Delivery::ReplaceWithEphemeral
        );
        assert_eq!(delivery(private, &message, true), Delivery::Edit);
        assert_eq!(delivery(Deferral::Silent, &update, false), Delivery::Edit);
        assert_eq!(
            delivery(Deferral::Silent, &message, true),
            Delivery::FollowUp
        );
    }
}
