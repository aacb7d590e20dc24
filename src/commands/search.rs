//! `/search text:<…>`: full-text search of the reviews (titles, pull quotes, bodies,
//! taglines), best first, each hit with its matched words in bold.

use serenity::all::{
    CommandInteraction, CommandOptionType, ComponentInteraction, CreateCommand,
    CreateCommandOption, CreateInteractionResponse,
};

use super::lists::{self, Listing};
use super::{string_option, CommandError, CommandResult, Data, SlashCommand};
use crate::present::lists::{page_count, FilmList, Line, PAGE_SIZE};
use crate::present::markdown::escape;
use crate::present::truncate;
use crate::search::words::TextQuery;

/// The longest search Discord lets a user type here.
pub const MAX_TEXT: u16 = 100;

/// `/search`.
pub struct Search;

#[serenity::async_trait]
impl SlashCommand for Search {
    fn name(&self) -> &'static str {
        "search"
    }

    fn definition(&self) -> CreateCommand {
        CreateCommand::new(self.name())
            .description("Search the reviews' words (\"a phrase\" in quotes, word* for a prefix)")
            .add_option(
                CreateCommandOption::new(CommandOptionType::String, "text", "Words to look for")
                    .required(true)
                    .max_length(MAX_TEXT),
            )
    }

    async fn run(&self, data: &Data, cmd: &CommandInteraction) -> CommandResult {
        let text = string_option(cmd, "text").unwrap_or("");
        let listing = SearchList::new(text)?;
        Ok(
            CreateInteractionResponse::Message(
                lists::message(data, &listing, 0, Vec::new()).await?,
            )
            .into(),
        )
    }

    async fn component(
        &self,
        data: &Data,
        component: &ComponentInteraction,
        rest: &str,
    ) -> CommandResult {
        lists::component::<SearchList>(data, component, rest).await
    }
}

/// A text search: what the user typed (white space collapsed), and its FTS5 form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchList {
    pub text: String,
    pub query: TextQuery,
}

impl SearchList {
    pub fn new(text: &str) -> Result<SearchList, CommandError> {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let query = TextQuery::parse(&text).ok_or_else(|| {
            CommandError::User(
                "Give me a word or two to look for: \"quotes\" for a phrase, a trailing * for a prefix."
                    .into(),
            )
        })?;
        Ok(SearchList { text, query })
    }
}

#[serenity::async_trait]
impl Listing for SearchList {
    const COMMAND: &'static str = "search";

    /// The text as typed: a search too long for a custom id gets no page controls.
    fn encode(&self) -> String {
        self.text.clone()
    }

    fn decode(state: &str) -> Option<SearchList> {
        SearchList::new(state).ok()
    }

    async fn page(&self, data: &Data, page: usize) -> Result<FilmList, CommandError> {
        let store = data.archive.store();
        let size = PAGE_SIZE as u32;
        let offset = |page: usize| u32::try_from(page * PAGE_SIZE).unwrap_or(u32::MAX);
        let mut page = page.min(usize::MAX / PAGE_SIZE);
        let mut results = store.text_search(&self.query, offset(page), size).await?;
        if results.total == 0 {
            return Err(CommandError::User(format!(
                "No review mentions “{}”. Try fewer words, or word* for any ending.",
                escape(&truncate(&self.text, 100))
            )));
        }
        let pages = page_count(results.total as usize);
        if page >= pages {
            // Past the end: the last page.
            page = pages - 1;
            results = store.text_search(&self.query, offset(page), size).await?;
        }
        let summary = match results.total {
            1 => format!("1 review mentions “{}”", self.text),
            n => format!("{n} reviews mention “{}”", self.text),
        };
        Ok(FilmList {
            heading: format!("Search: {}", self.text),
            summary,
            note: results
                .any_term
                .then(|| "No review has every word; these have some of them.".to_owned()),
            lines: results
                .hits
                .into_iter()
                .map(|hit| Line {
                    film: hit.film,
                    snippet: Some(hit.snippet),
                })
                .collect(),
            page,
            pages,
        })
    }
}
