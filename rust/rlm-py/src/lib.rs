//! PyO3 bindings for rlm-core: argument conversion, GIL release, error mapping. No logic here.

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;

use rlm_core::ContextError;

fn to_py_err(err: ContextError) -> PyErr {
    match err {
        ContextError::Io(e) => PyOSError::new_err(e.to_string()),
        ContextError::InvalidUtf8 { byte_offset } => {
            PyValueError::new_err(format!("invalid UTF-8 at byte offset {byte_offset}"))
        }
    }
}

/// A huge read-only text with Python `str` semantics over character offsets.
#[pyclass(module = "rlm._core", frozen)]
struct Context {
    inner: rlm_core::Context,
}

#[pymethods]
impl Context {
    /// Memory-map the file at `path` (no copy).
    #[staticmethod]
    fn open(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Self> {
        let inner = py.detach(|| rlm_core::Context::open(&path)).map_err(to_py_err)?;
        Ok(Context { inner })
    }

    /// Own a copy of `text`.
    #[staticmethod]
    fn from_str(text: &str) -> PyResult<Self> {
        let inner = rlm_core::Context::from_bytes(text.as_bytes().to_vec()).map_err(to_py_err)?;
        Ok(Context { inner })
    }

    fn __len__(&self, py: Python<'_>) -> usize {
        py.detach(|| self.inner.char_len())
    }
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Context>()?;
    Ok(())
}
