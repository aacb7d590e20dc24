//! `cargo bench --bench fanout`: one review announced to 1,000 subscribed channels, against the
//! test suite's fake Discord on 127.0.0.1 enforcing Discord's rate limits (50 requests in any
//! second in all, 5 messages per 5 s in one channel), answering each post after a round trip
//! of 0 ms and of 100 ms.
//!
//! The deliveries are queued the way `marquee import` queues them (one review imported into a
//! database with the channels subscribed); the clock starts when they are due and the
//! announcer (`Announcer::run`, as `serve` runs it) starts. It stops at the last message the
//! fake accepts. Printed per round trip: wall time, achieved requests/s, the ratio to the bound
//! (channels / 50 s), the 429s the fake answered, the busiest second, and the median and p99
//! delivery latency (due → accepted). The run fails (status 1) when a message is lost or posted
//! twice, or a body leaves `allowed_mentions` out.
//!
//! `FANOUT_CHANNELS` (default 1000) and `FANOUT_LATENCY_MS` (default `0,100`) change the run.
//! Nothing leaves 127.0.0.1.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use marquee::announce::Announcer;
use marquee::import::{import_sources, Source};
use marquee::review::Grade;
use marquee::store::Store;
use marquee_testkit::fake_discord::{FakeDiscord, RateLimits, Recorded};
use secrecy::SecretString;
use serde_json::json;
use tokio::sync::{watch, Notify};

const TOKEN: &str = "fanout-bench-token";
const GUILD: u64 = 8000;
const FIRST_CHANNEL: u64 = 100_000;

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

fn review() -> Vec<u8> {
    "(director: Nora Lind; cast: Ann Lee (June), Bo Park; Runtime: 99; MPAA Rating: PG; \
     producer: Gus Rowe: Neon; 2024)\n\n\u{201c}A wide release, announced everywhere at once.\u{201d}\
     \n\nReviewed by Dennis Schwartz\n\nOne paragraph.\n\nNora Lind's Wide Release\n      \
     a tagline\n\n\nREVIEWED ON 3/4/2024  GRADE: A-"
        .as_bytes()
        .to_vec()
}

fn is_post(r: &Recorded) -> bool {
    r.is("POST", "/channels/") && r.path.ends_with("/messages")
}

fn channel_of(r: &Recorded) -> Option<u64> {
    r.route().split('/').nth(2)?.parse().ok()
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

/// One run: a fresh database and a fresh fake answering posts after `latency`. Returns whether
/// every message arrived exactly once.
async fn run(
    fake_rt: &tokio::runtime::Handle,
    channels: u64,
    latency: Duration,
) -> anyhow::Result<bool> {
    let fake = fake_rt
        .spawn(FakeDiscord::start())
        .await
        .context("the fake did not start")?;
    fake.require_token(TOKEN);
    fake.enforce_rate_limits(Some(RateLimits::DISCORD));
    fake.set_latency("POST", "/channels/", latency);

    let dir = tempfile::tempdir()?;
    let store = Store::open(
        &format!("sqlite://{}", dir.path().join("fanout.db").display()),
        true,
    )
    .await?;
    for i in 0..channels {
        store
            .subscribe(GUILD, FIRST_CHANNEL + i, Grade::F, 6000, false)
            .await?;
    }
    let report = import_sources(
        &store,
        vec![Source::Bytes {
            name: "wide-release.txt".into(),
            bytes: review(),
        }],
        |_| {},
    )
    .await?;
    if report.counts.added != 1 {
        bail!("the review was not imported: {:?}", report.counts);
    }
    let pending: i64 =
        sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE status = 'pending'")
            .fetch_one(store.pool().unwrap())
            .await?;
    if pending != i64::try_from(channels)? {
        bail!("{pending} deliveries queued for {channels} channels");
    }

    let announcer = Announcer::new(
        store.clone(),
        &fake.api_base(),
        SecretString::from(TOKEN),
        "Dennis Schwartz".into(),
    )?;
    let (stop, stopped) = watch::channel(false);
    let due = Instant::now();
    let running =
        tokio::spawn(announcer.run(Duration::from_secs(5), stopped, Arc::new(Notify::new())));
    let expected = usize::try_from(channels)?;
    fake.wait_channel_message_count(expected, Duration::from_secs(900))
        .await;
    let _ = stop.send(true);
    running.await?;
    let drained = due.elapsed();

    let requests: Vec<Recorded> = fake.requests().into_iter().filter(is_post).collect();
    let mut accepted: HashMap<u64, Vec<Instant>> = HashMap::new();
    let mut no_mentions = 0;
    for r in &requests {
        if r.body.pointer("/allowed_mentions/parse") == Some(&json!([])) {
            no_mentions += 1;
        }
        if r.status == 200 {
            if let Some(c) = channel_of(r) {
                accepted.entry(c).or_default().push(r.received_at);
            }
        }
    }
    let mut latencies: Vec<Duration> = accepted
        .values()
        .filter_map(|times| times.iter().min())
        .map(|at| at.duration_since(due))
        .collect();
    latencies.sort();
    let wall = latencies.last().copied().unwrap_or_default();
    let posted_once = (FIRST_CHANNEL..FIRST_CHANNEL + channels)
        .filter(|c| fake.created_messages(*c).len() == 1)
        .count();
    let sent: i64 = sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE status = 'sent'")
        .fetch_one(store.pool().unwrap())
        .await?;
    let (global_429, bucket_429) = fake.rate_limited_counts();
    let bound = channels as f64 / RateLimits::DISCORD.global as f64;
    let busiest = fake.busiest_window(Duration::from_secs(1), is_post);
    let busiest_accepted =
        fake.busiest_window(Duration::from_secs(1), |r| is_post(r) && r.status == 200);
    let violations = fake.violations();

    println!(
        "fan-out to {channels} channels, fake answers posts after {latency:?}, \
         enforces 50 requests/s (any 1 s window) and 5 per 5 s per channel"
    );
    println!(
        "  wall time (due → last message accepted)   {:>8.2} s",
        wall.as_secs_f64()
    );
    println!(
        "  outbox drained (announcer saw every answer) {:>6.2} s",
        drained.as_secs_f64()
    );
    println!(
        "  achieved                                  {:>8.1} messages/s",
        channels as f64 / wall.as_secs_f64().max(f64::EPSILON)
    );
    println!(
        "  ratio to the bound ({bound:.0} s)                {:>8.3}  (target ≤ 1.10)",
        wall.as_secs_f64() / bound
    );
    println!(
        "  requests                                  {:>8}  (429s: {global_429} global, {bucket_429} per-channel)",
        requests.len()
    );
    println!(
        "  busiest 1 s window                        {:>8}  requests ({busiest_accepted} accepted)",
        busiest
    );
    println!(
        "  delivery latency, median / p99            {:>8.2} s / {:.2} s",
        quantile(&latencies, 0.5).as_secs_f64(),
        quantile(&latencies, 0.99).as_secs_f64()
    );
    println!(
        "  channels with exactly one message         {:>8} of {channels}; deduplicated by nonce: {}; outbox sent: {sent}",
        posted_once,
        fake.deduplicated_count()
    );
    if fake.has_spec() {
        println!(
            "  bodies breaking Discord's schema          {:>8}",
            violations.len()
        );
    }
    let ok = posted_once == expected
        && fake.channel_message_count() == expected
        && sent == i64::try_from(channels)?
        && no_mentions == requests.len()
        && violations.is_empty();
    if !ok {
        println!("  FAILED: a message was lost or posted twice, a body mentions, or a body breaks the schema");
        for v in violations.iter().take(5) {
            println!("    {v}");
        }
    }
    store.close().await;
    fake.shutdown();
    Ok(ok)
}

fn main() -> anyhow::Result<()> {
    let channels: u64 = env_or("FANOUT_CHANNELS", "1000")
        .parse()
        .context("FANOUT_CHANNELS must be a number")?;
    let latencies: Vec<Duration> = env_or("FANOUT_LATENCY_MS", "0,100")
        .split(',')
        .map(|ms| ms.trim().parse().map(Duration::from_millis))
        .collect::<Result<_, _>>()
        .context("FANOUT_LATENCY_MS must be numbers separated by commas")?;
    // The fake runs on its own thread, so the announcer's work does not delay its answers
    // (nor its clock) more than a second core's worth of sharing.
    let fake_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("fake-discord")
        .enable_all()
        .build()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut ok = true;
    for latency in latencies {
        ok &= rt.block_on(run(fake_rt.handle(), channels, latency))?;
    }
    if !ok {
        std::process::exit(1);
    }
    Ok(())
}
