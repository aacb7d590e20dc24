//! `/random [min_grade] [decade] [person]`: a random well-graded film, with an "Another one"
//! button.

use serenity::all::{
    ButtonStyle, CommandInteraction, ComponentInteraction, CreateActionRow, CreateButton,
    CreateCommand, CreateInteractionResponse, CreateInteractionResponseMessage,
};

use super::person::{autocomplete_people, person_option, resolve};
use super::{
    decade, decade_option, grade_choices, grade_option, string_option, CommandError, CommandResult,
    Data, SlashCommand,
};
use crate::present::{no_mentions, Card};
use crate::review::Grade;
use crate::search::people::RoleFilter;
use crate::store::RandomFilter;

/// The button's custom id starts with this; the filter follows (`…:A-:1970` or `…:A-:any`,
/// and `:p<row>` for a person).
pub const ANOTHER_PREFIX: &str = "marquee:random:";

/// `/random [min_grade] [decade] [person]`.
pub struct Random;

/// What a pick is made from: the filter, and the person (the `people` row that names them),
/// if one was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pick {
    pub filter: RandomFilter,
    pub person: Option<i64>,
}

#[serenity::async_trait]
impl SlashCommand for Random {
    fn name(&self) -> &'static str {
        "random"
    }

    fn definition(&self) -> CreateCommand {
        CreateCommand::new(self.name())
            .description("A random well-graded film from the archive")
            .add_option(grade_choices(
                "min_grade",
                "The lowest grade to pick from (default A-)",
            ))
            .add_option(decade_option("Only films from this decade, e.g. 1970"))
            .add_option(person_option(
                "person",
                "Only films of this director, actor or writer",
            ))
    }

    async fn autocomplete(&self, data: &Data, ac: &CommandInteraction) -> CommandResult {
        autocomplete_people(data, ac, "person", RoleFilter::Any).await
    }

    async fn run(&self, data: &Data, cmd: &CommandInteraction) -> CommandResult {
        run(data, cmd).await
    }

    async fn component(
        &self,
        data: &Data,
        component: &ComponentInteraction,
        _rest: &str,
    ) -> CommandResult {
        another(data, component).await
    }
}

/// The button's custom id, carrying the pick so that a press needs no stored state.
pub fn another_button_id(pick: Pick) -> String {
    let filter = pick.filter;
    let decade = filter
        .decade
        .map_or_else(|| "any".to_owned(), |d| d.start().to_string());
    let person = pick.person.map(|p| format!(":p{p}")).unwrap_or_default();
    format!("{ANOTHER_PREFIX}{}:{decade}{person}", filter.min_grade)
}

/// Reads a pick back from a button's custom id.
pub fn parse_button_id(custom_id: &str) -> Option<Pick> {
    let mut parts = custom_id.strip_prefix(ANOTHER_PREFIX)?.split(':');
    let grade = parts.next()?;
    let decade = match parts.next()? {
        "any" => None,
        d => Some(d.parse().ok()?),
    };
    let person = match parts.next() {
        None => None,
        Some(p) => Some(p.strip_prefix('p')?.parse().ok()?),
    };
    if parts.next().is_some() {
        return None;
    }
    Some(Pick {
        filter: RandomFilter {
            min_grade: Grade::parse(grade).ok()?,
            decade,
        },
        person,
    })
}

/// The card of a random pick with the button, or the user error saying nothing qualifies.
async fn pick(data: &Data, pick: Pick) -> Result<CreateInteractionResponseMessage, CommandError> {
    let filter = pick.filter;
    let person = match pick.person {
        Some(row) => {
            let people = data.archive.people().await?;
            let person = people.person(row).ok_or_else(|| {
                CommandError::User(
                    "That person is no longer in the archive; run /random again.".into(),
                )
            })?;
            Some((person.ids.clone(), person.name.clone()))
        }
        None => None,
    };
    let found = match &person {
        Some((ids, _)) => data.archive.random_of(filter, ids.clone()).await?,
        None => data.archive.random(filter).await?,
    };
    let Some(stored) = found else {
        let decade = filter
            .decade
            .map(|d| format!(" from the {d}"))
            .unwrap_or_default();
        let of = person
            .map(|(_, name)| format!(" with {}", crate::present::markdown::escape(&name)))
            .unwrap_or_default();
        return Err(CommandError::User(format!(
            "No review graded {} or better{decade}{of}.",
            filter.min_grade
        )));
    };
    let card = Card::of(&stored.review, &data.critic);
    let mut buttons = super::review::card_buttons(stored.id, &card);
    buttons.insert(
        1,
        CreateButton::new(another_button_id(pick))
            .label("Another one")
            .style(ButtonStyle::Secondary),
    );
    Ok(CreateInteractionResponseMessage::new()
        .embed(card.embed())
        .components(vec![CreateActionRow::Buttons(buttons)])
        .allowed_mentions(no_mentions()))
}

/// A random pick, graded A- or better unless the user asked otherwise.
pub async fn run(data: &Data, cmd: &CommandInteraction) -> CommandResult {
    let filter = RandomFilter {
        min_grade: grade_option(cmd, "min_grade")?.unwrap_or(Grade::AMinus),
        decade: decade(cmd)?,
    };
    let person = match string_option(cmd, "person")
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(query) => Some(resolve(&*data.archive.people().await?, query, RoleFilter::Any)?.id),
        None => None,
    };
    let chosen = Pick { filter, person };
    Ok(CreateInteractionResponse::Message(pick(data, chosen).await?).into())
}

/// "Another one": the message shows a new pick under the same filter.
pub async fn another(data: &Data, component: &ComponentInteraction) -> CommandResult {
    let chosen = parse_button_id(&component.data.custom_id)
        .ok_or_else(|| CommandError::User("This button has expired; run /random again.".into()))?;
    Ok(CreateInteractionResponse::UpdateMessage(pick(data, chosen).await?).into())
}
