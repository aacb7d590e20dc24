//! The queries behind browsing: everyone credited (for the people index), a person's films,
//! the best films of a scope, full-text search, and grade counts.

use anyhow::Context;

use sqlx::{PgPool, SqlitePool};

use super::{on_db, Db, Store};
use crate::review::{Decade, Grade, GradeCounts, Role};
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
    /// Films from a decade (the 1970s: 1970 to 1979).
    pub decade: Option<Decade>,
    pub year: Option<i32>,
    /// Films crediting any of these `people` rows (one person's spellings).
    pub people: Option<Vec<i64>>,
}

/// A value bound to a scope's SQL.
enum Bind {
    Int(i64),
    /// `people` rows: a JSON array for SQLite's `json_each`, an array for PostgreSQL's `ANY`.
    Ids(Vec<i64>),
}

/// Which engine a statement is written for, where their dialects part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Sqlite,
    Postgres,
}

impl Scope {
    /// The scope as a `WHERE` condition over `reviews`, with its values bound as `$1`, `$2`…
    /// in order. Only the parts that are set appear, so that the planner can choose its index
    /// for them: the year index for a year or a decade, a person's credits for a person.
    fn condition(&self, dialect: Dialect) -> (String, Vec<Bind>) {
        let mut parts = Vec::new();
        let mut binds = Vec::new();
        if let Some(decade) = self.decade {
            parts.push(format!(
                "year >= ${} AND year < ${}",
                binds.len() + 1,
                binds.len() + 2
            ));
            binds.push(Bind::Int(i64::from(decade.start())));
            binds.push(Bind::Int(i64::from(decade.end())));
        }
        if let Some(year) = self.year {
            parts.push(format!("year = ${}", binds.len() + 1));
            binds.push(Bind::Int(i64::from(year)));
        }
        if let Some(people) = &self.people {
            let n = binds.len() + 1;
            parts.push(match dialect {
                Dialect::Sqlite => format!(
                    "id IN (SELECT review_id FROM credits
                            WHERE person_id IN (SELECT value FROM json_each(${n})))"
                ),
                Dialect::Postgres => {
                    format!("id IN (SELECT review_id FROM credits WHERE person_id = ANY(${n}))")
                }
            });
            binds.push(Bind::Ids(people.clone()));
        }
        if parts.is_empty() {
            parts.push(
                match dialect {
                    Dialect::Sqlite => "1",
                    Dialect::Postgres => "TRUE",
                }
                .to_owned(),
            );
        }
        (parts.join(" AND "), binds)
    }
}

/// Binds a scope's values, in order, to a SQLite query.
fn bind_sqlite<'q, O>(
    mut query: sqlx::query::QueryAs<'q, sqlx::Sqlite, O, sqlx::sqlite::SqliteArguments<'q>>,
    binds: Vec<Bind>,
) -> sqlx::query::QueryAs<'q, sqlx::Sqlite, O, sqlx::sqlite::SqliteArguments<'q>> {
    for b in binds {
        query = match b {
            Bind::Int(i) => query.bind(i),
            Bind::Ids(ids) => query.bind(id_list(&ids)),
        };
    }
    query
}

/// Binds a scope's values, in order, to a PostgreSQL query.
fn bind_postgres<'q, O>(
    mut query: sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    binds: Vec<Bind>,
) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    for b in binds {
        query = match b {
            Bind::Int(i) => query.bind(i),
            Bind::Ids(ids) => query.bind(ids),
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

/// A person (or a person and a job) with a count of films.
type CountRow = (i64, String, i64);

impl Store {
    /// Everyone credited, with how many films they have per job and in all.
    pub async fn person_records(&self) -> anyhow::Result<Vec<PersonRecord>> {
        let (rows, by_role): (Vec<CountRow>, Vec<CountRow>) = on_db!(self, |pool| {
            let rows = sqlx::query_as(
                "SELECT p.id, p.name, count(DISTINCT c.review_id)
                     FROM people p JOIN credits c ON c.person_id = p.id
                     GROUP BY p.id ORDER BY p.id",
            )
            .fetch_all(pool)
            .await
            .context("cannot read the people")?;
            let by_role = sqlx::query_as(
                "SELECT person_id, role, count(DISTINCT review_id) FROM credits
                     GROUP BY person_id, role ORDER BY person_id",
            )
            .fetch_all(pool)
            .await
            .context("cannot count the people's films")?;
            (rows, by_role)
        });
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
        let role = filter.role().map(Role::as_str);
        let rows: Vec<(i64, String, Option<i32>, i64, String)> =
            match &self.db {
                Db::Sqlite(pool) => {
                    sqlx::query_as(
                        "SELECT r.id, r.title, r.year, r.grade_rank, group_concat(DISTINCT c.role)
                 FROM credits c JOIN reviews r ON r.id = c.review_id
                 WHERE c.person_id IN (SELECT value FROM json_each($1))
                 GROUP BY r.id
                 HAVING $2 IS NULL OR max(c.role = $2)
                 ORDER BY r.year IS NULL, r.year, r.title_key, r.id",
                    )
                    .bind(id_list(people))
                    .bind(role)
                    .fetch_all(pool)
                    .await
                }
                // Titles in byte order, as SQLite compares them, whatever the database's locale.
                Db::Postgres(pool) => sqlx::query_as(
                    r#"SELECT r.id, r.title, r.year, r.grade_rank, string_agg(DISTINCT c.role, ',')
                   FROM credits c JOIN reviews r ON r.id = c.review_id
                   WHERE c.person_id = ANY($1)
                   GROUP BY r.id
                   HAVING CAST($2 AS TEXT) IS NULL OR bool_or(c.role = $2)
                   ORDER BY r.year IS NULL, r.year, r.title_key COLLATE "C", r.id"#,
                )
                .bind(people)
                .bind(role)
                .fetch_all(pool)
                .await,
            }
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
        // The page's ids first, from indexes alone; then only those rows are read. Each
        // engine's order is the one its index `reviews_best` holds.
        let page = |condition: &str, n: usize, undated: &str| {
            format!(
                "SELECT r.id, r.title, r.year, r.grade_rank
                 FROM (SELECT id FROM reviews WHERE {condition}
                       ORDER BY grade_rank, {undated}(reviewed_on, '') DESC, id DESC
                       LIMIT ${limit} OFFSET ${offset}) AS page
                 JOIN reviews r ON r.id = page.id
                 ORDER BY r.grade_rank, {undated}(r.reviewed_on, '') DESC, r.id DESC",
                limit = n + 1,
                offset = n + 2,
            )
        };
        let (limit, offset) = (i64::from(limit), i64::from(offset));
        let rows: Vec<(i64, String, Option<i32>, i64)> = match &self.db {
            Db::Sqlite(pool) => {
                let (condition, binds) = scope.condition(Dialect::Sqlite);
                let sql = page(&condition, binds.len(), "ifnull");
                bind_sqlite(sqlx::query_as(&sql), binds)
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(pool)
                    .await
            }
            Db::Postgres(pool) => {
                let (condition, binds) = scope.condition(Dialect::Postgres);
                let sql = page(&condition, binds.len(), "COALESCE");
                bind_postgres(sqlx::query_as(&sql), binds)
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(pool)
                    .await
            }
        }
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
        let sql = |condition: &str| {
            format!(
                "SELECT grade_rank, count(*) FROM reviews WHERE {condition} GROUP BY grade_rank"
            )
        };
        let rows: Vec<(i64, i64)> = match &self.db {
            Db::Sqlite(pool) => {
                let (condition, binds) = scope.condition(Dialect::Sqlite);
                bind_sqlite(sqlx::query_as(&sql(&condition)), binds)
                    .fetch_all(pool)
                    .await
            }
            Db::Postgres(pool) => {
                let (condition, binds) = scope.condition(Dialect::Postgres);
                bind_postgres(sqlx::query_as(&sql(&condition)), binds)
                    .fetch_all(pool)
                    .await
            }
        }
        .context("cannot count the grades")?;
        let mut counts = GradeCounts::default();
        for (rank, n) in rows {
            counts.add(grade(rank)?, count(n));
        }
        Ok(counts)
    }

    /// A random review in `scope` graded `min_grade` or better.
    pub async fn random_in(&self, scope: &Scope, min_grade: Grade) -> anyhow::Result<Option<i64>> {
        let sql = |condition: &str, n: usize| {
            format!(
                "SELECT id FROM reviews WHERE {condition} AND grade_rank <= ${n}
                 ORDER BY random() LIMIT 1"
            )
        };
        let rank = i64::from(min_grade.rank());
        match &self.db {
            Db::Sqlite(pool) => {
                let (condition, binds) = scope.condition(Dialect::Sqlite);
                let n = binds.len() + 1;
                bind_sqlite(sqlx::query_as(&sql(&condition, n)), binds)
                    .bind(rank)
                    .fetch_optional(pool)
                    .await
            }
            Db::Postgres(pool) => {
                let (condition, binds) = scope.condition(Dialect::Postgres);
                let n = binds.len() + 1;
                bind_postgres(sqlx::query_as(&sql(&condition, n)), binds)
                    .bind(rank)
                    .fetch_optional(pool)
                    .await
            }
        }
        .map(|row: Option<(i64,)>| row.map(|(id,)| id))
        .context("cannot pick a random review")
    }

    /// Reviews matching `query` (every term, or any when none has all), best first with the
    /// titles weighted highest (bm25 on SQLite, `ts_rank` on PostgreSQL); `limit` of them
    /// from `offset`.
    pub async fn text_search(
        &self,
        query: &TextQuery,
        offset: u32,
        limit: u32,
    ) -> anyhow::Result<TextResults> {
        match &self.db {
            Db::Sqlite(pool) => sqlite_text_search(pool, query, offset, limit).await,
            Db::Postgres(pool) => postgres_text_search(pool, query, offset, limit).await,
        }
    }
}

/// A search result row: id, title, year, grade rank, snippet.
type HitRow = (i64, String, Option<i32>, i64, String);

fn hits(rows: Vec<HitRow>) -> anyhow::Result<Vec<TextHit>> {
    rows.into_iter()
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
        .collect()
}

/// FTS5: bm25 with the column weights of `reviews_fts`, `snippet()` from the best column.
async fn sqlite_text_search(
    pool: &SqlitePool,
    query: &TextQuery,
    offset: u32,
    limit: u32,
) -> anyhow::Result<TextResults> {
    let all = query.all();
    let mut total = sqlite_text_matches(pool, &all).await?;
    let mut expression = all;
    let any_term = total == 0 && query.terms.len() > 1;
    if any_term {
        expression = query.any();
        total = sqlite_text_matches(pool, &expression).await?;
    }
    let rows: Vec<HitRow> = sqlx::query_as(
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
    .fetch_all(pool)
    .await
    .with_context(|| format!("cannot search the reviews for {expression}"))?;
    Ok(TextResults {
        hits: hits(rows)?,
        total,
        any_term,
    })
}

async fn sqlite_text_matches(pool: &SqlitePool, expression: &str) -> anyhow::Result<u32> {
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM reviews_fts WHERE reviews_fts MATCH ?")
        .bind(expression)
        .fetch_one(pool)
        .await
        .with_context(|| format!("cannot count the reviews matching {expression}"))?;
    Ok(count(n))
}

/// PostgreSQL: `fts @@ to_tsquery('marquee', …)` (the text search configuration of
/// `reviews.fts`, migrations-postgres/0001: punctuation blanked, accents and case folded),
/// ranked by `ts_rank` with the weights of the `fts` classes in its order D, C, B, A — the
/// body, the tagline, the pull quote, the titles: SQLite's bm25 weights 1, 2, 3 and 10, scaled
/// to 1 —, normalised by the length of the review as bm25 is; snippets by `ts_headline` with
/// SQLite's marks and ellipses.
async fn postgres_text_search(
    pool: &PgPool,
    query: &TextQuery,
    offset: u32,
    limit: u32,
) -> anyhow::Result<TextResults> {
    let any = tsquery(&query.terms, " | ");
    let all = tsquery(&query.terms, " & ");
    let mut total = postgres_text_matches(pool, &all).await?;
    let mut expression = all;
    let any_term = total == 0 && query.terms.len() > 1;
    if any_term {
        expression = any.clone();
        total = postgres_text_matches(pool, &expression).await?;
    }
    // The page first, ranked from the stored vectors alone; then headlines for its rows only.
    // A headline comes from the first field that holds any of the terms, of the body, the
    // pull quote, the tagline and the titles (as FTS5's snippet picks a column with the
    // matches), and marks every term it finds.
    let rows: Vec<(i64, String, Option<i32>, i64, String, String)> = sqlx::query_as(
        "WITH q AS (SELECT to_tsquery('marquee', $1) AS q, to_tsquery('marquee', $2) AS any)
         SELECT r.id, r.title, r.year, r.grade_rank, page.doc,
                ts_headline('marquee', page.doc, q.any, $5)
         FROM (SELECT r.id,
                      ts_rank('{0.1,0.2,0.3,1.0}', r.fts, q.q, 1) AS rank,
                      CASE WHEN ts_filter(r.fts, '{d}') @@ q.any THEN r.body
                           WHEN ts_filter(r.fts, '{b}') @@ q.any
                                THEN COALESCE(r.pull_quote, '')
                           WHEN ts_filter(r.fts, '{c}') @@ q.any
                                THEN COALESCE(r.tagline, '')
                           ELSE concat_ws(' / ', r.title, r.other_titles)
                      END AS doc
               FROM reviews r, q
               WHERE r.fts @@ q.q
               ORDER BY rank DESC, r.id
               LIMIT $3 OFFSET $4) AS page
         JOIN reviews r ON r.id = page.id, q
         ORDER BY page.rank DESC, r.id",
    )
    .bind(&expression)
    .bind(&any)
    .bind(i64::from(limit))
    .bind(i64::from(offset))
    .bind(headline_options())
    .fetch_all(pool)
    .await
    .with_context(|| format!("cannot search the reviews for {expression}"))?;
    let rows = rows
        .into_iter()
        .map(|(id, title, year, rank, doc, headline)| {
            (id, title, year, rank, fts5_shaped(&headline, &doc))
        })
        .collect();
    Ok(TextResults {
        hits: hits(rows)?,
        total,
        any_term,
    })
}

async fn postgres_text_matches(pool: &PgPool, expression: &str) -> anyhow::Result<u32> {
    let n: i64 =
        sqlx::query_scalar("SELECT count(*) FROM reviews WHERE fts @@ to_tsquery('marquee', $1)")
            .bind(expression)
            .fetch_one(pool)
            .await
            .with_context(|| format!("cannot count the reviews matching {expression}"))?;
    Ok(count(n))
}

/// `ts_headline`'s options: SQLite's marks, and about as many words as its snippets.
fn headline_options() -> String {
    format!(
        "StartSel={MATCH_START}, StopSel={MATCH_END}, MaxWords={SNIPPET_WORDS}, \
         MinWords={min}, MaxFragments=1",
        min = SNIPPET_WORDS / 2,
    )
}

/// A headline in the shape of FTS5's snippets: `…` where it cuts its text, and matched words
/// with only spaces or one joining character between them (a phrase, `well-made`) marked as
/// one.
fn fts5_shaped(headline: &str, doc: &str) -> String {
    let plain: String = headline
        .chars()
        .filter(|c| *c != MATCH_START && *c != MATCH_END)
        .collect();
    let (plain, doc) = (plain.trim(), doc.trim());
    let mut out = String::with_capacity(headline.len() + 6);
    if !doc.starts_with(plain) {
        out.push('…');
    }
    out.push_str(&joined_marks(headline.trim()));
    if !doc.ends_with(plain) {
        out.push('…');
    }
    out
}

/// Drops an end mark and the start mark after it when only spaces, or one character that is
/// neither a letter nor a digit, lie between them: `⁽a⁾ ⁽b⁾` becomes `⁽a b⁾`.
fn joined_marks(marked: &str) -> String {
    let mut out = String::with_capacity(marked.len());
    let mut chars = marked.chars().peekable();
    while let Some(c) = chars.next() {
        if c != MATCH_END {
            out.push(c);
            continue;
        }
        let mut gap = String::new();
        while let Some(&next) = chars.peek() {
            if next == MATCH_START || next == MATCH_END || next.is_alphanumeric() {
                break;
            }
            gap.push(next);
            chars.next();
        }
        let joins = gap.chars().all(char::is_whitespace) || gap.chars().count() == 1;
        if joins && chars.peek() == Some(&MATCH_START) {
            chars.next();
        } else {
            out.push(MATCH_END);
        }
        out.push_str(&gap);
    }
    out
}

/// The [`TextQuery`] terms (FTS5 strings: `"word"`, `"two words"`, `"prefix"*`) as
/// `to_tsquery` text joined by `op`: each word a quoted lexeme, a phrase's words joined by
/// `<->`, a prefix's last word `:*`. The words hold only letters and digits (the quoting is
/// escaped all the same), so no input makes the text malformed; `to_tsquery` folds each
/// word as the documents were folded.
fn tsquery(terms: &[String], op: &str) -> String {
    let mut parts = Vec::with_capacity(terms.len());
    for term in terms {
        let (inner, prefix) = match term.strip_suffix('*') {
            Some(inner) => (inner, true),
            None => (term.as_str(), false),
        };
        let inner = inner.trim_matches('"').replace("\"\"", "\"");
        let words: Vec<String> = inner
            .split_whitespace()
            .map(|w| format!("'{}'", w.replace('\\', "\\\\").replace('\'', "''")))
            .collect();
        if words.is_empty() {
            continue;
        }
        let mut phrase = words.join(" <-> ");
        if prefix {
            phrase.push_str(":*");
        }
        parts.push(if words.len() > 1 {
            format!("({phrase})")
        } else {
            phrase
        });
    }
    parts.join(op)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(text: &str) -> String {
        text.replace('<', &MATCH_START.to_string())
            .replace('>', &MATCH_END.to_string())
    }

    #[test]
    fn headlines_take_the_shape_of_fts5_snippets() {
        let doc = "One two three four five.";
        assert_eq!(fts5_shaped(&marks("<One> two"), doc), marks("<One> two…"));
        assert_eq!(
            fts5_shaped(&marks("three <four> five."), doc),
            marks("…three <four> five.")
        );
        assert_eq!(
            fts5_shaped(&marks("two <three>"), doc),
            marks("…two <three>…")
        );
        assert_eq!(fts5_shaped(doc, doc), doc);
        assert_eq!(
            joined_marks(&marks("a <well>-<made> <film>, <b> c <d>")),
            marks("a <well-made film>, <b> c <d>")
        );
        assert_eq!(joined_marks(&marks("<a>>")), marks("<a>>"));
        assert_eq!(joined_marks(&marks("<a> ")), marks("<a> "));
    }

    #[test]
    fn terms_become_quoted_tsquery_lexemes() {
        let q = TextQuery::parse("Café \"small town\" masterpi* \"border tow\"*").unwrap();
        assert_eq!(
            tsquery(&q.terms, " & "),
            "'Café' & ('small' <-> 'town') & 'masterpi':* & ('border' <-> 'tow':*)"
        );
        assert_eq!(tsquery(&q.terms, " | ").matches(" | ").count(), 3);
        // Whatever a term holds, quotes and backslashes stay inside the lexeme.
        let odd = ["\"it's\\\"".to_owned(), "\"\"*".to_owned()];
        assert_eq!(tsquery(&odd, " & "), "'it''s\\\\'");
    }
}
