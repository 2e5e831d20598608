"""Chunk sizes given in characters, in each strategy's own unit (lines, tokens or characters).

`rlm chunk-bench` takes `--size` and `--overlap` in characters so that strategies compare at the
same chunk size; `lines` and `tokens` chunk by their own unit, converted here from the context's
mean line length or characters per token.
"""

from __future__ import annotations

from rlm import tokens
from rlm._core import Context, Tokenizer
from rlm.errors import UsageError

__all__ = ["NO_TOKENIZER", "strategy_units", "unit_size"]

NO_TOKENIZER = "--strategy tokens needs a tokenizer: install the model (rlm models install) or pass --tokenizer PATH"


def unit_size(ctx: Context, strategy: str, chars: int, tok: Tokenizer | None) -> tuple[int, str]:
    """`chars` characters in `strategy`'s unit: (size, unit name).

    Example: `unit_size(ctx, "lines", 20_000, None)` → `(500, "lines")` for 40-character lines.
    """
    if strategy == "lines":
        per = len(ctx) / max(ctx.line_count(), 1)
        return max(1, round(chars / per)), "lines"
    if strategy == "tokens":
        if tok is None:
            raise UsageError(NO_TOKENIZER)
        per = len(ctx) / max(int(tokens.count(tok, ctx, tokens.Limits(1 << 22, 256, 4096))), 1)
        return max(1, round(chars / per)), "tokens"
    return chars, "chars"


def strategy_units(ctx: Context, strategy: str, size: int, overlap: int, tok: Tokenizer | None
                   ) -> tuple[int, int, str]:
    """`size` and `overlap` characters in `strategy`'s unit: (size, overlap, unit name).

    Example: `strategy_units(ctx, "lines", 20_000, 400, None)` → `(500, 10, "lines")` for
    40-character lines.
    """
    n, unit = unit_size(ctx, strategy, size, tok)
    return n, 0 if overlap == 0 else max(0, min(n - 1, round(overlap * n / size))), unit
