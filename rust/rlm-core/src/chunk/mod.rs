//! Chunking strategies: each turns a `Context` into consecutive character-offset spans that cover
//! it in order, never longer than the maximum, each starting `overlap` units before the previous
//! one ends, never cutting a UTF-8 character or a `\r\n`.
//!
//! | strategy | size and overlap in | cuts at |
//! |---|---|---|
//! | `chars` | characters | every `size` characters |
//! | `lines` | lines | every `size` lines (line ends as `str.splitlines`) |
//! | `tokens` | tokens of the model's tokenizer | token boundaries of the whole text's encoding |
//! | `recursive` | characters | the last paragraph break in the window, else line break, else sentence end, else space, else `size` characters (a paragraph, line or sentence cut must fill half the window) |
//! | `structural` | characters | the last record start in the window (markdown heading, code definition, JSON Lines record, timestamped log record), else as `recursive` |
//!
//! A [`Chunker`] is a cursor: each `next_span(ctx)` scans only the window of the next chunk, so
//! chunking a multi-GB context costs about one pass over it (`tokens` excepted: it encodes the text).
//!
//! Overlap: chunk `k + 1` starts exactly `overlap` units before chunk `k` ends, except next to a
//! `\r\n`: a start that would fall inside one moves one character later, and a cut that would
//! fall inside one moves one character earlier (the overlap is then one less, or two less when
//! both happen to one chunk, which takes `overlap` >= `size` - 2).

mod records;
mod tokens;
mod windows;

use crate::context::Context;
use crate::tokens::Tokenizer;

/// A chunking strategy, by the name the REPL's `chunks(by=...)` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    Chars,
    Lines,
    Tokens,
    Recursive,
    Structural,
}

pub const STRATEGIES: [&str; 5] = ["chars", "lines", "tokens", "recursive", "structural"];

impl Strategy {
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "chars" => Strategy::Chars,
            "lines" => Strategy::Lines,
            "tokens" => Strategy::Tokens,
            "recursive" => Strategy::Recursive,
            "structural" => Strategy::Structural,
            _ => return None,
        })
    }
}

/// Why chunking could not start.
#[derive(Debug, PartialEq, Eq)]
pub enum ChunkError {
    BadStrategy(String),
    /// size/overlap out of range: the message says which.
    BadSize(String),
    NeedsTokenizer,
}

impl std::fmt::Display for ChunkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChunkError::BadStrategy(name) => write!(
                f,
                "unknown chunking strategy {name:?}; use one of {}",
                STRATEGIES.join(", ")
            ),
            ChunkError::BadSize(msg) => f.write_str(msg),
            ChunkError::NeedsTokenizer => {
                f.write_str("by=\"tokens\" needs the model's tokenizer (none is loaded)")
            }
        }
    }
}

impl std::error::Error for ChunkError {}

/// The state of one chunking pass; call [`Chunker::next_span`] with the same context each time.
pub struct Chunker {
    kind: Kind,
}

enum Kind {
    Window(windows::Windows),
    Lines {
        next_line: usize,
        size: usize,
        step: usize,
        done: bool,
    },
    Spans(std::vec::IntoIter<(usize, usize)>),
}

impl Chunker {
    /// Start chunking `ctx` with `strategy`, `size` and `overlap` (in the strategy's unit).
    pub fn new(
        ctx: &Context,
        strategy: Strategy,
        size: usize,
        overlap: usize,
        tokenizer: Option<&Tokenizer>,
    ) -> Result<Self, ChunkError> {
        let min = if matches!(strategy, Strategy::Lines | Strategy::Tokens) {
            1
        } else {
            2
        };
        if size < min || overlap >= size {
            return Err(ChunkError::BadSize(format!(
                "need size >= {min} and 0 <= overlap < size (got size={size}, overlap={overlap})"
            )));
        }
        let kind = match strategy {
            Strategy::Lines => Kind::Lines {
                next_line: 0,
                size,
                step: size - overlap,
                done: ctx.line_count() == 0,
            },
            Strategy::Tokens => {
                let tok = tokenizer.ok_or(ChunkError::NeedsTokenizer)?;
                Kind::Spans(tokens::token_spans(ctx, tok, size, overlap).into_iter())
            }
            other => Kind::Window(windows::Windows::new(other, size, overlap)),
        };
        Ok(Chunker { kind })
    }

    /// The next chunk as character offsets `(start, end)`, or `None` when the text is covered.
    pub fn next_span(&mut self, ctx: &Context) -> Option<(usize, usize)> {
        match &mut self.kind {
            Kind::Window(w) => w.next_span(ctx),
            Kind::Spans(it) => it.next(),
            Kind::Lines {
                next_line,
                size,
                step,
                done,
            } => {
                if *done {
                    return None;
                }
                let n = ctx.line_count();
                let start = line_start_char(ctx, *next_line);
                let last = *next_line + *size >= n;
                let end = if last {
                    ctx.char_len()
                } else {
                    line_start_char(ctx, *next_line + *size)
                };
                *done = last;
                *next_line += *step;
                Some((start, end))
            }
        }
    }
}

/// Character offset where 0-based line `i` starts.
fn line_start_char(ctx: &Context, i: usize) -> usize {
    if i == 0 {
        return 0;
    }
    let b = ctx.bytes();
    let at = ctx.index.nth_break(b, i - 1).expect("line i exists");
    ctx.char_of_byte(at + crate::index::break_len_at(b, at))
}

/// All spans of one pass (for tests and small texts).
///
/// Example: `spans(&Context::from_string("a\nb\n".into()), Strategy::Lines, 1, 0, None)` is
/// `[(0, 2), (2, 4)]`.
pub fn spans(
    ctx: &Context,
    strategy: Strategy,
    size: usize,
    overlap: usize,
    tokenizer: Option<&Tokenizer>,
) -> Result<Vec<(usize, usize)>, ChunkError> {
    let mut c = Chunker::new(ctx, strategy, size, overlap, tokenizer)?;
    Ok(std::iter::from_fn(|| c.next_span(ctx)).collect())
}

#[cfg(test)]
mod tests;
