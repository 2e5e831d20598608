"""Sub-calls over HTTP, one request at a time vs `--max-concurrency N`, against a running server.

    # a server first, e.g. mlx_lm.server on the bundled 0.5B (docs/openai.md has the OpenBLAS line)
    python benches/bench_http_subcalls.py --base-url http://127.0.0.1:8080/v1 \
        --model ~/.cache/rlm/models/qwen2.5-coder-0.5b --prompts 8 --prompt-tokens 300 --gen-tokens 32

Prompts of one shape (bench_subcalls.make_prompts: log lines + a summarising question) go through
`OpenAIBackend.generate_batch` three times: with `max_concurrency` 1 (what sub-calls cost when
each waits for the one before), N, and 1 again; on a shared machine the mean of the two
sequential passes is what the concurrent pass is compared with. Each pass has prompts of its own
(a server's prompt cache would otherwise serve a later pass from an earlier one's prefill; the
passes' `prefill_tokens` show what the server did prefill). What is measured is the server's
batching as the client's concurrency lets it work (mlx_lm.server and vLLM batch concurrent
requests; a server that does not only queues them). Greedy decoding.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

from bench_subcalls import make_prompts  # type: ignore[import-not-found]

from rlm.backends.base import Sampling
from rlm.backends.openai import OpenAIBackend
from rlm.errors import BackendError


def one_pass(backend: OpenAIBackend, prompts: list[list[dict[str, str]]], sampling: Sampling) -> dict[str, Any]:
    started = time.perf_counter()
    out = backend.generate_batch(prompts, sampling)
    seconds = time.perf_counter() - started
    failed = [str(c) for c in out if isinstance(c, BackendError)]
    done = [c for c in out if not isinstance(c, BackendError)]
    return {"concurrency": backend.max_concurrency, "seconds": seconds, "failed": failed,
            "generation_tokens": sum(c.generation_tokens for c in done),
            "prompt_tokens": sum(c.prompt_tokens for c in done),
            "prefill_tokens": sum(c.prefill_tokens for c in done)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--model", required=True, help="the name the server serves (mlx_lm.server: its --model DIR)")
    ap.add_argument("--prompts", type=int, default=8)
    ap.add_argument("--prompt-tokens", type=int, default=300)
    ap.add_argument("--gen-tokens", type=int, default=32)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()
    model = os.path.expanduser(args.model)
    sampling = Sampling(args.gen_tokens)
    counter = OpenAIBackend(args.base_url, model)  # its tokenizer sizes the prompts
    every = make_prompts(counter, 3 * args.prompts, args.prompt_tokens)
    passes = []
    for n, width in enumerate((1, args.concurrency, 1)):
        backend = OpenAIBackend(args.base_url, model, max_concurrency=width)
        passes.append(one_pass(backend, every[n::3], sampling))
        p = passes[-1]
        print(f"max_concurrency {width:3d}: {p['seconds']:8.1f} s, {p['generation_tokens']} generated, "
              f"{p['prefill_tokens']} of {p['prompt_tokens']} prompt tokens prefilled, "
              f"{len(p['failed'])} failed", flush=True)
    sequential = (passes[0]["seconds"] + passes[2]["seconds"]) / 2
    result = {"prompts": args.prompts, "prompt_tokens": passes[1]["prompt_tokens"] // max(1, args.prompts),
              "gen_tokens": args.gen_tokens, "passes": passes,
              "speedup_vs_mean_sequential": sequential / passes[1]["seconds"],
              "loadavg_end": os.getloadavg()}
    print(json.dumps({k: v for k, v in result.items() if k != "passes"}, indent=1))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
