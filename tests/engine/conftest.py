"""Helpers for the engine tests: replay backends built from code blocks, and one-call runs."""

from __future__ import annotations

from typing import Any

import pytest

from rlm.backends.replay import ReplayBackend
from rlm.config import RLMConfig, RLMResponse
from rlm import rlm_generate


def block(code: str, before: str = "", after: str = "") -> str:
    """A model turn holding one ```python block (with optional prose around it)."""
    return f"{before}```python\n{code}\n```{after}"


def run_replay(
    turns: list[str],
    *,
    context: Any = "The secret code is 42.\nNothing else here.\n",
    task: str = "Find the secret code",
    sub: list[str] | None = None,
    trajectory: Any = None,
    **config: Any,
) -> RLMResponse:
    """Run the real loop (real REPL worker) with canned model turns."""
    config.setdefault("exec_timeout", 10.0)
    # These tests drive loop mechanics with canned FINALs of literals; the grounding check that
    # would question them has its own tests (test_loop_control.py).
    config.setdefault("check_answers", False)
    return rlm_generate(backend=ReplayBackend(turns, sub), context=context, task=task,
                        config=RLMConfig(**config), output_trajectory=trajectory)


@pytest.fixture
def run():
    """`run(turns, context=..., task=..., sub=..., trajectory=..., **RLMConfig fields)`."""
    return run_replay


@pytest.fixture
def code():
    """`code(src, before="", after="")`: a model turn with one ```python block."""
    return block


@pytest.fixture
def replay_file(tmp_path):
    """Write {"turns": ..., "sub": ...} to a file and return its path."""
    import json

    def write(turns: list[str], sub: list[str] | None = None) -> str:
        path = tmp_path / "replay.json"
        data: dict[str, Any] = {"turns": turns}
        if sub is not None:
            data["sub"] = sub
        path.write_text(json.dumps(data), encoding="utf-8")
        return str(path)

    return write
