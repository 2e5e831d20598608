"""What a direct answer reads (rlm.direct.direct_document), shared by `--mode direct` and `rlm eval`."""

from __future__ import annotations

from typing import Any

import pytest

from rlm._core import Context
from rlm.direct import direct_document, document_budget
from rlm.errors import UsageError


class _Chars:
    """A backend whose tokens are characters, counting how often it is asked."""

    def __init__(self) -> None:
        self.counted = 0

    def count_tokens(self, text: str) -> int:
        self.counted += 1
        return len(text)


def _doc(backend: Any, text: str, window: int | None, **known: Any) -> str:
    return direct_document(backend, Context.from_str(text), "Why?", window, 10, **known)


def test_a_context_that_fits_is_read_whole() -> None:
    assert _doc(_Chars(), "abcdefgh", 1000) == "abcdefgh"


def test_a_context_larger_than_the_window_is_cut_to_the_head_that_fits() -> None:
    backend = _Chars()
    window = 200
    budget = document_budget(backend, "Why?", window, 10)  # type: ignore[arg-type]
    text = "0123456789" * 50
    assert _doc(backend, text, window) == text[:budget]


def test_without_a_window_the_whole_context_is_read() -> None:
    text = "x" * 5000
    assert _doc(_Chars(), text, None) == text


def test_an_exact_count_that_fits_is_not_counted_again() -> None:
    backend = _Chars()
    _doc(backend, "abcdefgh", 1000)
    counted_without = backend.counted
    backend = _Chars()
    assert _doc(backend, "abcdefgh", 1000, tokens=8, exact=True) == "abcdefgh"
    assert backend.counted < counted_without


def test_an_estimated_count_is_not_trusted() -> None:
    # The estimate says it fits; the real count does not: the head is cut by the real count.
    window = 200
    budget = document_budget(_Chars(), "Why?", window, 10)  # type: ignore[arg-type]
    text = "0123456789" * 50
    assert _doc(_Chars(), text, window, tokens=10, exact=False) == text[:budget]


def test_a_window_with_no_room_for_the_document_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="leaves no room"):
        _doc(_Chars(), "abc", 20)
