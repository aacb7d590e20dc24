//! "Interaction in → reply out": what each command answers, as plain functions over the
//! archive and serenity's model and builder types. The CLI prints these replies; the bot sends
//! them. Nothing here touches the network.

pub mod random;
pub mod review;
pub mod subscriptions;

use std::sync::Arc;

use serenity::all::{
    ChannelType, CommandInteraction, CommandOptionType, CreateCommand, CreateCommandOption,
    CreateInteractionResponse, CreateInteractionResponseMessage, Interaction, InteractionContext,
    Permissions, ResolvedOption, ResolvedValue,
};

use crate::archive::Archive;
use crate::present::no_mentions;
use crate::review::Grade;

/// What the commands need.
pub struct Data {
    pub archive: Arc<Archive>,
    /// The critic named in card footers when a review has none.
    pub critic: String,
}

/// The two kinds of failure: one the user caused and can read about, and everything else,
/// which is logged with its cause while the user gets a short apology.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("{0}")]
    User(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type CommandResult = Result<CreateInteractionResponse, CommandError>;

/// The commands as registered with Discord (names and option names are the interface).
pub fn definitions() -> Vec<CreateCommand> {
    let grade_option = |name: &str, description: &str| {
        Grade::ALL.iter().fold(
            CreateCommandOption::new(CommandOptionType::String, name, description),
            |o, g| o.add_string_choice(g.as_str(), g.as_str()),
        )
    };
    let manage = |c: CreateCommand| {
        c.default_member_permissions(Permissions::MANAGE_CHANNELS)
            .contexts(vec![InteractionContext::Guild])
    };
    let text_channel = |description: &str| {
        CreateCommandOption::new(CommandOptionType::Channel, "channel", description)
            .channel_types(vec![ChannelType::Text, ChannelType::News])
    };
    vec![
        CreateCommand::new("review")
            .description("Show the critic's review of a film")
            .add_option(
                CreateCommandOption::new(CommandOptionType::String, "title", "The film's title")
                    .required(true)
                    .set_autocomplete(true)
                    .max_length(200),
            )
            .add_option(
                CreateCommandOption::new(
                    CommandOptionType::Integer,
                    "year",
                    "The film's year, to tell remakes apart",
                )
                .min_int_value(1870)
                .max_int_value(2100),
            ),
        CreateCommand::new("random")
            .description("A random well-graded film from the archive")
            .add_option(grade_option(
                "min_grade",
                "The lowest grade to pick from (default A-)",
            ))
            .add_option(
                CreateCommandOption::new(
                    CommandOptionType::Integer,
                    "decade",
                    "Only films from this decade, e.g. 1970",
                )
                .min_int_value(1870)
                .max_int_value(2100),
            ),
        manage(
            CreateCommand::new("subscribe")
                .description("Announce newly imported reviews in a channel")
                .add_option(text_channel("The channel (default: this one)"))
                .add_option(grade_option(
                    "min_grade",
                    "Only announce reviews graded this or better (default: any)",
                )),
        ),
        manage(
            CreateCommand::new("unsubscribe")
                .description("Stop announcing new reviews in a channel")
                .add_option(text_channel("The channel (default: this one)")),
        ),
        manage(
            CreateCommand::new("subscriptions")
                .description("List the channels that announce new reviews"),
        ),
    ]
}

/// Answers any interaction; `None` for the kinds marquee does not handle (pings, modals).
pub async fn dispatch(data: &Data, interaction: &Interaction) -> Option<CreateInteractionResponse> {
    let (what, result) = match interaction {
        Interaction::Command(cmd) => {
            let result = match cmd.data.name.as_str() {
                "review" => review::run(data, cmd).await,
                "random" => random::run(data, cmd).await,
                "subscribe" => subscriptions::subscribe(data, cmd).await,
                "unsubscribe" => subscriptions::unsubscribe(data, cmd).await,
                "subscriptions" => subscriptions::list(data, cmd).await,
                other => Err(CommandError::User(format!(
                    "I don't know the command /{other}."
                ))),
            };
            (format!("/{}", cmd.data.name), result)
        }
        Interaction::Autocomplete(ac) => {
            let result = match ac.data.name.as_str() {
                "review" => Ok(review::autocomplete(data, ac)),
                _ => Ok(CreateInteractionResponse::Autocomplete(Default::default())),
            };
            (format!("autocomplete /{}", ac.data.name), result)
        }
        Interaction::Component(c) => {
            let id = c.data.custom_id.as_str();
            let result = if id == review::PICK_MENU_ID {
                review::pick(data, c).await
            } else if id.starts_with(random::ANOTHER_PREFIX) {
                random::another(data, c).await
            } else {
                Err(CommandError::User(
                    "This control is no longer supported; run the command again.".into(),
                ))
            };
            (format!("component {}", c.data.custom_id), result)
        }
        _ => return None,
    };
    Some(match result {
        Ok(response) => response,
        Err(CommandError::User(message)) => ephemeral(&message),
        Err(CommandError::Internal(err)) => {
            tracing::error!(interaction = %what, error = ?err, "command failed");
            ephemeral("Sorry, something went wrong on my side. Please try again later.")
        }
    })
}

/// A message only the user who asked can see.
pub fn ephemeral(text: &str) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .content(crate::present::truncate(text, 2000))
            .ephemeral(true)
            .allowed_mentions(no_mentions()),
    )
}

/// The value of a named option.
fn option<'a>(cmd: &'a CommandInteraction, name: &str) -> Option<ResolvedValue<'a>> {
    cmd.data
        .options()
        .into_iter()
        .find(|o: &ResolvedOption| o.name == name)
        .map(|o| o.value)
}

fn string_option<'a>(cmd: &'a CommandInteraction, name: &str) -> Option<&'a str> {
    match option(cmd, name) {
        Some(ResolvedValue::String(s)) => Some(s),
        _ => None,
    }
}

fn integer_option(cmd: &CommandInteraction, name: &str) -> Option<i64> {
    match option(cmd, name) {
        Some(ResolvedValue::Integer(i)) => Some(i),
        _ => None,
    }
}

/// A grade option; Discord only offers the listed choices, but the text is checked anyway.
fn grade_option(cmd: &CommandInteraction, name: &str) -> Result<Option<Grade>, CommandError> {
    string_option(cmd, name)
        .map(|text| Grade::parse(text).map_err(|e| CommandError::User(e.to_string())))
        .transpose()
}
