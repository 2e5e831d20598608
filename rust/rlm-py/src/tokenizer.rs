//! `rlm._core.Tokenizer`: argument conversion and GIL release around rlm-core's `Tokenizer`.

use std::sync::Arc;

use pyo3::exceptions::{PyOSError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyString;

use rlm_core::strops::adjust_indices;
use rlm_core::TokenizerError;

use crate::context::Context;
use crate::errors::tokenizer_error;

/// A byte-level BPE tokenizer loaded from a model's tokenizer.json.
#[pyclass(module = "rlm._core", frozen)]
pub struct Tokenizer {
    pub(crate) inner: Arc<rlm_core::Tokenizer>,
    path: String,
}

/// `adjust_indices` lets `start` pass the end; as a slice, `[start:end]` is then empty.
fn clamp((a, b): (usize, usize), len: usize) -> (usize, usize) {
    let a = a.min(len);
    (a, b.max(a))
}

/// Byte range of the characters `[start:end]` of `s` (slice semantics, as `str` slicing).
fn str_byte_range(s: &str, start: Option<isize>, end: Option<isize>) -> (usize, usize) {
    let chars = s.chars().count();
    let (a, b) = clamp(adjust_indices(start, end, chars), chars);
    let mut idx = s
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()));
    let bs = idx.nth(a).unwrap_or(s.len());
    let be = if b == a {
        bs
    } else {
        idx.nth(b - a - 1).unwrap_or(s.len())
    };
    (bs, be)
}

/// Run `f` on the text of `[start:end]` of a `str` or a `Context`, with the GIL released.
pub(crate) fn with_text<T: Send>(
    py: Python<'_>,
    text: &Bound<'_, PyAny>,
    start: Option<isize>,
    end: Option<isize>,
    f: impl FnOnce(&str) -> T + Send,
) -> PyResult<T> {
    if let Ok(ctx) = text.cast::<Context>() {
        let inner = ctx.get().inner.clone();
        return Ok(py.detach(move || {
            let (a, b) = clamp(
                adjust_indices(start, end, inner.char_len()),
                inner.char_len(),
            );
            let (bs, be) = inner.byte_range(a, b);
            f(&inner.text()[bs..be])
        }));
    }
    if let Ok(s) = text.cast::<PyString>() {
        let s = s.to_str()?;
        return Ok(py.detach(move || {
            let (a, b) = str_byte_range(s, start, end);
            f(&s[a..b])
        }));
    }
    Err(PyTypeError::new_err(format!(
        "expected a str or an rlm.Context, not {}",
        text.get_type().name()?
    )))
}

#[pymethods]
impl Tokenizer {
    /// Load `path` (a tokenizer.json).
    #[staticmethod]
    fn from_file(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Self> {
        let shown = path.display().to_string();
        let inner = py
            .detach(|| rlm_core::Tokenizer::from_file(&path))
            .map_err(|e| match e {
                TokenizerError::Io(e) => PyOSError::new_err(format!("{shown}: {e}")),
                e => tokenizer_error(e, &shown),
            })?;
        Ok(Tokenizer {
            inner: Arc::new(inner),
            path: shown,
        })
    }

    /// Number of tokens in `text[start:end]` (a `str` or a `Context`), without template tokens.
    #[pyo3(signature = (text, start=None, end=None))]
    fn count(
        &self,
        py: Python<'_>,
        text: &Bound<'_, PyAny>,
        start: Option<isize>,
        end: Option<isize>,
    ) -> PyResult<usize> {
        let tok = self.inner.clone();
        with_text(py, text, start, end, move |s| tok.count(s))
    }

    /// The token ids of `text[start:end]`.
    #[pyo3(signature = (text, start=None, end=None))]
    fn encode(
        &self,
        py: Python<'_>,
        text: &Bound<'_, PyAny>,
        start: Option<isize>,
        end: Option<isize>,
    ) -> PyResult<Vec<u32>> {
        let tok = self.inner.clone();
        with_text(py, text, start, end, move |s| tok.encode(s))
    }

    #[getter]
    fn path(&self) -> &str {
        &self.path
    }

    fn __repr__(&self) -> String {
        format!("Tokenizer.from_file({:?})", self.path)
    }
}
