//! The harness for tests of `marquee serve`: the real binary, its own database and its own
//! fake Discord on 127.0.0.1, and helpers to ask it things and check what it sent.
//!
//! Cargo tells the binary's path only to marquee's own integration tests and benches, at build
//! time (`env!("CARGO_BIN_EXE_marquee")`), so what runs it takes that path as `bin`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};

use crate::fake_discord::{opt, slash_command, Ctx, FakeDiscord, Recorded};

pub const TOKEN: &str = "bot-test-token-do-not-print";
pub const MANAGE_CHANNELS: u64 = 1 << 4;
pub const SEND_MESSAGES: u64 = 1 << 11;
pub const WAIT: Duration = Duration::from_secs(20);

/// The sample archive of the checkout (`sample/`).
pub fn sample_dir() -> PathBuf {
    crate::checkout().join("sample")
}

/// A running `marquee serve`, killed when dropped; its log goes to a file.
pub struct Bot {
    pub child: std::process::Child,
    pub log: PathBuf,
}

impl Bot {
    /// Starts `bin serve` in `dir` against `fake`, over the database [`db_url`] names.
    pub async fn start(
        bin: &str,
        dir: &Path,
        fake: &FakeDiscord,
        extra_env: &[(&str, &str)],
    ) -> Bot {
        let log = dir.join(format!("serve-{}.log", fake.ready_count()));
        let mut cmd = std::process::Command::new(bin);
        cmd.arg("serve")
            .current_dir(dir)
            .env("DISCORD_TOKEN", TOKEN)
            .env("DISCORD_API_BASE", fake.api_base())
            .env("DATABASE_URL", db_url(dir))
            .env("MARQUEE__DISCORD__ANNOUNCE_INTERVAL_SECONDS", "1")
            .env("RUST_LOG", "marquee=debug,serenity=warn")
            .env("NO_PROXY", "127.0.0.1")
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY")
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .env_remove("MARQUEE_DEV_GUILD")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("marquee serve starts");
        Bot { child, log }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Kills the process at once (SIGKILL), as a crash would.
    pub fn crash(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.log()
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn db_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("bot.db").display())
}

/// Runs `bin import` (`bin` is marquee) as its own process, as a user would beside the
/// running bot.
pub fn import(bin: &str, dir: &Path, paths: &[&Path]) -> std::process::Output {
    std::process::Command::new(bin)
        .arg("import")
        .args(paths)
        .env("DATABASE_URL", db_url(dir))
        .current_dir(dir)
        .output()
        .unwrap()
}

/// A modern review written for these tests.
pub fn review_text(title: &str, year: i32, grade: &str) -> String {
    format!(
        "(director: Nora Lind; cast: Ann Lee (June), Bo Park; Runtime: 99; MPAA Rating: PG; producer: Gus Rowe: Neon; {year})\n\n\
         “Announced with @everyone in the text, which must ping no one.”\n\nReviewed by Dennis Schwartz\n\nOne paragraph.\n\n\
         Nora Lind's {title}\n      a tagline\n\n\nREVIEWED ON 3/4/2020  GRADE: {grade}"
    )
}

pub fn callback_of(id: u64) -> impl Fn(&Recorded) -> bool {
    move |r| r.is("POST", &format!("/interactions/{id}/"))
}

/// Asks `/review title:query` (as interaction `id`, in `ctx`) and returns the title of the
/// card that answers (`None`: the answer has no card).
pub async fn review_card(fake: &FakeDiscord, id: u64, ctx: &Ctx, query: &str) -> Option<String> {
    fake.dispatch(
        "INTERACTION_CREATE",
        slash_command(id, "review", json!([opt("title", 3, query)]), ctx),
    )
    .await;
    let reply = fake
        .wait_for("the /review reply", callback_of(id), WAIT)
        .await;
    reply.body["data"]["embeds"][0]["title"]
        .as_str()
        .map(str::to_owned)
}

pub fn assert_mentions_nobody(body: &Value) {
    let mentions = body
        .pointer("/data/allowed_mentions")
        .or_else(|| body.get("allowed_mentions"));
    assert_eq!(
        mentions.and_then(|m| m.get("parse")),
        Some(&json!([])),
        "allowed_mentions must mention nobody: {body}"
    );
}

pub fn assert_no_violations(fake: &FakeDiscord, bot: &Bot) {
    let v = fake.violations();
    assert!(v.is_empty(), "bodies that break Discord's schema:\n{v:#?}");
    assert!(!bot.log().contains(TOKEN), "the token appeared in the log");
}

/// Dispatches an interaction and waits for its callback.
pub async fn ask(fake: &FakeDiscord, id: u64, d: Value) -> Recorded {
    fake.dispatch("INTERACTION_CREATE", d).await;
    let reply = fake
        .wait_for(
            &format!("the reply to interaction {id}"),
            callback_of(id),
            WAIT,
        )
        .await;
    if reply.body["type"] != 8 {
        assert_mentions_nobody(&reply.body);
    }
    reply
}

/// Subscribes `channel` (of guild 8000) as a member with `permissions`, and returns the
/// ephemeral reply's text.
pub async fn subscribe(
    fake: &FakeDiscord,
    id: u64,
    channel: u64,
    min_grade: Option<&str>,
    permissions: u64,
) -> String {
    let ctx = Ctx::guild(8000, channel, 6000, permissions);
    let options = match min_grade {
        Some(g) => json!([opt("min_grade", 3, g)]),
        None => json!([]),
    };
    fake.dispatch(
        "INTERACTION_CREATE",
        slash_command(id, "subscribe", options, &ctx),
    )
    .await;
    let reply = fake
        .wait_for("the /subscribe reply", callback_of(id), WAIT)
        .await;
    assert_eq!(
        reply.body["data"]["flags"], 64,
        "subscription replies are ephemeral"
    );
    assert_mentions_nobody(&reply.body);
    reply.body["data"]["content"].as_str().unwrap().to_owned()
}

/// Subscribes every channel of `channels` (with no minimum grade), the interactions numbered
/// from `first_id`.
pub async fn subscribe_all(fake: &FakeDiscord, first_id: u64, channels: &[u64]) {
    for (i, channel) in (first_id..).zip(channels) {
        subscribe(fake, i, *channel, None, MANAGE_CHANNELS).await;
    }
}

/// The title of each message's first embed, in the messages' order.
pub fn embed_titles(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| {
            m["embeds"][0]["title"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// Writes reviews made by [`review_text`] into a new folder `name` of `dir`, one file each.
pub fn write_reviews(dir: &Path, name: &str, reviews: &[(&str, i32, &str)]) -> PathBuf {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    for (i, (title, year, grade)) in reviews.iter().enumerate() {
        std::fs::write(
            folder.join(format!("{i:03}.txt")),
            review_text(title, *year, grade),
        )
        .unwrap();
    }
    folder
}

/// Waits until the bot's log contains `needle` (the log is a file the bot appends to; it is
/// read again every 50 ms). Panics with the log after `timeout`.
pub async fn wait_log(bot: &Bot, needle: &str, timeout: Duration) -> String {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let log = bot.log();
        if log.contains(needle) {
            return log;
        }
        if std::time::Instant::now() >= deadline {
            panic!("the log never said {needle:?} within {timeout:?}:\n{log}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits for the bot process to end by itself; its exit code. Panics after `timeout`.
pub async fn wait_exit(bot: &mut Bot, timeout: Duration) -> Option<i32> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        if let Some(status) = bot.child.try_wait().unwrap() {
            return status.code();
        }
        if std::time::Instant::now() >= deadline {
            panic!("serve did not exit within {timeout:?}:\n{}", bot.log());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
