//! Deciding which weighed windows are mentions: what each kind of title needs, and the
//! film talk and lists of films that a message builds up as its mentions are accepted.

use super::judge::Judged;
use super::text::{ends_sentence, Case, Text, Token};
use super::vocab::Class;

/// How much a title's own words say that it is a title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Has a rare word.
    Distinctive,
    /// Three everyday words or more (numbers count), five words, or a place or name with
    /// another word.
    Telling,
    /// Everyday words.
    Plain,
    /// Three letters or fewer.
    Short,
    /// Only a number.
    Numeric,
}

/// Words that make a message one about films.
const FILM_TALK: &[&str] = &[
    "movie",
    "movies",
    "film",
    "films",
    "flick",
    "flicks",
    "cinema",
    "cinemas",
    "theater",
    "theatre",
    "screening",
    "screenings",
    "rewatch",
    "rewatched",
    "rewatching",
    "rewatches",
    "watched",
    "watching",
    "director",
    "directors",
    "directed",
    "sequel",
    "sequels",
    "prequel",
    "remake",
    "remakes",
    "trailer",
    "trailers",
    "actor",
    "actors",
    "actress",
    "performance",
    "screenplay",
    "oscar",
    "oscars",
    "criterion",
    "bluray",
    "dvd",
    "netflix",
    "letterboxd",
    "imdb",
    "critic",
    "critics",
    "reviewed",
    "cinematography",
    "soundtrack",
    "spoiler",
    "spoilers",
    "runtime",
    "masterpiece",
    "classic",
    "classics",
    "franchise",
    "ending",
    "scene",
    "scenes",
    "plot",
    "premiere",
    "matinee",
    "popcorn",
];

/// Words that run a list on.
const LINKERS: &[&str] = &["and", "or", "then", "plus", "vs", "versus", "nor", "also"];

/// Decides every window: first on its own evidence, then again while the message turns out
/// to be about films (a word of film talk, or films already spotted), until nothing changes.
pub(super) fn decide_all(message: &Text, judged: &mut [Judged]) {
    let talk = message
        .tokens
        .iter()
        .any(|t| FILM_TALK.contains(&t.key.as_str()));
    let shouting = shouting(message);
    if shouting {
        for j in judged.iter_mut() {
            j.evidence.capital_mid = false;
            j.evidence.capital_start = false;
        }
    }
    for j in judged.iter_mut() {
        j.accepted = accept(j, false, false);
    }
    for _ in 0..8 {
        // The token ranges of the mentions accepted so far.
        let accepted: Vec<(usize, usize)> = judged
            .iter()
            .filter(|j| j.accepted)
            .map(|j| (j.first, j.found.last))
            .collect();
        let mut changed = false;
        for j in judged.iter_mut().filter(|j| !j.accepted) {
            let (films, listed) = neighbours(message, &accepted, (j.first, j.found.last));
            if accept(j, talk || films, listed) {
                j.accepted = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// True for a message in capitals or in title case, where a capital says nothing: most of
/// its words in capitals, or most of its function words (`The`, `Of`) capitalised in the
/// middle of a sentence. The pronoun `I` does not count.
fn shouting(message: &Text) -> bool {
    let lettered: Vec<&Token> = message
        .tokens
        .iter()
        .filter(|t| t.case != Case::None && t.key != "1")
        .collect();
    let upper = lettered.iter().filter(|t| t.case == Case::Upper).count();
    if lettered.len() >= 3 && upper * 10 >= lettered.len() * 6 {
        return true;
    }
    let function: Vec<&&Token> = lettered
        .iter()
        .filter(|t| !t.sentence_start && t.class == Class::Function)
        .collect();
    let capitalised = function
        .iter()
        .filter(|t| matches!(t.case, Case::Capital | Case::Upper))
        .count();
    function.len() >= 2 && capitalised * 10 >= function.len() * 6
}

/// Whether an accepted mention (of token ranges `accepted`) lies apart from the window
/// `me`, and whether one is next to it in a list (`rashomon, vertigo and alien`).
fn neighbours(message: &Text, accepted: &[(usize, usize)], me: (usize, usize)) -> (bool, bool) {
    let mut films = false;
    let mut listed = false;
    for &(first, last) in accepted {
        if last < me.0 {
            films = true;
            listed |= links(message, last, me.0);
        } else if me.1 < first {
            films = true;
            listed |= links(message, me.1, first);
        }
    }
    (films, listed)
}

/// True when tokens `a` and `b` are neighbours in a list: between them only a comma, a
/// slash, an `and`, an `or`, a `then` …
fn links(message: &Text, a: usize, b: usize) -> bool {
    if b <= a || b - a > 2 {
        return false;
    }
    let joined = if b - a == 2 {
        message
            .tokens
            .get(a + 1)
            .is_some_and(|t| LINKERS.contains(&t.key.as_str()))
    } else {
        let gap = message.between(a, b);
        gap.contains([',', '/', '+', ';', '&', '|']) || gap.contains(" - ")
    };
    let gap = message.between(a, b);
    joined && !ends_sentence(gap)
}

/// Whether a window is a mention, given its evidence, whether the message is about films
/// and whether it stands in a list of spotted films.
fn accept(j: &Judged, context: bool, listed: bool) -> bool {
    let e = &j.evidence;
    if e.contradicted || e.sequel {
        return false;
    }
    if e.marked || e.year {
        return true;
    }
    if e.determiner_before || e.of_after {
        return false;
    }
    let fuzzy = !j.found.exact;
    match j.kind {
        Kind::Distinctive => true,
        Kind::Telling => !e.place_before,
        Kind::Plain if fuzzy => e.capital_mid && j.name_letters >= 12 && !e.place_before,
        Kind::Plain => {
            let on_its_own = e.whole || e.cue_before || (e.capital_mid && !e.place_before);
            // `the incredibles is a bond movie`: a sentence opening on the title.
            let typed_article = j.first < j.found.first && j.evidence.opens_sentence;
            let in_film_talk = context
                && !e.place_before
                && (listed
                    || j.title_words >= 2
                    || typed_article
                    || e.capital_start
                    || e.capital_mid
                    || e.proper_only);
            on_its_own || in_film_talk
        }
        Kind::Short => e.capital_mid || (context && listed && e.capital_start),
        Kind::Numeric => (e.cue_before && !e.plural_after) || (context && listed),
    }
}

/// The kind that needs more evidence.
pub(super) fn weaker(a: Kind, b: Kind) -> Kind {
    let strength = |k: Kind| match k {
        Kind::Distinctive => 3,
        Kind::Telling => 2,
        Kind::Plain => 1,
        Kind::Short | Kind::Numeric => 0,
    };
    if strength(b) < strength(a) {
        b
    } else {
        a
    }
}

/// What kind of title words `keys` are.
pub(super) fn kind_of(keys: &[&str], classes: &[Class]) -> Kind {
    let letters: usize = keys.iter().map(|k| k.len()).sum();
    let content: Vec<Class> = classes
        .iter()
        .copied()
        .filter(|c| !matches!(c, Class::Function | Class::Number))
        .collect();
    let numbers = classes.iter().filter(|c| **c == Class::Number).count();
    if content.is_empty() && numbers > 0 {
        return Kind::Numeric;
    }
    if letters <= 3 {
        return Kind::Short;
    }
    if content.contains(&Class::Rare) {
        Kind::Distinctive
    } else if content.len() + numbers >= 3
        || (content.len() >= 2 && content.contains(&Class::Proper))
        || keys.len() >= 5
    {
        Kind::Telling
    } else {
        Kind::Plain
    }
}
