//! The queries behind browsing: everyone credited (for the people index), a person's films,
//! the best films of a scope, full-text search, and grade counts.

use anyhow::Context;

use super::Store;
use crate::review::{Grade, GradeCounts, Role};
use crate::search::people::{PersonRecord, RoleCounts, RoleFilter};
use crate::search::words::TextQuery;

/// Marks around a matched word in a [`TextHit::snippet`] (control characters, which
/// review text has no business holding).
pub const MATCH_START: char = '\u{2}';
pub const MATCH_END: char = '\u{3}';
/// Words of context a snippet shows around the matches.
const SNIPPET_WORDS: i64 = 24;

/// A film in a list: enough to show a line and to open its card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilmRow {
    pub id: i64,
    pub title: String,
    pub year: Option<i32>,
    pub grade: Grade,
    /// What the person did on it (for a person's list), in [`Role::ALL`] order.
    pub roles: Vec<Role>,
}

/// Which films `/top` and `/stats` look at. Empty: the whole archive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// A decade such as 1970 (films from 1970 to 1979).
    pub decade: Option<i32>,
    pub year: Option<i32>,
    /// Films crediting any of these `people` rows (one person's spellings).
    pub people: Option<Vec<i64>>,
}

/// A value bound to a scope's SQL.
enum Bind {
    Int(i64),
    Text(String),
}

impl Scope {
    /// The scope as a `WHERE` condition over `reviews`, with its values. Only the parts that
    /// are set appear, so that SQLite can choose its index for them: the year index for a
    /// year or a decade, a person's credits for a person.
    fn condition(&self) -> (String, Vec<Bind>) {
        let mut parts = Vec::new();
        let mut binds = Vec::new();
        if let Some(decade) = self.decade {
            let start = decade - decade.rem_euclid(10);
            parts.push("year >= ? AND year < ?".to_owned());
            binds.push(Bind::Int(i64::from(start)));
            binds.push(Bind::Int(i64::from(start) + 10));
        }
        if let Some(year) = self.year {
            parts.push("year = ?".to_owned());
            binds.push(Bind::Int(i64::from(year)));
        }
        if let Some(people) = &self.people {
            parts.push(
                "id IN (SELECT review_id FROM credits
                        WHERE person_id IN (SELECT value FROM json_each(?)))"
                    .to_owned(),
            );
            binds.push(Bind::Text(id_list(people)));
        }
        if parts.is_empty() {
            parts.push("1".to_owned());
        }
        (parts.join(" AND "), binds)
    }
}

/// Binds a scope's values, in order, to a query.
fn bind_all<'q, O>(
    mut query: sqlx::query::QueryAs<'q, sqlx::Sqlite, O, sqlx::sqlite::SqliteArguments<'q>>,
    binds: Vec<Bind>,
) -> sqlx::query::QueryAs<'q, sqlx::Sqlite, O, sqlx::sqlite::SqliteArguments<'q>> {
    for b in binds {
        query = match b {
            Bind::Int(i) => query.bind(i),
            Bind::Text(t) => query.bind(t),
        };
    }
    query
}

/// One review that matches a text search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextHit {
    pub film: FilmRow,
    /// Words around the match, each matched word between [`MATCH_START`] and [`MATCH_END`].
    pub snippet: String,
}

/// A page of text search results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextResults {
    pub hits: Vec<TextHit>,
    /// Reviews that match in all.
    pub total: u32,
    /// No review had every term, so these have any of them.
    pub any_term: bool,
}

/// `[1,2,3]`, for `json_each`.
fn id_list(ids: &[i64]) -> String {
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("[{}]", ids.join(","))
}

fn grade(rank: i64) -> anyhow::Result<Grade> {
    Grade::from_rank(rank).with_context(|| format!("invalid grade rank {rank}"))
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Store {
    /// Everyone credited, with how many films they have per job and in all.
    pub async fn person_records(&self) -> anyhow::Result<Vec<PersonRecord>> {
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT p.id, p.name, count(DISTINCT c.review_id)
             FROM people p JOIN credits c ON c.person_id = p.id
             GROUP BY p.id ORDER BY p.id",
        )
        .fetch_all(self.pool()?)
        .await
        .context("cannot read the people")?;
        let by_role: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT person_id, role, count(DISTINCT review_id) FROM credits
             GROUP BY person_id, role ORDER BY person_id",
        )
        .fetch_all(self.pool()?)
        .await
        .context("cannot count the people's films")?;
        let mut by_role = by_role.into_iter().peekable();
        let mut records = Vec::with_capacity(rows.len());
        for (id, name, films) in rows {
            let mut counts = RoleCounts {
                films: count(films),
                ..RoleCounts::default()
            };
            while let Some((_, role, n)) = by_role.next_if(|(pid, _, _)| *pid <= id) {
                if let Some(i) = Role::ALL.iter().position(|r| r.as_str() == role) {
                    if let Some(slot) = counts.by_role.get_mut(i) {
                        *slot = count(n);
                    }
                }
            }
            records.push(PersonRecord { id, name, counts });
        }
        Ok(records)
    }

    /// The films of one person (any of `people`, the rows of their spellings) under `filter`,
    /// oldest first, each with every job they had on it.
    pub async fn person_films(
        &self,
        people: &[i64],
        filter: RoleFilter,
    ) -> anyhow::Result<Vec<FilmRow>> {
        let rows: Vec<(i64, String, Option<i32>, i64, String)> = sqlx::query_as(
            "SELECT r.id, r.title, r.year, r.grade_rank, group_concat(DISTINCT c.role)
             FROM credits c JOIN reviews r ON r.id = c.review_id
             WHERE c.person_id IN (SELECT value FROM json_each(?1))
             GROUP BY r.id
             HAVING ?2 IS NULL OR max(c.role = ?2)
             ORDER BY r.year IS NULL, r.year, r.title_key, r.id",
        )
        .bind(id_list(people))
        .bind(filter.role().map(Role::as_str))
        .fetch_all(self.pool()?)
        .await
        .context("cannot read the person's films")?;
        rows.into_iter()
            .map(|(id, title, year, rank, roles)| {
                let mut roles: Vec<Role> = roles.split(',').filter_map(Role::from_column).collect();
                roles.sort_unstable();
                Ok(FilmRow {
                    id,
                    title,
                    year,
                    grade: grade(rank)?,
                    roles,
                })
            })
            .collect()
    }

    /// The best-graded films in `scope`, best first and, among equals, the most recently
    /// reviewed first (undated last); `limit` of them from `offset`.
    pub async fn best_films(
        &self,
        scope: &Scope,
        offset: u32,
        limit: u32,
    ) -> anyhow::Result<Vec<FilmRow>> {
        let (condition, binds) = scope.condition();
        // The page's ids first, from indexes alone; then only those rows are read.
        let sql = format!(
            "SELECT r.id, r.title, r.year, r.grade_rank
             FROM (SELECT id FROM reviews WHERE {condition}
                   ORDER BY grade_rank, ifnull(reviewed_on, '') DESC, id DESC
                   LIMIT ? OFFSET ?) AS page
             JOIN reviews r ON r.id = page.id
             ORDER BY r.grade_rank, ifnull(r.reviewed_on, '') DESC, r.id DESC"
        );
        let rows: Vec<(i64, String, Option<i32>, i64)> = bind_all(sqlx::query_as(&sql), binds)
            .bind(i64::from(limit))
            .bind(i64::from(offset))
            .fetch_all(self.pool()?)
            .await
            .context("cannot read the best films")?;
        rows.into_iter()
            .map(|(id, title, year, rank)| {
                Ok(FilmRow {
                    id,
                    title,
                    year,
                    grade: grade(rank)?,
                    roles: Vec::new(),
                })
            })
            .collect()
    }

    /// How many films in `scope` got each grade.
    pub async fn grade_counts(&self, scope: &Scope) -> anyhow::Result<GradeCounts> {
        let (condition, binds) = scope.condition();
        let sql = format!(
            "SELECT grade_rank, count(*) FROM reviews WHERE {condition} GROUP BY grade_rank"
        );
        let rows: Vec<(i64, i64)> = bind_all(sqlx::query_as(&sql), binds)
            .fetch_all(self.pool()?)
            .await
            .context("cannot count the grades")?;
        let mut counts = GradeCounts::default();
        for (rank, n) in rows {
            counts.add(grade(rank)?, count(n));
        }
        Ok(counts)
    }

    /// Reviews matching `query` (every term, or any when none has all), best first by bm25
    /// with the titles weighted highest; `limit` of them from `offset`.
    pub async fn text_search(
        &self,
        query: &TextQuery,
        offset: u32,
        limit: u32,
    ) -> anyhow::Result<TextResults> {
        let all = query.all();
        let mut total = self.text_matches(&all).await?;
        let mut expression = all;
        let any_term = total == 0 && query.terms.len() > 1;
        if any_term {
            expression = query.any();
            total = self.text_matches(&expression).await?;
        }
        let rows: Vec<(i64, String, Option<i32>, i64, String)> = sqlx::query_as(
            "SELECT r.id, r.title, r.year, r.grade_rank,
                    snippet(reviews_fts, -1, char(2), char(3), '…', ?4)
             FROM reviews_fts JOIN reviews r ON r.id = reviews_fts.rowid
             WHERE reviews_fts MATCH ?1
             ORDER BY rank
             LIMIT ?2 OFFSET ?3",
        )
        .bind(&expression)
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .bind(SNIPPET_WORDS)
        .fetch_all(self.pool()?)
        .await
        .with_context(|| format!("cannot search the reviews for {expression}"))?;
        let hits = rows
            .into_iter()
            .map(|(id, title, year, rank, snippet)| {
                Ok(TextHit {
                    film: FilmRow {
                        id,
                        title,
                        year,
                        grade: grade(rank)?,
                        roles: Vec::new(),
                    },
                    snippet,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(TextResults {
            hits,
            total,
            any_term,
        })
    }

    async fn text_matches(&self, expression: &str) -> anyhow::Result<u32> {
        let n: i64 =
            sqlx::query_scalar("SELECT count(*) FROM reviews_fts WHERE reviews_fts MATCH ?")
                .bind(expression)
                .fetch_one(self.pool()?)
                .await
                .with_context(|| format!("cannot count the reviews matching {expression}"))?;
        Ok(count(n))
    }
}
