"""`rlm chunk-bench --eval KIND`: the fixed program over `rlm eval`'s tasks, scored by the eval's scorer.

The backend is a scripted reader, not a model: a map call answers with what a careful reader would
find in its chunk only when the whole record is inside the chunk, so a strategy that cuts records
loses answers, and the rows must show it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import rlm.backends.loading
from rlm.backends.base import Completion, Sampling
from rlm.backends.replay import approx_tokens
from rlm.cli import main as rlm_main
from rlm.eval.tasks import make_task

NEEDLE = re.compile(r"The secret access code for the \w+ deployment is (\d{4}-[A-Z]{2})\.")
FAILED_JOB = re.compile(r"job (JOB-\d{5}) finished state=failed")


class Reader:
    """Answers a map call with the value of every whole needle or failed-job record in its chunk
    (else NONE), and a reduce call with the values of those records among the lines it is given."""

    name = "scripted-reader"
    context_window = None

    def __init__(self) -> None:
        self.resets = 0
        self.prompts: list[str] = []

    def reset(self) -> None:
        self.resets += 1

    def generate(self, messages: list[dict[str, str]], sampling: Sampling, **_: Any) -> Completion:
        prompt = messages[-1]["content"]
        self.prompts.append(prompt)
        if "<<<\n" in prompt:
            chunk = prompt.split("<<<\n", 1)[1].rsplit("\n>>>", 1)[0]
            text = ", ".join(NEEDLE.findall(chunk) + FAILED_JOB.findall(chunk)) or "NONE"
        else:  # reduce: the "- line" lines
            lines = "\n".join(line[2:] for line in prompt.splitlines() if line.startswith("- "))
            text = ", ".join(NEEDLE.findall(lines) + FAILED_JOB.findall(lines))
        return Completion(text=text, prompt_tokens=approx_tokens(prompt), prefill_tokens=0,
                          generation_tokens=approx_tokens(text), finish_reason="stop", elapsed=0.0)


@pytest.fixture
def reader(monkeypatch: pytest.MonkeyPatch) -> Reader:
    backend = Reader()
    monkeypatch.setattr(rlm.backends.loading, "load_backend", lambda *a, **k: backend)
    return backend


def bench(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, Any]]:
    assert rlm_main(["chunk-bench", *argv, "--json", "-q"]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_strategy_that_keeps_lines_whole_finds_the_needle_one_that_cuts_them_does_not(
        tmp_path: Path, reader: Reader, capsys: pytest.CaptureFixture[str]) -> None:
    # 48 characters: shorter than the needle sentence, so `chars` never holds it whole; `lines`
    # gets one line (48 characters' worth of this filler's ~37-character lines) and always does.
    rows = {r["strategy"]: r for r in bench(capsys, "--eval", "needle", "--seeds", "2", "--size", "48",
                                            "-s", "chars", "-s", "lines", "--cache-dir", str(tmp_path))}
    lines, chars = rows["lines"], rows["chars"]
    assert (lines["tasks"], lines["solved"], lines["mean_score"]) == (2, 2, 1.0)
    assert [r["answer"] for r in lines["runs"]] == [
        make_task("needle", 32768, s, cache_dir=tmp_path).expected[0] for s in (0, 1)]
    assert (chars["solved"], chars["mean_score"], {r["answer"] for r in chars["runs"]}) == (0, 0.0, {""})
    # One sub-call per chunk, and one to reduce when a chunk gave a value found in it.
    assert lines["sub_calls"] == lines["chunks"] + 2 and chars["sub_calls"] == chars["chunks"]
    for row in rows.values():
        assert row["chunks"] == sum(r["chunks"] for r in row["runs"])
        assert row["tokens"] > 0 and row["seconds"] >= 0
    assert reader.resets == 4  # every (task, strategy) run starts from a reset backend


def test_a_list_task_is_scored_by_the_eval_set_scorer_with_partial_credit(
        tmp_path: Path, reader: Reader, capsys: pytest.CaptureFixture[str]) -> None:
    task = make_task("extract", 32768, 0, cache_dir=tmp_path)
    text = task.context.read_text(encoding="utf-8")
    # One chunk boundary through the middle of the second failed job's record: `chars` cuts it,
    # so its reduce call joins two of the three ids (score 2/3); `structural` keeps records whole.
    failed = [m.start() for m in FAILED_JOB.finditer(text)]
    assert len(failed) == len(task.expected) == 3
    size = failed[1] + 5
    rows = {r["strategy"]: r for r in bench(capsys, "--eval", "extract", "--seeds", "1", "--size", str(size),
                                            "-s", "chars", "-s", "structural", "--cache-dir", str(tmp_path))}
    assert rows["structural"]["runs"][0]["score"] == 1.0
    assert sorted(rows["structural"]["runs"][0]["answer"].split(", ")) == sorted(task.expected)
    assert rows["chars"]["runs"][0]["score"] == pytest.approx(2 / 3)
    assert rows["chars"]["solved"] == 0
    # The reduce call: one more sub-call than chunks, given the lines holding the values found.
    assert rows["chars"]["sub_calls"] == rows["chars"]["chunks"] + 1
    reduce = reader.prompts[-1]  # the last run's (structural) reduce call: the three records' lines
    assert f"Question: {task.question}" in reduce
    assert sorted(FAILED_JOB.findall(reduce)) == sorted(task.expected)


def test_the_table_has_a_row_per_strategy_under_a_heading_naming_the_tasks(
        tmp_path: Path, reader: Reader, capsys: pytest.CaptureFixture[str]) -> None:
    assert rlm_main(["chunk-bench", "--eval", "needle", "--seeds", "1", "--first-seed", "3", "--size", "8000",
                     "-s", "recursive", "-s", "structural", "--cache-dir", str(tmp_path), "-q"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "needle at 32K, seeds 3-3 (1 tasks), model scripted-reader, seed 0"
    assert out[1].startswith("| strategy | size | overlap | tasks | solved | mean score |")
    assert [line.split(" | ")[0] for line in out[3:]] == ["| recursive", "| structural"]
    assert all(" | 1 | 1 | 1.00 | " in line for line in out[3:])


def test_each_run_is_logged_on_stderr_unless_quiet(
        tmp_path: Path, reader: Reader, capsys: pytest.CaptureFixture[str]) -> None:
    assert rlm_main(["chunk-bench", "--eval", "needle", "--seeds", "1", "-s", "lines",
                     "--cache-dir", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    expected = make_task("needle", 32768, 0, cache_dir=tmp_path).expected[0]
    assert f"chunk-bench: needle-32K-s0 lines: score 1.00," in err and f"(expected {expected})" in err


@pytest.mark.parametrize("argv, message", [
    (["-f", "x.txt"], "leave out -f, --task, --answer"),
    (["--seeds", "0"], "--seeds must be at least 1"),
    (["--eval-size", "lots"], "bad size 'lots'"),
])
def test_eval_usage_errors(tmp_path: Path, reader: Reader, capsys: pytest.CaptureFixture[str],
                           argv: list[str], message: str) -> None:
    assert rlm_main(["chunk-bench", "--eval", "needle", "--cache-dir", str(tmp_path), *argv]) == 2
    assert message in capsys.readouterr().err


def test_an_unknown_kind_names_the_kinds(capsys: pytest.CaptureFixture[str]) -> None:
    assert rlm_main(["chunk-bench", "--eval", "needles"]) == 2
    assert "unknown kind 'needles'; choose from needle, multi" in capsys.readouterr().err


def test_without_a_file_or_eval_it_says_to_give_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert rlm_main(["chunk-bench", "-s", "lines"]) == 2
    assert "give the file to chunk (-f FILE), or --eval KIND" in capsys.readouterr().err
