"""Opening the context a run is given: once, in the driver, shared with the REPL worker by path.

Every context becomes a file the REPL worker can map: a regular file's path is used as it is;
text, bytes, stdin, in-memory `Context`s and paths that are not regular files (a pipe, a FIFO, a
character device, `/dev/stdin`, `/dev/fd/N` from `<(...)`: the worker could not read them again)
are written once to a temp file that `OpenedContext.close()` deletes. A tree (a directory, or the
files of `--context-glob` patterns) is joined once, here, straight into a temp file
(`Context.open_tree(save_to=)`) that both processes map, the worker with the file table
(`tree_table()`, sent to it): the worker neither walks nor reads the files again, and both share
the mapped pages instead of holding a private copy each.
"""

from __future__ import annotations

import glob
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from typing import IO, Any, Callable, Literal, Union

from rlm._core import Context
from rlm.errors import ContextError, UsageError
from rlm.repl.protocol import ContextTree

ContextInput = Union[str, bytes, "os.PathLike[str]", Context]



ENCODING_HINT = "on the command line: --encoding-errors replace"


@dataclass
class OpenedContext:
    """A context ready for a run: the driver's `Context` and the file the REPL worker maps."""

    context: Context
    path: str  # what the REPL worker opens
    # "file", "tree" (a directory), "glob" (--context-glob), "stream" (a path that is not a
    # regular file), "text", "bytes", "stdin" or "context"
    source: str
    temporary: bool  # `path` is ours and is deleted by close()
    origin: str | None = None  # the path the user gave, when `path` is a copy of it

    def close(self) -> None:
        """Delete the temp file, if this context made one."""
        if self.temporary:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass

    def __enter__(self) -> OpenedContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def tree_table(self) -> ContextTree | None:
        """The file table the REPL worker attaches to the mapped text of a tree (None otherwise).

        >>> open_context("x").tree_table() is None
        True
        """
        if not self.context.is_tree:
            return None
        return {"root": self.context.path, "files": self.context.files(),
                "skipped": self.context.skipped_files()}

    def describe(self) -> dict[str, Any]:
        """Size and origin for the trajectory (a temp file's path is left out: it is gone later)."""
        described = {
            "source": self.source,
            "path": self.origin if self.temporary else self.path,
            "bytes": os.path.getsize(self.path),
            "chars": len(self.context),
            "lines": self.context.line_count(),
            "replaced_invalid_utf8": bool(getattr(self.context, "replaced", False)),
        }
        if self.context.is_tree:
            described.update(files=len(self.context.files()),
                             skipped_files=len(self.context.skipped_files()))
        if self.context.is_jsonl:
            described["format"] = "jsonl"
        return described


def _temp_path() -> tuple[int, str]:
    return tempfile.mkstemp(prefix="rlm-context-", suffix=".txt")


def _saved_tree(open_joined: Callable[[str], Context], source: str, origin: str) -> OpenedContext:
    """The tree `open_joined(save_to)` joins into a new temp file and maps from it; the REPL
    worker maps the same file with the file table (`tree_table()`)."""
    fd, path = _temp_path()
    os.close(fd)
    try:
        context = open_joined(path)
    except BaseException:
        os.unlink(path)
        raise
    return OpenedContext(context, path, source, temporary=True, origin=origin)


def _mapped_tree(joined: Context) -> OpenedContext:
    """A tree context the caller opened, saved to a temp file the worker can open by path and
    mapped from it, file table and all (`joined`'s own file, if any, has no path to give)."""
    def save_and_map(path: str) -> Context:
        joined.save(path)
        return Context.open_joined(path, joined.files(), skipped=joined.skipped_files(),
                                   root=joined.path)

    return _saved_tree(save_and_map, "tree", joined.path or "")


def open_tree(path: str, encoding_errors: str = "strict") -> OpenedContext:
    """Open the text files under directory `path` as one context (`Context.open_tree`: ripgrep's
    ignore rules, binary files left out and listed by `context.skipped_files()`).

    >>> open_tree("/nonexistent")
    Traceback (most recent call last):
    ...
    rlm.errors.UsageError: context directory not found: /nonexistent
    """
    errors: Literal["strict", "replace"] = "replace" if encoding_errors == "replace" else "strict"
    try:
        return _saved_tree(lambda saved: Context.open_tree(path, errors=errors, save_to=saved),
                           "tree", path)
    except FileNotFoundError:
        raise UsageError(f"context directory not found: {path}") from None
    except OSError as e:
        raise UsageError(f"cannot read context directory {path}: {e.strerror or e}") from None


def glob_files(patterns: list[str]) -> list[str]:
    """The files the glob `patterns` match (`**` spans directories; hidden names only when a
    pattern spells the dot, as in a shell), in path order, each once. A pattern that matches no
    file is a `UsageError`.

    >>> glob_files(["/nonexistent/*.log"])
    Traceback (most recent call last):
    ...
    rlm.errors.UsageError: --context-glob '/nonexistent/*.log' matches no file
    """
    found: set[str] = set()
    for pattern in patterns:
        matched = [p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p)]
        if not matched:
            raise UsageError(f"--context-glob {pattern!r} matches no file")
        found.update(matched)
    return sorted(found)


def open_glob(patterns: list[str], encoding_errors: str = "strict") -> OpenedContext:
    """The files `patterns` match (`glob_files`) as one context, each after a `# FILE: path`
    line (the path as the glob gave it), as a tree: `file_of`, `path:line` in grep, binary files
    left out and listed by `context.skipped_files()`.

    Example: `open_glob(["logs/*.log", "conf/**/*.yaml"])`.
    """
    files: list[str | os.PathLike[str]] = list(glob_files(patterns))
    errors: Literal["strict", "replace"] = "replace" if encoding_errors == "replace" else "strict"
    try:
        return _saved_tree(lambda saved: Context.open_files(files, errors=errors, save_to=saved),
                           "glob", " ".join(patterns))
    except OSError as e:
        raise UsageError(f"cannot read a --context-glob file: {e}") from None


def _open_file(path: str, encoding_errors: str, *, source: str, temporary: bool,
               format: str | None = None) -> OpenedContext:
    # `format` None: JSON Lines when the name says so (.jsonl / .ndjson); "jsonl" for any name.
    extra = {} if format is None else {"format": format}
    try:
        if encoding_errors == "strict":
            context = Context.open(path, **extra)
        else:
            context = Context.open(path, errors="replace", **extra)
    except ContextError as e:
        if temporary:
            os.unlink(path)
        if encoding_errors == "strict" and "utf-8" in str(e).lower():
            raise ContextError(f"{e}; {ENCODING_HINT}") from None
        raise
    except BaseException:
        if temporary:
            os.unlink(path)
        raise
    return OpenedContext(context, path, source, temporary)


def is_regular_file(path: str) -> bool:
    """True if `path` names a regular file (which the REPL worker can map again), not a pipe,
    FIFO, socket or device.

    >>> is_regular_file("/dev/null")
    False
    """
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def check_readable_file(path: str | os.PathLike[str]) -> str:
    """`path` as a string if it names a readable file (or a directory), else a `UsageError` saying why.

    Only a regular file is opened to check it: opening a FIFO waits for its writer, and closing a
    pipe unread would lose what it holds.

    >>> check_readable_file("/nonexistent/notes.txt")
    Traceback (most recent call last):
    ...
    rlm.errors.UsageError: context file not found: /nonexistent/notes.txt
    """
    p = os.fspath(path)
    if not os.path.exists(p):
        raise UsageError(f"context file not found: {p}")
    if os.path.isdir(p):
        return p  # a tree context (open_tree)
    if not is_regular_file(p):
        if not os.access(p, os.R_OK):
            raise UsageError(f"cannot read context file {p}: Permission denied")
        return p
    try:
        with open(p, "rb") as f:
            f.read(0)
    except OSError as e:
        raise UsageError(f"cannot read context file {p}: {e.strerror or e}") from None
    return p


def _write_temp(data: bytes) -> str:
    fd, path = _temp_path()
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return path


def open_context(value: ContextInput, encoding_errors: str = "strict", *,
                 format: str | None = None) -> OpenedContext:
    """Open any accepted context: text, UTF-8 bytes, a path, or a `Context`. `format="jsonl"`
    reads one text as JSON Lines whatever its name (a directory refuses it).

    >>> with open_context("The secret code is 42.") as c: (len(c.context), c.source)
    (22, 'text')
    """
    if isinstance(value, Context):
        if format is not None and format != "text":
            raise UsageError("format= applies to a path, text or bytes; open the Context with "
                             "Context.open(path, format=...) instead")
        if value.is_tree:  # the worker maps the saved text and attaches the same file table
            return _mapped_tree(value)
        if value.path is not None and not value.replaced and is_regular_file(value.path):
            return OpenedContext(value, value.path, "file", temporary=False)
        fd, path = _temp_path()
        os.close(fd)
        value.save(path)  # an owned or lossily decoded text: the worker needs it as a file
        return _open_file(path, "strict", source="context", temporary=True)
    if isinstance(value, str):
        return _open_file(_write_temp(value.encode("utf-8")), "strict", source="text",
                          temporary=True, format=format)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _open_file(_write_temp(bytes(value)), encoding_errors, source="bytes",
                          temporary=True, format=format)
    if isinstance(value, os.PathLike):
        path = check_readable_file(value)
        if os.path.isdir(path):
            if format == "jsonl":
                raise UsageError(f"{path} is a directory: JSON Lines is one file or stream")
            return open_tree(path, encoding_errors)
        if not is_regular_file(path):  # read once, here: the worker could not read it again
            try:
                stream = open(path, "rb")  # noqa: SIM115 - closed below, after the copy
            except OSError as e:
                raise UsageError(f"cannot read context file {path}: {e.strerror or e}") from None
            with stream:
                return open_stream(stream, encoding_errors, source="stream", origin=path,
                                   format=format)
        return _open_file(path, encoding_errors, source="file", temporary=False, format=format)
    raise UsageError(
        f"context must be str, bytes, a path or rlm.Context, not {type(value).__name__}"
    )


def open_stream(stream: IO[bytes], encoding_errors: str = "strict", *, source: str = "stdin",
                origin: str | None = None, format: str | None = None) -> OpenedContext:
    """Copy a byte stream (stdin, a pipe given by path) to a temp file in pieces, then open it: no
    whole copy in memory.

    >>> import io
    >>> with open_stream(io.BytesIO(b"piped text")) as c: c.context[:5]
    'piped'
    """
    fd, path = _temp_path()
    try:
        with os.fdopen(fd, "wb") as f:
            shutil.copyfileobj(stream, f, 1 << 20)
    except BaseException:
        os.unlink(path)
        raise
    opened = _open_file(path, encoding_errors, source=source, temporary=True, format=format)
    opened.origin = origin
    return opened
