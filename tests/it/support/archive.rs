//! A small archive written for the browsing tests, in the critic's two layouts: people who
//! share a surname, an accented name, a person with three pages of films, grades that tie,
//! undated capsules, and review text that tries to format and ping.

use std::path::{Path, PathBuf};

use marquee::import::Source;

/// One review of the fixture.
pub struct Film {
    pub title: &'static str,
    pub year: i32,
    pub grade: &'static str,
    pub directors: &'static [&'static str],
    pub writers: &'static [&'static str],
    pub cast: &'static [&'static str],
    /// `M/D/YYYY`; `None` for an undated capsule.
    pub reviewed: Option<&'static str>,
    pub quote: &'static str,
    pub body: &'static str,
}

/// The person with three pages of films (one more than 2 × 10 on top of the named ones).
pub const BUSY_ACTOR: &str = "Pia Holt";
/// How many films `BUSY_ACTOR` is in.
pub const BUSY_FILMS: usize = 24;

pub fn films() -> Vec<Film> {
    vec![
        Film {
            title: "Harbour Lights",
            year: 1972,
            grade: "A",
            directors: &["Kyôko Arai"],
            writers: &["Ada Lund"],
            cast: &["Nils Lund (Tomas)", "Pia Holt (the widow)"],
            reviewed: Some("3/4/1999"),
            quote: "A quiet masterpiece about a fishing town that time forgot.",
            body: "Everything happens in the café by the harbour, where the nets dry on the wall.",
        },
        Film {
            title: "Paper Moons",
            year: 1975,
            grade: "A",
            directors: &["Kyôko Arai"],
            writers: &["Kyôko Arai"],
            cast: &["Mara Lund (June)", "Oren Castell"],
            reviewed: Some("5/6/2001"),
            quote: "Arai shows a mastery of light that few can match.",
            body: "Two sisters run a failing cinema and refuse to close it.",
        },
        Film {
            title: "Long Field, The",
            year: 1978,
            grade: "A",
            directors: &["Mara Lund"],
            writers: &["Ada Lund"],
            cast: &["Ivo Lund (the farmer)"],
            reviewed: None,
            quote: "",
            body: "A farmer waits out a drought with nothing but his radio for company.",
        },
        Film {
            title: "Night Ferry",
            year: 1971,
            grade: "B+",
            directors: &["Mara Lund"],
            writers: &["Mara Lund"],
            cast: &["Ivo Lund (the captain)", "Pia Holt"],
            reviewed: Some("2/2/2000"),
            quote: "A taut thriller on the crossing to the islands.",
            body: "The town sleeps while the captain checks the fishing rods and the cargo.",
        },
        Film {
            title: "Glass Houses",
            year: 1979,
            grade: "C",
            directors: &["Mara Lund"],
            writers: &["Jean-Luc Godard"],
            cast: &["Nils Lund (the tenant)"],
            reviewed: Some("8/9/2002"),
            quote: "It loses its way one night and never finds it again.",
            body: "A building full of tenants who spy on one another.",
        },
        Film {
            title: "Breath of Air",
            year: 1960,
            grade: "A-",
            directors: &["Jean-Luc Godard"],
            writers: &["Jean-Luc Godard"],
            cast: &["Oren Castell (the thief)"],
            reviewed: Some("1/1/1998"),
            quote: "Restless, rude and alive.",
            body: "A thief and a student wander Paris for a week.",
        },
        Film {
            title: "Weekend Rain",
            year: 1967,
            grade: "B",
            directors: &["Jean-Luc Godard"],
            writers: &["Oren Castell"],
            cast: &["Pia Holt (the driver)"],
            reviewed: Some("6/6/1998"),
            quote: "A traffic jam as the end of the world.",
            body: "Cars, horns and a naive driver in a long tracking shot down a country road.",
        },
        Film {
            title: "Loud Neighbours",
            year: 1985,
            grade: "D",
            directors: &["Oren Castell"],
            writers: &["Oren Castell"],
            cast: &["Pia Holt"],
            reviewed: Some("4/4/1990"),
            quote: "Noise passing itself off as satire.",
            body: "The flat next door throws a **starburst** party for <@123> and @everyone, ||spoiled|| by [a link](https://example.test).",
        },
    ]
}

/// The filler films that give `BUSY_ACTOR` three pages.
fn episodes() -> Vec<(String, i32, &'static str)> {
    let grades = ["B", "B-", "C+", "A-", "F"];
    let named = films()
        .iter()
        .filter(|f| f.cast.iter().any(|c| c.starts_with(BUSY_ACTOR)))
        .count();
    (0..BUSY_FILMS - named)
        .map(|i| {
            (
                format!("Episode {}", i + 1),
                1980 + i as i32,
                grades[i % grades.len()],
            )
        })
        .collect()
}

/// A modern review of `f`.
fn modern(f: &Film) -> String {
    let mut credits = vec![match f.directors {
        [one] => format!("director: {one}"),
        many => format!("directors: {}", many.join(" & ")),
    }];
    if !f.writers.is_empty() {
        credits.push(format!("screenwriter: {}", f.writers.join(", ")));
    }
    credits.push(format!("cast: {}", f.cast.join(", ")));
    credits.push("Runtime: 95".into());
    credits.push("Kino Lorber".into());
    credits.push(f.year.to_string());
    let date = f.reviewed.unwrap_or("1/1/2000");
    format!(
        "({})\n\n“{}”\n\nReviewed by Dennis Schwartz\n\n{}\n\n{}'s {}\n      a tagline for the tests\n\n\nREVIEWED ON {date}  GRADE: {}\n",
        credits.join("; "),
        f.quote,
        f.body,
        f.directors.join(" & "),
        f.title,
        f.grade
    )
}

/// A capsule review of `f` (no date, no pull quote).
fn capsule(f: &Film) -> String {
    format!(
        "{} (director: {}; screenwriter: {}; cast: {}; Runtime: 88; Janus Films; {})\n\n{} GRADE: {}\n",
        f.title.to_uppercase(),
        f.directors.join(" & "),
        f.writers.join(", "),
        f.cast.join(", "),
        f.year,
        f.body,
        f.grade
    )
}

/// Every review of the fixture as (file name, text).
pub fn texts() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = films()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let text = if f.reviewed.is_none() {
                capsule(f)
            } else {
                modern(f)
            };
            (format!("film-{i:02}.txt"), text)
        })
        .collect();
    for (i, (title, year, grade)) in episodes().into_iter().enumerate() {
        let text = format!(
            "(director: Quin Birch; cast: {BUSY_ACTOR} (herself), Gus Rowe; Runtime: 30; Neon; {year})\n\n“Another week, another episode.”\n\nReviewed by Dennis Schwartz\n\nMore of the same.\n\nQuin Birch's {title}\n      keeps going\n\n\nREVIEWED ON 1/{day}/2005  GRADE: {grade}\n",
            day = i + 1
        );
        out.push((format!("episode-{i:02}.txt"), text));
    }
    out
}

/// The fixture as import sources.
pub fn sources() -> Vec<Source> {
    texts()
        .into_iter()
        .map(|(name, text)| Source::Bytes {
            name,
            bytes: text.into_bytes(),
        })
        .collect()
}

/// Writes the fixture into `dir/archive` and returns that folder.
pub fn write(dir: &Path) -> PathBuf {
    let folder = dir.join("archive");
    std::fs::create_dir_all(&folder).unwrap();
    for (name, text) in texts() {
        std::fs::write(folder.join(name), text).unwrap();
    }
    folder
}

/// How many films of the fixture got `grade`.
pub fn count_graded(grade: &str) -> usize {
    films().iter().filter(|f| f.grade == grade).count()
        + episodes().iter().filter(|(_, _, g)| *g == grade).count()
}

/// How many reviews the fixture has.
pub fn len() -> usize {
    films().len() + episodes().len()
}
