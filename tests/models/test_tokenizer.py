"""The tokenizer built from GGUF metadata equals an independent BPE over the GGUF's own merges."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import regex

from rlm.models.tokenizer import CONTROL, QWEN2_SPLIT, USER_DEFINED

pytestmark = pytest.mark.real_model

TEXT = (
    "def f(x):\n\treturn x ** 2  # square\r\n\n\n    if x != 0: pass\n"
    "Café vs Cafe\u0301, naïve résumé — 日本語のテキスト, emoji 🙂👍🏽, numbers 1234567 3.14159\n"
    "I'm sure they'll say it's fine, WE'VE DONE IT, don't    worry   \n"
    "<|im_start|>user\nhello<|im_end|> <tool_call>{\"a\": 1}</tool_call>   trailing spaces   "
)


def _byte_alphabet() -> dict[int, str]:
    # GPT-2's reversible mapping of bytes to printable characters.
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    mapping, extra = {}, 0
    for b in range(256):
        if b in keep:
            mapping[b] = chr(b)
        else:
            mapping[b] = chr(256 + extra)
            extra += 1
    return mapping


def _reference_encode(text: str, tokens: list[str], types: list[int], merges: list[str]) -> list[int]:
    """A plain-Python byte-level BPE: special tokens, NFC, Qwen2 split, lowest-rank merge first."""
    ids = {tok: i for i, tok in enumerate(tokens)}
    ranks = {tuple(m.split(" ", 1)): r for r, m in enumerate(merges)}
    alphabet = _byte_alphabet()
    specials = [t for t, k in zip(tokens, types) if k in (CONTROL, USER_DEFINED)]
    split_specials = "(" + "|".join(regex.escape(s) for s in specials) + ")"

    @lru_cache(maxsize=None)
    def bpe(word: str) -> tuple[str, ...]:
        parts = list(word)
        while len(parts) > 1:
            pairs = [(ranks.get((a, b), 1 << 30), i) for i, (a, b) in enumerate(zip(parts, parts[1:]))]
            rank, i = min(pairs)
            if rank == 1 << 30:
                break
            parts[i : i + 2] = [parts[i] + parts[i + 1]]
        return tuple(parts)

    out: list[int] = []
    for piece in regex.split(split_specials, text):
        if piece in specials:
            out.append(ids[piece])
            continue
        for word in regex.findall(QWEN2_SPLIT, unicodedata.normalize("NFC", piece)):
            mapped = "".join(alphabet[b] for b in word.encode("utf-8"))
            out.extend(ids[p] for p in bpe(mapped))
    return out


@pytest.fixture(scope="module")
def gguf_vocab(small_gguf: Path) -> dict[str, Any]:
    from gguf import GGUFReader

    reader = GGUFReader(small_gguf)
    return {k: reader.fields[f"tokenizer.ggml.{k}"].contents() for k in ("tokens", "token_type", "merges")}


def test_ids_match_an_independent_bpe_over_the_gguf_merges(small_backend: Any, gguf_vocab: dict[str, Any]) -> None:
    expected = _reference_encode(TEXT, gguf_vocab["tokens"], gguf_vocab["token_type"], gguf_vocab["merges"])
    assert small_backend.tokenizer.encode(TEXT, add_special_tokens=False) == expected


def test_decomposed_accents_tokenize_like_composed_ones(small_backend: Any) -> None:
    encode = small_backend.tokenizer.encode
    assert encode("Cafe\u0301", add_special_tokens=False) == encode("Café", add_special_tokens=False)


def test_special_tokens_have_the_gguf_ids(small_backend: Any, gguf_vocab: dict[str, Any]) -> None:
    tok = small_backend.tokenizer
    for token_id in (151643, 151644, 151645, 151657, 151664):
        assert tok.convert_tokens_to_ids(gguf_vocab["tokens"][token_id]) == token_id
    assert set(tok.eos_token_ids) == {151645, 151643}


def test_decode_round_trips(small_backend: Any) -> None:
    tok = small_backend.tokenizer
    text = unicodedata.normalize("NFC", TEXT)
    assert tok.decode(tok.encode(text, add_special_tokens=False)) == text
