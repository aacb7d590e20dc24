//! Channel subscriptions and the announcement outbox.

use chrono::{DateTime, Utc};

use super::{on_db, Store};
use crate::review::Grade;

/// A channel subscribed to announcements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: i64,
    pub guild_id: u64,
    pub channel_id: u64,
    pub min_grade: Grade,
    /// Whether regrades are announced too.
    pub regrades: bool,
    /// Why Discord refused the channel, when it did.
    pub disabled_reason: Option<String>,
}

/// An announcement waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub review_id: i64,
    pub subscription_id: i64,
    pub channel_id: u64,
    pub nonce: String,
    pub attempts: i64,
    /// For a regrade, the grades before and after; `None` for a new review.
    pub regrade: Option<(String, String)>,
}

/// What subscribing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscribed {
    New,
    /// The channel was subscribed already (or disabled): its floor is now the one given.
    Changed,
    /// The channel is subscribed from another guild: nothing changed.
    OtherGuild,
}

/// Timestamps as SQLite stores them here: ISO 8601, UTC, milliseconds; they sort as text.
pub(super) fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// What the outbox queries read of a delivery.
const DELIVERY_COLUMNS: &str = "id, review_id, subscription_id, channel_id, nonce, attempts,
                                regraded_from, regraded_to";

/// A due delivery (`d`) at `$1`: pending, its time come, and the oldest pending of its channel.
const DUE: &str = "d.status = 'pending' AND d.next_attempt_at <= $1
                   AND NOT EXISTS (SELECT 1 FROM deliveries e
                                   WHERE e.channel_id = d.channel_id AND e.status = 'pending'
                                     AND e.id < d.id)";

/// A `deliveries` row as the queries above read it.
type DeliveryRow = (
    i64,
    i64,
    i64,
    i64,
    String,
    i64,
    Option<String>,
    Option<String>,
);

fn delivery(row: DeliveryRow) -> Delivery {
    let (id, review_id, subscription_id, channel, nonce, attempts, from, to) = row;
    Delivery {
        id,
        review_id,
        subscription_id,
        channel_id: id_u64(channel),
        nonce,
        attempts,
        regrade: from.zip(to),
    }
}

/// Now, as the database stores it.
pub(super) fn now_timestamp() -> String {
    timestamp(Utc::now())
}

fn id_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or_default()
}

fn id_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl Store {
    pub async fn subscribe(
        &self,
        guild_id: u64,
        channel_id: u64,
        min_grade: Grade,
        by_user: u64,
        regrades: bool,
    ) -> anyhow::Result<Subscribed> {
        let owner: Option<i64> = on_db!(self, |pool| sqlx::query_scalar(
            "SELECT guild_id FROM subscriptions WHERE channel_id = $1"
        )
        .bind(id_i64(channel_id))
        .fetch_optional(pool)
        .await)?;
        if owner.is_some_and(|g| g != id_i64(guild_id)) {
            return Ok(Subscribed::OtherGuild);
        }
        let existed = owner.is_some();
        // The WHERE keeps a channel with its guild even if another guild races this one.
        on_db!(self, |pool| sqlx::query(
            "INSERT INTO subscriptions (guild_id, channel_id, min_grade_rank, created_by, regrades,
                                        created_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (channel_id) DO UPDATE SET
                 min_grade_rank = excluded.min_grade_rank, regrades = excluded.regrades,
                 disabled_at = NULL, disabled_reason = NULL
             WHERE subscriptions.guild_id = excluded.guild_id",
        )
        .bind(id_i64(guild_id))
        .bind(id_i64(channel_id))
        .bind(i64::from(min_grade.rank()))
        .bind(id_i64(by_user))
        .bind(regrades)
        .bind(timestamp(Utc::now()))
        .execute(pool)
        .await
        .map(drop))?;
        Ok(if existed {
            Subscribed::Changed
        } else {
            Subscribed::New
        })
    }

    /// Removes a channel's subscription (and its pending announcements). False if there was none.
    pub async fn unsubscribe(&self, guild_id: u64, channel_id: u64) -> anyhow::Result<bool> {
        let done = on_db!(self, |pool| sqlx::query(
            "DELETE FROM subscriptions WHERE guild_id = $1 AND channel_id = $2"
        )
        .bind(id_i64(guild_id))
        .bind(id_i64(channel_id))
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done > 0)
    }

    pub async fn subscriptions(&self, guild_id: u64) -> anyhow::Result<Vec<Subscription>> {
        let rows: Vec<(i64, i64, i64, i64, bool, Option<String>)> = on_db!(self, |pool| {
            sqlx::query_as(
                "SELECT id, guild_id, channel_id, min_grade_rank, regrades, disabled_reason
                 FROM subscriptions
                 WHERE guild_id = $1 ORDER BY channel_id",
            )
            .bind(id_i64(guild_id))
            .fetch_all(pool)
            .await
        })?;
        Ok(rows
            .into_iter()
            .map(
                |(id, guild, channel, rank, regrades, reason)| Subscription {
                    id,
                    guild_id: id_u64(guild),
                    channel_id: id_u64(channel),
                    min_grade: Grade::from_rank(rank).unwrap_or(Grade::F),
                    regrades,
                    disabled_reason: reason,
                },
            )
            .collect())
    }

    /// Pending announcements whose time has come, oldest first, at most one per channel: a
    /// channel's announcements go out in the order they were queued, each waiting for the one
    /// before it to be sent or dropped. Reads only; [`Store::claim_due_deliveries`] is what a
    /// sender uses.
    pub async fn due_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> anyhow::Result<Vec<Delivery>> {
        let rows: Vec<DeliveryRow> = on_db!(self, |pool| sqlx::query_as(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries d
             WHERE {DUE} ORDER BY id LIMIT $2"
        ))
        .bind(timestamp(now))
        .bind(limit)
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().map(delivery).collect())
    }

    /// Claims up to `limit` of the due announcements for `owner` until `now + lease`, and
    /// returns them, oldest first. The same rule as [`Store::due_deliveries`] (a channel's
    /// oldest pending one only), less what another owner holds under a lease that has not
    /// run out: several processes on one database never send the same announcement at once,
    /// and one that dies leaves its claims to the others when their leases end. One
    /// statement, so two claims cannot interleave: SQLite has one writer, and PostgreSQL
    /// skips the rows another claim has locked (`FOR UPDATE SKIP LOCKED`).
    pub async fn claim_due_deliveries(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        lease: std::time::Duration,
        limit: i64,
    ) -> anyhow::Result<Vec<Delivery>> {
        let until = now + chrono::Duration::from_std(lease)?;
        let lock = if self.is_postgres() {
            "FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE deliveries SET claimed_by = $3, claimed_until = $4
             WHERE id IN (
                 SELECT id FROM deliveries d
                 WHERE {DUE} AND (claimed_until IS NULL OR claimed_until <= $1 OR claimed_by = $3)
                 ORDER BY id LIMIT $2 {lock})
             RETURNING {DELIVERY_COLUMNS}"
        );
        let mut rows: Vec<DeliveryRow> = on_db!(self, |pool| sqlx::query_as(&sql)
            .bind(timestamp(now))
            .bind(limit)
            .bind(owner)
            .bind(timestamp(until))
            .fetch_all(pool)
            .await)?;
        rows.sort_by_key(|row| row.0);
        Ok(rows.into_iter().map(delivery).collect())
    }

    /// When the next pending announcement is due, if any is pending (counting only the
    /// oldest of each channel, the ones [`Store::due_deliveries`] may return); one that
    /// another owner holds is due for `owner` when the lease ends.
    pub async fn next_delivery_at(&self, owner: &str) -> anyhow::Result<Option<DateTime<Utc>>> {
        let next: Option<String> = on_db!(self, |pool| sqlx::query_scalar(
            "SELECT min(CASE WHEN claimed_by IS NOT NULL AND claimed_by <> $1
                                  AND claimed_until > next_attempt_at
                             THEN claimed_until ELSE next_attempt_at END)
             FROM deliveries d
             WHERE status = 'pending'
               AND NOT EXISTS (SELECT 1 FROM deliveries e
                               WHERE e.channel_id = d.channel_id AND e.status = 'pending'
                                 AND e.id < d.id)",
        )
        .bind(owner)
        .fetch_one(pool)
        .await)?;
        Ok(next
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| t.with_timezone(&Utc)))
    }

    /// Records an announcement as sent, now.
    pub async fn delivery_sent(&self, id: i64, message_id: Option<u64>) -> anyhow::Result<()> {
        self.delivery_sent_at(id, message_id, Utc::now()).await
    }

    /// Records an announcement as sent at `now`.
    pub async fn delivery_sent_at(
        &self,
        id: i64,
        message_id: Option<u64>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        on_db!(self, |pool| sqlx::query(
            "UPDATE deliveries SET status = 'sent', attempts = attempts + 1, message_id = $1,
                    sent_at = $2, last_error = NULL, claimed_by = NULL, claimed_until = NULL
             WHERE id = $3",
        )
        .bind(message_id.map(id_i64))
        .bind(timestamp(now))
        .bind(id)
        .execute(pool)
        .await
        .map(drop))?;
        Ok(())
    }

    /// Tries again at `at`; `counts` says whether this was a failed attempt (a 429 is not).
    pub async fn delivery_retry(
        &self,
        id: i64,
        at: DateTime<Utc>,
        error: &str,
        counts: bool,
    ) -> anyhow::Result<()> {
        on_db!(self, |pool| sqlx::query(
            "UPDATE deliveries SET next_attempt_at = $1, last_error = $2, attempts = attempts + $3,
                    claimed_by = NULL, claimed_until = NULL
             WHERE id = $4",
        )
        .bind(timestamp(at))
        .bind(error)
        .bind(i64::from(counts))
        .bind(id)
        .execute(pool)
        .await
        .map(drop))?;
        Ok(())
    }

    /// Holds every pending announcement until `at` (a global rate limit).
    pub async fn delay_pending(&self, at: DateTime<Utc>) -> anyhow::Result<()> {
        on_db!(self, |pool| sqlx::query(
            "UPDATE deliveries
             SET next_attempt_at = CASE WHEN next_attempt_at > $1 THEN next_attempt_at ELSE $1 END
             WHERE status = 'pending'",
        )
        .bind(timestamp(at))
        .execute(pool)
        .await
        .map(drop))?;
        Ok(())
    }

    /// Holds a channel's pending announcements until `at`: Discord said the channel's bucket
    /// is empty until then (`X-RateLimit-Remaining: 0`).
    pub async fn delay_channel(&self, channel_id: u64, at: DateTime<Utc>) -> anyhow::Result<()> {
        on_db!(self, |pool| sqlx::query(
            "UPDATE deliveries
             SET next_attempt_at = CASE WHEN next_attempt_at > $1 THEN next_attempt_at ELSE $1 END
             WHERE channel_id = $2 AND status = 'pending'",
        )
        .bind(timestamp(at))
        .bind(id_i64(channel_id))
        .execute(pool)
        .await
        .map(drop))?;
        Ok(())
    }

    /// Makes every pending announcement due now: Discord is reachable again (the gateway
    /// reconnected), so waiting out a backoff would only delay them.
    pub async fn retry_pending_now(&self, now: DateTime<Utc>) -> anyhow::Result<u64> {
        Ok(on_db!(self, |pool| sqlx::query(
            "UPDATE deliveries SET next_attempt_at = $1
             WHERE status = 'pending' AND next_attempt_at > $1",
        )
        .bind(timestamp(now))
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?)
    }

    /// Deletes the sent and dropped deliveries whose last attempt was before `before`, so the
    /// outbox holds what is pending plus a window of history. Pending rows are never touched,
    /// and a pruned row cannot come back: a review is queued only when it is first added.
    /// Returns how many rows went.
    pub async fn prune_deliveries(&self, before: DateTime<Utc>) -> anyhow::Result<u64> {
        Ok(on_db!(self, |pool| sqlx::query(
            "DELETE FROM deliveries
             WHERE status IN ('sent', 'dropped') AND next_attempt_at < $1",
        )
        .bind(timestamp(before))
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?)
    }

    /// Gives up on one announcement (the request itself was wrong, or the review is gone).
    pub async fn delivery_dropped(&self, id: i64, error: &str) -> anyhow::Result<()> {
        on_db!(self, |pool| sqlx::query(
            "UPDATE deliveries SET status = 'dropped', last_error = $1, attempts = attempts + 1,
                    claimed_by = NULL, claimed_until = NULL
             WHERE id = $2",
        )
        .bind(error)
        .bind(id)
        .execute(pool)
        .await
        .map(drop))?;
        Ok(())
    }

    /// Discord refused the channel for good (403/404): the subscription is disabled, with the
    /// reason, and its pending announcements are dropped.
    pub async fn disable_subscription(
        &self,
        subscription_id: i64,
        reason: &str,
    ) -> anyhow::Result<()> {
        const DISABLE: &str = "UPDATE subscriptions SET disabled_at = $1, disabled_reason = $2
                               WHERE id = $3";
        const DROP: &str = "UPDATE deliveries SET status = 'dropped', last_error = $1,
                                   claimed_by = NULL, claimed_until = NULL
                            WHERE subscription_id = $2 AND status = 'pending'";
        let now = timestamp(Utc::now());
        // The first statement writes, so the transaction holds the write lock from its start.
        on_db!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(DISABLE)
                .bind(&now)
                .bind(reason)
                .bind(subscription_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(DROP)
                .bind(reason)
                .bind(subscription_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }
}
