//! The announcements an import queues in the outbox, in its own transaction: so a review and
//! its announcements are committed together, or neither is.

use sqlx::QueryBuilder;

use super::tx::{cached, on_tx, Tx, ROWS};

/// A film imported again with another grade.
pub(super) struct Regrade {
    pub(super) review_id: i64,
    pub(super) from: String,
    pub(super) to: &'static str,
    pub(super) rank: u8,
}

impl Tx<'_> {
    /// The outbox: an announcement for every subscribed channel whose floor the grade meets
    /// (`added`: review and grade rank), committed with the reviews themselves, in the order
    /// the reviews were added.
    pub(super) async fn queue_announcements(&mut self, added: &[(i64, u8)]) -> anyhow::Result<()> {
        let nonce = self.dialect().new_nonce;
        for rows in added.chunks(ROWS) {
            on_tx!(self, |t, Db| {
                let mut q = QueryBuilder::<Db>::new("WITH added (review_id, grade_rank) AS (");
                q.push_values(rows, |mut row, (id, rank)| {
                    row.push_bind(*id).push_bind(i64::from(*rank));
                });
                q.push(
                    ") INSERT INTO deliveries (review_id, subscription_id, channel_id, nonce)
                     SELECT a.review_id, s.id, s.channel_id, ",
                );
                q.push(nonce);
                q.push(
                    " FROM added a JOIN subscriptions s
                       ON s.disabled_at IS NULL AND a.grade_rank <= s.min_grade_rank
                     ORDER BY a.review_id, s.id",
                );
                q.build()
                    .persistent(cached(rows.len()))
                    .execute(&mut **t)
                    .await?;
            });
        }
        Ok(())
    }

    /// The outbox: a regrade for every channel subscribed with `regrades` whose floor the new
    /// grade meets. The nonce carries the archive version the regrade made, so each regrade
    /// of a film is a message of its own.
    pub(super) async fn queue_regrades(&mut self, regraded: &[Regrade]) -> anyhow::Result<()> {
        let nonce = self.dialect().regrade_nonce;
        for rows in regraded.chunks(ROWS) {
            on_tx!(self, |t, Db| {
                let mut q = QueryBuilder::<Db>::new(
                    "WITH regraded (review_id, regraded_from, regraded_to, grade_rank) AS (",
                );
                q.push_values(rows, |mut row, r| {
                    row.push_bind(r.review_id)
                        .push_bind(r.from.as_str())
                        .push_bind(r.to)
                        .push_bind(i64::from(r.rank));
                });
                q.push(
                    ") INSERT INTO deliveries (review_id, subscription_id, channel_id, nonce,
                                               regraded_from, regraded_to)
                     SELECT g.review_id, s.id, s.channel_id, ",
                );
                q.push(nonce);
                q.push(
                    ", g.regraded_from, g.regraded_to
                     FROM regraded g JOIN subscriptions s
                       ON s.disabled_at IS NULL AND s.regrades AND g.grade_rank <= s.min_grade_rank
                     ORDER BY g.review_id, s.id",
                );
                q.build()
                    .persistent(cached(rows.len()))
                    .execute(&mut **t)
                    .await?;
            });
        }
        Ok(())
    }
}
