//! `cargo bench --bench feed`: what following the critic's feed costs, per poll, against the
//! fake WordPress site on 127.0.0.1 (a feed of 10 reviews), with the bytes on the wire counted
//! by a proxy in between:
//!
//! - a poll that finds nothing new and is answered 304 (the usual poll);
//! - a poll that finds nothing new from a site that never answers 304 (the whole feed is
//!   fetched, parsed and its items' digests compared);
//! - the feed's first poll (its 10 reviews parsed and stored).
//!
//! Each poll is `Follower::poll_due` after the feed is made due again, on a SQLite file
//! database, as `serve` runs it. Prints the median and p90 of each, and bytes per poll.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use marquee::feed::follow::Follower;
use marquee::ops::Metrics;
use marquee::review::Limits;
use marquee::store::Store;
use marquee_testkit::fake_site::FakeSite;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const POLLS: usize = 200;

/// A review as the site posts it (written for this bench).
fn post(title: &str, year: i32) -> String {
    format!(
        "<p>(director: Tamsin Vey; cast: Liv Osterhout (Greta), Amadou Celt; Runtime: 97; \
         MPAA Rating: PG-13; Northlight; {year})</p>\n\
         <p>&#8220;A small film that keeps its lamp lit.&#8221;</p>\n\
         <p>Reviewed by Dennis Schwartz</p>\n\
         <p>{}</p>\n\
         <p>Tamsin Vey&#8217;s {title}<br>\n    the lamp goes out at dawn</p>\n\
         <p>REVIEWED ON 5/1/2024&nbsp;&nbsp;GRADE: B+</p>",
        "Vey follows a lighthouse keeper's last winter on the island. ".repeat(12)
    )
}

/// Bytes sent to the site and received from it, through the proxy.
#[derive(Default)]
struct Wire {
    up: AtomicU64,
    down: AtomicU64,
}

/// A TCP proxy on 127.0.0.1 in front of `target`, counting bytes each way.
async fn proxy(target: std::net::SocketAddr, wire: Arc<Wire>) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let wire = wire.clone();
            tokio::spawn(async move {
                let Ok(server) = tokio::net::TcpStream::connect(target).await else {
                    return;
                };
                // The proxy must add no delay of its own (Nagle against delayed ACKs).
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let up = {
                    let wire = wire.clone();
                    async move {
                        let mut buf = vec![0u8; 16 * 1024];
                        while let Ok(n) = cr.read(&mut buf).await {
                            if n == 0 || sw.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                            wire.up.fetch_add(n as u64, Ordering::Relaxed);
                        }
                        let _ = sw.shutdown().await;
                    }
                };
                let down = async move {
                    let mut buf = vec![0u8; 16 * 1024];
                    while let Ok(n) = sr.read(&mut buf).await {
                        if n == 0 || cw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                        wire.down.fetch_add(n as u64, Ordering::Relaxed);
                    }
                    let _ = cw.shutdown().await;
                };
                tokio::join!(up, down);
            });
        }
    });
    addr
}

fn median_p90(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.9))
}

async fn make_due(store: &Store, forget_validators: bool) {
    let pool = store.pool().unwrap();
    sqlx::query("UPDATE feeds SET next_poll_at = '1970-01-01T00:00:00.000Z'")
        .execute(pool)
        .await
        .unwrap();
    if forget_validators {
        sqlx::query("UPDATE feeds SET etag = NULL, last_modified = NULL")
            .execute(pool)
            .await
            .unwrap();
    }
}

/// Times `POLLS` polls, each made due first; returns the median and p90, and bytes per poll.
async fn polls(
    store: &Store,
    follower: &Follower,
    wire: &Wire,
    forget_validators: bool,
) -> (Duration, Duration, u64, u64) {
    let (up0, down0) = (
        wire.up.load(Ordering::Relaxed),
        wire.down.load(Ordering::Relaxed),
    );
    let mut times = Vec::with_capacity(POLLS);
    for _ in 0..POLLS {
        make_due(store, forget_validators).await;
        let started = Instant::now();
        follower.poll_due().await;
        times.push(started.elapsed());
    }
    let (median, p90) = median_p90(times);
    let up = (wire.up.load(Ordering::Relaxed) - up0) / POLLS as u64;
    let down = (wire.down.load(Ordering::Relaxed) - down0) / POLLS as u64;
    (median, p90, up, down)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let site = FakeSite::start().await;
    for i in 0..10 {
        let title = format!("The Keeper of Pier {}", i + 1);
        let when = Utc.with_ymd_and_hms(2024, 5, 1 + i, 9, 0, 0).unwrap();
        site.add_post(&title, &post(&title, 1990 + i as i32), when);
    }
    let target: std::net::SocketAddr = site
        .base_url()
        .trim_start_matches("http://")
        .parse()
        .unwrap();
    let wire = Arc::new(Wire::default());
    let front = proxy(target, wire.clone()).await;
    let feed = format!("http://{front}/feed/");

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("feed.db").display());
    let store = Store::open(&url, true).await.unwrap();
    let follower = Follower::new(
        store.clone(),
        vec![feed.clone()],
        Duration::from_secs(1800),
        Duration::from_secs(15),
        Limits::default(),
        Arc::new(Metrics::new()),
    )
    .unwrap();

    let started = Instant::now();
    follower.poll_due().await;
    let first = started.elapsed();
    let reviews: i64 = sqlx::query_scalar("SELECT count(*) FROM reviews")
        .fetch_one(store.pool().unwrap())
        .await
        .unwrap();
    assert_eq!(reviews, 10, "the first poll stored the feed's reviews");
    println!(
        "first poll (10 reviews parsed and stored): {:.2} ms, {} bytes up, {} down",
        first.as_secs_f64() * 1e3,
        wire.up.load(Ordering::Relaxed),
        wire.down.load(Ordering::Relaxed)
    );

    let before = site.count("/feed/");
    let (median, p90, up, down) = polls(&store, &follower, &wire, false).await;
    assert_eq!(
        site.count("/feed/") - before,
        POLLS,
        "every poll reached the site"
    );
    println!(
        "poll answered 304 (nothing new): median {:.3} ms, p90 {:.3} ms, {up} bytes up, {down} down per poll ({POLLS} polls)",
        median.as_secs_f64() * 1e3,
        p90.as_secs_f64() * 1e3
    );
    let (median, p90, up, down) = polls(&store, &follower, &wire, true).await;
    println!(
        "poll answered 200 with nothing new (no validators): median {:.3} ms, p90 {:.3} ms, {up} bytes up, {down} down per poll ({POLLS} polls)",
        median.as_secs_f64() * 1e3,
        p90.as_secs_f64() * 1e3
    );
    let imports: i64 = sqlx::query_scalar("SELECT count(*) FROM imports")
        .fetch_one(store.pool().unwrap())
        .await
        .unwrap();
    assert_eq!(imports, 1, "polls that found nothing new imported nothing");
}
