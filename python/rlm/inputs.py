"""Opening the context a run is given: once, in the driver, shared with the REPL worker by path.

Every context becomes a file the REPL worker can map: a path is used as it is; text, bytes, stdin
and in-memory `Context`s are written once to a temp file that `OpenedContext.close()` deletes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from typing import IO, Any, Union

from rlm._core import Context
from rlm.errors import ContextError, UsageError

ContextInput = Union[str, bytes, "os.PathLike[str]", Context]

ENCODING_HINT = "on the command line: --encoding-errors replace"


@dataclass
class OpenedContext:
    """A context ready for a run: the driver's `Context` and the file the REPL worker maps."""

    context: Context
    path: str  # what the REPL worker opens
    source: str  # "file", "text", "bytes", "stdin" or "context"
    temporary: bool  # `path` is ours and is deleted by close()

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

    def describe(self) -> dict[str, Any]:
        """Size and origin for the trajectory (a temp file's path is left out: it is gone later)."""
        return {
            "source": self.source,
            "path": None if self.temporary else self.path,
            "bytes": os.path.getsize(self.path),
            "chars": len(self.context),
            "lines": self.context.line_count(),
            "replaced_invalid_utf8": bool(getattr(self.context, "replaced", False)),
        }


def _temp_path() -> tuple[int, str]:
    return tempfile.mkstemp(prefix="rlm-context-", suffix=".txt")


def _open_file(path: str, encoding_errors: str, *, source: str, temporary: bool) -> OpenedContext:
    try:
        if encoding_errors == "strict":
            context = Context.open(path)
        else:
            context = Context.open(path, errors="replace")
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


def check_readable_file(path: str | os.PathLike[str]) -> str:
    """`path` as a string if it names a readable regular file, else a `UsageError` saying why.

    >>> check_readable_file("/nonexistent/notes.txt")
    Traceback (most recent call last):
    ...
    rlm.errors.UsageError: context file not found: /nonexistent/notes.txt
    """
    p = os.fspath(path)
    if not os.path.exists(p):
        raise UsageError(f"context file not found: {p}")
    if os.path.isdir(p):
        raise UsageError(f"context file is a directory: {p}; pass a file")
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


def open_context(value: ContextInput, encoding_errors: str = "strict") -> OpenedContext:
    """Open any accepted context: text, UTF-8 bytes, a path, or a `Context`.

    >>> with open_context("The secret code is 42.") as c: (len(c.context), c.source)
    (22, 'text')
    """
    if isinstance(value, Context):
        if value.path is not None and not value.replaced:
            return OpenedContext(value, value.path, "file", temporary=False)
        fd, path = _temp_path()
        os.close(fd)
        value.save(path)  # an owned or lossily decoded text: the worker needs it as a file
        return _open_file(path, "strict", source="context", temporary=True)
    if isinstance(value, str):
        return _open_file(_write_temp(value.encode("utf-8")), "strict", source="text",
                          temporary=True)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _open_file(_write_temp(bytes(value)), encoding_errors, source="bytes",
                          temporary=True)
    if isinstance(value, os.PathLike):
        path = check_readable_file(value)
        return _open_file(path, encoding_errors, source="file", temporary=False)
    raise UsageError(
        f"context must be str, bytes, a path or rlm.Context, not {type(value).__name__}"
    )


def open_stream(stream: IO[bytes], encoding_errors: str = "strict") -> OpenedContext:
    """Copy a byte stream (stdin) to a temp file in pieces, then open it: no whole copy in memory.

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
    return _open_file(path, encoding_errors, source="stdin", temporary=True)
