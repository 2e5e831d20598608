"""Capped output capture for the REPL worker: keeps the head and the tail, counts the rest.

A `print` of a gigabyte must cost the worker no more than the cap, and the driver never sees more
than `max_chars` characters plus a marker that says how many were cut.
"""

from __future__ import annotations

import io
import os
import sys

__all__ = ["OutputCapture", "truncation_marker"]


def truncation_marker(cut: int, total: int) -> str:
    """The line that replaces the middle of a truncated output.

    Example:
        >>> truncation_marker(5000, 15000)
        '\\n[... 5,000 of 15,000 characters cut from the middle of the output; print less ...]\\n'
    """
    return (f"\n[... {cut:,} of {total:,} characters cut from the middle of the output; "
            f"print less (slices, counts, first matches) ...]\n")


class _BytesView:
    """The `.buffer` of an OutputCapture: bytes in, text out."""

    def __init__(self, text: OutputCapture) -> None:
        self._text = text

    def write(self, data: bytes) -> int:
        self._text.write(bytes(data).decode("utf-8", "replace"))
        return len(data)

    def flush(self) -> None:
        pass


class OutputCapture(io.TextIOBase):
    """A text stream for sys.stdout/sys.stderr that keeps at most `max_chars` characters.

    Example:
        >>> out = OutputCapture(10); _ = out.write("0123456789abcdef"); out.result()[1]
        16
    """

    def __init__(self, max_chars: int) -> None:
        super().__init__()
        self.max_chars = max(int(max_chars), 2)
        self.head_cap = self.max_chars // 2
        self.tail_cap = self.max_chars - self.head_cap
        self.head: list[str] = []
        self.head_len = 0
        self.tail: list[str] = []
        self.tail_len = 0
        self.total = 0

    def writable(self) -> bool:
        return True

    @property
    def buffer(self) -> _BytesView:
        """`sys.stdout.buffer.write(b"...")` works too (decoded as UTF-8, invalid bytes replaced)."""
        return _BytesView(self)

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def write(self, s: str) -> int:
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        n = len(s)
        self.total += n
        if self.head_len < self.head_cap:
            take = s[: self.head_cap - self.head_len]
            self.head.append(take)
            self.head_len += len(take)
            s = s[len(take):]
        if s:
            s = s[-self.tail_cap:]
            self.tail.append(s)
            self.tail_len += len(s)
            if self.tail_len > 2 * self.tail_cap:  # compact now and then: amortised O(1) per char
                joined = "".join(self.tail)[-self.tail_cap:]
                self.tail = [joined]
                self.tail_len = len(joined)
        return n

    def append_fd_output(self, fd: int, start: int) -> None:
        """Add what was written to file `fd` (a regular file) since offset `start`, then empty it.

        Only the bytes the cap can keep are read; the middle of a huge write is counted, not read.
        """
        for stream in (sys.__stdout__, sys.__stderr__):
            try:
                if stream is not None:
                    stream.flush()
            except (OSError, ValueError):
                pass
        try:
            end = os.lseek(fd, 0, os.SEEK_CUR)
        except OSError:
            return  # not a seekable file (worker started by hand): nothing to collect
        size = end - start
        if size <= 0:
            return
        window = 4 * self.max_chars  # a character is at most 4 UTF-8 bytes
        if size <= 2 * window:
            self.write(os.pread(fd, size, start).decode("utf-8", "replace"))
        else:
            self.write(os.pread(fd, window, start).decode("utf-8", "replace"))
            self.total += size - 2 * window  # bytes stand in for characters in the skipped middle
            self.write(os.pread(fd, window, end - window).decode("utf-8", "replace"))
        try:
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
        except OSError:
            pass

    def result(self) -> tuple[str, int]:
        """(text to show, total characters written); the text is truncated with a marker if needed."""
        head = "".join(self.head)
        tail = "".join(self.tail)[-self.tail_cap:] if self.tail else ""
        if self.total <= self.max_chars:
            return head + tail, self.total
        cut = self.total - len(head) - len(tail)
        return head + truncation_marker(cut, self.total) + tail, self.total
