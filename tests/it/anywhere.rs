//! marquee installed to a user's account and used where the bot is not: in a server it is not a
//! member of (the interaction carries no member, and the installation's owner is the user) and
//! in a DM between two people. Every answering command, its buttons and menus, the chart and
//! the whole review's pages, over the gateway and over HTTP interactions, each body checked
//! against Discord's OpenAPI spec by the fake; and nothing the bot sends needs a channel or
//! a server of its own.

use marquee::import::Source;
use marquee::present::markdown::escape;
use marquee_testkit::fake_discord::{
    bot_message, component, message_command, opt, slash_command, user_message, Ctx, FakeDiscord,
};
use serde_json::{json, Value};

use crate::support::archive;
use crate::support::inproc::{Answer, InProcess, Transport};

/// The long review's body paragraphs: twelve of about 600 characters, one of them trying to
/// format and ping.
fn long_paragraphs() -> Vec<String> {
    (1..=12)
        .map(|i| {
            let lead = if i == 5 {
                "@everyone should see *this* one, says the <@123> crowd.".to_owned()
            } else {
                format!("Paragraph {i} of the long read goes on.")
            };
            let more = " The camera waits in the doorway while the family argues about the \
                        house, and nobody moves to close the door."
                .repeat(5);
            format!("{lead}{more}")
        })
        .collect()
}

/// A review too long for one page, in the critic's modern layout.
fn long_review() -> Source {
    let text = format!(
        "(director: Wen Oduya; cast: Ilse Marr (Hanna); Runtime: 141; 2019)\n\n\
         “Long, patient and worth every minute.”\n\nReviewed by Dennis Schwartz\n\n{}\n\n\
         Wen Oduya's The Long Read\n      a house, a family, a summer\n\n\n\
         REVIEWED ON 6/1/2020  GRADE: A-",
        long_paragraphs().join("\n\n")
    );
    Source::Bytes {
        name: "the-long-read.txt".into(),
        bytes: text.into_bytes(),
    }
}

fn sources() -> Vec<Source> {
    let mut sources = archive::sources();
    sources.push(long_review());
    sources
}

/// The component of a response whose custom id starts with `prefix`.
fn control(body: &Value, prefix: &str) -> Value {
    body["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .find(|c| {
            c["custom_id"]
                .as_str()
                .is_some_and(|id| id.starts_with(prefix))
        })
        .unwrap_or_else(|| panic!("no {prefix} control in {body}"))
}

/// Presses the button `custom_id` on the message the response `on` showed.
async fn press(app: &InProcess, id: u64, on: &Value, custom_id: &str, ctx: &Ctx) -> Answer {
    let message = bot_message(id + 100_000, ctx.channel_id, &on["data"]);
    let d = component(id, custom_id, 2, vec![], message, ctx);
    app.ask(&d).await
}

fn footer(body: &Value) -> String {
    body["data"]["embeds"][0]["footer"]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Every answering command where the bot is not: `ctx` a user install in a server or a DM.
async fn everything_answers(app: &InProcess, ctx: &Ctx, first_id: u64) {
    let mut id = first_id;
    let mut next = || {
        id += 1;
        id
    };
    let where_ = format!("{:?} {ctx:?}", app.transport);

    // /review: the card and its "Read the review".
    let n = next();
    let card = app
        .ask(&slash_command(
            n,
            "review",
            json!([opt("title", 3, "harbour lights")]),
            ctx,
        ))
        .await
        .body;
    assert_eq!(card["type"], 4, "{where_}: {card}");
    let title = card["data"]["embeds"][0]["title"].as_str().unwrap_or("");
    assert!(title.starts_with("Harbour Lights"), "{where_}: {card}");
    let read = control(&card, "marquee:review:read:");
    let page = press(app, next(), &card, read["custom_id"].as_str().unwrap(), ctx)
        .await
        .body;
    assert_eq!(page["type"], 4, "{where_}: {page}");
    assert_eq!(page["data"]["flags"], 64, "only the reader sees it");
    assert_eq!(footer(&page), "Page 1 of 1");

    // The long review, page by page.
    let n = next();
    let card = app
        .ask(&slash_command(
            n,
            "review",
            json!([opt("title", 3, "the long read")]),
            ctx,
        ))
        .await
        .body;
    let read = control(&card, "marquee:review:read:");
    let mut page = press(app, next(), &card, read["custom_id"].as_str().unwrap(), ctx)
        .await
        .body;
    let total: usize = footer(&page)
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(total >= 2, "{where_}: {}", footer(&page));
    let mut read_text = Vec::new();
    for n in 1..=total {
        assert_eq!(footer(&page), format!("Page {n} of {total}"), "{where_}");
        assert_eq!(page["data"]["allowed_mentions"]["parse"], json!([]));
        let text = page["data"]["embeds"][0]["description"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(text.chars().count() <= 4096, "{where_}: page {n}");
        read_text.push(text);
        if n < total {
            let button = control(&page, "marquee:review:read:");
            let next_button = page["data"]["components"][0]["components"][1].clone();
            assert_eq!(next_button["label"], "Next ▶", "{page}");
            assert_eq!(
                button["disabled"],
                json!(n == 1),
                "Previous only after page 1"
            );
            page = press(
                app,
                next(),
                &page,
                next_button["custom_id"].as_str().unwrap(),
                ctx,
            )
            .await
            .body;
            assert_eq!(page["type"], 7, "{where_}: the page turns in place");
        }
    }
    // Every paragraph whole on one page, escaped, in order.
    let pages: Vec<Vec<&str>> = read_text
        .iter()
        .map(|p| p.split("\n\n").collect())
        .collect();
    let shown: Vec<&str> = pages.iter().flatten().copied().collect();
    for paragraph in long_paragraphs() {
        let escaped = escape(&paragraph);
        assert!(
            shown.contains(&escaped.as_str()),
            "{where_}: a paragraph was split or changed: {paragraph}"
        );
    }
    assert!(
        shown.iter().any(|p| p.starts_with("\\@everyone")),
        "escaped"
    );

    // /random, /person with its pages, /top, /search.
    let n = next();
    let random = app
        .ask(&slash_command(n, "random", json!([]), ctx))
        .await
        .body;
    assert_eq!(random["type"], 4, "{where_}: {random}");
    let another = control(&random, "marquee:random:");
    let again = press(
        app,
        next(),
        &random,
        another["custom_id"].as_str().unwrap(),
        ctx,
    )
    .await
    .body;
    assert_eq!(again["type"], 7, "{where_}: {again}");

    let n = next();
    let person = app
        .ask(&slash_command(
            n,
            "person",
            json!([opt("name", 3, archive::BUSY_ACTOR)]),
            ctx,
        ))
        .await
        .body;
    assert_eq!(person["data"]["embeds"][0]["title"], archive::BUSY_ACTOR);
    let next_page = control(&person, "marquee:person:next");
    let turned = press(
        app,
        next(),
        &person,
        next_page["custom_id"].as_str().unwrap(),
        ctx,
    )
    .await
    .body;
    assert_eq!(turned["type"], 7, "{where_}: {turned}");
    // A film chosen from the list's menu opens its card in place.
    let menu = control(&turned, "marquee:person:film");
    let film = menu["options"][0]["value"].as_str().unwrap().to_owned();
    let message = bot_message(n + 200_000, ctx.channel_id, &turned["data"]);
    let n = next();
    let d = component(
        n,
        menu["custom_id"].as_str().unwrap(),
        3,
        vec![film],
        message,
        ctx,
    );
    let opened = app.ask(&d).await.body;
    assert_eq!(opened["type"], 7, "{where_}: {opened}");
    control(&opened, "marquee:review:read:");

    for (command, options) in [
        ("top", json!([opt("decade", 4, 1970)])),
        ("search", json!([opt("text", 3, "harbour")])),
    ] {
        let n = next();
        let answer = app.ask(&slash_command(n, command, options, ctx)).await.body;
        assert_eq!(answer["type"], 4, "{where_} /{command}: {answer}");
        assert!(
            answer["data"]["embeds"][0]["title"].is_string(),
            "{where_} /{command}: {answer}"
        );
    }

    // "Find the review" on someone's message.
    let n = next();
    let said = user_message(
        n + 1_000_000,
        ctx.channel_id,
        6200,
        "*Harbour Lights* is on tonight, anyone?",
    );
    let found = app
        .ask(&message_command(n, "Find the review", said, ctx))
        .await
        .body;
    assert_eq!(found["type"], 4, "{where_}: {found}");
    assert_eq!(found["data"]["flags"], 64, "{where_}: for the user alone");
    let title = found["data"]["embeds"][0]["title"].as_str().unwrap_or("");
    assert!(title.starts_with("Harbour Lights"), "{where_}: {found}");

    // /stats: the chart, uploaded with the answer.
    let n = next();
    let stats = app.ask(&slash_command(n, "stats", json!([]), ctx)).await;
    assert_eq!(stats.files.len(), 1, "{where_}: the chart");
    assert!(stats.files[0].starts_with(b"\x89PNG"));
}

/// Nothing the bot sent needed a channel or a server of its own: only interaction callbacks
/// and webhook edits (and, at start, the commands' registration).
fn only_answered_interactions(fake: &FakeDiscord) {
    let elsewhere: Vec<String> = fake
        .requests()
        .iter()
        .filter(|r| {
            let route = r.route();
            route.contains("/channels/") || route.contains("/guilds/")
        })
        .map(|r| format!("{} {}", r.method, r.route()))
        .collect();
    assert!(elsewhere.is_empty(), "{elsewhere:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_installed_over_the_gateway_everything_answers_in_a_foreign_server_and_a_dm() {
    let app = InProcess::start(Transport::Gateway, sources()).await;
    everything_answers(&app, &Ctx::user_install_in_guild(9100, 9101, 6100), 20_000).await;
    everything_answers(&app, &Ctx::user_install_in_dm(9102, 6100), 21_000).await;
    only_answered_interactions(&app.fake);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_installed_over_http_everything_answers_in_a_foreign_server_and_a_dm() {
    let app = InProcess::start(Transport::Http, sources()).await;
    everything_answers(&app, &Ctx::user_install_in_guild(9100, 9101, 6100), 22_000).await;
    everything_answers(&app, &Ctx::user_install_in_dm(9102, 6100), 23_000).await;
    only_answered_interactions(&app.fake);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_commands_are_registered_for_user_installs_and_the_subscriptions_for_servers() {
    let app = InProcess::start(Transport::Gateway, archive::sources()).await;
    let commands = app.fake.commands(None);
    assert!(!commands.is_empty());
    for command in &commands {
        let name = command["name"].as_str().unwrap_or_default();
        let server_only = matches!(name, "subscribe" | "unsubscribe" | "subscriptions");
        let (installs, contexts) = if server_only {
            (json!([0]), json!([0]))
        } else {
            (json!([0, 1]), json!([0, 1, 2]))
        };
        assert_eq!(command["integration_types"], installs, "{name}");
        assert_eq!(command["contexts"], contexts, "{name}");
    }
    app.stop().await;
}
