"""Sub-calls in a run (rlm.subcalls): batches through the backend, per-item budgets and failures."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from rlm.backends.base import Sampling
from rlm.backends.replay import ReplayBackend
from rlm.config import RLMConfig, TokenUsage
from rlm import rlm_generate
from rlm.subcalls import SubCalls, children_at_once, in_order

from .conftest import block


def _run(turns: list[str], sub: list[str] | None, *, window: int | None = None, **config: Any):
    backend = ReplayBackend(turns, sub, sub_window=window)
    config.setdefault("exec_timeout", 20.0)
    r = rlm_generate(backend=backend, context="alpha beta gamma", task="t", config=RLMConfig(**config))
    return r, backend


def _feedback(r, n: int) -> str:
    return r.trajectory["iterations"][n - 1]["feedback"]


class _Ledger:
    def __init__(self, **config: Any) -> None:
        self.config, self.tokens, self.llm_calls, self.budget_hit = RLMConfig(**config), TokenUsage(), 0, None
        self.lock = threading.RLock()

    def over_budget(self) -> str | None:
        return None


def test_llm_query_batched_goes_through_generate_batch_in_order() -> None:
    r, backend = _run([block("print(llm_query_batched(['p1', 'p2', 'p3']))"), block("FINAL(1)")],
                      ["r1", "r2", "r3"])
    assert backend.batches == [3]
    assert _feedback(r, 1).startswith("Output:\n['r1', 'r2', 'r3']")
    calls = r.trajectory["iterations"][0]["llm_calls"]
    assert [c["response"] for c in calls] == ["r1", "r2", "r3"]
    assert [c["batch_size"] for c in calls] == [3, 3, 3]
    assert r.tokens.sub_generated == 3  # one replay token per reply


def test_a_prompt_too_long_for_the_window_fails_alone() -> None:
    code = "print(llm_query_batched(['short', 'word ' * 400, 'also short']))"
    r, _ = _run([block(code), block("FINAL(1)")], ["r1", "r3"], window=100)
    out = _feedback(r, 1)
    assert "['r1', \"Error: BackendError: this llm_query prompt is 404 tokens" in out and "'r3']" in out
    errors = [c["error"] for c in r.trajectory["iterations"][0]["llm_calls"]]
    assert errors[0] is None and errors[1].startswith("BackendError") and errors[2] is None


def test_max_llm_calls_refuses_only_the_items_over_it() -> None:
    r, backend = _run([block("print(llm_query_batched(['a', 'b', 'c']))"), block("FINAL('x')")],
                      ["ra", "rb"], max_llm_calls=2)
    assert "['ra', 'rb', 'Error: BudgetExhaustedError: no more sub-calls: max_llm_calls (2) used up" in _feedback(r, 1)
    assert backend.sub_prompts == ["a", "b"]  # the refused item never reached the model
    assert r.exhausted and r.answer == "x"  # the refusal leads to the best-answer turn


def test_token_budget_admits_items_until_their_prompts_fill_it() -> None:
    ledger = _Ledger(max_total_tokens=8)
    calls = SubCalls(ReplayBackend([], ["1", "2", "3"]), Sampling(8), ledger)
    out = calls.batch(["a" * 16, "b" * 16, "c" * 16])  # 4 replay tokens each
    assert out[:2] == ["1", "2"]
    assert "max_total_tokens (8) used up" in str(out[2])
    assert ledger.budget_hit is not None and ledger.llm_calls == 2


def test_a_batch_larger_than_max_batch_runs_in_groups() -> None:
    backend = ReplayBackend([], [str(i) for i in range(5)])
    out = SubCalls(backend, Sampling(8), _Ledger(), max_batch=2).batch([f"q{i}" for i in range(5)])
    assert out == ["0", "1", "2", "3", "4"] and backend.batches == [2, 2]  # the last one runs alone


def test_a_batch_the_backend_fails_as_a_whole_is_retried_item_by_item() -> None:
    class Flaky(ReplayBackend):
        def generate_batch(self, prompts, sampling, *, max_batch=None):
            raise RuntimeError("device lost")

    out = SubCalls(Flaky([], ["a", "b"]), Sampling(8), _Ledger()).batch(["x", "y"])
    assert out == ["a", "b"]


def test_llm_query_from_threads_in_a_run_reaches_the_backend_as_a_batch() -> None:
    code = ("import threading\nfrom concurrent.futures import ThreadPoolExecutor\n"
            "gate = threading.Barrier(4)\n"
            "def ask(p):\n    gate.wait()\n    return llm_query(p)\n"
            "with ThreadPoolExecutor(4) as pool:\n    print(sorted(pool.map(ask, 'abcd')))")
    r, backend = _run([block(code), block("FINAL(1)")], None)
    assert "Output:\n['(replay sub-call" in _feedback(r, 1)
    assert len(backend.sub_prompts) == 4 and max(backend.batches, default=1) >= 2, backend.batches


# -- rlm_query: bounded recursion ------------------------------------------------------------------


def test_rlm_query_at_the_default_depth_is_a_plain_sub_call_with_a_note() -> None:
    r, backend = _run([block("print(rlm_query('Which word?', 'alpha beta'))"), block("FINAL(1)")], ["beta"])
    assert _feedback(r, 1).startswith("Output:\nbeta")
    assert backend.sub_prompts == ["Which word?\n\nalpha beta"]
    (call,) = r.trajectory["iterations"][0]["llm_calls"]
    assert call["kind"] == "rlm" and "depth limit (max_depth 1)" in call["note"] and call["child"] is None


def test_rlm_query_below_the_depth_limit_runs_a_child_with_its_own_repl() -> None:
    turns = [block("a = rlm_query('Find the last word', context[-5:])\nprint(a)"),
             block("FINAL(context.split()[-1] + '!')"),  # the child's turn, over 'gamma'
             block("FINAL(a)")]
    r, _ = _run(turns, None, max_depth=2)
    assert r.answer == "gamma!"
    (call,) = r.trajectory["iterations"][0]["llm_calls"]
    child = call["child"]
    assert call["kind"] == "rlm" and call["response"] == "gamma!"
    assert child["task"] == "Find the last word" and child["context"]["chars"] == 5
    assert child["answer"] == "gamma!" and len(child["iterations"]) == 1
    # Shared token counts: the child's turn is in the run's totals.
    assert r.tokens.root_generated == sum(t["generated_tokens"] for t in r.trajectory["iterations"]) + \
        child["iterations"][0]["generated_tokens"]


def test_a_child_run_shares_the_sub_call_budget_with_its_parent() -> None:
    turns = [block("a = rlm_query('Ask the model')\nprint(a)"),
             block("print(llm_query('one more'))"),  # the child's call: the budget (1) is spent
             block("FINAL('child gave up')"),
             block("FINAL(a)")]
    r, backend = _run(turns, ["never used"], max_depth=2, max_llm_calls=1)
    child = r.trajectory["iterations"][0]["llm_calls"][0]["child"]
    assert "max_llm_calls (1) used up" in child["iterations"][0]["feedback"]
    assert backend.sub_prompts == []
    assert r.answer == "child gave up" and r.exhausted


def test_a_child_without_an_answer_is_an_error_inside_the_parent_code() -> None:
    turns = [block("try:\n    rlm_query('q', 'text')\nexcept RuntimeError as e:\n    print(e)"),
             block("x = 1"), block("x = 2"),  # the child's turns (max_iterations 1 + the last turn)
             block("FINAL('parent')")]
    r, _ = _run(turns, None, max_depth=2, max_iterations=1, check_answers=False)
    assert "rlm_query failed: BackendError: the child run ended without an answer" in _feedback(r, 1)
    assert r.answer == "parent"


# -- rlm_query_batched: children at once where the backend allows it --------------------------------


def test_children_run_at_once_only_when_every_backend_serves_concurrent_requests() -> None:
    class Http:  # what the OpenAI backend declares
        def __init__(self, n: int) -> None:
            self.max_concurrency = n

    assert children_at_once(Http(8), Http(3)) == 3
    assert children_at_once(ReplayBackend([]), Http(8)) == 1  # in-process turns: one child at a time


def test_in_order_runs_up_to_width_at_once_and_hands_results_back_in_input_order() -> None:
    second_done = threading.Event()
    lock = threading.Lock()
    running = most = 0

    def work(i: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        if i == 0:
            assert second_done.wait(10)  # the first item finishes only after the second
        second_done.set()
        with lock:
            running -= 1
        return i * 10

    out: list[int] = []
    in_order(work, [0, 1, 2, 3], 2, out.append)
    assert out == [0, 10, 20, 30] and most == 2


def test_in_order_with_width_1_runs_in_the_caller_and_raises_an_item_s_error_in_its_turn() -> None:
    threads: list[str] = []

    def work(i: int) -> int:
        threads.append(threading.current_thread().name)
        if i == 2:
            raise ValueError("item 2")
        return i

    for width in (1, 3):
        out: list[int] = []
        with pytest.raises(ValueError, match="item 2"):
            in_order(work, [0, 1, 2, 3], width, out.append)
        assert out == [0, 1]
    assert set(threads[:3]) == {threading.current_thread().name}
