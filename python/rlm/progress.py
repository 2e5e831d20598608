"""Progress bars on stderr (rich), only where a person is watching: never on stdout, off when
stderr is not a terminal, with `--quiet`, with `TERM=dumb`, or with `RLM_PROGRESS=0`.

One bar per `Progress`; `log()` prints a line above the live bar (or, with the bar off, as a plain
line on the stream), so a command's log lines read the same either way:

    with Progress("eval", total=len(tasks)) as bar:
        for task in tasks:
            result = run(task)
            bar.log(f"{task.id}: score {result.score:.2f}")
            bar.advance(description=f"eval · mean score {mean:.2f}")

    with Progress("downloading", total=size, unit="bytes") as bar:
        for chunk in chunks:
            bar.advance(len(chunk))

`track(iterable, description)` wraps a loop. `ProgressReader` counts the bytes read from a stream.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import IO, Any, Literal, TextIO, TypeVar

Unit = Literal["items", "bytes"]
T = TypeVar("T")


def progress_enabled(stream: TextIO | None = None, *, quiet: bool = False) -> bool:
    """Whether a live bar may be drawn on `stream` (default: stderr).

    >>> import io
    >>> progress_enabled(io.StringIO()), progress_enabled(sys.stderr, quiet=True)
    (False, False)
    """
    stream = sys.stderr if stream is None else stream
    if quiet or stream is None or os.environ.get("RLM_PROGRESS", "").strip() == "0":
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # a closed stream
        return False


class Progress:
    """A progress bar on stderr that is a no-op where a bar must not be drawn.

    `total=None` draws a spinner with the elapsed time (work of unknown size). `unit="bytes"`
    shows sizes and a transfer rate. `enabled` overrides the terminal check (tests; callers
    that know better); `quiet=True` always turns the bar off.

    >>> import io
    >>> with Progress("work", total=2, stream=io.StringIO()) as bar:
    ...     bar.advance(); bar.advance()
    ...     bar.completed
    2.0
    """

    def __init__(self, description: str, total: float | None = None, *, unit: Unit = "items",
                 quiet: bool = False, enabled: bool | None = None, stream: TextIO | None = None,
                 transient: bool = False) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.enabled = (progress_enabled(self.stream, quiet=quiet) if enabled is None
                        else enabled and not quiet)
        self.description = description
        self.total = total
        self.unit = unit
        self.completed = 0.0
        self.transient = transient
        self._bar: Any = None  # rich.progress.Progress while running
        self._task: Any = None

    def __enter__(self) -> Progress:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def start(self) -> None:
        """Start drawing (entering the `with` block does it; call it later to show a bar late)."""
        if self.enabled and self._bar is None:
            self._start()

    def _start(self) -> None:
        # rich is imported only when a bar is drawn: commands piped to files never pay for it.
        from rich.console import Console
        from rich.progress import (BarColumn, DownloadColumn, MofNCompleteColumn,
                                   SpinnerColumn, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn, TransferSpeedColumn)
        from rich.progress import Progress as RichProgress

        console = Console(file=self.stream, force_terminal=True, highlight=False)
        columns: list[Any] = [SpinnerColumn(), TextColumn("{task.description}")]
        if self.total is not None:
            columns.append(BarColumn())
        if self.unit == "bytes":
            columns += [DownloadColumn(), TransferSpeedColumn()]
        elif self.total is not None:
            columns.append(MofNCompleteColumn())
        columns.append(TimeElapsedColumn() if self.total is None else TimeRemainingColumn())
        self._bar = RichProgress(*columns, console=console, transient=self.transient,
                                 refresh_per_second=8)
        self._bar.start()
        self._task = self._bar.add_task(self.description, total=self.total)

    def advance(self, amount: float = 1.0, *, description: str | None = None) -> None:
        """Count `amount` more done (and optionally change the text before the bar)."""
        self.update(completed=self.completed + amount, description=description)

    def update(self, *, completed: float | None = None, total: float | None = None,
               description: str | None = None) -> None:
        """Set how much is done, the total (e.g. once known) or the description."""
        if completed is not None:
            self.completed = float(completed)
        if total is not None:
            self.total = total
        if description is not None:
            self.description = description
        if self._bar is not None:
            self._bar.update(self._task, completed=self.completed, total=self.total,
                             description=self.description)

    def log(self, message: str) -> None:
        """A line above the bar, or a plain line on the stream when the bar is off."""
        if self._bar is not None:
            self._bar.console.print(message, markup=False, highlight=False, soft_wrap=True)
        else:
            print(message, file=self.stream, flush=True)

    def close(self) -> None:
        """Stop drawing (the finished bar stays on screen unless `transient`)."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def track(items: Iterable[T], description: str, total: float | None = None, **options: Any
          ) -> Iterator[T]:
    """Yield from `items` with a bar advancing once per item (`options` go to `Progress`).

    >>> import io
    >>> list(track([1, 2], "items", stream=io.StringIO()))
    [1, 2]
    """
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with Progress(description, total=total, **options) as bar:
        for item in items:
            yield item
            bar.advance()


class ProgressReader:
    """A binary stream wrapper that advances `bar` by the bytes read through it, and starts
    drawing it only once `start_after` bytes went by (small inputs show no bar at all).

    >>> import io
    >>> bar = Progress("reading", unit="bytes", stream=io.StringIO())
    >>> ProgressReader(io.BytesIO(b"abc"), bar).read(), bar.completed
    (b'abc', 3.0)
    """

    def __init__(self, raw: IO[bytes], bar: Progress, start_after: int = 0) -> None:
        self.raw = raw
        self.bar = bar
        self.start_after = start_after

    def _count(self, n: int) -> None:
        self.bar.advance(n)
        if self.bar.completed >= self.start_after:
            self.bar.start()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        if data:
            self._count(len(data))
        return data

    def readinto(self, buffer: Any) -> int:
        n = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        if n:
            self._count(n)
        return n or 0
