//! A sparse checkpoint table over the bytes of a UTF-8 text: for every block of `BLOCK` bytes, how
//! many characters and how many line breaks come before it. Character <-> byte conversions and
//! line lookups then scan at most one block.
//!
//! Line breaks follow `str.splitlines()`: `\n`, `\r\n` (one break), `\r`, `\v`, `\f`, `\x1c`-`\x1e`,
//! U+0085, U+2028, U+2029. A break is attributed to the byte where its terminator starts.

use rayon::prelude::*;

use crate::PAR_MIN;

/// Bytes per checkpoint. 4 KiB keeps any lookup to a microsecond or two and costs 16 bytes of
/// table per 4 KiB of text (0.4 %).
pub const BLOCK: usize = 4096;

#[derive(Debug, Default, Clone)]
pub struct Index {
    /// `chars[k]` = characters before byte `k * BLOCK`; one extra entry at the end (the total).
    pub chars: Vec<u64>,
    /// `breaks[k]` = line breaks starting before byte `k * BLOCK`; one extra entry (the total).
    pub breaks: Vec<u64>,
    /// `sub[k][j]` = characters in block `k` before byte `j * SUB` of it, so a conversion scans
    /// at most `SUB` bytes (many matches in non-ASCII text convert fast).
    pub sub: Vec<[u16; BLOCK / SUB]>,
}

/// Bytes per sub-checkpoint inside a block.
pub const SUB: usize = 512;

/// Character counts before each `SUB`-byte part of `block` (computed only for non-ASCII blocks).
fn sub_counts(block: &[u8], chars: usize) -> [u16; BLOCK / SUB] {
    let mut out = [0u16; BLOCK / SUB];
    if chars == block.len() {
        for (j, o) in out.iter_mut().enumerate() {
            *o = (j * SUB) as u16;
        }
        return out;
    }
    let mut acc = 0u16;
    for (j, part) in block.chunks(SUB).enumerate() {
        out[j] = acc;
        acc += part.iter().filter(|&&b| is_char_start(b)).count() as u16;
    }
    for o in out.iter_mut().skip(block.len().div_ceil(SUB)) {
        *o = acc;
    }
    out
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
        0xe2 if bytes.get(i + 1) == Some(&0x80)
            && matches!(bytes.get(i + 2), Some(0xa8 | 0xa9)) =>
        {
            3
        }
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

/// Per-lane byte counters over 64-byte chunks: the compiler turns each into SIMD compares and
/// subtractions. `(characters, '\n', other one-byte breaks, '\r' | 0xc2 | 0xe2)`.
#[inline(always)]
fn lane_counts_generic(block: &[u8]) -> (usize, usize, usize, usize) {
    debug_assert!(block.len() <= 255 * 64, "u8 lane counters would overflow");
    let (mut c, mut n, mut o, mut s) = ([0u8; 64], [0u8; 64], [0u8; 64], [0u8; 64]);
    let mut chunks = block.chunks_exact(64);
    for v in &mut chunks {
        for i in 0..64 {
            let b = v[i];
            c[i] += is_char_start(b) as u8;
            n[i] += (b == b'\n') as u8;
            o[i] += (b.wrapping_sub(0x0b) < 2 || b.wrapping_sub(0x1c) < 3) as u8;
            s[i] += (b == b'\r' || b == 0xc2 || b == 0xe2) as u8;
        }
    }
    let sum = |a: [u8; 64]| a.iter().map(|&x| x as usize).sum::<usize>();
    let (mut c, mut n, mut o, mut s) = (sum(c), sum(n), sum(o), sum(s));
    for &b in chunks.remainder() {
        c += is_char_start(b) as usize;
        n += (b == b'\n') as usize;
        o += (b.wrapping_sub(0x0b) < 2 || b.wrapping_sub(0x1c) < 3) as usize;
        s += (b == b'\r' || b == 0xc2 || b == 0xe2) as usize;
    }
    (c, n, o, s)
}

/// The same loop compiled for AVX2 (32-byte vectors) when the CPU has it; the portable build
/// targets SSE2 only.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn lane_counts_avx2(block: &[u8]) -> (usize, usize, usize, usize) {
    lane_counts_generic(block)
}

#[inline]
fn lane_counts(block: &[u8]) -> (usize, usize, usize, usize) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above).
        return unsafe { lane_counts_avx2(block) };
    }
    lane_counts_generic(block)
}

/// (characters, line breaks) starting in `bytes[start..end]` (`end - start <= BLOCK`).
pub fn count_block(bytes: &[u8], start: usize, end: usize) -> (u64, u64) {
    let block = &bytes[start..end];
    let (chars, newlines, one_byte, special) = lane_counts(block);
    // Every `\n` and one-byte break counts, except a `\n` closing a `\r\n` (the `\r` counts).
    let mut breaks = newlines + one_byte;
    if start > 0 && block.first() == Some(&b'\n') && bytes[start - 1] == b'\r' {
        breaks -= 1;
    }
    if special > 0 {
        for i in memchr::memchr3_iter(b'\r', 0xc2, 0xe2, block) {
            let at = start + i;
            match bytes[at] {
                // A `\r\n` inside the block was counted by its `\n`; one crossing the block end
                // is counted here, and the next block skips its leading `\n`.
                b'\r' => breaks += (at + 1 == end || bytes.get(at + 1) != Some(&b'\n')) as usize,
                _ => breaks += (break_len_at(bytes, at) > 0) as usize,
            }
        }
    }
    (chars as u64, breaks as u64)
}

/// Blocks per piece of the fused validate-and-count pass: 256 KiB stays in the L2 cache between
/// validating it and counting it.
const PIECE_BLOCKS: usize = 64;

/// Move `at` forward onto a character start (at most 3 continuation bytes in valid UTF-8), or
/// onto `bytes.len()`: where parallel passes cut a text into pieces.
pub fn char_start_at_or_after(bytes: &[u8], at: usize) -> usize {
    let mut c = at.min(bytes.len());
    while c < bytes.len() && c < at + 3 && !is_char_start(bytes[c]) {
        c += 1;
    }
    c
}

impl Index {
    /// Build the table for `bytes`, which must be valid UTF-8.
    pub fn build(bytes: &[u8]) -> Index {
        Self::build_inner(bytes, false).expect("not validating")
    }

    /// Validate `bytes` as UTF-8 and build the table in the same pass (each piece is validated and
    /// counted while it is in cache; parallel above a few MB). `None` means invalid UTF-8 somewhere.
    pub fn build_validated(bytes: &[u8]) -> Option<Index> {
        Self::build_inner(bytes, true)
    }

    fn build_inner(bytes: &[u8], validate: bool) -> Option<Index> {
        let n_blocks = bytes.len().div_ceil(BLOCK);
        let piece = |p: usize| -> Option<Vec<(u64, u64, [u16; BLOCK / SUB])>> {
            let (k0, k1) = (p * PIECE_BLOCKS, ((p + 1) * PIECE_BLOCKS).min(n_blocks));
            if validate {
                let a = char_start_at_or_after(bytes, k0 * BLOCK);
                let b = char_start_at_or_after(bytes, k1 * BLOCK);
                simdutf8::basic::from_utf8(&bytes[a..b]).ok()?;
            }
            Some(
                (k0..k1)
                    .map(|k| {
                        let (a, b) = (k * BLOCK, ((k + 1) * BLOCK).min(bytes.len()));
                        let (c, l) = count_block(bytes, a, b);
                        (c, l, sub_counts(&bytes[a..b], c as usize))
                    })
                    .collect(),
            )
        };
        let n_pieces = n_blocks.div_ceil(PIECE_BLOCKS);
        let pieces: Vec<Vec<(u64, u64, [u16; BLOCK / SUB])>> = if bytes.len() >= PAR_MIN {
            (0..n_pieces)
                .into_par_iter()
                .map(piece)
                .collect::<Option<_>>()?
        } else {
            (0..n_pieces).map(piece).collect::<Option<_>>()?
        };
        let per_block = pieces.into_iter().flatten();
        let mut chars = Vec::with_capacity(n_blocks + 1);
        let mut breaks = Vec::with_capacity(n_blocks + 1);
        let mut sub = Vec::with_capacity(n_blocks);
        let (mut c, mut l) = (0u64, 0u64);
        for (bc, bl, sb) in per_block {
            chars.push(c);
            breaks.push(l);
            sub.push(sb);
            c += bc;
            l += bl;
        }
        chars.push(c);
        breaks.push(l);
        Some(Index { chars, breaks, sub })
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
        let j = (byte % BLOCK) / SUB;
        let base = self.chars[k] as usize + self.sub[k][j] as usize;
        let start = k * BLOCK + j * SUB;
        if self.block_is_ascii(bytes, k) {
            return base + (byte - start);
        }
        base + bytes[start..byte]
            .iter()
            .filter(|&&b| is_char_start(b))
            .count()
    }

    /// Byte offset where character `ch` starts (`bytes.len()` for `ch >= char_len`).
    pub fn byte_of_char(&self, bytes: &[u8], ch: usize) -> usize {
        if ch >= self.char_len() {
            return bytes.len();
        }
        // The last block whose first counted character is at or before `ch`.
        let k = self.chars.partition_point(|&c| c as usize <= ch) - 1;
        let in_block = ch - self.chars[k] as usize;
        if self.block_is_ascii(bytes, k) {
            return k * BLOCK + in_block;
        }
        let j = self.sub[k].partition_point(|&c| c as usize <= in_block) - 1;
        let mut want = in_block - self.sub[k][j] as usize;
        let mut i = k * BLOCK + j * SUB;
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
        let block_end = ((k + 1) * BLOCK).min(bytes.len());
        // Skip the parts before the break by their counts (vectorised), coarse then fine: testing
        // every byte from the block start cost ~19 instructions a byte, ~2 KiB a lookup, which made
        // `lines` chunking cost 15x a newline count (benches/README.md).
        let mut i = k * BLOCK;
        for stride in [SUB, 64] {
            while i + stride <= block_end {
                let here = count_block(bytes, i, i + stride).1 as usize;
                if here > want {
                    break;
                }
                want -= here;
                i += stride;
            }
        }
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
        CharCursor {
            bytes,
            index,
            byte: 0,
            ch: 0,
        }
    }

    /// Character offset of `byte` (a character boundary); fast when calls go forward.
    pub fn char_of(&mut self, byte: usize) -> usize {
        // Within the block of the previous call and after it: count only the bytes in between.
        // Otherwise the table gives the block start (arithmetic alone for ASCII blocks).
        if byte >= self.byte && byte / BLOCK == self.byte / BLOCK {
            let hop = &self.bytes[self.byte..byte.min(self.bytes.len())];
            self.ch += hop.iter().filter(|&&b| is_char_start(b)).count();
        } else {
            self.ch = self.index.char_of_byte(self.bytes, byte);
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
        let starts: Vec<usize> = (0..b.len()).filter(|&i| break_starts_at(b, i)).collect();
        assert_eq!(idx.break_count(), starts.len(), "{text:?}");
        for (n, &at) in starts.iter().enumerate() {
            assert_eq!(idx.nth_break(b, n), Some(at), "break {n}");
        }
        assert_eq!(idx.nth_break(b, starts.len()), None);
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
    fn nth_break_finds_breaks_on_either_side_of_its_skip_strides() {
        // Breaks right before, at and after each 64- and 512-byte stride edge, of every kind (a
        // `\r\n` across an edge starts at its `\r`), in dense and sparse runs.
        let kinds = ["\n", "\r\n", "\r", "\u{b}", "\u{1e}", "\u{85}", "\u{2028}"];
        for gap in [0, 1, 61, 62, 63, 64, 509, 510, 511] {
            let mut s = String::new();
            for i in 0..200 {
                s.push_str(&"a".repeat(gap));
                s.push_str(kinds[i % kinds.len()]);
                if i % 5 == 0 {
                    s.push('é');
                }
            }
            check(&s);
        }
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
