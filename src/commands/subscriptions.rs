//! `/subscribe`, `/unsubscribe`, `/subscriptions`: which channels announce new reviews. Guild
//! only; Discord hides them from members without Manage Channels, and marquee checks again.

use serenity::all::{CommandInteraction, Permissions, ResolvedValue};

use super::{ephemeral, grade_option, option, CommandError, CommandResult, Data};
use crate::review::Grade;
use crate::store::Subscribed;

/// The guild, after checking the member may manage channels.
fn authorised_guild(cmd: &CommandInteraction) -> Result<u64, CommandError> {
    let guild = cmd.guild_id.ok_or_else(|| {
        CommandError::User("Subscriptions belong to a server: use this command in one.".into())
    })?;
    let permissions = cmd
        .member
        .as_ref()
        .and_then(|m| m.permissions)
        .unwrap_or_else(Permissions::empty);
    if !(permissions.manage_channels() || permissions.administrator()) {
        return Err(CommandError::User(
            "You need the Manage Channels permission to change announcements.".into(),
        ));
    }
    Ok(guild.get())
}

/// The `channel` option, or the channel the command was used in.
fn target_channel(cmd: &CommandInteraction) -> u64 {
    match option(cmd, "channel") {
        Some(ResolvedValue::Channel(channel)) => channel.id.get(),
        _ => cmd.channel_id.get(),
    }
}

fn floor_text(grade: Grade) -> String {
    if grade == Grade::F {
        "every new review".to_owned()
    } else {
        format!("new reviews graded {grade} or better")
    }
}

pub async fn subscribe(data: &Data, cmd: &CommandInteraction) -> CommandResult {
    let guild = authorised_guild(cmd)?;
    let channel = target_channel(cmd);
    let floor = grade_option(cmd, "min_grade")?.unwrap_or(Grade::F);
    let done = data
        .archive
        .store()
        .subscribe(guild, channel, floor, cmd.user.id.get())
        .await?;
    let what = floor_text(floor);
    Ok(ephemeral(&match done {
        Subscribed::New => format!("<#{channel}> will now announce {what}."),
        Subscribed::Changed => {
            format!("<#{channel}> was subscribed already; it now announces {what}.")
        }
    }))
}

pub async fn unsubscribe(data: &Data, cmd: &CommandInteraction) -> CommandResult {
    let guild = authorised_guild(cmd)?;
    let channel = target_channel(cmd);
    let removed = data.archive.store().unsubscribe(guild, channel).await?;
    Ok(ephemeral(&if removed {
        format!("<#{channel}> will no longer announce new reviews.")
    } else {
        format!("<#{channel}> was not subscribed.")
    }))
}

pub async fn list(data: &Data, cmd: &CommandInteraction) -> CommandResult {
    let guild = authorised_guild(cmd)?;
    let subs = data.archive.store().subscriptions(guild).await?;
    if subs.is_empty() {
        return Ok(ephemeral(
            "No channel here announces new reviews. Use /subscribe.",
        ));
    }
    let mut text = String::from("Channels that announce new reviews:");
    for s in subs {
        text.push_str(&format!(
            "\n• <#{}> — {}",
            s.channel_id,
            floor_text(s.min_grade)
        ));
        if let Some(reason) = s.disabled_reason {
            text.push_str(&format!(" (paused: {reason}; /subscribe again to resume)"));
        }
    }
    Ok(ephemeral(&text))
}
