//! JSON Lines over a context: `record_lines` (the lazy walk `records()` parses), `count_records`,
//! and the field search behind `grep(pattern, field=)`. The walk, the prefilter and the field
//! decoding live in rlm-core's `jsonl`; parsing the records a caller takes is `rlm.jsonl`'s.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use rlm_core::jsonl::{Prefilter, RecordCursor, RecordLine};

use crate::context::Context;
use crate::matches::GrepMatch;

/// Records fetched per GIL release: enough to amortise it, few enough to stay lazy.
const BATCH: usize = 256;

/// Lazy `(line_number, line)` of the records (non-blank `\n` lines) of a context, or of one file
/// of a tree (`span`, its bytes; line numbers then count from that file's first line).
#[pyclass(module = "rlm._core", frozen)]
pub struct RecordLineIterator {
    ctx: Arc<rlm_core::Context>,
    span: (usize, usize),
    filter: Option<Prefilter>,
    state: Mutex<(RecordCursor, VecDeque<RecordLine>)>,
}

#[pymethods]
impl RecordLineIterator {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<(usize, String)>> {
        let mut st = self
            .state
            .try_lock()
            .map_err(|_| PyValueError::new_err("iterator already executing"))?;
        if st.1.is_empty() {
            let (ctx, filter, (a, b)) = (&self.ctx, self.filter.as_ref(), self.span);
            let (cursor, pending) = &mut *st;
            py.detach(|| {
                let bytes = &ctx.bytes()[a..b];
                pending.extend(std::iter::from_fn(|| cursor.next(bytes, filter)).take(BATCH));
            });
        }
        let a = self.span.0;
        Ok(st.1.pop_front().map(|r| {
            (
                r.line_number,
                self.ctx.text()[a + r.start..a + r.end].to_owned(),
            )
        }))
    }
}

impl Context {
    /// `GrepMatch`es of the records whose field `key` matches `pattern`: the record's line,
    /// its character span as `start`/`end`, no lines around it.
    pub(crate) fn grep_field(
        &self,
        py: Python<'_>,
        pattern: &rlm_core::Pattern,
        key: &str,
        span: (usize, usize),
        max_count: Option<usize>,
    ) -> Vec<GrepMatch> {
        let ctx = &self.inner;
        py.detach(|| {
            rlm_core::jsonl::grep_field_span(ctx, span, pattern, key, max_count)
                .into_iter()
                .map(|r| {
                    let start = ctx.char_of_byte(r.start);
                    GrepMatch {
                        line_number: r.line_number,
                        line: ctx.text()[r.start..r.end].to_owned(),
                        line_start: start,
                        start,
                        end: ctx.char_of_byte(r.end),
                        before: Vec::new(),
                        after: Vec::new(),
                    }
                })
                .collect()
        })
    }
}

#[pymethods]
impl Context {
    #[getter]
    fn is_jsonl(&self) -> bool {
        self.jsonl
    }

    #[pyo3(signature = (literals=None, *, file=None))]
    fn record_lines(
        &self,
        literals: Option<Vec<String>>,
        file: Option<&str>,
    ) -> PyResult<RecordLineIterator> {
        Ok(RecordLineIterator {
            ctx: self.inner.clone(),
            span: self.file_span(file, "record_lines")?,
            filter: literals.and_then(|l| Prefilter::new(&l)),
            state: Mutex::new((RecordCursor::default(), VecDeque::new())),
        })
    }

    #[pyo3(signature = (*, file=None))]
    fn count_records(&self, py: Python<'_>, file: Option<&str>) -> PyResult<usize> {
        let (a, b) = self.file_span(file, "count_records")?;
        let ctx = &self.inner;
        Ok(py.detach(|| rlm_core::jsonl::count_records(&ctx.bytes()[a..b])))
    }

    /// The parsing is Python's (`json.loads` on each record taken): `rlm.jsonl.records`.
    #[pyo3(signature = (r#where=None, *, errors="warn", file=None))]
    fn records<'py>(
        slf: &Bound<'py, Self>,
        r#where: Option<Bound<'py, PyAny>>,
        errors: &str,
        file: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        py.import("rlm.jsonl")?
            .getattr("Records")?
            .call1((slf, r#where, errors, file))
    }
}
