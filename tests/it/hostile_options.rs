//! Options at their limits, through the fake Discord: each kind of hostile value (Discord's
//! longest, emoji, right-to-left text, zero-width characters, markdown, `@everyone`, user and
//! channel mentions, links) typed into `/review`, `/person`, `/search`, `/top` and autocomplete,
//! and the same text inside a review's title, quote and credits. Every reply must arrive, fit
//! Discord's schema, ping no one and leave nothing unescaped that would format.

use marquee_testkit::fake_discord::{autocomplete, focused, opt, slash_command, Ctx};
use serde_json::{json, Value};

use crate::support::archive;
use crate::support::serve::*;

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// What in `text` (Discord markdown) would format, link or mention: a description of each
/// such place. `strict` is for text where marquee itself adds no emphasis (cards, "not found").
fn live_markup(text: &str, strict: bool) -> Vec<String> {
    // Each character with whether a backslash escapes it and whether it starts its line.
    let mut chars: Vec<(char, bool, bool)> = Vec::new();
    let mut escaped = false;
    let mut line_start = true;
    for c in text.chars() {
        if escaped {
            chars.push((c, true, line_start));
            escaped = false;
            line_start = false;
            continue;
        }
        if c == '\\' {
            escaped = true;
            continue;
        }
        chars.push((c, false, line_start));
        if c == '\n' {
            line_start = true;
        } else if !c.is_whitespace() {
            line_start = false;
        }
    }
    let mut found = Vec::new();
    let live = |i: usize, want: char| chars.get(i).is_some_and(|&(c, esc, _)| c == want && !esc);
    let follows = |i: usize, word: &str| {
        chars
            .get(i..i + word.chars().count())
            .is_some_and(|s| s.iter().map(|(c, _, _)| *c).eq(word.chars()))
    };
    for (i, &(c, esc, at_start)) in chars.iter().enumerate() {
        if is_bidi_control(c) {
            found.push(format!("bidi control U+{:04X}", c as u32));
        }
        if esc {
            continue;
        }
        let pair = |other: char| live(i + 1, other);
        match c {
            '@' if follows(i + 1, "everyone") || follows(i + 1, "here") => {
                found.push(format!("a live @ at {i}"))
            }
            '<' if pair('@') || pair('#') => found.push(format!("a live mention at {i}")),
            '|' if pair('|') => found.push(format!("a live spoiler at {i}")),
            '~' if pair('~') => found.push(format!("a live strike at {i}")),
            '`' => found.push(format!("a live code mark at {i}")),
            ']' if live(i + 1, '(') => found.push(format!("a live masked link at {i}")),
            ':' if follows(i + 1, "//") => found.push(format!("a live link at {i}")),
            '>' if at_start => found.push(format!("a live quote at {i}")),
            '*' | '_' if strict => found.push(format!("a live {c} at {i}")),
            _ => {}
        }
    }
    found
}

/// Every piece of markdown a reply shows.
fn shown_text(body: &Value) -> Vec<String> {
    let data = &body["data"];
    let mut out = vec![data["content"].as_str().unwrap_or("").to_owned()];
    for embed in data["embeds"].as_array().into_iter().flatten() {
        for key in ["title", "description"] {
            out.push(embed[key].as_str().unwrap_or("").to_owned());
        }
        for field in embed["fields"].as_array().into_iter().flatten() {
            out.push(field["value"].as_str().unwrap_or("").to_owned());
        }
    }
    out
}

fn assert_inert(body: &Value, strict: bool, what: &str) {
    for text in shown_text(body) {
        let live = live_markup(&text, strict);
        assert!(live.is_empty(), "{what}: {live:?} in {text:?}");
    }
}

/// `text` as it shows: escapes removed, bidi controls gone.
fn as_shown(text: &str) -> String {
    let mut out = String::new();
    let mut escaped = false;
    for c in text.chars() {
        if c == '\\' && !escaped {
            escaped = true;
            continue;
        }
        escaped = false;
        out.push(c);
    }
    out
}

/// A review whose title, pull quote, cast and studio all carry `payload`.
fn hostile_review(title: &str, payload: &str) -> String {
    format!(
        "(director: Nora Lind; cast: Ann {payload} Lee (June {payload}); Runtime: 99; \
         producer: Gus Rowe: Studio {payload}; 2001)\n\n\
         “A quote that says {payload} out loud.”\n\nReviewed by Dennis Schwartz\n\n\
         A body that also says {payload}.\n\nNora Lind's {title}\n      a tagline\n\n\n\
         REVIEWED ON 3/4/2020  GRADE: B+\n"
    )
}

async fn check_kind(payload: impl AsRef<str>) {
    let payload = payload.as_ref();
    let dir = tempfile::tempdir().unwrap();
    let folder = archive::write(dir.path());
    let title = format!("The {payload} Affair");
    std::fs::write(folder.join("hostile.txt"), hostile_review(&title, payload)).unwrap();
    let (fake, bot) = started_with(dir.path(), &folder, &[]).await;
    let ctx = Ctx::guild(8000, 5000, 6000, SEND_MESSAGES);

    // The payload as every option that takes text.
    let asks = [
        ("review", json!([opt("title", 3, payload)]), true),
        ("person", json!([opt("name", 3, payload)]), false),
        ("search", json!([opt("text", 3, payload)]), false),
        ("top", json!([opt("person", 3, payload)]), false),
        ("stats", json!([opt("person", 3, payload)]), false),
    ];
    for (i, (command, options, strict)) in asks.into_iter().enumerate() {
        let id = 7100 + i as u64;
        let reply = ask(&fake, id, slash_command(id, command, options, &ctx)).await;
        assert!(
            matches!(reply.body["type"].as_u64(), Some(4) | Some(5)),
            "/{command}: {}",
            reply.body
        );
        assert_inert(&reply.body, strict, &format!("/{command} {payload:?}"));
    }
    for (i, (command, option)) in [("review", "title"), ("person", "name"), ("top", "person")]
        .into_iter()
        .enumerate()
    {
        let id = 7200 + i as u64;
        let reply = ask(
            &fake,
            id,
            autocomplete(id, command, json!([focused(option, 3, payload)]), &ctx),
        )
        .await;
        assert_eq!(reply.body["type"], 8, "autocomplete /{command}");
        for choice in reply.body["data"]["choices"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let name = choice["name"].as_str().unwrap_or("");
            assert!(!name.is_empty() && name.chars().count() <= 100, "{choice}");
        }
    }

    // The review that carries the payload: its card shows the text as written, inert.
    let id = 7300;
    let reply = ask(
        &fake,
        id,
        slash_command(id, "review", json!([opt("title", 3, title.as_str())]), &ctx),
    )
    .await;
    let embed = &reply.body["data"]["embeds"][0];
    let written: String = format!("{title} (2001)")
        .chars()
        .filter(|c| !is_bidi_control(*c))
        .collect();
    assert_eq!(
        as_shown(embed["title"].as_str().unwrap_or("")),
        written,
        "{embed}"
    );
    assert_inert(&reply.body, true, &format!("the card of {title:?}"));
    let starring = embed["fields"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["name"] == "Starring"))
        .map(|f| as_shown(f["value"].as_str().unwrap_or("")));
    assert!(
        starring.as_deref().is_some_and(|s| s.contains("Lee")),
        "{embed}"
    );

    assert_no_violations(&fake, &bot);
}

macro_rules! kinds {
    ($($name:ident => $payload:expr,)*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            check_kind($payload).await;
        }
    )*};
}

kinds! {
    a_value_of_discords_longest => "Longest ".repeat(13).chars().take(100).collect::<String>(),
    emoji => "🎬🍿 Night 👩‍💻",
    right_to_left_text => "\u{202E}Night \u{05E9}\u{05DC}\u{05D5}\u{05DD} ليل",
    zero_width_characters => "Ni\u{200B}ght\u{200D}\u{FEFF} Out",
    markdown => "**bold** ||spoiler|| `code` ~~gone~~ __under__ > quoted",
    at_everyone => "@everyone and @here",
    a_user_mention => "<@123> and <@!456> and <@&789>",
    a_channel_mention => "<#5> channel",
    a_link => "https://example.test/x [click](https://example.test/y)",
}

#[test]
fn the_checker_sees_live_markup() {
    assert!(live_markup("plain words", true).is_empty());
    assert!(live_markup(r"\*\*bold\*\* \|\|s\|\| \@everyone \<@1\>", true).is_empty());
    for live in [
        "**b**",
        "||s||",
        "@everyone",
        "<@1>",
        "<#5>",
        "`c`",
        "> q",
        "[a](b)",
        "https://x",
    ] {
        assert!(!live_markup(live, true).is_empty(), "{live}");
    }
    assert!(!live_markup("\u{202E}x", false).is_empty());
    // Marquee's own emphasis is allowed outside cards.
    assert!(live_markup("**matched**", false).is_empty());
    assert_eq!(as_shown(r"\*\*b\*\* \\ x"), r"**b** \ x");
}
