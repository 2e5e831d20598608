"""The run's settings (`RLMConfig`) and its result (`RLMResponse`, `TokenUsage`)."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Literal

from rlm import defaults
from rlm.events import Event

Mode = Literal["rlm", "direct", "auto"]
EncodingErrors = Literal["strict", "replace"]
Sandbox = Literal["auto", "strict", "off"]  # rlm.repl.sandbox: how far model code is confined


@dataclass
class RLMConfig:
    """Settings of one RLM run; the defaults are the CLI's defaults.

    >>> RLMConfig(max_iterations=5, temp=0.2).max_tokens_per_turn
    4096
    """

    max_iterations: int = defaults.MAX_ITERATIONS  # root turns before the last "give your best answer" turn
    max_tokens_per_turn: int = defaults.MAX_TOKENS_PER_TURN  # generated tokens per root turn
    sub_max_tokens: int = defaults.SUB_MAX_TOKENS  # generated tokens per llm_query sub-call
    temp: float = defaults.TEMP
    top_p: float = defaults.TOP_P
    top_k: int = defaults.TOP_K
    max_kv_size: int | None = None  # rotating KV cache size for the MLX backend (keeps the prompt)
    seed: int | None = None
    # "rlm" (the loop), "direct" (the context in the prompt, one generation) or "auto" (direct for a
    # context below the measured break-even: rlm.direct.AUTO_DIRECT_MAX_TOKENS).
    mode: Mode = "rlm"
    # Show the lines that share the most words with the task in the first message (task_hints.py).
    search_hints: bool = True
    # A first FINAL that no context-reading code supports gets one turn to check it (docs/engine.md).
    check_answers: bool = True
    verbose: bool = False  # stream each turn's text, code and output to stderr
    exec_timeout: float = defaults.EXEC_TIMEOUT  # seconds of code running time per execution (sub-calls excluded)
    interrupt_grace: float = defaults.INTERRUPT_GRACE  # seconds an interrupted execution has to stop before a hard kill
    max_output_chars: int = defaults.MAX_OUTPUT_CHARS  # REPL output fed back per turn (head + tail beyond this)
    max_llm_calls: int = defaults.MAX_LLM_CALLS  # llm_query sub-calls per run
    max_batch: int = defaults.MAX_BATCH  # sub-calls decoded at once (fewer when memory is short)
    max_depth: int = defaults.MAX_DEPTH  # rlm_query child runs nest up to this depth (1: none)
    memory_limit_bytes: int | None = defaults.MEMORY_LIMIT_BYTES  # the REPL worker's memory cap; None = no cap
    encoding_errors: EncodingErrors = "strict"  # "replace" decodes invalid UTF-8 as U+FFFD
    max_total_tokens: int | None = None  # prompt + generated tokens over all calls; None = no cap
    max_time: float | None = None  # wall-clock seconds for the whole run; None = no cap
    # "auto": confine the REPL as far as the system allows; "strict": refuse to run without the
    # full sandbox; "off": model code runs with the user's full rights (README, Security).
    sandbox: Sandbox = defaults.SANDBOX
    on_event: Callable[[Event], None] | None = None  # called for every Event, in the driver

    def __post_init__(self) -> None:
        # Checked here so the CLI and the Python API reject the same bad values with the same words.
        from rlm.errors import UsageError

        positive = {
            "max_iterations": self.max_iterations,
            "max_tokens_per_turn": self.max_tokens_per_turn,
            "sub_max_tokens": self.sub_max_tokens,
            "exec_timeout": self.exec_timeout,
            "max_output_chars": self.max_output_chars,
            "max_batch": self.max_batch,
            "max_depth": self.max_depth,
        }
        for name, value in positive.items():
            if value <= 0:
                raise UsageError(f"{name} must be positive, got {value}")
        if self.max_llm_calls < 0:
            raise UsageError(f"max_llm_calls must be 0 or more, got {self.max_llm_calls}")
        if self.temp < 0:
            raise UsageError(f"temp must be 0 or more, got {self.temp}")
        if not 0.0 < self.top_p <= 1.0:
            raise UsageError(f"top_p must be in (0, 1], got {self.top_p}")
        if self.top_k < 0:
            raise UsageError(f"top_k must be 0 (off) or more, got {self.top_k}")
        if self.mode not in ("rlm", "direct", "auto"):
            raise UsageError(f"mode must be 'rlm', 'direct' or 'auto', got {self.mode!r}")
        if self.sandbox not in ("auto", "strict", "off"):
            raise UsageError(f"sandbox must be 'auto', 'strict' or 'off', got {self.sandbox!r}")
        if self.encoding_errors not in ("strict", "replace"):
            raise UsageError(
                f"encoding_errors must be 'strict' or 'replace', got {self.encoding_errors!r}"
            )

    def to_dict(self) -> dict[str, Any]:
        """The settings as JSON-ready values (the callback left out), for the trajectory.

        >>> RLMConfig().to_dict()["max_iterations"]
        20
        """
        return {
            f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "on_event"
        }


_COUNTS_LOCK = threading.Lock()  # TokenUsage.add: one lock for all, it is held for microseconds


@dataclass
class TokenUsage:
    """Tokens a run spent, by where they went.

    `root_prefill` counts the root conversation's tokens actually run through the model (a backend
    that reuses its KV cache prefills only what is new each turn); `sub_prompt` the sub-calls' prompts.

    >>> TokenUsage(root_prefill=10, root_generated=5).total
    15
    """

    root_prefill: int = 0
    root_generated: int = 0
    sub_prompt: int = 0
    sub_generated: int = 0

    def add(self, **counts: int) -> None:
        """Add to the counts, safely from several threads (concurrent `rlm_query_batched`
        children share their root's counts).

        >>> t = TokenUsage()
        >>> t.add(sub_prompt=3, sub_generated=2); t.add(sub_prompt=1); t.sub_prompt
        4
        """
        with _COUNTS_LOCK:
            for name, n in counts.items():
                setattr(self, name, getattr(self, name) + n)

    @property
    def total(self) -> int:
        return self.root_prefill + self.root_generated + self.sub_prompt + self.sub_generated

    def to_dict(self) -> dict[str, int]:
        """The counts and their total as a dict.

        >>> TokenUsage(1, 2, 3, 4).to_dict()["total"]
        10
        """
        return {**dataclasses.asdict(self), "total": self.total}


@dataclass
class RLMResponse:
    """What a run produced.

    `answer` is None when the run ended without FINAL; `error` then says why. `exhausted` is true when
    a budget ran out (the answer, if any, came from the last "best answer" turn).

    >>> RLMResponse(answer="42", iterations=2).ok
    True
    """

    answer: str | None
    iterations: int = 0
    tokens: TokenUsage = field(default_factory=TokenUsage)
    trajectory: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    exhausted: bool = False
    elapsed: float = 0.0

    @property
    def total_tokens(self) -> int:
        """Prompt + generated tokens over the root turns and every sub-call."""
        return self.tokens.total

    @property
    def ok(self) -> bool:
        """True when the run produced an answer."""
        return self.answer is not None

    def to_dict(self) -> dict[str, Any]:
        """The response as JSON-ready values (what `rlm --json` prints).

        >>> RLMResponse(answer="x").to_dict()["answer"]
        'x'
        """
        return {
            "answer": self.answer,
            "iterations": self.iterations,
            "total_tokens": self.total_tokens,
            "tokens": self.tokens.to_dict(),
            "error": self.error,
            "exhausted": self.exhausted,
            "elapsed": round(self.elapsed, 3),
            "trajectory": self.trajectory,
        }


def check_task(task: str) -> str:
    """`task` if it says something, else a `UsageError` (the one check the CLI and API share).

    >>> check_task("   ")
    Traceback (most recent call last):
    ...
    rlm.errors.UsageError: the task is empty: say what to do with the context
    """
    from rlm.errors import UsageError

    if not task.strip():
        raise UsageError("the task is empty: say what to do with the context")
    return task
