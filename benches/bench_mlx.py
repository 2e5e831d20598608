"""MLX backend benchmark: KV-cache reuse over a replayed RLM conversation, and OpenBLAS vs none.

    python benches/bench_mlx.py                       # both parts, default model (~5 min on 2 cores)
    python benches/bench_mlx.py --part reuse --iterations 10
    python benches/bench_mlx.py --part speed --model qwen2.5-coder-1.5b

reuse: a 10-iteration conversation (system prompt, task, then canned REPL outputs as user turns;
       the assistant turns are the model's own greedy replies, stopped at the closing fence) is run
       twice: once with the root cache reused, once re-prefilling the whole prompt every turn as the
       original PoC did. Reported: total tokens prefilled by each, against the final conversation
       length (target: reuse ≤ 1.2x), wall time, and whether both runs produced the same replies.
speed: prompt and generation tokens/s for a ~500-token prompt, in two fresh processes, with and
       without Debian's OpenBLAS (`RLM_NO_OPENBLAS=1`), since it must be loaded before MLX.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Any

from rlm.backends.base import Sampling

SYSTEM = """You are a careful assistant working in a Python REPL. A very long text is loaded in the
variable `context` (a str-like object: len, slicing, find, splitlines). You cannot read all of it:
look at it through code. Each of your turns is exactly one ```python code block; you then see what
it printed. Helpers:
- grep(pattern, before=0, after=0) -> list of (line_number, line) for a regex over context
- chunks(size) -> list of (start, end) character spans covering context
- count_tokens(text) -> int
- llm_query(prompt) -> str: ask a helper model about a piece of text (keep pieces under 8000 chars)
- FINAL(answer): finish with the answer.
Rules: print what you need to see, keep outputs short, never invent output, and call FINAL as
soon as the printed output contains the answer.

Example.
Task: what port does the server use?
```python
hits = grep(r"port")
print(len(hits))
for n, line in hits[:5]:
    print(n, line)
```
Output:
3
12 server.port = 8080
40 # the port can be overridden
77 client.port = server.port
```python
FINAL("8080")
```

Example.
Task: how many ERROR lines are there?
```python
print(len(grep(r"ERROR")))
```
Output:
17
```python
FINAL(17)
```
"""

TASK = "Task: find the access code hidden in the logs. The context has 1,048,576 characters."

# Canned REPL outputs fed back as user turns (what the engine would send after each code block).
OUTPUTS = [
    "Output:\n0",
    "Output:\n1048576",
    "Output:\n2025-01-03 12:00:01 INFO service started\n2025-01-03 12:00:02 INFO listening",
    "Output:\n4",
    "Output:\n120 2025-01-03 12:04:11 WARN retrying upstream\n121 2025-01-03 12:04:12 WARN retry 2",
    "Output:\n(no output)",
    "Output:\n[]",
    "Output:\n88231 2025-01-03 19:22:10 INFO the access code is 7319-ALPHA",
    "Output:\n7319-ALPHA",
    "Output:\nThe same code ran twice; call FINAL with what you found.",
]
FENCE = "```python\n"


def _stop(text: str) -> int | None:
    end = text.find("```")
    return None if end < 0 else end + 3


def bench_reuse(base: Any, iterations: int, max_tokens: int) -> dict[str, Any]:
    """Run the replayed conversation with and without cache reuse; return the totals.

    Both runs start cold (no system-prompt cache from disk), so they differ only in reuse.
    """
    from rlm.backends.mlx import MLXBackend

    def cold() -> Any:
        return MLXBackend(base.model, base.tokenizer)

    results: dict[str, Any] = {}
    for mode in ("reuse", "re-prefill"):
        backend = cold()
        messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": TASK}]
        prefilled, prompts, replies, started = [], [], [], time.perf_counter()
        for i in range(iterations):
            runner = backend if mode == "reuse" else cold()
            c = runner.generate(messages, Sampling(max_tokens=max_tokens), stop=_stop, assistant_prefix=FENCE)
            prefilled.append(c.prefill_tokens)
            prompts.append(c.prompt_tokens)
            replies.append(c.text)
            messages.append({"role": "assistant", "content": FENCE + c.text})
            messages.append({"role": "user", "content": OUTPUTS[i % len(OUTPUTS)]})
        final_length = len(backend.prompt_ids(messages))
        results[mode] = {
            "prefilled_per_turn": prefilled,
            "prefilled_total": sum(prefilled),
            "sum_of_prompts": sum(prompts),
            "final_conversation_tokens": final_length,
            "ratio_to_final": round(sum(prefilled) / final_length, 3),
            "seconds": round(time.perf_counter() - started, 1),
            "replies": replies,
        }
    results["same_replies"] = results["reuse"]["replies"] == results["re-prefill"]["replies"]
    return results


def bench_first_turn(base: Any) -> dict[str, Any]:
    """First turn of a run: system prompt computed (first process) vs loaded from the disk cache."""
    import tempfile

    from rlm.backends.mlx import MLXBackend

    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": TASK}]
    out: dict[str, Any] = {}
    old_home = os.environ.get("RLM_HOME")
    with tempfile.TemporaryDirectory() as home:
        os.environ["RLM_HOME"] = home  # a fresh prompt-cache directory; models are not read from it
        try:
            for label in ("computed", "loaded"):
                backend = MLXBackend(base.model, base.tokenizer, model_dir=base.model_dir)
                started = time.perf_counter()
                c = backend.generate(messages, Sampling(max_tokens=1), assistant_prefix=FENCE)
                seconds = round(time.perf_counter() - started, 2)
                out[label] = {"prefill_tokens": c.prefill_tokens, "seconds": seconds}
        finally:
            if old_home is None:
                os.environ.pop("RLM_HOME", None)
            else:
                os.environ["RLM_HOME"] = old_home
    return out


def bench_speed(model_name: str | None, prompt_tokens: int, gen_tokens: int) -> dict[str, Any]:
    """Prompt and generation tokens/s of one greedy generation (in this process)."""
    from rlm import _openblas
    from rlm.backends.loading import load_backend

    backend = load_backend(model_name)
    import mlx.core as mx
    from mlx_lm import stream_generate

    filler = " ".join(f"line {i}: value={i * 7919 % 1000}" for i in range(prompt_tokens))
    ids = backend.tokenizer.encode(filler, add_special_tokens=False)[:prompt_tokens]
    last = None
    for last in stream_generate(backend.model, backend.tokenizer, mx.array(ids), max_tokens=gen_tokens):
        pass
    assert last is not None
    return {
        "openblas": _openblas.status(),
        "prompt_tokens": len(ids),
        "prompt_tps": round(last.prompt_tps, 1),
        "generation_tokens": last.generation_tokens,
        "generation_tps": round(last.generation_tps, 2),
        "peak_memory_gb": round(last.peak_memory, 2),
    }


def _speed_in_child(args: argparse.Namespace, openblas: bool) -> dict[str, Any]:
    env = dict(os.environ)
    env.pop("RLM_NO_OPENBLAS", None)
    if not openblas:
        env["RLM_NO_OPENBLAS"] = "1"
    cmd = [sys.executable, __file__, "--speed-child", "--prompt-tokens", str(args.prompt_tokens),
           "--gen-tokens", str(args.gen_tokens)] + (["--model", args.model] if args.model else [])  # fmt: skip
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="bundled model name or MLX dir (default model)")
    parser.add_argument("--part", choices=("reuse", "speed", "all"), default="all")
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--max-tokens", type=int, default=48, help="per assistant turn")
    parser.add_argument("--prompt-tokens", type=int, default=512)
    parser.add_argument("--gen-tokens", type=int, default=32)
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--speed-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.speed_child:
        print(json.dumps(bench_speed(args.model, args.prompt_tokens, args.gen_tokens)))
        return 0

    results: dict[str, Any] = {}
    if args.part in ("reuse", "all"):
        from rlm.backends.loading import load_backend

        base = load_backend(args.model)
        reuse = bench_reuse(base, args.iterations, args.max_tokens)
        results["reuse"] = reuse
        print("| run | prefilled tokens | final conversation | ratio | seconds |")
        print("|---|---|---|---|---|")
        for mode in ("reuse", "re-prefill"):
            r = reuse[mode]
            print(f"| {mode} | {r['prefilled_total']:,} | {r['final_conversation_tokens']:,} "
                  f"| {r['ratio_to_final']} | {r['seconds']} |")  # fmt: skip
        print(f"per-turn prefill with reuse: {reuse['reuse']['prefilled_per_turn']}")
        print(f"replies identical in both runs: {reuse['same_replies']}")
        if base.model_dir is not None:
            first = bench_first_turn(base)
            results["first_turn"] = first
            print("| first turn, system prompt | prefilled tokens | seconds |")
            print("|---|---|---|")
            for label, row in first.items():
                print(f"| {label} | {row['prefill_tokens']} | {row['seconds']} |")
    if args.part in ("speed", "all"):
        speed = {"with": _speed_in_child(args, True), "without": _speed_in_child(args, False)}
        results["speed"] = speed
        print("| BLAS | prompt tok/s | generated tok/s | peak GB |")
        print("|---|---|---|---|")
        for key in ("with", "without"):
            s = speed[key]
            label = "Debian OpenBLAS" if key == "with" else "wheel's reference BLAS"
            print(f"| {label} | {s['prompt_tps']} | {s['generation_tps']} | {s['peak_memory_gb']} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
