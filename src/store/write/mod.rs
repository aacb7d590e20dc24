//! Imports: files are stored a transaction at a time, and a file is reported only once its
//! transaction has committed; a crash loses at most the transaction in flight, which was
//! never reported.

mod queue;
mod round;
mod tx;

use std::collections::HashMap;

use anyhow::Context;
use serde::Serialize;
use sqlx::Connection;

use super::plan::Page;
use super::{on_db, Db, Store};
use round::{write_rounds, Batch};
use tx::Tx;

/// What happened to one review of a page (a file's one review, or a capsule of a letter page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Added,
    Updated,
    Unchanged,
    Failed,
    /// Its page, imported again, no longer holds it: it was retired.
    Retired,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Added => "added",
            Outcome::Updated => "updated",
            Outcome::Unchanged => "unchanged",
            Outcome::Failed => "failed",
            Outcome::Retired => "retired",
        }
    }
}

/// One review's result, as the import log records it.
#[derive(Debug, Clone, PartialEq)]
pub struct FileOutcome {
    /// The page (file) it came from, as recorded.
    pub path: String,
    pub outcome: Outcome,
    pub review_id: Option<i64>,
    /// For a failure, the line the error names; else the line the review starts on.
    pub line: Option<usize>,
    pub error: Option<String>,
    /// When the review failed because its corrected title and year are the film of the
    /// review imported from another page: that page (as recorded).
    pub conflict_with: Option<String>,
    /// The film, `Title (Year)`, when the review was read (or retired).
    pub film: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub failed: u64,
    pub retired: u64,
}

impl ImportCounts {
    /// Counts one review's outcome.
    pub fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Added => self.added += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Retired => self.retired += 1,
        }
    }

    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: ImportCounts) {
        self.added += other.added;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.failed += other.failed;
        self.retired += other.retired;
    }
}

/// One import run: a row in `imports`, then batches of files.
pub struct Importer {
    store: Store,
    import_id: i64,
    people: HashMap<String, i64>,
    counts: ImportCounts,
    /// Whether new reviews and regrades queue announcements (not for a feed's first poll or
    /// a site's backfill: the archive's past is not news).
    announce: bool,
}

impl Importer {
    pub async fn start(store: &Store) -> anyhow::Result<Importer> {
        let import_id: i64 = on_db!(store, |pool| sqlx::query_scalar(
            "INSERT INTO imports (started_at) VALUES ($1) RETURNING id"
        )
        .bind(super::subscriptions::now_timestamp())
        .fetch_one(pool)
        .await
        .context("cannot start the import log"))?;
        Ok(Importer {
            store: store.clone(),
            import_id,
            people: HashMap::new(),
            counts: ImportCounts::default(),
            announce: true,
        })
    }

    /// An import that announces nothing: what it adds or regrades goes into the archive
    /// quietly.
    pub fn quietly(mut self) -> Importer {
        self.announce = false;
        self
    }

    pub fn import_id(&self) -> i64 {
        self.import_id
    }

    pub fn counts(&self) -> ImportCounts {
        self.counts
    }

    /// Stores `first` and then further batches from `more`, as they are parsed, in one
    /// transaction, until it holds `files` files or `more` runs dry; with the import log's
    /// rows and counts. Returns each file's outcome once the transaction has committed.
    ///
    /// Few large transactions make a bulk import fast: every commit rewrites the index pages
    /// its rows touched (by person, by grade, the full-text index), and a page touched by
    /// 4,000 files is written once instead of eight times. Within it, the existing films are
    /// read at once, then the reviews, people, credits, alternative titles, announcements and
    /// log rows are written by multi-row statements of a hundred rows, prepared once per
    /// connection. A film filed twice in one transaction is stored in order: the second file
    /// starts a new round, so it updates what the first added.
    pub(crate) async fn store_chunks(
        &mut self,
        first: Vec<Page>,
        more: &mut tokio::sync::mpsc::Receiver<Vec<Page>>,
        files: usize,
    ) -> anyhow::Result<Vec<FileOutcome>> {
        let mut fresh = Vec::new();
        let batch = Batch {
            import_id: self.import_id,
            people: &mut self.people,
            fresh: &mut fresh,
            announce: self.announce,
        };
        let stored = match &self.store.db {
            Db::Sqlite(pool) => on_sqlite(pool, batch, first, more, files).await,
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                // One import writes at a time, as SQLite's single writer has it: two
                // importers of the same film would otherwise race to add it.
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(IMPORT_LOCK)
                    .execute(&mut *tx)
                    .await?;
                write_rounds(Tx::Postgres(tx), batch, first, more, files).await
            }
        };
        match stored {
            Ok(outcomes) => {
                for o in &outcomes {
                    self.counts.count(o.outcome);
                }
                Ok(outcomes)
            }
            Err(err) => {
                // The people added by a batch that did not commit do not exist.
                for name in fresh {
                    self.people.remove(&name);
                }
                Err(err)
            }
        }
    }

    /// Marks the import finished and returns its totals.
    pub async fn finish(self) -> anyhow::Result<ImportCounts> {
        on_db!(self.store, |pool| sqlx::query(
            "UPDATE imports SET finished_at = $1 WHERE id = $2"
        )
        .bind(super::subscriptions::now_timestamp())
        .bind(self.import_id)
        .execute(pool)
        .await
        .map(drop))?;
        Ok(self.counts)
    }
}

/// A batch on SQLite: its transaction on a connection set up for a bulk write, put back as it
/// was afterwards.
async fn on_sqlite(
    pool: &sqlx::SqlitePool,
    batch: Batch<'_>,
    first: Vec<Page>,
    more: &mut tokio::sync::mpsc::Receiver<Vec<Page>>,
    files: usize,
) -> anyhow::Result<Vec<FileOutcome>> {
    let mut conn = pool.acquire().await?;
    // A page cache large enough for a transaction's dirty pages, so that SQLite does not spill
    // them to the log mid-transaction; the connection gets its own back afterwards.
    let cache: i64 = sqlx::query_scalar("PRAGMA cache_size")
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query(IMPORT_CACHE).execute(&mut *conn).await?;
    // No foreign-key checks inside the import's own transaction (a lookup of the film and of
    // the person for each of ~12 credits a review, 1.2 million at 100k files): every id it
    // writes is one it has just been given by the same transaction, which holds the write
    // lock, and a review it retires is deleted with its dependents by its own statements (see
    // `Tx::retire`). The pragma cannot change inside a transaction, so it is set around it
    // and put back for the pool.
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut *conn)
        .await?;
    // IMMEDIATE: take the write lock up front, so a concurrent writer waits (busy timeout)
    // instead of failing when a read transaction tries to become a write.
    let stored = match conn.begin_with("BEGIN IMMEDIATE").await {
        Ok(tx) => write_rounds(Tx::Sqlite(tx), batch, first, more, files).await,
        Err(err) => Err(err.into()),
    };
    let reset = match sqlx::query("PRAGMA foreign_keys = ON")
        .execute(&mut *conn)
        .await
    {
        Ok(_) => sqlx::query(&format!("PRAGMA cache_size = {cache}"))
            .execute(&mut *conn)
            .await
            .map(drop),
        Err(err) => Err(err),
    };
    stored.and_then(|outcomes| reset.map(|()| outcomes).map_err(Into::into))
}

impl Store {
    /// Retires the reviews imported from `path` (as the import recorded it): their credits,
    /// other titles and unsent announcements go with them (foreign keys cascade), the
    /// full-text index forgets them and the archive version moves on (triggers). Returns
    /// each one's title and year.
    pub async fn remove_imported_from(
        &self,
        path: &str,
    ) -> anyhow::Result<Vec<(String, Option<i32>)>> {
        on_db!(self, |pool| sqlx::query_as(
            "DELETE FROM reviews WHERE source_path = $1 RETURNING title, year"
        )
        .bind(path)
        .fetch_all(pool)
        .await
        .with_context(|| format!(
            "cannot remove the review imported from {path}"
        )))
    }
}

impl Store {
    /// Retires the reviews imported from `path` or from any file under it (`path` is a
    /// folder that went away), as [`Store::remove_imported_from`] does. Returns each one's
    /// path, title and year.
    pub async fn remove_imported_under(
        &self,
        path: &str,
    ) -> anyhow::Result<Vec<(String, String, Option<i32>)>> {
        // Under `path/`: from `path/` up to, not including, `path0` (the byte after the
        // separator), a range the `reviews_source` index answers.
        let sep = std::path::MAIN_SEPARATOR;
        let (from, to) = (format!("{path}{sep}"), format!("{path}{}", char_after(sep)));
        on_db!(self, |pool| sqlx::query_as(
            "DELETE FROM reviews
             WHERE source_path = $1 OR (source_path >= $2 AND source_path < $3)
             RETURNING source_path, title, year",
        )
        .bind(path)
        .bind(&from)
        .bind(&to)
        .fetch_all(pool)
        .await
        .with_context(|| format!(
            "cannot remove the reviews imported from {path}"
        )))
    }
}

/// The character after `c` (`/` → `0`), or `c` itself at the end of the range.
fn char_after(c: char) -> char {
    char::from_u32(u32::from(c) + 1).unwrap_or(c)
}

/// The PostgreSQL advisory lock an import holds for its transaction ("mqimport").
const IMPORT_LOCK: i64 = 0x6d71_696d_706f_7274;

/// The page cache of an import's connection: 64 MiB, whatever the archive's size.
const IMPORT_CACHE: &str = "PRAGMA cache_size = -65536";
