//! Byte-level BPE over raw bytes: the merges of tokenizer.json applied by rank, as the
//! `tokenizers` crate's `Word::merge_all` does (lowest rank first, leftmost first among equals).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// FxHash (rustc's): vocabulary and merge lookups hash a few bytes each, many millions of times.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().unwrap()));
        }
        for &b in chunks.remainder() {
            self.add(b as u64);
        }
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    #[inline(always)]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The merge table: (left id, right id) -> (rank, merged id).
pub struct Bpe {
    pub byte_ids: [u32; 256],
    merges: FxMap<u64, (u32, u32)>,
}

#[inline(always)]
fn pair(a: u32, b: u32) -> u64 {
    ((a as u64) << 32) | b as u64
}

#[derive(Clone, Copy)]
struct Symbol {
    id: u32,
    prev: u32,
    next: u32,
    alive: bool,
}

const NONE: u32 = u32::MAX;

impl Bpe {
    /// `merges` in rank order; a pair listed twice keeps its last entry (as the tokenizers crate).
    pub fn new(byte_ids: [u32; 256], merges: impl IntoIterator<Item = (u32, u32, u32)>) -> Self {
        let mut table = FxMap::default();
        for (rank, (a, b, merged)) in merges.into_iter().enumerate() {
            table.insert(pair(a, b), (rank as u32, merged));
        }
        Bpe {
            byte_ids,
            merges: table,
        }
    }

    /// The token ids of one pre-tokenized piece, appended to `out`.
    pub fn encode_piece(&self, piece: &[u8], out: &mut Vec<u32>) {
        if piece.len() == 1 {
            out.push(self.byte_ids[piece[0] as usize]);
            return;
        }
        let n = piece.len();
        let mut sym: Vec<Symbol> = piece
            .iter()
            .enumerate()
            .map(|(i, &b)| Symbol {
                id: self.byte_ids[b as usize],
                prev: if i == 0 { NONE } else { i as u32 - 1 },
                next: if i + 1 == n { NONE } else { i as u32 + 1 },
                alive: true,
            })
            .collect();
        // Min-heap on (rank, position): the tokenizers crate's order.
        let mut heap: BinaryHeap<Reverse<(u32, u32, u32)>> = BinaryHeap::with_capacity(n);
        for i in 0..n - 1 {
            if let Some(&(rank, merged)) = self.merges.get(&pair(sym[i].id, sym[i + 1].id)) {
                heap.push(Reverse((rank, i as u32, merged)));
            }
        }
        while let Some(Reverse((_, pos, merged))) = heap.pop() {
            let p = pos as usize;
            if !sym[p].alive || sym[p].next == NONE {
                continue;
            }
            let q = sym[p].next as usize;
            // A stale entry: one side was merged into something else since it was pushed.
            match self.merges.get(&pair(sym[p].id, sym[q].id)) {
                Some(&(_, m)) if m == merged => {}
                _ => continue,
            }
            sym[p].id = merged;
            sym[q].alive = false;
            let after = sym[q].next;
            sym[p].next = after;
            if after != NONE {
                sym[after as usize].prev = pos;
            }
            let before = sym[p].prev;
            if before != NONE {
                if let Some(&(rank, m)) = self.merges.get(&pair(sym[before as usize].id, merged)) {
                    heap.push(Reverse((rank, before, m)));
                }
            }
            if after != NONE {
                if let Some(&(rank, m)) = self.merges.get(&pair(merged, sym[after as usize].id)) {
                    heap.push(Reverse((rank, pos, m)));
                }
            }
        }
        let mut i = 0u32;
        while i != NONE {
            out.push(sym[i as usize].id);
            i = sym[i as usize].next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes a=97, b=98 map to ids 0 and 1; merges: (a,b)->2 rank 0, (2,2)->3 rank 1.
    fn tiny() -> Bpe {
        let mut ids = [NONE; 256];
        ids[b'a' as usize] = 0;
        ids[b'b' as usize] = 1;
        Bpe::new(ids, [(0, 1, 2), (2, 2, 3)])
    }

    fn enc(bpe: &Bpe, s: &str) -> Vec<u32> {
        let mut out = Vec::new();
        bpe.encode_piece(s.as_bytes(), &mut out);
        out
    }

    #[test]
    fn merges_apply_by_rank_then_merge_results_merge_again() {
        let bpe = tiny();
        assert_eq!(enc(&bpe, "abab"), [3]);
        assert_eq!(enc(&bpe, "ababa"), [3, 0]);
        assert_eq!(enc(&bpe, "ba"), [1, 0]);
        assert_eq!(enc(&bpe, "a"), [0]);
    }

    #[test]
    fn equal_ranks_merge_leftmost_first() {
        // (a,a)->2: "aaa" merges the left pair, leaving the last a alone.
        let mut ids = [NONE; 256];
        ids[b'a' as usize] = 0;
        let bpe = Bpe::new(ids, [(0, 0, 2)]);
        assert_eq!(enc(&bpe, "aaa"), [2, 0]);
    }
}
