//! Typed settings: the embedded `config/base.toml` → `config/<environment>.toml` → the file in
//! `MARQUEE_CONFIG` → `MARQUEE__SECTION__KEY` environment variables → `DATABASE_URL`.

use std::path::Path;

use anyhow::Context;
use config::{Config, Environment, File, FileFormat};
use serde::Deserialize;

const BASE: &str = include_str!("../config/base.toml");

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Settings {
    pub database: DatabaseSettings,
    pub archive: ArchiveSettings,
    pub search: SearchSettings,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct DatabaseSettings {
    pub url: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ArchiveSettings {
    pub critic: String,
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
        if let Some(url) = env.var("DATABASE_URL") {
            builder = builder.set_override("database.url", url)?;
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
    fn a_bad_value_names_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let env = FakeEnv(HashMap::from([("MARQUEE__SEARCH__CANDIDATES", "many")]));
        let err = format!("{:#}", Settings::load(dir.path(), &env).unwrap_err());
        assert!(err.contains("candidates"), "{err}");
    }
}
