"""Ranked search (`Context.rank`, BM25) beside grep on the generated stdlib corpus (benches/corpus.py).

Run (not part of the default test run, which collects tests/ only):

    python -m pytest benches/bench_search.py --benchmark-only \\
        --benchmark-group-by=group --benchmark-columns=min,mean,rounds

`RLM_BENCH_MB` sets the corpus size in MiB (default 1024). The queries name words of the corpus:
`RARE` three words that each occur on a few thousand lines, `COMMON` one that is on about one line
in twenty. Each ranked row is set beside the line search a user would run for the same words:
`Context.grep` of an alternation of the words (case-blind, whole words) and `rg -n -i -w`.
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys
from typing import Any

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import corpus  # noqa: E402

from rlm import Context  # noqa: E402

SIZE = int(os.environ.get("RLM_BENCH_MB", "1024")) << 20
RARE = "decimal rounding context"
COMMON = "return value self"
RG = shutil.which("rg")


def alternation(query: str) -> str:
    return r"\b(?:" + "|".join(re.escape(w) for w in query.split()) + r")\b"


@pytest.fixture(scope="module")
def path() -> pathlib.Path:
    p = corpus.build(SIZE)
    with open(p, "rb") as f:  # warm the page cache, as bench_context.py does
        while f.read(64 << 20):
            pass
    return p


@pytest.fixture(scope="module")
def ctx(path: pathlib.Path) -> Context:
    c = Context.open(path)
    c.rank("warm", 1)  # the text's word count is computed once per Context and cached
    return c


def run(benchmark: Any, fn: Any, rounds: int = 3) -> Any:
    return benchmark.pedantic(fn, rounds=rounds, iterations=1, warmup_rounds=0)


@pytest.mark.benchmark(group="ranked search: rare words")
def test_rank_rare(benchmark: Any, ctx: Context) -> None:
    hits = run(benchmark, lambda: ctx.rank(RARE, 10))
    assert len(hits) == 10 and hits[0][1] >= hits[-1][1]


@pytest.mark.benchmark(group="ranked search: rare words")
def test_rank_rare_window3(benchmark: Any, ctx: Context) -> None:
    assert len(run(benchmark, lambda: ctx.rank(RARE, 10, 3))) == 10


@pytest.mark.benchmark(group="ranked search: rare words")
def test_grep_rare_words(benchmark: Any, ctx: Context) -> None:
    run(benchmark, lambda: ctx.count_lines_matching(alternation(RARE), ignore_case=True))


@pytest.mark.benchmark(group="ranked search: rare words")
def test_ripgrep_rare_words(benchmark: Any, path: pathlib.Path) -> None:
    assert RG, "ripgrep (rg) is not installed; scripts/setup.sh installs it"
    args = [RG, "-c", "-i", "-w", *(a for w in RARE.split() for a in ("-e", w)), str(path)]
    run(benchmark, lambda: subprocess.run(args, capture_output=True, check=True))


@pytest.mark.benchmark(group="ranked search: common words")
def test_rank_common(benchmark: Any, ctx: Context) -> None:
    assert len(run(benchmark, lambda: ctx.rank(COMMON, 10))) == 10


@pytest.mark.benchmark(group="ranked search: common words")
def test_grep_common_words(benchmark: Any, ctx: Context) -> None:
    run(benchmark, lambda: ctx.count_lines_matching(alternation(COMMON), ignore_case=True))


@pytest.mark.benchmark(group="ranked search: common words")
def test_ripgrep_common_words(benchmark: Any, path: pathlib.Path) -> None:
    args = [RG, "-c", "-i", "-w", *(a for w in COMMON.split() for a in ("-e", w)), str(path)]
    run(benchmark, lambda: subprocess.run(args, capture_output=True, check=True))


@pytest.mark.benchmark(group="ranked search: first call")
def test_rank_first_call_on_a_fresh_context(benchmark: Any, path: pathlib.Path) -> None:
    # Open + the one-off word count + the ranking: what the first search() of a run costs.
    run(benchmark, lambda: Context.open(path).rank(RARE, 10))


@pytest.mark.benchmark(group="ranked search: first call")
def test_open_alone(benchmark: Any, path: pathlib.Path) -> None:
    run(benchmark, lambda: len(Context.open(path)))
