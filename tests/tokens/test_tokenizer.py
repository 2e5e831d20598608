"""rlm.Tokenizer gives exactly the ids of the `tokenizers` package's whole-text encode.

The reference is `tokenizers.Tokenizer.encode(text, add_special_tokens=False)` on the whole text
at once; the Rust side cuts big texts into parts counted on every core, so the big-text tests are
the ones that check the cut places (docs in rust/rlm-core/src/tokens/split.rs).
"""

from __future__ import annotations

import json
import pathlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tokenizers import Tokenizer as Reference

from rlm import Context, Tokenizer
from rlm.errors import TokenizerError

# Pieces that exercise each alternative of the split regex and each cut rule: whitespace runs of
# every kind, CRLF, contractions in any case (and U+017F, which case-folds to s), digits,
# symbols, accents that NFC composes, CJK, emoji, and special-token strings inside text.
PIECES = [
    " ", "  ", "    ", "\t", "\n", "\r\n", "\r", "\n\n", " \n", "\u3000", "\xa0", "\x85", "\u2028",
    "\x0b", "\x1c", "a", "word", "Word", "x1", "é", "e\u0301", "\u0301", "ſ", "'", "'s", "'LL",
    "'ve", "'t", "7", "42", "½", "(", ")", "==", ".", "#", "{", "}", "😀", "東京", "中文", "ß",
    "<|im_end|>", "<|im_start|>", "<|endoftext|>", "<|im", "_end|>", "def ", "return ", "\x00",
]
texts = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=60).map("".join),
    st.text(max_size=80),
)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BIG = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PARALLEL_MIN = 256 << 10  # rlm-core's PAR_MIN: bigger texts are cut and counted in parallel


def reference_ids(ref: Reference, text: str) -> list[int]:
    return ref.encode(text, add_special_tokens=False).ids


@pytest.fixture(scope="module")
def tiny(tiny_tokenizer_path: pathlib.Path) -> tuple[Tokenizer, Reference]:
    return Tokenizer.from_file(tiny_tokenizer_path), Reference.from_file(str(tiny_tokenizer_path))


@given(text=texts)
@SETTINGS
def test_encode_equals_the_tokenizers_package(tiny: tuple[Tokenizer, Reference], text: str) -> None:
    tok, ref = tiny
    assert tok.encode(text) == reference_ids(ref, text)
    assert tok.count(text) == len(reference_ids(ref, text))


@given(lines=st.lists(texts, min_size=1, max_size=20))
@BIG
def test_a_big_text_counted_in_parts_equals_the_whole_text_count(
        tiny: tuple[Tokenizer, Reference], lines: list[str]) -> None:
    unit = "\n".join(lines) + "\nx = 1\n"  # at least one place to cut per repetition
    text = unit * (PARALLEL_MIN // len(unit) + 2)
    tok, ref = tiny
    assert tok.count(text) == len(reference_ids(ref, text))


@given(words=st.lists(texts.filter(lambda t: "\n" not in t), min_size=1, max_size=20))
@BIG
def test_a_big_text_without_line_breaks_is_cut_between_words(
        tiny: tuple[Tokenizer, Reference], words: list[str]) -> None:
    unit = " ".join(words) + " ab cd "
    text = unit * (PARALLEL_MIN // len(unit) + 2)
    tok, ref = tiny
    assert tok.encode(text) == reference_ids(ref, text)


def test_a_big_text_with_no_safe_cut_is_still_exact(tiny: tuple[Tokenizer, Reference]) -> None:
    text = "1 2 3 \u3000 ! " * (PARALLEL_MIN // 10)  # no letters, no line breaks
    tok, ref = tiny
    assert tok.count(text) == len(reference_ids(ref, text))


def test_counts_a_context_range_as_the_same_str_slice(tiny: tuple[Tokenizer, Reference]) -> None:
    tok, _ = tiny
    text = "héllo wörld\r\n<|im_end|> 東京 it's\n" * 50
    ctx = Context.from_str(text)
    assert tok.count(ctx) == tok.count(text)
    for start, end in [(3, 90), (-40, None), (None, -7), (500, 20), (10_000, None)]:
        assert tok.count(ctx, start, end) == tok.count(text[start:end])
        assert tok.count(text, start, end) == tok.count(text[start:end])
        assert tok.encode(ctx, start, end) == tok.encode(text[start:end])


def test_refuses_a_tokenizer_it_would_count_differently(
        tiny_tokenizer_path: pathlib.Path, tmp_path: pathlib.Path) -> None:
    spec = json.loads(tiny_tokenizer_path.read_text())
    spec["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = r"\w+|\s+"
    other = tmp_path / "tokenizer.json"
    other.write_text(json.dumps(spec))
    with pytest.raises(TokenizerError, match="split pattern"):
        Tokenizer.from_file(other)


def test_a_missing_file_is_an_os_error(tmp_path: pathlib.Path) -> None:
    with pytest.raises(OSError, match="nope.json"):
        Tokenizer.from_file(tmp_path / "nope.json")


@pytest.fixture(scope="module")
def qwen(qwen_tokenizer_path: pathlib.Path) -> tuple[Tokenizer, Reference]:
    return Tokenizer.from_file(qwen_tokenizer_path), Reference.from_file(str(qwen_tokenizer_path))


@pytest.mark.real_model
class TestBundledModelTokenizer:
    @given(text=texts)
    @SETTINGS
    def test_encode_equals_the_tokenizers_package(self, qwen: tuple[Tokenizer, Reference],
                                                  text: str) -> None:
        tok, ref = qwen
        assert tok.encode(text) == reference_ids(ref, text)

    @given(lines=st.lists(texts, min_size=1, max_size=20))
    @BIG
    def test_a_big_text_counted_in_parts_equals_the_whole_text_count(
            self, qwen: tuple[Tokenizer, Reference], lines: list[str]) -> None:
        unit = "\n".join(lines) + "\nx = 1\n"
        text = unit * (PARALLEL_MIN // len(unit) + 2)
        tok, ref = qwen
        assert tok.count(text) == len(reference_ids(ref, text))

    def test_counts_python_sources_as_the_package(self, qwen: tuple[Tokenizer, Reference]) -> None:
        import sysconfig

        root = pathlib.Path(sysconfig.get_paths()["stdlib"])
        text = "".join((root / n).read_text(encoding="utf-8") for n in ("typing.py", "argparse.py"))
        tok, ref = qwen
        assert tok.count(text) == len(reference_ids(ref, text))
