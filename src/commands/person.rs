//! `/person name:<…> [role:<…>]`: a person's reviewed films, oldest first, ten to a page.
//! When several people fit the name about equally, the best one's films come with a menu of
//! the others. Also the person autocomplete that `/top` and `/stats` use.

use serenity::all::{
    AutocompleteChoice, CommandInteraction, CommandOptionType, ComponentInteraction,
    ComponentInteractionDataKind, CreateActionRow, CreateAutocompleteResponse, CreateCommand,
    CreateCommandOption, CreateInteractionResponse, CreateSelectMenu, CreateSelectMenuKind,
    CreateSelectMenuOption,
};

use super::lists::{self, Listing, CARRIED};
use super::{focused, string_option, CommandError, CommandResult, Data, SlashCommand};
use crate::present::lists::{page_of, person_summary, FilmList, Line};
use crate::present::markdown::escape;
use crate::present::truncate;
use crate::search::people::{PersonCandidate, PersonIndex, PersonOutcome, RoleFilter};

/// Discord's limits on choices and their text.
const CHOICES: usize = 25;
const CHOICE_TEXT: usize = 100;

/// `/person`.
pub struct Person;

#[serenity::async_trait]
impl SlashCommand for Person {
    fn name(&self) -> &'static str {
        "person"
    }

    fn definition(&self) -> CreateCommand {
        let role = RoleFilter::ALL.iter().fold(
            CreateCommandOption::new(
                CommandOptionType::String,
                "role",
                "Only the films they did this on (default: any)",
            ),
            |o, r| o.add_string_choice(r.as_str(), r.as_str()),
        );
        CreateCommand::new(self.name())
            .description("The films of a director, actor or writer, with the critic's grades")
            .add_option(person_option("name", "The person's name").required(true))
            .add_option(role)
    }

    async fn run(&self, data: &Data, cmd: &CommandInteraction) -> CommandResult {
        let query = string_option(cmd, "name")
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .ok_or_else(|| CommandError::User("Tell me a person's name.".into()))?;
        let role = role_option(cmd)?;
        let people = data.archive.people().await?;
        let outcome = find(&people, query, role)?;
        let Some(best) = &outcome.best else {
            return Err(CommandError::User(not_found(query, &outcome.candidates)));
        };
        let carried = if outcome.ambiguous {
            vec![who_menu(role, &outcome.candidates, best.id)]
        } else {
            Vec::new()
        };
        let listing = PersonList {
            person: best.id,
            role,
        };
        Ok(
            CreateInteractionResponse::Message(lists::message(data, &listing, 0, carried).await?)
                .into(),
        )
    }

    async fn autocomplete(&self, data: &Data, ac: &CommandInteraction) -> CommandResult {
        let role = role_option(ac).unwrap_or(RoleFilter::Any);
        autocomplete_people(data, ac, "name", role).await
    }

    async fn component(
        &self,
        data: &Data,
        component: &ComponentInteraction,
        rest: &str,
    ) -> CommandResult {
        let Some(role) = rest.strip_prefix(&format!("{CARRIED}:0:")) else {
            return lists::component::<PersonList>(data, component, rest).await;
        };
        // Another person from the menu: their first page; the menu stays, showing the choice.
        let role = exact_role(role).ok_or_else(|| {
            CommandError::User("This menu is out of date; run /person again.".into())
        })?;
        let chosen = match &component.data.kind {
            ComponentInteractionDataKind::StringSelect { values } => values.first(),
            _ => None,
        };
        let person: i64 = chosen
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| CommandError::User("That choice is not a person I know.".into()))?;
        let carried = lists::carried_menus_selecting(
            &component.message,
            "person",
            chosen.map(String::as_str),
        );
        let listing = PersonList { person, role };
        Ok(CreateInteractionResponse::UpdateMessage(
            lists::message(data, &listing, 0, carried).await?,
        )
        .into())
    }
}

/// A string option naming a person, with autocomplete.
pub fn person_option(name: &str, description: &str) -> CreateCommandOption {
    CreateCommandOption::new(CommandOptionType::String, name, description)
        .set_autocomplete(true)
        .max_length(100)
}

/// The `role` option; Discord offers only the choices, but the text is checked anyway.
fn role_option(cmd: &CommandInteraction) -> Result<RoleFilter, CommandError> {
    match string_option(cmd, "role") {
        None => Ok(RoleFilter::Any),
        Some(text) => exact_role(text).ok_or_else(|| {
            CommandError::User(format!(
                "“{}” is not a role: choose director, cast, writer or any.",
                escape(&truncate(text, 40))
            ))
        }),
    }
}

fn exact_role(text: &str) -> Option<RoleFilter> {
    RoleFilter::ALL.into_iter().find(|r| r.as_str() == text)
}

/// Who `query` means under `role`. When nobody with that job matches but someone without it
/// does, the error says what they did instead.
pub fn find(
    people: &PersonIndex,
    query: &str,
    role: RoleFilter,
) -> Result<PersonOutcome, CommandError> {
    let outcome = people.search(query, role, CHOICES);
    if outcome.best.is_some() || role == RoleFilter::Any {
        return Ok(outcome);
    }
    match people.search(query, RoleFilter::Any, 1).best {
        Some(other) => Err(CommandError::User(format!(
            "{} has no films{} in the archive ({}). Try role: any.",
            escape(&other.name),
            crate::present::lists::role_words(role),
            other.counts.describe()
        ))),
        None => Ok(outcome),
    }
}

/// The one person `query` means under `role` (the best, when several fit), for the options
/// of `/top` and `/stats`.
pub fn resolve(
    people: &PersonIndex,
    query: &str,
    role: RoleFilter,
) -> Result<PersonCandidate, CommandError> {
    let outcome = find(people, query, role)?;
    outcome
        .best
        .ok_or_else(|| CommandError::User(not_found(query, &outcome.candidates)))
}

/// "Nobody in the archive matches …", with the closest names.
fn not_found(query: &str, closest: &[PersonCandidate]) -> String {
    let mut text = format!(
        "Nobody in the archive matches “{}”. Try a surname, or pick a name from the suggestions.",
        escape(&truncate(query.trim(), 100))
    );
    if !closest.is_empty() {
        text.push_str(" Closest names:");
        for c in closest.iter().take(5) {
            text.push_str(&format!("\n• {}", escape(&label(c))));
        }
    }
    text
}

/// `Jean-Luc Godard — director of 2, writer of 2`.
pub fn label(c: &PersonCandidate) -> String {
    let jobs = c.counts.describe();
    if jobs.is_empty() {
        c.name.clone()
    } else {
        format!("{} — {jobs}", c.name)
    }
}

/// Suggestions for a person option: up to 25 `Name — director of 12, cast in 3`, best first;
/// the value is the name, which finds that person again exactly.
pub async fn autocomplete_people(
    data: &Data,
    ac: &CommandInteraction,
    option: &str,
    role: RoleFilter,
) -> CommandResult {
    let typed = focused(ac, option).unwrap_or("");
    let people = data.archive.people().await?;
    let choices = people
        .autocomplete(typed, role, CHOICES)
        .iter()
        .map(|c| {
            AutocompleteChoice::new(
                truncate(&label(c), CHOICE_TEXT),
                truncate(&c.name, CHOICE_TEXT),
            )
        })
        .collect();
    Ok(CreateInteractionResponse::Autocomplete(
        CreateAutocompleteResponse::new().set_choices(choices),
    )
    .into())
}

/// The menu of everyone who fits an ambiguous name, `chosen` marked.
fn who_menu(role: RoleFilter, candidates: &[PersonCandidate], chosen: i64) -> CreateActionRow {
    let options = candidates
        .iter()
        .take(CHOICES)
        .map(|c| {
            CreateSelectMenuOption::new(truncate(&label(c), CHOICE_TEXT), c.id.to_string())
                .default_selection(c.id == chosen)
        })
        .collect();
    CreateActionRow::SelectMenu(
        CreateSelectMenu::new(
            format!("marquee:person:{CARRIED}:0:{}", role.as_str()),
            CreateSelectMenuKind::String { options },
        )
        .placeholder("Not this person? Pick another"),
    )
}

/// One person's films under a role filter: the list `/person` pages through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonList {
    /// The id that names the person (any of their spellings' `people` rows).
    pub person: i64,
    pub role: RoleFilter,
}

#[serenity::async_trait]
impl Listing for PersonList {
    const COMMAND: &'static str = "person";

    fn encode(&self) -> String {
        format!("{}:{}", self.person, self.role.as_str())
    }

    fn decode(state: &str) -> Option<PersonList> {
        let (person, role) = state.split_once(':')?;
        Some(PersonList {
            person: person.parse().ok()?,
            role: exact_role(role)?,
        })
    }

    async fn page(&self, data: &Data, page: usize) -> Result<FilmList, CommandError> {
        let people = data.archive.people().await?;
        let person = people.person(self.person).ok_or_else(|| {
            CommandError::User("That person is no longer in the archive; run /person again.".into())
        })?;
        let films = data
            .archive
            .store()
            .person_films(&person.ids, self.role)
            .await?;
        let (lines, page, pages) = page_of(&films, page);
        Ok(FilmList {
            heading: person.name.clone(),
            summary: person_summary(&films, self.role),
            note: None,
            lines: lines.into_iter().map(Line::film).collect(),
            page,
            pages,
        })
    }
}
