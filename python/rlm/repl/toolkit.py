"""The helpers grep, find_all, chunks and count_tokens, and the text access search and values share.

Each works on the run's `context` by default (a `rlm.Context`: the Rust engine does the scanning,
nothing is copied) or on any `str` passed as `text=`. Results are offsets, line records and small
`Chunk` records, never copies of the context; their printed form is short and readable, because a
small model reads it.

Example (in the REPL):
    >>> grep(r"password", ignore_case=True)  # doctest: +SKIP
    2 matching lines for 'password':
    41:the password is swordfish
    907:PASSWORD=hunter2
    >>> for c in chunks(20_000, overlap=200):  # doctest: +SKIP
    ...     notes.append(llm_query(f"Summarise:\\n{c.text}"))
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Literal, Sequence

from rlm.errors import UnsupportedPatternError
from rlm.repl.headers import grep_head

__all__ = ["Chunk", "GrepResult", "LineMatch", "chunks", "configure", "count_tokens", "find_all",
           "grep"]

# Per-process state, set once by the REPL worker (one worker = one run = one context).
_state: dict[str, Any] = {"context": None, "tokenizer_path": None}


def configure(*, context: Any = None, tokenizer_path: str | os.PathLike[str] | None = None) -> None:
    """Set the default text of the helpers and the tokenizer file for count_tokens (worker start-up).

    Example:
        >>> configure(context=Context.from_str("a\\nb"), tokenizer_path=None)  # doctest: +SKIP
    """
    _state["context"] = context
    _state.pop("headers", None)  # the `# FILE:` sections of the last context, if any
    _state["tokenizer_path"] = None if tokenizer_path is None else os.fspath(tokenizer_path)


def _text(text: Any) -> Any:
    if text is None:
        text = _state["context"]
        if text is None:
            raise RuntimeError("no context is configured; pass text=...")
    return text


def _is_str(text: Any) -> bool:
    return isinstance(text, str)


# ---------------------------------------------------------------------------------------------- grep


@dataclass(frozen=True)
class LineMatch:
    """One matching line of `grep` on a `str` (same fields as `rlm.GrepMatch` of a Context).

    Example:
        >>> str(grep("b", text="a\\nb\\n")[0])
        '2:b'
    """

    line_number: int  # 1-based
    line: str  # without its line ending
    line_start: int  # character offset of the line
    start: int  # character offset of the first match on the line
    end: int
    before: list[tuple[int, str]] = field(default_factory=list)
    after: list[tuple[int, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return _render(self)


class GrepResult(list):  # type: ignore[type-arg]
    """The list of matching lines `grep` returns; prints like `rg -n` with a count first.

    Example:
        >>> grep("zzz", text="abc")
        0 matching lines for 'zzz'
    """

    def __init__(self, matches: Sequence[Any], pattern: str, total: int | None = None,
                 file_of_line: Callable[[int], tuple[str, int]] | None = None,
                 files: int | None = None) -> None:
        super().__init__(matches)
        self.pattern = pattern
        # A tree context's `file_of_line`: lines print as `path:line:` (rg's --with-filename).
        self.file_of_line = file_of_line
        # Number of matching lines in the whole text (more than len(self) when max_count cut it).
        self.total = len(self) if total is None else total
        # Files holding all `total` lines, when max_count cut the list (counted by grep()).
        self.all_files = files

    def __repr__(self) -> str:
        head = grep_head(total=self.total, shown=len(self), pattern=self.pattern,
                         files=self._files())
        if not self:
            return head
        return head + ":\n" + "\n".join(_render(m, self.file_of_line) for m in self)

    # Text joined to a result is joined to its printed form: the 0.5B wrote
    # `llm_query("\n" + grep(...) + "Question: ...")` and got a TypeError (held-out licenses
    # seed 55). A list joined to it stays a list.
    def __add__(self, other: Any) -> Any:
        return repr(self) + other if isinstance(other, str) else super().__add__(other)

    def __radd__(self, other: Any) -> Any:
        if isinstance(other, str):
            return other + repr(self)
        return NotImplemented

    def _files(self) -> int | None:
        # "How many files mention X?" was answered with line numbers ("357, 633"): over files,
        # say how many files the lines are in.
        if self.all_files is not None:
            return self.all_files
        if self.file_of_line is None or len(self) < 2 or self.total > len(self):
            return None  # one line is in one file; a cut list's files are not all shown
        return len({self.file_of_line(m.line_number)[0] for m in self})

    __str__ = __repr__


# A line longer than this is shown as a window around the match (minified files, CSV rows, logs):
# one huge line must not eat the whole output budget of the turn.
LINE_DISPLAY_CHARS = 300


def _clip(text: str, center: int = 0) -> str:
    if len(text) <= LINE_DISPLAY_CHARS:
        return text
    lo = max(0, min(center - LINE_DISPLAY_CHARS // 3, len(text) - LINE_DISPLAY_CHARS))
    hi = lo + LINE_DISPLAY_CHARS
    return (f"[{lo:,} chars]…" if lo else "") + text[lo:hi] + (f"…[{len(text) - hi:,} more chars]" if hi < len(text) else "")


def _render(m: Any, file_of_line: Callable[[int], tuple[str, int]] | None = None) -> str:
    """A match as `rg -n` prints it (`N-before`, `N:line`, `N-after`), long lines clipped; in a
    tree, with the file and the line within it (`path:N:line`, `path-N-before`)."""
    def where(n: int, sep: str) -> str:
        if file_of_line is None:
            return f"{n}{sep}"
        path, line = file_of_line(n)
        return f"{path}{sep}{line}{sep}"

    rows = [f"{where(n, '-')}{_clip(t)}" for n, t in m.before]
    rows.append(f"{where(m.line_number, ':')}{_clip(m.line, m.start - m.line_start)}")
    rows.extend(f"{where(n, '-')}{_clip(t)}" for n, t in m.after)
    return "\n".join(rows)


def _py_grep(text: str, regex: re.Pattern[str], before: int, after: int,
             max_count: int | None) -> tuple[list[LineMatch], int]:
    """(the first `max_count` matching lines, the number of matching lines)."""
    with_ends, bare = text.splitlines(keepends=True), text.splitlines()
    found: list[LineMatch] = []
    total, start = 0, 0
    for i, line in enumerate(bare):
        m = regex.search(line)
        if m is not None:
            total += 1
            if max_count is None or len(found) < max_count:
                found.append(LineMatch(
                    line_number=i + 1, line=line, line_start=start, start=start + m.start(),
                    end=start + m.end(),
                    before=[(j + 1, bare[j]) for j in range(max(0, i - before), i)],
                    after=[(j + 1, bare[j]) for j in range(i + 1, min(len(bare), i + 1 + after))],
                ))
        start += len(with_ends[i])
    return found, total


def _file_map(text: Any) -> Callable[[int], tuple[str, int]] | None:
    """How grep names the file of a line of `text`: a tree context's `file_of_line`, the run's
    context's `# FILE:` sections (`rlm.file_headers`), or None for plain text."""
    if getattr(text, "is_tree", False):
        return text.file_of_line
    if _is_str(text) or text is not _state["context"]:
        return None
    if "headers" not in _state:  # one scan per run, on first use
        from rlm.file_headers import header_files

        _state["headers"] = header_files(text)
    headers = _state["headers"]
    return headers.file_of_line if headers is not None else None


# A cut grep over files says in how many files all its lines are, up to this many lines (one
# more scan that builds every match: ~2 s per million lines here).
FILES_COUNTED_UP_TO = 20_000


def grep(pattern: str, text: Any = None, *, before: int = 0, after: int = 0, ignore_case: bool = False,
         max_count: int | None = 100, literal: bool = False, field: str | None = None,
         file: str | None = None) -> GrepResult:
    """Lines of `text` (default: the context) matching the regex `pattern`, like `rg -n`.

    Each item has `line_number`, `line`, `line_start`, `start`, `end` (character offsets) and
    `before`/`after` context lines. At most `max_count` lines (None: all); `.total` is the number
    of matching lines in the whole text. `literal=True` treats the pattern as plain text. Printing
    the result shows the count and the lines. `field="message"`: JSON Lines records whose field
    `message` matches (`Context.grep(field=)`: the field's decoded text, in Rust).
    `file="src/app.py"`: over a tree of files, only that file's lines (the path as its `# FILE:`
    header and `path:line:` print it; as `context.records(file=)`); line numbers stay the
    context's, so the lines print as `path:line:` as before.

    Example:
        >>> grep(r"def \\w+", text="x = 1\\ndef f():\\n    pass")
        1 matching line for 'def \\\\w+':
        2:def f():
    """
    text = _text(text)
    if file is not None and _is_str(text):
        raise ValueError(f'grep(file="{file}"): the text is a str'
                         f", not a tree of files "
                         "(file= names one file of the context when it is a directory, rlm -f DIR)")
    if field is not None:
        return _grep_field(pattern, text, field, ignore_case, max_count, literal, file)
    flags = re.IGNORECASE if ignore_case else 0
    regex = re.compile(re.escape(pattern) if literal else pattern, flags)  # re.error as Python gives it
    # Over files, lines print as `path:line:` (the numbers are the context's own).
    file_of_line = _file_map(text)
    if not _is_str(text):
        try:
            found = text.grep(pattern, before=before, after=after, ignore_case=ignore_case,
                              max_count=max_count, literal=literal, file=file)
            total, files = None, None
            if max_count is not None and len(found) >= max_count:  # say how many were left out
                total = text.count_lines_matching(pattern, ignore_case=ignore_case, literal=literal,
                                                  file=file)
                if file_of_line is not None and total <= FILES_COUNTED_UP_TO:
                    # "How many of the files mention X?" answered with the 117 lines of a list cut
                    # at 100, whose header said no file count (held-out licenses seed 61).
                    every = text.grep(pattern, ignore_case=ignore_case, max_count=None,
                                      literal=literal, file=file)
                    files = len({file_of_line(m.line_number)[0] for m in every})
            return GrepResult(found, pattern, total, file_of_line, files)
        except UnsupportedPatternError:
            if file is not None:
                return _py_grep_file(text, file, regex, before, after, max_count, pattern)
            if len(text) > text.max_materialize:
                raise
            text = str(text)  # a pattern only Python's re can run, on a context small enough to copy
    found, total = _py_grep(text, regex, before, after, max_count)
    return GrepResult(found, pattern, total, file_of_line)


def _py_grep_file(tree: Any, file: str, regex: re.Pattern[str], before: int, after: int,
                  max_count: int | None, pattern: str) -> GrepResult:
    """`grep(file=)` with a pattern only Python's re runs: that file's text alone is copied and
    searched, its matches numbered and placed as lines of the whole context."""
    start, end = next((a, b) for path, a, b in tree.files() if path == file)  # grep(file=) checked it
    if end - start > tree.max_materialize:
        raise UnsupportedPatternError(f"grep(file={file!r}): the file is too large for a pattern "
                                      "only Python's re module runs")
    first_line = tree.line_of(start)
    found, total = _py_grep(tree[start:end], regex, before, after, max_count)
    shift = first_line - 1
    moved = [dataclasses.replace(
        m, line_number=m.line_number + shift, line_start=m.line_start + start,
        start=m.start + start, end=m.end + start,
        before=[(n + shift, t) for n, t in m.before], after=[(n + shift, t) for n, t in m.after])
        for m in found]
    return GrepResult(moved, pattern, total, tree.file_of_line)


def _grep_field(pattern: str, text: Any, field: str, ignore_case: bool, max_count: int | None,
                literal: bool, file: str | None = None) -> GrepResult:
    from rlm._core import Context

    records = Context.from_str(text) if _is_str(text) else text
    found = records.grep(pattern, ignore_case=ignore_case, max_count=max_count, literal=literal,
                         field=field, file=file)
    total = None
    if max_count is not None and len(found) >= max_count:
        total = records.count_lines_matching(pattern, ignore_case=ignore_case, literal=literal,
                                             field=field, file=file)
    # Over a tree's JSON Lines files, records print as `path:line:` as other lines do.
    return GrepResult(found, pattern, total, None if _is_str(text) else _file_map(records))


# ------------------------------------------------------------------------------------------ find_all


def find_all(needle: str, text: Any = None, *, ignore_case: bool = False,
             limit: int | None = None) -> list[int]:
    """Character offsets of the non-overlapping occurrences of the literal `needle`.

    Example:
        >>> find_all("-", text="a-b-c")
        [1, 3]
    """
    if not needle:
        raise ValueError("find_all needs a non-empty needle")
    text = _text(text)
    if not _is_str(text):
        return list(text.find_all(needle, ignore_case=ignore_case, limit=limit))
    if ignore_case:
        it: Iterator[int] = (m.start() for m in re.finditer(re.escape(needle), text, re.IGNORECASE))
    else:
        it = _str_find_iter(text, needle)
    out: list[int] = []
    for offset in it:
        if limit is not None and len(out) >= limit:
            break
        out.append(offset)
    return out


def _str_find_iter(text: str, needle: str) -> Iterator[int]:
    pos = text.find(needle)
    while pos != -1:
        yield pos
        pos = text.find(needle, pos + len(needle))


# -------------------------------------------------------------------------------------------- chunks


class Chunk:
    """A span `[start, end)` of the text: `start, end = chunk` unpacks it, `chunk.text` (or
    `str(chunk)`) reads it. Nothing is copied until the text is read.

    Example:
        >>> c = chunks(4, text="abcdefghij")[1]; c, c.text
        (Chunk(index=1, start=4, end=8), 'efgh')
    """

    __slots__ = ("index", "start", "end", "_source")

    def __init__(self, index: int, start: int, end: int, source: Any) -> None:
        self.index, self.start, self.end, self._source = index, start, end, source

    @property
    def text(self) -> str:
        return str(self._source[self.start:self.end])

    def __str__(self) -> str:
        return self.text

    def __iter__(self) -> Iterator[int]:
        return iter((self.start, self.end))

    def __len__(self) -> int:
        return self.end - self.start

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Chunk):
            return (self.start, self.end) == (other.start, other.end)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.start, self.end))

    def __repr__(self) -> str:
        return f"Chunk(index={self.index}, start={self.start}, end={self.end})"


Strategy = Literal["chars", "lines", "tokens", "recursive", "structural"]


def chunks(size: int = 20_000, overlap: int = 0, *, by: Strategy = "chars",
           text: Any = None) -> list[Chunk]:
    """Split `text` (default: the context) into consecutive `Chunk`s covering all of it, in Rust.

    `by` picks where chunks end (docs/chunking.md has the rules); `size` and `overlap` are in
    characters except for `"lines"` (whole lines, endings included) and `"tokens"` (tokens of the
    model's tokenizer). No chunk is longer than `size`, each starts `overlap` units before the
    previous one ends, and none cuts a `\\r\\n` (the overlap is then one less).
    - `"chars"`: every `size` characters;
    - `"lines"`: every `size` lines;
    - `"tokens"`: every `size` tokens (needs the run's tokenizer.json);
    - `"recursive"`: at the last blank line in the window, else line end, sentence end, space;
    - `"structural"`: at the last markdown heading, code definition, JSON Lines record or
      timestamped log line in the window (continuation lines stay with their record), else as
      `"recursive"`.

    Example:
        >>> [tuple(c) for c in chunks(2, by="lines", text="a\\nb\\nc\\n")]
        [(0, 4), (4, 6)]
    """
    if size <= 0 or not 0 <= overlap < size:
        raise ValueError(f"need size > 0 and 0 <= overlap < size (got size={size}, overlap={overlap})")
    from rlm._core import chunk_spans

    text = _text(text)
    tokenizer = None
    if by == "tokens":
        from rlm import tokens  # lazy: loading a tokenizer.json takes ~1 s

        tokenizer = tokens.rust_tokenizer(_state["tokenizer_path"])
        if tokenizer is None:
            raise RuntimeError('chunks(by="tokens") is unavailable: this run has no tokenizer.json the '
                               'Rust tokenizer reads; use by="chars" with about 4 characters per token')
    spans = chunk_spans(text, by, size, overlap, tokenizer)
    return [Chunk(i, s, e, text) for i, (s, e) in enumerate(spans)]


# -------------------------------------------------------------------------------------- count_tokens


def count_tokens(text: Any = None) -> int:
    """Number of tokens `text` (default: the context) encodes to with the model's tokenizer.

    Exact (Rust, every core) up to 64 Mi characters; above that an `int` estimated from samples
    that prints as `~N tokens (estimated from ...)` (rlm.tokens has the limits and why).

    Example:
        >>> count_tokens("hello world")  # doctest: +SKIP
        2
    """
    path = _state["tokenizer_path"]
    if path is None:
        raise RuntimeError("count_tokens is unavailable: this run has no tokenizer.json "
                           "(estimate instead: about 4 characters per token)")
    from rlm import tokens  # lazy: most runs never count tokens

    return tokens.count(tokens.load_tokenizer(path), _text(text))
