//! `marquee import URL`: the critic's WordPress site backfilled — every page of its REST API,
//! or, with the API off, every page of its feed; a feed's URL alone imports what it holds.
//! Quietly (nothing is announced) and resumably (run again, it reads only what is new).

use std::path::Path;

use marquee::review::Grade;
use marquee::store::Store;
use marquee_testkit::fake_site::FakeSite;
use serde_json::Value;

use super::helpers::{date, json, list_post, marquee, post, stderr};

/// Runs `marquee --db DB ARGS` off the async threads, so the fake site keeps answering.
async fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    let dir = dir.to_path_buf();
    let db = format!("sqlite://{}", dir.join("site.db").display());
    let mut all = vec!["--db".to_owned(), db];
    all.extend(args.iter().map(|a| (*a).to_owned()));
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = all.iter().map(String::as_str).collect();
        marquee(&dir, &args)
    })
    .await
    .unwrap()
}

/// A database with one subscribed channel, to show that a backfill announces nothing.
async fn subscribed(dir: &Path) -> Store {
    let url = format!("sqlite://{}", dir.join("site.db").display());
    let store = Store::open(&url, true).await.unwrap();
    store.subscribe(1, 2, Grade::F, 3, true).await.unwrap();
    store
}

async fn deliveries(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM deliveries")
        .fetch_one(store.pool().unwrap())
        .await
        .unwrap()
}

/// `n` reviews and a list, posted a day apart.
fn posted(site: &FakeSite, n: u32) -> (Vec<u64>, u64) {
    let reviews = (0..n)
        .map(|i| {
            let title = format!("The Keeper of Pier {}", i + 1);
            site.add_post(
                &title,
                &post(&title, 1990 + (i % 30) as i32, "B"),
                date(1 + i % 28),
            )
        })
        .collect();
    let list = site.add_post("Best of the Year", &list_post(), date(28));
    (reviews, list)
}

fn site_report(report: &Value) -> &Value {
    &report["sites"][0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_is_backfilled_from_every_page_of_its_rest_api_quietly_and_resumably() {
    let dir = tempfile::tempdir().unwrap();
    let store = subscribed(dir.path()).await;
    let site = FakeSite::start().await;
    let (reviews, list) = posted(&site, 229);

    let out = run(dir.path(), &["import", &site.home_url(), "--json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    let done = site_report(&report);
    assert_eq!(done["via"], "the WordPress REST API", "{report}");
    assert_eq!(done["pages"], 3, "230 posts, 100 a page: {report}");
    assert_eq!(done["posts"]["imported"], 229, "{report}");
    assert_eq!(done["posts"]["skipped"], 1, "{report}");
    assert_eq!(done["skipped"][0]["post"], site.permalink(list), "{report}");
    assert!(
        done["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("credits header"),
        "{report}"
    );
    assert_eq!(report["added"], 229, "{report}");
    // Every page of the API was read, 100 posts at a time, and the feed not at all.
    let pages: Vec<String> = site
        .requests()
        .iter()
        .filter(|r| r.is("GET", "/wp-json/wp/v2/posts"))
        .map(|r| r.query().unwrap_or("").to_owned())
        .collect();
    assert_eq!(
        pages,
        [
            "per_page=100&page=1",
            "per_page=100&page=2",
            "per_page=100&page=3"
        ]
    );
    assert_eq!(site.count("/feed/"), 0);
    // The past is not news.
    assert_eq!(deliveries(&store).await, 0);

    // Each review links to its post.
    let found = json(
        &run(
            dir.path(),
            &["lookup", "keeper of pier 17", "--format", "json"],
        )
        .await,
    );
    assert_eq!(found["match"]["title"], "The Keeper of Pier 17");
    assert_eq!(found["match"]["url"], site.permalink(reviews[16]));

    // Run again, it stores nothing twice and reads nothing unchanged.
    let again = json(&run(dir.path(), &["import", &site.home_url(), "--json"]).await);
    let done = site_report(&again);
    assert_eq!(done["posts"]["imported"], 0, "{again}");
    assert_eq!(done["posts"]["unchanged"], 230, "{again}");
    assert_eq!(again["added"], 0, "{again}");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM reviews")
        .fetch_one(store.pool().unwrap())
        .await
        .unwrap();
    assert_eq!(count, 229);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_rest_api_a_site_is_backfilled_from_its_feed_pages() {
    let dir = tempfile::tempdir().unwrap();
    let site = FakeSite::start().await;
    site.set_api_enabled(false);
    site.set_posts_per_feed_page(10);
    posted(&site, 24);

    let out = run(dir.path(), &["import", &site.home_url(), "--json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    let done = site_report(&report);
    assert_eq!(done["via"], "the feed's pages", "{report}");
    assert_eq!(done["pages"], 3, "{report}");
    assert_eq!(done["posts"]["imported"], 24, "{report}");
    assert_eq!(done["posts"]["skipped"], 1, "{report}");
    assert_eq!(report["added"], 24, "{report}");
    // Page after page until the site had no more (a 404 past the last).
    let asked: Vec<String> = site
        .requests()
        .iter()
        .filter(|r| r.is("GET", "/feed/"))
        .map(|r| r.query().unwrap_or("").to_owned())
        .collect();
    assert_eq!(asked, ["paged=1", "paged=2", "paged=3", "paged=4"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_s_url_imports_what_the_feed_holds() {
    let dir = tempfile::tempdir().unwrap();
    let site = FakeSite::start().await;
    site.set_posts_per_feed_page(10);
    posted(&site, 14);

    let out = run(dir.path(), &["import", &site.feed_url()]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // The feed's newest ten: nine reviews (the list is the newest post) and the list.
    assert!(
        text.contains("1 page from the feed; posts imported 9, unchanged 0, skipped 1"),
        "{text}"
    );
    assert!(text.contains("added 9,"), "{text}");
    assert_eq!(site.count("/wp-json/wp/v2/posts"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_variables_are_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let site = FakeSite::start().await;
    posted(&site, 2);
    let feed = site.feed_url();
    let db = format!("sqlite://{}", dir.path().join("site.db").display());
    let path = dir.path().to_path_buf();
    // A proxy that does not exist, for every scheme: marquee talks to the site directly.
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(super::helpers::BIN)
            .args(["--db", &db, "import", &feed])
            .current_dir(&path)
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
            .env("HTTP_PROXY", "http://127.0.0.1:9")
            .env("HTTPS_PROXY", "http://127.0.0.1:9")
            .env("ALL_PROXY", "http://127.0.0.1:9")
            .env("http_proxy", "http://127.0.0.1:9")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(site.count("/feed/"), 1);
}
