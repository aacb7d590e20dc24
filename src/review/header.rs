//! The credits header: `director: …; screenwriter: …; cast: …; Runtime: 128; …; A24; 2021`.
//!
//! The header is a list of parts separated by `;` (outside parentheses). Most parts are
//! `key: value`; the studio is unlabelled or follows a colon at the end of the producers' value;
//! the last part is the year, with optional country/language/format notes.

use super::model::{CastMember, Credits, Role};

/// What a header key means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Key {
    Roles(Vec<Role>),
    Runtime,
    Mpaa,
}

/// Known key words. Compound keys (`director/writer/producer`) are split on `/` first.
fn word_key(word: &str) -> Option<Key> {
    let role = |r| Some(Key::Roles(vec![r]));
    match word {
        "director" | "directors" | "directed by" | "dir" => role(Role::Director),
        "screenwriter" | "screenwriters" | "sc" | "writer" | "writers" | "screenplay"
        | "written by" | "story" => role(Role::Writer),
        "cinematographer" | "cinematographers" | "cinematography" | "photography" | "dp" => {
            role(Role::Cinematographer)
        }
        "editor" | "editors" | "film editor" | "editing" => role(Role::Editor),
        "music" | "composer" | "score" => role(Role::Music),
        "cast" | "starring" => role(Role::Cast),
        "producer" | "producers" | "executive producer" | "executive producers" => {
            role(Role::Producer)
        }
        "runtime" | "running time" | "run time" => Some(Key::Runtime),
        "mpaa rating" | "mpaa" | "rating" | "rated" => Some(Key::Mpaa),
        _ => None,
    }
}

/// The canonical key words that a misspelt key is compared against.
const FUZZY_TARGETS: &[&str] = &[
    "director",
    "directors",
    "screenwriter",
    "screenwriters",
    "cinematographer",
    "cinematographers",
    "editor",
    "editors",
    "music",
    "producer",
    "producers",
    "runtime",
    "mpaa rating",
];

/// Reads a header key, forgiving case, spacing, non-breaking spaces and small typos
/// (`cinematograher`, `screenwritter`).
pub(crate) fn parse_key(text: &str) -> Option<Key> {
    let cleaned = collapse_spaces(text).to_lowercase();
    if cleaned.is_empty() || cleaned.len() > 40 {
        return None;
    }
    let mut roles = Vec::new();
    let mut single = None;
    let words: Vec<&str> = cleaned.split('/').map(str::trim).collect();
    for word in &words {
        match word_key(word).or_else(|| fuzzy_key(word))? {
            Key::Roles(r) => roles.extend(r),
            other if words.len() == 1 => single = Some(other),
            _ => return None,
        }
    }
    single.or(Some(Key::Roles(roles)))
}

fn fuzzy_key(word: &str) -> Option<Key> {
    if word.chars().count() < 5 || !word.chars().all(|c| c.is_ascii_alphabetic() || c == ' ') {
        return None;
    }
    FUZZY_TARGETS
        .iter()
        .map(|target| (strsim::jaro_winkler(word, target), target))
        .filter(|(score, _)| *score >= 0.93)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .and_then(|(_, target)| word_key(target))
}

/// Trims ASCII and Unicode white space (the non-breaking space too) and folds runs of it into
/// one space.
pub(crate) fn collapse_spaces(text: &str) -> String {
    text.split(char::is_whitespace)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Splits `text` at every `sep` that stands outside parentheses.
pub(crate) fn split_outside_parens(text: &str, is_sep: impl Fn(char) -> bool) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 && is_sep(c) => {
                parts.push(text.get(start..i).unwrap_or(""));
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(text.get(start..).unwrap_or(""));
    parts
}

/// Finds the last `:` outside parentheses that is not a link's `://`.
fn last_colon_outside_parens(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut found = None;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ':' if depth == 0 && !text.get(i + 1..).is_some_and(|r| r.starts_with("//")) => {
                found = Some(i)
            }
            _ => {}
        }
    }
    found
}

/// `1997`, `1997-USA/UK`, `2008-Japan, in Japanese with English subtitles`, `1923-silent`.
pub(crate) fn parse_year_field(text: &str) -> Option<(i32, Option<String>)> {
    let text = text.trim();
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() != 4 {
        return None;
    }
    let year: i32 = digits.parse().ok()?;
    if !(1870..=2100).contains(&year) {
        return None;
    }
    let rest = text.get(4..).unwrap_or("");
    let note =
        rest.trim_start_matches(|c: char| c == '-' || c == '–' || c == ',' || c.is_whitespace());
    if !rest.is_empty() && note.len() == rest.len() {
        // `19971` or `1997abc`: not a year field.
        return None;
    }
    let note = collapse_spaces(note);
    Some((year, (!note.is_empty()).then_some(note)))
}

/// A part of the header, once classified.
enum Part<'a> {
    Labelled(Key, &'a str),
    /// A bare key whose colon was typed as `;`: the next part is its value.
    BareKey(Key),
    Plain(&'a str),
}

fn classify(part: &str) -> Part<'_> {
    if let Some(colon) = part.find(':') {
        let (key, value) = (
            part.get(..colon).unwrap_or(""),
            part.get(colon + 1..).unwrap_or(""),
        );
        if let Some(key) = parse_key(key) {
            return Part::Labelled(key, value);
        }
    }
    match parse_key(part) {
        Some(key) => Part::BareKey(key),
        None => Part::Plain(part),
    }
}

/// Parses the inside of the header (without the outer parentheses).
pub(crate) fn parse_credits(inner: &str) -> Credits {
    let mut credits = Credits::default();
    let parts: Vec<&str> = split_outside_parens(inner, |c| c == ';')
        .into_iter()
        .map(|p| p.trim_matches(|c: char| c.is_whitespace()))
        .filter(|p| !p.is_empty())
        .collect();
    // The year is the last part that reads as one (it is almost always the very last).
    let year_index = parts
        .iter()
        .rposition(|p| parse_year_field(p).is_some())
        .filter(|&i| i + 2 >= parts.len());
    if let Some((year, note)) = year_index
        .and_then(|i| parts.get(i))
        .and_then(|p| parse_year_field(p))
    {
        credits.year = Some(year);
        credits.release_note = note;
    }
    let mut pending: Option<Key> = None;
    for (i, part) in parts.iter().enumerate() {
        if Some(i) == year_index {
            continue;
        }
        let (key, value) = match (pending.take(), classify(part)) {
            (Some(key), Part::Plain(value)) => (key, value),
            (_, Part::Labelled(key, value)) => (key, value),
            (_, Part::BareKey(key)) => {
                pending = Some(key);
                continue;
            }
            (None, Part::Plain(studio)) => {
                set_studio(&mut credits, studio);
                continue;
            }
        };
        let value = match last_colon_outside_parens(value) {
            // `producers: A, B: A24` — the studio follows the value's last colon.
            Some(colon) if !matches!(key, Key::Runtime) => {
                set_studio(&mut credits, value.get(colon + 1..).unwrap_or(""));
                value.get(..colon).unwrap_or("")
            }
            _ => value,
        };
        apply(&mut credits, key, value);
    }
    credits
}

fn set_studio(credits: &mut Credits, text: &str) {
    let studio = collapse_spaces(text);
    if !studio.is_empty() {
        credits.studio = Some(studio);
    }
}

fn apply(credits: &mut Credits, key: Key, value: &str) {
    match key {
        Key::Runtime => {
            let digits: String = value
                .trim()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            credits.runtime_minutes = digits.parse().ok().filter(|&m| m > 0);
        }
        Key::Mpaa => {
            let rating = collapse_spaces(value);
            credits.mpaa_rating = (!rating.is_empty()).then_some(rating);
        }
        Key::Roles(roles) => {
            for role in roles {
                match role {
                    Role::Cast => credits.cast.extend(parse_cast(value)),
                    Role::Writer => credits.writers.extend(parse_writers(value)),
                    Role::Director => credits.directors.extend(split_names(value)),
                    Role::Cinematographer => credits.cinematographers.extend(split_names(value)),
                    Role::Editor => credits.editors.extend(split_names(value)),
                    Role::Music => credits.music.extend(split_names(value)),
                    Role::Producer => credits.producers.extend(split_names(value)),
                }
            }
        }
    }
}

/// Names joined by `, `, `/`, ` & ` or ` and `.
pub(crate) fn split_names(value: &str) -> Vec<String> {
    split_outside_parens(value, |c| c == ',' || c == '/' || c == '&')
        .into_iter()
        .flat_map(|p| p.split(" and "))
        .map(collapse_spaces)
        .filter(|n| !n.is_empty())
        .collect()
}

/// Writers, without the source notes: `Mara Brand/from the book Border Town by Oren Sable`,
/// `story by Ann Lee`.
fn parse_writers(value: &str) -> Vec<String> {
    let mut names = Vec::new();
    for piece in split_outside_parens(value, |c| c == ',' || c == '/') {
        let piece = collapse_spaces(piece);
        let lower = piece.to_lowercase();
        if ["from ", "based on", "adapted from", "inspired by"]
            .iter()
            .any(|p| lower.starts_with(p))
        {
            continue;
        }
        let name = ["story by ", "screenplay by ", "written by "]
            .iter()
            .find_map(|p| {
                lower
                    .strip_prefix(p)
                    .map(|_| piece.get(p.len()..).unwrap_or(""))
            })
            .unwrap_or(&piece);
        names.extend(split_names(name));
    }
    names
}

/// Cast entries: `Name (Character)`, `Name`, `Name(Character)`, `Name ( Character)`,
/// `Name (Character, Other Character)`.
pub(crate) fn parse_cast(value: &str) -> Vec<CastMember> {
    split_outside_parens(value, |c| c == ',')
        .into_iter()
        .filter_map(|entry| {
            let (actor, role) = match entry.find('(') {
                Some(open) => {
                    let inside = entry.get(open + 1..).unwrap_or("");
                    let inside = inside.rsplit_once(')').map_or(inside, |(r, _)| r);
                    (
                        entry.get(..open).unwrap_or(""),
                        Some(collapse_spaces(inside)),
                    )
                }
                None => (entry, None),
            };
            let actor = collapse_spaces(actor);
            let role = role.filter(|r| !r.is_empty());
            (!actor.is_empty()).then_some(CastMember { actor, role })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cast(pairs: &[(&str, Option<&str>)]) -> Vec<CastMember> {
        pairs
            .iter()
            .map(|(a, r)| CastMember {
                actor: a.to_string(),
                role: r.map(str::to_string),
            })
            .collect()
    }

    #[test]
    fn keys_and_their_spellings() {
        assert_eq!(
            parse_key("director"),
            Some(Key::Roles(vec![Role::Director]))
        );
        assert_eq!(
            parse_key(" Directors "),
            Some(Key::Roles(vec![Role::Director]))
        );
        assert_eq!(
            parse_key("director/writer/producer"),
            Some(Key::Roles(vec![
                Role::Director,
                Role::Writer,
                Role::Producer
            ]))
        );
        assert_eq!(parse_key("sc"), Some(Key::Roles(vec![Role::Writer])));
        assert_eq!(parse_key("MPAA\u{a0}Rating"), Some(Key::Mpaa));
        assert_eq!(parse_key("Runtime"), Some(Key::Runtime));
        assert_eq!(
            parse_key("cinematograher"),
            Some(Key::Roles(vec![Role::Cinematographer]))
        );
        assert_eq!(
            parse_key("screenwritter"),
            Some(Key::Roles(vec![Role::Writer]))
        );
        assert_eq!(parse_key("Sean Baker"), None);
        assert_eq!(parse_key("A24"), None);
        assert_eq!(parse_key("2021"), None);
    }

    #[test]
    fn year_field_with_notes() {
        assert_eq!(parse_year_field("2021"), Some((2021, None)));
        assert_eq!(
            parse_year_field("1997-USA/UK"),
            Some((1997, Some("USA/UK".into())))
        );
        assert_eq!(
            parse_year_field("2008-Japan, in Japanese with English subtitles"),
            Some((
                2008,
                Some("Japan, in Japanese with English subtitles".into())
            ))
        );
        assert_eq!(
            parse_year_field("2018-B/W-Mexico/USA-in Spanish with English subtitles"),
            Some((
                2018,
                Some("B/W-Mexico/USA-in Spanish with English subtitles".into())
            ))
        );
        assert_eq!(
            parse_year_field("1923-silent"),
            Some((1923, Some("silent".into())))
        );
        assert_eq!(parse_year_field("A24"), None);
        assert_eq!(parse_year_field("19971"), None);
        assert_eq!(parse_year_field("20th Century Fox"), None);
        assert_eq!(parse_year_field("128"), None);
    }

    #[test]
    fn cast_forms() {
        assert_eq!(
            parse_cast(" Simon Rex (Mikey Saber), Judy Hill ( Leondria), Abel Abbot(Maggie), Suzanna Son (Raylee, Strawberry), Brenda Deiss"),
            cast(&[
                ("Simon Rex", Some("Mikey Saber")),
                ("Judy Hill", Some("Leondria")),
                ("Abel Abbot", Some("Maggie")),
                ("Suzanna Son", Some("Raylee, Strawberry")),
                ("Brenda Deiss", None),
            ])
        );
        // A role whose closing parenthesis is missing keeps the rest as its role.
        assert_eq!(
            parse_cast("Ann Lee (the widow"),
            cast(&[("Ann Lee", Some("the widow"))])
        );
    }

    #[test]
    fn the_red_rocket_layout_header() {
        let c = parse_credits("director/writer:  Sean Baker; screenwriter: Chris Bergoch; cinematographer: Drew Daniels; editor: Sean Baker; music: ; cast:  Simon Rex (Mikey Saber), Bree Elrod (Lexi); Runtime: 128; MPAA Rating: R; producers; Sean Baker, Alex Coco: A24; 2021");
        assert_eq!(c.directors, vec!["Sean Baker"]);
        assert_eq!(c.writers, vec!["Sean Baker", "Chris Bergoch"]);
        assert_eq!(c.cinematographers, vec!["Drew Daniels"]);
        assert_eq!(c.editors, vec!["Sean Baker"]);
        assert!(c.music.is_empty());
        assert_eq!(c.cast.len(), 2);
        assert_eq!(c.runtime_minutes, Some(128));
        assert_eq!(c.mpaa_rating.as_deref(), Some("R"));
        assert_eq!(c.producers, vec!["Sean Baker", "Alex Coco"]);
        assert_eq!(c.studio.as_deref(), Some("A24"));
        assert_eq!(c.year, Some(2021));
    }

    #[test]
    fn unlabelled_studio_two_directors_and_writer_notes() {
        let c = parse_credits("directors:\u{a0} Ann Lee & Bo Park; screenwriters: Mara Brand/from the book Border Town by Oren Sable; cinematographer:Abel Quell; Runtime: 95 min.; Sony/Columbia; 1953-France-Italy");
        assert_eq!(c.directors, vec!["Ann Lee", "Bo Park"]);
        assert_eq!(c.writers, vec!["Mara Brand"]);
        assert_eq!(c.cinematographers, vec!["Abel Quell"]);
        assert_eq!(c.runtime_minutes, Some(95));
        assert_eq!(c.studio.as_deref(), Some("Sony/Columbia"));
        assert_eq!(c.year, Some(1953));
        assert_eq!(c.release_note.as_deref(), Some("France-Italy"));
    }

    #[test]
    fn names_joined_by_slash_comma_and_ampersand() {
        assert_eq!(
            split_names("Mara Pryce/Milo Zorn, Abel  Jarvis & Ann Lee"),
            vec!["Mara Pryce", "Milo Zorn", "Abel Jarvis", "Ann Lee"]
        );
        assert_eq!(
            parse_writers("story by Ann Lee, Bo Park"),
            vec!["Ann Lee", "Bo Park"]
        );
    }

    #[test]
    fn a_header_without_year_keeps_the_studio() {
        let c = parse_credits("director: Ann Lee; producer: Bo Park: Neon");
        assert_eq!(c.year, None);
        assert_eq!(c.studio.as_deref(), Some("Neon"));
        assert_eq!(c.producers, vec!["Bo Park"]);
    }

    #[test]
    fn a_repeated_key_adds_to_the_list() {
        let c = parse_credits("cast: Ann Lee (June); cast: Bo Park; 1999");
        assert_eq!(c.names(Role::Cast), vec!["Ann Lee", "Bo Park"]);
    }
}
