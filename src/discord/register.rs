//! The commands, registered with Discord: on the gateway's READY, or over REST at start when
//! there is no gateway (`--transport http`).

use std::time::Duration;

use serenity::all::{Command, GuildId};
use serenity::http::Http;

use super::rest::{retry, AfterFailure, Retry, TokenWatch, Tried, TOKEN_REFUSED};
use crate::commands;

/// Registers every command with one bulk overwrite, in `dev_guild` or globally; tries three
/// times, then leaves the error in the log (the bot still answers commands registered before).
pub async fn register_commands(
    http: &Http,
    dev_guild: Option<GuildId>,
    token: Option<&TokenWatch>,
) -> bool {
    let definitions = commands::definitions();
    let policy = Retry {
        attempts: Some(3),
        deadline: None,
        attempt_timeout: None,
        first_pause: Duration::from_secs(1),
        max_pause: Duration::from_secs(4),
    };
    let tried = retry(policy, "the commands' registration", token, || {
        let definitions = definitions.clone();
        async move {
            match dev_guild {
                Some(guild) => guild.set_commands(http, definitions).await,
                None => Command::set_global_commands(http, definitions).await,
            }
        }
    })
    .await;
    match tried {
        Tried::Sent(list) => {
            tracing::info!(commands = list.len(), guild = ?dev_guild, "commands registered");
            true
        }
        Tried::AlreadyThere => true,
        Tried::Failed { error, .. } => {
            tracing::error!(error, "cannot register the commands");
            false
        }
    }
}

/// Without a gateway (`--transport http`) nothing says which application the token is for:
/// asks Discord (trying again while it is unreachable, with pauses up to a minute), then
/// registers the commands. Fails when Discord refuses the token, or the request.
pub async fn register_over_rest(
    http: &Http,
    dev_guild: Option<GuildId>,
    token: Option<&TokenWatch>,
) -> anyhow::Result<()> {
    let policy = Retry {
        attempts: None,
        deadline: None,
        attempt_timeout: None,
        first_pause: Duration::from_secs(1),
        max_pause: Duration::from_secs(60),
    };
    let tried = retry(policy, "the request for the application's id", None, || {
        http.get_current_application_info()
    })
    .await;
    match tried {
        Tried::Sent(app) => {
            http.set_application_id(app.id);
            register_commands(http, dev_guild, token).await;
            Ok(())
        }
        Tried::AlreadyThere => anyhow::bail!("Discord answered the application's id oddly"),
        Tried::Failed {
            after: AfterFailure::TokenRefused,
            ..
        } => anyhow::bail!(TOKEN_REFUSED),
        Tried::Failed { error, .. } => {
            anyhow::bail!("cannot read the application's id from Discord: {error}")
        }
    }
}
