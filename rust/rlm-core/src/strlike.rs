//! The rest of `str`'s behaviour over a `Context` that needs no copy: equality and ordering against
//! another text, the span `strip` keeps, the separator `partition` splits at, and stepping through
//! characters (forwards and back). Results are byte offsets; the caller builds (and size-guards) any string.

use std::cmp::Ordering;

use memchr::memmem;

use crate::context::{utf8_width, Context};
use crate::lines::py_isspace;

impl Context {
    /// `self == other` as Python compares two `str`s: the same characters, i.e. the same UTF-8.
    pub fn eq_text(&self, other: &[u8]) -> bool {
        self.bytes() == other
    }

    /// Python's `str` ordering (code point by code point), which is exactly UTF-8 byte order.
    pub fn cmp_text(&self, other: &[u8]) -> Ordering {
        self.bytes().cmp(other)
    }

    /// Byte span that `str.strip(chars)` keeps (`left` / `right` pick the sides, as `lstrip` and
    /// `rstrip` do); `chars = None` strips what `str.isspace` calls whitespace.
    pub fn strip_span(&self, chars: Option<&str>, left: bool, right: bool) -> (usize, usize) {
        let text = self.text();
        let stripped = |c: char| chars.map_or_else(|| py_isspace(c), |set| set.contains(c));
        let start = if left {
            text.char_indices()
                .find(|&(_, c)| !stripped(c))
                .map_or(text.len(), |(i, _)| i)
        } else {
            0
        };
        let end = if right {
            text[start..]
                .char_indices()
                .rev()
                .find(|&(_, c)| !stripped(c))
                .map_or(start, |(i, c)| start + i + c.len_utf8())
        } else {
            text.len()
        };
        (start, end)
    }

    /// Byte span of the separator `str.partition(sep)` splits at (the first occurrence; the last
    /// with `last`, as `rpartition`), or `None` when `sep` does not occur. `sep` must not be empty.
    pub fn partition_span(&self, sep: &str, last: bool) -> Option<(usize, usize)> {
        let found = if last {
            memmem::rfind(self.bytes(), sep.as_bytes())
        } else {
            memmem::find(self.bytes(), sep.as_bytes())
        };
        found.map(|i| (i, i + sep.len()))
    }

    /// Byte offset just past the character that starts at `byte` (which must be a character start
    /// before the end): iterating characters without decoding the text up front.
    pub fn char_end(&self, byte: usize) -> usize {
        byte + utf8_width(self.bytes()[byte])
    }

    /// Byte offset of the character that ends at `byte` (a character boundary after the start):
    /// `reversed(context)` steps back over UTF-8 continuation bytes.
    pub fn char_start_before(&self, byte: usize) -> usize {
        let bytes = self.bytes();
        let mut i = byte - 1;
        while i > 0 && bytes[i] & 0xC0 == 0x80 {
            i -= 1;
        }
        i
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(s: &str) -> Context {
        Context::from_string(s.to_string())
    }

    #[test]
    fn equality_is_byte_equality() {
        assert!(ctx("héllo").eq_text("héllo".as_bytes()));
        assert!(!ctx("héllo").eq_text("hello".as_bytes()));
        assert!(ctx("").eq_text(b""));
    }

    #[test]
    fn ordering_follows_code_points_as_python_does() {
        // Python: "é" > "z" (U+00E9 > U+007A), "€" > "é", "ab" < "abc", "b" > "abc".
        assert_eq!(ctx("é").cmp_text("z".as_bytes()), Ordering::Greater);
        assert_eq!(ctx("€").cmp_text("é".as_bytes()), Ordering::Greater);
        assert_eq!(ctx("ab").cmp_text(b"abc"), Ordering::Less);
        assert_eq!(ctx("b").cmp_text(b"abc"), Ordering::Greater);
        assert_eq!(
            ctx("\u{10000}").cmp_text("\u{ffff}".as_bytes()),
            Ordering::Greater
        );
    }

    #[test]
    fn strip_spans_match_python() {
        let c = ctx(" \t\x1céa b\u{2028}\n ");
        let (a, b) = c.strip_span(None, true, true);
        assert_eq!(&c.text()[a..b], "éa b");
        let (a, b) = c.strip_span(None, true, false);
        assert_eq!(&c.text()[a..b], "éa b\u{2028}\n ");
        let (a, b) = c.strip_span(None, false, true);
        assert_eq!(&c.text()[a..b], " \t\x1céa b");
        let x = ctx("xxaéxax");
        let (a, b) = x.strip_span(Some("xa"), true, true);
        assert_eq!(&x.text()[a..b], "é");
        let blank = ctx("   ");
        assert_eq!(blank.strip_span(None, true, true), (3, 3));
        assert_eq!(blank.strip_span(None, false, true), (0, 0));
        assert_eq!(ctx("").strip_span(None, true, true), (0, 0));
    }

    #[test]
    fn partition_finds_the_first_or_last_separator() {
        let c = ctx("a=é=b");
        assert_eq!(c.partition_span("=", false), Some((1, 2)));
        assert_eq!(c.partition_span("=", true), Some((4, 5)));
        assert_eq!(c.partition_span(";", false), None);
    }

    #[test]
    fn char_steps_go_over_every_width_both_ways() {
        let c = ctx("aé€\u{10000}");
        let mut ends = Vec::new();
        let mut i = 0;
        while i < c.byte_len() {
            i = c.char_end(i);
            ends.push(i);
        }
        assert_eq!(ends, vec![1, 3, 6, 10]);
        let mut starts = Vec::new();
        while i > 0 {
            i = c.char_start_before(i);
            starts.push(i);
        }
        assert_eq!(starts, vec![6, 3, 1, 0]);
    }
}
