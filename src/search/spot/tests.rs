//! The spotter's rules, one at a time, over a small archive.

use proptest::prelude::*;

use super::*;
use crate::search::IndexEntry;

const FILMS: &[(&str, i32)] = &[
    ("The Florida Project", 2017),
    ("Red Rocket", 2021),
    ("Alien", 1979),
    ("Aliens", 1986),
    ("It", 2017),
    ("Up", 2009),
    ("Heat", 1995),
    ("Night Out", 2005),
    ("Blade Runner", 1982),
    ("Blade Runner 2049", 2017),
    ("King Kong", 1933),
    ("King Kong", 1976),
    ("King Kong", 2005),
    ("The Shawshank Redemption", 1994),
    ("The Godfather", 1972),
    ("The Godfather Part II", 1974),
    ("Rashomon", 1950),
    ("Vertigo", 1958),
    ("Casablanca", 1942),
    ("Taxi Driver", 1976),
    ("Seven Samurai", 1954),
    ("300", 2006),
    ("1941", 1979),
    ("Amélie", 2001),
    ("Spider-Man", 2002),
    ("Paddington 2", 2017),
    ("Distant Voices, Still Lives", 1988),
    ("The General", 1926),
    ("Schindler's List", 1993),
    ("Us", 2019),
    ("Kill Bill: Volume 1", 2003),
    ("Everything Everywhere All at Once", 2022),
];

fn index() -> TitleIndex {
    TitleIndex::new(
        FILMS
            .iter()
            .enumerate()
            .map(|(i, &(title, year))| IndexEntry {
                id: i as i64 + 1,
                title: title.to_owned(),
                alt_titles: Vec::new(),
                year: Some(year),
                grade: Grade::B,
            })
            .collect(),
    )
}

/// `Title (year)` of each film spotted in `text`, in order.
fn spotted(index: &TitleIndex, text: &str) -> Vec<String> {
    index
        .spot(text)
        .iter()
        .map(|s| format!("{} ({})", s.title, s.year.unwrap_or(0)))
        .collect()
}

fn finds(index: &TitleIndex, text: &str, films: &[&str]) {
    assert_eq!(spotted(index, text), films, "{text:?}");
}

#[test]
fn one_title_in_any_case_with_or_without_its_article() {
    let index = index();
    for text in [
        "we watched the florida project last night",
        "we watched Florida Project last night",
        "THE FLORIDA PROJECT was lovely",
        "florida project!",
    ] {
        finds(&index, text, &["The Florida Project (2017)"]);
    }
}

#[test]
fn several_titles_in_text_order_each_once() {
    let index = index();
    finds(
        &index,
        "we watched the florida project last night, and red rocket. red rocket is better",
        &["The Florida Project (2017)", "Red Rocket (2021)"],
    );
    finds(
        &index,
        "rashomon then seven samurai then rashomon again",
        &["Rashomon (1950)", "Seven Samurai (1954)"],
    );
}

#[test]
fn nothing_is_claimed_in_ordinary_talk() {
    let index = index();
    for text in [
        "it was a good night out",
        "It was a good night out, up until the heat got to us",
        "the general consensus is that the taxi driver got lost",
        "my alien costume needs work",
        "i get vertigo on ladders",
        "there were 300 people and it felt like 1941 all over again",
        "Heat is forecast for the weekend.",
        "Up early again.",
        "",
        "!!! ... ???",
    ] {
        finds(&index, text, &[]);
    }
}

#[test]
fn everyday_titles_need_a_sign() {
    let index = index();
    finds(&index, "I think Vertigo is the one", &["Vertigo (1958)"]);
    finds(&index, "we watched vertigo", &["Vertigo (1958)"]);
    finds(&index, "\"vertigo\" holds up", &["Vertigo (1958)"]);
    finds(&index, "vertigo 1958 holds up", &["Vertigo (1958)"]);
    finds(&index, "vertigo", &["Vertigo (1958)"]);
    finds(&index, "vertigo holds up", &[]);
    // Film talk: capitals anywhere, or a list of films.
    finds(&index, "Vertigo is my favourite movie", &["Vertigo (1958)"]);
    finds(
        &index,
        "rashomon and vertigo tonight",
        &["Rashomon (1950)", "Vertigo (1958)"],
    );
}

#[test]
fn short_titles_need_capitals_mid_sentence_or_quotes_or_a_year() {
    let index = index();
    finds(&index, "we saw It twice", &["It (2017)"]);
    finds(&index, "loved \"up\"", &["Up (2009)"]);
    finds(&index, "up (2009) made me cry", &["Up (2009)"]);
    finds(&index, "saw it twice", &[]);
    finds(&index, "It was great", &[]);
    finds(&index, "the US release", &[]);
}

#[test]
fn numbers_need_a_sign() {
    let index = index();
    finds(&index, "we watched 300 last night", &["300 (2006)"]);
    finds(&index, "we watched 300 movies this year", &[]);
    finds(&index, "in 1941 my grandfather left", &[]);
    finds(&index, "*1941* is a mess", &["1941 (1979)"]);
}

#[test]
fn quotes_and_markdown_and_a_year() {
    let index = index();
    for text in [
        "*Red Rocket* rules",
        "**Red Rocket** rules",
        "_red rocket_ rules",
        "“Red Rocket” rules",
        "'red rocket' rules",
    ] {
        finds(&index, text, &["Red Rocket (2021)"]);
    }
    finds(&index, "\"Alien\" (1979) still scares", &["Alien (1979)"]);
    finds(&index, "alien 1979 still scares", &["Alien (1979)"]);
    // A year that fits no film of that title is another film.
    finds(&index, "\"Alien\" (1992)", &[]);
}

#[test]
fn a_year_picks_the_remake() {
    let index = index();
    finds(&index, "king kong 1976 is a mess", &["King Kong (1976)"]);
    finds(&index, "King Kong (2005)", &["King Kong (2005)"]);
    finds(&index, "the 2005 king kong drags", &["King Kong (2005)"]);
    let spotted = index.spot("king kong is a classic");
    assert_eq!(spotted.len(), 1);
    assert_eq!(spotted[0].year, Some(1933), "the original first");
    assert_eq!(spotted[0].same_title.len(), 2);
    assert!(index.spot("King Kong (2005)")[0].same_title.is_empty());
}

#[test]
fn a_typo_in_a_long_title() {
    let index = index();
    finds(
        &index,
        "the shawshank redemtion is overrated",
        &["The Shawshank Redemption (1994)"],
    );
    finds(
        &index,
        "schindlers lsit wrecked me",
        &["Schindler's List (1993)"],
    );
    finds(&index, "rashomn", &["Rashomon (1950)"]);
    // Not in a short title, not a number.
    finds(&index, "we watched hear", &[]);
    finds(&index, "paddington 3 when", &[]);
}

#[test]
fn the_longest_mention_wins() {
    let index = index();
    finds(
        &index,
        "blade runner 2049 > Blade Runner",
        &["Blade Runner 2049 (2017)", "Blade Runner (1982)"],
    );
    finds(
        &index,
        "Blade Runner 2049 is long",
        &["Blade Runner 2049 (2017)"],
    );
    finds(
        &index,
        "the godfather part ii is better",
        &["The Godfather Part II (1974)"],
    );
}

#[test]
fn sequels_by_number() {
    let index = index();
    finds(
        &index,
        "godfather 2 is better",
        &["The Godfather Part II (1974)"],
    );
    finds(
        &index,
        "godfather part two",
        &["The Godfather Part II (1974)"],
    );
    finds(
        &index,
        "paddington two is perfect",
        &["Paddington 2 (2017)"],
    );
    // A sequel the archive lacks is not the first film.
    finds(&index, "godfather 3 is a mess", &[]);
}

#[test]
fn spacing_numbers_accents_joiners_possessives() {
    let index = index();
    finds(&index, "we watched spiderman", &["Spider-Man (2002)"]);
    finds(&index, "amelie!", &["Amélie (2001)"]);
    finds(&index, "Ame\u{301}lie", &["Amélie (2001)"]);
    finds(&index, "the god\u{2060}father", &["The Godfather (1972)"]);
    finds(&index, "7 samurai", &["Seven Samurai (1954)"]);
    finds(&index, "Alien's ending", &["Alien (1979)"]);
    finds(
        &index,
        "distant voices still lives",
        &["Distant Voices, Still Lives (1988)"],
    );
    finds(&index, "my godfather sent a card", &[]);
}

#[test]
fn film_talk_a_makers_name_and_lists() {
    let index = index();
    finds(
        &index,
        "hitchcock's vertigo is the one",
        &["Vertigo (1958)"],
    );
    finds(&index, "barry jenkins' vertigo", &["Vertigo (1958)"]);
    finds(&index, "my dad's vertigo is back", &[]);
    finds(
        &index,
        "taxi driver is such a tense film",
        &["Taxi Driver (1976)"],
    );
    finds(&index, "the taxi driver was rude", &[]);
    finds(
        &index,
        "rashomon, vertigo and heat",
        &["Rashomon (1950)", "Vertigo (1958)", "Heat (1995)"],
    );
}

#[test]
fn words_in_their_ordinary_sense() {
    let index = index();
    finds(&index, "James Brown, the godfather of soul", &[]);
    finds(&index, "an alien landed", &[]);
    // Capitals say nothing in a message in capitals.
    finds(&index, "I GET VERTIGO ON LADDERS", &[]);
    finds(&index, "I get Vertigo on ladders", &["Vertigo (1958)"]);
    // Words listed with commas are not a title that has none.
    finds(&index, "I want everything, everywhere, all at once", &[]);
    finds(
        &index,
        "everything everywhere all at once",
        &["Everything Everywhere All at Once (2022)"],
    );
}

#[test]
fn abbreviations_titles_spell_out() {
    let index = index();
    finds(
        &index,
        "kill bill vol 1 rules",
        &["Kill Bill: Volume 1 (2003)"],
    );
    finds(&index, "kill bill vol. 1", &["Kill Bill: Volume 1 (2003)"]);
}

#[test]
fn places_are_not_films() {
    let index = index();
    finds(&index, "we flew to Casablanca in May", &[]);
    finds(&index, "Casablanca is humid", &[]);
    finds(&index, "watched Casablanca again", &["Casablanca (1942)"]);
    finds(
        &index,
        "the ending of casablanca, what a film",
        &["Casablanca (1942)"],
    );
}

#[test]
fn capitals_that_run_on_are_another_name() {
    let index = index();
    finds(&index, "at the General Assembly today", &[]);
    finds(
        &index,
        "Keaton in The General is perfect",
        &["The General (1926)"],
    );
}

#[test]
fn spans_are_characters_of_the_mention() {
    let index = index();
    let text = "J’ai revu «Amélie» et *the Godfather* 🎬 puis Alien (1979).";
    let spots = index.spot(text);
    let chars: Vec<char> = text.chars().collect();
    let mentions: Vec<String> = spots
        .iter()
        .map(|s| chars[s.span.clone()].iter().collect())
        .collect();
    assert_eq!(mentions, ["Amélie", "the Godfather", "Alien"]);
    for s in &spots {
        assert_eq!(
            text.get(s.bytes.clone()),
            Some(chars[s.span.clone()].iter().collect::<String>().as_str())
        );
    }
    let possessive = index.spot("Alien's ending");
    assert_eq!(possessive[0].span, 0..5);
}

#[test]
fn exact_titles_score_one_and_typos_less() {
    let index = index();
    assert_eq!(index.spot("rashomon")[0].score, 1.0);
    let typo = index.spot("rashomn")[0].score;
    assert!(typo < 1.0 && typo > 0.8, "{typo}");
}

#[test]
fn long_text_is_cut_and_empty_index_finds_nothing() {
    let index = index();
    let long = "rashomon ".repeat(MAX_SPOT_CHARS);
    let spots = index.spot(&long);
    assert_eq!(spots.len(), 1);
    assert!(TitleIndex::new(Vec::new()).spot("rashomon").is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn any_text_spots_without_panicking_and_spans_are_sound(text in "\\PC{0,300}") {
        check_spans(&text);
    }

    #[test]
    fn mixed_titles_and_noise_keep_sound_spans(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("the Godfather".to_owned()),
                Just("*Alien*".to_owned()),
                Just("king kong (1976)".to_owned()),
                Just("Ame\u{301}lie's".to_owned()),
                Just("\u{2060}\u{ad}".to_owned()),
                Just("“".to_owned()),
                Just("’s".to_owned()),
                "[a-zA-Z0-9 .,!?'\"*_()-]{0,12}",
                "\\PC{0,6}",
            ],
            0..12,
        )
    ) {
        check_spans(&parts.concat());
    }
}

fn check_spans(text: &str) {
    let index = index();
    let chars = text.chars().count();
    let spots = index.spot(text);
    let mut previous_end = 0;
    for s in &spots {
        assert!(
            s.span.start < s.span.end && s.span.end <= chars,
            "{s:?} in {text:?}"
        );
        assert!(s.span.start >= previous_end, "overlap {s:?} in {text:?}");
        previous_end = s.span.end;
        assert!(text.is_char_boundary(s.bytes.start) && text.is_char_boundary(s.bytes.end));
        let by_chars: String = text
            .chars()
            .skip(s.span.start)
            .take(s.span.end - s.span.start)
            .collect();
        assert_eq!(text.get(s.bytes.clone()), Some(by_chars.as_str()));
    }
}
