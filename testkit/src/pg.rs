//! A PostgreSQL database of its own for each test, made on the server that
//! `MARQUEE_TEST_POSTGRES` names (a URL whose role may create databases, e.g.
//! `postgres://marquee:marquee@127.0.0.1/postgres`) and dropped when the test ends.
//!
//! The tests that need it carry `#[cfg_attr(not(marquee_pg), ignore = "…")]`: marquee's
//! build.rs sets `marquee_pg` when the variable is set at build time, so without a server they
//! are listed as ignored with the way to run them, never passed empty. `.ci/run` starts a
//! server and sets it.

use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};

/// What an ignored PostgreSQL test says.
pub const HOW: &str = "needs PostgreSQL: MARQUEE_TEST_POSTGRES=postgres://USER:PASS@HOST/postgres cargo test (.ci/run starts one)";

/// A database made for one test; dropped (with its connections) on [`TestDb::drop_now`].
pub struct TestDb {
    pub url: String,
    name: String,
    server: PgConnectOptions,
}

/// Makes an empty database and returns its URL.
pub async fn fresh() -> TestDb {
    static N: AtomicU32 = AtomicU32::new(0);
    let server_url = std::env::var("MARQUEE_TEST_POSTGRES").expect(HOW);
    let server = PgConnectOptions::from_str(&server_url).expect("MARQUEE_TEST_POSTGRES is a URL");
    let name = format!(
        "marquee_test_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    );
    let mut conn = server.connect().await.expect("the test server answers");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("a test database");
    conn.close().await.ok();
    let mut url = reqwest::Url::parse(&server_url).expect("MARQUEE_TEST_POSTGRES is a URL");
    url.set_path(&name);
    let url = url.to_string();
    TestDb { url, name, server }
}

impl TestDb {
    /// Drops the database, ending whatever still holds a connection to it.
    pub async fn drop_now(self) {
        if let Ok(mut conn) = self.server.connect().await {
            let _ = sqlx::query(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn)
            .await;
            conn.close().await.ok();
        }
    }
}
