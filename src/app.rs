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
use secrecy::SecretString;
use serenity::all::{GuildId, ShardManager};
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;

use crate::announce::Announcer;
use crate::archive::{Archive, Origin};
use crate::bot::Gateway;
use crate::commands::Data;
use crate::config::{Settings, ShardPlan, Transport};
use crate::discord::rest::{TokenWatch, TOKEN_REFUSED};
use crate::discord::Serving;
use crate::feed::follow::Follower;
use crate::interactions::{HttpFront, Verifier};
use crate::ops::Metrics;
use crate::store::Store;
use crate::watch::Watcher;

/// The gateway task's name.
const GATEWAY: &str = "the gateway";
/// The HTTP interactions endpoint's task's name.
const ENDPOINT: &str = "the interactions endpoint";

/// How long the tasks get to finish once the app is stopping, before they are aborted.
const GRACE: Duration = Duration::from_secs(10);

/// How interactions reach the bot: each front end builds itself.
enum Front {
    /// A gateway connection, which also registers the commands on READY.
    Gateway(Box<Gateway>),
    /// Discord's HTTP interactions endpoint, bound at build time; the commands are
    /// registered over REST at start.
    Http(HttpFront),
}

/// The bot, built and ready to run.
pub struct App {
    front: Front,
    /// The operations server (`ops.listen`), bound at build time.
    ops: Option<(tokio::net::TcpListener, axum::Router)>,
    announcer: Announcer,
    archive: Arc<Archive>,
    interval: Duration,
    reconnected: Arc<Notify>,
    /// The archive folder (`--watch` / `archive.watch`), watched from build time on.
    watcher: Option<Watcher>,
    /// The critic's feeds (`--feed` / `archive.feeds`).
    follower: Option<Follower>,
    /// Said to by any request that learns Discord refused the token: `serve` stops.
    token: TokenWatch,
}

impl App {
    /// Opens (creating and migrating) the database, loads both indexes so the first
    /// interactions do not wait for them, builds the front end, the announcer and the other
    /// tasks, and binds the addresses. Nothing connects to Discord yet.
    pub async fn build(settings: &Settings, database_url: &str) -> anyhow::Result<App> {
        let secret = settings.discord.token.clone().context(
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
        let archive = loaded(&store).await?;
        let token = TokenWatch::new();
        let announcer = Announcer::new(
            store.clone(),
            &settings.discord.api_base,
            secret.clone(),
            settings.archive.critic.clone(),
        )?
        .with_retention_days(settings.discord.outbox_retention_days)
        .with_lease(Duration::from_secs(settings.discord.outbox_lease_seconds))
        .with_token_watch(token.clone());
        let metrics = Arc::new(Metrics::new());
        let follower = follower(settings, &store, &metrics)?;
        let ops = ops(settings, &store, &metrics).await?;
        let serving = Serving {
            data: Arc::new(Data {
                archive: archive.clone(),
                critic: settings.archive.critic.clone(),
            }),
            metrics,
            token: token.clone(),
            dev_guild: settings.discord.dev_guild.map(GuildId::new),
            panic_in: settings.serve.panic_in.as_deref().map(Arc::from),
        };
        let reconnected = Arc::new(Notify::new());
        let front = front(settings, serving, &secret, reconnected.clone()).await?;
        Ok(App {
            front,
            ops,
            announcer,
            archive,
            interval: Duration::from_secs(settings.discord.announce_interval_seconds.max(1)),
            reconnected,
            watcher,
            follower,
            token,
        })
    }

    /// Where `/healthz` and `/metrics` are served, if they are (`ops.listen`; port 0 picks one).
    pub fn ops_addr(&self) -> Option<std::net::SocketAddr> {
        self.ops
            .as_ref()
            .and_then(|(listener, _)| listener.local_addr().ok())
    }

    /// Where the HTTP interactions endpoint listens (`--transport http`; port 0 picks one).
    pub fn interactions_addr(&self) -> Option<std::net::SocketAddr> {
        match &self.front {
            Front::Http(front) => front.local_addr(),
            Front::Gateway(_) => None,
        }
    }

    /// Runs the front end, the announcer, the index refresher, the refused-token watch,
    /// (with `ops.listen`) the operations server, (with `--watch`) the archive watcher and
    /// (with `--feed`) the feed follower until `shutdown` completes (then `Ok`) or until one
    /// of them ends on its own (then that task's error, after the others have stopped).
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
        let (stop, stopped) = watch::channel(false);
        let mut tasks = Tasks::default();
        let shards = self.spawn_all(&mut tasks, &stopped);
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
        if let Some(shards) = shards.filter(|_| !matches!(failure, Some((GATEWAY, _)))) {
            shards.shutdown_all().await;
        }
        tasks.finish().await;
        match failure {
            Some((_, err)) => Err(err),
            None => Ok(()),
        }
    }

    /// Starts every task; returns the gateway's shards (to close them at the stop), if any.
    fn spawn_all(
        self,
        tasks: &mut Tasks,
        stopped: &watch::Receiver<bool>,
    ) -> Option<Arc<ShardManager>> {
        let App {
            front,
            ops,
            announcer,
            archive,
            interval,
            reconnected,
            watcher,
            follower,
            token,
        } = self;
        let shards = match front {
            Front::Gateway(gateway) => {
                let shards = gateway.shards();
                tasks.spawn(GATEWAY, gateway.run());
                Some(shards)
            }
            Front::Http(front) => {
                tasks.spawn(ENDPOINT, front.run(stopped.clone(), GRACE / 2));
                None
            }
        };
        let mut stopping = stopped.clone();
        tasks.spawn("the token", async move {
            tokio::select! {
                () = token.wait() => Err(anyhow::anyhow!(TOKEN_REFUSED)),
                _ = stopping.wait_for(|stop| *stop) => Ok(()),
            }
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
            tasks.spawn("the archive watcher", watcher.run(stopped.clone()));
        }
        if let Some(follower) = follower {
            tasks.spawn("the feed follower", follower.run(stopped.clone()));
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
        shards
    }
}

/// The archive with both indexes loaded, so the first interactions do not wait for them.
async fn loaded(store: &Store) -> anyhow::Result<Arc<Archive>> {
    let archive = Arc::new(Archive::new(store.clone(), Origin::Database).await?);
    let titles = archive.index().await?;
    let people = archive.people().await?;
    tracing::info!(
        reviews = titles.len(),
        people = people.len(),
        "archive loaded"
    );
    Ok(archive)
}

/// The feed follower, when feeds are set.
fn follower(
    settings: &Settings,
    store: &Store,
    metrics: &Arc<Metrics>,
) -> anyhow::Result<Option<Follower>> {
    if settings.archive.feeds.is_empty() {
        return Ok(None);
    }
    Ok(Some(Follower::new(
        store.clone(),
        settings.archive.feeds.clone(),
        Duration::from_secs(settings.archive.feed_poll_seconds),
        Duration::from_secs(settings.archive.feed_timeout_seconds),
        settings.import,
        metrics.clone(),
    )?))
}

/// The operations server, bound, when `ops.listen` is set.
async fn ops(
    settings: &Settings,
    store: &Store,
    metrics: &Arc<Metrics>,
) -> anyhow::Result<Option<(tokio::net::TcpListener, axum::Router)>> {
    let Some(addr) = settings.ops.listen else {
        return Ok(None);
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} (ops.listen)"))?;
    tracing::info!(addr = %listener.local_addr()?, "serving /healthz and /metrics");
    Ok(Some((
        listener,
        crate::ops::router(store.clone(), metrics.clone()),
    )))
}

/// The front end the settings ask for, built.
async fn front(
    settings: &Settings,
    serving: Serving,
    secret: &SecretString,
    reconnected: Arc<Notify>,
) -> anyhow::Result<Front> {
    let api_base = &settings.discord.api_base;
    Ok(match settings.serve.transport {
        Transport::Gateway => Front::Gateway(Box::new(
            Gateway::build(serving, secret, api_base, settings.serve.plan, reconnected).await?,
        )),
        Transport::Http => {
            if settings.serve.plan != ShardPlan::Single {
                anyhow::bail!(
                    "--shards and --shard-range split gateway connections; \
                     --transport http has none (Discord spreads HTTP interactions itself)"
                );
            }
            let verifier: Verifier = settings.discord.public_key.clone().context(
                "DISCORD_PUBLIC_KEY is not set: `serve --transport http` checks every \
                 interaction's signature with it (the Public Key on the application's \
                 General Information page)",
            )?;
            let defer_after = Duration::from_millis(settings.serve.defer_after_ms);
            let listen = settings.serve.listen;
            Front::Http(
                HttpFront::build(serving, secret, api_base, verifier, listen, defer_after).await?,
            )
        }
    })
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

/// Runs the bot until Ctrl-C (or SIGTERM): [`App::build`], then [`App::run_until`] a signal.
pub async fn serve(settings: &Settings, database_url: &str) -> anyhow::Result<()> {
    App::build(settings, database_url)
        .await?
        .run_until(shutdown_signal())
        .await
}

/// Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
