//! The archive as the commands see it: the store plus the in-memory title index, and where
//! the reviews come from (the user's database, or the built-in sample).

use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context;
use tokio::sync::watch;

use crate::search::people::PersonIndex;
use crate::search::{SearchOutcome, TitleIndex};
use crate::store::{self, RandomFilter, Store, StoredReview};

/// Where an archive's reviews come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Database,
    /// No database exists yet: the built-in sample, in memory, answers instead.
    Sample {
        reviews: usize,
    },
}

pub struct Archive {
    store: Store,
    /// The indexes are built on first use (`marquee person` needs no title index, `lookup`
    /// no people index) and swapped whole after an import.
    titles: Cached<TitleIndex>,
    people: Cached<PersonIndex>,
    origin: Origin,
}

/// The name the title index is saved under.
const TITLES: &str = "titles";

/// An index built from the store on first use, replaced whole when the archive changes.
struct Cached<T>(RwLock<Option<Arc<T>>>);

impl<T> Cached<T> {
    fn new() -> Cached<T> {
        Cached(RwLock::new(None))
    }

    fn get(&self) -> Option<Arc<T>> {
        read(&self.0).clone()
    }

    fn set(&self, value: Arc<T>) {
        *write(&self.0) = Some(value);
    }
}

/// The answer to a lookup: the ranked titles and, when there is a best match, its review.
#[derive(Debug, Clone)]
pub struct Lookup {
    pub outcome: SearchOutcome,
    pub review: Option<StoredReview>,
}

impl Archive {
    /// Opens the archive for reading: the database at `url` if it exists, else the sample.
    pub async fn open_for_reading(url: &str) -> anyhow::Result<Archive> {
        if store::exists(url)? {
            Archive::new(Store::open(url, false).await?, Origin::Database).await
        } else {
            let (store, report) = crate::sample::store().await?;
            let reviews = (report.counts.added + report.counts.updated) as usize;
            Archive::new(store, Origin::Sample { reviews }).await
        }
    }

    /// Wraps a store; its indexes are built when first needed.
    pub async fn new(store: Store, origin: Origin) -> anyhow::Result<Archive> {
        Ok(Archive {
            store,
            titles: Cached::new(),
            people: Cached::new(),
            origin,
        })
    }

    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The title index: the one in memory; else the one saved in the database, if it was
    /// built from the archive as it is now (a one-shot command then decodes it instead of
    /// building it); else built from the store, and saved for the next process.
    pub async fn index(&self) -> anyhow::Result<Arc<TitleIndex>> {
        if let Some(built) = self.titles.get() {
            return Ok(built);
        }
        let index = Arc::new(self.current_titles().await?);
        self.titles.set(index.clone());
        Ok(index)
    }

    /// The saved title index if it is current, else a new one.
    async fn current_titles(&self) -> anyhow::Result<TitleIndex> {
        match self.store.current_index(TITLES, TitleIndex::FORMAT).await {
            Ok(Some(bytes)) => {
                match tokio::task::spawn_blocking(move || TitleIndex::from_bytes(&bytes)).await {
                    Ok(Ok(index)) => {
                        tracing::debug!(titles = index.len(), "decoded the saved title index");
                        return Ok(index);
                    }
                    Ok(Err(err)) => {
                        tracing::warn!(error = %err, "the saved title index cannot be decoded; rebuilding it")
                    }
                    Err(err) => tracing::warn!(error = %err, "decoding the title index failed"),
                }
            }
            Ok(None) => {}
            Err(err) => tracing::warn!(error = format!("{err:#}"), "rebuilding the title index"),
        }
        self.build_titles().await
    }

    /// Builds the title index from the store, on a blocking thread, and saves it with the
    /// archive version it was built from. Saving is an optimisation: when it fails (a
    /// read-only database, a long import holding the write lock) the index is still used.
    async fn build_titles(&self) -> anyhow::Result<TitleIndex> {
        let (version, entries) = self.store.versioned_index_entries().await?;
        tracing::debug!(titles = entries.len(), "building the title index");
        let (index, bytes) = tokio::task::spawn_blocking(move || {
            let index = TitleIndex::new(entries);
            let bytes = index.to_bytes();
            (index, bytes)
        })
        .await
        .context("building the title index failed")?;
        let saved = match bytes {
            Ok(bytes) => {
                self.store
                    .save_index(TITLES, TitleIndex::FORMAT, version, &bytes)
                    .await
            }
            Err(err) => Err(err),
        };
        if let Err(err) = saved {
            tracing::debug!(error = format!("{err:#}"), "the title index was not saved");
        }
        Ok(index)
    }

    /// Keeps the built indexes from ever being freed, for a process about to exit: the
    /// operating system reclaims their memory at once, where dropping them frees every
    /// allocation in turn.
    pub fn leak_indexes(&self) {
        std::mem::forget(self.titles.get());
        std::mem::forget(self.people.get());
    }

    /// The people index, built from the store on first use.
    pub async fn people(&self) -> anyhow::Result<Arc<PersonIndex>> {
        if let Some(built) = self.people.get() {
            return Ok(built);
        }
        let built = Arc::new(PersonIndex::new(self.store.person_records().await?));
        self.people.set(built.clone());
        Ok(built)
    }

    /// Rebuilds the indexes that have been built, after an import. The store is read on
    /// the async threads, the indexes are decoded or built on a blocking thread (a second or
    /// so at 100k reviews), and each is swapped in whole: a search sees the old index or the
    /// new one.
    pub async fn refresh_index(&self) -> anyhow::Result<()> {
        if self.titles.get().is_some() {
            // The importing process may have saved the new index already.
            let fresh = self.current_titles().await?;
            self.titles.set(Arc::new(fresh));
        }
        if self.people.get().is_some() {
            let records = self.store.person_records().await?;
            let fresh = tokio::task::spawn_blocking(move || PersonIndex::new(records))
                .await
                .context("building the people index failed")?;
            self.people.set(Arc::new(fresh));
        }
        Ok(())
    }

    /// Runs until `shutdown` turns true: every `interval`, checks whether the archive changed
    /// (an import by another process) and if so rebuilds the indexes. Its own task, so
    /// neither a slow rebuild nor a stuck announcement holds up the other.
    ///
    /// An import saves the title index it leaves behind just after its last commit. When a
    /// change is seen before that save, the rebuild waits one tick for it: decoding the saved
    /// index is a fraction of the time and memory of building one beside the index in use
    /// (at 100k reviews the build was 60 MiB of `serve`'s peak). If the save still has not
    /// come by the next tick (a failed import, a read-only database), the index is built.
    pub async fn keep_fresh(
        self: Arc<Self>,
        interval: Duration,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let mut seen = None;
        let mut waited = false;
        loop {
            match self.store.fingerprint().await {
                Ok(now) if seen.is_none() => seen = Some(now),
                Ok(now) if seen.as_ref() != Some(&now) => {
                    if !waited && !self.saved_titles_are_current().await {
                        tracing::debug!("the archive changed: waiting a tick for its saved index");
                        waited = true;
                    } else {
                        waited = false;
                        match self.refresh_index().await {
                            Ok(()) => {
                                tracing::info!("the archive changed: indexes rebuilt");
                                seen = Some(now);
                            }
                            // `seen` stays, so the next tick tries again.
                            Err(err) => {
                                tracing::error!(error = ?err, "cannot refresh the indexes")
                            }
                        }
                    }
                }
                Ok(_) => {}
                Err(err) => tracing::error!(error = ?err, "cannot read the archive"),
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = shutdown.changed() => {}
            }
            if *shutdown.borrow() {
                return;
            }
        }
    }

    /// Whether a refresh would decode the saved title index rather than build one: true
    /// when no title index is in use (nothing to rebuild) or the saved one is current.
    async fn saved_titles_are_current(&self) -> bool {
        if self.titles.get().is_none() {
            return true;
        }
        self.store
            .has_current_index(TITLES, TitleIndex::FORMAT)
            .await
            .unwrap_or(true)
    }

    /// Finds a film by a sloppy title (a trailing year in `query`, or `year`, picks a remake).
    pub async fn lookup(
        &self,
        query: &str,
        year: Option<i32>,
        candidates: usize,
    ) -> anyhow::Result<Lookup> {
        let outcome = self.index().await?.search(query, year, candidates.max(1));
        let review = match &outcome.best {
            Some(best) => self.store.review(best.id).await?,
            None => None,
        };
        Ok(Lookup { outcome, review })
    }

    /// Many lookups at once, answered in order: the searches run on every core, and the
    /// reviews found are read in one statement, so a batch costs about its searches.
    pub async fn lookup_many(
        &self,
        queries: Vec<String>,
        year: Option<i32>,
        candidates: usize,
    ) -> anyhow::Result<Vec<Lookup>> {
        let index = self.index().await?;
        let outcomes = tokio::task::spawn_blocking(move || {
            use rayon::prelude::*;
            queries
                .par_iter()
                .map(|query| index.search(query, year, candidates.max(1)))
                .collect::<Vec<_>>()
        })
        .await
        .context("searching failed")?;
        let mut ids: Vec<i64> = outcomes
            .iter()
            .filter_map(|o| o.best.as_ref().map(|b| b.id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let found: std::collections::HashMap<i64, StoredReview> = self
            .store
            .reviews(&ids)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        Ok(outcomes
            .into_iter()
            .map(|outcome| {
                let review = outcome.best.as_ref().and_then(|best| {
                    // The same film found twice is cloned for the second query.
                    found.get(&best.id).cloned()
                });
                Lookup { outcome, review }
            })
            .collect())
    }

    pub async fn random(&self, filter: RandomFilter) -> anyhow::Result<Option<StoredReview>> {
        match self.store.random_review_id(filter).await? {
            Some(id) => self.store.review(id).await,
            None => Ok(None),
        }
    }

    /// A random review under `filter` that credits `person` (the `people` rows of one
    /// person's spellings).
    pub async fn random_of(
        &self,
        filter: RandomFilter,
        person: Vec<i64>,
    ) -> anyhow::Result<Option<StoredReview>> {
        let scope = store::Scope {
            decade: filter.decade,
            year: None,
            people: Some(person),
        };
        match self.store.random_in(&scope, filter.min_grade).await? {
            Some(id) => self.store.review(id).await,
            None => Ok(None),
        }
    }
}

/// After a change to the archive: builds and saves the title index now, so the next lookup
/// only decodes it. Saving is an optimisation, so a failure is only logged.
pub async fn save_title_index(store: &Store) -> anyhow::Result<()> {
    let archive = Archive::new(store.clone(), Origin::Database).await?;
    if let Err(err) = archive.index().await {
        tracing::warn!(
            error = format!("{err:#}"),
            "the title index was not rebuilt"
        );
    }
    Ok(())
}

/// A lock's value, whether or not a panicking writer poisoned it (the values are swapped
/// whole, so they are never half-written).
fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
