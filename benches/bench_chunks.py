"""Chunking strategies over the stdlib corpus, against `wc -l` of the same file in the same run.

Run (1 GiB by default; `RLM_BENCH_CHUNKS_MB=64` for a quick one; `tokens` needs the bundled
model's tokenizer.json, `rlm models install`):

    nice python -m pytest benches/bench_chunks.py --benchmark-only \\
        --benchmark-columns=min,mean,rounds -s

Each test chunks the mapped file (`Context`) with the REPL's default sizes (20,000 characters,
500 lines, 4,096 tokens; overlap 200 characters, 10 lines, 100 tokens) and counts the spans (no
`Chunk` objects, no text copied). Each round opens the file afresh (UTF-8 validation and the
character index, what any run pays first), so "open + chunk" is comparable with `wc -l`, which
also reads the whole file; the chunking alone is reported next to it. The last test prints the
table for benches/README.md and writes it to benches/data/chunks.json, which
`python benches/plot_chunks.py` draws as benches/chunks.png.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import time
from typing import Any

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import corpus  # noqa: E402

from rlm import Context, Tokenizer  # noqa: E402
from rlm._core import chunk_spans  # noqa: E402

SIZE = int(os.environ.get("RLM_BENCH_CHUNKS_MB", "1024")) << 20
# (size, overlap) per strategy: the REPL's default chunk, a typical overlap.
SETTINGS = {"chars": (20_000, 200), "lines": (500, 10), "recursive": (20_000, 200),
            "structural": (20_000, 200), "tokens": (4096, 100)}
RESULTS = pathlib.Path(__file__).parent / "data" / "chunks.json"
_rows: dict[str, dict[str, Any]] = {}


@pytest.fixture(scope="module")
def path() -> pathlib.Path:
    return corpus.build(SIZE)


@pytest.mark.parametrize("by", list(SETTINGS))
def test_chunk(benchmark: Any, path: pathlib.Path, by: str) -> None:
    size, overlap = SETTINGS[by]
    tok = None
    if by == "tokens":
        from rlm.models import install

        tok = Tokenizer.from_file(install("qwen2.5-coder-0.5b") / "tokenizer.json")
    best = float("inf")

    chunk_only = float("inf")

    def run() -> int:
        nonlocal best, chunk_only
        t0 = time.perf_counter()
        fresh = Context.open(str(path))  # validate + index: what a run pays before chunking
        t1 = time.perf_counter()
        n = sum(1 for _ in chunk_spans(fresh, by, size, overlap, tok))
        t2 = time.perf_counter()
        best, chunk_only = min(best, t2 - t0), min(chunk_only, t2 - t1)
        return n

    n = benchmark.pedantic(run, rounds=1 if by == "tokens" else 3, iterations=1)
    assert n > 0
    _rows[by] = {"size": size, "overlap": overlap, "chunks": n, "seconds": best, "chunk_seconds": chunk_only}


def test_wc_l_and_report(benchmark: Any, path: pathlib.Path) -> None:
    """`wc -l` of the same file (the baseline), then the table of every strategy that ran."""
    best = float("inf")

    def run() -> None:
        nonlocal best
        t0 = time.perf_counter()
        subprocess.run(["wc", "-l", str(path)], check=True, capture_output=True)
        best = min(best, time.perf_counter() - t0)

    benchmark.pedantic(run, rounds=5, iterations=1)
    wc = best
    mb = path.stat().st_size / 1e6
    print(f"\n{path.stat().st_size:,} bytes; wc -l {wc:.3f} s ({mb / wc:,.0f} MB/s)")
    print("| strategy | size, overlap | chunks | open + chunk, s | MB/s | vs `wc -l` | chunking alone, s |\n"
          "|---|---|---|---|---|---|---|")
    for by, r in _rows.items():
        r["mb_per_s"], r["vs_wc"] = mb / r["seconds"], r["seconds"] / wc
        print(f"| `{by}` | {r['size']:,}, {r['overlap']:,} | {r['chunks']:,} | {r['seconds']:.3f} | "
              f"{r['mb_per_s']:,.0f} | {r['vs_wc']:.1f}x | {r['chunk_seconds']:.3f} |")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"bytes": path.stat().st_size, "wc_seconds": wc, "rows": _rows}, indent=1))
