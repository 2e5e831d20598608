"""Sub-calls of a run: what answers the REPL's `llm_query` and `llm_query_batched` for the engine.

One `SubCalls` per run. Every prompt is an item on its own: the budgets (`max_llm_calls`,
`max_total_tokens`, `max_time`) refuse only the items over them, the admitted ones go to the
backend's `generate_batch` together (concurrent `llm_query` calls from threads arrive here as one
batch too, see rlm.repl.session), and each item gets its own trajectory record. A batch the
backend fails as a whole is retried item by item, so one bad prompt costs only its own answer.
Results come back in order, each a reply or the exception for that prompt.
"""

from __future__ import annotations

import time
from typing import Callable, Protocol, Sequence

from rlm import defaults
from rlm.backends.base import Backend, Completion, Message, Sampling, StopFn
from rlm.config import RLMConfig, RLMResponse, TokenUsage
from rlm.errors import BackendError, BudgetExhaustedError
from rlm.trajectory import RESPONSE_KEEP_CHARS, LLMCallRecord, clip

CHILD_TASK_CHARS = 2000  # of an rlm_query prompt, as the child run's task (all of it is its context)

Spawn = Callable[[str, str], RLMResponse]  # (task, context text) -> the child run's response


class Ledger(Protocol):
    """What the dispatcher reads and updates on the run it serves (its `rlm.budget.Budget`)."""

    config: RLMConfig
    tokens: TokenUsage
    llm_calls: int
    budget_hit: str | None  # set when an item was refused: the run then asks for its best answer

    def over_budget(self) -> str | None: ...


class SubCalls:
    """Answers sub-calls for one run.

    `stop` cuts each reply as it streams (the engine passes loop_control.degenerate_cut, so a reply
    that starts repeating itself ends there). `on_call(record)` is called once per item when it is
    answered or refused (the engine appends the record to the current turn and emits the event).
    `spawn(task, text)` runs an `rlm_query`'s child run; None (at the depth limit, or no
    recursion) answers `rlm_query` as a plain sub-call.

    Example:
        >>> from rlm.backends.replay import ReplayBackend
        >>> class Run:  # what a run's rlm.budget.Budget provides
        ...     config, tokens, llm_calls, budget_hit = RLMConfig(max_llm_calls=2), TokenUsage(), 0, None
        ...     def over_budget(self): return None
        >>> calls = SubCalls(ReplayBackend([], ["a", "b", "c"]), Sampling(64), Run())
        >>> calls.batch(["q1", "q2", "q3"])[:2], type(calls.batch(["q4"])[0]).__name__
        (['a', 'b'], 'BudgetExhaustedError')
    """

    def __init__(self, backend: Backend, sampling: Sampling, ledger: Ledger, *,
                 stop: StopFn | None = None, max_batch: int = defaults.MAX_BATCH,
                 on_call: Callable[[LLMCallRecord], None] | None = None,
                 spawn: Spawn | None = None) -> None:
        self.backend = backend
        self.sampling = sampling
        self.ledger = ledger
        self.stop = stop
        self.max_batch = max_batch
        self.on_call = on_call
        self.spawn = spawn
        self._last = LLMCallRecord(prompt="", prompt_chars=0, response="")  # the latest record made

    def query(self, prompt: str) -> str:
        """One `llm_query`: the reply, or the item's exception raised (it reaches the model's code)."""
        (result,) = self.batch([prompt])
        if isinstance(result, Exception):
            raise result
        return result

    def batch(self, prompts: Sequence[str]) -> list[str | Exception]:
        """Replies to `prompts` in order; an item refused or failed is its exception, in place."""
        results: list[str | Exception | None] = [None] * len(prompts)
        admitted = self._admit(prompts, results)
        for start in range(0, len(admitted), self.max_batch):
            group = admitted[start:start + self.max_batch]
            began = time.perf_counter()
            completions = self._generate([prompts[i] for i in group])
            elapsed = time.perf_counter() - began
            for i, outcome in zip(group, completions):
                results[i] = self._settle(prompts[i], outcome, elapsed, len(group))
        return [r if r is not None else BackendError("no reply") for r in results]

    def rlm_query(self, prompt: str, context: str | None) -> str:
        """One `rlm_query`: a child run through `spawn(task, text)`, or at the depth limit (`spawn`
        None) a plain `llm_query` of the prompt and context, with a note in its record.

        The child's context is `context`, or the prompt itself when none is given (as the `rlms`
        package does); its task is the prompt. A child run counts as one sub-call, and its own
        sub-calls and tokens count against the same budgets. Raises the item's error.
        """
        spawn = self.spawn
        if spawn is None:
            text = prompt if context is None else f"{prompt}\n\n{context}"
            (result,) = self.batch([text])
            self._last.kind = "rlm"  # the record batch() just made (the trajectory is written later)
            self._last.note = (f"rlm_query at the depth limit (max_depth {self.ledger.config.max_depth}): "
                               "answered as llm_query")
            if isinstance(result, Exception):
                raise result
            return result
        refusal = self._refusal()
        if refusal is not None:
            self._settle(prompt, refusal, 0.0, 1, kind="rlm")
            raise refusal
        self.ledger.llm_calls += 1
        task = prompt if len(prompt) <= CHILD_TASK_CHARS else prompt[:CHILD_TASK_CHARS] + " [...]"
        began = time.perf_counter()
        child = spawn(task, prompt if context is None else context)
        record = LLMCallRecord(prompt=clip(prompt), prompt_chars=len(prompt),
                               response=clip(child.answer or "", RESPONSE_KEEP_CHARS),
                               elapsed=time.perf_counter() - began, kind="rlm", child=child.trajectory)
        if child.answer is None:
            record.error = f"the child run ended without an answer: {child.error}"
        if self.on_call is not None:
            self.on_call(record)
        if child.answer is None:
            raise BackendError(record.error)
        return child.answer

    # -- internals ----------------------------------------------------------------------------

    def _admit(self, prompts: Sequence[str], results: list[str | Exception | None]) -> list[int]:
        """Indices of the items within budget; the others get their refusal in `results`.

        A batch's prompt tokens count before it runs (each item's before the next is admitted);
        generated tokens count when they are known, so a batch can overshoot the token budget by
        its replies, never by a prompt admitted after the budget was spent.
        """
        admitted: list[int] = []
        reserved = 0
        for i, prompt in enumerate(prompts):
            refusal = self._refusal(reserved)
            if refusal is not None:
                results[i] = self._settle(prompt, refusal, 0.0, 1)
                continue
            if self.ledger.config.max_total_tokens is not None:
                reserved += self.backend.count_tokens(prompt)
            self.ledger.llm_calls += 1
            admitted.append(i)
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
                batch_size: int, kind: str = "llm") -> str | Exception:
        """Count the item's tokens, record it, and return its reply or its exception."""
        record = LLMCallRecord(prompt=clip(prompt), prompt_chars=len(prompt), response="",
                               elapsed=elapsed, batch_size=batch_size, kind=kind)
        self._last = record
        result: str | Exception
        if isinstance(outcome, Exception):
            record.error = f"{type(outcome).__name__}: {outcome}"
            result = outcome
        else:
            record.response = clip(outcome.text, RESPONSE_KEEP_CHARS)
            record.prompt_tokens = outcome.prompt_tokens
            record.generated_tokens = outcome.generation_tokens
            self.ledger.tokens.sub_prompt += outcome.prompt_tokens
            self.ledger.tokens.sub_generated += outcome.generation_tokens
            result = outcome.text
        if self.on_call is not None:
            self.on_call(record)
        return result
