//! What marquee's tests and benches run marquee against, none of which needs marquee itself:
//!
//! - [`fake_discord`]: Discord's REST API and gateway on 127.0.0.1, scriptable, checking every
//!   request against [`openapi`] (Discord's own OpenAPI spec, from `../shared` when present);
//! - [`fake_site`]: the critic's WordPress site (feed, REST API, pages) on 127.0.0.1;
//! - [`pg`]: a PostgreSQL database of its own for each test, on the server
//!   `MARQUEE_TEST_POSTGRES` names;
//! - [`serve`]: the harness that runs the `marquee` binary (`serve`, `import`) against the fake
//!   Discord and talks to it.
//!
//! A crate of its own so that it is compiled once, not into every test binary, and beside
//! marquee rather than after it.

use std::path::Path;

pub mod fake_discord;
pub mod fake_site;
pub mod openapi;
pub mod pg;
pub mod serve;

/// The marquee checkout this crate is in (`testkit/..`).
fn checkout() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("testkit/ is a folder of the checkout")
}
