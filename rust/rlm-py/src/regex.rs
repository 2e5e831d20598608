//! `Context`'s regex methods (`search`, `match`, `finditer`, `findall`, `spans`,
//! `count_matches`): compile with the cache, search without the GIL, wrap the spans rlm-core
//! converts to characters as `Match` objects.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use rlm_core::regex::{Groups, Pattern};

use crate::context::Context;
use crate::errors::pattern_error;
use crate::matches::Match;

impl Context {
    fn pattern(&self, pattern: &str, flags: u32) -> PyResult<Arc<Pattern>> {
        Pattern::cached(pattern, flags, false).map_err(pattern_error)
    }

    /// `Match` objects for byte-level groups (sorted by match start); `[start:end]` gives each
    /// match its `pos` / `endpos`.
    fn make_matches(
        &self,
        py: Python<'_>,
        p: &Pattern,
        groups: Vec<Groups>,
        start: Option<isize>,
        end: Option<isize>,
    ) -> Vec<Match> {
        let ctx = &self.inner;
        let (pos, endpos) = rlm_core::regex::regex_bounds(start, end, ctx.char_len());
        let converted = py.detach(|| {
            let text = ctx.text();
            let chars = ctx.char_groups(&groups);
            groups
                .iter()
                .zip(chars)
                .map(|(g, spans)| {
                    let texts = g.iter().map(|sp| sp.map(|(a, b)| text[a..b].to_owned()));
                    (spans, texts.collect())
                })
                .collect::<Vec<_>>()
        });
        let names = Arc::new(p.names.clone());
        converted
            .into_iter()
            .map(|(spans, texts)| Match {
                spans,
                texts,
                names: names.clone(),
                pos,
                endpos,
            })
            .collect()
    }

    /// Every match's groups in `[start:end]`, refused above `max_materialize` without a `limit`.
    fn byte_groups(
        &self,
        py: Python<'_>,
        p: &Pattern,
        start: Option<isize>,
        end: Option<isize>,
        limit: Option<usize>,
    ) -> PyResult<Vec<Groups>> {
        let ctx = &self.inner;
        let spans = py.detach(|| ctx.regex_spans(p, start, end, limit));
        self.check_uncapped(
            limit,
            spans.len(),
            "this regex call",
            "pass limit= or use spans()",
        )?;
        Ok(py.detach(|| ctx.regex_groups_of(p, end, spans)))
    }

    fn first_match(
        &self,
        py: Python<'_>,
        pattern: &str,
        flags: u32,
        start: Option<isize>,
        end: Option<isize>,
        anchored: bool,
    ) -> PyResult<Option<Match>> {
        let p = self.pattern(pattern, flags)?;
        let ctx = &self.inner;
        let Some(groups) = py.detach(|| ctx.regex_search(&p, start, end, anchored)) else {
            return Ok(None);
        };
        Ok(self.make_matches(py, &p, vec![groups], start, end).pop())
    }
}

#[pymethods]
impl Context {
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
        let p = self.pattern(pattern, flags)?;
        let groups = self.byte_groups(py, &p, start, end, limit)?;
        Ok(self.make_matches(py, &p, groups, start, end))
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
        let p = self.pattern(pattern, flags)?;
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
        let p = self.pattern(pattern, flags)?;
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
        let p = self.pattern(pattern, flags)?;
        let ctx = &self.inner;
        Ok(py.detach(|| ctx.regex_count(&p, start, end)))
    }
}
