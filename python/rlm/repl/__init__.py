"""The out-of-process REPL that runs model-written code: `ReplSession` (driver) and its worker."""

from rlm.repl.session import ExecResult, LLMCallRecord, ReplSession

__all__ = ["ExecResult", "LLMCallRecord", "ReplSession"]
