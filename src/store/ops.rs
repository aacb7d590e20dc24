//! What `serve`'s operations endpoints read: a ping and the counts `/metrics` exposes.

use anyhow::Context;

use super::{on_db, Store};

impl Store {
    /// Whether the database answers (`/healthz`).
    pub async fn ping(&self) -> anyhow::Result<()> {
        on_db!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(drop)
            .context("the database does not answer"))?;
        Ok(())
    }

    /// For `/metrics`: the outbox's deliveries by status (every status, zero included), and
    /// the files all imports have stored, by outcome.
    pub async fn ops_counts(
        &self,
    ) -> anyhow::Result<(Vec<(String, i64)>, Vec<(&'static str, i64)>)> {
        let by_status: Vec<(String, i64)> = on_db!(self, |pool| {
            sqlx::query_as(
            "SELECT s.status, (SELECT count(*) FROM deliveries d WHERE d.status = s.status)
             FROM (SELECT 'pending' AS status UNION ALL SELECT 'sent' UNION ALL SELECT 'dropped') s",
        )
        .fetch_all(pool)
        .await
        .context("cannot count the outbox")
        })?;
        let (added, updated, unchanged, failed): (i64, i64, i64, i64) =
            on_db!(self, |pool| sqlx::query_as(
                "SELECT CAST(COALESCE(sum(added), 0) AS BIGINT),
                        CAST(COALESCE(sum(updated), 0) AS BIGINT),
                        CAST(COALESCE(sum(unchanged), 0) AS BIGINT),
                        CAST(COALESCE(sum(failed), 0) AS BIGINT)
                 FROM imports",
            )
            .fetch_one(pool)
            .await
            .context("cannot count the imports"))?;
        Ok((
            by_status,
            vec![
                ("added", added),
                ("updated", updated),
                ("unchanged", unchanged),
                ("failed", failed),
            ],
        ))
    }
}
