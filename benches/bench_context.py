"""Context vs Python `str`/`re` vs ripgrep on the generated stdlib corpus (see benches/corpus.py).

Run (not part of the default test run, which collects tests/ only):

    python -m pytest benches/bench_context.py --benchmark-only \\
        --benchmark-group-by=group --benchmark-columns=min,mean,rounds

`RLM_BENCH_MB` sets the corpus size in MiB (default 1024). `RLM_BENCH_PYTHON=0` skips the Python
`str` column, which needs about 4 bytes of RAM per character (the corpus holds characters above
U+FFFF, so CPython stores the whole text in UCS-4) plus the time to read it (~30 s per GiB).

Every variant computes the same numbers, and the test asserts they agree, so a fast wrong answer
cannot pass as a speed-up.
"""

from __future__ import annotations

import gc
import os
import re
import shutil
import subprocess
import sys
import pathlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import corpus  # noqa: E402

from rlm import Context  # noqa: E402

SIZE = int(os.environ.get("RLM_BENCH_MB", "1024")) << 20
WITH_PYTHON = os.environ.get("RLM_BENCH_PYTHON", "1") != "0"
LITERAL = "import "
REGEX = r"def \w+\(self"
REGEX_I = r"(?i)import "
RG = shutil.which("rg")


@pytest.fixture(scope="module")
def path() -> pathlib.Path:
    p = corpus.build(SIZE)
    # Warm the page cache so every tool reads from memory, as in the ripgrep anchors.
    with open(p, "rb") as f:
        while f.read(64 << 20):
            pass
    return p


@pytest.fixture(scope="module")
def ctx(path: pathlib.Path) -> Context:
    return Context.open(path)


@pytest.fixture(scope="module")
def text(path: pathlib.Path) -> Iterator[str]:
    if not WITH_PYTHON:
        pytest.skip("RLM_BENCH_PYTHON=0")
    # newline="" keeps "\r\n" as is (text mode would translate it, changing offsets and counts).
    with open(path, encoding="utf-8", newline="") as f:
        s = f.read()
    yield s
    del s
    gc.collect()


def run(benchmark: Any, fn: Callable[[], Any], rounds: int = 3) -> Any:
    return benchmark.pedantic(fn, rounds=rounds, iterations=1, warmup_rounds=0)


def rg(*args: str) -> str:
    assert RG, "ripgrep (rg) is not installed; scripts/setup.sh installs it"
    return subprocess.run([RG, *args], capture_output=True, text=True, check=True).stdout


def python_grep(s: str, needle: str) -> list[tuple[int, str]]:
    """What a careful Python user writes: a MULTILINE regex, line numbers by counting newlines."""
    out, line, last = [], 1, 0
    for m in re.finditer(r"(?m)^.*" + re.escape(needle) + r".*$", s):
        line += s.count("\n", last, m.start())
        last = m.start()
        out.append((line, m.group()))
    return out


# ---------------------------------------------------------------------------- open + len
@pytest.mark.benchmark(group="open+len")
def test_open_len_context(benchmark: Any, path: pathlib.Path) -> None:
    n = run(benchmark, lambda: len(Context.open(path)), rounds=5)
    assert n > 0


@pytest.mark.benchmark(group="open+len")
def test_open_len_python(benchmark: Any, path: pathlib.Path) -> None:
    if not WITH_PYTHON:
        pytest.skip("RLM_BENCH_PYTHON=0")

    def read_len() -> int:
        with open(path, encoding="utf-8", newline="") as f:
            return len(f.read())

    assert run(benchmark, read_len, rounds=1) == len(Context.open(path))


# ---------------------------------------------------------------------------- literal count
@pytest.mark.benchmark(group="literal count")
def test_literal_count_context(benchmark: Any, ctx: Context) -> None:
    run(benchmark, lambda: ctx.count(LITERAL), rounds=5)


@pytest.mark.benchmark(group="literal count")
def test_literal_count_python(benchmark: Any, ctx: Context, text: str) -> None:
    assert run(benchmark, lambda: text.count(LITERAL)) == ctx.count(LITERAL)


@pytest.mark.benchmark(group="literal count")
def test_literal_count_ripgrep(benchmark: Any, ctx: Context, path: pathlib.Path) -> None:
    out = run(benchmark, lambda: rg("--count-matches", "-F", LITERAL, str(path)), rounds=5)
    assert int(out) == ctx.count(LITERAL)


# ---------------------------------------------------------------------------- regex findall
@pytest.mark.benchmark(group="regex findall")
def test_regex_findall_context(benchmark: Any, ctx: Context) -> None:
    run(benchmark, lambda: ctx.findall(REGEX), rounds=3)


@pytest.mark.benchmark(group="regex findall")
def test_regex_findall_python(benchmark: Any, ctx: Context, text: str) -> None:
    got = run(benchmark, lambda: re.findall(REGEX, text))
    assert len(got) == ctx.count_matches(REGEX)


@pytest.mark.benchmark(group="regex findall")
def test_regex_findall_ripgrep(benchmark: Any, ctx: Context, path: pathlib.Path) -> None:
    # `rg -o` prints every match: the command-line analogue of findall.
    out = run(benchmark, lambda: rg("-o", "--no-filename", REGEX, str(path)), rounds=3)
    assert out.count("\n") == ctx.count_matches(REGEX)


# ---------------------------------------------------------------------------- regex count
# The same searches without building a Python string per match (Python has no such call: the anchors'
# anchor is len(re.findall(...))).
@pytest.mark.benchmark(group="regex count")
def test_regex_count_context(benchmark: Any, ctx: Context) -> None:
    run(benchmark, lambda: ctx.count_matches(REGEX), rounds=3)


@pytest.mark.benchmark(group="regex count")
def test_regex_count_ripgrep(benchmark: Any, ctx: Context, path: pathlib.Path) -> None:
    out = run(benchmark, lambda: rg("--count-matches", REGEX, str(path)), rounds=3)
    assert int(out) == ctx.count_matches(REGEX)


@pytest.mark.benchmark(group="regex count")
def test_regex_count_python(benchmark: Any, ctx: Context, text: str) -> None:
    assert run(benchmark, lambda: len(re.findall(REGEX, text))) == ctx.count_matches(REGEX)


@pytest.mark.benchmark(group="regex ignore-case")
def test_regex_ignore_case_context(benchmark: Any, ctx: Context) -> None:
    run(benchmark, lambda: ctx.count_matches(REGEX_I), rounds=3)


@pytest.mark.benchmark(group="regex ignore-case")
def test_regex_ignore_case_python(benchmark: Any, ctx: Context, text: str) -> None:
    got = run(benchmark, lambda: len(re.findall(REGEX_I, text)), rounds=1)
    assert got == ctx.count_matches(REGEX_I)


@pytest.mark.benchmark(group="regex ignore-case")
def test_regex_ignore_case_ripgrep(benchmark: Any, ctx: Context, path: pathlib.Path) -> None:
    out = run(benchmark, lambda: rg("--count-matches", REGEX_I, str(path)), rounds=3)
    assert int(out) == ctx.count_matches(REGEX_I)


# ---------------------------------------------------------------------------- grep
@pytest.mark.benchmark(group="grep -n")
def test_grep_context(benchmark: Any, ctx: Context) -> None:
    run(benchmark, lambda: ctx.grep(LITERAL, literal=True), rounds=3)


@pytest.mark.benchmark(group="grep -n")
def test_grep_python(benchmark: Any, ctx: Context, text: str) -> None:
    got = run(benchmark, lambda: python_grep(text, LITERAL), rounds=1)
    assert len(got) == ctx.count_lines_matching(LITERAL, literal=True)


@pytest.mark.benchmark(group="grep -n")
def test_grep_ripgrep(benchmark: Any, ctx: Context, path: pathlib.Path) -> None:
    out = run(benchmark, lambda: rg("-n", "-F", LITERAL, str(path)), rounds=3)
    assert out.count("\n") == ctx.count_lines_matching(LITERAL, literal=True)


@pytest.mark.benchmark(group="grep -c")
def test_grep_count_context(benchmark: Any, ctx: Context) -> None:
    run(benchmark, lambda: ctx.count_lines_matching(LITERAL, literal=True), rounds=5)


@pytest.mark.benchmark(group="grep -c")
def test_grep_count_ripgrep(benchmark: Any, ctx: Context, path: pathlib.Path) -> None:
    out = run(benchmark, lambda: rg("-c", "-F", LITERAL, str(path)), rounds=5)
    assert int(out) == ctx.count_lines_matching(LITERAL, literal=True)


# ---------------------------------------------------------------------------- line count
@pytest.mark.benchmark(group="line count")
def test_line_count_context_open(benchmark: Any, path: pathlib.Path) -> None:
    # The line index is built while opening: this is open + count, from nothing.
    run(benchmark, lambda: Context.open(path).line_count(), rounds=5)


@pytest.mark.benchmark(group="line count")
def test_line_count_python(benchmark: Any, ctx: Context, text: str) -> None:
    # `str.count("\n")` is the fast idiom; it equals splitlines() only for \n-only text.
    got = run(benchmark, lambda: text.count("\n"))
    assert got == ctx.count("\n")


@pytest.mark.benchmark(group="line count")
def test_line_count_wc(benchmark: Any, ctx: Context, path: pathlib.Path) -> None:
    out = run(benchmark, lambda: subprocess.run(["wc", "-l", str(path)], capture_output=True,
                                                text=True, check=True).stdout, rounds=5)
    assert int(out.split()[0]) == ctx.count("\n")
