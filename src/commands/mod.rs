//! "Interaction in → reply out": what each command answers, as plain functions over the
//! archive and serenity's model and builder types. The CLI prints these replies; the bot sends
//! them. Nothing here touches the network.

pub mod find;
pub mod lists;
mod options;
pub mod person;
pub mod random;
pub mod review;
pub mod search;
pub mod stats;
pub mod subscriptions;
pub mod top;

use std::sync::Arc;

use serenity::all::{
    CommandInteraction, CommandOptionType, ComponentInteraction, CreateAttachment,
    CreateAutocompleteResponse, CreateCommand, CreateCommandOption, CreateInteractionResponse,
    CreateInteractionResponseMessage, InstallationContext, Interaction, InteractionContext,
    ResolvedOption, ResolvedValue,
};

use crate::archive::Archive;
use crate::present::{no_mentions, truncate};
use crate::review::{Decade, Grade};

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

pub type CommandResult = Result<Reply, CommandError>;

/// A command's answer: the interaction response, and the files it attaches (the `/stats`
/// chart) kept apart, so that each transport can send them its own way — the gateway's
/// callback as one multipart request, the HTTP endpoint as a deferred reply and then a
/// multipart edit (Discord takes no files in an HTTP response).
#[derive(Debug, Clone)]
pub struct Reply {
    pub response: CreateInteractionResponse,
    pub files: Vec<CreateAttachment>,
}

impl Reply {
    /// A reply that carries `file` (its embed refers to it as `attachment://<name>`).
    pub fn with_file(mut self, file: CreateAttachment) -> Reply {
        self.files.push(file);
        self
    }

    /// The response with its files attached, as serenity sends it in one request.
    pub fn into_response(self) -> CreateInteractionResponse {
        let Reply { response, files } = self;
        if files.is_empty() {
            return response;
        }
        match response {
            CreateInteractionResponse::Message(m) => {
                CreateInteractionResponse::Message(m.files(files))
            }
            CreateInteractionResponse::UpdateMessage(m) => {
                CreateInteractionResponse::UpdateMessage(m.files(files))
            }
            CreateInteractionResponse::Defer(m) => CreateInteractionResponse::Defer(m.files(files)),
            other => other,
        }
    }
}

impl From<CreateInteractionResponse> for Reply {
    fn from(response: CreateInteractionResponse) -> Reply {
        Reply {
            response,
            files: Vec::new(),
        }
    }
}

/// The JSON body of the response, with its files listed as `attachments`.
impl serde::Serialize for Reply {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.clone().into_response().serialize(serializer)
    }
}

/// A slash command: its definition, its handler, its autocomplete and its components, in one
/// place. [`COMMANDS`] lists them all; registration and dispatch both read that list.
#[serenity::async_trait]
pub trait SlashCommand: Send + Sync {
    /// The command's name, as registered; its components' custom ids start with
    /// `marquee:<name>:`.
    fn name(&self) -> &'static str;

    /// The command as registered with Discord (its options are the interface).
    fn definition(&self) -> CreateCommand;

    async fn run(&self, data: &Data, cmd: &CommandInteraction) -> CommandResult;

    /// Where the command can be installed and used.
    fn reach(&self) -> Reach {
        Reach::Anywhere
    }

    /// Whether the command answers only the user who asked (a deferred reply must say so
    /// before the answer is known).
    fn ephemeral(&self) -> bool {
        false
    }

    /// Suggestions for the option being typed.
    async fn autocomplete(&self, _data: &Data, _ac: &CommandInteraction) -> CommandResult {
        Ok(CreateInteractionResponse::Autocomplete(CreateAutocompleteResponse::new()).into())
    }

    /// A press or a choice on one of the command's components; `rest` is the custom id after
    /// `marquee:<name>:`.
    async fn component(
        &self,
        _data: &Data,
        _component: &ComponentInteraction,
        _rest: &str,
    ) -> CommandResult {
        Err(CommandError::User(format!(
            "This control is no longer supported; run /{} again.",
            self.name()
        )))
    }
}

/// Every command, in the order Discord shows them: the slash commands, and the message command
/// "Find the review".
pub static COMMANDS: &[&dyn SlashCommand] = &[
    &review::Review,
    &random::Random,
    &person::Person,
    &top::Top,
    &search::Search,
    &stats::Stats,
    &find::FindReview,
    &subscriptions::Subscribe,
    &subscriptions::Unsubscribe,
    &subscriptions::Subscriptions,
];

/// Where a command can be installed and used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Installed to a server or to a user's account, and used in servers (whether or not the
    /// bot is a member), in DMs with the bot and in other DMs and group chats. Everything that
    /// only answers: it needs no guild, member or channel access.
    Anywhere,
    /// Installed to a server, and used in it: the subscriptions, which post to its channels
    /// (a user-installed app cannot post where the bot is not a member).
    Server,
}

impl Reach {
    fn installs(self) -> Vec<InstallationContext> {
        match self {
            Reach::Anywhere => vec![InstallationContext::Guild, InstallationContext::User],
            Reach::Server => vec![InstallationContext::Guild],
        }
    }

    fn contexts(self) -> Vec<InteractionContext> {
        match self {
            Reach::Anywhere => vec![
                InteractionContext::Guild,
                InteractionContext::BotDm,
                InteractionContext::PrivateChannel,
            ],
            Reach::Server => vec![InteractionContext::Guild],
        }
    }
}

/// The commands as registered with Discord, each with the installation types and contexts of
/// its [`Reach`].
pub fn definitions() -> Vec<CreateCommand> {
    COMMANDS
        .iter()
        .map(|c| {
            let reach = c.reach();
            c.definition()
                .integration_types(reach.installs())
                .contexts(reach.contexts())
        })
        .collect()
}

/// Whether the command `name` answers only the user who asked.
pub fn replies_ephemeral(name: &str) -> bool {
    command(name).is_some_and(|c| c.ephemeral())
}

fn command(name: &str) -> Option<&'static dyn SlashCommand> {
    COMMANDS.iter().copied().find(|c| c.name() == name)
}

/// Answers any interaction; `None` for the kinds marquee does not handle (pings, modals).
pub async fn dispatch(data: &Data, interaction: &Interaction) -> Option<Reply> {
    let (what, result) = match interaction {
        Interaction::Command(cmd) => {
            let result = match command(&cmd.data.name) {
                Some(c) => match options::check(cmd) {
                    Ok(()) => c.run(data, cmd).await,
                    Err(err) => Err(err),
                },
                None => Err(CommandError::User(format!(
                    "I don't know the command /{}.",
                    crate::present::markdown::escape(&truncate(&cmd.data.name, 32))
                ))),
            };
            (format!("/{}", truncate(&cmd.data.name, 32)), result)
        }
        Interaction::Autocomplete(ac) => {
            let result = match command(&ac.data.name) {
                Some(c) => c.autocomplete(data, ac).await,
                None => Ok(CreateInteractionResponse::Autocomplete(
                    CreateAutocompleteResponse::new(),
                )
                .into()),
            };
            (format!("autocomplete /{}", ac.data.name), result)
        }
        Interaction::Component(c) => {
            let id = c.data.custom_id.as_str();
            let routed = id
                .strip_prefix("marquee:")
                .and_then(|rest| rest.split_once(':'))
                .and_then(|(name, rest)| command(name).map(|cmd| (cmd, rest)));
            let result = match routed {
                Some((cmd, rest)) => cmd.component(data, c, rest).await,
                None => Err(CommandError::User(
                    "This control is no longer supported; run the command again.".into(),
                )),
            };
            (format!("component {}", truncate(id, 100)), result)
        }
        _ => return None,
    };
    Some(match result {
        Ok(reply) => reply,
        Err(CommandError::User(message)) => ephemeral(&message).into(),
        Err(CommandError::Internal(err)) => {
            tracing::error!(interaction = %what, error = ?err, "command failed");
            apology().into()
        }
    })
}

/// What the user sees when marquee failed them: short, with the cause left to the log.
pub fn apology() -> CreateInteractionResponse {
    ephemeral("Sorry, something went wrong on my side. Please try again later.")
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

/// A string option offering every grade as a choice.
fn grade_choices(name: &str, description: &str) -> CreateCommandOption {
    Grade::ALL.iter().fold(
        CreateCommandOption::new(CommandOptionType::String, name, description),
        |o, g| o.add_string_choice(g.as_str(), g.as_str()),
    )
}

/// The integer option `decade` (e.g. 1970).
fn decade_option(description: &str) -> CreateCommandOption {
    year_option("decade", description)
}

/// An integer option that is a year (or names a decade by one of its years), registered with
/// film history's bounds.
fn year_option(name: &str, description: &str) -> CreateCommandOption {
    CreateCommandOption::new(CommandOptionType::Integer, name, description)
        .min_int_value(u64::try_from(*crate::review::era::YEARS.start()).unwrap_or(0))
        .max_int_value(u64::try_from(*crate::review::era::YEARS.end()).unwrap_or(0))
}

/// The `decade` option: any year of it names it (1975 is the 1970s). One outside film history
/// (Discord refuses those, a forged interaction may not) is the user's error.
fn decade(cmd: &CommandInteraction) -> Result<Option<Decade>, CommandError> {
    integer_option(cmd, "decade")
        .map(|d| Decade::of(d).map_err(|e| CommandError::User(format!("decade: {e}."))))
        .transpose()
}

/// A year option, held to film history's bounds as [`decade`] is.
fn year(cmd: &CommandInteraction, name: &str) -> Result<Option<i32>, CommandError> {
    integer_option(cmd, name)
        .map(|y| {
            crate::review::era::year(y).map_err(|e| CommandError::User(format!("{name}: {e}.")))
        })
        .transpose()
}

/// The value of the option being typed, when it is `name`.
fn focused<'a>(ac: &'a CommandInteraction, name: &str) -> Option<&'a str> {
    ac.data
        .autocomplete()
        .filter(|o| o.name == name)
        .map(|o| o.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answering_commands_install_anywhere_and_subscriptions_stay_in_servers() {
        for (command, definition) in COMMANDS.iter().zip(definitions()) {
            let json = serde_json::to_value(&definition).unwrap();
            let name = command.name();
            let (installs, contexts) = if name.starts_with("subscri") || name == "unsubscribe" {
                (serde_json::json!([0]), serde_json::json!([0]))
            } else {
                (serde_json::json!([0, 1]), serde_json::json!([0, 1, 2]))
            };
            assert_eq!(json["integration_types"], installs, "{name}");
            assert_eq!(json["contexts"], contexts, "{name}");
        }
        let anywhere = COMMANDS
            .iter()
            .filter(|c| c.reach() == Reach::Anywhere)
            .count();
        assert!(anywhere >= 6, "review, random, person, top, search, stats");
    }

    #[test]
    fn every_command_is_registered_once_under_its_own_name() {
        let mut names: Vec<&str> = COMMANDS.iter().map(|c| c.name()).collect();
        for (command, definition) in COMMANDS.iter().zip(definitions()) {
            let json = serde_json::to_value(&definition).unwrap();
            assert_eq!(json["name"], command.name());
            assert!(command.name().len() <= 32 && !command.name().contains(':'));
        }
        // A list's controls route to the command that owns the list.
        use lists::Listing;
        assert_eq!(person::PersonList::COMMAND, person::Person.name());
        assert_eq!(top::TopList::COMMAND, top::Top.name());
        assert_eq!(search::SearchList::COMMAND, search::Search.name());
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before, "two commands share a name");
    }
}
