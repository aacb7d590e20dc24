//! The fake Discord against a real serenity client: gateway READY, command registration,
//! interactions and their callbacks, a scripted 429, nonce deduplication, a gateway reconnect,
//! and the dispatch → callback latency.

use std::time::{Duration, Instant};

use marquee_testkit::fake_discord::{self, Ctx, FakeDiscord, Scripted};
use serde_json::{json, Value};
use serenity::all::{
    ChannelId, ClientBuilder, Command, CommandOptionType, Context, CreateActionRow,
    CreateAllowedMentions, CreateAutocompleteResponse, CreateCommand, CreateCommandOption,
    CreateEmbed, CreateInteractionResponse, CreateInteractionResponseMessage, CreateMessage,
    EventHandler, GatewayIntents, Http, HttpBuilder, Interaction, Nonce, Permissions, Ready,
};
use tokio::sync::mpsc;

const TOKEN: &str = "test-token";

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// What the bot's handler did, for the test to await (a panic inside a serenity handler would
/// only be logged).
#[derive(Debug)]
enum BotEvent {
    Registered(usize),
    Replied(String),
    Failed(String),
}

struct Handler {
    events: mpsc::UnboundedSender<BotEvent>,
}

impl Handler {
    fn report<T, E: std::fmt::Debug>(&self, what: &str, result: Result<T, E>) {
        let event = match result {
            Ok(_) => BotEvent::Replied(what.to_string()),
            Err(e) => BotEvent::Failed(format!("{what}: {e:?}")),
        };
        let _ = self.events.send(event);
    }
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, _ready: Ready) {
        let review = CreateCommand::new("review")
            .description("Look up a review")
            .default_member_permissions(Permissions::SEND_MESSAGES)
            .add_option(
                CreateCommandOption::new(CommandOptionType::String, "title", "Film title")
                    .required(true)
                    .set_autocomplete(true),
            );
        let event = match Command::set_global_commands(&ctx.http, vec![review]).await {
            Ok(commands) => BotEvent::Registered(commands.len()),
            Err(e) => BotEvent::Failed(format!("registration: {e:?}")),
        };
        let _ = self.events.send(event);
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        match interaction {
            Interaction::Command(command) => {
                let title = command
                    .data
                    .options
                    .iter()
                    .find(|o| o.name == "title")
                    .and_then(|o| o.value.as_str())
                    .unwrap_or("?")
                    .to_string();
                let embed = CreateEmbed::new()
                    .title(format!("Review: {title}"))
                    .description("Four stars.")
                    .field("Grade", "A", true)
                    .colour(0x2e_cc71);
                let message = CreateInteractionResponseMessage::new()
                    .content(format!("<@{}> asked for {title}", command.user.id))
                    .embed(embed)
                    .allowed_mentions(CreateAllowedMentions::new());
                let result = command
                    .create_response(&ctx.http, CreateInteractionResponse::Message(message))
                    .await;
                self.report("command", result);
            }
            Interaction::Autocomplete(autocomplete) => {
                let typed = autocomplete
                    .data
                    .autocomplete()
                    .map(|o| o.value.to_string())
                    .unwrap_or_default();
                let choices = CreateAutocompleteResponse::new()
                    .add_string_choice(format!("{typed} (1979)"), "alien-1979")
                    .add_string_choice(format!("{typed}s (1986)"), "aliens-1986");
                let result = autocomplete
                    .create_response(&ctx.http, CreateInteractionResponse::Autocomplete(choices))
                    .await;
                self.report("autocomplete", result);
            }
            Interaction::Component(component) => {
                let message = CreateInteractionResponseMessage::new()
                    .content(format!("picked {:?}", component.data.kind))
                    .components(Vec::<CreateActionRow>::new());
                let result = component
                    .create_response(&ctx.http, CreateInteractionResponse::UpdateMessage(message))
                    .await;
                self.report("component", result);
            }
            _ => {}
        }
    }
}

fn http(fake: &FakeDiscord) -> Http {
    HttpBuilder::new(TOKEN)
        .proxy(fake.api_base())
        .ratelimiter_disabled(true)
        .build()
}

/// A running serenity client against the fake; its handler reports on `events`.
struct Bot {
    task: tokio::task::JoinHandle<()>,
    shards: std::sync::Arc<serenity::gateway::ShardManager>,
    events: mpsc::UnboundedReceiver<BotEvent>,
}

impl Bot {
    /// Closes the gateway connection as a stopping bot does, and ends the client.
    async fn stop(self) {
        self.shards.shutdown_all().await;
        let _ = self.task.await;
    }
}

async fn start_bot(fake: &FakeDiscord) -> Bot {
    let (events, received) = mpsc::unbounded_channel();
    let mut client = ClientBuilder::new_with_http(http(fake), GatewayIntents::GUILDS)
        .event_handler(Handler { events })
        .await
        .expect("the client builds");
    let shards = client.shard_manager.clone();
    let task = tokio::spawn(async move {
        let _ = client.start().await;
    });
    Bot {
        task,
        shards,
        events: received,
    }
}

async fn next_event(events: &mut mpsc::UnboundedReceiver<BotEvent>) -> BotEvent {
    tokio::time::timeout(secs(5), events.recv())
        .await
        .expect("the bot reported within 5 s")
        .expect("the bot is running")
}

async fn expect_reply(events: &mut mpsc::UnboundedReceiver<BotEvent>, what: &str) {
    match next_event(events).await {
        BotEvent::Replied(done) => assert_eq!(done, what),
        BotEvent::Failed(why) => panic!("the bot failed: {why}"),
        other => panic!("expected the {what} reply, got {other:?}"),
    }
}

fn assert_no_violations(fake: &FakeDiscord) {
    if !fake.has_spec() {
        eprintln!("note: no OpenAPI spec; request bodies not validated");
    }
    let violations = fake.violations();
    assert!(
        violations.is_empty(),
        "requests broke Discord's spec:\n{}",
        violations.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interactions_round_trip_through_serenity() {
    let fake = FakeDiscord::start().await;
    let mut bot = start_bot(&fake).await;
    fake.wait_ready(secs(5)).await;
    assert_eq!(fake.intents(), Some(GatewayIntents::GUILDS.bits()));
    assert!(fake.identify_token_is(TOKEN));
    assert_eq!(fake.identify().unwrap()["d"]["token"], "[redacted]");

    // Registration: serenity deserialized the echoed commands.
    let route = format!("/applications/{}/commands", FakeDiscord::APP_ID);
    let put = fake
        .wait_for("the command registration", |r| r.is("PUT", &route), secs(5))
        .await;
    assert_eq!(put.status, 200);
    assert!(put.authorization_is(&format!("Bot {TOKEN}")));
    assert_eq!(put.header("authorization"), Some("[redacted]"));
    assert_eq!(put.body[0]["name"], "review");
    assert!(matches!(
        next_event(&mut bot.events).await,
        BotEvent::Registered(1)
    ));
    assert_eq!(fake.commands(None)[0]["name"], "review");

    // A slash command in a guild.
    let guild = Ctx::guild(8000, 5000, 6000, Permissions::SEND_MESSAGES.bits());
    let options = json!([fake_discord::opt("title", 3, "Alien")]);
    fake.dispatch(
        "INTERACTION_CREATE",
        fake_discord::slash_command(4001, "review", options, &guild),
    )
    .await;
    let reply = fake
        .wait_for(
            "the slash command's callback",
            |r| r.is("POST", "/interactions/4001/"),
            secs(5),
        )
        .await;
    assert_eq!(reply.status, 204);
    assert_eq!(reply.body["type"], 4);
    assert_eq!(reply.body["data"]["embeds"][0]["title"], "Review: Alien");
    assert_eq!(reply.body["data"]["allowed_mentions"]["parse"], json!([]));
    assert!(matches!(
        next_event(&mut bot.events).await,
        BotEvent::Replied(_)
    ));
    let token = fake_discord::interaction_token(4001);
    let original = fake
        .original_response(&token)
        .expect("an original response");
    assert_eq!(original["channel_id"], "5000");
    assert_eq!(original["embeds"][0]["type"], "rich");

    // Autocomplete in a DM.
    let dm = Ctx::dm(5100, 6000);
    let typed = json!([fake_discord::focused("title", 3, "Alien")]);
    fake.dispatch(
        "INTERACTION_CREATE",
        fake_discord::autocomplete(4002, "review", typed, &dm),
    )
    .await;
    let choices = fake
        .wait_for(
            "the autocomplete callback",
            |r| r.is("POST", "/interactions/4002/"),
            secs(5),
        )
        .await;
    assert_eq!(choices.body["type"], 8);
    let choices = choices.body["data"]["choices"].as_array().unwrap().clone();
    assert_eq!(choices.len(), 2);
    assert_eq!(choices[0]["value"], "alien-1979");
    expect_reply(&mut bot.events, "autocomplete").await;

    // A string select on a message the bot sent.
    let sent = json!({"content": "pick one", "components": [{"type": 1, "components": [
        {"type": 3, "custom_id": "pick", "options": [{"label": "A", "value": "a"}]}
    ]}]});
    let message = fake_discord::bot_message(9000, 5000, &sent);
    fake.dispatch(
        "INTERACTION_CREATE",
        fake_discord::component(4003, "pick", 3, vec!["a".into()], message, &guild),
    )
    .await;
    let update = fake
        .wait_for(
            "the component callback",
            |r| r.is("POST", "/interactions/4003/"),
            secs(5),
        )
        .await;
    assert_eq!(update.body["type"], 7);
    assert!(update.body["data"]["content"]
        .as_str()
        .unwrap()
        .contains("StringSelect"));

    // A second callback for the same interaction is refused, as Discord does.
    let again = http(&fake)
        .create_interaction_response(
            serenity::all::InteractionId::new(4001),
            &token,
            &json!({"type": 4, "data": {"content": "again"}}),
            vec![],
        )
        .await;
    assert!(format!("{again:?}").contains("40060"), "{again:?}");

    assert_no_violations(&fake);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispatch_to_callback_latency() {
    let fake = FakeDiscord::start().await;
    let mut bot = start_bot(&fake).await;
    fake.wait_ready(secs(5)).await;
    assert!(matches!(
        next_event(&mut bot.events).await,
        BotEvent::Registered(1)
    ));
    let ctx = Ctx::guild(8000, 5000, 6000, 0);
    let mut latencies = Vec::new();
    for i in 0..50u64 {
        let id = 10_000 + i;
        let options = json!([fake_discord::opt("title", 3, "Alien")]);
        let prefix = format!("/interactions/{id}/");
        let mark = fake.request_count();
        let start = Instant::now();
        fake.dispatch(
            "INTERACTION_CREATE",
            fake_discord::slash_command(id, "review", options, &ctx),
        )
        .await;
        let reply = fake
            .wait_for_since(mark, "a callback", |r| r.is("POST", &prefix), secs(5))
            .await;
        latencies.push(reply.received_at.duration_since(start));
    }
    latencies.sort();
    let median = latencies[latencies.len() / 2];
    eprintln!(
        "dispatch → callback over {} interactions: median {median:?}, min {:?}, max {:?}",
        latencies.len(),
        latencies[0],
        latencies[latencies.len() - 1]
    );
    assert!(median < Duration::from_millis(500), "median {median:?}");
    assert_no_violations(&fake);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scripted_rate_limit_then_success_and_nonce_dedup() {
    let fake = FakeDiscord::start().await;
    let http = http(&fake);
    let channel = ChannelId::new(5000);
    fake.script(
        "POST",
        "/channels/5000/messages",
        Scripted {
            status: 429,
            body: json!({"message": "You are being rate limited.", "retry_after": 0.2, "global": false, "code": 0}),
            headers: vec![("retry-after", "1")],
            fault: None,
        },
    );

    let limited = channel
        .send_message(&http, CreateMessage::new().content("hello"))
        .await;
    let Err(serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(error))) =
        &limited
    else {
        panic!("expected a 429 error, got {limited:?}");
    };
    assert_eq!(error.status_code.as_u16(), 429);
    assert_eq!(error.error.message, "You are being rate limited.");

    let sent = channel
        .send_message(&http, CreateMessage::new().content("hello"))
        .await
        .expect("the second try succeeds");
    assert_eq!(sent.content, "hello");
    assert_eq!(sent.author.id.get(), FakeDiscord::BOT_ID);
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 200]);

    // enforce_nonce: the same nonce twice creates one message.
    let with_nonce = || {
        CreateMessage::new()
            .content("announcement")
            .embed(CreateEmbed::new().title("New review"))
            .nonce(Nonce::String("announce-42".into()))
            .enforce_nonce(true)
    };
    let first = channel.send_message(&http, with_nonce()).await.unwrap();
    let second = channel.send_message(&http, with_nonce()).await.unwrap();
    assert_eq!(first.id, second.id);
    assert_eq!(fake.deduplicated_count(), 1);
    let created = fake.created_messages(5000);
    let contents: Vec<&str> = created
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(contents, ["hello", "announcement"]);

    // Discord refuses an empty message with a JSON error serenity can read.
    let empty = channel.send_message(&http, CreateMessage::new()).await;
    assert!(format!("{empty:?}").contains("50006"), "{empty:?}");

    // A route the fake does not know: 404 with a code, recorded.
    let unknown = http.get_channel(ChannelId::new(5000)).await;
    assert!(format!("{unknown:?}").contains("404"), "{unknown:?}");
    assert_eq!(fake.requests().last().unwrap().status, 404);
    assert_no_violations(&fake);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bot_resumes_after_disconnect_and_restarts_with_new_ready() {
    let fake = FakeDiscord::start().await;
    let mut bot = start_bot(&fake).await;
    fake.wait_ready(secs(5)).await;
    assert!(matches!(
        next_event(&mut bot.events).await,
        BotEvent::Registered(1)
    ));

    fake.disconnect_gateway().await;
    fake.wait_ready(secs(5)).await;
    let ctx = Ctx::dm(5100, 6000);
    fake.dispatch(
        "INTERACTION_CREATE",
        fake_discord::slash_command(4101, "review", Value::Null, &ctx),
    )
    .await;
    fake.wait_for(
        "a callback after resuming",
        |r| r.is("POST", "/interactions/4101/"),
        secs(5),
    )
    .await;
    let resumed = fake
        .gateway_received()
        .iter()
        .any(|p| p["op"] == 6 && p["d"]["token"] == "[redacted]");
    assert!(resumed, "serenity resumed");
    assert_eq!(fake.ready_count(), 1);

    // A restarted bot identifies again and gets a new READY.
    bot.stop().await;
    let bot = start_bot(&fake).await;
    fake.wait_ready_count(2, secs(5)).await;
    fake.dispatch(
        "INTERACTION_CREATE",
        fake_discord::slash_command(4102, "review", Value::Null, &ctx),
    )
    .await;
    fake.wait_for(
        "a callback from the restarted bot",
        |r| r.is("POST", "/interactions/4102/"),
        secs(5),
    )
    .await;
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn violations_catch_what_discord_refuses() {
    let fake = FakeDiscord::start().await;
    if !fake.has_spec() {
        eprintln!("note: no OpenAPI spec; nothing to check");
        return;
    }
    let http = http(&fake);
    let long_title = "x".repeat(257);
    let body = json!({"embeds": [{"title": long_title}]});
    http.send_message(ChannelId::new(5000), vec![], &body)
        .await
        .expect("the fake still answers");
    // A route Discord does not have, sent by hand.
    let mut stream = tokio::net::TcpStream::connect(fake.api_base().trim_start_matches("http://"))
        .await
        .unwrap();
    tokio::io::AsyncWriteExt::write_all(
        &mut stream,
        b"GET /api/v10/no/such/route HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n",
    )
    .await
    .unwrap();
    let unknown = fake
        .wait_for(
            "the unknown route",
            |r| r.path == "/api/v10/no/such/route",
            secs(5),
        )
        .await;
    assert_eq!(unknown.status, 404);
    let violations = fake.violations();
    assert_eq!(violations.len(), 2, "{violations:#?}");
    assert!(violations[0].starts_with("POST /api/v10/channels/5000/messages: "));
    assert!(violations[0].contains("/embeds/0/title"), "{violations:#?}");
    assert!(violations[1].contains("not an endpoint"), "{violations:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_callbacks_are_refused_and_timeouts_do_not_leak_the_token() {
    let fake = FakeDiscord::start().await;
    let mut bot = start_bot(&fake).await;
    fake.wait_ready(secs(5)).await;
    assert!(matches!(
        next_event(&mut bot.events).await,
        BotEvent::Registered(1)
    ));

    fake.set_interaction_deadline(Some(Duration::ZERO));
    let ctx = Ctx::dm(5100, 6000);
    fake.dispatch(
        "INTERACTION_CREATE",
        fake_discord::slash_command(4201, "review", Value::Null, &ctx),
    )
    .await;
    let late = fake
        .wait_for(
            "the late callback",
            |r| r.is("POST", "/interactions/4201/"),
            secs(5),
        )
        .await;
    assert_eq!(late.status, 404);
    match next_event(&mut bot.events).await {
        BotEvent::Failed(why) => assert!(why.contains("10062"), "{why}"),
        other => panic!("expected the late reply to fail, got {other:?}"),
    }

    let waiting = fake.wait_for("something never sent", |_| false, Duration::from_millis(50));
    let panic = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(waiting))
        .await
        .expect_err("the wait times out");
    let message = panic
        .downcast_ref::<String>()
        .expect("a formatted panic message");
    assert!(message.contains("something never sent"), "{message}");
    assert!(
        message.contains("PUT /api/v10/applications/2000/commands"),
        "{message}"
    );
    assert!(!message.contains(TOKEN), "the token leaked: {message}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_read_and_checked_like_discord_checks_them() {
    let fake = FakeDiscord::start().await;
    let http = http(&fake);
    let file = || serenity::all::CreateAttachment::bytes(b"\x89PNG fake".to_vec(), "a.png");
    // Right: the file, its attachments entry, and the embed that shows it agree.
    let good = json!({
        "attachments": [{"id": 0, "filename": "a.png"}],
        "embeds": [{"image": {"url": "attachment://a.png"}}],
    });
    http.send_message(ChannelId::new(5000), vec![file()], &good)
        .await
        .expect("the fake answers an upload");
    let sent = fake
        .wait_for(
            "the upload",
            |r| r.is("POST", "/channels/5000/messages"),
            secs(5),
        )
        .await;
    assert_eq!(sent.body, good, "payload_json is the recorded body");
    assert_eq!(sent.files.len(), 1);
    assert_eq!(sent.files[0].field, "files[0]");
    assert_eq!(sent.files[0].filename.as_deref(), Some("a.png"));
    assert_eq!(sent.files[0].bytes, b"\x89PNG fake");
    let before = fake.violations();
    assert!(before.is_empty(), "{before:#?}");

    // Wrong: the entry names another file, and the embed shows one never uploaded.
    let bad = json!({
        "attachments": [{"id": 0, "filename": "b.png"}],
        "embeds": [{"image": {"url": "attachment://c.png"}}],
    });
    http.send_message(ChannelId::new(5000), vec![file()], &bad)
        .await
        .expect("the fake answers an upload");
    let mark = fake.request_count() - 1;
    fake.wait_for_since(mark, "the second upload", |r| r.files.len() == 1, secs(5))
        .await;
    let violations = fake.violations();
    assert_eq!(violations.len(), 2, "{violations:#?}");
    assert!(
        violations[0].contains("files[0] is named"),
        "{violations:#?}"
    );
    assert!(
        violations[1].contains("attachment://c.png"),
        "{violations:#?}"
    );
}
