"""Toolkit helpers on plain str (the Context path is in test_toolkit_context.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rlm.repl import toolkit
from rlm import tokens
from rlm.repl.toolkit import chunks, count_tokens, find_all, grep

TEXT = "first line\nsecond: needle here\nthird\r\nNEEDLE again\n\nlast needle"


def test_grep_reports_line_numbers_offsets_and_context_lines() -> None:
    found = grep("needle", text=TEXT, before=1, after=1)
    assert [m.line_number for m in found] == [2, 6]
    m = found[0]
    assert (m.line, m.line_start, m.start, m.end) == ("second: needle here", 11, 19, 25)
    assert TEXT[m.start:m.end] == "needle"
    assert m.before == [(1, "first line")] and m.after == [(3, "third")]
    assert str(m) == "1-first line\n2:second: needle here\n3-third"


def test_grep_ignore_case_literal_and_max_count() -> None:
    assert [m.line_number for m in grep("NEEDLE", text=TEXT, ignore_case=True)] == [2, 4, 6]
    assert [m.line_number for m in grep("d: n", text=TEXT, literal=True)] == [2]
    assert [m.line_number for m in grep(".", text="a.b\nab", literal=True)] == [1]
    limited = grep("e", text=TEXT, max_count=2)
    assert len(limited) == 2 and limited.total == 3
    assert repr(limited).startswith("3 matching lines for 'e' (showing the first 2; max_count=None returns all):\n")
    assert len(grep("e", text=TEXT, max_count=None)) == 3


def test_grep_result_prints_count_and_lines_and_says_zero_matches() -> None:
    assert repr(grep("absent", text=TEXT)) == "0 matching lines for 'absent'"
    assert repr(grep("third", text=TEXT)) == "1 matching line for 'third':\n3:third"


def test_text_joined_to_a_grep_result_joins_its_printed_form_and_lists_stay_lists() -> None:
    found = grep("third", text=TEXT)
    assert "Lines:\n" + found + "\nQ" == "Lines:\n1 matching line for 'third':\n3:third\nQ"
    both = found + grep("last", text=TEXT)
    assert isinstance(both, list) and [m.line for m in both] == ["third", "last needle"]


def test_find_all_returns_offsets_of_non_overlapping_occurrences() -> None:
    assert find_all("aa", text="aaaaa") == [0, 2]
    lower = TEXT.lower()
    assert find_all("needle", text=TEXT, ignore_case=True) == \
        [i for i in range(len(TEXT)) if lower.startswith("needle", i)] == [19, 38, 57]
    assert find_all("e", text=TEXT, limit=2) == [TEXT.find("e"), TEXT.find("e", TEXT.find("e") + 1)]
    with pytest.raises(ValueError):
        find_all("", text=TEXT)


def test_chunks_by_chars_cover_the_text_with_overlap() -> None:
    text = "abcdefghij"
    assert [tuple(c) for c in chunks(4, text=text)] == [(0, 4), (4, 8), (8, 10)]
    over = chunks(4, 1, text=text)
    assert [tuple(c) for c in over] == [(0, 4), (3, 7), (6, 10)]
    assert [c.text for c in over] == ["abcd", "defg", "ghij"]
    assert str(over[1]) == "defg" and len(over[1]) == 4 and over[1].index == 1
    start, end = over[2]
    assert (start, end) == (6, 10)
    assert chunks(4, text="") == []
    assert [tuple(c) for c in chunks(100, text=text)] == [(0, 10)]


def test_chunks_by_lines_keep_whole_lines_with_their_endings() -> None:
    got = chunks(2, by="lines", text=TEXT)
    assert "".join(c.text for c in got) == TEXT
    assert [c.text for c in got] == ["first line\nsecond: needle here\n", "third\r\nNEEDLE again\n",
                                     "\nlast needle"]
    overlapped = chunks(3, 1, by="lines", text="a\nb\nc\nd\ne\n")
    assert [c.text for c in overlapped] == ["a\nb\nc\n", "c\nd\ne\n"]


@pytest.mark.parametrize("size,overlap", [(0, 0), (3, 3), (3, -1)])
def test_chunks_reject_bad_sizes(size: int, overlap: int) -> None:
    with pytest.raises(ValueError):
        chunks(size, overlap, text="abc")


def test_count_tokens_without_a_tokenizer_is_a_clear_error() -> None:
    toolkit.configure(context=None, tokenizer_path=None)
    with pytest.raises(RuntimeError, match="no tokenizer"):
        count_tokens("hello")


def _word_tokenizer(path: Path) -> Path:
    from tokenizers import Tokenizer, models, pre_tokenizers

    tok = Tokenizer(models.WordLevel({"hello": 0, "world": 1, "[UNK]": 2}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.save(str(path))
    return path


def test_count_tokens_falls_back_to_the_tokenizers_package_for_files_rust_refuses(tmp_path: Path) -> None:
    # A WordLevel tokenizer.json is not byte-level BPE: the Rust tokenizer refuses it.
    toolkit.configure(context=None, tokenizer_path=_word_tokenizer(tmp_path / "tokenizer.json"))
    try:
        assert count_tokens("hello world hello") == 3
    finally:
        toolkit.configure(context=None, tokenizer_path=None)


def test_count_tokens_above_the_exact_limit_is_a_labelled_estimate(tmp_path: Path) -> None:
    toolkit.configure(context=None, tokenizer_path=_word_tokenizer(tmp_path / "tokenizer.json"))
    try:
        n = count_tokens("hello world " * (tokens.PYTHON.exact_chars // 12 + 1))
        assert isinstance(n, tokens.TokenEstimate)
        assert n == pytest.approx(2 * (tokens.PYTHON.exact_chars // 12 + 1), rel=0.01)
        assert repr(n).startswith("~") and "estimated from 16 samples" in repr(n)
    finally:
        toolkit.configure(context=None, tokenizer_path=None)


def test_helpers_without_text_and_without_a_context_say_so() -> None:
    toolkit.configure(context=None)
    with pytest.raises(RuntimeError, match="no context"):
        grep("x")


def test_grep_shows_a_window_of_very_long_lines_around_the_match() -> None:
    line = "x" * 5000 + "NEEDLE" + "y" * 5000
    shown = repr(grep("NEEDLE", text="short\n" + line))
    assert "NEEDLE" in shown
    assert len(shown) < 500
    assert "more chars]" in shown and "chars]…" in shown
    assert grep("NEEDLE", text=line)[0].line == line  # the record keeps the whole line
