//! `cargo bench --bench serve_rss`: the memory of a running `marquee serve` (issue 8: "`serve`
//! with 100k reviews: peak RSS <= 150 MB"), under a load of slash commands from the test
//! suite's fake Discord on 127.0.0.1, across an import by another process.
//!
//! The database: `MARQUEE_BENCH_DB=/tmp/n100k.db` is copied (with its `-wal`, if any) into a
//! temporary directory, so the original is never written; without it, the 3.2k corpus in
//! `../shared/corpus/reviews` is imported there, or the repository's `sample/` when that is
//! missing. The release binary (`CARGO_BIN_EXE_marquee`) then serves that copy:
//!
//! 1. start-up: READY and the command registration;
//! 2. `MARQUEE_BENCH_COMMANDS` (default 300) interactions, `MARQUEE_BENCH_CONCURRENCY` (default
//!    4) at a time: `/review` of sloppy titles (typos, dropped articles, prefixes, missing
//!    words, lower case), autocomplete of titles and people, `/random`, `/person`, `/top`,
//!    `/search`, `/stats`, and the next page of some lists;
//! 3. `marquee import` of a few new reviews, as its own process, while the load goes on; the
//!    bot's `keep_fresh` task rebuilds the title and person indexes, which the bench waits for
//!    by the bot's log line, and the announcer posts the new reviews to a subscribed channel;
//! 4. as many interactions again, some of them looking up the new titles (which only the
//!    rebuilt index knows).
//!
//! The peak (`VmHWM` of `/proc/<pid>/status`) is read at the end of each phase and then reset
//! (`/proc/<pid>/clear_refs`), so each phase has its own peak; the overall peak is the largest.
//! Printed: RSS after start-up, the peak per phase and overall, RSS after the rebuild and at
//! the end (with `smaps_rollup`'s anonymous and file-backed parts), the interactions answered,
//! and the round trip the fake saw (dispatch → the bot's callback), p50 and p99, per kind and
//! in all.
//!
//! Nothing about time or memory is asserted. The run fails (status 1, or a panic naming what it
//! waited for) when a reply is missing or refused, is an apology for an internal error, a new
//! title is not found after the rebuild, an announcement is missing, or a body breaks
//! Discord's schema. Nothing leaves 127.0.0.1.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use marquee_testkit::fake_discord::{
    autocomplete, bot_message, component, focused, opt, slash_command, Ctx, FakeDiscord, Recorded,
};
use marquee_testkit::serve::{self, Bot, SEND_MESSAGES, WAIT};
use serde_json::{json, Value};

/// The release binary this bench runs.
const BIN: &str = env!("CARGO_BIN_EXE_marquee");
/// The guild and channel every interaction comes from.
const GUILD: u64 = 8000;
const CHANNEL: u64 = 5000;
/// The channel subscribed to announcements.
const ANNOUNCE_CHANNEL: u64 = 5100;
/// The reviews the second process imports: titles no archive has, far from each other.
const NEW_TITLES: [&str; 5] = [
    "Quillon Vantersea",
    "Marrowgate Lullaby",
    "Ostrander Keeps Nine Winters",
    "Sixpenny Orrery",
    "Whelkstone Apparatus",
];
const NEW_REVIEWS: usize = NEW_TITLES.len();
/// The line `Archive::keep_fresh` logs once it has swapped in the rebuilt indexes.
const REBUILT: &str = "the archive changed: indexes rebuilt";
/// What a user sees when a command failed inside the bot.
const APOLOGY: &str = "Sorry, something went wrong";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match std::env::var(name) {
        Ok(text) => text
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("{name} must be a number, not {text:?}")),
        Err(_) => Ok(default),
    }
}

// ----- the serve process's memory -----

/// `VmRSS` and `VmHWM` of a process, in KiB.
#[derive(Clone, Copy, Debug)]
struct Mem {
    rss: u64,
    hwm: u64,
}

fn kib_field(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

fn mem(pid: u32) -> anyhow::Result<Mem> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("cannot read /proc/{pid}/status (did serve exit?)"))?;
    Ok(Mem {
        rss: kib_field(&status, "VmRSS:").context("no VmRSS")?,
        hwm: kib_field(&status, "VmHWM:").context("no VmHWM")?,
    })
}

/// Resets the process's peak to its current RSS, so the next `VmHWM` is the next phase's peak.
fn reset_peak(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

/// `smaps_rollup`'s fields (KiB), e.g. `Anonymous`, `Rss`, `Pss_File`.
fn rollup(pid: u32) -> BTreeMap<String, u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let (name, rest) = line.split_once(':')?;
            let kib = rest.trim().trim_end_matches("kB").trim().parse().ok()?;
            Some((name.to_owned(), kib))
        })
        .collect()
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

// ----- what the load asks about -----

/// A small seeded generator (SplitMix64), so every run asks the same.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// What the archive holds, read from the database before `serve` starts.
struct Catalogue {
    titles: Vec<(String, Option<i64>)>,
    /// People with the most credits (the directors and stars people look up) …
    prolific: Vec<String>,
    /// … and anyone.
    people: Vec<String>,
    /// Words of titles, for `/search`.
    words: Vec<String>,
    /// Titles only the rebuilt index knows.
    new_titles: Vec<String>,
}

async fn catalogue(db: &Path) -> anyhow::Result<Catalogue> {
    let url = format!("sqlite://{}?mode=ro", db.display());
    let pool = sqlx::SqlitePool::connect(&url)
        .await
        .with_context(|| format!("cannot open {}", db.display()))?;
    let titles: Vec<(String, Option<i64>)> =
        sqlx::query_as("SELECT title, year FROM reviews ORDER BY id")
            .fetch_all(&pool)
            .await?;
    let prolific: Vec<String> = sqlx::query_scalar(
        "SELECT p.name FROM people p JOIN credits c ON c.person_id = p.id
         GROUP BY p.id ORDER BY count(*) DESC, p.id LIMIT 200",
    )
    .fetch_all(&pool)
    .await?;
    let people: Vec<String> = sqlx::query_scalar("SELECT name FROM people ORDER BY id")
        .fetch_all(&pool)
        .await?;
    pool.close().await;
    if titles.is_empty() || people.is_empty() {
        bail!("{} holds no reviews or no people", db.display());
    }
    let mut words: Vec<String> = titles
        .iter()
        .flat_map(|(t, _)| t.split_whitespace())
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| w.chars().count() >= 5 && w.chars().all(char::is_alphabetic))
        .collect();
    words.sort_unstable();
    words.dedup();
    let new_titles = NEW_TITLES.iter().map(|t| t.to_string()).collect();
    Ok(Catalogue {
        titles,
        prolific,
        people,
        words,
        new_titles,
    })
}

/// A title as someone half remembering it types it.
fn sloppy(title: &str, rng: &mut Rng) -> String {
    let lower = title.to_lowercase();
    let mut chars: Vec<char> = lower.chars().collect();
    match rng.below(6) {
        // A typo: two neighbouring letters swapped, or one dropped.
        0 if chars.len() > 4 => {
            let i = 1 + rng.below(chars.len() - 2);
            if rng.chance(50) {
                chars.swap(i, i - 1);
            } else {
                chars.remove(i);
            }
            chars.into_iter().collect()
        }
        // The article left out.
        1 => ["the ", "a ", "an "]
            .iter()
            .find_map(|a| lower.strip_prefix(a))
            .unwrap_or(&lower)
            .to_owned(),
        // The start only.
        2 if chars.len() > 8 => chars[..chars.len() * 2 / 3].iter().collect(),
        // A word missing.
        3 => {
            let words: Vec<&str> = lower.split_whitespace().collect();
            if words.len() > 2 {
                let skip = 1 + rng.below(words.len() - 1);
                let kept: Vec<&str> = words
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != skip)
                    .map(|(_, w)| *w)
                    .collect();
                kept.join(" ")
            } else {
                lower
            }
        }
        // Punctuation left out.
        4 => lower
            .chars()
            .filter(|c| c.is_alphanumeric() || c.is_whitespace())
            .collect(),
        _ => lower,
    }
}

/// A name as typed: lower case, maybe the surname only, maybe a letter short.
fn sloppy_name(name: &str, rng: &mut Rng) -> String {
    let lower = name.to_lowercase();
    match rng.below(4) {
        0 => lower.split_whitespace().last().unwrap_or(&lower).to_owned(),
        1 if lower.chars().count() > 6 => {
            let mut chars: Vec<char> = lower.chars().collect();
            let i = 1 + rng.below(chars.len() - 2);
            chars.remove(i);
            chars.into_iter().collect()
        }
        _ => lower,
    }
}

fn partial(text: &str, rng: &mut Rng) -> String {
    let lower = text.to_lowercase();
    let n = 1 + rng.below(lower.chars().count().clamp(1, 12));
    lower.chars().take(n).collect()
}

const GRADES: [&str; 6] = ["A+", "A", "A-", "B+", "B", "C"];

fn decade(rng: &mut Rng) -> i64 {
    1930 + 10 * rng.below(10) as i64
}

// ----- the load -----

/// One interaction: the kind it is counted under, and its `d`.
struct Ask {
    kind: &'static str,
    d: Value,
    /// A new title the reply must show.
    expect: Option<String>,
}

fn next_ask(cat: &Catalogue, rng: &mut Rng, id: u64, ctx: &Ctx, new_titles: bool) -> Ask {
    let roll = rng.below(100);
    let ask = |kind, d| Ask {
        kind,
        d,
        expect: None,
    };
    if new_titles && roll < 5 {
        let title = rng.pick(&cat.new_titles).clone();
        // Sloppy, but not so sloppy that another film could be meant.
        let typed = if rng.chance(50) {
            title.to_lowercase()
        } else {
            sloppy(&title, rng)
        };
        let d = slash_command(id, "review", json!([opt("title", 3, typed)]), ctx);
        return Ask {
            kind: "/review (new title)",
            d,
            expect: Some(title),
        };
    }
    match roll {
        0..=34 => {
            let (title, year) = rng.pick(&cat.titles).clone();
            let mut options = vec![opt("title", 3, sloppy(&title, rng))];
            if let Some(year) = year.filter(|_| rng.chance(20)) {
                options.push(opt("year", 4, year));
            }
            ask(
                "/review",
                slash_command(id, "review", Value::Array(options), ctx),
            )
        }
        35..=54 => {
            let (title, _) = rng.pick(&cat.titles);
            let typed = partial(title, rng);
            ask(
                "autocomplete title",
                autocomplete(id, "review", json!([focused("title", 3, &typed)]), ctx),
            )
        }
        55..=62 => {
            let mut options = Vec::new();
            if rng.chance(50) {
                options.push(opt("min_grade", 3, *rng.pick(&GRADES)));
            }
            if rng.chance(40) {
                options.push(opt("decade", 4, decade(rng)));
            }
            ask(
                "/random",
                slash_command(id, "random", Value::Array(options), ctx),
            )
        }
        63..=72 => {
            let name = if rng.chance(60) {
                rng.pick(&cat.prolific)
            } else {
                rng.pick(&cat.people)
            };
            ask(
                "/person",
                slash_command(
                    id,
                    "person",
                    json!([opt("name", 3, sloppy_name(name, rng))]),
                    ctx,
                ),
            )
        }
        73..=78 => {
            let (command, option) =
                *rng.pick(&[("person", "name"), ("top", "person"), ("stats", "person")]);
            let name = rng.pick(&cat.prolific).clone();
            let typed = partial(&name, rng);
            ask(
                "autocomplete person",
                autocomplete(id, command, json!([focused(option, 3, &typed)]), ctx),
            )
        }
        79..=86 => {
            let options = match rng.below(3) {
                0 => json!([opt("decade", 4, decade(rng))]),
                1 => {
                    let name = rng.pick(&cat.prolific).clone();
                    json!([opt("person", 3, sloppy_name(&name, rng))])
                }
                _ => json!([]),
            };
            ask("/top", slash_command(id, "top", options, ctx))
        }
        87..=95 => {
            let word = rng.pick(&cat.words).clone();
            let text = match rng.below(3) {
                0 => format!("{}*", word.chars().take(4).collect::<String>()),
                1 => format!("{word} {}", rng.pick(&cat.words)),
                _ => word,
            };
            ask(
                "/search",
                slash_command(id, "search", json!([opt("text", 3, text)]), ctx),
            )
        }
        _ => {
            let options = match rng.below(3) {
                0 => json!([opt("decade", 4, decade(rng))]),
                1 => json!([opt("person", 3, rng.pick(&cat.prolific).as_str())]),
                _ => json!([]),
            };
            ask("/stats", slash_command(id, "stats", options, ctx))
        }
    }
}

/// The interactions answered so far, their round trips, and what went wrong.
#[derive(Default)]
struct Tally {
    latencies: BTreeMap<&'static str, Vec<Duration>>,
    failures: Vec<String>,
}

struct Load {
    fake: FakeDiscord,
    cat: Catalogue,
    next_id: AtomicU64,
    tally: Mutex<Tally>,
}

impl Load {
    fn record(&self, kind: &'static str, took: Duration) {
        let mut tally = self.tally.lock().unwrap_or_else(|p| p.into_inner());
        tally.latencies.entry(kind).or_default().push(took);
    }

    fn fail(&self, what: String) {
        eprintln!("FAILED: {what}");
        let mut tally = self.tally.lock().unwrap_or_else(|p| p.into_inner());
        tally.failures.push(what);
    }

    fn answered(&self) -> usize {
        let tally = self.tally.lock().unwrap_or_else(|p| p.into_inner());
        tally.latencies.values().map(Vec::len).sum()
    }

    /// Dispatches `d` as interaction `id` and waits for its callback (panicking after
    /// [`WAIT`]); checks it was accepted and is no apology.
    async fn ask(&self, kind: &'static str, id: u64, d: Value) -> Recorded {
        let sent = Instant::now();
        self.fake.dispatch("INTERACTION_CREATE", d).await;
        let reply = self
            .fake
            .wait_for(
                &format!("the reply to interaction {id} ({kind})"),
                serve::callback_of(id),
                WAIT,
            )
            .await;
        self.record(kind, reply.received_at.saturating_duration_since(sent));
        if reply.status != 204 {
            self.fail(format!(
                "{kind} {id}: the fake refused the callback ({}): {:?}",
                reply.status, reply
            ));
        } else if reply.body["data"]["content"]
            .as_str()
            .is_some_and(|c| c.contains(APOLOGY))
        {
            self.fail(format!("{kind} {id}: an internal error: {:?}", reply));
        } else if reply.body["type"] != 8
            && reply.body.pointer("/data/allowed_mentions/parse") != Some(&json!([]))
        {
            self.fail(format!("{kind} {id}: the reply may mention: {:?}", reply));
        }
        reply
    }

    /// One user asking `n` things in turn (or until `until` turns true).
    async fn user(&self, seed: u64, n: usize, until: Option<&AtomicBool>, new_titles: bool) {
        let mut rng = Rng(seed);
        let ctx = Ctx::guild(GUILD, CHANNEL, 6000 + seed % 1000, SEND_MESSAGES);
        for _ in 0..n {
            if until.is_some_and(|u| u.load(Ordering::Relaxed)) {
                return;
            }
            let id = self.next_id.fetch_add(1, Ordering::Relaxed);
            let ask = next_ask(&self.cat, &mut rng, id, &ctx, new_titles);
            let reply = self.ask(ask.kind, id, ask.d).await;
            if let Some(title) = ask.expect {
                let shown = reply.body["data"]["embeds"][0]["title"]
                    .as_str()
                    .unwrap_or_default();
                if !shown.contains(&title) {
                    self.fail(format!(
                        "/review {id}: the new title {title:?} was not found after the rebuild: {reply:?}"
                    ));
                }
            }
            // Some lists are paged on.
            if let Some(next) = next_page(&reply.body).filter(|_| rng.chance(30)) {
                let id = self.next_id.fetch_add(1, Ordering::Relaxed);
                let message = bot_message(id + 1_000_000, CHANNEL, &reply.body["data"]);
                let d = component(id, &next, 2, Vec::new(), message, &ctx);
                self.ask("next page", id, d).await;
            }
        }
    }

    /// `users` users asking `n` things in all (or until `until`).
    async fn run(
        self: &Arc<Self>,
        seed: u64,
        n: usize,
        users: usize,
        until: Option<&'static AtomicBool>,
        new_titles: bool,
    ) -> anyhow::Result<()> {
        let users = users.max(1);
        let mut tasks = Vec::new();
        for u in 0..users {
            let load = self.clone();
            let share = n / users + usize::from(u < n % users);
            tasks.push(tokio::spawn(async move {
                load.user(seed * 1000 + u as u64, share, until, new_titles)
                    .await
            }));
        }
        for task in tasks {
            task.await
                .context("a user of the load failed (a reply never came?)")?;
        }
        Ok(())
    }
}

/// The custom id of a list's "next" button, when it has one that is not disabled.
fn next_page(body: &Value) -> Option<String> {
    body["data"]["components"]
        .as_array()?
        .iter()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .find(|c| {
            c["disabled"] != json!(true)
                && c["custom_id"]
                    .as_str()
                    .is_some_and(|id| id.contains(":next:"))
        })
        .and_then(|c| c["custom_id"].as_str().map(str::to_owned))
}

/// A log line without its ANSI colours.
fn plain(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // `ESC [ … m`
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

// ----- the run -----

/// Copies `db` (and its `-wal`) into `dir` as the harness's `bot.db`.
fn copy_database(db: &Path, dir: &Path) -> anyhow::Result<PathBuf> {
    let to = dir.join("bot.db");
    std::fs::copy(db, &to).with_context(|| format!("cannot copy {}", db.display()))?;
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    if wal.is_file() {
        std::fs::copy(&wal, dir.join("bot.db-wal"))
            .with_context(|| format!("cannot copy {}", wal.display()))?;
    }
    Ok(to)
}

/// A review of the second import (the harness's review text, a title no one else has).
fn write_new_reviews(dir: &Path, titles: &[String]) -> anyhow::Result<PathBuf> {
    let folder = dir.join("new-reviews");
    std::fs::create_dir_all(&folder)?;
    for (i, title) in titles.iter().enumerate() {
        std::fs::write(
            folder.join(format!("new-{i}.txt")),
            serve::review_text(title, 2024, "A-"),
        )?;
    }
    Ok(folder)
}

static REBUILT_FLAG: AtomicBool = AtomicBool::new(false);

/// The phase the trace labels its samples with.
static PHASE: AtomicU64 = AtomicU64::new(0);
const PHASES: [&str; 4] = ["start-up", "load", "import+rebuild", "load after"];

/// With `MARQUEE_BENCH_TRACE=FILE`: serve's VmRSS every 10 ms, as `ms KiB phase` lines.
fn trace(pid: u32, started: Instant) -> anyhow::Result<()> {
    let Some(path) = std::env::var_os("MARQUEE_BENCH_TRACE") else {
        return Ok(());
    };
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
    tokio::spawn(async move {
        use std::io::Write as _;
        while let Ok(m) = mem(pid) {
            let phase = PHASES[PHASE.load(Ordering::Relaxed) as usize % PHASES.len()];
            let ms = started.elapsed().as_millis();
            if writeln!(out, "{ms} {} {phase}", m.rss).is_err() || out.flush().is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    Ok(())
}

async fn bench() -> anyhow::Result<bool> {
    let commands: usize = env_or("MARQUEE_BENCH_COMMANDS", 300)?;
    let users: usize = env_or("MARQUEE_BENCH_CONCURRENCY", 4)?;
    let dir = tempfile::tempdir()?;

    let source = match std::env::var_os("MARQUEE_BENCH_DB") {
        Some(db) => {
            let db = PathBuf::from(db);
            copy_database(&db, dir.path())?;
            format!("a copy of {}", db.display())
        }
        None => {
            let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/reviews");
            let (folder, what) = if corpus.is_dir() {
                (corpus, "the 3.2k corpus")
            } else {
                (serve::sample_dir(), "the built-in sample")
            };
            println!(
                "MARQUEE_BENCH_DB is not set: importing {what} ({})",
                folder.display()
            );
            let out = serve::import(BIN, dir.path(), &[&folder]);
            if !out.status.success() {
                bail!(
                    "the import of {} failed: {}",
                    folder.display(),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            format!("{what} ({})", folder.display())
        }
    };
    let db = dir.path().join("bot.db");
    let cat = catalogue(&db).await?;
    println!(
        "serve over {source}: {} reviews, {} people",
        cat.titles.len(),
        cat.people.len()
    );

    // 1. Start-up.
    let fake = FakeDiscord::start().await;
    fake.require_token(serve::TOKEN);
    let started = Instant::now();
    // How often serve checks for an import (and runs the announcer): 1 s, as in the tests.
    let interval = std::env::var("MARQUEE_BENCH_INTERVAL").unwrap_or_else(|_| "1".into());
    let env = [(
        "MARQUEE__DISCORD__ANNOUNCE_INTERVAL_SECONDS",
        interval.as_str(),
    )];
    let bot = Bot::start(BIN, dir.path(), &fake, &env).await;
    let pid = bot.child.id();
    trace(pid, started)?;
    fake.wait_ready(Duration::from_secs(300)).await;
    fake.wait_for(
        "command registration",
        |r| r.method == "PUT" && r.path.contains("/commands"),
        WAIT,
    )
    .await;
    let start_up = started.elapsed();
    let after_start = mem(pid)?;
    let resets = reset_peak(pid);
    serve::subscribe(&fake, 1, ANNOUNCE_CHANNEL, None, serve::MANAGE_CHANNELS).await;

    let load = Arc::new(Load {
        fake: fake.clone(),
        cat,
        next_id: AtomicU64::new(100),
        tally: Mutex::new(Tally::default()),
    });

    // 2. Load on the archive as it was.
    PHASE.store(1, Ordering::Relaxed);
    let t = Instant::now();
    load.run(1, commands, users, None, false).await?;
    let before_import = (mem(pid)?, load.answered(), t.elapsed());
    reset_peak(pid);

    // 3. An import by another process, the load going on until the indexes are rebuilt.
    PHASE.store(2, Ordering::Relaxed);
    let folder = write_new_reviews(dir.path(), &load.cat.new_titles)?;
    let t = Instant::now();
    let during = {
        let load = load.clone();
        tokio::spawn(async move {
            load.run(2, usize::MAX / 2, users, Some(&REBUILT_FLAG), false)
                .await
        })
    };
    let importing = {
        let dir = dir.path().to_path_buf();
        tokio::task::spawn_blocking(move || serve::import(BIN, &dir, &[&folder]))
    };
    let out = importing.await?;
    if !out.status.success() {
        REBUILT_FLAG.store(true, Ordering::Relaxed);
        bail!(
            "the second import failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let imported = t.elapsed();
    serve::wait_log(&bot, REBUILT, Duration::from_secs(600)).await;
    let rebuilt = t.elapsed();
    REBUILT_FLAG.store(true, Ordering::Relaxed);
    during.await??;
    let after_rebuild = (mem(pid)?, load.answered(), t.elapsed());
    reset_peak(pid);
    let announced = fake
        .wait_created(ANNOUNCE_CHANNEL, NEW_REVIEWS, Duration::from_secs(60))
        .await;

    // 4. Load on the archive with the new reviews.
    PHASE.store(3, Ordering::Relaxed);
    let t = Instant::now();
    load.run(3, commands, users, None, true).await?;
    let at_end = (mem(pid)?, load.answered(), t.elapsed());
    let smaps = rollup(pid);

    let violations = fake.violations();
    let log = bot.crash();
    let errors: Vec<String> = log
        .lines()
        .filter(|l| l.contains("ERROR") || l.contains("WARN"))
        .map(plain)
        .collect();

    // The report.
    let tally = load.tally.lock().unwrap_or_else(|p| p.into_inner());
    let mut all: Vec<Duration> = tally.latencies.values().flatten().copied().collect();
    all.sort();
    let peaks = [
        after_start.hwm,
        before_import.0.hwm,
        after_rebuild.0.hwm,
        at_end.0.hwm,
    ];
    let peak = peaks.iter().copied().max().unwrap_or_default();
    println!();
    println!(
        "serve, {} reviews, {users} users at a time",
        load.cat.titles.len()
    );
    println!("| phase | interactions | wall | VmRSS at its end | peak (VmHWM) in it |");
    println!("|---|---|---|---|---|");
    println!(
        "| start-up (READY, commands registered) | — | {:.2} s | {} | {} |",
        start_up.as_secs_f64(),
        mib(after_start.rss),
        mib(after_start.hwm)
    );
    println!(
        "| load before the import | {} | {:.2} s | {} | {} |",
        before_import.1,
        before_import.2.as_secs_f64(),
        mib(before_import.0.rss),
        mib(before_import.0.hwm)
    );
    println!(
        "| import of {NEW_REVIEWS} by another process ({:.2} s) and rebuild ({:.2} s), load going on | {} | {:.2} s | {} | {} |",
        imported.as_secs_f64(),
        rebuilt.as_secs_f64(),
        after_rebuild.1 - before_import.1,
        after_rebuild.2.as_secs_f64(),
        mib(after_rebuild.0.rss),
        mib(after_rebuild.0.hwm)
    );
    println!(
        "| load after the rebuild | {} | {:.2} s | {} | {} |",
        at_end.1 - after_rebuild.1,
        at_end.2.as_secs_f64(),
        mib(at_end.0.rss),
        mib(at_end.0.hwm)
    );
    println!();
    println!("| | |");
    println!("|---|---|");
    println!("| RSS after start-up | {} |", mib(after_start.rss));
    println!("| **peak RSS** (largest VmHWM) | **{}** |", mib(peak));
    println!("| RSS after the rebuild | {} |", mib(after_rebuild.0.rss));
    println!(
        "| RSS at the end: anonymous / file-backed | {} / {} |",
        mib(smaps.get("Anonymous").copied().unwrap_or_default()),
        mib(smaps
            .get("Rss")
            .copied()
            .unwrap_or_default()
            .saturating_sub(smaps.get("Anonymous").copied().unwrap_or_default()))
    );
    println!(
        "| of which transparent huge pages | {} |",
        mib(smaps.get("AnonHugePages").copied().unwrap_or_default())
    );
    println!("| interactions answered | {} |", all.len());
    println!(
        "| round trip p50 / p99 / max | {} / {} / {} |",
        ms(quantile(&all, 0.5)),
        ms(quantile(&all, 0.99)),
        ms(all.last().copied().unwrap_or_default())
    );
    if !resets {
        println!("(the peak could not be reset between phases: each VmHWM is the peak so far)");
    }
    println!();
    println!("| kind | answered | p50 | p99 |");
    println!("|---|---|---|---|");
    for (kind, times) in &tally.latencies {
        let mut times = times.clone();
        times.sort();
        println!(
            "| {kind} | {} | {} | {} |",
            times.len(),
            ms(quantile(&times, 0.5)),
            ms(quantile(&times, 0.99))
        );
    }
    println!();
    println!(
        "announcements of the new reviews: {} (of {NEW_REVIEWS})",
        announced.len()
    );
    println!("serve's log about its indexes:");
    for line in log.lines().filter(|l| {
        l.contains("archive loaded") || l.contains("archive changed") || l.contains(" index")
    }) {
        println!("  {}", plain(line).trim());
    }
    if !errors.is_empty() {
        println!("serve logged {} warnings or errors:", errors.len());
        for line in errors.iter().take(10) {
            println!("  {line}");
        }
    }
    if fake.has_spec() {
        println!("bodies breaking Discord's schema: {}", violations.len());
    }
    let mut ok = tally.failures.is_empty() && violations.is_empty();
    if announced.len() != NEW_REVIEWS {
        println!(
            "FAILED: {} announcements, not {NEW_REVIEWS}",
            announced.len()
        );
        ok = false;
    }
    for failure in tally.failures.iter().take(10) {
        println!("FAILED: {failure}");
    }
    for v in violations.iter().take(5) {
        println!("FAILED (schema): {v}");
    }
    Ok(ok)
}

fn main() -> anyhow::Result<()> {
    // The fake and the load share two threads; the bot is a process of its own.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    if !rt.block_on(bench())? {
        std::process::exit(1);
    }
    Ok(())
}
