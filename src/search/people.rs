//! People search: who a sloppy name means, among everyone credited in the archive.
//!
//! A name is cut into plain ASCII words (`Kyôko` → `kyoko`, `O'Neal` → `oneal`, `J.J.` → `j j`,
//! `Jean-Luc` → `jean luc`). Spellings that share those words are one person (the header says
//! `Cuarón` on one review and `Cuaron` on the next). A query is matched word by word, in order:
//!
//! * a word equal to a name word, or one or two typos from it (by length);
//! * an initial (`j` for `Jean`), or a run of initials (`jl` for `Jean Luc`, `jj` for `J.J.`);
//! * a word that is two name words run together (`jeanluc`, `depalma`), or the reverse;
//! * while typing (autocomplete), the last word may be the start of a name word.
//!
//! How much of the name the query covers matters too: the whole name scores highest, the
//! surname with some of the rest a little less, the surname alone (`kubrick`) less again, and
//! a first name alone less still. When several people fit about equally (a surname shared by
//! four), the outcome is ambiguous and the caller offers a choice.

use std::collections::HashMap;

use serde::Serialize;

use crate::review::Role;

/// The best match must score at least this to be acted on.
pub const MIN_BEST_SCORE: f64 = 0.6;
/// Matches below this are not worth listing.
pub const MIN_CANDIDATE_SCORE: f64 = 0.45;
/// A runner-up within this of the best makes the outcome ambiguous.
pub const AMBIGUITY_GAP: f64 = 0.03;

/// Words of a query or a name looked at; a longer input is cut.
const MAX_WORDS: usize = 8;
/// Suffixes that are part of a name but never its surname.
const SUFFIXES: [&str; 5] = ["jr", "sr", "ii", "iii", "iv"];

/// Which of a person's jobs a search is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RoleFilter {
    Director,
    Cast,
    Writer,
    Any,
}

impl RoleFilter {
    pub const ALL: [RoleFilter; 4] = [
        RoleFilter::Director,
        RoleFilter::Cast,
        RoleFilter::Writer,
        RoleFilter::Any,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RoleFilter::Director => "director",
            RoleFilter::Cast => "cast",
            RoleFilter::Writer => "writer",
            RoleFilter::Any => "any",
        }
    }

    /// `director`, `cast`, `writer` or `any` (also `actor`, `writers` …), any case.
    pub fn parse(text: &str) -> Result<RoleFilter, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "director" | "directors" | "directed" => Ok(RoleFilter::Director),
            "cast" | "actor" | "actors" | "actress" | "acting" => Ok(RoleFilter::Cast),
            "writer" | "writers" | "screenwriter" | "written" => Ok(RoleFilter::Writer),
            "any" | "all" | "" => Ok(RoleFilter::Any),
            other => Err(format!(
                "`{other}` is not a role (expected director, cast, writer or any)"
            )),
        }
    }

    /// The credited job this filter keeps; `None` for any job.
    pub fn role(self) -> Option<Role> {
        match self {
            RoleFilter::Director => Some(Role::Director),
            RoleFilter::Cast => Some(Role::Cast),
            RoleFilter::Writer => Some(Role::Writer),
            RoleFilter::Any => None,
        }
    }
}

/// How many films a person has, per credited job (in [`Role::ALL`] order), and in all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoleCounts {
    pub by_role: [u32; Role::ALL.len()],
    /// Films with any credit (a director who also wrote counts once).
    pub films: u32,
}

impl RoleCounts {
    pub fn get(&self, role: Role) -> u32 {
        Role::ALL
            .iter()
            .position(|r| *r == role)
            .and_then(|i| self.by_role.get(i))
            .copied()
            .unwrap_or(0)
    }

    /// Films under a filter.
    pub fn under(&self, filter: RoleFilter) -> u32 {
        filter.role().map_or(self.films, |role| self.get(role))
    }

    fn add(&mut self, other: &RoleCounts) {
        for (mine, theirs) in self.by_role.iter_mut().zip(other.by_role) {
            *mine += theirs;
        }
        self.films += other.films;
    }

    /// `director of 12, cast in 3`: the jobs, most usual first, with their counts.
    pub fn describe(&self) -> String {
        let order = [
            (Role::Director, "director of"),
            (Role::Writer, "writer of"),
            (Role::Cast, "cast in"),
            (Role::Producer, "producer of"),
            (Role::Cinematographer, "cinematographer of"),
            (Role::Editor, "editor of"),
            (Role::Music, "music for"),
        ];
        order
            .iter()
            .filter_map(|(role, words)| {
                let n = self.get(*role);
                (n > 0).then(|| format!("{words} {n}"))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One row of the `people` table with its counts, as the store gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonRecord {
    pub id: i64,
    pub name: String,
    pub counts: RoleCounts,
}

/// A person: every spelling of one name, merged.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    /// The `people` rows of every spelling, smallest (oldest) first: `ids[0]` names the person
    /// in stored state such as a button's custom id.
    pub ids: Vec<i64>,
    /// The spelling shown: the most credited one (accented over plain among equals).
    pub name: String,
    pub counts: RoleCounts,
    words: Vec<String>,
}

impl Person {
    /// The id that stands for this person.
    pub fn id(&self) -> i64 {
        self.ids.first().copied().unwrap_or(0)
    }
}

/// A person that matches a query, with how well.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonCandidate {
    #[serde(skip)]
    pub id: i64,
    pub name: String,
    /// Films with any credit.
    pub films: u32,
    /// From 0 to 1, rounded to 3 decimals; 1 means every word of the name, exactly.
    pub score: f64,
    #[serde(skip)]
    pub counts: RoleCounts,
}

/// The result of [`PersonIndex::search`].
#[derive(Debug, Clone, PartialEq)]
pub struct PersonOutcome {
    /// The best match, when it is good enough to act on.
    pub best: Option<PersonCandidate>,
    /// Ranked candidates, best first; when `best` is set it is `candidates[0]`.
    pub candidates: Vec<PersonCandidate>,
    /// Another person fits about as well as the best: offer a choice.
    pub ambiguous: bool,
}

/// Everyone credited in the archive, searchable by name. Immutable once built.
#[derive(Debug, Default)]
pub struct PersonIndex {
    people: Vec<Person>,
    /// `people` row id → person.
    by_row: HashMap<i64, u32>,
    /// Distinct name words, sorted, each with the people who have it.
    vocabulary: Vec<(String, Vec<u32>)>,
    /// People by films, most first: the suggestions for empty input.
    by_films: Vec<u32>,
}

#[derive(Debug, Clone, Copy)]
struct Scored {
    person: u32,
    score: f64,
}

impl PersonIndex {
    pub fn new(records: Vec<PersonRecord>) -> PersonIndex {
        let mut groups: HashMap<Vec<String>, Vec<PersonRecord>> = HashMap::new();
        for record in records {
            let words = name_words(&record.name);
            if !words.is_empty() {
                groups.entry(words).or_default().push(record);
            }
        }
        let mut people: Vec<Person> = groups
            .into_iter()
            .map(|(words, mut spellings)| {
                spellings.sort_by_key(|r| r.id);
                let mut counts = RoleCounts::default();
                for s in &spellings {
                    counts.add(&s.counts);
                }
                let shown = spellings
                    .iter()
                    .max_by(|a, b| {
                        a.counts
                            .films
                            .cmp(&b.counts.films)
                            .then(non_ascii(&a.name).cmp(&non_ascii(&b.name)))
                            .then(b.id.cmp(&a.id))
                    })
                    .map(|r| r.name.clone())
                    .unwrap_or_default();
                Person {
                    ids: spellings.iter().map(|s| s.id).collect(),
                    name: shown,
                    counts,
                    words,
                }
            })
            .collect();
        people.sort_by_key(Person::id);
        let mut by_row = HashMap::new();
        let mut postings: HashMap<&str, Vec<u32>> = HashMap::new();
        for (i, person) in people.iter().enumerate() {
            let i = to_u32(i);
            for id in &person.ids {
                by_row.insert(*id, i);
            }
            for word in &person.words {
                let list = postings.entry(word.as_str()).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        let mut vocabulary: Vec<(String, Vec<u32>)> = postings
            .into_iter()
            .map(|(w, list)| (w.to_owned(), list))
            .collect();
        vocabulary.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut by_films: Vec<u32> = (0..to_u32(people.len())).collect();
        by_films.sort_by(|&a, &b| {
            let films = |i: u32| people.get(i as usize).map_or(0, |p| p.counts.films);
            films(b).cmp(&films(a)).then(a.cmp(&b))
        });
        PersonIndex {
            people,
            by_row,
            vocabulary,
            by_films,
        }
    }

    /// Number of people (spellings merged).
    pub fn len(&self) -> usize {
        self.people.len()
    }

    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }

    /// The person a `people` row belongs to (any of their spellings' ids).
    pub fn person(&self, row_id: i64) -> Option<&Person> {
        self.by_row
            .get(&row_id)
            .and_then(|&i| self.people.get(i as usize))
    }

    /// Who `query` means, among people with films under `filter`: the best match and up to
    /// `limit` ranked candidates.
    pub fn search(&self, query: &str, filter: RoleFilter, limit: usize) -> PersonOutcome {
        let ranked = self.rank(query, filter, false);
        let ambiguous = match (ranked.first(), ranked.get(1)) {
            (Some(best), Some(second)) => best.score - second.score < AMBIGUITY_GAP,
            _ => false,
        };
        let best = ranked
            .first()
            .filter(|s| s.score >= MIN_BEST_SCORE)
            .map(|s| self.candidate(s));
        PersonOutcome {
            ambiguous: ambiguous && best.is_some(),
            best,
            candidates: ranked
                .iter()
                .take(limit)
                .map(|s| self.candidate(s))
                .collect(),
        }
    }

    /// Suggestions while the user types: up to `limit` people with films under `filter`,
    /// best first; the last word may be unfinished. Empty input lists the most credited.
    pub fn autocomplete(
        &self,
        partial: &str,
        filter: RoleFilter,
        limit: usize,
    ) -> Vec<PersonCandidate> {
        if name_words(partial).is_empty() {
            return self
                .by_films
                .iter()
                .filter(|&&i| self.films_under(i, filter) > 0)
                .take(limit)
                .map(|&person| self.candidate(&Scored { person, score: 0.0 }))
                .collect();
        }
        self.rank(partial, filter, true)
            .iter()
            .take(limit)
            .map(|s| self.candidate(s))
            .collect()
    }

    fn films_under(&self, person: u32, filter: RoleFilter) -> u32 {
        self.people
            .get(person as usize)
            .map_or(0, |p| p.counts.under(filter))
    }

    /// Everyone `query` matches under `filter`, best first (then most films, then name).
    fn rank(&self, query: &str, filter: RoleFilter, typing: bool) -> Vec<Scored> {
        let mut best: HashMap<u32, f64> = HashMap::new();
        for (words, factor) in readings(query) {
            for person in self.candidates(&words, typing) {
                if self.films_under(person, filter) == 0 {
                    continue;
                }
                let Some(p) = self.people.get(person as usize) else {
                    continue;
                };
                let score = match_score(&words, &p.words, typing) * factor;
                let kept = best.entry(person).or_insert(0.0);
                if score > *kept {
                    *kept = score;
                }
            }
        }
        let mut ranked: Vec<Scored> = best
            .into_iter()
            .filter(|(_, score)| *score >= MIN_CANDIDATE_SCORE)
            .map(|(person, score)| Scored { person, score })
            .collect();
        ranked.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(
                    self.films_under(b.person, filter)
                        .cmp(&self.films_under(a.person, filter)),
                )
                .then(self.directed(b.person).cmp(&self.directed(a.person)))
                .then_with(|| self.name_of(a.person).cmp(self.name_of(b.person)))
                .then(a.person.cmp(&b.person))
        });
        ranked
    }

    /// Films directed: among people equally matched and equally credited, a director is the
    /// likelier meaning of a name typed to a film critic's bot.
    fn directed(&self, person: u32) -> u32 {
        self.people
            .get(person as usize)
            .map_or(0, |p| p.counts.get(Role::Director))
    }

    fn name_of(&self, person: u32) -> &str {
        self.people
            .get(person as usize)
            .map_or("", |p| p.name.as_str())
    }

    /// People worth scoring: those with a word that one of the query's words (or two of them
    /// run together) could match.
    fn candidates(&self, words: &[String], typing: bool) -> Vec<u32> {
        let mut found: Vec<u32> = Vec::new();
        let all_initials = words.iter().all(|w| w.len() == 1);
        let last = words.len().saturating_sub(1);
        for (i, q) in words.iter().enumerate() {
            let prefix = typing && i == last;
            if q.len() == 1 && !(all_initials && prefix) {
                continue;
            }
            for (_, people) in self.words_near(q, prefix) {
                found.extend_from_slice(people);
            }
        }
        for pair in words.windows(2) {
            if let [a, b] = pair {
                let joined = format!("{a}{b}");
                if let Some(people) = self.exact_word(&joined) {
                    found.extend_from_slice(people);
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }

    fn exact_word(&self, word: &str) -> Option<&[u32]> {
        self.vocabulary
            .binary_search_by(|(w, _)| w.as_str().cmp(word))
            .ok()
            .and_then(|i| self.vocabulary.get(i))
            .map(|(_, people)| people.as_slice())
    }

    /// Vocabulary words `q` could match: itself, a typo away, its completions (while typing),
    /// or a piece of it (`de` and `palma` for `depalma`).
    fn words_near<'a>(
        &'a self,
        q: &'a str,
        prefix: bool,
    ) -> impl Iterator<Item = (&'a str, &'a [u32])> + 'a {
        let start = if prefix {
            self.vocabulary.partition_point(|(w, _)| w.as_str() < q)
        } else {
            0
        };
        let completions = self
            .vocabulary
            .get(start..)
            .unwrap_or(&[])
            .iter()
            .take_while(move |(w, _)| prefix && w.starts_with(q));
        let others = self.vocabulary.iter().filter(move |(w, _)| {
            let (wl, ql) = (w.len(), q.len());
            (wl.abs_diff(ql) <= 2 && typo_distance(q, w).is_some())
                || (ql >= 4
                    && wl >= 2
                    && wl < ql
                    && (q.starts_with(w.as_str()) || q.ends_with(w.as_str())))
        });
        completions
            .chain(others)
            .map(|(w, people)| (w.as_str(), people.as_slice()))
    }

    fn candidate(&self, scored: &Scored) -> PersonCandidate {
        let person = self.people.get(scored.person as usize);
        PersonCandidate {
            id: person.map_or(0, Person::id),
            name: person.map(|p| p.name.clone()).unwrap_or_default(),
            films: person.map_or(0, |p| p.counts.films),
            score: (scored.score * 1000.0).round() / 1000.0,
            counts: person.map(|p| p.counts).unwrap_or_default(),
        }
    }
}

/// A name (or a query) as plain lower-case ASCII words: accents folded, apostrophes dropped
/// (`O'Neal` → `oneal`), any other punctuation a break (`J.J.` → `j j`, `Jean-Luc` → `jean luc`).
pub fn name_words(text: &str) -> Vec<String> {
    let ascii = deunicode::deunicode(text);
    let mut words = Vec::new();
    let mut current = String::new();
    for ch in ascii.chars() {
        if ch.is_ascii_alphanumeric() {
            current.push(ch.to_ascii_lowercase());
        } else if ch == '\'' || ch == '`' {
            continue;
        } else if !current.is_empty() {
            words.push(std::mem::take(&mut current));
            if words.len() == MAX_WORDS {
                return words;
            }
        }
    }
    if !current.is_empty() && words.len() < MAX_WORDS {
        words.push(current);
    }
    words
}

/// The ways to read a query, each with a factor: as typed; `Kubrick, Stanley` turned round;
/// two words the other way round (`kubrick stanley`), a little lower.
fn readings(query: &str) -> Vec<(Vec<String>, f64)> {
    let words = name_words(query);
    if words.is_empty() {
        return Vec::new();
    }
    let mut readings = Vec::new();
    if let Some((before, after)) = query.split_once(',') {
        let turned: Vec<String> = name_words(after)
            .into_iter()
            .chain(name_words(before))
            .collect();
        if !turned.is_empty() && turned != words {
            readings.push((turned, 1.0));
        }
    } else if let [a, b] = words.as_slice() {
        readings.push((vec![b.clone(), a.clone()], 0.95));
    }
    readings.insert(0, (words, 1.0));
    readings
}

/// Typos allowed between two words: none up to three letters, one from four, two from eight.
fn typo_distance(a: &str, b: &str) -> Option<usize> {
    let longer = a.len().max(b.len());
    let allowed = match longer {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    };
    if a.len().abs_diff(b.len()) > allowed {
        return None;
    }
    let d = strsim::osa_distance(a, b);
    (d <= allowed).then_some(d)
}

/// How well one query word matches one name word, from 0 (not at all) to 1 (the same word).
/// `prefix`: the query word may be unfinished.
fn word_score(q: &str, w: &str, prefix: bool) -> f64 {
    if q == w {
        return 1.0;
    }
    if q.len() == 1 {
        return if w.starts_with(q) { 0.9 } else { 0.0 };
    }
    if w.len() == 1 {
        return if q.starts_with(w) { 0.85 } else { 0.0 };
    }
    if prefix && w.starts_with(q) {
        return 0.7 + 0.3 * q.len() as f64 / w.len() as f64;
    }
    let typo = typo_distance(q, w).map_or(0.0, |d| 1.0 - 0.12 * d as f64);
    // A word typed short, not as it is being typed (`be` for `ben`, `chris` for
    // `christopher`): less sure than a completion or a typo, and a letter is not enough.
    let short = if q.len() >= 2 && w.starts_with(q) {
        0.6 + 0.3 * q.len() as f64 / w.len() as f64
    } else {
        0.0
    };
    typo.max(short)
}

/// The first letters of name words, run together: `jl` for `jean luc`.
fn initials(words: &[String]) -> String {
    words.iter().filter_map(|w| w.chars().next()).collect()
}

/// One step of the alignment of query words with name words.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    /// One query word, `n` name words (two: run together, or their initials).
    Match {
        n: usize,
    },
    /// Two query words run together, one name word.
    Joined,
    SkipName,
    SkipQuery,
}

/// How well a query's words match a name's words: the query words matched in order, times
/// how much of the name they cover.
fn match_score(query: &[String], name: &[String], typing: bool) -> f64 {
    let (n, m) = (query.len(), name.len());
    if n == 0 || m == 0 {
        return 0.0;
    }
    let best = align(query, name, typing);
    let covered = covered_by(&best, n, m);
    let matched = best
        .first()
        .and_then(|row| row.first())
        .map_or(0.0, |c| c.0)
        / n as f64;
    matched * coverage_factor(name, &covered)
}

/// The best alignment of query words with name words, as a table: `best[i][j]` is the highest
/// total over `query[i..]` and `name[j..]`, and the first step to it.
fn align(query: &[String], name: &[String], typing: bool) -> Vec<Vec<(f64, Step)>> {
    let (n, m) = (query.len(), name.len());
    let mut best = vec![vec![(0.0f64, Step::SkipName); m + 1]; n + 1];
    let get = |best: &Vec<Vec<(f64, Step)>>, i: usize, j: usize| {
        best.get(i).and_then(|row| row.get(j)).map_or(0.0, |c| c.0)
    };
    for i in (0..=n).rev() {
        for j in (0..=m).rev() {
            if i == n || j == m {
                let step = if i == n {
                    Step::SkipName
                } else {
                    Step::SkipQuery
                };
                if let Some(cell) = best.get_mut(i).and_then(|r| r.get_mut(j)) {
                    *cell = (0.0, step);
                }
                continue;
            }
            let (Some(q), Some(w)) = (query.get(i), name.get(j)) else {
                continue;
            };
            let prefix = typing && i + 1 == n;
            let mut options: Vec<(f64, Step)> = vec![
                (get(&best, i, j + 1), Step::SkipName),
                (get(&best, i + 1, j), Step::SkipQuery),
            ];
            let s = word_score(q, w, prefix);
            if s > 0.0 {
                options.push((s + get(&best, i + 1, j + 1), Step::Match { n: 1 }));
            }
            for k in 2..=3 {
                let Some(group) = name.get(j..j + k) else {
                    break;
                };
                let joined = if k == 2 {
                    word_score(q, &group.concat(), prefix)
                } else {
                    0.0
                };
                let initialled = if q.len() == k && *q == initials(group) {
                    0.9
                } else {
                    0.0
                };
                let s = joined.max(initialled);
                if s > 0.0 {
                    options.push((s + get(&best, i + 1, j + k), Step::Match { n: k }));
                }
            }
            if let Some(next) = query.get(i + 1) {
                let joined = format!("{q}{next}");
                let s = word_score(&joined, w, typing && i + 2 == n);
                if s > 0.0 {
                    // Two query words spent: count the match for both.
                    options.push((2.0 * s + get(&best, i + 2, j + 1), Step::Joined));
                }
            }
            let chosen = options
                .into_iter()
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .unwrap_or((0.0, Step::SkipName));
            if let Some(cell) = best.get_mut(i).and_then(|r| r.get_mut(j)) {
                *cell = chosen;
            }
        }
    }
    best
}

/// Which of the `m` name words the best alignment (of `n` query words) covered.
fn covered_by(best: &[Vec<(f64, Step)>], n: usize, m: usize) -> Vec<bool> {
    let mut covered = vec![false; m];
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        let step = best
            .get(i)
            .and_then(|r| r.get(j))
            .map_or(Step::SkipName, |c| c.1);
        match step {
            Step::Match { n: k } => {
                for c in covered.iter_mut().skip(j).take(k) {
                    *c = true;
                }
                i += 1;
                j += k;
            }
            Step::Joined => {
                if let Some(c) = covered.get_mut(j) {
                    *c = true;
                }
                i += 2;
                j += 1;
            }
            Step::SkipName => j += 1,
            Step::SkipQuery => i += 1,
        }
    }
    covered
}

/// How much of a name a match covered: all of it 1; the surname and some of the rest 0.8 to
/// 0.95; the surname alone 0.8; the first name (and maybe middle ones) 0.7 to 0.8; only
/// middle names 0.55.
fn coverage_factor(name: &[String], covered: &[bool]) -> f64 {
    let significant: Vec<usize> = (0..name.len())
        .filter(|&i| name.get(i).is_some_and(|w| !SUFFIXES.contains(&w.as_str())))
        .collect();
    let is_covered = |i: usize| covered.get(i).copied().unwrap_or(false);
    let (Some(&first), Some(&surname)) = (significant.first(), significant.last()) else {
        return if covered.iter().all(|c| *c) { 1.0 } else { 0.0 };
    };
    if significant.iter().all(|&i| is_covered(i)) {
        return 1.0;
    }
    let share = |of: &[usize]| {
        if of.is_empty() {
            0.0
        } else {
            of.iter().filter(|&&i| is_covered(i)).count() as f64 / of.len() as f64
        }
    };
    if is_covered(surname) {
        let others: Vec<usize> = significant
            .iter()
            .copied()
            .filter(|&i| i != surname)
            .collect();
        return 0.8 + 0.15 * share(&others);
    }
    if is_covered(first) {
        let middle: Vec<usize> = significant
            .iter()
            .copied()
            .filter(|&i| i != first && i != surname)
            .collect();
        return 0.7 + 0.1 * share(&middle);
    }
    if significant.iter().any(|&i| is_covered(i)) {
        0.55
    } else {
        0.0
    }
}

fn non_ascii(text: &str) -> usize {
    text.chars().filter(|c| !c.is_ascii()).count()
}

fn to_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(role: Role, n: u32) -> RoleCounts {
        let mut c = RoleCounts::default();
        if let Some(i) = Role::ALL.iter().position(|r| *r == role) {
            c.by_role[i] = n;
        }
        c.films = n;
        c
    }

    fn index(people: &[(&str, Role, u32)]) -> PersonIndex {
        PersonIndex::new(
            people
                .iter()
                .enumerate()
                .map(|(i, (name, role, n))| PersonRecord {
                    id: i as i64 + 1,
                    name: (*name).to_owned(),
                    counts: counts(*role, *n),
                })
                .collect(),
        )
    }

    fn archive() -> PersonIndex {
        index(&[
            ("Jean-Luc Godard", Role::Director, 4),
            ("Jean Renoir", Role::Director, 3),
            ("Kyôko Jarvis", Role::Cast, 5),
            ("Stanley Kubrick", Role::Director, 6),
            ("Stanley Donen", Role::Director, 2),
            ("Francis Ford Coppola", Role::Director, 5),
            ("Sofia Coppola", Role::Director, 2),
            ("Brian De Palma", Role::Director, 4),
            ("J.J. Abrams", Role::Director, 3),
            ("Ridley Scott", Role::Director, 7),
            ("Tony Scott", Role::Director, 5),
            ("Mara Lund", Role::Cast, 9),
            ("Nils Lund", Role::Cast, 4),
            ("Ada Lund", Role::Writer, 3),
            ("Ivo Lund", Role::Cast, 2),
            ("Agnès O'Neal", Role::Cast, 2),
            ("Bong Joon Ho", Role::Director, 2),
            ("Lorenzo Semple Jr.", Role::Writer, 1),
        ])
    }

    fn best(index: &PersonIndex, query: &str) -> Option<String> {
        index.search(query, RoleFilter::Any, 5).best.map(|c| c.name)
    }

    #[test]
    fn a_first_name_typed_short_finds_the_person_by_the_surname() {
        let index = index(&[
            ("Ben Quell", Role::Director, 3),
            ("Bea Quinn", Role::Cast, 2),
            ("Christopher Nolan", Role::Director, 4),
        ]);
        assert_eq!(best(&index, "be quell").as_deref(), Some("Ben Quell"));
        assert_eq!(best(&index, "quell, be").as_deref(), Some("Ben Quell"));
        assert_eq!(
            best(&index, "chris nolan").as_deref(),
            Some("Christopher Nolan")
        );
        // With a typo in the surname too.
        assert_eq!(best(&index, "be quill").as_deref(), Some("Ben Quell"));
        // A short word alone names nobody.
        assert_eq!(best(&index, "be"), None);
    }

    #[test]
    fn a_name_typed_with_invisible_joiners_is_the_name() {
        let index = archive();
        for joined in [
            "Kub\u{2060}rick",
            "Stanley Kub\u{feff}rick",
            "Cop\u{200d}pola",
        ] {
            assert!(
                best(&index, joined)
                    .is_some_and(|n| n.contains("Kubrick") || n.contains("Coppola")),
                "{joined:?}"
            );
        }
        assert_eq!(
            best(&index, "Kub\u{2060}rick").as_deref(),
            Some("Stanley Kubrick")
        );
    }

    #[test]
    fn names_become_plain_words() {
        assert_eq!(name_words("Kyôko O'Neal"), ["kyoko", "oneal"]);
        assert_eq!(name_words("J.J. Abrams"), ["j", "j", "abrams"]);
        assert_eq!(name_words("Jean-Luc  Godard"), ["jean", "luc", "godard"]);
        assert_eq!(name_words("  ;; "), Vec::<String>::new());
        assert!(name_words(&"word ".repeat(100)).len() <= MAX_WORDS);
    }

    #[test]
    fn the_whole_name_in_any_case_and_accent_is_exact() {
        let index = archive();
        for query in ["jean-luc godard", "JEAN LUC GODARD", "Jean Luc Godard"] {
            let outcome = index.search(query, RoleFilter::Any, 5);
            let found = outcome.best.expect(query);
            assert_eq!(found.name, "Jean-Luc Godard");
            assert_eq!(found.score, 1.0, "{query}");
            assert!(!outcome.ambiguous, "{query}");
        }
        assert_eq!(
            best(&index, "kyoko jarvis").as_deref(),
            Some("Kyôko Jarvis")
        );
        assert_eq!(best(&index, "agnes oneal").as_deref(), Some("Agnès O'Neal"));
        assert_eq!(
            best(&index, "Agnes O Neal").as_deref(),
            Some("Agnès O'Neal")
        );
    }

    #[test]
    fn one_or_two_typos_are_forgiven() {
        let index = archive();
        assert_eq!(
            best(&index, "stanley kubrik").as_deref(),
            Some("Stanley Kubrick")
        );
        assert_eq!(
            best(&index, "stanly kubrik").as_deref(),
            Some("Stanley Kubrick")
        );
        assert_eq!(
            best(&index, "jean luc goddard").as_deref(),
            Some("Jean-Luc Godard")
        );
        assert_eq!(
            best(&index, "francis ford copola").as_deref(),
            Some("Francis Ford Coppola")
        );
        assert_eq!(
            best(&index, "kyoko jravis").as_deref(),
            Some("Kyôko Jarvis")
        );
    }

    #[test]
    fn initials_and_spacing_are_forgiven() {
        let index = archive();
        for query in [
            "j. l. godard",
            "J.L. Godard",
            "jl godard",
            "jeanluc godard",
            "j-l godard",
        ] {
            assert_eq!(
                best(&index, query).as_deref(),
                Some("Jean-Luc Godard"),
                "{query}"
            );
        }
        for query in ["jj abrams", "J. J. Abrams", "j.j. abrams"] {
            assert_eq!(
                best(&index, query).as_deref(),
                Some("J.J. Abrams"),
                "{query}"
            );
        }
        assert_eq!(
            best(&index, "brian depalma").as_deref(),
            Some("Brian De Palma")
        );
        assert_eq!(best(&index, "depalma").as_deref(), Some("Brian De Palma"));
        assert_eq!(
            best(&index, "kubrick, stanley").as_deref(),
            Some("Stanley Kubrick")
        );
        assert_eq!(
            best(&index, "francis coppola").as_deref(),
            Some("Francis Ford Coppola")
        );
    }

    #[test]
    fn a_surname_alone_finds_its_only_owner() {
        let index = archive();
        let outcome = index.search("kubrick", RoleFilter::Any, 5);
        assert_eq!(
            outcome.best.map(|b| b.name).as_deref(),
            Some("Stanley Kubrick")
        );
        assert!(!outcome.ambiguous);
        assert_eq!(best(&index, "godard").as_deref(), Some("Jean-Luc Godard"));
        assert_eq!(best(&index, "bong").as_deref(), Some("Bong Joon Ho"));
        assert_eq!(
            best(&index, "semple").as_deref(),
            Some("Lorenzo Semple Jr.")
        );
    }

    #[test]
    fn a_shared_surname_is_a_choice_most_credited_first() {
        let index = archive();
        let outcome = index.search("lund", RoleFilter::Any, 10);
        assert!(outcome.ambiguous);
        let names: Vec<&str> = outcome.candidates.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Mara Lund", "Nils Lund", "Ada Lund", "Ivo Lund"]);
        assert_eq!(outcome.best.map(|b| b.name).as_deref(), Some("Mara Lund"));
        // The full name settles it.
        let outcome = index.search("nils lund", RoleFilter::Any, 10);
        assert_eq!(outcome.best.map(|b| b.name).as_deref(), Some("Nils Lund"));
        assert!(!outcome.ambiguous);
        // A first name shared by two is a choice too.
        let outcome = index.search("stanley", RoleFilter::Any, 10);
        assert!(outcome.ambiguous);
        assert_eq!(
            outcome.best.map(|b| b.name).as_deref(),
            Some("Stanley Kubrick")
        );
    }

    #[test]
    fn the_role_filter_keeps_people_with_that_job() {
        let index = archive();
        let outcome = index.search("lund", RoleFilter::Writer, 10);
        let names: Vec<&str> = outcome.candidates.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Ada Lund"]);
        assert!(!outcome.ambiguous);
        assert!(index.search("godard", RoleFilter::Cast, 10).best.is_none());
    }

    #[test]
    fn nonsense_matches_nobody() {
        let index = archive();
        for query in ["", "   ", "zzzz qqqq", "x", "!!!", "spielberg"] {
            assert!(best(&index, query).is_none(), "{query}");
        }
        // A different first name is not the same person.
        assert_ne!(best(&index, "jean godard").as_deref(), Some("Jean Renoir"));
        assert_eq!(
            best(&index, "sofia coppola").as_deref(),
            Some("Sofia Coppola")
        );
    }

    #[test]
    fn spellings_of_one_name_are_one_person() {
        let index = index(&[
            ("Milo Cuarón", Role::Director, 3),
            ("Milo Cuaron", Role::Director, 1),
            ("Nils Cuarón", Role::Cast, 2),
        ]);
        assert_eq!(index.len(), 2);
        let milo = index
            .search("milo cuaron", RoleFilter::Any, 5)
            .best
            .unwrap();
        assert_eq!(milo.name, "Milo Cuarón");
        assert_eq!(milo.films, 4);
        let person = index.person(2).unwrap();
        assert_eq!(person.ids, [1, 2]);
        assert_eq!(person.id(), 1);
    }

    #[test]
    fn autocomplete_completes_the_last_word() {
        let index = archive();
        let names = |partial: &str, filter| -> Vec<String> {
            index
                .autocomplete(partial, filter, 25)
                .into_iter()
                .map(|c| c.name)
                .collect()
        };
        assert_eq!(
            names("jean-luc go", RoleFilter::Any)
                .first()
                .map(String::as_str),
            Some("Jean-Luc Godard")
        );
        assert_eq!(
            names("kub", RoleFilter::Any).first().map(String::as_str),
            Some("Stanley Kubrick")
        );
        let lunds = names("mara lu", RoleFilter::Any);
        assert_eq!(lunds.first().map(String::as_str), Some("Mara Lund"));
        let writers = names("lun", RoleFilter::Writer);
        assert_eq!(writers, ["Ada Lund"]);
        // Empty input: the most credited first.
        let top = names("", RoleFilter::Any);
        assert_eq!(top.first().map(String::as_str), Some("Mara Lund"));
        assert_eq!(top.len(), index.len());
        assert_eq!(
            names("", RoleFilter::Director).first().map(String::as_str),
            Some("Ridley Scott")
        );
    }

    #[test]
    fn counts_read_as_jobs() {
        let mut c = counts(Role::Director, 12);
        c.by_role[5] = 3; // cast
        assert_eq!(Role::ALL[5], Role::Cast);
        assert_eq!(c.describe(), "director of 12, cast in 3");
        assert_eq!(RoleCounts::default().describe(), "");
    }

    #[test]
    fn role_filters_parse() {
        assert_eq!(RoleFilter::parse("Director"), Ok(RoleFilter::Director));
        assert_eq!(RoleFilter::parse("actor"), Ok(RoleFilter::Cast));
        assert_eq!(RoleFilter::parse("any"), Ok(RoleFilter::Any));
        assert!(RoleFilter::parse("gaffer").is_err());
        for f in RoleFilter::ALL {
            assert_eq!(RoleFilter::parse(f.as_str()), Ok(f));
        }
    }
}
