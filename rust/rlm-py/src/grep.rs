//! `Context.grep` / `count_lines_matching`: rlm-core's line search (its pattern policy in
//! `rlm_core::grep::grep_pattern`), hits copied out as `GrepMatch` objects on every core.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use rlm_core::grep::{grep_pattern, GrepHit};

use crate::context::Context;
use crate::errors::pattern_error;
use crate::matches::GrepMatch;

impl Context {
    /// `GrepMatch` objects, with `before` / `after` lines of context, for `hits`.
    fn make_grep_matches(
        &self,
        py: Python<'_>,
        hits: &[GrepHit],
        before: usize,
        after: usize,
        span: (usize, usize),
    ) -> Vec<GrepMatch> {
        let ctx = &self.inner;
        py.detach(|| {
            let within = ctx.span_lines(span); // `file=`: no neighbour line from another file
            use rayon::prelude::*;
            // Each hit converts on its own (the index makes that O(1)-ish), so the cores share
            // the work of building many hits; only wrapping them as Python objects is serial.
            let text = ctx.text();
            let owned = |(a, b): (usize, usize)| text[a..b].to_owned();
            let lines = |v: Vec<(usize, (usize, usize))>| {
                v.into_iter().map(|(n, s)| (n, owned(s))).collect()
            };
            hits.par_iter()
                .with_min_len(1024)
                .map(|h| {
                    let hc = ctx.hit_context_in(h, before, after, within);
                    GrepMatch {
                        line_number: h.line_number,
                        line: owned(h.line),
                        line_start: hc.line_start,
                        start: hc.start,
                        end: hc.end,
                        before: lines(hc.before),
                        after: lines(hc.after),
                    }
                })
                .collect()
        })
    }
}

#[pymethods]
impl Context {
    #[pyo3(signature = (pattern, *, before=0, after=0, ignore_case=false, max_count=None, literal=false, flags=0, field=None, file=None))]
    #[allow(clippy::too_many_arguments)]
    fn grep(
        &self,
        py: Python<'_>,
        pattern: &str,
        before: usize,
        after: usize,
        ignore_case: bool,
        max_count: Option<usize>,
        literal: bool,
        flags: u32,
        field: Option<&str>,
        file: Option<&str>,
    ) -> PyResult<Vec<GrepMatch>> {
        let p = grep_pattern(pattern, ignore_case, literal, flags).map_err(pattern_error)?;
        let span = self.file_span(file, "grep")?;
        if let Some(key) = field {
            if before > 0 || after > 0 {
                return Err(PyValueError::new_err(
                    "grep(field=...) finds whole records: before= and after= do not apply",
                ));
            }
            let hits = self.grep_field(py, &p, key, span, max_count);
            self.check_uncapped(max_count, hits.len(), "grep()", "pass max_count=")?;
            return Ok(hits);
        }
        let ctx = &self.inner;
        let hits = py.detach(|| ctx.grep_span(&*p, span, max_count));
        self.check_uncapped(
            max_count,
            hits.len(),
            "grep()",
            "pass max_count= or use count_lines_matching()",
        )?;
        Ok(self.make_grep_matches(py, &hits, before, after, span))
    }

    #[pyo3(signature = (pattern, *, ignore_case=false, literal=false, flags=0, field=None, file=None))]
    #[allow(clippy::too_many_arguments)]
    fn count_lines_matching(
        &self,
        py: Python<'_>,
        pattern: &str,
        ignore_case: bool,
        literal: bool,
        flags: u32,
        field: Option<&str>,
        file: Option<&str>,
    ) -> PyResult<usize> {
        let p = grep_pattern(pattern, ignore_case, literal, flags).map_err(pattern_error)?;
        let span = self.file_span(file, "count_lines_matching")?;
        let ctx = &self.inner;
        if let Some(key) = field {
            return Ok(py.detach(|| rlm_core::jsonl::grep_field_span(ctx, span, &p, key, None).len()));
        }
        Ok(py.detach(|| ctx.grep_count_span(&*p, span)))
    }
}
