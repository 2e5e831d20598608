"""The loop's own cost per iteration: replay model, trivial code, real REPL worker, trajectory on disk.

    python benches/bench_loop.py [--iterations 50] [--repeats 5] [--context-mb 1] [--output-chars 2]

Per iteration = (time of an N-turn run - time of a 1-turn run) / (N - 1), so the one-off costs
(worker start-up, context description) are left out; reported as the median over the repeats.
Alongside, the REPL round trip alone (`ReplSession.execute("x = 1")`) shows how much of it is the
process boundary. Target (issue 4): < 30 ms per iteration including the REPL round trip.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from rlm.backends.replay import ReplayBackend
from rlm.config import RLMConfig
from rlm import rlm_generate
from rlm.repl.session import ReplSession


def turns(n: int, output_chars: int) -> list[str]:
    # Different code each turn: a repeated turn would change the feedback, not the cost.
    body = [f"```python\nx{i} = {i} + 1\nprint(str(x{i}) * {max(1, output_chars // 3)})\n```"
            for i in range(n - 1)]
    return [*body, "```python\nFINAL('done')\n```"]


def timed_run(n: int, context: Path, trajectory: Path, output_chars: int) -> float:
    backend = ReplayBackend(turns(n, output_chars))
    start = time.perf_counter()
    r = rlm_generate(backend=backend, context=context, task="Trivial task",
                     config=RLMConfig(max_iterations=n + 1), output_trajectory=trajectory)
    elapsed = time.perf_counter() - start
    assert r.answer == "done" and r.iterations == n, (r.answer, r.iterations, r.error)
    return elapsed


def repl_round_trip(context: Path, calls: int) -> float:
    with ReplSession(context, llm_query=lambda prompt: "") as repl:
        repl.execute("x = 0")  # warm
        start = time.perf_counter()
        for i in range(calls):
            repl.execute(f"x = {i}")
        return (time.perf_counter() - start) / calls


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--iterations", type=int, default=50)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--context-mb", type=float, default=1.0)
    p.add_argument("--output-chars", type=int, default=2,
                   help="characters each turn prints (the trajectory grows with them)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        context = Path(tmp) / "context.txt"
        line = "The quick brown fox jumps over the lazy dog; order 7731 shipped by sea.\n"
        context.write_text(line * max(1, int(args.context_mb * 1e6 / len(line))), encoding="utf-8")
        trajectory = Path(tmp) / "trajectory.json"
        n = args.iterations
        per_iter, one_run = [], []
        for _ in range(args.repeats):
            t1 = timed_run(1, context, trajectory, args.output_chars)
            tn = timed_run(n, context, trajectory, args.output_chars)
            one_run.append(t1)
            per_iter.append((tn - t1) / (n - 1))
        repl = repl_round_trip(context, 200)
        size_mb = context.stat().st_size / 1e6
    print(f"context {size_mb:.1f} MB, {n} iterations, ~{args.output_chars} output characters "
          f"per turn, {args.repeats} repeats")
    print("| measure | median | min |")
    print("|---|---|---|")
    print(f"| loop, per iteration (replay + REPL + trajectory write) | "
          f"{statistics.median(per_iter) * 1e3:.1f} ms | {min(per_iter) * 1e3:.1f} ms |")
    print(f"| REPL round trip alone (`execute('x = i')`) | {repl * 1e3:.2f} ms | |")
    print(f"| one-turn run (worker start, context description, 1 turn) | "
          f"{statistics.median(one_run) * 1e3:.0f} ms | {min(one_run) * 1e3:.0f} ms |")


if __name__ == "__main__":
    main()
