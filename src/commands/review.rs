//! `/review` and `marquee lookup`: a film by a sloppy title.

use serenity::all::{
    ActionRowComponent, AutocompleteChoice, CommandInteraction, CommandOptionType,
    ComponentInteraction, ComponentInteractionDataKind, CreateActionRow,
    CreateAutocompleteResponse, CreateCommand, CreateCommandOption, CreateInteractionResponse,
    CreateInteractionResponseMessage, CreateSelectMenu, CreateSelectMenuKind,
    CreateSelectMenuOption,
};

use super::{
    ephemeral, focused, integer_option, string_option, CommandError, CommandResult, Data,
    SlashCommand,
};

use crate::archive::Lookup;
use crate::present::markdown::escape;
use crate::present::{card_response, no_mentions, title_with_year, truncate, Card};
use crate::search::Candidate;

/// The custom id of the select menu that offers the other candidates of an ambiguous match.
pub const PICK_MENU_ID: &str = "marquee:review:pick";

/// `/review title:<…> [year:<…>]`.
pub struct Review;

#[serenity::async_trait]
impl SlashCommand for Review {
    fn name(&self) -> &'static str {
        "review"
    }

    fn definition(&self) -> CreateCommand {
        CreateCommand::new(self.name())
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
            )
    }

    async fn run(&self, data: &Data, cmd: &CommandInteraction) -> CommandResult {
        run(data, cmd).await
    }

    async fn autocomplete(&self, data: &Data, ac: &CommandInteraction) -> CommandResult {
        autocomplete(data, ac).await
    }

    async fn component(
        &self,
        data: &Data,
        component: &ComponentInteraction,
        rest: &str,
    ) -> CommandResult {
        match rest {
            "pick" => pick(data, component).await,
            _ => Err(CommandError::User(
                "This menu is out of date; run /review again.".into(),
            )),
        }
    }
}

/// Discord's limits on select menus.
const MENU_OPTIONS: usize = 25;
const OPTION_LABEL: usize = 100;

/// `Red Rocket (2021) — A-`.
pub fn candidate_label(c: &Candidate) -> String {
    format!("{} — {}", title_with_year(&c.title, c.year), c.grade)
}

/// The reply to a lookup: the best match's card; with a menu of the other candidates when the
/// match is ambiguous; an ephemeral "not found" naming the closest titles when nothing matched.
pub fn reply(lookup: &Lookup, query: &str, critic: &str) -> CreateInteractionResponse {
    let Some(stored) = &lookup.review else {
        return not_found(query, &lookup.outcome.candidates);
    };
    let card = Card::of(&stored.review, critic);
    let others: Vec<&Candidate> = lookup
        .outcome
        .candidates
        .iter()
        .filter(|c| c.id != stored.id)
        .take(MENU_OPTIONS)
        .collect();
    if !lookup.outcome.ambiguous || others.is_empty() {
        return card_response(&card);
    }
    let options = others
        .iter()
        .map(|c| {
            CreateSelectMenuOption::new(
                truncate(&candidate_label(c), OPTION_LABEL),
                c.id.to_string(),
            )
        })
        .collect();
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .embed(card.embed())
            .components(vec![pick_menu(options)])
            .allowed_mentions(no_mentions()),
    )
}

/// The menu of other films that an ambiguous match offers.
fn pick_menu(options: Vec<CreateSelectMenuOption>) -> CreateActionRow {
    CreateActionRow::SelectMenu(
        CreateSelectMenu::new(PICK_MENU_ID, CreateSelectMenuKind::String { options })
            .placeholder("Not this one? Pick another film"),
    )
}

/// An ephemeral reply listing the closest titles.
pub fn not_found(query: &str, closest: &[Candidate]) -> CreateInteractionResponse {
    let query = escape(&truncate(query.trim(), 100));
    let mut content = format!("No review matches “{query}”.");
    if !closest.is_empty() {
        content.push_str(" Closest titles:");
        for c in closest.iter().take(5) {
            content.push_str(&format!("\n• {}", escape(&candidate_label(c))));
        }
    }
    ephemeral(&content)
}

/// The card of the film `title` means.
pub async fn run(data: &Data, cmd: &CommandInteraction) -> CommandResult {
    let title = string_option(cmd, "title")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| CommandError::User("Tell me a film's title.".into()))?;
    let year = integer_option(cmd, "year").and_then(|y| i32::try_from(y).ok());
    let lookup = data.archive.lookup(title, year, MENU_OPTIONS + 1).await?;
    Ok(reply(&lookup, title, &data.critic).into())
}

/// Autocomplete for `/review title`: up to 25 `Title (Year) — Grade` choices, best first. The
/// value sent back is `Title (Year)`, whose trailing year picks the right remake.
pub async fn autocomplete(data: &Data, ac: &CommandInteraction) -> CommandResult {
    let typed = focused(ac, "title").unwrap_or("");
    let choices = data
        .archive
        .index()
        .await?
        .autocomplete(typed, MENU_OPTIONS)
        .iter()
        .map(|c| {
            AutocompleteChoice::new(
                truncate(&candidate_label(c), OPTION_LABEL),
                truncate(&title_with_year(&c.title, c.year), OPTION_LABEL),
            )
        })
        .collect();
    Ok(CreateInteractionResponse::Autocomplete(
        CreateAutocompleteResponse::new().set_choices(choices),
    )
    .into())
}

/// A choice from the menu of an ambiguous match: the message now shows that film, and the
/// menu stays so the user can choose again.
pub async fn pick(data: &Data, component: &ComponentInteraction) -> CommandResult {
    let chosen = match &component.data.kind {
        ComponentInteractionDataKind::StringSelect { values } => values.first(),
        _ => None,
    };
    let id: i64 = chosen
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| CommandError::User("That choice is not a film I know.".into()))?;
    let stored = data
        .archive
        .store()
        .review(id)
        .await?
        .ok_or_else(|| CommandError::User("That review is no longer in the archive.".into()))?;
    let card = Card::of(&stored.review, &data.critic);
    let options: Vec<CreateSelectMenuOption> = component
        .message
        .components
        .iter()
        .flat_map(|row| &row.components)
        .filter_map(|c| match c {
            ActionRowComponent::SelectMenu(menu) => Some(&menu.options),
            _ => None,
        })
        .flatten()
        .map(|o| {
            CreateSelectMenuOption::new(o.label.clone(), o.value.clone())
                .default_selection(o.value == id.to_string())
        })
        .take(MENU_OPTIONS)
        .collect();
    let mut message = CreateInteractionResponseMessage::new()
        .embed(card.embed())
        .allowed_mentions(no_mentions());
    if !options.is_empty() {
        message = message.components(vec![pick_menu(options)]);
    }
    Ok(CreateInteractionResponse::UpdateMessage(message).into())
}
