//! Non-overlapping match iteration with Python `re.finditer` / `str.count` semantics, on every core.
//!
//! The text is cut into pieces at character starts; each core scans its pieces independently.
//! A match may run past the end of its piece, so the piece after it would have started its scan
//! too early: stitching walks the pieces in order and re-scans from where the sequential scan
//! would really continue, until it meets a match the piece also found (from there on both scans
//! are identical, because the iteration state is just "the next position to search from").

use rayon::prelude::*;

use crate::context::utf8_width;
use crate::index::char_start_at_or_after;
use crate::PAR_MIN;

/// A leftmost-first matcher over a fixed haystack.
pub trait Finder: Sync {
    /// Per-thread scratch space (the regex engine's cache): each piece owns one, so the cores
    /// never contend for a shared pool.
    type Cache: Send;
    fn new_cache(&self) -> Self::Cache;
    /// The leftmost match starting at or after byte `at` in `hay` (a char boundary), as a byte span.
    fn find_at(&self, cache: &mut Self::Cache, hay: &str, at: usize) -> Option<(usize, usize)>;
}

/// Where the sequential scan continues after match `(s, e)`: after an empty match it moves one
/// character on, as Python does, so the scan always advances.
#[inline]
pub fn next_pos(hay: &str, (s, e): (usize, usize)) -> usize {
    if e > s {
        e
    } else if e < hay.len() {
        e + utf8_width(hay.as_bytes()[e])
    } else {
        e + 1
    }
}

/// The matches of one piece: `[from, to)` are the starts it owns.
struct Piece {
    from: usize,
    /// All matches (collect mode) or the first few (count mode), in order.
    matches: Vec<(usize, usize)>,
    count: usize,
    /// Where the scan continues after this piece's last match (`None` if it had none).
    next: Option<usize>,
}

/// How many leading matches a piece keeps in count mode, to find the sync point cheaply.
const SYNC_KEEP: usize = 64;

fn scan_piece<F: Finder>(f: &F, hay: &str, from: usize, to: usize, keep: usize) -> Piece {
    let mut p = Piece {
        from,
        matches: Vec::new(),
        count: 0,
        next: None,
    };
    let mut cache = f.new_cache();
    let mut at = from;
    while at <= hay.len() {
        let Some(m) = f.find_at(&mut cache, hay, at) else {
            break;
        };
        if m.0 >= to {
            break;
        }
        if p.matches.len() < keep {
            p.matches.push(m);
        }
        p.count += 1;
        at = next_pos(hay, m);
        p.next = Some(at);
    }
    p
}

/// Cut `[start, end)` of `hay` into pieces at character starts.
fn cuts(hay: &str, start: usize, end: usize) -> Vec<usize> {
    let threads = rayon::current_num_threads().max(1);
    let size = ((end - start) / (threads * 4)).max(1 << 20);
    let mut out = vec![start];
    let mut at = start + size;
    while at < end {
        let c = char_start_at_or_after(hay.as_bytes(), at);
        out.push(c);
        at = c + size;
    }
    out.push(end);
    out
}

/// Matches starting in `[start, hay.len()]`, in order, at most `limit` of them (or only counted).
fn run<F: Finder>(
    f: &F,
    hay: &str,
    start: usize,
    limit: Option<usize>,
    collect: bool,
) -> (usize, Vec<(usize, usize)>) {
    let end = hay.len();
    let mut cache = f.new_cache();
    // With a limit the first matches are wanted: scanning ahead in parallel would waste work.
    if end - start.min(end) < PAR_MIN || limit.is_some() {
        let mut out = Vec::new();
        let mut count = 0;
        let mut at = start;
        while at <= end && limit.is_none_or(|l| count < l) {
            let Some(m) = f.find_at(&mut cache, hay, at) else {
                break;
            };
            if collect {
                out.push(m);
            }
            count += 1;
            at = next_pos(hay, m);
        }
        return (count, out);
    }
    let cuts = cuts(hay, start, end);
    let keep = if collect { usize::MAX } else { SYNC_KEEP };
    let pieces: Vec<Piece> = cuts
        .par_windows(2)
        .map(|w| {
            // The last piece owns a possible empty match at the very end.
            let to = if w[1] == end { end + 1 } else { w[1] };
            scan_piece(f, hay, w[0], to, keep)
        })
        .collect();
    let mut count = 0;
    let mut out = Vec::new();
    let mut cont = start; // where the sequential scan would search next
    for (i, piece) in pieces.into_iter().enumerate() {
        let to = if cuts[i + 1] == end {
            end + 1
        } else {
            cuts[i + 1]
        };
        if cont <= piece.from {
            count += piece.count;
            if collect {
                out.extend_from_slice(&piece.matches);
            }
            cont = piece.next.unwrap_or(cont);
            continue;
        }
        // The previous piece's last match ran into this one: re-scan until in step again.
        let mut at = cont;
        while at <= end {
            let Some(m) = f.find_at(&mut cache, hay, at) else {
                cont = at;
                break;
            };
            if m.0 >= to {
                cont = at;
                break;
            }
            if let Ok(k) = piece.matches.binary_search(&m) {
                count += piece.count - k;
                if collect {
                    out.extend_from_slice(&piece.matches[k..]);
                }
                cont = piece
                    .next
                    .expect("a piece with matches has a next position");
                break;
            }
            count += 1;
            if collect {
                out.push(m);
            }
            at = next_pos(hay, m);
            cont = at;
        }
    }
    (count, out)
}

/// All matches from byte `start` on, as byte spans, at most `limit`.
pub fn find_spans<F: Finder>(
    f: &F,
    hay: &str,
    start: usize,
    limit: Option<usize>,
) -> Vec<(usize, usize)> {
    run(f, hay, start, limit, true).1
}

/// Number of matches from byte `start` on.
pub fn count<F: Finder>(f: &F, hay: &str, start: usize) -> usize {
    run(f, hay, start, None, false).0
}

/// A literal needle (memchr's SIMD memmem).
pub struct Literal<'n> {
    finder: memchr::memmem::Finder<'n>,
    len: usize,
}

impl<'n> Literal<'n> {
    pub fn new(needle: &'n str) -> Self {
        Literal {
            finder: memchr::memmem::Finder::new(needle.as_bytes()),
            len: needle.len(),
        }
    }
}

impl Finder for Literal<'_> {
    type Cache = ();

    fn new_cache(&self) {}

    fn find_at(&self, _: &mut (), hay: &str, at: usize) -> Option<(usize, usize)> {
        let pos = at + self.finder.find(hay.as_bytes().get(at..)?)?;
        Some((pos, pos + self.len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq<F: Finder>(f: &F, hay: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut cache = f.new_cache();
        let mut at = 0;
        while at <= hay.len() {
            let Some(m) = f.find_at(&mut cache, hay, at) else {
                break;
            };
            out.push(m);
            at = next_pos(hay, m);
        }
        out
    }

    #[test]
    fn parallel_equals_sequential_for_self_overlapping_needles() {
        // "aa" in runs of 'a' of every parity: pieces must re-synchronise after the cut.
        let mut hay = String::new();
        for i in 0..1_000_000 {
            hay.push_str(&"a".repeat(i % 7 + 1));
            hay.push('é');
        }
        assert!(hay.len() > PAR_MIN);
        let lit = Literal::new("aa");
        let expected = seq(&lit, &hay);
        assert_eq!(find_spans(&lit, &hay, 0, None), expected);
        assert_eq!(count(&lit, &hay, 0), expected.len());
        assert_eq!(find_spans(&lit, &hay, 0, Some(5)), expected[..5].to_vec());
    }

    #[test]
    fn a_piece_full_of_one_long_match_is_stitched() {
        let hay = format!("x{}x{}", "a".repeat(6 << 20), "ab".repeat(1000));
        let lit = Literal::new("a");
        assert_eq!(count(&lit, &hay, 0), (6 << 20) + 1000);
    }
}
