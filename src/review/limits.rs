//! What one review file may be. Every file costs at most its own size to parse, and these
//! bounds keep that size, and what the archive stores from it, to what a review needs. Past any
//! of them the file is refused with an error that names its line and the limit's setting; the
//! rest of the batch is stored.

use serde::Deserialize;

/// The bounds, set in `[import]` of the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// The largest file, in bytes (the longest review in the archive is a few KB).
    pub max_file_bytes: u64,
    /// The longest line, in characters (a paragraph typed as one line is a few thousand).
    pub max_line_chars: usize,
    /// The longest title or alternative title, in characters (an embed title holds 256).
    pub max_title_chars: usize,
    /// The longest name in the credits, in characters.
    pub max_name_chars: usize,
    /// The most people the credits header may list, all roles together (an actor and the
    /// character they play count once).
    pub max_credits: usize,
    /// The deepest the credits header may nest parentheses (`Simon Rex (Mikey Saber)` is 2).
    pub max_nesting: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 4 * 1024 * 1024,
            max_line_chars: 65_536,
            max_title_chars: 200,
            max_name_chars: 200,
            max_credits: 500,
            max_nesting: 8,
        }
    }
}

/// How deep `text` nests parentheses (a `)` without its `(` is ignored).
pub(crate) fn nesting(text: &str) -> usize {
    let mut depth = 0usize;
    let mut deepest = 0;
    for c in text.chars() {
        match c {
            '(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// `text`'s length in characters when it is over `max`, counting no further than needed.
pub(crate) fn over(text: &str, max: usize) -> Option<usize> {
    if text.len() <= max {
        return None;
    }
    let count = text.chars().count();
    (count > max).then_some(count)
}

/// At most `max` characters of `text` for an error message, `…` marking a cut.
pub fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or("")),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_cuts_long_text_on_a_character() {
        assert_eq!(excerpt("short", 40), "short");
        assert_eq!(excerpt("ééééé", 3), "ééé…");
    }

    #[test]
    fn nesting_counts_the_deepest_parenthesis() {
        assert_eq!(nesting("no parentheses"), 0);
        assert_eq!(nesting("(cast: Simon Rex (Mikey Saber); 2021)"), 2);
        assert_eq!(nesting(")))((("), 3);
        assert_eq!(nesting("(()(()))"), 3);
    }

    #[test]
    fn over_counts_characters_not_bytes() {
        assert_eq!(over("abc", 3), None);
        assert_eq!(over("abcd", 3), Some(4));
        // Four characters, eight bytes.
        assert_eq!(over("éééé", 4), None);
        assert_eq!(over("éééé", 3), Some(4));
    }
}
