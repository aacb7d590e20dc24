//! What an import means for the archive, decided before anything is written: a pure function
//! of the parsed pages and the reviews the archive already holds.
//!
//! A page is a file (or a feed item) and holds one review or many (a letter page's capsules).
//! Identity follows the page: each review of a page imported again is paired with the review
//! that page gave before — the same film, or failing that the same review under a corrected
//! title or year — and a paired review keeps its id. A review the page no longer holds is
//! retired, unless another page of the same import now holds its film (a capsule moved
//! between pages keeps its id and is not announced again). A page with a part that failed
//! retires nothing, since the broken part may be the review that seems gone.

use std::collections::{HashMap, HashSet};

use super::write::{FileOutcome, Outcome};
use crate::review::{ParseError, Part, Review};
use crate::search::normalize;

/// A film's identity: normalised title and year.
pub(super) type Identity = (String, Option<i32>);

pub(super) fn identity(key: &str, year: Option<i32>) -> Identity {
    (key.to_owned(), year)
}

/// A review of one page, parsed, with the identity its film is stored under.
pub(crate) struct Parsed {
    pub(super) path: String,
    /// The line the review starts on (for errors that name it).
    pub(super) line: usize,
    pub(super) review: Result<(Review, String), ParseError>,
}

/// One page: its path (as recorded) and what it holds, in order. Never empty.
pub(crate) struct Page {
    pub(super) path: String,
    pub(super) reviews: Vec<Parsed>,
}

impl Page {
    /// Works out each review's identity (CPU work, for the parsing threads). A film the page
    /// holds twice is stored once: the later capsule fails, naming the first's line.
    pub(crate) fn new(path: String, parts: Vec<Part>) -> Page {
        let mut seen: HashMap<Identity, usize> = HashMap::new();
        let reviews = parts
            .into_iter()
            .map(|part| {
                let review = part.review.and_then(|r| {
                    let key = normalize(&r.title);
                    match seen.get(&identity(&key, r.year())) {
                        Some(first) => Err(ParseError {
                            line: Some(part.line),
                            message: format!(
                                "{} is on this page twice: the review at line {first} is the \
                                 one stored",
                                film_name(&r.title, r.year())
                            ),
                        }),
                        None => {
                            seen.insert(identity(&key, r.year()), part.line);
                            Ok((r, key))
                        }
                    }
                });
                Parsed {
                    path: path.clone(),
                    line: part.line,
                    review,
                }
            })
            .collect();
        Page { path, reviews }
    }

    /// Whether every part of the page is a review.
    pub(super) fn whole(&self) -> bool {
        self.reviews.iter().all(|p| p.review.is_ok())
    }

    pub(super) fn films(&self) -> impl Iterator<Item = (&Review, &str)> {
        self.reviews
            .iter()
            .filter_map(|p| p.review.as_ref().ok())
            .map(|(r, key)| (r, key.as_str()))
    }
}

/// `“Title” (1999)`, or without the year when it has none.
pub(super) fn film_name(title: &str, year: Option<i32>) -> String {
    match year {
        Some(year) => format!("“{title}” ({year})"),
        None => format!("“{title}”"),
    }
}

/// Takes from the front of `rest` the pages up to (not including) the first that repeats a
/// path or a film already in the round: a round stores each film and each page once, so a
/// film filed twice is stored in order (the second file's round updates what the first's
/// added).
pub(super) fn split_round(rest: &mut Vec<Page>) -> Vec<Page> {
    let mut films = HashSet::new();
    let mut paths = HashSet::new();
    let cut = rest
        .iter()
        .position(|page| {
            if !paths.insert(page.path.as_str()) {
                return true;
            }
            let ids: Vec<Identity> = page
                .films()
                .map(|(r, key)| identity(key, r.year()))
                .collect();
            if ids.iter().any(|id| films.contains(id)) {
                return true;
            }
            films.extend(ids);
            false
        })
        // A first page is always taken, whatever it repeats.
        .map_or(rest.len(), |cut| cut.max(1));
    let tail = rest.split_off(cut.min(rest.len()));
    std::mem::replace(rest, tail)
}

/// A review the archive already holds, as the plan needs it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Existing {
    pub(super) id: i64,
    pub(super) title: String,
    pub(super) key: String,
    pub(super) year: Option<i32>,
    pub(super) raw_text: String,
    pub(super) body: String,
    pub(super) grade: String,
    pub(super) source_path: Option<String>,
    pub(super) url: Option<String>,
}

/// What one review of a round does.
#[derive(Debug, PartialEq)]
pub(super) enum Step<'a> {
    /// It did not parse.
    Failed,
    /// Its corrected identity is another page's film: nothing is written.
    Conflict { message: String, other: String },
    /// The same text as stored; the film's `source_path` moves to this page if it came from
    /// another (a file moved or renamed keeps its film).
    Unchanged(&'a Existing),
    /// Added (`before` is `None`) or updated in place, by identity.
    Upsert { before: Option<&'a Existing> },
    /// The review its page gave before, under another title or year: it takes the new
    /// identity and keeps its id.
    Rename { from: &'a Existing },
}

/// A round's plan.
#[derive(Debug, Default)]
pub(super) struct Plan<'a> {
    /// For each page of the round, for each of its reviews, what it does.
    pub(super) steps: Vec<Vec<Step<'a>>>,
    /// The renames, as (page, review), in an order in which each new identity is free when
    /// it is taken.
    pub(super) renames: Vec<(usize, usize)>,
    /// Reviews their page no longer holds: retired before anything else is written.
    pub(super) retired: Vec<&'a Existing>,
}

/// How alike two texts' words are (Jaccard over lower-case words): 1 for the same words.
fn word_likeness(a: &str, b: &str) -> f64 {
    let words = |t: &str| -> HashSet<String> {
        t.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (a, b) = (words(a), words(b));
    let union = a.union(&b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(&b).count() as f64 / union as f64
}

/// Bodies sharing at least this share of their words are one review, corrected.
const SAME_BODY: f64 = 0.5;
/// Titles (normalised) at least this alike, of the same year, are one film, corrected.
const SAME_TITLE: f64 = 0.8;

/// How surely the new review `(review, key)` is the stored `old` under a corrected header:
/// `None` when it is not.
fn likeness(review: &Review, key: &str, old: &Existing) -> Option<f64> {
    if key == old.key {
        // The year was corrected.
        return Some(2.0);
    }
    let body = word_likeness(&review.body, &old.body);
    let title = if review.year() == old.year {
        strsim::normalized_levenshtein(key, &old.key)
    } else {
        0.0
    };
    [(body, SAME_BODY), (title, SAME_TITLE)]
        .into_iter()
        .filter(|(score, floor)| score >= floor)
        .map(|(score, _)| score)
        .reduce(f64::max)
}

/// Pairs each review of a page with the review it was before, if any: by identity first; then
/// a page of one review with the one review it gave (a corrected title or year, as a single
/// file always was); then by likeness, best first. Returns, for each new review, the index of
/// its old one.
pub(super) fn pair(news: &[Option<(&Review, &str)>], olds: &[&Existing]) -> Vec<Option<usize>> {
    let mut paired: Vec<Option<usize>> = vec![None; news.len()];
    let mut taken = vec![false; olds.len()];
    for (n, new) in news.iter().enumerate() {
        let Some((review, key)) = new else { continue };
        let found = olds.iter().enumerate().position(|(o, old)| {
            !taken.get(o).copied().unwrap_or(true) && old.key == *key && old.year == review.year()
        });
        if let Some(o) = found {
            if let (Some(slot), Some(t)) = (paired.get_mut(n), taken.get_mut(o)) {
                *slot = Some(o);
                *t = true;
            }
        }
    }
    let free_news: Vec<usize> = (0..news.len())
        .filter(|&n| matches!(news.get(n), Some(Some(_))) && paired.get(n) == Some(&None))
        .collect();
    let free_olds: Vec<usize> = (0..olds.len())
        .filter(|&o| taken.get(o) == Some(&false))
        .collect();
    if let ([n], [o], [_]) = (free_news.as_slice(), free_olds.as_slice(), news) {
        if let Some(slot) = paired.get_mut(*n) {
            *slot = Some(*o);
        }
        return paired;
    }
    let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
    for &n in &free_news {
        let Some(Some((review, key))) = news.get(n) else {
            continue;
        };
        for &o in &free_olds {
            if let Some(score) = olds.get(o).and_then(|old| likeness(review, key, old)) {
                candidates.push((score, n, o));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    for (_, n, o) in candidates {
        if paired.get(n) == Some(&None) && taken.get(o) == Some(&false) {
            if let (Some(slot), Some(t)) = (paired.get_mut(n), taken.get_mut(o)) {
                *slot = Some(o);
                *t = true;
            }
        }
    }
    paired
}

/// Decides what each review of a round does, and which stored reviews are retired.
///
/// `by_identity` holds the stored reviews of every film of the round; `by_path` the stored
/// reviews of every page of the round, by path. A review paired with its page's old one
/// under another identity renames it, in an order in which every new identity is free when it
/// is taken (a review renamed away, or retired, frees its identity). A rename onto a film that
/// stays, imported from another page, is a conflict: neither review changes. Any other review
/// is stored by identity: added, or updated (taking the film over from another page, as a
/// moved file does).
pub(super) fn plan_round<'a>(
    round: &[Page],
    by_identity: &'a HashMap<Identity, Existing>,
    by_path: &'a HashMap<String, Vec<Existing>>,
) -> Plan<'a> {
    let mut plan = Plan {
        steps: round
            .iter()
            .map(|page| page.reviews.iter().map(|_| Step::Failed).collect())
            .collect(),
        ..Plan::default()
    };
    let (own, unpaired) = pair_pages(round, by_path);
    plan.retired = retirements(round, &own, unpaired);
    let mut moved: HashSet<i64> = plan.retired.iter().map(|old| old.id).collect();
    let mut decided = plan_renames(round, &own, by_identity, &mut moved, &mut plan);
    for (p, page) in round.iter().enumerate() {
        for (r, parsed) in page.reviews.iter().enumerate() {
            if !decided.insert((p, r)) {
                continue;
            }
            let Ok((review, key)) = &parsed.review else {
                continue;
            };
            let step = match by_identity.get(&identity(key, review.year())) {
                // Its review is renamed away or retired in this round: the film is new.
                Some(holder) if moved.contains(&holder.id) => Step::Upsert { before: None },
                Some(film) if film.raw_text == review.raw_text && film.url == review.url => {
                    Step::Unchanged(film)
                }
                found => Step::Upsert { before: found },
            };
            set(&mut plan.steps, (p, r), step);
        }
    }
    plan
}

/// Where a review is in a round: its page, and its place in the page.
type At = (usize, usize);

/// Each page's reviews paired with what the page gave before ([`pair`]); and the old reviews
/// of the pages with no part failing that nothing paired with (candidates for retirement).
fn pair_pages<'a>(
    round: &[Page],
    by_path: &'a HashMap<String, Vec<Existing>>,
) -> (HashMap<At, &'a Existing>, Vec<&'a Existing>) {
    let mut own: HashMap<At, &'a Existing> = HashMap::new();
    let mut unpaired: Vec<&'a Existing> = Vec::new();
    for (p, page) in round.iter().enumerate() {
        let olds: Vec<&'a Existing> = by_path
            .get(&page.path)
            .map(|v| v.iter().collect())
            .unwrap_or_default();
        let news: Vec<Option<(&Review, &str)>> = page
            .reviews
            .iter()
            .map(|r| r.review.as_ref().ok().map(|(r, k)| (r, k.as_str())))
            .collect();
        let mut kept = vec![false; olds.len()];
        for (r, o) in pair(&news, &olds).into_iter().enumerate() {
            if let Some(o) = o {
                if let (Some(old), Some(k)) = (olds.get(o), kept.get_mut(o)) {
                    own.insert((p, r), old);
                    *k = true;
                }
            }
        }
        if page.whole() {
            unpaired.extend(
                olds.iter()
                    .zip(&kept)
                    .filter(|(_, kept)| !**kept)
                    .map(|(old, _)| *old),
            );
        }
    }
    (own, unpaired)
}

/// The unpaired old reviews that are retired: all but those whose film the round stores by
/// identity (not through its page's old review), which are taken over instead.
fn retirements<'a>(
    round: &[Page],
    own: &HashMap<At, &'a Existing>,
    unpaired: Vec<&'a Existing>,
) -> Vec<&'a Existing> {
    let claimed: HashSet<Identity> = round
        .iter()
        .enumerate()
        .flat_map(|(p, page)| {
            page.reviews
                .iter()
                .enumerate()
                .filter_map(move |(r, parsed)| {
                    let (review, key) = parsed.review.as_ref().ok()?;
                    Some(((p, r), identity(key, review.year())))
                })
        })
        .filter(|(at, _)| !own.contains_key(at))
        .map(|(_, id)| id)
        .collect();
    unpaired
        .into_iter()
        .filter(|old| !claimed.contains(&(old.key.clone(), old.year)))
        .collect()
}

/// The renames (a review paired with its page's old one under another identity), in an order
/// in which each new identity is free when it is taken; those whose identity stays taken are
/// conflicts. `moved` (the reviews retired) gains the renamed. Returns the reviews decided.
fn plan_renames<'a>(
    round: &[Page],
    own: &HashMap<At, &'a Existing>,
    by_identity: &'a HashMap<Identity, Existing>,
    moved: &mut HashSet<i64>,
    plan: &mut Plan<'a>,
) -> HashSet<At> {
    let mut decided = HashSet::new();
    let mut pending: Vec<(At, &'a Existing, Identity)> = Vec::new();
    for (&at, &old) in own {
        let Some(Ok((review, key))) = round
            .get(at.0)
            .and_then(|page| page.reviews.get(at.1))
            .map(|parsed| parsed.review.as_ref())
        else {
            continue;
        };
        let target = identity(key, review.year());
        if (old.key.as_str(), old.year) != (target.0.as_str(), target.1) {
            pending.push((at, old, target));
        }
    }
    pending.sort_by_key(|(at, _, _)| *at);
    loop {
        let before = pending.len();
        pending.retain(|(at, old, target)| {
            let free = by_identity
                .get(target)
                .is_none_or(|holder| moved.contains(&holder.id));
            if free {
                moved.insert(old.id);
                plan.renames.push(*at);
                decided.insert(*at);
                set(&mut plan.steps, *at, Step::Rename { from: old });
            }
            !free
        });
        if pending.len() == before {
            break;
        }
    }
    for (at, old, target) in pending {
        let parsed = round.get(at.0).and_then(|page| page.reviews.get(at.1));
        let (Some(Ok((review, _))), Some(holder)) =
            (parsed.map(|p| p.review.as_ref()), by_identity.get(&target))
        else {
            continue;
        };
        let other = holder.source_path.clone().unwrap_or_default();
        let message = format!(
            "its title and year are now {new}, the film of the review imported from {other}: \
             neither review was changed, and this one is still {old} (correct one of the two, \
             or retire the other with `marquee remove {other}`)",
            new = film_name(&review.title, review.year()),
            old = film_name(&old.title, old.year),
        );
        decided.insert(at);
        set(&mut plan.steps, at, Step::Conflict { message, other });
    }
    decided
}

/// A round's outcomes (a page's one after the other) with each retired review's placed after
/// the rest of its page, so that a page's outcomes come together.
pub(super) fn in_page_order(outcomes: Vec<FileOutcome>, retired: &[&Existing]) -> Vec<FileOutcome> {
    let mut retired_from: HashMap<&str, Vec<FileOutcome>> = HashMap::new();
    for old in retired {
        let path = old.source_path.as_deref().unwrap_or_default();
        retired_from.entry(path).or_default().push(FileOutcome {
            path: path.to_owned(),
            outcome: Outcome::Retired,
            review_id: None,
            line: None,
            error: None,
            conflict_with: None,
            film: Some(crate::present::title_with_year(&old.title, old.year)),
        });
    }
    let mut ordered = Vec::with_capacity(outcomes.len() + retired.len());
    let mut each = outcomes.into_iter().peekable();
    while let Some(outcome) = each.next() {
        let last = each.peek().is_none_or(|next| next.path != outcome.path);
        let path = outcome.path.clone();
        ordered.push(outcome);
        if last {
            ordered.extend(retired_from.remove(path.as_str()).unwrap_or_default());
        }
    }
    // A page whose every review is gone has no outcome of its own to follow; in path order.
    let mut rest: Vec<_> = retired_from.into_iter().collect();
    rest.sort_by(|a, b| a.0.cmp(b.0));
    ordered.extend(rest.into_iter().flat_map(|(_, gone)| gone));
    ordered
}

fn set<'a>(steps: &mut [Vec<Step<'a>>], (p, r): (usize, usize), step: Step<'a>) {
    if let Some(slot) = steps.get_mut(p).and_then(|page| page.get_mut(r)) {
        *slot = step;
    }
}

#[cfg(test)]
mod tests;
