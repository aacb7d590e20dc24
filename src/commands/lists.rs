//! Paged film lists, shared by `/person`, `/top` and `/search`: ten films a page, Previous /
//! Next buttons, and a menu that opens a film's card in place, with a button back to the list.
//!
//! Every control's custom id carries the list (its command, what it lists, which page), so a
//! press works the same after a restart: `marquee:<command>:<verb>:<page>:<state>`, where the
//! verb is `prev`/`next` (show that page), `film` (open the chosen film), `back` (show that
//! page again) and `<state>` is the command's own description of the list.

use serenity::all::{
    ActionRowComponent, ButtonStyle, ComponentInteraction, ComponentInteractionDataKind,
    CreateActionRow, CreateButton, CreateInteractionResponse, CreateInteractionResponseMessage,
    CreateSelectMenu, CreateSelectMenuKind, CreateSelectMenuOption, Message,
};

use super::{CommandError, CommandResult, Data};
use crate::present::lists::FilmList;
use crate::present::{no_mentions, title_with_year, truncate, Card};

/// Discord's longest custom id.
pub const CUSTOM_ID_MAX: usize = 100;
/// Discord's longest select menu option label.
const OPTION_LABEL: usize = 100;
/// The verb of menus that travel with a list (such as `/person`'s other people).
pub const CARRIED: &str = "who";

/// What a list control asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// Show this page (Previous, Next, or Back from a film's card).
    Page(usize),
    /// Open the film chosen in the menu of this page.
    Film(usize),
}

/// A list a command can show a page of, and describe in a custom id.
#[serenity::async_trait]
pub trait Listing: Sized + Send + Sync {
    /// The command whose list this is.
    const COMMAND: &'static str;

    /// The list, as the `<state>` of a custom id.
    fn encode(&self) -> String;

    /// Reads a `<state>` back; `None` when it was not made by [`Listing::encode`].
    fn decode(state: &str) -> Option<Self>;

    /// One page; a page past the end shows the last one.
    async fn page(&self, data: &Data, page: usize) -> Result<FilmList, CommandError>;
}

/// `marquee:<command>:<verb>:<page>:<state>`, when it fits in a custom id.
pub fn custom_id(command: &str, verb: &str, page: usize, state: &str) -> Option<String> {
    let id = format!("marquee:{command}:{verb}:{page}:{state}");
    (id.chars().count() <= CUSTOM_ID_MAX).then_some(id)
}

/// Reads the part of a custom id after `marquee:<command>:`.
pub fn parse(rest: &str) -> Option<(Verb, &str)> {
    let mut parts = rest.splitn(3, ':');
    let verb = parts.next()?;
    let page: usize = parts.next()?.parse().ok()?;
    let state = parts.next()?;
    let verb = match verb {
        "prev" | "next" | "back" => Verb::Page(page),
        "film" => Verb::Film(page),
        _ => return None,
    };
    Some((verb, state))
}

/// A page of `listing` as a message: the embed, the film menu and the page buttons, after
/// `carried` (menus that stay with the list). When the state is too long for a custom id,
/// the page has no controls.
pub async fn message<L: Listing>(
    data: &Data,
    listing: &L,
    page: usize,
    carried: Vec<CreateActionRow>,
) -> Result<CreateInteractionResponseMessage, CommandError> {
    let list = listing.page(data, page).await?;
    let mut rows = carried;
    rows.extend(controls(L::COMMAND, &listing.encode(), &list));
    let mut message = CreateInteractionResponseMessage::new()
        .embed(list.embed())
        .allowed_mentions(no_mentions());
    if !rows.is_empty() {
        message = message.components(rows);
    }
    Ok(message)
}

/// The film menu and the Previous / Next buttons of a page.
pub fn controls(command: &str, state: &str, list: &FilmList) -> Vec<CreateActionRow> {
    let mut rows = Vec::new();
    let first = list.page * crate::present::lists::PAGE_SIZE + 1;
    if let Some(id) = custom_id(command, "film", list.page, state) {
        let options: Vec<CreateSelectMenuOption> = list
            .lines
            .iter()
            .enumerate()
            .map(|(i, line)| {
                let f = &line.film;
                let label = format!(
                    "{}. {} — {}",
                    first + i,
                    title_with_year(&f.title, f.year),
                    f.grade
                );
                CreateSelectMenuOption::new(truncate(&label, OPTION_LABEL), f.id.to_string())
            })
            .collect();
        if !options.is_empty() {
            rows.push(CreateActionRow::SelectMenu(
                CreateSelectMenu::new(id, CreateSelectMenuKind::String { options })
                    .placeholder("Open a film's review"),
            ));
        }
    }
    if list.pages > 1 {
        let previous = custom_id(command, "prev", list.page.saturating_sub(1), state);
        let next = custom_id(command, "next", (list.page + 1).min(list.pages - 1), state);
        if let (Some(previous), Some(next)) = (previous, next) {
            rows.push(CreateActionRow::Buttons(vec![
                CreateButton::new(previous)
                    .label("◀ Previous")
                    .style(ButtonStyle::Secondary)
                    .disabled(list.page == 0),
                CreateButton::new(next)
                    .label("Next ▶")
                    .style(ButtonStyle::Secondary)
                    .disabled(list.page + 1 >= list.pages),
            ]));
        }
    }
    rows
}

/// Answers a list control of `L`'s command: the asked-for page, or the chosen film's card
/// with a button back to the page. Menus carried by the message stay.
pub async fn component<L: Listing>(
    data: &Data,
    component: &ComponentInteraction,
    rest: &str,
) -> CommandResult {
    let (verb, state) = parse(rest).ok_or_else(expired::<L>)?;
    let listing = L::decode(state).ok_or_else(expired::<L>)?;
    let carried = carried_menus(&component.message, L::COMMAND);
    let message = match verb {
        Verb::Page(page) => message(data, &listing, page, carried).await?,
        Verb::Film(page) => {
            let id: i64 = match &component.data.kind {
                ComponentInteractionDataKind::StringSelect { values } => {
                    values.first().and_then(|v| v.parse().ok())
                }
                _ => None,
            }
            .ok_or_else(|| CommandError::User("That choice is not a film I know.".into()))?;
            let stored = data.archive.store().review(id).await?.ok_or_else(|| {
                CommandError::User(
                    "That review is no longer in the archive; run the command again.".into(),
                )
            })?;
            let card = Card::of(&stored.review, &data.critic);
            let mut rows = carried;
            let mut buttons = Vec::new();
            if let Some(back) = custom_id(L::COMMAND, "back", page, &listing.encode()) {
                buttons.push(
                    CreateButton::new(back)
                        .label("◀ Back to the list")
                        .style(ButtonStyle::Secondary),
                );
            }
            buttons.extend(super::review::card_buttons(id, &card));
            rows.push(CreateActionRow::Buttons(buttons));
            CreateInteractionResponseMessage::new()
                .embed(card.embed())
                .components(rows)
                .allowed_mentions(no_mentions())
        }
    };
    Ok(CreateInteractionResponse::UpdateMessage(message).into())
}

fn expired<L: Listing>() -> CommandError {
    CommandError::User(format!(
        "This control is out of date; run /{} again.",
        L::COMMAND
    ))
}

/// The menus of `message` that travel with its list (verb [`CARRIED`]), rebuilt as sent,
/// with `selected` (a value) marked as the current choice when given.
pub fn carried_menus(message: &Message, command: &str) -> Vec<CreateActionRow> {
    carried_menus_selecting(message, command, None)
}

pub fn carried_menus_selecting(
    message: &Message,
    command: &str,
    selected: Option<&str>,
) -> Vec<CreateActionRow> {
    let prefix = format!("marquee:{command}:{CARRIED}:");
    message
        .components
        .iter()
        .flat_map(|row| &row.components)
        .filter_map(|c| match c {
            ActionRowComponent::SelectMenu(menu) => menu
                .custom_id
                .as_deref()
                .filter(|id| id.starts_with(&prefix))
                .map(|id| (id, menu)),
            _ => None,
        })
        .map(|(id, menu)| {
            let options = menu
                .options
                .iter()
                .map(|o| {
                    let mut option = CreateSelectMenuOption::new(o.label.clone(), o.value.clone());
                    if let Some(description) = &o.description {
                        option = option.description(description.clone());
                    }
                    let chosen = selected.map_or(o.default, |s| s == o.value);
                    option.default_selection(chosen)
                })
                .collect();
            let mut built = CreateSelectMenu::new(id, CreateSelectMenuKind::String { options });
            if let Some(placeholder) = &menu.placeholder {
                built = built.placeholder(placeholder.clone());
            }
            CreateActionRow::SelectMenu(built)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_ids_round_trip_and_stay_within_discord_limit() {
        let id = custom_id("search", "next", 3, "small town: noir").unwrap();
        assert_eq!(id, "marquee:search:next:3:small town: noir");
        let rest = id.strip_prefix("marquee:search:").unwrap();
        assert_eq!(parse(rest), Some((Verb::Page(3), "small town: noir")));
        assert_eq!(parse("film:0:7:any"), Some((Verb::Film(0), "7:any")));
        assert_eq!(parse("back:2:x"), Some((Verb::Page(2), "x")));
        assert!(custom_id("search", "next", 3, &"x".repeat(100)).is_none());
        for forged in [
            "",
            "next",
            "next:x:y",
            "jump:1:y",
            "next:-1:y",
            "next:99999999999999999999:y",
        ] {
            assert_eq!(parse(forged), None, "{forged}");
        }
    }
}
