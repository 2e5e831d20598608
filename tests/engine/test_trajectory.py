"""The trajectory: its content on success, exhaustion and error; written after every turn; no context."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rlm.backends.replay import ReplayBackend
from rlm.config import RLMConfig
from rlm import rlm_generate
from rlm.engine import STEER_FINAL
from rlm.events import Event
from rlm.trajectory import Trajectory, clip


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def test_success_records_every_part(tmp_path: Path, run, code) -> None:
    out = tmp_path / "t.json"
    r = run([code("a = llm_query('q: ' + context[:10])\nprint(a)"), code("FINAL(a)")],
            sub=["forty-two"], trajectory=out, max_iterations=7)
    t = load(out)
    assert t == r.trajectory
    assert t["version"] == 1 and t["status"] == "answered"
    assert t["task"] == "Find the secret code" and t["model"] == "replay"
    assert t["config"]["max_iterations"] == 7
    assert t["context"]["chars"] == 42 and t["context"]["bytes"] == 42 and t["context"]["lines"] == 2
    assert t["context"]["source"] == "text"
    assert t["answer"] == "forty-two" and t["error"] is None and t["exhausted"] is False
    first, second = t["iterations"]
    assert first["code"] == "a = llm_query('q: ' + context[:10])\nprint(a)\n"
    assert first["output"] == "forty-two\n"
    assert first["llm_calls"][0]["prompt"] == "q: The secret"
    assert first["llm_calls"][0]["prompt_tokens"] > 0
    assert first["prefill_tokens"] > 0 and first["generated_tokens"] > 0
    assert set(first["timings"]) == {"generate", "execute"}
    assert second["final"] == "forty-two" and second["final_source"] == "code"
    totals = t["totals"]
    assert totals["iterations"] == 2 and totals["llm_calls"] == 1
    assert totals["total"] == r.total_tokens
    assert not [p.name for p in tmp_path.iterdir() if p.name != "t.json"]  # no temp files left


def test_exhausted_run_is_marked(tmp_path: Path, run, code) -> None:
    out = tmp_path / "t.json"
    run([code("print(1)"), code("print(2)")], trajectory=out, max_iterations=1)
    t = load(out)
    assert t["status"] == "exhausted" and t["exhausted"] is True
    assert t["answer"] is None and "max_iterations (1)" in t["error"]
    assert t["iterations"][1]["last_turn"] is True


def test_error_run_is_recorded(tmp_path: Path, run, code) -> None:
    out = tmp_path / "t.json"
    r = run([code("x = 1")], trajectory=out)
    t = load(out)
    assert t["status"] == "error"
    assert "ran out of turns" in t["error"]
    assert t["error"] == r.error
    assert len(t["iterations"]) == 2 and t["iterations"][0]["code"] == "x = 1\n"


def test_written_after_every_iteration(tmp_path: Path, run, code) -> None:
    out = tmp_path / "t.json"
    seen: list[tuple[int, str, int]] = []

    def on_event(e: Event) -> None:
        if e.kind == "turn":
            t = load(out)
            seen.append((e.iteration, t["status"], len(t["iterations"])))

    run([code("print(1)"), code("print(2)"), code("FINAL(3)")], trajectory=out, on_event=on_event)
    assert seen == [(1, "running", 0), (2, "running", 1), (3, "running", 2)]


def test_the_context_itself_is_never_written(tmp_path: Path, run, code) -> None:
    marker = "UNIQUE-MIDDLE-MARKER"
    context = "a" * 100_000 + marker + "b" * 100_000
    out = tmp_path / "t.json"
    run([code("r = llm_query(context[:])\nprint(context[90000:110000])"), code("FINAL(1)")],
        context=context, trajectory=out, max_output_chars=2000)
    text = out.read_text()
    assert marker not in text
    assert len(text) < 20_000
    call = load(out)["iterations"][0]["llm_calls"][0]
    assert call["prompt_chars"] == len(context) and "characters cut" in call["prompt"]


def test_a_trajectory_replays_to_the_same_answer(tmp_path: Path, run, code) -> None:
    from rlm.backends.replay import ReplayBackend
    from rlm import rlm_generate

    out = tmp_path / "t.json"
    first = run([code("n = context.count('e')"), code("FINAL(n * 2)")], trajectory=out)
    again = rlm_generate(backend=ReplayBackend.from_file(out),
                         context="The secret code is 42.\nNothing else here.\n", task="Same task")
    assert again.answer == first.answer == "16"


def test_clip_keeps_head_and_tail() -> None:
    assert clip("short") == "short"
    cut = clip("h" * 600 + "t" * 600, keep=100)
    assert cut.startswith("h" * 50) and cut.endswith("t" * 50) and "1100 characters cut" in cut


def test_save_without_a_path_writes_nothing(tmp_path: Path) -> None:
    Trajectory(task="t", model="m", config={}, context={}).save()
    assert list(tmp_path.iterdir()) == []



class InterruptedOnLastTurn(ReplayBackend):
    """Replays `turns`, then streams `partial` and gets SIGTERM, which the CLI's handler raises as
    KeyboardInterrupt inside the backend (as it would inside MLX's generation loop)."""

    def __init__(self, turns: list[str], partial: str) -> None:
        super().__init__(turns)
        self.partial = partial

    def generate(self, messages: Any, sampling: Any, **kw: Any) -> Any:
        if self._next_turn == len(self._turns) and kw.get("conversation", "root") == "root":
            kw["on_text"](self.partial)
            raise KeyboardInterrupt("SIGTERM")
        return super().generate(messages, sampling, **kw)


def test_a_turn_cut_by_sigterm_keeps_what_was_streamed(tmp_path: Path, code) -> None:
    out = tmp_path / "t.json"
    partial = "```python\nhits = grep('Car"
    backend = InterruptedOnLastTurn([code("print(1)")], partial)
    with pytest.raises(KeyboardInterrupt):
        rlm_generate(backend=backend, context="c", task="t", output_trajectory=out,
                     config=RLMConfig(exec_timeout=10.0))
    t = load(out)
    assert t["status"] == "interrupted" and t["error"] == "interrupted (SIGTERM)"
    first, cut = t["iterations"]
    assert (cut["text"], cut["finish_reason"]) == (partial, "interrupted")
    assert cut["generated_tokens"] == backend.count_tokens(partial) > 0
    assert t["totals"]["root_generated"] == first["generated_tokens"] + cut["generated_tokens"]


class PrefixedInterruptedOnLastTurn(InterruptedOnLastTurn):
    """As InterruptedOnLastTurn, for a backend that starts the assistant turn (as MLX does)."""

    supports_assistant_prefix = True


def test_a_cut_turn_keeps_its_steered_start(tmp_path: Path, code) -> None:
    # The last turn starts inside `FINAL(` (steered): its record is that start plus what streamed.
    out = tmp_path / "t.json"
    backend = PrefixedInterruptedOnLastTurn([code("print(1)")], "'42'")
    with pytest.raises(KeyboardInterrupt):
        rlm_generate(backend=backend, context="c", task="t", output_trajectory=out,
                     config=RLMConfig(exec_timeout=10.0, max_iterations=1))
    cut = load(out)["iterations"][-1]
    assert cut["last_turn"] is True and cut["finish_reason"] == "interrupted"
    assert cut["text"] == "```python\n" + STEER_FINAL + "'42'"
