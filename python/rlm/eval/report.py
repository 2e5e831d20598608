"""Eval summaries: a row per (model, kind, size, mode), and the markdown table for the README."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import mean, median

from rlm.eval.results import RunResult
from rlm.eval.tasks import format_size


@dataclass
class SummaryRow:
    """Aggregate of the runs that share a model, task kind, size and mode."""

    model: str
    kind: str
    size: int
    mode: str
    runs: int
    solved: int
    mean_score: float
    mean_iterations: float
    mean_tokens: float
    median_seconds: float  # the median: one run cut by --max-time does not move it
    errors: int  # runs that ended without an answer (budget exhausted, exception)
    note: str  # e.g. "truncated: saw 3% (8,000 tokens)"


def summarise(results: Sequence[RunResult]) -> list[SummaryRow]:
    """Group `results` by (model, kind, size, mode), in first-seen order.

    >>> from rlm.eval.results import RunResult
    >>> r = RunResult("needle-32K-s0", "needle", 32768, 0, "rlm", "m", 1.0, "x", ["x"], 2, 900, 3.0)
    >>> summarise([r, r])[0].solved
    2
    """
    groups: dict[tuple[str, str, int, str], list[RunResult]] = {}
    for r in results:
        groups.setdefault((r.model, r.kind, r.size, r.mode), []).append(r)
    rows = []
    for (model, kind, size, mode), runs in groups.items():
        note = ""
        cut = [r for r in runs if r.truncated and r.context_chars_seen is not None]
        if cut:
            seen = mean(r.context_chars_seen or 0 for r in cut) / size
            toks = mean(r.context_tokens_seen or 0 for r in cut)
            note = f"truncated: saw {seen:.1%} of the context ({toks:,.0f} tokens)"
        rows.append(SummaryRow(
            model=model, kind=kind, size=size, mode=mode, runs=len(runs),
            solved=sum(r.solved for r in runs),
            mean_score=mean(r.score for r in runs),
            mean_iterations=mean(r.iterations for r in runs),
            mean_tokens=mean(r.total_tokens for r in runs),
            median_seconds=median(r.elapsed for r in runs),
            errors=sum(r.error is not None for r in runs),
            note=note,
        ))
    return rows


def markdown_table(rows: Sequence[SummaryRow]) -> str:
    """The summary as a GitHub markdown table (what docs/eval.md and the README show).

    >>> print(markdown_table([]).splitlines()[0])
    | model | task | size (chars) | mode | solved | score | iterations | tokens | median time | note |
    """
    lines = [
        "| model | task | size (chars) | mode | solved | score | iterations | tokens | median time "
        "| note |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        note = row.note
        if row.errors:
            note = f"{row.errors} ended without an answer" + (f"; {note}" if note else "")
        lines.append(
            f"| {row.model} | {row.kind} | {format_size(row.size)} | {row.mode} "
            f"| {row.solved}/{row.runs} | {row.mean_score:.2f} | {row.mean_iterations:.1f} "
            f"| {row.mean_tokens:,.0f} | {row.median_seconds:.1f} s | {note} |"
        )
    return "\n".join(lines)
