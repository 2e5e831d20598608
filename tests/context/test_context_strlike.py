"""A Context compares, concatenates, formats, iterates and strips like the `str` it stands for; what
would copy a big one is refused with a message that says what to call instead."""

from __future__ import annotations

import collections
import pathlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rlm import Context
from rlm.errors import ContextTooLargeError

TEXT = "  Hello Wörld €1\n  second line\t\n"
# Characters of every UTF-8 width, whitespace of several kinds, and separators.
texts = st.text(alphabet=st.sampled_from(list("ab =é€\U0001f600 \t\n\x1c\u2028")), max_size=40)


def small(text: str = TEXT, limit: int | None = None) -> Context:
    c = Context.from_str(text)
    if limit is not None:
        c.max_materialize = limit
    return c


# -- equality, ordering, hashing -------------------------------------------------------------------


def test_equality_with_str_compares_the_text() -> None:
    c = small("some text")
    assert c == "some text" and "some text" == c
    assert c != "some text!" and not (c != "some text")
    assert c != "Some text" and c != ""


def test_equality_needs_no_copy_above_the_limit(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("x" * 1000, encoding="utf-8")
    c = Context.open(path)
    c.max_materialize = 10  # str(c) is refused, == still works
    assert c == "x" * 1000 and c != "x" * 999 and c != "y" * 1000


def test_contexts_with_the_same_text_are_equal() -> None:
    assert small("é€") == small("é€") and small("a") != small("b")


def test_equality_with_other_types_is_false_not_an_error() -> None:
    c = small("42")
    assert c != 42 and c != b"42" and c != None  # noqa: E711
    assert (c == ["42"]) is False


@given(texts, texts)
def test_comparisons_agree_with_str(a: str, b: str) -> None:
    c = Context.from_str(a)
    assert (c == b, c != b, c < b, c <= b, c > b, c >= b) == (a == b, a != b, a < b, a <= b, a > b, a >= b)
    assert (b < c, b > c) == (b < a, b > a)  # reflected: str's comparison gives way to ours


def test_hash_is_the_hash_of_the_equal_str() -> None:
    c = small("key text")
    assert hash(c) == hash("key text")
    assert {c: 1}["key text"] == 1 and "key text" in {c} and c in {"key text"}


def test_hash_above_the_limit_says_what_to_use_instead() -> None:
    with pytest.raises(ContextTooLargeError, match=r"hash\(context\).*slice"):
        hash(small(limit=5))


def test_sorted_and_max_of_contexts_order_by_text() -> None:
    assert sorted([small("b"), small("a")]) == ["a", "b"]
    assert max(small("b"), small("é")) == "é"


# -- operators -------------------------------------------------------------------------------------


def test_plus_concatenates_on_both_sides() -> None:
    c = small("middle")
    assert c + "!" == "middle!" and "<" + c == "<middle"
    assert c + c == "middlemiddle"
    assert isinstance(c + "!", str)


def test_plus_is_refused_above_the_limit_with_what_to_do() -> None:
    c = small("0123456789", limit=12)
    assert c + "ab" == "0123456789ab"  # 12 characters: within the limit
    with pytest.raises(ContextTooLargeError, match=r"context \+ text.*slices"):
        c + "abc"
    with pytest.raises(ContextTooLargeError):
        "abc" + c


def test_plus_with_a_non_string_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        small() + 1  # type: ignore[operator]


def test_repeat_percent_and_format_work_as_on_str() -> None:
    assert small("ab") * 3 == "ababab" and 2 * small("é") == "éé"
    assert small("code %s: %d") % ("x", 7) == "code x: 7"
    assert f"[{small('ab'):>4}]" == "[  ab]" and "{}!".format(small("ab")) == "ab!"
    assert "%s|" % small("ab") == "ab|" and f"{small('ab')}" == "ab"


def test_operators_that_copy_are_guarded() -> None:
    c = small("0123456789", limit=5)
    for build in (lambda: c * 2, lambda: c % (), lambda: f"{c}", lambda: "%s" % c):
        with pytest.raises(ContextTooLargeError, match="slice"):
            build()


# -- iteration and membership ----------------------------------------------------------------------


def test_iteration_yields_characters() -> None:
    text = "aé€\U0001f600\n"
    c = small(text)
    assert list(c) == list(text)
    assert sorted(c) == sorted(text)
    assert collections.Counter(small("abca")) == collections.Counter("abca")
    assert "".join(reversed(small(text))) == text[::-1] and list(reversed(small(""))) == []


def test_iteration_is_refused_above_the_limit_naming_lines() -> None:
    with pytest.raises(ContextTooLargeError, match=r"lines\(\)"):
        iter(small(limit=5))


def test_in_takes_a_str_or_a_context_and_refuses_other_types() -> None:
    c = small("needle in a haystack")
    assert "needle" in c and small("hay") in c and "pin" not in c
    with pytest.raises(TypeError, match="requires string as left operand, not int"):
        3 in c  # type: ignore[operator]  # noqa: B015


# -- str methods -----------------------------------------------------------------------------------


@given(texts, st.sampled_from([None, " ", "a=", "\n\t"]))
def test_strip_agrees_with_str(text: str, chars: str | None) -> None:
    c = Context.from_str(text)
    assert (c.strip(chars), c.lstrip(chars), c.rstrip(chars)) == (
        text.strip(chars), text.lstrip(chars), text.rstrip(chars))


@given(texts, st.sampled_from(["=", "é€", "\n", "zz"]))
def test_partition_agrees_with_str(text: str, sep: str) -> None:
    c = Context.from_str(text)
    assert (c.partition(sep), c.rpartition(sep)) == (text.partition(sep), text.rpartition(sep))


def test_partition_refuses_an_empty_separator() -> None:
    with pytest.raises(ValueError, match="empty separator"):
        small().partition("")


def test_strip_and_partition_guard_only_what_they_build() -> None:
    assert small("  ab  ", limit=3).strip() == "ab"  # 2 characters built out of 6
    assert small("key=value", limit=5).partition("=") == ("key", "=", "value")
    with pytest.raises(ContextTooLargeError, match=r"strip a slice"):
        small("  ab  " + "x" * 20, limit=10).strip()
    with pytest.raises(ContextTooLargeError, match=r"context.find"):
        small("key=" + "x" * 20, limit=10).partition("=")


def test_encode_utf8_comes_from_the_bytes_and_other_codecs_work_too() -> None:
    c = small("Wörld")
    assert c.encode() == c.encode("UTF_8") == "Wörld".encode()
    assert c.encode("latin-1") == "Wörld".encode("latin-1")
    with pytest.raises(UnicodeEncodeError):
        small("€").encode("ascii")
    with pytest.raises(ContextTooLargeError, match="byte_len"):
        small("0123456789", limit=5).encode()


def test_isascii_needs_no_scan() -> None:
    assert small("plain").isascii() and not small("é").isascii()


@pytest.mark.parametrize(("call", "expected"), [
    (lambda c: c.lower(), TEXT.lower()), (lambda c: c.upper(), TEXT.upper()),
    (lambda c: c.replace("l", "L"), TEXT.replace("l", "L")), (lambda c: c.title(), TEXT.title()),
    (lambda c: c.rsplit(None, 1), TEXT.rsplit(None, 1)), (lambda c: c.isdigit(), False),
    (lambda c: c.casefold(), TEXT.casefold()), (lambda c: c.center(40, "*"), TEXT.center(40, "*")),
])
def test_other_str_methods_run_on_the_text(call, expected) -> None:
    assert call(small()) == expected


def test_case_changes_above_the_limit_point_to_case_insensitive_search() -> None:
    with pytest.raises(ContextTooLargeError, match=r"ignore_case=True"):
        small(limit=5).lower()  # type: ignore[attr-defined]


def test_file_like_attributes_say_context_is_already_the_text() -> None:
    with pytest.raises(AttributeError, match="already the text"):
        small().read()  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="not a dict"):
        small().keys()  # type: ignore[attr-defined]
    assert not hasattr(small(), "no_such_method")


# -- the sweep: what model code does with a str, on a context above the size limit -----------------

BIG = TEXT * 4  # 132 characters, with max_materialize = 20 below: "too big to copy"

# Each idiom of model code written for a str, and how it behaves on a context too big to copy:
# these scan in Rust and work at any size...
SCANS = [
    "c == BIG", "c != 'x'", "BIG == c", "c < BIG + 'a'", "'Wörld' in c", "c.startswith('  Hello')",
    "c.endswith(('x', '\\t\\n'))", "c.count('l')", "c.find('second')", "c.index('second')",
    "c.rfind('€')", "c[2:7]", "c[-1]", "c[::-40]", "len(c)", "bool(c)", "c.isascii()",
]
# ...and these copy the text, so above the limit they fail with one line naming what to call instead.
COPIES = [
    ("c.lower()", "ignore_case=True"), ("c.upper()", "ignore_case=True"),
    ("c.replace('l', 'L')", "context.count"), ("c.strip()", "strip a slice"),
    ("c.encode()", "context.byte_len"), ("'{}'.format(c)", "format a slice"),
    ("f'{c}'", "format a slice"), ("'%s' % c", "slice"), ("c % ()", "format a slice"),
    ("[ch for ch in c]", "context.lines()"), ("sorted(c)", "context.lines()"),
    ("list(reversed(c))", "context.lines()"),
    ("c.split()", "iter_split"), ("c.splitlines()", "context.lines()"), ("c + '!'", "slices"),
    ("'!' + c", "slices"), ("c * 2", "slice"), ("hash(c)", "slice"), ("str(c)", "slice"),
    ("c.title()", "ignore_case=True"), ("c.rsplit(None, 1)", "iter_split"),
]


@pytest.mark.parametrize("idiom", SCANS)
def test_idioms_that_scan_agree_with_str_at_any_size(idiom: str) -> None:
    c = small(BIG, limit=20)
    assert eval(idiom, {"c": c, "BIG": BIG}) == eval(idiom, {"c": BIG, "BIG": BIG})


@pytest.mark.parametrize(("idiom", "instead"), COPIES)
def test_idioms_that_copy_agree_with_str_when_small(idiom: str, instead: str) -> None:
    c = small(BIG)
    assert eval(idiom, {"c": c}) == eval(idiom, {"c": BIG})


@pytest.mark.parametrize(("idiom", "instead"), COPIES)
def test_idioms_that_copy_say_what_to_call_instead_when_big(idiom: str, instead: str) -> None:
    with pytest.raises(ContextTooLargeError) as raised:
        eval(idiom, {"c": small(BIG, limit=20)})
    message = str(raised.value)
    assert instead in message and "max_materialize = 20" in message and "\n" not in message
