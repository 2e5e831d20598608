"""The wire format between the driver (session.py) and the REPL worker (worker.py).

Each message is one JSON object, UTF-8, preceded by its length as a 4-byte big-endian unsigned
integer. Messages travel over two dedicated pipes, never over the worker's stdin/stdout, so nothing
the model's code prints (or a C library writes to fd 1) can corrupt the stream.

Driver -> worker: `InitMessage`, `ExecMessage`, `LLMResultMessage`, `ShutdownMessage`.
Worker -> driver: `ReadyMessage`, `LLMQueryMessage`, `DoneMessage`.
Each is a TypedDict declaring its keys, discriminated by "type" (as pydantic-core declares the dict
shapes that cross its boundary): the shapes are checked by mypy on both sides, not at run time.

The driver passes `timeout=` on its own ends of the pipes, which it makes non-blocking: a worker
that stops in the middle of a message (or stops reading) then costs it `timeout` seconds and a
restart, never a hang. The worker blocks (its lifeline watchdog covers a dead driver).

Example:
    >>> r, w = os.pipe()
    >>> send(w, {"type": "shutdown"}); recv(r)
    {'type': 'shutdown'}
"""

from __future__ import annotations

import os
import select
import struct
import time
from json import dumps as _dumps  # bound once: model code that patches `json` cannot break the wire
from json import loads as _loads
from typing import Any, Literal, TypedDict, Union, cast

__all__ = [
    "INTERRUPT_RECORD", "MAX_MESSAGE_BYTES", "ProtocolError", "ProtocolTimeout", "recv", "send",
    "Message", "DriverMessage", "WorkerMessage", "InitMessage", "ExecMessage", "LLMResultMessage",
    "ShutdownMessage", "SandboxRequest", "ContextTree", "ReadyMessage", "LLMQueryMessage", "DoneMessage",
]


# -- driver -> worker ---------------------------------------------------------------------------------

class _InitRequired(TypedDict):
    type: Literal["init"]
    context_path: str | None
    encoding_errors: str  # "strict" or "replace", as Context.open takes
    memory_limit_bytes: int | None
    memory_mode: str  # "auto", "rlimit" or "rss" (rlm.repl.limits)
    max_output_chars: int
    tokenizer_path: str | None


class SandboxRequest(TypedDict):
    """How the worker confines itself (rlm.repl.sandbox) before it opens the context."""

    mode: Literal["auto", "strict", "off"]  # "off" sends no request (rlm.repl.sandbox.SandboxMode)
    temp_dir: str  # the session's private directory, the only writable one


class ContextTree(TypedDict):
    """The file table of a tree context whose joined text is `context_path` (the worker attaches
    it with `Context.open_joined` instead of walking and reading the files again)."""

    root: str | None
    files: list[tuple[str, int, int]]  # (path, start, end): Context.files()
    skipped: list[tuple[str, str]]  # (path, reason): Context.skipped_files()


class InitMessage(_InitRequired, total=False):
    """The first message: what the worker opens and the limits it runs under."""

    sandbox: SandboxRequest
    context_tree: ContextTree


class ExecMessage(TypedDict):
    """Run `code` in the namespace; `id` names the execution an interrupt is meant for."""

    type: Literal["exec"]
    id: int
    code: str


class _LLMResultRequired(TypedDict):
    type: Literal["llm_result"]
    id: int | None  # the llm_query's id
    ok: bool


class LLMResultMessage(_LLMResultRequired, total=False):
    """The answer to an `llm_query`: `text` (one reply per prompt) when ok, else `error`."""

    text: list[str]
    error: str


class ShutdownMessage(TypedDict):
    """Exit the serve loop."""

    type: Literal["shutdown"]


# -- worker -> driver ---------------------------------------------------------------------------------

class _ReadyRequired(TypedDict):
    type: Literal["ready"]
    pid: int
    error: str | None  # why the worker could not start (then it exits)
    error_type: str | None
    memory_limit: str  # how the memory cap is enforced, for the user


class ReadyMessage(_ReadyRequired, total=False):
    """The answer to `init`: started (`memory_mode` says how memory is watched) or failed at
    `stage` ("context" when the context could not be opened)."""

    memory_mode: str  # "rlimit" or "rss"
    stage: str  # "sandbox" when it could not confine itself as asked (`--sandbox strict`)
    sandbox: dict[str, Any]  # the sandbox's report (rlm.repl.sandbox.restrict_worker)


class _LLMQueryRequired(TypedDict):
    type: Literal["llm_query"]
    id: int
    kind: Literal["llm", "rlm"]  # llm_query(_batched), or rlm_query(_batched)
    prompts: list[str]
    batched: bool
    # No other thread of the model's code exists, so the driver answers at once instead of
    # waiting a moment to collect concurrent requests into one batch.
    alone: bool


class LLMQueryMessage(_LLMQueryRequired, total=False):
    """The model's code asks the driver's model: one prompt, or several from llm_query_batched.

    Several may be outstanding at once (threads of the model's code); each reply carries its
    request's id.
    """

    contexts: list[str | None]  # kind "rlm": each prompt's context (None: the prompt itself)


class DoneMessage(TypedDict):
    """One execution finished: its (capped) output and how it ended."""

    type: Literal["done"]
    output: str
    output_chars: int  # before the cap
    error: str | None  # the traceback the model sees
    error_type: str | None
    final: str | None  # the answer, when FINAL / FINAL_VAR / answer["ready"] finished the run
    restored_names: list[str]
    truncated: bool


DriverMessage = Union[InitMessage, ExecMessage, LLMResultMessage, ShutdownMessage]
WorkerMessage = Union[ReadyMessage, LLMQueryMessage, DoneMessage]
Message = Union[DriverMessage, WorkerMessage]

_HEADER = struct.Struct(">I")
# A message is at most a capped exec output or an llm_query prompt; 1 GiB leaves room for large
# prompts while rejecting a corrupted header before it makes us allocate 4 GiB.
MAX_MESSAGE_BYTES = 1 << 30
# The interrupt file (process.WorkerProcess.interrupt) holds one record: the id of the last
# execution the driver interrupted; the worker raises KeyboardInterrupt only in that execution.
INTERRUPT_RECORD = struct.Struct(">Q")


class ProtocolError(EOFError):
    """The other side closed the pipe or sent something that is not a message (it likely died)."""


class ProtocolTimeout(ProtocolError):
    """The other side stopped in the middle of a message, or stopped reading, for `timeout` seconds."""


def _wait(fd: int, deadline: float | None, *, write: bool) -> None:
    """Block until `fd` (non-blocking) can be read or written, or raise ProtocolTimeout at `deadline`."""
    remaining = None if deadline is None else deadline - time.monotonic()
    if remaining is not None and remaining <= 0:
        raise ProtocolTimeout("the other side stopped in the middle of a message")
    readable, writable, _ = select.select([] if write else [fd], [fd] if write else [], [], remaining)
    if not (readable or writable):
        raise ProtocolTimeout("the other side stopped in the middle of a message")


def send(fd: int, message: Message, timeout: float | None = None) -> None:
    """Write one message to the pipe `fd` (blocking until all of it is written).

    With `timeout` (for a non-blocking `fd`), raise ProtocolTimeout if the reader has not taken the
    whole message within `timeout` seconds.

    Example:
        >>> r, w = os.pipe()
        >>> send(w, {"type": "exec", "id": 1, "code": "print(1)"}); recv(r)["code"]
        'print(1)'
        >>> os.close(r); os.close(w)
    """
    body = _dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    data = _HEADER.pack(len(body)) + body
    view = memoryview(data)
    deadline = None if timeout is None else time.monotonic() + timeout
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            _wait(fd, deadline, write=True)
            continue
        view = view[written:]


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes:
    parts: list[bytes] = []
    remaining = n
    while remaining:
        try:
            chunk = os.read(fd, min(remaining, 1 << 20))
        except BlockingIOError:
            _wait(fd, deadline, write=False)
            continue
        if not chunk:
            raise ProtocolError("pipe closed")
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)


def recv(fd: int, timeout: float | None = None) -> Message:
    """Read one message from the pipe `fd`; raise ProtocolError on end of file or garbage.

    With `timeout` (for a non-blocking `fd`), raise ProtocolTimeout if the whole message has not
    arrived within `timeout` seconds.

    The result is typed by its declared shape; only "type" is checked here (each side narrows
    on it and reads the keys its TypedDict declares).

    Example:
        >>> r, w = os.pipe(); send(w, {"type": "shutdown"})
        >>> recv(r)["type"]
        'shutdown'
        >>> os.close(r); os.close(w)
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    (length,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    if length > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {length} bytes exceeds the {MAX_MESSAGE_BYTES}-byte limit")
    try:
        message = _loads(_read_exact(fd, length, deadline).decode("utf-8", "surrogatepass"))
    except ValueError as exc:
        raise ProtocolError(f"malformed message: {exc}") from None
    if not isinstance(message, dict) or "type" not in message:
        raise ProtocolError("message is not an object with a type")
    return cast(Message, message)
