"""The seam between the loop and a model: the `Backend` protocol and its `Completion` result.

Implementations: `mlx.MLXBackend` (in-process mlx-lm), `replay.ReplayBackend` (canned turns, for
tests and debugging); `loading.load_backend` picks one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal, Protocol, Sequence, runtime_checkable

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": "..."}

# Called with the text generated so far (without the assistant prefix); returns the index at which
# to cut the text and stop, or None to go on. The engine uses it to stop at the end of a code block.
StopFn = Callable[[str], "int | None"]

Conversation = Literal["root", "sub"]


@dataclass(frozen=True)
class Sampling:
    """How to generate: the length bound and the sampler's knobs (mlx-lm's `make_sampler` names).

    >>> Sampling(max_tokens=256).temp
    0.0
    """

    max_tokens: int
    temp: float = 0.0
    top_p: float = 1.0
    top_k: int = 0


@dataclass
class Completion:
    """One generation. Token counts are the model's own tokens."""

    text: str  # generated text only (the assistant prefix is not repeated), cut by `stop`
    prompt_tokens: int  # tokens in the whole prompt (conversation so far, templated)
    prefill_tokens: int  # tokens actually run through the model (prompt_tokens minus cache reuse)
    generation_tokens: int
    finish_reason: str  # "stop" (EOS or stop fn) or "length" (max_tokens)
    elapsed: float  # seconds


@runtime_checkable
class Backend(Protocol):
    """A chat model the engine can drive."""

    name: str
    # Maximum prompt + generation tokens, or None when unknown/unbounded.
    context_window: int | None
    # Optional attributes the engine reads with a default (a backend may leave them out):
    # - supports_assistant_prefix: bool = True. False when the backend cannot start the assistant
    #   turn with given text (replay files hold whole replies), so the engine sends no prefix.
    # - tokenizer_path: str | None = None. The model's tokenizer.json, for the REPL's count_tokens.
    # - rotating_cache: bool = False. True when old tokens fall out of the backend's KV cache
    #   (mlx `max_kv_size`), so a conversation never outgrows the window and the engine's
    #   window check does not apply.
    # - generate_batch(prompts, sampling, *, stop=None, max_batch=None) -> list[Completion |
    #   BackendError]: independent sub-call conversations at once (`stop` applied to each), one
    #   entry per prompt in order, a prompt that cannot run as a BackendError in its place.
    #   Without it sub-calls run one `generate` at a time.
    # - max_concurrency: int = 1. Requests the backend serves at once, from several threads; above 1
    #   (the HTTP backend), rlm_query_batched runs that many child runs at once (rlm.subcalls).

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
        """Generate the next assistant message, at most `sampling.max_tokens` tokens.

        `conversation="root"` may reuse a prompt cache across calls (the root conversation only grows);
        `conversation="sub"` starts fresh (llm_query sub-calls). `assistant_prefix` is put at the start of
        the assistant turn (e.g. an opening code fence) where the chat template allows it.
        `on_text` receives text pieces as they are generated (streaming for `--verbose`).
        """
        ...

    def count_tokens(self, text: str) -> int:
        """Number of tokens `text` encodes to (no chat template)."""
        ...

    def reset(self) -> None:
        """Forget cached state (start of a new run)."""
        ...
