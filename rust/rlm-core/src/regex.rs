//! Regex search over a `Context` (the `regex-automata` meta engine: the `regex` crate's engine),
//! with Python `re` flag values and `re.finditer` iteration semantics.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;

use regex_automata::meta::Regex;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input};

use crate::context::Context;
use crate::scan::{self, Finder};

/// Python `re` flag values accepted (`re.IGNORECASE`, ...).
pub const IGNORECASE: u32 = 2;
pub const MULTILINE: u32 = 8;
pub const DOTALL: u32 = 16;
pub const UNICODE: u32 = 32;
pub const VERBOSE: u32 = 64;

/// Why a pattern cannot run here.
#[derive(Debug, Clone)]
pub struct PatternError {
    pub message: String,
}

impl std::fmt::Display for PatternError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PatternError {}

/// A compiled pattern and its group names (index 0 is the whole match).
pub struct Pattern {
    pub regex: Regex,
    pub names: Vec<Option<String>>,
}

impl Pattern {
    /// Compile `pattern` with Python `re` flags; `crlf` makes `^`/`$` treat `\r\n` as one break.
    pub fn new(pattern: &str, flags: u32, crlf: bool) -> Result<Pattern, PatternError> {
        let known = IGNORECASE | MULTILINE | DOTALL | UNICODE | VERBOSE;
        if flags & !known != 0 {
            return Err(PatternError {
                message: format!(
                    "regex flags {:#x} are not supported by the Rust engine (only IGNORECASE, \
                     MULTILINE, DOTALL, VERBOSE); use Python's re on a slice",
                    flags & !known
                ),
            });
        }
        let config = syntax::Config::new()
            .case_insensitive(flags & IGNORECASE != 0)
            .multi_line(flags & MULTILINE != 0)
            .dot_matches_new_line(flags & DOTALL != 0)
            .ignore_whitespace(flags & VERBOSE != 0)
            .crlf(crlf);
        let regex = Regex::builder()
            .syntax(config)
            .build(pattern)
            .map_err(|e| PatternError {
                message: format!(
                    "the Rust regex engine cannot run {pattern:?}: {}; Python's re can \
                 (on a slice of the context)",
                    e.syntax_error()
                        .map_or_else(|| e.to_string(), |s| s.to_string())
                ),
            })?;
        let names = regex
            .group_info()
            .pattern_names(regex_automata::PatternID::ZERO)
            .map(|n| n.map(str::to_owned))
            .collect();
        Ok(Pattern { regex, names })
    }

    /// A cached compile: model code calls the same few patterns many times.
    pub fn cached(pattern: &str, flags: u32, crlf: bool) -> Result<Arc<Pattern>, PatternError> {
        type Cache = Mutex<HashMap<(String, u32, bool), Arc<Pattern>>>;
        static CACHE: OnceLock<Cache> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        let key = (pattern.to_owned(), flags, crlf);
        if let Some(p) = cache.lock().unwrap().get(&key) {
            return Ok(p.clone());
        }
        let compiled = Arc::new(Pattern::new(pattern, flags, crlf)?);
        let mut map = cache.lock().unwrap();
        if map.len() >= 256 {
            map.clear();
        }
        map.insert(key, compiled.clone());
        Ok(compiled)
    }

    /// A pattern that matches `needle` literally, ignoring case.
    pub fn literal_ignore_case(needle: &str) -> Result<Arc<Pattern>, PatternError> {
        Pattern::cached(&escape(needle), IGNORECASE, false)
    }

    /// Number of groups, the whole match included.
    pub fn group_len(&self) -> usize {
        self.names.len()
    }
}

impl Finder for Pattern {
    type Cache = regex_automata::meta::Cache;

    fn new_cache(&self) -> Self::Cache {
        self.regex.create_cache()
    }

    fn find_at(&self, cache: &mut Self::Cache, hay: &str, at: usize) -> Option<(usize, usize)> {
        let m = self
            .regex
            .search_with(cache, &Input::new(hay).range(at..))?;
        Some((m.start(), m.end()))
    }
}

/// One match: byte spans of every group (index 0 the whole match), `None` for groups not taking part.
pub type Groups = Vec<Option<(usize, usize)>>;

/// `re.Match.lastindex` judged from group character spans (index 0 the whole match): the group
/// that closed last, i.e. the latest end, then the latest start, then the outer group. Spans
/// cannot tell `(a(x*))` from `(a)(x*)`; `re` can. `None` when no group took part.
///
/// ```
/// // (a)(b) on "ab": group 2 closed last.
/// assert_eq!(rlm_core::regex::last_group(&[Some((0, 2)), Some((0, 1)), Some((1, 2))]), Some(2));
/// ```
pub fn last_group(spans: &[Option<(usize, usize)>]) -> Option<usize> {
    (1..spans.len())
        .filter_map(|g| spans[g].map(|(s, e)| ((e, s, std::cmp::Reverse(g)), g)))
        .max()
        .map(|(_, g)| g)
}

/// `text` as a pattern that matches it literally.
pub fn escape(text: &str) -> String {
    ::regex::escape(text)
}

/// `re`'s `pos` / `endpos` as character offsets: negative values count from the end (as in
/// slicing), then both are clipped to `[0, len]`; `start > end` means no match at all.
pub fn regex_bounds(start: Option<isize>, end: Option<isize>, len: usize) -> (usize, usize) {
    let clip = |i: isize| -> usize {
        let i = if i < 0 { i + len as isize } else { i };
        i.clamp(0, len as isize) as usize
    };
    (start.map_or(0, clip), end.map_or(len, clip))
}

impl Context {
    /// The byte haystack for a `[start:end]` search: cut at `end` (as `re`'s `endpos` does), and
    /// the byte where the search begins (context before it still counts for `\b` and `^`).
    fn search_range(&self, start: Option<isize>, end: Option<isize>) -> Option<(&str, usize)> {
        let (s, e) = regex_bounds(start, end, self.char_len());
        if s > e {
            return None;
        }
        let (bs, be) = self.byte_range(s, e);
        Some((&self.text()[..be], bs))
    }

    /// Byte spans of the matches `re.finditer` gives in `[start:end]`, at most `limit`.
    pub fn regex_spans(
        &self,
        p: &Pattern,
        start: Option<isize>,
        end: Option<isize>,
        limit: Option<usize>,
    ) -> Vec<(usize, usize)> {
        match self.search_range(start, end) {
            Some((hay, from)) => scan::find_spans(p, hay, from, limit),
            None => Vec::new(),
        }
    }

    /// Number of matches `re.finditer` gives in `[start:end]`.
    pub fn regex_count(&self, p: &Pattern, start: Option<isize>, end: Option<isize>) -> usize {
        match self.search_range(start, end) {
            Some((hay, from)) => scan::count(p, hay, from),
            None => 0,
        }
    }

    /// The groups of a match already found at byte span `span` (re-run anchored at its start).
    pub fn regex_groups(&self, p: &Pattern, end: Option<isize>, span: (usize, usize)) -> Groups {
        let Some((hay, _)) = self.search_range(None, end) else {
            return vec![Some(span)];
        };
        let mut caps = p.regex.create_captures();
        let input = Input::new(hay).range(span.0..).anchored(Anchored::Yes);
        p.regex.search_captures(&input, &mut caps);
        (0..p.group_len())
            .map(|g| caps.get_group(g).map(|s| (s.start, s.end)))
            .collect()
    }

    /// The groups of each match in `spans` (byte spans `regex_spans` found with the same `end`),
    /// on every core; a pattern without groups skips the re-run.
    pub fn regex_groups_of(
        &self,
        p: &Pattern,
        end: Option<isize>,
        spans: Vec<(usize, usize)>,
    ) -> Vec<Groups> {
        if p.group_len() == 1 {
            return spans.into_iter().map(|s| vec![Some(s)]).collect();
        }
        spans
            .par_iter()
            .map(|&s| self.regex_groups(p, end, s))
            .collect()
    }

    /// The character spans of byte-level `groups` (sorted by match start): whole matches convert
    /// in one pass over the index, each group counts on from its match's start.
    pub fn char_groups(&self, groups: &[Groups]) -> Vec<Vec<Option<(usize, usize)>>> {
        let whole: Vec<(usize, usize)> = groups.iter().map(|g| g[0].unwrap_or((0, 0))).collect();
        let chars = self.spans_to_chars(&whole);
        groups
            .iter()
            .zip(chars)
            .map(|(g, c0)| {
                let anchor = (g[0].unwrap_or((0, 0)).0, c0.0);
                std::iter::once(Some(c0))
                    .chain(
                        g[1..]
                            .iter()
                            .map(|sp| sp.map(|s| self.char_span_from(anchor, s))),
                    )
                    .collect()
            })
            .collect()
    }

    /// Character offsets of `needle` in `[start:end]` (at most `limit`), as `find_all` reports
    /// them; `ignore_case` searches with a case-insensitive literal pattern (`re`'s bounds).
    pub fn find_all_literal(
        &self,
        needle: &str,
        ignore_case: bool,
        start: Option<isize>,
        end: Option<isize>,
        limit: Option<usize>,
    ) -> Result<Vec<usize>, PatternError> {
        if !ignore_case || needle.is_empty() {
            return Ok(self.find_all(needle, start, end, limit));
        }
        let p = Pattern::literal_ignore_case(needle)?;
        Ok(self.starts_to_chars(&self.regex_spans(&p, start, end, limit)))
    }

    /// How many times `needle` occurs in `[start:end]` (non-overlapping), optionally ignoring case.
    pub fn count_literal(
        &self,
        needle: &str,
        ignore_case: bool,
        start: Option<isize>,
        end: Option<isize>,
    ) -> Result<usize, PatternError> {
        if !ignore_case || needle.is_empty() {
            return Ok(self.count(needle, start, end));
        }
        let p = Pattern::literal_ignore_case(needle)?;
        Ok(self.regex_count(&p, start, end))
    }

    /// First match in `[start:end]` (`re.search`), or one anchored at `start` (`re.match`).
    pub fn regex_search(
        &self,
        p: &Pattern,
        start: Option<isize>,
        end: Option<isize>,
        anchored: bool,
    ) -> Option<Groups> {
        let (hay, from) = self.search_range(start, end)?;
        let mut caps = p.regex.create_captures();
        let mode = if anchored {
            Anchored::Yes
        } else {
            Anchored::No
        };
        p.regex
            .search_captures(&Input::new(hay).range(from..).anchored(mode), &mut caps);
        caps.get_group(0)?;
        Some(
            (0..p.group_len())
                .map(|g| caps.get_group(g).map(|s| (s.start, s.end)))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(s: &str) -> Context {
        Context::from_string(s.to_string())
    }

    #[test]
    fn empty_matches_follow_python() {
        // Python: re.findall(r"x*", "axb") == ['', 'x', '', '']
        let c = ctx("axb");
        let p = Pattern::new("x*", 0, false).unwrap();
        assert_eq!(
            c.regex_spans(&p, None, None, None),
            vec![(0, 0), (1, 2), (2, 2), (3, 3)]
        );
    }

    #[test]
    fn lookaround_is_reported_as_unsupported() {
        let err = Pattern::new(r"(?<=a)b", 0, false).err().unwrap();
        assert!(err.message.contains("look-around"), "{}", err.message);
    }

    #[test]
    fn groups_and_flags() {
        let c = ctx("Key=1\nkey=22");
        let p = Pattern::new(r"^key=(\d+)$", IGNORECASE | MULTILINE, false).unwrap();
        let spans = c.regex_spans(&p, None, None, None);
        assert_eq!(spans, vec![(0, 5), (6, 12)]);
        assert_eq!(
            c.regex_groups(&p, None, spans[1]),
            vec![Some((6, 12)), Some((10, 12))]
        );
        assert_eq!(p.names, vec![None, None]);
    }

    #[test]
    fn group_spans_convert_to_characters() {
        let c = ctx("é=€1 ü=2");
        let p = Pattern::new(r"(\w)=(€)?(\d)", 0, false).unwrap();
        let spans = c.regex_spans(&p, None, None, None);
        let groups = c.regex_groups_of(&p, None, spans);
        assert_eq!(
            c.char_groups(&groups),
            vec![
                vec![Some((0, 4)), Some((0, 1)), Some((2, 3)), Some((3, 4))],
                vec![Some((5, 8)), Some((5, 6)), None, Some((7, 8))],
            ]
        );
        let plain = Pattern::new(r"\d", 0, false).unwrap();
        let spans = c.regex_spans(&plain, None, None, None);
        assert_eq!(
            c.regex_groups_of(&plain, None, spans.clone()),
            spans.iter().map(|&s| vec![Some(s)]).collect::<Vec<_>>()
        );
    }

    #[test]
    fn last_group_is_the_one_that_closed_last() {
        // ((a)b) on "ab": the outer group closes after the inner one.
        assert_eq!(
            last_group(&[Some((0, 2)), Some((0, 2)), Some((0, 1))]),
            Some(1)
        );
        // (a)(b)? on "a": group 2 did not take part.
        assert_eq!(last_group(&[Some((0, 1)), Some((0, 1)), None]), Some(1));
        // same span: the outer (lower-numbered) group wins.
        assert_eq!(
            last_group(&[Some((0, 1)), Some((0, 1)), Some((0, 1))]),
            Some(1)
        );
        assert_eq!(last_group(&[Some((0, 1))]), None);
        assert_eq!(last_group(&[Some((0, 0)), None]), None);
    }

    #[test]
    fn literal_search_ignoring_case() {
        let c = ctx("Ab.AB ab a.b");
        assert_eq!(
            c.find_all_literal("ab", true, None, None, None).unwrap(),
            vec![0, 3, 6]
        );
        assert_eq!(
            c.find_all_literal("ab", false, None, None, None).unwrap(),
            vec![6]
        );
        assert_eq!(
            c.find_all_literal("A.B", true, None, None, None).unwrap(),
            vec![9]
        );
        assert_eq!(c.count_literal("AB", true, Some(1), None).unwrap(), 2);
        assert_eq!(c.count_literal("", true, None, Some(2)).unwrap(), 3);
    }

    #[test]
    fn endpos_cuts_the_haystack() {
        let c = ctx("abc abc");
        let p = Pattern::new(r"c$", 0, false).unwrap();
        assert_eq!(c.regex_count(&p, None, Some(3)), 1);
        assert_eq!(c.regex_count(&p, None, Some(-1)), 0);
    }
}
