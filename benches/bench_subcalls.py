"""Batched vs sequential sub-calls on the MLX backend, in one process, same prompts, same model.

    python benches/bench_subcalls.py                  # 16 prompts x ~500 tokens, 64 generated each
    python benches/bench_subcalls.py --prompts 8 --prompt-tokens 300 --gen-tokens 48 --json out.json

Sequential: one `MLXBackend.generate(..., conversation="sub")` per prompt, as the engine ran sub-calls
before batching. Batched: one `MLXBackend.generate_batch(...)` (mlx-lm's BatchGenerator), as
`llm_query_batched` now runs. Greedy decoding, so both produce the same tokens (checked).

Reported: the decode phase's aggregate tokens/s (generated tokens over the time spent in decode
steps; for the sequential run, mlx-lm's own per-call generation speed), the prompt phase's tokens/s,
and the whole calls' wall time; the ratios batched / sequential. The sequential passes
(`--sequential-runs`, default 2) are split around the batched one (sequential, batched,
sequential): on a shared machine whose load drifts, their mean is what the batched pass is
compared with, and their spread shows how much the load moved the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

from rlm.backends.base import Sampling

QUESTION = "Summarise these log lines in one detailed paragraph: which workers, which orders, which totals.\n\n"


def make_prompts(backend: Any, count: int, prompt_tokens: int) -> list[list[dict[str, str]]]:
    """`count` different prompts of about `prompt_tokens` tokens each (log lines + one question)."""
    prompts = []
    for p in range(count):
        lines: list[str] = []
        i = 0
        while True:
            line = (f"2025-01-{p + 1:02d} 12:{i % 60:02d}:{(i * 7) % 60:02d} INFO worker-{(i + p) % 5} "
                    f"processed order {1000 + p * 97 + i * 13} total {(i * 7919 + p) % 1000}.{i % 100:02d} EUR")
            text = QUESTION + "\n".join(lines + [line])
            if backend.count_tokens(text) > prompt_tokens:
                break
            lines.append(line)
            i += 1
        prompts.append([{"role": "user", "content": QUESTION + "\n".join(lines)}])
    return prompts


def sequential(backend: Any, prompts: list[list[dict[str, str]]], sampling: Sampling) -> dict[str, Any]:
    started = time.perf_counter()
    texts, gen, decode, prompt_tokens, prompt_seconds = [], 0, 0.0, 0, 0.0
    for conversation in prompts:
        c = backend.generate(conversation, sampling, conversation="sub")
        texts.append(c.text)
        s = backend.last_stats
        gen += int(s["generation_tokens"])
        decode += float(s["decode_seconds"])
        prompt_tokens += int(s["prompt_tokens"])
        prompt_seconds += float(s["prompt_seconds"])
    return {"seconds": time.perf_counter() - started, "generation_tokens": gen, "decode_seconds": decode,
            "decode_tps": gen / decode, "prompt_tokens": prompt_tokens,
            "prompt_tps": prompt_tokens / prompt_seconds, "texts": texts}


def batched(backend: Any, prompts: list[list[dict[str, str]]], sampling: Sampling,
            max_batch: int) -> dict[str, Any]:
    started = time.perf_counter()
    out = backend.generate_batch(prompts, sampling, max_batch=max_batch)
    seconds = time.perf_counter() - started
    s = backend.last_stats
    return {"seconds": seconds, "generation_tokens": int(s["generation_tokens"]),
            "decode_seconds": float(s["decode_seconds"]),
            "decode_tps": int(s["generation_tokens"]) / float(s["decode_seconds"]),
            "prompt_tokens": int(s["prompt_tokens"]),
            "prompt_tps": int(s["prompt_tokens"]) / float(s["prompt_seconds"]),
            "concurrency": int(s["concurrency"]), "texts": [c.text for c in out]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="bundled model name or MLX dir (default model)")
    parser.add_argument("--prompts", type=int, default=16)
    parser.add_argument("--prompt-tokens", type=int, default=500)
    parser.add_argument("--gen-tokens", type=int, default=64)
    parser.add_argument("--max-batch", type=int, default=16)
    parser.add_argument("--sequential-runs", type=int, default=2,
                        help="sequential passes, half before and half after the batched one (their mean is compared)")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args(argv)

    from rlm.backends.loading import load_backend

    backend = load_backend(args.model)
    prompts = make_prompts(backend, args.prompts, args.prompt_tokens)
    sampling = Sampling(max_tokens=args.gen_tokens)
    backend.generate(prompts[0], Sampling(max_tokens=2), conversation="sub")  # warm-up
    load_before = os.getloadavg()[0]
    before = (args.sequential_runs + 1) // 2
    runs = [sequential(backend, prompts, sampling) for _ in range(before)]
    batch = batched(backend, prompts, sampling, args.max_batch)
    runs += [sequential(backend, prompts, sampling) for _ in range(args.sequential_runs - before)]
    load_after = os.getloadavg()[0]
    # The mean of the passes around the batched one: a load that drifts during the run cancels.
    seq = {k: sum(r[k] for r in runs) / len(runs)
           for k in ("seconds", "generation_tokens", "decode_seconds", "prompt_tokens")}
    seq["prompt_seconds"] = sum(r["prompt_tokens"] / r["prompt_tps"] for r in runs) / len(runs)
    seq["decode_tps"] = seq["generation_tokens"] / seq["decode_seconds"]
    seq["prompt_tps"] = seq["prompt_tokens"] / seq["prompt_seconds"]

    def row(r: dict[str, Any]) -> dict[str, Any]:
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in r.items() if k != "texts"}

    result = {
        "prompts": args.prompts,
        "prompt_tokens_each": round(batch["prompt_tokens"] / args.prompts, 1),
        "generated_tokens_each": round(batch["generation_tokens"] / args.prompts, 1),
        "sequential_runs": [row(r) for r in runs],
        "sequential_mean": row(seq),
        "batched": row(batch),
        "decode_ratio": round(batch["decode_tps"] / seq["decode_tps"], 2),
        "whole_call_ratio": round(seq["seconds"] / batch["seconds"], 2),
        "prefill_ratio": round(batch["prompt_tps"] / seq["prompt_tps"], 2),
        "same_texts": all(batch["texts"] == r["texts"] for r in runs),
        "load_average": [round(load_before, 1), round(load_after, 1)],
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, indent=1))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
