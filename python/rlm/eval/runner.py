"""Run eval tasks in `rlm` mode (the recursive loop) or `direct` mode (one generation over the head
of the context that fits the model's window), score them, and keep going when a run fails.

>>> # run_eval(backend, [make_task("needle", 32768, 0)], ["rlm", "direct"], model="default")
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from rlm._core import Context
from rlm.backends.base import Backend, Sampling
from rlm.direct import direct_document, generate_direct
from rlm.errors import UsageError
from rlm.eval.report import summarise
from rlm.eval.results import RunResult
from rlm.eval.tasks import Task, format_size
from rlm.progress import Progress

MODES = ("rlm", "direct")
RESULTS_VERSION = 1

def window_of(backend: Backend, direct_window: int | None) -> int:
    """Tokens available in direct mode: the backend's window, capped by `direct_window`.

    >>> class B: context_window = 32768
    >>> window_of(B(), 8192)  # type: ignore[arg-type]
    8192
    """
    windows = [w for w in (backend.context_window, direct_window) if w]
    if not windows:
        raise UsageError("the backend has no known context window: give --direct-window N (tokens)")
    return min(windows)


def run_direct(
    backend: Backend, task: Task, *, model: str, window: int, answer_tokens: int = 256
) -> RunResult:
    """Answer `task` with one generation over the head of its context that fits `window` tokens.

    >>> # run_direct(backend, task, model="0.5B", window=8192).truncated  -> True for a 1M context
    """
    start = time.perf_counter()
    head = direct_document(backend, Context.open(str(task.context)), task.question, window,
                           answer_tokens)
    done = generate_direct(backend, head, task.question, Sampling(answer_tokens))
    answer = done.text.strip()
    return RunResult(
        task_id=task.id, kind=task.kind, size=task.size, seed=task.seed, mode="direct", model=model,
        score=task.score(answer), answer=answer, expected=list(task.expected), iterations=1,
        total_tokens=done.prompt_tokens + done.generation_tokens,
        elapsed=time.perf_counter() - start, truncated=len(head) < task.size,
        context_chars_seen=len(head), context_tokens_seen=backend.count_tokens(head),
        extra={"window": window, "finish_reason": done.finish_reason},
    )


def run_rlm(
    backend: Backend, task: Task, *, model: str, config: Any = None,
    trajectory_dir: Path | None = None,
) -> RunResult:
    """Answer `task` with the recursive loop (`rlm.rlm_generate`) over the context file.

    >>> # run_rlm(backend, task, model="0.5B", config=RLMConfig(max_iterations=10)).iterations
    """
    from rlm import rlm_generate  # the engine; imported late so the generators work without it

    start = time.perf_counter()
    backend.reset()
    resp = rlm_generate(backend=backend, context=task.context, task=task.question, config=config)
    answer = resp.answer
    saved = None
    if trajectory_dir is not None and getattr(resp, "trajectory", None) is not None:
        saved = str(_save_trajectory(resp.trajectory, trajectory_dir / f"{task.id}-{model}.json"))
    return RunResult(
        task_id=task.id, kind=task.kind, size=task.size, seed=task.seed, mode="rlm", model=model,
        score=task.score(answer), answer=answer, expected=list(task.expected),
        iterations=resp.iterations, total_tokens=resp.total_tokens,
        elapsed=getattr(resp, "elapsed", None) or time.perf_counter() - start,
        error=resp.error, trajectory=saved, extra=_response_extras(resp),
    )


def _response_extras(resp: Any) -> dict[str, Any]:
    # The token breakdown and whether a budget ran out, when the engine reports them.
    extra: dict[str, Any] = {}
    tokens = getattr(resp, "tokens", None)
    if tokens is not None and hasattr(tokens, "to_dict"):
        extra["tokens"] = tokens.to_dict()
    if getattr(resp, "exhausted", False):
        extra["exhausted"] = True
    return extra


def run_eval(
    backend: Backend,
    tasks: Sequence[Task],
    modes: Sequence[str],
    *,
    model: str,
    config: Any = None,
    direct_window: int | None = None,
    output: Path | None = None,
    trajectory_dir: Path | None = None,
    settings: dict[str, Any] | None = None,
    progress: TextIO | None = sys.stderr,
) -> list[RunResult]:
    """Run every task in every mode; a failing run is recorded with its error and the eval goes on.

    With `output`, the results file is rewritten after every run, so an interrupted eval keeps
    what it measured. Log lines go to `progress` (None: silent), with a bar showing the runs done
    and the running score when `progress` is a terminal.

    >>> # results = run_eval(backend, tasks, ["rlm"], model="0.5B", output=Path("results.json"))
    """
    for mode in modes:
        if mode not in MODES:
            raise UsageError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
    window = window_of(backend, direct_window) if "direct" in modes else 0
    results: list[RunResult] = []
    total = len(tasks) * len(modes)
    with Progress(f"eval 0/{total}", total=total, stream=progress,
                  enabled=None if progress is not None else False) as bar:

        def say(line: str) -> None:
            bar.log(f"eval: {line}")  # above the bar when there is one

        for task in tasks:
            for mode in modes:
                results.append(_run_one(backend, task, mode, model=model, config=config,
                                        window=window, trajectory_dir=trajectory_dir,
                                        say=say if progress is not None else None,
                                        n=len(results) + 1, total=total))
                solved = sum(r.solved for r in results)
                mean_score = sum(r.score for r in results) / len(results)
                bar.advance(description=f"eval {len(results)}/{total} · solved {solved} · "
                            f"mean score {mean_score:.2f}")
                if output is not None:
                    write_results(output, results,
                                  settings or {"model": model, "modes": list(modes)})
                if trajectory_dir is not None:
                    _write_pages(trajectory_dir, results, say if progress is not None else None)
    return results


def _run_one(backend: Backend, task: Task, mode: str, *, model: str, config: Any, window: int,
             trajectory_dir: Path | None, say: Callable[[str], None] | None, n: int,
             total: int) -> RunResult:
    """One run, scored; an exception becomes a result with its error."""
    if say is not None:
        say(f"[{n}/{total}] {task.id} {mode}: {task.question}")
    start = time.perf_counter()
    try:
        if mode == "rlm":
            r = run_rlm(backend, task, model=model, config=config, trajectory_dir=trajectory_dir)
        else:
            r = run_direct(backend, task, model=model, window=window)
    except Exception as exc:  # one broken run must not lose the others' results
        r = RunResult(
            task_id=task.id, kind=task.kind, size=task.size, seed=task.seed, mode=mode,
            model=model, score=0.0, answer=None, expected=list(task.expected),
            iterations=0, total_tokens=0, elapsed=time.perf_counter() - start,
            error=f"{type(exc).__name__}: {exc}",
            extra={"traceback": traceback.format_exc(limit=8)},
        )
    if say is not None:
        say(f"[{n}/{total}] {task.id} {mode}: score {r.score:.2f}, "
            f"{r.iterations} it, {r.total_tokens} tok, {r.elapsed:.1f} s; answer "
            f"{short_answer(r.answer)} (expected {', '.join(r.expected)})"
            + (f"; error: {r.error}" if r.error else ""))
    return r


def write_results(path: Path, results: Sequence[RunResult], settings: dict[str, Any]) -> None:
    """Write the results file (JSON) atomically: settings, every run, and the summary rows.

    >>> # write_results(Path("results.json"), results, {"model": "0.5B"})
    """
    data = {
        "version": RESULTS_VERSION,
        "settings": settings,
        "runs": [{**asdict(r), "solved": r.solved, "size_label": format_size(r.size)}
                 for r in results],
        "summary": [asdict(row) for row in summarise(results)],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)


def _save_trajectory(trajectory: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if hasattr(trajectory, "to_json"):
        text = trajectory.to_json()
    else:
        data = asdict(trajectory) if hasattr(trajectory, "__dataclass_fields__") else trajectory
        text = json.dumps(data, indent=1, default=str)
    path.write_text(text if isinstance(text, str) else json.dumps(text, indent=1, default=str))
    return path


def _write_pages(directory: Path, results: Sequence[RunResult],
                 say: Callable[[str], None] | None) -> None:
    # The viewer pages are a convenience: failing to write them must not stop the eval.
    from rlm.view.index import write_eval_pages

    try:
        write_eval_pages(directory, results)
    except OSError as exc:
        if say is not None:
            say(f"warning: cannot write the HTML pages in {directory}: {exc}")


def short_answer(answer: str | None, limit: int = 60) -> str:
    """An answer on one line for a log line, quoted, cut to `limit` characters.

    >>> short_answer("The code\\n is 42."), short_answer(None)
    ("'The code is 42.'", '(none)')
    """
    if answer is None:
        return "(none)"
    flat = " ".join(answer.split())
    return repr(flat if len(flat) <= limit else flat[: limit - 1] + "…")

