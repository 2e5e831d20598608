"""The quantized install path (the Apple-silicon default) produces a model mlx-lm loads and runs.

Run here on Linux CPU, where quantized kernels are slow but correct: a short prompt only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlm.models.quantize import resolve_dtype


def test_auto_is_float32_off_apple_silicon(monkeypatch: pytest.MonkeyPatch) -> None:
    from rlm.models import quantize

    monkeypatch.setattr(quantize, "is_apple_silicon", lambda: False)
    assert resolve_dtype("auto") == resolve_dtype(None) == "float32"
    monkeypatch.setattr(quantize, "is_apple_silicon", lambda: True)
    assert resolve_dtype("auto") == "q8"
    assert resolve_dtype("q4") == "q4"


def test_unknown_dtype_is_refused() -> None:
    with pytest.raises(ValueError, match="bfloat16"):
        resolve_dtype("bfloat16")


@pytest.mark.real_model
def test_q8_copy_loads_and_its_weights_match_float32(small_model_dir: Path, tmp_path: Path) -> None:
    # Weights are compared rather than generated from: MLX's quantized CPU kernels take minutes
    # for even a short prompt on 2 cores (docs/models.md), and the generation path is the same code.
    import mlx.core as mx
    import numpy as np
    from safetensors import safe_open

    from rlm.backends.loading import load_backend
    from rlm.models.quantize import quantize_dir

    out = tmp_path / "q8"
    quantize_dir(small_model_dir, out, "q8")
    config = json.loads((out / "config.json").read_text())
    assert config["quantization"]["bits"] == 8 and config["quantization"]["group_size"] == 64
    layer = load_backend(str(out)).model.model.layers[3].mlp.down_proj
    restored = mx.dequantize(layer.weight, layer.scales, layer.biases, group_size=64, bits=8)
    name = "model.layers.3.mlp.down_proj.weight"
    index = json.loads((small_model_dir / "model.safetensors.index.json").read_text())["weight_map"]
    with safe_open(str(small_model_dir / index[name]), framework="numpy") as f:
        original = f.get_tensor(name)
    error = np.abs(np.array(restored.astype(mx.float32)) - original).max()
    assert 0 < error < 0.02 * np.abs(original).max()
