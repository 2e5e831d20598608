"""The fixed map-reduce program of `rlm chunk-bench --eval`, before and after its prompt change, in one run.

    python benches/bench_mapreduce_prompts.py --kinds needle,extract --eval-size 32K --seeds 2 \
        --strategy lines --size 8000 --json benches/data/mapreduce-prompts.json

One process, one model load: every task is answered over the same chunks by `FIRST_PROGRAM` (the
first prompts: NONE offered, replies kept whole) and by `PROGRAM` (the current one: no NONE, map
values grounded in their chunk, the reduce reads their lines), alternating which goes first from
task to task so a drift of the machine's load falls on both. Scored by the eval's own scorer, as
`rlm chunk-bench --eval` does (`rlm.chunk_eval.run_task`). Prints a Markdown table per program and
kind; `--json` keeps every run.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from rlm.backends.loading import load_backend
from rlm.chunk_eval import EvalRow, run_task
from rlm.chunk_mapreduce import FIRST_PROGRAM, PROGRAM
from rlm.eval.tasks import make_tasks, parse_size
from rlm.progress import Progress


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kinds", default="needle,extract")
    p.add_argument("--eval-size", default="32K")
    p.add_argument("--seeds", type=int, default=2)
    p.add_argument("--strategy", default="lines")
    p.add_argument("--size", type=int, default=8000, help="chunk size in characters")
    p.add_argument("--model", default=None)
    p.add_argument("--json", type=Path, default=None)
    args = p.parse_args()
    tasks = make_tasks(args.kinds.split(","), [parse_size(args.eval_size)], range(args.seeds))
    backend = load_backend(args.model, seed=0)
    programs = {"first": FIRST_PROGRAM, "current": PROGRAM}
    rows = {(name, kind): EvalRow(args.strategy, args.size, 0) for name in programs
            for kind in dict.fromkeys(t.kind for t in tasks)}
    load = [os.getloadavg()[0]]
    with Progress("map-reduce prompts", transient=True) as bar:
        for n, task in enumerate(tasks):
            order = list(programs) if n % 2 == 0 else list(programs)[::-1]
            for name in order:
                run = run_task(backend, task, args.strategy, args.size, 0, None, bar, programs[name])
                rows[name, task.kind].runs.append(run)
                load.append(os.getloadavg()[0])
                bar.log(f"{task.id} {name}: score {run.score:.2f}, {run.sub_calls} sub-calls, "
                        f"{run.tokens:,} tok, {run.seconds:.0f} s; answer {run.answer!r} "
                        f"(expected {', '.join(run.expected)}); load {load[-1]:.1f}")
    print(f"{args.strategy} chunks of {args.size:,} characters, {args.eval_size}, seeds 0-{args.seeds - 1}, "
          f"load average {min(load):.1f}-{max(load):.1f}")
    print("| program | kind | tasks | solved | mean score | sub-calls | tokens | seconds |")
    print("|---|---|---|---|---|---|---|---|")
    for (name, kind), row in rows.items():
        print(f"| {name} | {kind} | {len(row.runs)} | {row.solved} | {row.mean_score:.2f} "
              f"| {row.total('sub_calls'):.0f} | {row.total('tokens'):,.0f} | {row.total('seconds'):.0f} |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"args": vars(args) | {"json": str(args.json)}, "load": load,
                                         "rows": [{"program": name, "kind": kind, **row.to_dict()}
                                                  for (name, kind), row in rows.items()]}, indent=1))


if __name__ == "__main__":
    main()
