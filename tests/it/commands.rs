//! Command logic without any network: interactions (as Discord sends them) in, replies out,
//! over the sample archive in an in-memory database.

use std::sync::Arc;

use marquee::archive::{Archive, Origin};
use marquee::commands::{dispatch, Data};
use marquee::present::{limits, Card};
use marquee::review::Review;
use marquee_testkit::fake_discord::{
    self, autocomplete, component, focused, opt, slash_command, Ctx,
};
use marquee_testkit::openapi;
use serde_json::{json, Value};
use serenity::all::Interaction;

const MANAGE_CHANNELS: u64 = 1 << 4;

async fn data() -> Data {
    let (store, _) = marquee::sample::store().await.unwrap();
    Data {
        archive: Arc::new(Archive::new(store, Origin::Database).await.unwrap()),
        critic: "Dennis Schwartz".into(),
    }
}

/// Runs one interaction payload (an INTERACTION_CREATE `d`) through the commands.
async fn reply(data: &Data, d: Value) -> Value {
    let interaction: Interaction = serde_json::from_value(d).expect("a valid interaction");
    let response = dispatch(data, &interaction).await.expect("a reply");
    serde_json::to_value(&response).unwrap()
}

fn guild(permissions: u64) -> Ctx {
    Ctx::guild(8000, 5000, 6000, permissions)
}

fn content(v: &Value) -> &str {
    v["data"]["content"].as_str().unwrap_or("")
}

#[tokio::test]
async fn review_of_a_clear_title_is_one_card_without_a_menu() {
    let data = data().await;
    let v = reply(
        &data,
        slash_command(
            1,
            "review",
            json!([opt("title", 3, "the godfater")]),
            &guild(0),
        ),
    )
    .await;
    assert_eq!(v["type"], 4);
    assert_eq!(v["data"]["embeds"][0]["title"], "The Godfather (1972)");
    // No menu: one row, the card's "Read the review".
    let rows = v["data"]["components"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let buttons = rows[0]["components"].as_array().unwrap();
    assert!(buttons.iter().all(|b| b["type"] == 2), "{buttons:?}");
    assert!(buttons[0]["custom_id"]
        .as_str()
        .unwrap()
        .starts_with("marquee:review:read:"));
    assert_eq!(v["data"]["allowed_mentions"]["parse"], json!([]));
}

#[tokio::test]
async fn review_of_remakes_offers_the_others_and_a_year_picks_one() {
    let data = data().await;
    let v = reply(
        &data,
        slash_command(
            1,
            "review",
            json!([opt("title", 3, "king kong")]),
            &guild(0),
        ),
    )
    .await;
    let options = v["data"]["components"][1]["components"][0]["options"]
        .as_array()
        .unwrap()
        .clone();
    let labels: Vec<&str> = options
        .iter()
        .map(|o| o["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels.len(), 2, "{labels:?}");
    assert!(
        labels.iter().all(|l| l.starts_with("King Kong (")),
        "{labels:?}"
    );

    let v = reply(
        &data,
        slash_command(
            2,
            "review",
            json!([opt("title", 3, "king kong"), opt("year", 4, 1976)]),
            &guild(0),
        ),
    )
    .await;
    assert_eq!(v["data"]["embeds"][0]["title"], "King Kong (1976)");
    let v = reply(
        &data,
        slash_command(
            3,
            "review",
            json!([opt("title", 3, "King Kong (2005)")]),
            &guild(0),
        ),
    )
    .await;
    assert_eq!(
        v["data"]["embeds"][0]["title"], "King Kong (2005)",
        "the autocomplete value resolves"
    );

    // Picking from the menu updates the message to that film and keeps the menu.
    let chosen = options
        .iter()
        .find(|o| o["label"].as_str().unwrap().starts_with("King Kong (2005)"))
        .unwrap();
    let message = fake_discord::bot_message(77, 5000, &json!({"embeds": [], "components": []}));
    let mut message = message;
    message["components"] = json!([{"type": 1, "components": [{
        "type": 3, "custom_id": "marquee:review:pick", "options": options
    }]}]);
    let v = reply(
        &data,
        component(
            4,
            "marquee:review:pick",
            3,
            vec![chosen["value"].as_str().unwrap().into()],
            message,
            &guild(0),
        ),
    )
    .await;
    assert_eq!(v["type"], 7);
    assert_eq!(v["data"]["embeds"][0]["title"], "King Kong (2005)");
    let kept = &v["data"]["components"][1]["components"][0]["options"];
    assert_eq!(kept.as_array().unwrap().len(), 2);
    // The card's button reads the film now shown.
    let read = v["data"]["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap();
    assert_eq!(
        read,
        format!(
            "marquee:review:read:{}:0:open",
            chosen["value"].as_str().unwrap()
        )
    );
}

#[tokio::test]
async fn nothing_found_is_ephemeral_and_names_the_closest() {
    let data = data().await;
    let v = reply(
        &data,
        slash_command(
            1,
            "review",
            json!([opt("title", 3, "vertigoo superstar")]),
            &guild(0),
        ),
    )
    .await;
    assert_eq!(v["data"]["flags"], 64);
    let text = content(&v);
    assert!(
        text.starts_with("No review matches “vertigoo superstar”."),
        "{text}"
    );
    assert!(text.contains("Vertigo (1958)"), "{text}");
}

#[tokio::test]
async fn autocomplete_offers_at_most_25_labelled_choices() {
    let data = data().await;
    let v = reply(
        &data,
        autocomplete(1, "review", json!([focused("title", 3, "the")]), &guild(0)),
    )
    .await;
    assert_eq!(v["type"], 8);
    let choices = v["data"]["choices"].as_array().unwrap();
    assert!(!choices.is_empty() && choices.len() <= 25);
    for c in choices {
        let name = c["name"].as_str().unwrap();
        assert!(
            name.chars().count() <= 100 && name.contains(" — "),
            "{name}"
        );
    }
    let v = reply(
        &data,
        autocomplete(2, "review", json!([focused("title", 3, "supe")]), &guild(0)),
    )
    .await;
    assert_eq!(v["data"]["choices"][0]["name"], "Superman II (1980) — B-");
    assert_eq!(v["data"]["choices"][0]["value"], "Superman II (1980)");
}

#[tokio::test]
async fn random_defaults_to_a_minus_and_filters_by_decade() {
    let data = data().await;
    for id in 1..=10 {
        let v = reply(&data, slash_command(id, "random", json!([]), &guild(0))).await;
        let grade = v["data"]["embeds"][0]["fields"][0]["value"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(["A+", "A", "A-"].contains(&grade.as_str()), "{grade}");
    }
    let v = reply(
        &data,
        slash_command(
            20,
            "random",
            json!([opt("min_grade", 3, "F"), opt("decade", 4, 1970)]),
            &guild(0),
        ),
    )
    .await;
    let title = v["data"]["embeds"][0]["title"].as_str().unwrap();
    assert!(title.contains("(197"), "{title}");
    let button = &v["data"]["components"][0]["components"][1];
    assert_eq!(button["custom_id"], "marquee:random:F:1970");

    let v = reply(
        &data,
        slash_command(
            21,
            "random",
            json!([opt("min_grade", 3, "A+"), opt("decade", 4, 1890)]),
            &guild(0),
        ),
    )
    .await;
    assert_eq!(v["data"]["flags"], 64);
    assert_eq!(content(&v), "No review graded A+ or better from the 1890s.");
}

#[tokio::test]
async fn random_of_a_person_picks_only_their_films_and_the_button_keeps_them() {
    let data = data().await;
    let director = |v: &Value| {
        v["data"]["embeds"][0]["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|f| f["name"] == "Director" || f["name"] == "Directors")
            .and_then(|f| f["value"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let mut titles = std::collections::BTreeSet::new();
    let mut button = String::new();
    for i in 0..20 {
        let v = reply(
            &data,
            slash_command(
                30 + i,
                "random",
                json!([opt("person", 3, "coppola"), opt("min_grade", 3, "F")]),
                &guild(0),
            ),
        )
        .await;
        assert_eq!(v["type"], 4, "{v}");
        assert!(director(&v).contains("Coppola"), "{v}");
        titles.insert(v["data"]["embeds"][0]["title"].as_str().unwrap().to_owned());
        button = v["data"]["components"][0]["components"][1]["custom_id"]
            .as_str()
            .unwrap()
            .to_owned();
    }
    assert!(
        titles.len() >= 2,
        "a random pick among their films: {titles:?}"
    );
    assert!(button.starts_with("marquee:random:F:any:p"), "{button}");

    // "Another one" keeps the person.
    let message = fake_discord::bot_message(78, 5000, &json!({"embeds": [], "components": []}));
    let v = reply(&data, component(60, &button, 2, vec![], message, &guild(0))).await;
    assert_eq!(v["type"], 7);
    assert!(director(&v).contains("Coppola"), "{v}");

    // Above their best grade, or nobody by that name: the user is told.
    let v = reply(
        &data,
        slash_command(
            61,
            "random",
            json!([opt("person", 3, "coppola"), opt("decade", 4, 1990)]),
            &guild(0),
        ),
    )
    .await;
    assert_eq!(v["data"]["flags"], 64);
    assert!(
        content(&v)
            .starts_with("No review graded A- or better from the 1990s with Francis Ford Coppola"),
        "{v}"
    );
    let v = reply(
        &data,
        slash_command(
            62,
            "random",
            json!([opt("person", 3, "zzqx nobody")]),
            &guild(0),
        ),
    )
    .await;
    assert!(
        content(&v).starts_with("Nobody in the archive matches"),
        "{v}"
    );

    // The option suggests people as /person does.
    let v = reply(
        &data,
        autocomplete(
            63,
            "random",
            json!([focused("person", 3, "coppo")]),
            &guild(0),
        ),
    )
    .await;
    assert_eq!(v["type"], 8);
    let first = v["data"]["choices"][0]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(first.contains("Coppola"), "{v}");
}

/// "Find the review" on a message saying `text`.
async fn find_in(data: &Data, id: u64, text: &str) -> Value {
    let message = fake_discord::user_message(id + 500, 5000, 7001, text);
    reply(
        data,
        fake_discord::message_command(id, "Find the review", message, &guild(0)),
    )
    .await
}

#[tokio::test]
async fn find_the_review_answers_one_film_several_or_none_for_the_user_alone() {
    let data = data().await;

    // One film: its card, with "Read the review".
    let v = find_in(
        &data,
        70,
        "we finally watched the godfather last night, what a film",
    )
    .await;
    assert_eq!(v["type"], 4, "{v}");
    assert_eq!(v["data"]["flags"], 64, "for the user alone");
    assert_eq!(
        v["data"]["embeds"][0]["title"], "The Godfather (1972)",
        "{v}"
    );
    assert!(v["data"]["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .starts_with("marquee:review:read:"));
    assert_eq!(v["data"]["allowed_mentions"]["parse"], json!([]));

    // Several: a menu of them, in the order the message names them; a choice opens its card.
    let v = find_in(
        &data,
        71,
        "double bill tonight: *Alien* (1979) and then \"Vertigo\"",
    )
    .await;
    assert_eq!(v["data"]["flags"], 64, "{v}");
    let menu = &v["data"]["components"][0]["components"][0];
    assert_eq!(menu["custom_id"], "marquee:review:pick");
    let labels: Vec<&str> = menu["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels.len(), 2, "{labels:?}");
    assert!(labels[0].starts_with("Alien (1979)"), "{labels:?}");
    assert!(labels[1].starts_with("Vertigo (1958)"), "{labels:?}");
    assert!(content(&v).contains("names 2 films"), "{v}");
    let mut message = fake_discord::bot_message(79, 5000, &v["data"]);
    message["flags"] = json!(64);
    let chosen = menu["options"][1]["value"].as_str().unwrap().to_owned();
    let v = reply(
        &data,
        component(
            72,
            "marquee:review:pick",
            3,
            vec![chosen],
            message,
            &guild(0),
        ),
    )
    .await;
    assert_eq!(v["type"], 7, "{v}");
    assert_eq!(v["data"]["embeds"][0]["title"], "Vertigo (1958)");
    assert_eq!(
        v["data"]["components"][1]["components"][0]["placeholder"],
        "Pick one to see its card"
    );

    // None, and ordinary words that are also titles are not films.
    for (id, text) in [
        (73, "it was a good night out, thanks all"),
        (74, "the general consensus is that we should leave at 300"),
    ] {
        let v = find_in(&data, id, text).await;
        assert_eq!(v["data"]["flags"], 64, "{text}: {v}");
        assert_eq!(
            content(&v),
            "No film of the archive in that message.",
            "{text}"
        );
    }
    let v = find_in(&data, 75, "").await;
    assert_eq!(
        content(&v),
        "That message has no text to look for films in."
    );
}

#[tokio::test]
async fn subscriptions_need_a_guild_and_manage_channels() {
    let data = data().await;
    let v = reply(
        &data,
        slash_command(1, "subscribe", json!([]), &Ctx::dm(5000, 6000)),
    )
    .await;
    assert!(content(&v).contains("server"), "{v}");
    let v = reply(
        &data,
        slash_command(2, "subscribe", json!([]), &guild(1 << 11)),
    )
    .await;
    assert!(content(&v).contains("Manage Channels"), "{v}");
    assert!(data
        .archive
        .store()
        .subscriptions(8000)
        .await
        .unwrap()
        .is_empty());

    let v = reply(
        &data,
        slash_command(
            3,
            "subscribe",
            json!([opt("min_grade", 3, "B+")]),
            &guild(MANAGE_CHANNELS),
        ),
    )
    .await;
    assert_eq!(
        content(&v),
        "<#5000> will now announce new reviews graded B+ or better."
    );
    // Administrators may too.
    let admin = Ctx::guild(8000, 5001, 6000, 1 << 3);
    let v = reply(&data, slash_command(4, "subscribe", json!([]), &admin)).await;
    assert_eq!(content(&v), "<#5001> will now announce every new review.");
    let subs = data.archive.store().subscriptions(8000).await.unwrap();
    assert_eq!(
        subs.iter().map(|s| s.channel_id).collect::<Vec<_>>(),
        vec![5000, 5001]
    );

    let v = reply(
        &data,
        slash_command(5, "subscriptions", json!([]), &guild(MANAGE_CHANNELS)),
    )
    .await;
    assert_eq!(
        content(&v),
        "Channels that announce new reviews:\n• <#5000> — new reviews graded B+ or better\n• <#5001> — every new review"
    );
    let v = reply(
        &data,
        slash_command(6, "unsubscribe", json!([]), &guild(MANAGE_CHANNELS)),
    )
    .await;
    assert_eq!(content(&v), "<#5000> will no longer announce new reviews.");
    let v = reply(
        &data,
        slash_command(7, "unsubscribe", json!([]), &guild(MANAGE_CHANNELS)),
    )
    .await;
    assert_eq!(content(&v), "<#5000> was not subscribed.");
}

#[tokio::test]
async fn failures_inside_become_a_short_apology() {
    let data = data().await;
    data.archive.store().close().await;
    let v = reply(&data, slash_command(1, "random", json!([]), &guild(0))).await;
    assert_eq!(v["data"]["flags"], 64);
    assert!(
        content(&v).starts_with("Sorry, something went wrong"),
        "{v}"
    );
    assert!(
        !content(&v).contains("pool"),
        "internal details stay in the log: {v}"
    );
}

#[tokio::test]
async fn every_card_stays_within_discord_limits() {
    // A review far larger than any real one: past the default limits, which config can raise.
    let cast: Vec<String> = (0..60)
        .map(|i| format!("Actor Number{i} (Role {i})"))
        .collect();
    let text = format!(
        "(director: {}; cast: {}; Runtime: 100; {}; 1999)\n\n“{}”\n\nReviewed by Dennis Schwartz\n\n{}\n\n{}'s {}\n      tag\n\n\nREVIEWED ON 1/2/2000  GRADE: B",
        "Nora Lind",
        cast.join(", "),
        "S".repeat(3000),
        "Quote é ".repeat(900),
        "Body. ".repeat(3000),
        "Nora Lind",
        "T".repeat(400),
    );
    let raised = marquee::review::Limits {
        max_title_chars: 1000,
        max_name_chars: 10_000,
        ..Default::default()
    };
    assert!(Review::parse(&text).is_err());
    let review = Review::parse_with(&text, &raised).unwrap();
    let card = Card::of(&review, "Dennis Schwartz");
    assert!(card.title.chars().count() <= limits::TITLE);
    assert!(card.title.ends_with('…'));
    assert!(card.description.chars().count() <= limits::DESCRIPTION);
    let total: usize = card.title.chars().count()
        + card.description.chars().count()
        + card.footer.chars().count()
        + card
            .fields
            .iter()
            .map(|(n, v, _)| n.chars().count() + v.chars().count())
            .sum::<usize>();
    assert!(total <= limits::TOTAL, "{total}");
    for (_, value, _) in &card.fields {
        assert!(value.chars().count() <= limits::FIELD_VALUE);
    }
    if let Some(spec) = openapi::Spec::load() {
        let body = serde_json::to_value(marquee::present::card_response(&card)).unwrap();
        spec.validate_schema("CreateMessageInteractionCallbackRequest", &body);
    }
}

/// Every reply to a forged interaction: short, ephemeral, pings no one.
fn assert_short_ephemeral(v: &Value, what: &str) {
    assert_eq!(v["type"], 4, "{what}: {v}");
    assert_eq!(v["data"]["flags"], 64, "{what}: {v}");
    assert_eq!(v["data"]["allowed_mentions"]["parse"], json!([]), "{what}");
    let text = content(v);
    assert!(!text.is_empty() && text.len() < 300, "{what}: {text}");
    assert!(
        !text.starts_with("Sorry, something went wrong"),
        "{what}: {text}"
    );
}

#[tokio::test]
async fn options_that_are_missing_mistyped_unknown_or_out_of_range_get_a_reply_naming_them() {
    let data = data().await;
    let cases = [
        ("review", json!([]), "needs the option title"),
        (
            "review",
            json!([opt("title", 4, 1941)]),
            "title of /review must be text",
        ),
        (
            "review",
            json!([opt("title", 3, "Alien"), opt("year", 3, "1979")]),
            "year of /review must be a whole number",
        ),
        (
            "review",
            json!([opt("title", 3, "Alien"), opt("year", 4, 99_999)]),
            "from 1870 to 2100",
        ),
        (
            "review",
            json!([opt("title", 3, "Alien"), opt("director", 3, "Ridley Scott")]),
            "no option “director”",
        ),
        (
            "review",
            json!([opt("title", 3, "x".repeat(201))]),
            "at most 200 characters",
        ),
        (
            "person",
            json!([opt("role", 3, "cast")]),
            "needs the option name",
        ),
        ("top", json!([opt("decade", 4, -5)]), "from 1870 to 2100"),
        (
            "subscribe",
            json!([opt("channel", 3, "5000")]),
            "must be a channel",
        ),
        (
            "search",
            json!([opt("**text**", 3, "x")]),
            r"no option “\*\*text\*\*”",
        ),
    ];
    for (i, (command, options, expected)) in cases.into_iter().enumerate() {
        let what = format!("/{command} {options}");
        let v = reply(
            &data,
            slash_command(100 + i as u64, command, options, &guild(MANAGE_CHANNELS)),
        )
        .await;
        assert_short_ephemeral(&v, &what);
        assert!(content(&v).contains(expected), "{what}: {}", content(&v));
    }
    // An extra option never reaches the handler, and a correct one still answers.
    let v = reply(
        &data,
        slash_command(200, "review", json!([opt("title", 3, "Alien")]), &guild(0)),
    )
    .await;
    assert_eq!(v["data"]["embeds"][0]["title"], "Alien (1979)");
}

#[tokio::test]
async fn an_unknown_command_is_named_escaped() {
    let data = data().await;
    let v = reply(
        &data,
        slash_command(1, "every||one||", json!([]), &guild(0)),
    )
    .await;
    assert_short_ephemeral(&v, "unknown command");
    assert!(
        content(&v).contains(r"/every\|\|one\|\|"),
        "{}",
        content(&v)
    );
}

#[tokio::test]
async fn forged_and_stale_controls_get_a_short_reply() {
    let data = data().await;
    let message = fake_discord::bot_message(9001, 5000, &json!({"content": "old"}));
    let long = format!("marquee:top:page:{}", "9".repeat(90));
    let forged: Vec<(&str, u8, Vec<String>)> = vec![
        ("", 2, vec![]),
        ("not-marquee", 2, vec![]),
        ("marquee:", 2, vec![]),
        ("marquee:nope:x", 2, vec![]),
        ("marquee:review:bogus", 2, vec![]),
        // The pick menu with a value that is no film, and one for a film since removed.
        ("marquee:review:pick", 3, vec!["not-a-number".into()]),
        ("marquee:review:pick", 3, vec!["987654321".into()]),
        ("marquee:review:pick", 3, vec![]),
        ("marquee:random:another:Z+:19x0", 2, vec![]),
        ("marquee:person:page:abc:", 2, vec![]),
        ("marquee:person:page:1:999999999", 2, vec![]),
        ("marquee:top:page:-1:", 2, vec![]),
        (long.as_str(), 2, vec![]),
        ("marquee:search:page:3:\u{202E}**@everyone**", 2, vec![]),
        ("marquee:stats:page:0:", 2, vec![]),
    ];
    for (i, (custom_id, kind, values)) in forged.into_iter().enumerate() {
        let v = reply(
            &data,
            component(
                300 + i as u64,
                custom_id,
                kind,
                values,
                message.clone(),
                &guild(0),
            ),
        )
        .await;
        assert_short_ephemeral(&v, custom_id);
        assert!(
            !content(&v).contains("@everyone"),
            "{custom_id}: {}",
            content(&v)
        );
    }
}

/// `/subscribe channel:<id>` as Discord sends it: the channel resolved in `data.resolved`.
fn subscribe_to(id: u64, channel: u64, ctx: &Ctx) -> Value {
    let mut d = slash_command(
        id,
        "subscribe",
        json!([opt("channel", 7, channel.to_string())]),
        ctx,
    );
    d["data"]["resolved"] = json!({"channels": {channel.to_string(): {
        "id": channel.to_string(), "name": "reviews", "type": 0, "permissions": "0"
    }}});
    d
}

#[tokio::test]
async fn a_channel_of_another_server_or_one_discord_did_not_resolve_is_refused() {
    let data = data().await;
    let ours = Ctx::guild(8000, 5000, 6000, MANAGE_CHANNELS);
    let v = reply(&data, subscribe_to(1, 5000, &ours)).await;
    assert!(content(&v).contains("will now announce"), "{}", content(&v));

    // An admin of another server names our channel: refused, and ours keeps it.
    let theirs = Ctx::guild(9000, 7000, 6100, MANAGE_CHANNELS);
    let v = reply(&data, subscribe_to(2, 5000, &theirs)).await;
    assert_short_ephemeral(&v, "another server's channel");
    assert!(content(&v).contains("another server"), "{}", content(&v));
    let store = data.archive.store();
    let subs = store.subscriptions(8000).await.unwrap();
    assert_eq!(
        subs.iter().map(|s| s.channel_id).collect::<Vec<_>>(),
        vec![5000]
    );
    assert!(store.subscriptions(9000).await.unwrap().is_empty());
    // Nor can they unsubscribe it.
    let mut d = slash_command(
        3,
        "unsubscribe",
        json!([opt("channel", 7, "5000")]),
        &theirs,
    );
    d["data"]["resolved"] = subscribe_to(0, 5000, &theirs)["data"]["resolved"].clone();
    reply(&data, d).await;
    assert_eq!(store.subscriptions(8000).await.unwrap().len(), 1);

    // A channel option that Discord did not resolve is not quietly swapped for this channel.
    let v = reply(
        &data,
        slash_command(4, "subscribe", json!([opt("channel", 7, "5001")]), &ours),
    )
    .await;
    assert_short_ephemeral(&v, "unresolved channel");
    assert!(
        content(&v).contains("can't find that channel"),
        "{}",
        content(&v)
    );
    assert_eq!(store.subscriptions(8000).await.unwrap().len(), 1);

    // A member without Manage Channels changes nothing, whatever the command's defaults.
    let member = Ctx::guild(8000, 5002, 6200, 0);
    let v = reply(&data, subscribe_to(5, 5002, &member)).await;
    assert!(content(&v).contains("Manage Channels"), "{}", content(&v));
    assert_eq!(store.subscriptions(8000).await.unwrap().len(), 1);
}
