//! `Context`'s line methods: lazy `lines()`, line numbers (negative count from the end) and the
//! line holding an offset. The numbering rules live in rlm-core's `lines`.

use pyo3::exceptions::PyIndexError;
use pyo3::prelude::*;

use crate::context::Context;
use crate::iters::LineIterator;

impl Context {
    /// Byte span of line `number`, or the `IndexError` that names the valid numbers.
    fn line_bytes(&self, py: Python<'_>, number: isize) -> PyResult<(usize, usize)> {
        let ctx = &self.inner;
        py.detach(|| ctx.line_bytes(number))
            .ok_or_else(|| self.no_such_line(number))
    }

    fn no_such_line(&self, number: isize) -> PyErr {
        PyIndexError::new_err(format!(
            "line {number} does not exist: lines are numbered 1..={} (negative counts from the end)",
            self.inner.line_count()
        ))
    }
}

#[pymethods]
impl Context {
    #[pyo3(signature = (keepends=false))]
    fn lines(&self, keepends: bool) -> LineIterator {
        LineIterator::new(self.inner.clone(), keepends)
    }

    fn line_count(&self) -> usize {
        self.inner.line_count()
    }

    fn line(&self, py: Python<'_>, number: isize) -> PyResult<String> {
        let (a, b) = self.line_bytes(py, number)?;
        Ok(self.inner.text()[a..b].to_owned())
    }

    fn line_span(&self, py: Python<'_>, number: isize) -> PyResult<(usize, usize)> {
        let ctx = &self.inner;
        py.detach(|| ctx.line_char_span(number))
            .ok_or_else(|| self.no_such_line(number))
    }

    fn line_of(&self, py: Python<'_>, offset: isize) -> PyResult<usize> {
        let ctx = &self.inner;
        py.detach(|| ctx.line_of(offset)).ok_or_else(|| {
            PyIndexError::new_err(format!(
                "offset {offset} is outside the context (0..={})",
                ctx.char_len()
            ))
        })
    }
}
