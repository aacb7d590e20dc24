//! The gateway front end: a thin adapter between serenity's events and the Discord core
//! ([`crate::discord`]). It registers the commands on READY, tells the announcer when the
//! gateway connects again, and carries each interaction to [`interaction`] and its reply back
//! within Discord's three seconds.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use secrecy::SecretString;
use serenity::all::{
    Context, CreateInteractionResponse, EventHandler, GatewayIntents, Interaction, Ready,
    ResumedEvent, ShardManager,
};
use serenity::builder::Builder as _;
use serenity::client::{Client, ClientBuilder};
use serenity::gateway::GatewayError;
use tokio::sync::Notify;
use tokio::time::Instant;
use tracing::Instrument as _;

use crate::config::ShardPlan;
use crate::discord::interaction::{self, Incoming, Outcome};
use crate::discord::register::register_commands;
use crate::discord::rest::{http, retry, Retry, TokenWatch, TOKEN_REFUSED};
use crate::discord::Serving;

/// How long after an interaction arrives Discord accepts its callback.
pub const CALLBACK_WINDOW: Duration = Duration::from_secs(3);
/// The longest one attempt at a callback may take, so that a hung request leaves time for
/// another within [`CALLBACK_WINDOW`].
const CALLBACK_ATTEMPT: Duration = Duration::from_millis(1500);
/// The first pause before a callback is tried again; it doubles each time.
const CALLBACK_PAUSE: Duration = Duration::from_millis(100);

/// The gateway front end, built and ready to connect.
pub struct Gateway {
    client: Client,
    plan: ShardPlan,
}

impl Gateway {
    /// Builds serenity's client for the shards of `plan`. Nothing connects yet.
    /// `reconnected` is told each time the gateway connects again.
    pub async fn build(
        serving: Serving,
        secret: &SecretString,
        api_base: &str,
        plan: ShardPlan,
        reconnected: Arc<Notify>,
    ) -> anyhow::Result<Gateway> {
        let handler = Handler {
            serving,
            reconnected,
        };
        let client = ClientBuilder::new_with_http(http(secret, api_base), GatewayIntents::GUILDS)
            .event_handler(handler)
            .await
            .context("cannot build the Discord client")?;
        Ok(Gateway { client, plan })
    }

    /// The shards, to close them when the app stops.
    pub fn shards(&self) -> Arc<ShardManager> {
        self.client.shard_manager.clone()
    }

    /// Connects and serves until the gateway ends (a refused token, or a failure).
    pub async fn run(mut self) -> anyhow::Result<()> {
        let started = match self.plan {
            ShardPlan::Single => self.client.start().await,
            ShardPlan::Auto => self.client.start_autosharded().await,
            // serenity's range includes its end.
            ShardPlan::Range { first, last, total } => {
                tracing::info!(first, last, total, "connecting shards");
                self.client.start_shard_range(first..last, total).await
            }
        };
        started.map_err(|err| match err {
            serenity::Error::Gateway(GatewayError::InvalidAuthentication) => {
                anyhow::anyhow!(TOKEN_REFUSED)
            }
            other => anyhow::Error::new(other).context("the Discord connection failed"),
        })
    }
}

/// The gateway's event handler.
struct Handler {
    serving: Serving,
    /// Tells the announcer that the gateway connected again.
    reconnected: Arc<Notify>,
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        tracing::info!(user = %ready.user.name, guilds = ready.guilds.len(), "connected to Discord");
        self.reconnected.notify_one();
        let serving = &self.serving;
        register_commands(&ctx.http, serving.dev_guild, Some(&serving.token)).await;
    }

    async fn resume(&self, _ctx: Context, _resumed: ResumedEvent) {
        tracing::info!("resumed the gateway session");
        self.reconnected.notify_one();
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let Some(incoming) = Incoming::of(&interaction, Instant::now()) else {
            return;
        };
        let serving = &self.serving;
        let answering =
            interaction::start(serving.data.clone(), interaction, serving.panic_in.clone());
        let (reply, outcome) = interaction::answer(answering.await, incoming.id);
        let outcome = match reply {
            Some(reply) => {
                let sent = callback(&ctx, &incoming, reply.into_response(), &serving.token).await;
                outcome.unless_lost(sent)
            }
            None => Outcome::Unanswered,
        };
        incoming.record(&serving.metrics, outcome);
    }
}

/// Sends an interaction's reply, trying again after a 429, a 5xx, a reset or a hang for as
/// long as Discord would still take it ([`CALLBACK_WINDOW`] from its arrival). True when
/// Discord has the reply.
async fn callback(
    ctx: &Context,
    incoming: &Incoming,
    reply: CreateInteractionResponse,
    token: &TokenWatch,
) -> bool {
    let policy = Retry {
        attempts: None,
        deadline: Some(incoming.arrived + CALLBACK_WINDOW),
        attempt_timeout: Some(CALLBACK_ATTEMPT),
        first_pause: CALLBACK_PAUSE,
        max_pause: CALLBACK_WINDOW,
    };
    // `execute` sends a reply with files (the /stats chart) as multipart.
    retry(policy, "the reply", Some(token), || {
        reply.clone().execute(ctx, (incoming.id, &incoming.token))
    })
    .instrument(tracing::info_span!("interaction", id = %incoming.id))
    .await
    .delivered()
}
