//! Maps rlm-core errors onto the one Python hierarchy in `rlm.errors`.

use pyo3::exceptions::PyOSError;
use pyo3::import_exception;
use pyo3::prelude::*;

import_exception!(rlm.errors, ContextError);
import_exception!(rlm.errors, ContextTooLargeError);
import_exception!(rlm.errors, UnsupportedPatternError);
import_exception!(rlm.errors, SandboxError);
import_exception!(rlm.errors, TokenizerError);

/// An error from opening or decoding, naming `source` (a path or "<bytes>").
pub fn context_error(err: rlm_core::ContextError, source: &str) -> PyErr {
    match err {
        // OSError(errno, strerror, filename) picks the subclass (FileNotFoundError, ...) itself.
        rlm_core::ContextError::Io(e) => match e.raw_os_error() {
            Some(code) => {
                PyOSError::new_err((code, strip_os_suffix(&e.to_string()), source.to_owned()))
            }
            None => PyOSError::new_err(format!("{source}: {e}")),
        },
        e @ rlm_core::ContextError::InvalidUtf8 { .. } => {
            ContextError::new_err(format!("{source}: {e}"))
        }
    }
}

/// `io::Error`'s text ends with " (os error N)"; Python prints the errno itself.
fn strip_os_suffix(msg: &str) -> String {
    msg.rsplit_once(" (os error")
        .map_or(msg, |(head, _)| head)
        .to_owned()
}

pub fn pattern_error(err: rlm_core::PatternError) -> PyErr {
    UnsupportedPatternError::new_err(err.message)
}

/// Refuse to build `size` characters (or items) of Python objects above `limit`.
pub fn check_size(size: usize, limit: usize, what: &str, instead: &str) -> PyResult<()> {
    if size <= limit {
        return Ok(());
    }
    Err(ContextTooLargeError::new_err(format!(
        "{what} would build {size} characters or items, above max_materialize = {limit}; \
         {instead}, or raise context.max_materialize"
    )))
}

/// A tokenizer.json that cannot be read or is not one rlm-core counts exactly.
pub fn tokenizer_error(err: rlm_core::TokenizerError, source: &str) -> PyErr {
    TokenizerError::new_err(format!("{source}: {err}"))
}
