//! `Fetcher` and the item parsers against the fake WordPress site on 127.0.0.1: conditional
//! GETs, errors, timeouts, redirects, size limits, and the feed and the API agreeing.

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use marquee::feed::fetch::{
    Body, FetchError, Fetched, Fetcher, Validators, MAX_REDIRECTS, USER_AGENT,
};
use marquee::feed::items::{parse_feed, parse_wp_posts};
use marquee_testkit::fake_site::{FakeSite, Target};

const LIMIT: u64 = 256 * 1024;
const WAIT: Duration = Duration::from_secs(5);

fn fetcher() -> Fetcher {
    Fetcher::new(Duration::from_secs(10), LIMIT).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 9, 30, 0).single().unwrap()
}

async fn get_body(fetcher: &Fetcher, url: &str, validators: &Validators) -> Body {
    match fetcher.get(url, validators).await {
        Ok(Fetched::Body(body)) => body,
        Ok(Fetched::NotModified) => panic!("{url}: 304 where a body was expected"),
        Err(err) => panic!("{url}: {err}"),
    }
}

async fn get_err(fetcher: &Fetcher, url: &str) -> FetchError {
    match fetcher.get(url, &Validators::default()).await {
        Ok(fetched) => panic!("{url}: expected an error, got {fetched:?}"),
        Err(err) => err,
    }
}

async fn site_with_reviews() -> FakeSite {
    let site = FakeSite::start().await;
    site.add_post(
        "Vertigo",
        "<p>A tower, a staircase, a grey suit &amp; a green dress.</p>",
        date(2024, 5, 1),
    );
    site.add_post(
        "Don't Look Now",
        "<p>Red coats in Venice; the water keeps its secrets.</p>",
        date(2024, 5, 8),
    );
    site.add_post(
        "Stalker",
        "<p>Three men, one room, <em>no</em> wishes granted.</p>",
        date(2024, 5, 15),
    );
    site
}

#[tokio::test]
async fn conditional_get_200_then_304_then_200_after_an_edit() {
    let site = site_with_reviews().await;
    let fetcher = fetcher();

    let first = get_body(&fetcher, &site.feed_url(), &Validators::default()).await;
    assert_eq!(first.final_url, site.feed_url());
    assert_eq!(
        first.content_type.as_deref(),
        Some("application/rss+xml; charset=UTF-8")
    );
    assert_eq!(first.total_pages, None);
    let etag = first.validators.etag.clone().expect("an ETag");
    let last_modified = first
        .validators
        .last_modified
        .clone()
        .expect("a Last-Modified");
    let items = parse_feed(&first.bytes).unwrap();
    let titles: Vec<_> = items.iter().filter_map(|i| i.title.as_deref()).collect();
    assert_eq!(titles, ["Stalker", "Don\u{2019}t Look Now", "Vertigo"]);

    let unconditional = site.last("/feed/").unwrap();
    assert_eq!(unconditional.header("user-agent"), Some(USER_AGENT));
    assert!(unconditional
        .header("accept")
        .unwrap()
        .contains("application/rss+xml"));
    assert_eq!(unconditional.header("if-none-match"), None);

    let second = fetcher
        .get(&site.feed_url(), &first.validators)
        .await
        .unwrap();
    assert!(matches!(second, Fetched::NotModified), "{second:?}");
    let conditional = site.last("/feed/").unwrap();
    assert_eq!(conditional.header("if-none-match"), Some(etag.as_str()));
    assert_eq!(
        conditional.header("if-modified-since"),
        Some(last_modified.as_str())
    );
    assert_eq!(conditional.header("user-agent"), Some(USER_AGENT));

    // Last-Modified alone is enough for a 304 too.
    let date_only = Validators {
        etag: None,
        last_modified: Some(last_modified.clone()),
    };
    let third = fetcher.get(&site.feed_url(), &date_only).await.unwrap();
    assert!(matches!(third, Fetched::NotModified), "{third:?}");

    // An edit changes both validators, so either one alone now gets the new body.
    let id = site.post_ids()[0];
    site.edit_post(id, "<p>A tower, a staircase, and a second look.</p>");
    let after_edit = get_body(&fetcher, &site.feed_url(), &first.validators).await;
    assert_ne!(after_edit.validators.etag, first.validators.etag);
    assert_ne!(
        after_edit.validators.last_modified,
        first.validators.last_modified
    );
    let edited = parse_feed(&after_edit.bytes).unwrap();
    assert!(edited.iter().any(|i| i.html.contains("second look")));
    get_body(&fetcher, &site.feed_url(), &date_only).await;

    assert_eq!(site.count("/feed/"), 5);
}

#[tokio::test]
async fn a_500_is_an_error_naming_status_and_url() {
    let site = site_with_reviews().await;
    let fetcher = fetcher();
    site.fail_next(Target::Feed, 1);
    let err = get_err(&fetcher, &site.feed_url()).await;
    assert_eq!(
        err.to_string(),
        format!("HTTP 500 Internal Server Error from {}", site.feed_url())
    );
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    // Only the next one failed.
    get_body(&fetcher, &site.feed_url(), &Validators::default()).await;

    site.set_failing(Target::All, true);
    let err = get_err(&fetcher, &site.api_posts_url(10, 1)).await;
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    site.set_failing(Target::All, false);
    get_body(&fetcher, &site.api_posts_url(10, 1), &Validators::default()).await;
}

#[tokio::test]
async fn a_hanging_site_times_out_within_the_timeout() {
    let site = site_with_reviews().await;
    let fetcher = Fetcher::new(Duration::from_secs(1), LIMIT).unwrap();
    site.set_hanging(true);
    let started = Instant::now();
    let err = get_err(&fetcher, &site.feed_url()).await;
    let elapsed = started.elapsed();
    assert!(matches!(err, FetchError::TimedOut { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("timed out after 1 s fetching {}", site.feed_url())
    );
    assert!(elapsed >= Duration::from_millis(900), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

#[tokio::test]
async fn a_hung_request_is_answered_once_hanging_stops() {
    let site = site_with_reviews().await;
    site.set_hanging(true);
    let fetcher = fetcher();
    let url = site.feed_url();
    let pending = tokio::spawn(async move { fetcher.get(&url, &Validators::default()).await });
    site.wait_for("the feed request", |r| r.is("GET", "/feed/"), WAIT)
        .await;
    assert!(!pending.is_finished());
    site.set_hanging(false);
    let fetched = tokio::time::timeout(WAIT, pending).await.unwrap().unwrap();
    assert!(matches!(fetched, Ok(Fetched::Body(_))), "{fetched:?}");
}

#[tokio::test]
async fn five_redirects_are_followed_and_a_sixth_refused() {
    let site = site_with_reviews().await;
    let fetcher = fetcher();
    let url = site.redirect_chain_url(MAX_REDIRECTS as u32);
    let body = get_body(&fetcher, &url, &Validators::default()).await;
    assert_eq!(body.final_url, site.feed_url());
    assert_eq!(parse_feed(&body.bytes).unwrap().len(), 3);

    let url = site.redirect_chain_url(MAX_REDIRECTS as u32 + 1);
    let err = get_err(&fetcher, &url).await;
    assert!(
        matches!(err, FetchError::TooManyRedirects { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("more than 5 redirects fetching {url}")
    );
    // The sixth redirect's target was never requested.
    assert_eq!(site.count("/feed/"), 1);
}

#[tokio::test]
async fn a_redirect_to_ftp_or_file_is_refused() {
    let site = site_with_reviews().await;
    let fetcher = fetcher();
    for target in ["ftp://127.0.0.1:2121/feed.xml", "file:///etc/hostname"] {
        let url = site.redirect_to_url(target);
        let err = get_err(&fetcher, &url).await;
        assert!(matches!(err, FetchError::BadRedirect { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!("{url} redirected to {target}, which is not an http or https URL")
        );
    }
    assert_eq!(site.request_count(), 2);
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_and_without_content_length() {
    let site = FakeSite::start().await;
    let fetcher = fetcher();

    let exact = get_body(
        &fetcher,
        &site.big_body_url(LIMIT, false),
        &Validators::default(),
    )
    .await;
    assert_eq!(exact.bytes.len() as u64, LIMIT);
    let exact = get_body(
        &fetcher,
        &site.big_body_url(LIMIT, true),
        &Validators::default(),
    )
    .await;
    assert_eq!(exact.bytes.len() as u64, LIMIT);

    let url = site.big_body_url(LIMIT + 1, false);
    let err = get_err(&fetcher, &url).await;
    assert!(
        matches!(err, FetchError::TooLarge { limit: LIMIT, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("the response from {url} is larger than the size limit ({LIMIT} bytes)")
    );

    // No Content-Length, and far more than the limit: stopped while reading, not at the end.
    let started = Instant::now();
    let url = site.big_body_url(512 * 1024 * 1024, true);
    let err = get_err(&fetcher, &url).await;
    assert!(
        matches!(err, FetchError::TooLarge { limit: LIMIT, .. }),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let logged = site.last("/big").unwrap();
    assert_eq!(logged.query(), Some("bytes=536870912&chunked=1"));
}

#[tokio::test]
async fn non_http_urls_are_refused_without_a_request() {
    let site = site_with_reviews().await;
    let fetcher = fetcher();
    let ftp = format!(
        "ftp://{}/feed/",
        site.base_url().trim_start_matches("http://")
    );
    for url in [ftp.as_str(), "file:///etc/hostname", "data:text/plain,hi"] {
        let err = get_err(&fetcher, url).await;
        assert!(
            matches!(err, FetchError::UnsupportedScheme { .. }),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!("{url} is not an http or https URL")
        );
    }
    let err = get_err(&fetcher, "127.0.0.1/feed/").await;
    assert!(matches!(err, FetchError::InvalidUrl { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "\"127.0.0.1/feed/\" is not a valid URL: relative URL without a base"
    );
    assert_eq!(site.request_count(), 0);
}

#[tokio::test]
async fn a_refused_connection_is_a_network_error_with_its_cause() {
    // A port that was free a moment ago: nothing listens there now.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/feed/", listener.local_addr().unwrap());
    drop(listener);
    let err = get_err(&fetcher(), &url).await;
    assert!(matches!(err, FetchError::Network { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("network error fetching {url}: ")),
        "{message}"
    );
    assert!(
        message.to_lowercase().contains("connection refused"),
        "{message}"
    );
}

#[tokio::test]
async fn the_rest_api_reports_its_page_count() {
    let site = site_with_reviews().await;
    let fetcher = fetcher();

    let page1 = get_body(&fetcher, &site.api_posts_url(2, 1), &Validators::default()).await;
    assert_eq!(page1.total_pages, Some(2));
    assert_eq!(
        page1.content_type.as_deref(),
        Some("application/json; charset=UTF-8")
    );
    let page2 = get_body(&fetcher, &site.api_posts_url(2, 2), &Validators::default()).await;
    assert_eq!(page2.total_pages, Some(2));
    let mut posts = parse_wp_posts(&page1.bytes).unwrap();
    posts.extend(parse_wp_posts(&page2.bytes).unwrap());
    let titles: Vec<_> = posts.iter().filter_map(|i| i.title.as_deref()).collect();
    assert_eq!(titles, ["Stalker", "Don\u{2019}t Look Now", "Vertigo"]);

    // Past the end: WordPress's 400.
    let err = get_err(&fetcher, &site.api_posts_url(2, 3)).await;
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));

    // Switched off: 404, and the home page stops advertising it.
    let home = get_body(&fetcher, &site.home_url(), &Validators::default()).await;
    let api_link = format!(
        "<link rel=\"https://api.w.org/\" href=\"{}\" />",
        site.api_root()
    );
    assert!(String::from_utf8_lossy(&home.bytes).contains(&api_link));
    site.set_api_enabled(false);
    let err = get_err(&fetcher, &site.api_posts_url(2, 1)).await;
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    let home = get_body(&fetcher, &site.home_url(), &Validators::default()).await;
    let home = String::from_utf8_lossy(&home.bytes).into_owned();
    assert!(!home.contains("api.w.org"), "{home}");
    assert!(home.contains(&format!(
        "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Reel Notes &raquo; Feed\" href=\"{}\" />",
        site.feed_url()
    )));
}

#[tokio::test]
async fn feed_pages_run_out_with_a_404() {
    let site = FakeSite::start().await;
    for day in 1..=5 {
        site.add_post(
            &format!("Day {day} at the cinema"),
            "<p>Another screening.</p>",
            date(2024, 3, day),
        );
    }
    site.set_posts_per_feed_page(2);
    let fetcher = fetcher();
    let mut keys = Vec::new();
    let mut page = 1;
    loop {
        match fetcher
            .get(&site.feed_page_url(page), &Validators::default())
            .await
        {
            Ok(Fetched::Body(body)) => {
                keys.extend(parse_feed(&body.bytes).unwrap().into_iter().map(|i| i.key))
            }
            Err(err) if err.status().map(|s| s.as_u16()) == Some(404) => break,
            other => panic!("page {page}: {other:?}"),
        }
        page += 1;
        assert!(page < 10, "the pages never ran out");
    }
    assert_eq!(page, 4);
    let expected: Vec<String> = (1..=5).rev().map(|id| site.guid(id)).collect();
    assert_eq!(keys, expected);
}

#[tokio::test]
async fn feed_and_api_give_the_same_items() {
    let site = site_with_reviews().await;
    let removed = site.add_post("Gone", "<p>Withdrawn.</p>", date(2024, 6, 1));
    assert!(site.remove_post(removed));
    let fetcher = fetcher();
    let feed = get_body(&fetcher, &site.feed_url(), &Validators::default()).await;
    let api = get_body(
        &fetcher,
        &site.api_posts_url(100, 1),
        &Validators::default(),
    )
    .await;
    let from_feed = parse_feed(&feed.bytes).unwrap();
    let from_api = parse_wp_posts(&api.bytes).unwrap();
    assert_eq!(from_feed.len(), 3);
    assert_eq!(from_feed.len(), from_api.len());
    for (f, a) in from_feed.iter().zip(&from_api) {
        assert_eq!(f.key, a.key);
        assert_eq!(f.link, a.link);
        assert_eq!(f.title, a.title);
        assert_eq!(f.published, a.published);
        assert_eq!(f.html, a.html);
    }
    assert_eq!(from_feed[0].key, site.guid(3));

    // Each item's link is its post page, which carries the post and its canonical link.
    for item in &from_feed {
        let link = item.link.as_deref().unwrap();
        let page = get_body(&fetcher, link, &Validators::default()).await;
        let html = String::from_utf8_lossy(&page.bytes).into_owned();
        assert!(
            html.contains(&format!("<link rel=\"canonical\" href=\"{link}\" />")),
            "{html}"
        );
        assert!(html.contains(&format!(
            "<div class=\"entry-content\">\n{}\n</div>",
            item.html
        )));
    }
    // The guid URL shows the same page.
    let by_id = get_body(&fetcher, &site.guid(2), &Validators::default()).await;
    assert!(String::from_utf8_lossy(&by_id.bytes).contains("Red coats in Venice"));
    let err = get_err(&fetcher, &site.guid(removed)).await;
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn wait_count_sees_concurrent_requests() {
    let site = site_with_reviews().await;
    let fetcher = fetcher();
    let url = site.feed_url();
    let polls = tokio::spawn(async move {
        for _ in 0..3 {
            fetcher.get(&url, &Validators::default()).await.unwrap();
        }
    });
    let seen = site
        .wait_count("three feed polls", 3, |r| r.is("GET", "/feed/"), WAIT)
        .await;
    assert_eq!(seen.len(), 3);
    polls.await.unwrap();
    assert_eq!(site.counts().get("/feed/"), Some(&3));
}
