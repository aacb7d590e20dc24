//! The critic's site: his WordPress blog's feed, followed by `serve` ([`follow`]), and the whole
//! site backfilled by `marquee import URL` ([`backfill`]). Both take a site's posts as
//! [`items::Item`]s and hand each new or changed one to the importer as a page of HTML, known
//! by its item key (the post's guid), published at its link.
//!
//! An item is read again only when its content changes (a digest of its link and HTML is kept
//! with the feed's state), so a poll of a feed that did not change costs a 304 or a few
//! digests, and a backfill run again skips what it stored.

pub mod backfill;
pub mod fetch;
pub mod follow;
pub mod items;

use std::collections::HashMap;

use anyhow::Context as _;
use chrono::Utc;
use sha2::{Digest, Sha256};

use crate::import::{import_quietly, import_sources_with, Failure, Source};
use crate::review::Limits;
use crate::store::{FileOutcome, ImportCounts, ItemOutcome, Outcome, SeenItem, Store};
use items::Item;

/// The most bytes a feed, a page of it or a page of posts may be.
pub const MAX_BYTES: u64 = 10 * 1024 * 1024;

/// What became of a feed's items, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ItemCounts {
    /// Read and stored: they hold reviews.
    pub imported: u64,
    /// Seen before, with the same content: not read again.
    pub unchanged: u64,
    /// Not reviews (a list, a notice), or reviews that failed to parse: recorded, and not read
    /// again until they change.
    pub skipped: u64,
}

impl ItemCounts {
    pub fn add(&mut self, other: ItemCounts) {
        self.imported += other.imported;
        self.unchanged += other.unchanged;
        self.skipped += other.skipped;
    }
}

/// The digest of what an item holds: its link (where its reviews are published) and HTML.
pub fn digest(item: &Item) -> String {
    let mut hash = Sha256::new();
    hash.update(item.link.as_deref().unwrap_or("").as_bytes());
    hash.update([0]);
    hash.update(item.html.as_bytes());
    hex::encode(hash.finalize())
}

/// An item that was skipped, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedItem {
    pub key: String,
    pub link: Option<String>,
    pub reason: String,
}

/// What taking a batch of items did.
#[derive(Debug, Clone, Default)]
pub struct Taken {
    pub counts: ItemCounts,
    /// The reviews of the items imported, counted as `marquee import` counts them.
    pub reviews: ImportCounts,
    /// Parts of imported items that failed (a broken capsule among good ones), named by the
    /// item's link (or key) and line.
    pub failed: Vec<Failure>,
    /// The items skipped in this batch (each is skipped once: unchanged, it is not read again).
    pub skipped: Vec<SkippedItem>,
    /// Whether the archive changed (reviews added, updated or retired).
    pub changed: bool,
}

/// Takes the items of `feed` (a feed's URL, or the site a backfill read): those new or changed
/// since they were last seen are imported, announced if `announce`, and remembered with their
/// digest and outcome; the others are counted as unchanged.
pub async fn take_items(
    store: &Store,
    feed: &str,
    items: Vec<Item>,
    announce: bool,
    limits: &Limits,
) -> anyhow::Result<Taken> {
    let mut taken = Taken::default();
    let fresh = fresh_items(store, feed, items, &mut taken.counts).await?;
    if fresh.is_empty() {
        return Ok(taken);
    }
    let sources: Vec<Source> = fresh
        .iter()
        .map(|(item, _)| Source::Html {
            name: item.key.clone(),
            html: item.html.clone(),
            url: item.link.clone(),
        })
        .collect();
    let mut by_page: HashMap<String, Vec<FileOutcome>> = HashMap::new();
    let on_review = |o: &FileOutcome| {
        by_page.entry(o.path.clone()).or_default().push(o.clone());
    };
    let report = if announce {
        import_sources_with(store, sources, limits, on_review).await
    } else {
        import_quietly(store, sources, limits, on_review).await
    }
    .with_context(|| format!("cannot import the items of {feed}"))?;
    let c = report.counts;
    taken.changed = c.added + c.updated + c.retired > 0;
    let mut seen = Vec::with_capacity(fresh.len());
    for (item, digest) in fresh {
        let outcomes = by_page.remove(&item.key).unwrap_or_default();
        seen.push(tally_item(item, digest, &outcomes, &mut taken));
    }
    store.record_feed_items(feed, &seen, Utc::now()).await?;
    if taken.changed {
        crate::archive::save_title_index(store).await?;
    }
    Ok(taken)
}

/// The items not seen before, or changed since (with their digests); the rest counted as
/// unchanged. A feed that lists one item twice has it read once.
async fn fresh_items(
    store: &Store,
    feed: &str,
    items: Vec<Item>,
    counts: &mut ItemCounts,
) -> anyhow::Result<Vec<(Item, String)>> {
    let known = store.feed_items(feed).await?;
    let mut in_batch = std::collections::HashSet::new();
    let mut fresh = Vec::new();
    for item in items {
        if !in_batch.insert(item.key.clone()) {
            continue;
        }
        let digest = digest(&item);
        match known.get(&item.key) {
            Some((seen, _)) if *seen == digest => counts.unchanged += 1,
            _ => fresh.push((item, digest)),
        }
    }
    Ok(fresh)
}

/// What an item read came to, from its reviews' outcomes: imported when any of its reviews was
/// stored (its broken parts counted as failures), else skipped with the first error as the
/// reason (a post that is not a review; its parts are its reason, not failures).
fn tally_item(item: Item, digest: String, outcomes: &[FileOutcome], taken: &mut Taken) -> SeenItem {
    let stored = outcomes.iter().any(|o| {
        matches!(
            o.outcome,
            Outcome::Added | Outcome::Updated | Outcome::Unchanged
        )
    });
    let (outcome, reason) = if stored {
        taken.counts.imported += 1;
        for o in outcomes {
            taken.reviews.count(o.outcome);
            if o.outcome == Outcome::Failed {
                taken.failed.push(Failure {
                    path: item.link.clone().unwrap_or_else(|| item.key.clone()),
                    line: o.line,
                    error: o.error.clone().unwrap_or_default(),
                });
            }
        }
        (ItemOutcome::Imported, None)
    } else {
        taken.counts.skipped += 1;
        let reason = outcomes
            .iter()
            .find_map(|o| {
                o.error.as_ref().map(|e| match o.line {
                    Some(line) => format!("line {line}: {e}"),
                    None => e.clone(),
                })
            })
            .unwrap_or_else(|| "it holds no review".to_owned());
        taken.skipped.push(SkippedItem {
            key: item.key.clone(),
            link: item.link.clone(),
            reason: reason.clone(),
        });
        (ItemOutcome::Skipped, Some(reason))
    };
    SeenItem {
        key: item.key,
        link: item.link,
        title: item.title,
        digest,
        outcome,
        reason,
    }
}
