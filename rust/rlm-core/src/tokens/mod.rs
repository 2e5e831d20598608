//! Token counting and encoding with a model's byte-level BPE tokenizer.json (Qwen2, Llama 3 kind),
//! giving the same ids as the `tokenizers` library's `encode(text, add_special_tokens=False)`.
//!
//! The pipeline is the library's: added tokens are cut out of the raw text first, each remaining
//! segment is NFC-normalized (when the file says so), split by the pre-tokenizer ([`pretok`]) and
//! each piece's bytes are merged by rank ([`bpe`]). Pieces repeat (identifiers, indentation), so a
//! cache of piece -> count skips most merging. Big texts are cut only at places where the
//! pre-tokenizer always splits ([`split`]) and counted on every core; the total is exactly the
//! whole-text count.

mod bpe;
mod classes;
mod load;
mod nfc;
pub mod pretok;
pub mod split;

use std::borrow::Cow;
use std::path::Path;

use aho_corasick::{AhoCorasick, MatchKind};
use rayon::prelude::*;
use unicode_normalization::{is_nfc_quick, IsNormalized};

use bpe::{Bpe, FxMap};
use pretok::PreTokenizer;

/// Why a tokenizer.json could not be used.
#[derive(Debug)]
pub enum TokenizerError {
    Io(std::io::Error),
    /// The file is not a valid tokenizer.json.
    Invalid(String),
    /// Valid, but uses a feature this implementation does not reproduce exactly.
    Unsupported(String),
}

impl std::fmt::Display for TokenizerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenizerError::Io(e) => write!(f, "{e}"),
            TokenizerError::Invalid(what) => write!(f, "not a valid tokenizer.json: {what}"),
            TokenizerError::Unsupported(what) => write!(
                f,
                "unsupported tokenizer.json: {what} (only byte-level BPE with the Qwen2 or \
                 Llama 3 split pattern is counted in Rust; use the tokenizers package instead)"
            ),
        }
    }
}

impl std::error::Error for TokenizerError {}

/// Texts at least this long are cut into parts of about `PART` bytes and counted in parallel.
const PAR_MIN: usize = 256 << 10;
const PART: usize = 256 << 10;
/// The piece cache is cleared when it holds this many entries (bounds memory on odd inputs).
const CACHE_MAX: usize = 1 << 18;

pub struct Tokenizer {
    bpe: Bpe,
    pretok: PreTokenizer,
    nfc: bool,
    added: Option<(AhoCorasick, Vec<u32>)>,
    whole_words: Option<FxMap<Box<[u8]>, u32>>,
    token_lens: Vec<u32>,
    /// False when an added token holds a space or line break, so a cut could fall inside one.
    can_split: bool,
}

/// Per-thread memo of piece -> its token ids.
pub type Cache = FxMap<Box<[u8]>, Box<[u32]>>;

impl Tokenizer {
    /// Load a tokenizer.json file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, TokenizerError> {
        let json = std::fs::read_to_string(path).map_err(TokenizerError::Io)?;
        Self::from_json(&json)
    }

    /// Build from the text of a tokenizer.json.
    pub fn from_json(json: &str) -> Result<Self, TokenizerError> {
        let spec = load::parse(json)?;
        let pretok = PreTokenizer::for_pattern(&spec.pattern).ok_or_else(|| {
            TokenizerError::Unsupported(format!("the split pattern {:?}", spec.pattern))
        })?;
        let added: Vec<(String, u32)> = spec
            .added
            .into_iter()
            .filter(|(c, _)| !c.is_empty())
            .collect();
        let can_split = !added.iter().any(|(c, _)| c.contains([' ', '\n']));
        let added = (!added.is_empty()).then(|| {
            let ac = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(added.iter().map(|(c, _)| c.as_str()))
                .expect("added tokens make a valid automaton");
            (ac, added.iter().map(|&(_, id)| id).collect())
        });
        Ok(Tokenizer {
            bpe: Bpe::new(spec.byte_ids, spec.merges),
            pretok,
            nfc: spec.nfc,
            added,
            whole_words: spec.whole_words.map(|w| {
                w.into_iter()
                    .map(|(b, id)| (b.into_boxed_slice(), id))
                    .collect()
            }),
            can_split,
            token_lens: spec.token_lens,
        })
    }

    /// False when an added token holds a space or line break: then no text may be cut into
    /// parts encoded apart (see [`split`]).
    pub fn can_split(&self) -> bool {
        self.can_split
    }

    /// Bytes of text token `id` stands for (0 if unknown).
    pub fn token_len(&self, id: u32) -> usize {
        self.token_lens.get(id as usize).map_or(0, |&n| n as usize)
    }

    /// Number of tokens `text` encodes to (no template tokens), on every core for big texts.
    ///
    /// Example: `tok.count("hello world")` is 2 for Qwen2.
    pub fn count(&self, text: &str) -> usize {
        if text.len() < PAR_MIN || !self.can_split {
            return self.count_serial(text, &mut Cache::default());
        }
        split::parts(text, PART)
            .par_iter()
            .map_init(Cache::default, |cache, &(a, b)| {
                self.count_serial(&text[a..b], cache)
            })
            .sum()
    }

    /// The token ids of `text`, as `tokenizers`' `encode(text, add_special_tokens=False).ids`.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        if text.len() < PAR_MIN || !self.can_split {
            let mut out = Vec::new();
            self.encode_into(text, &mut Cache::default(), &mut |ids| {
                out.extend_from_slice(ids)
            });
            return out;
        }
        let parts: Vec<Vec<u32>> = split::parts(text, PART)
            .par_iter()
            .map_init(Cache::default, |cache, &(a, b)| {
                let mut out = Vec::new();
                self.encode_into(&text[a..b], cache, &mut |ids| out.extend_from_slice(ids));
                out
            })
            .collect();
        parts.concat()
    }

    /// Count on this thread only, memoizing pieces in `cache`.
    pub fn count_serial(&self, text: &str, cache: &mut Cache) -> usize {
        let mut n = 0;
        self.encode_into(text, cache, &mut |ids| n += ids.len());
        n
    }

    /// Call `emit` with the ids of each piece of `text`, in order.
    fn encode_into(&self, text: &str, cache: &mut Cache, emit: &mut dyn FnMut(&[u32])) {
        self.for_each_piece(text, cache, &mut |ids, _| emit(ids));
    }

    /// Call `emit(ids, at)` for each piece of `text` in order; `at` turns byte offsets inside
    /// the piece (as the tokenizer saw it, after NFC) into offsets of `text`. Added tokens are
    /// pieces of one id.
    pub fn for_each_piece(
        &self,
        text: &str,
        cache: &mut Cache,
        emit: &mut dyn FnMut(&[u32], PieceAt<'_>),
    ) {
        let mut last = 0;
        if let Some((ac, ids)) = &self.added {
            for m in ac.find_iter(text) {
                self.plain_pieces(text, last, m.start(), cache, emit);
                let at = PieceAt {
                    changed: &[],
                    segment_start: m.start(),
                    piece_start: 0,
                };
                emit(&ids[m.pattern().as_usize()..m.pattern().as_usize() + 1], at);
                last = m.end();
            }
        }
        self.plain_pieces(text, last, text.len(), cache, emit);
    }

    fn plain_pieces(
        &self,
        text: &str,
        start: usize,
        end: usize,
        cache: &mut Cache,
        emit: &mut dyn FnMut(&[u32], PieceAt<'_>),
    ) {
        if start == end {
            return;
        }
        let segment = &text[start..end];
        let (normalized, changed): (Cow<str>, Vec<nfc::Changed>) = if self.nfc
            && !segment.is_ascii()
            && is_nfc_quick(segment.chars()) != IsNormalized::Yes
        {
            let (s, changed) = nfc::normalize(segment);
            (Cow::Owned(s), changed)
        } else {
            (Cow::Borrowed(segment), Vec::new())
        };
        if cache.len() > CACHE_MAX {
            cache.clear();
        }
        let mut scratch = Vec::new();
        for (a, b) in self.pretok.pieces(&normalized) {
            let piece = &normalized.as_bytes()[a..b];
            let at = PieceAt {
                changed: &changed,
                segment_start: start,
                piece_start: a,
            };
            if let Some(ids) = cache.get(piece) {
                emit(ids, at);
                continue;
            }
            scratch.clear();
            match self.whole_words.as_ref().and_then(|w| w.get(piece)) {
                Some(&id) => scratch.push(id),
                None => self.bpe.encode_piece(piece, &mut scratch),
            }
            emit(&scratch, at);
            cache.insert(piece.into(), scratch.as_slice().into());
        }
    }
}

/// Where a piece of [`Tokenizer::for_each_piece`] lies in the text.
pub struct PieceAt<'a> {
    changed: &'a [nfc::Changed],
    segment_start: usize,
    /// Offset of the piece in its (normalized) segment.
    piece_start: usize,
}

impl PieceAt<'_> {
    /// The text offset `k` bytes into the piece (its tokens' lengths add up to such offsets), or
    /// `None` inside a run NFC rewrote, where no text offset corresponds.
    pub fn offset(&self, k: usize) -> Option<usize> {
        nfc::to_input(self.changed, self.piece_start + k).map(|x| self.segment_start + x)
    }
}

#[cfg(test)]
mod tests;
