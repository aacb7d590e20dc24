//! Search indexes persisted in the database, keyed by the archive's version (migration
//! 0006), so that a one-shot command reads an index instead of building one.

use anyhow::Context;
use sqlx::Connection;

use super::reviews::{index_entries, TitleRows, ALT_TITLES, TITLES};
use super::{on_db, Db, Store};
use crate::search::IndexEntry;

/// How long saving an index waits for another writer (an import) before giving up: saving
/// is only an optimisation, and a lookup must not stall behind a long import.
const SAVE_WAIT_MS: u32 = 100;

const VERSION: &str = "SELECT version FROM archive_version";

impl Store {
    /// The archive's version: it moves on with every change to the titles, years, grades or
    /// alternative titles, whichever process makes it.
    pub async fn archive_version(&self) -> anyhow::Result<i64> {
        on_db!(self, |pool| sqlx::query_scalar(VERSION)
            .fetch_one(pool)
            .await
            .context("cannot read the archive's version"))
    }

    /// The index saved as `name` by a build of `format`, if it was built from the archive as
    /// it is now.
    pub async fn current_index(&self, name: &str, format: &str) -> anyhow::Result<Option<Vec<u8>>> {
        on_db!(self, |pool| sqlx::query_scalar(
            "SELECT s.data FROM search_indexes s JOIN archive_version v ON v.version = s.version
             WHERE s.name = $1 AND s.format = $2",
        )
        .bind(name)
        .bind(format)
        .fetch_optional(pool)
        .await
        .with_context(|| format!("cannot read the saved {name} index")))
    }

    /// Whether an index saved as `name` by a build of `format` is current, without reading it.
    pub async fn has_current_index(&self, name: &str, format: &str) -> anyhow::Result<bool> {
        on_db!(self, |pool| sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM search_indexes s
                            JOIN archive_version v ON v.version = s.version
                            WHERE s.name = $1 AND s.format = $2)",
        )
        .bind(name)
        .bind(format)
        .fetch_one(pool)
        .await
        .with_context(|| format!("cannot read the saved {name} index")))
    }

    /// Every title (with its alternative titles) and the archive version they are, read in
    /// one snapshot: an index built from them is current for exactly that version.
    pub async fn versioned_index_entries(&self) -> anyhow::Result<(i64, Vec<IndexEntry>)> {
        let (version, rows): (i64, TitleRows) = match &self.db {
            Db::Sqlite(pool) => {
                // A SQLite transaction reads one snapshot from its first read on.
                let mut conn = pool.acquire().await?;
                let mut tx = conn.begin().await?;
                let version = sqlx::query_scalar(VERSION).fetch_one(&mut *tx).await;
                let titles = sqlx::query_as(TITLES).fetch_all(&mut *tx).await;
                let alts = sqlx::query_as(ALT_TITLES).fetch_all(&mut *tx).await;
                tx.commit().await?;
                (version?, (titles?, alts?))
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .execute(&mut *tx)
                    .await?;
                let version = sqlx::query_scalar(VERSION).fetch_one(&mut *tx).await;
                let titles = sqlx::query_as(TITLES).fetch_all(&mut *tx).await;
                let alts = sqlx::query_as(ALT_TITLES).fetch_all(&mut *tx).await;
                tx.commit().await?;
                (version?, (titles?, alts?))
            }
        };
        Ok((
            version,
            index_entries(rows).context("cannot read the titles")?,
        ))
    }

    /// Saves `data` as the index `name` of archive `version`, replacing the one before.
    /// Gives up (with an error) rather than wait long for another writer.
    pub async fn save_index(
        &self,
        name: &str,
        format: &str,
        version: i64,
        data: &[u8],
    ) -> anyhow::Result<()> {
        const SAVE: &str = "INSERT INTO search_indexes (name, format, version, data)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (name) DO UPDATE SET
                format = excluded.format, version = excluded.version, data = excluded.data
             WHERE excluded.version >= search_indexes.version";
        let saved = match &self.db {
            Db::Sqlite(pool) => {
                let mut conn = pool.acquire().await?;
                sqlx::query(&format!("PRAGMA busy_timeout = {SAVE_WAIT_MS}"))
                    .execute(&mut *conn)
                    .await?;
                let saved = sqlx::query(SAVE)
                    .bind(name)
                    .bind(format)
                    .bind(version)
                    .bind(data)
                    .execute(&mut *conn)
                    .await
                    .map(drop);
                sqlx::query(&format!(
                    "PRAGMA busy_timeout = {}",
                    super::BUSY_TIMEOUT.as_millis()
                ))
                .execute(&mut *conn)
                .await?;
                saved
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query(&format!("SET LOCAL lock_timeout = {SAVE_WAIT_MS}"))
                    .execute(&mut *tx)
                    .await?;
                let saved = sqlx::query(SAVE)
                    .bind(name)
                    .bind(format)
                    .bind(version)
                    .bind(data)
                    .execute(&mut *tx)
                    .await
                    .map(drop);
                tx.commit().await?;
                saved
            }
        };
        saved.with_context(|| format!("cannot save the {name} index"))?;
        Ok(())
    }
}
