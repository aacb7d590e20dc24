//! Imports: files are stored a transaction at a time, and a file is reported only once its
//! transaction has committed; a crash loses at most the transaction in flight, which was
//! never reported.

use std::collections::HashMap;

use anyhow::Context;
use serde::Serialize;
use sqlx::{Connection, QueryBuilder, Sqlite, Transaction};

use super::plan::{
    identity, in_page_order, plan_round, split_round, Existing, Identity, Page, Parsed, Step,
};
use super::{on_db, Db, Store};
use crate::review::{Review, Role};

/// What happened to one review of a page (a file's one review, or a capsule of a letter page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Added,
    Updated,
    Unchanged,
    Failed,
    /// Its page, imported again, no longer holds it: it was retired.
    Retired,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Added => "added",
            Outcome::Updated => "updated",
            Outcome::Unchanged => "unchanged",
            Outcome::Failed => "failed",
            Outcome::Retired => "retired",
        }
    }
}

/// One review's result, as the import log records it.
#[derive(Debug, Clone, PartialEq)]
pub struct FileOutcome {
    /// The page (file) it came from, as recorded.
    pub path: String,
    pub outcome: Outcome,
    pub review_id: Option<i64>,
    /// For a failure, the line the error names; else the line the review starts on.
    pub line: Option<usize>,
    pub error: Option<String>,
    /// When the review failed because its corrected title and year are the film of the
    /// review imported from another page: that page (as recorded).
    pub conflict_with: Option<String>,
    /// The film, `Title (Year)`, when the review was read (or retired).
    pub film: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub failed: u64,
    pub retired: u64,
}

impl ImportCounts {
    /// Counts one review's outcome.
    pub fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Added => self.added += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Retired => self.retired += 1,
        }
    }

    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: ImportCounts) {
        self.added += other.added;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.failed += other.failed;
        self.retired += other.retired;
    }
}

/// One import run: a row in `imports`, then batches of files.
pub struct Importer {
    store: Store,
    import_id: i64,
    people: HashMap<String, i64>,
    counts: ImportCounts,
    /// Whether new reviews and regrades queue announcements (not for a feed's first poll or
    /// a site's backfill: the archive's past is not news).
    announce: bool,
}

impl Importer {
    pub async fn start(store: &Store) -> anyhow::Result<Importer> {
        let import_id: i64 = on_db!(store, |pool| sqlx::query_scalar(
            "INSERT INTO imports (started_at) VALUES ($1) RETURNING id"
        )
        .bind(super::subscriptions::now_timestamp())
        .fetch_one(pool)
        .await
        .context("cannot start the import log"))?;
        Ok(Importer {
            store: store.clone(),
            import_id,
            people: HashMap::new(),
            counts: ImportCounts::default(),
            announce: true,
        })
    }

    /// An import that announces nothing: what it adds or regrades goes into the archive
    /// quietly.
    pub fn quietly(mut self) -> Importer {
        self.announce = false;
        self
    }

    pub fn import_id(&self) -> i64 {
        self.import_id
    }

    pub fn counts(&self) -> ImportCounts {
        self.counts
    }

    /// Stores `first` and then further batches from `more`, as they are parsed, in one
    /// transaction, until it holds `files` files or `more` runs dry; with the import log's
    /// rows and counts. Returns each file's outcome once the transaction has committed.
    ///
    /// Few large transactions make a bulk import fast: every commit rewrites the index pages
    /// its rows touched (by person, by grade, the full-text index), and a page touched by
    /// 4,000 files is written once instead of eight times. Within it, the existing films are
    /// read at once, then the reviews, people, credits, alternative titles, announcements and
    /// log rows are written by multi-row statements of a hundred rows, prepared once per
    /// connection. A film filed twice in one transaction is stored in order: the second file
    /// starts a new round, so it updates what the first added.
    pub(crate) async fn store_chunks(
        &mut self,
        first: Vec<Page>,
        more: &mut tokio::sync::mpsc::Receiver<Vec<Page>>,
        files: usize,
    ) -> anyhow::Result<Vec<FileOutcome>> {
        let mut fresh = Vec::new();
        let announce = self.announce;
        let stored = match &self.store.db {
            Db::Sqlite(pool) => {
                let mut conn = pool.acquire().await?;
                // A page cache large enough for a transaction's dirty pages, so that SQLite
                // does not spill them to the log mid-transaction; the connection gets its
                // own back afterwards.
                let cache: i64 = sqlx::query_scalar("PRAGMA cache_size")
                    .fetch_one(&mut *conn)
                    .await?;
                sqlx::query(IMPORT_CACHE).execute(&mut *conn).await?;
                // No foreign-key checks inside the import's own transaction (a lookup of the
                // film and of the person for each of ~12 credits a review, 1.2 million at
                // 100k files): every id it writes is one it has just been given by the same
                // transaction, which holds the write lock, and a review it retires is deleted
                // with its dependents by its own statements (see `store_round`). The pragma
                // cannot change inside a transaction, so it is set around it and put back for
                // the pool.
                sqlx::query("PRAGMA foreign_keys = OFF")
                    .execute(&mut *conn)
                    .await?;
                // IMMEDIATE: take the write lock up front, so a concurrent writer waits (busy
                // timeout) instead of failing when a read transaction tries to become a write.
                let stored = match conn.begin_with("BEGIN IMMEDIATE").await {
                    Ok(tx) => {
                        on_sqlite::write_rounds(
                            tx,
                            Batch {
                                import_id: self.import_id,
                                people: &mut self.people,
                                fresh: &mut fresh,
                                announce,
                            },
                            first,
                            more,
                            files,
                        )
                        .await
                    }
                    Err(err) => Err(err.into()),
                };
                let reset = match sqlx::query("PRAGMA foreign_keys = ON")
                    .execute(&mut *conn)
                    .await
                {
                    Ok(_) => sqlx::query(&format!("PRAGMA cache_size = {cache}"))
                        .execute(&mut *conn)
                        .await
                        .map(drop),
                    Err(err) => Err(err),
                };
                stored.and_then(|outcomes| reset.map(|()| outcomes).map_err(Into::into))
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                // One import writes at a time, as SQLite's single writer has it: two
                // importers of the same film would otherwise race to add it.
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(IMPORT_LOCK)
                    .execute(&mut *tx)
                    .await?;
                on_postgres::write_rounds(
                    tx,
                    Batch {
                        import_id: self.import_id,
                        people: &mut self.people,
                        fresh: &mut fresh,
                        announce,
                    },
                    first,
                    more,
                    files,
                )
                .await
            }
        };
        match stored {
            Ok(outcomes) => {
                for o in &outcomes {
                    self.counts.count(o.outcome);
                }
                Ok(outcomes)
            }
            Err(err) => {
                // The people added by a batch that did not commit do not exist.
                for name in fresh {
                    self.people.remove(&name);
                }
                Err(err)
            }
        }
    }

    /// Marks the import finished and returns its totals.
    pub async fn finish(self) -> anyhow::Result<ImportCounts> {
        on_db!(self.store, |pool| sqlx::query(
            "UPDATE imports SET finished_at = $1 WHERE id = $2"
        )
        .bind(super::subscriptions::now_timestamp())
        .bind(self.import_id)
        .execute(pool)
        .await
        .map(drop))?;
        Ok(self.counts)
    }
}

impl Store {
    /// Retires the reviews imported from `path` (as the import recorded it): their credits,
    /// other titles and unsent announcements go with them (foreign keys cascade), the
    /// full-text index forgets them and the archive version moves on (triggers). Returns
    /// each one's title and year.
    pub async fn remove_imported_from(
        &self,
        path: &str,
    ) -> anyhow::Result<Vec<(String, Option<i32>)>> {
        on_db!(self, |pool| sqlx::query_as(
            "DELETE FROM reviews WHERE source_path = $1 RETURNING title, year"
        )
        .bind(path)
        .fetch_all(pool)
        .await
        .with_context(|| format!(
            "cannot remove the review imported from {path}"
        )))
    }
}

impl Store {
    /// Retires the reviews imported from `path` or from any file under it (`path` is a
    /// folder that went away), as [`Store::remove_imported_from`] does. Returns each one's
    /// path, title and year.
    pub async fn remove_imported_under(
        &self,
        path: &str,
    ) -> anyhow::Result<Vec<(String, String, Option<i32>)>> {
        // Under `path/`: from `path/` up to, not including, `path0` (the byte after the
        // separator), a range the `reviews_source` index answers.
        let sep = std::path::MAIN_SEPARATOR;
        let (from, to) = (format!("{path}{sep}"), format!("{path}{}", char_after(sep)));
        on_db!(self, |pool| sqlx::query_as(
            "DELETE FROM reviews
             WHERE source_path = $1 OR (source_path >= $2 AND source_path < $3)
             RETURNING source_path, title, year",
        )
        .bind(path)
        .bind(&from)
        .bind(&to)
        .fetch_all(pool)
        .await
        .with_context(|| format!(
            "cannot remove the reviews imported from {path}"
        )))
    }
}

/// The character after `c` (`/` → `0`), or `c` itself at the end of the range.
fn char_after(c: char) -> char {
    char::from_u32(u32::from(c) + 1).unwrap_or(c)
}

/// Rows one multi-row statement writes (or keys one `IN` list asks for). Every full chunk
/// has the same SQL, so SQLite prepares it once per connection and sqlx keeps it cached; the
/// one shorter chunk of a batch is prepared, run and dropped, so the cache never fills with
/// statements of every length (which held hundreds of megabytes at 100k files).
///
/// 500 rather than 100: a fifth of the statements, so a fifth of the hand-offs to sqlx's
/// SQLite thread, and of the times the full-text index flushes its pending terms (at every
/// statement's end). The widest statement, a review's 18 columns, binds 9,000 values
/// (SQLite allows 32,766).
const ROWS: usize = 500;

/// The PostgreSQL advisory lock an import holds for its transaction ("mqimport").
const IMPORT_LOCK: i64 = 0x6d71_696d_706f_7274;

/// The page cache of an import's connection: 64 MiB, whatever the archive's size.
const IMPORT_CACHE: &str = "PRAGMA cache_size = -65536";

/// Whether a chunk of `rows` rows may keep its prepared statement.
fn cached(rows: usize) -> bool {
    rows == ROWS
}

type ExistingRow = (
    i64,
    String,
    String,
    Option<i32>,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

const EXISTING_COLUMNS: &str =
    "SELECT id, title, title_key, year, raw_text, body, grade, source_path, url
     FROM reviews WHERE ";

fn existing(
    (id, title, key, year, raw_text, body, grade, source_path, url): ExistingRow,
) -> Existing {
    Existing {
        id,
        title,
        key,
        year,
        raw_text,
        body,
        grade,
        source_path,
        url,
    }
}

/// A film imported again with another grade.
struct Regrade {
    review_id: i64,
    from: String,
    to: &'static str,
    rank: u8,
}

/// The statements of an import that run inside its transaction, for one engine: the same
/// code for both, compiled per engine; `$dialect` holds where their SQL differs.
macro_rules! rounds {
    ($db:ty, $dialect:expr) => {

/// Stores `first` and then further batches from `more` in `tx`, round by round, until it
/// holds `files` reviews or `more` runs dry, with the import log's rows and counts; then
/// commits.
pub(super) async fn write_rounds(
    mut tx: Transaction<'_, $db>,
    mut batch: Batch<'_>,
    first: Vec<Page>,
    more: &mut tokio::sync::mpsc::Receiver<Vec<Page>>,
    files: usize,
) -> anyhow::Result<Vec<FileOutcome>> {
    let mut outcomes = Vec::with_capacity(first.len());
    let mut next = Some(first);
    while let Some(mut rest) = next.take() {
        while !rest.is_empty() {
            let round = split_round(&mut rest);
            outcomes.extend(store_round(&mut tx, round, &mut batch).await?);
        }
        if outcomes.len() < files {
            next = more.recv().await;
        }
    }
    let mut counts = ImportCounts::default();
    for o in &outcomes {
        counts.count(o.outcome);
    }
    log_files(&mut tx, batch.import_id, &outcomes).await?;
    sqlx::query(
        "UPDATE imports SET added = added + $1, updated = updated + $2,
                unchanged = unchanged + $3, failed = failed + $4
         WHERE id = $5",
    )
    .bind(counts.added as i64)
    .bind(counts.updated as i64)
    .bind(counts.unchanged as i64)
    .bind(counts.failed as i64)
    .bind(batch.import_id)
    .execute(&mut *tx)
    .await?;
    tx.commit()
        .await
        .context("cannot commit the import batch")?;
    Ok(outcomes)
}

/// Stores one round: pages of distinct paths and distinct films.
async fn store_round(
    tx: &mut Transaction<'_, $db>,
    round: Vec<Page>,
    batch: &mut Batch<'_>,
) -> anyhow::Result<Vec<FileOutcome>> {
    let by_identity = existing_films(tx, &round).await?;
    let by_path = imported_from(tx, &round).await?;
    let plan = plan_round(&round, &by_identity, &by_path);
    let mut outcomes = Vec::new();
    // What the pages no longer hold goes first, freeing its films for the renames.
    retire(tx, &plan.retired).await?;
    // The renames, in the planned order, so that each identity is free when it is taken,
    // by a rename or by an upsert.
    let mut renamed = HashMap::new();
    for (p, r) in plan.renames.iter().copied() {
        let parsed = round.get(p).and_then(|page| page.reviews.get(r));
        let step = plan.steps.get(p).and_then(|page| page.get(r));
        if let (Some(parsed), Some(Step::Rename { from })) = (parsed, step) {
            if let Ok((review, key)) = &parsed.review {
                rename_review(tx, from.id, review, key, &parsed.path).await?;
                renamed.insert((p, r), from.id);
            }
        }
    }
    // Every review of the round, where it is, and its step.
    let mut all: Vec<((usize, usize), &Parsed, &Step)> = Vec::new();
    for (p, (page, steps)) in round.iter().zip(&plan.steps).enumerate() {
        for (r, (parsed, step)) in page.reviews.iter().zip(steps).enumerate() {
            all.push(((p, r), parsed, step));
        }
    }
    for &(_, parsed, step) in &all {
        if let Step::Unchanged(film) = step {
            if film.source_path.as_deref() != Some(parsed.path.as_str()) {
                sqlx::query("UPDATE reviews SET source_path = $1 WHERE id = $2")
                    .bind(&parsed.path)
                    .bind(film.id)
                    .execute(&mut **tx)
                    .await?;
            }
        }
    }
    // The reviews to write by identity: the added and the updated.
    let mut writes: Vec<(&Review, &str, &str)> = Vec::new();
    for &(_, parsed, step) in &all {
        if let (Step::Upsert { .. }, Ok((review, key))) = (step, &parsed.review) {
            writes.push((review, key, &parsed.path));
        }
    }
    let ids = upsert_reviews(tx, &writes).await?;

    let mut added = Vec::new();
    let mut updated = Vec::new();
    let mut regraded = Vec::new();
    let mut stored: Vec<(i64, &Review)> = Vec::new();
    for &(at, parsed, step) in &all {
        let outcome = match step {
            Step::Failed | Step::Conflict { .. } => Outcome::Failed,
            Step::Unchanged(_) => Outcome::Unchanged,
            Step::Upsert { before: None } => Outcome::Added,
            Step::Upsert { before: Some(_) } | Step::Rename { .. } => Outcome::Updated,
        };
        let (review, key) = match (&parsed.review, step) {
            (Err(err), _) => {
                outcomes.push(FileOutcome {
                    path: parsed.path.clone(),
                    outcome,
                    review_id: None,
                    line: err.line,
                    error: Some(err.message.clone()),
                    conflict_with: None,
                    film: None,
                });
                continue;
            }
            (Ok((review, _)), Step::Conflict { message, other }) => {
                outcomes.push(FileOutcome {
                    path: parsed.path.clone(),
                    outcome,
                    review_id: None,
                    line: Some(parsed.line),
                    error: Some(message.clone()),
                    conflict_with: Some(other.clone()),
                    film: Some(crate::present::title_with_year(&review.title, review.year())),
                });
                continue;
            }
            (Ok((review, key)), _) => (review, key),
        };
        let id = match step {
            Step::Unchanged(film) => Some(film.id),
            Step::Rename { .. } => renamed.get(&at).copied(),
            _ => ids.get(&identity(key, review.year())).copied(),
        }
        .with_context(|| format!("the store returned no id for {}", review.title))?;
        let before = match step {
            Step::Upsert { before } => *before,
            Step::Rename { from } => Some(*from),
            _ => None,
        };
        match outcome {
            Outcome::Added => added.push((id, review.grade.rank())),
            Outcome::Updated => {
                updated.push(id);
                if let Some(before) = before.filter(|b| b.grade != review.grade.as_str()) {
                    regraded.push(Regrade {
                        review_id: id,
                        from: before.grade.clone(),
                        to: review.grade.as_str(),
                        rank: review.grade.rank(),
                    });
                }
            }
            Outcome::Unchanged | Outcome::Failed | Outcome::Retired => {}
        }
        if matches!(outcome, Outcome::Added | Outcome::Updated) {
            stored.push((id, review));
        }
        outcomes.push(FileOutcome {
            path: parsed.path.clone(),
            outcome,
            review_id: Some(id),
            line: Some(parsed.line),
            error: None,
            conflict_with: None,
            film: Some(crate::present::title_with_year(&review.title, review.year())),
        });
    }

    if batch.announce {
        queue_announcements(tx, &added).await?;
        queue_regrades(tx, &regraded).await?;
    }
    // An updated review's credits and other titles are written afresh.
    for table in ["credits", "alt_titles"] {
        for ids in updated.chunks(ROWS) {
            let mut q =
                QueryBuilder::<$db>::new(format!("DELETE FROM {table} WHERE review_id IN ("));
            let mut list = q.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            q.push(")");
            q.build()
                .persistent(cached(ids.len()))
                .execute(&mut **tx)
                .await?;
        }
    }

    let mut credits: Vec<(i64, &'static str, i64, &str, Option<&str>)> = Vec::new();
    let mut alts: Vec<(i64, &str)> = Vec::new();
    for (id, review) in stored {
        let c = &review.credits;
        for role in Role::ALL {
            let entries: Vec<(&str, Option<&str>)> = match role {
                Role::Cast => c
                    .cast
                    .iter()
                    .map(|m| (m.actor.as_str(), m.role.as_deref()))
                    .collect(),
                _ => c.names(role).into_iter().map(|n| (n, None)).collect(),
            };
            for (position, (name, character)) in entries.into_iter().enumerate() {
                credits.push((id, role.as_str(), position as i64, name, character));
            }
        }
        alts.extend(review.alt_titles.iter().map(|alt| (id, alt.as_str())));
    }
    let names: Vec<&str> = credits.iter().map(|c| c.3).collect();
    resolve_people(tx, &names, batch.people, batch.fresh).await?;
    let people = &*batch.people;
    for rows in credits.chunks(ROWS) {
        let mut q = QueryBuilder::<$db>::new(
            "INSERT INTO credits (review_id, role, position, person_id, character) ",
        );
        let mut missing = None;
        q.push_values(rows, |mut row, (id, role, position, name, character)| {
            let person = people.get(*name).copied();
            if person.is_none() {
                missing = Some(*name);
            }
            row.push_bind(*id)
                .push_bind(*role)
                .push_bind(*position)
                .push_bind(person.unwrap_or_default())
                .push_bind(*character);
        });
        if let Some(name) = missing {
            anyhow::bail!("the store returned no id for the person {name}");
        }
        q.build()
            .persistent(cached(rows.len()))
            .execute(&mut **tx)
            .await?;
    }
    for rows in alts.chunks(ROWS) {
        let mut q =
            QueryBuilder::<$db>::new("INSERT INTO alt_titles (review_id, title) ");
        q.push_values(rows, |mut row, (id, title)| {
            row.push_bind(*id).push_bind(*title);
        });
        q.push(" ON CONFLICT DO NOTHING");
        q.build()
            .persistent(cached(rows.len()))
            .execute(&mut **tx)
            .await?;
    }
    Ok(in_page_order(outcomes, &plan.retired))
}

/// Deletes the reviews their pages no longer hold, with their credits, other titles, unsent
/// announcements and log links, as `remove` does by the foreign keys' cascades: spelled out
/// here, since SQLite's import runs without them.
async fn retire(tx: &mut Transaction<'_, $db>, retired: &[&Existing]) -> anyhow::Result<()> {
    let ids: Vec<i64> = retired.iter().map(|old| old.id).collect();
    for ids in ids.chunks(ROWS) {
        for statement in [
            "DELETE FROM credits WHERE review_id IN (",
            "DELETE FROM alt_titles WHERE review_id IN (",
            "DELETE FROM deliveries WHERE review_id IN (",
            "UPDATE import_files SET review_id = NULL WHERE review_id IN (",
            "DELETE FROM reviews WHERE id IN (",
        ] {
            let mut q = QueryBuilder::<$db>::new(statement);
            let mut list = q.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            q.push(")");
            q.build().execute(&mut **tx).await?;
        }
    }
    Ok(())

}

/// The reviews whose `column` is one of `values`, [`ROWS`] values to a statement.
async fn existing_where(
    tx: &mut Transaction<'_, $db>,
    column: &str,
    mut values: Vec<&str>,
) -> anyhow::Result<Vec<Existing>> {
    values.sort_unstable();
    values.dedup();
    let mut found = Vec::new();
    for values in values.chunks(ROWS) {
        let mut q = QueryBuilder::<$db>::new(EXISTING_COLUMNS);
        q.push(column).push(" IN (");
        let mut list = q.separated(", ");
        for value in values {
            list.push_bind(*value);
        }
        q.push(")");
        let rows: Vec<ExistingRow> = q
            .build_query_as()
            .persistent(cached(values.len()))
            .fetch_all(&mut **tx)
            .await?;
        found.extend(rows.into_iter().map(existing));
    }
    Ok(found)
}

/// The films of `round` already in the archive, by identity.
async fn existing_films(
    tx: &mut Transaction<'_, $db>,
    round: &[Page],
) -> anyhow::Result<HashMap<Identity, Existing>> {
    let keys = round.iter().flat_map(Page::films).map(|(_, key)| key).collect();
    // Another year of a film in the round is just not asked for.
    Ok(existing_where(tx, "title_key", keys)
        .await?
        .into_iter()
        .map(|e| ((e.key.clone(), e.year), e))
        .collect())
}

/// The reviews each page of `round` gave before, by path (pages that hold no review now are
/// not asked about: they change nothing).
async fn imported_from(
    tx: &mut Transaction<'_, $db>,
    round: &[Page],
) -> anyhow::Result<HashMap<String, Vec<Existing>>> {
    let paths = round
        .iter()
        .filter(|page| page.films().next().is_some())
        .map(|page| page.path.as_str())
        .collect();
    let mut found: HashMap<String, Vec<Existing>> = HashMap::new();
    for e in existing_where(tx, "source_path", paths).await? {
        if let Some(path) = e.source_path.clone() {
            found.entry(path).or_default().push(e);
        }
    }
    // In id order, so that the plan is the same whatever order the rows came in.
    for olds in found.values_mut() {
        olds.sort_by_key(|e| e.id);
    }
    Ok(found)
}

/// Gives the review `id` a file's new text, identity included (a corrected title or year).
async fn rename_review(
    tx: &mut Transaction<'_, $db>,
    id: i64,
    review: &Review,
    key: &str,
    path: &str,
) -> anyhow::Result<()> {
    let c = &review.credits;
    sqlx::query(
        "UPDATE reviews SET title = $1, title_key = $2, year = $3, release_note = $4, layout = $5,
                runtime_minutes = $6, mpaa_rating = $7, studio = $8, pull_quote = $9, body = $10,
                tagline = $11, critic = $12, reviewed_on = $13, grade = $14, grade_rank = $15,
                source_path = $16, raw_text = $17, other_titles = $18,
                updated_at = $19, url = $20
         WHERE id = $21",
    )
    .bind(review.title.as_str())
    .bind(key)
    .bind(review.year())
    .bind(c.release_note.as_deref())
    .bind(review.layout.as_str())
    .bind(c.runtime_minutes.and_then(|m| i32::try_from(m).ok()))
    .bind(c.mpaa_rating.as_deref())
    .bind(c.studio.as_deref())
    .bind(review.pull_quote.as_deref())
    .bind(review.body.as_str())
    .bind(review.tagline.as_deref())
    .bind(review.critic.as_deref())
    .bind(review.reviewed_on.map(|d| d.to_string()))
    .bind(review.grade.as_str())
    .bind(i64::from(review.grade.rank()))
    .bind(path)
    .bind(review.raw_text.as_str())
    .bind(other_titles(review))
    .bind(super::super::subscriptions::now_timestamp())
    .bind(review.url.as_deref())
    .bind(id)
    .execute(&mut **tx)
    .await
    .with_context(|| format!("cannot give the review of {path} its corrected title"))?;
    Ok(())
}

/// Adds or updates the reviews, [`ROWS`] to a statement; returns their ids.
async fn upsert_reviews(
    tx: &mut Transaction<'_, $db>,
    writes: &[(&Review, &str, &str)],
) -> anyhow::Result<HashMap<Identity, i64>> {
    let mut ids = HashMap::with_capacity(writes.len());
    let now = super::super::subscriptions::now_timestamp();
    for rows in writes.chunks(ROWS) {
        let mut q = QueryBuilder::<$db>::new(
            "INSERT INTO reviews (title, title_key, year, release_note, layout, runtime_minutes,
                mpaa_rating, studio, pull_quote, body, tagline, critic, reviewed_on, grade,
                grade_rank, source_path, raw_text, other_titles, updated_at, url) ",
        );
        q.push_values(rows, |mut row, (review, key, path)| {
            let c = &review.credits;
            row.push_bind(review.title.as_str())
                .push_bind(*key)
                .push_bind(review.year())
                .push_bind(c.release_note.as_deref())
                .push_bind(review.layout.as_str())
                .push_bind(c.runtime_minutes.and_then(|m| i32::try_from(m).ok()))
                .push_bind(c.mpaa_rating.as_deref())
                .push_bind(c.studio.as_deref())
                .push_bind(review.pull_quote.as_deref())
                .push_bind(review.body.as_str())
                .push_bind(review.tagline.as_deref())
                .push_bind(review.critic.as_deref())
                .push_bind(review.reviewed_on.map(|d| d.to_string()))
                .push_bind(review.grade.as_str())
                .push_bind(i64::from(review.grade.rank()))
                .push_bind(*path)
                .push_bind(review.raw_text.as_str())
                .push_bind(other_titles(review))
                .push_bind(now.clone())
                .push_bind(review.url.as_deref());
        });
        q.push(
            $dialect.identity_conflict,
        );
        q.push(
            " DO UPDATE SET
                title = excluded.title, release_note = excluded.release_note,
                layout = excluded.layout, runtime_minutes = excluded.runtime_minutes,
                mpaa_rating = excluded.mpaa_rating, studio = excluded.studio,
                pull_quote = excluded.pull_quote, body = excluded.body,
                tagline = excluded.tagline, critic = excluded.critic,
                reviewed_on = excluded.reviewed_on, grade = excluded.grade,
                grade_rank = excluded.grade_rank, source_path = excluded.source_path,
                raw_text = excluded.raw_text, other_titles = excluded.other_titles,
                updated_at = excluded.updated_at, url = excluded.url
             RETURNING id, title_key, year",
        );
        // RETURNING gives the rows in no promised order: match them up by identity.
        let returned: Vec<(i64, String, Option<i32>)> = q
            .build_query_as()
            .persistent(cached(rows.len()))
            .fetch_all(&mut **tx)
            .await?;
        ids.extend(
            returned
                .into_iter()
                .map(|(id, key, year)| ((key, year), id)),
        );
    }
    Ok(ids)
}

/// The outbox: an announcement for every subscribed channel whose floor the grade meets,
/// committed with the reviews themselves, in the order the reviews were added.
async fn queue_announcements(
    tx: &mut Transaction<'_, $db>,
    added: &[(i64, u8)],
) -> anyhow::Result<()> {
    for rows in added.chunks(ROWS) {
        let mut q = QueryBuilder::<$db>::new("WITH added (review_id, grade_rank) AS (");
        q.push_values(rows, |mut row, (id, rank)| {
            row.push_bind(*id).push_bind(i64::from(*rank));
        });
        q.push(
            ") INSERT INTO deliveries (review_id, subscription_id, channel_id, nonce)
             SELECT a.review_id, s.id, s.channel_id, ",
        );
        q.push($dialect.new_nonce);
        q.push(
            "

             FROM added a JOIN subscriptions s
               ON s.disabled_at IS NULL AND a.grade_rank <= s.min_grade_rank
             ORDER BY a.review_id, s.id",
        );
        q.build()
            .persistent(cached(rows.len()))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The outbox: a regrade for every channel subscribed with `regrades` whose floor the new
/// grade meets. The nonce carries the archive version the regrade made, so each regrade of a
/// film is a message of its own.
async fn queue_regrades(
    tx: &mut Transaction<'_, $db>,
    regraded: &[Regrade],
) -> anyhow::Result<()> {
    for rows in regraded.chunks(ROWS) {
        let mut q = QueryBuilder::<$db>::new(
            "WITH regraded (review_id, regraded_from, regraded_to, grade_rank) AS (",
        );
        q.push_values(rows, |mut row, r| {
            row.push_bind(r.review_id)
                .push_bind(r.from.as_str())
                .push_bind(r.to)
                .push_bind(i64::from(r.rank));
        });
        q.push(
            ") INSERT INTO deliveries (review_id, subscription_id, channel_id, nonce,
                                       regraded_from, regraded_to)
             SELECT g.review_id, s.id, s.channel_id,
                    ",
        );
        q.push($dialect.regrade_nonce);
        q.push(
            ", g.regraded_from, g.regraded_to
             FROM regraded g JOIN subscriptions s
               ON s.disabled_at IS NULL AND s.regrades AND g.grade_rank <= s.min_grade_rank
             ORDER BY g.review_id, s.id",
        );
        q.build()
            .persistent(cached(rows.len()))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Gives every name in `names` an id in `people`, adding the people the archive lacks;
/// the names new to `people` are added to `fresh`.
async fn resolve_people(
    tx: &mut Transaction<'_, $db>,
    names: &[&str],
    people: &mut HashMap<String, i64>,
    fresh: &mut Vec<String>,
) -> anyhow::Result<()> {
    let mut unknown: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| !people.contains_key(*name))
        .collect();
    unknown.sort_unstable();
    unknown.dedup();
    for chunk in unknown.chunks(ROWS) {
        let mut q = QueryBuilder::<$db>::new("INSERT INTO people (name) ");
        q.push_values(chunk, |mut row, name| {
            row.push_bind(*name);
        });
        // The no-op update makes RETURNING give the people already there too.
        q.push(" ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id, name");
        let rows: Vec<(i64, String)> = q
            .build_query_as()
            .persistent(cached(chunk.len()))
            .fetch_all(&mut **tx)
            .await?;
        for (id, name) in rows {
            fresh.push(name.clone());
            people.insert(name, id);
        }
    }
    Ok(())
}

/// The import log's rows for a batch, in file order.
async fn log_files(
    tx: &mut Transaction<'_, $db>,
    import_id: i64,
    outcomes: &[FileOutcome],
) -> anyhow::Result<()> {
    // The log is of what pages gave; a retirement is what they no longer give.
    let logged: Vec<&FileOutcome> = outcomes
        .iter()
        .filter(|o| o.outcome != Outcome::Retired)
        .collect();
    for rows in logged.chunks(ROWS) {
        let mut q = QueryBuilder::<$db>::new(
            "INSERT INTO import_files (import_id, path, outcome, review_id, line, error) ",
        );
        q.push_values(rows, |mut row, o| {
            row.push_bind(import_id)
                .push_bind(o.path.as_str())
                .push_bind(o.outcome.as_str())
                .push_bind(o.review_id)
                .push_bind(o.line.map(|l| l as i64))
                .push_bind(o.error.as_deref());
        });
        q.build()
            .persistent(cached(rows.len()))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

    };
}

/// What a batch of rounds writes with, beside its transaction.
pub(super) struct Batch<'a> {
    import_id: i64,
    /// The people the archive has, by name, as far as the import has seen them.
    people: &'a mut HashMap<String, i64>,
    /// The names `people` gained in this batch (forgotten if it does not commit).
    fresh: &'a mut Vec<String>,
    announce: bool,
}

/// Where the import's SQL differs between the engines.
struct Dialect {
    /// The `ON CONFLICT` target of a film's identity, as its unique index spells it.
    identity_conflict: &'static str,
    /// A new review's announcement nonce, from `a.review_id` and `s.id` (≤ 25 characters).
    new_nonce: &'static str,
    /// A regrade's nonce, from `g.review_id`, `s.id` and the archive version.
    regrade_nonce: &'static str,
}

mod on_sqlite {
    use super::*;
    rounds!(
        Sqlite,
        Dialect {
            identity_conflict: " ON CONFLICT (title_key, ifnull(year, -1))",
            new_nonce: "printf('mq%x.%x', a.review_id, s.id)",
            regrade_nonce: "printf('mr%x.%x.%x', g.review_id, s.id,
                                   (SELECT version FROM archive_version))",
        }
    );
}

mod on_postgres {
    use super::*;
    use sqlx::Postgres;
    rounds!(
        Postgres,
        Dialect {
            identity_conflict: " ON CONFLICT (title_key, COALESCE(year, -1))",
            new_nonce: "'mq' || to_hex(a.review_id) || '.' || to_hex(s.id)",
            regrade_nonce: "'mr' || to_hex(g.review_id) || '.' || to_hex(s.id) || '.' ||
                            to_hex((SELECT version FROM archive_version))",
        }
    );
}

/// The alternative titles in one column, for full-text search (as migration 0003 joins them).
fn other_titles(review: &Review) -> Option<String> {
    let mut titles: Vec<&str> = review.alt_titles.iter().map(String::as_str).collect();
    titles.sort_unstable();
    titles.dedup();
    (!titles.is_empty()).then(|| titles.join(" / "))
}
