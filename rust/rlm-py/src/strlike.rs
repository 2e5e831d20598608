//! The rest of `str`'s protocol on `Context`: `==` and ordering against a `str` (no copy), `hash`,
//! `+`, `*`, `%`, `format`, iteration, `strip`, `partition` and `encode` (any other `str` method:
//! `str_fallback.rs`). Whatever builds a Python string is guarded by `max_materialize`, with a
//! message naming what to call instead.

use std::borrow::Cow;
use std::sync::Arc;

use pyo3::basic::CompareOp;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyTuple};

use crate::context::Context;
use crate::errors::check_size;
use crate::iters::CharIterator;

/// The other side of a comparison, `+` or `in`: a `str` (its UTF-8, borrowed where CPython caches
/// it) or another `Context` (shared, never copied).
pub(crate) enum Text<'a> {
    Str(Cow<'a, str>),
    Ctx(Arc<rlm_core::Context>),
}

impl Text<'_> {
    /// `other` as text with its length in characters, or `None` when it is neither `str` nor `Context`.
    pub(crate) fn of<'a>(other: &'a Bound<'_, PyAny>) -> PyResult<Option<(Text<'a>, usize)>> {
        if let Ok(s) = other.cast::<PyString>() {
            return Ok(Some((Text::Str(s.to_cow()?), s.len()?)));
        }
        if let Ok(c) = other.cast::<Context>() {
            let inner = c.get().inner.clone();
            let chars = inner.char_len();
            return Ok(Some((Text::Ctx(inner), chars)));
        }
        Ok(None)
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            Text::Str(s) => s,
            Text::Ctx(c) => c.text(),
        }
    }
}

impl Context {
    /// `str(self)` as a Python string, refused above the limit naming `what` and `instead`.
    pub(crate) fn whole_str<'py>(
        &self,
        py: Python<'py>,
        what: &str,
        instead: &str,
    ) -> PyResult<Bound<'py, PyString>> {
        self.check_whole(what, instead)?;
        Ok(PyString::new(py, self.inner.text()))
    }

    /// The text of byte span `(a, b)` as a Python string, refused above the limit.
    fn span_str<'py>(
        &self,
        py: Python<'py>,
        (a, b): (usize, usize),
        what: &str,
        instead: &str,
    ) -> PyResult<Bound<'py, PyString>> {
        let ctx = &self.inner;
        let chars = py.detach(|| ctx.char_of_byte(b) - ctx.char_of_byte(a));
        check_size(chars, self.limit(), what, instead)?;
        Ok(PyString::new(py, &ctx.text()[a..b]))
    }

    fn strip_impl<'py>(
        &self,
        py: Python<'py>,
        chars: Option<&str>,
        left: bool,
        right: bool,
        name: &str,
    ) -> PyResult<Bound<'py, PyString>> {
        let ctx = &self.inner;
        let span = py.detach(|| ctx.strip_span(chars, left, right));
        self.span_str(
            py,
            span,
            &format!("context.{name}()"),
            &format!("{name} a slice: context[a:b].{name}()"),
        )
    }

    fn partition_impl<'py>(
        &self,
        py: Python<'py>,
        sep: &str,
        last: bool,
    ) -> PyResult<Bound<'py, PyTuple>> {
        if sep.is_empty() {
            return Err(PyValueError::new_err("empty separator"));
        }
        let name = if last { "rpartition" } else { "partition" };
        let what = format!("context.{name}({sep:?})");
        let instead = "find the separator with context.find(sep) or context.rfind(sep), then slice";
        let ctx = &self.inner;
        let n = ctx.byte_len();
        let parts = match py.detach(|| ctx.partition_span(sep, last)) {
            Some((a, b)) => [(0, a), (a, b), (b, n)],
            None if last => [(0, 0), (0, 0), (0, n)],
            None => [(0, n), (n, n), (n, n)],
        };
        let strs = parts
            .iter()
            .map(|&span| self.span_str(py, span, &what, instead))
            .collect::<PyResult<Vec<_>>>()?;
        PyTuple::new(py, strs)
    }
}

#[pymethods]
impl Context {
    // ------------------------------------------------------------------ comparison and hashing
    /// `==`, `!=`, `<`, ... against a `str` or another `Context`, on the bytes: no copy.
    fn __richcmp__(
        &self,
        py: Python<'_>,
        other: &Bound<'_, PyAny>,
        op: CompareOp,
    ) -> PyResult<Py<PyAny>> {
        let Some((text, chars)) = Text::of(other)? else {
            return Ok(py.NotImplemented());
        };
        let ctx = &self.inner;
        let order = if matches!(op, CompareOp::Eq | CompareOp::Ne) && chars != ctx.char_len() {
            std::cmp::Ordering::Less // different lengths: not equal, whatever the order
        } else {
            let other = text.as_str().as_bytes();
            py.detach(|| ctx.cmp_text(other))
        };
        Ok(op
            .matches(order)
            .into_pyobject(py)?
            .to_owned()
            .into_any()
            .unbind())
    }

    /// The hash of the equal `str`, so `context == s` implies `hash(context) == hash(s)` (computed
    /// once; refused above the limit, as building that `str` is).
    fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
        if let Some(&h) = self.hash.get() {
            return Ok(h);
        }
        let h = self
            .whole_str(
                py,
                "hash(context)",
                "use a slice (context[a:b]) or context.path as the key",
            )?
            .hash()?;
        Ok(*self.hash.get_or_init(|| h))
    }

    /// `sub in context` for a `str` or a `Context`, as `str`'s `in` (memmem over the mapped bytes).
    fn __contains__(&self, py: Python<'_>, sub: &Bound<'_, PyAny>) -> PyResult<bool> {
        let Some((text, _)) = Text::of(sub)? else {
            return Err(PyTypeError::new_err(format!(
                "'in <context>' requires string as left operand, not {}",
                sub.get_type().name()?
            )));
        };
        let (ctx, needle) = (&self.inner, text.as_str());
        Ok(py.detach(|| ctx.contains(needle)))
    }

    // ------------------------------------------------------------------ operators
    fn __add__<'py>(&self, py: Python<'py>, other: &Bound<'py, PyAny>) -> PyResult<Py<PyAny>> {
        self.concat(py, other, false)
    }

    fn __radd__<'py>(&self, py: Python<'py>, other: &Bound<'py, PyAny>) -> PyResult<Py<PyAny>> {
        self.concat(py, other, true)
    }

    fn __mul__<'py>(&self, py: Python<'py>, n: &Bound<'py, PyAny>) -> PyResult<Py<PyAny>> {
        let Ok(times) = n.extract::<isize>() else {
            return Ok(py.NotImplemented());
        };
        let size = self.inner.char_len().saturating_mul(times.max(0) as usize);
        check_size(
            size,
            self.limit(),
            "context * n",
            "repeat a slice: context[a:b] * n",
        )?;
        Ok(PyString::new(py, self.inner.text()).mul(times)?.unbind())
    }

    fn __rmul__<'py>(&self, py: Python<'py>, n: &Bound<'py, PyAny>) -> PyResult<Py<PyAny>> {
        self.__mul__(py, n)
    }

    /// `context % args`: the context as a %-format string.
    fn __mod__<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.whole_str(py, "context % args", "format a slice: context[a:b] % args")?
            .rem(args)
    }

    /// `f"{context:>20}"`, `format(context, spec)`: as the equal `str` formats.
    #[pyo3(signature = (spec, /))]
    fn __format__<'py>(&self, py: Python<'py>, spec: &str) -> PyResult<Bound<'py, PyAny>> {
        self.whole_str(py, "format(context)", "format a slice: f\"{context[a:b]}\"")?
            .call_method1("__format__", (spec,))
    }

    /// Characters one by one (`for ch in context`, `sorted(context)`, `Counter(context)`).
    fn __iter__(&self) -> PyResult<CharIterator> {
        self.chars(false)
    }

    /// Characters from the last one back (`reversed(context)`; `context[::-1]` is a slice).
    fn __reversed__(&self) -> PyResult<CharIterator> {
        self.chars(true)
    }

    // ------------------------------------------------------------------ str methods, in Rust
    #[pyo3(signature = (chars=None, /))]
    fn strip<'py>(&self, py: Python<'py>, chars: Option<&str>) -> PyResult<Bound<'py, PyString>> {
        self.strip_impl(py, chars, true, true, "strip")
    }

    #[pyo3(signature = (chars=None, /))]
    fn lstrip<'py>(&self, py: Python<'py>, chars: Option<&str>) -> PyResult<Bound<'py, PyString>> {
        self.strip_impl(py, chars, true, false, "lstrip")
    }

    #[pyo3(signature = (chars=None, /))]
    fn rstrip<'py>(&self, py: Python<'py>, chars: Option<&str>) -> PyResult<Bound<'py, PyString>> {
        self.strip_impl(py, chars, false, true, "rstrip")
    }

    #[pyo3(signature = (sep, /))]
    fn partition<'py>(&self, py: Python<'py>, sep: &str) -> PyResult<Bound<'py, PyTuple>> {
        self.partition_impl(py, sep, false)
    }

    #[pyo3(signature = (sep, /))]
    fn rpartition<'py>(&self, py: Python<'py>, sep: &str) -> PyResult<Bound<'py, PyTuple>> {
        self.partition_impl(py, sep, true)
    }

    fn isascii(&self) -> bool {
        self.inner.byte_len() == self.inner.char_len()
    }

    /// UTF-8 straight from the mapped bytes; other encodings go through the equal `str`.
    #[pyo3(signature = (encoding="utf-8", errors="strict"))]
    fn encode<'py>(
        &self,
        py: Python<'py>,
        encoding: &str,
        errors: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let instead =
            "use context.byte_len for the size, context.save(path) to write it, or encode a slice";
        if matches!(
            encoding.to_ascii_lowercase().replace('_', "-").as_str(),
            "utf-8" | "utf8" | "u8"
        ) {
            check_size(
                self.inner.byte_len(),
                self.limit(),
                "context.encode()",
                instead,
            )?;
            return Ok(PyBytes::new(py, self.inner.bytes()).into_any());
        }
        self.whole_str(py, "context.encode()", instead)?
            .call_method1("encode", (encoding, errors))
    }
}

impl Context {
    /// The characters one by one, refused above the limit: each becomes a Python `str`.
    fn chars(&self, reverse: bool) -> PyResult<CharIterator> {
        self.check_whole(
            "iterating over context character by character",
            "iterate context.lines() or chunks(), or count with context.count(s)",
        )?;
        Ok(CharIterator::new(self.inner.clone(), reverse))
    }

    /// `self + other` (or `other + self` with `reflected`) for a `str` or a `Context`, guarded by
    /// the size of the result.
    fn concat(
        &self,
        py: Python<'_>,
        other: &Bound<'_, PyAny>,
        reflected: bool,
    ) -> PyResult<Py<PyAny>> {
        let Some((text, chars)) = Text::of(other)? else {
            return Ok(py.NotImplemented());
        };
        let size = self.inner.char_len().saturating_add(chars);
        check_size(
            size,
            self.limit(),
            "context + text",
            "concatenate slices: context[a:b] + text",
        )?;
        let (mine, theirs) = (self.inner.text(), text.as_str());
        let (first, second) = if reflected {
            (theirs, mine)
        } else {
            (mine, theirs)
        };
        let mut joined = String::with_capacity(first.len() + second.len());
        joined.push_str(first);
        joined.push_str(second);
        Ok(PyString::new(py, &joined).into_any().unbind())
    }
}
