"""One real RLM run with the smallest bundled model: backend, loop and REPL together, offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rlm import RLMConfig, rlm_generate
from rlm.models.registry import DEFAULT_MODEL

SMALL = "qwen2.5-coder-0.5b"  # the model the small_backend fixture loads

pytestmark = pytest.mark.real_model


def _log_with_a_needle() -> str:
    """~30K characters of log lines; the needle sits far from the head/tail preview the model sees."""
    lines = [
        f"2025-11-03T14:{i % 60:02d}:07Z INFO  [worker-{i % 7}] processed batch {i} in {i * 37 % 900} ms"
        for i in range(400)
    ]
    lines.insert(260, "The secret code for the vault is 7301.")
    return "\n".join(lines) + "\n"


def test_a_needle_run_ends_cleanly_and_its_trajectory_says_how(small_backend: Any, tmp_path: Path) -> None:
    trajectory = tmp_path / "run.json"
    response = rlm_generate(
        backend=small_backend,
        context=_log_with_a_needle(),
        task="What is the secret code for the vault?",
        # Without the search hits, so the needle is not in the first message: the model must
        # find it with code (the hits have their own tests in tests/engine/test_loop_control.py).
        config=RLMConfig(max_iterations=6, max_tokens_per_turn=256, search_hints=False),
        output_trajectory=trajectory,
    )

    saved = json.loads(trajectory.read_text())
    assert saved["status"] in {"answered", "exhausted"}
    assert saved["answer"] == response.answer
    assert len(saved["iterations"]) == response.iterations >= 1
    assert all(turn["text"] for turn in saved["iterations"])
    # KV reuse: after the first turn, each turn prefills only what it adds to the conversation.
    for turn in saved["iterations"][1:]:
        assert turn["prefill_tokens"] < turn["prompt_tokens"] / 2
    assert response.tokens.root_prefill > 0 and response.tokens.root_generated > 0
    assert "The secret code for the vault is 7301." not in json.dumps(saved["first_message"])
    if SMALL == DEFAULT_MODEL:
        assert response.answer is not None and "7301" in response.answer
