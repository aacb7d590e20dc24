//! The serve harness ([`marquee_testkit::serve`]) with this build's `marquee`: a bot started
//! over the sample archive, the browsing fixture or a folder of the test's, and `marquee import`
//! run beside it.

use std::path::Path;

use marquee_testkit::fake_discord::FakeDiscord;
pub use marquee_testkit::serve::{
    ask, assert_mentions_nobody, assert_no_violations, callback_of, db_url, embed_titles,
    review_card, review_text, sample_dir, subscribe, subscribe_all, wait_exit, wait_log,
    write_reviews, Bot, MANAGE_CHANNELS, SEND_MESSAGES, TOKEN, WAIT,
};

use super::archive;

pub const BIN: &str = env!("CARGO_BIN_EXE_marquee");

/// Runs `marquee import` as its own process, as a user would beside the running bot.
pub fn import(dir: &Path, paths: &[&Path]) -> std::process::Output {
    marquee_testkit::serve::import(BIN, dir, paths)
}

/// Stops an app running in-process (`run_until` waiting on `stop`), which must end cleanly
/// and have sent Discord nothing it refuses.
pub async fn stop_app(
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    running: &mut tokio::task::JoinHandle<anyhow::Result<()>>,
    fake: &FakeDiscord,
) {
    if let Some(stop) = stop {
        let _ = stop.send(());
    }
    let ended = tokio::time::timeout(WAIT, running)
        .await
        .expect("the app stops when told")
        .expect("run_until does not panic");
    assert!(ended.is_ok(), "{ended:?}");
    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
}

/// Starts a fake and a bot over a database holding the sample archive; waits for READY and
/// the command registration.
pub async fn started(dir: &Path, extra_env: &[(&str, &str)]) -> (FakeDiscord, Bot) {
    started_with(dir, &sample_dir(), extra_env).await
}

/// Like [`started`], over the reviews in `archive`.
pub async fn started_with(
    dir: &Path,
    archive: &Path,
    extra_env: &[(&str, &str)],
) -> (FakeDiscord, Bot) {
    start_on(dir, archive, FakeDiscord::start().await, extra_env).await
}

/// Like [`started_with`], with a fake the test has set up (a heartbeat interval, say). The
/// fake requires the bot's token from now on.
pub async fn start_on(
    dir: &Path,
    archive: &Path,
    fake: FakeDiscord,
    extra_env: &[(&str, &str)],
) -> (FakeDiscord, Bot) {
    let out = import(dir, &[archive]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    fake.require_token(TOKEN);
    let bot = Bot::start(BIN, dir, &fake, extra_env).await;
    fake.wait_ready_and_registered(WAIT).await;
    (fake, bot)
}

/// Starts a fake and a bot over a database holding the browsing fixture.
pub async fn started_on_fixture(dir: &Path) -> (FakeDiscord, Bot) {
    let folder = archive::write(dir);
    started_with(dir, &folder, &[]).await
}

/// Imports `folder` by a separate `marquee import`, which must succeed.
pub fn import_ok(dir: &Path, folder: &Path) {
    let out = import(dir, &[folder]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// GETs `/metrics` from the ops address until it holds `needle`, and returns that text. An
/// interaction is counted just after Discord has its reply, so a test polls (every 20 ms, up to
/// [`WAIT`]).
pub async fn metrics_with(ops: std::net::SocketAddr, needle: &str) -> String {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut last = String::new();
    let found = tokio::time::timeout(WAIT, async {
        loop {
            if let Ok(answer) = http.get(format!("http://{ops}/metrics")).send().await {
                last = answer.text().await.unwrap_or_default();
                if last.contains(needle) {
                    return;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(found.is_ok(), "never counted {needle}:\n{last}");
    last
}
