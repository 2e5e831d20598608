"""`rlm chunk-bench --eval KIND`: the fixed map-reduce program over `rlm eval`'s generated tasks.

Each task (the same generator, cache and scorer as `rlm eval`: `rlm.eval.tasks`) is chunked by
every strategy and answered by the same program (`rlm.chunk_mapreduce`, same model, seed and
prompts, the backend reset before each run), so the strategy is the only variable. Tasks run in
the outer loop and strategies in the inner one: on a shared machine a change of load then falls
on every strategy alike. One row per strategy: tasks, solved (score 1), mean score, chunks,
sub-calls, tokens and seconds of the program, summed over the tasks.

Example:
    $ rlm chunk-bench --eval needle --eval-size 32K --seeds 2 --strategy chars --strategy lines
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rlm._core import Context, Tokenizer, chunk_spans
from rlm.chunk_units import strategy_units
from rlm.chunk_mapreduce import PROGRAM, Program, map_reduce
from rlm.eval.runner import short_answer
from rlm.eval.tasks import Task
from rlm.progress import Progress


@dataclass
class EvalRun:
    """One task answered over one strategy's chunks."""

    task_id: str
    chunks: int
    answer: str
    expected: list[str]
    score: float
    sub_calls: int
    tokens: int  # prompt + generated, every sub-call
    seconds: float  # the program (chunking excluded)
    chunk_seconds: float


@dataclass
class EvalRow:
    """One strategy over every task (the JSON form is `asdict(row)`, with its runs)."""

    strategy: str
    size: int  # characters (`--size`), converted per task for lines and tokens
    overlap: int
    runs: list[EvalRun] = field(default_factory=list)

    @property
    def solved(self) -> int:
        return sum(r.score >= 1.0 for r in self.runs)

    @property
    def mean_score(self) -> float:
        return sum(r.score for r in self.runs) / len(self.runs) if self.runs else 0.0

    def total(self, name: str) -> float:
        """The sum of one run field over the tasks: `row.total("sub_calls")`."""
        return sum(getattr(r, name) for r in self.runs)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: totals first, then every run."""
        return {"strategy": self.strategy, "size": self.size, "overlap": self.overlap,
                "tasks": len(self.runs), "solved": self.solved, "mean_score": self.mean_score,
                "chunks": self.total("chunks"), "sub_calls": self.total("sub_calls"),
                "tokens": self.total("tokens"), "seconds": self.total("seconds"),
                "chunk_seconds": self.total("chunk_seconds"),
                "runs": [vars(r) for r in self.runs]}


def run_task(backend: Any, task: Task, strategy: str, size: int, overlap: int, tok: Tokenizer | None,
             bar: Progress, program: Program = PROGRAM) -> EvalRun:
    """Chunk `task`'s context with `strategy` and answer it with the fixed program, scored by the
    task's own scorer.

    Example: `run_task(backend, make_task("needle", 32768, 0), "lines", 8000, 0, None, bar).score`.
    """
    ctx = Context.open(str(task.context))
    n, ov, _ = strategy_units(ctx, strategy, size, overlap, tok)
    t0 = time.perf_counter()
    spans = list(chunk_spans(ctx, strategy, n, ov, tok))
    chunk_seconds = time.perf_counter() - t0
    backend.reset()
    bar.update(completed=0, total=len(spans) + 1, description=f"{task.id} {strategy}: map-reduce")
    r = map_reduce(backend, ctx, spans, task.question, task.score, on_call=bar.advance, program=program)
    return EvalRun(task_id=task.id, chunks=len(spans), answer=r.answer, expected=list(task.expected),
                   score=r.score, sub_calls=r.sub_calls, tokens=r.prompt_tokens + r.generated_tokens,
                   seconds=r.seconds, chunk_seconds=chunk_seconds)


def run_eval_bench(backend: Any, tasks: list[Task], strategies: list[str], args: argparse.Namespace,
                   tok: Tokenizer | None, say: Callable[[str], None] | None) -> list[EvalRow]:
    """Every task under every strategy (tasks outer); one row per strategy.

    Example: `run_eval_bench(backend, tasks, ["chars", "lines"], args, tok, print)`.
    """
    rows = {s: EvalRow(s, args.size, args.overlap) for s in strategies}
    with Progress("chunk-bench --eval", quiet=args.quiet, transient=True) as bar:
        for task in tasks:
            for strategy in strategies:
                run = run_task(backend, task, strategy, args.size, args.overlap, tok, bar)
                rows[strategy].runs.append(run)
                if say is not None:
                    bar.log(f"chunk-bench: {task.id} {strategy}: score {run.score:.2f}, {run.chunks} chunks, "
                            f"{run.sub_calls} sub-calls, {run.tokens:,} tok, {run.seconds:.1f} s; answer "
                            f"{short_answer(run.answer)} (expected {', '.join(run.expected)})")
    return list(rows.values())


def format_eval_table(rows: list[EvalRow], heading: str) -> str:
    """The rows as a Markdown table under a heading line.

    Example: `print(format_eval_table(rows, "needle at 32K, seeds 0-1"))`.
    """
    lines = [heading,
             "| strategy | size | overlap | tasks | solved | mean score | chunks | sub-calls | tokens | seconds |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r.strategy} | {r.size:,} chars | {r.overlap:,} | {len(r.runs)} | {r.solved} "
                     f"| {r.mean_score:.2f} | {r.total('chunks'):,.0f} | {r.total('sub_calls'):,.0f} "
                     f"| {r.total('tokens'):,.0f} | {r.total('seconds'):.1f} |")
    return "\n".join(lines)
