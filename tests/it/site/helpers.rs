//! What the site tests share: the `marquee` binary run in a folder, reviews posted
//! to the fake site in the critic's layout, and waits on the database.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_marquee");
pub const WAIT: Duration = Duration::from_secs(30);

/// The fixtures: letter pages and a saved review, written for these tests.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pages")
        .join(name)
}

/// Runs `marquee ARGS` in `dir`, with nothing from this process's configuration.
pub fn marquee(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("MARQUEE_ENVIRONMENT")
        .env_remove("MARQUEE_CONFIG")
        .env("NO_PROXY", "127.0.0.1")
        .output()
        .expect("the marquee binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\n{}", stdout(o), stderr(o)))
}

pub fn date(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, day.clamp(1, 28), 9, 30, 0)
        .single()
        .unwrap()
}

/// A review as the critic's WordPress site publishes it: the post's content, its paragraphs
/// in `<p>`, the title line and tagline split by `<br>`, quotes as entities. The pull quote
/// tries to ping, as review text may.
pub fn post(title: &str, year: i32, grade: &str) -> String {
    format!(
        "<p>(director: Tamsin Vey; screenwriter: Tamsin Vey; cinematographer: Ob Rennard; \
         cast: Liv Osterhout (Greta), Amadou Celt; Runtime: 97; MPAA Rating: PG-13; \
         Northlight; {year})</p>\n\
         <p>&#8220;A small film that @everyone will forget and <@42> will not.&#8221;</p>\n\
         <p>Reviewed by Dennis Schwartz</p>\n\
         <p>Vey follows a lighthouse keeper&#8217;s last winter on the island, and lets the \
         weather do most of the talking.</p>\n\
         <p>Tamsin Vey&#8217;s {title}<br>\n    the lamp goes out at dawn</p>\n\
         <p>REVIEWED ON 5/1/2024&nbsp;&nbsp;GRADE: {grade}</p>"
    )
}

/// A post that is not a review: a year's list.
pub fn list_post() -> String {
    "<p>My ten favourite films of the year, in no order:</p>\n\
     <ol><li>Some Film</li><li>Another Film</li></ol>\n\
     <p>Thanks for reading, and see you at the movies.</p>"
        .to_owned()
}

/// Polls `check` every 25 ms until it gives a value; panics with `what` after [`WAIT`].
pub async fn eventually<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
