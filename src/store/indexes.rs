//! Search indexes persisted in the database, keyed by the archive's version (migration
//! 0006), so that a one-shot command reads an index instead of building one.

use anyhow::Context;
use sqlx::Connection;

use super::Store;
use crate::search::IndexEntry;

/// How long saving an index waits for another writer (an import) before giving up: saving
/// is only an optimisation, and a lookup must not stall behind a long import.
const SAVE_WAIT_MS: u32 = 100;

impl Store {
    /// The archive's version: it moves on with every change to the titles, years, grades or
    /// alternative titles, whichever process makes it.
    pub async fn archive_version(&self) -> anyhow::Result<i64> {
        let mut conn = self.pool().acquire().await?;
        version(&mut conn).await
    }

    /// The index saved as `name` by a build of `format`, if it was built from the archive as
    /// it is now.
    pub async fn current_index(&self, name: &str, format: &str) -> anyhow::Result<Option<Vec<u8>>> {
        sqlx::query_scalar(
            "SELECT s.data FROM search_indexes s JOIN archive_version v ON v.version = s.version
             WHERE s.name = ? AND s.format = ?",
        )
        .bind(name)
        .bind(format)
        .fetch_optional(self.pool())
        .await
        .with_context(|| format!("cannot read the saved {name} index"))
    }

    /// Whether an index saved as `name` by a build of `format` is current, without reading it.
    pub async fn has_current_index(&self, name: &str, format: &str) -> anyhow::Result<bool> {
        sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM search_indexes s
                            JOIN archive_version v ON v.version = s.version
                            WHERE s.name = ? AND s.format = ?)",
        )
        .bind(name)
        .bind(format)
        .fetch_one(self.pool())
        .await
        .with_context(|| format!("cannot read the saved {name} index"))
    }

    /// Every title (with its alternative titles) and the archive version they are, read in
    /// one snapshot: an index built from them is current for exactly that version.
    pub async fn versioned_index_entries(&self) -> anyhow::Result<(i64, Vec<IndexEntry>)> {
        let mut conn = self.pool().acquire().await?;
        let mut tx = conn.begin().await?;
        let version = version(&mut tx).await?;
        let entries = super::reviews::index_entries(&mut tx).await?;
        tx.commit().await?;
        Ok((version, entries))
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
        let mut conn = self.pool().acquire().await?;
        sqlx::query(&format!("PRAGMA busy_timeout = {SAVE_WAIT_MS}"))
            .execute(&mut *conn)
            .await?;
        let saved = sqlx::query(
            "INSERT INTO search_indexes (name, format, version, data) VALUES (?, ?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET
                format = excluded.format, version = excluded.version, data = excluded.data
             WHERE excluded.version >= search_indexes.version",
        )
        .bind(name)
        .bind(format)
        .bind(version)
        .bind(data)
        .execute(&mut *conn)
        .await;
        sqlx::query(&format!(
            "PRAGMA busy_timeout = {}",
            super::BUSY_TIMEOUT.as_millis()
        ))
        .execute(&mut *conn)
        .await?;
        saved.with_context(|| format!("cannot save the {name} index"))?;
        Ok(())
    }
}

async fn version(conn: &mut sqlx::SqliteConnection) -> anyhow::Result<i64> {
    sqlx::query_scalar("SELECT version FROM archive_version")
        .fetch_one(conn)
        .await
        .context("cannot read the archive's version")
}
