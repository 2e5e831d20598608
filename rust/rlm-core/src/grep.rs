//! Line-oriented search, like `rg -n -B -A`: which lines match, with their numbers.
//!
//! After a match the search resumes at the next line, so each line is reported once; a line
//! matches only through its own text (never its terminator). The text is
//! cut into pieces at line starts, so pieces are independent and run on every core.

use std::sync::Arc;

use rayon::prelude::*;

use crate::context::Context;
use crate::index::count_breaks;
use crate::lines::next_break;
use crate::regex::{escape, Pattern, PatternError, IGNORECASE, MULTILINE};
use crate::scan::Finder;
use crate::PAR_MIN;

/// A line number and the line's byte span without its terminator.
pub type NumberedLine = (usize, (usize, usize));

/// One matching line, all offsets in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrepHit {
    /// 1-based line number.
    pub line_number: usize,
    /// The line without its terminator.
    pub line: (usize, usize),
    /// The first match on the line.
    pub first: (usize, usize),
}

/// The pattern `grep` runs, as `rg` reads one: line-oriented, so `^`/`$` always match at line
/// edges (MULTILINE) and take `\r\n` as one break (a CRLF file's `$` sits before the `\r`);
/// `literal` escapes the text, `ignore_case` adds IGNORECASE to the `re` `flags` given.
///
/// ```
/// let p = rlm_core::grep::grep_pattern("B$", true, false, 0).unwrap();
/// let c = rlm_core::Context::from_string("ab\r\nb c\nb".to_string());
/// assert_eq!(c.grep_count(&*p), 2); // lines 1 and 3
/// ```
pub fn grep_pattern(
    pattern: &str,
    ignore_case: bool,
    literal: bool,
    flags: u32,
) -> Result<Arc<Pattern>, PatternError> {
    let source = if literal {
        escape(pattern)
    } else {
        pattern.to_owned()
    };
    let flags = flags | MULTILINE | if ignore_case { IGNORECASE } else { 0 };
    Pattern::cached(&source, flags, true)
}

/// A grep hit in character offsets with its neighbours, as `grep(before=, after=)` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HitContext {
    /// Character offsets of the line start and of the first match on the line.
    pub line_start: usize,
    pub start: usize,
    pub end: usize,
    /// Up to `before` preceding and `after` following lines, as byte spans with their numbers.
    pub before: Vec<NumberedLine>,
    pub after: Vec<NumberedLine>,
}

impl Context {
    /// Matching lines in bytes `[from, to)` (line starts), numbering from `first_line`.
    fn grep_piece<F: Finder>(
        &self,
        f: &F,
        from: usize,
        to: usize,
        first_line: usize,
        limit: Option<usize>,
        collect: bool,
    ) -> (usize, Vec<GrepHit>) {
        let (text, bytes) = (self.text(), self.bytes());
        let (mut pos, mut line_at_pos) = (from, first_line);
        let (mut count, mut hits) = (0, Vec::new());
        let mut cache = f.new_cache();
        // The haystack ends at `to` (a line start, or a file's end in a tree): a piece, or one
        // file of a tree, is not searched past its end for a candidate that would be dropped.
        let hay = &text[..to];
        while pos < to && limit.is_none_or(|l| count < l) {
            let Some(m) = f.find_at(&mut cache, hay, pos) else {
                break;
            };
            if m.0 >= to {
                break;
            }
            let ls = self.line_start_before(m.0).max(pos);
            let line_number = line_at_pos + count_breaks(bytes, pos, ls);
            let (le, next) = match next_break(bytes, ls) {
                Some((at, len)) => (at, at + len),
                None => (bytes.len(), bytes.len()),
            };
            // A line matches only through its own text, as in ripgrep: a candidate that starts in
            // the terminator or runs past it (`\s`, `a\s`) is re-checked on the line alone.
            let first = if m.1 <= le {
                Some(m)
            } else {
                f.find_at(&mut cache, &text[..le], ls)
            };
            if let Some(first) = first {
                count += 1;
                if collect {
                    hits.push(GrepHit {
                        line_number,
                        line: (ls, le),
                        first,
                    });
                }
            }
            pos = next;
            line_at_pos = line_number + 1;
        }
        (count, hits)
    }

    /// Line starts cutting bytes `[from, to)` (line starts) into pieces for the cores.
    fn line_cuts(&self, from: usize, to: usize) -> Vec<usize> {
        let size = ((to - from) / (rayon::current_num_threads().max(1) * 4)).max(1 << 20);
        let mut cuts = vec![from];
        let mut at = from + size;
        while at < to {
            match next_break(self.bytes(), at) {
                Some((b, l)) if b + l < to => cuts.push(b + l),
                _ => break,
            }
            at = cuts[cuts.len() - 1] + size;
        }
        cuts.push(to);
        cuts
    }

    fn grep_run<F: Finder>(
        &self,
        f: &F,
        (from, to): (usize, usize),
        limit: Option<usize>,
        collect: bool,
    ) -> (usize, Vec<GrepHit>) {
        if to - from < PAR_MIN || limit.is_some() {
            return self.grep_piece(f, from, to, self.line_of_byte(from), limit, collect);
        }
        let cuts = self.line_cuts(from, to);
        let parts: Vec<(usize, Vec<GrepHit>)> = cuts
            .par_windows(2)
            .map(|w| self.grep_piece(f, w[0], w[1], self.line_of_byte(w[0]), None, collect))
            .collect();
        let count = parts.iter().map(|p| p.0).sum();
        (count, parts.into_iter().flat_map(|p| p.1).collect())
    }

    /// The matching lines, at most `max_count` of them.
    pub fn grep<F: Finder>(&self, f: &F, max_count: Option<usize>) -> Vec<GrepHit> {
        self.grep_span(f, (0, self.byte_len()), max_count)
    }

    /// How many lines match (`rg -c`).
    pub fn grep_count<F: Finder>(&self, f: &F) -> usize {
        self.grep_count_span(f, (0, self.byte_len()))
    }

    /// The first and last line numbers of the bytes `span` (a line start to a line start or the
    /// end); `(n, n - 1)` for an empty span.
    pub fn span_lines(&self, (from, to): (usize, usize)) -> (usize, usize) {
        let first = self.line_of_byte(from);
        if to <= from {
            return (first, first - 1);
        }
        (first, self.line_of_byte(to - 1))
    }

    /// The matching lines of the bytes `span` (from a line start to a line start or the end:
    /// a tree member's text, `grep(file=)`), numbered as lines of the whole text.
    ///
    /// ```
    /// let c = rlm_core::Context::from_string("# FILE: a\nx 1\n# FILE: b\nx 2\nx 3\n".to_string());
    /// let p = rlm_core::grep::grep_pattern("x", false, false, 0).unwrap();
    /// let lines: Vec<usize> = c.grep_span(&*p, (24, 32), None).iter().map(|h| h.line_number).collect();
    /// assert_eq!((lines, c.grep_count_span(&*p, (24, 32))), (vec![4, 5], 2));
    /// ```
    pub fn grep_span<F: Finder>(&self, f: &F, span: (usize, usize), max_count: Option<usize>) -> Vec<GrepHit> {
        self.grep_run(f, span, max_count, true).1
    }

    /// How many lines of the bytes `span` match (as `grep_span`).
    pub fn grep_count_span<F: Finder>(&self, f: &F, span: (usize, usize)) -> usize {
        self.grep_run(f, span, None, false).0
    }

    /// Character offsets `(line start, match start, match end)` of a hit.
    pub fn hit_chars(&self, h: &GrepHit) -> (usize, usize, usize) {
        let text = self.text();
        let line_start = self.char_of_byte(h.line.0);
        let start = line_start + text[h.line.0..h.first.0].chars().count();
        (
            line_start,
            start,
            start + text[h.first.0..h.first.1].chars().count(),
        )
    }

    /// Character offsets and neighbour lines of `hit` (each hit on its own: callers spread many
    /// hits over the cores).
    pub fn hit_context(&self, hit: &GrepHit, before: usize, after: usize) -> HitContext {
        self.hit_context_in(hit, before, after, (1, usize::MAX))
    }

    /// `hit_context` with the neighbour lines kept within the lines `first..=last` (those of
    /// `span_lines`: `grep(file=)` shows no line of another file, as `rg` run on that file).
    pub fn hit_context_in(
        &self,
        hit: &GrepHit,
        before: usize,
        after: usize,
        (first, last): (usize, usize),
    ) -> HitContext {
        let (mut pre, mut post) = self.neighbour_lines(hit.line_number, before, after);
        pre.retain(|(n, _)| *n >= first);
        post.retain(|(n, _)| *n <= last);
        let (line_start, start, end) = self.hit_chars(hit);
        HitContext {
            line_start,
            start,
            end,
            before: pre,
            after: post,
        }
    }

    /// Up to `before` lines preceding and `after` lines following line `number`, as
    /// `(line_number, byte span without terminator)`.
    pub fn neighbour_lines(
        &self,
        number: usize,
        before: usize,
        after: usize,
    ) -> (Vec<NumberedLine>, Vec<NumberedLine>) {
        let span = |n: usize| self.line_byte_span(n).map(|s| (n, s));
        let first = number.saturating_sub(before).max(1);
        let pre = (first..number).filter_map(span).collect();
        let post = (number + 1..=number + after).map_while(span).collect();
        (pre, post)
    }
}

#[cfg(test)]
mod tests {
    use super::grep_pattern;
    use crate::regex::{Pattern, DOTALL, MULTILINE};
    use crate::scan::Literal;
    use crate::Context;

    fn grep_lines(c: &Context, pattern: &str, ignore_case: bool, literal: bool) -> Vec<usize> {
        let p = grep_pattern(pattern, ignore_case, literal, 0).unwrap();
        c.grep(&*p, None).iter().map(|h| h.line_number).collect()
    }

    #[test]
    fn grep_patterns_anchor_at_every_line_and_before_crlf() {
        let c = Context::from_string("end\r\nmid end x\nend\n".to_string());
        assert_eq!(grep_lines(&c, "^end$", false, false), vec![1, 3]);
        assert_eq!(grep_lines(&c, "end$", false, false), vec![1, 3]);
        assert_eq!(grep_lines(&c, "^END", true, false), vec![1, 3]);
        assert_eq!(grep_lines(&c, "^END", false, false), Vec::<usize>::new());
    }

    #[test]
    fn grep_literal_escapes_metacharacters() {
        let c = Context::from_string("a.b\naxb\n(x)\n".to_string());
        assert_eq!(grep_lines(&c, "a.b", false, true), vec![1]);
        assert_eq!(grep_lines(&c, "a.b", false, false), vec![1, 2]);
        assert_eq!(grep_lines(&c, "(x)", false, true), vec![3]);
    }

    #[test]
    fn grep_keeps_the_flags_it_is_given() {
        let c = Context::from_string("ab\ncd\n".to_string());
        let p = grep_pattern("b.c", false, false, DOTALL).unwrap();
        // DOTALL lets the match cross the break, but a line matches only through its own text.
        assert!(c.grep(&*p, None).is_empty());
        assert!(grep_pattern("(?<=a)b", false, false, 0).is_err());
    }

    #[test]
    fn hit_context_gives_character_offsets_and_neighbours() {
        let c = Context::from_string("é1\nxé needle\nz".to_string());
        let hit = &c.grep(&Literal::new("needle"), None)[0];
        let got = c.hit_context(hit, 1, 1);
        assert_eq!((got.line_start, got.start, got.end), (3, 6, 12));
        assert_eq!(got.before, vec![(1, (0, 3))]);
        assert_eq!(got.after, vec![(3, (15, 16))]);
    }

    #[test]
    fn a_span_is_searched_alone_with_its_neighbours_kept_inside_it() {
        // Two "files": bytes 0..8 ("a x\nb x\n") and 8..16 ("c x\nd x\n"), the second without
        // its last newline counted as its own.
        let c = Context::from_string("a x\nb x\nc x\nd x".to_string());
        let p = grep_pattern("x$", false, false, 0).unwrap();
        let hits = c.grep_span(&*p, (8, 15), None);
        assert_eq!(hits.iter().map(|h| h.line_number).collect::<Vec<_>>(), vec![3, 4]);
        assert_eq!(c.span_lines((8, 15)), (3, 4));
        assert_eq!(c.span_lines((8, 8)), (3, 2));
        let got = c.hit_context_in(&hits[0], 2, 2, c.span_lines((8, 15)));
        assert_eq!((got.before, got.after), (vec![], vec![(4, (12, 15))]));
        // A pattern spanning the span's end finds nothing past it.
        let across = grep_pattern("b x\nc", false, false, 0).unwrap();
        assert!(c.grep_span(&*across, (0, 8), None).is_empty());
        assert_eq!(c.grep_count_span(&*p, (0, 8)), 2);
    }

    #[test]
    fn one_hit_per_line_with_numbers() {
        let c = Context::from_string("ab ab\r\nxx\nab\n".to_string());
        let hits = c.grep(&Literal::new("ab"), None);
        let got: Vec<_> = hits
            .iter()
            .map(|h| (h.line_number, h.line, h.first))
            .collect();
        assert_eq!(got, vec![(1, (0, 5), (0, 2)), (3, (10, 12), (10, 12))]);
        assert_eq!(c.grep_count(&Literal::new("ab")), 2);
    }

    #[test]
    fn anchors_match_at_line_edges() {
        let c = Context::from_string("def a\r\n  def b\ndef c".to_string());
        let p = Pattern::new(r"^def \w$", MULTILINE, true).unwrap();
        let lines: Vec<_> = c.grep(&p, None).iter().map(|h| h.line_number).collect();
        assert_eq!(lines, vec![1, 3]);
    }

    #[test]
    fn parallel_pieces_number_lines_like_one_pass() {
        let mut s = String::new();
        for i in 0..300_000 {
            s.push_str(&format!(
                "line {i} é{}\r\n",
                if i % 1000 == 0 { " needle" } else { "" }
            ));
        }
        let c = Context::from_string(s);
        assert!(c.byte_len() > crate::PAR_MIN);
        let hits = c.grep(&Literal::new("needle"), None);
        assert_eq!(hits.len(), 300);
        assert!(hits
            .iter()
            .enumerate()
            .all(|(k, h)| h.line_number == k * 1000 + 1));
        assert_eq!(c.grep(&Literal::new("needle"), Some(2)), hits[..2].to_vec());
    }

    #[test]
    fn neighbours_stop_at_the_text_edges() {
        let c = Context::from_string("a\nb\nc".to_string());
        assert_eq!(c.hit_chars(&c.grep(&Literal::new("c"), None)[0]), (4, 4, 5));
        let (pre, post) = c.neighbour_lines(1, 2, 5);
        assert!(pre.is_empty());
        assert_eq!(post, vec![(2, (2, 3)), (3, (4, 5))]);
    }
}
