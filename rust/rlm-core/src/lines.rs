//! Lines and splitting with `str.splitlines()` / `str.split()` semantics, lazily, as byte spans.

use memchr::memmem;

use crate::context::Context;
use crate::index::{break_ends_at, break_len_at, may_start_break};

/// Python's `str.isspace` (Rust's `char::is_whitespace` lacks `\x1c`-`\x1f`).
#[inline]
pub fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Byte offset of the next line break at or after `from`, and its length; `None` at the end.
pub fn next_break(bytes: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut i = from;
    while i < bytes.len() {
        // memchr for the common `\n`, then check the stretch before it for the rarer breaks.
        let nl = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |p| i + p);
        if let Some(p) = bytes[i..nl].iter().position(|&b| may_start_break(b)) {
            let at = i + p;
            let len = break_len_at(bytes, at);
            if len > 0 {
                return Some((at, len));
            }
            i = at + 1;
            continue;
        }
        if nl < bytes.len() {
            return Some((nl, 1));
        }
        return None;
    }
    None
}

/// Iterates lines as `(start, end, end_with_terminator)` byte spans, like `str.splitlines()`.
pub struct LineSpans<'a> {
    bytes: &'a [u8],
    pos: usize,
    end: usize,
}

impl<'a> LineSpans<'a> {
    pub fn new(bytes: &'a [u8], from: usize) -> Self {
        LineSpans {
            bytes,
            pos: from,
            end: bytes.len(),
        }
    }

    /// Byte offset where the next line starts.
    pub fn position(&self) -> usize {
        self.pos
    }
}

impl Iterator for LineSpans<'_> {
    type Item = (usize, usize, usize);

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.end {
            return None;
        }
        let start = self.pos;
        let item = match next_break(self.bytes, start) {
            Some((at, len)) => (start, at, at + len),
            None => (start, self.end, self.end),
        };
        self.pos = item.2;
        Some(item)
    }
}

/// The state of a lazy `str.split(sep, maxsplit)`: owns everything but the text, so a Python
/// iterator can hold it next to a shared `Context`.
pub struct SplitState {
    // The separator itself, not a prebuilt `memmem::Finder`: an owned (`into_owned`) AVX2 finder
    // crashed intermittently in memchr 2.8.3's packed-pair search (segfault seen in
    // `tests/context/test_properties.py::test_split`); building one per piece is cheap.
    sep: Option<String>,
    sep_len: usize,
    pos: usize,
    splits_left: usize,
    started: bool,
    done: bool,
}

impl SplitState {
    /// `sep = None` splits on runs of whitespace; an empty `sep` is the caller's error to raise.
    pub fn new(sep: Option<&str>, maxsplit: isize) -> Self {
        SplitState {
            sep: sep.map(str::to_owned),
            sep_len: sep.map_or(0, str::len),
            pos: 0,
            splits_left: if maxsplit < 0 {
                usize::MAX
            } else {
                maxsplit as usize
            },
            started: false,
            done: false,
        }
    }

    fn skip_space(&mut self, text: &str) {
        let rest = &text[self.pos..];
        self.pos += rest.find(|c: char| !py_isspace(c)).unwrap_or(rest.len());
    }

    /// The next piece of `text` as a byte span.
    pub fn next_span(&mut self, text: &str) -> Option<(usize, usize)> {
        if self.done {
            return None;
        }
        if !self.started {
            self.started = true;
            if self.sep.is_none() {
                self.skip_space(text);
            }
        }
        let start = self.pos;
        let Some(sep) = &self.sep else {
            if start >= text.len() {
                self.done = true;
                return None;
            }
            if self.splits_left == 0 {
                // The rest: leading whitespace already skipped, trailing whitespace kept.
                self.done = true;
                return Some((start, text.len()));
            }
            let rest = &text[start..];
            let word = rest.find(py_isspace).unwrap_or(rest.len());
            self.pos = start + word;
            self.splits_left -= 1;
            self.skip_space(text);
            return Some((start, start + word));
        };
        let found = if self.splits_left > 0 {
            memmem::find(&text.as_bytes()[start..], sep.as_bytes())
        } else {
            None
        };
        match found {
            Some(p) => {
                self.splits_left -= 1;
                self.pos = start + p + self.sep_len;
                Some((start, start + p))
            }
            None => {
                self.done = true;
                Some((start, text.len()))
            }
        }
    }
}

/// Iterates the pieces of `str.split(sep, maxsplit)` as byte spans.
pub struct SplitSpans<'a> {
    text: &'a str,
    state: SplitState,
}

impl<'a> SplitSpans<'a> {
    pub fn new(text: &'a str, sep: Option<&str>, maxsplit: isize) -> Self {
        SplitSpans {
            text,
            state: SplitState::new(sep, maxsplit),
        }
    }
}

impl Iterator for SplitSpans<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        self.state.next_span(self.text)
    }
}

impl Context {
    /// `len(str.splitlines())`: the breaks, plus a last line that has no terminator.
    pub fn line_count(&self) -> usize {
        let n = self.index.break_count();
        let b = self.bytes();
        if b.is_empty() || break_ends_at(b, b.len()) {
            n
        } else {
            n + 1
        }
    }

    /// Byte span `(start, end)` of line `number` (1-based) without its terminator.
    pub fn line_byte_span(&self, number: usize) -> Option<(usize, usize)> {
        if number == 0 || number > self.line_count() {
            return None;
        }
        let b = self.bytes();
        let start = if number == 1 {
            0
        } else {
            let at = self.index.nth_break(b, number - 2)?;
            at + break_len_at(b, at)
        };
        let end = self.index.nth_break(b, number - 1).unwrap_or(b.len());
        Some((start, end))
    }

    /// Line `number` as `line(n)` reads it: 1-based, negative counting from the end (-1 is the
    /// last line). `None` when there is no such line.
    ///
    /// ```
    /// let c = rlm_core::Context::from_string("a\nb\nc".to_string());
    /// assert_eq!((c.resolve_line(-1), c.resolve_line(1), c.resolve_line(0)), (Some(3), Some(1), None));
    /// ```
    pub fn resolve_line(&self, number: isize) -> Option<usize> {
        let count = self.line_count() as isize;
        let n = if number < 0 {
            number + count + 1
        } else {
            number
        };
        (1..=count).contains(&n).then_some(n as usize)
    }

    /// Byte span of line `number` (negative counts from the end) without its terminator.
    pub fn line_bytes(&self, number: isize) -> Option<(usize, usize)> {
        self.line_byte_span(self.resolve_line(number)?)
    }

    /// Character span of line `number` (negative counts from the end) without its terminator.
    pub fn line_char_span(&self, number: isize) -> Option<(usize, usize)> {
        let (a, b) = self.line_bytes(number)?;
        Some((self.char_of_byte(a), self.char_of_byte(b)))
    }

    /// The line holding character `offset` (negative counts from the end; the end itself,
    /// `offset == len`, belongs to the last line). `None` outside `-len..=len`.
    pub fn line_of(&self, offset: isize) -> Option<usize> {
        let len = self.char_len() as isize;
        let o = if offset < 0 { offset + len } else { offset };
        (0..=len)
            .contains(&o)
            .then(|| self.line_of_byte(self.byte_of_char(o as usize)))
    }

    /// 1-based number of the line holding byte `byte` (a line owns its terminator).
    pub fn line_of_byte(&self, byte: usize) -> usize {
        let b = self.bytes();
        let byte = byte.min(b.len());
        let mut before = self.index.breaks_before(b, byte);
        // The `\n` of a `\r\n` belongs to the line the `\r` ends.
        if byte < b.len() && b[byte] == b'\n' && byte > 0 && b[byte - 1] == b'\r' {
            before -= 1;
        }
        if byte == b.len() && before > 0 && before == self.line_count() {
            return before; // the end of a text that ends with a break: its last line
        }
        before + 1
    }

    /// Byte offset where the line holding `byte` starts.
    pub fn line_start_before(&self, byte: usize) -> usize {
        let b = self.bytes();
        let mut i = byte.min(b.len());
        while i > 0 && !break_ends_at(b, i) {
            i -= 1;
        }
        i
    }

    /// Byte spans of the pieces of `str.split(sep, maxsplit)`.
    pub fn split_spans<'a>(&'a self, sep: Option<&str>, maxsplit: isize) -> SplitSpans<'a> {
        SplitSpans::new(self.text(), sep, maxsplit)
    }

    /// Line spans from byte `from` (a line start) on.
    pub fn line_spans(&self, from: usize) -> LineSpans<'_> {
        LineSpans::new(self.bytes(), from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<&str> {
        LineSpans::new(s.as_bytes(), 0)
            .map(|(a, b, _)| &s[a..b])
            .collect()
    }

    #[test]
    fn lines_split_like_python_splitlines() {
        assert_eq!(
            lines("a\r\nb\rc\n\nd\u{2028}e\x0c"),
            vec!["a", "b", "c", "", "d", "e"]
        );
        assert_eq!(lines(""), Vec::<&str>::new());
        assert_eq!(lines("\n"), vec![""]);
        assert_eq!(lines("x"), vec!["x"]);
    }

    #[test]
    fn line_lookup_by_number_and_offset() {
        let c = Context::from_string("one\r\ntwo\n\nfour".to_string());
        assert_eq!(c.line_count(), 4);
        assert_eq!(c.line_byte_span(2), Some((5, 8)));
        assert_eq!(c.line_byte_span(3), Some((9, 9)));
        assert_eq!(c.line_byte_span(5), None);
        assert_eq!(c.line_of_byte(4), 1); // the \n of \r\n
        assert_eq!(c.line_of_byte(5), 2);
        assert_eq!(c.line_of_byte(14), 4);
    }

    #[test]
    fn negative_line_numbers_count_from_the_end() {
        let c = Context::from_string("one\r\nté\n\nfour".to_string());
        assert_eq!(c.line_bytes(-1), c.line_byte_span(4));
        assert_eq!(c.line_bytes(-4), c.line_byte_span(1));
        assert_eq!(c.line_bytes(-5), None);
        assert_eq!(c.line_bytes(0), None);
        assert_eq!(c.line_bytes(5), None);
        assert_eq!(c.line_char_span(2), Some((5, 7))); // "té": 3 bytes, 2 characters
        assert_eq!(c.line_char_span(-1), Some((9, 13)));
    }

    #[test]
    fn offsets_map_to_lines_from_either_end() {
        let c = Context::from_string("ab\ncd".to_string());
        assert_eq!(c.line_of(0), Some(1));
        assert_eq!(c.line_of(3), Some(2));
        assert_eq!(c.line_of(5), Some(2)); // the end belongs to the last line
        assert_eq!(c.line_of(-5), Some(1));
        assert_eq!(c.line_of(-1), Some(2));
        assert_eq!(c.line_of(6), None);
        assert_eq!(c.line_of(-6), None);
    }

    #[test]
    fn split_like_python() {
        let t = "  a b\t\x1c c  ";
        let got: Vec<&str> = SplitSpans::new(t, None, -1)
            .map(|(a, b)| &t[a..b])
            .collect();
        assert_eq!(got, vec!["a", "b", "c"]);
        let got: Vec<&str> = SplitSpans::new(t, None, 1).map(|(a, b)| &t[a..b]).collect();
        assert_eq!(got, vec!["a", "b\t\x1c c  "]);
        let t = "a,,b,";
        let got: Vec<&str> = SplitSpans::new(t, Some(","), -1)
            .map(|(a, b)| &t[a..b])
            .collect();
        assert_eq!(got, vec!["a", "", "b", ""]);
    }
}
