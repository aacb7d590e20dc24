//! The archive as the commands see it: the store plus the in-memory title index, and where
//! the reviews come from (the user's database, or the built-in sample).

use std::sync::{Arc, RwLock};

use crate::search::{SearchOutcome, TitleIndex};
use crate::store::{self, Location, RandomFilter, Store, StoredReview};

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
    index: RwLock<Arc<TitleIndex>>,
    origin: Origin,
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
        let exists = match store::location(url)? {
            Location::File(path) => path.is_file(),
            Location::Memory => true,
        };
        if exists {
            Archive::new(Store::open(url, false).await?, Origin::Database).await
        } else {
            let (store, report) = crate::sample::store().await?;
            let reviews = (report.counts.added + report.counts.updated) as usize;
            Archive::new(store, Origin::Sample { reviews }).await
        }
    }

    /// Wraps a store and builds its title index.
    pub async fn new(store: Store, origin: Origin) -> anyhow::Result<Archive> {
        let index = TitleIndex::new(store.index_entries().await?);
        Ok(Archive {
            store,
            index: RwLock::new(Arc::new(index)),
            origin,
        })
    }

    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The current title index (cheap: an `Arc`).
    pub fn index(&self) -> Arc<TitleIndex> {
        match self.index.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Rebuilds the title index from the store, after an import.
    pub async fn refresh_index(&self) -> anyhow::Result<()> {
        let fresh = Arc::new(TitleIndex::new(self.store.index_entries().await?));
        match self.index.write() {
            Ok(mut guard) => *guard = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
        Ok(())
    }

    /// Finds a film by a sloppy title (a trailing year in `query`, or `year`, picks a remake).
    pub async fn lookup(
        &self,
        query: &str,
        year: Option<i32>,
        candidates: usize,
    ) -> anyhow::Result<Lookup> {
        let outcome = self.index().search(query, year, candidates.max(1));
        let review = match &outcome.best {
            Some(best) => self.store.review(best.id).await?,
            None => None,
        };
        Ok(Lookup { outcome, review })
    }

    pub async fn random(&self, filter: RandomFilter) -> anyhow::Result<Option<StoredReview>> {
        match self.store.random_review_id(filter).await? {
            Some(id) => self.store.review(id).await,
            None => Ok(None),
        }
    }
}
