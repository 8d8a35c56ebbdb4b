//! Fuzzy filtering of names with helix's matcher (nucleo-matcher), with the matched positions
//! for highlighting.

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// A compiled name filter. Reuse it across rows: it keeps the matcher's buffers.
#[derive(Debug)]
pub struct NameFilter {
    pattern: Pattern,
    matcher: Matcher,
    buf: Vec<char>,
    empty: bool,
}

impl NameFilter {
    pub fn new(query: &str) -> Self {
        NameFilter {
            pattern: Pattern::new(query, CaseMatching::Smart, Normalization::Smart, AtomKind::Fuzzy),
            matcher: Matcher::new(Config::DEFAULT),
            buf: Vec::new(),
            empty: query.trim().is_empty(),
        }
    }

    /// The match score, or None when the name does not match. An empty filter matches all.
    pub fn score(&mut self, name: &str) -> Option<u32> {
        if self.empty {
            return Some(0);
        }
        let hay = Utf32Str::new(name, &mut self.buf);
        self.pattern.score(hay, &mut self.matcher)
    }

    /// The character positions in `name` that matched, for highlighting.
    pub(crate) fn positions(&mut self, name: &str) -> Vec<usize> {
        if self.empty {
            return Vec::new();
        }
        let mut indices = Vec::new();
        let hay = Utf32Str::new(name, &mut self.buf);
        self.pattern.indices(hay, &mut self.matcher, &mut indices);
        indices.sort_unstable();
        indices.dedup();
        indices.into_iter().map(|i| i as usize).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_matches_and_positions() {
        let mut f = NameFilter::new("mysec");
        assert!(f.score("mysecret").is_some());
        assert!(f.score("my-secret-thing").is_some());
        assert!(f.score("other").is_none());
        assert_eq!(f.positions("mysecret"), vec![0, 1, 2, 3, 4]);
        let mut all = NameFilter::new("");
        assert_eq!(all.score("anything"), Some(0));
    }
}
