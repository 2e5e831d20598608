"""One exception hierarchy for mlx-rlm; every message says what to do next."""

from __future__ import annotations

import sys
import traceback


class RLMError(Exception):
    """Base class of every error mlx-rlm raises on purpose."""


class ContextError(RLMError):
    """The context could not be opened or is not text (e.g. invalid UTF-8)."""


class ContextTooLargeError(RLMError):
    """An operation would materialise more of the context than the configured limit."""


class UnsupportedPatternError(RLMError):
    """The Rust regex engine cannot run this pattern (backreferences, look-around)."""


class MalformedRecordError(RLMError, ValueError):
    """A JSON Lines record is not JSON (`context.records(errors="raise")`); `line_number` says where."""

    def __init__(self, message: str, line_number: int) -> None:
        super().__init__(message)
        self.line_number = line_number


class TokenizerError(RLMError):
    """A tokenizer.json is not one the Rust tokenizer reproduces exactly (use `tokenizers`)."""


class BackendError(RLMError):
    """The model backend failed (load, generation, prompt longer than its window)."""


class ModelInstallError(RLMError):
    """A bundled model could not be installed (disk, network, checksum)."""


class UsageError(RLMError):
    """Bad input from the user: the CLI maps it to exit code 2."""


class ReplError(RLMError):
    """The REPL worker could not start or was used after close() (not errors in model code)."""


class SandboxError(RLMError):
    """The REPL's sandbox could not be applied as asked (`--sandbox strict` on a system without it)."""


class BudgetExhaustedError(RLMError):
    """A run budget (llm_query calls, tokens, wall time) is used up; the model is asked to answer."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, delivered like Ctrl-C so a run stops the same clean way (trajectory written)."""


EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143


def exit_code(exc: BaseException) -> int:
    """The exit code a command returns when it stops on `exc`.

    Usage and input errors give 2, other failures 1, Ctrl-C 130, SIGTERM 143.

    >>> exit_code(ContextError("invalid UTF-8")), exit_code(BackendError("no model"))
    (2, 1)
    """
    if isinstance(exc, Terminated):
        return EXIT_TERMINATED
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(exc, (UsageError, ContextError)):
        return EXIT_USAGE
    return EXIT_FAILED


def cli_failure(prog: str, exc: BaseException, interrupted: str = "interrupted", *,
                verbose: bool = False) -> int:
    """Say on stderr, in one line, why the `prog` command stopped; return its exit code.

    Errors print as `PROG: error: MESSAGE` (an unexpected exception's type is named; `verbose`
    adds the traceback); Ctrl-C as `PROG: ` followed by `interrupted` (a command may say there
    what it left behind); SIGTERM as `PROG: terminated`.

    Example:
        >>> cli_failure("rlm eval", UsageError("--seeds must be at least 1"))
        2
    """
    if isinstance(exc, Terminated):
        print(f"{prog}: terminated", file=sys.stderr)
    elif isinstance(exc, KeyboardInterrupt):
        print(f"{prog}: {interrupted}", file=sys.stderr)
    else:
        if verbose:
            traceback.print_exception(exc, file=sys.stderr)
        message = str(exc) if isinstance(exc, RLMError) else f"{type(exc).__name__}: {exc}"
        first_line = message.strip().splitlines()[0] if message.strip() else "unknown error"
        print(f"{prog}: error: {first_line}", file=sys.stderr)
    return exit_code(exc)
