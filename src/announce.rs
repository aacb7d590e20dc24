//! Announcements: the outbox worker. Deliveries are rows written with the review they announce
//! (see `store::write`); this worker sends each with a nonce that Discord enforces, so a retry
//! after a crash never posts twice, and it honours 429s, retries 5xx and timeouts with backoff,
//! and disables a subscription whose channel Discord refuses (403/404).
//!
//! Each channel gets its announcements in the order they were queued (the store hands out only
//! a channel's oldest pending one). A failure that says Discord itself is in trouble (5xx, a
//! timeout, a lost connection, a refused token) holds every channel for the backoff, so an
//! outage costs one request per backoff rather than one per channel; a gateway reconnection
//! ([`Announcer::run`]'s `reconnected`) ends the wait at once.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use secrecy::{ExposeSecret, SecretString};
use serenity::all::{CreateEmbedAuthor, CreateMessage, Nonce};
use tokio::sync::{watch, Notify};

use crate::present::{no_mentions, Card};
use crate::store::{Delivery, Store};

/// Longest wait between two failed attempts. A minute: one request a minute costs nothing
/// during an outage, and announcements go out soon after Discord is back even when no
/// gateway reconnection says so.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// How long one send may take before it counts as a timeout.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries taken per pass.
const PASS: i64 = 50;

/// What Discord said to one send.
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    Delivered {
        message_id: Option<u64>,
    },
    /// 429: try again after this long; not a failure. A global limit holds every channel.
    RateLimited {
        wait: Duration,
        global: bool,
    },
    /// 403/404: the channel is gone or closed to the bot.
    Refused(String),
    /// 5xx, a timeout, a broken connection, or a refused token (401, which no channel can
    /// fix): try again later.
    Transient(String),
    /// Any other 4xx: the request itself is wrong, so trying again will not help.
    Rejected(String),
}

/// Sends announcements to Discord's REST API.
#[derive(Clone)]
pub struct Announcer {
    store: Store,
    client: reqwest::Client,
    /// `https://discord.com`, or a proxy in its place.
    api_base: String,
    token: SecretString,
    critic: String,
    /// How long sent and dropped deliveries stay in the outbox.
    retention: chrono::Duration,
}

/// How often the announcer prunes the outbox.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// The message body of an announcement: the review's card under a "New review" header.
pub fn announcement(card: &Card, nonce: &str) -> CreateMessage {
    CreateMessage::new()
        .embed(card.embed().author(CreateEmbedAuthor::new("New review")))
        .allowed_mentions(no_mentions())
        .nonce(Nonce::String(nonce.to_owned()))
        .enforce_nonce(true)
}

/// Exponential backoff after `attempts` failures: 2 s, 4 s, 8 s … up to [`MAX_BACKOFF`].
pub fn backoff(attempts: i64) -> Duration {
    let exp = u32::try_from(attempts.clamp(0, 16)).unwrap_or(16);
    Duration::from_secs(2u64.saturating_pow(exp + 1)).min(MAX_BACKOFF)
}

/// Reads a 429's wait: the JSON body's `retry_after` (seconds, fractional), else the
/// `Retry-After` header, else one second.
pub fn retry_after(body: &serde_json::Value, header: Option<&str>) -> Duration {
    body.get("retry_after")
        .and_then(serde_json::Value::as_f64)
        .or_else(|| header.and_then(|h| h.trim().parse::<f64>().ok()))
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map_or(Duration::from_secs(1), |s| {
            Duration::from_secs_f64(s.min(3600.0))
        })
}

impl Announcer {
    pub fn new(
        store: Store,
        api_base: &str,
        token: SecretString,
        critic: String,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(SEND_TIMEOUT)
            .tcp_nodelay(true)
            .user_agent(concat!(
                "DiscordBot (marquee, ",
                env!("CARGO_PKG_VERSION"),
                ")"
            ))
            .build()
            .context("cannot build the HTTP client")?;
        Ok(Announcer {
            store,
            client,
            api_base: api_base.trim_end_matches('/').to_owned(),
            token,
            critic,
            retention: chrono::Duration::days(30),
        })
    }

    /// Keeps sent and dropped deliveries for `days` (at least one) before pruning them.
    pub fn with_retention_days(mut self, days: u32) -> Self {
        self.retention = chrono::Duration::days(i64::from(days.max(1)));
        self
    }

    /// Prunes the outbox of deliveries finished longer ago than the retention.
    pub async fn prune(&self) -> anyhow::Result<u64> {
        let pruned = self
            .store
            .prune_deliveries(Utc::now() - self.retention)
            .await?;
        if pruned > 0 {
            tracing::info!(pruned, "pruned finished deliveries from the outbox");
        }
        Ok(pruned)
    }

    /// Posts one announcement.
    pub async fn send(&self, delivery: &Delivery, body: &CreateMessage) -> Sent {
        let url = format!(
            "{}/api/v10/channels/{}/messages",
            self.api_base, delivery.channel_id
        );
        let response = self
            .client
            .post(&url)
            .header(
                reqwest::header::AUTHORIZATION,
                format!("Bot {}", self.token.expose_secret()),
            )
            .json(body)
            .send()
            .await;
        let response = match response {
            Ok(r) => r,
            Err(err) => {
                return Sent::Transient(format!("no answer from Discord: {}", err.without_url()))
            }
        };
        let status = response.status();
        let header = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned);
        let json: serde_json::Value = response.json().await.unwrap_or_default();
        let message = json
            .get("message")
            .and_then(|m| m.as_str())
            .unwrap_or("")
            .to_owned();
        match status.as_u16() {
            200..=299 => Sent::Delivered {
                message_id: json
                    .get("id")
                    .and_then(|i| i.as_str())
                    .and_then(|i| i.parse().ok()),
            },
            429 => Sent::RateLimited {
                wait: retry_after(&json, header.as_deref()),
                global: json.get("global").and_then(serde_json::Value::as_bool) == Some(true),
            },
            401 => Sent::Transient(format!(
                "Discord refused the token ({status} {message}); check DISCORD_TOKEN"
            )),
            403 | 404 => Sent::Refused(format!("Discord answered {status} {message}")),
            500..=599 => Sent::Transient(format!("Discord answered {status} {message}")),
            _ => Sent::Rejected(format!("Discord answered {status} {message}")),
        }
    }

    /// Sends every announcement that is due now, and records what happened to each. Returns
    /// how many were delivered.
    pub async fn deliver_due(&self) -> anyhow::Result<usize> {
        let mut delivered = 0;
        loop {
            let due = self.store.due_deliveries(Utc::now(), PASS).await?;
            if due.is_empty() {
                return Ok(delivered);
            }
            let mut progressed = false;
            for delivery in due {
                let Some(stored) = self.store.review(delivery.review_id).await? else {
                    self.store
                        .delivery_dropped(delivery.id, "the review is no longer in the archive")
                        .await?;
                    continue;
                };
                let card = Card::of(&stored.review, &self.critic);
                let body = announcement(&card, &delivery.nonce);
                match self.send(&delivery, &body).await {
                    Sent::Delivered { message_id } => {
                        self.store.delivery_sent(delivery.id, message_id).await?;
                        delivered += 1;
                        progressed = true;
                    }
                    Sent::RateLimited { wait, global } => {
                        tracing::info!(
                            channel = delivery.channel_id,
                            ?wait,
                            global,
                            "rate limited"
                        );
                        let at = Utc::now() + chrono::Duration::from_std(wait)?;
                        if global {
                            // Nothing may be sent until the limit lifts.
                            self.store.delay_pending(at).await?;
                            return Ok(delivered);
                        }
                        self.store
                            .delivery_retry(delivery.id, at, "rate limited (429)", false)
                            .await?;
                    }
                    Sent::Transient(error) => {
                        let wait = backoff(delivery.attempts);
                        tracing::warn!(channel = delivery.channel_id, %error, ?wait, "announcement failed; every channel waits, then it is retried");
                        let at = Utc::now() + chrono::Duration::from_std(wait)?;
                        self.store
                            .delivery_retry(delivery.id, at, &error, true)
                            .await?;
                        // Discord is in trouble, not this channel: hold them all.
                        self.store.delay_pending(at).await?;
                        return Ok(delivered);
                    }
                    Sent::Refused(error) => {
                        tracing::warn!(
                            channel = delivery.channel_id,
                            subscription = delivery.subscription_id,
                            %error,
                            "Discord refused the channel; its subscription is now disabled"
                        );
                        self.store
                            .disable_subscription(delivery.subscription_id, &error)
                            .await?;
                    }
                    Sent::Rejected(error) => {
                        tracing::error!(channel = delivery.channel_id, %error, "announcement rejected; dropped");
                        self.store.delivery_dropped(delivery.id, &error).await?;
                    }
                }
            }
            if !progressed {
                return Ok(delivered);
            }
        }
    }

    /// Runs until `shutdown` turns true: delivers what is due, then waits for the next due
    /// delivery or `interval`, whichever comes first. `reconnected` is notified when the
    /// gateway connects again (READY or RESUMED): Discord is back, so every pending
    /// announcement is due at once.
    pub async fn run(
        self,
        interval: Duration,
        mut shutdown: watch::Receiver<bool>,
        reconnected: Arc<Notify>,
    ) {
        let mut pruned_at: Option<tokio::time::Instant> = None;
        loop {
            if !matches!(pruned_at, Some(at) if at.elapsed() < PRUNE_EVERY) {
                if let Err(err) = self.prune().await {
                    tracing::error!(error = ?err, "cannot prune the outbox");
                }
                pruned_at = Some(tokio::time::Instant::now());
            }
            if let Err(err) = self.deliver_due().await {
                tracing::error!(error = ?err, "announcements failed");
            }
            let next = match self.store.next_delivery_at().await {
                Ok(Some(at)) => (at - Utc::now()).to_std().unwrap_or_default().min(interval),
                _ => interval,
            };
            tokio::select! {
                _ = tokio::time::sleep(next) => {}
                _ = shutdown.changed() => {}
                _ = reconnected.notified() => {
                    match self.store.retry_pending_now(Utc::now()).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(pending = n, "Discord is back: retrying the held announcements now"),
                        Err(err) => tracing::error!(error = ?err, "cannot read the outbox"),
                    }
                }
            }
            if *shutdown.borrow() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn backoff_doubles_up_to_a_cap() {
        assert_eq!(backoff(0), Duration::from_secs(2));
        assert_eq!(backoff(1), Duration::from_secs(4));
        assert_eq!(backoff(3), Duration::from_secs(16));
        assert_eq!(backoff(40), MAX_BACKOFF);
        assert_eq!(backoff(-5), Duration::from_secs(2));
    }

    #[test]
    fn retry_after_prefers_the_body_then_the_header() {
        assert_eq!(
            retry_after(&json!({"retry_after": 0.25}), Some("9")),
            Duration::from_millis(250)
        );
        assert_eq!(retry_after(&json!({}), Some("3")), Duration::from_secs(3));
        assert_eq!(retry_after(&json!({}), None), Duration::from_secs(1));
        assert_eq!(
            retry_after(&json!({"retry_after": -1.0}), None),
            Duration::from_secs(1)
        );
    }
}
