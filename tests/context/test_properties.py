"""Property tests: a Context behaves exactly as the Python `str` holding the same text.

The alphabet is small on purpose, so that random needles occur often, and it holds every kind of
line break `str.splitlines` knows, multi-byte characters of every UTF-8 width, and whitespace that
`str.split()` treats specially (`\\x1c`-`\\x1f`, U+00A0).
"""

from __future__ import annotations

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from rlm import Context

ALPHABET = "ab \tA\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0é€😀\u2028\u2029."
texts = st.text(alphabet=ALPHABET, max_size=60)
needles = st.text(alphabet="ab\r\né€ .", max_size=3)
indices = st.one_of(st.none(), st.integers(min_value=-70, max_value=70))
FAST = settings(max_examples=300, deadline=None)


@FAST
@given(texts)
def test_len_str_and_lines_match(s: str) -> None:
    c = Context.from_str(s)
    assert len(c) == len(s) and str(c) == s and bool(c) == bool(s)
    assert c.splitlines() == s.splitlines()
    assert c.splitlines(keepends=True) == s.splitlines(keepends=True)
    assert list(c.lines()) == s.splitlines()
    assert list(c.lines(keepends=True)) == s.splitlines(keepends=True)
    assert c.line_count() == len(s.splitlines())
    for n, line in enumerate(s.splitlines(), start=1):
        assert c.line(n) == line


@FAST
@given(texts, st.data())
def test_line_of_matches_the_line_holding_each_character(s: str, data: st.DataObject) -> None:
    c = Context.from_str(s)
    if not s:
        return
    offset = data.draw(st.integers(min_value=0, max_value=len(s) - 1))
    owners = [n for n, line in enumerate(s.splitlines(keepends=True), start=1) for _ in line]
    assert c.line_of(offset) == owners[offset]
    start, end = c.line_span(owners[offset])
    assert s[start:end] == s.splitlines()[owners[offset] - 1]


@FAST
@given(texts, indices, indices, st.one_of(st.none(), st.integers(-4, 4).filter(bool)))
def test_indexing_and_slicing(s: str, a: int | None, b: int | None, step: int | None) -> None:
    c = Context.from_str(s)
    assert c[a:b:step] == s[a:b:step]
    if a is not None and -len(s) <= a < len(s):
        assert c[a] == s[a]


@FAST
@given(texts, needles, indices, indices)
def test_find_family(s: str, sub: str, start: int | None, end: int | None) -> None:
    c = Context.from_str(s)
    assert c.find(sub, start, end) == s.find(sub, start, end)
    assert c.rfind(sub, start, end) == s.rfind(sub, start, end)
    assert c.count(sub, start, end) == s.count(sub, start, end)
    assert c.startswith(sub, start, end) == s.startswith(sub, start, end)
    assert c.endswith(sub, start, end) == s.endswith(sub, start, end)
    assert (sub in c) == (sub in s)
    if sub:
        expected, at = [], s.find(sub, start, end)
        while at != -1:
            expected.append(at)
            at = s.find(sub, at + len(sub), end)
        assert c.find_all(sub, start=start, end=end) == expected


@FAST
@given(texts, st.one_of(st.none(), needles.filter(bool)), st.integers(-1, 3))
def test_split(s: str, sep: str | None, maxsplit: int) -> None:
    c = Context.from_str(s)
    assert c.split(sep, maxsplit) == s.split(sep, maxsplit)
    assert list(c.iter_split(sep, maxsplit)) == s.split(sep, maxsplit)


# Two documented differences stay out: `\s` does not match `\x1c`-`\x1f` (re's does), and `$`
# without MULTILINE does not match before a final newline.
regex_texts = st.text(alphabet=ALPHABET.replace("\x1c\x1d\x1e\x1f", ""), max_size=60)
PATTERNS = [r"a+", r"\w+", r"\s+", r"(a)|(b)", r"é?", r"^a", r"(?m)a$", r".", r"(?s).", r"[^a]*", r"\bab"]


@FAST
@given(regex_texts, st.sampled_from(PATTERNS), st.sampled_from([0, re.M, re.I, re.S]), indices, indices)
def test_regex_like_re(s: str, pattern: str, flags: int, start: int | None, end: int | None) -> None:
    c = Context.from_str(s)
    n = len(s)
    pos = 0 if start is None else min(max(start + n if start < 0 else start, 0), n)
    endpos = n if end is None else min(max(end + n if end < 0 else end, 0), n)
    compiled = re.compile(pattern, flags)
    expected = list(compiled.finditer(s, pos, endpos))
    assert c.spans(pattern, flags, start=start, end=end) == [m.span() for m in expected]
    assert c.count_matches(pattern, flags, start=start, end=end) == len(expected)
    got = c.search(pattern, flags, start=start, end=end)
    first = compiled.search(s, pos, endpos)
    assert (got and got.span()) == (first and first.span())
    assert c.findall(pattern, flags, start=start, end=end) == compiled.findall(s, pos, endpos)


def test_big_text_searched_on_every_core_equals_python() -> None:
    # Above the parallel threshold (4 MB), with self-overlapping needles and matches that may
    # straddle the pieces the text is cut into.
    rng = random.Random(7)
    words = ["aaa", "aa", "é", "€€", "import os", "\r\n", "\n", "def f(self", " ", "a\u2028"]
    s = "".join(rng.choice(words) for _ in range(1_700_000))
    c = Context.from_str(s)
    assert len(s.encode()) > 6 << 20
    assert c.count("aa") == s.count("aa")
    assert c.count_literal("IMPORT", ignore_case=True) == s.lower().count("import")
    assert c.find_all("a€") == [m.start() for m in re.finditer("a€", s)]
    assert c.spans(r"a+") == [m.span() for m in re.finditer(r"a+", s)]
    assert c.count_matches(r"def \w+\(self") == len(re.findall(r"def \w+\(self", s))
    assert c.line_count() == len(s.splitlines())
    lines = s.splitlines()
    hits = c.grep(r"€€ ?i")
    expected = [n for n, line in enumerate(lines, start=1) if re.search(r"€€ ?i", line)]
    assert [h.line_number for h in hits] == expected
    assert c.count_lines_matching(r"€€ ?i") == len(expected)
    assert all(h.line == lines[h.line_number - 1] for h in hits[:200])


grep_texts = st.text(alphabet="ab é\n\r.", max_size=80).map(lambda s: s.replace("\r", "\r\n"))


@FAST
@given(grep_texts, st.sampled_from(["a", "é", "a.b", "^a", "b$", "^$", r"\s"]), st.booleans())
def test_grep_equals_searching_each_line(s: str, pattern: str, literal: bool) -> None:
    # On "\n" / "\r\n" text (where `^`/`$` and splitlines agree on what a line is), grep reports
    # exactly the lines that re.search finds the pattern in, with their numbers and first match.
    c = Context.from_str(s)
    needle = re.escape(pattern) if literal else pattern
    expected = []
    offset = 0
    for n, line in enumerate(s.splitlines(keepends=True), start=1):
        body = line.rstrip("\r\n")
        m = re.search(needle, body)
        if m:
            expected.append((n, body, offset, offset + m.start(), offset + m.end()))
        offset += len(line)
    got = [(h.line_number, h.line, h.line_start, h.start, h.end) for h in c.grep(pattern, literal=literal)]
    assert got == expected
    assert c.count_lines_matching(pattern, literal=literal) == len(expected)
