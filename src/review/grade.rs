//! Letter grades, A+ (best) … F (worst).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A letter grade. The derived order runs from best to worst: `Grade::APlus < Grade::F`,
/// so "at least B" is `grade <= Grade::B`. Use [`Grade::is_at_least`] to say it in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grade {
    APlus,
    A,
    AMinus,
    BPlus,
    B,
    BMinus,
    CPlus,
    C,
    CMinus,
    DPlus,
    D,
    DMinus,
    F,
}

/// The band a grade belongs to (its letter), used for colours and for grouping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Band {
    A,
    B,
    C,
    D,
    F,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a grade (expected A+, A, A-, B+ … D-, F)")]
pub struct GradeError(pub String);

impl Grade {
    /// Every grade, best first.
    pub const ALL: [Grade; 13] = [
        Grade::APlus,
        Grade::A,
        Grade::AMinus,
        Grade::BPlus,
        Grade::B,
        Grade::BMinus,
        Grade::CPlus,
        Grade::C,
        Grade::CMinus,
        Grade::DPlus,
        Grade::D,
        Grade::DMinus,
        Grade::F,
    ];

    /// 0 for A+ … 12 for F: the column stored in SQLite so that SQL can filter by grade.
    pub fn rank(self) -> u8 {
        self as u8
    }

    pub fn from_rank(rank: i64) -> Option<Grade> {
        usize::try_from(rank)
            .ok()
            .and_then(|r| Grade::ALL.get(r).copied())
    }

    /// True when `self` is as good as `floor` or better.
    pub fn is_at_least(self, floor: Grade) -> bool {
        self <= floor
    }

    pub fn band(self) -> Band {
        match self {
            Grade::APlus | Grade::A | Grade::AMinus => Band::A,
            Grade::BPlus | Grade::B | Grade::BMinus => Band::B,
            Grade::CPlus | Grade::C | Grade::CMinus => Band::C,
            Grade::DPlus | Grade::D | Grade::DMinus => Band::D,
            Grade::F => Band::F,
        }
    }

    /// The canonical spelling: `A+`, `A`, `A-` …
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::APlus => "A+",
            Grade::A => "A",
            Grade::AMinus => "A-",
            Grade::BPlus => "B+",
            Grade::B => "B",
            Grade::BMinus => "B-",
            Grade::CPlus => "C+",
            Grade::C => "C",
            Grade::CMinus => "C-",
            Grade::DPlus => "D+",
            Grade::D => "D",
            Grade::DMinus => "D-",
            Grade::F => "F",
        }
    }

    /// Parses every spelling the critic uses: `A+`, `A +`, `A-`, `A -`, `A –` (en dash),
    /// `a-`, with any white space (including non-breaking spaces) around the parts.
    pub fn parse(text: &str) -> Result<Grade, GradeError> {
        let mut chars = text.chars().filter(|c| !c.is_whitespace());
        let letter = chars.next().map(|c| c.to_ascii_uppercase());
        let sign = chars.next();
        let rest = chars.next();
        let err = || GradeError(super::limits::excerpt(text.trim(), 40));
        if rest.is_some() {
            return Err(err());
        }
        let sign = match sign {
            None => 0,
            Some('+') => 1,
            Some('-' | '–' | '—' | '−') => -1,
            Some(_) => return Err(err()),
        };
        let base = match letter {
            Some('A') => Grade::A,
            Some('B') => Grade::B,
            Some('C') => Grade::C,
            Some('D') => Grade::D,
            Some('F') if sign == 0 => return Ok(Grade::F),
            _ => return Err(err()),
        };
        let index = base.rank() as i64 - sign;
        Grade::from_rank(index).ok_or_else(err)
    }
}

impl Grade {
    /// Grade points on the usual 4-point scale: A+ 4.3, A 4.0, A- 3.7 … D- 0.7, F 0.
    pub fn points(self) -> f64 {
        match self {
            Grade::APlus => 4.3,
            Grade::A => 4.0,
            Grade::AMinus => 3.7,
            Grade::BPlus => 3.3,
            Grade::B => 3.0,
            Grade::BMinus => 2.7,
            Grade::CPlus => 2.3,
            Grade::C => 2.0,
            Grade::CMinus => 1.7,
            Grade::DPlus => 1.3,
            Grade::D => 1.0,
            Grade::DMinus => 0.7,
            Grade::F => 0.0,
        }
    }

    /// The grade whose points are nearest to `points` (the better one at a tie).
    pub fn nearest(points: f64) -> Grade {
        Grade::ALL
            .into_iter()
            .min_by(|a, b| {
                (a.points() - points)
                    .abs()
                    .total_cmp(&(b.points() - points).abs())
            })
            .unwrap_or(Grade::F)
    }
}

/// How many films got each grade.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GradeCounts(pub [u32; Grade::ALL.len()]);

impl GradeCounts {
    pub fn get(&self, grade: Grade) -> u32 {
        self.0.get(grade.rank() as usize).copied().unwrap_or(0)
    }

    pub fn add(&mut self, grade: Grade, n: u32) {
        if let Some(count) = self.0.get_mut(grade.rank() as usize) {
            *count = count.saturating_add(n);
        }
    }

    pub fn total(&self) -> u32 {
        self.0.iter().fold(0, |sum, n| sum.saturating_add(*n))
    }

    /// Mean grade points, when there is a film.
    pub fn mean_points(&self) -> Option<f64> {
        let total = self.total();
        (total > 0).then(|| {
            Grade::ALL
                .iter()
                .map(|g| g.points() * f64::from(self.get(*g)))
                .sum::<f64>()
                / f64::from(total)
        })
    }

    /// The mean as a grade: the one nearest the mean points.
    pub fn mean(&self) -> Option<Grade> {
        self.mean_points().map(Grade::nearest)
    }

    /// (grade, count) for every grade, best first, zeros included.
    pub fn iter(&self) -> impl Iterator<Item = (Grade, u32)> + '_ {
        Grade::ALL.into_iter().map(|g| (g, self.get(g)))
    }

    /// `A+ 2, A 3, B 5`: the grades that occur, best first.
    pub fn spread(&self) -> String {
        self.iter()
            .filter(|(_, n)| *n > 0)
            .map(|(g, n)| format!("{g} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `{"A+":n,"A":n,…}` in grade order, every grade present.
impl Serialize for GradeCounts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(Grade::ALL.len()))?;
        for (grade, n) in self.iter() {
            map.serialize_entry(grade.as_str(), &n)?;
        }
        map.end()
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Grade {
    type Err = GradeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Grade::parse(s)
    }
}

impl Serialize for Grade {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Grade {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Grade::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_the_critic_uses_parses() {
        for (text, want) in [
            ("A+", Grade::APlus),
            ("A +", Grade::APlus),
            ("A", Grade::A),
            ("A-", Grade::AMinus),
            ("A -", Grade::AMinus),
            ("A –", Grade::AMinus),
            ("A\u{a0}–", Grade::AMinus),
            ("b+", Grade::BPlus),
            ("C–", Grade::CMinus),
            ("D -", Grade::DMinus),
            (" F ", Grade::F),
        ] {
            assert_eq!(Grade::parse(text), Ok(want), "{text:?}");
        }
    }

    #[test]
    fn nonsense_is_refused_with_the_text() {
        for text in ["", "E", "F+", "F-", "A++", "AB", "9", "A*"] {
            let err = Grade::parse(text).unwrap_err();
            assert_eq!(err.0, text.trim());
        }
    }

    #[test]
    fn order_runs_from_a_plus_to_f() {
        let mut shuffled = vec![Grade::C, Grade::F, Grade::APlus, Grade::BMinus, Grade::A];
        shuffled.sort();
        assert_eq!(
            shuffled,
            vec![Grade::APlus, Grade::A, Grade::BMinus, Grade::C, Grade::F]
        );
        assert!(Grade::A.is_at_least(Grade::AMinus));
        assert!(Grade::AMinus.is_at_least(Grade::AMinus));
        assert!(!Grade::BPlus.is_at_least(Grade::AMinus));
        for pair in Grade::ALL.windows(2) {
            assert!(pair[0] < pair[1]);
            assert_eq!(pair[0].rank() + 1, pair[1].rank());
        }
    }

    #[test]
    fn canonical_spelling_round_trips_and_rank_round_trips() {
        for g in Grade::ALL {
            assert_eq!(Grade::parse(g.as_str()), Ok(g));
            assert_eq!(Grade::from_rank(g.rank() as i64), Some(g));
        }
        assert_eq!(Grade::from_rank(13), None);
        assert_eq!(Grade::from_rank(-1), None);
    }

    #[test]
    fn counts_give_a_mean_and_a_spread() {
        let mut counts = GradeCounts::default();
        assert_eq!(counts.mean(), None);
        assert_eq!(counts.spread(), "");
        counts.add(Grade::A, 2);
        counts.add(Grade::C, 2);
        assert_eq!(counts.total(), 4);
        assert_eq!(counts.mean(), Some(Grade::B));
        assert_eq!(counts.spread(), "A 2, C 2");
        counts.add(Grade::F, 3);
        // (4 + 4 + 2 + 2) / 7 = 1.71: C- (1.7).
        assert_eq!(counts.mean(), Some(Grade::CMinus));
        let json = serde_json::to_string(&counts).unwrap();
        assert!(json.starts_with(r#"{"A+":0,"A":2,"A-":0,"#), "{json}");
        assert!(json.ends_with(r#""F":3}"#), "{json}");
    }

    #[test]
    fn nearest_grade_by_points() {
        for g in Grade::ALL {
            assert_eq!(Grade::nearest(g.points()), g);
        }
        assert_eq!(Grade::nearest(9.0), Grade::APlus);
        assert_eq!(Grade::nearest(-1.0), Grade::F);
    }

    #[test]
    fn bands_group_by_letter() {
        assert_eq!(Grade::APlus.band(), Band::A);
        assert_eq!(Grade::BMinus.band(), Band::B);
        assert_eq!(Grade::DPlus.band(), Band::D);
        assert_eq!(Grade::F.band(), Band::F);
    }
}
