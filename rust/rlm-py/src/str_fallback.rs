//! Any other `str` method on a `Context` (`lower`, `replace`, `title`, ...): looked up for free,
//! run on the whole text when called, and refused above `max_materialize` with what to call
//! instead. Attributes of files, bytes and dicts (`read`, `decode`, `keys`) say what `context` is.

use pyo3::exceptions::PyAttributeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

use crate::context::Context;

/// What to call instead of a `str` method that would copy a context above the limit.
fn instead_of(method: &str) -> &'static str {
    match method {
        "lower" | "upper" | "casefold" | "swapcase" | "title" | "capitalize" => {
            "to search without case use grep(pattern, ignore_case=True), \
             find_all(s, ignore_case=True), context.count_literal(s, ignore_case=True) or re with \
             re.IGNORECASE; or change the case of a slice: context[a:b].lower()"
        }
        "replace" | "translate" | "expandtabs" => {
            "replace in a slice (context[a:b].replace(...)); to count occurrences use \
             context.count(s)"
        }
        "rsplit" => "iterate context.iter_split(sep) or context.lines(), or rsplit a slice",
        "join" => "join plain strings: \"sep\".join(pieces)",
        _ => "call it on a slice (context[a:b]) or on context.lines()",
    }
}

/// Attributes a model asks for when it takes the context for a file, bytes or a dict.
fn not_a_str_hint(name: &str) -> Option<&'static str> {
    match name {
        "read" | "readlines" | "readline" => Some(
            "context is already the text (an rlm.Context): slice it (context[:2000]), iterate \
             context.lines(), or search it with grep()",
        ),
        "decode" => Some("context is already decoded text: use it as a str"),
        "keys" | "items" | "values" | "get" => Some(
            "context is one text, not a dict: slice it, search it with grep(), or json.loads(str(context)) \
             if it holds JSON",
        ),
        _ => None,
    }
}

#[pymethods]
impl Context {
    /// Any other `str` method (`lower`, `replace`, `format`, ...) runs on `str(self)`, so code
    /// written for a `str` works on contexts up to `max_materialize` characters; above it the call
    /// (not the attribute lookup, so `hasattr` stays cheap) names the limit and what to do instead.
    fn __getattr__(slf: Bound<'_, Self>, name: &str) -> PyResult<StrMethod> {
        let py = slf.py();
        if name.starts_with('_') || !py.get_type::<PyString>().hasattr(name)? {
            let hint = not_a_str_hint(name).map_or(String::new(), |h| format!(": {h}"));
            return Err(PyAttributeError::new_err(format!(
                "'Context' object has no attribute {name:?}{hint}"
            )));
        }
        Ok(StrMethod {
            ctx: slf.unbind(),
            name: name.to_owned(),
        })
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
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let ctx = self.ctx.get();
        ctx.whole_str(
            py,
            &format!("context.{}(...) on the whole text", self.name),
            instead_of(&self.name),
        )?
        .getattr(self.name.as_str())?
        .call(args, kwargs)
    }

    fn __repr__(&self) -> String {
        format!("<str method {:?} of a Context>", self.name)
    }
}
