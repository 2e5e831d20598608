"""Token counts with the model's tokenizer: exact in Rust up to a size, a labelled estimate above.

`rlm.Tokenizer` (rust/rlm-core/src/tokens) counts the bundled models' tokenizer.json with the same
ids as the `tokenizers` package, many times faster (benches/README.md: 22 MiB/s on this loaded
2-core CPU, 64 MiB in ~3 s). A 1 GiB context still takes about a minute, so above a size
a count is an estimate from evenly spaced samples and says so (`TokenEstimate`). Tokenizer files
the Rust side does not reproduce exactly (other pre-tokenizers) fall back to the `tokenizers`
package, with lower limits because it is slower.

Example:
    >>> tok = load_tokenizer("tokenizer.json")  # doctest: +SKIP
    >>> count(tok, Context.open("big.log"))  # doctest: +SKIP
    ~271,829,504 tokens (estimated from 256 samples of 4,096 characters)
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from rlm._core import Context, Tokenizer
from rlm.errors import TokenizerError


@dataclass(frozen=True)
class Limits:
    """Where exact counting stops and how the estimate above it samples."""

    exact_chars: int  # count exactly up to this many characters
    samples: int  # above it: this many evenly spaced windows...
    sample_chars: int  # ...of this many characters each


# Rust: 2**26 characters (64 MiB of ASCII) take ~3 s on this loaded 2-core CPU, well inside a
# REPL cell's 60 s timeout. Above it, 256 windows of 4,096 characters (1 Mi in all, ~0.1 s) were
# +0.6 % off the exact count of the 64 MiB stdlib corpus; 64 windows of 16,384 were -4 %: token
# density varies file by file, so many small samples beat a few big ones.
RUST = Limits(exact_chars=1 << 26, samples=256, sample_chars=4096)
# The `tokenizers` fallback counts ~2 MiB/s: 2,000,000 characters is ~1 s.
PYTHON = Limits(exact_chars=2_000_000, samples=16, sample_chars=4096)


class Counter(Protocol):
    """What counts tokens: `rlm.Tokenizer`, or the `tokenizers` package behind the same method."""

    def count(self, text: Any, start: int | None = None, end: int | None = None) -> int: ...


class _PythonTokenizer:
    """The `tokenizers` package behind the same `count` as `rlm.Tokenizer` (slow; fallback only)."""

    def __init__(self, path: str) -> None:
        from tokenizers import Tokenizer as Reference  # lazy: only for files Rust refuses

        self._tok = Reference.from_file(path)

    def count(self, text: Any, start: int | None = None, end: int | None = None) -> int:
        piece = text if start is None and end is None else text[start:end]
        return len(self._tok.encode(str(piece), add_special_tokens=False).ids)


@functools.lru_cache(maxsize=4)
def load_tokenizer(path: str | os.PathLike[str]) -> Counter:
    """The Rust tokenizer for `path`, or the `tokenizers` package's when Rust refuses the file.

    Cached per path: a process loads a tokenizer.json once (~1 s for the bundled model's).

    Example:
        >>> load_tokenizer("tokenizer.json").count("hello world")  # doctest: +SKIP
        2
    """
    return rust_tokenizer(path) or _PythonTokenizer(os.fspath(path))


@functools.lru_cache(maxsize=4)
def rust_tokenizer(path: str | os.PathLike[str] | None) -> Tokenizer | None:
    """The Rust tokenizer of `path` when it reads that file, else None (no path, or refused).

    Example:
        >>> rust_tokenizer(None) is None
        True
    """
    if path is None:
        return None
    try:
        return Tokenizer.from_file(path)
    except TokenizerError:
        return None


def limits_for(tokenizer: Counter) -> Limits:
    """`RUST` for `rlm.Tokenizer`, `PYTHON` for the fallback.

    Example:
        >>> limits_for(load_tokenizer("tokenizer.json")).exact_chars  # doctest: +SKIP
        67108864
    """
    return RUST if isinstance(tokenizer, Tokenizer) else PYTHON


class TokenEstimate(int):
    """A token count estimated from samples: an `int`, printed with a `~` and how it was made.

    Example:
        >>> TokenEstimate(1200, samples=16, sample_chars=4096)
        ~1,200 tokens (estimated from 16 samples of 4,096 characters)
    """

    samples: int
    sample_chars: int

    def __new__(cls, value: int, *, samples: int, sample_chars: int) -> TokenEstimate:
        self = super().__new__(cls, value)
        self.samples, self.sample_chars = samples, sample_chars
        return self

    def __repr__(self) -> str:
        return (f"~{int(self):,} tokens (estimated from {self.samples} samples of "
                f"{self.sample_chars:,} characters)")

    __str__ = __repr__


def estimate(count_range: Callable[[int, int], int], length: int, samples: int = PYTHON.samples,
             sample_chars: int = PYTHON.sample_chars) -> TokenEstimate:
    """Tokens in a text of `length` characters, from `samples` evenly spaced windows of it.

    `count_range(start, end)` counts the characters `[start, end)`.

    Example:
        >>> estimate(lambda a, b: (b - a) // 4, 1_000_000)
        ~250,000 tokens (estimated from 16 samples of 4,096 characters)
    """
    step = length // samples
    sampled = counted = 0
    for i in range(samples):
        start = i * step
        end = min(start + sample_chars, length)
        sampled += end - start
        counted += count_range(start, end)
    value = round(length * counted / sampled) if sampled else 0
    return TokenEstimate(value, samples=samples, sample_chars=sample_chars)


def count(tokenizer: Counter, text: str | Context, limits: Limits | None = None) -> int:
    """Tokens in `text`: exact up to `limits.exact_chars` characters, a `TokenEstimate` above.

    `limits` defaults to `limits_for(tokenizer)`.

    Example:
        >>> count(load_tokenizer("tokenizer.json"), "hello world")  # doctest: +SKIP
        2
    """
    lim = limits or limits_for(tokenizer)
    if len(text) <= lim.exact_chars:
        return tokenizer.count(text)
    return estimate(lambda a, b: tokenizer.count(text, a, b), len(text), lim.samples, lim.sample_chars)

