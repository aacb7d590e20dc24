//! Presentation: a review → the card users see, as a Discord embed (and the interaction
//! response that carries it), as readable text, or as JSON. One [`Card`] feeds every form, so
//! the CLI prints exactly what the bot sends.

use chrono::NaiveDate;
use serde::Serialize;
use serenity::builder::{
    CreateAllowedMentions, CreateEmbed, CreateEmbedFooter, CreateInteractionResponse,
    CreateInteractionResponseMessage,
};

pub mod chart;
pub mod lists;
pub mod markdown;
pub mod read;

use crate::review::grade::Band;
use crate::review::{Grade, Review};
use crate::store::StoredReview;

/// Discord's embed limits, in characters (Unicode scalar values, as Discord counts them).
pub mod limits {
    pub const TITLE: usize = 256;
    pub const DESCRIPTION: usize = 4096;
    pub const FIELDS: usize = 25;
    pub const FIELD_NAME: usize = 256;
    pub const FIELD_VALUE: usize = 1024;
    pub const FOOTER: usize = 2048;
    pub const TOTAL: usize = 6000;
}

/// How many cast members a card names.
const TOP_CAST: usize = 5;
/// A description longer than this is cut: a card is a summary, not the review.
const DESCRIPTION_BUDGET: usize = 1500;
/// A capsule has no pull quote; the card shows the start of its paragraph, up to this.
const CAPSULE_BUDGET: usize = 400;

/// Cuts `text` to at most `max` characters, ending in `…` when it was cut. Never splits a
/// character; prefers to cut at a word boundary when one is near.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let kept: String = text.chars().take(max - 1).collect();
    let cut = match kept.rfind(char::is_whitespace) {
        Some(space)
            if kept
                .get(..space)
                .is_some_and(|k| k.chars().count() + 20 >= max) =>
        {
            kept.get(..space).unwrap_or(&kept).trim_end().to_owned()
        }
        _ => kept,
    };
    format!("{cut}…")
}

/// The colour of a grade band: A green, B blue, C yellow, D orange, F red.
pub fn band_colour(grade: Grade) -> u32 {
    match grade.band() {
        Band::A => 0x2E_CC_71,
        Band::B => 0x34_98_DB,
        Band::C => 0xF1_C4_0F,
        Band::D => 0xE6_7E_22,
        Band::F => 0xE7_4C_3C,
    }
}

/// `Aug 7, 2021`.
pub fn human_date(date: NaiveDate) -> String {
    date.format("%b %-d, %Y").to_string()
}

/// `Red Rocket (2021)`.
pub fn title_with_year(title: &str, year: Option<i32>) -> String {
    match year {
        Some(y) => format!("{title} ({y})"),
        None => title.to_owned(),
    }
}

/// The content of a review card, in display order, already within Discord's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub title: String,
    pub description: String,
    pub colour: u32,
    /// (name, value, inline)
    pub fields: Vec<(String, String, bool)>,
    pub footer: String,
    /// Where the review is published (the embed's title links there), if it is online.
    pub url: Option<String>,
}

/// The longest URL an embed takes (Discord's limit for `url`).
const URL_MAX: usize = 2048;

/// A review's address as a card may link it: an absolute http(s) URL Discord takes.
pub fn linkable(url: Option<&str>) -> Option<String> {
    let url = url?.trim();
    let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
    (scheme_ok && url.len() <= URL_MAX && !url.contains(char::is_whitespace))
        .then(|| url.to_owned())
}

impl Card {
    /// `critic` is the archive's critic, used when the review does not name one.
    pub fn of(review: &Review, critic: &str) -> Card {
        let fields = fields_of(review);
        let title = truncate(
            &title_with_year(&review.title, review.credits.year),
            limits::TITLE,
        );
        let footer = truncate(
            &format!("Reviewed by {}", review.critic.as_deref().unwrap_or(critic)),
            limits::FOOTER,
        );
        let used: usize = title.chars().count()
            + footer.chars().count()
            + fields
                .iter()
                .map(|(n, v, _)| n.chars().count() + v.chars().count())
                .sum::<usize>();
        let (description, wanted) = match &review.pull_quote {
            Some(quote) => (format!("“{quote}”"), DESCRIPTION_BUDGET),
            None => (
                review.body.split("\n\n").next().unwrap_or("").to_owned(),
                CAPSULE_BUDGET,
            ),
        };
        let budget = wanted
            .min(limits::DESCRIPTION)
            .min(limits::TOTAL.saturating_sub(used));
        Card {
            title,
            description: truncate(&description, budget),
            colour: band_colour(review.grade),
            fields,
            footer,
            url: linkable(review.url.as_deref()),
        }
    }

    /// The card as Discord shows it: title, description and field values escaped so that
    /// review text shows as written (no formatting, links or mentions of its own), still
    /// within the embed limits. The footer is left as it is: Discord shows footers verbatim.
    pub fn for_discord(&self) -> Card {
        use markdown::escape_within;
        let title = escape_within(&self.title, limits::TITLE);
        let fields: Vec<(String, String, bool)> = self
            .fields
            .iter()
            .map(|(name, value, inline)| {
                (
                    escape_within(name, limits::FIELD_NAME),
                    escape_within(value, limits::FIELD_VALUE),
                    *inline,
                )
            })
            .collect();
        let used = title.chars().count()
            + self.footer.chars().count()
            + fields
                .iter()
                .map(|(n, v, _)| n.chars().count() + v.chars().count())
                .sum::<usize>();
        let budget = limits::DESCRIPTION.min(limits::TOTAL.saturating_sub(used));
        Card {
            title,
            description: escape_within(&self.description, budget),
            colour: self.colour,
            fields,
            footer: self.footer.clone(),
            url: self.url.clone(),
        }
    }

    /// The card as a Discord embed (see [`Card::for_discord`]).
    pub fn embed(&self) -> CreateEmbed {
        let shown = self.for_discord();
        let mut embed = CreateEmbed::new()
            .title(shown.title)
            .colour(shown.colour)
            .footer(CreateEmbedFooter::new(shown.footer));
        if !shown.description.is_empty() {
            embed = embed.description(shown.description);
        }
        if let Some(url) = shown.url {
            embed = embed.url(url);
        }
        embed.fields(shown.fields)
    }

    /// The card as readable text, for a terminal.
    pub fn text(&self) -> String {
        let mut out = format!("{}\n", self.title);
        out.push_str(&"─".repeat(self.title.chars().count().min(60)));
        out.push('\n');
        if !self.description.is_empty() {
            out.push_str(&self.description);
            out.push_str("\n\n");
        }
        let width = self
            .fields
            .iter()
            .map(|(n, _, _)| n.chars().count())
            .max()
            .unwrap_or(0);
        for (name, value, _) in &self.fields {
            out.push_str(&format!("{name:<width$}  {value}\n"));
        }
        if let Some(url) = &self.url {
            out.push_str(&format!("{:<width$}  {url}\n", "Online"));
        }
        out.push_str(&format!("\n{}\n", self.footer));
        out
    }
}

/// A card's fields (name, value, inline), in display order, each within its limits; the empty
/// ones left out.
fn fields_of(review: &Review) -> Vec<(String, String, bool)> {
    let c = &review.credits;
    let mut fields: Vec<(String, String, bool)> = Vec::new();
    let mut field = |name: &str, value: String, inline: bool| {
        if !value.trim().is_empty() {
            fields.push((
                truncate(name, limits::FIELD_NAME),
                truncate(&value, limits::FIELD_VALUE),
                inline,
            ));
        }
    };
    field("Grade", review.grade.to_string(), true);
    let directed = if c.directors.len() > 1 {
        "Directors"
    } else {
        "Director"
    };
    field(directed, c.directors.join(", "), true);
    field(
        "Runtime",
        c.runtime_minutes
            .map(|m| format!("{m} min"))
            .unwrap_or_default(),
        true,
    );
    let mut cast: Vec<String> = c
        .cast
        .iter()
        .take(TOP_CAST)
        .map(|m| match &m.role {
            Some(role) => format!("{} ({role})", m.actor),
            None => m.actor.clone(),
        })
        .collect();
    if c.cast.len() > TOP_CAST {
        cast.push(format!("and {} more", c.cast.len() - TOP_CAST));
    }
    field("Starring", cast.join(", "), false);
    field("Rated", c.mpaa_rating.clone().unwrap_or_default(), true);
    field("Studio", c.studio.clone().unwrap_or_default(), true);
    field(
        "Reviewed",
        review.reviewed_on.map(human_date).unwrap_or_default(),
        true,
    );
    field("Also known as", review.alt_titles.join(", "), false);
    fields.truncate(limits::FIELDS);
    fields
}

/// Mentions nobody: review text can never ping a user, a role or @everyone.
pub fn no_mentions() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
}

/// The interaction response (type 4, a channel message) that shows one card.
pub fn card_response(card: &Card) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .embed(card.embed())
            .allowed_mentions(no_mentions()),
    )
}

/// A review as JSON, for `lookup --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewJson<'a> {
    pub id: i64,
    pub title: &'a str,
    pub year: Option<i32>,
    pub grade: Grade,
    pub pull_quote: Option<&'a str>,
    pub directors: &'a [String],
    /// The actors, in credit order.
    pub cast: Vec<&'a str>,
    /// The actors with the characters they play.
    pub cast_roles: &'a [crate::review::CastMember],
    pub writers: &'a [String],
    pub cinematographers: &'a [String],
    pub editors: &'a [String],
    pub music: &'a [String],
    pub producers: &'a [String],
    pub runtime_minutes: Option<u32>,
    pub mpaa_rating: Option<&'a str>,
    pub studio: Option<&'a str>,
    pub release_note: Option<&'a str>,
    pub alt_titles: &'a [String],
    /// `YYYY-MM-DD`.
    pub reviewed_on: Option<NaiveDate>,
    pub critic: Option<&'a str>,
    pub tagline: Option<&'a str>,
    pub layout: crate::review::Layout,
    pub body: &'a str,
    /// Where the review is published (a feed item's link, a saved page's canonical address);
    /// null for a review imported from a text file.
    pub url: Option<&'a str>,
}

impl<'a> ReviewJson<'a> {
    pub fn of(stored: &'a StoredReview) -> ReviewJson<'a> {
        let r = &stored.review;
        let c = &r.credits;
        ReviewJson {
            id: stored.id,
            title: &r.title,
            year: c.year,
            grade: r.grade,
            pull_quote: r.pull_quote.as_deref(),
            directors: &c.directors,
            cast: c.cast.iter().map(|m| m.actor.as_str()).collect(),
            cast_roles: &c.cast,
            writers: &c.writers,
            cinematographers: &c.cinematographers,
            editors: &c.editors,
            music: &c.music,
            producers: &c.producers,
            runtime_minutes: c.runtime_minutes,
            mpaa_rating: c.mpaa_rating.as_deref(),
            studio: c.studio.as_deref(),
            release_note: c.release_note.as_deref(),
            alt_titles: &r.alt_titles,
            reviewed_on: r.reviewed_on,
            critic: r.critic.as_deref(),
            tagline: r.tagline.as_deref(),
            layout: r.layout,
            body: &r.body,
            url: r.url.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_counts_characters_and_marks_the_cut() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("ééééé", 5), "ééééé");
        let cut = truncate("ééééééé", 5);
        assert_eq!(cut, "éééé…");
        assert_eq!(cut.chars().count(), 5);
        let words = "word ".repeat(100);
        let cut = truncate(&words, 50);
        assert!(cut.chars().count() <= 50);
        assert!(cut.ends_with("word…"), "{cut}");
        assert_eq!(truncate("abc", 0), "");
    }

    #[test]
    fn colours_follow_the_band() {
        assert_eq!(band_colour(Grade::APlus), band_colour(Grade::AMinus));
        assert_ne!(band_colour(Grade::AMinus), band_colour(Grade::BPlus));
        assert_ne!(band_colour(Grade::DMinus), band_colour(Grade::F));
    }

    fn capsule(url: Option<&str>) -> Review {
        let mut review =
            Review::parse("OPEN ROAD (director: Ida Penn; 2004)\n\nIt goes places. GRADE: B")
                .unwrap();
        review.url = url.map(str::to_owned);
        review
    }

    #[test]
    fn a_review_online_links_its_card_and_one_from_a_file_does_not() {
        let url = "https://critic.example/2004/05/06/open-road/";
        let card = Card::of(&capsule(Some(url)), "Critic");
        let embed = serde_json::to_value(card.embed()).unwrap();
        assert_eq!(embed["url"], url);
        let text = card.text();
        assert!(
            text.lines()
                .any(|l| l.starts_with("Online ") && l.ends_with(url)),
            "{text}"
        );
        let card = Card::of(&capsule(None), "Critic");
        let embed = serde_json::to_value(card.embed()).unwrap();
        assert!(embed.get("url").is_none(), "{embed}");
        assert!(!card.text().contains("Online"));
        // Only an address Discord takes is linked.
        for bad in ["javascript:alert(1)", "/relative/", "https://a b/", ""] {
            assert_eq!(Card::of(&capsule(Some(bad)), "Critic").url, None, "{bad}");
        }
    }

    #[test]
    fn dates_read_like_dates() {
        assert_eq!(
            human_date(NaiveDate::from_ymd_opt(2021, 8, 7).unwrap()),
            "Aug 7, 2021"
        );
    }
}
