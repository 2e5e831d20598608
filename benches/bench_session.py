"""Questions over one context: a `Session` against a fresh process per question, same run.

    python benches/bench_session.py [--questions 4] [--context-kb 64] [--model NAME]

For each question, a fresh `python` process imports rlm, loads the model, opens the context and
answers (what `rlm -t Q -f FILE` does); then one `Session` in this process answers the same
questions in order. Time to first token (TTFT) is measured from the moment the work is asked for
(the fresh process's spawn; `Session.ask`) to the first streamed token of the first turn; total to
the answer. Target (issue 18): a later question's TTFT <= 10 % of a fresh process's.
A second table splits each TTFT at the run's first events (start, the first turn, the first
token), so what is left of a later question's TTFT can be seen to be its prefill.
The fresh processes go first, so both sides find the system prompt's KV cache on disk.
Then a second session answers the same questions calling `Session.prepare()` before each later
one (what `rlm chat` does on a terminal while the next question is typed: the prefill of what
that question's first message is known to start with), its time shown apart from the TTFT.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Each question's needle, far from the preview the model sees; the rest is filler log lines.
NEEDLES = [
    ("The secret code for the vault is 7301.", "What is the secret code for the vault?"),
    ("The database password rotation happened on 2025-03-18.", "When did the database password rotation happen?"),
    ("The on-call engineer for the Carina cluster is Ada Byron.", "Who is the on-call engineer for the Carina cluster?"),
    ("The backup job for the Lyra service runs at 02:40 UTC.", "At what time does the Lyra backup job run?"),
    ("The build of release 4.2 failed with error E1177.", "Which error did the build of release 4.2 fail with?"),
]
CONFIG = {"max_iterations": 4, "max_tokens_per_turn": 256}


def build_context(path: Path, size_kb: int) -> None:
    line = "2025-11-03T14:{m:02d}:07Z INFO  [worker-{w}] processed batch {i} in {ms} ms\n"
    lines, total, i = [], 0, 0
    while total < size_kb * 1024:
        text = line.format(m=i % 60, w=i % 7, i=i, ms=i * 37 % 900)
        lines.append(text)
        total += len(text)
        i += 1
    for k, (needle, _) in enumerate(NEEDLES):
        lines.insert((k + 1) * len(lines) // (len(NEEDLES) + 1), needle + "\n")
    path.write_text("".join(lines), encoding="utf-8")


def timed_ask(ask: Any, started: float) -> dict[str, Any]:
    """Run `ask(on_event)`; TTFT and total in seconds from `started` (a `time.time()`), and the
    TTFT split at the run's first events: until "start" (imports, model load, context open and
    description, search hits, first message), "start" to the first "turn" (the REPL started or
    told the question), then to the first token (the prefill of what the KV cache lacks, one
    decode step)."""
    seen: dict[str, float] = {}

    def on_event(event: Any) -> None:
        seen.setdefault(event.kind, time.time())

    response = ask(on_event)
    done = time.time()
    turn = response.trajectory["iterations"][0]
    first = seen.get("text", done)
    start, repl = seen.get("start", first), seen.get("turn", first)
    return {"ttft": first - started, "total": done - started,
            "split": (start - started, repl - start, first - repl),
            "answer": response.answer, "iterations": response.iterations,
            "prefill": turn["prefill_tokens"], "prompt": turn["prompt_tokens"]}


def child(model: str | None, context: str, question: str, started: float) -> None:
    """The fresh process: everything from imports on, as `rlm -t QUESTION -f CONTEXT` does it."""
    from rlm import RLMConfig, rlm_generate

    result = timed_ask(lambda on_event: rlm_generate(
        model, context=Path(context), task=question,
        config=RLMConfig(**CONFIG, on_event=on_event)), started)
    print(json.dumps(result))


def fresh(model: str | None, context: Path, question: str) -> dict[str, Any]:
    started = time.time()
    done = subprocess.run(
        [sys.executable, __file__, "--child", question, "--context", str(context),
         *(["--model", model] if model else []), "--started", repr(started)],
        capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def in_session(model: str | None, context: Path, questions: list[str],
               prepare: bool = False) -> tuple[float, list[dict[str, Any]]]:
    """One session answering `questions` in order; with `prepare`, `Session.prepare()` runs
    between them (what `rlm chat` does on a terminal while the next question is typed), timed on
    its own and not counted in the next question's TTFT."""
    from rlm import RLMConfig, Session

    holder: dict[str, Any] = {}
    config = RLMConfig(**CONFIG, on_event=lambda e: holder["listener"](e))
    started = time.time()
    results = []
    with Session(model, context=context, config=config) as s:
        opened = time.time() - started
        for question in questions:
            def ask(on_event: Any, q: str = question) -> Any:
                holder["listener"] = on_event
                return s.ask(q)

            if prepare and results:
                before = time.time()
                tokens = s.prepare()
                prepared = (time.time() - before, tokens)
            results.append(timed_ask(ask, time.time()))
            if prepare and len(results) > 1:
                results[-1]["prepared"] = prepared
    return opened, results


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--questions", type=int, default=4, choices=range(2, len(NEEDLES) + 1))
    p.add_argument("--context-kb", type=int, default=64)
    p.add_argument("--model", default=None, help="bundled name or MLX directory (default model)")
    p.add_argument("--child", metavar="QUESTION", help=argparse.SUPPRESS)
    p.add_argument("--context", help=argparse.SUPPRESS)
    p.add_argument("--started", type=float, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child is not None:
        child(args.model, args.context, args.child, args.started)
        return
    questions = [q for _, q in NEEDLES[: args.questions]]
    with tempfile.TemporaryDirectory() as tmp:
        context = Path(tmp) / "log.txt"
        build_context(context, args.context_kb)
        fresh_runs = [fresh(args.model, context, q) for q in questions]
        opened, session_runs = in_session(args.model, context, questions)
        _, prepared_runs = in_session(args.model, context, questions, prepare=True)
    print(f"context {args.context_kb} KB, {len(questions)} questions, config {CONFIG}; "
          f"session start (model load, context open): {opened:.2f} s")
    print("| question | fresh process: TTFT / total | session: TTFT / total | TTFT session/fresh "
          "| first turn prefilled / prompt tokens (fresh; session) | answers (fresh / session) |")
    print("|---|---|---|---|---|---|")
    for i, (f, s) in enumerate(zip(fresh_runs, session_runs), 1):
        print(f"| {i} | {f['ttft']:.2f} s / {f['total']:.2f} s | {s['ttft']:.2f} s / {s['total']:.2f} s "
              f"| {s['ttft'] / f['ttft']:.1%} | {f['prefill']} / {f['prompt']}; {s['prefill']} / {s['prompt']} "
              f"| {f['answer']!r} / {s['answer']!r} |")
    later = [s["ttft"] / f["ttft"] for f, s in zip(fresh_runs[1:], session_runs[1:])]
    print(f"later questions: TTFT {statistics.median(later):.1%} of a fresh process's (median; "
          f"max {max(later):.1%}); target <= 10%")
    print("\nA session calling prepare() before each later question (rlm chat on a terminal):")
    print("| question | prepare(): seconds, tokens | session: TTFT / total | TTFT / fresh TTFT "
          "| first turn prefilled / prompt tokens | answer |")
    print("|---|---|---|---|---|---|")
    for i, (f, s) in enumerate(zip(fresh_runs, prepared_runs), 1):
        took, tokens = s.get("prepared", (0.0, 0))
        print(f"| {i} | {took:.2f} s, {tokens} | {s['ttft']:.2f} s / {s['total']:.2f} s "
              f"| {s['ttft'] / f['ttft']:.1%} | {s['prefill']} / {s['prompt']} | {s['answer']!r} |")
    later = [s["ttft"] / f["ttft"] for f, s in zip(fresh_runs[1:], prepared_runs[1:])]
    print(f"later questions after prepare(): TTFT {statistics.median(later):.1%} of a fresh "
          f"process's (median; max {max(later):.1%}); target <= 10%")
    print("\nTTFT split (s): until the run starts (process, model, context, hits, first message) "
          "/ REPL ready for the question / prefill + first token")
    print("| question | fresh process | session |")
    print("|---|---|---|")
    for i, (f, s) in enumerate(zip(fresh_runs, session_runs), 1):
        print(f"| {i} | {' / '.join(f'{t:.2f}' for t in f['split'])} "
              f"| {' / '.join(f'{t:.2f}' for t in s['split'])} |")


if __name__ == "__main__":
    main()
