//! `/subscribe`, `/unsubscribe`, `/subscriptions`: which channels announce new reviews. Guild
//! only; Discord hides them from members without Manage Channels, and marquee checks again.

use serenity::all::{
    ChannelType, CommandInteraction, CommandOptionType, CreateCommand, CreateCommandOption,
    Permissions, ResolvedValue,
};

use super::{
    ephemeral, grade_choices, grade_option, option, CommandError, CommandResult, Data, Reach,
    SlashCommand,
};
use crate::review::Grade;
use crate::store::Subscribed;

/// Shown by default to members who may manage channels (guild only: see [`Reach::Server`]).
fn managed(command: CreateCommand) -> CreateCommand {
    command.default_member_permissions(Permissions::MANAGE_CHANNELS)
}

fn channel_option(description: &str) -> CreateCommandOption {
    CreateCommandOption::new(CommandOptionType::Channel, "channel", description)
        .channel_types(vec![ChannelType::Text, ChannelType::News])
}

/// `/subscribe [channel] [min_grade] [regrades]`.
pub struct Subscribe;
/// `/unsubscribe [channel]`.
pub struct Unsubscribe;
/// `/subscriptions`.
pub struct Subscriptions;

#[serenity::async_trait]
impl SlashCommand for Subscribe {
    fn name(&self) -> &'static str {
        "subscribe"
    }

    fn reach(&self) -> Reach {
        Reach::Server
    }

    fn definition(&self) -> CreateCommand {
        managed(
            CreateCommand::new(self.name())
                .description("Announce newly imported reviews in a channel")
                .add_option(channel_option("The channel (default: this one)"))
                .add_option(grade_choices(
                    "min_grade",
                    "Only announce reviews graded this or better (default: any)",
                ))
                .add_option(CreateCommandOption::new(
                    CommandOptionType::Boolean,
                    "regrades",
                    "Also announce a film regraded (Regraded: B → A-) (default: no)",
                )),
        )
    }

    async fn run(&self, data: &Data, cmd: &CommandInteraction) -> CommandResult {
        subscribe(data, cmd).await
    }

    fn ephemeral(&self) -> bool {
        true
    }
}

#[serenity::async_trait]
impl SlashCommand for Unsubscribe {
    fn name(&self) -> &'static str {
        "unsubscribe"
    }

    fn reach(&self) -> Reach {
        Reach::Server
    }

    fn definition(&self) -> CreateCommand {
        managed(
            CreateCommand::new(self.name())
                .description("Stop announcing new reviews in a channel")
                .add_option(channel_option("The channel (default: this one)")),
        )
    }

    async fn run(&self, data: &Data, cmd: &CommandInteraction) -> CommandResult {
        unsubscribe(data, cmd).await
    }

    fn ephemeral(&self) -> bool {
        true
    }
}

#[serenity::async_trait]
impl SlashCommand for Subscriptions {
    fn name(&self) -> &'static str {
        "subscriptions"
    }

    fn reach(&self) -> Reach {
        Reach::Server
    }

    fn definition(&self) -> CreateCommand {
        managed(
            CreateCommand::new(self.name())
                .description("List the channels that announce new reviews"),
        )
    }

    async fn run(&self, data: &Data, cmd: &CommandInteraction) -> CommandResult {
        list(data, cmd).await
    }

    fn ephemeral(&self) -> bool {
        true
    }
}

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

/// The `channel` option, or the channel the command was used in. Discord resolves a channel
/// option only to a channel of the guild the command was used in; one it did not resolve
/// (a forged id, a channel of another server) is refused, not replaced by the current one.
fn target_channel(cmd: &CommandInteraction) -> Result<u64, CommandError> {
    match option(cmd, "channel") {
        Some(ResolvedValue::Channel(channel)) => Ok(channel.id.get()),
        Some(_) => Err(CommandError::User(
            "I can't find that channel in this server.".into(),
        )),
        None => Ok(cmd.channel_id.get()),
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
    let channel = target_channel(cmd)?;
    let floor = grade_option(cmd, "min_grade")?.unwrap_or(Grade::F);
    let regrades = matches!(option(cmd, "regrades"), Some(ResolvedValue::Boolean(true)));
    let done = data
        .archive
        .store()
        .subscribe(guild, channel, floor, cmd.user.id.get(), regrades)
        .await?;
    let mut what = floor_text(floor);
    if regrades {
        what.push_str(", and regrades");
    }
    Ok(ephemeral(&match done {
        Subscribed::New => format!("<#{channel}> will now announce {what}."),
        Subscribed::Changed => {
            format!("<#{channel}> was subscribed already; it now announces {what}.")
        }
        Subscribed::OtherGuild => {
            return Err(CommandError::User(
                "That channel belongs to another server.".into(),
            ))
        }
    })
    .into())
}

pub async fn unsubscribe(data: &Data, cmd: &CommandInteraction) -> CommandResult {
    let guild = authorised_guild(cmd)?;
    let channel = target_channel(cmd)?;
    let removed = data.archive.store().unsubscribe(guild, channel).await?;
    Ok(ephemeral(&if removed {
        format!("<#{channel}> will no longer announce new reviews.")
    } else {
        format!("<#{channel}> was not subscribed.")
    })
    .into())
}

pub async fn list(data: &Data, cmd: &CommandInteraction) -> CommandResult {
    let guild = authorised_guild(cmd)?;
    let subs = data.archive.store().subscriptions(guild).await?;
    if subs.is_empty() {
        return Ok(ephemeral("No channel here announces new reviews. Use /subscribe.").into());
    }
    let mut text = String::from("Channels that announce new reviews:");
    for s in subs {
        text.push_str(&format!(
            "\n• <#{}> — {}",
            s.channel_id,
            floor_text(s.min_grade)
        ));
        if s.regrades {
            text.push_str(", and regrades");
        }
        if let Some(reason) = s.disabled_reason {
            text.push_str(&format!(" (paused: {reason}; /subscribe again to resume)"));
        }
    }
    Ok(ephemeral(&text).into())
}
