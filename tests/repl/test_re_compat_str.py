"""The REPL's `re` module behaves exactly as Python's `re` on str and bytes."""

from __future__ import annotations

import re

import pytest

from rlm.repl import re_compat

TEXT = "alpha=1, beta=22\nGamma=333 delta\n\nend"
PATTERNS = [r"\d+", r"(\w+)=(\d+)", r"(?P<k>\w+)=", r"^\w+", r"$", r"", r"a*", r"(?i)GAMMA", r"(?<=a)=",
            r"(\w)\1", r"\s+"]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_module_functions_match_python_re(pattern: str) -> None:
    for flags in (0, re.MULTILINE | re.IGNORECASE):
        assert re_compat.findall(pattern, TEXT, flags) == re.findall(pattern, TEXT, flags)
        assert [m.span() for m in re_compat.finditer(pattern, TEXT, flags)] == \
            [m.span() for m in re.finditer(pattern, TEXT, flags)]
        for name in ("search", "match", "fullmatch"):
            got, want = getattr(re_compat, name)(pattern, TEXT, flags), getattr(re, name)(pattern, TEXT, flags)
            assert (got and got.span()) == (want and want.span())
        assert re_compat.split(pattern, TEXT, 2, flags) == re.split(pattern, TEXT, 2, flags)
        assert re_compat.sub(pattern, "<\\g<0>>", TEXT, 3, flags) == re.sub(pattern, "<\\g<0>>", TEXT, 3, flags)
        assert re_compat.subn(pattern, lambda m: m.group(0).upper(), TEXT, 0, flags) == \
            re.subn(pattern, lambda m: m.group(0).upper(), TEXT, 0, flags)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_compiled_patterns_match_python_re(pattern: str) -> None:
    ours, theirs = re_compat.compile(pattern), re.compile(pattern)
    assert (ours.pattern, ours.flags, ours.groups, ours.groupindex) == \
        (theirs.pattern, theirs.flags, theirs.groups, theirs.groupindex)
    assert ours.findall(TEXT, 3, 30) == theirs.findall(TEXT, 3, 30)
    assert [m.span() for m in ours.finditer(TEXT, 5)] == [m.span() for m in theirs.finditer(TEXT, 5)]
    assert ours.sub("-", TEXT, 2) == theirs.sub("-", TEXT, 2)
    assert ours.split(TEXT) == theirs.split(TEXT)
    assert (ours.search(TEXT, 4) or None) is None or ours.search(TEXT, 4).span() == theirs.search(TEXT, 4).span()
    # a compiled pattern goes back into the module functions, as with re
    assert re_compat.findall(ours, TEXT) == re.findall(theirs, TEXT)
    assert re_compat.compile(ours) is ours
    assert ours == re_compat.compile(pattern) and hash(ours) == hash(re_compat.compile(pattern))


def test_bytes_work_as_in_re() -> None:
    assert re_compat.findall(rb"\d+", b"a1b22") == [b"1", b"22"]
    assert re_compat.compile(rb"x").sub(b"y", b"xx") == b"yy"


def test_errors_flags_and_helpers_are_re_s_own() -> None:
    with pytest.raises(re_compat.error):
        re_compat.compile("(")
    assert re_compat.error is re.error
    assert re_compat.IGNORECASE is re.IGNORECASE and re_compat.I is re.I
    assert re_compat.escape("a.b") == re.escape("a.b")
    assert re_compat.Match is re.Match
    with pytest.raises(ValueError):
        re_compat.findall(re_compat.compile("a"), "a", re.I)
    with pytest.raises(TypeError):
        re_compat.findall("a", 42)


def test_every_public_name_of_re_exists() -> None:
    missing = [name for name in re.__all__ if not hasattr(re_compat, name)]
    assert missing == []
