"""REPL worker costs: start-up, execute round trips, llm_query round trip, crash + restart.

    python benches/bench_repl.py [--starts 10] [--runs 500]

Start-up happens once per run and after every hard kill, so it is measured alone (spawn, imports,
context open, memory limit, until the worker says ready). The loop's per-iteration cost including
the REPL is in bench_loop.py.
"""

from __future__ import annotations

import argparse
import statistics
import time

from rlm.repl.session import ReplSession


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=10)
    parser.add_argument("--runs", type=int, default=500)
    args = parser.parse_args()

    starts = []
    for _ in range(args.starts):
        t = time.perf_counter()
        session = ReplSession(None, llm_query=str)
        starts.append(time.perf_counter() - t)
        session.close()
    print(f"start-up until ready: median {statistics.median(starts) * 1e3:.1f} ms, "
          f"max {max(starts) * 1e3:.1f} ms ({args.starts} runs)")

    with ReplSession(None, llm_query=lambda prompt: "ok") as session:
        for code in ("x = 1", "print(x)", "llm_query('hi')"):
            t = time.perf_counter()
            for _ in range(args.runs):
                session.execute(code)
            per = (time.perf_counter() - t) / args.runs
            print(f"execute({code!r}): {per * 1e3:.3f} ms per round trip ({args.runs} runs)")
        t = time.perf_counter()
        session.execute("import os\nos._exit(1)")
        session.execute("1")
        print(f"crash + restart + next execute: {(time.perf_counter() - t) * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
