//! What the announcer reads and writes of the outbox, as a trait: the store in `serve`, a model
//! in memory in the tests, so that the announcer runs in paused time (SQLite answers from a
//! thread of its own, and a paused runtime waiting for it would jump ahead to its next timer).

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::store::{Delivery, Store, StoredReview};

/// The outbox, as the announcer uses it. Each method is the store's of the same meaning.
#[serenity::async_trait]
pub trait Outbox: Send + Sync {
    /// [`Store::claim_due_deliveries`].
    async fn claim_due(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: i64,
    ) -> anyhow::Result<Vec<Delivery>>;
    /// [`Store::next_delivery_at`].
    async fn next_due(&self, owner: &str) -> anyhow::Result<Option<DateTime<Utc>>>;
    /// [`Store::delivery_sent_at`].
    async fn sent(
        &self,
        id: i64,
        message_id: Option<u64>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()>;
    /// [`Store::delivery_retry`].
    async fn retry(
        &self,
        id: i64,
        at: DateTime<Utc>,
        error: &str,
        counts: bool,
    ) -> anyhow::Result<()>;
    /// [`Store::delay_pending`].
    async fn delay_pending(&self, at: DateTime<Utc>) -> anyhow::Result<()>;
    /// [`Store::delay_channel`].
    async fn delay_channel(&self, channel_id: u64, at: DateTime<Utc>) -> anyhow::Result<()>;
    /// [`Store::retry_pending_now`].
    async fn retry_pending_now(&self, now: DateTime<Utc>) -> anyhow::Result<u64>;
    /// [`Store::prune_deliveries`].
    async fn prune(&self, before: DateTime<Utc>) -> anyhow::Result<u64>;
    /// [`Store::delivery_dropped`].
    async fn dropped(&self, id: i64, error: &str) -> anyhow::Result<()>;
    /// [`Store::disable_subscription`].
    async fn disable_subscription(&self, subscription_id: i64, reason: &str) -> anyhow::Result<()>;
    /// [`Store::review`]: what an announcement shows.
    async fn review(&self, id: i64) -> anyhow::Result<Option<StoredReview>>;
}

#[serenity::async_trait]
impl Outbox for Store {
    async fn claim_due(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: i64,
    ) -> anyhow::Result<Vec<Delivery>> {
        self.claim_due_deliveries(owner, now, lease, limit).await
    }

    async fn next_due(&self, owner: &str) -> anyhow::Result<Option<DateTime<Utc>>> {
        self.next_delivery_at(owner).await
    }

    async fn sent(
        &self,
        id: i64,
        message_id: Option<u64>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        self.delivery_sent_at(id, message_id, now).await
    }

    async fn retry(
        &self,
        id: i64,
        at: DateTime<Utc>,
        error: &str,
        counts: bool,
    ) -> anyhow::Result<()> {
        self.delivery_retry(id, at, error, counts).await
    }

    async fn delay_pending(&self, at: DateTime<Utc>) -> anyhow::Result<()> {
        Store::delay_pending(self, at).await
    }

    async fn delay_channel(&self, channel_id: u64, at: DateTime<Utc>) -> anyhow::Result<()> {
        Store::delay_channel(self, channel_id, at).await
    }

    async fn retry_pending_now(&self, now: DateTime<Utc>) -> anyhow::Result<u64> {
        Store::retry_pending_now(self, now).await
    }

    async fn prune(&self, before: DateTime<Utc>) -> anyhow::Result<u64> {
        self.prune_deliveries(before).await
    }

    async fn dropped(&self, id: i64, error: &str) -> anyhow::Result<()> {
        self.delivery_dropped(id, error).await
    }

    async fn disable_subscription(&self, subscription_id: i64, reason: &str) -> anyhow::Result<()> {
        Store::disable_subscription(self, subscription_id, reason).await
    }

    async fn review(&self, id: i64) -> anyhow::Result<Option<StoredReview>> {
        Store::review(self, id).await
    }
}
