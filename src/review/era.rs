//! Film history's years and decades, bounded: a decade or year anyone can type (a slash
//! option, a button's id, a command-line flag) is checked here once, so no arithmetic on it
//! can overflow (`-2147483648` would wrap to "the 2147483646s").

use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;

/// The years a film can have: from the first films to a long way ahead. Every year and
/// decade option is registered with these bounds and held to them.
pub const YEARS: RangeInclusive<i32> = 1870..=2100;

/// Why a year or a decade is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{given} is not a year of film history: give one from {} to {}", YEARS.start(), YEARS.end())]
pub struct OutOfEra {
    pub given: String,
}

/// A year within [`YEARS`].
pub fn year(given: i64) -> Result<i32, OutOfEra> {
    i32::try_from(given)
        .ok()
        .filter(|y| YEARS.contains(y))
        .ok_or_else(|| OutOfEra {
            given: given.to_string(),
        })
}

/// A decade of film history (the 1870s to the 2100s), named by its first year. `Decade::of`
/// is the only way in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Decade(i32);

impl Decade {
    /// The decade any year of it names (1975 is the 1970s).
    pub fn of(year_in_it: i64) -> Result<Decade, OutOfEra> {
        let y = year(year_in_it)?;
        Ok(Decade(y - y.rem_euclid(10)))
    }

    /// Its first year.
    pub fn start(self) -> i32 {
        self.0
    }

    /// The first year after it.
    pub fn end(self) -> i32 {
        self.0 + 10
    }

    pub fn contains(self, year: i32) -> bool {
        (self.start()..self.end()).contains(&year)
    }
}

/// `the 1970s` reads as `1970s` here; the callers add the article.
impl fmt::Display for Decade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}s", self.0)
    }
}

/// `1970`, `1975` or `1970s`.
impl FromStr for Decade {
    type Err = OutOfEra;

    fn from_str(text: &str) -> Result<Decade, OutOfEra> {
        let trimmed = text.trim();
        let digits = trimmed.strip_suffix('s').unwrap_or(trimmed);
        let bad = || OutOfEra {
            given: text.to_owned(),
        };
        Decade::of(digits.parse().map_err(|_| bad())?).map_err(|_| bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decade_is_named_by_any_year_of_it() {
        assert_eq!(Decade::of(1975).unwrap().start(), 1970);
        assert_eq!(Decade::of(1970).unwrap().end(), 1980);
        assert_eq!(Decade::of(2100).unwrap().start(), 2100);
        assert_eq!(Decade::of(1870).unwrap().to_string(), "1870s");
        assert!(Decade::of(1979).unwrap().contains(1979));
        assert!(!Decade::of(1979).unwrap().contains(1980));
        assert_eq!("1960s".parse::<Decade>().unwrap().start(), 1960);
        assert_eq!(" 1964 ".parse::<Decade>().unwrap().start(), 1960);
    }

    #[test]
    fn years_at_the_extremes_are_refused_never_wrapped() {
        for extreme in [
            i64::from(i32::MIN),
            i64::from(i32::MAX),
            i64::MIN,
            i64::MAX,
            -1,
            0,
            1869,
            2101,
        ] {
            let err = Decade::of(extreme).unwrap_err();
            assert_eq!(err.given, extreme.to_string());
            assert!(err.to_string().contains("from 1870 to 2100"), "{err}");
            assert!(year(extreme).is_err());
        }
        for bad in [
            "-2147483648",
            "99999999999999999999",
            "nineteen",
            "",
            "1970ss",
        ] {
            assert!(bad.parse::<Decade>().is_err(), "{bad}");
        }
        assert_eq!(year(1999), Ok(1999));
    }
}
