//! Result objects: `Match` (shaped like `re.Match`) and `GrepMatch` (one line of `rg -n`).

use std::collections::HashMap;
use std::sync::Arc;

use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};
use pyo3::IntoPyObjectExt;

/// A group named by index or by name.
#[derive(FromPyObject)]
pub enum GroupKey {
    Index(isize),
    Name(String),
}

/// One regex match with its groups' character spans and texts.
#[pyclass(module = "rlm._core", frozen)]
pub struct Match {
    /// Character spans per group (0 = whole match).
    pub spans: Vec<Option<(usize, usize)>>,
    pub texts: Vec<Option<String>>,
    /// Group names by index (shared by every match of one pattern).
    pub names: Arc<Vec<Option<String>>>,
    #[pyo3(get)]
    pub pos: usize,
    #[pyo3(get)]
    pub endpos: usize,
}

impl Match {
    fn index_of(&self, key: &GroupKey) -> PyResult<usize> {
        match key {
            GroupKey::Index(i) if *i >= 0 && (*i as usize) < self.spans.len() => Ok(*i as usize),
            GroupKey::Name(n) => self
                .names
                .iter()
                .position(|x| x.as_deref() == Some(n.as_str()))
                .ok_or_else(|| PyIndexError::new_err("no such group")),
            _ => Err(PyIndexError::new_err("no such group")),
        }
    }

    fn span_of(&self, group: GroupKey) -> PyResult<(isize, isize)> {
        let g = self.index_of(&group)?;
        Ok(self.spans[g].map_or((-1, -1), |(s, e)| (s as isize, e as isize)))
    }
}

#[pymethods]
impl Match {
    #[getter]
    fn lastindex(&self) -> Option<usize> {
        rlm_core::regex::last_group(&self.spans)
    }

    #[getter]
    fn lastgroup(&self) -> Option<String> {
        self.names.get(self.lastindex()?)?.clone()
    }

    #[getter]
    fn names(&self) -> HashMap<String, usize> {
        self.names
            .iter()
            .enumerate()
            .filter_map(|(i, n)| Some((n.clone()?, i)))
            .collect()
    }

    #[pyo3(signature = (*groups))]
    fn group(&self, py: Python<'_>, groups: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        if groups.is_empty() {
            return self.texts[0].clone().into_py_any(py);
        }
        let mut out = Vec::with_capacity(groups.len());
        for g in groups.iter() {
            let key: GroupKey = g
                .extract()
                .map_err(|_| PyIndexError::new_err("no such group"))?;
            out.push(self.texts[self.index_of(&key)?].clone());
        }
        if out.len() == 1 {
            out.pop().into_py_any(py)
        } else {
            PyTuple::new(py, out)?.into_py_any(py)
        }
    }

    #[pyo3(signature = (default=None))]
    fn groups(&self, py: Python<'_>, default: Option<Py<PyString>>) -> PyResult<Py<PyTuple>> {
        let items = self.texts[1..].iter().map(|t| match t {
            Some(s) => s.into_py_any(py),
            None => default.as_ref().map(|d| d.clone_ref(py)).into_py_any(py),
        });
        Ok(PyTuple::new(py, items.collect::<PyResult<Vec<_>>>()?)?.unbind())
    }

    #[pyo3(signature = (default=None))]
    fn groupdict(&self, default: Option<String>) -> HashMap<String, Option<String>> {
        let named = self
            .names
            .iter()
            .enumerate()
            .filter_map(|(i, n)| Some((n.clone()?, i)));
        named
            .map(|(n, i)| (n, self.texts[i].clone().or_else(|| default.clone())))
            .collect()
    }

    #[pyo3(signature = (group=GroupKey::Index(0)), text_signature = "(self, /, group=0)")]
    fn start(&self, group: GroupKey) -> PyResult<isize> {
        Ok(self.span_of(group)?.0)
    }

    #[pyo3(signature = (group=GroupKey::Index(0)), text_signature = "(self, /, group=0)")]
    fn end(&self, group: GroupKey) -> PyResult<isize> {
        Ok(self.span_of(group)?.1)
    }

    #[pyo3(signature = (group=GroupKey::Index(0)), text_signature = "(self, /, group=0)")]
    fn span(&self, group: GroupKey) -> PyResult<(isize, isize)> {
        self.span_of(group)
    }

    fn __getitem__(&self, group: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
        let key: GroupKey = group
            .extract()
            .map_err(|_| PyTypeError::new_err("group must be int or str"))?;
        Ok(self.texts[self.index_of(&key)?].clone())
    }

    fn __bool__(&self) -> bool {
        true
    }

    fn __repr__(&self) -> String {
        let (s, e) = self.spans[0].unwrap_or((0, 0));
        let text = self.texts[0].as_deref().unwrap_or("");
        let shown: String = text.chars().take(60).collect();
        let more = if shown.len() < text.len() { "..." } else { "" };
        format!("<rlm._core.Match object; span=({s}, {e}), match={shown:?}{more}>")
    }
}

/// One matching line with its neighbours.
#[pyclass(module = "rlm._core", frozen, get_all)]
pub struct GrepMatch {
    pub line_number: usize,
    pub line: String,
    pub line_start: usize,
    pub start: usize,
    pub end: usize,
    pub before: Vec<(usize, String)>,
    pub after: Vec<(usize, String)>,
}

#[pymethods]
impl GrepMatch {
    fn __str__(&self) -> String {
        let mut out: Vec<String> = self
            .before
            .iter()
            .map(|(n, t)| format!("{n}-{t}"))
            .collect();
        out.push(format!("{}:{}", self.line_number, self.line));
        out.extend(self.after.iter().map(|(n, t)| format!("{n}-{t}")));
        out.join("\n")
    }

    fn __repr__(&self) -> String {
        let shown: String = self.line.chars().take(80).collect();
        format!(
            "GrepMatch(line_number={}, line={:?}, start={})",
            self.line_number, shown, self.start
        )
    }
}
