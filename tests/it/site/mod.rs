//! The critic's archive as he publishes it: letter pages of many capsules and saved web pages
//! (`marquee import`), his WordPress site followed by `serve --feed` and backfilled by
//! `marquee import URL`. Everything web-facing runs against a fake site and a fake Discord on
//! 127.0.0.1; every wait is for a condition, with a deadline.

mod backfill;
mod fetch;
mod follow;
mod helpers;
mod pages;
