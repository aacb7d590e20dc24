//! Reviews and titles made up here, seeded, for a machine without `../shared`: reviews in the
//! critic's two layouts (`../shared/FORMAT.md`: nine in ten modern, one in ten capsules) and
//! titles with the features sloppy queries play on (articles, sequel numerals, several words).

use std::fmt::Write as _;

use marquee::review::Grade;
use marquee::search::IndexEntry;

/// A small seeded generator (xorshift64*): the same seed gives the same data on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        // The state must never be zero.
        Rng(seed | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high.saturating_sub(low) + 1)
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    /// A word from a list that is never empty.
    fn word(&mut self, words: &[&'static str]) -> &'static str {
        self.pick(words).copied().unwrap_or_default()
    }
}

const ADJECTIVES: &[&str] = &[
    "Silent",
    "Crimson",
    "Broken",
    "Hidden",
    "Last",
    "Golden",
    "Lonely",
    "Savage",
    "Burning",
    "Frozen",
    "Little",
    "Wild",
    "Dark",
    "Bright",
    "Endless",
    "Restless",
    "Quiet",
    "Bitter",
    "Sweet",
    "Electric",
    "Hollow",
    "Iron",
    "Velvet",
    "Distant",
    "Secret",
    "Lost",
    "Forgotten",
    "Midnight",
    "Scarlet",
    "Blue",
    "Crooked",
    "Gentle",
    "Desperate",
    "Wicked",
    "Perfect",
    "Strange",
    "Final",
    "Northern",
    "Painted",
    "Sleeping",
    "Falling",
    "Eternal",
    "Glass",
    "Paper",
    "Stolen",
    "Borrowed",
    "Winter",
    "Morning",
    "Deadly",
    "Tender",
];

const NOUNS: &[&str] = &[
    "Harbor",
    "River",
    "Station",
    "Garden",
    "Mirror",
    "Shadow",
    "Summer",
    "Highway",
    "Kingdom",
    "Stranger",
    "Witness",
    "Island",
    "Mountain",
    "Window",
    "Letter",
    "Promise",
    "Circus",
    "Orchard",
    "Frontier",
    "Empire",
    "Engine",
    "Ballad",
    "Citadel",
    "Lantern",
    "Carnival",
    "Horizon",
    "Valley",
    "Tower",
    "Bridge",
    "Desert",
    "Ocean",
    "Forest",
    "Hunter",
    "Dancer",
    "Soldier",
    "Detective",
    "Widow",
    "Prophet",
    "Thief",
    "Sister",
    "Brother",
    "Daughter",
    "Captain",
    "Doctor",
    "Angel",
    "Devil",
    "Ghost",
    "Machine",
    "Affair",
    "Journey",
    "Alibi",
    "Echo",
    "Umpire",
    "Outlaw",
    "Exile",
    "Heiress",
    "Inventor",
    "Assassin",
    "Orphan",
];

const PLACES: &[&str] = &[
    "Paris",
    "Tokyo",
    "Brooklyn",
    "Tangier",
    "Vienna",
    "Memphis",
    "Havana",
    "Berlin",
    "Lisbon",
    "Bombay",
    "Alaska",
    "Texas",
    "Rome",
    "Harlem",
    "Shanghai",
    "Dublin",
    "Marseille",
    "Cairo",
];

const ORIGINAL_TITLES: &[&str] = &[
    "La Nuit Blanche",
    "Der Letzte Zug",
    "Le Silence",
    "El Camino Largo",
    "Il Ritorno",
    "Die Stille Stadt",
    "Les Enfants du Port",
    "La Strada Vuota",
    "Kaze no Oka",
    "Det Sjunde",
];

const FIRST_NAMES: &[&str] = &[
    "Anna", "Marek", "Lucia", "Tomas", "Ingrid", "Oskar", "Ruth", "Felix", "Nadia", "Victor",
    "Clara", "Hugo", "Mira", "Jonas", "Elena", "Pavel", "Greta", "Milo", "Sofia", "Arthur",
    "Irene", "Dario", "Leona", "Bruno", "Hanna", "Emil", "Rosa", "Karl", "Vera", "Otto",
];

const SURNAMES: &[&str] = &[
    "Kessler",
    "Moreau",
    "Lindqvist",
    "Okafor",
    "Varga",
    "Castellano",
    "Brandt",
    "Novak",
    "Halloran",
    "Ferreira",
    "Takeda",
    "Bergman",
    "Duval",
    "Marchetti",
    "Sorensen",
    "Quinlan",
    "Abernathy",
    "Rautio",
    "Villalobos",
    "Petrakis",
    "Whitcombe",
    "Ostrowski",
    "Delacroix",
    "Haverford",
    "Iwasaki",
    "Montague",
    "Szabo",
    "Carrick",
    "Lindgren",
    "Ambrose",
];

const STUDIOS: &[&str] = &[
    "Northlight Pictures",
    "Harbor Films",
    "Meridian",
    "Blue Lantern",
    "Castle Rock Road",
    "Old Mill Releasing",
    "Silverline",
    "Quarry Films",
];

const MPAA: &[&str] = &["G", "PG", "PG-13", "R", "NR", "Not Rated"];

const SEQUELS: &[&str] = &[" II", " III", " IV", " 2", " 3", " Part II", " Part 2"];

/// Sentences of a body, with `{a}` an actor, `{d}` the director, `{x}` an adjective and
/// `{n}` a noun.
const SENTENCES: &[&str] = &[
    "{d} directs with a {x} restraint that never quite lets the story breathe.",
    "{a} is the film's one real pleasure, finding something {x} in a part written as a {n}.",
    "The plot, such as it is, follows a {x} {n} through three decades of bad decisions.",
    "Nothing here is as {x} as the score keeps insisting it is.",
    "It is handsomely shot, and the night scenes by the {n} have a {x} glow.",
    "{a} and {d} worked together before, and it shows in the easy rhythm of the long takes.",
    "The second half loses its nerve and turns the {n} into a plot device.",
    "What lingers is the {x} final image, held a beat longer than is comfortable.",
    "The dialogue is {x}, the pacing is deliberate, and the ending is earned.",
    "As a study of a {n} under pressure it is sharper than it first appears.",
    "{d} borrows freely from the old studio pictures without ever feeling {x}.",
    "The supporting cast, {a} above all, gives the {n} more texture than the script allows.",
];

const QUOTES: &[&str] = &[
    "A {x} little film about a {n}, better than it has any right to be.",
    "{d} makes the {n} feel {x} and new again.",
    "Handsome, {x} and about twenty minutes too long.",
];

const TAGLINES: &[&str] = &[
    "the {n} nobody wanted to talk about",
    "a {x} homecoming",
    "lost and found by the {n}",
];

struct Film {
    title: String,
    original: Option<String>,
    year: u32,
    directors: Vec<String>,
    writer: String,
    crew: [String; 3],
    cast: Vec<(String, String)>,
    runtime: usize,
    mpaa: &'static str,
    producer: String,
    studio: &'static str,
    grade: Grade,
    /// Month, day, year.
    reviewed: Option<(usize, usize, u32)>,
    capsule: bool,
}

/// A title: one of a few shapes, sometimes a sequel.
fn title(rng: &mut Rng) -> String {
    let adjective = rng.word(ADJECTIVES);
    let noun = rng.word(NOUNS);
    let other = rng.word(NOUNS);
    let place = rng.word(PLACES);
    let mut title = match rng.below(9) {
        0 | 1 => format!("The {adjective} {noun}"),
        2 => format!("{adjective} {noun}"),
        3 => format!("{} {noun} in {place}", article(noun)),
        4 => format!("{noun} of the {adjective} {other}"),
        5 => format!("The {noun} from {place}"),
        6 => format!("The {noun} and the {other}"),
        7 => format!("Night of the {adjective} {noun}"),
        _ => format!("{place} {noun}"),
    };
    if rng.chance(6) {
        title.push_str(rng.word(SEQUELS));
    }
    title
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "An"
    } else {
        "A"
    }
}

fn person(rng: &mut Rng) -> String {
    format!("{} {}", rng.word(FIRST_NAMES), rng.word(SURNAMES))
}

fn grade(rng: &mut Rng) -> Grade {
    Grade::ALL
        .get(rng.below(Grade::ALL.len()))
        .copied()
        .unwrap_or(Grade::B)
}

fn film(rng: &mut Rng) -> Film {
    let year = 1920 + rng.below(105) as u32;
    let directors = if rng.chance(5) {
        vec![person(rng), person(rng)]
    } else {
        vec![person(rng)]
    };
    let cast = (0..rng.between(2, 6))
        .map(|_| (person(rng), rng.word(FIRST_NAMES).to_owned()))
        .collect();
    let capsule = rng.chance(10);
    Film {
        title: title(rng),
        original: (capsule && rng.chance(30)).then(|| rng.word(ORIGINAL_TITLES).to_owned()),
        year,
        directors,
        writer: person(rng),
        crew: [person(rng), person(rng), person(rng)],
        cast,
        runtime: rng.between(70, 190),
        mpaa: rng.word(MPAA),
        producer: person(rng),
        studio: rng.word(STUDIOS),
        grade: grade(rng),
        reviewed: (!capsule || rng.chance(50)).then(|| {
            let reviewed = (year + rng.below(30) as u32).clamp(1996, 2025);
            (rng.between(1, 12), rng.between(1, 28), reviewed)
        }),
        capsule,
    }
}

/// A sentence template filled in for `film`.
fn fill(template: &str, film: &Film, rng: &mut Rng) -> String {
    let actor = film
        .cast
        .get(rng.below(film.cast.len()))
        .map_or("the lead", |(actor, _)| actor.as_str());
    let director = film.directors.first().map_or("", String::as_str);
    template
        .replace("{a}", actor)
        .replace("{d}", director)
        .replace("{x}", &rng.word(ADJECTIVES).to_lowercase())
        .replace("{n}", &rng.word(NOUNS).to_lowercase())
}

fn paragraph(film: &Film, rng: &mut Rng, sentences: usize) -> String {
    (0..sentences)
        .map(|_| fill(rng.word(SENTENCES), film, rng))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A grade as the critic writes it: `B+`, `B +`, `A –`, `C-`.
fn written_grade(grade: Grade, rng: &mut Rng) -> String {
    let plain = grade.as_str();
    let Some(letter) = plain.get(..1) else {
        return plain.to_owned();
    };
    let sign = match plain.get(1..) {
        Some("-") if rng.chance(50) => "–",
        Some(sign) => sign,
        None => "",
    };
    if !sign.is_empty() && rng.chance(50) {
        format!("{letter} {sign}")
    } else {
        format!("{letter}{sign}")
    }
}

/// The credits inside the header's parentheses, up to the year.
fn credits(film: &Film, full: bool) -> String {
    let mut header = String::new();
    match film.directors.as_slice() {
        [one] => {
            let _ = write!(header, "director: {one}; ");
        }
        many => {
            let _ = write!(header, "directors: {}; ", many.join(" & "));
        }
    }
    let cast: Vec<String> = film
        .cast
        .iter()
        .map(|(actor, role)| format!("{actor} ({role})"))
        .collect();
    if full {
        let [photography, editing, music] = &film.crew;
        let _ = write!(
            header,
            "screenwriter: {}; cinematographer: {photography}; editor: {editing}; \
             music: {music}; cast: {}; Runtime: {}; MPAA Rating: {}; producer: {}: {}; ",
            film.writer,
            cast.join(", "),
            film.runtime,
            film.mpaa,
            film.producer,
            film.studio
        );
    } else {
        let _ = write!(
            header,
            "cast: {}; Runtime: {}; {}; ",
            cast.join(", "),
            film.runtime,
            film.studio
        );
    }
    let _ = write!(header, "{}", film.year);
    header
}

/// The modern layout: header, pull quote, byline, body, title line with tagline, footer.
fn modern(film: &Film, rng: &mut Rng) -> String {
    let mut text = format!("({})\n\n", credits(film, true));
    let quote = fill(rng.word(QUOTES), film, rng);
    let _ = write!(text, "“{quote}”\n\nReviewed by Dennis Schwartz\n\n");
    for _ in 0..rng.between(3, 5) {
        let sentences = rng.between(4, 7);
        let _ = write!(text, "{}\n\n", paragraph(film, rng, sentences));
    }
    let tagline = fill(rng.word(TAGLINES), film, rng);
    let _ = write!(
        text,
        "{}'s {}\n      {tagline}\n\n\n",
        film.directors.join(" & "),
        film.title
    );
    let (month, day, year) = film.reviewed.unwrap_or((1, 1, 2000));
    let _ = writeln!(
        text,
        "REVIEWED ON {month}/{day}/{year}  GRADE: {}",
        written_grade(film.grade, rng)
    );
    text
}

/// The capsule: `TITLE, THE (ORIGINAL) (credits; YEAR) Reviewed on M/D/YYYY.` and one paragraph.
fn capsule(film: &Film, rng: &mut Rng) -> String {
    let mut title = film.title.to_uppercase();
    for article in ["THE ", "A ", "AN "] {
        if let Some(rest) = title.strip_prefix(article) {
            title = format!("{rest}, {}", article.trim_end());
            break;
        }
    }
    if let Some(original) = &film.original {
        let _ = write!(title, " ({})", original.to_uppercase());
    }
    let mut text = format!("{title} ({})", credits(film, false));
    if let Some((month, day, year)) = film.reviewed {
        let _ = write!(text, " Reviewed on {month}/{day}/{year}.");
    }
    let sentences = rng.between(3, 6);
    let _ = writeln!(
        text,
        "\n\n{} GRADE: {}",
        paragraph(film, rng, sentences),
        written_grade(film.grade, rng)
    );
    text
}

/// `count` review files' text, in the critic's layouts.
pub fn reviews(count: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|_| {
            let film = film(&mut rng);
            if film.capsule {
                capsule(&film, &mut rng)
            } else {
                modern(&film, &mut rng)
            }
        })
        .collect()
}

/// `count` title index entries, as an archive of that many films would give.
pub fn entries(count: usize, seed: u64) -> Vec<IndexEntry> {
    let mut rng = Rng::new(seed);
    (1..=count as i64)
        .map(|id| {
            let title = title(&mut rng);
            let alt_titles = if rng.chance(3) {
                vec![rng.word(ORIGINAL_TITLES).to_owned()]
            } else {
                Vec::new()
            };
            IndexEntry {
                id,
                title,
                alt_titles,
                year: Some(1920 + rng.below(105) as i32),
                grade: grade(&mut rng),
            }
        })
        .collect()
}
