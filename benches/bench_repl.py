"""REPL worker costs: start-up, execute round trips, llm_query round trip, crash + restart.

    python benches/bench_repl.py [--starts 10] [--runs 500]

Start-up happens once per run and after every hard kill, so it is measured alone (spawn, imports,
context open, memory limit, until the worker says ready). Start-ups and round trips are measured
with the sandbox off and on, interleaved. The loop's per-iteration cost including the REPL is in
bench_loop.py.
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

    # Interleaved, so machine load hits both alike: the sandbox's cost is the difference, and the
    # worker times restrict_self itself (`elapsed_ms` in its report).
    starts: dict[str, list[float]] = {"off": [], "auto": []}
    restrict_ms = []
    for _ in range(args.starts):
        for mode in ("off", "auto"):
            t = time.perf_counter()
            session = ReplSession(None, llm_query=str, sandbox=mode)  # type: ignore[arg-type]
            starts[mode].append(time.perf_counter() - t)
            if mode == "auto":
                restrict_ms.append(session.sandbox_report.get("elapsed_ms", float("nan")))
            session.close()
    for mode, times in starts.items():
        print(f"start-up until ready, sandbox {mode}: median {statistics.median(times) * 1e3:.1f} ms, "
              f"max {max(times) * 1e3:.1f} ms ({args.starts} runs)")
    print(f"restrict_self in the worker: median {statistics.median(restrict_ms):.2f} ms")

    # Round trips in started workers, off and on in alternating batches (the same load on both).
    sessions = {mode: ReplSession(None, llm_query=lambda prompt: "ok", sandbox=mode)  # type: ignore[arg-type]
                for mode in ("off", "auto")}
    batch = max(1, args.runs // 10)
    try:
        for code in ("x = 1", "print(x)", "llm_query('hi')"):
            per_batch: dict[str, list[float]] = {mode: [] for mode in sessions}
            for _ in range(max(1, args.runs // batch)):
                for mode, session in sessions.items():
                    t = time.perf_counter()
                    for _ in range(batch):
                        session.execute(code)
                    per_batch[mode].append((time.perf_counter() - t) / batch)
            print(f"execute({code!r}): " + ", ".join(
                f"sandbox {mode} {statistics.median(v) * 1e3:.3f} ms" for mode, v in per_batch.items())
                + f" per round trip (median of batches; {args.runs} runs each)")
        session = sessions["auto"]
        t = time.perf_counter()
        session.execute("import os\nos._exit(1)")
        session.execute("1")
        print(f"crash + restart + next execute (sandbox auto): {(time.perf_counter() - t) * 1e3:.1f} ms")
    finally:
        for session in sessions.values():
            session.close()

if __name__ == "__main__":
    main()
