//! A sparse checkpoint table over the bytes of a UTF-8 text: for every block of `BLOCK` bytes, how
//! many characters and how many line breaks come before it. Character <-> byte conversions and
//! line lookups then scan at most one block.
//!
//! Line breaks follow `str.splitlines()`: `\n`, `\r\n` (one break), `\r`, `\v`, `\f`, `\x1c`-`\x1e`,
//! U+0085, U+2028, U+2029. A break is attributed to the byte where its terminator starts.

use rayon::prelude::*;

/// Bytes per checkpoint. 4 KiB keeps any lookup to a microsecond or two and costs 16 bytes of
/// table per 4 KiB of text (0.4 %).
pub const BLOCK: usize = 4096;

/// Texts below this size are indexed on one thread: spawning costs more than it saves.
const PAR_MIN: usize = 4 << 20;

#[derive(Debug, Default, Clone)]
pub struct Index {
    /// `chars[k]` = characters before byte `k * BLOCK`; one extra entry at the end (the total).
    pub chars: Vec<u64>,
    /// `breaks[k]` = line breaks starting before byte `k * BLOCK`; one extra entry (the total).
    pub breaks: Vec<u64>,
}

/// True for a byte that starts a character (not a UTF-8 continuation byte).
#[inline(always)]
pub fn is_char_start(b: u8) -> bool {
    (b as i8) >= -0x40
}

/// Bytes that may begin a line break (`\n`, `\v`, `\f`, `\r`, `\x1c`-`\x1e`, and the lead bytes of
/// U+0085 and U+2028/U+2029).
#[inline(always)]
pub fn may_start_break(b: u8) -> bool {
    b.wrapping_sub(0x0a) < 4 || b.wrapping_sub(0x1c) < 3 || b == 0xc2 || b == 0xe2
}

/// Length in bytes of the line break starting at `i`, or 0 if none starts there. `\r\n` is 2;
/// a `\n` preceded by `\r` is reported as 1 here: use `break_starts_at` to skip it.
#[inline]
pub fn break_len_at(bytes: &[u8], i: usize) -> usize {
    match bytes[i] {
        b'\n' | 0x0b | 0x0c | 0x1c..=0x1e => 1,
        b'\r' => 1 + (bytes.get(i + 1) == Some(&b'\n')) as usize,
        0xc2 if bytes.get(i + 1) == Some(&0x85) => 2,
        0xe2 if bytes.get(i + 1) == Some(&0x80) && matches!(bytes.get(i + 2), Some(0xa8 | 0xa9)) => 3,
        _ => 0,
    }
}

/// True when a break starts at byte `i` (the `\n` of a `\r\n` does not start one).
#[inline]
pub fn break_starts_at(bytes: &[u8], i: usize) -> bool {
    if bytes[i] == b'\n' {
        return i == 0 || bytes[i - 1] != b'\r';
    }
    break_len_at(bytes, i) > 0
}

/// True when a line break ends exactly at byte `i` (so a line starts there).
#[inline]
pub fn break_ends_at(bytes: &[u8], i: usize) -> bool {
    if i == 0 || i > bytes.len() {
        return false;
    }
    match bytes[i - 1] {
        b'\n' | 0x0b | 0x0c | 0x1c..=0x1e => true,
        b'\r' => bytes.get(i) != Some(&b'\n'),
        0x85 => i >= 2 && bytes[i - 2] == 0xc2,
        0xa8 | 0xa9 => i >= 3 && bytes[i - 3] == 0xe2 && bytes[i - 2] == 0x80,
        _ => false,
    }
}

/// Number of line breaks starting in `bytes[from..to]`.
pub fn count_breaks(bytes: &[u8], from: usize, to: usize) -> usize {
    let mut total = 0;
    let mut at = from;
    while at < to {
        let end = (at + BLOCK).min(to);
        total += count_block(bytes, at, end).1 as usize;
        at = end;
    }
    total
}

/// (characters, line breaks) starting in `bytes[start..end]`.
fn count_block(bytes: &[u8], start: usize, end: usize) -> (u64, u64) {
    let block = &bytes[start..end];
    // One branch-free pass the compiler vectorises; the exact break scan runs only for blocks
    // holding a byte that may start a rarer break (`\r`, form feed, U+2028, ...).
    let (mut chars, mut newlines, mut candidates) = (0u32, 0u32, 0u32);
    for &b in block {
        chars += is_char_start(b) as u32;
        newlines += (b == b'\n') as u32;
        candidates += may_start_break(b) as u32;
    }
    let breaks = if candidates == newlines {
        // Only `\n`s here; the first may still close a `\r\n` begun in the previous block.
        let continued = start > 0 && block.first() == Some(&b'\n') && bytes[start - 1] == b'\r';
        newlines - continued as u32
    } else {
        (start..end).filter(|&i| break_starts_at(bytes, i)).count() as u32
    };
    (chars as u64, breaks as u64)
}

impl Index {
    /// Build the table for `bytes` (both counts in one pass; parallel above a few MB).
    pub fn build(bytes: &[u8]) -> Index {
        let n_blocks = bytes.len().div_ceil(BLOCK);
        let count = |k: usize| count_block(bytes, k * BLOCK, ((k + 1) * BLOCK).min(bytes.len()));
        let per_block: Vec<(u64, u64)> = if bytes.len() >= PAR_MIN {
            (0..n_blocks).into_par_iter().with_min_len(256).map(count).collect()
        } else {
            (0..n_blocks).map(count).collect()
        };
        let mut chars = Vec::with_capacity(n_blocks + 1);
        let mut breaks = Vec::with_capacity(n_blocks + 1);
        let (mut c, mut l) = (0u64, 0u64);
        for (bc, bl) in per_block {
            chars.push(c);
            breaks.push(l);
            c += bc;
            l += bl;
        }
        chars.push(c);
        breaks.push(l);
        Index { chars, breaks }
    }

    pub fn char_len(&self) -> usize {
        *self.chars.last().unwrap_or(&0) as usize
    }

    pub fn break_count(&self) -> usize {
        *self.breaks.last().unwrap_or(&0) as usize
    }

    fn block_is_ascii(&self, bytes: &[u8], k: usize) -> bool {
        let len = (bytes.len() - k * BLOCK).min(BLOCK) as u64;
        self.chars[k + 1] - self.chars[k] == len
    }

    /// Character offset of byte `byte` (a character boundary, or `bytes.len()`).
    pub fn char_of_byte(&self, bytes: &[u8], byte: usize) -> usize {
        if byte >= bytes.len() {
            return self.char_len();
        }
        let k = byte / BLOCK;
        let base = self.chars[k] as usize;
        let start = k * BLOCK;
        if self.block_is_ascii(bytes, k) {
            return base + (byte - start);
        }
        base + bytes[start..byte].iter().filter(|&&b| is_char_start(b)).count()
    }

    /// Byte offset where character `ch` starts (`bytes.len()` for `ch >= char_len`).
    pub fn byte_of_char(&self, bytes: &[u8], ch: usize) -> usize {
        if ch >= self.char_len() {
            return bytes.len();
        }
        // The last block whose first counted character is at or before `ch`.
        let k = self.chars.partition_point(|&c| c as usize <= ch) - 1;
        let start = k * BLOCK;
        let mut want = ch - self.chars[k] as usize;
        if self.block_is_ascii(bytes, k) {
            return start + want;
        }
        let mut i = start;
        loop {
            if is_char_start(bytes[i]) {
                if want == 0 {
                    return i;
                }
                want -= 1;
            }
            i += 1;
        }
    }

    /// Number of line breaks starting in `bytes[..byte]`.
    pub fn breaks_before(&self, bytes: &[u8], byte: usize) -> usize {
        let byte = byte.min(bytes.len());
        let k = byte / BLOCK;
        self.breaks[k] as usize + count_breaks(bytes, k * BLOCK, byte)
    }

    /// Byte offset where break number `n` (0-based) starts; `None` if there are not that many.
    pub fn nth_break(&self, bytes: &[u8], n: usize) -> Option<usize> {
        if n >= self.break_count() {
            return None;
        }
        let k = self.breaks.partition_point(|&c| c as usize <= n) - 1;
        let mut want = n - self.breaks[k] as usize;
        let mut i = k * BLOCK;
        loop {
            if break_starts_at(bytes, i) {
                if want == 0 {
                    return Some(i);
                }
                want -= 1;
            }
            i += 1;
        }
    }
}

/// Converts increasing byte offsets to character offsets, scanning each byte at most once (for the
/// many matches of one search).
pub struct CharCursor<'a> {
    bytes: &'a [u8],
    index: &'a Index,
    byte: usize,
    ch: usize,
}

impl<'a> CharCursor<'a> {
    pub fn new(bytes: &'a [u8], index: &'a Index) -> Self {
        CharCursor { bytes, index, byte: 0, ch: 0 }
    }

    /// Character offset of `byte` (a character boundary); fast when calls go forward.
    pub fn char_of(&mut self, byte: usize) -> usize {
        if byte < self.byte || byte - self.byte > BLOCK {
            self.ch = self.index.char_of_byte(self.bytes, byte);
        } else {
            let hop = &self.bytes[self.byte..byte.min(self.bytes.len())];
            self.ch += hop.iter().filter(|&&b| is_char_start(b)).count();
        }
        self.byte = byte;
        self.ch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) {
        let b = text.as_bytes();
        let idx = Index::build(b);
        assert_eq!(idx.char_len(), text.chars().count());
        let exact = (0..b.len()).filter(|&i| break_starts_at(b, i)).count();
        assert_eq!(idx.break_count(), exact, "{text:?}");
        let mut seen = 0;
        for (ci, (bi, _)) in text.char_indices().enumerate() {
            assert_eq!(idx.byte_of_char(b, ci), bi);
            assert_eq!(idx.char_of_byte(b, bi), ci);
            assert_eq!(idx.breaks_before(b, bi), seen);
            seen += (bi..bi + text[bi..].chars().next().unwrap().len_utf8())
                .filter(|&i| break_starts_at(b, i))
                .count();
        }
    }

    #[test]
    fn conversions_round_trip_across_blocks() {
        let mut s = String::new();
        for i in 0..3000 {
            s.push_str(if i % 7 == 0 { "é€😀\r\n" } else { "abc\n" });
            if i % 13 == 0 {
                s.push('\u{2028}');
            }
        }
        check(&s);
        check("");
        check("\r");
        check("a\r\nb\x0cc\u{85}");
    }

    #[test]
    fn crlf_split_across_a_block_counts_once() {
        let mut s = "a".repeat(BLOCK - 1);
        s.push_str("\r\nxyz\n");
        let idx = Index::build(s.as_bytes());
        assert_eq!(idx.break_count(), 2);
        assert_eq!(idx.nth_break(s.as_bytes(), 0), Some(BLOCK - 1));
        assert_eq!(idx.nth_break(s.as_bytes(), 1), Some(BLOCK + 4));
    }

    #[test]
    fn break_ends_where_lines_start() {
        let b = "a\r\nb\rc\u{2028}d".as_bytes();
        let starts: Vec<usize> = (0..=b.len()).filter(|&i| break_ends_at(b, i)).collect();
        assert_eq!(starts, vec![3, 5, 9]);
    }
}
