"""The system prompt's KV cache, computed once per model and kept on disk across processes.

Every RLM run starts with the same ~570-token system prompt; on this CPU prefilling it costs about
5 s of a run that may take 10 s. Its KV cache depends only on the model and those tokens, so it is
saved under `$RLM_HOME/prompt-cache/` (14 MB for the 0.5B, 32 MB for the 1.5B) keyed by both, and
later runs load it instead of recomputing. Files are written to a temp name and renamed, so a
concurrent or interrupted run never reads half a file; any unreadable file is just recomputed.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from rlm import _openblas

_openblas.preload()  # must come before the first `import mlx` (see _openblas)

import mlx.core as mx  # noqa: E402
from mlx_lm.models.cache import load_prompt_cache, make_prompt_cache, save_prompt_cache  # noqa: E402

from rlm.models.registry import rlm_home  # noqa: E402

_PREFILL_STEP = 2048  # mlx-lm's own prefill chunk
# Files kept (most recently used first): one per model x system prompt; prompts change while tuning.
KEEP_FILES = 8


def model_identity(model_dir: Path) -> str:
    """A string that changes when the model in `model_dir` changes (path and file times).

    Example: `model_identity(Path("~/.cache/rlm/models/qwen2.5-coder-0.5b"))`.
    """
    resolved = model_dir.expanduser().resolve()
    stamps = [
        f"{name}:{(resolved / name).stat().st_mtime_ns}"
        for name in ("config.json", "rlm-install.json", "tokenizer.json")
        if (resolved / name).exists()
    ]
    return "|".join([str(resolved), *stamps])


def cache_path(identity: str, prefix: list[int]) -> Path:
    """Where the cache of `prefix` for model `identity` lives.

    Example: `cache_path("m", [1, 2]).parent` → `rlm_home() / "prompt-cache"`.
    """
    digest = hashlib.sha256(identity.encode())
    digest.update(",".join(map(str, prefix)).encode())
    return rlm_home() / "prompt-cache" / f"{digest.hexdigest()[:32]}.safetensors"


def prefill(model: Any, cache: list[Any], tokens: list[int]) -> None:
    """Run `tokens` through `model` into `cache`, in mlx-lm's chunk size.

    Example: `prefill(model, make_prompt_cache(model), ids[:keep])`.
    """
    for start in range(0, len(tokens), _PREFILL_STEP):
        model(mx.array(tokens[start : start + _PREFILL_STEP])[None], cache=cache)
        mx.eval([c.state for c in cache])


def load_or_build(model: Any, identity: str, prefix: list[int]) -> tuple[list[Any], int]:
    """A KV cache holding `prefix`, from disk when saved before; returns (cache, tokens computed).

    Example: `cache, computed = load_or_build(model, model_identity(dir), ids[:keep])`.
    """
    path = cache_path(identity, prefix)
    try:
        cache = load_prompt_cache(str(path))
        if cache and all(c.offset == len(prefix) for c in cache):
            os.utime(path)  # mark as recently used for _prune
            return cache, 0
    except Exception:  # missing, truncated or from another mlx-lm version: recompute
        pass
    cache = make_prompt_cache(model)
    prefill(model, cache, prefix)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.safetensors")
        save_prompt_cache(str(tmp), cache)
        os.replace(tmp, path)
        _prune(path.parent)
    except OSError:
        pass  # a read-only or full cache directory only costs the next run the prefill
    return cache, len(prefix)


def _prune(directory: Path) -> None:
    """Delete all but the KEEP_FILES most recently used cache files."""
    files = sorted(directory.glob("*.safetensors"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in files[KEEP_FILES:]:
        stale.unlink(missing_ok=True)
