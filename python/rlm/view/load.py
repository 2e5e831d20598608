"""Reading a trajectory of any version into one normalised shape the renderer can trust.

A trajectory may come from any exit path (answered, exhausted, error, interrupted, or a run killed
mid-write that still says "running"), from an older or newer writer, from `rlm --json` (the
trajectory nested in the response), or be a replay file (`{"turns": [...]}`). Every field is
optional here: what is missing becomes None/0/empty and is listed in `Run.notes`, so the page says
what it could not show instead of failing.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from rlm.trajectory import read_json_object

KNOWN_VERSIONS = (1,)


@dataclass
class SubCall:
    """One `llm_query` sub-call."""

    prompt: str = ""
    prompt_chars: int = 0
    response: str = ""
    prompt_tokens: int = 0
    generated_tokens: int = 0
    seconds: float = 0.0
    error: str | None = None


@dataclass
class Turn:
    """One root turn, with every field the renderer reads."""

    number: int
    text: str = ""
    code: str | None = None
    output: str = ""
    output_chars: int = 0
    output_truncated: bool = False
    error: str | None = None
    timed_out: bool = False
    restarted: bool = False
    restored_names: list[str] = field(default_factory=list)
    final: str | None = None
    final_source: str | None = None
    feedback: str | None = None
    last_turn: bool = False
    finish_reason: str = ""
    prompt_tokens: int = 0
    prefill_tokens: int = 0
    generated_tokens: int = 0
    generate_seconds: float = 0.0
    execute_seconds: float = 0.0
    sub_calls: list[SubCall] = field(default_factory=list)
    # Engine interventions: what the trajectory lists, plus what older fields imply.
    interventions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return self.generate_seconds + self.execute_seconds

    @property
    def tokens_per_second(self) -> float | None:
        """Generated tokens per second of generation (prefill included), or None without timing."""
        if self.generate_seconds < 0.001 or self.generated_tokens <= 0:  # no usable timing
            return None
        return self.generated_tokens / self.generate_seconds


@dataclass
class Run:
    """A whole trajectory, normalised."""

    version: int | None
    status: str
    task: str
    model: str
    mode: str | None  # "rlm" or "direct" (None before trajectories recorded it)
    context: dict[str, Any]
    config: dict[str, Any]
    answer: str | None
    error: str | None
    exhausted: bool
    totals: dict[str, Any]
    elapsed: float | None
    started_at: float | None
    system_prompt: str
    first_message: str
    turns: list[Turn]
    notes: list[str] = field(default_factory=list)  # what the page cannot show, and why


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def _opt_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _num(value: Any, kind: type = int) -> Any:
    # Numbers from an untrusted file: anything not a number (or a bool) reads as 0.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return kind(0)
    return kind(value)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _sub_call(raw: Any) -> SubCall:
    d = _dict(raw)
    prompt = _text(d.get("prompt"))
    return SubCall(
        prompt=prompt,
        prompt_chars=_num(d.get("prompt_chars", len(prompt))),
        response=_text(d.get("response")),
        prompt_tokens=_num(d.get("prompt_tokens")),
        generated_tokens=_num(d.get("generated_tokens", d.get("generation_tokens"))),
        seconds=_num(d.get("elapsed", d.get("seconds")), float),
        error=_opt_text(d.get("error")),
    )


def _implied_interventions(t: Turn) -> list[dict[str, Any]]:
    """Interventions that version-1 fields record without an `interventions` list."""
    implied: list[dict[str, Any]] = []
    if t.restored_names:
        implied.append({"kind": "restored_names", "names": ", ".join(t.restored_names)})
    if t.timed_out:
        implied.append({"kind": "timeout", "detail": "the execution hit its time limit"})
    if t.restarted:
        implied.append({"kind": "worker_restarted", "detail": "the REPL namespace was lost"})
    if t.finish_reason == "length":
        implied.append({"kind": "cut_at_max_tokens", "detail": "the turn reached its token limit"})
    if t.last_turn:  # why: `_explain_best_answer_turn`, which sees the turns before
        implied.append({"kind": "budget_stop", "detail": "a budget ran out: best-answer turn"})
    return implied


def _explain_best_answer_turn(turns: list[Turn]) -> None:
    # The engine also asks for the best answer after turns without progress (stop_no_progress on
    # the turn before): say that instead of "a budget ran out".
    for before, t in zip(turns, turns[1:]):
        stop = next((i for i in before.interventions if i.get("kind") == "stop_no_progress"), None)
        if t.last_turn and stop is not None:
            for i in t.interventions:
                if i.get("kind") == "budget_stop":
                    stalls = stop.get("stalls")
                    n = f"{stalls} turns" if isinstance(stalls, int) else "turns"
                    i["detail"] = f"{n} without progress: best-answer turn"


def _turn(raw: Any, number: int) -> Turn:
    if isinstance(raw, str):  # a replay file's turn: only the model's text is known
        return Turn(number=number, text=raw)
    d = _dict(raw)
    timings = _dict(d.get("timings"))
    t = Turn(
        number=_num(d.get("iteration", number)) or number,
        text=_text(d.get("text")),
        code=_opt_text(d.get("code")),
        output=_text(d.get("output")),
        output_truncated=bool(d.get("output_truncated")),
        error=_opt_text(d.get("error")),
        timed_out=bool(d.get("timed_out")),
        restarted=bool(d.get("restarted")),
        restored_names=[_text(n) for n in _list(d.get("restored_names"))],
        final=_opt_text(d.get("final")),
        final_source=_opt_text(d.get("final_source")),
        feedback=_opt_text(d.get("feedback")),
        last_turn=bool(d.get("last_turn")),
        finish_reason=_text(d.get("finish_reason")),
        prompt_tokens=_num(d.get("prompt_tokens")),
        prefill_tokens=_num(d.get("prefill_tokens", d.get("prompt_tokens"))),
        generated_tokens=_num(d.get("generated_tokens", d.get("generation_tokens"))),
        # `timings` since version 1; the in-memory record's own names before it.
        generate_seconds=_num(timings.get("generate", d.get("generate_seconds")), float),
        execute_seconds=_num(timings.get("execute", d.get("execute_seconds")), float),
        sub_calls=[_sub_call(c) for c in _list(d.get("llm_calls", d.get("sub_calls")))],
    )
    t.output_chars = _num(d.get("output_chars", len(t.output)))
    listed = [i if isinstance(i, dict) else {"kind": _text(i)} for i in _list(d.get("interventions"))]
    listed_kinds = {str(i.get("kind", i.get("type", ""))) for i in listed}
    t.interventions = listed + [i for i in _implied_interventions(t) if i["kind"] not in listed_kinds]
    return t


def _status(d: dict[str, Any], turns: list[Turn], notes: list[str]) -> str:
    status = d.get("status")
    if isinstance(status, str) and status:
        if status == "running":
            notes.append("the trajectory still says 'running': the run was stopped before its "
                         "last write (killed), so the last turns may be missing")
        return status
    # Before `status` existed: infer it from the outcome fields.
    if d.get("answer") is not None or any(t.final is not None for t in turns):
        return "answered"
    if d.get("exhausted"):
        return "exhausted"
    if d.get("error"):
        return "error"
    return "unknown"


def normalise(data: Any) -> Run:
    """A `Run` from parsed trajectory JSON of any version (never raises on odd content).

    >>> run = normalise({"task": "t", "iterations": [{"code": "FINAL(1)", "final": "1"}]})
    >>> (run.status, run.turns[0].number, run.answer)
    ('answered', 1, '1')
    """
    notes: list[str] = []
    d = _dict(data)
    if isinstance(d.get("trajectory"), dict):  # `rlm --json` output: the trajectory is inside
        d = d["trajectory"]
    version = d.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        version = None
        notes.append("no trajectory version: read as an early or hand-written trajectory")
    elif version not in KNOWN_VERSIONS:
        notes.append(f"trajectory version {version} is newer than this viewer knows "
                     f"({', '.join(map(str, KNOWN_VERSIONS))}): fields it does not know are not shown")
    raw_turns = d.get("iterations")
    if raw_turns is None and isinstance(d.get("turns"), list):
        raw_turns = d["turns"]
        notes.append("a replay file: only the model's turns are known, not what they did")
    turns = [_turn(raw, n) for n, raw in enumerate(_list(raw_turns), start=1)]
    _explain_best_answer_turn(turns)
    answer = _opt_text(d.get("answer"))
    if answer is None and "answer" not in d:
        answer = next((t.final for t in reversed(turns) if t.final is not None), None)
    elapsed = d.get("elapsed")
    started = d.get("started_at")
    return Run(
        version=version,
        status=_status(d, turns, notes),
        task=_text(d.get("task")),
        model=_text(d.get("model")),
        mode=_opt_text(d.get("mode")),
        context=_dict(d.get("context")),
        config=_dict(d.get("config")),
        answer=answer,
        error=_opt_text(d.get("error")),
        exhausted=bool(d.get("exhausted")),
        totals=_dict(d.get("totals")),
        elapsed=float(elapsed) if isinstance(elapsed, (int, float)) else None,
        started_at=float(started) if isinstance(started, (int, float)) else None,
        system_prompt=_text(d.get("system_prompt")),
        first_message=_text(d.get("first_message")),
        turns=turns,
        notes=notes,
    )


def load_run(path: str | os.PathLike[str]) -> Run:
    """Read and normalise the trajectory at `path`; a missing or non-JSON file is a UsageError.

    >>> load_run("/nonexistent.json")
    Traceback (most recent call last):
    ...
    rlm.errors.UsageError: trajectory not found: /nonexistent.json
    """
    return normalise(read_json_object(path, "trajectory", hint="give a file written by rlm -o"))
