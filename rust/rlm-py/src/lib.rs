//! PyO3 bindings for rlm-core (module `rlm._core`): argument conversion, GIL release, error
//! mapping. The algorithms live in rlm-core, where they are tested without Python.

use pyo3::prelude::*;

mod chunks;
mod context;
mod errors;
mod grep;
mod iters;
mod jsonl;
mod lines;
mod matches;
mod rank;
mod regex;
mod sandbox;
mod str_fallback;
mod strlike;
mod strops;
mod tokenizer;
mod tree;

/// Default `Context.max_materialize` (characters or list items).
pub const DEFAULT_MAX_MATERIALIZE: usize = 1 << 26;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<context::Context>()?;
    m.add_class::<matches::Match>()?;
    m.add_class::<matches::GrepMatch>()?;
    m.add_class::<iters::LineIterator>()?;
    m.add_class::<iters::SplitIterator>()?;
    m.add_class::<iters::CharIterator>()?;
    m.add_class::<jsonl::RecordLineIterator>()?;
    m.add_function(wrap_pyfunction!(sandbox::restrict_self, m)?)?;
    m.add_function(wrap_pyfunction!(sandbox::landlock_abi, m)?)?;
    m.add_function(wrap_pyfunction!(sandbox::set_non_dumpable, m)?)?;
    m.add_class::<tokenizer::Tokenizer>()?;
    m.add_class::<chunks::ChunkIterator>()?;
    m.add_function(wrap_pyfunction!(chunks::chunk_spans, m)?)?;
    m.add("CHUNK_STRATEGIES", rlm_core::chunk::STRATEGIES.to_vec())?;
    m.add("DEFAULT_MAX_MATERIALIZE", DEFAULT_MAX_MATERIALIZE)?;
    m.add("IGNORECASE", rlm_core::regex::IGNORECASE)?;
    m.add("MULTILINE", rlm_core::regex::MULTILINE)?;
    m.add("DOTALL", rlm_core::regex::DOTALL)?;
    m.add("VERBOSE", rlm_core::regex::VERBOSE)?;
    Ok(())
}
