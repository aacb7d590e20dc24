//! The feeds `serve --feed` follows (and the sites `marquee import URL` backfilled): each
//! feed's validators for a conditional GET, how its polls went and when the next is due, and
//! every item it has shown with a digest of its content. Kept in the database, so a restart
//! polls conditionally and re-announces nothing, and several `serve` processes on one database
//! share the polls: a process polls a feed only after moving its `next_poll_at` on, in one
//! statement that only one of them can win.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::subscriptions::timestamp;
use super::{on_db, Store};

/// A feed's state at the start of a poll.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedState {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Whether a poll has succeeded before: until one has, what the feed holds is the
    /// archive's past, recorded without announcements.
    pub polled_before: bool,
    pub consecutive_failures: u32,
}

/// An item as the feed's state remembers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenItem {
    pub key: String,
    pub link: Option<String>,
    pub title: Option<String>,
    pub digest: String,
    /// `imported` or `skipped`.
    pub outcome: ItemOutcome,
    /// Why it was skipped.
    pub reason: Option<String>,
}

/// What became of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemOutcome {
    /// It held reviews, now in the archive.
    Imported,
    /// It holds no review (a list, a notice): not read again until it changes.
    Skipped,
}

impl ItemOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemOutcome::Imported => "imported",
            ItemOutcome::Skipped => "skipped",
        }
    }
}

/// How a poll ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Polled {
    /// The feed answered (200 with a feed, or 304). New validators, if it sent any.
    Fetched {
        etag: Option<String>,
        last_modified: Option<String>,
    },
    /// 304: nothing changed, the validators stay.
    NotModified,
    /// It failed: the error, to keep with the feed.
    Failed(String),
}

type StateRow = (Option<String>, Option<String>, Option<String>, i64);

impl Store {
    /// Adds the feed, due at once, unless it is known.
    pub async fn add_feed(&self, url: &str, now: DateTime<Utc>) -> anyhow::Result<()> {
        on_db!(self, |pool| sqlx::query(
            "INSERT INTO feeds (url, next_poll_at) VALUES ($1, $2) ON CONFLICT (url) DO NOTHING"
        )
        .bind(url)
        .bind(timestamp(now))
        .execute(pool)
        .await
        .map(drop))?;
        Ok(())
    }

    /// Claims the feed's poll if it is due at `now`: its next poll moves to `until` (the poll
    /// after this one, should this process die mid-poll), and its state is returned. `None`
    /// when it is not due, or another process has just claimed it.
    pub async fn claim_feed_poll(
        &self,
        url: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> anyhow::Result<Option<FeedState>> {
        let row: Option<StateRow> = on_db!(self, |pool| sqlx::query_as(
            "UPDATE feeds SET next_poll_at = $1, last_attempt_at = $2
             WHERE url = $3 AND next_poll_at <= $2
             RETURNING etag, last_modified, last_success_at, consecutive_failures"
        )
        .bind(timestamp(until))
        .bind(timestamp(now))
        .bind(url)
        .fetch_optional(pool)
        .await)?;
        Ok(
            row.map(|(etag, last_modified, last_success, failures)| FeedState {
                etag,
                last_modified,
                polled_before: last_success.is_some(),
                consecutive_failures: u32::try_from(failures).unwrap_or(u32::MAX),
            }),
        )
    }

    /// Records how a poll ended and when the next is due.
    pub async fn feed_polled(
        &self,
        url: &str,
        polled: &Polled,
        now: DateTime<Utc>,
        next: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let (now, next) = (timestamp(now), timestamp(next));
        on_db!(self, |pool| match polled {
            Polled::Fetched {
                etag,
                last_modified,
            } => sqlx::query(
                "UPDATE feeds SET etag = $1, last_modified = $2, last_success_at = $3,
                        consecutive_failures = 0, last_error = NULL, next_poll_at = $4
                 WHERE url = $5",
            )
            .bind(etag)
            .bind(last_modified)
            .bind(&now)
            .bind(&next)
            .bind(url)
            .execute(pool)
            .await
            .map(drop),
            Polled::NotModified => sqlx::query(
                "UPDATE feeds SET last_success_at = $1, consecutive_failures = 0,
                        last_error = NULL, next_poll_at = $2
                 WHERE url = $3",
            )
            .bind(&now)
            .bind(&next)
            .bind(url)
            .execute(pool)
            .await
            .map(drop),
            Polled::Failed(error) => sqlx::query(
                "UPDATE feeds SET consecutive_failures = consecutive_failures + 1,
                        last_error = $1, next_poll_at = $2
                 WHERE url = $3",
            )
            .bind(error)
            .bind(&next)
            .bind(url)
            .execute(pool)
            .await
            .map(drop),
        })?;
        Ok(())
    }

    /// When the first of `urls` is due next (`None` if none is known).
    pub async fn next_feed_poll(&self, urls: &[String]) -> anyhow::Result<Option<DateTime<Utc>>> {
        let mut next: Option<DateTime<Utc>> = None;
        for url in urls {
            let due: Option<String> = on_db!(self, |pool| sqlx::query_scalar(
                "SELECT next_poll_at FROM feeds WHERE url = $1"
            )
            .bind(url)
            .fetch_optional(pool)
            .await)?;
            if let Some(at) = due.and_then(|d| DateTime::parse_from_rfc3339(&d).ok()) {
                let at = at.with_timezone(&Utc);
                next = Some(next.map_or(at, |n| n.min(at)));
            }
        }
        Ok(next)
    }

    /// The items the feed has shown, by key: each one's digest and outcome.
    pub async fn feed_items(
        &self,
        url: &str,
    ) -> anyhow::Result<HashMap<String, (String, ItemOutcome)>> {
        let rows: Vec<(String, String, String)> = on_db!(self, |pool| sqlx::query_as(
            "SELECT item_key, digest, outcome FROM feed_items WHERE feed_url = $1"
        )
        .bind(url)
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(key, digest, outcome)| {
                let outcome = if outcome == "skipped" {
                    ItemOutcome::Skipped
                } else {
                    ItemOutcome::Imported
                };
                (key, (digest, outcome))
            })
            .collect())
    }

    /// Remembers the items (new ones, and ones whose content changed).
    pub async fn record_feed_items(
        &self,
        url: &str,
        items: &[SeenItem],
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let now = timestamp(now);
        for item in items {
            on_db!(self, |pool| sqlx::query(
                "INSERT INTO feed_items (feed_url, item_key, link, title, digest, outcome, reason,
                                         first_seen_at, changed_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
                 ON CONFLICT (feed_url, item_key) DO UPDATE SET
                    link = excluded.link, title = excluded.title, digest = excluded.digest,
                    outcome = excluded.outcome, reason = excluded.reason,
                    changed_at = excluded.changed_at"
            )
            .bind(url)
            .bind(&item.key)
            .bind(item.link.as_deref())
            .bind(item.title.as_deref())
            .bind(&item.digest)
            .bind(item.outcome.as_str())
            .bind(item.reason.as_deref())
            .bind(&now)
            .execute(pool)
            .await
            .map(drop))?;
        }
        Ok(())
    }
}
