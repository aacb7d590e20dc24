//! marquee's integration tests, in one binary so that a build compiles what they share once:
//! a module per subject, `support` for what needs marquee itself (the browsing fixture, the
//! serve harness with this build's binary, the sloppy-query generators), and the fake Discord,
//! the fake site and the PostgreSQL databases from the `marquee-testkit` crate (testkit/).
//!
//! A filter picks tests by any part of their name, module path included: `cargo test --test it
//! bot::` runs bot.rs, `… it site::` the site tests (and `browse::` runs `postgres_browse::`
//! too). The PostgreSQL tests (`… it postgres`) are ignored unless `MARQUEE_TEST_POSTGRES` is
//! set when they are built (testkit/src/pg.rs).

mod support;

mod anywhere;
mod app;
mod bot;
mod browse;
mod cli;
mod commands;
mod concurrent_writers;
mod corpus;
mod fake_discord_selftest;
mod faults;
mod fuzz_regressions;
mod hostile_files;
mod hostile_options;
mod http_interactions;
mod person_precision;
mod postgres_browse;
mod postgres_serve;
mod search_precision;
mod site;
mod spot;
mod store;
mod store_engines;
mod text_search_corpus;
mod watch;
