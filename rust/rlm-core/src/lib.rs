//! rlm-core: a huge text as a read-only, str-like object addressed by character offsets.
//!
//! Pure Rust, no Python: the PyO3 crate `rlm-py` only converts arguments and maps errors.
//! `context` stores and validates the text, `index` maps characters and lines to bytes, `strops`
//! and `lines` give Python `str` semantics (`strlike` the comparisons, strips and partitions that
//! need no copy), `scan` runs searches on every core, `regex` and `grep` search by pattern, `rank`
//! ranks lines for the words of a query (BM25); `sandbox` confines the REPL worker (Landlock on
//! Linux); `tree` joins the text files under a directory into one context; `jsonl` walks and
//! searches a context's JSON Lines records.

pub mod chunk;
pub mod context;
pub mod grep;
pub mod index;
pub mod jsonl;
pub mod lines;
pub mod rank;
pub mod regex;
pub mod sandbox;
pub mod scan;
pub mod strlike;
pub mod strops;
pub mod tokens;
pub mod tree;

pub use context::{Context, ContextError, Errors};

/// Below this many bytes one thread is faster than several: indexing, validation, literal and
/// regex scans and grep all stay sequential under it.
pub const PAR_MIN: usize = 4 << 20;
pub use regex::{Pattern, PatternError};
pub use tokens::{Tokenizer, TokenizerError};
