//! `/review` and `marquee lookup`: a film by a sloppy title.

use serenity::builder::{
    CreateActionRow, CreateInteractionResponse, CreateInteractionResponseMessage, CreateSelectMenu,
    CreateSelectMenuKind, CreateSelectMenuOption,
};

use crate::archive::Lookup;
use crate::present::{card_response, no_mentions, title_with_year, truncate, Card};
use crate::search::Candidate;

/// The custom id of the select menu that offers the other candidates of an ambiguous match.
pub const PICK_MENU_ID: &str = "marquee:review:pick";

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
    let menu = CreateSelectMenu::new(PICK_MENU_ID, CreateSelectMenuKind::String { options })
        .placeholder("Not this one? Pick another film");
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .embed(card.embed())
            .components(vec![CreateActionRow::SelectMenu(menu)])
            .allowed_mentions(no_mentions()),
    )
}

/// An ephemeral reply listing the closest titles.
pub fn not_found(query: &str, closest: &[Candidate]) -> CreateInteractionResponse {
    let query = truncate(query.trim(), 100);
    let mut content = format!("No review matches “{query}”.");
    if !closest.is_empty() {
        content.push_str(" Closest titles:");
        for c in closest.iter().take(5) {
            content.push_str(&format!("\n• {}", candidate_label(c)));
        }
    }
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .content(truncate(&content, 2000))
            .ephemeral(true)
            .allowed_mentions(no_mentions()),
    )
}
