"""The `rlm` / `mlx_lm.rlm` / `python -m rlm` command line.

    rlm -t TASK [-f FILE | -c TEXT | < stdin] [--model M] [options]   answer TASK over the context
    rlm chat (-f FILE | -c TEXT) [options] < questions                 one answer per question line
    rlm models ...                                                    manage the bundled models
    rlm eval ...                                                      synthetic-task evaluation
    rlm view RUN.json [-o RUN.html] [--open]                          a trajectory as an HTML page
    rlm chunk-bench -f FILE [--strategy S ...] [--size N] [--json]    compare chunking strategies

The answer alone goes to stdout (or one JSON object with `--json`); progress (`-v`) and errors go
to stderr. Exit codes: 0 answered, 1 run failed or budget exhausted without an answer, 2 usage or
input error, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM; stops as cleanly as Ctrl-C).
"""

from __future__ import annotations

import argparse
import importlib
import json
import signal
import sys
import threading
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any, Callable, NoReturn, Sequence, TypeVar

from rlm.config import RLMConfig, RLMResponse
from rlm.config import check_task
from rlm.errors import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    RLMError,
    Terminated,
    UsageError,
    cli_failure,
)

if TYPE_CHECKING:
    from rlm.inputs import OpenedContext

T = TypeVar("T")
# Contexts at least this big get a progress display while they are read or opened.
BIG_CONTEXT_BYTES = 256 << 20
# First argv words that hand the whole command line to another area's CLI.
SUBCOMMANDS = {"models": "rlm.models.cli", "eval": "rlm.eval.cli", "view": "rlm.view.cli",
               "chunk-bench": "rlm.chunk_bench", "chat": "rlm.chat"}


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (`rlm: error: ...`) instead of usage + message."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _number(kind: type, minimum: float, inclusive: bool) -> Callable[[str], Any]:
    """A converter for numbers of `kind` at least `minimum` (or above it), with a clear message."""
    bound = f"{minimum:g} or more" if inclusive else f"a number above {minimum:g}"
    noun = "a whole number" if kind is int else "a number"

    def convert(text: str) -> int | float:
        try:
            value: int | float = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {noun}, got {text!r}") from None
        if not (value >= minimum if inclusive else value > minimum):
            raise argparse.ArgumentTypeError(f"expected {bound}, got {text}")
        return value

    return convert


_positive_int = _number(int, 0, inclusive=False)
_non_negative_int = _number(int, 0, inclusive=True)
_positive_float = _number(float, 0, inclusive=False)


def _version() -> str:
    import rlm

    return rlm.__version__


def setup_arg_parser() -> argparse.ArgumentParser:
    """The argument parser of the main form (`rlm -t TASK ...`).

    Example:
        >>> setup_arg_parser().parse_args(["-t", "Find the code", "-c", "code: 42"]).max_iterations
        20
    """
    p = _Parser(
        prog="rlm",
        description="Answer a task over a huge context with a Recursive Language Model: the model "
        "writes Python that searches the context in a REPL, then answers with FINAL(...).",
        epilog="Other commands: `rlm models --help` (bundled models), `rlm eval --help` "
        "(evaluation), `rlm view --help` (a trajectory as HTML), `rlm chunk-bench --help` (chunking "
        "strategies compared). Exit codes: 0 answered, 1 no "
        "answer, 2 usage or input error, 130 Ctrl-C.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    p.add_argument("--task", "-t", required=True, help="what to do with the context")
    add_context_options(p, "; without -c or -f the context is read from stdin when it is not a terminal")
    add_run_options(p)
    p.add_argument("--output-trajectory", "-o", metavar="PATH",
                   help="write the run's trajectory as JSON to PATH (after every turn)")
    p.add_argument("--json", action="store_true",
                   help="print the whole response as one JSON object instead of the answer")
    add_display_options(p)
    return p


def add_context_options(p: argparse.ArgumentParser, file_note: str = "", *,
                        required: bool = False) -> None:
    """`--context/-c TEXT`, `--context-file/-f FILE` or `--context-glob PATTERN` (repeatable): one
    of them (`required` for `rlm chat`).

    Example: `add_context_options(parser, required=True)`.
    """
    src = p.add_mutually_exclusive_group(required=required)
    src.add_argument("--context", "-c", metavar="TEXT", help="the context as text")
    src.add_argument("--context-file", "-f", metavar="FILE",
                     help="a UTF-8 file to use as the context (memory-mapped, not copied), or a "
                     "directory: its text files, picked as ripgrep does, each after a "
                     "'# FILE: path' line" + file_note)
    src.add_argument("--context-glob", metavar="PATTERN", action="append",
                     help="files matching a glob (** spans directories; quote it), as one "
                     "context with a '# FILE: path' line before each, like a directory; "
                     "repeatable")
    p.add_argument("--jsonl", action="store_true",
                   help="read the context as JSON Lines whatever its name (stdin, a pipe, -c, a "
                   "file not named .jsonl/.ndjson): context.records(), grep(field=)")


def add_run_options(p: argparse.ArgumentParser) -> None:
    """The model and the run's budgets and sampling: every option `config_from_args` reads but
    -v/-q (shared by `rlm` and `rlm chat`).

    Example: `add_run_options(parser)`.
    """
    defaults = RLMConfig()
    p.add_argument("--model", default=None, metavar="MODEL",
                   help="MLX model directory, Hugging Face repo, or replay:FILE.json "
                   "(default: the bundled model, installed on first use)")
    p.add_argument("--backend", choices=("mlx", "openai"), default=None,
                   help="mlx: the model in this process (the default without --base-url); openai: an "
                   "OpenAI-compatible server at --base-url (mlx_lm.server, vLLM, SGLang, llama.cpp, "
                   "a hosted API; the default with --base-url)")
    p.add_argument("--base-url", metavar="URL", help="the server's URL, e.g. http://127.0.0.1:8080/v1")
    p.add_argument("--request-timeout", type=_positive_float, metavar="SECS", default=300.0,
                   help="openai backend: longest wait for the server's next streamed piece (connecting: 10 s) "
                   "(default: %(default)s)")
    p.add_argument("--api-key-env", metavar="VAR", default="OPENAI_API_KEY",
                   help="environment variable holding the API key (default: %(default)s; never "
                   "passed to the REPL)")
    p.add_argument("--max-concurrency", type=_positive_int, metavar="N", default=8,
                   help="requests in flight at once for batched sub-calls over HTTP (default: %(default)s)")
    p.add_argument("--sub-model", metavar="MODEL",
                   help="another model for llm_query sub-calls (same backend kind as the root)")
    p.add_argument("--sub-base-url", metavar="URL",
                   help="an OpenAI-compatible server for the sub-calls (default: --base-url)")
    p.add_argument("--max-iterations", type=_positive_int, metavar="N", default=defaults.max_iterations,
                   help="root turns before a last turn asks for the best answer (default: %(default)s)")
    p.add_argument("--max-tokens", "-m", type=_positive_int, metavar="N", default=defaults.max_tokens_per_turn,
                   help="tokens generated per root turn (default: %(default)s)")
    p.add_argument("--sub-max-tokens", type=_positive_int, metavar="N", default=defaults.sub_max_tokens,
                   help="tokens generated per llm_query sub-call (default: %(default)s)")
    p.add_argument("--temp", type=float, metavar="T", default=defaults.temp,
                   help="sampling temperature (default: %(default)s, greedy)")
    p.add_argument("--top-p", type=float, metavar="P", default=defaults.top_p,
                   help="nucleus sampling (default: %(default)s, off)")
    p.add_argument("--top-k", type=_non_negative_int, metavar="K", default=defaults.top_k,
                   help="top-k sampling (default: %(default)s, off)")
    p.add_argument("--seed", type=int, metavar="N", default=None, help="random seed for sampling")
    p.add_argument("--max-kv-size", type=_positive_int, metavar="N", default=None,
                   help="rotating KV cache size in tokens (keeps the system prompt)")
    p.add_argument("--timeout", type=_positive_float, metavar="SECS", default=defaults.exec_timeout,
                   help="seconds each code execution may run, sub-calls not counted "
                   "(default: %(default)s)")
    p.add_argument("--max-llm-calls", type=_non_negative_int, metavar="N", default=defaults.max_llm_calls,
                   help="llm_query sub-calls per run (default: %(default)s)")
    p.add_argument("--max-batch", type=_positive_int, metavar="N", default=defaults.max_batch,
                   help="sub-calls (llm_query_batched, llm_query from threads) decoded at once; "
                   "fewer when memory would not hold them (default: %(default)s)")
    p.add_argument("--max-depth", type=_positive_int, metavar="N", default=defaults.max_depth,
                   help="rlm_query starts a child RLM run up to this depth; at the limit it is a plain "
                   "llm_query (default: %(default)s: no child runs)")
    p.add_argument("--max-time", type=_positive_float, metavar="SECS", default=None,
                   help="wall-clock budget of the whole run; when used up, one last turn asks "
                   "for the best answer")
    p.add_argument("--max-output-chars", type=_positive_int, metavar="N", default=defaults.max_output_chars,
                   help="REPL output shown to the model per turn, head + tail (default: %(default)s)")
    p.add_argument("--encoding-errors", choices=("strict", "replace"), metavar="{strict,replace}",
                   default=defaults.encoding_errors,
                   help="invalid UTF-8 in the context: stop with an error naming the offset "
                   "(strict, default) or decode it as U+FFFD (replace)")
    p.add_argument("--mode", choices=("rlm", "direct", "auto"), default=defaults.mode,
                   help="rlm: the model explores the context with code (default); direct: the "
                   "context in the prompt, one answer (its head, if it does not fit); auto: direct "
                   "for a small context, rlm otherwise")
    p.add_argument("--no-search-hints", dest="search_hints", action="store_false",
                   help="do not show, in the first message, the lines that share the most words "
                   "with the task (a ranked search run before the first turn)")
    p.add_argument("--no-check-answers", dest="check_answers", action="store_false",
                   help="accept a first FINAL even when no code read the context or the answer "
                   "appears nowhere in it (by default such an answer gets one turn to check it)")
    p.add_argument("--sandbox", choices=("auto", "strict", "off"), default=defaults.sandbox,
                   help="confine the REPL's code: read only Python and the context, write only a "
                   "private temp dir, no network, no signals out (auto: as far as this system "
                   "allows, the default; strict: refuse to run without all of it; off: your full "
                   "rights)")


def add_display_options(p: argparse.ArgumentParser) -> None:
    """`--verbose/-v` and `--quiet/-q`.

    Example: `add_display_options(parser)`.
    """
    p.add_argument("--verbose", "-v", action="store_true",
                   help="stream each turn's text, code and output to stderr; tracebacks on errors")
    p.add_argument("--quiet", "-q", action="store_true",
                   help="no progress display on stderr (drawn only on a terminal, for reading "
                   "or opening a context of hundreds of MB)")


def config_from_args(args: argparse.Namespace) -> RLMConfig:
    """The `RLMConfig` the parsed options describe (raises `UsageError` on bad values).

    Example:
        >>> config_from_args(setup_arg_parser().parse_args(["-t", "x", "--timeout", "5"])).exec_timeout
        5.0
    """
    return RLMConfig(
        max_iterations=args.max_iterations, max_tokens_per_turn=args.max_tokens,
        sub_max_tokens=args.sub_max_tokens, temp=args.temp,
        top_p=args.top_p, top_k=args.top_k, max_kv_size=args.max_kv_size, seed=args.seed,
        verbose=args.verbose, check_answers=args.check_answers, exec_timeout=args.timeout,
        max_output_chars=args.max_output_chars,
        max_llm_calls=args.max_llm_calls, max_batch=args.max_batch, max_depth=args.max_depth,
        encoding_errors=args.encoding_errors,
        max_time=args.max_time, mode=args.mode, search_hints=args.search_hints,
        sandbox=args.sandbox,
    )


def open_input(args: argparse.Namespace) -> OpenedContext:
    """The context the options name: `-c TEXT`, `-f FILE` (a spinner while a big one opens), or
    stdin when it is not a terminal.

    Example: `with open_input(args) as opened: ...`.
    """
    from pathlib import Path

    from rlm.inputs import open_context, open_glob, open_stream
    from rlm.progress import Progress, ProgressReader

    fmt = "jsonl" if getattr(args, "jsonl", False) else None
    if args.context is not None:
        return open_context(args.context, args.encoding_errors, format=fmt)
    if getattr(args, "context_glob", None):
        if fmt is not None:
            raise UsageError("--jsonl reads one file or stream, not --context-glob files")
        return open_glob(args.context_glob, args.encoding_errors)
    if args.context_file is not None:
        path = Path(args.context_file)
        try:
            size = path.stat().st_size
        except OSError:
            size = 0  # open_context reports the problem
        # Opening reads every page once (UTF-8 check, line index): no fraction to report, but a
        # spinner with the elapsed time says that a multi-GB open is working, not hung.
        big = size >= BIG_CONTEXT_BYTES
        with Progress(f"opening {path.name} ({size / 1e9:.1f} GB)", quiet=args.quiet or not big,
                      transient=True):
            return open_context(path, args.encoding_errors, format=fmt)
    stdin = sys.stdin
    if stdin is None or stdin.isatty():
        raise UsageError("no context: pass --context TEXT, --context-file FILE, or pipe it on stdin")
    bar = Progress("reading the context from stdin", unit="bytes", quiet=args.quiet,
                   transient=True)
    try:  # the bar is drawn only once the input turns out to be big
        reader = ProgressReader(stdin.buffer, bar, start_after=BIG_CONTEXT_BYTES)
        return open_stream(reader, args.encoding_errors, format=fmt)  # type: ignore[arg-type]
    finally:
        bar.close()


def _run(args: argparse.Namespace) -> RLMResponse:
    from rlm.session import run
    from rlm.backends.loading import close_backend, load_backend

    config = config_from_args(args)
    check_task(args.task)
    # The context before the model: bad input fails at once, not after a model load.
    with open_input(args) as opened, ExitStack() as opened_backends:
        backend = load_backend(args.model, max_kv_size=args.max_kv_size, seed=args.seed,
                               **_remote(args, for_sub=False))
        opened_backends.callback(close_backend, backend)  # the HTTP backend's connection pool
        sub_backend = None
        if args.sub_model is not None or args.sub_base_url is not None:
            sub_backend = load_backend(args.sub_model or args.model, seed=args.seed,
                                       **_remote(args, for_sub=True))
            opened_backends.callback(close_backend, sub_backend)
        return run(backend, opened, args.task, config, output_trajectory=args.output_trajectory,
                   sub_backend=sub_backend)


def _remote(args: argparse.Namespace, for_sub: bool) -> dict[str, Any]:
    """The load_backend options of an OpenAI-compatible server, or {} for the in-process model.

    `--sub-base-url` alone sends only the sub-calls to a server; `--backend openai` sends both.
    """
    kind = args.backend or ("openai" if args.base_url is not None else "mlx")
    if kind == "mlx" and args.base_url is not None:
        raise UsageError("--base-url is for --backend openai (the mlx backend runs the model in this process)")
    base_url = (args.sub_base_url or args.base_url) if for_sub else args.base_url
    if kind != "openai" and not (for_sub and args.sub_base_url is not None):
        return {}
    if base_url is None:
        raise UsageError("--backend openai needs --base-url URL (e.g. http://127.0.0.1:8080/v1)")
    return {"base_url": base_url, "api_key_env": args.api_key_env,
            "max_concurrency": args.max_concurrency, "request_timeout": args.request_timeout}


def _subcommand(name: str, argv: list[str]) -> int:
    try:
        module = importlib.import_module(SUBCOMMANDS[name])
    except ModuleNotFoundError as e:
        if e.name is None or not SUBCOMMANDS[name].startswith(e.name):
            raise
        print(f"rlm: error: `rlm {name}` is not available in this installation", file=sys.stderr)
        return EXIT_FAILED
    return int(module.main(argv) or 0)


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated("SIGTERM")


def until_signalled(work: Callable[[], T]) -> T:
    """`work()`, with SIGTERM raised as `Terminated` (a KeyboardInterrupt) so it stops as cleanly
    as on Ctrl-C (shared by `rlm` and `rlm chat`).

    Example: `response = until_signalled(lambda: run(args))`.
    """
    if threading.current_thread() is not threading.main_thread():
        return work()  # signal handlers can only be set from the main thread
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return work()
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code.

    Example:
        >>> main(["-t", "Find the code", "-c", "code: 42", "--model", "replay:turns.json"])  # doctest: +SKIP
        42
        0
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        return _subcommand(argv[0], argv[1:])
    args = setup_arg_parser().parse_args(argv)
    try:
        response = until_signalled(lambda: _run(args))
    except (Exception, KeyboardInterrupt) as e:  # noqa: BLE001 - one line for the user; -v: traceback
        return cli_failure("rlm", e, verbose=args.verbose)
    if args.json:
        print(json.dumps(response.to_dict(), ensure_ascii=False))
    elif response.answer is not None:
        print(response.answer)
    if response.answer is None:
        if not args.json:
            cli_failure("rlm", RLMError(response.error or "the run ended without an answer"))
        return EXIT_FAILED
    return EXIT_OK
