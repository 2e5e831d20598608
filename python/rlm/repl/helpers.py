"""The helper functions the REPL puts in the model's namespace, by name.

They live in modules that build on each other: `rlm.repl.toolkit` (grep, find_all, chunks,
count_tokens and the text access they share), `rlm.repl.search` (search, ranked on top of the
toolkit's line access), `rlm.repl.fields` (values) and `rlm.repl.aliases` (aliases), both built
on grep. This module only gathers them, so none of them has to import the ones above it.

Example:
    >>> sorted(HELPERS) == sorted(NAMES) and HELPERS["grep"].__module__
    'rlm.repl.toolkit'
"""

from __future__ import annotations

from typing import Any, Callable

from rlm.repl.aliases import aliases
from rlm.repl.fields import values
from rlm.repl.search import search
from rlm.repl.toolkit import chunks, count_tokens, find_all, grep

__all__ = ["HELPERS", "NAMES"]

HELPERS: dict[str, Callable[..., Any]] = {
    "grep": grep, "search": search, "values": values, "find_all": find_all, "chunks": chunks,
    "count_tokens": count_tokens, "aliases": aliases,
}
"""The functions the REPL pre-binds (and restores if the model's code rebinds them)."""

NAMES = tuple(HELPERS)
