"""What the model is told about the context before its first turn: size, tokens, a short preview.

Never the context itself beyond the preview: the point of an RLM is that the text stays in the REPL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from rlm._core import Context

# Count tokens exactly up to this many characters; estimate from samples above it (an exact count of
# 1 GiB takes minutes with the Python tokenizer on this CPU: benches/README.md).
EXACT_TOKEN_CHARS = 200_000
TOKEN_SAMPLES = 16
TOKEN_SAMPLE_CHARS = 4096

HEAD_PREVIEW_CHARS = 300
TAIL_PREVIEW_CHARS = 200


@dataclass(frozen=True)
class ContextSummary:
    """What the model is told about the context (never the context itself beyond a preview)."""

    chars: int
    lines: int
    tokens: int | None  # None when no count or estimate was possible
    tokens_estimated: bool  # True when `tokens` comes from a sample
    head: str  # the first characters; the whole text when it is short
    tail: str  # the last characters; "" when `head` already holds everything


def summarize(context: Context, count_tokens: Callable[[str], int]) -> ContextSummary:
    """Size, token count and preview of `context` for the prompt.

    Tokens are counted exactly for small contexts and estimated from evenly spaced samples for big
    ones (labelled as an estimate). `count_tokens` is the backend's `count_tokens(text) -> int`.

    >>> summarize(Context.from_str("a b c\\nd"), lambda s: len(s.split())).tokens
    4
    """
    chars = len(context)
    lines = context.line_count()
    estimated = chars > EXACT_TOKEN_CHARS
    tokens: int | None
    try:
        if not estimated:
            tokens = count_tokens(context[:])
        else:
            step = chars // TOKEN_SAMPLES
            sampled = counted = 0
            for i in range(TOKEN_SAMPLES):
                piece = context[i * step : i * step + TOKEN_SAMPLE_CHARS]
                sampled += len(piece)
                counted += count_tokens(piece)
            tokens = round(chars * counted / sampled) if sampled else 0
    except Exception:  # a backend without a usable tokenizer: describe without tokens
        tokens = None
    if chars <= HEAD_PREVIEW_CHARS + TAIL_PREVIEW_CHARS:
        head, tail = context[:], ""
    else:
        head, tail = context[:HEAD_PREVIEW_CHARS], context[chars - TAIL_PREVIEW_CHARS :]
    return ContextSummary(chars, lines, tokens, estimated, head, tail)


