//! Announcements: the outbox worker. Deliveries are rows written with the review they announce
//! (see `store::write`); this worker sends each with a nonce that Discord enforces, so a retry
//! after a crash never posts twice, and it honours 429s, retries 5xx and timeouts with backoff,
//! and disables a subscription whose channel Discord refuses (403/404).
//!
//! Each channel gets its announcements in the order they were queued (the store hands out only
//! a channel's oldest pending one, and a channel has at most one post in flight). Channels are
//! posted to concurrently, up to [`MAX_IN_FLIGHT`] at once, paced ahead of Discord's global
//! limit by a [`Pacer`] (at most 50 requests start in any [`GLOBAL_WINDOW`]), so a fan-out
//! runs at the limit instead of into it. A channel whose bucket Discord reports empty
//! (`X-RateLimit-Remaining: 0`) waits out its `X-RateLimit-Reset-After`; a global 429 holds
//! every send for its `retry_after`.
//!
//! Failures are read as every request of `serve` reads them ([`crate::discord::rest`]). A
//! failure that says Discord itself is in trouble (5xx, a timeout, a lost connection) holds
//! every channel for the backoff (a refused token too, and it stops `serve`), and the next pass sends one
//! announcement alone before it sends more, so an outage costs one request per backoff rather
//! than one per channel; a gateway reconnection ([`Announcer::run`]'s `reconnected`) ends the
//! wait at once.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use serenity::all::{CreateActionRow, CreateEmbedAuthor, CreateMessage, Nonce};
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::clock::{Clock, SystemClock};
use crate::discord::rest::{after_failure, AfterFailure, TokenWatch};
use crate::present::{no_mentions, Card};
use crate::store::{Delivery, Store};

/// Longest wait between two failed attempts. A minute: one request a minute costs nothing
/// during an outage, and announcements go out soon after Discord is back even when no
/// gateway reconnection says so.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// How long one send may take before it counts as a timeout.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries taken from the outbox at a time.
const PASS: i64 = 50;
/// Discord's global limit: requests per second, for all of a bot's requests together.
pub const GLOBAL_LIMIT: usize = 50;
/// The window the announcer keeps [`GLOBAL_LIMIT`] in: a second, plus a margin for the
/// difference in delay between two requests a second apart on their way to Discord.
pub const GLOBAL_WINDOW: Duration = Duration::from_millis(1050);
/// The most announcements in flight at once (each to a channel of its own). At Discord's
/// usual round trips (50-300 ms) this keeps the pace at the global limit.
pub const MAX_IN_FLIGHT: usize = 25;

/// What Discord said to one send.
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    Delivered {
        message_id: Option<u64>,
        /// Discord said the channel's bucket is empty (`X-RateLimit-Remaining: 0`): its next
        /// post waits this long (`X-RateLimit-Reset-After`).
        bucket_wait: Option<Duration>,
    },
    /// 429: try again after this long; not a failure. A global limit holds every channel.
    RateLimited { wait: Duration, global: bool },
    /// 403/404: the channel is gone or closed to the bot.
    Refused(String),
    /// 5xx, a timeout, a broken connection: Discord is in trouble; try again later.
    Transient(String),
    /// 401: Discord refused the token. Held like a transient failure, and `serve` stops (see
    /// [`TokenWatch`]): once the token is fixed, the restarted bot sends it, once.
    TokenRefused(String),
    /// Any other 4xx: the request itself is wrong, so trying again will not help.
    Rejected(String),
}

/// How an announcement reaches Discord: its REST API, or in the tests anything that answers
/// as it does.
#[serenity::async_trait]
pub trait Poster: Send + Sync {
    /// Posts `body` in the channel and says what Discord answered.
    async fn post(&self, channel_id: u64, body: &CreateMessage) -> Sent;
}

/// Discord's REST API (or a proxy in its place).
struct RestPoster {
    client: reqwest::Client,
    /// `https://discord.com`, or a proxy in its place.
    api_base: String,
    token: SecretString,
}

/// One pass over the outbox: what is queued, in flight and done.
#[derive(Default)]
struct Pass {
    delivered: usize,
    /// Each review's card, read once per pass (`None`: the review is gone).
    cards: HashMap<i64, Option<Card>>,
    queue: VecDeque<Delivery>,
    /// Channels with a post in flight.
    busy: HashSet<u64>,
    tasks: JoinSet<(u64, anyhow::Result<Outcome>)>,
    /// The outbox had nothing more to give when last asked (until a send finishes).
    drained: bool,
    /// Send nothing more in this pass: Discord is in trouble, or recording failed.
    stop: bool,
    failure: Option<anyhow::Error>,
}

impl Pass {
    /// Records the pass's first failure, and stops it.
    fn fail(&mut self, err: anyhow::Error) {
        self.failure.get_or_insert(err);
        self.stop = true;
    }
}

/// Sends announcements to Discord's REST API.
#[derive(Clone)]
pub struct Announcer {
    outbox: Arc<dyn Outbox>,
    poster: Arc<dyn Poster>,
    clock: Arc<dyn Clock>,
    critic: String,
    /// How long sent and dropped deliveries stay in the outbox.
    retention: chrono::Duration,
    /// Discord's global limit, shared by every clone.
    pacer: Arc<Pacer>,
    /// A send failed because Discord itself is in trouble: the next one goes alone, and more
    /// follow only once it is answered.
    trouble: Arc<AtomicBool>,
    /// This announcer's name on the deliveries it claims (unique per process).
    owner: Arc<str>,
    /// How long a claim holds before another process may take the delivery over.
    lease: Duration,
    /// Told when Discord refuses the token.
    token_watch: Option<TokenWatch>,
}

/// How long a claimed delivery is this process's by default: well past one send (a pacer
/// turn and a request of at most [`SEND_TIMEOUT`]). A process that dies leaves its claims to
/// the others after this long.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);

/// A name for this process's claims: its pid and the time it started, in nanoseconds.
fn claim_owner() -> String {
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{}-{started:x}", std::process::id())
}

/// Paces requests to a global limit ahead of it: at most `limit` start in any `window`, and
/// none while a global 429 holds them. Each caller gets the earliest turn that keeps the
/// limit, in the order they asked, and sleeps until it.
#[derive(Debug)]
pub struct Pacer {
    limit: usize,
    window: Duration,
    turns: Mutex<Turns>,
}

#[derive(Debug, Default)]
struct Turns {
    /// The last `limit` turns given, oldest first (never decreasing).
    given: VecDeque<Instant>,
    /// Nothing starts before this (a global 429).
    held_until: Option<Instant>,
}

impl Pacer {
    /// At most `limit` (at least one) requests in any `window`.
    pub fn new(limit: usize, window: Duration) -> Pacer {
        Pacer {
            limit: limit.max(1),
            window,
            turns: Mutex::new(Turns::default()),
        }
    }

    fn turns(&self) -> std::sync::MutexGuard<'_, Turns> {
        self.turns.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for a turn; a request may start when this returns.
    pub async fn ready(&self) {
        loop {
            let at = self.turn(Instant::now());
            tokio::time::sleep_until(at).await;
            // A global 429 may have come while this turn waited: then take another after it.
            // (The turn given up still counts, which only makes the pace gentler.)
            if self.turns().held_until.is_none_or(|held| held <= at) {
                return;
            }
        }
    }

    /// Gives the earliest turn at or after `now` that keeps the limit, and counts it.
    fn turn(&self, now: Instant) -> Instant {
        let mut turns = self.turns();
        let mut at = now;
        if let Some(held) = turns.held_until {
            at = at.max(held);
        }
        if turns.given.len() >= self.limit {
            if let Some(oldest) = turns.given.front() {
                at = at.max(*oldest + self.window);
            }
        }
        turns.given.push_back(at);
        while turns.given.len() > self.limit {
            turns.given.pop_front();
        }
        at
    }

    /// Holds every turn for `wait` from now (a global 429's `retry_after`).
    pub fn hold(&self, wait: Duration) {
        self.hold_until(Instant::now() + wait);
    }

    fn hold_until(&self, until: Instant) {
        let mut turns = self.turns();
        turns.held_until = Some(turns.held_until.map_or(until, |held| held.max(until)));
    }
}

/// What one send did, for the pass that launched it.
enum Outcome {
    Delivered,
    /// Sent nothing new, and the others may go on (a route 429, a refused channel, a dropped
    /// announcement).
    Done,
    /// A global 429: every send waits for the pacer, and the outbox is held until the limit lifts.
    GloballyLimited,
    /// Discord is in trouble: this pass sends nothing more.
    Trouble,
}

/// How often the announcer prunes the outbox.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// The message body of an announcement: the card of review `id` under a "New review" header,
/// or "Regraded: B → A-" for a regrade (`regrade`: the grades before and after), with the
/// card's buttons (whoever presses "Read the review" reads it in a message for them alone).
pub fn announcement(
    id: i64,
    card: &Card,
    nonce: &str,
    regrade: Option<(&str, &str)>,
) -> CreateMessage {
    let header = match regrade {
        Some((from, to)) => format!("Regraded: {from} → {to}"),
        None => "New review".to_owned(),
    };
    CreateMessage::new()
        .embed(card.embed().author(CreateEmbedAuthor::new(header)))
        .components(vec![CreateActionRow::Buttons(
            crate::commands::review::card_buttons(id, card),
        )])
        .allowed_mentions(no_mentions())
        .nonce(Nonce::String(nonce.to_owned()))
        .enforce_nonce(true)
}

/// How long a channel's next post must wait, from a response's `X-RateLimit-Remaining` and
/// `X-RateLimit-Reset-After`: `None` while the bucket has requests left (or the headers are
/// missing), else the reset (one second when it is unreadable, an hour at most).
pub fn bucket_wait(remaining: Option<&str>, reset_after: Option<&str>) -> Option<Duration> {
    let remaining = remaining?.trim().parse::<f64>().ok()?;
    if remaining > 0.0 {
        return None;
    }
    Some(
        reset_after
            .and_then(|r| r.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map_or(Duration::from_secs(1), |s| {
                Duration::from_secs_f64(s.min(3600.0))
            }),
    )
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

#[serenity::async_trait]
impl Poster for RestPoster {
    async fn post(&self, channel_id: u64, body: &CreateMessage) -> Sent {
        let url = format!("{}/api/v10/channels/{channel_id}/messages", self.api_base);
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
        let header_of = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|h| h.to_str().ok())
                .map(str::to_owned)
        };
        let header = header_of("retry-after");
        let bucket = bucket_wait(
            header_of("x-ratelimit-remaining").as_deref(),
            header_of("x-ratelimit-reset-after").as_deref(),
        );
        let json: serde_json::Value = response.json().await.unwrap_or_default();
        let message = json
            .get("message")
            .and_then(|m| m.as_str())
            .unwrap_or("")
            .to_owned();
        let said = format!("Discord answered {status} {message}");
        match status.as_u16() {
            200..=299 => Sent::Delivered {
                message_id: json
                    .get("id")
                    .and_then(|i| i.as_str())
                    .and_then(|i| i.parse().ok()),
                bucket_wait: bucket,
            },
            429 => Sent::RateLimited {
                wait: retry_after(&json, header.as_deref()),
                global: json.get("global").and_then(serde_json::Value::as_bool) == Some(true),
            },
            // The channel itself: gone, or closed to the bot.
            403 | 404 => Sent::Refused(said),
            code => {
                let json_code = json
                    .get("code")
                    .and_then(serde_json::Value::as_i64)
                    .and_then(|c| isize::try_from(c).ok());
                match after_failure(Some(code), json_code) {
                    AfterFailure::Retry => Sent::Transient(said),
                    AfterFailure::TokenRefused => Sent::TokenRefused(said),
                    AfterFailure::GiveUp | AfterFailure::Done => Sent::Rejected(said),
                }
            }
        }
    }
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
        let poster = RestPoster {
            client,
            api_base: api_base.trim_end_matches('/').to_owned(),
            token,
        };
        Ok(Announcer::over(Arc::new(store), Arc::new(poster), critic))
    }

    /// An announcer of `outbox` posting through `poster` (in `serve`: the store and
    /// Discord's REST API; in the tests, models of them), on the wall clock.
    pub fn over(outbox: Arc<dyn Outbox>, poster: Arc<dyn Poster>, critic: String) -> Self {
        Announcer {
            outbox,
            poster,
            clock: Arc::new(SystemClock),
            critic,
            retention: chrono::Duration::days(30),
            pacer: Arc::new(Pacer::new(GLOBAL_LIMIT, GLOBAL_WINDOW)),
            trouble: Arc::new(AtomicBool::new(false)),
            owner: claim_owner().into(),
            lease: DEFAULT_LEASE,
            token_watch: None,
        }
    }

    /// Reads the time from `clock` instead of the wall clock (for the tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Says a refused token (401) to `watch`, which stops `serve`.
    pub fn with_token_watch(mut self, watch: TokenWatch) -> Self {
        self.token_watch = Some(watch);
        self
    }

    /// Claims deliveries for `lease` (at least a second) instead of [`DEFAULT_LEASE`].
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_secs(1));
        self
    }

    /// Keeps sent and dropped deliveries for `days` (at least one) before pruning them.
    pub fn with_retention_days(mut self, days: u32) -> Self {
        self.retention = chrono::Duration::days(i64::from(days.max(1)));
        self
    }

    /// Prunes the outbox of deliveries finished longer ago than the retention.
    pub async fn prune(&self) -> anyhow::Result<u64> {
        let pruned = self.outbox.prune(self.clock.now() - self.retention).await?;
        if pruned > 0 {
            tracing::info!(pruned, "pruned finished deliveries from the outbox");
        }
        Ok(pruned)
    }

    /// Posts one announcement.
    pub async fn send(&self, delivery: &Delivery, body: &CreateMessage) -> Sent {
        self.poster.post(delivery.channel_id, body).await
    }

    /// Sends every announcement that is due now, and records what happened to each. Returns
    /// how many were delivered.
    ///
    /// Up to [`MAX_IN_FLIGHT`] are in flight at once, one per channel, each waiting for its
    /// turn from the [`Pacer`]; only one while Discord is in trouble. A delivery is taken from
    /// the outbox only when its channel has nothing in flight, and its outcome is recorded
    /// before its channel is free again, so no delivery is ever sent twice at once. Taking
    /// is claiming ([`Store::claim_due_deliveries`]): other processes on the same database
    /// leave a claimed delivery alone until its lease ends.
    pub async fn deliver_due(&self) -> anyhow::Result<usize> {
        let mut pass = Pass::default();
        loop {
            let room = if self.trouble.load(Ordering::SeqCst) {
                1
            } else {
                MAX_IN_FLIGHT
            };
            while !pass.stop && pass.tasks.len() < room {
                if !self.start_next(&mut pass).await {
                    break;
                }
            }
            let Some(joined) = pass.tasks.join_next().await else {
                break;
            };
            pass.drained = false;
            match joined {
                Ok((channel, outcome)) => {
                    pass.busy.remove(&channel);
                    match outcome {
                        Ok(Outcome::Delivered) => pass.delivered += 1,
                        Ok(Outcome::Done) => {}
                        // The outbox is held: what was taken from it is no longer due.
                        Ok(Outcome::GloballyLimited) => pass.queue.clear(),
                        Ok(Outcome::Trouble) => {
                            pass.queue.clear();
                            pass.stop = true;
                        }
                        Err(err) => pass.fail(err),
                    }
                }
                Err(err) => pass.fail(anyhow::anyhow!("an announcement task failed: {err}")),
            }
        }
        match pass.failure {
            Some(err) => Err(err),
            None => Ok(pass.delivered),
        }
    }

    /// Starts sending the next due announcement (taking more from the outbox when the queue is
    /// empty); false when there is none to start.
    async fn start_next(&self, pass: &mut Pass) -> bool {
        if pass.queue.is_empty() && !pass.drained {
            let limit = PASS.saturating_add(i64::try_from(pass.busy.len()).unwrap_or(0));
            let claimed = self
                .outbox
                .claim_due(&self.owner, self.clock.now(), self.lease, limit)
                .await;
            match claimed {
                Ok(due) => {
                    let busy = &pass.busy;
                    pass.queue
                        .extend(due.into_iter().filter(|d| !busy.contains(&d.channel_id)));
                    pass.drained = pass.queue.is_empty();
                }
                Err(err) => {
                    pass.fail(err);
                    return false;
                }
            }
        }
        let Some(delivery) = pass.queue.pop_front() else {
            return false;
        };
        let card = match self.card(delivery.review_id, &mut pass.cards).await {
            Ok(card) => card,
            Err(err) => {
                pass.fail(err);
                return false;
            }
        };
        let Some(card) = card else {
            let gone = "the review is no longer in the archive";
            if let Err(err) = self.outbox.dropped(delivery.id, gone).await {
                pass.fail(err);
            }
            return true;
        };
        let regrade = delivery
            .regrade
            .as_ref()
            .map(|(from, to)| (from.as_str(), to.as_str()));
        let body = announcement(delivery.review_id, &card, &delivery.nonce, regrade);
        let channel = delivery.channel_id;
        pass.busy.insert(channel);
        let this = self.clone();
        pass.tasks
            .spawn(async move { (channel, this.attempt(delivery, body).await) });
        true
    }

    /// The card of review `id` (`None` when it is gone), read once per pass.
    async fn card(
        &self,
        id: i64,
        cards: &mut HashMap<i64, Option<Card>>,
    ) -> anyhow::Result<Option<Card>> {
        if let Some(card) = cards.get(&id) {
            return Ok(card.clone());
        }
        let card = self
            .outbox
            .review(id)
            .await?
            .map(|stored| Card::of(&stored.review, &self.critic));
        cards.insert(id, card.clone());
        Ok(card)
    }

    /// Sends one announcement when the pacer allows, and records what happened to it.
    async fn attempt(self, delivery: Delivery, body: CreateMessage) -> anyhow::Result<Outcome> {
        self.pacer.ready().await;
        let sent = self.send(&delivery, &body).await;
        if !matches!(sent, Sent::Transient(_) | Sent::TokenRefused(_)) {
            self.trouble.store(false, Ordering::SeqCst);
        }
        if let (Sent::TokenRefused(_), Some(watch)) = (&sent, &self.token_watch) {
            watch.refused();
        }
        match sent {
            Sent::Delivered {
                message_id,
                bucket_wait,
            } => {
                self.outbox
                    .sent(delivery.id, message_id, self.clock.now())
                    .await?;
                tracing::debug!(
                    channel = delivery.channel_id,
                    delivery = delivery.id,
                    "announced"
                );
                if let Some(wait) = bucket_wait {
                    tracing::debug!(
                        channel = delivery.channel_id,
                        ?wait,
                        "the channel's bucket is empty"
                    );
                    let at = self.clock.now() + chrono::Duration::from_std(wait)?;
                    self.outbox.delay_channel(delivery.channel_id, at).await?;
                }
                Ok(Outcome::Delivered)
            }
            Sent::RateLimited { wait, global } => {
                tracing::info!(channel = delivery.channel_id, ?wait, global, "rate limited");
                let at = self.clock.now() + chrono::Duration::from_std(wait)?;
                if global {
                    // Nothing may be sent until the limit lifts.
                    self.pacer.hold(wait);
                    self.outbox.delay_pending(at).await?;
                    return Ok(Outcome::GloballyLimited);
                }
                self.outbox
                    .retry(delivery.id, at, "rate limited (429)", false)
                    .await?;
                Ok(Outcome::Done)
            }
            Sent::Transient(error) | Sent::TokenRefused(error) => {
                self.trouble.store(true, Ordering::SeqCst);
                let wait = backoff(delivery.attempts);
                tracing::warn!(channel = delivery.channel_id, %error, ?wait, "announcement failed; every channel waits, then it is retried");
                let at = self.clock.now() + chrono::Duration::from_std(wait)?;
                self.outbox.retry(delivery.id, at, &error, true).await?;
                // Discord is in trouble, not this channel: hold them all.
                self.outbox.delay_pending(at).await?;
                Ok(Outcome::Trouble)
            }
            Sent::Refused(error) => {
                tracing::warn!(
                    channel = delivery.channel_id,
                    subscription = delivery.subscription_id,
                    %error,
                    "Discord refused the channel; its subscription is now disabled"
                );
                self.outbox
                    .disable_subscription(delivery.subscription_id, &error)
                    .await?;
                Ok(Outcome::Done)
            }
            Sent::Rejected(error) => {
                tracing::error!(channel = delivery.channel_id, %error, "announcement rejected; dropped");
                self.outbox.dropped(delivery.id, &error).await?;
                Ok(Outcome::Done)
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
            let next = match self.outbox.next_due(&self.owner).await {
                Ok(Some(at)) => (at - self.clock.now())
                    .to_std()
                    .unwrap_or_default()
                    .min(interval),
                _ => interval,
            };
            tokio::select! {
                _ = tokio::time::sleep(next) => {}
                _ = shutdown.changed() => {}
                _ = reconnected.notified() => {
                    match self.outbox.retry_pending_now(self.clock.now()).await {
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

mod outbox;
#[cfg(test)]
mod paused;

pub use outbox::Outbox;

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

    /// The most turns within any `window` (half open).
    fn busiest(turns: &[Instant], window: Duration) -> usize {
        let mut first = 0;
        let mut busiest = 0;
        for (last, at) in turns.iter().enumerate() {
            while at.duration_since(turns[first]) >= window {
                first += 1;
            }
            busiest = busiest.max(last + 1 - first);
        }
        busiest
    }

    #[test]
    fn the_pacer_never_gives_more_than_the_limit_in_any_window() {
        let pacer = Pacer::new(GLOBAL_LIMIT, GLOBAL_WINDOW);
        let start = Instant::now();
        // 1,000 callers, asking at once and then every 7 ms in a burst, as a fan-out does.
        let turns: Vec<Instant> = (0..1000u64)
            .map(|i| {
                let asked = if i < 300 {
                    start
                } else {
                    start + Duration::from_millis(7 * i)
                };
                pacer.turn(asked)
            })
            .collect();
        assert!(turns.windows(2).all(|w| w[0] <= w[1]), "turns in order");
        assert_eq!(busiest(&turns, GLOBAL_WINDOW), GLOBAL_LIMIT);
        assert!(busiest(&turns, Duration::from_secs(1)) <= GLOBAL_LIMIT);
        // It paces at the limit, not below it: the first 50 start at once, each next 50 one
        // window later.
        assert_eq!(turns[49], start);
        assert_eq!(turns[50], start + GLOBAL_WINDOW);
        assert_eq!(turns[299], start + GLOBAL_WINDOW * 5);
        let last = turns[999].duration_since(start);
        assert!(last <= GLOBAL_WINDOW * 20, "1,000 turns took {last:?}");
    }

    #[test]
    fn a_hold_delays_every_turn_until_it_lifts() {
        let pacer = Pacer::new(2, Duration::from_secs(1));
        let start = Instant::now();
        assert_eq!(pacer.turn(start), start);
        pacer.hold_until(start + Duration::from_millis(300));
        // A shorter hold later does not shorten it.
        pacer.hold_until(start + Duration::from_millis(100));
        let held = start + Duration::from_millis(300);
        assert_eq!(pacer.turn(start), held);
        // The limit still counts the turns before the hold.
        assert_eq!(pacer.turn(start), start + Duration::from_secs(1));
        assert_eq!(pacer.turn(start), held + Duration::from_secs(1));
    }

    #[tokio::test]
    async fn ready_waits_out_a_hold() {
        let pacer = Pacer::new(GLOBAL_LIMIT, GLOBAL_WINDOW);
        let start = Instant::now();
        pacer.hold(Duration::from_millis(50));
        pacer.ready().await;
        assert!(start.elapsed() >= Duration::from_millis(50));
    }

    #[test]
    fn an_empty_bucket_waits_for_its_reset() {
        assert_eq!(bucket_wait(Some("3"), Some("4.2")), None);
        assert_eq!(
            bucket_wait(Some("0"), Some("4.25")),
            Some(Duration::from_millis(4250))
        );
        assert_eq!(bucket_wait(Some("0"), None), Some(Duration::from_secs(1)));
        assert_eq!(bucket_wait(None, Some("1")), None);
        assert_eq!(
            bucket_wait(Some("0"), Some("99999")),
            Some(Duration::from_secs(3600))
        );
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
