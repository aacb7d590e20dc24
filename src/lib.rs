//! marquee: a film critic's review archive, served as a Discord bot and a CLI.
//!
//! - [`review`]: the domain — the model, grades, and the parser of the critic's layouts.
//! - [`store`]: SQLite (sqlx), migrations, imports and queries.
//! - [`search`]: title normalisation and fuzzy ranking over an in-memory index.
//! - [`present`]: a review → the embed, the interaction response, text and JSON.
//! - [`archive`], [`import`], [`sample`]: what the commands do, over the pieces above.
//! - [`config`], [`cli`]: settings and the command line.
//! - [`app`], [`bot`], [`interactions`]: `marquee serve`, its supervised tasks, the gateway
//!   glue and the HTTP interactions endpoint.

pub mod announce;
pub mod app;
pub mod archive;
pub mod bot;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod discord;
pub mod feed;
pub mod import;
pub mod interactions;
pub mod ops;
pub mod page;
pub mod present;
pub mod review;
pub mod sample;
pub mod search;
pub mod store;
pub mod watch;
