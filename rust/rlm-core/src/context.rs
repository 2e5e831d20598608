//! The text storage: a memory-mapped file or an owned buffer, validated as UTF-8.

use std::fs::File;
use std::path::Path;

use memmap2::Mmap;

/// Why a context could not be opened.
#[derive(Debug)]
pub enum ContextError {
    Io(std::io::Error),
    /// The bytes are not UTF-8; `byte_offset` is the first bad byte.
    InvalidUtf8 { byte_offset: usize },
}

impl std::fmt::Display for ContextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ContextError::Io(e) => write!(f, "{e}"),
            ContextError::InvalidUtf8 { byte_offset } => {
                write!(f, "invalid UTF-8 at byte offset {byte_offset}")
            }
        }
    }
}

impl std::error::Error for ContextError {}

enum Storage {
    Mapped(Mmap),
    Owned(Vec<u8>),
    Empty,
}

/// A read-only UTF-8 text.
pub struct Context {
    storage: Storage,
}

impl Context {
    /// Map `path` into memory without copying it.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, ContextError> {
        let file = File::open(path).map_err(ContextError::Io)?;
        let len = file.metadata().map_err(ContextError::Io)?.len();
        if len == 0 {
            // mmap of an empty file fails on some platforms; an empty file is a valid empty context.
            return Ok(Context { storage: Storage::Empty });
        }
        // SAFETY: the file is treated as read-only; a concurrent writer truncating it is outside
        // what we support (as for ripgrep's mmap searcher).
        let map = unsafe { Mmap::map(&file) }.map_err(ContextError::Io)?;
        let ctx = Context { storage: Storage::Mapped(map) };
        ctx.validate()?;
        Ok(ctx)
    }

    /// Own `bytes`, which must be UTF-8.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, ContextError> {
        let ctx = Context { storage: Storage::Owned(bytes) };
        ctx.validate()?;
        Ok(ctx)
    }

    fn validate(&self) -> Result<(), ContextError> {
        simdutf8::compat::from_utf8(self.bytes())
            .map(|_| ())
            .map_err(|e| ContextError::InvalidUtf8 { byte_offset: e.valid_up_to() })
    }

    /// The raw UTF-8 bytes.
    pub fn bytes(&self) -> &[u8] {
        match &self.storage {
            Storage::Mapped(m) => m,
            Storage::Owned(v) => v,
            Storage::Empty => &[],
        }
    }

    /// The text as `&str` (validated on construction).
    pub fn text(&self) -> &str {
        // SAFETY: validated in `open` / `from_bytes`.
        unsafe { std::str::from_utf8_unchecked(self.bytes()) }
    }

    /// Number of bytes.
    pub fn byte_len(&self) -> usize {
        self.bytes().len()
    }

    /// Number of Unicode scalar values (Python's `len`).
    pub fn char_len(&self) -> usize {
        // Count bytes that do not continue a multi-byte sequence.
        self.bytes().iter().filter(|&&b| (b as i8) >= -0x40).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_len_counts_scalars_not_bytes() {
        let ctx = Context::from_bytes("héllo €".as_bytes().to_vec()).unwrap();
        assert_eq!(ctx.byte_len(), 10);
        assert_eq!(ctx.char_len(), 7);
    }

    #[test]
    fn invalid_utf8_names_first_bad_offset() {
        let err = Context::from_bytes(b"ok\xffno".to_vec()).err().unwrap();
        assert!(matches!(err, ContextError::InvalidUtf8 { byte_offset: 2 }));
    }
}
