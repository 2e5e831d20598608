//! Ranked search: BM25 over the lines (or fixed windows of lines) of a context, for the words of
//! a query, so text worded unlike the question can still be found by the words it shares.
//!
//! Words are runs of alphanumeric characters (`parse_args` is two words), compared ignoring ASCII
//! case. Very common English words (`the`, `what`, `which`, ...) are dropped from the query unless
//! nothing else is left. A document is `window` consecutive lines (window 1: each line), numbered
//! as `Context` numbers lines (Python's `splitlines`). BM25 with k1 = 1.2, b = 0.75 and the
//! Lucene idf `ln(1 + (N - df + 0.5) / (df + 0.5))`, so every matching word adds a positive score.
//!
//! The work is driven by the query words' occurrences (an Aho-Corasick scan, ASCII case-blind),
//! not by tokenising the whole text: one pass counts each word's document frequency, a second
//! scores the documents that hold a word, each core keeping its own top k. Document lengths come
//! from tokenising only those documents; the average length needs the text's word count, counted
//! once per context on every core and cached.

use std::cmp::Ordering;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Input, MatchKind};
use rayon::prelude::*;

use crate::context::{utf8_width, Context};
use crate::index::{count_breaks, is_char_start};
use crate::lines::next_break;
use crate::PAR_MIN;

pub const K1: f64 = 1.2;
pub const B: f64 = 0.75;

/// Query words too common to rank by (question words, articles, pronouns, auxiliaries).
pub const STOP_WORDS: &[&str] = &[
    "a", "about", "all", "an", "and", "any", "are", "as", "at", "be", "been", "by", "can",
    "context", "could", "did", "do", "does", "each", "every", "find", "for", "from", "give", "had",
    "has", "have", "he", "her", "his", "how", "i", "if", "in", "into", "is", "it", "its", "list",
    "many", "me", "much", "my", "not", "of", "on", "or", "our", "she", "should", "so", "than",
    "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "to", "was",
    "we", "were", "what", "when", "where", "which", "who", "whom", "whose", "why", "will", "with",
    "would", "you", "your",
];

/// One ranked document: its first line's number, its byte span (first line's start to the last
/// line's end, without the last terminator) and its score.
#[derive(Debug, Clone, PartialEq)]
pub struct RankHit {
    pub line_number: usize,
    pub span: (usize, usize),
    pub score: f64,
}

/// Whether the character starting at byte `i` (a character start) is alphanumeric.
#[inline]
fn word_char_at(bytes: &[u8], i: usize) -> bool {
    let b = bytes[i];
    if b < 0x80 {
        return b.is_ascii_alphanumeric();
    }
    let w = utf8_width(b).min(bytes.len() - i);
    std::str::from_utf8(&bytes[i..i + w])
        .ok()
        .and_then(|s| s.chars().next())
        .is_some_and(char::is_alphanumeric)
}

/// Whether the character ending just before byte `i` is alphanumeric (false at the start).
#[inline]
fn word_char_before(bytes: &[u8], i: usize) -> bool {
    if i == 0 {
        return false;
    }
    let mut s = i - 1;
    while s > 0 && !is_char_start(bytes[s]) {
        s -= 1;
    }
    word_char_at(bytes, s)
}

/// Byte spans of the words in `bytes[from..to]` (`from` and `to` at character starts).
pub fn word_spans(bytes: &[u8], from: usize, to: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = from;
    let mut start: Option<usize> = None;
    while i < to {
        let w = if bytes[i] < 0x80 {
            1
        } else {
            utf8_width(bytes[i])
        };
        match (word_char_at(bytes, i), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
        i += w;
    }
    if let Some(s) = start {
        out.push((s, to));
    }
    out
}

/// How many words start in `bytes[from..to]`; a word running in from before `from` is not
/// counted, so pieces add up to the whole.
pub fn count_words(bytes: &[u8], from: usize, to: usize) -> usize {
    let mut n = 0;
    let mut prev = word_char_before(bytes, from);
    let mut i = from;
    while i < to {
        let b = bytes[i];
        let (w, width) = if b < 0x80 {
            (b.is_ascii_alphanumeric(), 1)
        } else {
            (word_char_at(bytes, i), utf8_width(b))
        };
        n += (w && !prev) as usize;
        prev = w;
        i += width;
    }
    n
}

/// The distinct query words to rank by, ASCII-lowercased, in query order, stop words dropped
/// (all kept when the query has nothing else).
pub fn query_terms(query: &str) -> Vec<String> {
    let b = query.as_bytes();
    let mut words: Vec<String> = Vec::new();
    for (s, e) in word_spans(b, 0, b.len()) {
        let w = query[s..e].to_ascii_lowercase();
        if !words.contains(&w) {
            words.push(w);
        }
    }
    let content: Vec<String> = words
        .iter()
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .cloned()
        .collect();
    if content.is_empty() {
        words
    } else {
        content
    }
}

/// A document being swept: first line number, bytes `[start, end)` without the last terminator,
/// and `next`, the byte after it (where the next document starts).
#[derive(Clone, Copy)]
struct Doc {
    first: usize,
    start: usize,
    end: usize,
    next: usize,
}

impl Context {
    /// Words in the whole text, counted once on every core and cached.
    pub fn word_count(&self) -> usize {
        *self.word_count.get_or_init(|| {
            let len = self.byte_len();
            if len < PAR_MIN {
                return count_words(self.bytes(), 0, len);
            }
            char_cuts(self.bytes(), 1 << 20)
                .par_windows(2)
                .map(|w| count_words(self.bytes(), w[0], w[1]))
                .sum()
        })
    }

    /// The document of `window` lines that holds line `line`, which starts at byte `ls`: found by
    /// walking lines back and forth from there (no index lookups: documents are a few lines).
    fn doc_around(&self, line: usize, ls: usize, window: usize) -> Doc {
        let bytes = self.bytes();
        let first = (line - 1) / window * window + 1;
        let mut start = ls;
        for _ in first..line {
            start = self.line_start_before(start - 1);
        }
        let (mut end, mut next) = (ls, ls);
        for _ in line..first + window {
            match next_break(bytes, next) {
                Some((at, l)) => (end, next) = (at, at + l),
                None => {
                    // A last line without a terminator ends at the text's end; after a final
                    // terminator there is no further line, and the document ends before it.
                    if next < bytes.len() {
                        (end, next) = (bytes.len(), bytes.len());
                    }
                    break;
                }
            }
        }
        Doc {
            first,
            start,
            end,
            next,
        }
    }

    /// Calls `emit(doc, term frequencies)` for each document in `[from, to)` (a piece starting
    /// with line `first_line`) that holds a query word.
    fn sweep(
        &self,
        ac: &AhoCorasick,
        terms: usize,
        (from, to, first_line): (usize, usize, usize),
        window: usize,
        mut emit: impl FnMut(&Doc, &[u32]),
    ) {
        let bytes = self.bytes();
        let mut tfs = vec![0u32; terms];
        let mut cur: Option<Doc> = None;
        // Line numbers as grep counts them: breaks between the last known line start and here.
        let (mut pos, mut line_at_pos) = (from, first_line);
        for m in ac.find_iter(Input::new(bytes).span(from..to)) {
            let (s, e) = (m.start(), m.end());
            // Whole words only: `import` is not found in `importance` nor in `reimport`.
            if word_char_before(bytes, s) || (e < bytes.len() && word_char_at(bytes, e)) {
                continue;
            }
            if cur.is_none_or(|d| s >= d.next) {
                if let Some(d) = &cur {
                    emit(d, &tfs);
                    tfs.iter_mut().for_each(|t| *t = 0);
                }
                let ls = self.line_start_before(s).max(pos);
                let line = line_at_pos + count_breaks(bytes, pos, ls);
                let doc = self.doc_around(line, ls, window);
                (pos, line_at_pos) = (doc.next, doc.first + window);
                cur = Some(doc);
            }
            tfs[m.pattern().as_usize()] += 1;
        }
        if let Some(d) = &cur {
            emit(d, &tfs);
        }
    }

    /// Byte ranges starting at document boundaries, for the cores.
    fn doc_cuts(&self, window: usize) -> Vec<(usize, usize, usize)> {
        let len = self.byte_len();
        if len < PAR_MIN {
            return vec![(0, len, 1)];
        }
        let size = (len / (rayon::current_num_threads().max(1) * 4)).max(1 << 20);
        let mut starts = vec![(0, 1)];
        let mut at = size;
        while at < len {
            let line = self.line_of_byte(at);
            let first = (line - 1).div_ceil(window) * window + 1;
            match self.line_byte_span(first) {
                Some((s, _)) if s > starts[starts.len() - 1].0 && s < len => {
                    starts.push((s, first))
                }
                Some(_) => {}
                None => break,
            }
            at = starts[starts.len() - 1].0 + size;
        }
        let ends = starts.iter().skip(1).map(|s| s.0).chain([len]);
        starts
            .iter()
            .zip(ends)
            .map(|(&(s, l), e)| (s, e, l))
            .collect()
    }

    /// The `k` best documents of `window` lines for the words of `query`, best first (ties: the
    /// earlier line first). Empty when the query has no words or no document holds one.
    pub fn rank(&self, query: &str, k: usize, window: usize) -> Vec<RankHit> {
        let terms = query_terms(query);
        let window = window.max(1);
        if terms.is_empty() || k == 0 || self.byte_len() == 0 {
            return Vec::new();
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&terms)
            .expect("a handful of words always builds");
        let t = terms.len();
        let cuts = self.doc_cuts(window);
        let df = cuts
            .par_iter()
            .map(|&piece| {
                let mut df = vec![0usize; t];
                self.sweep(&ac, t, piece, window, |_, tfs| {
                    for (d, &tf) in df.iter_mut().zip(tfs) {
                        *d += (tf > 0) as usize;
                    }
                });
                df
            })
            .reduce(
                || vec![0; t],
                |a, b| a.iter().zip(&b).map(|(x, y)| x + y).collect(),
            );
        let n = self.line_count().div_ceil(window) as f64;
        let idf: Vec<f64> = df
            .iter()
            .map(|&d| (1.0 + (n - d as f64 + 0.5) / (d as f64 + 0.5)).ln())
            .collect();
        let avgdl = (self.word_count() as f64 / n).max(f64::MIN_POSITIVE);
        let mut hits: Vec<RankHit> = cuts
            .par_iter()
            .flat_map_iter(|&piece| {
                let mut top = Vec::with_capacity(2 * k);
                self.sweep(&ac, t, piece, window, |d, tfs| {
                    let dl = count_words(self.bytes(), d.start, d.end) as f64;
                    let norm = K1 * (1.0 - B + B * dl / avgdl);
                    let score = tfs
                        .iter()
                        .zip(&idf)
                        .filter(|(&tf, _)| tf > 0)
                        .map(|(&tf, &w)| w * tf as f64 * (K1 + 1.0) / (tf as f64 + norm))
                        .sum();
                    top.push(RankHit {
                        line_number: d.first,
                        span: (d.start, d.end),
                        score,
                    });
                    if top.len() >= 2 * k {
                        keep_best(&mut top, k);
                    }
                });
                keep_best(&mut top, k);
                top
            })
            .collect();
        keep_best(&mut hits, k);
        hits
    }
}

/// Best first; equal scores by line number, so the order never depends on the cores.
fn better(a: &RankHit, b: &RankHit) -> Ordering {
    b.score
        .total_cmp(&a.score)
        .then(a.line_number.cmp(&b.line_number))
}

fn keep_best(hits: &mut Vec<RankHit>, k: usize) {
    if hits.len() > k {
        hits.select_nth_unstable_by(k - 1, better);
        hits.truncate(k);
    }
    hits.sort_by(better);
}

/// Character starts about every `piece` bytes, from 0 to the end.
fn char_cuts(bytes: &[u8], piece: usize) -> Vec<usize> {
    let mut cuts = vec![0];
    let mut at = piece;
    while at < bytes.len() {
        let mut c = at;
        while c < bytes.len() && !is_char_start(bytes[c]) {
            c += 1;
        }
        cuts.push(c);
        at = c + piece;
    }
    cuts.push(bytes.len());
    cuts.dedup();
    cuts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(s: &str) -> Context {
        Context::from_string(s.to_string())
    }

    fn lines_of(hits: &[RankHit]) -> Vec<usize> {
        hits.iter().map(|h| h.line_number).collect()
    }

    /// Textbook BM25 over `docs` (each a list of lowercase words), for checking `rank`.
    fn reference(docs: &[Vec<String>], terms: &[&str]) -> Vec<f64> {
        let n = docs.len() as f64;
        let avgdl = docs.iter().map(Vec::len).sum::<usize>() as f64 / n;
        docs.iter()
            .map(|d| {
                terms
                    .iter()
                    .map(|t| {
                        let tf = d.iter().filter(|w| w == t).count() as f64;
                        let df = docs.iter().filter(|d| d.iter().any(|w| w == t)).count() as f64;
                        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
                        if tf == 0.0 {
                            0.0
                        } else {
                            idf * tf * (K1 + 1.0)
                                / (tf + K1 * (1.0 - B + B * d.len() as f64 / avgdl))
                        }
                    })
                    .sum()
            })
            .collect()
    }

    fn words_of(s: &str) -> Vec<String> {
        word_spans(s.as_bytes(), 0, s.len())
            .iter()
            .map(|&(a, b)| s[a..b].to_ascii_lowercase())
            .collect()
    }

    #[test]
    fn words_are_alphanumeric_runs_and_stop_words_leave_the_query() {
        // ASCII case only: the scan compares bytes, so "Ünï" keeps its capital.
        assert_eq!(
            words_of("parse_args(x2, Ünï-code)"),
            ["parse", "args", "x2", "Ünï", "code"]
        );
        let s = "a bb  c_d é";
        assert_eq!(count_words(s.as_bytes(), 0, s.len()), 5);
        assert_eq!(count_words(s.as_bytes(), 3, s.len()), 3); // "bb" began before byte 3
        assert_eq!(
            query_terms("What is the password for Orion?"),
            ["password", "orion"]
        );
        assert_eq!(query_terms("which is the"), ["which", "is", "the"]);
        assert_eq!(query_terms("Orion orion ORION"), ["orion"]);
        assert!(query_terms("?!").is_empty());
    }

    #[test]
    fn scores_equal_textbook_bm25() {
        let text = "the login secret of Orion\norion backup ran\nnothing here\n\
                    Orion's secret: 4817-ZQ\nsecret secret secret plans\n";
        let c = ctx(text);
        let hits = c.rank("Orion secret", 10, 1);
        let docs: Vec<Vec<String>> = text.lines().map(words_of).collect();
        let want = reference(&docs, &["orion", "secret"]);
        assert_eq!(hits.len(), 4);
        for h in &hits {
            assert!((h.score - want[h.line_number - 1]).abs() < 1e-9, "{h:?}");
            let (a, b) = h.span;
            assert_eq!(&text[a..b], text.lines().nth(h.line_number - 1).unwrap());
        }
        assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    }

    #[test]
    fn only_whole_words_match_ignoring_ascii_case() {
        let c = ctx("importance\nreimport\nIMPORT os\nimport_x\n");
        let hits = c.rank("import", 10, 1);
        assert_eq!(lines_of(&hits), vec![3, 4]); // `import_x`: `_` separates words
    }

    #[test]
    fn windows_group_lines_and_report_their_first_line() {
        let text = "alpha\nbeta\ngamma\ndelta\nalpha beta\n";
        let c = ctx(text);
        let hits = c.rank("alpha beta", 10, 2);
        let got: Vec<_> = hits
            .iter()
            .map(|h| (h.line_number, &text[h.span.0..h.span.1]))
            .collect();
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(
            got.contains(&(1, "alpha\nbeta")) && got.contains(&(5, "alpha beta")),
            "{got:?}"
        );
    }

    #[test]
    fn k_keeps_the_best_and_ties_go_to_the_earlier_line() {
        let c = ctx("x needle\ny needle\nz needle\nneedle needle\n");
        let hits = c.rank("needle", 2, 1);
        assert_eq!(lines_of(&hits), vec![4, 1]);
        assert!(c.rank("needle", 0, 1).is_empty());
        assert!(c.rank("absent", 5, 1).is_empty());
        assert!(ctx("").rank("needle", 5, 1).is_empty());
    }

    #[test]
    fn line_numbers_follow_splitlines_breaks() {
        let c = ctx("a\r\nb\u{2028}target c\x0ctarget");
        let hits = c.rank("target", 5, 1);
        assert_eq!(lines_of(&hits), vec![4, 3]); // the shorter line first: BM25 length norm
    }

    #[test]
    fn parallel_pieces_rank_like_one_pass() {
        let mut s = String::new();
        for i in 0..400_000 {
            let extra = match i % 997 {
                0 => " rare token",
                1 => " token",
                _ => "",
            };
            s.push_str(&format!("line {i} é filler words{extra}\r\n"));
        }
        let c = ctx(&s);
        assert!(c.byte_len() > PAR_MIN);
        assert_eq!(c.word_count(), count_words(c.bytes(), 0, c.byte_len()));
        for window in [1, 3] {
            let hits = c.rank("rare token", 20, window);
            assert_eq!(hits.len(), 20);
            for h in &hits {
                assert_eq!((h.line_number - 1) % window, 0); // a window starts every `window` lines
                let doc = &s[h.span.0..h.span.1];
                assert!(doc.contains("token"));
                let first = s.lines().nth(h.line_number - 1).unwrap();
                assert!(doc.starts_with(first));
            }
            let one = c.rank("rare token", 20, window);
            assert_eq!(one, hits);
        }
        let top = c.rank("rare token", 1, 1);
        assert_eq!(top[0].line_number, 1); // line 0 of the loop: the first `rare token`
    }
}
