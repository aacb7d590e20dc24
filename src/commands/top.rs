//! `/top [decade] [year] [person]`: the best-graded films, best first (among equals, the most
//! recently reviewed first), ten to a page.

use serenity::all::{
    CommandInteraction, ComponentInteraction, CreateCommand, CreateInteractionResponse,
};

use super::lists::{self, Listing};
use super::person::{autocomplete_people, person_option, resolve};
use super::{
    decade, decade_option, string_option, year, year_option, CommandError, CommandResult, Data,
    SlashCommand,
};
use crate::present::lists::{grades_summary, page_count, scope_label, FilmList, Line, PAGE_SIZE};
use crate::review::Decade;
use crate::search::people::RoleFilter;
use crate::store::Scope;

/// `/top`.
pub struct Top;

#[serenity::async_trait]
impl SlashCommand for Top {
    fn name(&self) -> &'static str {
        "top"
    }

    fn definition(&self) -> CreateCommand {
        CreateCommand::new(self.name())
            .description("The critic's best-graded films, of an era or of a person")
            .add_option(decade_option("Only films from this decade, e.g. 1970"))
            .add_option(year_option("year", "Only films from this year"))
            .add_option(person_option("person", "Only films this person worked on"))
    }

    async fn run(&self, data: &Data, cmd: &CommandInteraction) -> CommandResult {
        let listing = TopList::from_options(data, cmd).await?;
        Ok(
            CreateInteractionResponse::Message(
                lists::message(data, &listing, 0, Vec::new()).await?,
            )
            .into(),
        )
    }

    async fn autocomplete(&self, data: &Data, ac: &CommandInteraction) -> CommandResult {
        autocomplete_people(data, ac, "person", RoleFilter::Any).await
    }

    async fn component(
        &self,
        data: &Data,
        component: &ComponentInteraction,
        rest: &str,
    ) -> CommandResult {
        lists::component::<TopList>(data, component, rest).await
    }
}

/// The scope of a `/top` list; the person by the id of one of their `people` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TopList {
    pub decade: Option<Decade>,
    pub year: Option<i32>,
    pub person: Option<i64>,
}

impl TopList {
    /// Reads and checks the options.
    pub async fn from_options(
        data: &Data,
        cmd: &CommandInteraction,
    ) -> Result<TopList, CommandError> {
        let decade = decade(cmd)?;
        let year = year(cmd, "year")?;
        check_era(decade, year)?;
        let person = match string_option(cmd, "person")
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(query) => {
                let people = data.archive.people().await?;
                Some(resolve(&people, query, RoleFilter::Any)?.id)
            }
            None => None,
        };
        Ok(TopList {
            decade,
            year,
            person,
        })
    }
}

/// A year outside the decade asked for is a mistake worth saying.
pub fn check_era(decade: Option<Decade>, year: Option<i32>) -> Result<(), CommandError> {
    match (decade, year) {
        (Some(d), Some(y)) if !d.contains(y) => Err(CommandError::User(format!(
            "{y} is not in the {d}: give a decade or a year, or both that agree."
        ))),
        _ => Ok(()),
    }
}

fn part(value: Option<impl ToString>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

fn unpart<T: std::str::FromStr>(text: &str) -> Option<Option<T>> {
    if text == "-" {
        Some(None)
    } else {
        text.parse().ok().map(Some)
    }
}

#[serenity::async_trait]
impl Listing for TopList {
    const COMMAND: &'static str = "top";

    /// `1970:-:123`: decade, year, person (`-` for none).
    fn encode(&self) -> String {
        format!(
            "{}:{}:{}",
            part(self.decade),
            part(self.year),
            part(self.person)
        )
    }

    fn decode(state: &str) -> Option<TopList> {
        let mut parts = state.split(':');
        let list = TopList {
            decade: unpart(parts.next()?)?,
            year: unpart(parts.next()?)?,
            person: unpart(parts.next()?)?,
        };
        // A year a button carries is held to film history's bounds, as an option's is.
        let year_ok = list
            .year
            .is_none_or(|y| crate::review::era::YEARS.contains(&y));
        (parts.next().is_none() && year_ok).then_some(list)
    }

    async fn page(&self, data: &Data, page: usize) -> Result<FilmList, CommandError> {
        let (scope, name) = match self.person {
            Some(id) => {
                let people = data.archive.people().await?;
                let person = people.person(id).ok_or_else(|| {
                    CommandError::User(
                        "That person is no longer in the archive; run /top again.".into(),
                    )
                })?;
                (
                    Scope {
                        decade: self.decade,
                        year: self.year,
                        people: Some(person.ids.clone()),
                    },
                    Some(person.name.clone()),
                )
            }
            None => (
                Scope {
                    decade: self.decade,
                    year: self.year,
                    people: None,
                },
                None,
            ),
        };
        let label = scope_label(self.decade, self.year, name.as_deref());
        let store = data.archive.store();
        let counts = store.grade_counts(&scope).await?;
        if counts.total() == 0 {
            return Err(CommandError::User(format!(
                "The archive has no films for {label}. Try another decade or year, or leave them out."
            )));
        }
        let pages = page_count(counts.total() as usize);
        let page = page.min(pages - 1);
        let offset = u32::try_from(page * PAGE_SIZE).unwrap_or(u32::MAX);
        let films = store.best_films(&scope, offset, PAGE_SIZE as u32).await?;
        Ok(FilmList {
            heading: format!("Best of {label}"),
            summary: grades_summary(&counts),
            note: None,
            lines: films.into_iter().map(Line::film).collect(),
            page,
            pages,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_round_trips_and_refuses_forgeries() {
        for list in [
            TopList::default(),
            TopList {
                decade: Decade::of(1970).ok(),
                year: Some(1976),
                person: Some(42),
            },
        ] {
            assert_eq!(TopList::decode(&list.encode()), Some(list));
        }
        // Forged ids, and eras out of film history, as a forged button could carry them.
        for forged in [
            "",
            "-:-",
            "x:-:-",
            "-:-:-:-",
            "1970:-:abc",
            "-2147483648s:-:-",
            "-2147483648:-:-",
            "-:-2147483648:-",
            "-:99999:-",
        ] {
            assert_eq!(TopList::decode(forged), None, "{forged}");
        }
    }

    #[test]
    fn a_year_must_be_in_the_decade() {
        assert!(check_era(Decade::of(1970).ok(), Some(1976)).is_ok());
        assert!(check_era(Decade::of(1970).ok(), Some(1981)).is_err());
        assert!(check_era(None, Some(1981)).is_ok());
    }
}
