"""The synthetic families beyond needle/multi/aggregate: each answer is re-derived here from the
generated text alone (not from the generator's bookkeeping), distractors are present, a perfect
answer scores 1, and the wording varies with the seed."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from rlm.eval.tasks import Task, make_task

FILLERS = ["code", "logs", "prose"]
SET_KINDS = ["multikey", "multivalue", "extract", "vartrack", "commonword"]
SEEDS = range(6)


def text_of(task: Task) -> str:
    return task.context.read_text(encoding="utf-8")


def lines_with(text: str, word: str) -> list[str]:
    return [ln for ln in text.splitlines() if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", ln)]


@pytest.mark.parametrize("kind", SET_KINDS)
@pytest.mark.parametrize("seed", SEEDS)
def test_list_answers_score_one_only_for_exactly_the_expected_items(
    tmp_path: Path, kind: str, seed: int
) -> None:
    task = make_task(kind, 32 * 1024, seed, cache_dir=tmp_path)
    text = text_of(task)
    assert set(task.expected) <= set(task.candidates)
    assert len(task.candidates) > len(task.expected)  # distractors of the same shape exist
    for item in task.candidates:
        assert item in text
    assert task.score(", ".join(task.expected)) == 1.0
    assert task.score("\n".join(f"- {e}" for e in reversed(task.expected))) == 1.0
    assert task.score(" ".join(task.candidates)) < 1.0  # dumping every candidate does not pay
    distractor = next(c for c in task.candidates if c not in task.expected)
    assert task.score(distractor) == 0.0


@pytest.mark.parametrize("filler", FILLERS)
@pytest.mark.parametrize("seed", SEEDS)
def test_multikey_value_is_on_the_asked_keys_line_and_similar_keys_are_distractors(
    tmp_path: Path, seed: int, filler: str
) -> None:
    task = make_task("multikey", 32 * 1024, seed, cache_dir=tmp_path, filler=filler)
    text = text_of(task)
    key = re.search(r"\b([a-z]+-[a-z]+)\?$", task.question)
    assert key, task.question
    asked = key.group(1)
    [line] = lines_with(text, asked)
    assert task.expected[0] in line
    keys = set(re.findall(r"\b([a-z]+-[a-z]+)\b", "\n".join(
        ln for c in task.candidates for ln in lines_with(text, c))))
    assert len(keys) == 6 and asked in keys
    shared = [k for k in keys - {asked} if set(k.split("-")) & set(asked.split("-"))]
    assert len(shared) >= 2  # a grep for one word of the key finds other needles too
    assert text.count(task.expected[0]) == 1


@pytest.mark.parametrize("filler", FILLERS)
@pytest.mark.parametrize("seed", SEEDS)
def test_multivalue_lists_exactly_the_values_on_the_keys_lines(
    tmp_path: Path, seed: int, filler: str
) -> None:
    task = make_task("multivalue", 32 * 1024, seed, cache_dir=tmp_path, filler=filler)
    text = text_of(task)
    asked = re.search(r"\b([a-z]+-[a-z]+)\b", task.question)
    assert asked
    lines = lines_with(text, asked.group(1))
    values = {c for c in task.candidates for ln in lines if c in ln}
    assert len(lines) == 4 and values == set(task.expected)


_STOP_FREE = re.compile(r"[a-z0-9]+")


@pytest.mark.parametrize("filler", FILLERS)
@pytest.mark.parametrize("seed", range(12))
def test_paraphrase_needle_shares_no_word_with_the_question_but_the_name(
    tmp_path: Path, seed: int, filler: str
) -> None:
    task = make_task("paraphrase", 32 * 1024, seed, cache_dir=tmp_path, filler=filler)
    text = text_of(task)
    value = task.expected[0]
    [needle] = [ln for ln in text.splitlines() if value in ln]
    name = next(w for w in re.findall(r"[A-Z][a-z]+", task.question) if w in needle)

    def words(s: str) -> set[str]:
        return set(_STOP_FREE.findall(s.replace(f"{name}'s", name).lower()))

    assert words(task.question) & words(needle.replace(value, "")) == {name.lower()}
    decoys = [ln for ln in lines_with(text, name) if ln != needle]
    assert len(decoys) >= 4 and all(value not in d for d in decoys)
    assert text.count(value) == 1


def _resolve_assignments(text: str) -> dict[str, str]:
    """What each variable holds after the text's assignments, run top to bottom."""
    forms = (r"VAR ([A-Z]{5}) = (?:VAR )?(\w+)", r"let ([A-Z]{5}) = (\w+);", r"([A-Z]{5}) := (\w+)")
    env: dict[str, str] = {}
    for line in text.splitlines():
        for form in forms:
            m = re.fullmatch(form, line)
            if m:
                env[m.group(1)] = env.get(m.group(2), m.group(2))
    return env


@pytest.mark.parametrize("filler", FILLERS)
@pytest.mark.parametrize("seed", SEEDS)
def test_vartrack_answer_is_every_variable_the_chains_give_the_value(
    tmp_path: Path, seed: int, filler: str
) -> None:
    task = make_task("vartrack", 32 * 1024, seed, cache_dir=tmp_path, filler=filler)
    value = re.search(r"\b(\d{5})\b", task.question)
    assert value
    env = _resolve_assignments(text_of(task))
    assert {v for v, held in env.items() if held == value.group(1)} == set(task.expected)
    assert len(set(env.values())) == 3  # two distractor chains hold other values
    assert set(env) == set(task.candidates)


@pytest.mark.parametrize("filler", FILLERS)
@pytest.mark.parametrize("seed", SEEDS)
def test_commonword_answer_is_the_strictly_most_frequent_planted_word(
    tmp_path: Path, seed: int, filler: str
) -> None:
    task = make_task("commonword", 1 << 20, seed, cache_dir=tmp_path, filler=filler)
    text = text_of(task)
    counts = Counter({w: len(re.findall(rf"\b{w}\b", text)) for w in task.candidates})
    (top, n), (_, second) = counts.most_common(2)
    assert top == task.expected[0] and n > second >= 1


def _records(text: str, marker: str) -> list[str]:
    return [ln for ln in text.splitlines() if marker in ln]


@pytest.mark.parametrize("filler", FILLERS)
@pytest.mark.parametrize("seed", range(9))
def test_sumfield_total_is_the_sum_over_the_matching_records(
    tmp_path: Path, seed: int, filler: str
) -> None:
    task = make_task("sumfield", 1 << 20, seed, cache_dir=tmp_path, filler=filler)
    text = text_of(task)
    if "region=" in task.question:
        group = re.search(r"region=(\w+)", task.question).group(1)  # type: ignore[union-attr]
        rows = re.findall(rf"invoice INV-\d+ region={group} amount=([\d.]+) EUR", text)
        assert len(_records(text, "invoice INV-")) == 128
    elif "warehouse" in task.question:
        group = re.search(r"warehouse (\w+)", task.question).group(1)  # type: ignore[union-attr]
        rows = re.findall(rf'"warehouse": "{group}", "weight_kg": ([\d.]+)', text)
    else:
        group = re.search(r"team (\w+)", task.question).group(1)  # type: ignore[union-attr]
        rows = re.findall(rf"\| team: {group} \| hours: ([\d.]+)", text)
    assert rows
    assert abs(sum(map(float, rows)) - float(task.expected[0])) < 0.005
    assert task.score(f"The total is {task.expected[0]}.") == 1.0
    assert task.score(f"{float(task.expected[0]) + 1:.2f}") == 0.0


@pytest.mark.parametrize("filler", FILLERS)
@pytest.mark.parametrize("seed", range(9))
def test_extract_answer_is_every_id_of_the_asked_kind(
    tmp_path: Path, seed: int, filler: str
) -> None:
    task = make_task("extract", 1 << 20, seed, cache_dir=tmp_path, filler=filler)
    text = text_of(task)
    # The id alone, as an answer writes it: "ticket=TCK-35662" made a right "TCK-35662" score 0.
    assert all(re.fullmatch(r"[A-Z]{3}-\d{5}", e) for e in task.expected), task.expected
    prefix = task.expected[0].split("-")[0] + "-"
    kind = re.search(r"(?:severity=|state |were )(\w+)", task.question)
    assert kind
    found = set()
    for line in _records(text, prefix):
        if re.search(rf"(?:severity=|state=|was ){kind.group(1)}\b", line):
            found.update(re.findall(rf"{prefix}\d{{5}}", line))
    assert found == set(task.expected) and 3 <= len(found) <= 12
    assert len(_records(text, prefix)) == len(task.candidates) == 60


@pytest.mark.parametrize("kind", ["multikey", "multivalue", "paraphrase", "sumfield", "extract",
                                  "vartrack", "commonword"])
def test_wording_family_varies_with_the_seed(tmp_path: Path, kind: str) -> None:
    tasks = [make_task(kind, 4096, seed, cache_dir=tmp_path) for seed in range(12)]
    assert len({t.template for t in tasks}) >= 2
    assert len({re.sub(r"[\w-]*\d[\w-]*", "N", t.question) for t in tasks}) >= 2


@pytest.mark.parametrize("kind", ["multikey", "paraphrase", "extract"])
def test_question_and_answer_do_not_depend_on_the_filler(tmp_path: Path, kind: str) -> None:
    a = make_task(kind, 32 * 1024, 5, cache_dir=tmp_path, filler="code")
    b = make_task(kind, 32 * 1024, 5, cache_dir=tmp_path, filler="prose")
    assert (a.question, a.expected) == (b.question, b.expected)
    assert a.context.read_text() != b.context.read_text()
