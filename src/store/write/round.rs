//! An import's transaction, round by round: what the plan (`store::plan`) decided for each
//! review of the round's pages, carried out by the statements of [`Tx`], the same steps on
//! either engine.

use std::collections::HashMap;

use anyhow::Context;

use super::super::plan::{
    identity, in_page_order, plan_round, split_round, Existing, Identity, Page, Parsed, Plan, Step,
};
use super::queue::Regrade;
use super::tx::{Credit, Tx};
use super::{FileOutcome, Outcome};
use crate::present::title_with_year;
use crate::review::{Review, Role};

/// What a batch of rounds writes with, beside its transaction.
pub(super) struct Batch<'a> {
    pub(super) import_id: i64,
    /// The people the archive has, by name, as far as the import has seen them.
    pub(super) people: &'a mut HashMap<String, i64>,
    /// The names `people` gained in this batch (forgotten if it does not commit).
    pub(super) fresh: &'a mut Vec<String>,
    pub(super) announce: bool,
}

/// Stores `first` and then further batches from `more` in `tx`, round by round, until it
/// holds `reviews` reviews or `more` runs dry, with the import log's rows and counts; then
/// commits.
pub(super) async fn write_rounds(
    mut tx: Tx<'_>,
    mut batch: Batch<'_>,
    first: Vec<Page>,
    more: &mut tokio::sync::mpsc::Receiver<Vec<Page>>,
    reviews: usize,
) -> anyhow::Result<Vec<FileOutcome>> {
    let mut outcomes = Vec::with_capacity(first.len());
    let mut next = Some(first);
    while let Some(mut rest) = next.take() {
        while !rest.is_empty() {
            let round = split_round(&mut rest);
            outcomes.extend(store_round(&mut tx, round, &mut batch).await?);
        }
        if outcomes.len() < reviews {
            next = more.recv().await;
        }
    }
    tx.log(batch.import_id, &outcomes).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// Every review of a round, where it is (page, review), and its step.
type Each<'r, 'e> = Vec<((usize, usize), &'r Parsed, &'r Step<'e>)>;

/// Stores one round: pages of distinct paths and distinct films. What the pages no longer
/// hold goes first (freeing its films), then the renames in the planned order (so that each
/// identity is free when it is taken), then the moves of unchanged films, then the reviews
/// added or updated by identity, their announcements and their credits.
async fn store_round(
    tx: &mut Tx<'_>,
    round: Vec<Page>,
    batch: &mut Batch<'_>,
) -> anyhow::Result<Vec<FileOutcome>> {
    let by_identity = existing_films(tx, &round).await?;
    let by_path = imported_from(tx, &round).await?;
    let plan = plan_round(&round, &by_identity, &by_path);
    let retired: Vec<i64> = plan.retired.iter().map(|old| old.id).collect();
    tx.retire(&retired).await?;
    let renamed = rename(tx, &round, &plan).await?;
    let mut each: Each = Vec::new();
    for (p, (page, steps)) in round.iter().zip(&plan.steps).enumerate() {
        for (r, (parsed, step)) in page.reviews.iter().zip(steps).enumerate() {
            each.push(((p, r), parsed, step));
        }
    }
    for &(_, parsed, step) in &each {
        if let Step::Unchanged(film) = step {
            if film.source_path.as_deref() != Some(parsed.path.as_str()) {
                tx.move_source(film.id, &parsed.path).await?;
            }
        }
    }
    let writes: Vec<(&Review, &str, &str)> = each
        .iter()
        .filter_map(|&(_, parsed, step)| match (step, &parsed.review) {
            (Step::Upsert { .. }, Ok((review, key))) => {
                Some((review, key.as_str(), parsed.path.as_str()))
            }
            _ => None,
        })
        .collect();
    let ids = tx.upsert(&writes).await?;
    let tally = tally(&each, &renamed, &ids)?;
    if batch.announce {
        tx.queue_announcements(&tally.added).await?;
        tx.queue_regrades(&tally.regraded).await?;
    }
    tx.forget_credits(&tally.updated).await?;
    write_credits(tx, &tally.stored, batch).await?;
    Ok(in_page_order(tally.outcomes, &plan.retired))
}

/// The films of `round` already in the archive, by identity.
async fn existing_films(
    tx: &mut Tx<'_>,
    round: &[Page],
) -> anyhow::Result<HashMap<Identity, Existing>> {
    let keys = round
        .iter()
        .flat_map(Page::films)
        .map(|(_, key)| key)
        .collect();
    // Another year of a film in the round is just not asked for.
    Ok(tx
        .existing_where("title_key", keys)
        .await?
        .into_iter()
        .map(|e| ((e.key.clone(), e.year), e))
        .collect())
}

/// The reviews each page of `round` gave before, by path (pages that hold no review now are
/// not asked about: they change nothing), in id order so that the plan is the same whatever
/// order the rows came in.
async fn imported_from(
    tx: &mut Tx<'_>,
    round: &[Page],
) -> anyhow::Result<HashMap<String, Vec<Existing>>> {
    let paths = round
        .iter()
        .filter(|page| page.films().next().is_some())
        .map(|page| page.path.as_str())
        .collect();
    let mut found: HashMap<String, Vec<Existing>> = HashMap::new();
    for e in tx.existing_where("source_path", paths).await? {
        if let Some(path) = e.source_path.clone() {
            found.entry(path).or_default().push(e);
        }
    }
    for olds in found.values_mut() {
        olds.sort_by_key(|e| e.id);
    }
    Ok(found)
}

/// Carries out the plan's renames in its order; returns the id each renamed review kept.
async fn rename(
    tx: &mut Tx<'_>,
    round: &[Page],
    plan: &Plan<'_>,
) -> anyhow::Result<HashMap<(usize, usize), i64>> {
    let mut renamed = HashMap::new();
    for &(p, r) in &plan.renames {
        let parsed = round.get(p).and_then(|page| page.reviews.get(r));
        let step = plan.steps.get(p).and_then(|page| page.get(r));
        if let (Some(parsed), Some(Step::Rename { from })) = (parsed, step) {
            if let Ok((review, key)) = &parsed.review {
                tx.rename(from.id, review, key, &parsed.path).await?;
                renamed.insert((p, r), from.id);
            }
        }
    }
    Ok(renamed)
}

/// What a round did, review by review, once its reviews are written.
#[derive(Default)]
struct Tally<'r> {
    outcomes: Vec<FileOutcome>,
    /// New reviews, with their grade rank, to announce.
    added: Vec<(i64, u8)>,
    /// Reviews updated in place: their credits are written afresh.
    updated: Vec<i64>,
    regraded: Vec<Regrade>,
    /// Every review added or updated, for its credits.
    stored: Vec<(i64, &'r Review)>,
}

/// Each review's outcome, from its step and the id it was written under.
fn tally<'r>(
    each: &Each<'r, '_>,
    renamed: &HashMap<(usize, usize), i64>,
    ids: &HashMap<Identity, i64>,
) -> anyhow::Result<Tally<'r>> {
    let mut tally = Tally::default();
    for &(at, parsed, step) in each {
        let outcome = match step {
            Step::Failed | Step::Conflict { .. } => Outcome::Failed,
            Step::Unchanged(_) => Outcome::Unchanged,
            Step::Upsert { before: None } => Outcome::Added,
            Step::Upsert { before: Some(_) } | Step::Rename { .. } => Outcome::Updated,
        };
        let failed = |line, error: &str, conflict_with: Option<&String>, film| FileOutcome {
            path: parsed.path.clone(),
            outcome,
            review_id: None,
            line,
            error: Some(error.to_owned()),
            conflict_with: conflict_with.cloned(),
            film,
        };
        let review = match (&parsed.review, step) {
            (Err(err), _) => {
                tally
                    .outcomes
                    .push(failed(err.line, &err.message, None, None));
                continue;
            }
            (Ok((review, _)), Step::Conflict { message, other }) => {
                let film = title_with_year(&review.title, review.year());
                tally
                    .outcomes
                    .push(failed(Some(parsed.line), message, Some(other), Some(film)));
                continue;
            }
            (Ok(found), _) => found,
        };
        let (review, key) = (&review.0, &review.1);
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
            Outcome::Added => tally.added.push((id, review.grade.rank())),
            Outcome::Updated => {
                tally.updated.push(id);
                if let Some(before) = before.filter(|b| b.grade != review.grade.as_str()) {
                    tally.regraded.push(Regrade {
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
            tally.stored.push((id, review));
        }
        tally.outcomes.push(FileOutcome {
            path: parsed.path.clone(),
            outcome,
            review_id: Some(id),
            line: Some(parsed.line),
            error: None,
            conflict_with: None,
            film: Some(title_with_year(&review.title, review.year())),
        });
    }
    Ok(tally)
}

/// The credits and other titles of the reviews added or updated, the people they name added
/// to the archive first.
async fn write_credits(
    tx: &mut Tx<'_>,
    stored: &[(i64, &Review)],
    batch: &mut Batch<'_>,
) -> anyhow::Result<()> {
    let mut credits: Vec<Credit> = Vec::new();
    let mut alts: Vec<(i64, &str)> = Vec::new();
    for &(id, review) in stored {
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
    let mut unknown: Vec<&str> = credits
        .iter()
        .map(|c| c.3)
        .filter(|name| !batch.people.contains_key(*name))
        .collect();
    unknown.sort_unstable();
    unknown.dedup();
    for (id, name) in tx.people(&unknown).await? {
        batch.fresh.push(name.clone());
        batch.people.insert(name, id);
    }
    tx.credits(&credits, batch.people).await?;
    tx.alt_titles(&alts).await
}
