//! Every string of the title index in one buffer, referred to by [`Span`]s: one allocation
//! instead of a million small ones, which is what makes a saved index quick to load and
//! small in memory.

use serde::{Deserialize, Serialize};

/// Where one string lies in [`Strings`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Span {
    start: u32,
    len: u32,
}

/// The buffer the index's strings live in.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Strings {
    text: String,
}

impl Strings {
    /// Appends `s` and returns where it is.
    pub fn push(&mut self, s: &str) -> Span {
        let span = Span {
            start: to_u32(self.text.len()),
            len: to_u32(s.len()),
        };
        self.text.push_str(s);
        span
    }

    /// The string at `span`; empty for a span this buffer does not hold (which only a
    /// damaged saved index could contain).
    pub fn get(&self, span: Span) -> &str {
        let start = span.start as usize;
        self.text
            .get(start..start.saturating_add(span.len as usize))
            .unwrap_or("")
    }

    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_come_back_as_pushed() {
        let mut strings = Strings::default();
        let a = strings.push("alien");
        let empty = strings.push("");
        let b = strings.push("aliens");
        assert_eq!(strings.get(a), "alien");
        assert_eq!(strings.get(empty), "");
        assert_eq!(strings.get(b), "aliens");
        let outside = Span { start: 100, len: 3 };
        assert_eq!(strings.get(outside), "");
    }
}
