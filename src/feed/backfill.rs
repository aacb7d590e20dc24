//! `marquee import URL`: the critic's whole site into the archive, quietly (the past is not
//! news). A feed's URL imports what that feed holds. A site's URL imports every post: from
//! the WordPress REST API when the site offers it (`/wp-json/wp/v2/posts?per_page=100&page=N`,
//! as many pages as `X-WP-TotalPages` says), else from the feed's pages (`/feed/?paged=N`)
//! until they run out. Every post is remembered with a digest of its content, so a backfill
//! run again (after an interruption, or to catch up) reads only what is new or changed.

use std::collections::HashSet;
use std::time::Duration;

use anyhow::Context as _;
use chrono::Utc;

use super::fetch::{Fetched, Fetcher, Validators};
use super::follow::check_url;
use super::items::{self, Item};
use super::{take_items, ItemCounts, SkippedItem, MAX_BYTES};
use crate::import::Failure;
use crate::review::Limits;
use crate::store::{ImportCounts, Store};

/// Posts asked for per page of the REST API (WordPress allows at most 100).
pub const PER_PAGE: u32 = 100;
/// No site has more pages than this; a site that answers every `?paged=N` with the same
/// feed is caught sooner (a page with nothing new ends the walk).
const MAX_PAGES: u32 = 100_000;

/// Where a backfill read the posts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The URL was a feed: its items.
    Feed,
    /// The site's WordPress REST API.
    RestApi,
    /// The site's feed, page by page.
    FeedPages,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Feed => "the feed",
            Via::RestApi => "the WordPress REST API",
            Via::FeedPages => "the feed's pages",
        }
    }
}

/// What a backfill did.
#[derive(Debug, Clone)]
pub struct Backfilled {
    pub via: Via,
    /// Pages of posts read.
    pub pages: u32,
    /// The posts: imported, unchanged (stored before), skipped (not reviews).
    pub counts: ItemCounts,
    /// The reviews of the posts imported.
    pub reviews: ImportCounts,
    /// Broken parts of posts otherwise imported.
    pub failed: Vec<Failure>,
    pub skipped: Vec<SkippedItem>,
}

/// A page of posts read: its number, how many pages there are (when the site says), and
/// what the backfill has done so far.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub page: u32,
    pub of: Option<u32>,
    pub counts: ItemCounts,
}

/// Backfills the archive from `url` (a feed, or a WordPress site).
pub async fn backfill(
    store: &Store,
    url: &str,
    limits: &Limits,
    timeout: Duration,
    mut on_page: impl FnMut(Progress),
) -> anyhow::Result<Backfilled> {
    check_url(url)
        .map_err(|err| anyhow::anyhow!("{}", err.reason))
        .with_context(|| format!("cannot import {url}"))?;
    let fetcher = Fetcher::new(timeout, MAX_BYTES)?;
    store.add_feed(url, Utc::now()).await?;
    let mut run = Run {
        store,
        url,
        limits,
        done: Backfilled {
            via: Via::Feed,
            pages: 0,
            counts: ItemCounts::default(),
            reviews: ImportCounts::default(),
            failed: Vec::new(),
            skipped: Vec::new(),
        },
    };
    let first = get(&fetcher, url).await?;
    if let Ok(items) = items::parse_feed(&first.bytes) {
        run.take(items).await?;
        on_page(run.progress(Some(1)));
        return Ok(run.done);
    }
    let site = site_root(url);
    if run.api_pages(&fetcher, &site, &mut on_page).await? {
        return Ok(run.done);
    }
    run.feed_pages(&fetcher, &site, &mut on_page).await?;
    Ok(run.done)
}

/// `https://critic.example/blog/?x#y` → `https://critic.example/blog/`: the site the URL is
/// in, where WordPress serves `wp-json/` and `feed/`.
fn site_root(url: &str) -> String {
    let mut parsed = match url::Url::parse(url) {
        Ok(parsed) => parsed,
        Err(_) => return url.to_owned(),
    };
    parsed.set_query(None);
    parsed.set_fragment(None);
    let mut root = parsed.to_string();
    if !root.ends_with('/') {
        root.push('/');
    }
    root
}

async fn get(fetcher: &Fetcher, url: &str) -> anyhow::Result<super::fetch::Body> {
    match fetcher.get(url, &Validators::default()).await? {
        Fetched::Body(body) => Ok(body),
        // Nothing was sent that a 304 could answer.
        Fetched::NotModified => anyhow::bail!("{url} answered 304 to an unconditional GET"),
    }
}

/// A backfill under way.
struct Run<'a> {
    store: &'a Store,
    url: &'a str,
    limits: &'a Limits,
    done: Backfilled,
}

impl Run<'_> {
    async fn take(&mut self, items: Vec<Item>) -> anyhow::Result<()> {
        let taken = take_items(self.store, self.url, items, false, self.limits).await?;
        self.done.pages += 1;
        self.done.counts.add(taken.counts);
        self.done.reviews.add(taken.reviews);
        self.done.failed.extend(taken.failed);
        self.done.skipped.extend(taken.skipped);
        Ok(())
    }

    fn progress(&self, of: Option<u32>) -> Progress {
        Progress {
            page: self.done.pages,
            of,
            counts: self.done.counts,
        }
    }

    /// Every page of the REST API's posts; `false` when the site does not offer the API.
    async fn api_pages(
        &mut self,
        fetcher: &Fetcher,
        site: &str,
        on_page: &mut impl FnMut(Progress),
    ) -> anyhow::Result<bool> {
        let page_url = |n: u32| format!("{site}wp-json/wp/v2/posts?per_page={PER_PAGE}&page={n}");
        let first = match fetcher.get(&page_url(1), &Validators::default()).await {
            Ok(Fetched::Body(body)) => body,
            // No API (404), or one that refuses: the feed's pages will do.
            Ok(Fetched::NotModified) | Err(_) => return Ok(false),
        };
        let Ok(posts) = items::parse_wp_posts(&first.bytes) else {
            return Ok(false);
        };
        self.done.via = Via::RestApi;
        let total = first.total_pages.unwrap_or(1).clamp(1, MAX_PAGES);
        self.take(posts).await?;
        on_page(self.progress(Some(total)));
        for n in 2..=total {
            let url = page_url(n);
            let body = get(fetcher, &url).await?;
            let posts = items::parse_wp_posts(&body.bytes)
                .with_context(|| format!("page {n} of {total} of the posts ({url})"))?;
            self.take(posts).await?;
            on_page(self.progress(Some(total)));
        }
        Ok(true)
    }

    /// The feed's pages, `?paged=1, 2, …`, until one is missing (WordPress answers 404 past
    /// the last) or brings nothing not seen on an earlier one.
    async fn feed_pages(
        &mut self,
        fetcher: &Fetcher,
        site: &str,
        on_page: &mut impl FnMut(Progress),
    ) -> anyhow::Result<()> {
        self.done.via = Via::FeedPages;
        let mut seen: HashSet<String> = HashSet::new();
        for n in 1..=MAX_PAGES {
            let url = format!("{site}feed/?paged={n}");
            let body = match fetcher.get(&url, &Validators::default()).await {
                Ok(Fetched::Body(body)) => body,
                Err(err) if n > 1 && err.status().is_some_and(|s| s.as_u16() == 404) => break,
                Err(err) => {
                    return Err(anyhow::Error::new(err).context(format!(
                        "{site} offers neither the WordPress REST API nor a feed at feed/"
                    )))
                }
                Ok(Fetched::NotModified) => break,
            };
            let items = items::parse_feed(&body.bytes)
                .with_context(|| format!("page {n} of the feed ({url}) is not a feed"))?;
            let before = seen.len();
            seen.extend(items.iter().map(|i| i.key.clone()));
            if seen.len() == before {
                break;
            }
            self.take(items).await?;
            on_page(self.progress(None));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_site_of_a_url_is_where_wordpress_serves_its_api_and_feed() {
        assert_eq!(
            site_root("https://critic.example"),
            "https://critic.example/"
        );
        assert_eq!(
            site_root("https://critic.example/blog/?s=x#top"),
            "https://critic.example/blog/"
        );
        assert_eq!(site_root("http://127.0.0.1:9/"), "http://127.0.0.1:9/");
    }
}
