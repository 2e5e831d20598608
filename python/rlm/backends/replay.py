"""Replay canned model turns: `--model replay:FILE.json`, for loop tests and for re-running a saved run.

FILE is either `{"turns": ["...root reply...", ...], "sub": ["...sub-call reply...", ...]}` (`sub`
optional) or a trajectory written by `rlm -o`, whose root turns are replayed. Each root `generate`
returns the next turn, cut by the stop function as a live model's output would be; running out of
turns raises `BackendError`. Without a `sub` list a sub-call answers with a deterministic text naming
its prompt's length; with one, sub-calls take its replies in order and running out is an error.

Token counts are an approximation, not a tokenizer: each whitespace-separated word counts
ceil(len / 4) tokens, each message 4 more for its chat-template markers. They are deterministic, so
tests can assert on them, and root prefill mimics KV-cache reuse (only the new part of a conversation
that extends the previous one is "prefilled").
"""

from __future__ import annotations

import os
import time
from typing import Any, Callable, Sequence

from rlm.backends.base import Completion, Sampling, Message, Conversation, StopFn
from rlm.errors import BackendError, UsageError
from rlm.trajectory import read_json_object

MESSAGE_OVERHEAD_TOKENS = 4
REPLAY_PREFIX = "replay:"


def approx_tokens(text: str) -> int:
    """The replay backend's token estimate: ceil(len/4) per whitespace-separated word.

    >>> approx_tokens("print(context[:500])  ok")
    6
    """
    return sum((len(word) + 3) // 4 for word in text.split())


def _turns_from_trajectory(data: dict[str, Any]) -> list[str]:
    return [str(it.get("text", "")) for it in data.get("iterations", [])]


def load_replay_file(path: str | os.PathLike[str]) -> tuple[list[str], list[str] | None]:
    """Root turns and sub-call replies from a replay file or a trajectory (`rlm -o`).

    >>> load_replay_file("/nonexistent.json")
    Traceback (most recent call last):
    ...
    rlm.errors.UsageError: replay file not found: /nonexistent.json
    """
    data = read_json_object(path, "replay file", hint="give a JSON object with a 'turns' list")
    if "turns" in data:
        turns, sub = data["turns"], data.get("sub")
    elif "iterations" in data:
        turns, sub = _turns_from_trajectory(data), None
    else:
        raise UsageError(f"replay file {path} has neither 'turns' nor trajectory 'iterations'")
    if not isinstance(turns, list) or not all(isinstance(t, str) for t in turns):
        raise UsageError(f"replay file {path}: 'turns' must be a list of strings")
    if sub is not None and (not isinstance(sub, list) or not all(isinstance(s, str) for s in sub)):
        raise UsageError(f"replay file {path}: 'sub' must be a list of strings")
    return turns, sub


class ReplayBackend:
    """A `Backend` that returns canned replies in order.

    The turns are whole assistant messages, so the engine gets them verbatim: the backend reports
    `supports_assistant_prefix = False` and the engine does not ask for an opening fence.

    >>> b = ReplayBackend(["```python\\nFINAL(1)\\n```"])
    >>> b.generate([{"role": "user", "content": "hi"}], Sampling(max_tokens=100)).text
    '```python\\nFINAL(1)\\n```'
    """

    supports_assistant_prefix = False
    tokenizer_path: str | None = None

    def __init__(
        self, turns: Sequence[str], sub: Sequence[str] | None = None, *, name: str = "replay",
        sub_window: int | None = None,
    ) -> None:
        self.name = name
        self.context_window: int | None = None
        # Set it to make sub-call prompts of that many (approximate) tokens or more fail as a real
        # backend's would (the root conversation has no window).
        self.sub_window = sub_window
        self._turns = list(turns)
        self._sub = list(sub) if sub is not None else None
        self.reset()

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> ReplayBackend:
        """Load `path` (see the module docstring for the format)."""
        turns, sub = load_replay_file(path)
        return cls(turns, sub, name=f"{REPLAY_PREFIX}{os.fspath(path)}")

    def reset(self) -> None:
        """Start again from the first turn and the first sub reply."""
        self._next_turn = 0
        self._next_sub = 0
        self._cached: list[Message] = []
        self.sub_prompts: list[str] = []  # what sub-calls were asked, for tests and debugging
        self.batches: list[int] = []  # the size of each generate_batch call, in order

    def count_tokens(self, text: str) -> int:
        return approx_tokens(text)

    def _prompt_tokens(self, messages: Sequence[Message]) -> int:
        return sum(approx_tokens(m["content"]) + MESSAGE_OVERHEAD_TOKENS for m in messages)

    def _next_root(self, messages: Sequence[Message]) -> tuple[str, int]:
        if self._next_turn >= len(self._turns):
            raise BackendError(
                f"replay ran out of turns after {len(self._turns)}: the run needs more turns "
                "than the replay file holds"
            )
        text = self._turns[self._next_turn]
        self._next_turn += 1
        prompt_tokens = self._prompt_tokens(messages)
        # Mimic a KV cache: a conversation that extends the last one prefills only its new part.
        n = len(self._cached)
        reused = n and list(messages[:n]) == self._cached
        prefill = prompt_tokens - self._prompt_tokens(self._cached) if reused else prompt_tokens
        return text, prefill

    def _next_sub_reply(self, messages: Sequence[Message]) -> str:
        prompt = "\n".join(m["content"] for m in messages)
        tokens = self._prompt_tokens(messages)
        if self.sub_window is not None and tokens >= self.sub_window:
            raise BackendError(f"this llm_query prompt is {tokens} tokens, more than the model's "
                               f"{self.sub_window}-token window: pass a smaller piece of the context")
        self.sub_prompts.append(prompt)
        if self._sub is None:
            return f"(replay sub-call: the prompt had {len(prompt)} characters)"
        if self._next_sub >= len(self._sub):
            raise BackendError(f"replay ran out of sub-call replies after {len(self._sub)}")
        reply = self._sub[self._next_sub]
        self._next_sub += 1
        return reply

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
        """The next canned reply, cut by `stop` and by `max_tokens` (approximate tokens)."""
        started = time.perf_counter()
        if conversation == "root":
            text, prefill = self._next_root(messages)
        else:
            text, prefill = self._next_sub_reply(messages), self._prompt_tokens(messages)
        if assistant_prefix and text.startswith(assistant_prefix):
            text = text[len(assistant_prefix) :]
        finish = "stop"
        if stop is not None:
            cut = stop(text)
            if cut is not None:
                text = text[:cut]
        max_tokens = sampling.max_tokens
        if approx_tokens(text) > max_tokens:
            words = text.split(" ")
            kept: list[str] = []
            while words and approx_tokens(" ".join(kept + words[:1])) <= max_tokens:
                kept.append(words.pop(0))
            text, finish = " ".join(kept), "length"
        if on_text is not None and text:
            on_text(text)
        prompt_tokens = self._prompt_tokens(messages)
        if conversation == "root":
            self._cached = [*messages, {"role": "assistant", "content": assistant_prefix + text}]
        return Completion(
            text=text,
            prompt_tokens=prompt_tokens,
            prefill_tokens=prefill,
            generation_tokens=approx_tokens(text),
            finish_reason=finish,
            elapsed=time.perf_counter() - started,
        )

    def generate_batch(
        self,
        prompts: Sequence[Sequence[Message]],
        sampling: Sampling,
        *,
        stop: StopFn | None = None,
        max_batch: int | None = None,
    ) -> list[Completion | BackendError]:
        """Sub-call replies for several prompts, in order; a failing prompt is a BackendError in its place.

        >>> ReplayBackend([], ["a", "b"]).generate_batch([[{"role": "user", "content": "x"}]] * 2,
        ...                                               Sampling(8))[1].text
        'b'
        """
        self.batches.append(len(prompts))
        results: list[Completion | BackendError] = []
        for messages in prompts:
            try:
                results.append(self.generate(messages, sampling, stop=stop, conversation="sub"))
            except BackendError as e:
                results.append(e)
        return results
