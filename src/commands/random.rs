//! `/random [min_grade] [decade]`: a random well-graded film, with an "Another one" button.

use serenity::all::{
    ButtonStyle, CommandInteraction, ComponentInteraction, CreateActionRow, CreateButton,
    CreateCommand, CreateInteractionResponse, CreateInteractionResponseMessage,
};

use super::{
    decade, decade_option, grade_choices, grade_option, CommandError, CommandResult, Data,
    SlashCommand,
};
use crate::present::{no_mentions, Card};
use crate::review::Grade;
use crate::store::RandomFilter;

/// The button's custom id starts with this; the filter follows (`…:A-:1970` or `…:A-:any`).
pub const ANOTHER_PREFIX: &str = "marquee:random:";

/// `/random [min_grade] [decade]`.
pub struct Random;

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

/// The button's custom id, carrying the filter so that a press needs no stored state.
pub fn another_button_id(filter: RandomFilter) -> String {
    let decade = filter
        .decade
        .map_or_else(|| "any".to_owned(), |d| d.start().to_string());
    format!("{ANOTHER_PREFIX}{}:{decade}", filter.min_grade)
}

/// Reads a filter back from a button's custom id.
pub fn parse_button_id(custom_id: &str) -> Option<RandomFilter> {
    let rest = custom_id.strip_prefix(ANOTHER_PREFIX)?;
    let (grade, decade) = rest.rsplit_once(':')?;
    let decade = match decade {
        "any" => None,
        d => Some(d.parse().ok()?),
    };
    Some(RandomFilter {
        min_grade: Grade::parse(grade).ok()?,
        decade,
    })
}

/// The card of a random pick with the button, or the user error saying nothing qualifies.
async fn pick(
    data: &Data,
    filter: RandomFilter,
) -> Result<CreateInteractionResponseMessage, CommandError> {
    let Some(stored) = data.archive.random(filter).await? else {
        let decade = filter
            .decade
            .map(|d| format!(" from the {d}"))
            .unwrap_or_default();
        return Err(CommandError::User(format!(
            "No review graded {} or better{decade}.",
            filter.min_grade
        )));
    };
    let card = Card::of(&stored.review, &data.critic);
    let mut buttons = super::review::card_buttons(stored.id, &card);
    buttons.insert(
        1,
        CreateButton::new(another_button_id(filter))
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
    Ok(CreateInteractionResponse::Message(pick(data, filter).await?).into())
}

/// "Another one": the message shows a new pick under the same filter.
pub async fn another(data: &Data, component: &ComponentInteraction) -> CommandResult {
    let filter = parse_button_id(&component.data.custom_id)
        .ok_or_else(|| CommandError::User("This button has expired; run /random again.".into()))?;
    Ok(CreateInteractionResponse::UpdateMessage(pick(data, filter).await?).into())
}
