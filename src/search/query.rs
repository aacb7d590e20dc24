//! What a query may mean: one or two readings, each a title (and maybe a year).

use super::normalize::{analyse, Analysed};
use super::score::FormBuf;

/// Queries are cut to this many characters before normalising, and to this many words and
/// bytes of key after: no title is that long, and it bounds the work an absurd query can
/// cause.
const MAX_QUERY_CHARS: usize = 512;
const MAX_QUERY_WORDS: usize = 24;
const MAX_KEY_BYTES: usize = 200;
/// Years a trailing number in a query may be.
const YEARS: std::ops::RangeInclusive<i32> = 1870..=2100;

/// One way to read a query: a title, and maybe a year the film must have.
#[derive(Debug)]
pub(crate) struct Reading {
    /// The normalised title.
    pub form: FormBuf,
    /// The same with the article the user typed in front (`the apart`), if any.
    pub with_article: Option<FormBuf>,
    /// The year the film should have.
    pub year: Option<i32>,
    /// The title with its numbers from one to twenty spelled the other way, words as digits
    /// and digits as words (`four rooms` and `4 rooms`), when it has any: a title spelled
    /// the other way is the same title.
    pub other_numbers: Option<FormBuf>,
    /// The first word may be a mistyped `the` (`teh godfather`), or the last word a moved
    /// article whose comma was lost (`secret the`), so titles should also be compared with
    /// their article in front.
    pub stray_article: bool,
}

impl Reading {
    fn new(analysed: &Analysed, year: Option<i32>) -> Reading {
        let article_like = |w: &String| w.len() >= 2 && strsim::osa_distance(w, "the") <= 1;
        let stray_article = analysed.words.len() > 1
            && (analysed.words.first().is_some_and(article_like)
                || analysed.words.last().is_some_and(article_like));
        Reading {
            form: FormBuf::new(analysed.key()),
            with_article: analysed.with_article().map(FormBuf::new),
            other_numbers: other_numbers(&analysed.words).map(FormBuf::new),
            year,
            stray_article,
        }
    }

    /// The whole input as a title, without a year: what autocomplete works with.
    pub fn plain(query: &str) -> Reading {
        Reading::new(&analyse_query(query), None)
    }
}

/// Numbers spelled as words, indexed by their value.
pub(crate) const NUMBER_WORDS: [&str; 21] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
];

/// The key of `words` with each number from one to twenty swapped between words and digits,
/// if there is one.
fn other_numbers(words: &[String]) -> Option<String> {
    let mut changed = false;
    let swapped: Vec<String> = words
        .iter()
        .map(|word| {
            let other = match word.parse::<usize>() {
                Ok(n) if (1..NUMBER_WORDS.len()).contains(&n) && !word.starts_with('0') => {
                    NUMBER_WORDS.get(n).map(|w| (*w).to_owned())
                }
                _ => NUMBER_WORDS
                    .iter()
                    .skip(1)
                    .position(|w| w == word)
                    .map(|at| (at + 1).to_string()),
            };
            changed |= other.is_some();
            other.unwrap_or_else(|| word.clone())
        })
        .collect();
    changed.then(|| swapped.join(" "))
}

/// The ways to read a query. The whole query is always a title (with the `year` argument,
/// if any). When it ends in a plausible year and has words before it, it is also read as
/// title + year, unless the `year` argument says otherwise. Each film keeps its better
/// reading, so `king kong 1976` finds the 1976 remake and `blade runner 2049` still finds
/// the film of that name. Nothing to search for gives no reading.
pub(crate) fn readings(query: &str, year: Option<i32>) -> Vec<Reading> {
    let analysed = analyse_query(query);
    if analysed.words.is_empty() {
        return Vec::new();
    }
    let mut readings = Vec::with_capacity(2);
    if let Some((title, trailing)) = split_trailing_year(&analysed) {
        if year.is_none_or(|y| y == trailing) {
            readings.push(Reading::new(&title, Some(trailing)));
        }
    }
    readings.push(Reading::new(&analysed, year));
    readings
}

/// The query analysed, cut to a sane length (whole words only). (A trailing "the" without
/// a comma stays: it is far more often the start of a longer title, `Kingdom of the`, than
/// a moved article that lost its comma.)
fn analyse_query(query: &str) -> Analysed {
    let cut: String = query.chars().take(MAX_QUERY_CHARS).collect();
    let mut analysed = analyse(&cut);
    let mut length = 0;
    let within = analysed
        .words
        .iter()
        .take_while(|word| {
            length += word.len() + 1;
            length <= MAX_KEY_BYTES + 1
        })
        .count();
    analysed.words.truncate(within.min(MAX_QUERY_WORDS));
    analysed
}

/// `king kong` and 1976 for `king kong 1976`; `None` when the last word is not a year or
/// is the only word.
fn split_trailing_year(analysed: &Analysed) -> Option<(Analysed, i32)> {
    let (last, rest) = analysed.words.split_last()?;
    if rest.is_empty() || last.len() != 4 {
        return None;
    }
    let year: i32 = last.parse().ok()?;
    let title = Analysed {
        article: analysed.article.clone(),
        words: rest.to_vec(),
    };
    YEARS.contains(&year).then_some((title, year))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(query: &str, year: Option<i32>) -> Vec<(String, Option<i32>)> {
        readings(query, year)
            .into_iter()
            .map(|r| (r.form.key, r.year))
            .collect()
    }

    #[test]
    fn a_trailing_year_gives_a_second_reading() {
        assert_eq!(
            keys("King Kong (1976)", None),
            [
                ("king kong".to_owned(), Some(1976)),
                ("king kong 1976".to_owned(), None)
            ]
        );
        assert_eq!(keys("1941", None), [("1941".to_owned(), None)]);
        assert_eq!(keys("300", None), [("300".to_owned(), None)]);
        assert_eq!(keys("Nine 1/2 Weeks 3000", None).len(), 1);
    }

    #[test]
    fn the_year_option_wins_over_a_trailing_number() {
        assert_eq!(
            keys("blade runner 2049", Some(2017)),
            [("blade runner 2049".to_owned(), Some(2017))]
        );
        assert_eq!(keys("king kong 1976", Some(1976)).len(), 2);
    }

    #[test]
    fn the_typed_article_is_kept_aside() {
        let reading = Reading::plain("The Apart");
        assert_eq!(reading.form.key, "apart");
        assert_eq!(
            reading.with_article.map(|f| f.key).as_deref(),
            Some("the apart")
        );
    }

    #[test]
    fn a_stray_article_is_noticed() {
        for typed in [
            "teh godfather",
            "Tne Hunted",
            "thw godfather",
            "tthe doors",
            "secret the",
            "Secret, Thee",
        ] {
            assert!(Reading::plain(typed).stray_article, "{typed}");
        }
        for typed in [
            "the godfather",
            "godfather",
            "t",
            "the",
            "tree of life",
            "godfather, the",
        ] {
            assert!(!Reading::plain(typed).stray_article, "{typed}");
        }
    }

    #[test]
    fn numbers_are_also_read_spelled_the_other_way() {
        let other = |typed: &str| Reading::plain(typed).other_numbers.map(|f| f.key);
        assert_eq!(other("4 rooms").as_deref(), Some("four rooms"));
        assert_eq!(other("Rocky Two").as_deref(), Some("rocky 2"));
        assert_eq!(
            other("Twelve Monkeys 3").as_deref(),
            Some("12 monkeys three")
        );
        assert_eq!(other("Rambo III").as_deref(), Some("rambo three"));
        assert_eq!(other("300"), None);
        assert_eq!(other("007 zero"), None);
        assert_eq!(other("heat"), None);
    }

    #[test]
    fn long_queries_are_cut_at_a_word() {
        let long = "word ".repeat(1000);
        let reading = Reading::plain(&long);
        assert!(reading.form.key.len() <= MAX_KEY_BYTES);
        assert!(reading.form.form().words().count() <= MAX_QUERY_WORDS);
        assert!(reading.form.key.ends_with("word"));
        assert!(readings("", None).is_empty());
        assert!(readings("?!", Some(2000)).is_empty());
    }
}
