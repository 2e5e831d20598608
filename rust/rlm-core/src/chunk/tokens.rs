//! The `tokens` strategy: chunks of `size` tokens of the whole text's encoding.
//!
//! Chunk `k` is nominally tokens `[k * step, k * step + size)` (`step = size - overlap`). Token
//! boundaries come from [`Tokenizer::for_each_piece`]: inside each pre-tokenizer piece the sums of
//! its tokens' byte lengths, mapped back through NFC. Not every boundary may be a cut: byte-level
//! BPE can end a token inside a UTF-8 character, a `\r\n` may be two tokens, and inside a run NFC
//! rewrote no offset of the text corresponds. So a chunk starts at the first cut at or after its
//! nominal start (but never after the previous chunk's end: no gaps) and ends at the last cut at
//! or before its nominal end, so it holds at most `size` tokens and the overlap is at most
//! `overlap`. Only when no cut lies between its start and its nominal end (one character or NFC
//! run of more than `size` tokens) does it end at the next cut instead.
//!
//! The text is encoded in parts cut where the pre-tokenizer always splits ([`split`]), a few at a
//! time on every core, and their boundaries streamed in order through one [`Cutter`] that keeps
//! only the cuts of the chunks still open: memory is bounded by the chunk size, not the text.

use std::collections::VecDeque;

use rayon::prelude::*;

use crate::context::Context;
use crate::index::is_char_start;
use crate::tokens::{split, Cache, Tokenizer};

/// Bytes encoded per part, and parts encoded per parallel batch.
const PART: usize = 256 << 10;
const BATCH: usize = 16;

struct Cutter<'a> {
    b: &'a [u8],
    size: usize,
    step: usize,
    /// Tokens seen so far: the next boundary is boundary `n`.
    n: usize,
    /// Cuts (boundary index, byte offset), from the last one at or before the next chunk's
    /// nominal start on.
    cuts: VecDeque<(usize, usize)>,
    /// The next chunk to close.
    k: usize,
    /// The last chunk: its start and end cuts.
    prev: Option<((usize, usize), (usize, usize))>,
    out: Vec<(usize, usize)>,
}

impl Cutter<'_> {
    fn cuttable(&self, at: usize) -> bool {
        at == self.b.len()
            || (is_char_start(self.b[at])
                && !(at > 0 && self.b[at - 1] == b'\r' && self.b[at] == b'\n'))
    }

    /// The first cut at or after boundary `i` (the text's end when `i` is past the last token).
    fn fwd(&self, i: usize) -> (usize, usize) {
        let k = self.cuts.partition_point(|&(j, _)| j < i);
        self.cuts.get(k).copied().unwrap_or((self.n, self.b.len()))
    }

    /// The last cut at or before boundary `i` (boundary 0 is always one).
    fn back(&self, i: usize) -> (usize, usize) {
        let k = self.cuts.partition_point(|&(j, _)| j <= i);
        self.cuts[k - 1]
    }

    /// Boundary `self.n` is at byte `at` (`None`: at no offset of the text).
    fn boundary(&mut self, at: Option<usize>) {
        if let Some(at) = at.filter(|&a| self.cuttable(a)) {
            self.cuts.push_back((self.n, at));
            while self.n >= self.k * self.step + self.size {
                self.close(false);
            }
        }
    }

    /// Close chunk `self.k`; `seen_all` once every token has been seen (a chunk whose nominal
    /// end is past the last token then ends at the text's end).
    fn close(&mut self, seen_all: bool) {
        let nominal_start = self.k * self.step;
        self.k += 1;
        let mut start = self.fwd(nominal_start);
        if let Some((prev_start, prev_end)) = self.prev {
            if start.1 > prev_end.1 {
                start = prev_end; // no gap: start where the previous chunk ended
            }
            if start.1 <= prev_start.1 {
                return; // no cut between two nominal starts: the previous chunk covers this one
            }
        }
        // At most `size` tokens from where the chunk really starts.
        let nominal_end = (nominal_start + self.size).min(start.0 + self.size);
        let mut end = if seen_all && nominal_end >= self.n {
            (self.n, self.b.len())
        } else {
            self.back(nominal_end)
        };
        if end.1 <= start.1 {
            end = self.fwd(nominal_end); // one unit of more than `size` tokens
        }
        if self.prev.is_some_and(|(_, prev_end)| end.1 <= prev_end.1) {
            return;
        }
        self.out.push((start.1, end.1));
        self.prev = Some((start, end));
        let next_start = self.k * self.step;
        while self.cuts.len() >= 2 && self.cuts[1].0 <= next_start.min(end.0) {
            self.cuts.pop_front();
        }
    }

    fn finish(mut self) -> Vec<(usize, usize)> {
        let len = self.b.len();
        if len > 0 {
            if self.cuts.back().is_none_or(|&(_, at)| at < len) {
                self.cuts.push_back((self.n, len));
            }
            while self.out.last().is_none_or(|&(_, e)| e < len) {
                self.close(true);
            }
        }
        self.out
    }
}

/// The boundaries after each token of `part` (offsets relative to `part`; see `boundary`).
fn part_boundaries(tok: &Tokenizer, part: &str, cache: &mut Cache) -> Vec<Option<usize>> {
    let mut out = Vec::new();
    tok.for_each_piece(part, cache, &mut |ids, at| {
        let mut k = 0;
        for &id in ids {
            k += tok.token_len(id);
            out.push(at.offset(k));
        }
    });
    out
}

/// Character-offset spans of the chunks of `ctx`.
pub fn token_spans(
    ctx: &Context,
    tok: &Tokenizer,
    size: usize,
    overlap: usize,
) -> Vec<(usize, usize)> {
    let text = ctx.text();
    let b = text.as_bytes();
    let mut c = Cutter {
        b,
        size,
        step: size - overlap,
        n: 0,
        cuts: VecDeque::new(),
        k: 0,
        prev: None,
        out: Vec::new(),
    };
    if b.is_empty() {
        return Vec::new();
    }
    c.boundary(Some(0));
    let parts = if tok.can_split() {
        split::parts(text, PART)
    } else {
        vec![(0, text.len())]
    };
    for batch in parts.chunks(BATCH) {
        let found: Vec<Vec<Option<usize>>> = batch
            .par_iter()
            .map_init(Cache::default, |cache, &(a, z)| {
                part_boundaries(tok, &text[a..z], cache)
            })
            .collect();
        for (&(a, _), bounds) in batch.iter().zip(found) {
            for at in bounds {
                c.n += 1;
                c.boundary(at.map(|x| a + x));
            }
        }
    }
    c.finish()
        .into_iter()
        .map(|(s, e)| (ctx.char_of_byte(s), ctx.char_of_byte(e)))
        .collect()
}
