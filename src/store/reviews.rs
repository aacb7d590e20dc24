//! Reading reviews back: one whole review, the search index's entries, a random pick.

use anyhow::Context;
use chrono::NaiveDate;

use super::{on_db, Db, Store};
use crate::review::{CastMember, Credits, Decade, Grade, Layout, Review, Role};
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
    /// Films from a decade.
    pub decade: Option<Decade>,
}

impl Store {
    pub async fn count_reviews(&self) -> anyhow::Result<i64> {
        on_db!(self, |pool| Ok(sqlx::query_scalar(
            "SELECT count(*) FROM reviews"
        )
        .fetch_one(pool)
        .await?))
    }

    /// Changes whenever a review is added or updated, by this process or another: the
    /// archive's version (titles, years, grades) and the reviews every import has stored
    /// (credits and text too). Two small reads: `keep_fresh` asks every few seconds, and
    /// `max(updated_at)` over the reviews was a scan of the whole table (500 MB at 100k).
    pub async fn fingerprint(&self) -> anyhow::Result<(i64, i64)> {
        on_db!(self, |pool| Ok(sqlx::query_as(
            "SELECT (SELECT version FROM archive_version),
                    (SELECT CAST(COALESCE(sum(added + updated), 0) AS BIGINT) FROM imports)",
        )
        .fetch_one(pool)
        .await?))
    }

    /// Every title (with its alternative titles), for the in-memory search index.
    pub async fn index_entries(&self) -> anyhow::Result<Vec<IndexEntry>> {
        Ok(self.versioned_index_entries().await?.1)
    }

    /// One review with its credits and alternative titles.
    pub async fn review(&self, id: i64) -> anyhow::Result<Option<StoredReview>> {
        // One statement, one row: each statement (and each row) is a hand-off to sqlx's
        // SQLite thread, and with three statements a review's rows were most of the time a
        // `lookup -` query took. Credits and other titles come as JSON arrays.
        let row: Option<ReviewRow> = match &self.db {
            Db::Sqlite(pool) => {
                sqlx::query_as(&format!("{} WHERE r.id = $1", review_rows(SQLITE_JSON)))
                    .bind(id)
                    .fetch_optional(pool)
                    .await?
            }
            Db::Postgres(pool) => {
                sqlx::query_as(&format!("{} WHERE r.id = $1", review_rows(PG_JSON)))
                    .bind(id)
                    .fetch_optional(pool)
                    .await?
            }
        };
        row.map(stored_review).transpose()
    }

    /// The reviews with these ids (those that exist), in one statement whatever their
    /// number: the ids go in as one array (JSON for SQLite), so the statement is prepared
    /// once.
    pub async fn reviews(&self, ids: &[i64]) -> anyhow::Result<Vec<StoredReview>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<ReviewRow> = match &self.db {
            Db::Sqlite(pool) => {
                sqlx::query_as(&format!(
                    "{} WHERE r.id IN (SELECT value FROM json_each($1))",
                    review_rows(SQLITE_JSON)
                ))
                .bind(serde_json::to_string(ids)?)
                .fetch_all(pool)
                .await?
            }
            Db::Postgres(pool) => {
                sqlx::query_as(&format!("{} WHERE r.id = ANY($1)", review_rows(PG_JSON)))
                    .bind(ids)
                    .fetch_all(pool)
                    .await?
            }
        };
        rows.into_iter().map(stored_review).collect()
    }

    /// A random review at or above `min_grade`, from the decade if one is given.
    pub async fn random_review_id(&self, filter: RandomFilter) -> anyhow::Result<Option<i64>> {
        let decade_start = filter.decade.map(Decade::start);
        on_db!(self, |pool| Ok(sqlx::query_scalar(
            "SELECT id FROM reviews
             WHERE grade_rank <= $1 AND ($2 IS NULL OR (year >= $2 AND year < $2 + 10))
             ORDER BY random() LIMIT 1",
        )
        .bind(i64::from(filter.min_grade.rank()))
        .bind(decade_start)
        .fetch_optional(pool)
        .await?))
    }
}

/// The index's rows: every title with its year and grade rank, and the alternative titles
/// by review, both in id order.
pub(super) type TitleRows = (Vec<(i64, String, Option<i32>, i64)>, Vec<(i64, String)>);

/// What the title index is built from, read from the covering index `reviews_titles`.
pub(super) const TITLES: &str = "SELECT id, title, year, grade_rank FROM reviews ORDER BY id";
pub(super) const ALT_TITLES: &str =
    "SELECT review_id, title FROM alt_titles ORDER BY review_id, title";

/// The title index's entries, from its rows.
pub(super) fn index_entries((rows, alts): TitleRows) -> anyhow::Result<Vec<IndexEntry>> {
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

/// How each engine makes a review's credits and other titles one JSON text each.
struct JsonDialect {
    credits: &'static str,
    others: &'static str,
}

const SQLITE_JSON: JsonDialect = JsonDialect {
    credits: "json_group_array(json_array(c.role, p.name, c.character)
                               ORDER BY c.role, c.position)",
    others: "json_group_array(a.title ORDER BY a.title)",
};

const PG_JSON: JsonDialect = JsonDialect {
    credits: "CAST(COALESCE(json_agg(json_build_array(c.role, p.name, c.character)
                                     ORDER BY c.role, c.position), '[]') AS TEXT)",
    others: "CAST(COALESCE(json_agg(a.title ORDER BY a.title), '[]') AS TEXT)",
};

/// A whole review: its row with its credits and other titles as JSON arrays.
fn review_rows(json: JsonDialect) -> String {
    format!(
        "SELECT r.id, r.title, r.year, r.release_note, r.layout, r.runtime_minutes,
                r.mpaa_rating, r.studio, r.pull_quote, r.body, r.tagline, r.critic,
                r.reviewed_on, r.grade_rank, r.source_path, r.raw_text, r.url,
                (SELECT {credits} FROM credits c JOIN people p ON p.id = c.person_id
                 WHERE c.review_id = r.id) AS credit_rows,
                (SELECT {others} FROM alt_titles a WHERE a.review_id = r.id) AS alt_rows
         FROM reviews r",
        credits = json.credits,
        others = json.others,
    )
}

/// A row of [`review_rows`], as either engine returns it.
#[derive(sqlx::FromRow)]
struct ReviewRow {
    id: i64,
    title: String,
    year: Option<i32>,
    release_note: Option<String>,
    layout: String,
    runtime_minutes: Option<i32>,
    mpaa_rating: Option<String>,
    studio: Option<String>,
    pull_quote: Option<String>,
    body: String,
    tagline: Option<String>,
    critic: Option<String>,
    reviewed_on: Option<String>,
    grade_rank: i64,
    source_path: Option<String>,
    raw_text: String,
    url: Option<String>,
    credit_rows: String,
    alt_rows: String,
}

/// A row of [`review_rows`] as a review.
fn stored_review(row: ReviewRow) -> anyhow::Result<StoredReview> {
    let id = row.id;
    let credit_rows: Vec<(String, String, Option<String>)> = serde_json::from_str(&row.credit_rows)
        .with_context(|| format!("review {id} has unreadable credits"))?;
    let alt_titles: Vec<String> = serde_json::from_str(&row.alt_rows)
        .with_context(|| format!("review {id} has unreadable other titles"))?;

    let mut credits = Credits {
        year: row.year,
        release_note: row.release_note,
        runtime_minutes: row.runtime_minutes.and_then(|m| u32::try_from(m).ok()),
        mpaa_rating: row.mpaa_rating,
        studio: row.studio,
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
    let rank = row.grade_rank;
    let review = Review {
        layout: if row.layout == "short" {
            Layout::Short
        } else {
            Layout::Modern
        },
        title: row.title,
        alt_titles,
        credits,
        pull_quote: row.pull_quote,
        body: row.body,
        tagline: row.tagline,
        critic: row.critic,
        reviewed_on: row
            .reviewed_on
            .map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d"))
            .transpose()
            .with_context(|| format!("review {id} has an invalid date"))?,
        grade: Grade::from_rank(rank)
            .with_context(|| format!("review {id} has an invalid grade rank {rank}"))?,
        raw_text: row.raw_text,
        url: row.url,
    };
    Ok(StoredReview {
        id,
        source_path: row.source_path,
        review,
    })
}
