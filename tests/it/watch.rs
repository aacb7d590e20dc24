//! `serve --watch DIR`: the critic's folder, watched by the app (in-process, against a fake
//! Discord on 127.0.0.1, with its own database and folder). Saving a review in the folder is
//! enough for it to be stored, announced and found; correcting a title keeps the review; a
//! deleted file retires its review. Every wait is for a condition, with a deadline.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use marquee::app::App;
use marquee::config::{Env, Settings};
use marquee::review::Grade;
use marquee::store::Store;
use marquee_testkit::fake_discord::{Ctx, FakeDiscord};

use crate::support::serve;

const TOKEN: &str = "watch-test-token";
const WAIT: Duration = Duration::from_secs(20);
const GUILD: u64 = 8000;
const CHANNEL: u64 = 5000;

/// The variables a deployment would set, and nothing from this process's environment.
struct Vars(Vec<(String, String)>);

impl Env for Vars {
    fn vars(&self) -> config::Map<String, String> {
        self.0.iter().cloned().collect()
    }
}

/// A modern review in the critic's layout, written for these tests.
fn review(title: &str, year: i32, grade: &str) -> String {
    format!(
        "(director: Wren Halloway; cast: Tova Brisk (the ferrywoman), Odd Malmberg; Runtime: 101; \
         MPAA Rating: PG-13; Lantern Pictures; {year})\n\n\
         “A patient film that @everyone should see once, and <@42> twice.”\n\n\
         Reviewed by Dennis Schwartz\n\n\
         The river carries the story, and the story is in no hurry.\n\n\
         Wren Halloway's {title}\n      the water remembers\n\n\n\
         REVIEWED ON 9/14/2021  GRADE: {grade}\n"
    )
}

/// A file that is not yet a review: its header has a year, but it has no grade (line 3).
const UNFINISHED: &str = "(director: Wren Halloway; 1999)\n\nStill thinking about this one.\n";

/// The app, running on a database whose channel `CHANNEL` is subscribed, watching `folder`.
struct Watched {
    dir: tempfile::TempDir,
    folder: PathBuf,
    fake: FakeDiscord,
    store: Store,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    running: tokio::task::JoinHandle<anyhow::Result<()>>,
    next_interaction: u64,
}

impl Watched {
    /// Writes `files` (name under the folder, text) first, then builds and starts the app.
    async fn start(files: &[(&str, String)]) -> Watched {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("archive");
        std::fs::create_dir_all(&folder).unwrap();
        for (name, text) in files {
            write(&folder.join(name), text);
        }
        let url = format!("sqlite://{}", dir.path().join("bot.db").display());
        let store = Store::open(&url, true).await.unwrap();
        store
            .subscribe(GUILD, CHANNEL, Grade::F, 7, false)
            .await
            .unwrap();
        let fake = FakeDiscord::start().await;
        fake.require_token(TOKEN);
        let settings = settings(dir.path(), &fake, &url, &folder);
        let app = App::build(&settings, &url).await.unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let running = tokio::spawn(app.run_until(async {
            let _ = stopped.await;
        }));
        fake.wait_ready_and_registered(WAIT).await;
        Watched {
            dir,
            folder,
            fake,
            store,
            stop: Some(stop),
            running,
            next_interaction: 7000,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.folder.join(name)
    }

    /// The path the import records for `name` (the folder as configured, joined with it).
    fn recorded(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }

    /// The title of the card `/review title:query` answers with (`None`: no card).
    async fn card(&mut self, query: &str) -> Option<String> {
        self.next_interaction += 1;
        let ctx = Ctx::guild(GUILD, CHANNEL, 6000, 1 << 11);
        serve::review_card(&self.fake, self.next_interaction, &ctx, query).await
    }

    /// Asks `/review title:query` until the card's title starts with `expected`.
    async fn wait_card(&mut self, query: &str, expected: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let card = self.card(query).await;
            if card.as_deref().is_some_and(|t| t.starts_with(expected)) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "/review {query:?} still answers {card:?}, not {expected:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Every review as (id, title, year, source_path), by id.
    async fn reviews(&self) -> Vec<(i64, String, Option<i32>, String)> {
        sqlx::query_as("SELECT id, title, year, source_path FROM reviews ORDER BY id")
            .fetch_all(self.store.pool().unwrap())
            .await
            .unwrap()
    }

    /// Stops the app, which must end cleanly.
    async fn stop(mut self) {
        serve::stop_app(self.stop.take(), &mut self.running, &self.fake).await;
    }
}

fn settings(dir: &Path, fake: &FakeDiscord, url: &str, folder: &Path) -> Settings {
    let vars = Vars(vec![
        ("DISCORD_TOKEN".into(), TOKEN.into()),
        ("DISCORD_API_BASE".into(), fake.api_base()),
        ("DATABASE_URL".into(), url.into()),
        (
            "MARQUEE__DISCORD__ANNOUNCE_INTERVAL_SECONDS".into(),
            "1".into(),
        ),
        (
            "MARQUEE__ARCHIVE__WATCH".into(),
            folder.display().to_string(),
        ),
    ]);
    Settings::load(dir, &vars).unwrap()
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// Saves `text` at `path` as vim and emacs do by default: a swap file and a backup beside
/// it, the text written to a temporary file, then renamed over the review.
fn save_like_an_editor(path: &Path, text: &str) {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let dir = path.parent().unwrap();
    let swap = dir.join(format!(".{name}.swp"));
    std::fs::write(&swap, b"b0VIM 9.0 swap").unwrap();
    if path.exists() {
        std::fs::copy(path, dir.join(format!("{name}~"))).unwrap();
    }
    let temporary = dir.join(format!(".{name}.tmp1234"));
    std::fs::write(&temporary, text).unwrap();
    std::fs::rename(&temporary, path).unwrap();
    std::fs::remove_file(&swap).unwrap();
}

/// Polls `check` every 25 ms until it gives a value; panics with `what` after [`WAIT`].
async fn eventually<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_review_saved_in_the_folder_is_announced_in_subscribed_channels() {
    let w = Watched::start(&[]).await;
    let mark = w.fake.request_count();
    save_like_an_editor(&w.path("river.txt"), &review("The Slow River", 2021, "A-"));

    let posted = w
        .fake
        .wait_for_since(
            mark,
            "the announcement",
            |r| r.is("POST", &format!("/channels/{CHANNEL}/messages")),
            WAIT,
        )
        .await;
    let title = posted.body["embeds"][0]["title"].as_str().unwrap_or("");
    assert!(title.starts_with("The Slow River"), "{}", posted.body);
    serve::assert_mentions_nobody(&posted.body);
    // Only the review was imported: not the swap file, the backup or the temporary file.
    let reviews = w.reviews().await;
    assert_eq!(reviews.len(), 1, "{reviews:?}");
    assert_eq!(reviews[0].3, w.recorded("river.txt"));
    eventually("the delivery marked sent", async || {
        let sent: i64 = sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE status = 'sent'")
            .fetch_one(w.store.pool().unwrap())
            .await
            .unwrap();
        (sent == 1).then_some(())
    })
    .await;
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn correcting_a_title_updates_the_same_review() {
    let mut w = Watched::start(&[("harbour.txt", review("Harbuor Nigths", 1972, "B"))]).await;
    let before = eventually("the start-up scan", async || {
        let r = w.reviews().await;
        (r.len() == 1).then_some(r)
    })
    .await;
    let id = before[0].0;
    w.wait_card("harbuor nigths", "Harbuor Nigths").await;

    // Truncated and written in place (another way editors save).
    write(&w.path("harbour.txt"), &review("Harbour Lights", 1973, "B"));
    let after = eventually("the corrected title", async || {
        let r = w.reviews().await;
        r.iter().any(|r| r.1 == "Harbour Lights").then_some(r)
    })
    .await;
    assert_eq!(
        after,
        vec![(
            id,
            "Harbour Lights".to_owned(),
            Some(1973),
            w.recorded("harbour.txt")
        )],
        "the same review, its title and year corrected, and no second film"
    );
    // The bot finds it by its new title (the refresher rebuilt the index) and the old card is
    // gone: the nearest match to the old title is now the corrected film.
    w.wait_card("harbour lights", "Harbour Lights (1973)").await;
    let old = w.card("harbuor nigths").await;
    assert!(
        !old.as_deref().is_some_and(|t| t.contains("Nigths")),
        "{old:?}"
    );
    // Its announcement (queued when it was new) still points at it; the correction queued
    // nothing new.
    let deliveries: Vec<i64> = sqlx::query_scalar("SELECT review_id FROM deliveries")
        .fetch_all(w.store.pool().unwrap())
        .await
        .unwrap();
    assert_eq!(deliveries, vec![id]);
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_fails_is_imported_once_it_is_fixed() {
    let w = Watched::start(&[]).await;
    let path = w.recorded("draft.txt");
    write(&w.path("draft.txt"), UNFINISHED);
    let failed: (i64, String) = eventually("the failure in the import log", async || {
        sqlx::query_as("SELECT line, error FROM import_files WHERE path = ? AND outcome = 'failed'")
            .bind(&path)
            .fetch_optional(w.store.pool().unwrap())
            .await
            .unwrap()
    })
    .await;
    assert_eq!(failed.0, 3, "the line is named: {failed:?}");
    assert!(w.reviews().await.is_empty());

    save_like_an_editor(&w.path("draft.txt"), &review("Second Thoughts", 1999, "C+"));
    let stored = eventually("the fixed file", async || {
        let r = w.reviews().await;
        (!r.is_empty()).then_some(r)
    })
    .await;
    assert_eq!(stored[0].1, "Second Thoughts");
    assert_eq!(stored[0].3, path);
    // It was tried once while broken (when it was written), not again and again.
    let tries: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM import_files WHERE path = ? AND outcome = 'failed'",
    )
    .bind(&path)
    .fetch_one(w.store.pool().unwrap())
    .await
    .unwrap();
    assert_eq!(tries, 1);
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_file_retires_its_review() {
    let mut w = Watched::start(&[
        ("keep.txt", review("Cold Water", 2004, "B+")),
        ("drop/gone.txt", review("Paper Lanterns", 2010, "C")),
    ])
    .await;
    eventually("the start-up scan", async || {
        (w.reviews().await.len() == 2).then_some(())
    })
    .await;
    w.wait_card("paper lanterns", "Paper Lanterns").await;

    std::fs::remove_file(w.path("drop/gone.txt")).unwrap();
    let left = eventually("the review retired", async || {
        let r = w.reviews().await;
        (r.len() == 1).then_some(r)
    })
    .await;
    assert_eq!(left[0].1, "Cold Water");
    // The title index was rebuilt: the bot no longer finds the film.
    let deadline = Instant::now() + WAIT;
    loop {
        let card = w.card("paper lanterns").await;
        if !card
            .as_deref()
            .is_some_and(|t| t.starts_with("Paper Lanterns"))
        {
            break;
        }
        assert!(Instant::now() < deadline, "still found: {card:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_files_already_in_the_folder_are_imported_at_start() {
    let w = Watched::start(&[
        ("a.txt", review("First Light", 1961, "A")),
        ("1970s/b.txt", review("Second Wind", 1974, "B")),
        ("1970s/deep/c.TXT", review("Third Act", 1979, "C")),
        ("notes.md", review("Not A Review File", 1990, "F")),
    ])
    .await;
    let reviews = eventually("the start-up scan", async || {
        let r = w.reviews().await;
        (r.len() >= 3).then_some(r)
    })
    .await;
    let mut paths: Vec<String> = reviews.iter().map(|r| r.3.clone()).collect();
    paths.sort();
    assert_eq!(
        paths,
        vec![
            w.recorded("1970s/b.txt"),
            w.recorded("1970s/deep/c.TXT"),
            w.recorded("a.txt"),
        ],
        "every *.txt, recursively, recorded under the folder as configured"
    );
    // Recorded as `marquee remove` takes them.
    let gone = w
        .store
        .remove_imported_from(&w.recorded("a.txt"))
        .await
        .unwrap();
    assert_eq!(gone, vec![("First Light".to_owned(), Some(1961))]);
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conflict_waits_until_the_other_file_goes() {
    let w = Watched::start(&[
        ("a.txt", review("Quiet Harbour", 1980, "B")),
        ("b.txt", review("Stone Bridge", 1985, "A")),
    ])
    .await;
    eventually("the start-up scan", async || {
        (w.reviews().await.len() == 2).then_some(())
    })
    .await;
    let a_id = w.reviews().await[0].0;
    // a.txt now claims b.txt's film: refused, nothing changes.
    write(&w.path("a.txt"), &review("Stone Bridge", 1985, "A-"));
    let path = w.recorded("a.txt");
    let error: String = eventually("the conflict in the import log", async || {
        sqlx::query_scalar("SELECT error FROM import_files WHERE path = ? AND outcome = 'failed'")
            .bind(&path)
            .fetch_optional(w.store.pool().unwrap())
            .await
            .unwrap()
    })
    .await;
    assert!(error.contains(&w.recorded("b.txt")), "{error}");
    assert_eq!(w.reviews().await.len(), 2);

    // Once b.txt is deleted, a.txt is tried again and takes the title, keeping its review.
    std::fs::remove_file(w.path("b.txt")).unwrap();
    let after = eventually("a.txt's review renamed", async || {
        let r = w.reviews().await;
        (r.len() == 1 && r[0].1 == "Stone Bridge").then_some(r)
    })
    .await;
    assert_eq!((after[0].0, after[0].3.clone()), (a_id, path));
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watched_folder_going_away_stops_the_app_and_retires_nothing() {
    let mut w = Watched::start(&[("a.txt", review("Last Ferry", 1999, "B"))]).await;
    eventually("the start-up scan", async || {
        (w.reviews().await.len() == 1).then_some(())
    })
    .await;
    std::fs::remove_dir_all(&w.folder).unwrap();
    let ended = tokio::time::timeout(WAIT, &mut w.running)
        .await
        .expect("the app ends when its folder is gone")
        .expect("run_until does not panic");
    let err = format!(
        "{:#}",
        ended.expect_err("the watcher's failure ends the app")
    );
    assert!(err.contains("the archive watcher ended"), "{err}");
    assert!(err.contains(&w.folder.display().to_string()), "{err}");
    assert_eq!(
        w.reviews().await.len(),
        1,
        "a vanished folder retires nothing"
    );
    drop(w.dir);
}

#[tokio::test]
async fn a_folder_that_does_not_exist_fails_the_build_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bot.db").display());
    let missing = dir.path().join("no-such-folder");
    let vars = Vars(vec![
        ("DATABASE_URL".into(), url.clone()),
        ("DISCORD_TOKEN".into(), TOKEN.into()),
        ("DISCORD_API_BASE".into(), "http://127.0.0.1:9".into()),
        (
            "MARQUEE__ARCHIVE__WATCH".into(),
            missing.display().to_string(),
        ),
    ]);
    let settings = Settings::load(dir.path(), &vars).unwrap();
    let err = App::build(&settings, &url)
        .await
        .err()
        .expect("no folder, no app");
    let err = format!("{err:#}");
    assert!(err.contains("archive.watch"), "{err}");
    assert!(err.contains("--watch"), "{err}");
    assert!(err.contains(&missing.display().to_string()), "{err}");
}

/// The real binary: a file that fails is logged with its file and line, at start and when
/// saved while serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_logs_a_failing_file_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("archive");
    write(&folder.join("early.txt"), UNFINISHED);
    let fake = FakeDiscord::start().await;
    fake.require_token(serve::TOKEN);
    let bot = serve::Bot::start(
        serve::BIN,
        dir.path(),
        &fake,
        &[("MARQUEE__ARCHIVE__WATCH", &folder.display().to_string())],
    )
    .await;
    fake.wait_ready_and_registered(WAIT).await;
    serve::wait_log(
        &bot,
        &format!("{}:3:", folder.join("early.txt").display()),
        WAIT,
    )
    .await;
    write(&folder.join("later.txt"), UNFINISHED);
    let log = serve::wait_log(
        &bot,
        &format!("{}:3:", folder.join("later.txt").display()),
        WAIT,
    )
    .await;
    assert!(log.contains("WARN"), "{log}");
    serve::assert_no_violations(&fake, &bot);
}

/// A letter page as the critic's old site saved it: HTML, Windows-1252, capsules in `<p>`.
fn letter_page(capsules: &[(&str, &str)]) -> Vec<u8> {
    let mut page = String::from(
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">\
         </head><body><p>Dennis Schwartz\u{2019}<br>Short Reviews<br>'W'&nbsp;&nbsp;2\n",
    );
    for (header, review) in capsules {
        page.push_str(&format!("<p>{header}\n<p>{review}\n"));
    }
    page.push_str("<p><a href=\"index.htm\">Index</a></body></html>\n");
    encoding_rs::WINDOWS_1252.encode(&page).0.into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_letter_page_saved_in_the_folder_gives_each_capsule_and_loses_one_taken_out() {
    let w = Watched::start(&[]).await;
    let page = w.path("w.htm");
    std::fs::write(
        &page,
        letter_page(&[
            (
                "WINTER QUAY (director: Ole Brandt; cast: Kaja Sund; 1961)",
                "A harbour in January, and a caf\u{e9} that stays open. GRADE: B+",
            ),
            (
                "WOLF HOUR (director: Pia Lund; 1974) Reviewed on 2/2/1975.",
                "A night that will not end, in the best way. GRADE: A-",
            ),
        ]),
    )
    .unwrap();
    w.fake
        .wait_count(
            "both capsules announced",
            2,
            |r| r.is("POST", &format!("/channels/{CHANNEL}/messages")),
            WAIT,
        )
        .await;
    let reviews = w.reviews().await;
    let titles: Vec<&str> = reviews.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(titles, ["Winter Quay", "Wolf Hour"]);
    assert!(reviews.iter().all(|r| r.3 == w.recorded("w.htm")));

    // The critic takes Wolf Hour out and saves the page: it is retired, Winter Quay stays.
    std::fs::write(
        &page,
        letter_page(&[(
            "WINTER QUAY (director: Ole Brandt; cast: Kaja Sund; 1961)",
            "A harbour in January, and a caf\u{e9} that stays open. GRADE: B+",
        )]),
    )
    .unwrap();
    let left = eventually("Wolf Hour retired", async || {
        let r = w.reviews().await;
        (r.len() == 1).then_some(r)
    })
    .await;
    assert_eq!(left[0].0, reviews[0].0, "Winter Quay keeps its review");
    w.stop().await;
}
