//! A directory as one context: every text file under it, each after a `# FILE: relative/path`
//! line, in path order.
//!
//! Which files: ripgrep's rules, through its `ignore` crate with rg's defaults: `.gitignore` (in
//! a git repository, nested ones included, plus `.git/info/exclude` and the global excludes),
//! `.ignore` files, hidden files and directories skipped, symlinks not followed unless asked
//! (`follow_links`; a link back to a directory above it is reported as a loop, not walked).
//! Binary files (a NUL byte, as rg decides) and, in strict mode, files that are not UTF-8 are
//! left out and listed in `Tree::skipped` with the reason. The files are read once and their
//! joined text written to a file that is then mapped (`output`), so the context holds no private
//! copy of the tree.

mod output;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::context::{Context, ContextError, Errors};
use output::Output;

/// The line put before each file's text.
pub const HEADER_PREFIX: &str = "# FILE: ";

/// One file of a tree context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFile {
    /// Relative to the root, `/`-separated.
    pub path: String,
    /// Byte offset of its header line in the context.
    pub header_byte: usize,
    /// Byte span of its text in the context (without the newline added after a text that has none).
    pub start_byte: usize,
    pub end_byte: usize,
    /// 1-based line number of its header line, as `grep` numbers lines (the text starts on the next).
    pub header_line: usize,
}

/// A file the tree left out, and why ("binary", "invalid UTF-8 at byte N", "symlink loop", ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// The file table of a tree context.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    pub root: PathBuf,
    pub files: Vec<TreeFile>,
    pub skipped: Vec<Skipped>,
}

impl Tree {
    /// `(path, start, end)` per file: the character span of its text, as `attach` takes it back.
    pub fn char_spans(&self, ctx: &Context) -> Vec<(String, usize, usize)> {
        self.files
            .iter()
            .map(|f| {
                (
                    f.path.clone(),
                    ctx.char_of_byte(f.start_byte),
                    ctx.char_of_byte(f.end_byte),
                )
            })
            .collect()
    }

    /// The file holding line `line` (1-based) and the line's number within that file (1-based;
    /// 0 for the file's header line). `None` before the first header (an empty tree).
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("rlm-tree-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// std::fs::write(dir.join("a.txt"), "one\ntwo\n").unwrap();
    /// std::fs::write(dir.join("b.txt"), "three\n").unwrap();
    /// let (ctx, tree) = rlm_core::tree::open_tree(&dir, rlm_core::Errors::Strict, false, None).unwrap();
    /// assert_eq!(ctx.text(), "# FILE: a.txt\none\ntwo\n# FILE: b.txt\nthree\n");
    /// assert_eq!(tree.file_of_line(3), Some((0, 2))); // "two"
    /// assert_eq!(tree.file_of_line(4), Some((1, 0))); // b.txt's header
    /// std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn file_of_line(&self, line: usize) -> Option<(usize, usize)> {
        let i = self
            .files
            .partition_point(|f| f.header_line <= line)
            .checked_sub(1)?;
        Some((i, line - self.files[i].header_line))
    }

    /// The index of the file whose path is `path` (as `files` spells it), if the tree holds it.
    ///
    /// ```
    /// let ctx = rlm_core::Context::from_string("# FILE: a.jsonl\n{}\n".to_string());
    /// let tree = rlm_core::tree::attach(&ctx, "".into(), &[("a.jsonl".into(), 16, 19)], Vec::new()).unwrap();
    /// assert_eq!((tree.file("a.jsonl"), tree.file("b.jsonl")), (Some(0), None));
    /// ```
    pub fn file(&self, path: &str) -> Option<usize> {
        // Linear: `open_files` keeps the order it was given, so the table is not always sorted,
        // and one pass over 10,000 paths costs microseconds.
        self.files.iter().position(|f| f.path == path)
    }

    /// The file holding byte `byte` of the context, and its line within the file (as
    /// `file_of_line`).
    pub fn file_of_byte(&self, ctx: &Context, byte: usize) -> Option<(usize, usize)> {
        self.file_of_line(ctx.line_of_byte(byte))
    }
}

/// Why `open_tree` failed: the root cannot be read, or is not a directory.
fn not_a_directory() -> ContextError {
    // ENOTDIR (20 on Linux and macOS), so Python raises NotADirectoryError.
    #[cfg(unix)]
    let err = std::io::Error::from_raw_os_error(20);
    #[cfg(not(unix))]
    let err = std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a directory");
    ContextError::Io(err)
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// The files the walk keeps, sorted by relative path, and what it skipped on the way.
fn walk(root: &Path, follow_links: bool) -> (Vec<(String, PathBuf)>, Vec<Skipped>) {
    // rg's parallel walker (one thread per core); the order it finds entries in does not matter,
    // everything is sorted by path afterwards.
    let found = Mutex::new((Vec::new(), Vec::new()));
    ignore::WalkBuilder::new(root)
        .follow_links(follow_links)
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                let mut found = found.lock().unwrap_or_else(|e| e.into_inner());
                match entry {
                    Ok(entry) => match entry.file_type() {
                        Some(kind) if kind.is_file() => found
                            .0
                            .push((relative(root, entry.path()), entry.into_path())),
                        Some(kind) if kind.is_symlink() => found.1.push(Skipped {
                            path: relative(root, entry.path()),
                            reason: "symlink (not followed)".to_string(),
                        }),
                        _ => {} // a directory (walked into), or stdin (never here)
                    },
                    Err(err) => found.1.push(walk_error(root, &err)),
                }
                ignore::WalkState::Continue
            })
        });
    let (mut files, mut skipped) = found.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort();
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    (files, skipped)
}

fn walk_error(root: &Path, err: &ignore::Error) -> Skipped {
    fn find(root: &Path, err: &ignore::Error) -> Option<Skipped> {
        match err {
            ignore::Error::Loop { child, .. } => Some(Skipped {
                path: relative(root, child),
                reason: "symlink loop".to_string(),
            }),
            ignore::Error::WithPath { path, err } => Some(Skipped {
                path: relative(root, path),
                reason: find(root, err).map_or_else(|| err.to_string(), |s| s.reason),
            }),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                find(root, err)
            }
            _ => None,
        }
    }
    find(root, err).unwrap_or_else(|| Skipped {
        path: String::new(),
        reason: err.to_string(),
    })
}

/// Files read at once, on every core, before they are appended to the text.
const READ_BATCH: usize = 256;

/// A file's text, or why it is left out: unreadable, binary (a NUL byte: rg's rule for files a
/// directory walk finds), or not UTF-8 in strict mode (`Replace` decodes it with U+FFFD).
fn load_text(path: &Path, errors: Errors) -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    if memchr::memchr(0, &bytes).is_some() {
        return Err("binary".to_string());
    }
    match simdutf8::compat::from_utf8(&bytes) {
        Ok(_) => Ok(bytes),
        Err(e) if errors == Errors::Strict => {
            Err(format!("invalid UTF-8 at byte {}", e.valid_up_to()))
        }
        Err(_) => Ok(String::from_utf8_lossy(&bytes).into_owned().into_bytes()),
    }
}

/// Open every text file under `root` as one context (see the module docs), with its file table.
///
/// `errors`: `Strict` leaves out (and lists) a file that is not UTF-8; `Replace` decodes it with
/// U+FFFD as `Context::open` would. `save_to`: the file the joined text is written to and mapped
/// from, kept for the caller (another process can map it with `attach`'s table); `None`, a temp
/// file removed once mapped (or memory, when no temp file can be made).
pub fn open_tree(
    root: &Path,
    errors: Errors,
    follow_links: bool,
    save_to: Option<&Path>,
) -> Result<(Context, Tree), ContextError> {
    let meta = std::fs::metadata(root).map_err(ContextError::Io)?;
    if !meta.is_dir() {
        return Err(not_a_directory());
    }
    let (paths, skipped) = walk(root, follow_links);
    join(root, &paths, skipped, errors, save_to)
}

/// Several files named one by one (`--context-glob`) as one context, in the order given, each
/// after a `# FILE: path` line with the path as given.
/// Binary and (strict) non-UTF-8 files are skipped and listed as in `open_tree`; a path that
/// cannot be read is listed too. `root` of the file table is empty; `save_to` as in `open_tree`.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("rlm-files-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("b.log"), "two\n").unwrap();
/// std::fs::write(dir.join("a.log"), "one").unwrap();
/// let paths = [dir.join("b.log"), dir.join("a.log")];
/// let (ctx, tree) = rlm_core::tree::open_files(&paths, rlm_core::Errors::Strict, None).unwrap();
/// assert_eq!(tree.files.len(), 2);
/// let a = dir.join("a.log").to_string_lossy().into_owned();
/// assert!(ctx.text().ends_with(&format!("b.log\ntwo\n# FILE: {a}\none\n")));
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn open_files(
    paths: &[PathBuf],
    errors: Errors,
    save_to: Option<&Path>,
) -> Result<(Context, Tree), ContextError> {
    let named: Vec<(String, PathBuf)> = paths
        .iter()
        .map(|p| (p.to_string_lossy().into_owned(), p.clone()))
        .collect();
    join(Path::new(""), &named, Vec::new(), errors, save_to)
}

/// The file table of a text `open_tree` / `open_files` joined earlier (saved to a file and mapped
/// again, e.g. by the REPL worker), from `files` as `Tree::char_spans` gives them: no walk and no
/// read of the files. Each span must start right after a `# FILE: ` header line, in order.
///
/// ```
/// let ctx = rlm_core::Context::from_string("# FILE: a.txt\none\n# FILE: b.txt\n".to_string());
/// let files = vec![("a.txt".to_string(), 14, 17), ("b.txt".to_string(), 32, 32)];
/// let tree = rlm_core::tree::attach(&ctx, "src".into(), &files, Vec::new()).unwrap();
/// assert_eq!(tree.file_of_line(2), Some((0, 1)));
/// assert_eq!(tree.file_of_line(3), Some((1, 0)));
/// ```
pub fn attach(
    ctx: &Context,
    root: PathBuf,
    files: &[(String, usize, usize)],
    skipped: Vec<Skipped>,
) -> Result<Tree, String> {
    let bytes = ctx.bytes();
    let mut table = Vec::with_capacity(files.len());
    let mut after = 0;
    for (path, start, end) in files {
        if start > end || *end > ctx.char_len() {
            return Err(format!(
                "file {path:?}: span {start}..{end} is outside the text"
            ));
        }
        let (start_byte, end_byte) = (ctx.byte_of_char(*start), ctx.byte_of_char(*end));
        let header_byte = match start_byte.checked_sub(1) {
            Some(nl) if bytes[nl] == b'\n' => {
                memchr::memrchr(b'\n', &bytes[..nl]).map_or(0, |i| i + 1)
            }
            _ => return Err(format!("file {path:?} does not start after a header line")),
        };
        if header_byte < after || !bytes[header_byte..].starts_with(HEADER_PREFIX.as_bytes()) {
            return Err(format!(
                "file {path:?} does not start after its `{HEADER_PREFIX}` line"
            ));
        }
        after = end_byte;
        table.push(TreeFile {
            path: path.clone(),
            header_byte,
            start_byte,
            end_byte,
            header_line: ctx.index.breaks_before(bytes, header_byte) + 1,
        });
    }
    Ok(Tree {
        root,
        files: table,
        skipped,
    })
}

/// Read `paths` (shown as their `String`) on every core and join them, headers and all, into
/// `save_to` (see `open_tree`).
fn join(
    root: &Path,
    paths: &[(String, PathBuf)],
    mut skipped: Vec<Skipped>,
    errors: Errors,
    save_to: Option<&Path>,
) -> Result<(Context, Tree), ContextError> {
    let mut text = Output::new(save_to)?;
    let mut files = Vec::with_capacity(paths.len());
    // Files are read and checked on every core, a batch at a time (so at most one batch is held
    // in memory), then written in path order.
    for batch in paths.chunks(READ_BATCH) {
        let loaded: Vec<Result<Vec<u8>, String>> = batch
            .par_iter()
            .map(|(_, path)| load_text(path, errors))
            .collect();
        for ((rel, _), result) in batch.iter().zip(loaded) {
            let decoded = match result {
                Ok(decoded) => decoded,
                Err(reason) => {
                    skipped.push(Skipped {
                        path: rel.clone(),
                        reason,
                    });
                    continue;
                }
            };
            let header_byte = text.len();
            // A name with a line break would split the header: shown escaped (the path stays
            // exact in the file table).
            let shown = rel.replace('\n', "\\n").replace('\r', "\\r");
            text.push(format!("{HEADER_PREFIX}{shown}\n").as_bytes())?;
            let start_byte = text.len();
            text.push(&decoded)?;
            let end_byte = text.len();
            if !decoded.is_empty() && !decoded.ends_with(b"\n") {
                text.push(b"\n")?;
            }
            files.push(TreeFile {
                path: rel.clone(),
                header_byte,
                start_byte,
                end_byte,
                header_line: 0,
            });
        }
    }
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    let ctx = text.finish()?;
    let bytes = ctx.bytes();
    for f in &mut files {
        f.header_line = ctx.index.breaks_before(bytes, f.header_byte) + 1;
    }
    let tree = Tree {
        root: root.to_path_buf(),
        files,
        skipped,
    };
    Ok((ctx, tree))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("rlm-tree-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }

        fn write(&self, rel: &str, data: &[u8]) {
            let path = self.0.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, data).unwrap();
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn paths(tree: &Tree) -> Vec<&str> {
        tree.files.iter().map(|f| f.path.as_str()).collect()
    }

    /// `(path, reason)` of each file the tree left out.
    fn skipped(tree: &Tree) -> Vec<(&str, &str)> {
        tree.skipped
            .iter()
            .map(|s| (s.path.as_str(), s.reason.as_str()))
            .collect()
    }

    #[test]
    fn files_come_in_path_order_each_after_its_header() {
        let dir = TempDir::new("order");
        dir.write("b/z.txt", b"zed");
        dir.write("a.txt", b"alpha\n");
        dir.write("b/a.txt", b"");
        let (ctx, tree) = open_tree(&dir.0, Errors::Strict, false, None).unwrap();
        assert_eq!(paths(&tree), ["a.txt", "b/a.txt", "b/z.txt"]);
        assert_eq!(
            ctx.text(),
            "# FILE: a.txt\nalpha\n# FILE: b/a.txt\n# FILE: b/z.txt\nzed\n"
        );
        let z = &tree.files[2];
        assert_eq!(&ctx.text()[z.start_byte..z.end_byte], "zed");
        assert_eq!(
            tree.files.iter().map(|f| f.header_line).collect::<Vec<_>>(),
            [1, 3, 4]
        );
    }

    #[test]
    fn gitignore_rules_nest_as_in_ripgrep() {
        let dir = TempDir::new("ignore");
        fs::create_dir_all(dir.0.join(".git")).unwrap(); // .gitignore applies inside a repository
        dir.write(".gitignore", b"*.log\nbuild/\n");
        dir.write("keep.txt", b"k");
        dir.write("app.log", b"l");
        dir.write("build/out.txt", b"o");
        dir.write("src/.gitignore", b"gen.rs\n!important.log\n");
        dir.write("src/gen.rs", b"g");
        dir.write("src/lib.rs", b"r");
        dir.write("src/important.log", b"i");
        dir.write(".hidden/x.txt", b"h");
        dir.write(".env", b"SECRET=1");
        let (_, tree) = open_tree(&dir.0, Errors::Strict, false, None).unwrap();
        assert_eq!(
            paths(&tree),
            ["keep.txt", "src/important.log", "src/lib.rs"]
        );
    }

    #[test]
    fn binary_and_non_utf8_files_are_skipped_and_said_so() {
        let dir = TempDir::new("binary");
        dir.write("img.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
        dir.write("latin1.txt", b"caf\xe9\n");
        dir.write("ok.txt", b"fine\n");
        let (ctx, tree) = open_tree(&dir.0, Errors::Strict, false, None).unwrap();
        assert_eq!(paths(&tree), ["ok.txt"]);
        assert_eq!(
            skipped(&tree),
            [
                ("img.png", "binary"),
                ("latin1.txt", "invalid UTF-8 at byte 3")
            ]
        );
        assert_eq!(ctx.text(), "# FILE: ok.txt\nfine\n");
        let (ctx, tree) = open_tree(&dir.0, Errors::Replace, false, None).unwrap();
        assert_eq!(paths(&tree), ["latin1.txt", "ok.txt"]);
        assert!(ctx.text().starts_with("# FILE: latin1.txt\ncaf\u{fffd}\n"));
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_ends_the_walk_and_is_reported() {
        let dir = TempDir::new("loop");
        dir.write("a/file.txt", b"x\n");
        std::os::unix::fs::symlink(&dir.0, dir.0.join("a/back")).unwrap();
        let (_, tree) = open_tree(&dir.0, Errors::Strict, false, None).unwrap();
        assert_eq!(paths(&tree), ["a/file.txt"]);
        assert_eq!(skipped(&tree), [("a/back", "symlink (not followed)")]);
        let (_, tree) = open_tree(&dir.0, Errors::Strict, true, None).unwrap();
        assert_eq!(paths(&tree), ["a/file.txt"]);
        assert_eq!(skipped(&tree), [("a/back", "symlink loop")]);
    }

    #[test]
    fn lines_map_back_to_their_file() {
        let dir = TempDir::new("lines");
        dir.write("a.txt", b"one\ntwo");
        dir.write("b.txt", b"three\r\nfour\n");
        let (ctx, tree) = open_tree(&dir.0, Errors::Strict, false, None).unwrap();
        let at = |needle: &str| ctx.text().find(needle).unwrap();
        assert_eq!(tree.file_of_byte(&ctx, at("two")), Some((0, 2)));
        assert_eq!(tree.file_of_byte(&ctx, at("# FILE: b")), Some((1, 0)));
        assert_eq!(tree.file_of_byte(&ctx, at("four")), Some((1, 2)));
        assert_eq!(tree.file_of_line(0), None);
    }

    #[test]
    fn named_files_join_in_the_order_given_and_skip_binaries() {
        let dir = TempDir::new("files");
        dir.write("z.log", b"last\n");
        dir.write("a.log", b"first");
        dir.write("blob.bin", b"\0\x01");
        let named: Vec<PathBuf> = ["z.log", "blob.bin", "a.log"]
            .iter()
            .map(|p| dir.0.join(p))
            .collect();
        let (ctx, tree) = open_files(&named, Errors::Strict, None).unwrap();
        let shown = |p: &PathBuf| p.to_string_lossy().into_owned();
        assert_eq!(paths(&tree), [shown(&named[0]), shown(&named[2])]);
        assert_eq!(
            ctx.text(),
            format!(
                "# FILE: {}\nlast\n# FILE: {}\nfirst\n",
                shown(&named[0]),
                shown(&named[2])
            )
        );
        assert_eq!(skipped(&tree), [(shown(&named[1]).as_str(), "binary")]);
    }

    #[test]
    fn a_saved_tree_attaches_its_table_again() {
        let dir = TempDir::new("attach");
        dir.write("a.txt", b"one\ntwo");
        dir.write("b/empty.txt", b"");
        dir.write("c.txt", b"# FILE: fake header\nthree\n");
        let (ctx, tree) = open_tree(&dir.0, Errors::Strict, false, None).unwrap();
        let again = Context::from_bytes(ctx.bytes().to_vec(), Errors::Strict).unwrap();
        let attached = attach(
            &again,
            dir.0.clone(),
            &tree.char_spans(&ctx),
            tree.skipped.clone(),
        )
        .unwrap();
        assert_eq!(attached.files, tree.files);
        let bad = vec![("a.txt".to_string(), 3, 5)];
        assert!(attach(&again, dir.0.clone(), &bad, Vec::new()).is_err());
        let past = vec![("a.txt".to_string(), 0, ctx.char_len() + 1)];
        assert!(attach(&again, dir.0.clone(), &past, Vec::new()).is_err());
    }

    #[test]
    fn the_joined_text_is_mapped_and_saved_where_asked() {
        let dir = TempDir::new("saved");
        dir.write("src/a.txt", b"one\n");
        dir.write("src/b.txt", b"two");
        let (ctx, _) = open_tree(&dir.0.join("src"), Errors::Strict, false, None).unwrap();
        assert!(
            ctx.is_mapped(),
            "a temp file, mapped: no private copy of the text"
        );
        let saved = dir.0.join("joined.txt");
        let (ctx, tree) =
            open_tree(&dir.0.join("src"), Errors::Strict, false, Some(&saved)).unwrap();
        assert!(ctx.is_mapped());
        assert_eq!(fs::read_to_string(&saved).unwrap(), ctx.text());
        assert_eq!(ctx.text(), "# FILE: a.txt\none\n# FILE: b.txt\ntwo\n");
        assert_eq!(paths(&tree), ["a.txt", "b.txt"]);
        assert_eq!(tree.file("b.txt"), Some(1));
        assert_eq!(tree.file("c.txt"), None);
        let named = [dir.0.join("src/b.txt")];
        let again = dir.0.join("files.txt");
        let (ctx, _) = open_files(&named, Errors::Strict, Some(&again)).unwrap();
        assert_eq!(fs::read_to_string(&again).unwrap(), ctx.text());
    }

    #[test]
    fn a_file_is_not_a_tree() {
        let dir = TempDir::new("file");
        dir.write("a.txt", b"x");
        let err = open_tree(&dir.0.join("a.txt"), Errors::Strict, false, None)
            .err()
            .unwrap();
        assert!(matches!(err, ContextError::Io(ref e) if e.raw_os_error() == Some(20)));
    }
}
