"""Convert a Qwen2 GGUF file into an MLX model directory that `mlx_lm.load` opens, without torch.

Tensors are dequantized one at a time with `gguf`'s numpy dequantizers (already in Hugging Face's
(out, in) layout) and written to safetensors shards of about 1 GB, so peak memory stays near one
shard plus the largest tensor instead of the whole model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from gguf import GGUFReader, ReaderTensor
from gguf.quants import dequantize
from safetensors.numpy import save_file

from rlm.models.tokenizer import write_tokenizer_files
from rlm.progress import Progress as Bar

Progress = Callable[[str], None]

SHARD_BYTES = 1 << 30

_GLOBAL_NAMES = {
    "token_embd.weight": "model.embed_tokens.weight",
    "output_norm.weight": "model.norm.weight",
    "output.weight": "lm_head.weight",
}
# Per-layer names. Qwen2's q/k are stored unpermuted (llama.cpp permutes only llama's).
_LAYER_NAMES = {
    "attn_q": "self_attn.q_proj",
    "attn_k": "self_attn.k_proj",
    "attn_v": "self_attn.v_proj",
    "attn_output": "self_attn.o_proj",
    "ffn_gate": "mlp.gate_proj",
    "ffn_up": "mlp.up_proj",
    "ffn_down": "mlp.down_proj",
    "attn_norm": "input_layernorm",
    "ffn_norm": "post_attention_layernorm",
}
_LAYER_RE = re.compile(r"blk\.(\d+)\.(\w+)\.(weight|bias)")


def hf_name(gguf_name: str) -> str:
    """The Hugging Face / mlx-lm parameter name of a GGUF tensor of a qwen2 model.

    Example: `hf_name("blk.3.attn_q.bias")` → `"model.layers.3.self_attn.q_proj.bias"`.
    """
    if gguf_name in _GLOBAL_NAMES:
        return _GLOBAL_NAMES[gguf_name]
    match = _LAYER_RE.fullmatch(gguf_name)
    if match is None or match.group(2) not in _LAYER_NAMES:
        raise ValueError(f"unexpected tensor {gguf_name!r} in a qwen2 GGUF file")
    layer, part, kind = match.groups()
    return f"model.layers.{layer}.{_LAYER_NAMES[part]}.{kind}"


def _field(reader: GGUFReader, key: str) -> Any:
    field = reader.fields.get(key)
    if field is None:
        raise ValueError(f"the GGUF file has no {key!r}")
    return field.contents()


def model_config(reader: GGUFReader) -> dict[str, Any]:
    """config.json (Qwen2ForCausalLM) from the GGUF metadata.

    Example: `model_config(reader)["num_hidden_layers"]` → `24` for the 0.5B.
    """
    arch = _field(reader, "general.architecture")
    if arch != "qwen2":
        raise ValueError(f"unsupported GGUF architecture {arch!r}: only qwen2 is")
    embed = next(t for t in reader.tensors if t.name == "token_embd.weight")
    context = int(_field(reader, "qwen2.context_length"))
    return {
        "architectures": ["Qwen2ForCausalLM"],
        "model_type": "qwen2",
        "hidden_act": "silu",
        "hidden_size": int(_field(reader, "qwen2.embedding_length")),
        "intermediate_size": int(_field(reader, "qwen2.feed_forward_length")),
        "num_hidden_layers": int(_field(reader, "qwen2.block_count")),
        "num_attention_heads": int(_field(reader, "qwen2.attention.head_count")),
        "num_key_value_heads": int(_field(reader, "qwen2.attention.head_count_kv")),
        # Stored as f32 (9.99999997e-07); round back to the decimal value the model was trained with.
        "rms_norm_eps": float(f"{_field(reader, 'qwen2.attention.layer_norm_rms_epsilon'):.6g}"),
        "rope_theta": float(_field(reader, "qwen2.rope.freq_base")),
        "max_position_embeddings": context,
        "sliding_window": context,
        "use_sliding_window": False,
        # The embedding has more rows (151,936) than the tokenizer has tokens: the row count is right.
        "vocab_size": int(embed.shape[1]),
        # The file carries a separate output.weight; mlx-lm's qwen2 defaults to tied embeddings
        # and would then drop lm_head, so say so explicitly.
        "tie_word_embeddings": False,
        "bos_token_id": int(_field(reader, "tokenizer.ggml.bos_token_id")),
        "eos_token_id": int(_field(reader, "tokenizer.ggml.eos_token_id")),
        "torch_dtype": "float32",
    }


def generation_config(reader: GGUFReader) -> dict[str, Any]:
    """generation_config.json: stop on both `<|im_end|>` and `<|endoftext|>`, as Qwen ships it.

    Example: `generation_config(reader)["eos_token_id"]` → `[151645, 151643]`.
    """
    eos = int(_field(reader, "tokenizer.ggml.eos_token_id"))
    pad = int(_field(reader, "tokenizer.ggml.padding_token_id"))
    return {"bos_token_id": pad, "eos_token_id": [eos] if eos == pad else [eos, pad]}


def _plan_shards(tensors: list[ReaderTensor]) -> list[list[ReaderTensor]]:
    shards: list[list[ReaderTensor]] = [[]]
    size = 0
    for tensor in tensors:
        nbytes = int(tensor.n_elements) * 4
        if shards[-1] and size + nbytes > SHARD_BYTES:
            shards.append([])
            size = 0
        shards[-1].append(tensor)
        size += nbytes
    return shards


def _dequantized(tensor: ReaderTensor) -> np.ndarray:
    array = dequantize(tensor.data, tensor.tensor_type)
    shape = tuple(int(d) for d in reversed(tensor.shape))  # GGML lists dimensions innermost first
    return np.ascontiguousarray(array.reshape(shape), dtype=np.float32)


def _shard_tensors(shard: list[ReaderTensor], bar: Bar) -> Iterator[tuple[str, np.ndarray]]:
    for tensor in shard:
        yield hf_name(tensor.name), _dequantized(tensor)
        bar.advance(int(tensor.n_elements) * 4)


def convert_gguf(gguf_path: Path, out_dir: Path, progress: Progress, *, bars: bool = False
                 ) -> dict[str, Any]:
    """Write a float32 MLX model directory for the qwen2 GGUF at `gguf_path`; return config.json.

    Writes model-0000i-of-0000n.safetensors, model.safetensors.index.json, config.json,
    generation_config.json, tokenizer.json and tokenizer_config.json. `bars` draws a progress
    bar on stderr (float32 bytes written).
    Example: `convert_gguf(Path("model.gguf"), Path("out"), print)["hidden_size"]` → `896`.
    """
    reader = GGUFReader(gguf_path)
    config = model_config(reader)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_tokenizer_files(reader, out_dir, config["max_position_embeddings"])

    shards = _plan_shards(list(reader.tensors))
    weight_map: dict[str, str] = {}
    total = 0
    expected = sum(int(t.n_elements) * 4 for t in reader.tensors)
    with Bar("converting to MLX", total=expected, unit="bytes",
             enabled=None if bars else False) as bar:
        for i, shard in enumerate(shards, start=1):
            file_name = f"model-{i:05d}-of-{len(shards):05d}.safetensors"
            arrays = dict(_shard_tensors(shard, bar))
            save_file(arrays, str(out_dir / file_name), metadata={"format": "mlx"})
            for name, array in arrays.items():
                weight_map[name] = file_name
                total += array.nbytes
            del arrays
            progress(f"converted shard {i}/{len(shards)} ({total / 1e9:.2f} GB float32)")

    index = {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}
    (out_dir / "model.safetensors.index.json").write_text(json.dumps(index, indent=2))
    (out_dir / "config.json").write_text(json.dumps(config, indent=2))
    (out_dir / "generation_config.json").write_text(json.dumps(generation_config(reader), indent=2))
    return config
