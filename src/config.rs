//! Typed settings: the embedded `config/base.toml` → `config/<environment>.toml` → the file in
//! `MARQUEE_CONFIG` → `MARQUEE__SECTION__KEY` environment variables → `DATABASE_URL`.

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
}

/// `serve`'s operations endpoints.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct OpsSettings {
    /// Where `/healthz` and `/metrics` listen (`127.0.0.1:9100`); empty: not served.
    #[serde(default)]
    pub listen: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DiscordSettings {
    /// From `DISCORD_TOKEN`. `SecretString` never prints its value, not even in `Debug`.
    pub token: Option<SecretString>,
    pub api_base: String,
    pub dev_guild: Option<u64>,
    pub announce_interval_seconds: u64,
    /// How many days sent and dropped announcements stay in the outbox before they are pruned.
    pub outbox_retention_days: u32,
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
                .source(Some(vars)),
        );
        for (var, key) in [
            ("DATABASE_URL", "database.url"),
            ("DISCORD_TOKEN", "discord.token"),
            ("DISCORD_API_BASE", "discord.api_base"),
            ("MARQUEE_DEV_GUILD", "discord.dev_guild"),
        ] {
            if let Some(value) = env.var(var) {
                builder = builder.set_override(key, value)?;
            }
        }
        builder
            .build()
            .and_then(Config::try_deserialize)
            .context("invalid configuration")
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
    fn a_bad_value_names_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let env = FakeEnv(HashMap::from([("MARQUEE__SEARCH__CANDIDATES", "many")]));
        let err = format!("{:#}", Settings::load(dir.path(), &env).unwrap_err());
        assert!(err.contains("candidates"), "{err}");
    }
}
