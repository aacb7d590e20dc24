//! Discord's REST API as every part of `serve` reaches it: one client builder, one reading of
//! what a failure means ([`AfterFailure`]), and one way to try a request again
//! ([`retry`]), so that a reply, a deferred answer, a registration and an announcement treat
//! the same answer from Discord the same way.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serenity::http::{Http, HttpBuilder, HttpError};
use tokio::sync::Notify;
use tokio::time::Instant;

/// Where Discord's API is when no proxy is configured.
pub const DISCORD: &str = "https://discord.com";

/// The longest any REST request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What `serve` says when Discord refuses its token, wherever it learns it.
pub const TOKEN_REFUSED: &str = "Discord refused the token: check DISCORD_TOKEN (Bot > Reset \
                                 Token at https://discord.com/developers/applications)";

/// Builds serenity's HTTP client, with a timeout on every request. Behind a proxy the proxy
/// owns rate limits, and serenity's own limiter must be off (with it on, serenity bypasses
/// the proxy).
pub fn http(token: &SecretString, api_base: &str) -> Http {
    let mut builder = HttpBuilder::new(token.expose_secret());
    match reqwest::Client::builder()
        .use_rustls_tls()
        .timeout(REQUEST_TIMEOUT)
        .tcp_nodelay(true)
        .build()
    {
        Ok(client) => builder = builder.client(client),
        // serenity's own client then, without the timeout.
        Err(err) => tracing::warn!(error = %err, "cannot build the HTTP client with a timeout"),
    }
    if api_base.trim_end_matches('/') == DISCORD {
        builder.build()
    } else {
        builder
            .proxy(api_base.trim_end_matches('/'))
            .ratelimiter_disabled(true)
            .build()
    }
}

/// What to do after a request to Discord failed. One reading for every request `serve` makes;
/// what each does about it is in the README ("How announcements work").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Discord (or the way to it) is in trouble, or asked to slow down: a 429, a 5xx, a lost
    /// or timed-out connection. Trying again later may work.
    Retry,
    /// An earlier attempt reached Discord after all (40060: already acknowledged).
    Done,
    /// Discord refused the token (401): no request will work until it is fixed, and `serve`
    /// stops (see [`TokenWatch`]).
    TokenRefused,
    /// Trying again cannot help: too late (10062, unknown interaction), not allowed, or the
    /// request is wrong.
    GiveUp,
}

/// Decides from Discord's status and JSON error code, `None` for both when no answer came.
pub fn after_failure(status: Option<u16>, code: Option<isize>) -> AfterFailure {
    match (status, code) {
        (None, _) => AfterFailure::Retry,
        (_, Some(40060)) => AfterFailure::Done,
        (Some(401), _) => AfterFailure::TokenRefused,
        (Some(429 | 500..=599), _) => AfterFailure::Retry,
        _ => AfterFailure::GiveUp,
    }
}

/// [`after_failure`] of a serenity error.
pub fn failure_of(err: &serenity::Error) -> AfterFailure {
    match err {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => {
            after_failure(Some(r.status_code.as_u16()), Some(r.error.code))
        }
        serenity::Error::Http(HttpError::Request(_)) => after_failure(None, None),
        _ => AfterFailure::GiveUp,
    }
}

/// An error for the log, without URLs: a callback's URL holds the interaction's token.
pub fn describe(err: &serenity::Error) -> String {
    match err {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => {
            format!(
                "Discord answered {} (code {}) {}",
                r.status_code, r.error.code, r.error.message
            )
        }
        serenity::Error::Http(HttpError::Request(e)) => {
            let mut text = String::from("no answer from Discord");
            let mut source = std::error::Error::source(e);
            while let Some(cause) = source {
                text.push_str(": ");
                text.push_str(&cause.to_string());
                source = cause.source();
            }
            if e.is_timeout() {
                text.push_str(" (timed out)");
            }
            text
        }
        other => other.to_string(),
    }
}

/// Raised when any request learns that Discord refused the token; `serve` supervises it and
/// stops (a service manager restarts it once the token is fixed; what was not sent is still
/// pending and goes out then, once).
#[derive(Debug, Clone, Default)]
pub struct TokenWatch(Arc<Notify>);

impl TokenWatch {
    pub fn new() -> TokenWatch {
        TokenWatch::default()
    }

    /// Says that Discord refused the token.
    pub fn refused(&self) {
        tracing::error!("{TOKEN_REFUSED}");
        self.0.notify_one();
    }

    /// Resolves when some request has learnt that the token is refused.
    pub async fn wait(&self) {
        self.0.notified().await;
    }
}

/// How a request is tried again.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// At most this many attempts (`None`: as many as the deadline allows).
    pub attempts: Option<u32>,
    /// No attempt starts after this, and none runs past it.
    pub deadline: Option<Instant>,
    /// The longest one attempt may take.
    pub attempt_timeout: Option<Duration>,
    /// The pause after the first failure; it doubles after each, up to `max_pause`.
    pub first_pause: Duration,
    pub max_pause: Duration,
}

/// How a request ended after its tries.
#[derive(Debug)]
pub enum Tried<T> {
    /// Discord took it.
    Sent(T),
    /// An earlier attempt had reached Discord after all.
    AlreadyThere,
    /// Given up: what the last failure meant, and what it said.
    Failed {
        after: AfterFailure,
        error: String,
        attempts: u32,
    },
}

impl<T> Tried<T> {
    /// Whether Discord has the request.
    pub fn delivered(&self) -> bool {
        matches!(self, Tried::Sent(_) | Tried::AlreadyThere)
    }
}

/// Tries `op` until Discord takes it, it fails in a way trying again cannot help, or the
/// policy runs out; `what` names it in the log. A refused token is said to `token` (when
/// given).
pub async fn retry<T, F, Fut>(
    policy: Retry,
    what: &str,
    token: Option<&TokenWatch>,
    mut op: F,
) -> Tried<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, serenity::Error>>,
{
    let mut pause = policy.first_pause;
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let left = policy
            .deadline
            .map(|d| d.saturating_duration_since(Instant::now()));
        let limit = match (left, policy.attempt_timeout) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let result = match limit {
            Some(limit) => tokio::time::timeout(limit, op()).await.ok(),
            None => Some(op().await),
        };
        let (after, error) = match result {
            Some(Ok(value)) => {
                if attempt > 1 {
                    tracing::info!(attempt, "{what} sent after a retry");
                }
                return Tried::Sent(value);
            }
            Some(Err(err)) => (failure_of(&err), describe(&err)),
            None => (
                AfterFailure::Retry,
                "no answer from Discord in time".to_owned(),
            ),
        };
        let out_of_attempts = policy.attempts.is_some_and(|n| attempt >= n);
        let out_of_time = policy.deadline.is_some_and(|d| Instant::now() + pause >= d);
        match after {
            AfterFailure::Done => {
                tracing::info!(attempt, "an earlier attempt at {what} reached Discord");
                return Tried::AlreadyThere;
            }
            AfterFailure::TokenRefused => {
                if let Some(token) = token {
                    token.refused();
                }
                return Tried::Failed {
                    after,
                    error,
                    attempts: attempt,
                };
            }
            AfterFailure::GiveUp => {
                tracing::warn!(attempt, %error, "cannot send {what}");
                return Tried::Failed {
                    after,
                    error,
                    attempts: attempt,
                };
            }
            AfterFailure::Retry if out_of_attempts || out_of_time => {
                tracing::warn!(attempt, %error, "gave up on {what}: Discord did not take it");
                return Tried::Failed {
                    after,
                    error,
                    attempts: attempt,
                };
            }
            AfterFailure::Retry => {
                tracing::info!(attempt, %error, ?pause, "{what} failed; trying again");
            }
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(policy.max_pause);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_reading_of_a_failure_for_every_request() {
        assert_eq!(after_failure(None, None), AfterFailure::Retry);
        assert_eq!(after_failure(Some(429), Some(0)), AfterFailure::Retry);
        for status in [500, 502, 503, 504] {
            assert_eq!(after_failure(Some(status), Some(0)), AfterFailure::Retry);
        }
        assert_eq!(after_failure(Some(400), Some(40060)), AfterFailure::Done);
        assert_eq!(after_failure(Some(404), Some(10062)), AfterFailure::GiveUp);
        assert_eq!(after_failure(Some(400), Some(50035)), AfterFailure::GiveUp);
        assert_eq!(after_failure(Some(403), Some(50001)), AfterFailure::GiveUp);
        assert_eq!(
            after_failure(Some(401), Some(0)),
            AfterFailure::TokenRefused
        );
    }

    /// A failure as serenity reports Discord's answer `status`.
    async fn failing(status: u16) -> serenity::Error {
        let answer = axum::http::Response::builder()
            .status(status)
            .body(r#"{"code": 0, "message": "no"}"#)
            .unwrap_or_default();
        let response = serenity::http::ErrorResponse::from_response(
            reqwest::Response::from(answer),
            reqwest::Method::POST,
        )
        .await;
        serenity::Error::Http(HttpError::UnsuccessfulRequest(response))
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_is_tried_again_within_its_deadline_and_no_longer() {
        let started = Instant::now();
        let policy = Retry {
            attempts: None,
            deadline: Some(started + Duration::from_secs(3)),
            attempt_timeout: Some(Duration::from_millis(1500)),
            first_pause: Duration::from_millis(100),
            max_pause: Duration::from_secs(3),
        };
        let mut tries = 0;
        let tried: Tried<()> = retry(policy, "a test request", None, || {
            tries += 1;
            async { Err(failing(503).await) }
        })
        .await;
        // 0, 0.1, 0.3, 0.7, 1.5 s; the next pause (1.6 s) would end past 3 s.
        assert_eq!(tries, 5);
        assert!(matches!(
            tried,
            Tried::Failed {
                after: AfterFailure::Retry,
                attempts: 5,
                ..
            }
        ));
        assert!(started.elapsed() < Duration::from_secs(3));
        // A hung attempt is cut at the attempt timeout, and the next one comes.
        let started = Instant::now();
        let mut tries = 0;
        let tried: Tried<()> = retry(
            Retry {
                deadline: Some(started + Duration::from_secs(3)),
                ..policy
            },
            "a hanging request",
            None,
            || {
                tries += 1;
                let hang = tries == 1;
                async move {
                    if hang {
                        std::future::pending::<()>().await;
                    }
                    Ok(())
                }
            },
        )
        .await;
        assert!(tried.delivered());
        assert_eq!(tries, 2);
        assert_eq!(
            started.elapsed(),
            Duration::from_millis(1600),
            "1.5 s cut, then 0.1 s"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_refused_token_stops_the_tries_and_is_said_once() {
        let watch = TokenWatch::new();
        let policy = Retry {
            attempts: Some(10),
            deadline: None,
            attempt_timeout: None,
            first_pause: Duration::from_secs(1),
            max_pause: Duration::from_secs(60),
        };
        let mut tries = 0;
        let tried: Tried<()> = retry(policy, "an announcement", Some(&watch), || {
            tries += 1;
            async { Err(failing(401).await) }
        })
        .await;
        assert_eq!(tries, 1);
        assert!(matches!(
            tried,
            Tried::Failed {
                after: AfterFailure::TokenRefused,
                ..
            }
        ));
        tokio::time::timeout(Duration::from_secs(1), watch.wait())
            .await
            .expect("the watch was told");
        // Any other 4xx gives up at once, a 5xx uses up the attempts.
        let mut tries = 0;
        let _: Tried<()> = retry(policy, "x", None, || {
            tries += 1;
            async { Err(failing(400).await) }
        })
        .await;
        assert_eq!(tries, 1);
        let mut tries = 0;
        let _: Tried<()> = retry(policy, "x", None, || {
            tries += 1;
            async { Err(failing(500).await) }
        })
        .await;
        assert_eq!(tries, 10);
    }
}
