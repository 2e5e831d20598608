//! rlm-core: a huge text as a read-only, str-like object addressed by character offsets.
//!
//! Pure Rust, no Python: the PyO3 crate `rlm-py` only converts arguments and maps errors.
//! `context` stores and validates the text, `index` maps characters and lines to bytes, `strops`
//! and `lines` give Python `str` semantics, `scan` runs searches on every core, `regex` and `grep`
//! search by pattern.

pub mod context;
pub mod grep;
pub mod index;
pub mod lines;
pub mod regex;
pub mod scan;
pub mod strops;

pub use context::{Context, ContextError, Errors};
pub use regex::{Pattern, PatternError};
