//! The critic's archive as he publishes it: letter pages of many capsules and saved web pages
//! (`marquee import`), his WordPress site followed by `serve --feed` and backfilled by
//! `marquee import URL`. Everything web-facing runs against a fake site and a fake Discord on
//! 127.0.0.1; every wait is for a condition, with a deadline.

#[path = "../support/openapi.rs"]
mod openapi;

#[path = "../support/fake_discord.rs"]
mod fake_discord;

#[path = "../support/fake_site.rs"]
mod fake_site;

#[path = "../support/archive.rs"]
mod archive;

#[path = "../support/serve.rs"]
mod serve;

#[path = "../support/pg.rs"]
mod pg;

mod backfill;
mod fetch;
mod follow;
mod helpers;
mod pages;
