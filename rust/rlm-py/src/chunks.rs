//! `rlm._core.chunk_spans`: a lazy iterator of chunk spans from rlm-core's `Chunker`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyString;

use rlm_core::chunk::{Chunker, Strategy};

use crate::context::Context;
use crate::tokenizer::Tokenizer;

/// Spans fetched per GIL release.
const BATCH: usize = 4096;

/// Lazy `(start, end)` character-offset spans of one chunking pass.
#[pyclass(module = "rlm._core", frozen)]
pub struct ChunkIterator {
    ctx: Arc<rlm_core::Context>,
    state: Mutex<(Chunker, VecDeque<(usize, usize)>)>,
}

#[pymethods]
impl ChunkIterator {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<(usize, usize)>> {
        let mut guard = self
            .state
            .try_lock()
            .map_err(|_| PyValueError::new_err("iterator already executing"))?;
        let (chunker, pending) = &mut *guard;
        if pending.is_empty() {
            let ctx = &self.ctx;
            py.detach(|| {
                while pending.len() < BATCH {
                    match chunker.next_span(ctx) {
                        Some(span) => pending.push_back(span),
                        None => break,
                    }
                }
            });
        }
        Ok(pending.pop_front())
    }
}

/// Chunk `text` (a `str` or a `Context`) with the strategy named `by`.
#[pyfunction]
#[pyo3(signature = (text, by, size, overlap=0, tokenizer=None))]
pub fn chunk_spans(
    py: Python<'_>,
    text: &Bound<'_, PyAny>,
    by: &str,
    size: usize,
    overlap: usize,
    tokenizer: Option<PyRef<'_, Tokenizer>>,
) -> PyResult<ChunkIterator> {
    let strategy = Strategy::from_name(by).ok_or_else(|| {
        PyValueError::new_err(rlm_core::chunk::ChunkError::BadStrategy(by.to_owned()).to_string())
    })?;
    let ctx = if let Ok(c) = text.cast::<Context>() {
        c.get().inner.clone()
    } else if let Ok(s) = text.cast::<PyString>() {
        let owned = s.to_str()?.to_owned();
        Arc::new(py.detach(|| rlm_core::Context::from_string(owned)))
    } else {
        return Err(PyTypeError::new_err(format!(
            "expected a str or an rlm.Context, not {}",
            text.get_type().name()?
        )));
    };
    let tok = tokenizer.map(|t| t.inner.clone());
    let chunker = py
        .detach(|| Chunker::new(&ctx, strategy, size, overlap, tok.as_deref()))
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(ChunkIterator {
        ctx,
        state: Mutex::new((chunker, VecDeque::new())),
    })
}
