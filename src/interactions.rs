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

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::{json, Value};
use serenity::all::{
    CreateAutocompleteResponse, CreateInteractionResponse, CreateInteractionResponseMessage,
    Interaction,
};
use serenity::http::Http;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::bot::{describe, failure_of, AfterFailure};
use crate::commands::{self, Data, Reply};
use crate::ops::Metrics;

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
#[derive(Clone)]
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

/// What the endpoint shares between requests.
pub struct Endpoint {
    verifier: Verifier,
    data: Arc<Data>,
    http: Arc<Http>,
    metrics: Arc<Metrics>,
    defer_after: Duration,
    /// Answers still to be sent after a deferred reply.
    pending: Mutex<JoinSet<()>>,
}

impl Endpoint {
    pub fn new(
        verifier: Verifier,
        data: Arc<Data>,
        http: Arc<Http>,
        metrics: Arc<Metrics>,
        defer_after: Duration,
    ) -> Endpoint {
        Endpoint {
            verifier,
            data,
            http,
            metrics,
            defer_after,
            pending: Mutex::new(JoinSet::new()),
        }
    }

    fn later(&self, task: impl std::future::Future<Output = ()> + Send + 'static) {
        if let Ok(mut pending) = self.pending.lock() {
            // Reap the finished ones, so the set holds only what is in flight.
            while pending.try_join_next().is_some() {}
            pending.spawn(task);
        }
    }

    /// Waits (up to `grace`) for the answers still owed after deferred replies.
    pub async fn drain(&self, grace: Duration) {
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
pub fn router(endpoint: Arc<Endpoint>) -> axum::Router {
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

/// How an interaction may be put off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Deferral {
    /// A command: "marquee is thinking…", public or only for the user.
    Thinking { ephemeral: bool },
    /// A component: nothing shows; the message it sits on may be edited later.
    Silent,
    /// Autocomplete cannot be put off.
    Never,
}

impl Deferral {
    fn response(self) -> Option<CreateInteractionResponse> {
        match self {
            Deferral::Thinking { ephemeral } => Some(CreateInteractionResponse::Defer(
                CreateInteractionResponseMessage::new().ephemeral(ephemeral),
            )),
            Deferral::Silent => Some(CreateInteractionResponse::Acknowledge),
            Deferral::Never => None,
        }
    }
}

/// The command's name for the metrics, and how it may be deferred.
fn classify(interaction: &Interaction) -> Option<(String, Deferral)> {
    match interaction {
        Interaction::Command(c) => Some((
            c.data.name.clone(),
            Deferral::Thinking {
                ephemeral: commands::replies_ephemeral(&c.data.name),
            },
        )),
        Interaction::Autocomplete(a) => {
            Some((format!("{} autocomplete", a.data.name), Deferral::Never))
        }
        Interaction::Component(_) => Some(("component".to_owned(), Deferral::Silent)),
        _ => None,
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
    let Some((command, deferral)) = classify(&interaction) else {
        return (StatusCode::BAD_REQUEST, "unsupported interaction type").into_response();
    };
    let (id, token) = match &interaction {
        Interaction::Command(c) | Interaction::Autocomplete(c) => (c.id, c.token.clone()),
        Interaction::Component(c) => (c.id, c.token.clone()),
        _ => return (StatusCode::BAD_REQUEST, "unsupported interaction type").into_response(),
    };
    // Edits of `@original` are addressed by the application; every interaction names it.
    endpoint
        .http
        .set_application_id(interaction.application_id());

    let data = endpoint.data.clone();
    // A task of its own, so that a panic in a command still gets the user an answer.
    let mut answering = tokio::spawn(async move {
        #[cfg(debug_assertions)]
        crate::bot::injected_panic(&interaction);
        commands::dispatch(&data, &interaction).await
    });
    // Zero defers everything, without a race against a quick answer.
    let ready = match endpoint.defer_after {
        wait if wait.is_zero() => None,
        wait => tokio::time::timeout(wait, &mut answering).await.ok(),
    };
    let reply = match ready {
        Some(joined) => match settle(joined, id) {
            Some(reply) => reply,
            None => {
                endpoint
                    .metrics
                    .interaction(&command, "unanswered", arrived.elapsed());
                return (StatusCode::BAD_REQUEST, "unsupported interaction").into_response();
            }
        },
        None => {
            let Some(deferred) = deferral.response() else {
                // Autocomplete that is too slow: no suggestions rather than an error.
                answering.abort();
                endpoint
                    .metrics
                    .interaction(&command, "late", arrived.elapsed());
                return json_response(&CreateInteractionResponse::Autocomplete(
                    CreateAutocompleteResponse::new(),
                ));
            };
            let later = endpoint.clone();
            endpoint.later(async move {
                let (reply, outcome) = match settle(answering.await, id) {
                    Some(reply) => (reply, "answered"),
                    None => (commands::apology().into(), "unanswered"),
                };
                let outcome = if follow_up(&later.http, &token, deferral, reply).await {
                    outcome
                } else {
                    "undelivered"
                };
                later
                    .metrics
                    .interaction(&command, outcome, arrived.elapsed());
            });
            return json_response(&deferred);
        }
    };
    if reply.files.is_empty() || deferral == Deferral::Never {
        endpoint
            .metrics
            .interaction(&command, "answered", arrived.elapsed());
        return json_response(&reply);
    }
    // Files cannot ride in an HTTP response: defer (as the reply itself would show), then
    // send the reply with its files as the edit.
    let deferral = match deferral {
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
        let outcome = if follow_up(&later.http, &token, deferral, reply).await {
            "answered"
        } else {
            "undelivered"
        };
        later
            .metrics
            .interaction(&command, outcome, arrived.elapsed());
    });
    json_response(&deferred)
}

/// The command's reply, or the apology when it panicked; `None` for an interaction the
/// commands do not handle.
fn settle(
    joined: Result<Option<Reply>, tokio::task::JoinError>,
    id: serenity::all::InteractionId,
) -> Option<Reply> {
    match joined {
        Ok(reply) => reply,
        Err(err) => {
            tracing::error!(interaction = %id, error = %err, "a command panicked");
            Some(commands::apology().into())
        }
    }
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

/// Sends the answer to a deferred interaction. True when Discord has it.
async fn follow_up(http: &Http, token: &str, deferral: Deferral, reply: Reply) -> bool {
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
    let mut pause = Duration::from_millis(250);
    for attempt in 1..=EDIT_ATTEMPTS {
        let sent = match how {
            Delivery::Edit => http
                .edit_original_interaction_response(token, &message, files.clone())
                .await
                .map(drop),
            Delivery::FollowUp | Delivery::ReplaceWithEphemeral => http
                .create_followup_message(token, &message, files.clone())
                .await
                .map(drop),
        };
        match sent {
            Ok(()) => return true,
            Err(err) => {
                let after = failure_of(&err);
                tracing::warn!(attempt, error = %describe(&err), "cannot send a deferred answer");
                if after != AfterFailure::Retry {
                    return after == AfterFailure::Done;
                }
            }
        }
        tokio::time::sleep(pause).await;
        pause *= 2;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

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
            let err = Verifier::from_hex(bad).err().expect("refused");
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
