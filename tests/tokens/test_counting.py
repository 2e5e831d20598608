"""rlm.tokens: exact counts up to a limit, labelled estimates above it, the fallback, and their users.

The estimate is checked against the exact Rust count of the same text, so its accuracy claim in
rlm/tokens.py is a test, not a hope.
"""

from __future__ import annotations

import pathlib
import sysconfig

import pytest
from tokenizers import Tokenizer as Reference

from rlm import Context, Tokenizer, tokens
from rlm.summary import summarize


def stdlib_text(chars: int) -> str:
    """Real code with some non-ASCII text: the stdlib's sources, repeated to `chars` characters."""
    root = pathlib.Path(sysconfig.get_paths()["stdlib"])
    unit = "".join((root / n).read_text(encoding="utf-8") for n in ("textwrap.py", "shlex.py", "glob.py"))
    unit += "Ça va? Überall café — 東京 😀\r\n"
    return (unit * (chars // len(unit) + 1))[:chars]


def test_load_tokenizer_is_rust_for_a_byte_level_bpe_file(tiny_tokenizer_path: pathlib.Path) -> None:
    tok = tokens.load_tokenizer(str(tiny_tokenizer_path))
    assert isinstance(tok, Tokenizer)
    assert tokens.limits_for(tok) is tokens.RUST
    assert tokens.rust_tokenizer(str(tiny_tokenizer_path)) is tok


def test_below_the_limit_the_count_is_exact_and_a_plain_int(tiny_tokenizer_path: pathlib.Path) -> None:
    tok = tokens.load_tokenizer(str(tiny_tokenizer_path))
    text = stdlib_text(50_000)
    ref = Reference.from_file(str(tiny_tokenizer_path))
    n = tokens.count(tok, text)
    assert type(n) is int
    assert n == len(ref.encode(text, add_special_tokens=False).ids)
    assert tokens.count(tok, Context.from_str(text)) == n


def test_above_the_limit_a_context_gets_a_labelled_estimate_within_two_percent(
        tiny_tokenizer_path: pathlib.Path) -> None:
    tok = tokens.load_tokenizer(str(tiny_tokenizer_path))
    text = stdlib_text(2_000_000)
    exact = tok.count(text)
    limits = tokens.Limits(1_000_000, tokens.RUST.samples, tokens.RUST.sample_chars)
    n = tokens.count(tok, Context.from_str(text), limits)
    assert isinstance(n, tokens.TokenEstimate)
    assert abs(n - exact) / exact < 0.02
    assert repr(n) == f"~{int(n):,} tokens (estimated from 256 samples of 4,096 characters)"
    assert str(n) == repr(n) and f"{n:d}" == str(int(n))  # arithmetic and format specs see an int


def test_estimate_samples_evenly_and_scales_to_the_length() -> None:
    seen: list[tuple[int, int]] = []

    def one_per_char(a: int, b: int) -> int:
        seen.append((a, b))
        return b - a

    assert tokens.estimate(one_per_char, 1000, samples=4, sample_chars=10) == 1000
    assert seen == [(0, 10), (250, 260), (500, 510), (750, 760)]
    assert tokens.estimate(one_per_char, 0) == 0


def test_summary_counts_a_context_in_rust_exactly_then_estimates(
        tiny_tokenizer_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import rlm.summary

    tok = tokens.rust_tokenizer(str(tiny_tokenizer_path))
    text = stdlib_text(300_000)

    def never(_: str) -> int:
        raise AssertionError("the Rust tokenizer counts, not the backend")

    small = summarize(Context.from_str(text), never, tok)
    assert (small.tokens, small.tokens_estimated) == (tok.count(text), False)
    monkeypatch.setattr(rlm.summary, "DESCRIBE_RUST", tokens.Limits(100_000, tokens.RUST.samples, tokens.RUST.sample_chars))
    big = summarize(Context.from_str(text), never, tok)
    assert big.tokens_estimated and type(big.tokens) is int
    assert abs(big.tokens - tok.count(text)) / tok.count(text) < 0.02


def test_summary_without_a_rust_tokenizer_uses_the_backends_count() -> None:
    s = summarize(Context.from_str("a b c\nd"), lambda t: len(t.split()))
    assert (s.tokens, s.tokens_estimated) == (4, False)

