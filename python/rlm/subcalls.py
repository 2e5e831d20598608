"""Sub-calls of a run: what answers the REPL's `llm_query` and `llm_query_batched` for the engine.

One `SubCalls` per run. Every prompt is an item on its own: the budgets (`max_llm_calls`,
`max_total_tokens`, `max_time`) refuse only the items over them, the admitted ones go to the
backend's `generate_batch` together (concurrent `llm_query` calls from threads arrive here as one
batch too, see rlm.repl.session), and each item gets its own trajectory record. A batch the
backend fails as a whole is retried item by item, so one bad prompt costs only its own answer.
Results come back in order, each a reply or the exception for that prompt.

`rlm_query_batched`'s child runs go one at a time on a backend that serves one request at a time
(in-process MLX: one model on one device, whose KV cache a child's turns take over), and up to
`children_at_once` at once, each in a thread of its own, on backends that serve concurrent
requests (HTTP, `max_concurrency`). Their records reach the trajectory in the prompts' order.
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future
from typing import Callable, Protocol, Sequence, TypeVar

from rlm import defaults
from rlm.backends.base import Backend, Completion, Message, Sampling, StopFn
from rlm.config import RLMConfig, RLMResponse, TokenUsage
from rlm.errors import BackendError, BudgetExhaustedError
from rlm.trajectory import RESPONSE_KEEP_CHARS, LLMCallRecord, clip

CHILD_TASK_CHARS = 2000  # of an rlm_query prompt, as the child run's task (all of it is its context)

Spawn = Callable[[str, str], RLMResponse]  # (task, context text) -> the child run's response
T = TypeVar("T")
R = TypeVar("R")


class Ledger(Protocol):
    """What the dispatcher reads and updates on the run it serves (its `rlm.budget.Budget`)."""

    config: RLMConfig
    tokens: TokenUsage
    llm_calls: int
    budget_hit: str | None  # set when an item was refused: the run then asks for its best answer
    lock: threading.RLock  # held while an item is checked and admitted (child runs share a ledger)

    def over_budget(self) -> str | None: ...


def children_at_once(*backends: Backend) -> int:
    """How many `rlm_query_batched` child runs may run at once on `backends` (a child's turns go
    to the root's backend, its sub-calls to the sub-call backend): the smallest `max_concurrency`,
    1 for a backend without one (in-process MLX, replay).

    >>> from rlm.backends.replay import ReplayBackend
    >>> children_at_once(ReplayBackend([]))
    1
    """
    return max(1, min(int(getattr(b, "max_concurrency", 1)) for b in backends))


class SubCalls:
    """Answers sub-calls for one run.

    `stop` cuts each reply as it streams (the engine passes loop_control.degenerate_cut, so a reply
    that starts repeating itself ends there). `on_call(record)` is called once per item when it is
    answered or refused (the engine appends the record to the current turn and emits the event).
    `spawn(task, text)` runs an `rlm_query`'s child run; None (at the depth limit, or no
    recursion) answers `rlm_query` as a plain sub-call. `children_at_once` child runs of one
    `rlm_batch` run at once (`children_at_once()`), each calling `spawn` in its own thread.

    Example:
        >>> from rlm.backends.replay import ReplayBackend
        >>> class Run:  # what a run's rlm.budget.Budget provides
        ...     config, tokens, llm_calls, budget_hit = RLMConfig(max_llm_calls=2), TokenUsage(), 0, None
        ...     lock = threading.RLock()
        ...     def over_budget(self): return None
        >>> calls = SubCalls(ReplayBackend([], ["a", "b", "c"]), Sampling(64), Run())
        >>> calls.batch(["q1", "q2", "q3"])[:2], type(calls.batch(["q4"])[0]).__name__
        (['a', 'b'], 'BudgetExhaustedError')
    """

    def __init__(self, backend: Backend, sampling: Sampling, ledger: Ledger, *,
                 stop: StopFn | None = None, max_batch: int = defaults.MAX_BATCH,
                 on_call: Callable[[LLMCallRecord], None] | None = None,
                 spawn: Spawn | None = None, children_at_once: int = 1) -> None:
        self.backend = backend
        self.sampling = sampling
        self.ledger = ledger
        self.stop = stop
        self.max_batch = max_batch
        self.on_call = on_call
        self.spawn = spawn
        self.children_at_once = children_at_once

    def query(self, prompt: str) -> str:
        """One `llm_query`: the reply, or the item's exception raised (it reaches the model's code)."""
        (result,) = self.batch([prompt])
        if isinstance(result, Exception):
            raise result
        return result

    def batch(self, prompts: Sequence[str], *, kind: str = "llm",
              note: str | None = None) -> list[str | Exception]:
        """Replies to `prompts` in order; an item refused or failed is its exception, in place.
        `kind` and `note` go into each item's record."""
        results: list[str | Exception | None] = [None] * len(prompts)
        admitted = self._admit(prompts, results, kind)
        for start in range(0, len(admitted), self.max_batch):
            group = admitted[start:start + self.max_batch]
            began = time.perf_counter()
            completions = self._generate([prompts[i] for i in group])
            elapsed = time.perf_counter() - began
            for i, outcome in zip(group, completions):
                results[i] = self._settle(prompts[i], outcome, elapsed, len(group), kind, note)
        return [r if r is not None else BackendError("no reply") for r in results]

    def rlm_batch(self, prompts: Sequence[str], contexts: Sequence[str | None]) -> list[str | Exception]:
        """`rlm_query_batched`: one child run per prompt through `spawn(task, text)`, answers in
        order (a child that ends without one is its `BackendError` in place); at the depth limit
        (`spawn` None) one batch of plain sub-calls of each prompt and its context, with a note.

        A child's context is its `context`, or the prompt itself when none is given (as the `rlms`
        package does); its task is the prompt. A child run counts as one sub-call when it starts,
        and its own sub-calls and tokens count against the same budgets.
        """
        if self.spawn is None:
            texts = [p if c is None else f"{p}\n\n{c}" for p, c in zip(prompts, contexts)]
            return self.batch(texts, kind="rlm",
                              note=f"rlm_query at the depth limit (max_depth {self.ledger.config.max_depth}): "
                                   "answered as llm_query")
        settled: list[str | Exception] = []

        def record(outcome: tuple[LLMCallRecord, str | Exception]) -> None:
            if self.on_call is not None:
                self.on_call(outcome[0])
            settled.append(outcome[1])

        in_order(self._child, list(zip(prompts, contexts)), self.children_at_once, record)
        return settled

    # -- internals ----------------------------------------------------------------------------

    def _child(self, item: tuple[str, str | None]) -> tuple[LLMCallRecord, str | Exception]:
        """One child run (in its own thread when children run at once): its record and answer."""
        prompt, context = item
        with self.ledger.lock:  # checked and counted together: siblings start in other threads
            refusal = self._refusal()
            if refusal is None:
                self.ledger.llm_calls += 1
        if refusal is not None:
            return self._record(prompt, refusal, 0.0, 1, "rlm")
        spawn = self.spawn
        assert spawn is not None
        task = prompt if len(prompt) <= CHILD_TASK_CHARS else prompt[:CHILD_TASK_CHARS] + " [...]"
        began = time.perf_counter()
        record = LLMCallRecord(prompt=clip(prompt), prompt_chars=len(prompt), response="", kind="rlm")
        try:
            child = spawn(task, prompt if context is None else context)
        except Exception as e:  # noqa: BLE001 - this child's failure, raised in the model's code
            record.error, record.elapsed = f"{type(e).__name__}: {e}", time.perf_counter() - began
            return record, e
        record.response = clip(child.answer or "", RESPONSE_KEEP_CHARS)
        record.elapsed, record.child = time.perf_counter() - began, child.trajectory
        if child.answer is None:
            record.error = f"the child run ended without an answer: {child.error}"
            return record, BackendError(record.error)
        return record, child.answer

    def _admit(self, prompts: Sequence[str], results: list[str | Exception | None],
               kind: str = "llm") -> list[int]:
        """Indices of the items within budget; the others get their refusal in `results`.

        A batch's prompt tokens count before it runs (each item's before the next is admitted);
        generated tokens count when they are known, so a batch can overshoot the token budget by
        its replies, never by a prompt admitted after the budget was spent.
        """
        admitted: list[int] = []
        reserved = 0
        with self.ledger.lock:  # a sibling child run may be admitting its items too
            for i, prompt in enumerate(prompts):
                refusal = self._refusal(reserved)
                if refusal is not None:
                    results[i] = refusal
                    continue
                if self.ledger.config.max_total_tokens is not None:
                    reserved += self.backend.count_tokens(prompt)
                self.ledger.llm_calls += 1
                admitted.append(i)
        for i, result in enumerate(results):  # recorded outside the lock, in order
            if isinstance(result, Exception):
                results[i] = self._settle(prompts[i], result, 0.0, 1, kind)
        return admitted

    def _refusal(self, reserved: int = 0) -> BudgetExhaustedError | None:
        """The error refusing one more item (`reserved` tokens already promised), or None."""
        ledger, cfg = self.ledger, self.ledger.config
        refused = (f"max_llm_calls ({cfg.max_llm_calls}) used up"
                   if ledger.llm_calls >= cfg.max_llm_calls else ledger.over_budget())
        if refused is None and cfg.max_total_tokens is not None:
            if ledger.tokens.total + reserved >= cfg.max_total_tokens:
                refused = f"max_total_tokens ({cfg.max_total_tokens}) used up"
        if refused is None:
            return None
        ledger.budget_hit = refused
        return BudgetExhaustedError(f"no more sub-calls: {refused}; answer with what you have")

    def _generate(self, prompts: list[str]) -> list[Completion | Exception]:
        conversations: list[list[Message]] = [[{"role": "user", "content": p}] for p in prompts]
        batch = getattr(self.backend, "generate_batch", None)
        if batch is not None and len(prompts) > 1:
            try:
                out = list(batch(conversations, self.sampling, stop=self.stop, max_batch=self.max_batch))
                if len(out) == len(prompts):
                    return out
            except Exception:  # noqa: BLE001 - isolate the failing prompt: one by one below
                pass
        results: list[Completion | Exception] = []
        for messages in conversations:
            try:
                results.append(self.backend.generate(messages, self.sampling, stop=self.stop,
                                                     conversation="sub"))
            except Exception as e:  # noqa: BLE001 - this prompt's error, raised in the model's code
                results.append(e)
        return results

    def _settle(self, prompt: str, outcome: Completion | Exception, elapsed: float,
                batch_size: int, kind: str = "llm", note: str | None = None) -> str | Exception:
        """Count the item's tokens, record it, and return its reply or its exception."""
        record, result = self._record(prompt, outcome, elapsed, batch_size, kind, note)
        if self.on_call is not None:
            self.on_call(record)
        return result

    def _record(self, prompt: str, outcome: Completion | Exception, elapsed: float,
                batch_size: int, kind: str, note: str | None = None) -> tuple[LLMCallRecord, str | Exception]:
        """The item's record and its reply or exception; its tokens counted on the ledger."""
        record = LLMCallRecord(prompt=clip(prompt), prompt_chars=len(prompt), response="",
                               elapsed=elapsed, batch_size=batch_size, kind=kind, note=note)
        if isinstance(outcome, Exception):
            record.error = f"{type(outcome).__name__}: {outcome}"
            return record, outcome
        record.response = clip(outcome.text, RESPONSE_KEEP_CHARS)
        record.prompt_tokens, record.prefill_tokens = outcome.prompt_tokens, outcome.prefill_tokens
        record.generated_tokens = outcome.generation_tokens
        self.ledger.tokens.add(sub_prompt=outcome.prompt_tokens, sub_generated=outcome.generation_tokens)
        return record, outcome.text


def in_order(work: Callable[[T], R], items: Sequence[T], width: int, done: Callable[[R], None]) -> None:
    """`done(work(item))` for every item, in the items' order, with up to `width` `work` calls
    running at once in threads of their own (`width` 1: all in the caller's thread).

    The threads are daemons and start no new item once the caller is interrupted (Ctrl-C while
    waiting), so an interrupted run does not wait for its children before it can stop. An
    exception `work` raises is raised in the caller when its item's turn comes.

    >>> out = []
    >>> in_order(lambda x: x * x, [1, 2, 3], 2, out.append); out
    [1, 4, 9]
    """
    if width <= 1 or len(items) <= 1:
        for item in items:
            done(work(item))
        return
    futures: list[Future[R]] = [Future() for _ in items]
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for i in range(len(items)):
        todo.put(i)
    stop = threading.Event()

    def worker() -> None:
        while not stop.is_set():
            try:
                i = todo.get_nowait()
            except queue.Empty:
                return
            try:
                futures[i].set_result(work(items[i]))
            except BaseException as e:  # noqa: BLE001 - handed to the caller with its item
                futures[i].set_exception(e)

    for n in range(min(width, len(items))):
        threading.Thread(target=worker, name=f"rlm-child-{n}", daemon=True).start()
    try:
        for future in futures:
            done(future.result())
    finally:
        stop.set()
