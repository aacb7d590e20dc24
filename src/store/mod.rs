//! The archive in SQLite: opening (WAL, foreign keys, busy timeout, embedded migrations),
//! writing imports, and the read queries the commands need.

mod browse;
mod indexes;
mod ops;
mod reviews;
mod subscriptions;
mod write;

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

pub use browse::{FilmRow, Scope, TextHit, TextResults, MATCH_END, MATCH_START};
pub use reviews::{RandomFilter, StoredReview};
pub use subscriptions::{Delivery, Subscribed, Subscription};
pub(crate) use write::Parsed;
pub use write::{FileOutcome, ImportCounts, Importer, Outcome};

/// How long a statement waits for another connection's write lock.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The migrations in `migrations/`, compiled into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A handle on the archive database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
}

/// Where a database URL points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    File(PathBuf),
    Memory,
}

/// Reads `sqlite://path`, `sqlite:path` or `sqlite::memory:`.
pub fn location(url: &str) -> anyhow::Result<Location> {
    let options = SqliteConnectOptions::from_str(url).with_context(|| {
        format!("`{url}` is not a SQLite database URL (try sqlite://marquee.db)")
    })?;
    let file = options.get_filename();
    if file.as_os_str() == ":memory:" || url.contains(":memory:") || url.contains("mode=memory") {
        Ok(Location::Memory)
    } else {
        Ok(Location::File(file.to_path_buf()))
    }
}

/// Whether the database at `url` exists (an in-memory one always does).
pub fn exists(url: &str) -> anyhow::Result<bool> {
    Ok(match location(url)? {
        Location::File(path) => path.is_file(),
        Location::Memory => true,
    })
}

impl Store {
    /// Opens (and with `create`, creates) the database at `url` and applies the migrations.
    pub async fn open(url: &str, create: bool) -> anyhow::Result<Store> {
        let options = SqliteConnectOptions::from_str(url)
            .with_context(|| format!("`{url}` is not a SQLite database URL"))?
            .create_if_missing(create)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .pragma("temp_store", "memory");
        let in_memory = location(url)? == Location::Memory;
        let pool = SqlitePoolOptions::new()
            // Every connection to `:memory:` is a database of its own: keep exactly one.
            .max_connections(if in_memory { 1 } else { 4 })
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .with_context(|| format!("cannot open the database {url}"))?;
        Store::from_pool(pool).await
    }

    /// A private in-memory database, for the sample archive and for tests.
    pub async fn in_memory() -> anyhow::Result<Store> {
        Store::open("sqlite::memory:", true).await
    }

    /// Wraps a pool (e.g. the one `#[sqlx::test]` gives) and applies the migrations.
    pub async fn from_pool(pool: SqlitePool) -> anyhow::Result<Store> {
        MIGRATOR
            .run(&pool)
            .await
            .context("cannot apply the database migrations")?;
        Ok(Store { pool })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
