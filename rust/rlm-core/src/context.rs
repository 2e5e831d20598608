//! The text storage: a memory-mapped file or an owned buffer, validated as UTF-8 and indexed.

use std::fs::File;
use std::path::Path;
use std::sync::OnceLock;

use memmap2::{Mmap, MmapOptions};
use rayon::prelude::*;

use crate::index::{char_start_at_or_after, is_char_start, Index};
use crate::PAR_MIN;

/// Why a context could not be opened, or an operation refused.
#[derive(Debug)]
pub enum ContextError {
    Io(std::io::Error),
    /// The bytes are not UTF-8; `byte_offset` is the first bad byte.
    InvalidUtf8 {
        byte_offset: usize,
    },
}

impl std::fmt::Display for ContextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ContextError::Io(e) => write!(f, "{e}"),
            ContextError::InvalidUtf8 { byte_offset } => write!(
                f,
                "invalid UTF-8 at byte offset {byte_offset}; open with errors=\"replace\" to \
                 substitute U+FFFD for invalid bytes"
            ),
        }
    }
}

impl std::error::Error for ContextError {}

/// What to do with bytes that are not UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Errors {
    Strict,
    /// As Python's `bytes.decode("utf-8", "replace")` (copies the text if anything is replaced).
    Replace,
}

enum Storage {
    Mapped(Mmap),
    Owned(Vec<u8>),
}

/// A read-only UTF-8 text with a character / line index.
pub struct Context {
    storage: Storage,
    pub(crate) index: Index,
    replaced: bool,
    /// Words in the text (`rank::count_words`), counted on first use by ranked search.
    pub(crate) word_count: OnceLock<usize>,
}

impl Context {
    /// Map `path` into memory without copying it.
    /// Pipes and other streams (`/dev/stdin`, a FIFO) cannot be mapped: they are read into an
    /// owned buffer instead. A directory is an error.
    pub fn open(path: impl AsRef<Path>, errors: Errors) -> Result<Self, ContextError> {
        let mut file = File::open(path).map_err(ContextError::Io)?;
        let meta = file.metadata().map_err(ContextError::Io)?;
        if meta.is_dir() {
            // EISDIR (21 on Linux and macOS), so Python raises IsADirectoryError.
            #[cfg(unix)]
            let err = std::io::Error::from_raw_os_error(21);
            #[cfg(not(unix))]
            let err = std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a directory");
            return Err(ContextError::Io(err));
        }
        if !meta.is_file() {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut file, &mut bytes).map_err(ContextError::Io)?;
            return Self::from_bytes(bytes, errors);
        }
        let len = meta.len();
        if len == 0 {
            // mmap of an empty file fails on some platforms; an empty file is a valid empty context.
            return Self::from_bytes(Vec::new(), errors);
        }
        // SAFETY: the file is treated as read-only; a concurrent writer truncating it is outside
        // what we support (as for ripgrep's mmap searcher). `populate` pre-faults the page cache
        // pages (shared, not a private copy) so the validation pass does not fault page by page.
        let map = unsafe { MmapOptions::new().populate().map(&file) }.map_err(ContextError::Io)?;
        #[cfg(unix)]
        let _ = map.advise(memmap2::Advice::WillNeed);
        Self::build(Storage::Mapped(map), errors)
    }

    /// Own `bytes`, which must be UTF-8 unless `errors` is `Replace`.
    pub fn from_bytes(bytes: Vec<u8>, errors: Errors) -> Result<Self, ContextError> {
        Self::build(Storage::Owned(bytes), errors)
    }

    /// Own a copy of `text` (already valid).
    pub fn from_string(text: String) -> Self {
        let index = Index::build(text.as_bytes());
        Context {
            storage: Storage::Owned(text.into_bytes()),
            index,
            replaced: false,
            word_count: OnceLock::new(),
        }
    }

    fn build(storage: Storage, errors: Errors) -> Result<Self, ContextError> {
        let bytes: &[u8] = match &storage {
            Storage::Mapped(m) => m,
            Storage::Owned(v) => v,
        };
        if let Some(index) = Index::build_validated(bytes) {
            return Ok(Context {
                storage,
                index,
                replaced: false,
                word_count: OnceLock::new(),
            });
        }
        match first_invalid_utf8(bytes) {
            None => unreachable!("the fused pass and simdutf8 disagree"),
            Some(byte_offset) if errors == Errors::Strict => {
                Err(ContextError::InvalidUtf8 { byte_offset })
            }
            Some(_) => {
                let text = String::from_utf8_lossy(bytes).into_owned();
                let mut ctx = Context::from_string(text);
                ctx.replaced = true;
                Ok(ctx)
            }
        }
    }

    /// The raw UTF-8 bytes.
    pub fn bytes(&self) -> &[u8] {
        match &self.storage {
            Storage::Mapped(m) => m,
            Storage::Owned(v) => v,
        }
    }

    /// The text as `&str` (validated on construction).
    pub fn text(&self) -> &str {
        // SAFETY: validated (or replaced) in `build` / `from_string`.
        unsafe { std::str::from_utf8_unchecked(self.bytes()) }
    }

    pub fn is_mapped(&self) -> bool {
        matches!(self.storage, Storage::Mapped(_))
    }

    /// True when `Errors::Replace` actually replaced invalid bytes.
    pub fn replaced(&self) -> bool {
        self.replaced
    }

    /// Number of bytes.
    pub fn byte_len(&self) -> usize {
        self.bytes().len()
    }

    /// Number of Unicode scalar values (Python's `len`).
    pub fn char_len(&self) -> usize {
        self.index.char_len()
    }

    /// Byte offset where character `ch` starts (`byte_len` when `ch >= char_len`).
    pub fn byte_of_char(&self, ch: usize) -> usize {
        self.index.byte_of_char(self.bytes(), ch)
    }

    /// Character offset of byte `byte`; a byte inside a character maps to that character.
    pub fn char_of_byte(&self, byte: usize) -> usize {
        let bytes = self.bytes();
        let mut b = byte.min(bytes.len());
        while b < bytes.len() && !is_char_start(bytes[b]) {
            b -= 1;
        }
        self.index.char_of_byte(bytes, b)
    }

    /// The characters `[start, end)` (clamped to the text).
    pub fn slice(&self, start: usize, end: usize) -> &str {
        let (a, b) = self.byte_range(start, end);
        &self.text()[a..b]
    }

    /// Byte range of the characters `[start, end)` (clamped, `start <= end`).
    pub fn byte_range(&self, start: usize, end: usize) -> (usize, usize) {
        let end = end.min(self.char_len());
        let start = start.min(end);
        let a = self.byte_of_char(start);
        // Short spans are cheaper to walk than to look up again.
        let b = if end - start < 64 {
            let mut b = a;
            for _ in start..end {
                b += utf8_width(self.bytes()[b]);
            }
            b
        } else {
            self.byte_of_char(end)
        };
        (a, b)
    }
}

/// Width of the UTF-8 sequence that starts with `lead`.
#[inline]
pub fn utf8_width(lead: u8) -> usize {
    match lead {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// The first byte offset that is not valid UTF-8, or `None`. Validates big inputs on every core,
/// in pieces cut at character starts, then re-checks sequentially up to the first failing piece
/// so the offset reported is exactly the one a sequential decoder reports.
pub fn first_invalid_utf8(bytes: &[u8]) -> Option<usize> {
    if bytes.len() < PAR_MIN {
        return simdutf8::compat::from_utf8(bytes)
            .err()
            .map(|e| e.valid_up_to());
    }
    let piece = 1 << 20;
    let mut cuts = vec![0];
    let mut at = piece;
    while at < bytes.len() {
        cuts.push(char_start_at_or_after(bytes, at));
        at += piece;
    }
    cuts.push(bytes.len());
    let bad = cuts
        .par_windows(2)
        .with_min_len(8)
        .position_first(|w| simdutf8::basic::from_utf8(&bytes[w[0]..w[1]]).is_err())?;
    let upto = cuts[bad + 1];
    simdutf8::compat::from_utf8(&bytes[..upto])
        .err()
        .map(|e| e.valid_up_to())
        .or(Some(upto))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_len_counts_scalars_not_bytes() {
        let ctx = Context::from_bytes("héllo €".as_bytes().to_vec(), Errors::Strict).unwrap();
        assert_eq!(ctx.byte_len(), 10);
        assert_eq!(ctx.char_len(), 7);
    }

    #[test]
    fn invalid_utf8_names_first_bad_offset() {
        let err = Context::from_bytes(b"ok\xffno".to_vec(), Errors::Strict)
            .err()
            .unwrap();
        assert!(matches!(err, ContextError::InvalidUtf8 { byte_offset: 2 }));
    }

    #[test]
    fn invalid_utf8_found_exactly_in_a_big_input() {
        let mut big = "é".repeat(5 << 20).into_bytes();
        big[7_000_001] = 0xff; // the second byte of a 2-byte character
        big[9_000_000] = 0xff;
        assert_eq!(first_invalid_utf8(&big), Some(7_000_000));
    }

    #[test]
    fn replace_mode_matches_lossy_decoding() {
        let ctx = Context::from_bytes(b"a\xffb\xe2\x82".to_vec(), Errors::Replace).unwrap();
        assert_eq!(ctx.text(), "a\u{fffd}b\u{fffd}");
        assert!(ctx.replaced());
    }

    #[test]
    fn slice_by_characters() {
        let ctx = Context::from_string("aé€😀z".to_string());
        assert_eq!(ctx.slice(1, 4), "é€😀");
        assert_eq!(ctx.slice(3, 99), "😀z");
        assert_eq!(ctx.char_of_byte(4), 2); // inside '€'
    }
}
