"""The fixed map-reduce program `rlm chunk-bench --task T --answer A` runs over each strategy's chunks.

Fixed, not written by a model, so that the chunking strategy is the only variable: the same model,
seed, prompts and order for every strategy. Map: one sub-call per chunk asks whether that chunk
answers the task (reply `NONE` if not). Reduce: no answer -> none; one distinct answer -> it;
several -> one more sub-call picks among them. The caller scores the answer: `--task/--answer`
as `rlm eval` scores a single value (`value_score`: case, spaces and punctuation ignored),
`--eval KIND` with the eval task's own scorer (`Task.score`).

Example:
    >>> from rlm.backends.replay import ReplayBackend
    >>> b = ReplayBackend([], sub=["NONE", "42"])
    >>> r = map_reduce(b, Context.from_str("ab" * 10), [(0, 10), (10, 20)], "Find the code", value_score("42"))
    >>> r.answer, r.correct, r.sub_calls
    ('42', True, 2)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from rlm._core import Context
from rlm.backends.base import Backend, Sampling
from rlm.eval.scoring import contains_value, normalise

MAP_PROMPT = (
    "Task: {task}\n\nPart {i} of {n} of a document:\n<<<\n{text}\n>>>\n\n"
    "If this part answers the task, reply with the answer only. Otherwise reply NONE."
)
REDUCE_PROMPT = (
    "Task: {task}\n\nDifferent parts of a document gave these answers:\n{answers}\n\n"
    "Reply with the one answer to the task, only the answer."
)
ANSWER_TOKENS = 64  # a map or reduce reply is a short value


@dataclass
class MapReduceResult:
    """What the program answered and what it cost."""

    answer: str
    score: float  # in [0, 1], from the caller's scorer
    sub_calls: int
    prompt_tokens: int
    generated_tokens: int
    seconds: float

    @property
    def correct(self) -> bool:
        """Solved: a score of 1, as `rlm eval` counts a run solved."""
        return self.score >= 1.0


def value_score(expected: str) -> Callable[[str], float]:
    """The scorer of `--task T --answer A`: 1.0 when the answer contains `expected`, as `rlm eval`
    scores a single value (case, spaces and punctuation ignored), else 0.0.

    >>> value_score("6151-YC")("The code is 6151 yc."), value_score("6151-YC")("")
    (1.0, 0.0)
    """
    return lambda answer: 1.0 if answer and contains_value(answer, expected) else 0.0


def is_none(reply: str) -> bool:
    """Whether a map reply says the part does not answer (`NONE`, `none.`, empty).

    >>> is_none(" None."), is_none("6151-YC")
    (True, False)
    """
    return normalise(reply) in ("", "NONE")


def map_reduce(backend: Backend, ctx: Context, spans: list[tuple[int, int]], task: str,
               score: Callable[[str], float], on_call: Callable[[], None] | None = None) -> MapReduceResult:
    """Run the fixed program over `spans` of `ctx` and score its answer with `score` (answer -> [0, 1]).

    `on_call` is called after each sub-call (a progress bar). Example: see the module docstring.
    """
    sampling = Sampling(max_tokens=ANSWER_TOKENS)
    calls = prompt_tokens = generated = 0
    started = time.perf_counter()

    def ask(prompt: str) -> str:
        nonlocal calls, prompt_tokens, generated
        c = backend.generate([{"role": "user", "content": prompt}], sampling, conversation="sub")
        calls, prompt_tokens, generated = calls + 1, prompt_tokens + c.prompt_tokens, generated + c.generation_tokens
        if on_call is not None:
            on_call()
        return c.text.strip()

    found: list[str] = []
    for i, (s, e) in enumerate(spans, 1):
        reply = ask(MAP_PROMPT.format(task=task, i=i, n=len(spans), text=ctx[s:e]))
        if not is_none(reply) and normalise(reply) not in map(normalise, found):
            found.append(reply)
    if len(found) > 1:
        answer = ask(REDUCE_PROMPT.format(task=task, answers="\n".join(f"- {a}" for a in found)))
    else:
        answer = found[0] if found else ""
    return MapReduceResult(answer=answer, score=score(answer) if answer else 0.0,
                           sub_calls=calls, prompt_tokens=prompt_tokens, generated_tokens=generated,
                           seconds=time.perf_counter() - started)
