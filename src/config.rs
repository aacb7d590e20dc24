//! Typed settings: the embedded `config/base.toml` → `config/<environment>.toml` → the file in
//! `MARQUEE_CONFIG` → `MARQUEE__SECTION__KEY` environment variables → `DATABASE_URL`.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context;
use config::{Config, Environment, File, FileFormat};
use secrecy::SecretString;
use serde::Deserialize;

const BASE: &str = include_str!("../config/base.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub database: DatabaseSettings,
    pub archive: ArchiveSettings,
    pub search: SearchSettings,
    pub discord: DiscordSettings,
    #[serde(default)]
    pub import: crate::review::Limits,
    #[serde(default)]
    pub ops: OpsSettings,
    #[serde(default)]
    pub serve: ServeSettings,
}

/// How `serve` receives interactions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// A gateway connection (a websocket to Discord): interactions arrive as events.
    #[default]
    Gateway,
    /// Discord's HTTP interactions endpoint: Discord POSTs each interaction to
    /// `serve.listen`; no gateway connection.
    Http,
}

/// `serve`'s front end.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ServeSettings {
    #[serde(default)]
    pub transport: Transport,
    /// Where the HTTP interactions endpoint listens (`--transport http`).
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Over HTTP, a command still working after this long is answered with a deferred
    /// reply, and its answer edits that reply when it is ready (Discord waits 3 s for the
    /// first answer).
    #[serde(default = "default_defer_after_ms")]
    pub defer_after_ms: u64,
    /// Gateway shards: empty for one, `auto` for as many as Discord recommends, or a number.
    #[serde(default)]
    pub shards: String,
    /// The shards this process runs, `A..B` (A up to B, not including it) or `A..=B`; empty
    /// for all of them.
    #[serde(default)]
    pub shard_range: String,
    /// `shards` and `shard_range` read together, when the settings are loaded (and again
    /// when `serve`'s options change them).
    #[serde(skip)]
    pub plan: ShardPlan,
    /// For the tests, in debug builds only (`MARQUEE_TEST_PANIC_IN`): the command named here
    /// panics, as a bug would.
    #[serde(default)]
    pub panic_in: Option<String>,
}

impl ServeSettings {
    /// Reads `shards` and `shard_range` into `plan`; the error names the options.
    pub fn read_plan(&mut self) -> anyhow::Result<()> {
        self.plan =
            ShardPlan::parse(&self.shards, &self.shard_range).map_err(anyhow::Error::msg)?;
        Ok(())
    }
}

/// Which gateway shards this process connects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ShardPlan {
    /// One shard, all guilds.
    #[default]
    Single,
    /// As many shards as Discord recommends (`GET /gateway/bot`), all in this process.
    Auto,
    /// Shards `first..=last` of `total`: the guilds whose `(id >> 22) % total` is in range.
    Range { first: u32, last: u32, total: u32 },
}

impl ShardPlan {
    /// Reads `serve.shards` (`--shards`) and `serve.shard_range` (`--shard-range`).
    pub fn parse(shards: &str, range: &str) -> Result<ShardPlan, String> {
        let (shards, range) = (shards.trim(), range.trim());
        let total = match shards {
            "" | "auto" if !range.is_empty() => {
                return Err(format!(
                    "--shard-range {range} needs --shards N: a range is a part of a known number of shards"
                ))
            }
            "" => return Ok(ShardPlan::Single),
            "auto" => return Ok(ShardPlan::Auto),
            n => match n.parse::<u32>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    return Err(format!(
                        "--shards {n}: expected a number of shards (1 or more) or `auto`"
                    ))
                }
            },
        };
        if range.is_empty() {
            return Ok(ShardPlan::Range {
                first: 0,
                last: total - 1,
                total,
            });
        }
        let bad = || {
            format!(
                "--shard-range {range}: expected A..B (shards A up to B, not including it) or \
                 A..=B, within the {total} shards of --shards"
            )
        };
        let (first, last) = if let Some((a, b)) = range.split_once("..=") {
            let a: u32 = a.trim().parse().map_err(|_| bad())?;
            let b: u32 = b.trim().parse().map_err(|_| bad())?;
            (a, b)
        } else if let Some((a, b)) = range.split_once("..") {
            let a: u32 = a.trim().parse().map_err(|_| bad())?;
            let b: u32 = b.trim().parse().map_err(|_| bad())?;
            (a, b.checked_sub(1).ok_or_else(bad)?)
        } else {
            return Err(bad());
        };
        if first > last || last >= total {
            return Err(bad());
        }
        Ok(ShardPlan::Range { first, last, total })
    }
}

impl Default for ServeSettings {
    fn default() -> Self {
        ServeSettings {
            transport: Transport::default(),
            listen: default_listen(),
            defer_after_ms: default_defer_after_ms(),
            shards: String::new(),
            shard_range: String::new(),
            plan: ShardPlan::Single,
            panic_in: None,
        }
    }
}

fn default_lease_seconds() -> u64 {
    30
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}

fn default_defer_after_ms() -> u64 {
    2000
}

/// `serve`'s operations endpoints.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct OpsSettings {
    /// Where `/healthz` and `/metrics` listen (`127.0.0.1:9100`); empty: not served.
    #[serde(default, deserialize_with = "address_or_empty")]
    pub listen: Option<SocketAddr>,
}

/// An address, or nothing for an empty string (a setting that is off).
fn address_or_empty<'de, D: serde::Deserializer<'de>>(
    from: D,
) -> Result<Option<SocketAddr>, D::Error> {
    let text = String::deserialize(from)?;
    match text.trim() {
        "" => Ok(None),
        addr => addr.parse().map(Some).map_err(|_| {
            serde::de::Error::custom(format!("`{addr}` is not an address like 127.0.0.1:9100"))
        }),
    }
}

/// The application's public key, checked as it is loaded.
fn public_key<'de, D: serde::Deserializer<'de>>(
    from: D,
) -> Result<Option<crate::interactions::Verifier>, D::Error> {
    let text: Option<String> = Option::deserialize(from)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(key) => crate::interactions::Verifier::from_hex(key)
            .map(Some)
            .map_err(|err| serde::de::Error::custom(format!("{err:#}"))),
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct DiscordSettings {
    /// From `DISCORD_TOKEN`. `SecretString` never prints its value, not even in `Debug`.
    pub token: Option<SecretString>,
    pub api_base: String,
    pub dev_guild: Option<u64>,
    /// From `DISCORD_PUBLIC_KEY`: the application's public key (64 hex digits), which
    /// verifies the signature on every request to the HTTP interactions endpoint; checked when
    /// the settings are loaded.
    #[serde(default, deserialize_with = "public_key")]
    pub public_key: Option<crate::interactions::Verifier>,
    pub announce_interval_seconds: u64,
    /// How many days sent and dropped announcements stay in the outbox before they are pruned.
    pub outbox_retention_days: u32,
    /// How long an announcement claimed by one `serve` process is left alone by the others
    /// on the same database (if the process dies, another sends it after this long).
    #[serde(default = "default_lease_seconds")]
    pub outbox_lease_seconds: u64,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct DatabaseSettings {
    pub url: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ArchiveSettings {
    pub critic: String,
    /// `serve` watches this folder and imports its reviews as they are saved (`serve
    /// --watch` wins); empty: not watched.
    #[serde(default)]
    pub watch: std::path::PathBuf,
    /// The critic's feeds (RSS 2.0 or Atom) that `serve` follows (`serve --feed` adds to
    /// them); empty: none.
    #[serde(default)]
    pub feeds: Vec<String>,
    /// How often each feed is polled, in seconds.
    #[serde(default = "default_feed_poll_seconds")]
    pub feed_poll_seconds: u64,
    /// How long one request to the critic's site may take, in seconds, body included.
    #[serde(default = "default_feed_timeout_seconds")]
    pub feed_timeout_seconds: u64,
}

fn default_feed_poll_seconds() -> u64 {
    1800
}

fn default_feed_timeout_seconds() -> u64 {
    15
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct SearchSettings {
    pub candidates: usize,
}

/// Where the loader reads variables from, so tests can give their own.
pub trait Env {
    /// Every variable (empty values count as unset).
    fn vars(&self) -> config::Map<String, String>;

    fn var(&self, name: &str) -> Option<String> {
        self.vars().remove(name).filter(|v| !v.is_empty())
    }
}

/// The process environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn vars(&self) -> config::Map<String, String> {
        std::env::vars().collect()
    }
}

impl Settings {
    /// Loads the settings, reading files relative to `dir` (normally the working directory).
    pub fn load(dir: &Path, env: &dyn Env) -> anyhow::Result<Settings> {
        let environment = env
            .var("MARQUEE_ENVIRONMENT")
            .unwrap_or_else(|| "local".into());
        let env_file = dir.join("config").join(format!("{environment}.toml"));
        let mut builder = Config::builder()
            .add_source(File::from_str(BASE, FileFormat::Toml))
            .add_source(File::from(env_file).required(false));
        if let Some(path) = env.var("MARQUEE_CONFIG") {
            builder = builder.add_source(File::with_name(&path).required(true));
        }
        let vars: config::Map<String, String> = env
            .vars()
            .into_iter()
            .filter(|(k, v)| k.starts_with("MARQUEE__") && !v.is_empty())
            .collect();
        builder = builder.add_source(
            Environment::with_prefix("MARQUEE")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true)
                // `MARQUEE__ARCHIVE__FEEDS=https://a/feed/,https://b/feed/`: a list.
                .list_separator(",")
                .with_list_parse_key("archive.feeds")
                .source(Some(vars)),
        );
        for (var, key) in [
            ("DATABASE_URL", "database.url"),
            ("DISCORD_TOKEN", "discord.token"),
            ("DISCORD_API_BASE", "discord.api_base"),
            ("MARQUEE_DEV_GUILD", "discord.dev_guild"),
            ("DISCORD_PUBLIC_KEY", "discord.public_key"),
            ("MARQUEE_TEST_PANIC_IN", "serve.panic_in"),
        ] {
            if let Some(value) = env.var(var) {
                builder = builder.set_override(key, value)?;
            }
        }
        let mut settings: Settings = builder
            .build()
            .and_then(Config::try_deserialize)
            .context("invalid configuration")?;
        settings.serve.read_plan()?;
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct FakeEnv(HashMap<&'static str, &'static str>);
    impl Env for FakeEnv {
        fn vars(&self) -> config::Map<String, String> {
            self.0
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        }
    }

    #[test]
    fn embedded_defaults_load_anywhere() {
        let dir = tempfile::tempdir().unwrap();
        let s = Settings::load(dir.path(), &FakeEnv(HashMap::new())).unwrap();
        assert_eq!(s.database.url, "sqlite://marquee.db");
        assert_eq!(s.archive.critic, "Dennis Schwartz");
        assert_eq!(s.search.candidates, 5);
        assert_eq!(s.discord.outbox_retention_days, 30);
        assert_eq!(s.import, crate::review::Limits::default());
        assert_eq!(s.archive.watch, std::path::PathBuf::new(), "not watched");
        assert!(s.archive.feeds.is_empty(), "no feed followed");
        assert_eq!(s.archive.feed_poll_seconds, 1800);
        assert_eq!(s.archive.feed_timeout_seconds, 15);
    }

    #[test]
    fn feeds_come_from_archive_feeds_as_a_list_and_the_interval_from_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let env = FakeEnv(HashMap::from([
            (
                "MARQUEE__ARCHIVE__FEEDS",
                "https://a.example/feed/,https://b.example/feed/",
            ),
            ("MARQUEE__ARCHIVE__FEED_POLL_SECONDS", "1"),
        ]));
        let s = Settings::load(dir.path(), &env).unwrap();
        assert_eq!(
            s.archive.feeds,
            ["https://a.example/feed/", "https://b.example/feed/"]
        );
        assert_eq!(s.archive.feed_poll_seconds, 1);
        // One feed is a list of one.
        let env = FakeEnv(HashMap::from([(
            "MARQUEE__ARCHIVE__FEEDS",
            "https://a.example/feed/",
        )]));
        let s = Settings::load(dir.path(), &env).unwrap();
        assert_eq!(s.archive.feeds, ["https://a.example/feed/"]);
    }

    #[test]
    fn the_watched_folder_comes_from_archive_watch() {
        let dir = tempfile::tempdir().unwrap();
        let env = FakeEnv(HashMap::from([(
            "MARQUEE__ARCHIVE__WATCH",
            "reviews/inbox",
        )]));
        let s = Settings::load(dir.path(), &env).unwrap();
        assert_eq!(s.archive.watch, std::path::PathBuf::from("reviews/inbox"));
    }

    #[test]
    fn environment_file_then_env_vars_then_database_url() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("config")).unwrap();
        std::fs::write(
            dir.path().join("config/production.toml"),
            "[database]\nurl = \"sqlite://prod.db\"\n[search]\ncandidates = 9\n",
        )
        .unwrap();
        let mut vars = HashMap::from([("MARQUEE_ENVIRONMENT", "production")]);
        let s = Settings::load(dir.path(), &FakeEnv(vars.clone())).unwrap();
        assert_eq!(s.database.url, "sqlite://prod.db");
        assert_eq!(s.search.candidates, 9);

        vars.insert("MARQUEE__SEARCH__CANDIDATES", "3");
        vars.insert("MARQUEE__DATABASE__URL", "sqlite://env.db");
        let s = Settings::load(dir.path(), &FakeEnv(vars.clone())).unwrap();
        assert_eq!(s.search.candidates, 3);
        assert_eq!(s.database.url, "sqlite://env.db");

        vars.insert("DATABASE_URL", "sqlite://url.db");
        let s = Settings::load(dir.path(), &FakeEnv(vars)).unwrap();
        assert_eq!(s.database.url, "sqlite://url.db");
    }

    #[test]
    fn discord_settings_come_from_their_variables_and_the_token_stays_secret() {
        use secrecy::ExposeSecret;
        let dir = tempfile::tempdir().unwrap();
        let s = Settings::load(dir.path(), &FakeEnv(HashMap::new())).unwrap();
        assert!(s.discord.token.is_none());
        assert_eq!(s.discord.api_base, "https://discord.com");
        assert_eq!(s.discord.dev_guild, None);
        let env = FakeEnv(HashMap::from([
            ("DISCORD_TOKEN", "sekrit-token-value"),
            ("DISCORD_API_BASE", "http://127.0.0.1:9"),
            ("MARQUEE_DEV_GUILD", "4242"),
        ]));
        let s = Settings::load(dir.path(), &env).unwrap();
        let token = s.discord.token.as_ref().unwrap();
        assert_eq!(token.expose_secret(), "sekrit-token-value");
        assert_eq!(s.discord.api_base, "http://127.0.0.1:9");
        assert_eq!(s.discord.dev_guild, Some(4242));
        assert!(
            !format!("{s:?}").contains("sekrit"),
            "the token leaked into Debug"
        );
    }

    #[test]
    fn shard_plans_are_read_from_the_two_options() {
        use ShardPlan::*;
        assert_eq!(ShardPlan::parse("", ""), Ok(Single));
        assert_eq!(ShardPlan::parse("auto", ""), Ok(Auto));
        assert_eq!(
            ShardPlan::parse("4", ""),
            Ok(Range {
                first: 0,
                last: 3,
                total: 4
            })
        );
        assert_eq!(
            ShardPlan::parse("4", "2..4"),
            Ok(Range {
                first: 2,
                last: 3,
                total: 4
            })
        );
        assert_eq!(
            ShardPlan::parse(" 4 ", "0..=1"),
            Ok(Range {
                first: 0,
                last: 1,
                total: 4
            })
        );
        for (shards, range, says) in [
            ("", "0..2", "needs --shards"),
            ("auto", "0..2", "needs --shards"),
            ("0", "", "--shards 0"),
            ("many", "", "--shards many"),
            ("4", "2..2", "--shard-range 2..2"),
            ("4", "3..1", "--shard-range 3..1"),
            ("4", "2..5", "--shard-range 2..5"),
            ("4", "0..=4", "--shard-range 0..=4"),
            ("4", "2", "--shard-range 2"),
            ("4", "a..b", "--shard-range a..b"),
        ] {
            let err = ShardPlan::parse(shards, range).expect_err(range);
            assert!(err.contains(says), "{shards} {range}: {err}");
        }
    }

    #[test]
    fn addresses_keys_and_shards_are_typed_and_checked_when_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let load = |vars: &[(&'static str, &'static str)]| {
            Settings::load(dir.path(), &FakeEnv(vars.iter().copied().collect()))
        };
        let s = load(&[
            ("MARQUEE__SERVE__LISTEN", "0.0.0.0:8443"),
            ("MARQUEE__OPS__LISTEN", "127.0.0.1:9100"),
            ("MARQUEE__SERVE__SHARDS", "4"),
            ("MARQUEE__SERVE__SHARD_RANGE", "2..4"),
            (
                "DISCORD_PUBLIC_KEY",
                "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            ),
        ])
        .unwrap();
        assert_eq!(s.serve.listen, "0.0.0.0:8443".parse().unwrap());
        assert_eq!(s.ops.listen, Some("127.0.0.1:9100".parse().unwrap()));
        assert_eq!(
            s.serve.plan,
            ShardPlan::Range {
                first: 2,
                last: 3,
                total: 4
            }
        );
        assert!(s.discord.public_key.is_some());
        let off = load(&[("MARQUEE__OPS__LISTEN", " ")]).unwrap();
        assert_eq!(off.ops.listen, None, "an empty address is off");
        for (vars, says) in [
            (vec![("MARQUEE__SERVE__LISTEN", "localhost")], "listen"),
            (vec![("MARQUEE__OPS__LISTEN", "9100")], "ops.listen"),
            (vec![("DISCORD_PUBLIC_KEY", "abcd")], "DISCORD_PUBLIC_KEY"),
            (
                vec![("MARQUEE__SERVE__SHARD_RANGE", "0..2")],
                "--shard-range 0..2 needs --shards",
            ),
        ] {
            let err = format!("{:#}", load(&vars).unwrap_err());
            assert!(err.contains(says), "{vars:?}: {err}");
        }
    }

    #[test]
    fn a_bad_value_names_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let env = FakeEnv(HashMap::from([("MARQUEE__SEARCH__CANDIDATES", "many")]));
        let err = format!("{:#}", Settings::load(dir.path(), &env).unwrap_err());
        assert!(err.contains("candidates"), "{err}");
    }
}
