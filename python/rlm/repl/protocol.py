"""The wire format between the driver (session.py) and the REPL worker (worker.py).

Each message is one JSON object, UTF-8, preceded by its length as a 4-byte big-endian unsigned
integer. Messages travel over two dedicated pipes, never over the worker's stdin/stdout, so nothing
the model's code prints (or a C library writes to fd 1) can corrupt the stream.

Driver -> worker:
    {"type": "init", "context_path": str | None, "encoding_errors": str, "memory_limit_bytes":
     int | None, "memory_mode": str, "max_output_chars": int, "tokenizer_path": str | None}
    {"type": "exec", "code": str}
    {"type": "llm_result", "id": int, "ok": bool, "text": list[str], "error": str}
    {"type": "shutdown"}
Worker -> driver:
    {"type": "ready", "pid": int, "error": str | None, "error_type": str | None, "stage": str,
     "memory_limit": str, "memory_mode": "rlimit" | "rss"}
    {"type": "llm_query", "id": int, "prompts": list[str], "batched": bool}
    {"type": "done", "output": str, "output_chars": int, "error": str | None,
     "error_type": str | None, "final": str | None, "restored_names": list[str], "truncated": bool}

Example:
    >>> r, w = os.pipe()
    >>> send(w, {"type": "shutdown"}); recv(r)
    {'type': 'shutdown'}
"""

from __future__ import annotations

import os
import struct
from json import dumps as _dumps  # bound once: model code that patches `json` cannot break the wire
from json import loads as _loads
from typing import Any

__all__ = ["ProtocolError", "recv", "send", "MAX_MESSAGE_BYTES"]

_HEADER = struct.Struct(">I")
# A message is at most a capped exec output or an llm_query prompt; 1 GiB leaves room for large
# prompts while rejecting a corrupted header before it makes us allocate 4 GiB.
MAX_MESSAGE_BYTES = 1 << 30


class ProtocolError(EOFError):
    """The other side closed the pipe or sent something that is not a message (it likely died)."""


def send(fd: int, message: dict[str, Any]) -> None:
    """Write one message to the pipe `fd` (blocking until all of it is written).

    Example:
        >>> send(w, {"type": "exec", "code": "print(1)"})
    """
    body = _dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    data = _HEADER.pack(len(body)) + body
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exact(fd: int, n: int) -> bytes:
    parts: list[bytes] = []
    remaining = n
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise ProtocolError("pipe closed")
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)


def recv(fd: int) -> dict[str, Any]:
    """Read one message from the pipe `fd`; raise ProtocolError on end of file or garbage.

    Example:
        >>> recv(r)["type"]
        'done'
    """
    (length,) = _HEADER.unpack(_read_exact(fd, _HEADER.size))
    if length > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {length} bytes exceeds the {MAX_MESSAGE_BYTES}-byte limit")
    try:
        message = _loads(_read_exact(fd, length).decode("utf-8", "surrogatepass"))
    except ValueError as exc:
        raise ProtocolError(f"malformed message: {exc}") from None
    if not isinstance(message, dict) or "type" not in message:
        raise ProtocolError("message is not an object with a type")
    return message
