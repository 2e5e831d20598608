//! `Context`'s `str` methods (`find`, `count`, `startswith`, `split`, ...) and literal search
//! (`find_all`, `count_literal`): argument conversion around rlm-core's `strops`.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::context::Context;
use crate::errors::pattern_error;
use crate::iters::SplitIterator;

/// A `str` or a tuple of `str`, as `str.startswith` takes.
#[derive(FromPyObject)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// `arg` as `str.startswith` / `str.endswith` read their first argument, named `method` in errors.
fn str_or_tuple(arg: &Bound<'_, PyAny>, method: &str) -> PyResult<Vec<String>> {
    match arg.extract::<OneOrMany>() {
        Ok(OneOrMany::One(s)) => Ok(vec![s]),
        Ok(OneOrMany::Many(v)) if arg.is_instance_of::<PyTuple>() => Ok(v),
        _ => Err(PyTypeError::new_err(format!(
            "{method} first arg must be str or a tuple of str"
        ))),
    }
}

/// `str.split` refuses an empty separator; so do `split` and `iter_split`.
fn check_separator(sep: Option<&str>) -> PyResult<()> {
    if sep == Some("") {
        return Err(PyValueError::new_err("empty separator"));
    }
    Ok(())
}

#[pymethods]
impl Context {
    #[pyo3(signature = (sub, start=None, end=None))]
    fn find(&self, py: Python<'_>, sub: &str, start: Option<isize>, end: Option<isize>) -> isize {
        py.detach(|| self.inner.find(sub, start, end))
            .map_or(-1, |i| i as isize)
    }

    #[pyo3(signature = (sub, start=None, end=None))]
    fn rfind(&self, py: Python<'_>, sub: &str, start: Option<isize>, end: Option<isize>) -> isize {
        py.detach(|| self.inner.rfind(sub, start, end))
            .map_or(-1, |i| i as isize)
    }

    #[pyo3(signature = (sub, start=None, end=None))]
    fn index(
        &self,
        py: Python<'_>,
        sub: &str,
        start: Option<isize>,
        end: Option<isize>,
    ) -> PyResult<usize> {
        usize::try_from(self.find(py, sub, start, end))
            .map_err(|_| PyValueError::new_err("substring not found"))
    }

    #[pyo3(signature = (sub, start=None, end=None))]
    fn rindex(
        &self,
        py: Python<'_>,
        sub: &str,
        start: Option<isize>,
        end: Option<isize>,
    ) -> PyResult<usize> {
        usize::try_from(self.rfind(py, sub, start, end))
            .map_err(|_| PyValueError::new_err("substring not found"))
    }

    #[pyo3(signature = (sub, start=None, end=None))]
    fn count(&self, py: Python<'_>, sub: &str, start: Option<isize>, end: Option<isize>) -> usize {
        py.detach(|| self.inner.count(sub, start, end))
    }

    #[pyo3(signature = (prefix, start=None, end=None))]
    fn startswith(
        &self,
        py: Python<'_>,
        prefix: &Bound<'_, PyAny>,
        start: Option<isize>,
        end: Option<isize>,
    ) -> PyResult<bool> {
        let prefixes = str_or_tuple(prefix, "startswith")?;
        Ok(py.detach(|| {
            prefixes
                .iter()
                .any(|p| self.inner.startswith(p, start, end))
        }))
    }

    #[pyo3(signature = (suffix, start=None, end=None))]
    fn endswith(
        &self,
        py: Python<'_>,
        suffix: &Bound<'_, PyAny>,
        start: Option<isize>,
        end: Option<isize>,
    ) -> PyResult<bool> {
        let suffixes = str_or_tuple(suffix, "endswith")?;
        Ok(py.detach(|| suffixes.iter().any(|s| self.inner.endswith(s, start, end))))
    }

    #[pyo3(signature = (keepends=false))]
    fn splitlines<'py>(&self, py: Python<'py>, keepends: bool) -> PyResult<Bound<'py, PyList>> {
        self.check_whole("splitlines()", "iterate context.lines() instead")?;
        let ctx = &self.inner;
        let spans: Vec<(usize, usize)> = py.detach(|| {
            ctx.line_spans(0)
                .map(|(a, b, c)| (a, if keepends { c } else { b }))
                .collect()
        });
        PyList::new(py, spans.into_iter().map(|(a, b)| &ctx.text()[a..b]))
    }

    #[pyo3(signature = (sep=None, maxsplit=-1), text_signature = "(self, /, sep=None, maxsplit=-1)")]
    fn split<'py>(
        &self,
        py: Python<'py>,
        sep: Option<&str>,
        maxsplit: isize,
    ) -> PyResult<Bound<'py, PyList>> {
        check_separator(sep)?;
        self.check_whole("split()", "iterate context.iter_split() instead")?;
        let ctx = &self.inner;
        let spans: Vec<(usize, usize)> = py.detach(|| ctx.split_spans(sep, maxsplit).collect());
        PyList::new(py, spans.into_iter().map(|(a, b)| &ctx.text()[a..b]))
    }

    #[pyo3(signature = (sep=None, maxsplit=-1), text_signature = "(self, /, sep=None, maxsplit=-1)")]
    fn iter_split(&self, sep: Option<&str>, maxsplit: isize) -> PyResult<SplitIterator> {
        check_separator(sep)?;
        Ok(SplitIterator::new(self.inner.clone(), sep, maxsplit))
    }

    // ------------------------------------------------------------------ literal search
    #[pyo3(signature = (needle, *, ignore_case=false, start=None, end=None, limit=None))]
    fn find_all(
        &self,
        py: Python<'_>,
        needle: &str,
        ignore_case: bool,
        start: Option<isize>,
        end: Option<isize>,
        limit: Option<usize>,
    ) -> PyResult<Vec<usize>> {
        let ctx = &self.inner;
        let found = py
            .detach(|| ctx.find_all_literal(needle, ignore_case, start, end, limit))
            .map_err(pattern_error)?;
        self.check_uncapped(
            limit,
            found.len(),
            "find_all()",
            "pass limit= or use count_literal()",
        )?;
        Ok(found)
    }

    #[pyo3(signature = (needle, *, ignore_case=false, start=None, end=None))]
    fn count_literal(
        &self,
        py: Python<'_>,
        needle: &str,
        ignore_case: bool,
        start: Option<isize>,
        end: Option<isize>,
    ) -> PyResult<usize> {
        let ctx = &self.inner;
        py.detach(|| ctx.count_literal(needle, ignore_case, start, end))
            .map_err(pattern_error)
    }
}
