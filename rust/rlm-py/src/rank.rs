//! `Context.rank`: rlm-core's BM25 ranked search over lines (or windows of lines).

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::context::Context;

#[pymethods]
impl Context {
    /// Named `rank`, not `search`: `Context.search` is `re.search` (the REPL's `re` relies on it).
    #[pyo3(signature = (query, k=10, window=1))]
    fn rank(
        &self,
        py: Python<'_>,
        query: &str,
        k: usize,
        window: usize,
    ) -> PyResult<Vec<(usize, f64, String)>> {
        if window == 0 {
            return Err(PyValueError::new_err("window must be at least 1 line"));
        }
        let ctx = &self.inner;
        let hits = py.detach(|| ctx.rank(query, k, window));
        let text = ctx.text();
        Ok(hits
            .iter()
            .map(|h| (h.line_number, h.score, text[h.span.0..h.span.1].to_owned()))
            .collect())
    }
}
