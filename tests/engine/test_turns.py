"""Generating one root turn (rlm.turns.TurnGenerator): where it stops, what it records and counts."""

from __future__ import annotations

from typing import Any

import pytest

from rlm.backends.base import Sampling
from rlm.backends.replay import ReplayBackend
from rlm.config import TokenUsage
from rlm.trajectory import IterationRecord
from rlm.turns import TurnGenerator

USER = [{"role": "user", "content": "go"}]


def generator(backend: Any, *, time_is_up: Any = lambda: False) -> tuple[TurnGenerator, list[Any]]:
    seen: list[Any] = []
    gen = TurnGenerator(backend, Sampling(max_tokens=200), TokenUsage(),
                        emit=lambda kind, it, **data: seen.append(("event", kind)),
                        intervene=lambda rec, kind, **data: seen.append(("intervene", kind)),
                        time_is_up=time_is_up)
    return gen, seen


def test_a_turn_stops_just_after_its_first_code_block_and_starts_with_the_prefix() -> None:
    gen, seen = generator(ReplayBackend(["```python\nprint(1)\n```\nand then prose"]))
    gen.prefix = "```python\n"
    rec = IterationRecord(iteration=1)
    text = gen.generate(USER, rec)
    assert text == rec.text == "```python\nprint(1)\n```"
    assert rec.finish_reason == "stop" and not gen.degenerated and not gen.out_of_time
    assert [s for s in seen if s[0] == "event"] == [("event", "text"), ("event", "generated")]


def test_the_run_and_the_record_count_the_turn_s_tokens_and_a_resample_adds_to_the_record() -> None:
    gen, _ = generator(ReplayBackend(["```python\nx = 1\n```", "```python\nx = 2\n```"]))
    rec = IterationRecord(iteration=1)
    gen.generate(USER, rec)
    first = rec.generated_tokens
    gen.generate(USER, rec)
    assert first > 0 and rec.generated_tokens == 2 * first
    assert gen.tokens.root_generated == rec.generated_tokens
    assert gen.tokens.root_prefill == rec.prefill_tokens > 0


def test_a_degenerate_turn_is_cut_remembered_and_recorded_as_an_intervention() -> None:
    gen, seen = generator(ReplayBackend(["```python\n" + "print(hits)\n" * 12]))
    rec = IterationRecord(iteration=1)
    text = gen.generate(USER, rec)
    assert text.count("print(hits)") < 12
    assert gen.degenerated and ("intervene", "cut_degenerate") in seen


def test_a_turn_ends_where_it_is_when_the_run_s_time_is_up() -> None:
    gen, seen = generator(ReplayBackend(["print(1)\nprint(2)"]), time_is_up=lambda: True)
    assert gen.stop_if_out_of_time("print(1)\npr") == len("print(1)\npr")  # stop now, keep all
    rec = IterationRecord(iteration=1)
    assert gen.generate(USER, rec) == "print(1)\nprint(2)"
    assert gen.out_of_time and ("intervene", "cut_time") in seen


def test_a_turn_stopped_by_an_exception_keeps_what_was_streamed() -> None:
    class Interrupted(ReplayBackend):
        def generate(self, messages: Any, sampling: Any, **kw: Any) -> Any:
            kw["on_text"]("print(con")
            raise KeyboardInterrupt

    gen, _ = generator(Interrupted([]))
    gen.prefix = "```python\n"
    rec = IterationRecord(iteration=1)
    with pytest.raises(KeyboardInterrupt):
        gen.generate(USER, rec)
    assert rec.text == "```python\nprint(con" and rec.finish_reason == "interrupted"
    assert rec.generated_tokens == gen.tokens.root_generated > 0
