//! `/stats [person] [decade]`: how the critic grades, at a glance — a bar chart of how many
//! films got each grade, attached as a PNG, with the count and the mean grade.

use serenity::all::{
    CommandInteraction, CreateAttachment, CreateCommand, CreateEmbed, CreateInteractionResponse,
    CreateInteractionResponseMessage,
};

use super::person::{autocomplete_people, person_option, resolve};
use super::{
    decade, decade_option, string_option, CommandError, CommandResult, Data, Reply, SlashCommand,
};
use crate::present::chart::{self, FILE_NAME};
use crate::present::lists::{films, scope_label};
use crate::present::markdown::escape;
use crate::present::{band_colour, no_mentions, truncate};
use crate::review::GradeCounts;
use crate::search::people::RoleFilter;
use crate::store::Scope;

/// `/stats`.
pub struct Stats;

#[serenity::async_trait]
impl SlashCommand for Stats {
    fn name(&self) -> &'static str {
        "stats"
    }

    fn definition(&self) -> CreateCommand {
        CreateCommand::new(self.name())
            .description("A chart of the critic's grades, overall, for a person or for a decade")
            .add_option(person_option("person", "Only films this person worked on"))
            .add_option(decade_option("Only films from this decade, e.g. 1970"))
    }

    async fn run(&self, data: &Data, cmd: &CommandInteraction) -> CommandResult {
        let decade = decade(cmd)?;
        let (people, name) = match string_option(cmd, "person")
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(query) => {
                let index = data.archive.people().await?;
                let found = resolve(&index, query, RoleFilter::Any)?;
                let ids = index
                    .person(found.id)
                    .map(|p| p.ids.clone())
                    .unwrap_or_default();
                (Some(ids), Some(found.name))
            }
            None => (None, None),
        };
        let label = scope_label(decade, None, name.as_deref());
        let scope = Scope {
            decade,
            year: None,
            people,
        };
        let counts = data.archive.store().grade_counts(&scope).await?;
        if counts.total() == 0 {
            return Err(CommandError::User(format!(
                "The archive has no films for {label}, so there is nothing to chart. Try another decade, or leave it out."
            )));
        }
        let title = format!("Grades: {label}");
        let png = {
            let (title, counts) = (title.clone(), counts);
            tokio::task::spawn_blocking(move || chart::png(&title, &counts))
                .await
                .map_err(anyhow::Error::from)??
        };
        Ok(Reply::from(CreateInteractionResponse::Message(
            CreateInteractionResponseMessage::new()
                .embed(embed(&title, &counts))
                .allowed_mentions(no_mentions()),
        ))
        .with_file(CreateAttachment::bytes(png, FILE_NAME).description(alt_text(&counts))))
    }

    async fn autocomplete(&self, data: &Data, ac: &CommandInteraction) -> CommandResult {
        autocomplete_people(data, ac, "person", RoleFilter::Any).await
    }
}

/// The chart's alternative text, for screen readers: what the bars say.
pub fn alt_text(counts: &GradeCounts) -> String {
    truncate(
        &format!(
            "Bar chart of how many films got each grade: {}",
            counts.spread()
        ),
        1024,
    )
}

/// The embed around the chart: how many films, the mean grade and the spread in words.
pub fn embed(title: &str, counts: &GradeCounts) -> CreateEmbed {
    let mut description = format!("**{}**", films(counts.total()));
    if let (Some(mean), Some(points)) = (counts.mean(), counts.mean_points()) {
        description.push_str(&format!(" · mean grade **{mean}** ({points:.2} points)"));
    }
    description.push('\n');
    description.push_str(&counts.spread());
    let mut embed = CreateEmbed::new()
        .title(escape(&truncate(title, 120)))
        .description(description)
        .image(format!("attachment://{FILE_NAME}"));
    if let Some(mean) = counts.mean() {
        embed = embed.colour(band_colour(mean));
    }
    embed
}
