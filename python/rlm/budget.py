"""A run's budgets (docs/engine.md "Budgets"): iterations, sub-calls, tokens, time and the window.

One `Budget` per root run; `rlm_query`'s child runs share their root's (docs/subcalls.md), so a
child's turns and sub-calls count against the same limits. The sub-call dispatcher
(rlm.subcalls) counts items and tokens on it; the loop asks it, between turns, whether another
ordinary turn may follow.
"""

from __future__ import annotations

import threading
import time

from rlm.backends.base import Backend
from rlm.config import RLMConfig, TokenUsage

# Tokens kept free in the model's window for the last "best answer" turn (its prompt grows by one
# feedback message, up to `max_output_chars` of output, plus the answer itself).
WINDOW_RESERVE_TOKENS = 2048


class Budget:
    """What a run (and its child runs) has used of `config`'s limits, and what is left.

    Example:
        >>> b = Budget(RLMConfig(max_iterations=2, max_total_tokens=100))
        >>> b.exhausted(1), b.exhausted(2)
        (None, 'max_iterations (2) reached')
        >>> b.tokens.root_generated = 100
        >>> b.over_budget()
        'max_total_tokens (100) used up'
    """

    def __init__(self, config: RLMConfig) -> None:
        self.config = config
        self.tokens = TokenUsage()
        self.llm_calls = 0  # sub-calls admitted (an rlm_query child run counts as one)
        self.budget_hit: str | None = None  # set when a sub-call was refused for a budget
        # Held while a sub-call is checked against the budgets and admitted: concurrent
        # rlm_query_batched children (their own threads) share this budget.
        self.lock = threading.RLock()
        self.started = time.perf_counter()

    def elapsed(self) -> float:
        """Seconds since the root run started."""
        return time.perf_counter() - self.started

    def time_is_up(self) -> bool:
        """Whether the run's `max_time` is used up (checked between turns and while generating)."""
        return self.config.max_time is not None and self.elapsed() >= self.config.max_time

    def over_budget(self) -> str | None:
        """Why a token or time budget is used up, or None."""
        cfg = self.config
        if cfg.max_total_tokens is not None and self.tokens.total >= cfg.max_total_tokens:
            return f"max_total_tokens ({cfg.max_total_tokens}) used up"
        if self.time_is_up():
            return f"max_time ({cfg.max_time:g} s) used up"
        return None

    def exhausted(self, iteration: int) -> str | None:
        """Why no ordinary turn may follow `iteration`, or None."""
        if self.budget_hit is not None:
            return self.budget_hit
        if iteration >= self.config.max_iterations:
            return f"max_iterations ({self.config.max_iterations}) reached"
        return self.over_budget()


def window_full(backend: Backend, turn_tokens: int, feedback: str) -> str | None:
    """Why the next turn would not fit `backend`'s context window, or None (`turn_tokens`: the
    last turn's prompt and generated tokens; `feedback`: the message that follows it).

    Counted as a budget: the run asks for the best answer while one more turn still fits,
    instead of failing on a prompt the backend must refuse. A rotating KV cache has no limit.

    Example:
        >>> from rlm.backends.replay import ReplayBackend
        >>> backend = ReplayBackend([])
        >>> backend.context_window = WINDOW_RESERVE_TOKENS + 100
        >>> window_full(backend, 50, "ok"), window_full(backend, 200, "ok") is not None
        (None, True)
    """
    window = backend.context_window
    if not window or getattr(backend, "rotating_cache", False):
        return None
    projected = turn_tokens + backend.count_tokens(feedback)
    if projected + WINDOW_RESERVE_TOKENS <= window:
        return None
    return f"the conversation ({projected} tokens) nearly fills the model's window ({window})"
