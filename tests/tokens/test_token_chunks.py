"""`chunks(by="tokens")`: chunks of `size` tokens of the whole text's encoding, cut at token
boundaries, checked against the `tokenizers` package's offsets of the same encoding.

Byte-level BPE can end a token inside a UTF-8 character, and a CRLF may be two tokens; neither is
a place a chunk may end or start, so there the chunk is shorter and the overlap smaller. It is
longer than `size` only when nothing between its start and its `size`-th token is a cut (a
character of more tokens than `size`). On ASCII text without CR every boundary is a cut: the sizes
and overlaps are exact.
"""

from __future__ import annotations

import bisect
import pathlib
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tokenizers import Tokenizer as Reference

from rlm import Context, Tokenizer
from rlm._core import chunk_spans
from rlm.repl import toolkit
from rlm.repl.toolkit import chunks

PIECES = ["word", " ", "  ", "\n", "\r\n", "\n\n", "def f(x):", "return", "é", "e\u0301", "東京", "😀",
          "<|im_end|>", "42", "(", ")", "'s", "\t", "x"]
texts = st.one_of(st.lists(st.sampled_from(PIECES), max_size=80).map("".join), st.text(max_size=120))
ascii_texts = st.lists(st.sampled_from(["word", " ", "  ", "\n", "\n\n", "def f(x):", "return", "42", "("]),
                       max_size=80).map("".join)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def tok(tiny_tokenizer_path: pathlib.Path) -> Tokenizer:
    return Tokenizer.from_file(tiny_tokenizer_path)


@pytest.fixture(scope="module")
def ref(tiny_tokenizer_path: pathlib.Path) -> Reference:
    return Reference.from_file(str(tiny_tokenizer_path))


def token_ends(ref: Reference, text: str) -> list[int]:
    """Character offset where each token of the whole-text encoding ends, in order."""
    return [e for _, e in ref.encode(text, add_special_tokens=False).offsets]


def could_cut(text: str, c: int) -> bool:
    """A place every tokenization can cut at: before an ASCII character, not inside a CRLF.

    (A token may end inside a multi-byte character, and inside a run NFC rewrote no offset
    corresponds; both only ever hold non-ASCII characters after their first.)
    """
    return 0 < c < len(text) and text[c].isascii() and text[c - 1:c + 1] != "\r\n"


def tokens_in(ends: list[int], s: int, e: int) -> int:
    return bisect.bisect_right(ends, e) - bisect.bisect_right(ends, s)


@SETTINGS
@given(text=texts.map(lambda t: unicodedata.normalize("NFC", t)), size=st.integers(1, 20), data=st.data())
def test_token_chunks_cover_in_order_at_token_boundaries_and_never_exceed_size(
        tok: Tokenizer, ref: Reference, text: str, size: int, data: st.DataObject) -> None:
    # NFC text: the reference's offsets inside a run NFC rewrites are not offsets of the text.
    overlap = data.draw(st.integers(0, size - 1))
    spans = list(chunk_spans(text, "tokens", size, overlap, tok))
    if not text:
        assert spans == []
        return
    ends = token_ends(ref, text)
    cuts = {0, len(text), *ends}
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    for k, (s, e) in enumerate(spans):
        assert s < e and s in cuts and e in cuts
        assert text[e - 1:e + 1] != "\r\n"
        if tokens_in(ends, s, e) > size:  # only when no place before `size` tokens is a cut
            assert not [c for c in ends if s < c < e and could_cut(text, c) and tokens_in(ends, s, c) <= size]
        if k:
            ps, pe = spans[k - 1]
            assert ps < s <= pe, "in order, no gap"
            assert tokens_in(ends, s, pe) <= overlap or tokens_in(ends, ps, pe) > size
    assert list(chunk_spans(Context.from_str(text), "tokens", size, overlap, tok)) == spans


@SETTINGS
@given(text=texts, size=st.integers(1, 20), data=st.data())
def test_text_that_nfc_rewrites_is_covered_in_order_without_cutting_a_crlf(
        tok: Tokenizer, text: str, size: int, data: st.DataObject) -> None:
    overlap = data.draw(st.integers(0, size - 1))
    spans = list(chunk_spans(text, "tokens", size, overlap, tok))
    assert (spans[0][0], spans[-1][1]) == (0, len(text)) if text else spans == []
    for k, (s, e) in enumerate(spans):
        assert s < e and text[e - 1:e + 1] != "\r\n"
        assert not k or spans[k - 1][0] < s <= spans[k - 1][1]
    assert list(chunk_spans(Context.from_str(text), "tokens", size, overlap, tok)) == spans


@SETTINGS
@given(text=ascii_texts, size=st.integers(1, 20), data=st.data())
def test_on_ascii_without_cr_every_chunk_but_the_last_has_size_tokens_and_overlap_is_exact(
        tok: Tokenizer, ref: Reference, text: str, size: int, data: st.DataObject) -> None:
    overlap = data.draw(st.integers(0, size - 1))
    spans = list(chunk_spans(text, "tokens", size, overlap, tok))
    ends = token_ends(ref, text)
    for k, (s, e) in enumerate(spans):
        if k + 1 < len(spans):
            assert tokens_in(ends, s, e) == size
            assert tokens_in(ends, spans[k + 1][0], e) == overlap
    # The chunk starts step tokens apart: token k * step begins chunk k.
    step = size - overlap
    assert [s for s, _ in spans] == [([0] + ends)[k * step] for k in range(len(spans))]


def test_chunks_by_tokens_uses_the_runs_tokenizer(tiny_tokenizer_path: pathlib.Path, ref: Reference) -> None:
    text = "def f(x):\n    return x\n" * 50
    toolkit.configure(context=Context.from_str(text), tokenizer_path=tiny_tokenizer_path)
    try:
        got = chunks(16, 4, by="tokens")
    finally:
        toolkit.configure(context=None, tokenizer_path=None)
    ends = token_ends(ref, text)
    assert "".join(c.text for c in got[:1]) == text[: got[0].end]
    assert all(tokens_in(ends, c.start, c.end) <= 16 for c in got)
    assert got[-1].end == len(text) and repr(got[0]) == f"Chunk(index=0, start=0, end={got[0].end})"


def test_chunk_bench_sizes_tokens_rows_with_the_given_tokenizer(
        tiny_tokenizer_path: pathlib.Path, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from rlm.cli import main as rlm_main

    path = tmp_path / "code.py"
    path.write_text("def f(x):\n    return x  # café\n" * 2000, encoding="utf-8")
    assert rlm_main(["chunk-bench", "-f", str(path), "-s", "tokens", "-s", "chars", "--tokenizer",
                     str(tiny_tokenizer_path), "--size", "1000", "--json", "-q"]) == 0
    tokens_row, chars_row = json.loads(capsys.readouterr().out)
    assert tokens_row["unit"] == "tokens" and tokens_row["tokens_sampled"] == tokens_row["chunks"]
    # 1,000 characters' worth of tokens: the file's mean characters per token sets the size.
    ctx = Context.open(str(path))
    assert tokens_row["size"] == round(1000 / (len(ctx) / Tokenizer.from_file(tiny_tokenizer_path).count(ctx)))
    assert tokens_row["tokens_max"] <= tokens_row["size"] + 1  # alone, an edge token may differ
    assert chars_row["tokens_median"] > 0 and chars_row["chars_max"] == 1000
