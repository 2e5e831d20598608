"""rlm.Tokenizer (Rust) vs the `tokenizers` package, same run, same 64 MiB stdlib corpus.

Run (the bundled model must be installed: `rlm models install`):

    nice python -m pytest benches/bench_tokens.py --benchmark-only \\
        --benchmark-columns=min,mean,rounds -s

The package gets the best case it has: `encode_batch` (every core) on line-aligned pieces of about
1 MiB, cut only after a `\\n` followed by a printable ASCII character, where the pre-tokenizer
always splits (rust/rlm-core/src/tokens/split.rs), so its total equals a whole-text encode. The
Rust side counts the mapped file (`Context`) in one call. The Rust test asserts both count the
same and prints both throughputs and their ratio. `RLM_BENCH_TOKENS_MB` sets the corpus size
(default 64).
"""

from __future__ import annotations

import os
import pathlib
import re
import sys
import time
from typing import Any

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import corpus  # noqa: E402

from rlm import Context, Tokenizer  # noqa: E402

SIZE = int(os.environ.get("RLM_BENCH_TOKENS_MB", "64")) << 20
PIECE = 1 << 20
# (tokens, best seconds) of each side, filled by the tests in file order.
_results: dict[str, tuple[int, float]] = {}


@pytest.fixture(scope="module")
def tokenizer_path() -> pathlib.Path:
    from rlm.models import install

    return install("qwen2.5-coder-0.5b") / "tokenizer.json"


@pytest.fixture(scope="module")
def path() -> pathlib.Path:
    return corpus.build(SIZE)


def safe_pieces(text: str, size: int = PIECE) -> list[str]:
    """`text` cut after a newline that a printable ASCII character follows, every ~`size` chars."""
    cut = re.compile(r"\n(?=[!-~])")
    pieces, start = [], 0
    while start < len(text):
        m = cut.search(text, start + size)
        end = m.end() if m else len(text)
        pieces.append(text[start:end])
        start = end
    return pieces


def package_count(tokenizer_path: pathlib.Path, pieces: list[str]) -> int:
    from tokenizers import Tokenizer as Reference

    ref = Reference.from_file(str(tokenizer_path))
    return sum(len(e.ids) for e in ref.encode_batch(pieces, add_special_tokens=False))


def timed(fn: Any, *args: Any) -> Any:
    t0 = time.perf_counter()
    value = fn(*args)
    timed.seconds = time.perf_counter() - t0  # type: ignore[attr-defined]
    return value


def read(path: pathlib.Path) -> str:
    """The file's text as is: `newline=""` keeps its CRLFs (universal newlines would drop tokens)."""
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def test_tokenizers_package_encode_batch(benchmark: Any, tokenizer_path: pathlib.Path,
                                         path: pathlib.Path) -> None:
    pieces = safe_pieces(read(path))
    n = benchmark.pedantic(timed, args=(package_count, tokenizer_path, pieces), rounds=1, iterations=1)
    _results["package"] = (n, timed.seconds)  # type: ignore[attr-defined]


def test_rust_tokenizer_count(benchmark: Any, tokenizer_path: pathlib.Path, path: pathlib.Path) -> None:
    tok = Tokenizer.from_file(tokenizer_path)
    ctx = Context.open(path)
    best = float("inf")

    def run() -> int:
        nonlocal best
        n = timed(tok.count, ctx)
        best = min(best, timed.seconds)  # type: ignore[attr-defined]
        return n

    n = benchmark.pedantic(run, rounds=3, iterations=1)
    if "package" not in _results:  # run alone (-k): still check the count, untimed
        _results["package"] = (package_count(tokenizer_path, safe_pieces(read(path))), 0.0)
    ref_n, ref_s = _results["package"]
    assert n == ref_n, "rlm.Tokenizer and the tokenizers package must count the same"
    mib = path.stat().st_size / 2**20
    line = f"\n{mib:.0f} MiB, {n:,} tokens: rlm.Tokenizer {best:.2f} s ({mib / best:.1f} MiB/s)"
    if ref_s:
        line += f", tokenizers encode_batch {ref_s:.2f} s ({mib / ref_s:.1f} MiB/s), {ref_s / best:.1f}x"
    print(line)


def test_tokenizers_package_single_encode_8mib(benchmark: Any, tokenizer_path: pathlib.Path,
                                               path: pathlib.Path) -> None:
    """The anchor's other number: one `encode` call (one core) of the first 8 MiB, vs Rust on it."""
    from tokenizers import Tokenizer as Reference

    text = read(path)[: 8 << 20]
    ref = Reference.from_file(str(tokenizer_path))
    n = benchmark.pedantic(timed, args=(lambda t: len(ref.encode(t, add_special_tokens=False).ids), text),
                           rounds=1, iterations=1)
    ref_s = timed.seconds  # type: ignore[attr-defined]
    tok = Tokenizer.from_file(tokenizer_path)
    rust_s = float("inf")
    for _ in range(3):
        assert timed(tok.count, text) == n
        rust_s = min(rust_s, timed.seconds)  # type: ignore[attr-defined]
    mib = len(text.encode()) / 2**20
    print(f"\n{mib:.1f} MiB, {n:,} tokens: tokenizers encode {ref_s:.2f} s ({mib / ref_s:.1f} MiB/s), "
          f"rlm.Tokenizer {rust_s:.2f} s ({mib / rust_s:.1f} MiB/s), {ref_s / rust_s:.1f}x")
