"""The trajectory: a JSON record of a run, rewritten atomically after every iteration.

Format (version 1; docs/engine.md describes every field):
    {"version": 1, "status": "running" | "answered" | "exhausted" | "error" | "interrupted",
     "task", "model", "config", "context": {source, path, bytes, chars, lines, tokens, ...},
     "sandbox": {mode, mechanism, abi, active, missing_required, ...} (rlm.repl.sandbox),
     "system_prompt", "first_message",
     "iterations": [{"iteration", "prompt_tokens", "prefill_tokens", "generated_tokens",
                     "finish_reason", "text", "code", "output", "output_chars", "output_truncated",
                     "error", "timed_out", "restarted", "restored_names", "final", "llm_calls",
                     "feedback", "timings": {"generate", "execute"}}, ...],
     "answer", "error", "exhausted", "totals": {...}, "started_at", "elapsed"}
It never holds the whole context: a preview in `first_message`, capped REPL output, and sub-call
prompts cut to head + tail.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rlm.errors import UsageError

if TYPE_CHECKING:  # the REPL imports this module for its sub-call records
    from rlm.repl.session import ExecResult

TRAJECTORY_VERSION = 1
# Sub-call prompts usually carry a chunk of the context: keep only enough to recognise it.
PROMPT_KEEP_CHARS = 1000
RESPONSE_KEEP_CHARS = 2000  # of each sub-call's reply


def clip(text: str, keep: int = PROMPT_KEEP_CHARS) -> str:
    """`text` cut to its head and tail with a marker naming how much was left out.

    >>> clip("a" * 10 + "b" * 10, keep=4)
    'aa[... 16 characters cut ...]bb'
    """
    if len(text) <= keep:
        return text
    head = keep // 2
    tail = keep - head
    return f"{text[:head]}[... {len(text) - keep} characters cut ...]{text[len(text) - tail:]}"


@dataclass
class LLMCallRecord:
    """One sub-call (`llm_query`, one prompt of `llm_query_batched`, or `rlm_query`), as the
    engine's trajectory and the REPL's `ExecResult.llm_calls` both keep it.

    >>> LLMCallRecord(prompt="q", prompt_chars=1, response="a", batch_size=2).to_dict()["kind"]
    'llm'
    """

    prompt: str  # clipped
    prompt_chars: int
    response: str
    prompt_tokens: int = 0
    prefill_tokens: int = 0  # of prompt_tokens, those the backend ran (the rest a server's prefix cache held)
    generated_tokens: int = 0
    elapsed: float = 0.0  # for a batched item: the whole batch's time
    error: str | None = None
    batch_size: int = 1  # how many sub-calls ran together with this one (itself included)
    kind: str = "llm"  # "rlm" for rlm_query
    note: str | None = None  # e.g. an rlm_query answered as llm_query at the depth limit
    child: dict[str, Any] | None = None  # an rlm_query's child run: its whole trajectory

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "elapsed": round(self.elapsed, 4)}


def execution_fields(ex: ExecResult | None) -> dict[str, Any]:
    """What a turn's record and its "output" event say of the code's execution (`ex` None: no
    code ran): the one place that flattens an `ExecResult`.

    >>> execution_fields(None)["output"], execution_fields(None)["restarted"]
    ('', False)
    """
    if ex is None:
        return {"output": "", "output_chars": 0, "output_truncated": False, "error": None,
                "timed_out": False, "restarted": False, "restored_names": []}
    return {"output": ex.output, "output_chars": ex.output_chars, "output_truncated": ex.truncated,
            "error": ex.error, "timed_out": ex.timed_out, "restarted": ex.restarted,
            "restored_names": list(ex.restored_names)}


@dataclass
class IterationRecord:
    """One root turn: what the model wrote, what ran, what came back."""

    iteration: int
    prompt_tokens: int = 0
    prefill_tokens: int = 0
    generated_tokens: int = 0
    finish_reason: str = ""
    text: str = ""  # the whole assistant message (assistant prefix included)
    code: str | None = None
    # What running `code` gave, as the REPL reported it (None: no code ran this turn). The
    # trajectory flattens its fields into the turn (output, output_chars, error, ...).
    execution: ExecResult | None = None
    final: str | None = None
    final_source: str | None = None  # "code", "prose" or None
    llm_calls: list[LLMCallRecord] = field(default_factory=list)
    feedback: str | None = None  # the user message sent back for the next turn
    last_turn: bool = False  # the "give your best answer" turn after a budget ran out
    # What the engine did on its own this turn (resample, cut_degenerate, repeat_not_run,
    # check_answer, stop_no_progress), each {"kind": ..., ...}.
    interventions: list[dict[str, Any]] = field(default_factory=list)
    generate_seconds: float = 0.0

    @property
    def output(self) -> str:
        """What the model was shown of the execution ("" when no code ran)."""
        return self.execution.output if self.execution is not None else ""

    def to_dict(self) -> dict[str, Any]:
        ex = self.execution
        record = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                  if f.name not in ("execution", "generate_seconds", "llm_calls", "interventions")}
        record.update(
            execution_fields(ex),
            interventions=list(self.interventions),
            llm_calls=[call.to_dict() for call in self.llm_calls],
            timings={"generate": round(self.generate_seconds, 4),
                     "execute": round(ex.elapsed if ex else 0.0, 4)},
        )
        return record


class Trajectory:
    """The run record; `save()` writes it to `path` (when set) via a temp file and `os.replace`.

    >>> t = Trajectory(task="Find it", model="replay", config={}, context={"chars": 3})
    >>> t.to_dict()["status"]
    'running'
    """

    def __init__(
        self,
        *,
        task: str,
        model: str,
        config: dict[str, Any],
        context: dict[str, Any],
        path: str | os.PathLike[str] | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.task = task
        self.model = model
        self.config = config
        self.context = context
        self.sandbox: dict[str, Any] | None = None  # the REPL sandbox's report (rlm.repl.sandbox)
        self.system_prompt = ""
        self.first_message = ""
        self.iterations: list[IterationRecord] = []
        self.mode = "rlm"  # or "direct": one generation with the context in the prompt
        self.session: dict[str, Any] | None = None  # a session's later question: {"question": n}
        self.status = "running"
        self.answer: str | None = None
        self.error: str | None = None
        self.exhausted = False
        self.totals: dict[str, Any] = {}
        self.started_at = time.time()
        self.elapsed = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The whole record as JSON-ready values."""
        return {
            "version": TRAJECTORY_VERSION,
            "status": self.status,
            "mode": self.mode,
            **({"session": self.session} if self.session is not None else {}),
            "task": self.task,
            "model": self.model,
            "config": self.config,
            "context": self.context,
            "sandbox": self.sandbox,
            "system_prompt": self.system_prompt,
            "first_message": self.first_message,
            "iterations": [it.to_dict() for it in self.iterations],
            "answer": self.answer,
            "error": self.error,
            "exhausted": self.exhausted,
            "totals": self.totals,
            "started_at": round(self.started_at, 3),
            "elapsed": round(self.elapsed, 4),
        }

    def save(self) -> None:
        """Write the record atomically: a reader never sees a half-written file."""
        if self.path is None:
            return
        data = json.dumps(self.to_dict(), ensure_ascii=False, indent=1, default=str)
        write_atomic(self.path, data + "\n")


def read_json_object(path: str | os.PathLike[str], what: str, *, hint: str = "") -> dict[str, Any]:
    """The JSON object in the file at `path`, or a one-line `UsageError` that names the file as
    `what` ("trajectory", "replay file") and ends with `hint` (what to give instead) when set.

    >>> read_json_object("/nonexistent.json", "replay file")
    Traceback (most recent call last):
    ...
    rlm.errors.UsageError: replay file not found: /nonexistent.json
    """
    name = os.fspath(path)
    tail = f": {hint}" if hint else ""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        raise UsageError(f"{what} not found: {name}") from None
    except IsADirectoryError:
        raise UsageError(f"{name} is a directory, not a {what}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"cannot read {what} {name}: {e}") from None
    except json.JSONDecodeError as e:
        raise UsageError(f"{what} {name} is not JSON ({e}){tail}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{what} {name} must hold a JSON object, not {type(data).__name__}{tail}")
    return data


def write_atomic(path: Path, text: str) -> None:
    """Write `text` (UTF-8) to `path` via a temp file in the same directory and `os.replace`.

    >>> # write_atomic(Path("run.html"), page)  -> a reader sees the old file or the new, never half
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        # Ctrl-C in the middle of a write must not leave the temp file behind.
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
