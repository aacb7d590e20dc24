//! TEMPORARY STUB of the agreed API; replaced by the real module.
use crate::review::grade::Grade;
pub struct IndexEntry {
    pub id: i64,
    pub title: String,
    pub alt_titles: Vec<String>,
    pub year: Option<i32>,
    pub grade: Grade,
}
#[derive(Debug, Clone, serde::Serialize)]
pub struct Candidate {
    #[serde(skip)]
    pub id: i64,
    pub title: String,
    pub year: Option<i32>,
    pub grade: Grade,
    pub score: f64,
}
#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchOutcome {
    pub best: Option<Candidate>,
    pub candidates: Vec<Candidate>,
    pub ambiguous: bool,
}
pub struct TitleIndex {
    entries: Vec<IndexEntry>,
}
impl TitleIndex {
    pub fn new(entries: Vec<IndexEntry>) -> Self {
        TitleIndex { entries }
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    pub fn search(&self, query: &str, year: Option<i32>, limit: usize) -> SearchOutcome {
        let q = normalize(query);
        let mut c: Vec<Candidate> = self
            .entries
            .iter()
            .map(|e| Candidate {
                id: e.id,
                title: e.title.clone(),
                year: e.year,
                grade: e.grade,
                score: strsim::jaro_winkler(&q, &normalize(&e.title))
                    + if year.is_some() && year == e.year {
                        0.1
                    } else {
                        0.0
                    },
            })
            .collect();
        c.sort_by(|a, b| b.score.total_cmp(&a.score));
        c.truncate(limit);
        SearchOutcome {
            best: c.first().cloned(),
            candidates: c,
            ambiguous: false,
        }
    }
    pub fn autocomplete(&self, partial: &str, limit: usize) -> Vec<Candidate> {
        self.search(partial, None, limit).candidates
    }
}
pub fn normalize(title: &str) -> String {
    title
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
