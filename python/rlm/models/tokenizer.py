"""Build the Hugging Face tokenizer files of a Qwen2 model from its GGUF metadata, without torch.

The result matches the tokenizer.json that Qwen publishes: byte-level BPE over the NORMAL tokens
(already spelled in GPT-2's byte alphabet), the merges from the file, an NFC normalizer (GGUF does not
record it and transformers' own GGUF converter omits it, so decomposed accents would tokenize
differently), the Qwen2 split regex, special tokens in id order. `tests/models` checks the ids against
an independent BPE over the same merges.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gguf import GGUFReader
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
from tokenizers import processors

# tokenizer.ggml.token_type values (llama.cpp's llama_token_type).
NORMAL, CONTROL, USER_DEFINED, UNUSED = 1, 3, 4, 5

# Qwen2's pre-tokenizer split (tokenizer.ggml.pre = "qwen2"), as in Qwen's tokenizer.json.
QWEN2_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)


def _field(reader: GGUFReader, key: str) -> Any:
    field = reader.fields.get(key)
    return None if field is None else field.contents()


def build_tokenizer(reader: GGUFReader) -> Tokenizer:
    """The `tokenizers.Tokenizer` described by a Qwen2 GGUF file's `tokenizer.*` fields.

    Example: `build_tokenizer(GGUFReader(path)).encode("def f(): pass").ids`.
    """
    model_kind, pre = _field(reader, "tokenizer.ggml.model"), _field(reader, "tokenizer.ggml.pre")
    if model_kind != "gpt2" or pre != "qwen2":
        raise ValueError(f"unsupported GGUF tokenizer {model_kind}/{pre}: only gpt2/qwen2 is")
    tokens: list[str] = _field(reader, "tokenizer.ggml.tokens")
    types: list[int] = _field(reader, "tokenizer.ggml.token_type")
    merges = [tuple(m.split(" ", 1)) for m in _field(reader, "tokenizer.ggml.merges")]
    vocab = {tok: i for i, (tok, kind) in enumerate(zip(tokens, types)) if kind == NORMAL}

    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=merges, ignore_merges=False))
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(QWEN2_SPLIT), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    tokenizer.decoder = decoders.ByteLevel()
    # Added tokens get the next free id, so add them one by one in id order and check each.
    for token_id, (tok, kind) in enumerate(zip(tokens, types)):
        if kind not in (CONTROL, USER_DEFINED):
            continue
        added = AddedToken(tok, special=kind == CONTROL, normalized=False)
        if kind == CONTROL:
            tokenizer.add_special_tokens([added])
        else:
            tokenizer.add_tokens([added])
        if tokenizer.token_to_id(tok) != token_id:
            raise ValueError(f"added token {tok!r} got id {tokenizer.token_to_id(tok)}, not {token_id}")
    return tokenizer


def tokenizer_config(reader: GGUFReader, tokenizer: Tokenizer, context_length: int) -> dict[str, Any]:
    """tokenizer_config.json for transformers: chat template copied verbatim from the GGUF.

    Example: `tokenizer_config(reader, tok, 32768)["eos_token"]` → `"<|im_end|>"`.
    """
    tokens: list[str] = _field(reader, "tokenizer.ggml.tokens")
    eos = tokens[_field(reader, "tokenizer.ggml.eos_token_id")]
    pad_id = _field(reader, "tokenizer.ggml.padding_token_id")
    added = tokenizer.get_added_tokens_decoder()
    return {
        "add_bos_token": bool(_field(reader, "tokenizer.ggml.add_bos_token")),
        "add_prefix_space": False,
        "added_tokens_decoder": {
            str(i): {
                "content": t.content,
                "lstrip": t.lstrip,
                "normalized": t.normalized,
                "rstrip": t.rstrip,
                "single_word": t.single_word,
                "special": t.special,
            }
            for i, t in sorted(added.items())
        },
        "additional_special_tokens": [
            t.content for _, t in sorted(added.items()) if t.special and t.content != eos
        ],
        "bos_token": None,  # Qwen2 adds no BOS (add_bos_token is false)
        "chat_template": _field(reader, "tokenizer.chat_template"),
        "clean_up_tokenization_spaces": False,
        "eos_token": eos,
        "errors": "replace",
        "model_max_length": context_length,
        "pad_token": tokens[pad_id] if pad_id is not None else None,
        "split_special_tokens": False,
        "tokenizer_class": "Qwen2Tokenizer",
        "unk_token": None,
    }


def write_tokenizer_files(reader: GGUFReader, out_dir: Path, context_length: int) -> Tokenizer:
    """Write tokenizer.json and tokenizer_config.json into `out_dir`; return the tokenizer.

    Example: `write_tokenizer_files(GGUFReader(gguf_path), model_dir, 32768)`.
    """
    tokenizer = build_tokenizer(reader)
    tokenizer.save(str(out_dir / "tokenizer.json"))
    config = tokenizer_config(reader, tokenizer, context_length)
    (out_dir / "tokenizer_config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False))
    return tokenizer
