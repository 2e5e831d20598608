"""A session on the smallest bundled model: a later question reuses the KV cache of the shared prefix."""

from __future__ import annotations

from typing import Any

import pytest

from rlm import RLMConfig, Session
from rlm.prompts import SYSTEM_PROMPT, describe_context

pytestmark = pytest.mark.real_model


def _log() -> str:
    lines = [f"2025-11-03T14:{i % 60:02d}:07Z INFO  [worker-{i % 7}] processed batch {i}" for i in range(300)]
    lines.insert(120, "The secret code for the vault is 7301.")
    lines.insert(210, "The backup code for the vault is 5512.")
    return "\n".join(lines) + "\n"


def test_a_later_question_prefills_only_what_follows_the_context_description(small_backend: Any) -> None:
    config = RLMConfig(max_iterations=2, max_tokens_per_turn=96)
    with Session(backend=small_backend, context=_log(), config=config) as s:
        first = s.ask("What is the secret code for the vault?")
        second = s.ask("What is the backup code for the vault?")
        shared = small_backend.prompt_ids([
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": describe_context(s.summary())}])
    assert first.trajectory["status"] in {"answered", "exhausted"}
    turn = second.trajectory["iterations"][0]
    reused = turn["prompt_tokens"] - turn["prefill_tokens"]
    # Everything up to the end of the description (less the few tokens of the user message's end
    # marker, which the next part replaces) came from the cache the first question left.
    assert reused >= len(shared) - 6
    assert turn["prefill_tokens"] < turn["prompt_tokens"] - len(shared) + 6
    assert turn["text"]
