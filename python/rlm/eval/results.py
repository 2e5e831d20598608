"""One eval run's outcome (`RunResult`) and reading a results file back.

Its own module so the runner (which writes results) and the report (which summarises them) both
depend on it and not on each other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class RunResult:
    """The outcome of one task in one mode; `error` says why a run ended without an answer."""

    task_id: str
    kind: str
    size: int
    seed: int
    mode: str
    model: str
    score: float
    answer: str | None
    expected: list[str]
    iterations: int
    total_tokens: int
    elapsed: float
    error: str | None = None
    # direct mode: whether the context was cut to fit, and how much of it the model saw
    truncated: bool = False
    context_chars_seen: int | None = None
    context_tokens_seen: int | None = None
    trajectory: str | None = None  # path of the saved trajectory (rlm mode), for failure analysis
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def solved(self) -> bool:
        return self.score >= 1.0


def load_results(path: Path) -> list[RunResult]:
    """Read the runs back from a results file written by `write_results`.

    >>> # load_results(Path("results.json"))[0].score
    """
    data = json.loads(path.read_text())
    names = set(RunResult.__dataclass_fields__)
    return [RunResult(**{k: v for k, v in run.items() if k in names}) for run in data["runs"]]
