//! Ranking cases for [`TitleIndex`].

use super::*;

const FILMS: &[(&str, i32, &str)] = &[
    ("The Godfather", 1972, ""),
    ("The Godfather: Part II", 1974, ""),
    ("The Godfather: Part III", 1990, ""),
    ("Godzilla", 1998, ""),
    (
        "The Lord of the Rings: The Fellowship of the Ring",
        2001,
        "",
    ),
    ("The Lord of the Rings: The Two Towers", 2002, ""),
    ("Lord of War", 2005, ""),
    ("Let's Go to Prison", 2006, ""),
    ("Spider-Man", 2002, ""),
    ("Spider-Man 2", 2004, ""),
    ("Superman II", 1981, ""),
    ("Superman III", 1983, ""),
    ("Friday the 13th Part 3", 1982, ""),
    ("Friday the 13th Part VI: Jason Lives", 1986, ""),
    ("King Kong", 1976, ""),
    ("King Kong", 2005, ""),
    ("King Kong (1933)", 2033, ""),
    ("Kingpin", 1996, ""),
    ("1941", 1979, ""),
    ("1942: A Love Story", 1994, ""),
    ("300", 2007, ""),
    ("Blade Runner", 1982, ""),
    ("Blade Runner 2049", 2017, ""),
    ("Léon", 1994, ""),
    ("Le Fabuleux destin d'Amélie Poulain", 2001, "Amélie"),
    ("Die Unendliche Geschichte", 1984, "The NeverEnding Story"),
    ("20,000 Leagues Under the Sea", 1954, ""),
    ("Aimée & Jaguar", 1999, ""),
    ("Jaws", 1975, ""),
    ("Jaws 2", 1978, ""),
    ("Heat", 1995, ""),
    ("The Omen", 1976, ""),
    ("The Omen", 2006, ""),
    ("Gangster, The", 1947, ""),
    ("Brooklyn Rules", 2007, ""),
    ("Boiler Room", 2000, ""),
    ("Star Wars Ep. V: The Empire Strikes Back", 1980, ""),
    ("Star Wars Ep. VI: Return of the Jedi", 1983, ""),
    ("E.T. the Extra-Terrestrial", 1982, ""),
    ("Alien", 1979, ""),
    ("Aliens", 1986, ""),
];

fn index() -> TitleIndex {
    let entries = FILMS
        .iter()
        .enumerate()
        .map(|(i, &(title, year, alt))| IndexEntry {
            id: i as i64 + 1,
            title: title.to_owned(),
            alt_titles: if alt.is_empty() {
                vec![]
            } else {
                vec![alt.to_owned()]
            },
            year: Some(year),
            grade: Grade::B,
        })
        .collect();
    TitleIndex::new(entries)
}

/// Asserts the best match for `query` (and `year`) is `title` from `year_wanted`.
fn finds(
    index: &TitleIndex,
    query: &str,
    year: Option<i32>,
    title: &str,
    year_wanted: i32,
) -> SearchOutcome {
    let outcome = index.search(query, year, 5);
    let best = outcome.best.as_ref();
    assert_eq!(
        best.map(|b| (b.title.as_str(), b.year)),
        Some((title, Some(year_wanted))),
        "query {query:?} year {year:?}: {:#?}",
        outcome.candidates
    );
    outcome
}

#[test]
fn exact_match_scores_one_and_is_clear() {
    let index = index();
    let outcome = finds(&index, "The Godfather", None, "The Godfather", 1972);
    assert_eq!(outcome.best.map(|b| b.score), Some(1.0));
    assert!(!outcome.ambiguous);
    assert_eq!(
        outcome.candidates.first().map(|c| c.title.as_str()),
        Some("The Godfather")
    );
}

#[test]
fn one_letter_typo() {
    let index = index();
    finds(&index, "the godfahter", None, "The Godfather", 1972);
    finds(&index, "godfater", None, "The Godfather", 1972);
    finds(&index, "jwas", None, "Jaws", 1975);
    finds(&index, "heta", None, "Heat", 1995);
}

#[test]
fn two_letter_typo() {
    let index = index();
    finds(
        &index,
        "godfathre part ik",
        None,
        "The Godfather: Part II",
        1974,
    );
    finds(&index, "brooklin ruls", None, "Brooklyn Rules", 2007);
}

#[test]
fn dropped_and_moved_articles() {
    let index = index();
    finds(&index, "godfather", None, "The Godfather", 1972);
    finds(&index, "godfather, the", None, "The Godfather", 1972);
    finds(&index, "GODFATHER, THE", None, "The Godfather", 1972);
    finds(&index, "the gangster", None, "Gangster, The", 1947);
}

#[test]
fn punctuation_is_ignored() {
    let index = index();
    finds(
        &index,
        "lets go to prison",
        None,
        "Let's Go to Prison",
        2006,
    );
    finds(&index, "spiderman", None, "Spider-Man", 2002);
    finds(&index, "spider man 2", None, "Spider-Man 2", 2004);
    finds(
        &index,
        "godfather - part 2",
        None,
        "The Godfather: Part II",
        1974,
    );
    finds(
        &index,
        "20000 leagues under the sea",
        None,
        "20,000 Leagues Under the Sea",
        1954,
    );
    finds(
        &index,
        "et the extra terrestrial",
        None,
        "E.T. the Extra-Terrestrial",
        1982,
    );
    finds(&index, "aimee and jaguar", None, "Aimée & Jaguar", 1999);
}

#[test]
fn prefix_of_a_long_title() {
    let index = index();
    finds(
        &index,
        "lord of the rings: the fell",
        None,
        "The Lord of the Rings: The Fellowship of the Ring",
        2001,
    );
    finds(
        &index,
        "star wars ep. v: the emp",
        None,
        "Star Wars Ep. V: The Empire Strikes Back",
        1980,
    );
}

#[test]
fn missing_word() {
    let index = index();
    finds(
        &index,
        "lord of the rings fellowship",
        None,
        "The Lord of the Rings: The Fellowship of the Ring",
        2001,
    );
    finds(
        &index,
        "star wars return of the jedi",
        None,
        "Star Wars Ep. VI: Return of the Jedi",
        1983,
    );
    finds(
        &index,
        "friday 13th part 3",
        None,
        "Friday the 13th Part 3",
        1982,
    );
}

#[test]
fn accents_either_way() {
    let index = index();
    finds(&index, "leon", None, "Léon", 1994);
    finds(&index, "Aimee & Jaguar", None, "Aimée & Jaguar", 1999);
    finds(&index, "Jäws", None, "Jaws", 1975);
}

#[test]
fn numerals_either_way() {
    let index = index();
    finds(&index, "superman 2", None, "Superman II", 1981);
    finds(&index, "superman iii", None, "Superman III", 1983);
    finds(
        &index,
        "friday the 13th part iii",
        None,
        "Friday the 13th Part 3",
        1982,
    );
    finds(
        &index,
        "friday the 13th part 6 jason lives",
        None,
        "Friday the 13th Part VI: Jason Lives",
        1986,
    );
    finds(
        &index,
        "godfather part 3",
        None,
        "The Godfather: Part III",
        1990,
    );
}

#[test]
fn remakes_are_told_apart_by_a_trailing_year() {
    let index = index();
    let outcome = finds(&index, "king kong 1976", None, "King Kong", 1976);
    assert!(!outcome.ambiguous);
    let outcome = finds(&index, "king kong 2005", None, "King Kong", 2005);
    assert!(!outcome.ambiguous);
    finds(&index, "the omen (2006)", None, "The Omen", 2006);
    // The title that has the year in it is still found as written.
    finds(&index, "king kong (1933)", None, "King Kong (1933)", 2033);
    // Sloppy and dated.
    finds(&index, "kng kong 2005", None, "King Kong", 2005);
}

#[test]
fn remakes_are_told_apart_by_the_year_argument() {
    let index = index();
    let outcome = finds(&index, "king kong", Some(2005), "King Kong", 2005);
    assert!(!outcome.ambiguous);
    finds(&index, "the omen", Some(1976), "The Omen", 1976);
    finds(&index, "omen", Some(2006), "The Omen", 2006);
}

#[test]
fn remakes_without_a_year_are_ambiguous() {
    let index = index();
    for query in ["king kong", "the omen", "omen"] {
        let outcome = index.search(query, None, 5);
        assert!(outcome.ambiguous, "{query}: {outcome:#?}");
        assert!(outcome.candidates.len() >= 2);
    }
}

#[test]
fn clear_matches_are_not_ambiguous() {
    let index = index();
    for query in [
        "the godfather",
        "godfather part ii",
        "jaws",
        "1941",
        "blade runner",
        "leon",
        "aliens",
    ] {
        let outcome = index.search(query, None, 5);
        assert!(!outcome.ambiguous, "{query}: {outcome:#?}");
    }
}

#[test]
fn numeric_titles() {
    let index = index();
    let outcome = finds(&index, "1941", None, "1941", 1979);
    assert_eq!(outcome.best.map(|b| b.score), Some(1.0));
    finds(&index, "1942", None, "1942: A Love Story", 1994);
    finds(&index, "300", None, "300", 2007);
    finds(&index, "1941", Some(1979), "1941", 1979);
    finds(&index, "1941 1979", None, "1941", 1979);
}

#[test]
fn title_ending_in_a_year_like_number() {
    let index = index();
    let outcome = finds(&index, "Blade Runner 2049", None, "Blade Runner 2049", 2017);
    assert!(!outcome.ambiguous);
    finds(&index, "blade runner", None, "Blade Runner", 1982);
    finds(&index, "blade runner 1982", None, "Blade Runner", 1982);
    finds(
        &index,
        "blade runner 2049",
        Some(2017),
        "Blade Runner 2049",
        2017,
    );
}

#[test]
fn alternative_titles_are_searchable() {
    let index = index();
    let outcome = finds(
        &index,
        "the neverending story",
        None,
        "Die Unendliche Geschichte",
        1984,
    );
    assert_eq!(outcome.best.map(|b| b.score), Some(1.0));
    finds(
        &index,
        "never ending story",
        None,
        "Die Unendliche Geschichte",
        1984,
    );
    finds(
        &index,
        "amelie",
        None,
        "Le Fabuleux destin d'Amélie Poulain",
        2001,
    );
}

#[test]
fn limit_caps_candidates_but_not_best() {
    let index = index();
    let outcome = index.search("godfather", None, 2);
    assert_eq!(outcome.candidates.len(), 2);
    let outcome = index.search("godfather", None, 0);
    assert!(outcome.candidates.is_empty());
    assert!(outcome.best.is_some());
}

#[test]
fn nonsense_finds_nothing_good() {
    let index = index();
    let outcome = index.search("qwxzqwxz", None, 5);
    assert_eq!(outcome.best, None);
    assert!(!outcome.ambiguous);
}

#[test]
fn autocomplete_lists_completions_first() {
    let index = index();
    let titles = |partial: &str, limit| -> Vec<String> {
        index
            .autocomplete(partial, limit)
            .into_iter()
            .map(|c| c.title)
            .collect()
    };
    assert_eq!(
        titles("the godf", 3),
        [
            "The Godfather",
            "The Godfather: Part II",
            "The Godfather: Part III"
        ]
    );
    assert_eq!(titles("alien", 2), ["Alien", "Aliens"]);
    assert_eq!(titles("spiderm", 2), ["Spider-Man", "Spider-Man 2"]);
    // A typo still gets suggestions.
    assert_eq!(titles("godfahter", 1), ["The Godfather"]);
    // Empty input: alphabetical.
    assert_eq!(titles("", 2), ["1941", "1942: A Love Story"]);
    assert!(titles("anything", 0).is_empty());
    let many = titles("s", 100);
    assert!(many.len() <= AUTOCOMPLETE_MAX);
    assert!(many.iter().any(|t| t == "Spider-Man"));
    assert!(many.iter().all(|t| t.starts_with('S')), "{many:?}");
}

#[test]
fn strange_input_never_panics() {
    let index = index();
    let long = "godfather ".repeat(1000);
    let emoji = "🎬🍿🦄".repeat(3000);
    let inputs = [
        "",
        " ",
        "\t\n",
        "!!!",
        "...",
        ",,,",
        "&",
        "'",
        "🎬",
        "\u{0}",
        "\u{200b}",
        "a",
        "1",
        "2005",
        "the",
        "the, the",
        "x",
        "ⅷ",
        "中文标题",
        "עברית",
        "\u{202e}godfather",
        &long,
        &emoji,
    ];
    for input in inputs {
        for year in [None, Some(2005), Some(i32::MIN), Some(i32::MAX)] {
            let outcome = index.search(input, year, 25);
            assert!(outcome.candidates.len() <= 25);
            if let Some(best) = &outcome.best {
                assert_eq!(outcome.candidates.first(), Some(best));
            }
        }
        for limit in [0, 1, 25, usize::MAX] {
            assert!(index.autocomplete(input, limit).len() <= AUTOCOMPLETE_MAX);
        }
    }
    let empty = TitleIndex::new(Vec::new());
    assert!(empty.is_empty());
    assert_eq!(empty.search("godfather", None, 5).best, None);
    assert!(empty.autocomplete("", 5).is_empty());
    assert!(empty.autocomplete("g", 5).is_empty());
}

#[test]
fn scores_are_in_range_and_json_has_no_id() {
    let index = index();
    let outcome = index.search("godfather", None, 10);
    for c in &outcome.candidates {
        assert!((0.0..=1.0).contains(&c.score), "{c:?}");
    }
    let json = serde_json::to_value(&outcome).unwrap_or_default();
    let best = json.get("best").cloned().unwrap_or_default();
    assert_eq!(
        best.get("title").and_then(|t| t.as_str()),
        Some("The Godfather")
    );
    assert_eq!(best.get("grade").and_then(|t| t.as_str()), Some("B"));
    assert!(best.get("id").is_none());
}

#[test]
fn index_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<TitleIndex>();
    assert_eq!(index().len(), FILMS.len());
}

/// Films whose titles normalise alike: the query's own spelling (article, digits, accents)
/// picks the film, whichever is older; with nothing typed to tell them apart, the older.
#[test]
fn ties_go_to_the_title_spelled_as_typed() {
    let films = [
        ("The Collateral", 1990),
        ("Collateral", 2004),
        ("The 1941", 1975),
        ("1941", 1979),
        ("A Molière", 1980),
        ("Molière", 2007),
    ];
    let index = TitleIndex::new(
        films
            .iter()
            .enumerate()
            .map(|(i, &(title, year))| IndexEntry {
                id: i as i64 + 1,
                title: title.to_owned(),
                alt_titles: vec![],
                year: Some(year),
                grade: Grade::B,
            })
            .collect(),
    );
    for (query, title, year) in [
        ("Collateral", "Collateral", 2004),
        ("collateral", "Collateral", 2004),
        ("The Collateral", "The Collateral", 1990),
        ("collateral, the", "The Collateral", 1990),
        ("1941", "1941", 1979),
        ("the 1941", "The 1941", 1975),
        ("Molière", "Molière", 2007),
        ("moliere", "Molière", 2007),
        ("a moliere", "A Molière", 1980),
    ] {
        let outcome = finds(&index, query, None, title, year);
        assert!(outcome.ambiguous, "{query}: both films are offered");
    }
    // Autocomplete ranks the same way.
    let first = index.autocomplete("collateral", 5);
    assert_eq!(
        first.first().map(|c| (c.title.as_str(), c.year)),
        Some(("Collateral", Some(2004)))
    );
}

fn index_of(films: &[(&str, i32)]) -> TitleIndex {
    TitleIndex::new(
        films
            .iter()
            .enumerate()
            .map(|(i, &(title, year))| IndexEntry {
                id: i as i64 + 1,
                title: title.to_owned(),
                alt_titles: vec![],
                year: Some(year),
                grade: Grade::B,
            })
            .collect(),
    )
}

/// Films that differ only in their article, the query typed without one: no article beats
/// any article, and `the` (the article users leave out most) beats `a` and `an`, whichever
/// film is older and whichever article is shorter.
#[test]
fn an_untyped_article_is_most_likely_the() {
    let index = index_of(&[
        ("An Orchard", 1931),
        ("The Orchard", 1999),
        ("A Lantern Maker", 1940),
        ("The Lantern Maker", 1977),
        ("An Iron Kettle", 1950),
        ("A Iron Kettle", 1960),
        ("The Kettle", 1990),
        ("Kettle", 2001),
    ]);
    finds(&index, "orchard", None, "The Orchard", 1999);
    finds(&index, "lantern maker", None, "The Lantern Maker", 1977);
    finds(&index, "iron kettle", None, "A Iron Kettle", 1960);
    finds(&index, "kettle", None, "Kettle", 2001);
    // A typed article still picks its own film.
    finds(&index, "an orchard", None, "An Orchard", 1931);
    finds(&index, "the kettle", None, "The Kettle", 1990);
}

/// A query made of some of a title's words, in order, is that title with words left out:
/// it beats a shorter title that is a typo or two away, unless a title is exactly the query.
#[test]
fn left_out_words_beat_a_near_typo() {
    let index = index_of(&[
        ("Pale Harbour Ox", 1961),
        ("Pale Harbour Will Fix", 1978),
        ("Bolt Canyon Ridge", 1930),
        ("Colt Canyon Ridge", 2012),
        ("Bolt in Canyon of Ridge", 1999),
        ("Marsh Lights", 1950),
        ("Marsh Lights Over Water", 1960),
    ]);
    finds(
        &index,
        "pale harbour fix",
        None,
        "Pale Harbour Will Fix",
        1978,
    );
    finds(&index, "harbour fix", None, "Pale Harbour Will Fix", 1978);
    finds(&index, "bolt canyon ridge", None, "Bolt Canyon Ridge", 1930);
    finds(&index, "marsh lights", None, "Marsh Lights", 1950);
    finds(
        &index,
        "marsh lights water",
        None,
        "Marsh Lights Over Water",
        1960,
    );
}

/// A number spelled out in the title and typed as digits, or the other way round, is the
/// same title.
#[test]
fn numbers_typed_the_other_way() {
    let index = index_of(&[
        ("Four Lanterns", 1950),
        ("Lanterns", 1970),
        ("Harbour Light", 1975),
        ("Harbour Light 2", 1980),
    ]);
    finds(&index, "4 lanterns", None, "Four Lanterns", 1950);
    finds(&index, "harbour light two", None, "Harbour Light 2", 1980);
    finds(&index, "harbour light", None, "Harbour Light", 1975);
    // Both score as the same letters spaced differently do, not as a fuzzy match.
    let score = |query: &str| index.search(query, None, 1).best.map(|b| b.score);
    assert_eq!(score("4 lanterns"), Some(score::SAME_LETTERS));
    assert_eq!(score("harbourlight 2"), Some(score::SAME_LETTERS));
}

/// The query typed with its article is a whole key (`The The Signal` is filed under `the
/// signal`), and a prefix typed with its article finds the titles with that article however
/// many shorter ones without it share the start.
#[test]
fn the_typed_article_counts_for_keys_and_prefixes() {
    let index = index_of(&[("The The Signal", 2001), ("The Signal Fires", 1990)]);
    finds(&index, "the signal", None, "The The Signal", 2001);
    let mut films: Vec<(String, i32)> = ('a'..='z')
        .map(|c| (format!("Meadow {c}{c}"), 1950))
        .collect();
    films.push(("The Meadowlands Affair".to_owned(), 1980));
    let films: Vec<(&str, i32)> = films.iter().map(|(t, y)| (t.as_str(), *y)).collect();
    let index = index_of(&films);
    finds(&index, "the mead", None, "The Meadowlands Affair", 1980);
}

/// A query ending in a single letter is the start of the next word (`fern s` is on its way
/// to `Fern Sorrow`), not `Ferns` with a stray space; a space inside a word still is.
#[test]
fn a_trailing_letter_starts_the_next_word() {
    let index = index_of(&[("Ferns", 1950), ("Fern Sorrow", 1960), ("Tallgrass", 1970)]);
    finds(&index, "fern s", None, "Fern Sorrow", 1960);
    finds(&index, "ferns", None, "Ferns", 1950);
    finds(&index, "tall grass", None, "Tallgrass", 1970);
}

/// Where a completion of the query and a near-miss of it score the same, the completion
/// goes first: what was typed is there as written.
#[test]
fn a_tie_goes_to_the_title_that_starts_as_typed() {
    let index = index_of(&[("Lamp Man", 1940), ("Lamp and Flask", 1990)]);
    finds(&index, "lamp an", None, "Lamp and Flask", 1990);
}

#[test]
fn a_title_typed_with_invisible_joiners_is_the_title() {
    let index = index();
    for joined in [
        "God\u{2060}father",
        "God\u{feff}father",
        "god\u{200d}father",
    ] {
        finds(&index, joined, None, "The Godfather", 1972);
    }
}
