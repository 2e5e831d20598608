//! Where a tree's joined text goes while it is built: a file, mapped once complete, so the text
//! is never held in private memory (only the batch of files being read is). The file is the
//! caller's (`save_to`: kept, e.g. for the REPL worker to map too) or a temp file removed as soon
//! as it is mapped (the mapping keeps its pages alive; nothing is left on disk). When no temp
//! file can be made (a read-only or full temp directory) the text is built in memory instead.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::context::{Context, ContextError, Errors};

/// The joined text being written, and how many bytes it has so far.
pub(super) struct Output {
    sink: Sink,
    len: usize,
}

enum Sink {
    /// `remove`: a temp file of ours, removed once mapped (or on failure, by `Remove`'s drop).
    File {
        out: BufWriter<File>,
        path: PathBuf,
        remove: Remove,
    },
    Memory(Vec<u8>),
}

/// Removes a temp file when dropped (the error paths included).
struct Remove(Option<PathBuf>);

impl Drop for Remove {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A new temp file only this process can read, in the system's temp directory (`TMPDIR`).
fn temp_file() -> std::io::Result<(File, PathBuf)> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut last = None;
    for _ in 0..8 {
        let name = format!(
            "rlm-tree-{}-{nanos}-{}.txt",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        match options.open(&path) {
            Ok(file) => return Ok((file, path)),
            Err(e) => last = Some(e),
        }
    }
    Err(last.expect("tried at least once"))
}

impl Output {
    /// Write to `save_to` (created or truncated, kept), else to a temp file, else to memory.
    pub(super) fn new(save_to: Option<&Path>) -> Result<Output, ContextError> {
        let sink = match save_to {
            Some(path) => Sink::File {
                out: BufWriter::new(File::create(path).map_err(ContextError::Io)?),
                path: path.to_path_buf(),
                remove: Remove(None),
            },
            None => match temp_file() {
                Ok((file, path)) => Sink::File {
                    out: BufWriter::new(file),
                    remove: Remove(Some(path.clone())),
                    path,
                },
                Err(_) => Sink::Memory(Vec::new()),
            },
        };
        Ok(Output { sink, len: 0 })
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn push(&mut self, data: &[u8]) -> Result<(), ContextError> {
        match &mut self.sink {
            Sink::File { out, .. } => out.write_all(data).map_err(ContextError::Io)?,
            Sink::Memory(text) => text.extend_from_slice(data),
        }
        self.len += data.len();
        Ok(())
    }

    /// The text as a context: the file mapped (a temp file then removed), or the memory owned.
    /// Every piece was checked as UTF-8 before it was pushed.
    pub(super) fn finish(self) -> Result<Context, ContextError> {
        match self.sink {
            Sink::File {
                out, path, remove, ..
            } => {
                let file = out
                    .into_inner()
                    .map_err(|e| ContextError::Io(e.into_error()))?;
                drop(file); // closed before it is mapped
                let ctx = Context::open(&path, Errors::Strict);
                drop(remove); // a temp file goes now: the mapping holds its pages
                ctx
            }
            Sink::Memory(text) => Context::from_bytes(text, Errors::Strict),
        }
    }
}
