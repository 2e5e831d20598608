"""Quantize a converted float32 model directory with mlx-lm (the right default on Apple silicon).

On Metal, quantized matmuls are fast and decoding is bound by memory bandwidth, so 8-bit weights
decode about twice as fast as bf16 and four times as fast as fp32. On Linux CPU, MLX's quantized
kernels are 20-25x slower at prefill than fp32 + OpenBLAS (docs/models.md), so `auto` keeps fp32 there.
"""

from __future__ import annotations

import contextlib
import platform
import shutil
import sys
from pathlib import Path

from rlm import _openblas

DTYPES = ("auto", "float32", "q8", "q4")
_BITS = {"q8": 8, "q4": 4}
GROUP_SIZE = 64
# Files the float32 conversion writes that quantization does not regenerate.
_CARRIED = ("tokenizer.json", "tokenizer_config.json", "generation_config.json")


def is_apple_silicon() -> bool:
    """True on macOS arm64, where MLX runs on Metal.

    Example: `is_apple_silicon()` → False on Linux x86_64.
    """
    return sys.platform == "darwin" and platform.machine() == "arm64"


def resolve_dtype(dtype: str | None) -> str:
    """The concrete weight format for a requested one: `auto`/None → q8 on Apple silicon, else float32.

    8-bit rather than mlx-lm's usual 4-bit because these models are small: 4-bit costs a 0.5B model
    noticeably more quality than it costs a 7B one, and the RLM loop depends on precise code.
    Example: `resolve_dtype("auto")` → `"float32"` on Linux.
    """
    if dtype in (None, "auto"):
        return "q8" if is_apple_silicon() else "float32"
    if dtype not in DTYPES:
        raise ValueError(f"unknown dtype {dtype!r}; choose one of {', '.join(DTYPES)}")
    return dtype


def quantize_dir(src: Path, dst: Path, dtype: str) -> None:
    """Write a quantized copy (`dtype` "q8" or "q4", group size 64) of MLX model `src` into `dst`.

    Unquantized parameters (norms, biases) and the quantization scales are bfloat16, as in the
    quantized models mlx-community publishes.
    Example: `quantize_dir(Path("fp32"), Path("q8"), "q8")`.
    """
    _openblas.preload()
    import mlx.core as mx
    from mlx_lm.utils import load_model, quantize_model, save_config, save_model

    model, config = load_model(src, lazy=True)
    model.set_dtype(mx.bfloat16)
    config["torch_dtype"] = "bfloat16"
    with contextlib.redirect_stdout(sys.stderr):  # mlx-lm prints "[INFO] ..."; stdout is for answers
        model, config = quantize_model(model, config, GROUP_SIZE, _BITS[dtype])
    dst.mkdir(parents=True, exist_ok=True)
    save_model(dst, model, donate_model=True)
    save_config(config, config_path=dst / "config.json")
    for name in _CARRIED:
        shutil.copy2(src / name, dst / name)
