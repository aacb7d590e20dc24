//! The announcer in paused time, against a Discord that answers in-process: an outage of
//! minutes, the backoff's cap, a lease taken over and a fan-out's pacing, each in virtual time,
//! so the test takes as long as the work, not as long as the waits.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serenity::all::CreateMessage;
use tokio::sync::{watch, Notify};
use tokio::time::Instant;

use chrono::{DateTime, Utc};

use super::*;
use crate::clock::TokioClock;
use crate::import::Source;

/// A review in the critic's layout, written for these tests.
fn review(title: &str, year: i32) -> Source {
    Source::Bytes {
        name: format!("{title}.txt"),
        bytes: format!(
            "(director: Ada Lind; cast: Bo Kline; {year})\n\n“Said once.”\n\nReviewed by Dennis Schwartz\n\n\
             A film.\n\nAda Lind's {title}\n      a tagline\n\n\nREVIEWED ON 1/2/2020  GRADE: B"
        )
        .into_bytes(),
    }
}

/// One post Discord received: when (since the test began), where, and what it said back.
#[derive(Debug, Clone)]
struct Post {
    at: Duration,
    channel: u64,
    title: String,
    delivered: bool,
}

/// Discord, in-process: down (5xx) until `down_until`, then taking every post; or taking
/// none at all, never answering (`hang`).
struct FakeDiscord {
    start: Instant,
    down_until: Duration,
    hang: bool,
    posts: Mutex<Vec<Post>>,
}

impl FakeDiscord {
    fn new(down_for: Duration) -> Arc<FakeDiscord> {
        Arc::new(FakeDiscord {
            start: Instant::now(),
            down_until: down_for,
            hang: false,
            posts: Mutex::new(Vec::new()),
        })
    }

    fn posts(&self) -> Vec<Post> {
        self.posts.lock().map(|p| p.clone()).unwrap_or_default()
    }

    fn delivered(&self) -> Vec<Post> {
        self.posts().into_iter().filter(|p| p.delivered).collect()
    }
}

#[serenity::async_trait]
impl Poster for FakeDiscord {
    async fn post(&self, channel_id: u64, body: &CreateMessage) -> Sent {
        if self.hang {
            std::future::pending::<()>().await;
        }
        let at = self.start.elapsed();
        let json = serde_json::to_value(body).unwrap_or_default();
        let title = json["embeds"][0]["title"].as_str().unwrap_or("").to_owned();
        let delivered = at >= self.down_until;
        if let Ok(mut posts) = self.posts.lock() {
            posts.push(Post {
                at,
                channel: channel_id,
                title,
                delivered,
            });
        }
        if delivered {
            Sent::Delivered {
                message_id: None,
                bucket_wait: None,
            }
        } else {
            Sent::Transient("Discord answered 503 Service Unavailable".into())
        }
    }
}

/// The outbox, modelled in memory as the store keeps it: each channel's oldest pending
/// announcement is due at its time, unless another owner holds it under a lease.
struct Model {
    rows: Mutex<Vec<Row>>,
    reviews: std::collections::HashMap<i64, crate::store::StoredReview>,
}

#[derive(Debug, Clone)]
struct Row {
    delivery: Delivery,
    status: &'static str,
    next_attempt_at: DateTime<Utc>,
    claimed_by: Option<String>,
    claimed_until: Option<DateTime<Utc>>,
}

impl Model {
    /// `films` new reviews, each to announce in `channels` channels (subscriptions 1.., one a
    /// channel), queued in the order the store queues them: review by review.
    fn new(channels: u64, films: i64, now: DateTime<Utc>) -> Arc<Model> {
        let mut rows = Vec::new();
        let mut reviews = std::collections::HashMap::new();
        for film in 1..=films {
            let Source::Bytes { bytes, .. } =
                review(&format!("Film Number {film}"), 1989 + film as i32)
            else {
                continue;
            };
            let parsed = crate::review::Review::parse_bytes(&bytes).unwrap();
            reviews.insert(
                film,
                crate::store::StoredReview {
                    id: film,
                    source_path: None,
                    review: parsed,
                },
            );
            for channel in 0..channels {
                let id = rows.len() as i64 + 1;
                rows.push(Row {
                    delivery: Delivery {
                        id,
                        review_id: film,
                        subscription_id: channel as i64 + 1,
                        channel_id: 1000 + channel,
                        nonce: format!("mq{film:x}.{channel:x}"),
                        attempts: 0,
                        regrade: None,
                    },
                    status: "pending",
                    next_attempt_at: now,
                    claimed_by: None,
                    claimed_until: None,
                });
            }
        }
        Arc::new(Model {
            rows: Mutex::new(rows),
            reviews,
        })
    }

    fn rows(&self) -> std::sync::MutexGuard<'_, Vec<Row>> {
        self.rows.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn statuses(&self) -> Vec<&'static str> {
        self.rows().iter().map(|r| r.status).collect()
    }

    fn with(&self, id: i64, change: impl FnOnce(&mut Row)) {
        if let Some(row) = self.rows().iter_mut().find(|r| r.delivery.id == id) {
            change(row);
        }
    }
}

/// Whether `row` is its channel's oldest pending announcement.
fn first_of_channel(rows: &[Row], row: &Row) -> bool {
    row.status == "pending"
        && !rows.iter().any(|e| {
            e.delivery.channel_id == row.delivery.channel_id
                && e.status == "pending"
                && e.delivery.id < row.delivery.id
        })
}

#[serenity::async_trait]
impl Outbox for Model {
    async fn claim_due(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: i64,
    ) -> anyhow::Result<Vec<Delivery>> {
        let until = now + chrono::Duration::from_std(lease)?;
        let mut rows = self.rows();
        let due: Vec<i64> = rows
            .iter()
            .filter(|r| {
                first_of_channel(&rows, r)
                    && r.next_attempt_at <= now
                    && (r.claimed_until.is_none_or(|u| u <= now)
                        || r.claimed_by.as_deref() == Some(owner))
            })
            .map(|r| r.delivery.id)
            .take(usize::try_from(limit).unwrap_or(0))
            .collect();
        let mut claimed = Vec::new();
        for row in rows.iter_mut().filter(|r| due.contains(&r.delivery.id)) {
            row.claimed_by = Some(owner.to_owned());
            row.claimed_until = Some(until);
            claimed.push(row.delivery.clone());
        }
        Ok(claimed)
    }

    async fn next_due(&self, owner: &str) -> anyhow::Result<Option<DateTime<Utc>>> {
        let rows = self.rows();
        Ok(rows
            .iter()
            .filter(|r| first_of_channel(&rows, r))
            .map(|r| match (&r.claimed_by, r.claimed_until) {
                (Some(by), Some(until)) if by != owner && until > r.next_attempt_at => until,
                _ => r.next_attempt_at,
            })
            .min())
    }

    async fn sent(&self, id: i64, _: Option<u64>, _: DateTime<Utc>) -> anyhow::Result<()> {
        self.with(id, |r| {
            r.status = "sent";
            r.delivery.attempts += 1;
            r.claimed_by = None;
            r.claimed_until = None;
        });
        Ok(())
    }

    async fn retry(&self, id: i64, at: DateTime<Utc>, _: &str, counts: bool) -> anyhow::Result<()> {
        self.with(id, |r| {
            r.next_attempt_at = at;
            r.delivery.attempts += i64::from(counts);
            r.claimed_by = None;
            r.claimed_until = None;
        });
        Ok(())
    }

    async fn delay_pending(&self, at: DateTime<Utc>) -> anyhow::Result<()> {
        for row in self.rows().iter_mut().filter(|r| r.status == "pending") {
            row.next_attempt_at = row.next_attempt_at.max(at);
        }
        Ok(())
    }

    async fn delay_channel(&self, channel_id: u64, at: DateTime<Utc>) -> anyhow::Result<()> {
        for row in self
            .rows()
            .iter_mut()
            .filter(|r| r.status == "pending" && r.delivery.channel_id == channel_id)
        {
            row.next_attempt_at = row.next_attempt_at.max(at);
        }
        Ok(())
    }

    async fn retry_pending_now(&self, now: DateTime<Utc>) -> anyhow::Result<u64> {
        let mut n = 0;
        for row in self
            .rows()
            .iter_mut()
            .filter(|r| r.status == "pending" && r.next_attempt_at > now)
        {
            row.next_attempt_at = now;
            n += 1;
        }
        Ok(n)
    }

    async fn prune(&self, _: DateTime<Utc>) -> anyhow::Result<u64> {
        Ok(0)
    }

    async fn dropped(&self, id: i64, _: &str) -> anyhow::Result<()> {
        self.with(id, |r| {
            r.status = "dropped";
            r.claimed_by = None;
            r.claimed_until = None;
        });
        Ok(())
    }

    async fn disable_subscription(&self, subscription_id: i64, _: &str) -> anyhow::Result<()> {
        for row in self
            .rows()
            .iter_mut()
            .filter(|r| r.delivery.subscription_id == subscription_id && r.status == "pending")
        {
            row.status = "dropped";
        }
        Ok(())
    }

    async fn review(&self, id: i64) -> anyhow::Result<Option<crate::store::StoredReview>> {
        Ok(self.reviews.get(&id).cloned())
    }
}

/// An announcer posting to `discord` from `outbox`, on a clock that follows paused time.
fn announcer(outbox: Arc<Model>, discord: Arc<FakeDiscord>) -> Announcer {
    Announcer::over(outbox, discord, "Dennis Schwartz".into())
        .with_clock(Arc::new(TokioClock::new()))
}

/// Runs `announcer` for `how_long` of paused time, then stops it.
async fn run_for(announcer: Announcer, how_long: Duration) {
    let (stop, stopped) = watch::channel(false);
    let running =
        tokio::spawn(announcer.run(Duration::from_secs(1), stopped, Arc::new(Notify::new())));
    tokio::time::sleep(how_long).await;
    let _ = stop.send(true);
    running.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn discord_down_for_five_minutes_then_every_announcement_once_in_order() {
    let outbox = Model::new(3, 4, TokioClock::new().now());
    let discord = FakeDiscord::new(Duration::from_secs(300));
    run_for(
        announcer(outbox.clone(), discord.clone()),
        Duration::from_secs(600),
    )
    .await;
    assert!(outbox.statuses().iter().all(|s| *s == "sent"));

    // Every announcement once, in each channel in the order the reviews arrived.
    let delivered = discord.delivered();
    assert_eq!(delivered.len(), 12, "{delivered:#?}");
    for channel in 1000..1003 {
        let titles: Vec<&str> = delivered
            .iter()
            .filter(|p| p.channel == channel)
            .map(|p| p.title.as_str())
            .collect();
        assert_eq!(
            titles,
            [
                "Film Number 1 (1990)",
                "Film Number 2 (1991)",
                "Film Number 3 (1992)",
                "Film Number 4 (1993)"
            ],
            "channel {channel}"
        );
    }
    // The outage cost one request per backoff, not one per channel, and the waits doubled up
    // to the cap.
    let failed: Vec<Duration> = discord
        .posts()
        .iter()
        .filter(|p| !p.delivered)
        .map(|p| p.at)
        .collect();
    assert!(
        (6..=12).contains(&failed.len()),
        "{} attempts during a 5-minute outage: {failed:?}",
        failed.len()
    );
    let gaps: Vec<Duration> = failed.windows(2).map(|w| w[1] - w[0]).collect();
    for pair in gaps.windows(2) {
        assert!(pair[1] >= pair[0], "the waits never shorten: {gaps:?}");
    }
    assert!(
        gaps.iter()
            .all(|g| *g <= MAX_BACKOFF + Duration::from_secs(2)),
        "the waits stop at the cap: {gaps:?}"
    );
    assert!(
        *gaps.last().unwrap_or(&Duration::ZERO) >= MAX_BACKOFF,
        "the cap is reached: {gaps:?}"
    );
    // Back within one backoff of Discord's return.
    let first_ok = delivered.first().map(|p| p.at).unwrap_or_default();
    assert!(
        first_ok <= Duration::from_secs(300) + MAX_BACKOFF + Duration::from_secs(2),
        "{first_ok:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_dead_owner_s_claims_are_taken_over_when_the_lease_ends() {
    let outbox = Model::new(2, 3, TokioClock::new().now());
    // The first process claims what is due and never hears back (it hangs, as a process
    // killed mid-send would leave its claims).
    let stuck = Arc::new(FakeDiscord {
        start: Instant::now(),
        down_until: Duration::ZERO,
        hang: true,
        posts: Mutex::new(Vec::new()),
    });
    let lease = Duration::from_secs(30);
    let first = announcer(outbox.clone(), stuck.clone()).with_lease(lease);
    let (stop_first, stopped_first) = watch::channel(false);
    let running_first = tokio::spawn(first.run(
        Duration::from_secs(1),
        stopped_first,
        Arc::new(Notify::new()),
    ));
    tokio::time::sleep(Duration::from_millis(10)).await;
    // The second process starts beside it.
    let discord = FakeDiscord::new(Duration::ZERO);
    run_for(
        announcer(outbox.clone(), discord.clone()).with_lease(lease),
        Duration::from_secs(120),
    )
    .await;
    let _ = stop_first.send(true);
    running_first.abort();

    let delivered = discord.delivered();
    assert_eq!(delivered.len(), 6, "{delivered:#?}");
    assert!(outbox.statuses().iter().all(|s| *s == "sent"));
    // Nothing the first one held went before its lease ended, and each went once.
    let first_sent = delivered.iter().map(|p| p.at).min().unwrap_or_default();
    assert!(
        first_sent >= lease - Duration::from_millis(10),
        "{first_sent:?}"
    );
    let mut titles: Vec<(u64, String)> = delivered
        .iter()
        .map(|p| (p.channel, p.title.clone()))
        .collect();
    titles.sort();
    titles.dedup();
    assert_eq!(titles.len(), 6);
    assert!(
        stuck.posts().is_empty(),
        "the stuck one never got an answer"
    );
}

#[tokio::test(start_paused = true)]
async fn a_fan_out_runs_at_discord_s_global_limit_and_not_past_it() {
    let outbox = Model::new(400, 1, TokioClock::new().now());
    let discord = FakeDiscord::new(Duration::ZERO);
    run_for(
        announcer(outbox.clone(), discord.clone()),
        Duration::from_secs(60),
    )
    .await;
    let mut starts: Vec<Duration> = discord.delivered().iter().map(|p| p.at).collect();
    assert_eq!(starts.len(), 400, "every channel once");
    starts.sort();
    // At most GLOBAL_LIMIT posts start within any GLOBAL_WINDOW.
    let mut first = 0;
    for (last, at) in starts.iter().enumerate() {
        while *at - starts[first] >= GLOBAL_WINDOW {
            first += 1;
        }
        assert!(
            last + 1 - first <= GLOBAL_LIMIT,
            "{} posts in one window",
            last + 1 - first
        );
    }
    // And at it, not below: 400 posts take eight windows, not much more.
    let took = starts.last().copied().unwrap_or_default();
    assert!(took <= GLOBAL_WINDOW * 8, "{took:?}");
    assert!(took >= GLOBAL_WINDOW * 7, "{took:?}");
}
