//! The gateway front end: a thin adapter between serenity's events and the Discord core
//! ([`crate::discord`]). It registers the commands on READY, tells the announcer when the
//! gateway connects again, and carries each interaction to [`interaction`] and its reply back
//! within Discord's three seconds.

use std::sync::Arc;
use std::time::Duration;

use serenity::all::{
    Context, CreateInteractionResponse, EventHandler, GuildId, Interaction, Ready, ResumedEvent,
};
use serenity::builder::Builder as _;
use tokio::sync::Notify;
use tokio::time::Instant;
use tracing::Instrument as _;

use crate::commands::Data;
use crate::discord::interaction::{self, Incoming, Outcome};
use crate::discord::register::register_commands;
use crate::discord::rest::{retry, Retry, TokenWatch};

/// How long after an interaction arrives Discord accepts its callback.
pub const CALLBACK_WINDOW: Duration = Duration::from_secs(3);
/// The longest one attempt at a callback may take, so that a hung request leaves time for
/// another within [`CALLBACK_WINDOW`].
const CALLBACK_ATTEMPT: Duration = Duration::from_millis(1500);
/// The first pause before a callback is tried again; it doubles each time.
const CALLBACK_PAUSE: Duration = Duration::from_millis(100);

/// The gateway's event handler.
pub(crate) struct Handler {
    pub(crate) data: Arc<Data>,
    pub(crate) dev_guild: Option<GuildId>,
    /// Tells the announcer that the gateway connected again.
    pub(crate) reconnected: Arc<Notify>,
    pub(crate) metrics: Arc<crate::ops::Metrics>,
    pub(crate) token: TokenWatch,
    /// The command that panics, for the tests (debug builds only).
    pub(crate) panic_in: Option<Arc<str>>,
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        tracing::info!(user = %ready.user.name, guilds = ready.guilds.len(), "connected to Discord");
        self.reconnected.notify_one();
        register_commands(&ctx.http, self.dev_guild, Some(&self.token)).await;
    }

    async fn resume(&self, _ctx: Context, _resumed: ResumedEvent) {
        tracing::info!("resumed the gateway session");
        self.reconnected.notify_one();
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let Some(incoming) = Incoming::of(&interaction, Instant::now()) else {
            return;
        };
        let answering = interaction::start(self.data.clone(), interaction, self.panic_in.clone());
        let (reply, outcome) = interaction::answer(answering.await, incoming.id);
        let outcome = match reply {
            Some(reply) => {
                let sent = callback(&ctx, &incoming, reply.into_response(), &self.token).await;
                outcome.unless_lost(sent)
            }
            None => Outcome::Unanswered,
        };
        incoming.record(&self.metrics, outcome);
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
