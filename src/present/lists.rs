//! Lists of films — a person's films, the best of an era, the hits of a text search — as one
//! page of an embed, as text for a terminal, and as JSON.

use serde::Serialize;
use serenity::builder::{CreateEmbed, CreateEmbedFooter};

use super::markdown::{escape, snippet, snippet_plain};
use super::{limits, title_with_year, truncate};
use crate::review::{Grade, GradeCounts, Role};
use crate::search::people::{PersonCandidate, RoleFilter};
use crate::store::FilmRow;

/// Films on one page of a list.
pub const PAGE_SIZE: usize = 10;
/// Characters of a title a list line shows (before escaping).
const LINE_TITLE: usize = 90;
/// Characters of snippet text a hit shows.
const SNIPPET_CHARS: usize = 240;
/// The colour of list embeds (neither a grade's nor an error's).
pub const LIST_COLOUR: u32 = 0x95_A5_A6;

/// How many pages `total` films fill (at least one, so that "nothing" is a page too).
pub fn page_count(total: usize) -> usize {
    total.div_ceil(PAGE_SIZE).max(1)
}

/// One film of a list, with what the list says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub film: FilmRow,
    /// For a text search: the matched words in context, marked (see `store::MATCH_START`).
    pub snippet: Option<String>,
}

impl Line {
    pub fn film(film: FilmRow) -> Line {
        Line {
            film,
            snippet: None,
        }
    }
}

/// One page of a list, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilmList {
    /// What the list is: `Jean-Luc Godard`, `Best of the 1970s`.
    pub heading: String,
    /// How many films and their grades: `12 films as director · A+ 2, A 3`.
    pub summary: String,
    /// A remark under the summary (`No review has every word; these have some.`).
    pub note: Option<String>,
    /// This page's films.
    pub lines: Vec<Line>,
    /// 0-based page number, and how many pages there are.
    pub page: usize,
    pub pages: usize,
}

impl FilmList {
    /// The number shown before the first line of this page.
    fn first_number(&self) -> usize {
        self.page * PAGE_SIZE + 1
    }

    /// The page as an embed: every piece of review text escaped, within Discord's limits.
    pub fn embed(&self) -> CreateEmbed {
        let mut description = escape(&truncate(&self.summary, 400));
        if let Some(note) = &self.note {
            description.push_str(&format!("\n*{}*", escape(note)));
        }
        if !self.lines.is_empty() {
            description.push('\n');
        }
        for (i, line) in self.lines.iter().enumerate() {
            let entry = markdown_line(self.first_number() + i, line);
            if description.chars().count() + entry.chars().count() + 1 > limits::DESCRIPTION {
                break;
            }
            description.push('\n');
            description.push_str(&entry);
        }
        let mut embed = CreateEmbed::new()
            .title(escape(&truncate(&self.heading, 120)))
            .colour(LIST_COLOUR)
            .description(description);
        if self.pages > 1 {
            embed = embed.footer(CreateEmbedFooter::new(format!(
                "Page {} of {}",
                self.page + 1,
                self.pages
            )));
        }
        embed
    }

    /// The page as text for a terminal.
    pub fn text(&self) -> String {
        let mut out = format!("{}\n", self.heading);
        out.push_str(&"─".repeat(self.heading.chars().count().clamp(1, 60)));
        out.push('\n');
        out.push_str(&self.summary);
        out.push('\n');
        if let Some(note) = &self.note {
            out.push_str(note);
            out.push('\n');
        }
        if !self.lines.is_empty() {
            out.push('\n');
        }
        let width = (self.first_number() + self.lines.len()).to_string().len();
        for (i, line) in self.lines.iter().enumerate() {
            let f = &line.film;
            out.push_str(&format!(
                "{:>width$}. {}  {}",
                self.first_number() + i,
                title_with_year(&f.title, f.year),
                f.grade
            ));
            if !f.roles.is_empty() {
                out.push_str(&format!("  {}", roles_text(&f.roles)));
            }
            out.push('\n');
            if let Some(marked) = &line.snippet {
                out.push_str(&format!("{:width$}  {}\n", "", snippet_plain(marked)));
            }
        }
        if self.pages > 1 {
            out.push_str(&format!("\npage {} of {}\n", self.page + 1, self.pages));
        }
        out
    }
}

/// `**3.** Breathless (1960) — **A** · director, writer`, and a hit's snippet below it.
fn markdown_line(number: usize, line: &Line) -> String {
    let f = &line.film;
    let mut text = format!(
        "**{number}.** {} — **{}**",
        escape(&truncate(&title_with_year(&f.title, f.year), LINE_TITLE)),
        f.grade
    );
    if !f.roles.is_empty() {
        text.push_str(&format!(" · {}", roles_text(&f.roles)));
    }
    if let Some(marked) = &line.snippet {
        text.push('\n');
        text.push_str(&snippet(marked, SNIPPET_CHARS));
    }
    text
}

/// `director, writer`.
pub fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `12 films`, `1 film`.
pub fn films(n: u32) -> String {
    if n == 1 {
        "1 film".to_owned()
    } else {
        format!("{n} films")
    }
}

/// The lines of page `page` (clamped to the last) of `films`, with the page and page count.
pub fn page_of<T: Clone>(items: &[T], page: usize) -> (Vec<T>, usize, usize) {
    let pages = page_count(items.len());
    let page = page.min(pages - 1);
    let start = page * PAGE_SIZE;
    let lines = items.iter().skip(start).take(PAGE_SIZE).cloned().collect();
    (lines, page, pages)
}

/// `12 films as director · A+ 2, A 3, B 5`.
pub fn person_summary(films: &[FilmRow], role: RoleFilter) -> String {
    let mut counts = GradeCounts::default();
    for f in films {
        counts.add(f.grade, 1);
    }
    let n = u32::try_from(films.len()).unwrap_or(u32::MAX);
    with_spread(format!("{}{}", self::films(n), role_words(role)), &counts)
}

/// `head · A+ 2, A 3`, or `head` alone when there is no grade to count.
fn with_spread(head: String, counts: &GradeCounts) -> String {
    let spread = counts.spread();
    if spread.is_empty() {
        head
    } else {
        format!("{head} · {spread}")
    }
}

/// ` as director`, ` in the cast`, ` as writer`, or nothing for any job.
pub fn role_words(role: RoleFilter) -> &'static str {
    match role {
        RoleFilter::Director => " as director",
        RoleFilter::Cast => " in the cast",
        RoleFilter::Writer => " as writer",
        RoleFilter::Any => "",
    }
}

/// `42 films · A+ 2, A 3 …`.
pub fn grades_summary(counts: &GradeCounts) -> String {
    with_spread(films(counts.total()), counts)
}

/// What a scope covers, in words: `the 1970s`, `1976`, `Jean-Luc Godard, the 1960s`, or
/// `the whole archive`.
pub fn scope_label(
    decade: Option<crate::review::Decade>,
    year: Option<i32>,
    person: Option<&str>,
) -> String {
    let time = match (year, decade) {
        (Some(y), _) => Some(y.to_string()),
        (None, Some(d)) => Some(format!("the {d}")),
        (None, None) => None,
    };
    match (person, time) {
        (Some(p), Some(t)) => format!("{p}, {t}"),
        (Some(p), None) => p.to_owned(),
        (None, Some(t)) => t,
        (None, None) => "the whole archive".to_owned(),
    }
}

/// A film in a list, as JSON: `{"title","year","grade"}`, with `roles` in a person's list.
#[derive(Debug, Clone, Serialize)]
pub struct FilmJson<'a> {
    pub title: &'a str,
    pub year: Option<i32>,
    pub grade: Grade,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<&'a [Role]>,
}

impl<'a> FilmJson<'a> {
    pub fn of(film: &'a FilmRow) -> FilmJson<'a> {
        FilmJson {
            title: &film.title,
            year: film.year,
            grade: film.grade,
            roles: None,
        }
    }

    pub fn with_roles(film: &'a FilmRow) -> FilmJson<'a> {
        FilmJson {
            roles: Some(&film.roles),
            ..FilmJson::of(film)
        }
    }
}

/// A text search hit as JSON: the snippet as the embed shows it (Discord markdown, matched
/// words in bold, the rest escaped).
#[derive(Debug, Clone, Serialize)]
pub struct HitJson<'a> {
    pub title: &'a str,
    pub year: Option<i32>,
    pub grade: Grade,
    pub snippet: String,
}

impl<'a> HitJson<'a> {
    pub fn of(film: &'a FilmRow, marked: &str) -> HitJson<'a> {
        HitJson {
            title: &film.title,
            year: film.year,
            grade: film.grade,
            snippet: snippet(marked, SNIPPET_CHARS),
        }
    }
}

/// `marquee person --format json`.
#[derive(Debug, Serialize)]
pub struct PersonJson<'a> {
    pub query: &'a str,
    pub person: Option<PersonRef<'a>>,
    pub candidates: &'a [PersonCandidate],
    pub films: Vec<FilmJson<'a>>,
}

/// The person a query was taken to mean, and how many films they have under the filter.
#[derive(Debug, Serialize)]
pub struct PersonRef<'a> {
    pub name: &'a str,
    pub films: usize,
}

/// `marquee top --format json`: `total` counts every film in the scope.
#[derive(Debug, Serialize)]
pub struct TopJson<'a> {
    pub films: Vec<FilmJson<'a>>,
    pub total: u32,
}

/// `marquee search --format json`.
#[derive(Debug, Serialize)]
pub struct SearchJson<'a> {
    pub query: &'a str,
    pub total: u32,
    pub hits: Vec<HitJson<'a>>,
}

/// `marquee stats --format json`: `{"count":N,"by_grade":{"A+":n,…},"mean":"B+"}`, the
/// grades in order and every one present; `mean` is null when there is no film.
#[derive(Debug, Serialize)]
pub struct StatsJson<'a> {
    pub count: u32,
    pub by_grade: &'a GradeCounts,
    pub mean: Option<Grade>,
}

impl<'a> StatsJson<'a> {
    pub fn of(counts: &'a GradeCounts) -> StatsJson<'a> {
        StatsJson {
            count: counts.total(),
            by_grade: counts,
            mean: counts.mean(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, title: &str, grade: Grade, roles: Vec<Role>) -> FilmRow {
        FilmRow {
            id,
            title: title.to_owned(),
            year: Some(1960 + id as i32),
            grade,
            roles,
        }
    }

    #[test]
    fn pages_are_counted_in_tens() {
        assert_eq!(page_count(0), 1);
        assert_eq!(page_count(10), 1);
        assert_eq!(page_count(11), 2);
        let items: Vec<usize> = (0..25).collect();
        assert_eq!(page_of(&items, 1), ((10..20).collect(), 1, 3));
        assert_eq!(
            page_of(&items, 99),
            ((20..25).collect(), 2, 3),
            "past the end: the last page"
        );
        assert_eq!(page_of(&[] as &[usize], 5), (vec![], 0, 1));
    }

    #[test]
    fn summaries_count_films_and_grades() {
        let films = vec![
            row(1, "a", Grade::A, vec![Role::Director]),
            row(2, "b", Grade::A, vec![Role::Director]),
            row(3, "c", Grade::C, vec![Role::Director, Role::Writer]),
        ];
        assert_eq!(
            person_summary(&films, RoleFilter::Director),
            "3 films as director · A 2, C 1"
        );
        assert_eq!(person_summary(&films[..1], RoleFilter::Any), "1 film · A 1");
        assert_eq!(person_summary(&[], RoleFilter::Cast), "0 films in the cast");
        assert_eq!(grades_summary(&GradeCounts::default()), "0 films");
        assert_eq!(
            scope_label(crate::review::Decade::of(1975).ok(), None, None),
            "the 1970s"
        );
        assert_eq!(
            scope_label(
                crate::review::Decade::of(1970).ok(),
                Some(1976),
                Some("Ann Lee")
            ),
            "Ann Lee, 1976"
        );
        assert_eq!(scope_label(None, None, None), "the whole archive");
    }

    #[test]
    fn a_page_numbers_its_lines_and_escapes_review_text() {
        let list = FilmList {
            heading: "**Evil** Name".into(),
            summary: "12 films as director · A 2".into(),
            note: None,
            lines: vec![
                Line::film(row(
                    1,
                    "*batteries not included",
                    Grade::A,
                    vec![Role::Director, Role::Writer],
                )),
                Line::film(row(2, "@everyone", Grade::F, vec![Role::Cast])),
            ],
            page: 1,
            pages: 2,
        };
        let embed = serde_json::to_value(list.embed()).unwrap();
        assert_eq!(embed["title"], r"\*\*Evil\*\* Name");
        let description = embed["description"].as_str().unwrap();
        assert!(
            description
                .contains(r"**11.** \*batteries not included (1961) — **A** · director, writer"),
            "{description}"
        );
        assert!(
            description.contains(r"**12.** \@everyone (1962) — **F** · cast"),
            "{description}"
        );
        assert_eq!(embed["footer"]["text"], "Page 2 of 2");
        let text = list.text();
        assert!(
            text.contains("11. *batteries not included (1961)  A  director, writer"),
            "{text}"
        );
        assert!(text.contains("page 2 of 2"), "{text}");
    }

    #[test]
    fn a_long_page_stays_within_the_description_limit() {
        let lines = (0..10)
            .map(|i| Line {
                film: row(i, &"long title ".repeat(40), Grade::B, Vec::new()),
                snippet: Some("*".repeat(2000)),
            })
            .collect();
        let list = FilmList {
            heading: "h".repeat(1000),
            summary: "s".repeat(1000),
            note: Some("n".into()),
            lines,
            page: 0,
            pages: 1,
        };
        let embed = serde_json::to_value(list.embed()).unwrap();
        assert!(embed["description"].as_str().unwrap().chars().count() <= limits::DESCRIPTION);
        assert!(embed["title"].as_str().unwrap().chars().count() <= limits::TITLE);
    }
}
