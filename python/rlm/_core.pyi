"""Typed stub for the Rust extension `rlm._core` (checked by `python -m mypy.stubtest rlm._core`)."""

import os
from typing import final


__all__ = ["Context"]

@final
class Context:
    """A huge read-only text with Python `str` semantics over character offsets."""

    @staticmethod
    def open(path: str | os.PathLike[str]) -> Context:
        """Memory-map the file at `path` without copying it."""
    @staticmethod
    def from_str(text: str) -> Context:
        """Own a copy of `text`."""
    def __len__(self) -> int: ...
