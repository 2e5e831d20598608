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
    # The instruction (and the template's system prompt) is prefilled once, counted on the first item.
    shared = small_backend.last_stats["shared_prefix_tokens"]
    assert shared > 20
    assert calls[0]["prefill_tokens"] == calls[0]["prompt_tokens"]
    assert [c["prefill_tokens"] for c in calls[1:]] == [c["prompt_tokens"] - shared for c in calls[1:]]
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


INSTRUCTION = ("You read one line of a shop's log. Say in one sentence what was sold, to whom, and "
               "for how much; then say whether the amount is above 100 euros.\n\nLine: ")
LINES = ["2025-01-03 alice bought 3 lamps for 240 EUR", "2025-01-04 bob bought a chair for 45 EUR",
         "2025-01-05 carol bought 12 mugs for 96 EUR"]


def test_a_shared_instruction_is_prefilled_once_with_the_same_greedy_answers(small_backend: Any) -> None:
    conversations = _conversations([INSTRUCTION + line for line in LINES])
    shared = small_backend.generate_batch(conversations, Sampling(40))
    stats = small_backend.last_stats
    small_backend.share_prefix = False
    try:
        full = small_backend.generate_batch(conversations, Sampling(40))
        unshared = small_backend.last_stats
    finally:
        small_backend.share_prefix = True
    single = [small_backend.generate(c, Sampling(40), conversation="sub") for c in conversations]
    assert [c.text for c in shared] == [c.text for c in full] == [c.text for c in single]
    assert all(len(c.text) > 20 for c in shared)
    assert [c.generation_tokens for c in shared] == [c.generation_tokens for c in single]
    prefix = stats["shared_prefix_tokens"]
    assert prefix >= small_backend.count_tokens(INSTRUCTION) and unshared["shared_prefix_tokens"] == 0
    # What ran through the model: the prefix once plus every prompt's rest, against every prompt in full.
    assert stats["prompt_tokens"] == unshared["prompt_tokens"] - 2 * prefix
    assert sum(c.prefill_tokens for c in shared) == sum(c.prefill_tokens for c in full) - 2 * prefix
    assert [c.prompt_tokens for c in shared] == [c.prompt_tokens for c in full] == [c.prefill_tokens for c in full]


def test_identical_prompts_share_all_but_their_last_token(small_backend: Any) -> None:
    conversations = _conversations([QUESTIONS[0]] * 3)
    out = small_backend.generate_batch(conversations, Sampling(8))
    assert small_backend.last_stats["shared_prefix_tokens"] == out[0].prompt_tokens - 1
    assert [c.prefill_tokens for c in out] == [out[0].prompt_tokens, 1, 1]
    alone = small_backend.generate(conversations[0], Sampling(8), conversation="sub")
    assert [c.text for c in out] == [alone.text] * 3
