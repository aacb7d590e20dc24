//! A fake WordPress site on 127.0.0.1 for tests of marquee's feed polling and backfill: the
//! feed (`/feed/`, `/feed/?paged=N`), the REST API (`/wp-json/wp/v2/posts`), a home page and
//! post pages, over a list of posts the test changes while the site runs. Nothing leaves
//! loopback.
//!
//! # Using it
//! ```ignore
//! use marquee_testkit::fake_site::{FakeSite, Target};
//!
//! let site = FakeSite::start().await;
//! let when = Utc.with_ymd_and_hms(2024, 5, 1, 9, 0, 0).unwrap();
//! let id = site.add_post("Vertigo", "<p>A tower, twice.</p>", when);
//! let fetched = fetcher.get(&site.feed_url(), &Validators::default()).await?;
//! site.edit_post(id, "<p>A tower, three times.</p>"); // new ETag and Last-Modified
//! site.fail_next(Target::Feed, 2); // the next two feed requests: 500
//! site.set_api_enabled(false); // /wp-json/...: 404 rest_no_route
//! let poll = site
//!     .wait_for(
//!         "a conditional poll",
//!         |r| r.is("GET", "/feed/") && r.header("if-none-match").is_some(),
//!         Duration::from_secs(5),
//!     )
//!     .await;
//! assert_eq!(poll.header("user-agent"), Some(USER_AGENT));
//! ```
//! Every request is logged on arrival (before any hang or failure), and every request and
//! every change wakes the `wait_*` helpers, so tests await what they expect instead of
//! sleeping. The waits panic, naming what was awaited and listing the requests seen, when
//! their timeout passes; a hanging request answers 503 after [`HANG_LIMIT`] at the latest. So
//! nothing here can hang a test forever.
//!
//! URLs the site hands out (links, guids, the API root) are `http://127.0.0.1:PORT/…`, with
//! WordPress's shapes: guid `http://127.0.0.1:PORT/?p=ID`, permalink
//! `http://127.0.0.1:PORT/YYYY/MM/DD/slug/`.
//!
//! # Routes
//! - `/feed/[?paged=N]`: RSS 2.0, newest first, `set_posts_per_feed_page` items (10); a page
//!   past the end is a 404 page. ETag (a hash of the body) and Last-Modified; 304 to a
//!   matching If-None-Match, else (no If-None-Match) to an If-Modified-Since not older.
//! - `/wp-json/` (index) and `/wp-json/wp/v2/posts?per_page=N&page=M`: posts newest first,
//!   `X-WP-Total`, `X-WP-TotalPages`, `Link: rel="next"`; past the end 400
//!   `rest_post_invalid_page_number`; `per_page` outside 1..=100 400 `rest_invalid_param`; API
//!   off: 404 `rest_no_route` for all of `/wp-json/`.
//! - `/`, `/?p=ID`, `/YYYY/MM/DD/slug/`: home page (discovery links), post pages (the post
//!   in `<article><div class="entry-content">`, `<link rel="canonical">`); served directly,
//!   where real WordPress would 301 `/?p=ID` to the permalink.
//! - Test-only: `/redirect/K` (K 302s ending at `/feed/`), `/redirect-to?url=U` (one 302 to
//!   anything), `/big?bytes=N&chunked=0|1` (N bytes of `x`, with or without Content-Length).
use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::Router;
use chrono::{DateTime, Utc};
use futures_util::StreamExt as _;
use tokio::sync::watch;

/// A hanging request gives up (with a 503) after this long, so a test that forgets to switch
/// hanging off still ends.
pub const HANG_LIMIT: Duration = Duration::from_secs(60);

const SITE_NAME: &str = "Reel Notes";

/// Which requests a scripted failure hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// `/feed/` and its pages.
    Feed,
    /// Everything under `/wp-json/`.
    Api,
    /// The home page and the post pages.
    Pages,
    /// All three.
    All,
}

impl Target {
    fn concrete(self) -> &'static [Target] {
        match self {
            Target::Feed => &[Target::Feed],
            Target::Api => &[Target::Api],
            Target::Pages => &[Target::Pages],
            Target::All => &[Target::Feed, Target::Api, Target::Pages],
        }
    }
}

/// One request the site received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// Path and query, as sent: `/feed/?paged=2`.
    pub path_and_query: String,
    /// Header names in lower case, in the order sent.
    pub headers: Vec<(String, String)>,
    /// When it arrived.
    pub at: std::time::Instant,
}

impl Recorded {
    /// The path without the query.
    pub fn path(&self) -> &str {
        self.path_and_query
            .split_once('?')
            .map_or(self.path_and_query.as_str(), |(path, _)| path)
    }

    pub fn query(&self) -> Option<&str> {
        self.path_and_query.split_once('?').map(|(_, q)| q)
    }

    /// This method and exactly this path (the query ignored).
    pub fn is(&self, method: &str, path: &str) -> bool {
        self.method == method && self.path() == path
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone)]
struct Post {
    id: u64,
    title: String,
    html: String,
    date: DateTime<Utc>,
    modified: DateTime<Utc>,
    slug: String,
}

struct SiteState {
    posts: Vec<Post>,
    next_id: u64,
    api_enabled: bool,
    posts_per_feed_page: usize,
    fail_next: HashMap<Target, usize>,
    failing: HashMap<Target, bool>,
    hanging: bool,
    /// The site's clock for Last-Modified: moves at least a second on every change, since an
    /// HTTP date has whole seconds and an edit within the same second must still show.
    modified: DateTime<Utc>,
    log: Vec<Recorded>,
}

impl SiteState {
    fn tick(&mut self) -> DateTime<Utc> {
        let now = whole_seconds(Utc::now());
        self.modified = now.max(self.modified + chrono::Duration::seconds(1));
        self.modified
    }

    /// Newest first, as WordPress lists them (date, then id, descending).
    fn sorted_posts(&self) -> Vec<Post> {
        let mut posts = self.posts.clone();
        posts.sort_by(|a, b| b.date.cmp(&a.date).then(b.id.cmp(&a.id)));
        posts
    }

    fn take_failure(&mut self, target: Target) -> bool {
        if self.failing.get(&target).copied().unwrap_or(false) {
            return true;
        }
        match self.fail_next.get_mut(&target) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }
}

struct Shared {
    base: String,
    state: Mutex<SiteState>,
    /// Bumped on every request and every change; the `wait_*` helpers sleep on it.
    changed: watch::Sender<u64>,
}

impl Shared {
    /// A panic elsewhere must not turn every later request into one.
    fn lock(&self) -> MutexGuard<'_, SiteState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn update<T>(&self, f: impl FnOnce(&mut SiteState) -> T) -> T {
        let out = f(&mut self.lock());
        self.changed.send_modify(|n| *n += 1);
        out
    }

    /// Calls `f` on the state until it gives `Some`, waking on every change; `None` after
    /// `timeout`.
    async fn wait_state<T>(
        &self,
        timeout: Duration,
        mut f: impl FnMut(&SiteState) -> Option<T>,
    ) -> Option<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        // Subscribed before looking, so a change between the look and the wait still wakes us.
        let mut rx = self.changed.subscribe();
        loop {
            rx.borrow_and_update();
            if let Some(found) = f(&self.lock()) {
                return Some(found);
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {}
                _ => return None,
            }
        }
    }
}

/// The running site. Dropping it stops the server.
pub struct FakeSite {
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeSite {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeSite {
    /// Starts the site on 127.0.0.1 and a free port: no posts, API on, 10 items a feed page.
    pub async fn start() -> FakeSite {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let (changed, _) = watch::channel(0);
        let shared = Arc::new(Shared {
            base: format!("http://{addr}"),
            state: Mutex::new(SiteState {
                posts: Vec::new(),
                next_id: 1,
                api_enabled: true,
                posts_per_feed_page: 10,
                fail_next: HashMap::new(),
                failing: HashMap::new(),
                hanging: false,
                modified: whole_seconds(Utc::now()),
                log: Vec::new(),
            }),
            changed,
        });
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let task = tokio::spawn(async move {
            // As real web servers do (nginx's `tcp_nodelay on`): no Nagle delay on small writes.
            use axum::serve::ListenerExt as _;
            let listener = listener.tap_io(|stream| {
                let _ = stream.set_nodelay(true);
            });
            let _ = axum::serve(listener, app).await;
        });
        FakeSite { shared, task }
    }

    // ---- addresses ----

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        self.shared.base.clone()
    }

    /// `path` on this site (`path` starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.shared.base)
    }

    pub fn home_url(&self) -> String {
        self.url("/")
    }

    pub fn feed_url(&self) -> String {
        self.url("/feed/")
    }

    pub fn feed_page_url(&self, page: u32) -> String {
        self.url(&format!("/feed/?paged={page}"))
    }

    /// The API's root, as the home page advertises it.
    pub fn api_root(&self) -> String {
        self.url("/wp-json/")
    }

    pub fn api_posts_url(&self, per_page: u32, page: u32) -> String {
        self.url(&format!(
            "/wp-json/wp/v2/posts?per_page={per_page}&page={page}"
        ))
    }

    /// WordPress's guid for post `id`: the RSS `<guid>` and the API's `guid.rendered`.
    pub fn guid(&self, id: u64) -> String {
        guid(&self.shared.base, id)
    }

    /// The pretty permalink of post `id` (`/YYYY/MM/DD/slug/`). Panics if there is no such post.
    pub fn permalink(&self, id: u64) -> String {
        let state = self.shared.lock();
        let post = state
            .posts
            .iter()
            .find(|p| p.id == id)
            .unwrap_or_else(|| panic!("no post {id}"));
        permalink(&self.shared.base, post)
    }

    /// `/redirect/K`: K redirects (302), `/redirect/K` → `/redirect/K-1` → … → `/feed/`.
    pub fn redirect_chain_url(&self, redirects: u32) -> String {
        self.url(&format!("/redirect/{redirects}"))
    }

    /// One redirect (302) to `target`, any URL at all (`ftp://…`, `file:///…`).
    pub fn redirect_to_url(&self, target: &str) -> String {
        self.url(&format!("/redirect-to?url={}", percent_encode(target)))
    }

    /// A body of `bytes` bytes: with Content-Length, or (`chunked`) streamed in 16 KiB chunks
    /// without one, so only counting while reading can find it too big.
    pub fn big_body_url(&self, bytes: u64, chunked: bool) -> String {
        self.url(&format!(
            "/big?bytes={bytes}&chunked={}",
            if chunked { 1 } else { 0 }
        ))
    }

    // ---- content ----

    /// Publishes a post dated `date`; returns its id (1, 2, …).
    pub fn add_post(&self, title: &str, html: &str, date: DateTime<Utc>) -> u64 {
        self.shared.update(|state| {
            let id = state.next_id;
            state.next_id += 1;
            let modified = state.tick();
            state.posts.push(Post {
                id,
                title: title.to_string(),
                html: html.to_string(),
                date,
                modified,
                slug: slugify(title, id),
            });
            id
        })
    }

    /// Replaces a post's content: the feed's ETag and Last-Modified change. Panics if there is
    /// no such post.
    pub fn edit_post(&self, id: u64, html: &str) {
        self.shared.update(|state| {
            let modified = state.tick();
            let post = state
                .posts
                .iter_mut()
                .find(|p| p.id == id)
                .unwrap_or_else(|| panic!("no post {id} to edit"));
            post.html = html.to_string();
            post.modified = modified;
        });
    }

    /// Deletes a post; false if there was none.
    pub fn remove_post(&self, id: u64) -> bool {
        self.shared.update(|state| {
            let before = state.posts.len();
            state.posts.retain(|p| p.id != id);
            let removed = state.posts.len() != before;
            if removed {
                state.tick();
            }
            removed
        })
    }

    pub fn post_ids(&self) -> Vec<u64> {
        self.shared.lock().posts.iter().map(|p| p.id).collect()
    }

    // ---- behaviour ----

    /// Off: everything under `/wp-json/` is a 404 `rest_no_route`, and the home page no longer
    /// advertises the API.
    pub fn set_api_enabled(&self, enabled: bool) {
        self.shared.update(|state| state.api_enabled = enabled);
    }

    /// Items per feed page (WordPress's "Syndication feeds show the most recent"); default 10.
    pub fn set_posts_per_feed_page(&self, n: usize) {
        self.shared
            .update(|state| state.posts_per_feed_page = n.max(1));
    }

    /// The next `n` requests to `target` answer 500 (counted per concrete target).
    pub fn fail_next(&self, target: Target, n: usize) {
        self.shared.update(|state| {
            for t in target.concrete() {
                state.fail_next.insert(*t, n);
            }
        });
    }

    /// While on, every request to `target` answers 500.
    pub fn set_failing(&self, target: Target, failing: bool) {
        self.shared.update(|state| {
            for t in target.concrete() {
                state.failing.insert(*t, failing);
            }
        });
    }

    /// While on, every request (any path) is logged and then never answered: the connection
    /// stays open until hanging is switched off (then it is answered as usual), the client
    /// gives up, or [`HANG_LIMIT`] passes (503).
    pub fn set_hanging(&self, hanging: bool) {
        self.shared.update(|state| state.hanging = hanging);
    }

    // ---- the request log ----

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.lock().log.clone()
    }

    pub fn request_count(&self) -> usize {
        self.shared.lock().log.len()
    }

    /// Requests to exactly `path` (the query ignored).
    pub fn count(&self, path: &str) -> usize {
        self.shared
            .lock()
            .log
            .iter()
            .filter(|r| r.path() == path)
            .count()
    }

    /// Requests by path (the query ignored).
    pub fn counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for r in &self.shared.lock().log {
            *counts.entry(r.path().to_string()).or_insert(0) += 1;
        }
        counts
    }

    /// The last request to exactly `path` (the query ignored).
    pub fn last(&self, path: &str) -> Option<Recorded> {
        self.shared
            .lock()
            .log
            .iter()
            .rev()
            .find(|r| r.path() == path)
            .cloned()
    }

    /// Waits for a request matching `pred` (one already logged counts); returns it. Panics
    /// with `what` and the log after `timeout`.
    pub async fn wait_for(
        &self,
        what: &str,
        pred: impl Fn(&Recorded) -> bool,
        timeout: Duration,
    ) -> Recorded {
        self.wait_for_since(0, what, pred, timeout).await
    }

    /// Like [`FakeSite::wait_for`], among the requests from index `mark` on (a
    /// [`FakeSite::request_count`] taken earlier).
    pub async fn wait_for_since(
        &self,
        mark: usize,
        what: &str,
        pred: impl Fn(&Recorded) -> bool,
        timeout: Duration,
    ) -> Recorded {
        let found = self
            .shared
            .wait_state(timeout, |state| {
                state.log.iter().skip(mark).find(|r| pred(r)).cloned()
            })
            .await;
        found.unwrap_or_else(|| self.timed_out(what, timeout))
    }

    /// Waits until `n` requests in all match `pred`; returns them. Panics with `what` after
    /// `timeout`.
    pub async fn wait_count(
        &self,
        what: &str,
        n: usize,
        pred: impl Fn(&Recorded) -> bool,
        timeout: Duration,
    ) -> Vec<Recorded> {
        let found = self
            .shared
            .wait_state(timeout, |state| {
                let matching: Vec<Recorded> =
                    state.log.iter().filter(|r| pred(r)).cloned().collect();
                (matching.len() >= n).then_some(matching)
            })
            .await;
        found.unwrap_or_else(|| self.timed_out(what, timeout))
    }

    fn timed_out(&self, what: &str, timeout: Duration) -> ! {
        let log: Vec<String> = self
            .requests()
            .iter()
            .map(|r| format!("  {} {}", r.method, r.path_and_query))
            .collect();
        panic!(
            "timed out after {timeout:?} waiting for {what}; requests seen:\n{}",
            log.join("\n")
        )
    }
}

// ---- serving ----

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let method = request.method().clone();
    let uri = request.uri().clone();
    let headers = request.headers().clone();
    let path_and_query = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_string(), |pq| pq.as_str().to_string());
    shared.update(|state| {
        state.log.push(Recorded {
            method: method.to_string(),
            path_and_query: path_and_query.clone(),
            headers: headers
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            at: std::time::Instant::now(),
        })
    });

    let hanging = shared
        .wait_state(HANG_LIMIT, |state| (!state.hanging).then_some(()))
        .await;
    if hanging.is_none() {
        return text(
            StatusCode::SERVICE_UNAVAILABLE,
            "text/plain",
            "hung too long",
        );
    }

    let path = uri.path().to_string();
    let query: HashMap<String, String> = Query::try_from_uri(&uri)
        .map(|Query(q)| q)
        .unwrap_or_default();
    let target = if path == "/feed/" || path == "/feed" {
        Some(Target::Feed)
    } else if path.starts_with("/wp-json") {
        Some(Target::Api)
    } else if path == "/" || is_permalink_path(&path) {
        Some(Target::Pages)
    } else {
        None
    };
    if let Some(target) = target {
        if shared.update(|state| state.take_failure(target)) {
            return text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "text/html; charset=UTF-8",
                "<html><body><h1>Internal Server Error</h1></body></html>",
            );
        }
    }
    if method != Method::GET && method != Method::HEAD {
        return text(StatusCode::METHOD_NOT_ALLOWED, "text/plain", "GET only");
    }

    match target {
        Some(Target::Feed) => feed(&shared, &query, &headers),
        Some(Target::Api) => api(&shared, &path, &query),
        Some(_) if path == "/" => match query.get("p").and_then(|p| p.parse::<u64>().ok()) {
            Some(id) => post_page_by(&shared, |p| p.id == id),
            None => home(&shared),
        },
        Some(_) => {
            let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
            let day = format!("{}/{}/{}", segments[0], segments[1], segments[2]);
            let slug = segments[3].to_string();
            post_page_by(&shared, |p| {
                p.slug == slug && p.date.format("%Y/%m/%d").to_string() == day
            })
        }
        None => other(&shared, &path, &query),
    }
}

/// `/YYYY/MM/DD/slug/` (the trailing slash optional).
fn is_permalink_path(path: &str) -> bool {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    segments.len() == 4
        && segments[..3]
            .iter()
            .all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
}

fn feed(shared: &Shared, query: &HashMap<String, String>, headers: &HeaderMap) -> Response {
    let (posts, per_page, modified) = {
        let state = shared.lock();
        (
            state.sorted_posts(),
            state.posts_per_feed_page,
            state.modified,
        )
    };
    // WordPress ignores a `paged` it cannot read, and treats 0 as 1.
    let page = query
        .get("paged")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let start = (page - 1) * per_page;
    if page > 1 && start >= posts.len() {
        return not_found_page(&shared.base);
    }
    let body = rss(
        &shared.base,
        posts.iter().skip(start).take(per_page),
        modified,
    );
    let etag = format!("\"{:016x}\"", hash_of(&body));
    let last_modified = http_date(modified);
    let mut response = if not_modified(headers, &etag, modified) {
        empty(StatusCode::NOT_MODIFIED)
    } else {
        text(StatusCode::OK, "application/rss+xml; charset=UTF-8", body)
    };
    set_header(&mut response, header::ETAG, &etag);
    set_header(&mut response, header::LAST_MODIFIED, &last_modified);
    response
}

/// RFC 9110: If-None-Match decides when present (If-Modified-Since is then ignored).
fn not_modified(headers: &HeaderMap, etag: &str, modified: DateTime<Utc>) -> bool {
    if let Some(inm) = headers.get(header::IF_NONE_MATCH) {
        let inm = String::from_utf8_lossy(inm.as_bytes()).into_owned();
        return inm
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag);
    }
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
        .is_some_and(|since| modified <= since.with_timezone(&Utc))
}

fn rss<'a>(base: &str, posts: impl Iterator<Item = &'a Post>, modified: DateTime<Utc>) -> String {
    let mut xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
	xmlns:slash="http://purl.org/rss/1.0/modules/slash/"
	>

<channel>
	<title>{SITE_NAME}</title>
	<atom:link href="{base}/feed/" rel="self" type="application/rss+xml" />
	<link>{base}</link>
	<description>Films seen, and what came of it</description>
	<lastBuildDate>{}</lastBuildDate>
	<language>en-US</language>
	<sy:updatePeriod>hourly</sy:updatePeriod>
	<sy:updateFrequency>1</sy:updateFrequency>
	<generator>https://wordpress.org/?v=6.5.3</generator>
"#,
        modified.to_rfc2822()
    );
    for post in posts {
        let link = permalink(base, post);
        xml.push_str(&format!(
            r#"	<item>
		<title>{title}</title>
		<link>{link}</link>
		<comments>{link}#respond</comments>
		<dc:creator><![CDATA[critic]]></dc:creator>
		<pubDate>{date}</pubDate>
		<category><![CDATA[Reviews]]></category>
		<guid isPermaLink="false">{guid}</guid>
		<description>{excerpt}</description>
		<content:encoded>{content}</content:encoded>
		<wfw:commentRss>{link}feed/</wfw:commentRss>
		<slash:comments>0</slash:comments>
	</item>
"#,
            title = texturize(&post.title),
            date = post.date.to_rfc2822(),
            guid = guid(base, post.id),
            excerpt = cdata(&format!("{} [&#8230;]", excerpt(&post.html))),
            content = cdata(&post.html),
        ));
    }
    xml.push_str("</channel>\n</rss>\n");
    xml
}

fn api(shared: &Shared, path: &str, query: &HashMap<String, String>) -> Response {
    let (enabled, posts) = {
        let state = shared.lock();
        (state.api_enabled, state.sorted_posts())
    };
    let base = &shared.base;
    if !enabled {
        return wp_error(
            StatusCode::NOT_FOUND,
            "rest_no_route",
            "No route was found matching the URL and request method.",
        );
    }
    match path {
        "/wp-json" | "/wp-json/" => json(
            StatusCode::OK,
            serde_json::json!({
                "name": SITE_NAME,
                "url": base,
                "home": base,
                "namespaces": ["oembed/1.0", "wp/v2"],
                "routes": {"/wp/v2/posts": {"methods": ["GET"]}},
            }),
        ),
        "/wp-json/wp/v2/posts" | "/wp-json/wp/v2/posts/" => {
            let per_page = match query.get("per_page").map(|v| v.parse::<usize>()) {
                None => 10,
                Some(Ok(n)) if (1..=100).contains(&n) => n,
                Some(_) => {
                    return wp_error(
                        StatusCode::BAD_REQUEST,
                        "rest_invalid_param",
                        "Invalid parameter(s): per_page",
                    )
                }
            };
            let page = match query.get("page").map(|v| v.parse::<usize>()) {
                None => 1,
                Some(Ok(n)) if n >= 1 => n,
                Some(_) => {
                    return wp_error(
                        StatusCode::BAD_REQUEST,
                        "rest_invalid_param",
                        "Invalid parameter(s): page",
                    )
                }
            };
            let total = posts.len();
            let total_pages = total.div_ceil(per_page);
            // As WordPress: a page past the end is an error only when there are posts at all.
            if page > total_pages && total > 0 {
                return wp_error(
                    StatusCode::BAD_REQUEST,
                    "rest_post_invalid_page_number",
                    "The page number requested is larger than the number of pages available.",
                );
            }
            let items: Vec<serde_json::Value> = posts
                .iter()
                .skip((page - 1) * per_page)
                .take(per_page)
                .map(|p| post_json(base, p))
                .collect();
            let mut response = json(StatusCode::OK, serde_json::Value::Array(items));
            set_header(&mut response, "x-wp-total", &total.to_string());
            set_header(&mut response, "x-wp-totalpages", &total_pages.to_string());
            if page < total_pages {
                let next = format!(
                    "<{base}/wp-json/wp/v2/posts?per_page={per_page}&page={}>; rel=\"next\"",
                    page + 1
                );
                set_header(&mut response, header::LINK, &next);
            }
            response
        }
        _ => wp_error(
            StatusCode::NOT_FOUND,
            "rest_no_route",
            "No route was found matching the URL and request method.",
        ),
    }
}

/// A post as `/wp-json/wp/v2/posts` shows it (the site's timezone is UTC, so `date` and
/// `date_gmt` agree), with a few of the fields a client ignores.
fn post_json(base: &str, post: &Post) -> serde_json::Value {
    let wp_date = |d: DateTime<Utc>| d.format("%Y-%m-%dT%H:%M:%S").to_string();
    serde_json::json!({
        "id": post.id,
        "date": wp_date(post.date),
        "date_gmt": wp_date(post.date),
        "guid": {"rendered": guid(base, post.id)},
        "modified": wp_date(post.modified),
        "modified_gmt": wp_date(post.modified),
        "slug": post.slug,
        "status": "publish",
        "type": "post",
        "link": permalink(base, post),
        "title": {"rendered": texturize(&post.title)},
        "content": {"rendered": post.html, "protected": false},
        "excerpt": {"rendered": format!("<p>{} [&hellip;]</p>\n", excerpt(&post.html)), "protected": false},
        "author": 1,
        "comment_status": "open",
        "categories": [3],
        "tags": [],
        "meta": {"footnotes": ""},
    })
}

fn home(shared: &Shared) -> Response {
    let (posts, api_enabled) = {
        let state = shared.lock();
        (state.sorted_posts(), state.api_enabled)
    };
    let base = &shared.base;
    let list: String = posts
        .iter()
        .map(|p| {
            format!(
                "<li><a href=\"{}\">{}</a></li>\n",
                permalink(base, p),
                texturize(&p.title)
            )
        })
        .collect();
    let body = page(
        base,
        api_enabled,
        SITE_NAME,
        &format!("{base}/"),
        "home blog",
        &format!("<h1 class=\"page-title\">Latest reviews</h1>\n<ul class=\"posts\">\n{list}</ul>"),
    );
    text(StatusCode::OK, "text/html; charset=UTF-8", body)
}

fn post_page_by(shared: &Shared, pred: impl Fn(&Post) -> bool) -> Response {
    let (post, api_enabled) = {
        let state = shared.lock();
        (
            state.posts.iter().find(|p| pred(p)).cloned(),
            state.api_enabled,
        )
    };
    let base = &shared.base;
    let Some(post) = post else {
        return not_found_page(base);
    };
    let main = format!(
        r#"<article id="post-{id}" class="post-{id} post type-post status-publish format-standard hentry category-reviews">
<header class="entry-header">
<h1 class="entry-title">{title}</h1>
<div class="entry-meta"><time class="entry-date published" datetime="{datetime}">{human}</time> by critic</div>
</header>
<div class="entry-content">
{html}
</div>
<footer class="entry-footer"><span class="cat-links">Posted in <a href="{base}/category/reviews/">Reviews</a></span></footer>
</article>
<nav class="post-navigation"><a href="{base}/">&larr; All reviews</a></nav>"#,
        id = post.id,
        title = texturize(&post.title),
        datetime = post.date.to_rfc3339(),
        human = post.date.format("%B %-d, %Y"),
        html = post.html,
    );
    let body = page(
        base,
        api_enabled,
        &format!("{} &#8211; {SITE_NAME}", texturize(&post.title)),
        &permalink(base, &post),
        &format!(
            "post-template-default single single-post postid-{}",
            post.id
        ),
        &main,
    );
    text(StatusCode::OK, "text/html; charset=UTF-8", body)
}

/// A theme-like page: head with the discovery links, header, nav, `main`, footer.
fn page(
    base: &str,
    api_enabled: bool,
    title: &str,
    canonical: &str,
    body_class: &str,
    main: &str,
) -> String {
    let api_link = if api_enabled {
        format!("<link rel=\"https://api.w.org/\" href=\"{base}/wp-json/\" />\n")
    } else {
        String::new()
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>{title}</title>
<link rel="canonical" href="{canonical}" />
<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; Feed" href="{base}/feed/" />
{api_link}<meta name="generator" content="WordPress 6.5.3" />
</head>
<body class="{body_class}">
<div id="page" class="site">
<header id="masthead" class="site-header">
<p class="site-title"><a href="{base}/" rel="home">{SITE_NAME}</a></p>
<p class="site-description">Films seen, and what came of it</p>
<nav id="site-navigation" class="main-navigation"><ul class="menu">
<li><a href="{base}/">Home</a></li>
<li><a href="{base}/category/reviews/">Reviews</a></li>
<li><a href="{base}/about/">About</a></li>
</ul></nav>
</header>
<main id="main" class="site-main">
{main}
</main>
<aside id="secondary" class="widget-area"><section class="widget"><h2 class="widget-title">Search</h2><form role="search"><input type="search" name="s" /></form></section></aside>
<footer id="colophon" class="site-footer"><div class="site-info">&copy; {SITE_NAME}. Proudly powered by WordPress.</div></footer>
</div>
</body>
</html>
"#
    )
}

fn not_found_page(base: &str) -> Response {
    let body = page(
        base,
        false,
        &format!("Page not found &#8211; {SITE_NAME}"),
        &format!("{base}/"),
        "error404",
        "<section class=\"error-404 not-found\"><h1 class=\"page-title\">Oops! That page can&rsquo;t be found.</h1></section>",
    );
    text(StatusCode::NOT_FOUND, "text/html; charset=UTF-8", body)
}

/// The test-only paths: redirects, big bodies; else a 404 page.
fn other(shared: &Shared, path: &str, query: &HashMap<String, String>) -> Response {
    let base = &shared.base;
    if let Some(rest) = path.strip_prefix("/redirect/") {
        return match rest.trim_end_matches('/').parse::<u32>() {
            Ok(0) | Err(_) => not_found_page(base),
            Ok(1) => redirect(&format!("{base}/feed/")),
            Ok(k) => redirect(&format!("{base}/redirect/{}", k - 1)),
        };
    }
    if path == "/redirect-to" {
        return match query.get("url") {
            Some(target) => redirect(target),
            None => not_found_page(base),
        };
    }
    if path == "/big" {
        let bytes: u64 = query.get("bytes").and_then(|b| b.parse().ok()).unwrap_or(0);
        let chunked = query.get("chunked").is_some_and(|c| c == "1");
        return big_body(bytes, chunked);
    }
    not_found_page(base)
}

fn big_body(bytes: u64, chunked: bool) -> Response {
    const CHUNK: u64 = 16 * 1024;
    let body = if chunked {
        // Chunks made as they are sent: a stopped client costs the server nothing more.
        let chunks = bytes.div_ceil(CHUNK);
        let stream = futures_util::stream::iter(0..chunks).map(move |i| {
            let size = CHUNK.min(bytes - i * CHUNK);
            Ok::<_, Infallible>(Bytes::from(vec![b'x'; size as usize]))
        });
        Body::from_stream(stream)
    } else {
        Body::from(vec![b'x'; bytes as usize])
    };
    let mut response = Response::new(body);
    set_header(&mut response, header::CONTENT_TYPE, "application/rss+xml");
    response
}

fn redirect(location: &str) -> Response {
    let mut response = empty(StatusCode::FOUND);
    set_header(&mut response, header::LOCATION, location);
    response
}

fn wp_error(status: StatusCode, code: &str, message: &str) -> Response {
    json(
        status,
        serde_json::json!({"code": code, "message": message, "data": {"status": status.as_u16()}}),
    )
}

fn json(status: StatusCode, value: serde_json::Value) -> Response {
    text(status, "application/json; charset=UTF-8", value.to_string())
}

fn text(status: StatusCode, content_type: &str, body: impl Into<String>) -> Response {
    let mut response = Response::new(Body::from(body.into()));
    *response.status_mut() = status;
    set_header(&mut response, header::CONTENT_TYPE, content_type);
    response
}

fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

fn set_header<K: header::IntoHeaderName>(response: &mut Response, name: K, value: &str) {
    // A value that is not a valid header (a test's odd redirect target) is sent as bytes.
    let value = HeaderValue::from_str(value)
        .unwrap_or_else(|_| HeaderValue::from_bytes(value.as_bytes()).expect("header bytes"));
    response.headers_mut().insert(name, value);
}

// ---- WordPress's ways with text ----

fn guid(base: &str, id: u64) -> String {
    format!("{base}/?p={id}")
}

fn permalink(base: &str, post: &Post) -> String {
    format!("{base}/{}/{}/", post.date.format("%Y/%m/%d"), post.slug)
}

fn slugify(title: &str, id: u64) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        format!("post-{id}")
    } else {
        slug
    }
}

/// A title the way WordPress prints it, in the feed and in the API: `'` curled to `&#8217;`,
/// `&` as `&#038;`, markup escaped. (Numeric references are valid XML, so the feed carries
/// them as is, and a feed parser decodes them.)
fn texturize(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        match c {
            '\'' => out.push_str("&#8217;"),
            '&' => out.push_str("&#038;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// CDATA, with any `]]>` in the text split across two sections.
fn cdata(text: &str) -> String {
    format!("<![CDATA[{}]]>", text.replace("]]>", "]]]]><![CDATA[>"))
}

/// The first words of the post's text, tags dropped.
fn excerpt(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace()
        .take(30)
        .collect::<Vec<_>>()
        .join(" ")
}

fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).expect("a representable time")
}

/// `Wed, 01 May 2024 10:00:00 GMT`
fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn hash_of(text: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
