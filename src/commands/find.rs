//! **Find the review**: a message command (in a message's context menu, under Apps) that spots
//! the archive's films in the message and answers, for the user alone, with the card of the one
//! it names, a menu of those it names (each opens its card), or that it names none.

use serenity::all::{
    CommandInteraction, CommandType, CreateActionRow, CreateCommand, CreateInteractionResponse,
    CreateInteractionResponseMessage, CreateSelectMenuOption, Message, ResolvedTarget,
};

use super::review::{card_buttons, film_label, pick_menu};
use super::{ephemeral, CommandError, CommandResult, Data, SlashCommand};
use crate::present::markdown::escape;
use crate::present::{no_mentions, truncate, Card};
use crate::search::Spotted;

/// The command's name, as Discord shows it in the menu.
pub const NAME: &str = "Find the review";

/// Discord's limits on a select menu.
const MENU_OPTIONS: usize = 25;
const OPTION_LABEL: usize = 100;

/// The message command "Find the review".
pub struct FindReview;

#[serenity::async_trait]
impl SlashCommand for FindReview {
    fn name(&self) -> &'static str {
        NAME
    }

    fn definition(&self) -> CreateCommand {
        CreateCommand::new(NAME).kind(CommandType::Message)
    }

    fn ephemeral(&self) -> bool {
        true
    }

    async fn run(&self, data: &Data, cmd: &CommandInteraction) -> CommandResult {
        let message = match cmd.data.target() {
            Some(ResolvedTarget::Message(message)) => message,
            _ => {
                return Err(CommandError::User(
                    "Use Find the review on a message (Apps, in its menu).".into(),
                ))
            }
        };
        let text = text_of(message);
        if text.trim().is_empty() {
            return Err(CommandError::User(
                "That message has no text to look for films in.".into(),
            ));
        }
        let spotted = data.archive.index().await?.spot(&text);
        reply(data, &spotted).await
    }
}

/// What the message says: its text, and the titles and descriptions of its embeds (another
/// bot's card, a link's preview).
pub fn text_of(message: &Message) -> String {
    let mut parts = vec![message.content.clone()];
    for embed in &message.embeds {
        parts.extend(embed.title.clone());
        parts.extend(embed.description.clone());
    }
    parts.retain(|p| !p.trim().is_empty());
    parts.join("\n\n")
}

/// The card of the one film spotted; a menu of several; a short note for none.
async fn reply(data: &Data, spotted: &[Spotted]) -> CommandResult {
    match spotted {
        [] => Ok(ephemeral("No film of the archive in that message.").into()),
        [one] => {
            let stored = data.archive.store().review(one.id).await?.ok_or_else(|| {
                CommandError::User("That review is no longer in the archive.".into())
            })?;
            let card = Card::of(&stored.review, &data.critic);
            Ok(CreateInteractionResponse::Message(
                CreateInteractionResponseMessage::new()
                    .embed(card.embed())
                    .components(vec![CreateActionRow::Buttons(card_buttons(
                        stored.id, &card,
                    ))])
                    .ephemeral(true)
                    .allowed_mentions(no_mentions()),
            )
            .into())
        }
        several => {
            let shown = &several[..several.len().min(MENU_OPTIONS)];
            let options = shown
                .iter()
                .map(|s| {
                    CreateSelectMenuOption::new(truncate(&label(s), OPTION_LABEL), s.id.to_string())
                })
                .collect();
            let names: Vec<String> = shown
                .iter()
                .map(|s| format!("• {}", escape(&label(s))))
                .collect();
            let content = format!(
                "That message names {} films of the archive:\n{}",
                several.len(),
                names.join("\n")
            );
            Ok(CreateInteractionResponse::Message(
                CreateInteractionResponseMessage::new()
                    .content(truncate(&content, 2000))
                    .components(vec![pick_menu(options, "Pick one to see its card")])
                    .ephemeral(true)
                    .allowed_mentions(no_mentions()),
            )
            .into())
        }
    }
}

/// `Red Rocket (2021) — A-`, as the lookup's menus label a film.
fn label(s: &Spotted) -> String {
    film_label(&s.title, s.year, s.grade)
}
