"""`rlm chat`: many questions over one context, one `Session` (rlm/session.py) for all of them.

    rlm chat -f FILE [--model M] [options] < questions.txt       one question per line
    rlm chat -f FILE                                             asks on the terminal (Ctrl-D ends)

Each answer goes to stdout as soon as it is known (`--json`: one JSON object per line, the
question included); `-o DIR` writes DIR/question-001.json, ... (one trajectory per question).
Exit codes: 0 every question answered, 1 one or more without an answer (each says why on stderr),
2 usage or input error, 130 Ctrl-C, 143 SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import IO, Iterator, Sequence

from rlm.cli import (
    _Parser,
    add_context_options,
    add_display_options,
    add_run_options,
    config_from_args,
    open_input,
    until_signalled,
)
from rlm.errors import EXIT_FAILED, EXIT_OK, RLMError, UsageError, cli_failure

PROMPT = "question> "  # on stderr, only when the questions come from a terminal


def setup_arg_parser() -> argparse.ArgumentParser:
    """The argument parser of `rlm chat`.

    Example:
        >>> setup_arg_parser().parse_args(["-f", "big.log", "--json"]).json
        True
    """
    p = _Parser(
        prog="rlm chat",
        description="Answer many questions over one context, one per line from stdin (or the "
        "terminal), keeping the model, the context, the REPL's variables and the KV cache of the "
        "shared prompt between them. Earlier questions and answers are in the REPL as `history`.",
        epilog="Exit codes: 0 every question answered, 1 some without an answer, 2 usage or "
        "input error, 130 Ctrl-C.",
    )
    add_context_options(p, required=True)
    add_run_options(p)
    p.add_argument("--output-dir", "-o", metavar="DIR",
                   help="write one trajectory per question: DIR/question-001.json, ... "
                   "(DIR is created if needed)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object per answer (one per line, with its question) "
                   "instead of the answer")
    add_display_options(p)
    return p


def questions(stream: IO[str]) -> Iterator[str]:
    """The non-blank lines of `stream`, stripped; on a terminal each is asked for with a prompt.

    Example: `list(questions(io.StringIO("Who?\\n\\nWhen?\\n")))` → `['Who?', 'When?']`.
    """
    interactive = stream.isatty()
    while True:
        if interactive:
            print(PROMPT, end="", file=sys.stderr, flush=True)
        line = stream.readline()
        if not line:
            if interactive:
                print(file=sys.stderr)  # Ctrl-D leaves the cursor after the prompt
            return
        if line.strip():
            yield line.strip()


def _output_dir(path: str | None) -> Path | None:
    if path is None:
        return None
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"cannot create the trajectory directory {out}: {e.strerror or e}") from None
    return out


def _chat(args: argparse.Namespace) -> int:
    from rlm.backends.loading import load_backend
    from rlm.session import Session

    config = config_from_args(args)
    out_dir = _output_dir(args.output_dir)
    failed = 0
    # The context before the model: bad input fails at once, not after a model load.
    with open_input(args) as opened:
        backend = load_backend(args.model, max_kv_size=args.max_kv_size, seed=args.seed)
        with Session(backend=backend, context=opened, config=config) as session:
            for n, question in enumerate(questions(sys.stdin), 1):
                trajectory = out_dir / f"question-{n:03d}.json" if out_dir is not None else None
                response = session.ask(question, output_trajectory=trajectory)
                if args.json:
                    print(json.dumps({"question": question, **response.to_dict()},
                                     ensure_ascii=False))
                elif response.answer is not None:
                    print(response.answer)
                sys.stdout.flush()  # each answer as soon as it is known, also into a pipe
                if response.answer is None:
                    failed += 1
                    cli_failure("rlm chat", RLMError(
                        f"question {n}: {response.error or 'the run ended without an answer'}"))
                if sys.stdin.isatty():  # while the next question is typed, prefill its start
                    session.prepare()  # (from a pipe the next one is there already: no gain)
    return EXIT_FAILED if failed else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run `rlm chat`; returns the exit code.

    Example:
        >>> main(["-f", "notes.txt", "--model", "replay:turns.json"])  # doctest: +SKIP
    """
    args = setup_arg_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        return until_signalled(lambda: _chat(args))
    except (Exception, KeyboardInterrupt) as e:  # noqa: BLE001 - one line for the user; -v: traceback
        return cli_failure("rlm chat", e, verbose=args.verbose)
