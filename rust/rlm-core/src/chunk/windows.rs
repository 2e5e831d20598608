//! The character-sized strategies (`chars`, `recursive`, `structural`): each chunk is the window
//! of `size` characters from its start, cut back to the best place the strategy finds in it.

use memchr::memrchr_iter;

use super::records::is_record_line;
use super::Strategy;
use crate::context::Context;

pub struct Windows {
    strategy: Strategy,
    size: usize,
    overlap: usize,
    /// Character offset of the next chunk; `None` once the text is covered.
    start: Option<usize>,
}

#[inline]
fn inside_crlf(b: &[u8], at: usize) -> bool {
    at > 0 && at < b.len() && b[at - 1] == b'\r' && b[at] == b'\n'
}

// Each finder returns a cut `c` (the byte a chunk ends at) with `lo <= c <= hi`, the last one of
// its kind. A cut after a separator at byte `p` is `p + 1`, so `p` runs over `[lo - 1, hi)`.

/// After the last `\n` that ends a blank line (`\n\n` or `\n\r\n`).
fn last_paragraph(b: &[u8], lo: usize, hi: usize) -> Option<usize> {
    memrchr_iter(b'\n', &b[lo - 1..hi])
        .map(|i| lo - 1 + i)
        .find(|&p| {
            (p >= 1 && b[p - 1] == b'\n') || (p >= 2 && b[p - 1] == b'\r' && b[p - 2] == b'\n')
        })
        .map(|p| p + 1)
}

/// After the last `\n`.
fn last_line(b: &[u8], lo: usize, hi: usize) -> Option<usize> {
    memchr::memrchr(b'\n', &b[lo - 1..hi]).map(|i| lo + i)
}

/// (after the last sentence end `. ` / `! ` / `? ` with a cut at or after `half`, after the
/// last space).
fn last_sentence_and_space(
    b: &[u8],
    lo: usize,
    half: usize,
    hi: usize,
) -> (Option<usize>, Option<usize>) {
    let mut space = None;
    for p in memrchr_iter(b' ', &b[lo - 1..hi]).map(|i| lo - 1 + i) {
        space.get_or_insert(p + 1);
        if p + 1 < half {
            break;
        }
        if p > 0 && matches!(b[p - 1], b'.' | b'!' | b'?') {
            return (Some(p + 1), space);
        }
    }
    (None, space)
}

/// At the start of the last line that starts a record. Walking back line by line, each line ends
/// at the break passed just before (only the first one is looked up), so a line is read once.
fn last_record(b: &[u8], lo: usize, hi: usize) -> Option<usize> {
    let mut end: Option<usize> = None;
    for p in memrchr_iter(b'\n', &b[lo - 1..hi]).map(|i| lo - 1 + i) {
        let line = p + 1;
        let line_end =
            end.unwrap_or_else(|| memchr::memchr(b'\n', &b[line..]).map_or(b.len(), |i| line + i));
        if is_record_line(b, line, &b[line..line_end]) {
            return Some(line);
        }
        end = Some(p);
    }
    None
}

impl Windows {
    pub fn new(strategy: Strategy, size: usize, overlap: usize) -> Self {
        Windows {
            strategy,
            size,
            overlap,
            start: Some(0),
        }
    }

    /// Where to cut a window whose cut must lie in `[lo, hi]` (bytes; `lo >= 1` leaves more than
    /// `overlap` characters, `hi` is `size` characters in); paragraph, line and sentence cuts
    /// must also be at or after `half`, so that chunks stay at least half full.
    fn cut(&self, b: &[u8], lo: usize, half: usize, hi: usize) -> usize {
        match self.strategy {
            Strategy::Chars => return hi,
            Strategy::Structural => {
                if let Some(c) = last_record(b, lo, hi) {
                    return c;
                }
            }
            _ => {}
        }
        if let Some(c) = last_paragraph(b, half, hi).or_else(|| last_line(b, half, hi)) {
            return c;
        }
        let (sentence, space) = last_sentence_and_space(b, lo, half, hi);
        sentence.or(space).unwrap_or(hi)
    }

    pub fn next_span(&mut self, ctx: &Context) -> Option<(usize, usize)> {
        let start = self.start?;
        let len = ctx.char_len();
        if start >= len {
            self.start = None;
            return None;
        }
        if start + self.size >= len {
            self.start = None;
            return Some((start, len));
        }
        let b = ctx.bytes();
        let sb = ctx.byte_of_char(start);
        let hb = ctx.byte_of_char(start + self.size);
        let lo = ctx.byte_of_char(start + self.overlap + 1);
        let half = ctx.byte_of_char(start + (self.size / 2).max(self.overlap + 1));
        let mut cut = self.cut(b, lo, half, hb);
        debug_assert!((lo..=hb).contains(&cut));
        if inside_crlf(b, cut) {
            cut -= 1; // size >= 2 and lo > sb keep this inside the window
        }
        debug_assert!(cut > sb);
        let end = ctx.char_of_byte(cut);
        let mut next = (end - self.overlap).max(start + 1);
        if inside_crlf(b, ctx.byte_of_char(next)) {
            next += 1;
        }
        self.start = Some(next);
        Some((start, end))
    }
}
