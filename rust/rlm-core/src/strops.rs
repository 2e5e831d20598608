//! Python `str` methods over a `Context`, in character offsets, with CPython's index rules.

use std::borrow::Cow;

use memchr::memmem;
use rayon::prelude::*;

use crate::context::Context;
use crate::index::CharCursor;
use crate::scan::{self, Literal};

/// CPython's `ADJUST_INDICES`: negative indices count from the end, `end` is clipped to the
/// length, `start` may stay past it (so `"abc".find("", 4)` is -1 while `find("", 3)` is 3).
pub fn adjust_indices(start: Option<isize>, end: Option<isize>, len: usize) -> (usize, usize) {
    let len_i = len as isize;
    let mut e = end.unwrap_or(len_i);
    if e > len_i {
        e = len_i;
    } else if e < 0 {
        e = (e + len_i).max(0);
    }
    let mut s = start.unwrap_or(0);
    if s < 0 {
        s = (s + len_i).max(0);
    }
    (s as usize, e as usize)
}

/// `str[i]`'s index rule: a negative index counts from the end; `None` when out of range.
pub fn normalize_index(i: isize, len: usize) -> Option<usize> {
    let i = if i < 0 { i + len as isize } else { i };
    (0..len as isize).contains(&i).then_some(i as usize)
}

impl Context {
    /// `str[i]`: the character at `i` (negative counts from the end), `None` when out of range.
    pub fn char_at(&self, i: isize) -> Option<&str> {
        let i = normalize_index(i, self.char_len())?;
        Some(self.slice(i, i + 1))
    }

    /// `str[start:stop:step]` as `slice.indices(len)` normalises it: `count` characters from
    /// character `start`, every `step`-th (`step != 0`; negative walks backwards). Step 1
    /// borrows the text; other steps walk only the characters the slice spans.
    ///
    /// ```
    /// let c = rlm_core::Context::from_string("aé€😀z".to_string());
    /// assert_eq!(c.slice_step(4, -2, 3), "z€a"); // "aé€😀z"[::-2]
    /// ```
    pub fn slice_step(&self, start: usize, step: isize, count: usize) -> Cow<'_, str> {
        assert!(step != 0, "slice step cannot be zero");
        if count == 0 {
            return Cow::Borrowed("");
        }
        let span = (count - 1) * step.unsigned_abs();
        if step == 1 {
            return Cow::Borrowed(self.slice(start, start + count));
        }
        if step > 0 {
            let piece = self.slice(start, start + span + 1);
            Cow::Owned(piece.chars().step_by(step as usize).collect())
        } else {
            let piece = self.slice(start - span, start + 1);
            Cow::Owned(piece.chars().rev().step_by(step.unsigned_abs()).collect())
        }
    }

    /// `str.find`: lowest character offset of `sub` in `[start:end]`.
    pub fn find(&self, sub: &str, start: Option<isize>, end: Option<isize>) -> Option<usize> {
        self.find_in(sub, start, end, memmem::find)
    }

    /// `str.rfind`: highest character offset of `sub` in `[start:end]`.
    pub fn rfind(&self, sub: &str, start: Option<isize>, end: Option<isize>) -> Option<usize> {
        self.find_in(sub, start, end, memmem::rfind)
    }

    /// `find` / `rfind` with `search` (memmem's forward or backward search) on `[start:end]`.
    fn find_in(
        &self,
        sub: &str,
        start: Option<isize>,
        end: Option<isize>,
        search: fn(&[u8], &[u8]) -> Option<usize>,
    ) -> Option<usize> {
        let (s, e) = adjust_indices(start, end, self.char_len());
        let sub_chars = sub.chars().count();
        if e < s || e - s < sub_chars {
            return None;
        }
        let (bs, be) = self.byte_range(s, e);
        let pos = search(&self.bytes()[bs..be], sub.as_bytes())?;
        Some(self.char_of_byte(bs + pos))
    }

    /// `str.count`: non-overlapping occurrences of `sub` in `[start:end]` (every core on big texts).
    pub fn count(&self, sub: &str, start: Option<isize>, end: Option<isize>) -> usize {
        let (s, e) = adjust_indices(start, end, self.char_len());
        if e < s {
            return 0;
        }
        if sub.is_empty() {
            return e - s + 1;
        }
        let (bs, be) = self.byte_range(s, e);
        scan::count(&Literal::new(sub), &self.text()[..be], bs)
    }

    /// Character offsets of the non-overlapping occurrences of `sub` (those `count` counts).
    pub fn find_all(
        &self,
        sub: &str,
        start: Option<isize>,
        end: Option<isize>,
        limit: Option<usize>,
    ) -> Vec<usize> {
        let (s, e) = adjust_indices(start, end, self.char_len());
        if e < s {
            return Vec::new();
        }
        if sub.is_empty() {
            let n = (e - s + 1).min(limit.unwrap_or(usize::MAX));
            return (s..s + n).collect();
        }
        let (bs, be) = self.byte_range(s, e);
        let spans = scan::find_spans(&Literal::new(sub), &self.text()[..be], bs, limit);
        self.starts_to_chars(&spans)
    }

    /// `str.startswith` for one prefix.
    pub fn startswith(&self, prefix: &str, start: Option<isize>, end: Option<isize>) -> bool {
        let (s, e) = adjust_indices(start, end, self.char_len());
        let n = prefix.chars().count();
        if e < n || e - n < s {
            return false;
        }
        let bs = self.byte_of_char(s);
        self.bytes()[bs..].starts_with(prefix.as_bytes())
    }

    /// `str.endswith` for one suffix.
    pub fn endswith(&self, suffix: &str, start: Option<isize>, end: Option<isize>) -> bool {
        let (s, e) = adjust_indices(start, end, self.char_len());
        let n = suffix.chars().count();
        if e < n || e - n < s {
            return false;
        }
        let be = self.byte_of_char(e);
        self.bytes()[..be].ends_with(suffix.as_bytes())
    }

    /// `str.__contains__`.
    pub fn contains(&self, sub: &str) -> bool {
        memmem::find(self.bytes(), sub.as_bytes()).is_some()
    }

    /// Character offsets of the starts of byte spans given in increasing order.
    pub fn starts_to_chars(&self, spans: &[(usize, usize)]) -> Vec<usize> {
        self.spans_to_chars(spans)
            .into_iter()
            .map(|(s, _)| s)
            .collect()
    }

    /// Character spans of byte spans given in increasing, non-overlapping order (on every core
    /// for many spans: each piece starts its own cursor from the index).
    pub fn spans_to_chars(&self, spans: &[(usize, usize)]) -> Vec<(usize, usize)> {
        let convert = |piece: &[(usize, usize)]| -> Vec<(usize, usize)> {
            let mut cursor = CharCursor::new(self.bytes(), &self.index);
            piece
                .iter()
                .map(|&(s, e)| (cursor.char_of(s), cursor.char_of(e)))
                .collect()
        };
        if spans.len() < 8192 {
            return convert(spans);
        }
        let parts: Vec<Vec<(usize, usize)>> = spans.par_chunks(4096).map(convert).collect();
        parts.concat()
    }

    /// Character span of byte span `span`, counting from a known point `(byte, char)` before it.
    pub fn char_span_from(&self, anchor: (usize, usize), span: (usize, usize)) -> (usize, usize) {
        let count = |a: usize, b: usize| self.text()[a..b].chars().count();
        let s = anchor.1 + count(anchor.0, span.0);
        (s, s + count(span.0, span.1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(s: &str) -> Context {
        Context::from_string(s.to_string())
    }

    /// What Python gives for `s[start::step]` with `count` items, character by character.
    fn reference_slice(s: &str, start: usize, step: isize, count: usize) -> String {
        let chars: Vec<char> = s.chars().collect();
        (0..count)
            .map(|k| chars[(start as isize + k as isize * step) as usize])
            .collect()
    }

    #[test]
    fn extended_slices_take_every_step_th_character() {
        let text = "aé€😀z0123456789";
        let c = ctx(text);
        let n = text.chars().count();
        for step in [-7isize, -3, -2, -1, 1, 2, 3, 5, 20] {
            for start in 0..n {
                // As slice.indices(n) gives for [start::step]: every character reachable.
                let count = if step > 0 {
                    (n - start).div_ceil(step as usize)
                } else {
                    start / step.unsigned_abs() + 1
                };
                for take in [0, 1, count] {
                    assert_eq!(
                        c.slice_step(start, step, take),
                        reference_slice(text, start, step, take),
                        "start {start} step {step} count {take}"
                    );
                }
            }
        }
        assert!(matches!(c.slice_step(1, 1, 3), Cow::Borrowed("é€😀")));
    }

    #[test]
    fn negative_indices_count_from_the_end() {
        let c = ctx("aé€");
        assert_eq!(c.char_at(-1), Some("€"));
        assert_eq!(c.char_at(-3), Some("a"));
        assert_eq!(c.char_at(1), Some("é"));
        assert_eq!(c.char_at(3), None);
        assert_eq!(c.char_at(-4), None);
        assert_eq!(normalize_index(0, 0), None);
    }

    #[test]
    fn find_follows_cpython_edge_rules() {
        let c = ctx("aé€aé€");
        assert_eq!(c.find("é€", None, None), Some(1));
        assert_eq!(c.find("é€", Some(2), None), Some(4));
        assert_eq!(c.rfind("a", None, Some(-1)), Some(3));
        assert_eq!(c.find("", Some(6), None), Some(6));
        assert_eq!(c.find("", Some(7), None), None);
        assert_eq!(c.find("", Some(3), Some(2)), None);
    }

    #[test]
    fn count_and_find_all_agree() {
        let c = ctx("aaaa é aa");
        assert_eq!(c.count("aa", None, None), 3);
        assert_eq!(c.find_all("aa", None, None, None), vec![0, 2, 7]);
        assert_eq!(c.count("", Some(1), Some(3)), 3);
        assert_eq!(c.count("", Some(4), Some(3)), 0);
    }

    #[test]
    fn startswith_endswith_with_ranges() {
        let c = ctx("héllo");
        assert!(c.startswith("él", Some(1), None));
        assert!(!c.startswith("", Some(6), None));
        assert!(c.startswith("", Some(5), None));
        assert!(c.endswith("ll", None, Some(4)));
        assert!(!c.endswith("llo", Some(3), None));
    }
}
