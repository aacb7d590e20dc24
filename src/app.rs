//! `marquee serve` as an app: [`App::build`] makes everything the bot needs (the store and
//! its indexes, the Discord client, the announcer, the archive watcher) and fails early on bad
//! settings; then
//! [`App::run_until`] runs its tasks until told to stop. The tasks are supervised: one that
//! ends on its own — an error, a panic, or simply returning — is logged with its cause, stops
//! the others, and is the error `run_until` returns, so the process exits non-zero instead of
//! limping on without its gateway or its announcer.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use serenity::all::{GatewayIntents, GuildId};
use serenity::client::{Client, ClientBuilder};
use serenity::gateway::GatewayError;
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;

use crate::announce::Announcer;
use crate::archive::{Archive, Origin};
use crate::bot::{http, Handler};
use crate::commands::Data;
use crate::config::Settings;
use crate::ops::Metrics;
use crate::store::Store;
use crate::watch::Watcher;

/// The gateway task's name.
const GATEWAY: &str = "the gateway";

/// How long the tasks get to finish once the app is stopping, before they are aborted.
const GRACE: Duration = Duration::from_secs(10);

/// The bot, built and ready to run.
pub struct App {
    client: Client,
    /// The operations server (`ops.listen`), bound at build time.
    ops: Option<(tokio::net::TcpListener, axum::Router)>,
    announcer: Announcer,
    archive: Arc<Archive>,
    interval: Duration,
    reconnected: Arc<Notify>,
    /// The archive folder (`--watch` / `archive.watch`), watched from build time on.
    watcher: Option<Watcher>,
}

impl App {
    /// Opens (creating and migrating) the database, loads both indexes so the first
    /// interactions do not wait for them, builds the Discord client and the announcer, and
    /// binds `ops.listen` if set. Nothing connects to Discord yet.
    pub async fn build(settings: &Settings, database_url: &str) -> anyhow::Result<App> {
        let token = settings.discord.token.clone().context(
            "DISCORD_TOKEN is not set: create an application at \
             https://discord.com/developers/applications, add a bot, and export its token",
        )?;
        let store = Store::open(database_url, true).await?;
        let watcher = match settings.archive.watch.as_os_str().is_empty() {
            true => None,
            false => Some(Watcher::start(
                &settings.archive.watch,
                store.clone(),
                settings.import,
            )?),
        };
        let archive = Arc::new(Archive::new(store.clone(), Origin::Database).await?);
        let titles = archive.index().await?;
        let people = archive.people().await?;
        tracing::info!(
            reviews = titles.len(),
            people = people.len(),
            "archive loaded"
        );
        let api_base = settings.discord.api_base.clone();
        let announcer = Announcer::new(
            store.clone(),
            &api_base,
            token.clone(),
            settings.archive.critic.clone(),
        )?
        .with_retention_days(settings.discord.outbox_retention_days);
        let reconnected = Arc::new(Notify::new());
        let metrics = Arc::new(Metrics::new());
        let ops = match settings.ops.listen.trim() {
            "" => None,
            addr => {
                let listener = tokio::net::TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("cannot listen on {addr} (ops.listen)"))?;
                tracing::info!(addr = %listener.local_addr()?, "serving /healthz and /metrics");
                Some((listener, crate::ops::router(store.clone(), metrics.clone())))
            }
        };
        let handler = Handler {
            metrics,
            data: Arc::new(Data {
                archive: archive.clone(),
                critic: settings.archive.critic.clone(),
            }),
            dev_guild: settings.discord.dev_guild.map(GuildId::new),
            reconnected: reconnected.clone(),
        };
        let client = ClientBuilder::new_with_http(http(&token, &api_base), GatewayIntents::GUILDS)
            .event_handler(handler)
            .await
            .context("cannot build the Discord client")?;
        Ok(App {
            client,
            ops,
            announcer,
            archive,
            interval: Duration::from_secs(settings.discord.announce_interval_seconds.max(1)),
            reconnected,
            watcher,
        })
    }

    /// Where `/healthz` and `/metrics` are served, if they are (`ops.listen`; port 0 picks one).
    pub fn ops_addr(&self) -> Option<std::net::SocketAddr> {
        self.ops
            .as_ref()
            .and_then(|(listener, _)| listener.local_addr().ok())
    }

    /// Runs the gateway, the announcer, the index refresher, (with `ops.listen`) the
    /// operations server and (with `--watch`) the archive watcher until `shutdown` completes
    /// (then `Ok`) or until one of them ends on its own (then that task's error, after the
    /// others have stopped).
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
        let App {
            mut client,
            ops,
            announcer,
            archive,
            interval,
            reconnected,
            watcher,
        } = self;
        let shards = client.shard_manager.clone();
        let (stop, stopped) = watch::channel(false);
        let mut tasks = Tasks::default();
        tasks.spawn(GATEWAY, async move {
            client.start().await.map_err(|err| match err {
                serenity::Error::Gateway(GatewayError::InvalidAuthentication) => anyhow::anyhow!(
                    "Discord refused the token: check DISCORD_TOKEN (Bot > Reset Token at \
                     https://discord.com/developers/applications)"
                ),
                other => anyhow::Error::new(other).context("the Discord connection failed"),
            })
        });
        let announcing = stopped.clone();
        tasks.spawn("the announcer", async move {
            announcer.run(interval, announcing, reconnected).await;
            Ok(())
        });
        let refreshing = stopped.clone();
        tasks.spawn("the index refresher", async move {
            archive.keep_fresh(interval, refreshing).await;
            Ok(())
        });

        if let Some(watcher) = watcher {
            let watching = stopped.clone();
            tasks.spawn("the archive watcher", watcher.run(watching));
        }

        if let Some((listener, router)) = ops {
            let mut stopping = stopped.clone();
            tasks.spawn("the operations server", async move {
                axum::serve(listener, router)
                    .with_graceful_shutdown(async move {
                        let _ = stopping.wait_for(|stop| *stop).await;
                    })
                    .await
                    .context("the operations server failed")
            });
        }
        tokio::pin!(shutdown);
        let failure = tokio::select! {
            () = &mut shutdown => {
                tracing::info!("shutting down");
                None
            }
            Some((name, end)) = tasks.next() => {
                let err = end.unwrap_or_else(|| anyhow::anyhow!("{name} stopped on its own"));
                tracing::error!(task = name, error = format!("{err:#}"), "a task ended: stopping");
                Some((name, err.context(format!("{name} ended"))))
            }
        };
        let _ = stop.send(true);
        // A gateway that has ended has no shard left to close (serenity would wait 5 s for
        // each one's answer).
        if !matches!(failure, Some((GATEWAY, _))) {
            shards.shutdown_all().await;
        }
        tasks.finish().await;
        match failure {
            Some((_, err)) => Err(err),
            None => Ok(()),
        }
    }
}

/// Named tasks: which one ended, and how.
#[derive(Default)]
struct Tasks {
    set: JoinSet<anyhow::Result<()>>,
    names: HashMap<tokio::task::Id, &'static str>,
}

impl Tasks {
    fn spawn(
        &mut self,
        name: &'static str,
        task: impl Future<Output = anyhow::Result<()>> + Send + 'static,
    ) {
        let handle = self.set.spawn(task);
        self.names.insert(handle.id(), name);
    }

    /// The next task to end: its name, and its error if it failed or panicked (`None` if it
    /// returned `Ok`).
    async fn next(&mut self) -> Option<(&'static str, Option<anyhow::Error>)> {
        let ended = self.set.join_next_with_id().await?;
        let (id, error) = match ended {
            Ok((id, Ok(()))) => (id, None),
            Ok((id, Err(err))) => (id, Some(err)),
            Err(err) => (
                err.id(),
                Some(anyhow::anyhow!(if err.is_panic() {
                    "it panicked"
                } else {
                    "it was cancelled"
                })),
            ),
        };
        Some((self.names.get(&id).copied().unwrap_or("a task"), error))
    }

    /// Waits for the rest to end (logging any that fail), aborting them after [`GRACE`].
    async fn finish(&mut self) {
        let all = async {
            while let Some((name, error)) = self.next().await {
                match error {
                    Some(err) => tracing::warn!(
                        task = name,
                        error = format!("{err:#}"),
                        "stopped with an error"
                    ),
                    None => tracing::debug!(task = name, "stopped"),
                }
            }
        };
        if tokio::time::timeout(GRACE, all).await.is_err() {
            tracing::warn!("tasks still running {GRACE:?} after the stop: aborting them");
            self.set.abort_all();
        }
    }
}
