"""`rlm chunk-bench -f FILE --strategy S [--strategy S2 ...] [--size N] [--overlap M] [--task T --answer A] [--json]`,
or `rlm chunk-bench --eval KIND [--eval-size 32K] [--seeds N] ...` over `rlm eval`'s tasks (rlm.chunk_eval).

One row per chunking strategy over the same file: seconds, MB/s, chunk count, and chunk sizes
(min / median / max) in characters and in tokens of the bundled model's tokenizer. So that the
strategy is the only variable, `--size` and `--overlap` are characters for every strategy: for
`lines` they become that many characters' worth of lines (the file's mean line length), for
`tokens` that many characters' worth of tokens (its mean characters per token). The table goes to
stdout (`--json`: a JSON list), progress to stderr. Exit codes: 0, 1 failed, 2 usage, 130 Ctrl-C.

Example:
    $ rlm chunk-bench -f big.log --strategy lines --strategy structural --size 8000
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rlm import tokens
from rlm._core import CHUNK_STRATEGIES, Context, Tokenizer, chunk_spans
from rlm.chunk_units import NO_TOKENIZER, strategy_units
from rlm.errors import RLMError, UsageError, cli_failure
from rlm.eval.corpus import FILLERS
from rlm.inputs import check_readable_file
from rlm.progress import Progress

# Above this many characters the token sizes come from evenly spaced chunks, not all of them:
# counting every chunk of 1 GiB is about a minute per strategy (docs/chunking.md).
ALL_TOKENS_CHARS = tokens.RUST.exact_chars
TOKEN_SAMPLE_CHUNKS = 256


@dataclass
class Row:
    """One strategy's measurement (the JSON form is `asdict(row)`)."""

    strategy: str
    size: int  # in the strategy's unit
    overlap: int
    unit: str  # "chars", "lines" or "tokens"
    seconds: float
    mb_per_s: float
    chunks: int
    chars_min: int
    chars_median: float
    chars_max: int
    tokens_min: int | None
    tokens_median: float | None
    tokens_max: int | None
    tokens_sampled: int  # how many chunks the token sizes come from (0: no tokenizer)
    # With --task/--answer: the fixed map-reduce program over these chunks (rlm.chunk_mapreduce).
    answer: str | None = None
    correct: bool | None = None
    sub_calls: int | None = None
    program_tokens: int | None = None  # prompt + generated, every sub-call
    program_seconds: float | None = None


def setup_arg_parser() -> argparse.ArgumentParser:
    """The `rlm chunk-bench` parser.

    >>> setup_arg_parser().parse_args(["-f", "x.txt", "--strategy", "lines"]).strategy
    ['lines']
    """
    p = argparse.ArgumentParser(
        prog="rlm chunk-bench",
        description="Compare chunking strategies on one file: time, throughput, chunk count and "
        "chunk sizes in characters and tokens.")
    p.add_argument("--context-file", "-f", metavar="FILE", help="the file to chunk (or --eval)")
    p.add_argument("--strategy", "-s", action="append", choices=CHUNK_STRATEGIES,
                   help="a strategy to measure (repeat for several; default: all)")
    p.add_argument("--size", type=int, default=20_000,
                   help="chunk size in characters, converted for lines and tokens (default 20000)")
    p.add_argument("--overlap", type=int, default=0, help="overlap in characters (default 0)")
    p.add_argument("--tokenizer", metavar="TOKENIZER_JSON",
                   help="tokenizer.json for the token columns and `tokens` (default: the bundled model's)")
    p.add_argument("--task", "-t", help="also run the fixed map-reduce program with this task over "
                   "each strategy's chunks (needs --answer)")
    p.add_argument("--answer", "-a", help="the expected answer the program's answer is scored against")
    p.add_argument("--eval", metavar="KIND", help="instead of -f: run the fixed map-reduce program over "
                   "`rlm eval`'s generated tasks of these kinds (comma-separated; `rlm eval --list`) under "
                   "each strategy and report accuracy by the eval's scorer")
    p.add_argument("--eval-size", default="32K", metavar="SIZES",
                   help="--eval: context sizes in characters, as `rlm eval --size` (e.g. 32K,1M; default 32K)")
    p.add_argument("--seeds", type=int, default=5, help="--eval: tasks per kind and size (default 5)")
    p.add_argument("--first-seed", type=int, default=0, help="--eval: seed of the first task (default 0)")
    p.add_argument("--filler", choices=FILLERS, default="code",
                   help="--eval: filler of the synthetic kinds, as `rlm eval --filler` (default code)")
    p.add_argument("--cache-dir", type=Path, default=None,
                   help="--eval: where generated contexts are kept, as `rlm eval --cache-dir`")
    p.add_argument("--model", help="model for --task / --eval (default: the bundled model; replay:FILE works)")
    p.add_argument("--seed", type=int, default=0,
                   help="sampling seed for --task / --eval, the same for every strategy")
    p.add_argument("--json", action="store_true", help="print the rows as JSON")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    return p


def default_tokenizer() -> Path | None:
    """The installed bundled model's tokenizer.json, or None.

    Example: `default_tokenizer()` → `~/.cache/rlm/models/qwen2.5-coder-0.5b/tokenizer.json`.
    """
    from rlm.models import status

    found = status().path
    return found / "tokenizer.json" if found and (found / "tokenizer.json").exists() else None


def measure(ctx: Context, strategy: str, size: int, overlap: int, tok: Tokenizer | None,
            bar: Progress) -> tuple[Row, list[tuple[int, int]]]:
    """Chunk `ctx` with `strategy` (`size`, `overlap` in characters); the row and the spans.

    Example: `measure(Context.open("big.log"), "lines", 20_000, 0, None, Progress("x"))`.
    """
    n, ov, unit = strategy_units(ctx, strategy, size, overlap, tok)
    total = len(ctx)
    bar.update(completed=0, total=total, description=f"{strategy}: chunking")
    spans: list[tuple[int, int]] = []
    t0 = time.perf_counter()
    for span in chunk_spans(ctx, strategy, n, ov, tok):
        spans.append(span)
        if len(spans) % 4096 == 0:
            bar.update(completed=span[1])
    seconds = time.perf_counter() - t0
    bar.update(completed=total)
    lengths = [e - s for s, e in spans] or [0]
    token_counts = _token_sizes(ctx, spans, tok, bar, strategy)
    mb = ctx.byte_len / 1e6
    return Row(
        strategy=strategy, size=n, overlap=ov, unit=unit, seconds=seconds,
        mb_per_s=mb / seconds if seconds > 0 else float("inf"), chunks=len(spans),
        chars_min=min(lengths), chars_median=statistics.median(lengths), chars_max=max(lengths),
        tokens_min=min(token_counts) if token_counts else None,
        tokens_median=statistics.median(token_counts) if token_counts else None,
        tokens_max=max(token_counts) if token_counts else None,
        tokens_sampled=len(token_counts)), spans


def _token_sizes(ctx: Context, spans: list[tuple[int, int]], tok: Tokenizer | None, bar: Progress,
                 strategy: str) -> list[int]:
    """Tokens in each chunk (each encoded alone), or in evenly spaced chunks of a big file."""
    if tok is None or not spans:
        return []
    picked = spans
    if len(ctx) > ALL_TOKENS_CHARS and len(spans) > TOKEN_SAMPLE_CHUNKS:
        step = len(spans) / TOKEN_SAMPLE_CHUNKS
        picked = [spans[int(i * step)] for i in range(TOKEN_SAMPLE_CHUNKS)]
    bar.update(completed=0, total=len(picked), description=f"{strategy}: counting tokens")
    counts = []
    for s, e in picked:
        counts.append(tok.count(ctx, s, e))
        bar.advance()
    return counts


def _run_program(row: Row, backend: Any, ctx: Context, spans: list[tuple[int, int]], task: str,
                 expected: str, bar: Progress) -> None:
    """The fixed map-reduce program over `spans`, from a fresh start (same seed every strategy)."""
    from rlm.chunk_mapreduce import map_reduce, value_score

    backend.reset()
    bar.update(completed=0, total=len(spans) + 1, description=f"{row.strategy}: map-reduce")
    result = map_reduce(backend, ctx, spans, task, value_score(expected), on_call=bar.advance)
    row.answer, row.correct, row.sub_calls = result.answer, result.correct, result.sub_calls
    row.program_tokens = result.prompt_tokens + result.generated_tokens
    row.program_seconds = result.seconds


def _range(lo: float | None, mid: float | None, hi: float | None) -> str:
    return "—" if lo is None else f"{lo:,.0f} / {mid:,.0f} / {hi:,.0f}"


def format_table(rows: list[Row], path: str, ctx: Context, open_seconds: float) -> str:
    """The rows as a Markdown table, with a header line about the file.

    Example: `print(format_table(rows, "big.log", ctx, 0.2))`.
    """
    lines = [f"{path}: {ctx.byte_len:,} bytes, {len(ctx):,} characters, {ctx.line_count():,} lines "
             f"(opened in {open_seconds:.3f} s)",
             "| strategy | size | overlap | seconds | MB/s | chunks | chars min / median / max "
             "| tokens min / median / max |",
             "|---|---|---|---|---|---|---|---|"]
    program = any(r.sub_calls is not None for r in rows)
    if program:
        lines[1] += " answer | correct | sub-calls | tokens | seconds |"
        lines[2] += "---|---|---|---|---|"
    for r in rows:
        sampled = "" if r.tokens_sampled in (0, r.chunks) else f" ({r.tokens_sampled} sampled)"
        line = (f"| {r.strategy} | {r.size:,} {r.unit} | {r.overlap:,} | {r.seconds:.3f} | {r.mb_per_s:,.0f} "
                f"| {r.chunks:,} | {_range(r.chars_min, r.chars_median, r.chars_max)} "
                f"| {_range(r.tokens_min, r.tokens_median, r.tokens_max)}{sampled} |")
        if program:
            shown = (r.answer or "—").replace("|", "\\|").replace("\n", " ")[:40]
            line += (f" {shown} | {'yes' if r.correct else 'no'} | {r.sub_calls} | {r.program_tokens:,} "
                     f"| {r.program_seconds:.1f} |")
        lines.append(line)
    return "\n".join(lines)


def _tokenizer(args: argparse.Namespace) -> Tokenizer | None:
    tok_path = Path(args.tokenizer) if args.tokenizer else default_tokenizer()
    tok = tokens.rust_tokenizer(tok_path) if tok_path else None
    if args.tokenizer and tok is None:
        raise UsageError(f"{args.tokenizer}: not a tokenizer.json rlm.Tokenizer reads")
    return tok


def run_eval(args: argparse.Namespace) -> int:
    """`--eval KIND`: the program over `rlm eval`'s tasks, one row per strategy (rlm.chunk_eval)."""
    from rlm.backends.loading import load_backend
    from rlm.chunk_eval import format_eval_table, run_eval_bench
    from rlm.eval.cli import split_list
    from rlm.eval.tasks import KINDS, make_tasks, parse_size

    if args.context_file or args.task or args.answer:
        raise UsageError("--eval brings its own contexts, questions and answers: leave out -f, --task, --answer")
    if args.seeds < 1:
        raise UsageError("--seeds must be at least 1")
    kinds = split_list(args.eval, KINDS, "kind")
    sizes = [parse_size(s) for s in split_list(args.eval_size, None, "size")]
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    say = None if args.quiet else (lambda line: print(f"chunk-bench: {line}", file=sys.stderr, flush=True))
    tasks = make_tasks(kinds, sizes, seeds, cache_dir=args.cache_dir, filler=args.filler, say=say)
    tok = _tokenizer(args)
    strategies = args.strategy or [s for s in CHUNK_STRATEGIES if s != "tokens" or tok is not None]
    if "tokens" in strategies and tok is None:
        raise UsageError(NO_TOKENIZER)
    backend = load_backend(args.model, seed=args.seed)
    rows = run_eval_bench(backend, tasks, strategies, args, tok, say)
    if args.json:
        print(json.dumps([r.to_dict() for r in rows], indent=1))
    else:
        model = getattr(backend, "name", None) or args.model or "the bundled model"
        print(format_eval_table(rows, f"{', '.join(kinds)} at {args.eval_size}, seeds {seeds.start}-"
                                f"{seeds.stop - 1} ({len(tasks)} tasks), model {model}, seed {args.seed}"))
    return 0


def run(args: argparse.Namespace) -> int:
    if args.size < 2 or not 0 <= args.overlap < args.size:
        raise UsageError(f"need --size >= 2 and 0 <= --overlap < --size (got {args.size}, {args.overlap})")
    if args.eval is not None:
        return run_eval(args)
    if args.context_file is None:
        raise UsageError("give the file to chunk (-f FILE), or --eval KIND for rlm eval's tasks")
    path = Path(check_readable_file(args.context_file))
    if (args.task is None) != (args.answer is None):
        raise UsageError("--task and --answer go together: the program's answer is scored against --answer")
    tok = _tokenizer(args)
    t0 = time.perf_counter()
    ctx = Context.open(str(path))  # invalid UTF-8: a ContextError naming the byte offset
    open_seconds = time.perf_counter() - t0
    backend = None
    if args.task is not None:
        from rlm.backends.loading import load_backend

        backend = load_backend(args.model, seed=args.seed)
    rows = []
    with Progress("chunking", total=len(ctx), quiet=args.quiet, transient=True) as bar:
        for strategy in args.strategy or CHUNK_STRATEGIES:
            if strategy == "tokens" and tok is None and not args.strategy:
                continue  # all strategies by default: skip the one that cannot run, say so below
            row, spans = measure(ctx, strategy, args.size, args.overlap, tok, bar)
            if backend is not None:
                _run_program(row, backend, ctx, spans, args.task, args.answer, bar)
            rows.append(row)
    if args.json:
        print(json.dumps([asdict(r) for r in rows], indent=1))
    else:
        print(format_table(rows, str(path), ctx, open_seconds))
        if tok is None:
            print("(no tokenizer: token columns empty, `tokens` skipped; rlm models install)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run `rlm chunk-bench ARGV...`; returns the exit code.

    >>> # main(["-f", "big.log", "--strategy", "lines"])  -> prints the table, returns 0
    """
    args = setup_arg_parser().parse_args(argv)
    try:
        return run(args)
    except (RLMError, KeyboardInterrupt) as exc:
        return cli_failure("rlm chunk-bench", exc)


if __name__ == "__main__":
    sys.exit(main())

