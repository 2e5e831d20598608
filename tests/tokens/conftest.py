"""Tokenizers for the token tests: a small one trained here (fast), and the bundled model's.

The small one has the bundled model's pipeline (NFC, the Qwen2 split regex, byte-level BPE,
special tokens) and a 700-token vocabulary, so its merges fire often on code and prose; the
`tokenizers` package trains it in well under a second, so nothing is committed.
"""

from __future__ import annotations

import pathlib
import sysconfig

import pytest

QWEN2_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                 r"|\s*[\r\n]+|\s+(?!\S)|\s+")
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def training_text() -> list[str]:
    """Some stdlib sources plus prose with accents, CJK and emoji."""
    root = pathlib.Path(sysconfig.get_paths()["stdlib"])
    files = [root / name for name in ("textwrap.py", "shlex.py", "fnmatch.py", "glob.py")]
    prose = "Ça va? Überall café naïve résumé — 東京 中文 😀 it's we'll they've I'D\r\n" * 20
    return [f.read_text(encoding="utf-8") for f in files if f.exists()] + [prose]


def train_tiny(path: pathlib.Path, pattern: str = QWEN2_PATTERN) -> pathlib.Path:
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(pattern), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    trainer = trainers.BpeTrainer(vocab_size=700, special_tokens=SPECIALS, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(training_text(), trainer)
    tok.save(str(path))
    return path


@pytest.fixture(scope="session")
def tiny_tokenizer_path(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return train_tiny(tmp_path_factory.mktemp("tok") / "tokenizer.json")


@pytest.fixture(scope="session")
def qwen_tokenizer_path() -> pathlib.Path:
    from rlm.models import install

    return install("qwen2.5-coder-0.5b") / "tokenizer.json"
