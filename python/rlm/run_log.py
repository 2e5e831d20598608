"""What a run reports as it goes: events to its listeners, its trajectory saved after every turn,
and one warning line per process for a sandbox that protects less than asked.

The engine's loop (rlm.engine) and direct answers (rlm.direct) report through one `RunLog`; the
record's format is rlm.trajectory's, the events' rlm.events'.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

from rlm.budget import Budget
from rlm.config import RLMConfig
from rlm.errors import UsageError
from rlm.events import Event, EventKind, StderrPrinter
from rlm.loop_control import intervention
from rlm.repl.sandbox import describe as describe_sandbox
from rlm.trajectory import IterationRecord, Trajectory

# Sandbox warnings already printed by this process: `rlm eval` runs many tasks, one line is enough.
_SANDBOX_WARNED: set[str] = set()


class RunLog:
    """The trajectory and the event listeners of one run (`config.verbose`: the stderr printer;
    `config.on_event`: the caller's listener).

    Example:
        >>> cfg = RLMConfig(on_event=lambda e: print(e.kind, e.data))
        >>> log = RunLog(Trajectory(task="t", model="m", config={}, context={}), cfg, Budget(cfg))
        >>> log.emit("feedback", 1, text="Output: 42")
        feedback {'text': 'Output: 42'}
    """

    def __init__(self, trajectory: Trajectory, config: RLMConfig, budget: Budget) -> None:
        self.trajectory = trajectory
        self.config = config
        self.budget = budget
        self.listeners: list[Callable[[Event], None]] = [StderrPrinter()] if config.verbose else []
        if config.on_event is not None:
            self.listeners.append(config.on_event)
        self.save_failed = False

    def emit(self, kind: EventKind, iteration: int, /, **data: Any) -> None:
        """Send one event to every listener."""
        event = Event(kind, iteration, data)
        for listener in self.listeners:
            listener(event)

    def intervene(self, rec: IterationRecord, kind: str, **data: Any) -> None:
        """Record (and report) one step the engine took on its own."""
        rec.interventions.append(intervention(kind, **data))
        self.emit("intervention", rec.iteration, kind=kind, **data)

    def start(self) -> None:
        """The first write, before any model time is spent: an unwritable path is a `UsageError`."""
        traj = self.trajectory
        try:
            traj.save()
        except OSError as e:
            raise UsageError(f"cannot write the trajectory to {traj.path}: {e.strerror or e}") from None

    def save(self) -> None:
        """Rewrite the trajectory; a failure after the first write warns once and the run goes on."""
        t = self.trajectory
        t.elapsed = self.budget.elapsed()
        t.totals = {"iterations": len(t.iterations), "llm_calls": self.budget.llm_calls,
                    **self.budget.tokens.to_dict(), "elapsed": round(t.elapsed, 4)}
        try:
            t.save()
        except OSError as e:
            if not self.save_failed:
                print(f"rlm: warning: cannot write the trajectory: {e}", file=sys.stderr)
            self.save_failed = True

    def report_sandbox(self, report: dict[str, Any]) -> None:
        """Keep the sandbox's report in the trajectory; say on stderr, once per process, when it
        protects less than asked (with -v, always: the printer shows it)."""
        text = describe_sandbox(report)
        self.trajectory.sandbox = {**report, "summary": text}
        self.emit("sandbox", 0, report=report, text=text)
        weak = report.get("mode") != "off" and (report.get("mechanism", "none") == "none"
                                                or bool(report.get("missing_required")))
        if weak and not self.config.verbose and text not in _SANDBOX_WARNED:
            _SANDBOX_WARNED.add(text)
            print(f"rlm: warning: {text}", file=sys.stderr)
