//! `marquee serve` as an app: [`App::build`] makes everything the bot needs (the store and
//! its indexes, the Discord client, the announcer, the archive watcher) and fails early on bad
//! settings; then
//! [`App::run_until`] runs its tasks until told to stop. The tasks are supervised: one that
//! ends on its own — an error, a panic, or simply returning — is logged with its cause, stops
//! the others, and is the error `run_until` returns, so the process exits non-zero instead of
//! limping on without its gateway or its announcer.

use std::collections::HashMap;
use std::future::{Future, IntoFuture as _};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use serenity::all::{GatewayIntents, GuildId};
use serenity::client::{Client, ClientBuilder};
use serenity::gateway::GatewayError;
use serenity::http::Http;
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;

use crate::announce::Announcer;
use crate::archive::{Archive, Origin};
use crate::bot::Handler;
use crate::commands::Data;
use crate::config::{Settings, ShardPlan, Transport};
use crate::discord::register::register_over_rest;
use crate::discord::rest::{http, TokenWatch, TOKEN_REFUSED};
use crate::feed::follow::Follower;
use crate::interactions::{router, Endpoint, Verifier};
use crate::ops::Metrics;
use crate::store::Store;
use crate::watch::Watcher;

/// The gateway task's name.
const GATEWAY: &str = "the gateway";
/// The HTTP interactions endpoint's task's name.
const ENDPOINT: &str = "the interactions endpoint";

/// How long the tasks get to finish once the app is stopping, before they are aborted.
const GRACE: Duration = Duration::from_secs(10);

/// How interactions reach the bot.
enum Front {
    /// A gateway connection (serenity's client), which also registers the commands on READY.
    Gateway(Box<Client>, ShardPlan),
    /// Discord's HTTP interactions endpoint, bound at build time; the commands are
    /// registered over REST at start.
    Http {
        listener: tokio::net::TcpListener,
        endpoint: Arc<Endpoint>,
        http: Arc<Http>,
        dev_guild: Option<GuildId>,
        token: TokenWatch,
    },
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
        let token_watch = TokenWatch::new();
        let announcer = Announcer::new(
            store.clone(),
            &api_base,
            token.clone(),
            settings.archive.critic.clone(),
        )?
        .with_retention_days(settings.discord.outbox_retention_days)
        .with_lease(Duration::from_secs(settings.discord.outbox_lease_seconds))
        .with_token_watch(token_watch.clone());
        let reconnected = Arc::new(Notify::new());
        let metrics = Arc::new(Metrics::new());
        let follower = match settings.archive.feeds.is_empty() {
            true => None,
            false => Some(Follower::new(
                store.clone(),
                settings.archive.feeds.clone(),
                Duration::from_secs(settings.archive.feed_poll_seconds),
                Duration::from_secs(settings.archive.feed_timeout_seconds),
                settings.import,
                metrics.clone(),
            )?),
        };
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
        let data = Arc::new(Data {
            archive: archive.clone(),
            critic: settings.archive.critic.clone(),
        });
        let dev_guild = settings.discord.dev_guild.map(GuildId::new);
        let front = match settings.serve.transport {
            Transport::Gateway => {
                let plan = ShardPlan::parse(&settings.serve.shards, &settings.serve.shard_range)
                    .map_err(anyhow::Error::msg)?;
                let handler = Handler {
                    metrics,
                    data,
                    dev_guild,
                    reconnected: reconnected.clone(),
                    token: token_watch.clone(),
                    panic_in: settings.serve.panic_in.as_deref().map(Arc::from),
                };
                let client =
                    ClientBuilder::new_with_http(http(&token, &api_base), GatewayIntents::GUILDS)
                        .event_handler(handler)
                        .await
                        .context("cannot build the Discord client")?;
                Front::Gateway(Box::new(client), plan)
            }
            Transport::Http => {
                if !(settings.serve.shards.trim().is_empty()
                    && settings.serve.shard_range.trim().is_empty())
                {
                    anyhow::bail!(
                        "--shards and --shard-range split gateway connections; \
                         --transport http has none (Discord spreads HTTP interactions itself)"
                    );
                }
                let key = settings.discord.public_key.as_deref().context(
                    "DISCORD_PUBLIC_KEY is not set: `serve --transport http` checks every                      interaction's signature with it (the Public Key on the application's                      General Information page)",
                )?;
                let verifier = Verifier::from_hex(key)?;
                let addr = settings.serve.listen.trim();
                let listener = tokio::net::TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("cannot listen on {addr} (--listen, serve.listen)"))?;
                tracing::info!(
                    addr = %listener.local_addr()?,
                    path = crate::interactions::PATH,
                    "serving the HTTP interactions endpoint"
                );
                let http = Arc::new(http(&token, &api_base));
                let endpoint = Arc::new(
                    Endpoint::new(
                        verifier,
                        data,
                        http.clone(),
                        metrics,
                        Duration::from_millis(settings.serve.defer_after_ms),
                        token_watch.clone(),
                    )
                    .with_panic_in(settings.serve.panic_in.as_deref()),
                );
                Front::Http {
                    listener,
                    endpoint,
                    http,
                    dev_guild,
                    token: token_watch.clone(),
                }
            }
        };
        Ok(App {
            front,
            ops,
            announcer,
            archive,
            interval: Duration::from_secs(settings.discord.announce_interval_seconds.max(1)),
            reconnected,
            watcher,
            follower,
            token: token_watch,
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
            Front::Http { listener, .. } => listener.local_addr().ok(),
            Front::Gateway(..) => None,
        }
    }

    /// Runs the gateway, the announcer, the index refresher, (with `ops.listen`) the
    /// operations server and (with `--watch`) the archive watcher until `shutdown` completes
    /// (then `Ok`) or until one of them ends on its own (then that task's error, after the
    /// others have stopped).
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
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
        let (stop, stopped) = watch::channel(false);
        let mut tasks = Tasks::default();
        let shards = match front {
            Front::Gateway(mut client, plan) => {
                let shards = client.shard_manager.clone();
                tasks.spawn(GATEWAY, async move {
                    let started = match plan {
                        ShardPlan::Single => client.start().await,
                        ShardPlan::Auto => client.start_autosharded().await,
                        // serenity's range includes its end.
                        ShardPlan::Range { first, last, total } => {
                            tracing::info!(first, last, total, "connecting shards");
                            client.start_shard_range(first..last, total).await
                        }
                    };
                    started.map_err(|err| match err {
                        serenity::Error::Gateway(GatewayError::InvalidAuthentication) => {
                            anyhow::anyhow!(TOKEN_REFUSED)
                        }
                        other => anyhow::Error::new(other).context("the Discord connection failed"),
                    })
                });
                Some(shards)
            }
            Front::Http {
                listener,
                endpoint,
                http,
                dev_guild,
                token,
            } => {
                let mut stopping = stopped.clone();
                tasks.spawn(ENDPOINT, async move {
                    // Registration runs beside the endpoint: Discord checks the endpoint
                    // (with a PING) before it sends anything else. Only a refused token
                    // ends it early, and then the app.
                    let registering =
                        async move { register_over_rest(&http, dev_guild, Some(&token)).await };
                    let serving = axum::serve(listener, router(endpoint.clone()))
                        .with_graceful_shutdown(async move {
                            let _ = stopping.wait_for(|stop| *stop).await;
                        })
                        .into_future();
                    tokio::pin!(serving);
                    let served = tokio::select! {
                        served = &mut serving => served,
                        registered = registering => match registered {
                            Ok(()) => serving.await,
                            Err(err) => return Err(err),
                        },
                    };
                    endpoint.drain(GRACE / 2).await;
                    served.context("the interactions endpoint failed")
                });
                None
            }
        };
        tasks.spawn("the token", async move {
            token.wait().await;
            Err(anyhow::anyhow!(TOKEN_REFUSED))
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

        if let Some(follower) = follower {
            let following = stopped.clone();
            tasks.spawn("the feed follower", follower.run(following));
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
        if let Some(shards) = shards.filter(|_| !matches!(failure, Some((GATEWAY, _)))) {
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
