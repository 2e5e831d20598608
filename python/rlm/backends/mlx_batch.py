"""Batched sub-calls on mlx-lm's `BatchGenerator`, with as many sequences at once as memory allows.

Decoding a small model on a CPU (or a GPU) is bound by reading the weights once per step, so one
step for 16 sequences costs little more than one step for one. What grows with the batch is memory:
each sequence holds its KV cache, and prefill materialises attention scores and MLP activations for
a chunk of its prompt. `memory_cap` estimates those bytes per sequence from the model's shape and
keeps the batch within a share of the memory that is free now; the continuous batching of
`BatchGenerator` then starts a waiting prompt whenever a running one finishes.

The prompts of a map over chunks share their start (the chat template's system prompt, then the
instruction) and differ in the chunk. `run_batch` prefills that common token prefix once and hands
every sequence its own cache of it, so each prompt prefills only its own suffix.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import time

import mlx.core as mx
from mlx_lm.generate import BatchGenerator
from mlx_lm.models.cache import KVCache, make_prompt_cache

from rlm.backends.root_cache import common_prefix

# Share of the free memory a batch may take: the rest stays for the REPL worker and the system.
MEMORY_SHARE = 0.5
PREFILL_STEP = 2048  # mlx-lm's prefill chunk: scores are (heads, chunk, prompt) per sequence
# A shorter shared start is not worth the extra model call (the template's own system prompt alone
# is ~20 tokens for Qwen, so any instruction of a sentence passes).
MIN_SHARED_PREFIX = 16
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


def shared_prefix_length(prompts: Sequence[Sequence[int]]) -> int:
    """Tokens every prompt starts with, leaving each at least its last token of its own (a
    sequence must bring one token to start decoding from); 0 for fewer than two prompts.

    >>> shared_prefix_length([[1, 2, 3, 4], [1, 2, 3, 9]]), shared_prefix_length([[1, 2], [1, 2]])
    (3, 1)
    """
    if len(prompts) < 2:
        return 0
    first = prompts[0]
    n = min(len(p) for p in prompts) - 1
    for other in prompts[1:]:
        n = common_prefix(first[:n], other)
    return max(0, n)


def prefill_prefix(model: Any, tokens: list[int], step: int = PREFILL_STEP) -> list[Any] | None:
    """A KV cache (one per layer, a plain `KVCache` each) holding `tokens`, or None when the model's
    cache is of another kind (rotating, recurrent), which this sharing does not cover.

    The prefix runs through a batch-of-one `BatchKVCache`, as `BatchGenerator` prefills, so a
    sequence started from it attends over the very keys its own prefill would have made.
    Example: `cache = prefill_prefix(model, ids[:shared])`.
    """
    base = make_prompt_cache(model)
    if not all(type(c) is KVCache for c in base):
        return None
    batch = [c.merge([c]) for c in base]
    for start in range(0, len(tokens), step):
        model(mx.array(tokens[start : start + step])[None], cache=batch)
        mx.eval([c.state for c in batch])
    return [c.extract(0) for c in batch]


def _share(cache: list[Any]) -> list[Any]:
    """A new cache object per layer over the same arrays: `BatchGenerator` merges each sequence's
    cache into a batch cache of its own arrays (a copy), so the originals are only read."""
    copies = []
    for c in cache:
        view = KVCache()
        view.keys, view.values, view.offset = c.keys, c.values, c.offset
        copies.append(view)
    return copies


@dataclass
class BatchOutput:
    """What one sequence of a batch produced (its EOS, if it ended on one, not in `tokens`)."""

    text: str  # cut by the stop function, if it cut
    tokens: list[int]
    finish_reason: str  # "stop" (EOS or the stop function) or "length"
    ended_on_eos: bool = False


def run_batch(model: Any, tokenizer: Any, prompts: list[list[int]], limits: list[int],
              sampler: Any, concurrency: int, stop: Callable[[str], int | None] | None = None,
              share_prefix: bool = True) -> tuple[list[BatchOutput], Any, int]:
    """Generate for every prompt, at most `concurrency` sequences at a time; outputs in order.

    `stop(text)` is asked after each new piece of a sequence's text, as `MLXBackend.generate` does;
    a cut ends that sequence alone. With `share_prefix`, the prompts' common start (at least
    `MIN_SHARED_PREFIX` tokens) is prefilled once and each sequence prefills only the rest.
    Returns the outputs, mlx-lm's `BatchStats` (prompt_tokens / prompt_time include the shared
    prefill) and how many tokens were shared (0: none).
    Example: `outputs, stats, shared = run_batch(model, tok, [ids1, ids2], [64, 64], sampler, 16)`.
    """
    started = time.perf_counter()
    shared = shared_prefix_length(prompts) if share_prefix else 0
    caches = prefill_prefix(model, prompts[0][:shared]) if shared >= MIN_SHARED_PREFIX else None
    if caches is None:
        shared = 0
    else:
        prompts = [p[shared:] for p in prompts]
    prefix_seconds = time.perf_counter() - started
    gen = BatchGenerator(
        model, stop_tokens=[[t] for t in tokenizer.eos_token_ids], sampler=sampler,
        completion_batch_size=concurrency, prefill_batch_size=prefill_batch_size(concurrency),
    )  # fmt: skip
    try:
        per_sequence = None if caches is None else [_share(caches) for _ in prompts]
        uids = gen.insert(prompts, limits, caches=per_sequence)
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
    stats.prompt_tokens += shared
    stats.prompt_time += prefix_seconds
    stats.wall_time += prefix_seconds
    return [outs[uid] for uid in uids], stats, shared
