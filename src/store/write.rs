//! Imports: each batch of files is one transaction, so whatever an import reports as stored
//! has been committed; a crash loses at most the batch in flight, which was never reported.

use std::collections::HashMap;

use anyhow::Context;
use serde::Serialize;
use sqlx::{Sqlite, Transaction};

use super::Store;
use crate::review::{ParseError, Review, Role};
use crate::search::normalize;

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Added,
    Updated,
    Unchanged,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Added => "added",
            Outcome::Updated => "updated",
            Outcome::Unchanged => "unchanged",
            Outcome::Failed => "failed",
        }
    }
}

/// One file's result, as the import log records it.
#[derive(Debug, Clone, PartialEq)]
pub struct FileOutcome {
    pub path: String,
    pub outcome: Outcome,
    pub review_id: Option<i64>,
    pub line: Option<usize>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub failed: u64,
}

impl ImportCounts {
    fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Added => self.added += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Failed => self.failed += 1,
        }
    }
}

/// One import run: a row in `imports`, then batches of files.
pub struct Importer {
    store: Store,
    import_id: i64,
    people: HashMap<String, i64>,
    counts: ImportCounts,
}

impl Importer {
    pub async fn start(store: &Store) -> anyhow::Result<Importer> {
        let import_id: i64 = sqlx::query_scalar("INSERT INTO imports DEFAULT VALUES RETURNING id")
            .fetch_one(store.pool())
            .await
            .context("cannot start the import log")?;
        Ok(Importer {
            store: store.clone(),
            import_id,
            people: HashMap::new(),
            counts: ImportCounts::default(),
        })
    }

    pub fn import_id(&self) -> i64 {
        self.import_id
    }

    pub fn counts(&self) -> ImportCounts {
        self.counts
    }

    /// Stores a batch of parsed (or failed) files in one transaction, with the import log's
    /// rows and counts. Returns each file's outcome once the transaction has committed.
    pub async fn store_batch(
        &mut self,
        batch: Vec<(String, Result<Review, ParseError>)>,
    ) -> anyhow::Result<Vec<FileOutcome>> {
        // IMMEDIATE: take the write lock up front, so a concurrent writer waits (busy timeout)
        // instead of failing when a read transaction tries to become a write.
        let mut tx = self.store.pool().begin_with("BEGIN IMMEDIATE").await?;
        let mut new_people = HashMap::new();
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut counts = ImportCounts::default();
        for (path, parsed) in batch {
            let outcome = match parsed {
                Ok(review) => {
                    let (outcome, id) =
                        store_review(&mut tx, &review, &path, &self.people, &mut new_people)
                            .await
                            .with_context(|| format!("cannot store {path}"))?;
                    FileOutcome {
                        path,
                        outcome,
                        review_id: Some(id),
                        line: None,
                        error: None,
                    }
                }
                Err(err) => FileOutcome {
                    path,
                    outcome: Outcome::Failed,
                    review_id: None,
                    line: err.line,
                    error: Some(err.message),
                },
            };
            sqlx::query(
                "INSERT INTO import_files (import_id, path, outcome, review_id, line, error)
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(self.import_id)
            .bind(&outcome.path)
            .bind(outcome.outcome.as_str())
            .bind(outcome.review_id)
            .bind(outcome.line.map(|l| l as i64))
            .bind(&outcome.error)
            .execute(&mut *tx)
            .await?;
            counts.count(outcome.outcome);
            outcomes.push(outcome);
        }
        sqlx::query(
            "UPDATE imports SET added = added + ?, updated = updated + ?,
                    unchanged = unchanged + ?, failed = failed + ?
             WHERE id = ?",
        )
        .bind(counts.added as i64)
        .bind(counts.updated as i64)
        .bind(counts.unchanged as i64)
        .bind(counts.failed as i64)
        .bind(self.import_id)
        .execute(&mut *tx)
        .await?;
        tx.commit()
            .await
            .context("cannot commit the import batch")?;
        self.people.extend(new_people);
        for o in &outcomes {
            self.counts.count(o.outcome);
        }
        Ok(outcomes)
    }

    /// Marks the import finished and returns its totals.
    pub async fn finish(self) -> anyhow::Result<ImportCounts> {
        sqlx::query(
            "UPDATE imports SET finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
        )
        .bind(self.import_id)
        .execute(self.store.pool())
        .await?;
        Ok(self.counts)
    }
}

/// Adds, updates or leaves alone one review; its identity is (normalised title, year).
async fn store_review(
    tx: &mut Transaction<'_, Sqlite>,
    review: &Review,
    path: &str,
    known_people: &HashMap<String, i64>,
    new_people: &mut HashMap<String, i64>,
) -> anyhow::Result<(Outcome, i64)> {
    let key = normalize(&review.title);
    let year = review.year();
    let existing: Option<(i64, String)> = sqlx::query_as(
        "SELECT id, raw_text FROM reviews WHERE title_key = ? AND ifnull(year, -1) = ifnull(?, -1)",
    )
    .bind(&key)
    .bind(year)
    .fetch_optional(&mut **tx)
    .await?;
    let outcome = match existing {
        Some((id, raw)) if raw == review.raw_text => return Ok((Outcome::Unchanged, id)),
        Some(_) => Outcome::Updated,
        None => Outcome::Added,
    };
    let c = &review.credits;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO reviews (title, title_key, year, release_note, layout, runtime_minutes,
                mpaa_rating, studio, pull_quote, body, tagline, critic, reviewed_on, grade,
                grade_rank, source_path, raw_text, other_titles)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (title_key, ifnull(year, -1)) DO UPDATE SET
                title = excluded.title, release_note = excluded.release_note,
                layout = excluded.layout, runtime_minutes = excluded.runtime_minutes,
                mpaa_rating = excluded.mpaa_rating, studio = excluded.studio,
                pull_quote = excluded.pull_quote, body = excluded.body,
                tagline = excluded.tagline, critic = excluded.critic,
                reviewed_on = excluded.reviewed_on, grade = excluded.grade,
                grade_rank = excluded.grade_rank, source_path = excluded.source_path,
                raw_text = excluded.raw_text, other_titles = excluded.other_titles,
                updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         RETURNING id",
    )
    .bind(&review.title)
    .bind(&key)
    .bind(year)
    .bind(&c.release_note)
    .bind(review.layout.as_str())
    .bind(c.runtime_minutes)
    .bind(&c.mpaa_rating)
    .bind(&c.studio)
    .bind(&review.pull_quote)
    .bind(&review.body)
    .bind(&review.tagline)
    .bind(&review.critic)
    .bind(review.reviewed_on.map(|d| d.to_string()))
    .bind(review.grade.as_str())
    .bind(review.grade.rank())
    .bind(path)
    .bind(&review.raw_text)
    .bind(other_titles(review))
    .fetch_one(&mut **tx)
    .await?;
    if outcome == Outcome::Added {
        // The outbox: an announcement for every subscribed channel whose floor the grade
        // meets, committed with the review itself.
        sqlx::query(
            "INSERT INTO deliveries (review_id, subscription_id, channel_id, nonce)
             SELECT ?1, id, channel_id, printf('mq%x.%x', ?1, id) FROM subscriptions
             WHERE disabled_at IS NULL AND ?2 <= min_grade_rank",
        )
        .bind(id)
        .bind(review.grade.rank())
        .execute(&mut **tx)
        .await?;
    }
    if outcome == Outcome::Updated {
        for table in ["credits", "alt_titles"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE review_id = ?"))
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
    }
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
            let person = person_id(tx, name, known_people, new_people).await?;
            sqlx::query(
                "INSERT INTO credits (review_id, role, position, person_id, character)
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(id)
            .bind(role.as_str())
            .bind(position as i64)
            .bind(person)
            .bind(character)
            .execute(&mut **tx)
            .await?;
        }
    }
    for alt in &review.alt_titles {
        sqlx::query("INSERT OR IGNORE INTO alt_titles (review_id, title) VALUES (?, ?)")
            .bind(id)
            .bind(alt)
            .execute(&mut **tx)
            .await?;
    }
    Ok((outcome, id))
}

/// The alternative titles in one column, for full-text search (as migration 0003 joins them).
fn other_titles(review: &Review) -> Option<String> {
    let mut titles: Vec<&str> = review.alt_titles.iter().map(String::as_str).collect();
    titles.sort_unstable();
    titles.dedup();
    (!titles.is_empty()).then(|| titles.join(" / "))
}

async fn person_id(
    tx: &mut Transaction<'_, Sqlite>,
    name: &str,
    known: &HashMap<String, i64>,
    new: &mut HashMap<String, i64>,
) -> anyhow::Result<i64> {
    if let Some(id) = known.get(name).or_else(|| new.get(name)) {
        return Ok(*id);
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO people (name) VALUES (?)
         ON CONFLICT (name) DO UPDATE SET name = excluded.name
         RETURNING id",
    )
    .bind(name)
    .fetch_one(&mut **tx)
    .await?;
    new.insert(name.to_owned(), id);
    Ok(id)
}
