"""Literal and regex search, grep: offsets in characters, results as Python's re gives them."""

from __future__ import annotations

import re

import pytest

from rlm import Context
from rlm._core import IGNORECASE, MULTILINE
from rlm.errors import UnsupportedPatternError

TEXT = "def f(self):\n    return 1\r\nclass Ünïcode:\n    def g(self, x): é = x\n"


def test_find_all_and_count_agree_with_str_count() -> None:
    c = Context.from_str("aaaa é aa é")
    assert c.find_all("aa") == [0, 2, 7]
    assert c.count("aa") == "aaaa é aa é".count("aa") == 3
    assert c.find_all("é", start=6) == [10]
    assert c.find_all("a", limit=2) == [0, 1]


def test_ignore_case_literal_escapes_metacharacters() -> None:
    c = Context.from_str("A.B a.b axb ÄÖ äö")
    assert c.find_all("a.b", ignore_case=True) == [0, 4]
    assert c.count_literal("äö", ignore_case=True) == 2


def test_regex_matches_equal_python_re() -> None:
    c = Context.from_str(TEXT)
    for pattern, flags in [
        (r"def \w+\(self", 0),
        (r"^\s+def", MULTILINE),
        (r"(\w+)\(self(, \w+)?\)", 0),
        (r"ü\w+", IGNORECASE),
        (r"x*", 0),
        (r"(?P<name>\w)(?P<rest>\w*)", 0),
    ]:
        expected = list(re.finditer(pattern, TEXT, flags))
        got = c.finditer(pattern, flags)
        assert [m.span() for m in got] == [m.span() for m in expected], pattern
        assert [m.groups() for m in got] == [m.groups() for m in expected], pattern
        assert c.findall(pattern, flags) == re.findall(pattern, TEXT, flags), pattern
        assert c.count_matches(pattern, flags) == len(expected)
        assert c.spans(pattern, flags) == [m.span() for m in expected]


def test_search_and_match_respect_pos_and_endpos() -> None:
    c = Context.from_str(TEXT)
    compiled = re.compile(r"\w+")
    for start, end in [(0, None), (5, 30), (14, 20), (-10, None)]:
        exp = compiled.search(TEXT, *((start % len(TEXT),) if start < 0 else (start,)),
                              *(() if end is None else (end,)))
        got = c.search(r"\w+", start=start, end=end)
        assert got is not None and exp is not None
        assert got.span() == exp.span()
    assert c.match(r"def") is not None
    assert c.match(r"f\(", start=4) is not None
    assert c.match(r"return") is None


def test_match_object_behaves_like_re_match() -> None:
    m = Context.from_str("key: é=42").search(r"(?P<k>\w)=(?P<v>\d+)(x)?")
    assert m is not None
    assert m.group() == "é=42" and m.group(1, "v") == ("é", "42")
    assert m.groups() == ("é", "42", None) and m.groups("-") == ("é", "42", "-")
    assert m.groupdict() == {"k": "é", "v": "42"}
    assert (m.start(), m.end(2), m.span("k"), m.span(3)) == (5, 9, (5, 6), (-1, -1))
    assert (m.lastindex, m.lastgroup, m.names) == (2, "v", {"k": 1, "v": 2})
    with pytest.raises(IndexError):
        m.group(4)


def test_unsupported_patterns_raise_a_catchable_error() -> None:
    c = Context.from_str("abab")
    for pattern in [r"(a)\1", r"a(?=b)", r"(?<!x)a"]:
        with pytest.raises(UnsupportedPatternError, match="Python's re"):
            c.findall(pattern)
    with pytest.raises(UnsupportedPatternError, match="flags"):
        c.findall("a", re.ASCII)


def test_grep_reports_lines_like_ripgrep() -> None:
    c = Context.from_str("zero\nalpha one\nbeta\ngamma one\r\ndelta\n")
    hits = c.grep("one", before=1, after=1)
    assert [(h.line_number, h.line, h.line_start, h.start, h.end) for h in hits] == [
        (2, "alpha one", 5, 11, 14),
        (4, "gamma one", 20, 26, 29),
    ]
    assert str(hits[0]) == "1-zero\n2:alpha one\n3-beta"
    assert hits[1].after == [(5, "delta")]
    assert [h.line_number for h in c.grep("^[a-d]", max_count=2)] == [2, 3]
    assert [h.line_number for h in c.grep("ONE$", ignore_case=True)] == [2, 4]
    assert [h.line_number for h in c.grep("a.", literal=True)] == []
    assert c.count_lines_matching("a") == 4


def test_membership_and_prefixes() -> None:
    c = Context.from_str("héllo wörld")
    assert "wör" in c and "xyz" not in c
    assert c.startswith(("x", "hé")) and c.endswith("ld") and not c.endswith("ld", 0, 5)
    with pytest.raises(TypeError):
        c.startswith(["hé"])  # type: ignore[arg-type]
    assert c.index("ö") == 7 and c.rindex("l") == 9
    with pytest.raises(ValueError):
        c.index("q")
