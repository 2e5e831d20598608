"""Typed stub for the Rust extension `rlm._core` (checked by `python -m mypy.stubtest rlm._core`).

Conventions, everywhere in this module:

- Offsets are *character* offsets (Python `str` indices), never bytes, except in names that say
  `byte`.
- `start` / `end` arguments behave as in `str.find`: negative values count from the end, values past
  either end are clipped, `None` means "from the beginning" / "to the end". For regex calls they act
  as `re`'s `pos` / `endpos` (negative values count from the end): the text before `start` still
  counts for `\\b` (and `^` does not match at `start` unless a line starts there), and the text is
  cut at `end` (so `$` matches there); `start > end` finds nothing.
- Line numbers are 1-based (as in `grep -n`, editors and tracebacks). Lines are split exactly as
  `str.splitlines()` splits them: `\\n`, `\\r\\n`, `\\r`, `\\v`, `\\f`, `\\x1c`-`\\x1e`, `\\x85`,
  `\\u2028`, `\\u2029` all end a line.
- Every scan releases the GIL; counts, `find_all`, regex and grep scans over more than 4 MB use
  every core (pieces cut at character or line starts, re-synchronised where a match crosses a cut).
- Calls that would build a Python `str` or `list` larger than `Context.max_materialize` characters
  (or items) raise `rlm.errors.ContextTooLargeError` naming the lazy alternative.
- Patterns the Rust `regex` engine cannot run (backreferences, look-around, `re.ASCII`, ...) raise
  `rlm.errors.UnsupportedPatternError`; callers may fall back to Python `re` on a slice.
- Regex iteration follows `re.finditer`: non-overlapping, leftmost-first, empty matches allowed next
  to a previous match. Known differences from `re`: after an empty match the search resumes one
  character later (`re` may also try a non-empty match at the same place); `$` without MULTILINE
  matches only at the very end (`re` also matches before a final `\\n`); `\\w`, `\\d`, `\\s` use
  Unicode's definitions, which differ from `re`'s for a few rare characters.
"""

import os
from collections.abc import Iterator
from typing import Any, Final, Literal, final, overload

from rlm.jsonl import Records

__all__ = [
    "CHUNK_STRATEGIES",
    "DEFAULT_MAX_MATERIALIZE",
    "DOTALL",
    "IGNORECASE",
    "MULTILINE",
    "VERBOSE",
    "CharIterator",
    "ChunkIterator",
    "Context",
    "Tokenizer",
    "chunk_spans",
    "GrepMatch",
    "LineIterator",
    "RecordLineIterator",
    "Match",
    "SplitIterator",
    "landlock_abi",
    "restrict_self",
    "set_non_dumpable",
]

CHUNK_STRATEGIES: Final[list[str]]
"""The names `chunk_spans(by=...)` takes: chars, lines, tokens, recursive, structural."""

DEFAULT_MAX_MATERIALIZE: Final[int]
"""Default `Context.max_materialize`: 2**26 characters (about 64 MB of ASCII text)."""

# Regex flags: the same values as Python's `re` module, so `re.IGNORECASE | re.MULTILINE` works.
IGNORECASE: Final[int]
MULTILINE: Final[int]
DOTALL: Final[int]
VERBOSE: Final[int]

@final
class Match:
    """One regex match, shaped like `re.Match` (it holds its own group texts, not the haystack).

    Group 0 is the whole match; groups that did not take part are `None`.

    Example:
        >>> m = Context.from_str("id=42").search(r"(?P<key>\\w+)=(\\d+)")
        >>> m.span(), m.group(2), m["key"], m.groups()
        ((0, 5), '42', 'id', ('id', '42'))
    """

    @property
    def pos(self) -> int:
        """Character offset where the search started."""
    @property
    def endpos(self) -> int:
        """Character offset where the search stopped."""
    @property
    def lastindex(self) -> int | None:
        """Index of the last group that matched, as `re.Match.lastindex`."""
    @property
    def lastgroup(self) -> str | None:
        """Name of the last group that matched, if it has one."""
    @property
    def names(self) -> dict[str, int]:
        """Group name -> group index (as `re.Pattern.groupindex`)."""
    def group(self, *groups: int | str) -> str | tuple[str | None, ...] | None:
        """The text of one group (default 0), or a tuple for several, as `re.Match.group`."""
    def groups(self, default: str | None = None) -> tuple[str | None, ...]:
        """The texts of groups 1.., `default` for those that did not take part."""
    def groupdict(self, default: str | None = None) -> dict[str, str | None]:
        """The named groups by name."""
    def start(self, group: int | str = 0) -> int:
        """Character offset where `group` starts (-1 if it did not take part)."""
    def end(self, group: int | str = 0) -> int:
        """Character offset where `group` ends (-1 if it did not take part)."""
    def span(self, group: int | str = 0) -> tuple[int, int]:
        """`(start, end)` of `group` in characters (`(-1, -1)` if it did not take part)."""
    def __getitem__(self, group: int | str, /) -> str | None: ...
    def __bool__(self) -> bool: ...

@final
class GrepMatch:
    """One line that matched `Context.grep`, with its context lines (like `rg -n -B -A`).

    `str(m)` renders it as ripgrep does: `before` lines as `N-text`, the match as `N:text`, `after`
    lines as `N-text`, one per line. Each match carries its own context lines, so with large
    `before`/`after` the same line may appear in two neighbouring matches.

    Example:
        >>> [m.line_number for m in Context.from_str("a\\nbb\\nab\\n").grep("b")]
        [2, 3]
    """

    @property
    def line_number(self) -> int:
        """1-based number of the matching line."""
    @property
    def line(self) -> str:
        """The matching line's text, without its line ending."""
    @property
    def line_start(self) -> int:
        """Character offset where the matching line starts."""
    @property
    def start(self) -> int:
        """Character offset of the first match on the line."""
    @property
    def end(self) -> int:
        """Character offset where that first match ends."""
    @property
    def before(self) -> list[tuple[int, str]]:
        """Up to `before` preceding lines as `(line_number, text)`."""
    @property
    def after(self) -> list[tuple[int, str]]:
        """Up to `after` following lines as `(line_number, text)`."""

@final
class LineIterator:
    """Lazy iterator over lines (see `Context.lines`)."""

    def __iter__(self) -> LineIterator: ...
    def __next__(self) -> str: ...

@final
class SplitIterator:
    """Lazy iterator over the pieces of `Context.iter_split`."""

    def __iter__(self) -> SplitIterator: ...
    def __next__(self) -> str: ...

@final
class CharIterator:
    """The characters of a `Context`, one `str` each (`Context.__iter__`, `Context.__reversed__`)."""

    def __iter__(self) -> CharIterator: ...
    def __next__(self) -> str: ...

@final
class RecordLineIterator:
    """Lazy `(line_number, line)` of JSON Lines records (see `Context.record_lines`)."""

    def __iter__(self) -> RecordLineIterator: ...
    def __next__(self) -> tuple[int, str]: ...

@final
class Context:
    """A huge read-only text with Python `str` semantics over character offsets.

    `Context.open` memory-maps a file (no copy; the kernel's page cache is shared by every process
    that opens the same file); `from_str` / `from_bytes` own a buffer. Reading methods return plain
    Python values: `str`, `int`, `bool`, lists and tuples of them, and `Match` / `GrepMatch`.

    It also compares, hashes, concatenates and formats like the `str` it stands for: `c == "text"`
    and `<`, `<=`, ... compare the text in Rust without a copy (against a `str` or a `Context`);
    `hash(c) == hash(str(c))`; `c + "!"`, `"<" + c`, `c * 2`, `c % args`, `f"{c:>9}"`, iteration
    (`list(c)`, `sorted(c)`) and `encode()` work under the same size guard as `str(c)`.

    Any other `str` method (`lower`, `upper`, `replace`, `title`, ...) also works at run time: it
    runs on `str(self)`, so it is refused above `max_materialize` characters with a message naming
    what to call instead (for `lower`: the `ignore_case=True` searches). (It is left out of this
    stub on purpose: typed code should slice first, e.g. `c[a:b].lower()`.)

    Example:
        >>> c = Context.from_str("alpha\\nbeta\\n")
        >>> len(c), c[0:5], c.find("beta"), c.line_count(), c.line(2)
        (11, 'alpha', 6, 2, 'beta')
    """

    # ------------------------------------------------------------------ construction
    @staticmethod
    def open(
        path: str | os.PathLike[str],
        *,
        errors: Literal["strict", "replace"] = "strict",
        format: Literal["text", "jsonl"] | None = None,
    ) -> Context:
        """Memory-map the file at `path` without copying it, and index its characters and lines.

        `format="jsonl"` marks the context as JSON Lines (`is_jsonl`: it is described by its
        records); `None` decides from the extension (`.jsonl`, `.ndjson`). `records()` works on
        any context either way.

        `errors="strict"` raises `rlm.errors.ContextError` naming the first invalid UTF-8 byte
        offset; `errors="replace"` decodes as `bytes.decode("utf-8", "replace")` does (this copies
        the file only if it holds invalid bytes). A 0-byte file is a valid empty context. A pipe or
        other stream (`/dev/stdin`, a FIFO) cannot be mapped and is read into memory; a directory
        raises `IsADirectoryError`.

        Example:
            >>> c = Context.open("big.txt")
        """
    @staticmethod
    def from_str(text: str) -> Context:
        """Own a UTF-8 copy of `text`.

        Example:
            >>> len(Context.from_str("héllo"))
            5
        """
    @staticmethod
    def from_bytes(data: bytes, *, errors: Literal["strict", "replace"] = "strict") -> Context:
        """Own a copy of UTF-8 `data` (`errors` as in `open`).

        Example:
            >>> Context.from_bytes(b"a\\xffb", errors="replace")[1]
            '\\ufffd'
        """
    @staticmethod
    def open_tree(
        path: str | os.PathLike[str],
        *,
        errors: Literal["strict", "replace"] = "strict",
        follow_links: bool = False,
        save_to: str | os.PathLike[str] | None = None,
    ) -> Context:
        """Every text file under the directory `path` as one context, in path order, each after a
        line `# FILE: relative/path` (a newline is added after a file whose text does not end
        with one).

        Which files: ripgrep's rules (its `ignore` crate, rg's defaults): `.gitignore` inside a
        git repository (nested ones, `.git/info/exclude`, the global excludes), `.ignore` files,
        hidden files and directories skipped, symlinks not followed unless `follow_links` (a
        link back to a directory above it is then reported as a loop, not walked). Binary files
        (a NUL byte) are left out, and so, with `errors="strict"`, are files that are not UTF-8
        (`errors="replace"` decodes them with U+FFFD); `skipped_files()` lists them. A path that
        is not a directory raises `NotADirectoryError`.

        The files are read once (a batch at a time) and their joined text written to a file that
        is then mapped, so the context holds no private copy of the tree (`is_mapped`): a temp
        file (in `TMPDIR`) removed as soon as it is mapped, or `save_to`, kept for another
        process to map with `open_joined` (the caller deletes it). Where no temp file can be
        made, the text is held in memory instead.

        Example:
            >>> c = Context.open_tree("src")
            >>> c.file_of(c.find("def main"))
            ('app/cli.py', 12)
        """
    @staticmethod
    def open_files(
        paths: list[str | os.PathLike[str]],
        *,
        errors: Literal["strict", "replace"] = "strict",
        save_to: str | os.PathLike[str] | None = None,
    ) -> Context:
        """The files `paths` (in the order given) as one tree context, each after a line
        `# FILE: path` with the path as given: `open_tree`'s format, `file_of` and `path:line`
        grep output, its rules for binary and non-UTF-8 files (skipped, `skipped_files()`), and
        its mapped text (`save_to` as there). `path` is `None`. `rlm --context-glob PATTERN`
        builds one from a glob.

        Example:
            >>> c = Context.open_files(["logs/a.log", "logs/b.log"])
            >>> c.file_of(c.find("ERROR"))
            ('logs/b.log', 3)
        """
    @staticmethod
    def open_joined(
        path: str | os.PathLike[str],
        files: list[tuple[str, int, int]],
        *,
        skipped: list[tuple[str, str]] = ...,
        root: str | None = None,
    ) -> Context:
        """A tree context's text saved earlier (`save`) mapped from `path`, with its file table
        given back: `files` as `files()` returned it, `skipped` as `skipped_files()`, `root` as
        `path`. Nothing is walked or read but `path`; the REPL worker opens a tree this way.
        Raises `ValueError` if a span does not follow a `# FILE: ` line of the text.

        Example:
            >>> tree = Context.open_tree("src"); tree.save("/tmp/src.txt")
            >>> again = Context.open_joined("/tmp/src.txt", tree.files(), root=tree.path)
            >>> again.file_of(100) == tree.file_of(100)
            True
        """

    # ------------------------------------------------------------------ properties
    @property
    def path(self) -> str | None:
        """The path given to `open` / `open_tree` (`root` of `open_joined`), or `None` for
        `from_str` / `from_bytes` / `open_files`."""
    @property
    def is_tree(self) -> bool:
        """True for a context made by `open_tree` (a directory of files), `open_files` or
        `open_joined`."""
    @property
    def is_jsonl(self) -> bool:
        """True for a context opened as JSON Lines (`open(path, format="jsonl")`, or a `.jsonl`
        / `.ndjson` path)."""
    @property
    def byte_len(self) -> int:
        """Size in UTF-8 bytes."""
    @property
    def is_mapped(self) -> bool:
        """True when the text is a memory-mapped file (shared page cache, no private copy)."""
    @property
    def replaced(self) -> bool:
        """True when `errors="replace"` actually replaced invalid bytes (the text is then a copy)."""
    @property
    def max_materialize(self) -> int:
        """Most characters (or list items) one call may build as Python objects. Settable.

        Example:
            >>> c.max_materialize = 2**31  # allow str(c) on a 1 GB context
        """
    @max_materialize.setter
    def max_materialize(self, value: int) -> None: ...

    # ------------------------------------------------------------------ str protocol
    def __len__(self) -> int:
        """Number of characters, as `len(str)`."""
    @overload
    def __getitem__(self, index: int, /) -> str: ...
    @overload
    def __getitem__(self, index: slice, /) -> str: ...
    def __contains__(self, sub: str | Context, /) -> bool: ...
    def __str__(self) -> str:
        """The whole text as a `str` (refused above `max_materialize` characters)."""
    def __repr__(self) -> str:
        """Short: size, lines and source, never the text."""
    def __bool__(self) -> bool: ...
    def __eq__(self, other: object, /) -> bool:
        """The same text as a `str` or `Context` `other` (compared in Rust: no copy, no limit).

        Example:
            >>> Context.from_str("some text") == "some text"
            True
        """
    def __ne__(self, other: object, /) -> bool: ...
    def __lt__(self, other: str | Context, /) -> bool:
        """`str` ordering (by code point), on the bytes."""
    def __le__(self, other: str | Context, /) -> bool: ...
    def __gt__(self, other: str | Context, /) -> bool: ...
    def __ge__(self, other: str | Context, /) -> bool: ...
    def __hash__(self) -> int:
        """`hash(str(self))`, computed once (refused above `max_materialize`)."""
    def __add__(self, other: str | Context, /) -> str:
        """`str(self) + other` (refused when the result passes `max_materialize`)."""
    def __radd__(self, other: str | Context, /) -> str: ...
    def __mul__(self, n: int, /) -> str: ...
    def __rmul__(self, n: int, /) -> str: ...
    def __mod__(self, args: object, /) -> str:
        """`str(self) % args`: the context as a %-format string."""
    def __rmod__(self, other: object, /) -> str:
        """Never used: `"%s" % context` is `str`'s own formatting, which calls `str(context)`."""
    def __format__(self, spec: str, /) -> str: ...
    def __iter__(self) -> CharIterator:
        """The characters one by one (refused above `max_materialize`; use `lines()`)."""
    def __reversed__(self) -> CharIterator:
        """The characters from the last one back (refused above `max_materialize`)."""
    def strip(self, chars: str | None = None, /) -> str:
        """As `str.strip`: the span is found in Rust; only the result is built (and guarded).

        Example:
            >>> Context.from_str("  padded  ").strip()
            'padded'
        """
    def lstrip(self, chars: str | None = None, /) -> str:
        """As `str.lstrip`."""
    def rstrip(self, chars: str | None = None, /) -> str:
        """As `str.rstrip`."""
    def partition(self, sep: str, /) -> tuple[str, str, str]:
        """As `str.partition`; each piece is guarded by `max_materialize`.

        Example:
            >>> Context.from_str("key=value").partition("=")
            ('key', '=', 'value')
        """
    def rpartition(self, sep: str, /) -> tuple[str, str, str]:
        """As `str.rpartition`."""
    def isascii(self) -> bool:
        """As `str.isascii` (from the sizes: no scan)."""
    def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        """As `str.encode`; UTF-8 comes straight from the bytes (guarded by `max_materialize`)."""
    def find(self, sub: str, start: int | None = None, end: int | None = None) -> int:
        """Lowest offset of `sub` in `[start:end]`, or -1, as `str.find`.

        Example:
            >>> Context.from_str("a-b-c").find("-", 2)
            3
        """
    def rfind(self, sub: str, start: int | None = None, end: int | None = None) -> int:
        """Highest offset of `sub` in `[start:end]`, or -1, as `str.rfind`."""
    def index(self, sub: str, start: int | None = None, end: int | None = None) -> int:
        """As `find`, but raises `ValueError` when `sub` is absent."""
    def rindex(self, sub: str, start: int | None = None, end: int | None = None) -> int:
        """As `rfind`, but raises `ValueError` when `sub` is absent."""
    def count(self, sub: str, start: int | None = None, end: int | None = None) -> int:
        """Number of non-overlapping occurrences of `sub` in `[start:end]`, as `str.count`."""
    def startswith(
        self, prefix: str | tuple[str, ...], start: int | None = None, end: int | None = None
    ) -> bool:
        """As `str.startswith`."""
    def endswith(
        self, suffix: str | tuple[str, ...], start: int | None = None, end: int | None = None
    ) -> bool:
        """As `str.endswith`."""
    def splitlines(self, keepends: bool = False) -> list[str]:
        """As `str.splitlines` (refused above `max_materialize`; use `lines()` instead)."""
    def split(self, sep: str | None = None, maxsplit: int = -1) -> list[str]:
        """As `str.split` (refused above `max_materialize`; use `iter_split()` instead)."""
    def iter_split(self, sep: str | None = None, maxsplit: int = -1) -> SplitIterator:
        """Lazy `split`: yields the same pieces one at a time.

        Example:
            >>> list(Context.from_str("a,b,,c").iter_split(","))
            ['a', 'b', '', 'c']
        """

    # ------------------------------------------------------------------ lines
    def lines(self, keepends: bool = False) -> LineIterator:
        """Lazy `splitlines()`: yields the same lines one at a time.

        Example:
            >>> list(Context.from_str("a\\r\\nb").lines())
            ['a', 'b']
        """
    def line_count(self) -> int:
        """Number of lines, `len(str.splitlines())` (a final line without a newline counts)."""
    def line(self, number: int) -> str:
        """Text of line `number` (1-based; negative counts from the end), without its ending.

        Example:
            >>> Context.from_str("a\\nb\\nc").line(-1)
            'c'
        """
    def line_span(self, number: int) -> tuple[int, int]:
        """`(start, end)` character offsets of line `number`, without its ending."""
    def line_of(self, offset: int) -> int:
        """1-based number of the line holding character `offset` (a line owns its ending)."""

    # ------------------------------------------------------------------ trees (open_tree)
    def files(self) -> list[tuple[str, int, int]]:
        """(path, start, end) per file of a tree, in order: the character span of the file's
        text, after its header line. `[]` for a context that is not a tree.

        Example:
            >>> path, start, end = c.files()[0]; c[start:end][:40]
        """
    def skipped_files(self) -> list[tuple[str, str]]:
        """(path, reason) per file a tree left out: "binary", "invalid UTF-8 at byte N",
        "symlink (not followed)", "symlink loop", or the error that kept it from being read.

        Example:
            >>> Context.open_tree("repo").skipped_files()
            [('assets/logo.png', 'binary')]
        """
    def file_of(self, offset: int) -> tuple[str, int]:
        """(path, line within that file) of character `offset` (negative counts from the end):
        1-based, 0 for the file's `# FILE:` header line. For a context that is not a tree:
        (its path or "", the line number).

        Example:
            >>> c.file_of(c.find("def main"))
            ('app/cli.py', 12)
        """
    def file_of_line(self, number: int) -> tuple[str, int]:
        """(path, line within that file) of context line `number` (1-based, as `grep` numbers
        lines; negative counts from the end), as `file_of`.

        Example:
            >>> m = c.grep("def main")[0]; c.file_of_line(m.line_number)
            ('app/cli.py', 12)
        """

    # ------------------------------------------------------------------ JSON Lines (rlm.jsonl)
    def records(
        self,
        where: dict[str, Any] | None = None,
        *,
        errors: Literal["warn", "skip", "raise"] = "warn",
        file: str | None = None,
    ) -> Records:
        """The JSON records of the text, one per non-blank `\\n` line, parsed lazily: a line is
        read and `json.loads`-ed only when the iteration reaches it.

        `where={"status": "FAILED"}` keeps the objects whose fields equal every value given (a
        scan in Rust skips the lines that cannot hold them, unparsed). A line that is not JSON:
        `errors="warn"` skips it and names it (line number, reason) on stderr, `"skip"` skips
        it silently, `"raise"` raises `rlm.errors.MalformedRecordError` when it is reached.
        Record line numbers count `\\n` lines (as `jq` and `wc -l` do), not `splitlines()`
        lines: they differ only where a record holds a raw U+2028, U+2029 or U+0085.

        `file="logs/app.jsonl"` (a tree context: `open_tree`, `rlm -f DIR`): the records of that
        file only (a path as `files()` spells it), numbered from the file's first line, as `jq`
        on that file numbers them; a path the tree does not hold raises `ValueError`.

        Example:
            >>> [r["id"] for r in Context.from_str('{"id": 1}\\n{"id": 2}').records()]
            [1, 2]
            >>> t = Context.open_tree("logs"); next(t.records(file="app.jsonl", where={"level": "ERROR"}))
            {'level': 'ERROR', 'msg': 'disk full'}
        """
    def record_lines(self, literals: list[str] | None = None, *, file: str | None = None) -> RecordLineIterator:
        """Lazy `(line_number, line)` of the non-blank `\\n` lines that `records()` parses; with
        `literals`, only lines holding all of them (or a `\\u` / `\\/` escape that may hide
        one); `file` as in `records()`.

        Example:
            >>> list(Context.from_str('{"a":1}\\n\\n{"a":2}').record_lines())
            [(1, '{"a":1}'), (3, '{"a":2}')]
        """
    def count_records(self, *, file: str | None = None) -> int:
        """Number of records (non-blank `\\n` lines), on every core, without parsing them;
        `file`: of one file of a tree, as in `records()`.

        Example:
            >>> Context.from_str('{"a":1}\\n\\n{"a":2}\\n').count_records()
            2
            >>> Context.open_tree("logs").count_records(file="app.jsonl")
            1200
        """

    # ------------------------------------------------------------------ literal search
    def find_all(
        self,
        needle: str,
        *,
        ignore_case: bool = False,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
    ) -> list[int]:
        """Offsets of the non-overlapping occurrences of `needle` (those `count` counts).

        `ignore_case` uses Unicode simple case folding. Refused above `max_materialize` results
        without a `limit`.

        Example:
            >>> Context.from_str("a-b-c").find_all("-")
            [1, 3]
        """
    def count_literal(
        self,
        needle: str,
        *,
        ignore_case: bool = False,
        start: int | None = None,
        end: int | None = None,
    ) -> int:
        """`count` with an `ignore_case` option (Unicode simple case folding).

        Example:
            >>> Context.from_str("Import import").count_literal("IMPORT", ignore_case=True)
            2
        """

    # ------------------------------------------------------------------ regex search
    def search(
        self, pattern: str, flags: int = 0, *, start: int | None = None, end: int | None = None
    ) -> Match | None:
        """First match of `pattern` in `[start:end]`, as `re.search`.

        `flags` takes `re.IGNORECASE`, `re.MULTILINE`, `re.DOTALL`, `re.VERBOSE` (or this module's
        constants of the same value); `re.UNICODE` is accepted and ignored.

        Example:
            >>> Context.from_str("x = 42").search(r"\\d+").span()
            (4, 6)
        """
    def match(
        self, pattern: str, flags: int = 0, *, start: int | None = None, end: int | None = None
    ) -> Match | None:
        """A match anchored at `start`, as `re.match`.

        Example:
            >>> Context.from_str("x = 42").match(r"\\d+") is None
            True
        """
    def finditer(
        self,
        pattern: str,
        flags: int = 0,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
    ) -> list[Match]:
        """The matches `re.finditer` would give (a list; `limit` keeps the first ones).

        Refused above `max_materialize` matches without a `limit`; use `spans` instead.

        Example:
            >>> [m.group() for m in Context.from_str("a1b22").finditer(r"\\d+")]
            ['1', '22']
        """
    def findall(
        self,
        pattern: str,
        flags: int = 0,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
    ) -> list[str] | list[tuple[str, ...]]:
        """What `re.findall` returns: the matches, the one group, or tuples of groups ('' if unset).

        Example:
            >>> Context.from_str("a=1, b=2").findall(r"(\\w)=(\\d)")
            [('a', '1'), ('b', '2')]
        """
    def spans(
        self,
        pattern: str,
        flags: int = 0,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
    ) -> list[tuple[int, int]]:
        """`(start, end)` character offsets of the matches, without building their text.

        Example:
            >>> Context.from_str("é1é22").spans(r"\\d+")
            [(1, 2), (3, 5)]
        """
    def count_matches(
        self, pattern: str, flags: int = 0, *, start: int | None = None, end: int | None = None
    ) -> int:
        """Number of matches `re.finditer` would give.

        Example:
            >>> Context.from_str("def f(self): pass").count_matches(r"def \\w+\\(self")
            1
        """
    def grep(
        self,
        pattern: str,
        *,
        before: int = 0,
        after: int = 0,
        ignore_case: bool = False,
        max_count: int | None = None,
        literal: bool = False,
        flags: int = 0,
        field: str | None = None,
        file: str | None = None,
    ) -> list[GrepMatch]:
        """Lines matching `pattern`, like `rg -n -B before -A after [-i] [-m max_count]`.

        A line matches only through its own text (never its line ending), as in ripgrep. `^` and
        `$` match at line starts and ends (`\\n` and `\\r\\n` lines); `literal=True` treats
        `pattern` as plain text. Refused above `max_materialize` matching lines without
        `max_count`; `count_lines_matching` only counts.

        `field="message"` searches JSON Lines records instead: a record matches when the text of
        its top-level field `message` (a string decoded from its JSON escapes, any other value
        as compact JSON) matches `pattern`, so `^`/`$` are the field's edges. Each hit is the
        record's line (numbered as `records()` numbers them), `start`/`end` its span; lines
        that are not JSON objects or lack the field never match; `before`/`after` must be 0.

        `file="src/app.py"` (a tree context: `open_tree`, `open_files`, `open_joined`) searches that
        file's text alone, as `records(file=)` reads one file; the lines keep the context's numbers
        (`file_of_line` gives the line within the file). ValueError for a path the tree lacks.

        Example:
            >>> [str(m) for m in Context.from_str("def f():\\n    pass\\n").grep(r"^def ")]
            ['1:def f():']
        """
    def count_lines_matching(
        self,
        pattern: str,
        *,
        ignore_case: bool = False,
        literal: bool = False,
        flags: int = 0,
        field: str | None = None,
        file: str | None = None,
    ) -> int:
        """Number of lines `grep` would report without `max_count` (like `rg -c`); with `field`,
        of records (as `grep(field=)`); with `file`, in that file of a tree (as `grep(file=)`).

        Example:
            >>> Context.from_str("a\\nab\\nb").count_lines_matching("b")
            2
        """
    def rank(self, query: str, k: int = 10, window: int = 1) -> list[tuple[int, float, str]]:
        """The `k` best documents of `window` lines for the words of `query` (BM25), best first.

        Each hit is (first line number, score, text). Words are runs of letters and digits,
        compared ignoring ASCII case, whole words only; common English words are dropped from
        the query unless nothing else is left. Ties go to the earlier line.

        Example:
            >>> [n for n, _, _ in Context.from_str("a b\\nsecret code\\ncode").rank("secret code")]
            [2, 3]
        """

    # ------------------------------------------------------------------ bytes and offsets
    def to_bytes(self) -> bytes:
        """The raw UTF-8 bytes (refused above `max_materialize` bytes; see `save` for big ones).

        Example:
            >>> Context.from_str("é").to_bytes()
            b'\\xc3\\xa9'
        """
    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the UTF-8 text to `path`, so another process can `Context.open` it.

        Example:
            >>> Context.from_str("shared text").save("/tmp/ctx.txt")
        """
    def byte_offset(self, offset: int) -> int:
        """UTF-8 byte offset of character `offset` (0 <= offset <= len)."""
    def char_offset(self, byte_offset: int) -> int:
        """Character offset of the character holding UTF-8 byte `byte_offset` (0 <= it <= byte_len)."""

# -- the REPL worker's sandbox (rust/rlm-core/src/sandbox.rs; used by rlm.repl.sandbox) ------------

def restrict_self(read_only: list[str], read_write: list[str], *, deny_sockets: bool = True) -> dict[str, Any]:
    """Confine this thread, and every thread and process it starts from now on, with Landlock.

    Irreversible. Afterwards only paths beneath `read_only` (read, list, execute) and `read_write`
    (also create, write, remove; no device nodes, no execution) can be opened; TCP connect and
    bind are denied (Landlock ABI 4); signals to processes outside, and abstract unix sockets
    created outside, are denied (ABI 6); UDP and pathname unix sockets too on ABI 10 / 9. With
    `deny_sockets`, a seccomp filter makes `socket(2)` and `io_uring_setup(2)` fail with EACCES on
    any kernel (`socketpair(2)` keeps working). Also sets `no_new_privs` and drops every
    capability (a root worker). An older kernel enforces what it
    knows (best effort); a path that does not exist is skipped and named. Raises
    `rlm.errors.SandboxError` if the kernel refuses the ruleset. Linux; elsewhere nothing is
    enforced and `abi` is 0.

    Returns `{"abi": int (0: nothing enforced), "active": [names], "not_enforced": [names],
    "no_new_privs": bool, "capabilities_dropped": bool, "sockets_denied": bool,
    "skipped": ["path: why", ...]}` with names
    among files, truncate, tcp, device-ioctl, signals, abstract-unix-sockets, unix-sockets, udp.

    Example:
        >>> restrict_self(["/usr"], ["/tmp/rlm-repl-x"])["active"]
        ['files', 'truncate', 'tcp', 'device-ioctl', 'signals', 'abstract-unix-sockets']
    """

def landlock_abi() -> int:
    """The Landlock ABI version the running kernel offers; 0 without Landlock (or not Linux).

    Example:
        >>> landlock_abi() >= 0
        True
    """

def set_non_dumpable() -> bool:
    """`prctl(PR_SET_DUMPABLE, 0)`: same-user processes can no longer read this process's
    /proc/PID/environ or memory, or attach a debugger; no core dumps. False where the platform has
    no such switch (not Linux).

    Example:
        >>> set_non_dumpable()
        True
    """
@final
class Tokenizer:
    """A model's byte-level BPE tokenizer (tokenizer.json of the Qwen2 / Llama 3 kind), in Rust.

    Gives exactly the ids of the `tokenizers` package's `encode(text, add_special_tokens=False)`;
    texts over 256 KiB are cut where the pre-tokenizer always splits and counted on every core.
    Other tokenizer.json kinds raise `rlm.errors.TokenizerError` (use `tokenizers` for them).

    Example:
        >>> tok = Tokenizer.from_file("tokenizer.json")
        >>> tok.count("hello world"), tok.encode("hello world")
        (2, [14990, 1879])
    """

    @staticmethod
    def from_file(path: str | os.PathLike[str]) -> Tokenizer:
        """Load a tokenizer.json (OSError if unreadable, TokenizerError if not supported).

        Example:
            >>> Tokenizer.from_file(rlm_models_path / "tokenizer.json")
        """
    def count(self, text: str | Context, start: int | None = None, end: int | None = None) -> int:
        """Number of tokens in `text[start:end]` (character offsets, slice rules), GIL released.

        Example:
            >>> tok.count(Context.open("big.log"), 0, 100_000)
            27118
        """
    def encode(self, text: str | Context, start: int | None = None, end: int | None = None) -> list[int]:
        """The token ids of `text[start:end]`.

        Example:
            >>> tok.encode("hello world")
            [14990, 1879]
        """
    @property
    def path(self) -> str:
        """The path given to `from_file`."""

@final
class ChunkIterator:
    """Lazy `(start, end)` character-offset spans of one chunking pass (see `chunk_spans`)."""

    def __iter__(self) -> ChunkIterator: ...
    def __next__(self) -> tuple[int, int]: ...

def chunk_spans(
    text: str | Context,
    by: str,
    size: int,
    overlap: int = 0,
    tokenizer: Tokenizer | None = None,
) -> ChunkIterator:
    """Chunk `text` with the strategy named `by` (one of `CHUNK_STRATEGIES`), lazily, GIL released.

    The spans cover the text in order; none is longer than `size` (characters; lines for
    `"lines"`, tokens of `tokenizer` for `"tokens"`); each starts `overlap` units before the
    previous one ends (one less where that would cut a `\\r\\n`, which no span does). ValueError
    for an unknown name, `size`/`overlap` out of range, or `"tokens"` without a tokenizer. A `str`
    is copied once; a `Context` never. Rules per strategy: docs/chunking.md.

    Example:
        >>> list(chunk_spans("a\\nb\\nc\\n", "lines", 2))
        [(0, 4), (4, 6)]
    """
