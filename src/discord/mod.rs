//! What both of `serve`'s front ends share with Discord. An interaction goes:
//!
//! 1. in through a transport: [`crate::bot`] (a gateway event) or [`crate::interactions`] (a
//!    signed HTTP request, checked there);
//! 2. to [`interaction`]: read ([`interaction::Incoming`]), answered by the command layer in a
//!    task of its own ([`interaction::start`], [`interaction::answer`]: a panic becomes the
//!    apology), its outcome recorded once;
//! 3. back out through the transport, over [`rest`]: one client, one reading of Discord's
//!    failures ([`rest::AfterFailure`]) and one way to try again ([`rest::retry`]), which the
//!    announcer's failures are read with too.
//!
//! [`register`] registers the commands, from either transport.

pub mod interaction;
pub mod register;
pub mod rest;

use std::sync::Arc;

use serenity::all::GuildId;

use crate::commands::Data;
use crate::ops::Metrics;
use rest::TokenWatch;

/// What a front end serves interactions with, the same for the gateway and HTTP.
#[derive(Clone)]
pub struct Serving {
    pub data: Arc<Data>,
    pub metrics: Arc<Metrics>,
    /// Told when Discord refuses the token.
    pub token: TokenWatch,
    /// The guild the commands are registered in (`MARQUEE_DEV_GUILD`), else globally.
    pub dev_guild: Option<GuildId>,
    /// The command that panics, for the tests (debug builds only).
    pub panic_in: Option<Arc<str>>,
}
