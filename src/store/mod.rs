//! The archive in SQLite (the embedded default) or PostgreSQL (for several instances on one
//! database): opening (for SQLite WAL, foreign keys and a busy timeout), the embedded
//! migrations of each, writing imports, and the read queries the commands need.
//!
//! Most statements are written once in the SQL both engines read (`$1` parameters, `COALESCE`,
//! `ON CONFLICT`, `RETURNING`) and run on either pool through [`on_db!`], which compiles the
//! body once per engine; where the dialects part (full-text search, JSON, bulk loading) each
//! engine has its own statement beside the other.

mod browse;
mod feeds;
mod indexes;
mod ops;
mod plan;
mod reviews;
mod subscriptions;
mod write;

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

pub use browse::{FilmRow, Scope, TextHit, TextResults, MATCH_END, MATCH_START};
pub use feeds::{FeedState, ItemOutcome, Polled, SeenItem};
pub(crate) use plan::Page;
pub use reviews::{RandomFilter, StoredReview};
pub use subscriptions::{Delivery, Subscribed, Subscription};
pub use write::{FileOutcome, ImportCounts, Importer, Outcome};

/// How long a statement waits for another connection's write lock.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The SQLite migrations in `migrations/`, compiled into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");
/// The PostgreSQL migrations in `migrations-postgres/`: the same schema in its dialect.
pub static PG_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations-postgres");

/// A handle on the archive database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    db: Db,
}

/// The pool of whichever engine the store is on.
#[derive(Clone, Debug)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the store's pool, whichever engine it is: the body is
/// compiled once for each, so one SQL text serves both where it is written in their common
/// dialect.
macro_rules! on_db {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_db;

/// Where a database URL points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    File(PathBuf),
    Memory,
    /// A PostgreSQL server.
    Server,
}

/// Whether `url` names a PostgreSQL database (`postgres://…` or `postgresql://…`).
pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Reads `sqlite://path`, `sqlite:path`, `sqlite::memory:` or a PostgreSQL URL.
pub fn location(url: &str) -> anyhow::Result<Location> {
    if is_postgres(url) {
        return Ok(Location::Server);
    }
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

/// Whether the database at `url` exists (an in-memory one always does, and a server's is
/// created by whoever runs the server).
pub fn exists(url: &str) -> anyhow::Result<bool> {
    Ok(match location(url)? {
        Location::File(path) => path.is_file(),
        Location::Memory | Location::Server => true,
    })
}

impl Store {
    /// Opens (and with `create`, creates) the database at `url` and applies the migrations.
    /// A PostgreSQL database must exist (the server's administrator creates it); its tables
    /// are created by the migrations.
    pub async fn open(url: &str, create: bool) -> anyhow::Result<Store> {
        if is_postgres(url) {
            return Store::open_postgres(url).await;
        }
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

    async fn open_postgres(url: &str) -> anyhow::Result<Store> {
        // The URL may hold a password: errors name the database, not the URL.
        let options = PgConnectOptions::from_str(url)
            .context("DATABASE_URL is not a valid PostgreSQL URL")?;
        let name = format!(
            "{} on {}:{}",
            options.get_database().unwrap_or("(default)"),
            options.get_host(),
            options.get_port()
        );
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(BUSY_TIMEOUT)
            .connect_with(options)
            .await
            .with_context(|| format!("cannot connect to the PostgreSQL database {name}"))?;
        Store::from_pg_pool(pool).await
    }

    /// Wraps a PostgreSQL pool and applies its migrations.
    pub async fn from_pg_pool(pool: PgPool) -> anyhow::Result<Store> {
        PG_MIGRATOR
            .run(&pool)
            .await
            .context("cannot apply the PostgreSQL migrations")?;
        Ok(Store {
            db: Db::Postgres(pool),
        })
    }

    /// Whether the store is on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self.db, Db::Postgres(_))
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
        Ok(Store {
            db: Db::Sqlite(pool),
        })
    }

    /// The SQLite pool, for what only SQLite does here (and for tests); an error on
    /// PostgreSQL.
    pub fn pool(&self) -> anyhow::Result<&SqlitePool> {
        match &self.db {
            Db::Sqlite(pool) => Ok(pool),
            Db::Postgres(_) => anyhow::bail!("this is a PostgreSQL database, not SQLite"),
        }
    }

    /// The PostgreSQL pool (for tests); an error on SQLite.
    pub fn pg_pool(&self) -> anyhow::Result<&PgPool> {
        match &self.db {
            Db::Postgres(pool) => Ok(pool),
            Db::Sqlite(_) => anyhow::bail!("this is a SQLite database, not PostgreSQL"),
        }
    }

    pub async fn close(&self) {
        on_db!(self, |pool| pool.close().await)
    }
}
