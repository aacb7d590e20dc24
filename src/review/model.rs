//! The review as the rest of marquee sees it.

use chrono::NaiveDate;
use serde::Serialize;

use super::grade::Grade;

/// Which of the critic's two layouts a file was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// Credits header, pull quote, body, `<Director>'s <Title>` line, dated footer.
    Modern,
    /// Older capsule: `TITLE (credits) Reviewed on …` and one paragraph ending in the grade.
    Short,
}

impl Layout {
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Modern => "modern",
            Layout::Short => "short",
        }
    }
}

/// A credited job. The names are the values of the `credits.role` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Director,
    Writer,
    Cinematographer,
    Editor,
    Music,
    Cast,
    Producer,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Director,
        Role::Writer,
        Role::Cinematographer,
        Role::Editor,
        Role::Music,
        Role::Cast,
        Role::Producer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Director => "director",
            Role::Writer => "writer",
            Role::Cinematographer => "cinematographer",
            Role::Editor => "editor",
            Role::Music => "music",
            Role::Cast => "cast",
            Role::Producer => "producer",
        }
    }

    pub fn from_column(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// One cast entry: `Simon Rex (Mikey Saber)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CastMember {
    pub actor: String,
    /// The character, or several joined by `, ` when the actor plays more than one.
    pub role: Option<String>,
}

/// Everything the credits header says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Credits {
    pub directors: Vec<String>,
    pub writers: Vec<String>,
    pub cinematographers: Vec<String>,
    pub editors: Vec<String>,
    pub music: Vec<String>,
    pub cast: Vec<CastMember>,
    pub producers: Vec<String>,
    pub runtime_minutes: Option<u32>,
    pub mpaa_rating: Option<String>,
    pub studio: Option<String>,
    pub year: Option<i32>,
    /// What the year field says beside the year: country, language, `B/W`, `silent`.
    pub release_note: Option<String>,
}

impl Credits {
    /// The people of one job, in header order (cast: the actors).
    pub fn names(&self, role: Role) -> Vec<&str> {
        let list = match role {
            Role::Director => &self.directors,
            Role::Writer => &self.writers,
            Role::Cinematographer => &self.cinematographers,
            Role::Editor => &self.editors,
            Role::Music => &self.music,
            Role::Producer => &self.producers,
            Role::Cast => return self.cast.iter().map(|c| c.actor.as_str()).collect(),
        };
        list.iter().map(String::as_str).collect()
    }
}

/// A parsed review. `Review::parse` (in `parse.rs`) is the only way to make one from text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    pub layout: Layout,
    /// The readable title: `The Blues Brothers`, not `BLUES BROTHERS, THE`.
    pub title: String,
    /// Other titles the film is known by (the original-language title of a capsule).
    pub alt_titles: Vec<String>,
    pub credits: Credits,
    pub pull_quote: Option<String>,
    /// Body paragraphs separated by a blank line.
    pub body: String,
    pub tagline: Option<String>,
    /// From the `Reviewed by …` line, when there is one.
    pub critic: Option<String>,
    pub reviewed_on: Option<NaiveDate>,
    pub grade: Grade,
    /// The decoded text of the file, as it was.
    pub raw_text: String,
    /// Where the review is published: a feed item's link, or a saved page's canonical
    /// address. `None` for a review from a text file.
    pub url: Option<String>,
}

impl Review {
    pub fn year(&self) -> Option<i32> {
        self.credits.year
    }
}
