"""What a run is given: the context (opened once, shared with the REPL by path) and the backend.

Every context becomes a file the REPL worker can map: a path is used as it is; text, bytes, stdin
and in-memory `Context`s are written once to a temp file that `OpenedContext.close()` deletes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Union

from rlm._core import Context
from rlm.backends.base import Backend
from rlm.errors import ContextError, UsageError
from rlm.prompts import HEAD_PREVIEW_CHARS, TAIL_PREVIEW_CHARS, ContextSummary

ContextInput = Union[str, bytes, "os.PathLike[str]", Context]

# Count tokens exactly up to this many characters; estimate from samples above it (PERF.md: an
# exact count of 1 GiB takes minutes).
EXACT_TOKEN_CHARS = 200_000
TOKEN_SAMPLES = 16
TOKEN_SAMPLE_CHARS = 4096
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


def summarize(context: Context, count_tokens: Any) -> ContextSummary:
    """Size, token count and preview of `context` for the prompt.

    Tokens are counted exactly for small contexts and estimated from evenly spaced samples for big
    ones (labelled as an estimate). `count_tokens` is the backend's `count_tokens(text) -> int`.

    >>> summarize(Context.from_str("a b c\\nd"), lambda s: len(s.split())).tokens
    4
    """
    chars = len(context)
    lines = context.line_count()
    estimated = chars > EXACT_TOKEN_CHARS
    tokens: int | None
    try:
        if not estimated:
            tokens = count_tokens(context[:])
        else:
            step = chars // TOKEN_SAMPLES
            sampled = counted = 0
            for i in range(TOKEN_SAMPLES):
                piece = context[i * step : i * step + TOKEN_SAMPLE_CHARS]
                sampled += len(piece)
                counted += count_tokens(piece)
            tokens = round(chars * counted / sampled) if sampled else 0
    except Exception:  # a backend without a usable tokenizer: describe without tokens
        tokens = None
    if chars <= HEAD_PREVIEW_CHARS + TAIL_PREVIEW_CHARS:
        head, tail = context[:], ""
    else:
        head, tail = context[:HEAD_PREVIEW_CHARS], context[chars - TAIL_PREVIEW_CHARS :]
    return ContextSummary(chars, lines, tokens, estimated, head, tail)


def load_backend(model: str | os.PathLike[str] | None, *, max_kv_size: int | None = None,
                 seed: int | None = None) -> Backend:
    """The backend named by `--model`: `replay:FILE`, a model directory, a Hugging Face id, or None
    for the bundled default. MLX is imported only for a real model.

    >>> load_backend("replay:/nonexistent.json")
    Traceback (most recent call last):
    ...
    rlm.errors.UsageError: replay file not found: /nonexistent.json
    """
    from rlm.backends.replay import REPLAY_PREFIX, ReplayBackend

    if isinstance(model, str) and model.startswith(REPLAY_PREFIX):
        return ReplayBackend.from_file(model[len(REPLAY_PREFIX) :])
    from rlm.backends import mlx

    spec = os.fspath(model) if model is not None else None
    return mlx.load_backend(spec, max_kv_size=max_kv_size, seed=seed)


def backend_for(model: Any, tokenizer: Any, backend: Backend | None, *,
                max_kv_size: int | None, seed: int | None) -> Backend:
    """The backend `rlm_generate` uses: `backend=` as given, `(model, tokenizer)` objects from
    `mlx_lm.load` wrapped in `MLXBackend`, or a model name/path loaded by `load_backend`.

    >>> from rlm.backends.replay import ReplayBackend
    >>> b = ReplayBackend([]); backend_for(None, None, b, max_kv_size=None, seed=None) is b
    True
    """
    if backend is not None:
        if model is not None:
            raise UsageError("pass either backend= or model/tokenizer, not both")
        return backend
    if model is None or isinstance(model, (str, Path, os.PathLike)):
        return load_backend(model, max_kv_size=max_kv_size, seed=seed)
    if tokenizer is None:
        raise UsageError("a model object needs its tokenizer: model, tokenizer = mlx_lm.load(...)")
    from rlm.backends.mlx import MLXBackend

    return MLXBackend(model, tokenizer, max_kv_size=max_kv_size, seed=seed)
