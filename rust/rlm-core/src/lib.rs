//! rlm-core: a huge text as a read-only, str-like object addressed by character offsets.
//!
//! Pure Rust, no Python: the PyO3 crate `rlm-py` only converts arguments and maps errors.

pub mod context;

pub use context::{Context, ContextError};
