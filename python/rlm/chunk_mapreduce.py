r"""The fixed map-reduce program `rlm chunk-bench --task T --answer A` runs over each strategy's chunks.

Fixed, not written by a model, so that the chunking strategy is the only variable: the same model,
seed, prompts and order for every strategy (`PROGRAM`). Map: one sub-call per chunk asks for the
answer copied from that chunk; only the items of a reply that are in the chunk's text are kept,
with the line that holds each (`evidence`). Reduce: no line -> no answer; else one more sub-call
answers the task from those lines, and an item it lists twice is kept once (`unique_items`). (`FIRST_PROGRAM`, the first version, offered NONE and kept any
other reply whole; it is kept to measure against.) The caller scores the answer: `--task/--answer`
as `rlm eval` scores a single value (`value_score`: case, spaces and punctuation ignored),
`--eval KIND` with the eval task's own scorer (`Task.score`).

Example:
    >>> from rlm.backends.replay import ReplayBackend
    >>> b = ReplayBackend([], sub=["1234", "code 4242", "4242"])
    >>> ctx = Context.from_str("some text\n" * 3 + "the code: 4242\n")
    >>> r = map_reduce(b, ctx, [(0, 20), (20, 45)], "Find the code", value_score("4242"))
    >>> r.answer, r.correct, r.sub_calls, b.sub_prompts[-1].splitlines()[1]
    ('4242', True, 3, '- the code: 4242')
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Callable

from rlm._core import Context
from rlm.backends.base import Backend, Sampling
from rlm.eval.scoring import contains_value, normalise



@dataclass(frozen=True)
class Program:
    """The program's two templates and how map replies are kept. `map` gets {task}, {i}, {n}, {text};
    `reduce` gets {task} and {answers} (`- ` lines: the map values, or with `grounded` the chunk
    lines that hold them)."""

    map: str
    reduce: str
    # True: a map reply is split into items and only items found in the chunk's text are kept (an
    # invented value is not); the reduce then always runs, over the lines that hold them.
    # False: a map reply other than NONE is kept whole; the reduce runs only for several answers.
    grounded: bool


# The first program, kept to measure against (benches/bench_mapreduce_prompts.py). Offered NONE,
# the 0.5B replied NONE for every chunk, those that held the answer too (docs/chunking.md).
FIRST_PROGRAM = Program(
    map="Task: {task}\n\nPart {i} of {n} of a document:\n<<<\n{text}\n>>>\n\n"
        "If this part answers the task, reply with the answer only. Otherwise reply NONE.",
    reduce="Task: {task}\n\nDifferent parts of a document gave these answers:\n{answers}\n\n"
           "Reply with the one answer to the task, only the answer.",
    grounded=False,
)
# Not offered NONE, the 0.5B copies the value when the chunk holds it and otherwise mostly invents
# one (a digit run, a value from the question), which grounding drops. The question comes after the
# text, where a small model attends best, as the RLM paper's sub-calls put the query with the
# documents and ask for the answer "based on the evidence". The reduce reads the lines themselves, so
# it can tell the asked-for record from a look-alike the map also copied (another key, another state).
PROGRAM = Program(
    map="Here is part {i} of {n} of a long document:\n<<<\n{text}\n>>>\n\n"
        "Question: {task}\nAnswer with the value copied exactly from the part above "
        "(every one, separated by commas, if the question asks for several).",
    reduce="These lines were found in a long document:\n{answers}\n\n"
           "Question: {task}\nAnswer the question from these lines only, copying values exactly. "
           "If it asks for several items, give every one that fits, separated by commas; "
           "leave out lines about something else.",
    grounded=True,
)
MAX_ITEMS = 8  # items of one map reply looked up in its chunk (a reply listing more is mostly noise)
MAX_EVIDENCE = 32  # lines the reduce reads at most
MAX_LINE_CHARS = 400  # a longer line is cut around its value
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


def evidence(reply: str, chunk: str) -> list[str]:
    r"""The lines of `chunk` that hold the items of a map `reply` (split at commas, semicolons and
    line breaks; compared as `rlm eval` compares values: case, spaces and punctuation ignored).
    Items not in the chunk, NONE, and items of fewer than 3 letters or digits give no line.

    >>> evidence("6595-PF, 1234-XX", "x = 1\nThe code is 6595 PF.\n")
    ['The code is 6595 PF.']
    """
    items = [normalise(x) for x in re.split(r"[,;\n]", reply)]
    whole = normalise(chunk)
    lines: list[str] = []
    keyed: list[tuple[str, str]] | None = None  # (normalised line, line), built on first need
    # NONE is not offered, but a model may still say it, and `None` is in every Python file.
    for item in [x for x in items if len(x) >= 3 and x != "NONE" and x in whole][:MAX_ITEMS]:
        if keyed is None:
            keyed = [(normalise(line), line) for line in chunk.splitlines()]
        # None: the item spans a line break (a value cut by a line end), which no record does.
        line = next((line for key, line in keyed if item in key), None)
        if line is not None and _around(line.strip(), item) not in lines:
            lines.append(_around(line.strip(), item))
    return lines


def unique_items(answer: str) -> str:
    """The reduce's answer with every repeated item left out, the first of each kept (items split as
    `evidence` splits a map reply; compared normalised). A 0.5B reduce can list one id twice
    ("JOB-18264, JOB-18264", extract seed 0), which reads as two items; an answer without a repeat is
    returned unchanged.

    >>> unique_items("JOB-18264, job 18264; JOB-20571"), unique_items("The code is 6151-YC.")
    ('JOB-18264, JOB-20571', 'The code is 6151-YC.')
    """
    items = [x.strip() for x in re.split(r"[,;\n]", answer) if x.strip()]
    seen: set[str] = set()
    kept = []
    for item in items:
        key = normalise(item)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return answer if len(kept) == len(items) else ", ".join(kept)


def _around(line: str, item: str) -> str:
    if len(line) <= MAX_LINE_CHARS:
        return line
    at = normalise(line).find(item)
    # `at` counts letters and digits only: the character offset is at least that.
    start = max(0, min(at, len(line) - MAX_LINE_CHARS))
    return line[start:start + MAX_LINE_CHARS]


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {a}" for a in items)


def map_reduce(backend: Backend, ctx: Context, spans: list[tuple[int, int]], task: str,
               score: Callable[[str], float], on_call: Callable[[], None] | None = None,
               program: Program = PROGRAM) -> MapReduceResult:
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
        text = ctx[s:e]
        reply = ask(program.map.format(task=task, i=i, n=len(spans), text=text))
        if program.grounded:
            found += [line for line in evidence(reply, text) if line not in found]
        elif not is_none(reply) and normalise(reply) not in map(normalise, found):
            found.append(reply)
    if program.grounded and found:
        answer = unique_items(ask(program.reduce.format(task=task, answers=_bullets(found[:MAX_EVIDENCE]))))
    elif len(found) > 1:
        answer = ask(program.reduce.format(task=task, answers=_bullets(found)))
    else:
        answer = found[0] if found else ""
    return MapReduceResult(answer=answer, score=score(answer) if answer else 0.0,
                           sub_calls=calls, prompt_tokens=prompt_tokens, generated_tokens=generated,
                           seconds=time.perf_counter() - started)
