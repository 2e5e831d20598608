"""`rlm_query_batched` over HTTP: child runs at once (up to --max-concurrency), in the prompts'
order in the answer and the trajectory, with budgets shared with the parent."""

from __future__ import annotations

import threading
from typing import Any

from rlm import rlm_generate
from rlm.backends.openai import OpenAIBackend
from rlm.config import RLMConfig

TASKS = ["Task A", "Task B", "Task C", "Task D"]
USAGE = {"prompt_tokens": 50, "completion_tokens": 5}


def _turn(code: str) -> tuple[Any, ...]:
    """A turn as a server that honours the stop string "```\\n" streams it: without the fence."""
    return ("stream", ["```python\n", code + "\n"], "stop", USAGE)


class Children:
    """Answers the child runs' turns (`FINAL('<task> done')`); the first `meet` children wait for
    each other at the server, so children sent at once are seen at once on a loaded machine too."""

    def __init__(self, meet: int) -> None:
        self.meet = meet
        self.cond = threading.Condition()
        self.arrived = self.open = self.most = 0

    def __call__(self, body: dict[str, Any]) -> tuple[Any, ...] | None:
        first = body["messages"][1]["content"]  # a run's first message names its task
        task = next((t for t in TASKS if t in first), None)
        if task is None:
            return None  # a root turn: from the script's replies
        with self.cond:
            self.arrived += 1
            self.open += 1
            self.most = max(self.most, self.open)
            self.cond.notify_all()
            self.cond.wait_for(lambda: self.arrived >= self.meet, timeout=60)  # REPL starts are slow under load
            self.open -= 1
        return _turn(f"FINAL('{task} done')")


def _run(url: str, script: Any, **config: Any):
    script.replies += [_turn(f"print(rlm_query_batched({TASKS!r}, ['ctx ' + t for t in {TASKS!r}]))"),
                       _turn("FINAL('parent done')")]
    backend = OpenAIBackend(url, "m", max_concurrency=3, backoff=0.01)
    cfg = RLMConfig(max_depth=2, check_answers=False, exec_timeout=60.0, **config)
    return rlm_generate(backend=backend, context="alpha beta gamma", task="Run the children", config=cfg)


def test_children_run_at_once_up_to_max_concurrency_and_nest_in_input_order(server) -> None:
    url, script = server
    script.route = children = Children(meet=3)
    r = _run(url, script)
    assert r.answer == "parent done"
    assert r.trajectory["iterations"][0]["feedback"].startswith(
        "Output:\n['Task A done', 'Task B done', 'Task C done', 'Task D done']")
    assert children.most == 3  # 4 children, 3 at once (max_concurrency), never more
    calls = r.trajectory["iterations"][0]["llm_calls"]
    assert [c["child"]["task"] for c in calls] == TASKS
    assert [c["response"] for c in calls] == [f"{t} done" for t in TASKS]
    assert [c["child"]["context"]["chars"] for c in calls] == [len("ctx Task A")] * 4
    # Shared budgets: 4 child runs counted, their turns' tokens in the root's totals.
    assert r.trajectory["totals"]["llm_calls"] == 4
    assert r.tokens.root_generated == 5 * (2 + 4) and r.tokens.root_prefill == 50 * (2 + 4)


def test_children_at_once_share_the_sub_call_budget(server) -> None:
    url, script = server
    script.route = Children(meet=2)
    r = _run(url, script, max_llm_calls=2)
    calls = r.trajectory["iterations"][0]["llm_calls"]
    refused = [c for c in calls if c["error"] and "max_llm_calls (2) used up" in c["error"]]
    assert len(refused) == 2 and sum(c["child"] is not None for c in calls) == 2
    assert r.trajectory["totals"]["llm_calls"] == 2
    assert [c["prompt"] for c in calls] == TASKS  # refused or not, each in its place
