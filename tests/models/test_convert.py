"""GGUF → MLX: the name map (fast) and the installed 0.5B against its own GGUF (real model)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rlm.backends.base import Sampling
from rlm.models.convert import hf_name


def test_layer_names_map_to_hugging_face_names() -> None:
    assert hf_name("blk.3.attn_q.bias") == "model.layers.3.self_attn.q_proj.bias"
    assert hf_name("blk.0.attn_output.weight") == "model.layers.0.self_attn.o_proj.weight"
    assert hf_name("blk.23.ffn_down.weight") == "model.layers.23.mlp.down_proj.weight"
    assert hf_name("blk.1.ffn_norm.weight") == "model.layers.1.post_attention_layernorm.weight"


def test_global_names_keep_a_separate_lm_head() -> None:
    assert hf_name("token_embd.weight") == "model.embed_tokens.weight"
    assert hf_name("output.weight") == "lm_head.weight"
    assert hf_name("output_norm.weight") == "model.norm.weight"


def test_unknown_tensor_names_are_refused() -> None:
    with pytest.raises(ValueError, match="rope_freqs"):
        hf_name("rope_freqs.weight")


@pytest.mark.real_model
def test_config_comes_from_the_gguf_metadata(small_model_dir: Path) -> None:
    config = json.loads((small_model_dir / "config.json").read_text())
    assert config["model_type"] == "qwen2"
    assert config["tie_word_embeddings"] is False  # the file has its own output.weight
    assert config["num_hidden_layers"] == 24 and config["hidden_size"] == 896
    assert config["vocab_size"] == 151936 and config["rms_norm_eps"] == 1e-6
    generation = json.loads((small_model_dir / "generation_config.json").read_text())
    assert generation["eos_token_id"] == [151645, 151643]


@pytest.mark.real_model
def test_converted_weights_equal_the_dequantized_gguf_tensors(small_model_dir: Path, small_gguf: Path) -> None:
    from gguf import GGUFReader
    from gguf.quants import dequantize
    from safetensors import safe_open

    reader = GGUFReader(small_gguf)
    index = json.loads((small_model_dir / "model.safetensors.index.json").read_text())["weight_map"]
    assert len(index) == len(reader.tensors) == 291
    for gguf_name in ("blk.0.attn_q.bias", "blk.5.attn_k.weight", "blk.23.ffn_down.weight", "output.weight"):
        tensor = next(t for t in reader.tensors if t.name == gguf_name)
        name = hf_name(gguf_name)
        with safe_open(str(small_model_dir / index[name]), framework="numpy") as f:
            converted = f.get_tensor(name)
        expected = dequantize(tensor.data, tensor.tensor_type)
        assert converted.dtype == np.float32
        assert converted.shape == tuple(int(d) for d in reversed(tensor.shape))
        assert np.array_equal(converted, expected.reshape(converted.shape))


@pytest.mark.real_model
def test_converted_model_loads_in_mlx_lm_and_answers(small_backend) -> None:  # type: ignore[no-untyped-def]
    completion = small_backend.generate(
        [{"role": "user", "content": "What is the capital of France? Answer in one word."}],
        Sampling(max_tokens=8),
        conversation="sub",
    )
    assert "Paris" in completion.text
    assert small_backend.context_window == 32768
