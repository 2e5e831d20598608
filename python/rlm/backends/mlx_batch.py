"""Batched sub-calls on mlx-lm's `BatchGenerator`, with as many sequences at once as memory allows.

Decoding a small model on a CPU (or a GPU) is bound by reading the weights once per step, so one
step for 16 sequences costs little more than one step for one. What grows with the batch is memory:
each sequence holds its KV cache, and prefill materialises attention scores and MLP activations for
a chunk of its prompt. `memory_cap` estimates those bytes per sequence from the model's shape and
keeps the batch within a share of the memory that is free now; the continuous batching of
`BatchGenerator` then starts a waiting prompt whenever a running one finishes.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import mlx.core as mx
from mlx_lm.generate import BatchGenerator

# Share of the free memory a batch may take: the rest stays for the REPL worker and the system.
MEMORY_SHARE = 0.5
PREFILL_STEP = 2048  # mlx-lm's prefill chunk: scores are (heads, chunk, prompt) per sequence
_BYTES = 4  # fp32 activations on CPU; an over-estimate for fp16/bf16 on Metal (a smaller batch only)


def free_memory_bytes() -> int | None:
    """Memory the process could still use now, or None when it cannot be read.

    Linux: `MemAvailable` from /proc/meminfo (page cache counts as free, as it is reclaimable).
    macOS: unified memory, so MLX's view: the device's memory minus what MLX holds now.

    >>> (free_memory_bytes() or 1) > 0
    True
    """
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/meminfo", encoding="ascii") as f:
                for line in f:
                    if line.startswith("MemAvailable:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            return None
        return None
    try:
        info: Any = mx.device_info()
        return max(0, int(info["memory_size"]) - int(mx.get_active_memory()))
    except Exception:  # noqa: BLE001 - an unknown platform: no cap beyond --max-batch
        return None


def sequence_bytes(args: Any, prompt_tokens: int, max_tokens: int) -> int:
    """Estimated peak bytes one sequence of a batch needs: its KV cache plus prefill activations.

    >>> from types import SimpleNamespace as A
    >>> qwen05 = A(num_hidden_layers=24, num_key_value_heads=2, num_attention_heads=14,
    ...            hidden_size=896, intermediate_size=4864, vocab_size=151936)
    >>> 50e6 < sequence_bytes(qwen05, 500, 64) < 120e6
    True
    """
    layers = int(getattr(args, "num_hidden_layers", 32))
    heads = int(getattr(args, "num_attention_heads", 32))
    hidden = int(getattr(args, "hidden_size", 4096))
    kv_heads = int(getattr(args, "num_key_value_heads", heads) or heads)
    head_dim = int(getattr(args, "head_dim", None) or hidden // heads)
    ffn = int(getattr(args, "intermediate_size", 4 * hidden))
    vocab = int(getattr(args, "vocab_size", 32000))
    kv = 2 * layers * kv_heads * head_dim * _BYTES * (prompt_tokens + max_tokens)
    chunk = min(prompt_tokens, PREFILL_STEP)
    scores = heads * chunk * prompt_tokens * _BYTES
    mlp = 3 * chunk * ffn * _BYTES
    hidden_states = 8 * chunk * hidden * _BYTES
    logits = 2 * vocab * _BYTES
    return kv + scores + mlp + hidden_states + logits


def memory_cap(args: Any, prompt_lengths: Sequence[int], max_tokens: int, free: int | None) -> int:
    """How many of these sequences may run at once in `MEMORY_SHARE` of `free` bytes (at least 1).

    >>> from types import SimpleNamespace as A
    >>> args = A(num_hidden_layers=24, num_key_value_heads=2, num_attention_heads=14,
    ...          hidden_size=896, intermediate_size=4864, vocab_size=151936)
    >>> memory_cap(args, [500] * 16, 64, 16 * 2**30), memory_cap(args, [30000], 64, 16 * 2**30)
    (16, 1)
    """
    if not prompt_lengths:
        return 1
    if free is None:
        return len(prompt_lengths)
    per_sequence = sequence_bytes(args, max(prompt_lengths), max_tokens)
    return max(1, min(len(prompt_lengths), int(free * MEMORY_SHARE) // per_sequence))


def prefill_batch_size(concurrency: int) -> int:
    """Prompts prefilled together: one at a time on a CPU, all of a batch on a GPU.

    On a CPU a padded batch prefilled slower than its prompts one by one (8 prompts x 526 tokens,
    0.5B: 20.7 prompt tok/s with 8 together, 33.6 with 4, 38.6 with 1; benches/README.md), and the
    prompts of a batch still decode together once prefilled. A GPU has the parallelism to spare.

    >>> prefill_batch_size(16) == (1 if mx.default_device().type == mx.cpu else 16)
    True
    """
    return 1 if mx.default_device().type == mx.cpu else concurrency


@dataclass
class BatchOutput:
    """What one sequence of a batch produced (its EOS, if it ended on one, not in `tokens`)."""

    text: str  # cut by the stop function, if it cut
    tokens: list[int]
    finish_reason: str  # "stop" (EOS or the stop function) or "length"
    ended_on_eos: bool = False


def run_batch(model: Any, tokenizer: Any, prompts: list[list[int]], limits: list[int],
              sampler: Any, concurrency: int,
              stop: Callable[[str], int | None] | None = None) -> tuple[list[BatchOutput], Any]:
    """Generate for every prompt, at most `concurrency` sequences at a time; outputs in order.

    `stop(text)` is asked after each new piece of a sequence's text, as `MLXBackend.generate` does;
    a cut ends that sequence alone. Returns the outputs and mlx-lm's `BatchStats` (prompt_time,
    decode_time, generation_tokens...).
    Example: `outputs, stats = run_batch(model, tok, [ids1, ids2], [64, 64], sampler, 16)`.
    """
    gen = BatchGenerator(
        model, stop_tokens=[[t] for t in tokenizer.eos_token_ids], sampler=sampler,
        completion_batch_size=concurrency, prefill_batch_size=prefill_batch_size(concurrency),
    )  # fmt: skip
    try:
        uids = gen.insert(prompts, limits)
        outs = {uid: BatchOutput("", [], "length") for uid in uids}
        detokenizers = {uid: tokenizer.detokenizer for uid in uids}  # one streaming state each
        with gen.stats() as stats:
            while responses := gen.next_generated():
                cut_uids = []
                for r in responses:
                    out = outs[r.uid]
                    if r.finish_reason == "stop":  # mlx-lm reports the EOS token itself as "stop"
                        out.finish_reason, out.ended_on_eos = "stop", True
                        continue
                    out.tokens.append(int(r.token))
                    detok = detokenizers[r.uid]
                    detok.add_token(int(r.token))
                    piece = detok.last_segment
                    if piece:
                        out.text += piece
                        cut = stop(out.text) if stop is not None else None
                        if cut is not None:
                            out.text, out.finish_reason = out.text[:cut], "stop"
                            if r.finish_reason is None:
                                cut_uids.append(r.uid)
                            continue
                    if r.finish_reason is not None:
                        detok.finalize()
                        out.text += detok.last_segment
                if cut_uids:
                    gen.remove(cut_uids)
    finally:
        gen.close()
    return [outs[uid] for uid in uids], stats
