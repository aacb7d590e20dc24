//! Browsing on PostgreSQL: `/person`, `/top`, `/stats` and `/search` over the fixture archive
//! (support/archive.rs) imported into a PostgreSQL database of the test's own, checked
//! against the same archive in SQLite wherever the two engines must agree (people, a person's
//! films, the best films of a scope, grade counts, which reviews a search finds and how many),
//! and on their own where they may differ (the order of search hits, the snippets).
//!
//! Needs a server: `MARQUEE_TEST_POSTGRES=postgres://USER@HOST/postgres cargo test --test it
//! postgres_browse` (without it these tests are listed as ignored).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use marquee::archive::{Archive, Origin};
use marquee::commands::{dispatch, Data};
use marquee::import::{collect_sources, import_sources, Source};
use marquee::review::{Decade, Grade};
use marquee::search::people::RoleFilter;
use marquee::search::words::TextQuery;
use marquee::store::{Scope, Store, TextResults, MATCH_END, MATCH_START};
use marquee_testkit::fake_discord::{opt, slash_command, Ctx};
use marquee_testkit::openapi;
use marquee_testkit::pg;
use serde_json::{json, Value};
use serenity::all::Interaction;

use crate::support::archive;
use crate::support::sloppy;

/// The same archive in SQLite (in memory) and in a fresh PostgreSQL database.
struct Both {
    sqlite: Store,
    pg: Store,
    db: pg::TestDb,
}

impl Both {
    async fn new() -> Both {
        Both::from(archive::sources, archive::len()).await
    }

    async fn from(sources: fn() -> Vec<Source>, len: usize) -> Both {
        let db = pg::fresh().await;
        let pg = Store::open(&db.url, true).await.unwrap();
        assert!(pg.is_postgres());
        let sqlite = Store::in_memory().await.unwrap();
        for store in [&sqlite, &pg] {
            let report = import_sources(store, sources(), |_| {}).await.unwrap();
            assert!(report.failed.is_empty(), "{:?}", report.failed);
            assert_eq!(report.counts.added as usize, len);
        }
        Both { sqlite, pg, db }
    }

    async fn end(self) {
        self.pg.close().await;
        self.db.drop_now().await;
    }

    /// Each engine's `people` ids of the person named `name` (ids may differ between them).
    async fn person(&self, name: &str) -> (Vec<i64>, Vec<i64>) {
        let ids = |records: Vec<marquee::search::people::PersonRecord>| -> Vec<i64> {
            records
                .into_iter()
                .filter(|r| r.name == name)
                .map(|r| r.id)
                .collect()
        };
        let s = ids(self.sqlite.person_records().await.unwrap());
        let p = ids(self.pg.person_records().await.unwrap());
        assert_eq!(s.len(), 1, "{name} is in the archive once");
        assert_eq!(p.len(), 1, "{name} is in the archive once");
        (s, p)
    }
}

async fn data_on(store: Store) -> Data {
    Data {
        archive: Arc::new(Archive::new(store, Origin::Database).await.unwrap()),
        critic: "Dennis Schwartz".into(),
    }
}

fn ctx() -> Ctx {
    Ctx::guild(8000, 5000, 6000, 0)
}

/// Runs one interaction through the commands; checks the reply against Discord's schema.
async fn reply(data: &Data, d: Value) -> Value {
    let interaction: Interaction = serde_json::from_value(d).expect("a valid interaction");
    let response = dispatch(data, &interaction).await.expect("a reply");
    let v = serde_json::to_value(&response).unwrap();
    if let Some(spec) = SPEC.as_ref() {
        let schema = match v["type"].as_u64() {
            Some(8) => "ApplicationCommandAutocompleteCallbackRequest",
            Some(7) => "UpdateMessageInteractionCallbackRequest",
            _ => "CreateMessageInteractionCallbackRequest",
        };
        spec.validate_schema(schema, &v);
    }
    v
}

static SPEC: std::sync::LazyLock<Option<openapi::Spec>> =
    std::sync::LazyLock::new(openapi::Spec::load);

fn description(v: &Value) -> &str {
    v["data"]["embeds"][0]["description"].as_str().unwrap_or("")
}

fn content(v: &Value) -> &str {
    v["data"]["content"].as_str().unwrap_or("")
}

fn is_ephemeral(v: &Value) -> bool {
    v["data"]["flags"].as_u64() == Some(64)
}

/// The numbered titles of a list page: `["1. Harbour Lights (1972)", …]`.
fn lines(v: &Value) -> Vec<String> {
    description(v)
        .lines()
        .filter(|l| l.starts_with("**"))
        .map(|l| {
            let (head, _) = l.split_once(" — ").unwrap_or((l, ""));
            head.replacen("**", "", 2)
        })
        .collect()
}

/// The titles of a list page without their numbers, sorted.
fn titles(v: &Value) -> Vec<String> {
    let mut titles: Vec<String> = lines(v)
        .iter()
        .map(|l| l.split_once(". ").map_or(l.clone(), |(_, t)| t.to_owned()))
        .collect();
    titles.sort();
    titles
}

async fn search(store: &Store, text: &str) -> TextResults {
    let query = TextQuery::parse(text).unwrap_or_else(|| panic!("{text:?} has words"));
    store
        .text_search(&query, 0, 100)
        .await
        .unwrap_or_else(|e| panic!("{text:?}: {e:#}"))
}

/// What must be the same on both engines: the titles found (in any order), the total, and
/// whether it fell back to any word.
fn found(results: &TextResults) -> (BTreeSet<String>, u32, bool) {
    let titles = results.hits.iter().map(|h| h.film.title.clone()).collect();
    (titles, results.total, results.any_term)
}

async fn search_agrees(both: &Both, text: &str) -> TextResults {
    let s = search(&both.sqlite, text).await;
    let p = search(&both.pg, text).await;
    assert_eq!(found(&p), found(&s), "{text:?}: PostgreSQL, then SQLite");
    p
}

// ----- people, /top and /stats: the same on both engines -----

#[tokio::test]
#[cfg_attr(
    not(marquee_pg),
    ignore = "needs PostgreSQL: MARQUEE_TEST_POSTGRES=postgres://USER:PASS@HOST/postgres cargo test (.ci/run starts one)"
)]
async fn people_and_their_films_are_the_same_on_both_engines() {
    let both = Both::new().await;
    let by_name = |records: Vec<marquee::search::people::PersonRecord>| {
        records
            .into_iter()
            .map(|r| (r.name, r.counts))
            .collect::<BTreeMap<_, _>>()
    };
    let sqlite = by_name(both.sqlite.person_records().await.unwrap());
    let pg = by_name(both.pg.person_records().await.unwrap());
    assert!(sqlite.len() >= 10, "{sqlite:?}");
    assert_eq!(pg, sqlite, "everyone, with their films per job");

    let sqlite_ids: BTreeMap<String, i64> = both
        .sqlite
        .person_records()
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.name, r.id))
        .collect();
    let mut listed = 0;
    for record in both.pg.person_records().await.unwrap() {
        let sqlite_id = sqlite_ids[&record.name];
        for filter in RoleFilter::ALL {
            let p = both.pg.person_films(&[record.id], filter).await.unwrap();
            let s = both
                .sqlite
                .person_films(&[sqlite_id], filter)
                .await
                .unwrap();
            let shown = |films: Vec<marquee::store::FilmRow>| {
                films
                    .into_iter()
                    .map(|f| (f.title, f.year, f.grade, f.roles))
                    .collect::<Vec<_>>()
            };
            let (p, s) = (shown(p), shown(s));
            assert_eq!(p, s, "{} as {filter:?}, in the same order", record.name);
            listed += p.len();
        }
    }
    assert!(listed > 0);

    // One person's spellings together, and a job filter.
    let (s, p) = both.person("Jean-Luc Godard").await;
    let films = both.pg.person_films(&p, RoleFilter::Any).await.unwrap();
    let years: Vec<Option<i32>> = films.iter().map(|f| f.year).collect();
    assert_eq!(years, [Some(1960), Some(1967), Some(1979)], "oldest first");
    assert_eq!(
        films,
        {
            let mut s = both.sqlite.person_films(&s, RoleFilter::Any).await.unwrap();
            for (f, p) in s.iter_mut().zip(&films) {
                f.id = p.id;
            }
            s
        },
        "with every job on each"
    );
    let (_, lund) = both.person("Mara Lund").await;
    let directed = both
        .pg
        .person_films(&lund, RoleFilter::Director)
        .await
        .unwrap();
    assert_eq!(directed.len(), 3, "{directed:?}");
    assert!(both
        .pg
        .person_films(&[], RoleFilter::Any)
        .await
        .unwrap()
        .is_empty());
    both.end().await;
}

#[tokio::test]
#[cfg_attr(
    not(marquee_pg),
    ignore = "needs PostgreSQL: MARQUEE_TEST_POSTGRES=postgres://USER:PASS@HOST/postgres cargo test (.ci/run starts one)"
)]
async fn top_and_stats_scopes_are_the_same_on_both_engines() {
    let both = Both::new().await;
    let (godard_s, godard_p) = both.person("Jean-Luc Godard").await;
    let scopes = |people: Vec<i64>| {
        vec![
            Scope::default(),
            Scope {
                decade: Decade::of(1970).ok(),
                ..Scope::default()
            },
            Scope {
                decade: Decade::of(1975).ok(),
                ..Scope::default()
            },
            Scope {
                year: Some(1975),
                ..Scope::default()
            },
            Scope {
                year: Some(2005),
                ..Scope::default()
            },
            Scope {
                people: Some(people.clone()),
                ..Scope::default()
            },
            Scope {
                decade: Decade::of(1970).ok(),
                people: Some(people.clone()),
                ..Scope::default()
            },
            Scope {
                decade: Decade::of(1960).ok(),
                year: Some(1967),
                people: Some(people),
            },
            Scope {
                decade: Decade::of(1890).ok(),
                ..Scope::default()
            },
            Scope {
                people: Some(Vec::new()),
                ..Scope::default()
            },
        ]
    };
    let mut nonempty = 0;
    for (s, p) in scopes(godard_s).into_iter().zip(scopes(godard_p)) {
        let counts = both.pg.grade_counts(&p).await.unwrap();
        assert_eq!(counts, both.sqlite.grade_counts(&s).await.unwrap(), "{p:?}");
        let total: u32 = counts.0.iter().sum();
        // Every page of the scope, in order, as SQLite has them.
        let mut pg_all = Vec::new();
        for offset in (0..total + 3).step_by(3) {
            let page = |films: Vec<marquee::store::FilmRow>| {
                films
                    .into_iter()
                    .map(|f| (f.title, f.year, f.grade))
                    .collect::<Vec<_>>()
            };
            let pg_page = page(both.pg.best_films(&p, offset, 3).await.unwrap());
            let sqlite_page = page(both.sqlite.best_films(&s, offset, 3).await.unwrap());
            assert_eq!(pg_page, sqlite_page, "{p:?} from {offset}");
            pg_all.extend(pg_page);
        }
        assert_eq!(
            pg_all.len() as u32,
            total,
            "{p:?}: the pages hold the count"
        );
        // A random pick (`/random person:`) is one of the scope's films, on both engines.
        for (store, scope) in [(&both.pg, &p), (&both.sqlite, &s)] {
            match store.random_in(scope, Grade::F).await.unwrap() {
                None => assert_eq!(total, 0, "{p:?}"),
                Some(id) => {
                    let picked = store.review(id).await.unwrap().unwrap().review;
                    assert!(
                        pg_all
                            .iter()
                            .any(|(t, y, _)| *t == picked.title && *y == picked.year()),
                        "{p:?}: {}",
                        picked.title
                    );
                }
            }
        }
        nonempty += usize::from(total > 0);
    }
    assert_eq!(nonempty, 7, "only the 1890s and nobody's films are empty");

    let whole = both.pg.grade_counts(&Scope::default()).await.unwrap();
    assert_eq!(whole.0.iter().sum::<u32>() as usize, archive::len());
    let decade = both
        .pg
        .best_films(
            &Scope {
                decade: Decade::of(1970).ok(),
                ..Scope::default()
            },
            0,
            10,
        )
        .await
        .unwrap();
    let decade: Vec<&str> = decade.iter().map(|f| f.title.as_str()).collect();
    assert_eq!(
        decade,
        [
            "Paper Moons",
            "Harbour Lights",
            "The Long Field",
            "Night Ferry",
            "Glass Houses"
        ],
        "best first, then the most recently reviewed, the undated last"
    );
    both.end().await;
}

#[tokio::test]
#[cfg_attr(
    not(marquee_pg),
    ignore = "needs PostgreSQL: MARQUEE_TEST_POSTGRES=postgres://USER:PASS@HOST/postgres cargo test (.ci/run starts one)"
)]
async fn person_top_and_stats_commands_answer_alike_on_both_engines() {
    let both = Both::new().await;
    let sqlite = data_on(both.sqlite.clone()).await;
    let pg = data_on(both.pg.clone()).await;
    let commands = [
        ("person", json!([opt("name", 3, "godard")])),
        (
            "person",
            json!([opt("name", 3, "lund"), opt("role", 3, "director")]),
        ),
        ("top", json!([])),
        ("top", json!([opt("decade", 4, 1970)])),
        ("top", json!([opt("year", 4, 1975)])),
        ("top", json!([opt("person", 3, "godard")])),
        ("top", json!([opt("decade", 4, 1890)])),
        ("stats", json!([])),
        ("stats", json!([opt("decade", 4, 1970)])),
        (
            "stats",
            json!([opt("person", 3, "kyoko arai"), opt("decade", 4, 1970)]),
        ),
    ];
    for (id, (command, options)) in commands.into_iter().enumerate() {
        let id = id as u64 + 1;
        let s = reply(&sqlite, slash_command(id, command, options.clone(), &ctx())).await;
        let p = reply(&pg, slash_command(id, command, options.clone(), &ctx())).await;
        assert!(!content(&p).contains("Sorry"), "/{command} {options}: {p}");
        assert_eq!(
            description(&p),
            description(&s),
            "/{command} {options}: PostgreSQL, then SQLite"
        );
        assert_eq!(content(&p), content(&s), "/{command} {options}");
        assert_eq!(
            p["data"]["embeds"][0]["title"], s["data"]["embeds"][0]["title"],
            "/{command} {options}"
        );
    }
    let v = reply(
        &pg,
        slash_command(20, "top", json!([opt("decade", 4, 1970)]), &ctx()),
    )
    .await;
    assert_eq!(
        lines(&v),
        [
            "1. Paper Moons (1975)",
            "2. Harbour Lights (1972)",
            "3. The Long Field (1978)",
            "4. Night Ferry (1971)",
            "5. Glass Houses (1979)"
        ]
    );
    let v = reply(&pg, slash_command(21, "stats", json!([]), &ctx())).await;
    assert!(
        description(&v).starts_with(&format!("**{} films**", archive::len())),
        "{v}"
    );
    drop((sqlite, pg));
    both.end().await;
}

// ----- full-text search -----

#[tokio::test]
#[cfg_attr(
    not(marquee_pg),
    ignore = "needs PostgreSQL: MARQUEE_TEST_POSTGRES=postgres://USER:PASS@HOST/postgres cargo test (.ci/run starts one)"
)]
async fn search_finds_the_same_reviews_on_both_engines() {
    let both = Both::new().await;
    let one = |t: &str| BTreeSet::from([t.to_owned()]);

    // A word, its snippet marked.
    let r = search_agrees(&both, "masterpiece").await;
    assert_eq!(found(&r), (one("Harbour Lights"), 1, false));
    let snippet = &r.hits[0].snippet;
    assert!(
        snippet.contains(&format!("{MATCH_START}masterpiece{MATCH_END}")),
        "{snippet:?}"
    );

    // A phrase needs its words together; the same words apart match more.
    let r = search_agrees(&both, "fishing town").await;
    assert_eq!(r.total, 2);
    let r = search_agrees(&both, "\"fishing town\"").await;
    assert_eq!(found(&r), (one("Harbour Lights"), 1, false));
    let r = search_agrees(&both, "\"town fishing\"").await;
    assert_eq!(r.total, 0, "a phrase keeps its order");

    // A trailing * is a prefix; the bare word is in no review.
    let r = search_agrees(&both, "master*").await;
    assert_eq!(
        r.hits
            .iter()
            .map(|h| &h.film.title)
            .collect::<BTreeSet<_>>(),
        BTreeSet::from([&"Harbour Lights".to_owned(), &"Paper Moons".to_owned()]),
        "masterpiece and mastery"
    );
    let r = search_agrees(&both, "master").await;
    assert_eq!((r.total, r.hits.len()), (0, 0));
    search_agrees(&both, "\"fishing tow\"*").await;
    let r = search_agrees(&both, "\"fishing tow\"*").await;
    assert_eq!(r.total, 1, "a phrase whose last word is a prefix");

    // Case and accents fold both ways, and the snippet marks the word as written.
    for text in ["cafe", "CAFÉ", "Café", "cafÉ*"] {
        let r = search_agrees(&both, text).await;
        assert_eq!(found(&r), (one("Harbour Lights"), 1, false), "{text}");
        assert!(
            r.hits[0]
                .snippet
                .contains(&format!("{MATCH_START}café{MATCH_END}")),
            "{text}: {:?}",
            r.hits[0].snippet
        );
    }
    let r = search_agrees(&both, "naive").await;
    assert_eq!(found(&r), (one("Weekend Rain"), 1, false));

    // No review has every word: those with any of them, and the fallback says so.
    let r = search_agrees(&both, "masterpiece drought").await;
    assert!(r.any_term && r.total == 2, "{r:?}");
    let r = search_agrees(&both, "masterpiece zzzqqq").await;
    assert!(r.any_term && r.total == 1, "{r:?}");
    let r = search_agrees(&both, "zzzqqq").await;
    assert!(!r.any_term && r.total == 0, "one word is never a fallback");

    // Titles, other titles and every field are searched; paging is over the same hits.
    for text in [
        "night",
        "ferry",
        "quin birch",
        "another week",
        "episode*",
        "herself",
    ] {
        search_agrees(&both, text).await;
    }
    let query = TextQuery::parse("episode*").unwrap();
    let all = both.pg.text_search(&query, 0, 100).await.unwrap();
    let mut paged = Vec::new();
    for offset in (0..all.total).step_by(4) {
        let page = both.pg.text_search(&query, offset, 4).await.unwrap();
        assert_eq!(page.total, all.total);
        paged.extend(page.hits.into_iter().map(|h| h.film.id));
    }
    let ids: Vec<i64> = all.hits.iter().map(|h| h.film.id).collect();
    assert_eq!(paged, ids, "pages in one stable order");
    both.end().await;
}

#[tokio::test]
#[cfg_attr(
    not(marquee_pg),
    ignore = "needs PostgreSQL: MARQUEE_TEST_POSTGRES=postgres://USER:PASS@HOST/postgres cargo test (.ci/run starts one)"
)]
async fn a_title_word_ranks_the_title_first() {
    let both = Both::new().await;
    let r = search_agrees(&both, "night").await;
    assert!(r.hits.len() >= 2, "{r:?}");
    assert_eq!(r.hits[0].film.title, "Night Ferry", "{r:?}");
    assert!(r.hits.iter().any(|h| h.film.title == "Glass Houses"));
    let r = search_agrees(&both, "ferry").await;
    assert_eq!(r.hits[0].film.title, "Night Ferry", "{r:?}");
    // The fallback ranks too: the review with the title word first.
    let r = search_agrees(&both, "night zzzqqq").await;
    assert!(r.any_term);
    assert_eq!(r.hits[0].film.title, "Night Ferry", "{r:?}");
    both.end().await;
}

#[tokio::test]
#[cfg_attr(
    not(marquee_pg),
    ignore = "needs PostgreSQL: MARQUEE_TEST_POSTGRES=postgres://USER:PASS@HOST/postgres cargo test (.ci/run starts one)"
)]
async fn hostile_search_text_is_plain_words_never_an_error() {
    let both = Both::new().await;
    // tsquery and FTS5 operators, quotes, SQL: searched as the words in them, alike.
    for text in [
        "\"unclosed masterpiece",
        "masterpiece AND(",
        "- masterpiece",
        "NEAR(masterpiece",
        "masterpiece OR",
        "^masterpiece",
        "masterpiece\"\"",
        "masterpiece:",
        "masterpiece:*",
        "masterpiece:A",
        "{masterpiece}",
        "!masterpiece",
        "masterpiece & !café",
        "masterpiece | zzz",
        "masterpiece <-> café",
        "masterpiece <2> café",
        "(masterpiece) & (",
        "'masterpiece'",
        "''masterpiece''",
        "\\masterpiece\\",
        "masterpiece'; DROP TABLE reviews; --",
        "masterpiece' OR '1'='1",
        "$1 masterpiece $2",
        "masterpiece\u{2}\u{3}",
    ] {
        let r = search_agrees(&both, text).await;
        assert!(
            r.hits.iter().any(|h| h.film.title == "Harbour Lights"),
            "{text}: {r:?}"
        );
    }
    for text in [
        "a:b:c",
        "NOT",
        "title:masterpiece",
        "x*y*z*",
        "\"\"\" a",
        "é*",
        "½ ²",
        "ß",
        &"word ".repeat(500),
        &format!("\"{}\"", "fishing town ".repeat(1000)),
    ] {
        search_agrees(&both, text).await;
    }
    // A word longer than PostgreSQL indexes (2047 bytes): never an error, nothing found.
    let long = "x".repeat(3000);
    assert_eq!(search(&both.pg, &long).await.total, 0);

    // Through the command, text with nothing to search for is a short answer, not the
    // apology an error would give.
    let data = data_on(both.pg.clone()).await;
    for (id, text) in [
        "-",
        "\"",
        "()",
        "*",
        "NOT",
        "title:masterpiece",
        "\"\"\"",
        "'; DROP TABLE reviews; --",
        "& | ! <->",
        ":*",
    ]
    .into_iter()
    .enumerate()
    {
        let v = reply(
            &data,
            slash_command(
                id as u64 + 1,
                "search",
                json!([opt("text", 3, text)]),
                &ctx(),
            ),
        )
        .await;
        assert!(!content(&v).contains("Sorry"), "{text}: {v}");
        if v["type"] == 4 && !is_ephemeral(&v) {
            assert!(!lines(&v).is_empty(), "{text}: {v}");
        }
    }
    assert_eq!(
        both.pg.count_reviews().await.unwrap() as usize,
        archive::len()
    );
    drop(data);
    both.end().await;
}

#[tokio::test]
#[cfg_attr(
    not(marquee_pg),
    ignore = "needs PostgreSQL: MARQUEE_TEST_POSTGRES=postgres://USER:PASS@HOST/postgres cargo test (.ci/run starts one)"
)]
async fn the_search_command_on_postgres_bolds_the_match_and_falls_back() {
    let both = Both::new().await;
    let sqlite = data_on(both.sqlite.clone()).await;
    let pg = data_on(both.pg.clone()).await;
    for (id, text) in [
        "masterpiece",
        "\"fishing town\"",
        "master*",
        "cafe",
        "masterpiece drought",
        "master",
    ]
    .into_iter()
    .enumerate()
    {
        let command = |data| {
            reply(
                data,
                slash_command(
                    id as u64 + 1,
                    "search",
                    json!([opt("text", 3, text)]),
                    &ctx(),
                ),
            )
        };
        let s = command(&sqlite).await;
        let p = command(&pg).await;
        assert_eq!(titles(&p), titles(&s), "{text}");
        assert_eq!(content(&p), content(&s), "{text}");
        assert_eq!(is_ephemeral(&p), is_ephemeral(&s), "{text}");
    }
    let v = search_reply(&pg, 10, "cafe").await;
    assert_eq!(lines(&v), ["1. Harbour Lights (1972)"]);
    assert!(description(&v).contains("**café**"), "{v}");
    let v = search_reply(&pg, 11, "\"fishing town\"").await;
    assert!(description(&v).contains("**fishing town**"), "{v}");
    let v = search_reply(&pg, 12, "masterpiece drought").await;
    assert!(description(&v).contains("No review has every word"), "{v}");
    let v = search_reply(&pg, 13, "starburst").await;
    let d = description(&v);
    assert!(d.contains("**starburst**"), "{d}");
    assert!(d.contains(r"\@everyone"), "escaped as on SQLite: {d}");
    drop((sqlite, pg));
    both.end().await;
}

#[tokio::test]
#[cfg_attr(
    not(marquee_pg),
    ignore = "needs PostgreSQL: MARQUEE_TEST_POSTGRES=postgres://USER:PASS@HOST/postgres cargo test (.ci/run starts one)"
)]
async fn snippets_are_marked_and_cut_like_sqlite() {
    let body = format!(
        "{} a small café by the harbour {}",
        "Opening words run on here. ".repeat(12),
        "and closing words run on too. ".repeat(12)
    );
    fn sources_with(body: &str) -> Vec<Source> {
        vec![Source::Bytes {
            name: "Quiet Rooms.txt".into(),
            bytes: format!(
                "(director: Nora Lind; cast: Ann Lee; Runtime: 99; Neon; 2011)\n\n“A quote.”\n\nReviewed by Dennis Schwartz\n\n{body}\n\nNora Lind's Quiet Rooms\n      a tagline\n\n\nREVIEWED ON 3/4/2020  GRADE: B\n"
            )
            .into_bytes(),
        }]
    }
    static BODY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BODY.get_or_init(|| body);
    let both = Both::from(|| sources_with(BODY.get().map_or("", |b| b.as_str())), 1).await;
    for store in [&both.sqlite, &both.pg] {
        let r = search(store, "cafe").await;
        let snippet = &r.hits[0].snippet;
        assert!(
            snippet.contains(&format!("{MATCH_START}café{MATCH_END}")),
            "{snippet:?}"
        );
        assert!(
            snippet.starts_with('…') && snippet.ends_with('…'),
            "cut at both ends: {snippet:?}"
        );
        let words = snippet.split_whitespace().count();
        assert!((10..=30).contains(&words), "{words} words: {snippet:?}");
        // A title word alone: the snippet is the title, whole.
        let r = search(store, "quiet").await;
        assert_eq!(
            r.hits[0].snippet,
            format!("{MATCH_START}Quiet{MATCH_END} Rooms"),
            "{}",
            if store.is_postgres() {
                "PostgreSQL"
            } else {
                "SQLite"
            }
        );
    }
    both.end().await;
}

/// A review of one film, `Quiet Rooms`, with `body`.
fn quiet_rooms(body: &str) -> Source {
    Source::Bytes {
        name: "Quiet Rooms.txt".into(),
        bytes: format!(
            "(director: Nora Lind; cast: Ann Lee; Runtime: 99; Neon; 2011)\n\n“A quote.”\n\nReviewed by Dennis Schwartz\n\n{body}\n\nNora Lind's Quiet Rooms\n      a tagline\n\n\nREVIEWED ON 3/4/2020  GRADE: B\n"
        )
        .into_bytes(),
    }
}

#[tokio::test]
#[cfg_attr(
    not(marquee_pg),
    ignore = "needs PostgreSQL: MARQUEE_TEST_POSTGRES=postgres://USER:PASS@HOST/postgres cargo test (.ci/run starts one)"
)]
async fn words_are_cut_as_sqlite_cuts_them() {
    // PostgreSQL's parser alone keeps an address, a host, a URL, a number with a point or
    // `e.g.` as one token, and a hyphenated word whole as well as in parts.
    let both = Both::from(
        || {
            vec![quiet_rooms(
                "A well-made film, e.g. for fans of rock'n'roll; shot at 1.85:1 on 3.14 reels. \
                 Write to critic@mail.example.test or see https://films.example.test/notes/rooms \
                 and l’été’s “quiet” stills — don’t miss them… (a_b) x/y",
            )]
        },
        1,
    )
    .await;
    for text in [
        "\"a well-made film\"",
        "\"a well made film\"",
        "well",
        "made",
        "\"e g\"",
        "e.g.",
        "rock",
        "\"rock n roll\"",
        "85",
        "\"1 85 1\"",
        "14",
        "3.14",
        "critic",
        "mail",
        "example",
        "films",
        "notes",
        "rooms",
        "https",
        "ete",
        "l'ete",
        "quiet",
        "don't",
        "don",
        "\"them a b x y\"",
        "b",
    ] {
        let r = search_agrees(&both, text).await;
        assert_eq!(r.total, 1, "{text}");
    }
    // The headline reads the text as the index does, and marks a phrase as one, as FTS5.
    for store in [&both.sqlite, &both.pg] {
        let r = search(store, "\"a well-made film\"").await;
        let snippet = &r.hits[0].snippet;
        assert!(
            snippet.starts_with(&format!("{MATCH_START}A well-made film{MATCH_END}, e.g.")),
            "{snippet:?}"
        );
    }
    for text in ["wellmade", "314", "e", "exam", "rock-roll"] {
        search_agrees(&both, text).await;
    }
    both.end().await;
}

#[tokio::test]
#[cfg_attr(
    not(marquee_pg),
    ignore = "needs PostgreSQL: MARQUEE_TEST_POSTGRES=postgres://USER:PASS@HOST/postgres cargo test (.ci/run starts one)"
)]
async fn the_index_follows_an_edited_review_on_postgres() {
    let db = pg::fresh().await;
    let store = Store::open(&db.url, true).await.unwrap();
    let review = |body: &str| {
        Source::Bytes {
        name: "Quiet Rooms.txt".into(),
        bytes: format!(
            "(director: Nora Lind; cast: Ann Lee; Runtime: 99; Neon; 2011)\n\n“A quote.”\n\nReviewed by Dennis Schwartz\n\n{body}\n\nNora Lind's Quiet Rooms\n      a tagline\n\n\nREVIEWED ON 3/4/2020  GRADE: B\n"
        )
        .into_bytes(),
    }
    };
    import_sources(&store, vec![review("A story of weavers.")], |_| {})
        .await
        .unwrap();
    assert_eq!(search(&store, "weavers").await.total, 1);
    let report = import_sources(&store, vec![review("A story of potters.")], |_| {})
        .await
        .unwrap();
    assert_eq!(report.counts.updated, 1);
    assert_eq!(search(&store, "weavers").await.total, 0);
    assert_eq!(search(&store, "potters").await.total, 1);
    store.close().await;
    db.drop_now().await;
}

/// The shared corpus (3,200 reviews) in both engines: random phrases and prefixes from it
/// find as many reviews on each, and title words bring the film first on PostgreSQL as they
/// do on SQLite. Skipped, with a message, when the corpus is absent.
#[tokio::test]
#[cfg_attr(
    not(marquee_pg),
    ignore = "needs PostgreSQL: MARQUEE_TEST_POSTGRES=postgres://USER:PASS@HOST/postgres cargo test (.ci/run starts one)"
)]
async fn the_corpus_searches_alike_on_both_engines() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/reviews");
    if !dir.exists() {
        println!("skipped: {} not found", dir.display());
        return;
    }
    fn corpus() -> Vec<Source> {
        collect_sources(&[Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/reviews")])
    }
    let len = corpus().len();
    let both = Both::from(corpus, len).await;

    // Words drawn from the reviews themselves, as each engine stores them.
    let reviews = both
        .sqlite
        .reviews(&(1..=len as i64).collect::<Vec<_>>())
        .await
        .unwrap();
    let mut rng = sloppy::SplitMix64::new(0x7067_2121);
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mut checked = 0;
    let mut differ = Vec::new();
    while checked < 60 {
        let review = &reviews[rng.below(reviews.len())].review;
        let body = words(&review.body);
        let n = 1 + rng.below(3);
        if body.len() < n {
            continue;
        }
        let start = rng.below(body.len() - n + 1);
        let phrase = body[start..start + n].join(" ");
        let text = match checked % 3 {
            0 => format!("\"{phrase}\""),
            1 => phrase,
            _ => match body[start].char_indices().nth(3) {
                Some((i, _)) => format!("{}*", &body[start][..i]),
                None => continue,
            },
        };
        let query = TextQuery::parse(&text).unwrap();
        let s = both.sqlite.text_search(&query, 0, 1).await.unwrap();
        let p = both.pg.text_search(&query, 0, 1).await.unwrap();
        if (s.total, s.any_term) != (p.total, p.any_term) {
            differ.push(format!("{text}: SQLite {} PostgreSQL {}", s.total, p.total));
        }
        checked += 1;
    }
    assert!(differ.is_empty(), "{differ:#?}");

    let mut first = 0;
    let mut checked = 0;
    while checked < 60 {
        let review = &reviews[rng.below(reviews.len())].review;
        if words(&review.title).len() < 2 {
            continue;
        }
        checked += 1;
        let query = TextQuery::parse(&words(&review.title).join(" ")).unwrap();
        let hits = both.pg.text_search(&query, 0, 1).await.unwrap().hits;
        let top = hits.first().map(|h| words(&h.film.title.to_lowercase()));
        if top == Some(words(&review.title.to_lowercase())) {
            first += 1;
        } else {
            println!(
                "{:?}: first hit {:?}",
                review.title,
                hits.first().map(|h| &h.film.title)
            );
        }
    }
    println!("title words first on PostgreSQL: {first}/{checked}");
    assert!(first * 10 >= checked * 9, "{first}/{checked}");
    both.end().await;
}

/// `/search text:<text>` through the commands, as interaction `id`.
async fn search_reply(data: &Data, id: u64, text: &str) -> Value {
    reply(
        data,
        slash_command(id, "search", json!([opt("text", 3, text)]), &ctx()),
    )
    .await
}
