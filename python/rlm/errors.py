"""One exception hierarchy for mlx-rlm; every message says what to do next."""

from __future__ import annotations

import sys


class RLMError(Exception):
    """Base class of every error mlx-rlm raises on purpose."""


class ContextError(RLMError):
    """The context could not be opened or is not text (e.g. invalid UTF-8)."""


class ContextTooLargeError(RLMError):
    """An operation would materialise more of the context than the configured limit."""


class UnsupportedPatternError(RLMError):
    """The Rust regex engine cannot run this pattern (backreferences, look-around)."""


class BackendError(RLMError):
    """The model backend failed (load, generation, prompt longer than its window)."""


class ModelInstallError(RLMError):
    """A bundled model could not be installed (disk, network, checksum)."""


class UsageError(RLMError):
    """Bad input from the user: the CLI maps it to exit code 2."""


class ReplError(RLMError):
    """The REPL worker could not start or was used after close() (not errors in model code)."""


class BudgetExhaustedError(RLMError):
    """A run budget (llm_query calls, tokens, wall time) is used up; the model is asked to answer."""


def cli_failure(
    prog: str, exc: RLMError | KeyboardInterrupt, interrupted: str = "interrupted"
) -> int:
    """Say on stderr, in one line, why the `prog` command stopped; return its exit code.

    `UsageError` gives 2 and any other `RLMError` 1, both as `PROG: error: MESSAGE`; Ctrl-C gives
    130 as `PROG: ` followed by `interrupted` (a command may say there what it left behind).

    Example:
        >>> cli_failure("rlm eval", UsageError("--seeds must be at least 1"))
        2
    """
    if isinstance(exc, KeyboardInterrupt):
        print(f"{prog}: {interrupted}", file=sys.stderr)
        return 130
    print(f"{prog}: error: {exc}", file=sys.stderr)
    return 2 if isinstance(exc, UsageError) else 1
