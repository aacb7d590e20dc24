//! `serve --feed URL`: the critic's feeds, polled every `archive.feed_poll_seconds` as one of
//! `serve`'s supervised tasks. A new post that is a review is imported and announced like a
//! file; an edited one is imported again (a regrade is announced as one); a post that is not a
//! review is recorded as skipped, logged once, and left until it changes. A feed's first
//! successful poll records what it holds and announces nothing.
//!
//! Polite and cheap: each poll is a conditional GET (the validators of the last 200), so a
//! feed that did not change costs a 304. A failed poll (network, HTTP status, a body that is
//! not a feed) is logged with the feed and its cause, and the feed backs off — the interval
//! doubled for each failure in a row, up to [`MAX_BACKOFF`] — while `serve` goes on. The
//! state lives in the database, so a restart polls conditionally, and of several `serve`
//! processes on one database only one polls a feed each time it is due.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use super::fetch::{Fetched, Fetcher, Validators};
use super::{items, take_items, MAX_BYTES};
use crate::clock::{Clock, SystemClock};
use crate::ops::Metrics;
use crate::review::Limits;
use crate::store::{FeedState, Polled, Store};

/// The longest a failing feed waits between polls.
pub const MAX_BACKOFF: Duration = Duration::from_secs(6 * 60 * 60);
/// The shortest wait between two passes over the feeds (another process's claim may be due
/// a moment before this one sees it).
const MIN_WAIT: Duration = Duration::from_millis(200);

/// How long a feed waits after `failures` failed polls in a row: the interval doubled for
/// each, up to [`MAX_BACKOFF`] (or the interval itself, if that is longer).
pub fn backoff(interval: Duration, failures: u32) -> Duration {
    let cap = MAX_BACKOFF.max(interval);
    let factor = 2u32.checked_pow(failures.min(31)).unwrap_or(u32::MAX);
    interval.checked_mul(factor).map_or(cap, |d| d.min(cap))
}

/// How long to wait for the next feed due `at`: at least [`MIN_WAIT`], at most `interval`.
fn until(at: DateTime<Utc>, now: DateTime<Utc>, interval: Duration) -> Duration {
    (at - now)
        .to_std()
        .unwrap_or(Duration::ZERO)
        .clamp(MIN_WAIT, interval)
}

/// Why a feed cannot be followed, found at start.
#[derive(Debug, thiserror::Error)]
#[error("cannot follow {url} (serve --feed / archive.feeds): {reason}")]
pub struct BadFeed {
    pub url: String,
    pub reason: String,
}

/// Checks a feed's URL: absolute, http or https.
pub fn check_url(url: &str) -> Result<(), BadFeed> {
    let bad = |reason: &str| BadFeed {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let parsed = url::Url::parse(url).map_err(|err| bad(&format!("not a URL ({err})")))?;
    match parsed.scheme() {
        "http" | "https" if parsed.host().is_some() => Ok(()),
        "http" | "https" => Err(bad("it names no host")),
        _ => Err(bad("only http:// and https:// feeds are followed")),
    }
}

/// The feeds, followed.
pub struct Follower {
    store: Store,
    fetcher: Fetcher,
    feeds: Vec<String>,
    interval: Duration,
    limits: Limits,
    metrics: Arc<Metrics>,
    /// When a feed is due and polled: the wall clock, or the tests' ([`Follower::with_clock`]).
    clock: Arc<dyn Clock>,
}

impl Follower {
    /// Checks every feed's URL; nothing is fetched yet.
    pub fn new(
        store: Store,
        feeds: Vec<String>,
        interval: Duration,
        timeout: Duration,
        limits: Limits,
        metrics: Arc<Metrics>,
    ) -> anyhow::Result<Follower> {
        for url in &feeds {
            check_url(url)?;
        }
        Ok(Follower {
            store,
            fetcher: Fetcher::new(timeout, MAX_BYTES)?,
            feeds,
            interval: interval.max(Duration::from_secs(1)),
            limits,
            metrics,
            clock: Arc::new(SystemClock),
        })
    }

    /// The same follower reading the time from `clock`.
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Follower {
        Follower { clock, ..self }
    }

    /// Polls each feed when it is due until `shutdown` turns true. Never ends on its own for
    /// a feed's sake: every failure is logged and waited out.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) -> anyhow::Result<()> {
        tracing::info!(feeds = ?self.feeds, every = ?self.interval, "following the critic's feeds");
        loop {
            tokio::select! {
                () = self.poll_due() => {}
                _ = shutdown.changed() => return Ok(()),
            }
            let wait = match self.store.next_feed_poll(&self.feeds).await {
                Ok(Some(at)) => until(at, self.clock.now(), self.interval),
                Ok(None) => MIN_WAIT,
                Err(err) => {
                    tracing::warn!(error = format!("{err:#}"), "cannot read the feeds' state");
                    self.interval
                }
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                _ = shutdown.changed() => {}
            }
            if *shutdown.borrow() {
                return Ok(());
            }
        }
    }

    /// Polls each feed that is due (and whose claim this process wins), one after another.
    pub async fn poll_due(&self) {
        for url in &self.feeds {
            self.poll_if_due(url).await;
        }
    }

    /// Polls the feed if it is due and this process wins its claim.
    async fn poll_if_due(&self, url: &str) {
        let now = self.clock.now();
        let claimed = match self.store.add_feed(url, now).await {
            Ok(()) => {
                self.store
                    .claim_feed_poll(url, now, later(now, self.interval))
                    .await
            }
            Err(err) => Err(err),
        };
        match claimed {
            Ok(Some(state)) => self.poll(url, state).await,
            Ok(None) => {}
            Err(err) => tracing::warn!(
                feed = url,
                error = format!("{err:#}"),
                "cannot read the feed's state"
            ),
        }
    }

    /// One poll: fetch (conditionally), read, import what is new or changed, record.
    async fn poll(&self, url: &str, state: FeedState) {
        let validators = Validators {
            etag: state.etag.clone(),
            last_modified: state.last_modified.clone(),
        };
        let outcome = match self.fetcher.get(url, &validators).await {
            Ok(Fetched::NotModified) => {
                self.metrics.feed_poll(url, "not_modified");
                tracing::debug!(feed = url, "the feed has not changed (304)");
                Ok(Polled::NotModified)
            }
            Ok(Fetched::Body(body)) => match items::parse_feed(&body.bytes) {
                Ok(items) => {
                    self.metrics.feed_poll(url, "fetched");
                    self.take(url, items, state.polled_before)
                        .await
                        .map(|()| Polled::Fetched {
                            etag: body.validators.etag,
                            last_modified: body.validators.last_modified,
                        })
                }
                Err(err) => Err(anyhow::Error::new(err)),
            },
            Err(err) => Err(anyhow::Error::new(err)),
        };
        let now = self.clock.now();
        let (polled, next) = match outcome {
            Ok(polled) => (polled, later(now, self.interval)),
            Err(err) => {
                self.metrics.feed_poll(url, "failed");
                let failures = state.consecutive_failures.saturating_add(1);
                let wait = backoff(self.interval, failures);
                let error = format!("{err:#}");
                tracing::warn!(
                    feed = url,
                    error,
                    failures,
                    retry_in = ?wait,
                    "polling the feed failed: {error}"
                );
                (Polled::Failed(error), later(now, wait))
            }
        };
        if let Err(err) = self.store.feed_polled(url, &polled, now, next).await {
            tracing::warn!(
                feed = url,
                error = format!("{err:#}"),
                "cannot record the feed's poll"
            );
        }
    }

    /// The items of a poll, taken: announced unless this is the feed's first good poll.
    async fn take(&self, url: &str, items: Vec<items::Item>, announce: bool) -> anyhow::Result<()> {
        let taken = take_items(&self.store, url, items, announce, &self.limits).await?;
        let c = taken.counts;
        for (outcome, n) in [
            ("imported", c.imported),
            ("unchanged", c.unchanged),
            ("skipped", c.skipped),
        ] {
            self.metrics.feed_items(url, outcome, n);
        }
        for skipped in &taken.skipped {
            tracing::warn!(
                feed = url,
                item = skipped.link.as_deref().unwrap_or(&skipped.key),
                reason = skipped.reason,
                "a post of the feed is not a review: skipped until it changes"
            );
        }
        if c.imported > 0 || !announce {
            tracing::info!(
                feed = url,
                imported = c.imported,
                unchanged = c.unchanged,
                skipped = c.skipped,
                first_poll = !announce,
                "polled the feed"
            );
        }
        Ok(())
    }
}

/// `now` plus `wait`, saturating.
fn later(now: DateTime<Utc>, wait: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(wait)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_from_the_interval_up_to_six_hours() {
        let i = Duration::from_secs(1800);
        assert_eq!(backoff(i, 0), i);
        assert_eq!(backoff(i, 1), i * 2);
        assert_eq!(backoff(i, 2), i * 4);
        assert_eq!(backoff(i, 3), i * 8);
        assert_eq!(backoff(i, 4), MAX_BACKOFF);
        assert_eq!(backoff(i, 40), MAX_BACKOFF);
        assert_eq!(backoff(i, u32::MAX), MAX_BACKOFF);
        let s = Duration::from_secs(1);
        assert_eq!(backoff(s, 3), Duration::from_secs(8));
        // A feed polled less often than the cap is not polled more often when it fails.
        let day = Duration::from_secs(86_400);
        assert_eq!(backoff(day, 2), day);
    }

    #[test]
    fn only_http_and_https_feeds_are_followed() {
        assert!(check_url("https://critic.example/feed/").is_ok());
        assert!(check_url("http://127.0.0.1:8080/feed/").is_ok());
        for bad in [
            "ftp://critic.example/feed/",
            "file:///etc/passwd",
            "critic.example/feed",
            "",
        ] {
            let err = check_url(bad).unwrap_err().to_string();
            assert!(err.contains("serve --feed / archive.feeds"), "{err}");
        }
    }

    #[test]
    fn the_wait_for_the_next_feed_is_bounded_both_ways() {
        let now = Utc::now();
        let interval = Duration::from_secs(1800);
        let at = |secs: i64| now + chrono::Duration::seconds(secs);
        assert_eq!(until(at(90), now, interval), Duration::from_secs(90));
        assert_eq!(until(at(-90), now, interval), MIN_WAIT, "overdue");
        assert_eq!(until(at(0), now, interval), MIN_WAIT);
        assert_eq!(
            until(at(7200), now, interval),
            interval,
            "never past one interval"
        );
    }

    #[test]
    fn later_saturates() {
        let now = Utc::now();
        assert_eq!(
            later(now, Duration::from_secs(60)),
            now + chrono::Duration::seconds(60)
        );
        assert_eq!(later(now, Duration::MAX), DateTime::<Utc>::MAX_UTC);
    }
}
