"""Batched vs sequential sub-calls on the MLX backend, in one process, same prompts, same model.

    python benches/bench_subcalls.py                  # 16 prompts x ~500 tokens, 64 generated each
    python benches/bench_subcalls.py --instruction-tokens 250   # a map: one ~250-token instruction + chunk
    python benches/bench_subcalls.py --prompts 8 --prompt-tokens 300 --gen-tokens 48 --json out.json

Sequential: one `MLXBackend.generate(..., conversation="sub")` per prompt, as the engine ran sub-calls
before batching. Batched: one `MLXBackend.generate_batch(...)` (mlx-lm's BatchGenerator), as
`llm_query_batched` now runs, which prefills the prompts' shared token prefix once; "batched,
unshared": the same with `share_prefix` off, every prompt prefilled in full (as before the sharing),
run between two shared passes whose mean is reported (`--no-unshared`: one shared pass only).
Greedy decoding, so every pass produces the same tokens (checked).

Prompts: log lines after a one-line question (they share only the chat template's system prompt
and that question), or with `--instruction-tokens N` after an instruction of about N tokens that
all of them share, as a map over chunks sends; `--prompt-tokens` is the total either way.

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


RULES = [
    "Name every worker that appears, in the order of their first line.",
    "Give each worker's number of orders and the sum of their totals in euros, to the cent.",
    "Say which order has the largest total and which the smallest, with their numbers.",
    "Mention any minute in which more than one order was processed.",
    "Do not invent lines: every number you give must come from the lines below.",
    "Write amounts with two decimals and the EUR suffix, as the lines do.",
    "If two workers tie on a count, list them in alphabetical order.",
    "Keep the paragraph under 120 words and use no bullet points.",
]


def make_instruction(backend: Any, tokens: int) -> str:
    """A summarising instruction of about `tokens` tokens: numbered rules (repeated when needed)."""
    text, i = QUESTION, 0
    while True:
        rule = f"Rule {i + 1}: {RULES[i % len(RULES)]}\n"
        if backend.count_tokens(text + rule + "\n") > tokens:
            return text + "\n"
        text, i = text + rule, i + 1


def make_prompts(backend: Any, count: int, prompt_tokens: int,
                 instruction_tokens: int = 0) -> list[list[dict[str, str]]]:
    """`count` different prompts of about `prompt_tokens` tokens each: a shared instruction (a
    question, or rules of about `instruction_tokens` tokens) followed by log lines of their own."""
    head = make_instruction(backend, instruction_tokens) if instruction_tokens else QUESTION
    prompts = []
    for p in range(count):
        lines: list[str] = []
        i = 0
        while True:
            line = (f"2025-01-{p + 1:02d} 12:{i % 60:02d}:{(i * 7) % 60:02d} INFO worker-{(i + p) % 5} "
                    f"processed order {1000 + p * 97 + i * 13} total {(i * 7919 + p) % 1000}.{i % 100:02d} EUR")
            text = head + "\n".join(lines + [line])
            if backend.count_tokens(text) > prompt_tokens:
                break
            lines.append(line)
            i += 1
        prompts.append([{"role": "user", "content": head + "\n".join(lines)}])
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
            max_batch: int, share_prefix: bool = True) -> dict[str, Any]:
    backend.share_prefix = share_prefix
    try:
        started = time.perf_counter()
        out = backend.generate_batch(prompts, sampling, max_batch=max_batch)
        seconds = time.perf_counter() - started
    finally:
        backend.share_prefix = True
    s = backend.last_stats
    return {"seconds": seconds, "generation_tokens": int(s["generation_tokens"]),
            "decode_seconds": float(s["decode_seconds"]),
            "decode_tps": int(s["generation_tokens"]) / float(s["decode_seconds"]),
            "prompt_tokens": int(s["prompt_tokens"]),
            "prompt_tps": int(s["prompt_tokens"]) / float(s["prompt_seconds"]),
            "prompt_seconds": float(s["prompt_seconds"]),
            "shared_prefix_tokens": int(s["shared_prefix_tokens"]),
            "prefill_tokens": sum(c.prefill_tokens for c in out),
            "concurrency": int(s["concurrency"]), "texts": [c.text for c in out]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="bundled model name or MLX dir (default model)")
    parser.add_argument("--prompts", type=int, default=16)
    parser.add_argument("--prompt-tokens", type=int, default=500)
    parser.add_argument("--instruction-tokens", type=int, default=0,
                        help="a shared instruction of about this many tokens before each prompt's lines")
    parser.add_argument("--no-unshared", action="store_true",
                        help="skip the batched pass that prefills every prompt in full")
    parser.add_argument("--gen-tokens", type=int, default=64)
    parser.add_argument("--max-batch", type=int, default=16)
    parser.add_argument("--sequential-runs", type=int, default=2,
                        help="sequential passes, half before and half after the batched one (their mean is compared)")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args(argv)

    from rlm.backends.loading import load_backend

    backend = load_backend(args.model)
    prompts = make_prompts(backend, args.prompts, args.prompt_tokens, args.instruction_tokens)
    sampling = Sampling(max_tokens=args.gen_tokens)
    backend.generate(prompts[0], Sampling(max_tokens=2), conversation="sub")  # warm-up
    load_before = os.getloadavg()[0]
    before = (args.sequential_runs + 1) // 2
    runs = [sequential(backend, prompts, sampling) for _ in range(before)]
    # With the unshared pass, the shared one runs before and after it (their mean is compared), so
    # a drifting load does not pass for the effect of sharing.
    shared_runs = [batched(backend, prompts, sampling, args.max_batch)]
    unshared = None if args.no_unshared else batched(backend, prompts, sampling, args.max_batch, False)
    if unshared is not None:
        shared_runs.append(batched(backend, prompts, sampling, args.max_batch))
    batch = {k: (sum(r[k] for r in shared_runs) / len(shared_runs) if isinstance(v, (int, float)) else v)
             for k, v in shared_runs[0].items()}
    for phase, tokens in (("decode", "generation_tokens"), ("prompt", "prompt_tokens")):
        batch[f"{phase}_tps"] = batch[tokens] / batch[f"{phase}_seconds"]
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

    def ratios(b: dict[str, Any]) -> dict[str, float]:
        """Batched against the sequential mean. The prompt phase compares seconds, not tokens/s:
        prefilling a shared part once runs fewer tokens for the same prompts."""
        return {"decode_ratio": round(b["decode_tps"] / seq["decode_tps"], 2),
                "whole_call_ratio": round(seq["seconds"] / b["seconds"], 2),
                "whole_call_ratio_vs_faster": round(min(r["seconds"] for r in runs) / b["seconds"], 2),
                "prompt_phase_ratio": round(seq["prompt_seconds"] / b["prompt_seconds"], 2)}

    result = {
        "prompts": args.prompts,
        "prompt_tokens_each": round(seq["prompt_tokens"] / args.prompts, 1),
        "generated_tokens_each": round(batch["generation_tokens"] / args.prompts, 1),
        "instruction_tokens": args.instruction_tokens,
        "sequential_runs": [row(r) for r in runs],
        "sequential_mean": row(seq),
        "batched_runs": [row(r) for r in shared_runs],
        "batched": row(batch),
        **ratios(batch),
        "batched_unshared": row(unshared) if unshared else None,
        "unshared": ratios(unshared) if unshared else None,
        "shared_vs_unshared": {
            "whole_call_ratio": round(unshared["seconds"] / batch["seconds"], 2),
            "prompt_phase_ratio": round(unshared["prompt_seconds"] / batch["prompt_seconds"], 2),
        } if unshared else None,
        "same_texts": all(b["texts"] == r["texts"] for r in runs for b in [*shared_runs, unshared] if b),
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
