"""Task generators: deterministic by seed, exact size, the answer only in the inserted lines."""

from __future__ import annotations

import re
import tracemalloc
from pathlib import Path

import pytest

from rlm.errors import UsageError
from rlm.eval.corpus import Insert, write_corpus
from rlm.eval.tasks import FAMILIES, format_size, make_task, parse_size

SIZES = [4096, 32 * 1024, 100_003]
# The real-file kinds have tests of their own (tests/eval/test_realfiles.py): no filler, and they
# need files that a minimal machine may lack.
KINDS = [name for name, family in FAMILIES.items() if not family.real]
FILLERS = ["code", "logs", "prose"]


@pytest.mark.parametrize("filler", FILLERS)
@pytest.mark.parametrize("kind", KINDS)
def test_same_seed_gives_the_same_corpus_and_question(
    tmp_path: Path, kind: str, filler: str
) -> None:
    a = make_task(kind, 32 * 1024, seed=7, cache_dir=tmp_path / "a", filler=filler)
    b = make_task(kind, 32 * 1024, seed=7, cache_dir=tmp_path / "b", filler=filler)
    assert a.context.read_bytes() == b.context.read_bytes()
    assert (a.question, a.expected, a.offsets) == (b.question, b.expected, b.offsets)


@pytest.mark.parametrize("kind", KINDS)
def test_different_seeds_give_different_tasks(tmp_path: Path, kind: str) -> None:
    a = make_task(kind, 32 * 1024, seed=1, cache_dir=tmp_path)
    b = make_task(kind, 32 * 1024, seed=2, cache_dir=tmp_path)
    assert a.context.read_bytes() != b.context.read_bytes()
    assert a.expected != b.expected or a.question != b.question


@pytest.mark.parametrize("filler", FILLERS)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("kind", KINDS)
def test_context_has_exactly_the_requested_characters(
    tmp_path: Path, kind: str, size: int, filler: str
) -> None:
    task = make_task(kind, size, seed=3, cache_dir=tmp_path, filler=filler)
    assert len(task.context.read_text(encoding="utf-8")) == size == task.size


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("kind", ["needle", "multi"])
def test_each_needle_value_occurs_once_and_only_in_its_needle_line(
    tmp_path: Path, kind: str, seed: int
) -> None:
    task = make_task(kind, 1 << 20, seed=seed, cache_dir=tmp_path)
    text = task.context.read_text(encoding="utf-8")
    for value in task.expected:
        assert text.count(value) == 1
    for offset in task.offsets:
        assert offset == 0 or text[offset - 1] == "\n"  # each needle starts a line
    needle_lines = [text[o: text.index("\n", o)] for o in task.offsets]
    without = "".join(ln + "\n" for ln in text.splitlines() if ln not in needle_lines)
    for value in task.expected:
        assert value not in without


def test_needle_question_names_the_needles_subject(tmp_path: Path) -> None:
    task = make_task("needle", 32 * 1024, seed=0, cache_dir=tmp_path)
    text = task.context.read_text(encoding="utf-8")
    line = text[task.offsets[0]: text.index("\n", task.offsets[0])]
    subject = re.search(r"the (\w+) deployment", task.question)
    assert subject and f"the {subject.group(1)} deployment is {task.expected[0]}." in line


def test_needle_depth_is_away_from_the_previewed_ends(tmp_path: Path) -> None:
    for seed in range(10):
        task = make_task("needle", 32 * 1024, seed=seed, cache_dir=tmp_path)
        assert 0.09 * task.size < task.offsets[0] < 0.91 * task.size


@pytest.mark.parametrize("filler", ["code", "logs"])
@pytest.mark.parametrize("seed", range(3))
def test_aggregate_answer_is_the_count_of_failed_records(
    tmp_path: Path, seed: int, filler: str
) -> None:
    task = make_task("aggregate", 1 << 20, seed=seed, cache_dir=tmp_path, filler=filler)
    text = task.context.read_text(encoding="utf-8")
    records = [ln for ln in text.splitlines() if "[orders] order ORD-" in ln]
    assert len(records) == len(task.offsets) == 128
    failed = sum("status=FAILED" in ln for ln in records)
    assert failed >= 1
    assert text.count("status=FAILED") == failed == int(task.expected[0])


def test_multi_asks_for_every_project(tmp_path: Path) -> None:
    task = make_task("multi", 32 * 1024, seed=4, cache_dir=tmp_path)
    text = task.context.read_text(encoding="utf-8")
    names = re.findall(r"The project code for (\w+) is", text)
    assert len(names) == len(task.expected) == 4
    assert all(n in task.question for n in names)


def test_cached_corpus_is_reused(tmp_path: Path) -> None:
    first = make_task("needle", 32 * 1024, seed=0, cache_dir=tmp_path)
    first.context.write_text("x" * 32 * 1024)  # same byte size: a reuse must not rewrite it
    again = make_task("needle", 32 * 1024, seed=0, cache_dir=tmp_path)
    assert again.context.read_text() == "x" * 32 * 1024


def test_corpus_without_its_completion_marker_is_regenerated(tmp_path: Path) -> None:
    first = make_task("needle", 32 * 1024, seed=0, cache_dir=tmp_path)
    first.context.with_suffix(".json").unlink()  # as if interrupted before the marker was written
    first.context.write_text("partial")
    again = make_task("needle", 32 * 1024, seed=0, cache_dir=tmp_path)
    assert len(again.context.read_text(encoding="utf-8")) == 32 * 1024


def test_large_corpus_is_streamed_not_built_in_memory(tmp_path: Path) -> None:
    size = 16 << 20
    tracemalloc.start()
    try:
        make_task("needle", size, seed=0, cache_dir=tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < size // 4


def test_write_corpus_puts_late_inserts_before_the_cut_last_line(tmp_path: Path) -> None:
    path = tmp_path / "c.txt"
    lines = iter(["0123456789\n"] * 10)
    offsets = write_corpus(path, 30, [Insert(0.99, "AB\n")], lines)
    text = path.read_text()
    assert len(text) == 30 and text[offsets[0]: offsets[0] + 3] == "AB\n"
    assert text[offsets[0] - 1] == "\n"


def test_write_corpus_refuses_a_size_smaller_than_the_inserts(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        write_corpus(tmp_path / "c.txt", 2, [Insert(0.5, "ABCDEF\n")], iter(["x\n"] * 9))
    assert list(tmp_path.iterdir()) == []


def test_sizes_parse_and_format_with_k_and_m() -> None:
    assert parse_size("32K") == 32768 and parse_size("64M") == 64 << 20 and parse_size("7") == 7
    assert format_size(parse_size("1M")) == "1M"
    for bad in ("", "K", "-3", "1.5M", "12X"):
        with pytest.raises(UsageError):
            parse_size(bad)


def test_unknown_kind_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        make_task("haystack", 4096, seed=0, cache_dir=tmp_path)
