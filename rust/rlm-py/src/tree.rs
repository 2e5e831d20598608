//! `Context.open_tree` and the file table of a tree context (`files`, `skipped_files`,
//! `file_of`, `file_of_line`). The walk, the rules and the numbering live in rlm-core's `tree`.

use std::path::PathBuf;

use pyo3::exceptions::{PyIndexError, PyValueError};
use pyo3::prelude::*;

use crate::context::{parse_errors, Context};
use crate::errors::context_error;

impl Context {
    /// (path, line within the file) of 1-based context line `line`, which exists.
    fn locate_line(&self, line: usize) -> (String, usize) {
        match &self.tree {
            Some(tree) => match tree.file_of_line(line) {
                Some((i, within)) => (tree.files[i].path.clone(), within),
                None => (String::new(), line),
            },
            None => (self.path.clone().unwrap_or_default(), line),
        }
    }

    /// The byte span of tree member `file`'s text (`what` names the caller in the error), or the
    /// whole text when `file` is None.
    pub(crate) fn file_span(&self, file: Option<&str>, what: &str) -> PyResult<(usize, usize)> {
        let Some(file) = file else {
            return Ok((0, self.inner.byte_len()));
        };
        let Some(tree) = &self.tree else {
            return Err(PyValueError::new_err(format!(
                "{what}(file={file:?}): this context is not a tree of files (file= names one file of Context.open_tree / rlm -f DIR)"
            )));
        };
        match tree.file(file) {
            Some(i) => Ok((tree.files[i].start_byte, tree.files[i].end_byte)),
            None => Err(PyValueError::new_err(format!(
                "{what}(file={file:?}): no such file in this tree (context.files() lists the {} it holds)",
                tree.files.len()
            ))),
        }
    }
}

#[pymethods]
impl Context {
    #[staticmethod]
    #[pyo3(signature = (path, *, errors="strict", follow_links=false, save_to=None))]
    fn open_tree(
        py: Python<'_>,
        path: PathBuf,
        errors: &str,
        follow_links: bool,
        save_to: Option<PathBuf>,
    ) -> PyResult<Self> {
        let mode = parse_errors(errors)?;
        let shown = path.to_string_lossy().into_owned();
        let (inner, tree) = py
            .detach(|| rlm_core::tree::open_tree(&path, mode, follow_links, save_to.as_deref()))
            .map_err(|e| context_error(e, &shown))?;
        Ok(Context::wrap_tree(inner, Some(shown), tree))
    }

    #[staticmethod]
    #[pyo3(signature = (paths, *, errors="strict", save_to=None))]
    fn open_files(
        py: Python<'_>,
        paths: Vec<PathBuf>,
        errors: &str,
        save_to: Option<PathBuf>,
    ) -> PyResult<Self> {
        let mode = parse_errors(errors)?;
        let (inner, tree) = py
            .detach(|| rlm_core::tree::open_files(&paths, mode, save_to.as_deref()))
            .map_err(|e| context_error(e, "<files>"))?;
        Ok(Context::wrap_tree(inner, None, tree))
    }

    #[staticmethod]
    #[pyo3(signature = (path, files, *, skipped=Vec::new(), root=None))]
    fn open_joined(
        py: Python<'_>,
        path: PathBuf,
        files: Vec<(String, usize, usize)>,
        skipped: Vec<(String, String)>,
        root: Option<String>,
    ) -> PyResult<Self> {
        let shown = path.to_string_lossy().into_owned();
        let inner = py
            .detach(|| rlm_core::Context::open(&path, rlm_core::Errors::Strict))
            .map_err(|e| context_error(e, &shown))?;
        let skipped = skipped
            .into_iter()
            .map(|(path, reason)| rlm_core::tree::Skipped { path, reason })
            .collect();
        let tree = rlm_core::tree::attach(
            &inner,
            PathBuf::from(root.clone().unwrap_or_default()),
            &files,
            skipped,
        )
        .map_err(|e| PyValueError::new_err(format!("{shown}: {e}")))?;
        Ok(Context::wrap_tree(inner, root, tree))
    }

    #[getter]
    fn is_tree(&self) -> bool {
        self.tree.is_some()
    }

    /// (path, start, end) per file: the character span of its text (after its header line).
    fn files(&self, py: Python<'_>) -> Vec<(String, usize, usize)> {
        let Some(tree) = &self.tree else {
            return Vec::new();
        };
        let ctx = &self.inner;
        py.detach(|| tree.char_spans(ctx))
    }

    /// (path, reason) per file the tree left out.
    fn skipped_files(&self) -> Vec<(String, String)> {
        self.tree.as_ref().map_or_else(Vec::new, |t| {
            t.skipped
                .iter()
                .map(|s| (s.path.clone(), s.reason.clone()))
                .collect()
        })
    }

    fn file_of(&self, py: Python<'_>, offset: isize) -> PyResult<(String, usize)> {
        let ctx = &self.inner;
        let line = py.detach(|| ctx.line_of(offset)).ok_or_else(|| {
            PyIndexError::new_err(format!(
                "offset {offset} is outside the context (0..={})",
                ctx.char_len()
            ))
        })?;
        Ok(self.locate_line(line))
    }

    fn file_of_line(&self, number: isize) -> PyResult<(String, usize)> {
        let line = self.inner.resolve_line(number).ok_or_else(|| {
            PyIndexError::new_err(format!(
                "line {number} does not exist: lines are numbered 1..={} (negative counts from the end)",
                self.inner.line_count()
            ))
        })?;
        Ok(self.locate_line(line))
    }
}
