"""The out-of-process REPL that runs model-written code: `ReplSession` (driver) and its worker.

The names are loaded lazily so that the worker process, which imports `rlm.repl.worker`, does not
pay for the driver's imports (subprocess, tempfile, ...) at every start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rlm.repl.session import ExecResult, LLMCallRecord, ReplSession

__all__ = ["ExecResult", "LLMCallRecord", "ReplSession"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from rlm.repl import session

        return getattr(session, name)
    raise AttributeError(f"module 'rlm.repl' has no attribute {name!r}")
