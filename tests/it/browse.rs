//! Browsing without any network: `/person`, `/top`, `/search` and `/stats` as interactions in,
//! replies out, over a fixture archive (support/archive.rs) in an in-memory database;
//! and the full-text index kept in step with imports.

use std::sync::Arc;

use marquee::archive::{Archive, Origin};
use marquee::commands::{dispatch, Data};
use marquee::import::{import_sources, Source};
use marquee::store::Store;
use marquee_testkit::fake_discord::{
    autocomplete, bot_message, component, focused, opt, slash_command, Ctx,
};
use marquee_testkit::openapi;
use serde_json::{json, Value};
use serenity::all::Interaction;
use sqlx::SqlitePool;

use crate::support::archive;

async fn data_on(store: Store) -> Data {
    let report = import_sources(&store, archive::sources(), |_| {})
        .await
        .unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.counts.added as usize, archive::len());
    Data {
        archive: Arc::new(Archive::new(store, Origin::Database).await.unwrap()),
        critic: "Dennis Schwartz".into(),
    }
}

async fn data() -> Data {
    data_on(Store::in_memory().await.unwrap()).await
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
    if v["type"] != 8 {
        assert_eq!(v["data"]["allowed_mentions"]["parse"], json!([]), "{v}");
    }
    v
}

static SPEC: std::sync::LazyLock<Option<openapi::Spec>> =
    std::sync::LazyLock::new(openapi::Spec::load);

async fn person(data: &Data, id: u64, options: Value) -> Value {
    reply(data, slash_command(id, "person", options, &ctx())).await
}

fn title(v: &Value) -> &str {
    v["data"]["embeds"][0]["title"].as_str().unwrap_or("")
}

fn description(v: &Value) -> &str {
    v["data"]["embeds"][0]["description"].as_str().unwrap_or("")
}

fn content(v: &Value) -> &str {
    v["data"]["content"].as_str().unwrap_or("")
}

fn is_ephemeral(v: &Value) -> bool {
    v["data"]["flags"].as_u64() == Some(64)
}

/// Every component of a reply, flattened.
fn components(v: &Value) -> Vec<Value> {
    v["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .collect()
}

fn component_id(v: &Value, prefix: &str) -> Option<(String, Value)> {
    components(v)
        .into_iter()
        .find(|c| {
            c["custom_id"]
                .as_str()
                .is_some_and(|id| id.starts_with(prefix))
        })
        .map(|c| (c["custom_id"].as_str().unwrap().to_owned(), c))
}

/// The message a reply became, as a component interaction carries it.
fn message_of(v: &Value) -> Value {
    bot_message(90, 5000, &v["data"])
}

async fn press(data: &Data, id: u64, v: &Value, custom_id: &str) -> Value {
    reply(
        data,
        component(id, custom_id, 2, Vec::new(), message_of(v), &ctx()),
    )
    .await
}

async fn choose(data: &Data, id: u64, v: &Value, custom_id: &str, value: &str) -> Value {
    reply(
        data,
        component(
            id,
            custom_id,
            3,
            vec![value.to_owned()],
            message_of(v),
            &ctx(),
        ),
    )
    .await
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

#[tokio::test]
async fn person_matching_forgives_accents_typos_and_initials() {
    let data = data().await;
    for (id, query, who) in [
        (1, "kyoko arai", "Kyôko Arai"),
        (2, "KYÔKO ARAI", "Kyôko Arai"),
        (3, "kyoko aria", "Kyôko Arai"),
        (4, "j. l. godard", "Jean-Luc Godard"),
        (5, "jean luc godard", "Jean-Luc Godard"),
        (6, "jl godard", "Jean-Luc Godard"),
        (7, "godard", "Jean-Luc Godard"),
        (8, "oren castel", "Oren Castell"),
    ] {
        let v = person(&data, id, json!([opt("name", 3, query)])).await;
        assert_eq!(title(&v), who, "{query}: {v}");
        assert!(
            component_id(&v, "marquee:person:who").is_none(),
            "{query}: one person fits, no choice offered"
        );
    }
    let v = person(&data, 9, json!([opt("name", 3, "kyoko arai")])).await;
    assert_eq!(
        lines(&v),
        ["1. Harbour Lights (1972)", "2. Paper Moons (1975)"],
        "oldest first"
    );
    assert!(
        description(&v).starts_with("2 films · A 2"),
        "{}",
        description(&v)
    );
    assert!(description(&v).contains("· director, writer"), "{v}");
}

#[tokio::test]
async fn a_surname_shared_by_four_gives_the_best_and_a_menu_of_the_others() {
    let data = data().await;
    let v = person(&data, 1, json!([opt("name", 3, "lund")])).await;
    assert_eq!(title(&v), "Mara Lund", "the most credited Lund first");
    let (menu_id, menu) = component_id(&v, "marquee:person:who").expect("a menu of the others");
    let labels: Vec<&str> = menu["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels.len(), 4, "{labels:?}");
    assert!(
        labels[0].starts_with("Mara Lund — director of 3"),
        "{labels:?}"
    );
    assert!(
        labels
            .iter()
            .any(|l| l.starts_with("Nils Lund — cast in 2")),
        "{labels:?}"
    );
    assert_eq!(menu["options"][0]["default"], true);

    // Choosing another Lund shows their films; the menu stays, with the choice marked.
    let nils = menu["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["label"].as_str().unwrap().starts_with("Nils"))
        .unwrap()["value"]
        .as_str()
        .unwrap()
        .to_owned();
    let v2 = choose(&data, 2, &v, &menu_id, &nils).await;
    assert_eq!(v2["type"], 7);
    assert_eq!(title(&v2), "Nils Lund");
    assert_eq!(
        lines(&v2),
        ["1. Harbour Lights (1972)", "2. Glass Houses (1979)"]
    );
    let (_, kept) = component_id(&v2, "marquee:person:who").expect("the menu stays");
    let chosen: Vec<&Value> = kept["options"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["default"] == true)
        .collect();
    assert_eq!(chosen.len(), 1);
    assert_eq!(chosen[0]["value"], nils);

    // The whole name settles it.
    let v = person(&data, 3, json!([opt("name", 3, "ada lund")])).await;
    assert_eq!(title(&v), "Ada Lund");
    assert!(component_id(&v, "marquee:person:who").is_none());
}

#[tokio::test]
async fn the_role_filter_lists_only_that_job() {
    let data = data().await;
    let v = person(
        &data,
        1,
        json!([opt("name", 3, "mara lund"), opt("role", 3, "director")]),
    )
    .await;
    assert_eq!(
        lines(&v),
        [
            "1. Night Ferry (1971)",
            "2. The Long Field (1978)",
            "3. Glass Houses (1979)"
        ],
        "not Paper Moons, where she is in the cast"
    );
    assert!(
        description(&v).starts_with("3 films as director · A 1, B+ 1, C 1"),
        "{v}"
    );
    let v = person(
        &data,
        2,
        json!([opt("name", 3, "mara lund"), opt("role", 3, "cast")]),
    )
    .await;
    assert_eq!(lines(&v), ["1. Paper Moons (1975)"]);

    // Someone who never had that job: say what they did do.
    let v = person(
        &data,
        3,
        json!([opt("name", 3, "godard"), opt("role", 3, "cast")]),
    )
    .await;
    assert!(is_ephemeral(&v), "{v}");
    assert!(
        content(&v).contains("Jean-Luc Godard has no films in the cast"),
        "{v}"
    );
    assert!(content(&v).contains("director of 2"), "{v}");
    // A role Discord would never send is refused, not guessed.
    let v = person(
        &data,
        4,
        json!([opt("name", 3, "godard"), opt("role", 3, "gaffer")]),
    )
    .await;
    assert!(
        is_ephemeral(&v) && content(&v).contains("not a role"),
        "{v}"
    );
}

#[tokio::test]
async fn nobody_found_is_ephemeral_and_names_the_closest() {
    let data = data().await;
    let v = person(&data, 1, json!([opt("name", 3, "zzyzx qqq")])).await;
    assert!(is_ephemeral(&v));
    assert!(
        content(&v).starts_with("Nobody in the archive matches “zzyzx qqq”."),
        "{v}"
    );
    let v = person(&data, 2, json!([opt("name", 3, "   ")])).await;
    assert!(is_ephemeral(&v) && content(&v).contains("name"), "{v}");
}

#[tokio::test]
async fn pages_of_ten_with_buttons_and_a_page_past_the_end_shows_the_last() {
    let data = data().await;
    let v = person(&data, 1, json!([opt("name", 3, archive::BUSY_ACTOR)])).await;
    assert_eq!(lines(&v).len(), 10);
    assert!(lines(&v)[0].starts_with("1. "));
    assert_eq!(v["data"]["embeds"][0]["footer"]["text"], "Page 1 of 3");
    let (prev, prev_button) = component_id(&v, "marquee:person:prev").unwrap();
    let (next, next_button) = component_id(&v, "marquee:person:next").unwrap();
    assert_eq!(prev_button["disabled"], true);
    assert_eq!(next_button["disabled"], false);
    assert_ne!(prev, next);

    let v2 = press(&data, 2, &v, &next).await;
    assert_eq!(v2["type"], 7);
    assert_eq!(v2["data"]["embeds"][0]["footer"]["text"], "Page 2 of 3");
    assert!(lines(&v2)[0].starts_with("11. "), "{:?}", lines(&v2));
    let (next, _) = component_id(&v2, "marquee:person:next").unwrap();
    let v3 = press(&data, 3, &v2, &next).await;
    let last = lines(&v3);
    assert_eq!(last.len(), archive::BUSY_FILMS - 20);
    assert!(last[0].starts_with("21. "), "{last:?}");
    let (_, next_button) = component_id(&v3, "marquee:person:next").unwrap();
    assert_eq!(next_button["disabled"], true, "no page after the last");

    // A forged or stale page number past the end shows the last page.
    let forged = next.replacen(":next:2:", ":next:99999999999:", 1);
    assert_ne!(forged, next);
    let v4 = press(&data, 4, &v3, &forged).await;
    assert_eq!(lines(&v4), last);
    // A forged custom id is a short ephemeral answer.
    for bad in [
        "marquee:person:next:x:1:any",
        "marquee:person:next:1:1:gaffer",
        "marquee:person:warp:1:1:any",
        "marquee:nosuch:next:1:1",
    ] {
        let v = press(&data, 5, &v3, bad).await;
        assert!(is_ephemeral(&v), "{bad}: {v}");
    }
}

#[tokio::test]
async fn the_film_menu_opens_the_card_in_place_and_back_returns_to_the_page() {
    let data = data().await;
    let v = person(&data, 1, json!([opt("name", 3, "godard")])).await;
    let (menu_id, menu) = component_id(&v, "marquee:person:film").expect("a film menu");
    let options = menu["options"].as_array().unwrap();
    assert_eq!(options.len(), lines(&v).len());
    let breath = options
        .iter()
        .find(|o| o["label"].as_str().unwrap().contains("Breath of Air"))
        .unwrap();
    let card = choose(&data, 2, &v, &menu_id, breath["value"].as_str().unwrap()).await;
    assert_eq!(card["type"], 7, "the message is updated in place");
    assert_eq!(title(&card), "Breath of Air (1960)");
    let fields = card["data"]["embeds"][0]["fields"].as_array().unwrap();
    assert!(fields
        .iter()
        .any(|f| f["name"] == "Grade" && f["value"] == "A-"));
    let (back, _) = component_id(&card, "marquee:person:back").expect("a way back");
    let list = press(&data, 3, &card, &back).await;
    assert_eq!(title(&list), "Jean-Luc Godard");
    assert_eq!(lines(&list), lines(&v));

    // A menu value that is no film, or a film since removed: a short ephemeral answer.
    for value in ["not-a-number", "999999"] {
        let v = choose(&data, 4, &v, &menu_id, value).await;
        assert!(is_ephemeral(&v), "{value}: {v}");
    }
}

#[tokio::test]
async fn person_autocomplete_labels_people_with_their_jobs() {
    let data = data().await;
    let v = reply(
        &data,
        autocomplete(1, "person", json!([focused("name", 3, "lun")]), &ctx()),
    )
    .await;
    let choices = v["data"]["choices"].as_array().unwrap();
    assert_eq!(choices.len(), 4);
    assert_eq!(
        choices[0]["name"],
        "Mara Lund — director of 3, writer of 1, cast in 1"
    );
    assert_eq!(choices[0]["value"], "Mara Lund");
    // With a role chosen, only people with that job.
    let v = reply(
        &data,
        autocomplete(
            2,
            "person",
            json!([focused("name", 3, "lun"), opt("role", 3, "writer")]),
            &ctx(),
        ),
    )
    .await;
    let names: Vec<&str> = v["data"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Ada Lund", "Mara Lund"],
        "most films as writer first"
    );
    // /top and /stats complete people too.
    for (id, command) in [(3, "top"), (4, "stats")] {
        let v = reply(
            &data,
            autocomplete(id, command, json!([focused("person", 3, "kyo")]), &ctx()),
        )
        .await;
        assert_eq!(v["data"]["choices"][0]["value"], "Kyôko Arai", "{command}");
    }
}

#[tokio::test]
async fn top_is_best_first_and_ties_go_to_the_most_recently_reviewed() {
    let data = data().await;
    let v = reply(
        &data,
        slash_command(1, "top", json!([opt("decade", 4, 1970)]), &ctx()),
    )
    .await;
    assert_eq!(title(&v), "Best of the 1970s");
    assert_eq!(
        lines(&v),
        [
            "1. Paper Moons (1975)",
            "2. Harbour Lights (1972)",
            "3. The Long Field (1978)",
            "4. Night Ferry (1971)",
            "5. Glass Houses (1979)"
        ],
        "A (2001), A (1999), A (undated), B+, C"
    );
    assert!(
        description(&v).starts_with("5 films · A 3, B+ 1, C 1"),
        "{v}"
    );
    assert!(component_id(&v, "marquee:top:next").is_none(), "one page");

    let v = reply(
        &data,
        slash_command(2, "top", json!([opt("person", 3, "godard")]), &ctx()),
    )
    .await;
    assert_eq!(title(&v), "Best of Jean-Luc Godard");
    assert_eq!(
        lines(&v),
        [
            "1. Breath of Air (1960)",
            "2. Weekend Rain (1967)",
            "3. Glass Houses (1979)"
        ]
    );
    let v = reply(
        &data,
        slash_command(3, "top", json!([opt("year", 4, 1975)]), &ctx()),
    )
    .await;
    assert_eq!(lines(&v), ["1. Paper Moons (1975)"]);

    // The whole archive pages like /person.
    let v = reply(&data, slash_command(4, "top", json!([]), &ctx())).await;
    let total = archive::len();
    assert_eq!(
        v["data"]["embeds"][0]["footer"]["text"],
        format!("Page 1 of {}", total.div_ceil(10))
    );
    let (next, _) = component_id(&v, "marquee:top:next").unwrap();
    let v2 = press(&data, 5, &v, &next).await;
    assert!(lines(&v2)[0].starts_with("11. "));

    for (id, options, says) in [
        (6, json!([opt("decade", 4, 1890)]), "no films for the 1890s"),
        (
            7,
            json!([opt("decade", 4, 1970), opt("year", 4, 1985)]),
            "1985 is not in the 1970s",
        ),
        (
            8,
            json!([opt("person", 3, "zzyzx qqq")]),
            "Nobody in the archive",
        ),
    ] {
        let v = reply(&data, slash_command(id, "top", options, &ctx())).await;
        assert!(is_ephemeral(&v) && content(&v).contains(says), "{v}");
    }
}

async fn search(data: &Data, id: u64, text: &str) -> Value {
    reply(
        data,
        slash_command(id, "search", json!([opt("text", 3, text)]), &ctx()),
    )
    .await
}

#[tokio::test]
async fn search_finds_words_and_phrases_and_bolds_the_match() {
    let data = data().await;
    let v = search(&data, 1, "masterpiece").await;
    assert_eq!(lines(&v), ["1. Harbour Lights (1972)"]);
    assert!(description(&v).contains("**masterpiece**"), "{v}");

    // A phrase needs its words together; the same words apart match more.
    let apart = search(&data, 2, "fishing town").await;
    assert_eq!(lines(&apart).len(), 2, "{apart}");
    let phrase = search(&data, 3, "\"fishing town\"").await;
    assert_eq!(lines(&phrase), ["1. Harbour Lights (1972)"]);
    assert!(
        description(&phrase).contains("**fishing town**"),
        "{phrase}"
    );

    // A trailing * is a prefix.
    let prefix = search(&data, 4, "master*").await;
    assert_eq!(
        titles(&prefix),
        ["Harbour Lights (1972)", "Paper Moons (1975)"],
        "masterpiece and mastery"
    );
    let word = search(&data, 5, "master").await;
    assert!(
        is_ephemeral(&word),
        "the word alone is in no review: {word}"
    );
    assert!(
        content(&word).starts_with("No review mentions “master”."),
        "{word}"
    );
}

#[tokio::test]
async fn search_ranks_a_title_above_the_body() {
    let data = data().await;
    let v = search(&data, 1, "night").await;
    assert_eq!(lines(&v)[0], "1. Night Ferry (1971)", "{v}");
    assert!(
        lines(&v).iter().any(|l| l.ends_with("Glass Houses (1979)")),
        "{v}"
    );
}

#[tokio::test]
async fn search_folds_accents_both_ways() {
    let data = data().await;
    for (id, text) in [(1, "cafe"), (2, "CAFÉ"), (3, "Café")] {
        let v = search(&data, id, text).await;
        assert_eq!(lines(&v), ["1. Harbour Lights (1972)"], "{text}");
        assert!(description(&v).contains("**café**"), "{text}: {v}");
    }
    let v = search(&data, 4, "naïve").await;
    assert_eq!(lines(&v), ["1. Weekend Rain (1967)"], "{v}");
}

#[tokio::test]
async fn search_syntax_users_did_not_mean_is_plain_words_never_an_error() {
    let data = data().await;
    // FTS5 would reject or misread each of these; they are searched as the words in them.
    for text in [
        "\"unclosed masterpiece",
        "masterpiece AND(",
        "- masterpiece",
        "NEAR masterpiece",
        "NEAR(masterpiece",
        "masterpiece OR",
        "(masterpiece",
        "^masterpiece",
        "masterpiece\"\"",
        "masterpiece:",
        "{masterpiece}",
    ] {
        let v = search(&data, 1, text).await;
        assert!(
            lines(&v)
                .iter()
                .any(|l| l.ends_with("Harbour Lights (1972)")),
            "{text}: {v}"
        );
    }
    // Nothing to search for, or nothing found: a short ephemeral answer, not the apology
    // that an error from SQLite would give.
    for text in [
        "-",
        "\"",
        "()",
        "*",
        "NOT",
        "title:masterpiece",
        "a:b:c",
        "\"\"\"",
    ] {
        let v = search(&data, 2, text).await;
        assert!(!content(&v).contains("Sorry"), "{text}: {v}");
        if v["type"] == 4 && !is_ephemeral(&v) {
            assert!(!lines(&v).is_empty(), "{text}: {v}");
        }
    }
}

#[tokio::test]
async fn snippets_escape_review_text_so_it_cannot_format_or_ping() {
    let data = data().await;
    let v = search(&data, 1, "starburst").await;
    let d = description(&v);
    assert!(d.contains(r"\*\***starburst**\*\*"), "{d}");
    assert!(d.contains(r"\<\@123\>"), "{d}");
    assert!(d.contains(r"\@everyone"), "{d}");
    assert!(d.contains(r"\|\|spoiled\|\|"), "{d}");
    assert!(d.contains(r"\[a link\](https\://example.test)"), "{d}");
}

#[tokio::test]
async fn many_words_fall_back_to_any_when_none_has_all() {
    let data = data().await;
    let v = search(&data, 1, "masterpiece drought").await;
    let mut found = lines(&v);
    found.sort();
    assert_eq!(found.len(), 2, "{v}");
    assert!(description(&v).contains("No review has every word"), "{v}");
}

#[tokio::test]
async fn stats_counts_the_grades_and_attaches_the_chart() {
    let data = data().await;
    let v = reply(&data, slash_command(1, "stats", json!([]), &ctx())).await;
    let embed = &v["data"]["embeds"][0];
    assert_eq!(embed["image"]["url"], "attachment://grades.png");
    assert_eq!(
        v["data"]["attachments"][0]["filename"], "grades.png",
        "the file goes with the reply"
    );
    let d = description(&v);
    assert!(
        d.starts_with(&format!("**{} films**", archive::len())),
        "{d}"
    );
    assert!(d.contains("mean grade **"), "{d}");
    for grade in ["A", "B+", "C", "D", "F"] {
        let n = archive::count_graded(grade);
        if n > 0 {
            assert!(d.contains(&format!("{grade} {n}")), "{grade} {n}: {d}");
        }
    }
    let v = reply(
        &data,
        slash_command(
            2,
            "stats",
            json!([opt("person", 3, "kyoko arai"), opt("decade", 4, 1970)]),
            &ctx(),
        ),
    )
    .await;
    assert_eq!(title(&v), "Grades: Kyôko Arai, the 1970s");
    assert!(
        description(&v).starts_with("**2 films** · mean grade **A**"),
        "{v}"
    );
    let v = reply(
        &data,
        slash_command(3, "stats", json!([opt("decade", 4, 1880)]), &ctx()),
    )
    .await;
    assert!(
        is_ephemeral(&v) && content(&v).contains("nothing to chart"),
        "{v}"
    );
}

#[tokio::test]
async fn cards_opened_from_a_list_survive_a_restart() {
    // Two archives over one database file stand for the bot before and after a restart:
    // the second has never seen the first's messages, only their custom ids.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("a.db").display());
    let before = data_on(Store::open(&url, true).await.unwrap()).await;
    let v = person(&before, 1, json!([opt("name", 3, archive::BUSY_ACTOR)])).await;
    let (next, _) = component_id(&v, "marquee:person:next").unwrap();
    before.archive.store().close().await;
    let after = Data {
        archive: Arc::new(
            Archive::new(Store::open(&url, false).await.unwrap(), Origin::Database)
                .await
                .unwrap(),
        ),
        critic: "Dennis Schwartz".into(),
    };
    let v2 = press(&after, 2, &v, &next).await;
    assert_eq!(v2["data"]["embeds"][0]["footer"]["text"], "Page 2 of 3");
}

// ----- the full-text index in the store -----

fn review(title: &str, body: &str) -> Source {
    Source::Bytes {
        name: format!("{title}.txt"),
        bytes: format!(
            "(director: Nora Lind; cast: Ann Lee; Runtime: 99; Neon; 2011)\n\n“A quote.”\n\nReviewed by Dennis Schwartz\n\n{body}\n\nNora Lind's {title}\n      a tagline\n\n\nREVIEWED ON 3/4/2020  GRADE: B\n"
        )
        .into_bytes(),
    }
}

async fn hits(store: &Store, text: &str) -> Vec<String> {
    let query = marquee::search::words::TextQuery::parse(text).unwrap();
    store
        .text_search(&query, 0, 50)
        .await
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.film.title)
        .collect()
}

#[sqlx::test]
async fn the_index_follows_an_edited_review_in_the_same_import(pool: SqlitePool) {
    let store = Store::from_pool(pool.clone()).await.unwrap();
    import_sources(
        &store,
        vec![review("Quiet Rooms", "A story of weavers.")],
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(hits(&store, "weavers").await, ["Quiet Rooms"]);
    let report = import_sources(
        &store,
        vec![review("Quiet Rooms", "A story of potters.")],
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(report.counts.updated, 1);
    assert!(
        hits(&store, "weavers").await.is_empty(),
        "the old words are gone"
    );
    assert_eq!(hits(&store, "potters").await, ["Quiet Rooms"]);
    // The index agrees with its content table.
    let ok: Result<(), sqlx::Error> =
        sqlx::query("INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('integrity-check', 1)")
            .execute(&pool)
            .await
            .map(|_| ());
    assert!(ok.is_ok(), "{ok:?}");
}

#[sqlx::test(migrations = false)]
async fn the_migration_indexes_an_archive_imported_before_it(pool: SqlitePool) {
    // An archive at the second migration, with a review and an alternative title in it.
    let mut older = sqlx::migrate::Migrator::DEFAULT;
    older.migrations = std::borrow::Cow::Owned(
        marquee::store::MIGRATOR
            .iter()
            .filter(|m| m.version < 3)
            .cloned()
            .collect(),
    );
    older.run(&pool).await.unwrap();
    sqlx::query(
        "INSERT INTO reviews (id, title, title_key, year, layout, body, grade, grade_rank, raw_text)
         VALUES (1, 'Damage', 'damage', 1992, 'short', 'A cold affair in a warm house.', 'B', 4, 'x')",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO alt_titles (review_id, title) VALUES (1, 'Fatale')")
        .execute(&pool)
        .await
        .unwrap();
    let store = Store::from_pool(pool).await.unwrap();
    assert_eq!(hits(&store, "affair").await, ["Damage"]);
    assert_eq!(
        hits(&store, "fatale").await,
        ["Damage"],
        "alternative titles are searched"
    );
}
