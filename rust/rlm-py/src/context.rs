//! `rlm._core.Context`: argument conversion and GIL release around rlm-core's `Context`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PySlice, PyString, PyTuple};

use rlm_core::Errors;

use crate::errors::{check_size, context_error};
use crate::iters::{LineIterator, SplitIterator};
use crate::matches::{GrepMatch, Match};
use crate::DEFAULT_MAX_MATERIALIZE;

/// A huge read-only text with Python `str` semantics over character offsets.
#[pyclass(module = "rlm._core", frozen)]
pub struct Context {
    pub(crate) inner: Arc<rlm_core::Context>,
    path: Option<String>,
    max_materialize: AtomicUsize,
}

fn parse_errors(errors: &str) -> PyResult<Errors> {
    match errors {
        "strict" => Ok(Errors::Strict),
        "replace" => Ok(Errors::Replace),
        other => Err(PyValueError::new_err(format!(
            "errors must be \"strict\" or \"replace\", not {other:?}"
        ))),
    }
}

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

impl Context {
    pub(crate) fn wrap(inner: rlm_core::Context, path: Option<String>) -> Self {
        Context {
            inner: Arc::new(inner),
            path,
            max_materialize: AtomicUsize::new(DEFAULT_MAX_MATERIALIZE),
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
    #[pyo3(signature = (path, *, errors="strict"))]
    fn open(py: Python<'_>, path: PathBuf, errors: &str) -> PyResult<Self> {
        let mode = parse_errors(errors)?;
        let shown = path.to_string_lossy().into_owned();
        let inner = py
            .detach(|| rlm_core::Context::open(&path, mode))
            .map_err(|e| context_error(e, &shown))?;
        Ok(Context::wrap(inner, Some(shown)))
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
        let len = self.inner.char_len();
        if let Ok(slice) = index.cast::<PySlice>() {
            let ix = slice.indices(len as isize)?;
            check_size(
                ix.slicelength,
                self.limit(),
                "this slice",
                "take a smaller slice",
            )?;
            if ix.slicelength == 0 {
                return Ok(PyString::new(py, ""));
            }
            let ctx = &self.inner;
            if ix.step == 1 {
                let (a, b) = py.detach(|| ctx.byte_range(ix.start as usize, ix.stop as usize));
                return Ok(PyString::new(py, &ctx.text()[a..b]));
            }
            let s = py.detach(|| {
                let (lo, hi) = if ix.step > 0 {
                    (
                        ix.start as usize,
                        ix.start as usize + (ix.slicelength - 1) * ix.step as usize + 1,
                    )
                } else {
                    let lo = ix.start + (ix.slicelength as isize - 1) * ix.step;
                    (lo as usize, ix.start as usize + 1)
                };
                let piece = ctx.slice(lo, hi);
                let step = ix.step.unsigned_abs();
                if ix.step > 0 {
                    piece.chars().step_by(step).collect::<String>()
                } else {
                    piece.chars().rev().step_by(step).collect::<String>()
                }
            });
            return Ok(PyString::new(py, &s));
        }
        let i: isize = index
            .extract()
            .map_err(|_| PyTypeError::new_err("Context indices must be integers or slices"))?;
        let i = if i < 0 { i + len as isize } else { i };
        if i < 0 || i as usize >= len {
            return Err(PyIndexError::new_err("string index out of range"));
        }
        Ok(PyString::new(
            py,
            self.inner.slice(i as usize, i as usize + 1),
        ))
    }

    fn __contains__(&self, py: Python<'_>, sub: &str) -> bool {
        py.detach(|| self.inner.contains(sub))
    }

    fn __str__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyString>> {
        self.check_whole(
            "str(context)",
            "slice it (context[a:b]) or iterate context.lines()",
        )?;
        Ok(PyString::new(py, self.inner.text()))
    }

    /// Any other `str` method (`lower`, `strip`, `replace`, `encode`, ...) runs on `str(self)`,
    /// so code written for a `str` works on contexts up to `max_materialize` characters; above it
    /// the call (not the attribute lookup, so `hasattr` stays cheap) names the limit.
    fn __getattr__(slf: Bound<'_, Self>, name: &str) -> PyResult<StrMethod> {
        let py = slf.py();
        if name.starts_with('_') || !py.get_type::<PyString>().hasattr(name)? {
            return Err(pyo3::exceptions::PyAttributeError::new_err(format!(
                "'Context' object has no attribute {name:?}"
            )));
        }
        Ok(StrMethod {
            ctx: slf.unbind(),
            name: name.to_owned(),
        })
    }

    fn __repr__(&self) -> String {
        let source = match self.path() {
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

    // ------------------------------------------------------------------ lines
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
        let (a, b) = self.line_bytes(py, number)?;
        let ctx = &self.inner;
        Ok(py.detach(|| (ctx.char_of_byte(a), ctx.char_of_byte(b))))
    }

    fn line_of(&self, py: Python<'_>, offset: isize) -> PyResult<usize> {
        let len = self.inner.char_len() as isize;
        let o = if offset < 0 { offset + len } else { offset };
        if o < 0 || o > len {
            return Err(PyIndexError::new_err(format!(
                "offset {offset} is outside the context (0..={len})"
            )));
        }
        let ctx = &self.inner;
        Ok(py.detach(|| ctx.line_of_byte(ctx.byte_of_char(o as usize))))
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
        let found = if ignore_case && !needle.is_empty() {
            let p = self.literal_ci(needle)?;
            py.detach(|| ctx.starts_to_chars(&ctx.regex_spans(&p, start, end, limit)))
        } else {
            py.detach(|| ctx.find_all(needle, start, end, limit))
        };
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
        if ignore_case && !needle.is_empty() {
            let p = self.literal_ci(needle)?;
            return Ok(py.detach(|| ctx.regex_count(&p, start, end)));
        }
        Ok(py.detach(|| ctx.count(needle, start, end)))
    }

    // ------------------------------------------------------------------ regex search
    #[pyo3(signature = (pattern, flags=0, *, start=None, end=None))]
    fn search(
        &self,
        py: Python<'_>,
        pattern: &str,
        flags: u32,
        start: Option<isize>,
        end: Option<isize>,
    ) -> PyResult<Option<Match>> {
        self.first_match(py, pattern, flags, start, end, false)
    }

    #[pyo3(name = "match", signature = (pattern, flags=0, *, start=None, end=None))]
    fn match_(
        &self,
        py: Python<'_>,
        pattern: &str,
        flags: u32,
        start: Option<isize>,
        end: Option<isize>,
    ) -> PyResult<Option<Match>> {
        self.first_match(py, pattern, flags, start, end, true)
    }

    #[pyo3(signature = (pattern, flags=0, *, start=None, end=None, limit=None))]
    fn finditer(
        &self,
        py: Python<'_>,
        pattern: &str,
        flags: u32,
        start: Option<isize>,
        end: Option<isize>,
        limit: Option<usize>,
    ) -> PyResult<Vec<Match>> {
        let p = self.pattern(pattern, flags, false)?;
        let groups = self.byte_groups(py, &p, start, end, limit)?;
        Ok(self.make_matches(py, &p, groups, self.regex_bounds(start, end)))
    }

    #[pyo3(signature = (pattern, flags=0, *, start=None, end=None, limit=None))]
    fn findall<'py>(
        &self,
        py: Python<'py>,
        pattern: &str,
        flags: u32,
        start: Option<isize>,
        end: Option<isize>,
        limit: Option<usize>,
    ) -> PyResult<Bound<'py, PyList>> {
        let p = self.pattern(pattern, flags, false)?;
        let text = self.inner.text();
        if p.group_len() == 1 {
            // No groups: the spans are the answer; skip the per-match group vectors.
            let ctx = &self.inner;
            let spans = py.detach(|| ctx.regex_spans(&p, start, end, limit));
            self.check_uncapped(
                limit,
                spans.len(),
                "findall()",
                "pass limit= or use count_matches()",
            )?;
            return PyList::new(py, spans.iter().map(|&(a, b)| &text[a..b]));
        }
        let groups = self.byte_groups(py, &p, start, end, limit)?;
        let piece = |sp: Option<(usize, usize)>| sp.map_or("", |(a, b)| &text[a..b]);
        match p.group_len() {
            2 => PyList::new(py, groups.iter().map(|g| piece(g[1]))),
            _ => {
                let tuples = groups
                    .iter()
                    .map(|g| PyTuple::new(py, g[1..].iter().map(|&sp| piece(sp))))
                    .collect::<PyResult<Vec<_>>>()?;
                PyList::new(py, tuples)
            }
        }
    }

    #[pyo3(signature = (pattern, flags=0, *, start=None, end=None, limit=None))]
    fn spans(
        &self,
        py: Python<'_>,
        pattern: &str,
        flags: u32,
        start: Option<isize>,
        end: Option<isize>,
        limit: Option<usize>,
    ) -> PyResult<Vec<(usize, usize)>> {
        let p = self.pattern(pattern, flags, false)?;
        let ctx = &self.inner;
        let spans = py.detach(|| ctx.regex_spans(&p, start, end, limit));
        self.check_uncapped(
            limit,
            spans.len(),
            "spans()",
            "pass limit= or use count_matches()",
        )?;
        Ok(py.detach(|| ctx.spans_to_chars(&spans)))
    }

    #[pyo3(signature = (pattern, flags=0, *, start=None, end=None))]
    fn count_matches(
        &self,
        py: Python<'_>,
        pattern: &str,
        flags: u32,
        start: Option<isize>,
        end: Option<isize>,
    ) -> PyResult<usize> {
        let p = self.pattern(pattern, flags, false)?;
        let ctx = &self.inner;
        Ok(py.detach(|| ctx.regex_count(&p, start, end)))
    }

    #[pyo3(signature = (pattern, *, before=0, after=0, ignore_case=false, max_count=None, literal=false, flags=0))]
    #[allow(clippy::too_many_arguments)]
    fn grep(
        &self,
        py: Python<'_>,
        pattern: &str,
        before: usize,
        after: usize,
        ignore_case: bool,
        max_count: Option<usize>,
        literal: bool,
        flags: u32,
    ) -> PyResult<Vec<GrepMatch>> {
        let p = self.grep_pattern(pattern, ignore_case, literal, flags)?;
        let ctx = &self.inner;
        let hits = py.detach(|| ctx.grep(&*p, max_count));
        self.check_uncapped(
            max_count,
            hits.len(),
            "grep()",
            "pass max_count= or use count_lines_matching()",
        )?;
        Ok(self.make_grep_matches(py, &hits, before, after))
    }

    #[pyo3(signature = (pattern, *, ignore_case=false, literal=false, flags=0))]
    fn count_lines_matching(
        &self,
        py: Python<'_>,
        pattern: &str,
        ignore_case: bool,
        literal: bool,
        flags: u32,
    ) -> PyResult<usize> {
        let p = self.grep_pattern(pattern, ignore_case, literal, flags)?;
        let ctx = &self.inner;
        Ok(py.detach(|| ctx.grep_count(&*p)))
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

/// A `str` method looked up on a `Context`: materialises the text (guarded) when called.
#[pyclass(module = "rlm._core", frozen)]
pub struct StrMethod {
    ctx: Py<Context>,
    name: String,
}

#[pymethods]
impl StrMethod {
    #[pyo3(signature = (*args, **kwargs))]
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, pyo3::types::PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let ctx = self.ctx.get();
        ctx.check_whole(
            &format!("context.{}(...) on the whole text", self.name),
            "call it on a slice (context[a:b]) or on lines",
        )?;
        PyString::new(py, ctx.inner.text())
            .getattr(self.name.as_str())?
            .call(args, kwargs)
    }

    fn __repr__(&self) -> String {
        format!("<str method {:?} of a Context>", self.name)
    }
}
