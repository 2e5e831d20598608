"""One background asyncio event loop for the HTTP backend, usable from any thread.

The engine is synchronous and calls a backend from whichever thread asks: the main thread (the
REPL's request handler), an `rlm_query_batched` child's thread, or code that already runs an
asyncio loop of its own (a notebook, an async web handler). `asyncio.run` refuses the last case
and would give every call a fresh loop and connection pool in the others, so the backend's
coroutines run on one loop in a daemon thread, started on first use: `run(coro)` blocks its
caller until the coroutine is done, whatever the caller's thread has running. One loop also lets
every request of a backend share one `asyncio.Semaphore` (`--max-concurrency`), however many
threads are asking at once.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Coroutine, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None


def shared_loop() -> asyncio.AbstractEventLoop:
    """The running background loop, started on first use (again after a fork: threads do not
    survive one).

    >>> shared_loop().is_running()
    True
    """
    global _loop, _thread
    with _lock:
        if _loop is None or _thread is None or not _thread.is_alive():
            _loop = asyncio.new_event_loop()
            _thread = threading.Thread(target=_loop.run_forever, name="rlm-http-loop", daemon=True)
            _thread.start()
        return _loop


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` on the shared loop; return its result or raise its exception, in the caller.

    An exception that interrupts the waiting caller (Ctrl-C's KeyboardInterrupt, the CLI's
    SIGTERM exception) cancels the coroutine, which closes its open streams.

    >>> async def two() -> int:
    ...     return 2
    >>> run(two())
    2
    """
    if threading.current_thread() is _thread:
        coro.close()
        raise RuntimeError("event_loop.run() called from the shared loop itself: it would wait forever")
    future = asyncio.run_coroutine_threadsafe(coro, shared_loop())
    try:
        return future.result()
    except BaseException:
        future.cancel()  # a no-op when the coroutine itself raised
        raise
