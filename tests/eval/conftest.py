"""A scripted Backend for the eval tests: a stand-in model that reads its prompt.

It answers the way a perfect reader would, from what is in the prompt only: every code
"dddd-XX" it sees in the document, or the number of `status=FAILED` lines. So a direct run scores
1 exactly when the needles fit in the window, and the tests can see what the runner fed it.
Tokens are whitespace-separated words.
"""

from __future__ import annotations

import re

import pytest
from collections.abc import Callable, Sequence

from rlm.backends.base import Completion, Message, Sampling, Conversation, StopFn

CODE = re.compile(r"\b\d{4}-[A-Z]{2}\b")


class ReadingBackend:
    name = "scripted"

    def __init__(self, context_window: int | None = 1000, fail: bool = False) -> None:
        self.context_window = context_window
        self.fail = fail
        self.prompts: list[list[Message]] = []
        self.resets = 0

    def generate(
        self,
        messages: Sequence[Message],
        sampling: Sampling,
        *,
        stop: StopFn | None = None,
        assistant_prefix: str = "",
        conversation: Conversation = "root",
        on_text: Callable[[str], None] | None = None,
    ) -> Completion:
        self.prompts.append(list(messages))
        if self.fail:
            raise RuntimeError("model exploded")
        document = messages[-1]["content"]
        if "status=FAILED?" in document:
            text = str(document.count("status=FAILED") - 1)  # minus the question's own mention
        else:
            text = ", ".join(CODE.findall(document)) or "I cannot find it."
        prompt = sum(self.count_tokens(m["content"]) for m in messages)
        return Completion(text=text, prompt_tokens=prompt, prefill_tokens=prompt,
                          generation_tokens=self.count_tokens(text), finish_reason="stop",
                          elapsed=0.01)

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def reset(self) -> None:
        self.resets += 1


@pytest.fixture
def reading_backend() -> type[ReadingBackend]:
    """The class (tests pick the window): with --import-mode=importlib, tests import no helpers."""
    return ReadingBackend
