//! Reading reviews back: one whole review, the search index's entries, a random pick.

use anyhow::Context;
use chrono::NaiveDate;
use sqlx::Row;

use super::Store;
use crate::review::{CastMember, Credits, Grade, Layout, Review, Role};
use crate::search::IndexEntry;

/// A review as stored: its row id and the parsed review.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredReview {
    pub id: i64,
    pub source_path: Option<String>,
    pub review: Review,
}

/// What `random` may pick from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RandomFilter {
    /// The worst grade allowed (A- allows A+, A and A-).
    pub min_grade: Grade,
    /// A decade such as 1970 (films from 1970 to 1979).
    pub decade: Option<i32>,
}

impl Store {
    pub async fn count_reviews(&self) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM reviews")
            .fetch_one(self.pool())
            .await?)
    }

    /// Changes whenever a review is added or updated, by this process or another: the
    /// archive's version (titles, years, grades) and the reviews every import has stored
    /// (credits and text too). Two small reads: `keep_fresh` asks every few seconds, and
    /// `max(updated_at)` over the reviews was a scan of the whole table (500 MB at 100k).
    pub async fn fingerprint(&self) -> anyhow::Result<(i64, i64)> {
        Ok(sqlx::query_as(
            "SELECT (SELECT version FROM archive_version),
                    (SELECT ifnull(sum(added + updated), 0) FROM imports)",
        )
        .fetch_one(self.pool())
        .await?)
    }

    /// Every title (with its alternative titles), for the in-memory search index.
    pub async fn index_entries(&self) -> anyhow::Result<Vec<IndexEntry>> {
        let mut conn = self.pool().acquire().await?;
        index_entries(&mut conn).await
    }

    /// One review with its credits and alternative titles.
    pub async fn review(&self, id: i64) -> anyhow::Result<Option<StoredReview>> {
        // One statement, one row: each statement (and each row) is a hand-off to sqlx's
        // SQLite thread, and with three statements a review's rows were most of the time a
        // `lookup -` query took. Credits and other titles come as JSON arrays.
        let row = sqlx::query(&format!("{REVIEW_ROWS} WHERE r.id = ?"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| stored_review(&row)).transpose()
    }

    /// The reviews with these ids (those that exist), in one statement whatever their
    /// number: the ids go in as one JSON array, so the statement is prepared once.
    pub async fn reviews(&self, ids: &[i64]) -> anyhow::Result<Vec<StoredReview>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(&format!(
            "{REVIEW_ROWS} WHERE r.id IN (SELECT value FROM json_each(?))"
        ))
        .bind(serde_json::to_string(ids)?)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(stored_review).collect()
    }

    /// A random review at or above `min_grade`, from the decade if one is given.
    pub async fn random_review_id(&self, filter: RandomFilter) -> anyhow::Result<Option<i64>> {
        let decade_start = filter.decade.map(|d| d - d.rem_euclid(10));
        Ok(sqlx::query_scalar(
            "SELECT id FROM reviews
             WHERE grade_rank <= ?1 AND (?2 IS NULL OR (year >= ?2 AND year < ?2 + 10))
             ORDER BY random() LIMIT 1",
        )
        .bind(filter.min_grade.rank())
        .bind(decade_start)
        .fetch_optional(self.pool())
        .await?)
    }
}

/// Every title (with its alternative titles), read on `conn` (the covering index
/// `reviews_titles`, not the table).
pub(super) async fn index_entries(
    conn: &mut sqlx::SqliteConnection,
) -> anyhow::Result<Vec<IndexEntry>> {
    let rows: Vec<(i64, String, Option<i32>, i64)> =
        sqlx::query_as("SELECT id, title, year, grade_rank FROM reviews ORDER BY id")
            .fetch_all(&mut *conn)
            .await
            .context("cannot read the titles")?;
    let alts: Vec<(i64, String)> =
        sqlx::query_as("SELECT review_id, title FROM alt_titles ORDER BY review_id, title")
            .fetch_all(&mut *conn)
            .await
            .context("cannot read the alternative titles")?;
    let mut alts = alts.into_iter().peekable();
    let mut entries = Vec::with_capacity(rows.len());
    for (id, title, year, rank) in rows {
        let mut alt_titles = Vec::new();
        while let Some((_, alt)) = alts.next_if(|(rid, _)| *rid <= id) {
            alt_titles.push(alt);
        }
        let grade = Grade::from_rank(rank)
            .with_context(|| format!("review {id} has an invalid grade rank {rank}"))?;
        entries.push(IndexEntry {
            id,
            title,
            alt_titles,
            year,
            grade,
        });
    }
    Ok(entries)
}

/// A whole review: its row with its credits and other titles as JSON arrays.
const REVIEW_ROWS: &str = "SELECT r.*,
        (SELECT json_group_array(json_array(c.role, p.name, c.character)
                                 ORDER BY c.role, c.position)
         FROM credits c JOIN people p ON p.id = c.person_id
         WHERE c.review_id = r.id) AS credit_rows,
        (SELECT json_group_array(a.title ORDER BY a.title)
         FROM alt_titles a WHERE a.review_id = r.id) AS alt_rows
     FROM reviews r";

/// A row of [`REVIEW_ROWS`] as a review.
fn stored_review(row: &sqlx::sqlite::SqliteRow) -> anyhow::Result<StoredReview> {
    let id: i64 = row.try_get("id")?;
    let credit_rows: Vec<(String, String, Option<String>)> =
        serde_json::from_str(row.try_get("credit_rows")?)
            .with_context(|| format!("review {id} has unreadable credits"))?;
    let alt_titles: Vec<String> = serde_json::from_str(row.try_get("alt_rows")?)
        .with_context(|| format!("review {id} has unreadable other titles"))?;

    let mut credits = Credits {
        year: row.try_get("year")?,
        release_note: row.try_get("release_note")?,
        runtime_minutes: row.try_get("runtime_minutes")?,
        mpaa_rating: row.try_get("mpaa_rating")?,
        studio: row.try_get("studio")?,
        ..Credits::default()
    };
    for (role, name, character) in credit_rows {
        let list = match Role::from_column(&role) {
            Some(Role::Cast) => {
                credits.cast.push(CastMember {
                    actor: name,
                    role: character,
                });
                continue;
            }
            Some(Role::Director) => &mut credits.directors,
            Some(Role::Writer) => &mut credits.writers,
            Some(Role::Cinematographer) => &mut credits.cinematographers,
            Some(Role::Editor) => &mut credits.editors,
            Some(Role::Music) => &mut credits.music,
            Some(Role::Producer) => &mut credits.producers,
            None => anyhow::bail!("review {id} has a credit with unknown role `{role}`"),
        };
        list.push(name);
    }
    let rank: i64 = row.try_get("grade_rank")?;
    let layout: String = row.try_get("layout")?;
    let reviewed_on: Option<String> = row.try_get("reviewed_on")?;
    let review = Review {
        layout: if layout == "short" {
            Layout::Short
        } else {
            Layout::Modern
        },
        title: row.try_get("title")?,
        alt_titles,
        credits,
        pull_quote: row.try_get("pull_quote")?,
        body: row.try_get("body")?,
        tagline: row.try_get("tagline")?,
        critic: row.try_get("critic")?,
        reviewed_on: reviewed_on
            .map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d"))
            .transpose()
            .with_context(|| format!("review {id} has an invalid date"))?,
        grade: Grade::from_rank(rank)
            .with_context(|| format!("review {id} has an invalid grade rank {rank}"))?,
        raw_text: row.try_get("raw_text")?,
    };
    Ok(StoredReview {
        id,
        source_path: row.try_get("source_path")?,
        review,
    })
}
