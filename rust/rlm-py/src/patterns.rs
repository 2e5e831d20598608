//! The regex side of `Context`'s Python methods: compiling patterns, running first-match searches
//! and turning byte-level matches into `Match` / `GrepMatch` objects with character offsets.

use std::sync::Arc;

use pyo3::exceptions::PyIndexError;
use pyo3::prelude::*;

use rlm_core::grep::GrepHit;
use rlm_core::regex::{Pattern, IGNORECASE, MULTILINE};

use crate::context::Context;
use crate::errors::pattern_error;
use crate::matches::{GrepMatch, Match};

impl Context {
    pub(crate) fn pattern(&self, pattern: &str, flags: u32, crlf: bool) -> PyResult<Arc<Pattern>> {
        Pattern::cached(pattern, flags, crlf).map_err(pattern_error)
    }

    /// A pattern that matches `needle` literally, case-insensitively.
    pub(crate) fn literal_ci(&self, needle: &str) -> PyResult<Arc<Pattern>> {
        self.pattern(&rlm_core::regex::escape(needle), IGNORECASE, false)
    }

    /// The `(start, end)` character offsets a regex call covers, as `re`'s pos/endpos.
    pub(crate) fn regex_bounds(&self, start: Option<isize>, end: Option<isize>) -> (usize, usize) {
        rlm_core::regex::regex_bounds(start, end, self.inner.char_len())
    }

    /// Build `Match` objects for byte-level group spans (sorted by match start).
    pub(crate) fn make_matches(
        &self,
        py: Python<'_>,
        p: &Arc<Pattern>,
        groups: Vec<rlm_core::regex::Groups>,
        bounds: (usize, usize),
    ) -> Vec<Match> {
        let ctx = &self.inner;
        let converted = py.detach(|| {
            let whole: Vec<(usize, usize)> =
                groups.iter().map(|g| g[0].unwrap_or((0, 0))).collect();
            let chars = ctx.spans_to_chars(&whole);
            groups
                .iter()
                .zip(chars)
                .map(|(g, c0)| {
                    let anchor = (g[0].unwrap_or((0, 0)).0, c0.0);
                    let spans: Vec<Option<(usize, usize)>> = g
                        .iter()
                        .enumerate()
                        .map(|(i, sp)| {
                            if i == 0 {
                                Some(c0)
                            } else {
                                sp.map(|s| ctx.char_span_from(anchor, s))
                            }
                        })
                        .collect();
                    let texts = g
                        .iter()
                        .map(|sp| sp.map(|(a, b)| ctx.text()[a..b].to_owned()))
                        .collect();
                    (spans, texts)
                })
                .collect::<Vec<_>>()
        });
        let names = Arc::new(p.names.clone());
        converted
            .into_iter()
            .map(|(spans, texts)| Match {
                spans,
                texts,
                names: names.clone(),
                pos: bounds.0,
                endpos: bounds.1,
            })
            .collect()
    }

    /// Build `GrepMatch` objects, with `before` / `after` lines of context, for `hits`.
    pub(crate) fn make_grep_matches(
        &self,
        py: Python<'_>,
        hits: &[GrepHit],
        before: usize,
        after: usize,
    ) -> Vec<GrepMatch> {
        let ctx = &self.inner;
        py.detach(|| {
            use rayon::prelude::*;
            // Each hit converts on its own (the index makes that O(1)-ish), so the cores share
            // the work of building many hits; only wrapping them as Python objects is serial.
            let text = ctx.text();
            let owned = |(a, b): (usize, usize)| text[a..b].to_owned();
            hits.par_iter()
                .with_min_len(1024)
                .map(|h| {
                    let (pre, post) = ctx.neighbour_lines(h.line_number, before, after);
                    let (line_start, start, end) = ctx.hit_chars(h);
                    GrepMatch {
                        line_number: h.line_number,
                        line: owned(h.line),
                        line_start,
                        start,
                        end,
                        before: pre.into_iter().map(|(n, s)| (n, owned(s))).collect(),
                        after: post.into_iter().map(|(n, s)| (n, owned(s))).collect(),
                    }
                })
                .collect()
        })
    }

    pub(crate) fn byte_groups(
        &self,
        py: Python<'_>,
        p: &Pattern,
        start: Option<isize>,
        end: Option<isize>,
        limit: Option<usize>,
    ) -> PyResult<Vec<rlm_core::regex::Groups>> {
        let ctx = &self.inner;
        let spans = py.detach(|| ctx.regex_spans(p, start, end, limit));
        self.check_uncapped(
            limit,
            spans.len(),
            "this regex call",
            "pass limit= or use spans()",
        )?;
        Ok(py.detach(|| {
            use rayon::prelude::*;
            if p.group_len() == 1 {
                spans.into_iter().map(|s| vec![Some(s)]).collect()
            } else {
                spans
                    .par_iter()
                    .map(|&s| ctx.regex_groups(p, end, s))
                    .collect()
            }
        }))
    }
}

impl Context {
    pub(crate) fn line_bytes(&self, py: Python<'_>, number: isize) -> PyResult<(usize, usize)> {
        let count = self.inner.line_count() as isize;
        let n = if number < 0 {
            number + count + 1
        } else {
            number
        };
        if n < 1 || n > count {
            return Err(PyIndexError::new_err(format!(
                "line {number} does not exist: lines are numbered 1..={count} (negative counts from the end)"
            )));
        }
        let ctx = &self.inner;
        Ok(py
            .detach(|| ctx.line_byte_span(n as usize))
            .expect("checked against line_count"))
    }

    pub(crate) fn grep_pattern(
        &self,
        pattern: &str,
        ignore_case: bool,
        literal: bool,
        flags: u32,
    ) -> PyResult<Arc<Pattern>> {
        let source = if literal {
            rlm_core::regex::escape(pattern)
        } else {
            pattern.to_owned()
        };
        let flags = flags | MULTILINE | if ignore_case { IGNORECASE } else { 0 };
        self.pattern(&source, flags, true)
    }

    pub(crate) fn first_match(
        &self,
        py: Python<'_>,
        pattern: &str,
        flags: u32,
        start: Option<isize>,
        end: Option<isize>,
        anchored: bool,
    ) -> PyResult<Option<Match>> {
        let p = self.pattern(pattern, flags, false)?;
        let ctx = &self.inner;
        let Some(groups) = py.detach(|| ctx.regex_search(&p, start, end, anchored)) else {
            return Ok(None);
        };
        Ok(self
            .make_matches(py, &p, vec![groups], self.regex_bounds(start, end))
            .pop())
    }
}
