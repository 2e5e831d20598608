"""Chunking strategies (rlm-core's chunk module through `chunks(by=...)`): the invariants, on
hypothesis' texts.

Every strategy: spans cover the text in order with no gap, none is longer than the maximum, each
starts exactly `overlap` units before the previous one ends (one or two less only where that would
cut a CRLF), none cuts a CRLF, and a `str` and a `Context` of the same text chunk the same. Offsets
are character offsets, so no span can cut a UTF-8 character; the byte-level cases are in
tests/tokens/test_token_chunks.py (`"tokens"`) and rust/rlm-core/src/chunk/tests.rs.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlm import Context
from rlm._core import CHUNK_STRATEGIES, chunk_spans
from rlm.repl import toolkit
from rlm.repl.toolkit import Chunk, chunks

PIECES = [
    "word ", "Sentence ends. ", "Why? ", "\n", "\r\n", "\n\n", "\r\n\r\n", "\r", "def f(x):\n",
    "    return x\n", "# Title\n", "## Sub\n", "2024-01-31 10:00:00 ERROR boom\n", "  at frame\n",
    '{"k": 1}\n', "é", "e\u0301", "東京", "😀", "\t", "x", "\u2028", "\x0c", "fn main() {\n", "}\n",
]
texts = st.one_of(st.lists(st.sampled_from(PIECES), max_size=120).map("".join), st.text(max_size=200))
SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CHAR_STRATEGIES = ["chars", "recursive", "structural"]


def crlf_at(text: str, i: int) -> bool:
    return 0 < i < len(text) and text[i - 1] == "\r" and text[i] == "\n"


def check_char_spans(text: str, spans: list[tuple[int, int]], size: int, overlap: int) -> None:
    if not text:
        assert spans == []
        return
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    for k, (s, e) in enumerate(spans):
        assert 0 <= s < e <= len(text)
        assert e - s <= size
        assert not crlf_at(text, s) and not crlf_at(text, e)
        if k:
            ps, pe = spans[k - 1]
            assert s > ps, "every chunk advances"
            got = pe - s
            assert got >= 0, "no gap"
            near_crlf = any(crlf_at(text, i) for i in range(max(s - 2, 0), min(pe + 2, len(text)) + 1))
            assert got == overlap or (near_crlf and overlap - 2 <= got < overlap), (k, got, overlap)


@pytest.mark.parametrize("by", CHAR_STRATEGIES)
@SETTINGS
@given(text=texts, size=st.integers(2, 300), data=st.data())
def test_character_strategies_cover_in_order_respect_the_maximum_and_overlap_exactly(
        by: str, text: str, size: int, data: st.DataObject) -> None:
    overlap = data.draw(st.integers(0, size - 1))
    spans = list(chunk_spans(text, by, size, overlap))
    check_char_spans(text, spans, size, overlap)
    assert list(chunk_spans(Context.from_str(text), by, size, overlap)) == spans


@SETTINGS
@given(text=texts, size=st.integers(1, 12), data=st.data())
def test_lines_hold_size_whole_lines_and_overlap_by_lines(text: str, size: int, data: st.DataObject) -> None:
    overlap = data.draw(st.integers(0, size - 1))
    lines = text.splitlines(keepends=True)
    got = [text[s:e] for s, e in chunk_spans(text, "lines", size, overlap)]
    step = size - overlap
    starts = range(0, max(len(lines) - overlap, 1), step) if lines else []
    assert got == ["".join(lines[i:i + size]) for i in starts]
    assert list(chunk_spans(Context.from_str(text), "lines", size, overlap)) == \
        list(chunk_spans(text, "lines", size, overlap))


def test_chars_without_crlf_is_plain_fixed_size_windows() -> None:
    text = "abcdefghij"
    assert list(chunk_spans(text, "chars", 4, 1)) == [(0, 4), (3, 7), (6, 10)]
    # A cut inside "\r\n" moves one character back; the next start keeps the pair whole too.
    assert list(chunk_spans("abc\r\ndef", "chars", 4, 0)) == [(0, 3), (3, 7), (7, 8)]


def test_recursive_cuts_at_the_best_separator_that_keeps_the_chunk_half_full() -> None:
    para = "aaaa bbbb\ncccc\n\ndddd eeee"
    assert [para[s:e] for s, e in chunk_spans(para, "recursive", 18)] == ["aaaa bbbb\ncccc\n\n", "dddd eeee"]
    prose = "One two. Three four five six"
    assert [prose[s:e] for s, e in chunk_spans(prose, "recursive", 16)] == ["One two. ", "Three four five ", "six"]


def test_structural_keeps_each_log_record_with_its_continuation_lines() -> None:
    records = [f"2024-01-{d:02d} 10:00:00 ERROR job {d} failed\nTraceback:\n  File x.py\n" for d in range(1, 29)]
    log = "".join(records)
    got = [log[s:e] for s, e in chunk_spans(log, "structural", 200)]
    assert "".join(got) == log
    assert all(c.startswith("2024-01-") for c in got)
    # Every chunk is whole records: 200 characters hold three of these 59-61 character records.
    assert all(c in "".join(records[i:i + 3]) for i, c in zip(range(0, 28, 3), got))


def test_structural_cuts_code_at_definitions_and_markdown_at_headings() -> None:
    code = "import os\n\n@cache\ndef f():\n    return 1\n\nclass C:\n    x = 1\n"
    assert [code[s:e] for s, e in chunk_spans(code, "structural", 30)] == \
        ["import os\n\n", "@cache\ndef f():\n    return 1\n\n", "class C:\n    x = 1\n"]
    sections = ["# A\nintro text here\n", "## B\nmore text, longer\n", "## C\nend of it all here\n"]
    md = "".join(sections)
    assert [md[s:e] for s, e in chunk_spans(md, "structural", 30)] == sections
    # The cut is at the window's last record start, so a chunk holds as many whole sections as fit.
    assert [md[s:e] for s, e in chunk_spans(md, "structural", 50)] == [sections[0] + sections[1], sections[2]]


def test_every_strategy_is_a_name_of_chunks_with_the_same_short_printed_form() -> None:
    assert CHUNK_STRATEGIES == ["chars", "lines", "tokens", "recursive", "structural"]
    for by in ("chars", "lines", "recursive", "structural"):
        got = chunks(4, by=by, text="ab\ncd\nef\n")  # type: ignore[arg-type]
        assert all(isinstance(c, Chunk) for c in got)
        assert repr(got[0]) == f"Chunk(index=0, start=0, end={got[0].end})"
        assert "".join(c.text for c in got) == "ab\ncd\nef\n"


def test_unknown_strategies_and_bad_sizes_are_clear_errors() -> None:
    with pytest.raises(ValueError, match='unknown chunking strategy "semantic"; use one of chars, lines'):
        chunks(10, by="semantic", text="abc")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="size >= 2"):
        chunks(1, by="recursive", text="abc")
    with pytest.raises(ValueError, match="overlap < size"):
        chunks(3, 3, text="abc")


def test_tokens_without_a_tokenizer_says_what_to_use_instead() -> None:
    toolkit.configure(context=None, tokenizer_path=None)
    with pytest.raises(RuntimeError, match='by="chars"'):
        chunks(10, by="tokens", text="abc")
    with pytest.raises(ValueError, match="needs the model's tokenizer"):
        chunk_spans("abc", "tokens", 10)


def test_a_context_is_chunked_lazily_from_the_mapped_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "big.txt"
    path.write_text("line of text\n" * 200_000, encoding="utf-8")
    it = chunk_spans(Context.open(str(path)), "recursive", 1000, 100)
    first = next(it)
    assert first == (0, 988)  # 76 whole lines of 13 characters, the last line end in the window
    assert sum(1 for _ in it) + 1 == len(list(chunk_spans(Context.open(str(path)), "recursive", 1000, 100)))
