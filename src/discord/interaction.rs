//! One interaction's life, the same whichever way it came (a gateway event or an HTTP
//! request): what it is ([`Incoming`]), the command layer's answer, run as a task of its own so
//! that a panic becomes the apology ([`answer`]), and its outcome, recorded once
//! ([`Outcome`]). The transports only carry the interaction in and the reply out.

use std::sync::Arc;

use serenity::all::{
    CreateInteractionResponse, CreateInteractionResponseMessage, Interaction, InteractionId,
};
use tokio::time::Instant;

use crate::commands::{self, Data, Reply};
use crate::ops::Metrics;

/// What the user got, as `/metrics` counts it (`marquee_interactions_total{outcome}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The command's answer reached Discord.
    Answered,
    /// The command panicked; the apology reached Discord.
    Panicked,
    /// An answer was ready, but Discord did not take it (in time).
    Undelivered,
    /// Nothing to answer: an interaction of a kind the commands do not handle.
    Unanswered,
    /// Over HTTP, an autocomplete not ready in time: it got no suggestions (an autocomplete
    /// cannot be deferred).
    Late,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Panicked => "panicked",
            Outcome::Undelivered => "undelivered",
            Outcome::Unanswered => "unanswered",
            Outcome::Late => "late",
        }
    }

    /// This outcome, or [`Outcome::Undelivered`] if its reply did not reach Discord.
    pub fn unless_lost(self, delivered: bool) -> Outcome {
        if delivered {
            self
        } else {
            Outcome::Undelivered
        }
    }
}

/// How an interaction may be put off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deferral {
    /// A command: "marquee is thinking…", public or only for the user.
    Thinking { ephemeral: bool },
    /// A component: nothing shows; the message it sits on may be edited later.
    Silent,
    /// Autocomplete cannot be put off.
    Never,
}

impl Deferral {
    /// The response that puts it off, if it can be.
    pub fn response(self) -> Option<CreateInteractionResponse> {
        match self {
            Deferral::Thinking { ephemeral } => Some(CreateInteractionResponse::Defer(
                CreateInteractionResponseMessage::new().ephemeral(ephemeral),
            )),
            Deferral::Silent => Some(CreateInteractionResponse::Acknowledge),
            Deferral::Never => None,
        }
    }
}

/// What marquee reads of an interaction before it runs it.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub id: InteractionId,
    /// The interaction's token (it addresses the callback and the later edits; never logged).
    pub token: String,
    /// The name it is counted under in `/metrics`.
    pub name: String,
    pub deferral: Deferral,
    /// When it arrived, for the callback's window and the latency metric.
    pub arrived: Instant,
}

impl Incoming {
    /// `None` for the kinds marquee does not handle (pings are the transport's).
    pub fn of(interaction: &Interaction, arrived: Instant) -> Option<Incoming> {
        let (id, token, name, deferral) = match interaction {
            Interaction::Command(c) => (
                c.id,
                &c.token,
                c.data.name.clone(),
                Deferral::Thinking {
                    ephemeral: commands::replies_ephemeral(&c.data.name),
                },
            ),
            Interaction::Autocomplete(a) => (
                a.id,
                &a.token,
                format!("{} autocomplete", a.data.name),
                Deferral::Never,
            ),
            Interaction::Component(c) => (c.id, &c.token, "component".to_owned(), Deferral::Silent),
            _ => return None,
        };
        Some(Incoming {
            id,
            token: token.clone(),
            name,
            deferral,
            arrived,
        })
    }

    /// Counts the interaction's outcome and how long it took, once.
    pub fn record(&self, metrics: &Metrics, outcome: Outcome) {
        metrics.interaction(&self.name, outcome.as_str(), self.arrived.elapsed());
    }
}

/// The command layer's answer, running as a task of its own.
pub type Answering = tokio::task::JoinHandle<Option<Reply>>;

/// Starts answering `interaction` (a task of its own, so that a panic in a command still gets
/// the user an answer). `panic_in`: in a debug build, the command that panics (for the tests:
/// `serve.panic_in`, `MARQUEE_TEST_PANIC_IN`).
pub fn start(data: Arc<Data>, interaction: Interaction, panic_in: Option<Arc<str>>) -> Answering {
    tokio::spawn(async move {
        #[cfg(debug_assertions)]
        injected_panic(&interaction, panic_in.as_deref());
        #[cfg(not(debug_assertions))]
        drop(panic_in);
        commands::dispatch(&data, &interaction).await
    })
}

/// The answer to reply with, and the outcome it is: the command's reply, or the apology
/// when it panicked; no reply for an interaction the commands do not handle.
pub fn answer(
    joined: Result<Option<Reply>, tokio::task::JoinError>,
    id: InteractionId,
) -> (Option<Reply>, Outcome) {
    match joined {
        Ok(Some(reply)) => (Some(reply), Outcome::Answered),
        Ok(None) => (None, Outcome::Unanswered),
        Err(err) => {
            tracing::error!(interaction = %id, error = %err, "a command panicked");
            (Some(commands::apology().into()), Outcome::Panicked)
        }
    }
}

/// Fault injection for the tests, in debug builds only: the command named `panic_in` panics,
/// as a bug would.
#[cfg(debug_assertions)]
fn injected_panic(interaction: &Interaction, panic_in: Option<&str>) {
    if let Interaction::Command(cmd) = interaction {
        if panic_in.is_some_and(|name| name == cmd.data.name) {
            panic!(
                "injected panic in /{} (MARQUEE_TEST_PANIC_IN)",
                cmd.data.name
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outcome_is_lost_only_when_its_reply_was_not_delivered() {
        for outcome in [Outcome::Answered, Outcome::Panicked] {
            assert_eq!(outcome.unless_lost(true), outcome);
            assert_eq!(outcome.unless_lost(false), Outcome::Undelivered);
        }
        let names: Vec<&str> = [
            Outcome::Answered,
            Outcome::Panicked,
            Outcome::Undelivered,
            Outcome::Unanswered,
            Outcome::Late,
        ]
        .iter()
        .map(|o| o.as_str())
        .collect();
        assert_eq!(
            names,
            ["answered", "panicked", "undelivered", "unanswered", "late"]
        );
    }

    #[tokio::test]
    async fn a_panic_is_the_apology_counted_as_panicked() {
        let joined = tokio::spawn(async { panic!("a bug") }).await;
        let (reply, outcome) = answer(joined, InteractionId::new(1));
        assert_eq!(outcome, Outcome::Panicked);
        let body = serde_json::to_value(reply.expect("the apology")).unwrap();
        assert!(body["data"]["content"]
            .as_str()
            .is_some_and(|c| c.starts_with("Sorry")));
        assert_eq!(body["data"]["flags"], 64, "only the user sees it");
    }
}
