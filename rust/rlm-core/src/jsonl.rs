//! A context as JSON Lines: one record per `\n`-terminated line, found and filtered here, parsed
//! by the caller only when it wants the record.
//!
//! Records are `\n` lines (a trailing `\r` dropped), as `jq` and `wc -l` count them, not
//! `str.splitlines()` lines: a JSON string may hold a raw U+2028 or U+0085, which `splitlines`
//! would break a record at. Lines holding only whitespace are not records (but are counted in
//! line numbers). Nothing is parsed up front: `RecordCursor` walks the text from where it
//! stopped, so iterating the first records of a multi-GB file costs only those records.

use std::borrow::Cow;

use aho_corasick::AhoCorasick;
use rayon::prelude::*;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::regex::Pattern;
use crate::scan::Finder;
use crate::PAR_MIN;

/// Extensions that mark a file as JSON Lines when it is opened without an explicit format.
pub const EXTENSIONS: [&str; 2] = ["jsonl", "ndjson"];

/// True for a `.jsonl` / `.ndjson` path (any case).
///
/// ```
/// assert!(rlm_core::jsonl::is_jsonl_path("logs/app.JSONL".as_ref()));
/// assert!(!rlm_core::jsonl::is_jsonl_path("app.json".as_ref()));
/// ```
pub fn is_jsonl_path(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// One record: its 1-based line number and the byte span of the line without its terminator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordLine {
    pub line_number: usize,
    pub start: usize,
    pub end: usize,
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r'))
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    memchr::memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |i| from + i)
}

fn record_at(bytes: &[u8], line_number: usize, start: usize, end: usize) -> RecordLine {
    let end = if end > start && bytes[end - 1] == b'\r' {
        end - 1
    } else {
        end
    };
    RecordLine {
        line_number,
        start,
        end,
    }
}

/// Escapes that can hide a literal inside a JSON string (`\u0046AILED` is `FAILED`; `\/` is
/// `/`): a line holding one is always a candidate, so the filter never drops a true match.
const ESCAPES: [&str; 2] = ["\\u", "\\/"];

/// Which lines may be a wanted record: those holding every literal (or an escape that could hide
/// one). The caller parses the candidates and decides exactly.
pub struct Prefilter {
    first: AhoCorasick,
    rest: Vec<memchr::memmem::Finder<'static>>,
    escapes: AhoCorasick,
}

impl Prefilter {
    /// `None` for no literals (every record is a candidate).
    pub fn new(literals: &[String]) -> Option<Prefilter> {
        let (first, rest) = literals.split_first()?;
        let mut starts: Vec<&str> = vec![first.as_str()];
        starts.extend(ESCAPES);
        Some(Prefilter {
            first: AhoCorasick::new(starts).expect("a few literals always build"),
            rest: rest
                .iter()
                .map(|l| memchr::memmem::Finder::new(l.as_bytes()).into_owned())
                .collect(),
            escapes: AhoCorasick::new(ESCAPES).expect("two literals always build"),
        })
    }

    fn accepts(&self, line: &[u8]) -> bool {
        self.rest.iter().all(|f| f.find(line).is_some()) || self.escapes.is_match(line)
    }
}

/// Where a walk over the records stands: the byte offset of the next line to look at (a line
/// start) and its line number. `Default` starts at the beginning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordCursor {
    pub pos: usize,
    pub line_number: usize,
}

impl Default for RecordCursor {
    fn default() -> Self {
        RecordCursor {
            pos: 0,
            line_number: 1,
        }
    }
}

impl RecordCursor {
    /// The next record (with `filter`: the next candidate), or `None` at the end.
    ///
    /// ```
    /// use rlm_core::jsonl::{Prefilter, RecordCursor};
    /// let text = b"{\"s\":\"OK\"}\n\n{\"s\":\"FAILED\"}\r\n{\"s\":\"OK\"}";
    /// let mut all = RecordCursor::default();
    /// let lines: Vec<usize> = std::iter::from_fn(|| all.next(text, None)).map(|r| r.line_number).collect();
    /// assert_eq!(lines, [1, 3, 4]);
    /// let failed = Prefilter::new(&["\"FAILED\"".to_string()]);
    /// let hit = RecordCursor::default().next(text, failed.as_ref()).unwrap();
    /// assert_eq!((hit.line_number, &text[hit.start..hit.end]), (3, &b"{\"s\":\"FAILED\"}"[..]));
    /// ```
    pub fn next(&mut self, bytes: &[u8], filter: Option<&Prefilter>) -> Option<RecordLine> {
        while self.pos < bytes.len() {
            let start = match filter {
                None => self.pos,
                Some(f) => {
                    let m = f.first.find(&bytes[self.pos..])?.start() + self.pos;
                    let start = memchr::memrchr(b'\n', &bytes[self.pos..m])
                        .map_or(self.pos, |i| self.pos + i + 1);
                    self.line_number += memchr::memchr_iter(b'\n', &bytes[self.pos..start]).count();
                    start
                }
            };
            let end = line_end(bytes, start);
            let line = &bytes[start..end];
            let number = self.line_number;
            self.pos = end + 1;
            self.line_number += 1;
            if is_blank(line) || filter.is_some_and(|f| !f.accepts(line)) {
                continue;
            }
            return Some(record_at(bytes, number, start, end));
        }
        None
    }
}

/// Pieces of at least this many bytes are counted or searched on their own core.
const PIECE: usize = PAR_MIN;

/// Byte ranges `[a, b)` of about `size` bytes, cut after a `\n`, so each holds whole lines.
fn pieces(bytes: &[u8], size: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut a = 0;
    while a < bytes.len() {
        let want = (a + size).min(bytes.len());
        let b = if want == bytes.len() {
            want
        } else {
            line_end(bytes, want).saturating_add(1).min(bytes.len())
        };
        out.push((a, b));
        a = b;
    }
    out
}

/// The number of records (non-blank `\n` lines), on every core.
///
/// ```
/// assert_eq!(rlm_core::jsonl::count_records(b"{}\n  \n{}\r\n{}"), 3);
/// ```
pub fn count_records(bytes: &[u8]) -> usize {
    count_records_in(bytes, PIECE)
}

fn count_records_in(bytes: &[u8], piece: usize) -> usize {
    let count = |(a, b): (usize, usize)| {
        bytes[a..b]
            .split(|&c| c == b'\n')
            .filter(|l| !is_blank(l))
            .count()
    };
    pieces(bytes, piece).into_par_iter().map(count).sum()
}

/// Deserializes one top-level field of a JSON object, skipping every other value unparsed.
struct FieldOf<'k> {
    key: &'k str,
}

/// A field's value as searchable text: a string's decoded text, any other value as compact JSON.
enum Found {
    Missing,
    Text(String),
}

impl<'de> Visitor<'de> for FieldOf<'_> {
    type Value = Found;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = Found::Missing;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == self.key && matches!(found, Found::Missing) {
                let value: serde_json::Value = map.next_value()?;
                found = Found::Text(match value {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                });
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

impl<'de> DeserializeSeed<'de> for FieldOf<'_> {
    type Value = Found;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

/// The text of top-level field `key` of the JSON object on `line` (a string decoded, another
/// value as compact JSON); `None` when the line is not a JSON object or has no such field.
///
/// ```
/// use rlm_core::jsonl::field_text;
/// assert_eq!(field_text(br#"{"msg":"disk \"full\"","n":5}"#, "msg").as_deref(), Some("disk \"full\""));
/// assert_eq!(field_text(br#"{"msg":"x","n":5}"#, "n").as_deref(), Some("5"));
/// assert_eq!(field_text(b"not json", "msg"), None);
/// ```
pub fn field_text(line: &[u8], key: &str) -> Option<String> {
    let mut de = serde_json::Deserializer::from_slice(line);
    let found = FieldOf { key }.deserialize(&mut de);
    match found {
        Ok(Found::Text(t)) if de.end().is_ok() => Some(t),
        _ => None,
    }
}

/// The records whose field `key` matches `pattern` (its first `limit`, all if `None`), in order.
/// Lines that are not JSON objects, or lack the field, never match.
pub fn grep_field(
    bytes: &[u8],
    pattern: &Pattern,
    key: &str,
    limit: Option<usize>,
) -> Vec<RecordLine> {
    grep_field_in(bytes, pattern, key, limit, PIECE)
}

/// `grep_field` over the bytes `span` of `ctx` (one file of a tree: `grep(field=, file=)`), the
/// records numbered and placed as lines of the whole text, as `Context::grep_span` gives lines.
///
/// ```
/// let c = rlm_core::Context::from_string("# FILE: a\n{\"k\": \"x\"}\n# FILE: b\n{\"k\": \"x\"}\n".to_string());
/// let p = rlm_core::grep::grep_pattern("x", false, false, 0).unwrap();
/// let found = rlm_core::jsonl::grep_field_span(&c, (31, 42), &p, "k", None);
/// assert_eq!((found[0].line_number, &c.text()[found[0].start..found[0].end]), (4, "{\"k\": \"x\"}"));
/// ```
pub fn grep_field_span(
    ctx: &crate::Context,
    (from, to): (usize, usize),
    pattern: &Pattern,
    key: &str,
    limit: Option<usize>,
) -> Vec<RecordLine> {
    if from >= to {
        return Vec::new();
    }
    let lines_before = ctx.line_of_byte(from) - 1;
    grep_field(&ctx.bytes()[from..to], pattern, key, limit)
        .into_iter()
        .map(|r| RecordLine {
            line_number: r.line_number + lines_before,
            start: r.start + from,
            end: r.end + from,
        })
        .collect()
}

fn grep_field_in(
    bytes: &[u8],
    pattern: &Pattern,
    key: &str,
    limit: Option<usize>,
    piece: usize,
) -> Vec<RecordLine> {
    let search = |&(a, b): &(usize, usize)| {
        let mut cache = pattern.new_cache();
        let mut hits = Vec::new();
        let mut cursor = RecordCursor {
            pos: a,
            line_number: 1,
        };
        while let Some(r) = cursor.next(&bytes[..b], None) {
            if limit.is_some_and(|n| hits.len() >= n) {
                break;
            }
            if let Some(text) = field_text(&bytes[r.start..r.end], key) {
                if pattern.find_at(&mut cache, &text, 0).is_some() {
                    hits.push(r);
                }
            }
        }
        // Line numbers are the piece's own (from 1): shifted by the lines before it below.
        (hits, memchr::memchr_iter(b'\n', &bytes[a..b]).count())
    };
    let found: Vec<(Vec<RecordLine>, usize)> =
        pieces(bytes, piece).par_iter().map(search).collect();
    let mut out = Vec::new();
    let mut lines_before = 0;
    for (hits, newlines) in found {
        for mut h in hits {
            if limit.is_some_and(|n| out.len() >= n) {
                return out;
            }
            h.line_number += lines_before;
            out.push(h);
        }
        lines_before += newlines;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grep::grep_pattern;

    fn all(text: &[u8], filter: Option<&Prefilter>) -> Vec<(usize, String)> {
        let mut c = RecordCursor::default();
        std::iter::from_fn(|| c.next(text, filter))
            .map(|r| {
                (
                    r.line_number,
                    String::from_utf8(text[r.start..r.end].to_vec()).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn records_are_newline_lines_and_blank_lines_are_skipped() {
        let text = "{\"a\":1}\r\n \n{\"s\":\"x\u{2028}y\"}\n\n{\"a\":2}".as_bytes();
        assert_eq!(
            all(text, None),
            [
                (1, "{\"a\":1}".to_string()),
                (3, "{\"s\":\"x\u{2028}y\"}".to_string()),
                (5, "{\"a\":2}".to_string())
            ]
        );
        assert_eq!(all(b"", None), []);
        assert_eq!(all(b"\n\n", None), []);
    }

    #[test]
    fn the_prefilter_needs_every_literal_or_an_escape() {
        let text = br#"{"s":"FAILED","svc":"db"}
{"s":"OK","svc":"db"}
{"s":"FAILED","svc":"web"}
{"s":"\u0046AILED","svc":"db"}
{"s":"FAILED","svc":"db"}"#;
        let f = Prefilter::new(&["\"FAILED\"".into(), "\"db\"".into()]).unwrap();
        let lines: Vec<usize> = all(text, Some(&f)).into_iter().map(|(n, _)| n).collect();
        assert_eq!(lines, [1, 4, 5]);
        assert!(Prefilter::new(&[]).is_none());
    }

    #[test]
    fn count_records_agrees_with_the_cursor_across_pieces() {
        let mut text = Vec::new();
        for i in 0..4_000 {
            if i % 7 == 0 {
                text.extend_from_slice(b"\n");
            }
            text.extend_from_slice(format!("{{\"i\":{i}}}\n").as_bytes());
        }
        for piece in [1, 7, 100, 4096, 1 << 20] {
            assert_eq!(count_records_in(&text, piece), 4_000, "pieces of {piece}");
        }
        assert_eq!(all(&text, None).len(), 4_000);
    }

    #[test]
    fn grep_field_searches_the_decoded_field_only() {
        let text = br#"{"level":"error","msg":"disk full on /var"}
{"level":"info","msg":"error count 0"}
not json at all: "msg":"disk"
{"level":"error","msg":"line one\nline two"}
{"msg":"disk \u0066ull"}"#;
        let p = grep_pattern("disk full", false, false, 0).unwrap();
        let hits = grep_field(text, &p, "msg", None);
        assert_eq!(
            hits.iter().map(|h| h.line_number).collect::<Vec<_>>(),
            [1, 5]
        );
        let p = grep_pattern("^error$", false, false, 0).unwrap();
        let hits = grep_field(text, &p, "level", None);
        assert_eq!(
            hits.iter().map(|h| h.line_number).collect::<Vec<_>>(),
            [1, 4]
        );
        let p = grep_pattern("one\\nline", false, false, 0).unwrap();
        assert_eq!(grep_field(text, &p, "msg", None).len(), 1);
        let p = grep_pattern("e", false, false, 0).unwrap();
        assert_eq!(grep_field(text, &p, "msg", Some(2)).len(), 2);
    }

    #[test]
    fn grep_field_numbers_lines_across_pieces() {
        let mut text = Vec::new();
        for i in 0..3_000 {
            let level = if i % 1_000 == 999 { "error" } else { "info" };
            text.extend_from_slice(format!("{{\"level\":\"{level}\",\"i\":{i}}}\n").as_bytes());
        }
        let p = grep_pattern("error", false, true, 0).unwrap();
        for piece in [1, 50, 4096, 1 << 20] {
            let hits = grep_field_in(&text, &p, "level", None, piece);
            assert_eq!(
                hits.iter().map(|h| h.line_number).collect::<Vec<_>>(),
                [1_000, 2_000, 3_000],
                "pieces of {piece}"
            );
            let first = grep_field_in(&text, &p, "level", Some(2), piece);
            assert_eq!(first, hits[..2]);
        }
    }
}
