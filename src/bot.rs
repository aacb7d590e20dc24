//! `marquee serve`: the gateway glue. Everything a command answers is decided in
//! [`crate::commands`]; this module only connects to Discord, registers the commands, hands
//! each interaction to `commands::dispatch` and sends the reply, and runs the announcer.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use secrecy::{ExposeSecret, SecretString};
use serenity::all::{Command, Context, EventHandler, GatewayIntents, GuildId, Interaction, Ready};
use serenity::builder::Builder as _;
use serenity::client::ClientBuilder;
use serenity::http::{Http, HttpBuilder};
use tokio::sync::watch;

use crate::announce::Announcer;
use crate::archive::{Archive, Origin};
use crate::commands::{self, Data};
use crate::config::Settings;
use crate::store::Store;

/// Where Discord's API is when no proxy is configured.
pub const DISCORD: &str = "https://discord.com";

/// Builds serenity's HTTP client. Behind a proxy the proxy owns rate limits, and serenity's
/// own limiter must be off (with it on, serenity bypasses the proxy).
pub fn http(token: &SecretString, api_base: &str) -> Http {
    let builder = HttpBuilder::new(token.expose_secret());
    if api_base.trim_end_matches('/') == DISCORD {
        builder.build()
    } else {
        builder
            .proxy(api_base.trim_end_matches('/'))
            .ratelimiter_disabled(true)
            .build()
    }
}

struct Handler {
    data: Arc<Data>,
    dev_guild: Option<GuildId>,
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        tracing::info!(user = %ready.user.name, guilds = ready.guilds.len(), "connected to Discord");
        let definitions = commands::definitions();
        let registered = match self.dev_guild {
            Some(guild) => guild.set_commands(&ctx.http, definitions).await,
            None => Command::set_global_commands(&ctx.http, definitions).await,
        };
        match registered {
            Ok(list) => {
                tracing::info!(commands = list.len(), guild = ?self.dev_guild, "commands registered")
            }
            Err(err) => tracing::error!(error = %err, "cannot register the commands"),
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let (id, token) = match &interaction {
            Interaction::Command(i) | Interaction::Autocomplete(i) => (i.id, i.token.clone()),
            Interaction::Component(i) => (i.id, i.token.clone()),
            _ => return,
        };
        // A task of its own, so that a panic in a command still gets the user an answer.
        let data = self.data.clone();
        let answering = tokio::spawn(async move { commands::dispatch(&data, &interaction).await });
        let reply = match answering.await {
            Ok(Some(reply)) => reply,
            Ok(None) => return,
            Err(err) => {
                tracing::error!(interaction = %id, error = %err, "a command panicked");
                commands::apology()
            }
        };
        let token = token.as_str();
        // `execute` sends a reply with files (the /stats chart) as multipart.
        if let Err(err) = reply.execute(&ctx, (id, token)).await {
            tracing::warn!(interaction = %id, error = %err, "cannot send the reply");
        }
    }
}

/// Runs the bot until Ctrl-C (or SIGTERM): gateway, command registration, interactions, and
/// the announcer.
pub async fn serve(settings: &Settings, database_url: &str) -> anyhow::Result<()> {
    let token = settings.discord.token.clone().context(
        "DISCORD_TOKEN is not set: create an application at \
         https://discord.com/developers/applications, add a bot, and export its token",
    )?;
    let store = Store::open(database_url, true).await?;
    let archive = Arc::new(Archive::new(store.clone(), Origin::Database).await?);
    // Build both indexes now, so the first interactions do not wait for them.
    let titles = archive.index().await?;
    let people = archive.people().await?;
    tracing::info!(
        reviews = titles.len(),
        people = people.len(),
        "archive loaded"
    );
    let data = Arc::new(Data {
        archive: archive.clone(),
        critic: settings.archive.critic.clone(),
    });
    let api_base = settings.discord.api_base.clone();
    let announcer = Announcer::new(
        store,
        &api_base,
        token.clone(),
        settings.archive.critic.clone(),
    )?
    .with_retention_days(settings.discord.outbox_retention_days);
    let (stop, stopped) = watch::channel(false);
    let interval = Duration::from_secs(settings.discord.announce_interval_seconds.max(1));
    let announcing = tokio::spawn(announcer.run(archive, interval, stopped));

    let handler = Handler {
        data,
        dev_guild: settings.discord.dev_guild.map(GuildId::new),
    };
    let mut client = ClientBuilder::new_with_http(http(&token, &api_base), GatewayIntents::GUILDS)
        .event_handler(handler)
        .await
        .context("cannot build the Discord client")?;
    let shards = client.shard_manager.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        shards.shutdown_all().await;
    });
    let result = client
        .start()
        .await
        .context("the Discord connection failed");
    let _ = stop.send(true);
    let _ = announcing.await;
    result
}

async fn shutdown_signal() {
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
