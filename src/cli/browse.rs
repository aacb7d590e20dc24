//! `marquee person`, `top`, `search` and `stats`: the browsing commands, printed through
//! `present` as text or JSON (and the chart as PNG).

use crate::review::Decade;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::archive::Archive;
use crate::present::chart;
use crate::present::lists::{
    grades_summary, person_summary, role_words, scope_label, FilmJson, FilmList, HitJson, Line,
    PersonJson, PersonRef, SearchJson, StatsJson, TopJson,
};
use crate::search::people::{Person, RoleFilter};
use crate::search::words::TextQuery;
use crate::store::Scope;
use anyhow::Context;
use clap::{Args, ValueEnum};

/// How a list is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Readable lines.
    Text,
    /// JSON (see `--help` of each command for its shape).
    Json,
}

/// How `stats` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatsFormat {
    /// Bars drawn in the terminal.
    Text,
    /// {"count":N,"by_grade":{"A+":n,…},"mean":"B+"}.
    Json,
    /// The chart `/stats` attaches, as a PNG file (needs --out).
    Png,
}

fn parse_role(text: &str) -> Result<RoleFilter, String> {
    RoleFilter::parse(text)
}

#[derive(Debug, Args)]
pub struct PersonArgs {
    /// The name, however sloppy: `kubrick`, `j. l. godard`, `kyoko jarvis`.
    pub query: String,
    /// Only films with this job: director, cast, writer or any.
    #[arg(long, default_value = "any", value_parser = parse_role)]
    pub role: RoleFilter,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct TopArgs {
    /// Only films from this decade, e.g. 1970 (or any year in it, or 1970s).
    #[arg(long)]
    pub decade: Option<Decade>,
    /// Only films from this year.
    #[arg(long, value_parser = parse_year)]
    pub year: Option<i32>,
    /// Only films this person worked on (a sloppy name, as for `person`).
    #[arg(long)]
    pub person: Option<String>,
    /// How many films to list.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub limit: u32,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The words to look for; "a phrase" in quotes, word* for a prefix.
    #[arg(required = true, num_args = 1..)]
    pub words: Vec<String>,
    /// How many hits to list.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub limit: u32,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Only films this person worked on.
    #[arg(long)]
    pub person: Option<String>,
    /// Only films from this decade, e.g. 1970 (or any year in it, or 1970s).
    #[arg(long)]
    pub decade: Option<Decade>,
    #[arg(long, value_enum, default_value_t = StatsFormat::Text)]
    pub format: StatsFormat,
    /// Where `--format png` writes the chart (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `--year`: a year of film history.
pub(super) fn parse_year(text: &str) -> Result<i32, String> {
    let bad = |e: crate::review::era::OutOfEra| e.to_string();
    let given: i64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text} is not a year"))?;
    crate::review::era::year(given).map_err(bad)
}

fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", text.trim_end())?;
    Ok(())
}

fn status(found: bool) -> ExitCode {
    if found {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `marquee person QUERY`: every film of the person the query means, oldest first.
pub async fn person(archive: &Archive, args: &PersonArgs) -> anyhow::Result<ExitCode> {
    let people = archive.people().await?;
    let outcome = people.search(&args.query, args.role, 10);
    let chosen: Option<&Person> = outcome.best.as_ref().and_then(|b| people.person(b.id));
    let films = match chosen {
        Some(p) => archive.store().person_films(&p.ids, args.role).await?,
        None => Vec::new(),
    };
    match args.format {
        ListFormat::Json => {
            let value = PersonJson {
                query: &args.query,
                person: chosen.map(|p| PersonRef {
                    name: &p.name,
                    films: films.len(),
                }),
                candidates: &outcome.candidates,
                films: films.iter().map(FilmJson::with_roles).collect(),
            };
            print(&serde_json::to_string(&value)?)?;
        }
        ListFormat::Text => match chosen {
            Some(p) => {
                let list = FilmList {
                    heading: p.name.clone(),
                    summary: person_summary(&films, args.role),
                    note: None,
                    lines: films.iter().cloned().map(Line::film).collect(),
                    page: 0,
                    pages: 1,
                };
                let mut text = list.text();
                let others: Vec<_> = outcome
                    .candidates
                    .iter()
                    .filter(|c| c.id != p.id())
                    .collect();
                if outcome.ambiguous && !others.is_empty() {
                    text.push_str("\nOr did you mean:\n");
                    for c in others {
                        text.push_str(&format!("  {}\n", crate::commands::person::label(c)));
                    }
                }
                print(&text)?;
            }
            None => {
                let mut text = format!("Nobody in the archive matches “{}”", args.query);
                if args.role != RoleFilter::Any {
                    text.push_str(role_words(args.role));
                }
                text.push_str(".\n");
                if let Some(other) = (args.role != RoleFilter::Any)
                    .then(|| people.search(&args.query, RoleFilter::Any, 1).best)
                    .flatten()
                {
                    text.push_str(&format!(
                        "{} is in the archive: {}.\n",
                        other.name,
                        other.counts.describe()
                    ));
                } else if !outcome.candidates.is_empty() {
                    text.push_str("Closest names:\n");
                    for c in &outcome.candidates {
                        text.push_str(&format!("  {}\n", crate::commands::person::label(c)));
                    }
                }
                eprint!("{text}");
            }
        },
    }
    Ok(status(chosen.is_some()))
}

/// The scope of `top` and `stats`, with the person's name; `None` when the person matches
/// nobody (said on stderr).
async fn scope(
    archive: &Archive,
    decade: Option<Decade>,
    year: Option<i32>,
    person: Option<&str>,
) -> anyhow::Result<Option<(Scope, Option<String>)>> {
    let Some(query) = person else {
        return Ok(Some((
            Scope {
                decade,
                year,
                people: None,
            },
            None,
        )));
    };
    let people = archive.people().await?;
    let Some(found) = people
        .search(query, RoleFilter::Any, 1)
        .best
        .and_then(|b| people.person(b.id).cloned())
    else {
        eprintln!("Nobody in the archive matches “{query}”.");
        return Ok(None);
    };
    Ok(Some((
        Scope {
            decade,
            year,
            people: Some(found.ids.clone()),
        },
        Some(found.name),
    )))
}

/// `marquee top`: the best-graded films, best first.
pub async fn top(archive: &Archive, args: &TopArgs) -> anyhow::Result<ExitCode> {
    crate::commands::top::check_era(args.decade, args.year)
        .map_err(|e| anyhow::anyhow!("--decade and --year: {e}"))?;
    let Some((scope, name)) =
        scope(archive, args.decade, args.year, args.person.as_deref()).await?
    else {
        return Ok(ExitCode::from(1));
    };
    let counts = archive.store().grade_counts(&scope).await?;
    let films = archive.store().best_films(&scope, 0, args.limit).await?;
    match args.format {
        ListFormat::Json => {
            let value = TopJson {
                films: films.iter().map(FilmJson::of).collect(),
                total: counts.total(),
            };
            print(&serde_json::to_string(&value)?)?;
        }
        ListFormat::Text => {
            let list = FilmList {
                heading: format!(
                    "Best of {}",
                    scope_label(args.decade, args.year, name.as_deref())
                ),
                summary: grades_summary(&counts),
                note: None,
                lines: films.iter().cloned().map(Line::film).collect(),
                page: 0,
                pages: 1,
            };
            print(&list.text())?;
        }
    }
    Ok(status(!films.is_empty()))
}

/// `marquee search WORDS`: reviews that mention the words, best first.
pub async fn search(archive: &Archive, args: &SearchArgs) -> anyhow::Result<ExitCode> {
    let text = args.words.join(" ");
    let Some(query) = TextQuery::parse(&text) else {
        anyhow::bail!("`{text}` has no word to search for: give a word or two (\"a phrase\" in quotes, word* for a prefix)");
    };
    let results = archive.store().text_search(&query, 0, args.limit).await?;
    match args.format {
        ListFormat::Json => {
            let value = SearchJson {
                query: &text,
                total: results.total,
                hits: results
                    .hits
                    .iter()
                    .map(|h| HitJson::of(&h.film, &h.snippet))
                    .collect(),
            };
            print(&serde_json::to_string(&value)?)?;
        }
        ListFormat::Text => {
            let list = FilmList {
                heading: format!("Search: {text}"),
                summary: match results.total {
                    1 => format!("1 review mentions “{text}”"),
                    n => format!("{n} reviews mention “{text}”"),
                },
                note: results
                    .any_term
                    .then(|| "No review has every word; these have some of them.".to_owned()),
                lines: results
                    .hits
                    .iter()
                    .map(|h| Line {
                        film: h.film.clone(),
                        snippet: Some(h.snippet.clone()),
                    })
                    .collect(),
                page: 0,
                pages: 1,
            };
            print(&list.text())?;
        }
    }
    Ok(status(results.total > 0))
}

/// `marquee stats`: the grade chart, as bars, JSON or a PNG.
pub async fn stats(archive: &Archive, args: &StatsArgs) -> anyhow::Result<ExitCode> {
    if args.format == StatsFormat::Png && args.out.is_none() {
        anyhow::bail!("--format png needs --out FILE (or --out - for standard output)");
    }
    let Some((scope, name)) = scope(archive, args.decade, None, args.person.as_deref()).await?
    else {
        return Ok(ExitCode::from(1));
    };
    let counts = archive.store().grade_counts(&scope).await?;
    let title = format!(
        "Grades: {}",
        scope_label(args.decade, None, name.as_deref())
    );
    match args.format {
        StatsFormat::Json => print(&serde_json::to_string(&StatsJson::of(&counts))?)?,
        StatsFormat::Text => {
            let mut text = format!("{title}\n{}", grades_summary(&counts));
            if let (Some(mean), Some(points)) = (counts.mean(), counts.mean_points()) {
                text.push_str(&format!(" · mean grade {mean} ({points:.2} points)"));
            }
            text.push_str("\n\n");
            text.push_str(&chart::text_bars(&counts));
            print(&text)?;
        }
        StatsFormat::Png => {
            let png = chart::png(&title, &counts)?;
            match args.out.as_deref() {
                Some(path) if path.as_os_str() == "-" => {
                    let mut out = std::io::stdout().lock();
                    anyhow::ensure!(
                        !out.is_terminal(),
                        "--out - would print a PNG to the terminal: redirect it to a file"
                    );
                    out.write_all(&png)?;
                }
                Some(path) => std::fs::write(path, &png)
                    .with_context(|| format!("--out {}: cannot write the chart", path.display()))?,
                None => {}
            }
        }
    }
    Ok(status(counts.total() > 0))
}
