"""The wire format between the driver (session.py) and the REPL worker (worker.py).

Each message is one JSON object, UTF-8, preceded by its length as a 4-byte big-endian unsigned
integer. Messages travel over two dedicated pipes, never over the worker's stdin/stdout, so nothing
the model's code prints (or a C library writes to fd 1) can corrupt the stream.

Driver -> worker:
    {"type": "init", "context_path": str | None, "encoding_errors": str, "memory_limit_bytes":
     int | None, "memory_mode": str, "max_output_chars": int, "tokenizer_path": str | None}
    {"type": "exec", "id": int, "code": str}
    {"type": "llm_result", "id": int, "ok": bool, "text": list[str], "error": str}
    {"type": "shutdown"}
Worker -> driver:
    {"type": "ready", "pid": int, "error": str | None, "error_type": str | None, "stage": str,
     "memory_limit": str, "memory_mode": "rlimit" | "rss"}
    {"type": "llm_query", "id": int, "prompts": list[str], "batched": bool}
    {"type": "done", "output": str, "output_chars": int, "error": str | None,
     "error_type": str | None, "final": str | None, "restored_names": list[str], "truncated": bool}

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
from typing import Any

__all__ = ["INTERRUPT_RECORD", "MAX_MESSAGE_BYTES", "ProtocolError", "ProtocolTimeout", "recv", "send"]

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


def send(fd: int, message: dict[str, Any], timeout: float | None = None) -> None:
    """Write one message to the pipe `fd` (blocking until all of it is written).

    With `timeout` (for a non-blocking `fd`), raise ProtocolTimeout if the reader has not taken the
    whole message within `timeout` seconds.

    Example:
        >>> send(w, {"type": "exec", "code": "print(1)"})
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


def recv(fd: int, timeout: float | None = None) -> dict[str, Any]:
    """Read one message from the pipe `fd`; raise ProtocolError on end of file or garbage.

    With `timeout` (for a non-blocking `fd`), raise ProtocolTimeout if the whole message has not
    arrived within `timeout` seconds.

    Example:
        >>> recv(r)["type"]
        'done'
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
    return message
