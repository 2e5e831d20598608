"""Batched sub-calls on the bundled model: MLXBackend.generate_batch and a run that maps over chunks."""

from __future__ import annotations

from typing import Any

import pytest

from rlm import RLMConfig, rlm_generate
from rlm.backends.base import Sampling
from rlm.backends.replay import ReplayBackend
from rlm.errors import BackendError

pytestmark = pytest.mark.real_model

QUESTIONS = ["What is 2 + 3? Answer with the number.", "Name the capital of Italy in one word.",
             "Say hi.", "What colour is the sky on a clear day? One word."]


def _conversations(questions: list[str]) -> list[list[dict[str, str]]]:
    return [[{"role": "user", "content": q}] for q in questions]


def test_a_prompt_too_long_for_the_window_fails_alone_in_a_batch(small_backend: Any) -> None:
    window = small_backend.context_window
    too_long = "word " * (window + 10)
    out = small_backend.generate_batch(_conversations([QUESTIONS[0], too_long, QUESTIONS[1]]), Sampling(8))
    assert isinstance(out[1], BackendError) and "window" in str(out[1])
    single = [small_backend.generate(c, Sampling(8), conversation="sub") for c in _conversations(QUESTIONS[:2])]
    assert [out[0].text, out[2].text] == [c.text for c in single]


def test_fewer_sequences_at_once_than_prompts_still_answers_each_in_order(small_backend: Any) -> None:
    wide = small_backend.generate_batch(_conversations(QUESTIONS), Sampling(10))
    narrow = small_backend.generate_batch(_conversations(QUESTIONS), Sampling(10), max_batch=2)
    assert small_backend.last_stats["concurrency"] == 2
    assert [c.text for c in narrow] == [c.text for c in wide]
    assert all(c.text.strip() for c in wide)


def test_a_run_maps_llm_query_batched_over_chunks_with_the_real_model(small_backend: Any) -> None:
    text = "".join(f"Section {i}. The colour of box {i} is {c}.\n" for i, c in enumerate(["red", "green", "blue"]))
    turns = ["```python\nparts = context.splitlines()\n"
             "answers = llm_query_batched(['Which colour is named here? One word.\\n' + p for p in parts])\n"
             "print(answers)\n```",
             "```python\nFINAL(', '.join(a.strip().strip('.').lower() for a in answers))\n```"]
    root = ReplayBackend(turns)
    r = rlm_generate(backend=root, sub_backend=small_backend, context=text, task="box colours?",
                     config=RLMConfig(max_iterations=3, max_tokens_per_turn=64, exec_timeout=60))
    assert r.answer == "red, green, blue", r.trajectory["iterations"][0]["output"]
    calls = r.trajectory["iterations"][0]["llm_calls"]
    assert [c["batch_size"] for c in calls] == [3, 3, 3]
    assert r.tokens.sub_prompt == sum(c["prompt_tokens"] for c in calls) > 0
    assert r.tokens.sub_generated == sum(c["generated_tokens"] for c in calls) > 0


def test_a_stop_function_cuts_each_sequence_of_a_batch_as_generate_does(small_backend: Any) -> None:
    def stop(text: str) -> int | None:
        return 6 if len(text) >= 6 else None

    conversations = _conversations(["Describe the sea in two sentences.", "Write a short poem about trees."])
    batch = small_backend.generate_batch(conversations, Sampling(24), stop=stop)
    single = [small_backend.generate(c, Sampling(24), stop=stop, conversation="sub") for c in conversations]
    assert [c.text for c in batch] == [c.text for c in single]
    assert all(len(c.text) == 6 and c.finish_reason == "stop" for c in batch)
    assert [c.generation_tokens for c in batch] == [c.generation_tokens for c in single]
