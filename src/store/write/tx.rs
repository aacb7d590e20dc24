//! The statements an import runs inside its transaction, on either engine. Each is one method
//! of [`Tx`]; [`on_tx!`] compiles its body once per engine, so the SQL is written once where
//! the dialects agree, and [`Dialect`] holds the few texts where they part.

use std::collections::HashMap;

use anyhow::Context;
use sqlx::{Postgres, QueryBuilder, Sqlite, Transaction};

use super::super::plan::{Existing, Identity};
use super::super::subscriptions::now_timestamp;
use super::{FileOutcome, ImportCounts, Outcome};
use crate::review::Review;

/// Rows one multi-row statement writes (or keys one `IN` list asks for). Every full chunk
/// has the same SQL, so SQLite prepares it once per connection and sqlx keeps it cached; the
/// one shorter chunk of a batch is prepared, run and dropped, so the cache never fills with
/// statements of every length (which held hundreds of megabytes at 100k files).
///
/// 500 rather than 100: a fifth of the statements, so a fifth of the hand-offs to sqlx's
/// SQLite thread, and of the times the full-text index flushes its pending terms (at every
/// statement's end). The widest statement, a review's 20 columns, binds 10,000 values
/// (SQLite allows 32,766).
pub(super) const ROWS: usize = 500;

/// Whether a chunk of `rows` rows may keep its prepared statement.
pub(super) fn cached(rows: usize) -> bool {
    rows == ROWS
}

/// An import's transaction, on whichever engine the store is.
pub(super) enum Tx<'c> {
    Sqlite(Transaction<'c, Sqlite>),
    Postgres(Transaction<'c, Postgres>),
}

/// Runs `$body` with `$t` the transaction and `$db` the engine's type, compiled once per
/// engine: one SQL text serves both.
macro_rules! on_tx {
    ($tx:expr, |$t:ident, $db:ident| $body:expr) => {
        match $tx {
            Tx::Sqlite($t) => {
                #[allow(dead_code)]
                type $db = sqlx::Sqlite;
                $body
            }
            Tx::Postgres($t) => {
                #[allow(dead_code)]
                type $db = sqlx::Postgres;
                $body
            }
        }
    };
}
pub(super) use on_tx;

/// Where the import's SQL differs between the engines.
pub(super) struct Dialect {
    /// The `ON CONFLICT` target of a film's identity, as its unique index spells it.
    pub(super) identity_conflict: &'static str,
    /// A new review's announcement nonce, from `a.review_id` and `s.id` (≤ 25 characters).
    pub(super) new_nonce: &'static str,
    /// A regrade's nonce, from `g.review_id`, `s.id` and the archive version.
    pub(super) regrade_nonce: &'static str,
}

const SQLITE: Dialect = Dialect {
    identity_conflict: " ON CONFLICT (title_key, ifnull(year, -1))",
    new_nonce: "printf('mq%x.%x', a.review_id, s.id)",
    regrade_nonce: "printf('mr%x.%x.%x', g.review_id, s.id, (SELECT version FROM archive_version))",
};

const POSTGRES: Dialect = Dialect {
    identity_conflict: " ON CONFLICT (title_key, COALESCE(year, -1))",
    new_nonce: "'mq' || to_hex(a.review_id) || '.' || to_hex(s.id)",
    regrade_nonce: "'mr' || to_hex(g.review_id) || '.' || to_hex(s.id) || '.' ||
                    to_hex((SELECT version FROM archive_version))",
};

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

/// One credit to write: review, role, position, person's name, character.
pub(super) type Credit<'a> = (i64, &'static str, i64, &'a str, Option<&'a str>);

impl Tx<'_> {
    pub(super) fn dialect(&self) -> &'static Dialect {
        match self {
            Tx::Sqlite(_) => &SQLITE,
            Tx::Postgres(_) => &POSTGRES,
        }
    }

    pub(super) async fn commit(self) -> anyhow::Result<()> {
        on_tx!(self, |t, _Db| t.commit().await).context("cannot commit the import batch")
    }

    /// The reviews whose `column` is one of `values`, [`ROWS`] values to a statement.
    pub(super) async fn existing_where(
        &mut self,
        column: &str,
        mut values: Vec<&str>,
    ) -> anyhow::Result<Vec<Existing>> {
        values.sort_unstable();
        values.dedup();
        let mut found = Vec::new();
        for values in values.chunks(ROWS) {
            let rows: Vec<ExistingRow> = on_tx!(self, |t, Db| {
                let mut q = QueryBuilder::<Db>::new(EXISTING_COLUMNS);
                q.push(column).push(" IN (");
                let mut list = q.separated(", ");
                for value in values {
                    list.push_bind(*value);
                }
                q.push(")");
                q.build_query_as()
                    .persistent(cached(values.len()))
                    .fetch_all(&mut **t)
                    .await?
            });
            found.extend(rows.into_iter().map(existing));
        }
        Ok(found)
    }

    /// Runs `statement` (which ends in `IN (`) over `ids`, [`ROWS`] to a statement.
    async fn over_ids(&mut self, statement: &str, ids: &[i64]) -> anyhow::Result<()> {
        for ids in ids.chunks(ROWS) {
            on_tx!(self, |t, Db| {
                let mut q = QueryBuilder::<Db>::new(statement);
                let mut list = q.separated(", ");
                for id in ids {
                    list.push_bind(*id);
                }
                q.push(")");
                q.build()
                    .persistent(cached(ids.len()))
                    .execute(&mut **t)
                    .await?;
            });
        }
        Ok(())
    }

    /// Deletes reviews with their credits, other titles, unsent announcements and log links,
    /// as `remove` does by the foreign keys' cascades: spelled out here, since SQLite's import
    /// runs without them.
    pub(super) async fn retire(&mut self, ids: &[i64]) -> anyhow::Result<()> {
        for statement in [
            "DELETE FROM credits WHERE review_id IN (",
            "DELETE FROM alt_titles WHERE review_id IN (",
            "DELETE FROM deliveries WHERE review_id IN (",
            "UPDATE import_files SET review_id = NULL WHERE review_id IN (",
            "DELETE FROM reviews WHERE id IN (",
        ] {
            self.over_ids(statement, ids).await?;
        }
        Ok(())
    }

    /// An updated review's credits and other titles go, to be written afresh.
    pub(super) async fn forget_credits(&mut self, ids: &[i64]) -> anyhow::Result<()> {
        self.over_ids("DELETE FROM credits WHERE review_id IN (", ids)
            .await?;
        self.over_ids("DELETE FROM alt_titles WHERE review_id IN (", ids)
            .await
    }

    /// A film's recorded page moves (the file was moved or renamed).
    pub(super) async fn move_source(&mut self, id: i64, path: &str) -> anyhow::Result<()> {
        on_tx!(self, |t, _Db| sqlx::query(
            "UPDATE reviews SET source_path = $1 WHERE id = $2"
        )
        .bind(path)
        .bind(id)
        .execute(&mut **t)
        .await
        .map(drop))?;
        Ok(())
    }

    /// Gives the review `id` a page's new text, identity included (a corrected title or
    /// year).
    pub(super) async fn rename(
        &mut self,
        id: i64,
        review: &Review,
        key: &str,
        path: &str,
    ) -> anyhow::Result<()> {
        let c = &review.credits;
        on_tx!(self, |t, _Db| sqlx::query(
            "UPDATE reviews SET title = $1, title_key = $2, year = $3, release_note = $4,
                    layout = $5, runtime_minutes = $6, mpaa_rating = $7, studio = $8,
                    pull_quote = $9, body = $10, tagline = $11, critic = $12,
                    reviewed_on = $13, grade = $14, grade_rank = $15, source_path = $16,
                    raw_text = $17, other_titles = $18, updated_at = $19, url = $20
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
        .bind(now_timestamp())
        .bind(review.url.as_deref())
        .bind(id)
        .execute(&mut **t)
        .await
        .map(drop))
        .with_context(|| format!("cannot give the review of {path} its corrected title"))?;
        Ok(())
    }

    /// Adds or updates the reviews (review, identity key, page), [`ROWS`] to a statement;
    /// returns their ids.
    pub(super) async fn upsert(
        &mut self,
        writes: &[(&Review, &str, &str)],
    ) -> anyhow::Result<HashMap<Identity, i64>> {
        let mut ids = HashMap::with_capacity(writes.len());
        let now = now_timestamp();
        let conflict = self.dialect().identity_conflict;
        for rows in writes.chunks(ROWS) {
            let returned: Vec<(i64, String, Option<i32>)> = on_tx!(self, |t, Db| {
                let mut q = QueryBuilder::<Db>::new(
                    "INSERT INTO reviews (title, title_key, year, release_note, layout,
                        runtime_minutes, mpaa_rating, studio, pull_quote, body, tagline, critic,
                        reviewed_on, grade, grade_rank, source_path, raw_text, other_titles,
                        updated_at, url) ",
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
                q.push(conflict);
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
                q.build_query_as()
                    .persistent(cached(rows.len()))
                    .fetch_all(&mut **t)
                    .await?
            });
            // RETURNING gives the rows in no promised order: match them up by identity.
            ids.extend(
                returned
                    .into_iter()
                    .map(|(id, key, year)| ((key, year), id)),
            );
        }
        Ok(ids)
    }

    /// Adds the people among `names` the archive lacks; returns the id of each name added or
    /// found.
    pub(super) async fn people(&mut self, names: &[&str]) -> anyhow::Result<Vec<(i64, String)>> {
        let mut found = Vec::new();
        for chunk in names.chunks(ROWS) {
            let rows: Vec<(i64, String)> = on_tx!(self, |t, Db| {
                let mut q = QueryBuilder::<Db>::new("INSERT INTO people (name) ");
                q.push_values(chunk, |mut row, name| {
                    row.push_bind(*name);
                });
                // The no-op update makes RETURNING give the people already there too.
                q.push(" ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id, name");
                q.build_query_as()
                    .persistent(cached(chunk.len()))
                    .fetch_all(&mut **t)
                    .await?
            });
            found.extend(rows);
        }
        Ok(found)
    }

    /// Writes the credits, each with its person's id from `people`.
    pub(super) async fn credits(
        &mut self,
        credits: &[Credit<'_>],
        people: &HashMap<String, i64>,
    ) -> anyhow::Result<()> {
        for rows in credits.chunks(ROWS) {
            if let Some(name) = rows.iter().map(|c| c.3).find(|n| !people.contains_key(*n)) {
                anyhow::bail!("the store returned no id for the person {name}");
            }
            on_tx!(self, |t, Db| {
                let mut q = QueryBuilder::<Db>::new(
                    "INSERT INTO credits (review_id, role, position, person_id, character) ",
                );
                q.push_values(rows, |mut row, (id, role, position, name, character)| {
                    row.push_bind(*id)
                        .push_bind(*role)
                        .push_bind(*position)
                        .push_bind(people.get(*name).copied().unwrap_or_default())
                        .push_bind(*character);
                });
                q.build()
                    .persistent(cached(rows.len()))
                    .execute(&mut **t)
                    .await?;
            });
        }
        Ok(())
    }

    /// Writes the other titles (review, title).
    pub(super) async fn alt_titles(&mut self, alts: &[(i64, &str)]) -> anyhow::Result<()> {
        for rows in alts.chunks(ROWS) {
            on_tx!(self, |t, Db| {
                let mut q = QueryBuilder::<Db>::new("INSERT INTO alt_titles (review_id, title) ");
                q.push_values(rows, |mut row, (id, title)| {
                    row.push_bind(*id).push_bind(*title);
                });
                q.push(" ON CONFLICT DO NOTHING");
                q.build()
                    .persistent(cached(rows.len()))
                    .execute(&mut **t)
                    .await?;
            });
        }
        Ok(())
    }

    /// The import log's rows for a batch, in page order, and its counts. A retirement is not a
    /// row of the log (which is of what pages gave); it is counted.
    pub(super) async fn log(
        &mut self,
        import_id: i64,
        outcomes: &[FileOutcome],
    ) -> anyhow::Result<()> {
        let logged: Vec<&FileOutcome> = outcomes
            .iter()
            .filter(|o| o.outcome != Outcome::Retired)
            .collect();
        for rows in logged.chunks(ROWS) {
            on_tx!(self, |t, Db| {
                let mut q = QueryBuilder::<Db>::new(
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
                    .execute(&mut **t)
                    .await?;
            });
        }
        let mut counts = ImportCounts::default();
        for o in outcomes {
            counts.count(o.outcome);
        }
        on_tx!(self, |t, _Db| sqlx::query(
            "UPDATE imports SET added = added + $1, updated = updated + $2,
                    unchanged = unchanged + $3, failed = failed + $4
             WHERE id = $5",
        )
        .bind(counts.added as i64)
        .bind(counts.updated as i64)
        .bind(counts.unchanged as i64)
        .bind(counts.failed as i64)
        .bind(import_id)
        .execute(&mut **t)
        .await
        .map(drop))?;
        Ok(())
    }
}

/// The alternative titles in one column, for full-text search (as migration 0003 joins them).
fn other_titles(review: &Review) -> Option<String> {
    let mut titles: Vec<&str> = review.alt_titles.iter().map(String::as_str).collect();
    titles.sort_unstable();
    titles.dedup();
    (!titles.is_empty()).then(|| titles.join(" / "))
}
