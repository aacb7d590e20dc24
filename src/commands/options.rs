//! A slash command's options, checked against its own definition before it runs. Discord
//! enforces the definition, but an interaction can be forged, or sent for an older version of
//! a command: an option that is unknown, of the wrong type, out of range or missing gets a
//! short reply naming it instead of a handler that guesses.

use std::collections::HashMap;
use std::sync::LazyLock;

use serenity::all::{CommandDataOptionValue, CommandInteraction, CreateCommand};

use super::{CommandError, COMMANDS};
use crate::present::markdown::escape;
use crate::present::truncate;

/// One option as the definition declares it.
#[derive(Debug, Clone, PartialEq)]
struct Spec {
    name: String,
    kind: u8,
    required: bool,
    min: Option<f64>,
    max: Option<f64>,
    max_length: Option<usize>,
}

static SPECS: LazyLock<HashMap<&'static str, Vec<Spec>>> = LazyLock::new(|| {
    COMMANDS
        .iter()
        .map(|c| (c.name(), specs_of(c.definition())))
        .collect()
});

fn specs_of(definition: CreateCommand) -> Vec<Spec> {
    let json = serde_json::to_value(definition).unwrap_or_default();
    json["options"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| Spec {
            name: o["name"].as_str().unwrap_or_default().to_owned(),
            kind: o["type"]
                .as_u64()
                .and_then(|t| u8::try_from(t).ok())
                .unwrap_or(0),
            required: o["required"].as_bool().unwrap_or(false),
            min: o["min_value"].as_f64(),
            max: o["max_value"].as_f64(),
            max_length: o["max_length"]
                .as_u64()
                .and_then(|l| usize::try_from(l).ok()),
        })
        .collect()
}

fn kind_name(kind: u8) -> &'static str {
    match kind {
        3 => "text",
        4 => "a whole number",
        5 => "true or false",
        6 => "a user",
        7 => "a channel",
        8 => "a role",
        10 => "a number",
        _ => "of another kind",
    }
}

/// `Ok` when every option of `cmd` is one its command declares, of the declared type and
/// within its bounds, and every required option is there.
pub fn check(cmd: &CommandInteraction) -> Result<(), CommandError> {
    let command = cmd.data.name.as_str();
    let Some(specs) = SPECS.get(command) else {
        return Ok(());
    };
    let user = |message: String| Err(CommandError::User(message));
    for given in &cmd.data.options {
        let Some(spec) = specs.iter().find(|s| s.name == given.name) else {
            return user(format!(
                "/{command} has no option “{}”. Discord may still show an older version of \
                 the command; try again in a minute.",
                escape(&truncate(&given.name, 32))
            ));
        };
        if u8::from(given.value.kind()) != spec.kind {
            return user(format!(
                "The option {} of /{command} must be {}.",
                spec.name,
                kind_name(spec.kind)
            ));
        }
        let number = match &given.value {
            CommandDataOptionValue::Integer(i) => Some(*i as f64),
            CommandDataOptionValue::Number(n) => Some(*n),
            _ => None,
        };
        if let Some(n) = number {
            let below = spec.min.is_some_and(|min| n < min);
            let above = spec.max.is_some_and(|max| n > max);
            if below || above || !n.is_finite() {
                let bounds = match (spec.min, spec.max) {
                    (Some(min), Some(max)) => format!("from {min} to {max}"),
                    (Some(min), None) => format!("at least {min}"),
                    (None, Some(max)) => format!("at most {max}"),
                    (None, None) => "a finite number".to_owned(),
                };
                return user(format!(
                    "The option {} of /{command} must be {bounds}.",
                    spec.name
                ));
            }
        }
        if let (CommandDataOptionValue::String(text), Some(max)) = (&given.value, spec.max_length) {
            if text.chars().count() > max {
                return user(format!(
                    "The option {} of /{command} takes at most {max} characters.",
                    spec.name
                ));
            }
        }
    }
    if let Some(missing) = specs
        .iter()
        .find(|s| s.required && !cmd.data.options.iter().any(|o| o.name == s.name))
    {
        return user(format!("/{command} needs the option {}.", missing.name));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_come_from_the_definitions() {
        let review = SPECS.get("review").unwrap();
        let title = review.iter().find(|s| s.name == "title").unwrap();
        assert_eq!((title.kind, title.required), (3, true));
        let year = review.iter().find(|s| s.name == "year").unwrap();
        assert_eq!(
            (year.kind, year.min, year.max),
            (4, Some(1870.0), Some(2100.0))
        );
        assert!(COMMANDS.iter().all(|c| SPECS.contains_key(c.name())));
    }
}
