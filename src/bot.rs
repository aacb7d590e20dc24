//! `marquee serve`: the gateway glue. Everything a command answers is decided in
//! [`crate::commands`]; this module only registers the commands on READY, hands each
//! interaction to `commands::dispatch` and sends the reply. [`crate::app`] builds the client
//! and runs it beside the announcer.

use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serenity::all::{
    Command, Context, CreateInteractionResponse, EventHandler, GuildId, Interaction, InteractionId,
    Ready, ResumedEvent,
};
use serenity::builder::Builder as _;
use serenity::http::{Http, HttpBuilder, HttpError};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::commands::{self, Data};
use crate::config::Settings;

/// Where Discord's API is when no proxy is configured.
pub const DISCORD: &str = "https://discord.com";

/// How long after an interaction arrives Discord accepts its callback.
pub const CALLBACK_WINDOW: Duration = Duration::from_secs(3);
/// The longest one attempt at a callback may take, so that a hung request leaves time for
/// another within [`CALLBACK_WINDOW`].
const CALLBACK_ATTEMPT: Duration = Duration::from_millis(1500);
/// The first pause before a callback is tried again; it doubles each time.
const CALLBACK_PAUSE: Duration = Duration::from_millis(100);
/// The longest any other REST request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Builds serenity's HTTP client, with a timeout on every request. Behind a proxy the proxy
/// owns rate limits, and serenity's own limiter must be off (with it on, serenity bypasses
/// the proxy).
pub fn http(token: &SecretString, api_base: &str) -> Http {
    let mut builder = HttpBuilder::new(token.expose_secret());
    match reqwest::Client::builder()
        .use_rustls_tls()
        .timeout(REQUEST_TIMEOUT)
        .tcp_nodelay(true)
        .build()
    {
        Ok(client) => builder = builder.client(client),
        // serenity's own client then, without the timeout.
        Err(err) => tracing::warn!(error = %err, "cannot build the HTTP client with a timeout"),
    }
    if api_base.trim_end_matches('/') == DISCORD {
        builder.build()
    } else {
        builder
            .proxy(api_base.trim_end_matches('/'))
            .ratelimiter_disabled(true)
            .build()
    }
}

/// The gateway's event handler: registers the commands on READY and answers interactions.
pub(crate) struct Handler {
    pub(crate) data: Arc<Data>,
    pub(crate) dev_guild: Option<GuildId>,
    /// Tells the announcer that the gateway connected again.
    pub(crate) reconnected: Arc<Notify>,
    pub(crate) metrics: Arc<crate::ops::Metrics>,
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        tracing::info!(user = %ready.user.name, guilds = ready.guilds.len(), "connected to Discord");
        self.reconnected.notify_one();
        register_commands(&ctx.http, self.dev_guild).await;
    }

    async fn resume(&self, _ctx: Context, _resumed: ResumedEvent) {
        tracing::info!("resumed the gateway session");
        self.reconnected.notify_one();
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let arrived = Instant::now();
        let (id, token, command) = match &interaction {
            Interaction::Command(i) => (i.id, i.token.clone(), i.data.name.clone()),
            Interaction::Autocomplete(i) => (
                i.id,
                i.token.clone(),
                format!("{} autocomplete", i.data.name),
            ),
            Interaction::Component(i) => (i.id, i.token.clone(), "component".to_owned()),
            _ => return,
        };
        // A task of its own, so that a panic in a command still gets the user an answer.
        let data = self.data.clone();
        let answering = tokio::spawn(async move {
            #[cfg(debug_assertions)]
            injected_panic(&interaction);
            commands::dispatch(&data, &interaction).await
        });
        let (reply, outcome) = match answering.await {
            Ok(Some(reply)) => (reply.into_response(), "answered"),
            Ok(None) => {
                self.metrics
                    .interaction(&command, "unanswered", arrived.elapsed());
                return;
            }
            Err(err) => {
                tracing::error!(interaction = %id, error = %err, "a command panicked");
                (commands::apology(), "panicked")
            }
        };
        let outcome = if answer(&ctx, id, &token, reply, arrived).await {
            outcome
        } else {
            "undelivered"
        };
        self.metrics
            .interaction(&command, outcome, arrived.elapsed());
    }
}

/// Registers every command with one bulk overwrite, in `dev_guild` or globally; tries three
/// times, then leaves the error in the log (the bot still answers commands registered before).
pub async fn register_commands(http: &Http, dev_guild: Option<GuildId>) -> bool {
    let definitions = commands::definitions();
    let mut pause = Duration::from_secs(1);
    for attempt in 1..=3 {
        let registered = match dev_guild {
            Some(guild) => guild.set_commands(http, definitions.clone()).await,
            None => Command::set_global_commands(http, definitions.clone()).await,
        };
        match registered {
            Ok(list) => {
                tracing::info!(commands = list.len(), guild = ?dev_guild, "commands registered");
                return true;
            }
            Err(err) => {
                tracing::error!(attempt, error = %describe(&err), "cannot register the commands")
            }
        }
        if attempt < 3 {
            tokio::time::sleep(pause).await;
            pause *= 2;
        }
    }
    false
}

/// Without a gateway (`--transport http`) nothing says which application the token is for:
/// asks Discord (retrying while it is unreachable, with pauses up to a minute), then
/// registers the commands. Fails only when Discord refuses the token.
pub async fn register_over_rest(http: &Http, dev_guild: Option<GuildId>) -> anyhow::Result<()> {
    let mut pause = Duration::from_secs(1);
    loop {
        match http.get_current_application_info().await {
            Ok(app) => {
                http.set_application_id(app.id);
                register_commands(http, dev_guild).await;
                return Ok(());
            }
            Err(serenity::Error::Http(HttpError::UnsuccessfulRequest(r)))
                if r.status_code.as_u16() == 401 =>
            {
                anyhow::bail!(
                    "Discord refused the token: check DISCORD_TOKEN (Bot > Reset Token at \
                     https://discord.com/developers/applications)"
                )
            }
            Err(err) => {
                tracing::warn!(error = %describe(&err), ?pause, "cannot read the application's id; trying again")
            }
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(60));
    }
}

/// Fault injection for the tests, in debug builds only: a command named by
/// `MARQUEE_TEST_PANIC_IN` panics, as a bug would.
#[cfg(debug_assertions)]
pub(crate) fn injected_panic(interaction: &Interaction) {
    if let Interaction::Command(cmd) = interaction {
        if std::env::var_os("MARQUEE_TEST_PANIC_IN").is_some_and(|name| name == *cmd.data.name) {
            panic!(
                "injected panic in /{} (MARQUEE_TEST_PANIC_IN)",
                cmd.data.name
            );
        }
    }
}

/// What to do after a callback failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Try again while the window lasts: a 429, a 5xx, a lost or timed-out connection.
    Retry,
    /// An earlier attempt reached Discord after all (40060, already acknowledged).
    Done,
    /// Trying again cannot help: too late (10062, unknown interaction) or the reply is wrong.
    GiveUp,
}

/// Decides from Discord's status and JSON error code, `None` for both when no answer came.
pub fn after_failure(status: Option<u16>, code: Option<isize>) -> AfterFailure {
    match (status, code) {
        (None, _) => AfterFailure::Retry,
        (_, Some(40060)) => AfterFailure::Done,
        (Some(429 | 500..=599), _) => AfterFailure::Retry,
        _ => AfterFailure::GiveUp,
    }
}

pub(crate) fn failure_of(err: &serenity::Error) -> AfterFailure {
    match err {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => {
            after_failure(Some(r.status_code.as_u16()), Some(r.error.code))
        }
        serenity::Error::Http(HttpError::Request(_)) => after_failure(None, None),
        _ => AfterFailure::GiveUp,
    }
}

/// An error for the log, without URLs: a callback's URL holds the interaction's token.
pub(crate) fn describe(err: &serenity::Error) -> String {
    match err {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => {
            format!(
                "Discord answered {} (code {}) {}",
                r.status_code, r.error.code, r.error.message
            )
        }
        serenity::Error::Http(HttpError::Request(e)) => {
            let mut text = String::from("no answer from Discord");
            let mut source = std::error::Error::source(e);
            while let Some(cause) = source {
                text.push_str(": ");
                text.push_str(&cause.to_string());
                source = cause.source();
            }
            if e.is_timeout() {
                text.push_str(" (timed out)");
            }
            text
        }
        other => other.to_string(),
    }
}

/// Sends an interaction's reply, trying again after a 429, a 5xx, a reset or a hang for as
/// long as Discord would still take it ([`CALLBACK_WINDOW`] from `arrived`).
/// True when Discord has the reply.
async fn answer(
    ctx: &Context,
    id: InteractionId,
    token: &str,
    reply: CreateInteractionResponse,
    arrived: Instant,
) -> bool {
    let deadline = arrived + CALLBACK_WINDOW;
    let mut pause = CALLBACK_PAUSE;
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let left = deadline.saturating_duration_since(Instant::now());
        // `execute` sends a reply with files (the /stats chart) as multipart.
        let sent = tokio::time::timeout(
            left.min(CALLBACK_ATTEMPT),
            reply.clone().execute(ctx, (id, token)),
        )
        .await;
        let error = match sent {
            Ok(Ok(())) => {
                if attempt > 1 {
                    tracing::info!(interaction = %id, attempt, "reply sent after a retry");
                }
                return true;
            }
            Ok(Err(err)) => match failure_of(&err) {
                AfterFailure::Done => {
                    tracing::info!(interaction = %id, attempt, "an earlier attempt at the reply reached Discord");
                    return true;
                }
                AfterFailure::GiveUp => {
                    tracing::warn!(interaction = %id, attempt, error = %describe(&err), "cannot send the reply");
                    return false;
                }
                AfterFailure::Retry => describe(&err),
            },
            Err(_) => "no answer from Discord in time".to_owned(),
        };
        if Instant::now() + pause >= deadline {
            tracing::warn!(interaction = %id, attempt, %error, "gave up on the reply: Discord did not take it within 3 s");
            return false;
        }
        tracing::info!(interaction = %id, attempt, %error, ?pause, "the reply failed; trying again");
        tokio::time::sleep(pause).await;
        pause *= 2;
    }
}

/// Runs the bot until Ctrl-C (or SIGTERM): gateway, command registration, interactions, and
/// the announcer, supervised by [`crate::app::App`].
pub async fn serve(settings: &Settings, database_url: &str) -> anyhow::Result<()> {
    crate::app::App::build(settings, database_url)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_callback_is_tried_again_only_when_discord_may_take_it_later() {
        assert_eq!(after_failure(None, None), AfterFailure::Retry);
        assert_eq!(after_failure(Some(429), Some(0)), AfterFailure::Retry);
        for status in [500, 502, 503, 504] {
            assert_eq!(after_failure(Some(status), Some(0)), AfterFailure::Retry);
        }
        assert_eq!(after_failure(Some(400), Some(40060)), AfterFailure::Done);
        assert_eq!(after_failure(Some(404), Some(10062)), AfterFailure::GiveUp);
        assert_eq!(after_failure(Some(400), Some(50035)), AfterFailure::GiveUp);
        assert_eq!(after_failure(Some(401), Some(0)), AfterFailure::GiveUp);
    }
}
