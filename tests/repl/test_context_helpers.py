"""The re shim and the toolkit helpers on a Context give what they give on the same str."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlm.repl import toolkit
from rlm._core import Context
from rlm.errors import ContextTooLargeError
from rlm.repl import re_compat
from rlm.repl.session import ReplSession
from rlm.repl.toolkit import chunks, count_tokens, find_all, grep


TEXT = ("id=7 alpha\nβeta=22 gamma\r\nGAMMA=333\n\n" + "filler line 4\n" * 5
        + "x=1 y=22 z=333 é\nlast=9")
RUST_PATTERNS = [r"\d+", r"(\w+)=(\d+)", r"(?P<k>\w+)=", r"^\w+", r"\d*", r"gamma", r"\w+$", r"é"]
FLAGS = [0, re.IGNORECASE, re.MULTILINE, re.IGNORECASE | re.MULTILINE]


@pytest.fixture()
def ctx() -> Context:
    return Context.from_str(TEXT)


@pytest.mark.parametrize("pattern", RUST_PATTERNS)
@pytest.mark.parametrize("flags", FLAGS)
def test_search_functions_on_a_context_match_re_on_the_str(ctx: Context, pattern: str, flags: int) -> None:
    assert re_compat.findall(pattern, ctx, flags) == re.findall(pattern, TEXT, flags)
    assert [m.span() for m in re_compat.finditer(pattern, ctx, flags)] == \
        [m.span() for m in re.finditer(pattern, TEXT, flags)]
    for name in ("search", "match"):
        got, want = getattr(re_compat, name)(pattern, ctx, flags), getattr(re, name)(pattern, TEXT, flags)
        assert (got.span() if got else None) == (want.span() if want else None)
    compiled = re_compat.compile(pattern, flags)
    assert compiled.findall(ctx) == re.compile(pattern, flags).findall(TEXT)


@pytest.mark.parametrize("pattern", [r"\d*", r"^\w", r"\b\w", r"(?m)^$", r"a|"])
def test_finditer_streams_in_batches_with_the_same_matches(ctx: Context, pattern: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(re_compat, "_FINDITER_BATCH", 3)
    assert [m.span() for m in re_compat.finditer(pattern, ctx)] == [m.span() for m in re.finditer(pattern, TEXT)]


@pytest.mark.parametrize("pattern", [r"(?<=id=)\d+", r"(\w)\1", r"\d+(?= )"])
def test_patterns_only_python_runs_fall_back_on_small_contexts(ctx: Context, pattern: str) -> None:
    assert re_compat.findall(pattern, ctx) == re.findall(pattern, TEXT)
    assert [m.span() for m in re_compat.finditer(pattern, ctx)] == [m.span() for m in re.finditer(pattern, TEXT)]


def test_ascii_flag_falls_back_to_python(ctx: Context) -> None:
    assert re_compat.findall(r"\w+", ctx, re.ASCII) == re.findall(r"\w+", TEXT, re.ASCII)


def test_whole_text_operations_on_small_contexts_are_python_s(ctx: Context) -> None:
    assert re_compat.sub(r"\d+", "#", ctx) == re.sub(r"\d+", "#", TEXT)
    assert re_compat.subn(r"\d", "", ctx, 3) == re.subn(r"\d", "", TEXT, 3)
    assert re_compat.split(r"\n", ctx) == re.split(r"\n", TEXT)
    assert re_compat.fullmatch(r"(?s).*", ctx).span() == (0, len(TEXT))


def test_big_context_gets_an_actionable_error_instead_of_a_copy() -> None:
    big = Context.from_str(TEXT)
    big.max_materialize = 10
    with pytest.raises(ContextTooLargeError, match=r"re\.sub would copy all of it.*grep\(pattern\)"):
        re_compat.sub(r"\d", "", big)
    with pytest.raises(ContextTooLargeError, match="only Python's re"):
        re_compat.findall(r"(?<=id=)\d+", big)
    # what the Rust engine runs still works on it
    assert re_compat.search(r"\d+", big).span() == (3, 4)


def test_grep_on_a_context_equals_grep_on_the_str(ctx: Context) -> None:
    for kwargs in ({}, {"ignore_case": True}, {"before": 1, "after": 2}, {"literal": True},
                   {"max_count": 1, "ignore_case": True}):
        got = grep("gamma", text=ctx, **kwargs)
        want = grep("gamma", text=TEXT, **kwargs)
        assert [(m.line_number, m.line, m.line_start, m.start, m.end, list(m.before), list(m.after))
                for m in got] == \
            [(m.line_number, m.line, m.line_start, m.start, m.end, m.before, m.after) for m in want]
        assert repr(got) == repr(want)
        assert got.total == want.total


def test_find_all_and_chunks_on_a_context_equal_those_on_the_str(ctx: Context) -> None:
    assert find_all("=", text=ctx) == find_all("=", text=TEXT)
    assert find_all("GAMMA", text=ctx, ignore_case=True) == find_all("GAMMA", text=TEXT, ignore_case=True)
    for size, overlap, by in ((7, 2, "chars"), (3, 1, "lines"), (100, 0, "lines")):
        got = chunks(size, overlap, by=by, text=ctx)  # type: ignore[arg-type]
        want = chunks(size, overlap, by=by, text=TEXT)  # type: ignore[arg-type]
        assert [tuple(c) for c in got] == [tuple(c) for c in want]
        assert [c.text for c in got] == [c.text for c in want]


def test_count_tokens_of_a_context(tmp_path: Path) -> None:
    from tokenizers import Tokenizer, models, pre_tokenizers

    tok = Tokenizer(models.WordLevel({"a": 0, "[UNK]": 1}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.save(str(tmp_path / "tokenizer.json"))
    toolkit.configure(context=Context.from_str("a a b"), tokenizer_path=tmp_path / "tokenizer.json")
    try:
        assert count_tokens() == 3
    finally:
        toolkit.configure(context=None)


def test_model_code_in_the_repl_uses_re_and_helpers_on_the_context(tmp_path: Path) -> None:
    path = tmp_path / "c.txt"
    path.write_text(TEXT, encoding="utf-8")
    with ReplSession(str(path), llm_query=str) as repl:
        r = repl.execute("import re\nnums = re.findall(r'\\d+', context)\nnums[:3], len(grep('gamma', ignore_case=True))")
        assert r.output == "(['7', '22', '333'], 2)\n", r.output
        assert repl.execute("len(context.splitlines()) == context.line_count()").output == "True\n"


def test_invalid_patterns_raise_re_error_as_python_does(ctx: Context) -> None:
    with pytest.raises(re.error):
        re_compat.findall("(", ctx)
    with pytest.raises(re.error):
        grep("(", text=ctx)


def test_finditer_with_a_python_only_pattern_and_many_matches_yields_each_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(re_compat, "_FINDITER_BATCH", 3)
    text = "ab" * 20
    spans = [m.span() for m in re_compat.finditer(r"(?<=a)b", Context.from_str(text))]
    assert spans == [m.span() for m in re.finditer(r"(?<=a)b", text)]


def test_finditer_raises_pattern_errors_at_the_call_as_re_does(ctx: Context) -> None:
    with pytest.raises(re.error):
        re_compat.finditer("(", ctx)
    big = Context.from_str(TEXT)
    big.max_materialize = 10
    with pytest.raises(ContextTooLargeError):
        re_compat.finditer(r"(?<=id=)\d+", big)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="ab \n1é", max_size=20),
       pattern=st.sampled_from([r"\b\w", r"\w+", r"^a", r"(?m)^a", r"a*", r"(?m)$", r"a|", r"(?m)^",
                                r"\d*", r"é?"]))
def test_finditer_batches_resume_exactly_where_python_would(text: str, pattern: str) -> None:
    # Batches of 2 put a resume point after nearly every match: anchors, word boundaries and empty
    # matches at the seams must come out as one whole-text scan gives them.
    saved = re_compat._FINDITER_BATCH
    re_compat._FINDITER_BATCH = 2
    try:
        got = [m.span() for m in re_compat.finditer(pattern, Context.from_str(text))]
    finally:
        re_compat._FINDITER_BATCH = saved
    assert got == [m.span() for m in re.finditer(pattern, text)]


@pytest.mark.parametrize("pattern", [r"b$", r"$", r"(?:x|b)$", r"(b)$", r"(?i)B$"])
def test_dollar_also_matches_before_a_final_newline_as_in_python(pattern: str) -> None:
    text = "ab\nab\n"
    ctx = Context.from_str(text)
    assert re_compat.findall(pattern, ctx) == re.findall(pattern, text)
    assert [m.span() for m in re_compat.finditer(pattern, ctx)] == [m.span() for m in re.finditer(pattern, text)]
    got, want = re_compat.search(pattern, ctx), re.search(pattern, text)
    assert (got.span() if got else None) == (want.span() if want else None)
    # with MULTILINE both engines agree, so Rust runs it
    assert re_compat.findall(pattern, ctx, re.M) == re.findall(pattern, text, re.M)
