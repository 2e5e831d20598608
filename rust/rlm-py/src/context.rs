//! `rlm._core.Context`: the class, its construction, properties, `str` protocol and byte
//! offsets. The other methods live by concern in `strops.rs`, `strlike.rs` (comparison, hashing,
//! operators, strip, partition, encode), `str_fallback.rs` (any other `str` method), `lines.rs`,
//! `regex.rs` and `grep.rs` (one `#[pymethods]` block each, pyo3's `multiple-pymethods`).

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PySlice, PyString};

use rlm_core::Errors;

use crate::errors::{check_size, context_error};
use crate::DEFAULT_MAX_MATERIALIZE;

/// A huge read-only text with Python `str` semantics over character offsets.
#[pyclass(module = "rlm._core", frozen)]
pub struct Context {
    pub(crate) inner: Arc<rlm_core::Context>,
    pub(crate) path: Option<String>,
    max_materialize: AtomicUsize,
    /// The file table when the context is a directory tree (`open_tree`).
    pub(crate) tree: Option<Arc<rlm_core::tree::Tree>>,
    /// Opened as JSON Lines (a `.jsonl` / `.ndjson` path, or `format="jsonl"`): how it is
    /// described; `records()` works on any context.
    pub(crate) jsonl: bool,
    /// `hash(self)` once computed: the hash of the equal `str` (strlike.rs).
    pub(crate) hash: OnceLock<isize>,
}

pub(crate) fn parse_errors(errors: &str) -> PyResult<Errors> {
    match errors {
        "strict" => Ok(Errors::Strict),
        "replace" => Ok(Errors::Replace),
        other => Err(PyValueError::new_err(format!(
            "errors must be \"strict\" or \"replace\", not {other:?}"
        ))),
    }
}

impl Context {
    pub(crate) fn wrap(inner: rlm_core::Context, path: Option<String>) -> Self {
        Context {
            inner: Arc::new(inner),
            path,
            max_materialize: AtomicUsize::new(DEFAULT_MAX_MATERIALIZE),
            hash: OnceLock::new(),
            tree: None,
            jsonl: false,
        }
    }

    pub(crate) fn wrap_tree(
        inner: rlm_core::Context,
        root: Option<String>,
        tree: rlm_core::tree::Tree,
    ) -> Self {
        Context {
            tree: Some(Arc::new(tree)),
            ..Context::wrap(inner, root)
        }
    }

    pub(crate) fn limit(&self) -> usize {
        self.max_materialize.load(Ordering::Relaxed)
    }

    /// Refuse to materialise the whole text above `max_materialize`.
    pub(crate) fn check_whole(&self, what: &str, instead: &str) -> PyResult<()> {
        check_size(self.inner.char_len(), self.limit(), what, instead)
    }

    /// Refuse `found` results above `max_materialize` when the caller set no `limit`.
    pub(crate) fn check_uncapped(
        &self,
        limit: Option<usize>,
        found: usize,
        what: &str,
        instead: &str,
    ) -> PyResult<()> {
        match limit {
            None => check_size(found, self.limit(), what, instead),
            Some(_) => Ok(()),
        }
    }
}

#[pymethods]
impl Context {
    // ------------------------------------------------------------------ construction
    #[staticmethod]
    #[pyo3(signature = (path, *, errors="strict", format=None))]
    fn open(py: Python<'_>, path: PathBuf, errors: &str, format: Option<&str>) -> PyResult<Self> {
        let mode = parse_errors(errors)?;
        let jsonl = match format {
            None => rlm_core::jsonl::is_jsonl_path(&path),
            Some("jsonl") => true,
            Some("text") => false,
            Some(other) => {
                return Err(PyValueError::new_err(format!(
                "format must be \"text\" or \"jsonl\" (or None: from the extension), not {other:?}"
            )))
            }
        };
        let shown = path.to_string_lossy().into_owned();
        let inner = py
            .detach(|| rlm_core::Context::open(&path, mode))
            .map_err(|e| context_error(e, &shown))?;
        Ok(Context {
            jsonl,
            ..Context::wrap(inner, Some(shown))
        })
    }

    #[staticmethod]
    fn from_str(py: Python<'_>, text: &str) -> Self {
        let owned = text.to_owned();
        Context::wrap(py.detach(|| rlm_core::Context::from_string(owned)), None)
    }

    #[staticmethod]
    #[pyo3(signature = (data, *, errors="strict"))]
    fn from_bytes(py: Python<'_>, data: &[u8], errors: &str) -> PyResult<Self> {
        let mode = parse_errors(errors)?;
        let owned = data.to_vec();
        let inner = py
            .detach(|| rlm_core::Context::from_bytes(owned, mode))
            .map_err(|e| context_error(e, "<bytes>"))?;
        Ok(Context::wrap(inner, None))
    }

    // ------------------------------------------------------------------ properties
    #[getter]
    fn path(&self) -> Option<String> {
        self.path.clone()
    }

    #[getter]
    fn byte_len(&self) -> usize {
        self.inner.byte_len()
    }

    #[getter]
    fn is_mapped(&self) -> bool {
        self.inner.is_mapped()
    }

    #[getter]
    fn replaced(&self) -> bool {
        self.inner.replaced()
    }

    #[getter]
    fn get_max_materialize(&self) -> usize {
        self.limit()
    }

    #[setter]
    fn set_max_materialize(&self, value: usize) {
        self.max_materialize.store(value, Ordering::Relaxed);
    }

    // ------------------------------------------------------------------ str protocol
    fn __len__(&self) -> usize {
        self.inner.char_len()
    }

    fn __bool__(&self) -> bool {
        self.inner.byte_len() > 0
    }

    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        index: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyString>> {
        if let Ok(slice) = index.cast::<PySlice>() {
            let ix = slice.indices(self.inner.char_len() as isize)?;
            check_size(
                ix.slicelength,
                self.limit(),
                "this slice",
                "take a smaller slice",
            )?;
            let ctx = &self.inner;
            let s = py.detach(|| ctx.slice_step(ix.start.max(0) as usize, ix.step, ix.slicelength));
            return Ok(PyString::new(py, &s));
        }
        let i: isize = index
            .extract()
            .map_err(|_| PyTypeError::new_err("Context indices must be integers or slices"))?;
        let c = self
            .inner
            .char_at(i)
            .ok_or_else(|| PyIndexError::new_err("string index out of range"))?;
        Ok(PyString::new(py, c))
    }

    fn __str__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyString>> {
        self.check_whole(
            "str(context)",
            "slice it (context[a:b]) or iterate context.lines()",
        )?;
        Ok(PyString::new(py, self.inner.text()))
    }

    fn __repr__(&self) -> String {
        let files = self.tree.as_ref().map_or(0, |t| t.files.len());
        let source = match self.path() {
            Some(p) if self.tree.is_some() => format!("{files} files under {p:?}"),
            None if self.tree.is_some() => format!("{files} files"),
            Some(p) if self.jsonl => format!("JSON Lines mapped from {p:?}"),
            Some(p) if self.inner.is_mapped() => format!("mapped from {p:?}"),
            Some(p) => format!("read from {p:?}"),
            None => "owned".to_owned(),
        };
        format!(
            "<Context {} chars, {} bytes, {} lines, {source}>",
            self.inner.char_len(),
            self.inner.byte_len(),
            self.inner.line_count()
        )
    }

    // ------------------------------------------------------------------ bytes and offsets
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        check_size(
            self.inner.byte_len(),
            self.limit(),
            "to_bytes()",
            "use save(path)",
        )?;
        Ok(PyBytes::new(py, self.inner.bytes()))
    }

    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let ctx = &self.inner;
        py.detach(|| std::fs::write(&path, ctx.bytes()))
            .map_err(PyErr::from)
    }

    fn byte_offset(&self, offset: usize) -> PyResult<usize> {
        if offset > self.inner.char_len() {
            return Err(PyIndexError::new_err(format!(
                "offset {offset} is past the end ({})",
                self.inner.char_len()
            )));
        }
        Ok(self.inner.byte_of_char(offset))
    }

    fn char_offset(&self, byte_offset: usize) -> PyResult<usize> {
        if byte_offset > self.inner.byte_len() {
            return Err(PyIndexError::new_err(format!(
                "byte offset {byte_offset} is past the end ({})",
                self.inner.byte_len()
            )));
        }
        Ok(self.inner.char_of_byte(byte_offset))
    }
}
