//! `/review` and `marquee lookup`: a film by a sloppy title.

use serenity::all::{
    ActionRowComponent, AutocompleteChoice, ButtonStyle, CommandInteraction, CommandOptionType,
    ComponentInteraction, ComponentInteractionDataKind, CreateActionRow,
    CreateAutocompleteResponse, CreateButton, CreateCommand, CreateCommandOption, CreateEmbed,
    CreateEmbedFooter, CreateInteractionResponse, CreateInteractionResponseMessage,
    CreateSelectMenu, CreateSelectMenuKind, CreateSelectMenuOption,
};

use super::{
    ephemeral, focused, integer_option, string_option, CommandError, CommandResult, Data,
    SlashCommand,
};

use crate::archive::Lookup;
use crate::present::markdown::{escape, escape_within};
use crate::present::{
    band_colour, limits, linkable, no_mentions, read, title_with_year, truncate, Card,
};
use crate::search::Candidate;
use crate::store::StoredReview;

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
        match rest.split_once(':') {
            None if rest == "pick" => pick(data, component).await,
            Some(("read", page)) => read_page(data, page).await,
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
    film_label(&c.title, c.year, c.grade)
}

/// `Red Rocket (2021) — A-`: a film as menus and lists of candidates show it.
pub fn film_label(title: &str, year: Option<i32>, grade: crate::review::Grade) -> String {
    format!("{} — {}", title_with_year(title, year), grade)
}

/// The reply to a lookup: the best match's card; with a menu of the other candidates when the
/// match is ambiguous; an ephemeral "not found" naming the closest titles when nothing matched.
pub fn reply(lookup: &Lookup, query: &str, critic: &str) -> CreateInteractionResponse {
    let Some(stored) = &lookup.review else {
        return not_found(query, &lookup.outcome.candidates);
    };
    let card = Card::of(&stored.review, critic);
    let buttons = CreateActionRow::Buttons(card_buttons(stored.id, &card));
    let others: Vec<&Candidate> = lookup
        .outcome
        .candidates
        .iter()
        .filter(|c| c.id != stored.id)
        .take(MENU_OPTIONS)
        .collect();
    if !lookup.outcome.ambiguous || others.is_empty() {
        return CreateInteractionResponse::Message(
            CreateInteractionResponseMessage::new()
                .embed(card.embed())
                .components(vec![buttons])
                .allowed_mentions(no_mentions()),
        );
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
            .components(vec![buttons, pick_menu(options, OTHERS)])
            .allowed_mentions(no_mentions()),
    )
}

/// A menu of films (option values: review ids); a choice shows that film's card in place, and
/// the menu stays. An ambiguous match offers the other films in one, "Find the review" the
/// films a message names.
pub fn pick_menu(options: Vec<CreateSelectMenuOption>, placeholder: &str) -> CreateActionRow {
    CreateActionRow::SelectMenu(
        CreateSelectMenu::new(PICK_MENU_ID, CreateSelectMenuKind::String { options })
            .placeholder(placeholder),
    )
}

/// The placeholder of an ambiguous match's menu.
const OTHERS: &str = "Not this one? Pick another film";

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
    let menu = component
        .message
        .components
        .iter()
        .flat_map(|row| &row.components)
        .find_map(|c| match c {
            ActionRowComponent::SelectMenu(menu) => Some(menu),
            _ => None,
        });
    let placeholder = menu
        .and_then(|m| m.placeholder.as_deref())
        .unwrap_or(OTHERS);
    let options: Vec<CreateSelectMenuOption> = menu
        .into_iter()
        .flat_map(|m| &m.options)
        .map(|o| {
            CreateSelectMenuOption::new(o.label.clone(), o.value.clone())
                .default_selection(o.value == id.to_string())
        })
        .take(MENU_OPTIONS)
        .collect();
    let mut rows = vec![CreateActionRow::Buttons(card_buttons(id, &card))];
    if !options.is_empty() {
        rows.push(pick_menu(options, placeholder));
    }
    let message = CreateInteractionResponseMessage::new()
        .embed(card.embed())
        .components(rows)
        .allowed_mentions(no_mentions());
    Ok(CreateInteractionResponse::UpdateMessage(message).into())
}

// ----- reading the whole review -----

/// The custom id of a button that shows page `page` of review `id`: `open` in a message of
/// its own (the card's "Read the review"), `prev`/`next` in place of the page shown. The state
/// is all in the id, so the buttons work after a restart.
pub fn read_id(id: i64, page: usize, how: &str) -> String {
    format!("marquee:review:read:{id}:{page}:{how}")
}

/// A card's buttons: "Read the review", and a link to the review online when it has one.
pub fn card_buttons(id: i64, card: &Card) -> Vec<CreateButton> {
    let mut buttons = vec![CreateButton::new(read_id(id, 0, "open"))
        .label("Read the review")
        .style(ButtonStyle::Primary)];
    buttons.extend(card.url.as_deref().map(online_button));
    buttons
}

fn online_button(url: &str) -> CreateButton {
    CreateButton::new_link(url).label("On the critic's site")
}

/// A press of a reading button (`state`: `<id>:<page>:<how>`, see [`read_id`]).
async fn read_page(data: &Data, state: &str) -> CommandResult {
    let stale = || CommandError::User("This button is out of date; run /review again.".into());
    let mut parts = state.splitn(3, ':');
    let id: i64 = parts
        .next()
        .and_then(|p| p.parse().ok())
        .ok_or_else(stale)?;
    let page: usize = parts
        .next()
        .and_then(|p| p.parse().ok())
        .ok_or_else(stale)?;
    let how = parts.next().ok_or_else(stale)?;
    let stored = data
        .archive
        .store()
        .review(id)
        .await?
        .ok_or_else(|| CommandError::User("That review is no longer in the archive.".into()))?;
    let message = reader(&stored, page);
    Ok(match how {
        "open" => CreateInteractionResponse::Message(message.ephemeral(true)),
        _ => CreateInteractionResponse::UpdateMessage(message),
    }
    .into())
}

/// Page `page` of the whole review (the last, if the review has since become shorter), with
/// Previous / Next when there is more than one, and the link to the review online.
pub fn reader(stored: &StoredReview, page: usize) -> CreateInteractionResponseMessage {
    let review = &stored.review;
    let pages = read::discord_pages(review);
    let last = pages.len().saturating_sub(1);
    let page = page.min(last);
    let text = pages.get(page).cloned().unwrap_or_default();
    let url = linkable(review.url.as_deref());
    let mut embed = CreateEmbed::new()
        .title(escape_within(
            &title_with_year(&review.title, review.year()),
            limits::TITLE,
        ))
        .colour(band_colour(review.grade))
        .footer(CreateEmbedFooter::new(format!(
            "Page {} of {}",
            page + 1,
            pages.len()
        )));
    if !text.is_empty() {
        embed = embed.description(text);
    }
    if let Some(url) = &url {
        embed = embed.url(url);
    }
    let mut buttons = Vec::new();
    if pages.len() > 1 {
        buttons.push(
            CreateButton::new(read_id(stored.id, page.saturating_sub(1), "prev"))
                .label("◀ Previous")
                .style(ButtonStyle::Secondary)
                .disabled(page == 0),
        );
        buttons.push(
            CreateButton::new(read_id(stored.id, (page + 1).min(last), "next"))
                .label("Next ▶")
                .style(ButtonStyle::Secondary)
                .disabled(page == last),
        );
    }
    buttons.extend(url.as_deref().map(online_button));
    let mut message = CreateInteractionResponseMessage::new()
        .embed(embed)
        .allowed_mentions(no_mentions());
    if !buttons.is_empty() {
        message = message.components(vec![CreateActionRow::Buttons(buttons)]);
    }
    message
}
