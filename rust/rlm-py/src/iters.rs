//! Lazy iterators over lines, split pieces and characters. Line and split refills scan a batch
//! with the GIL released.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use pyo3::prelude::*;
use pyo3::types::PyString;

use rlm_core::lines::SplitState;

/// Another thread is inside `__next__` of the same iterator (it waits without the GIL, so blocking
/// here while holding the GIL could deadlock): refuse, as a running generator does.
fn busy() -> PyErr {
    pyo3::exceptions::PyValueError::new_err("iterator already executing")
}

/// Spans fetched per GIL release: enough to amortise the release, small enough to stay lazy.
const BATCH: usize = 512;

struct LineState {
    pos: usize,
    pending: VecDeque<(usize, usize)>,
}

/// Lazy `splitlines()`.
#[pyclass(module = "rlm._core", frozen)]
pub struct LineIterator {
    ctx: Arc<rlm_core::Context>,
    keepends: bool,
    state: Mutex<LineState>,
}

impl LineIterator {
    pub fn new(ctx: Arc<rlm_core::Context>, keepends: bool) -> Self {
        LineIterator {
            ctx,
            keepends,
            state: Mutex::new(LineState {
                pos: 0,
                pending: VecDeque::new(),
            }),
        }
    }
}

#[pymethods]
impl LineIterator {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<String>> {
        let mut st = self.state.try_lock().map_err(|_| busy())?;
        if st.pending.is_empty() {
            let (ctx, keepends) = (&self.ctx, self.keepends);
            let st = &mut *st;
            py.detach(|| {
                let mut spans = ctx.line_spans(st.pos);
                let batch = spans.by_ref().take(BATCH);
                st.pending
                    .extend(batch.map(|(a, b, c)| (a, if keepends { c } else { b })));
                st.pos = spans.position();
            });
        }
        Ok(st
            .pending
            .pop_front()
            .map(|(a, b)| self.ctx.text()[a..b].to_owned()))
    }
}

/// Lazy `split(sep, maxsplit)`.
#[pyclass(module = "rlm._core", frozen)]
pub struct SplitIterator {
    ctx: Arc<rlm_core::Context>,
    state: Mutex<(SplitState, VecDeque<(usize, usize)>)>,
}

impl SplitIterator {
    pub fn new(ctx: Arc<rlm_core::Context>, sep: Option<&str>, maxsplit: isize) -> Self {
        SplitIterator {
            ctx,
            state: Mutex::new((SplitState::new(sep, maxsplit), VecDeque::new())),
        }
    }
}

#[pymethods]
impl SplitIterator {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<String>> {
        let mut guard = self.state.try_lock().map_err(|_| busy())?;
        let (split, pending) = &mut *guard;
        if pending.is_empty() {
            let text = self.ctx.text();
            py.detach(|| {
                while pending.len() < BATCH {
                    match split.next_span(text) {
                        Some(span) => pending.push_back(span),
                        None => break,
                    }
                }
            });
        }
        Ok(pending
            .pop_front()
            .map(|(a, b)| self.ctx.text()[a..b].to_owned()))
    }
}

/// `iter(context)` / `reversed(context)`: its characters, one `str` each, stepped over without
/// decoding the text first.
#[pyclass(module = "rlm._core", frozen)]
pub struct CharIterator {
    ctx: Arc<rlm_core::Context>,
    /// The boundary of the next character: its start going forwards, its end going back.
    pos: AtomicUsize,
    reverse: bool,
}

impl CharIterator {
    pub fn new(ctx: Arc<rlm_core::Context>, reverse: bool) -> Self {
        let pos = if reverse { ctx.byte_len() } else { 0 };
        CharIterator {
            ctx,
            pos: AtomicUsize::new(pos),
            reverse,
        }
    }
}

#[pymethods]
impl CharIterator {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyString>> {
        let ctx = &self.ctx;
        // One step is one atomic update: threads sharing the iterator never get the same character.
        let step = |p: usize| match self.reverse {
            false => (p < ctx.byte_len()).then(|| ctx.char_end(p)),
            true => (p > 0).then(|| ctx.char_start_before(p)),
        };
        let from = self
            .pos
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, step)
            .ok()?;
        let (a, b) = match self.reverse {
            false => (from, ctx.char_end(from)),
            true => (ctx.char_start_before(from), from),
        };
        Some(PyString::new(py, &ctx.text()[a..b]))
    }
}
