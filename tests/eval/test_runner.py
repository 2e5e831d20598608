"""The runner: direct mode truncates to the window, failures are recorded, results are written."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from rlm.backends.base import Backend
from rlm.errors import UsageError
from rlm.eval.report import markdown_table, summarise
from rlm.eval.results import load_results
from rlm.direct import fit_head
from rlm.eval.runner import run_direct, run_eval
from rlm.eval.tasks import make_task


def test_scripted_backend_implements_the_protocol(reading_backend: type) -> None:
    assert isinstance(reading_backend(), Backend)


def test_fit_head_is_the_longest_prefix_within_the_budget() -> None:
    def words(s: str) -> int:
        return len(s.split())

    text = "a b c d e f"
    head = fit_head(text, 3, words)
    assert words(head) == 3 and words(text[: len(head) + 2]) == 4
    assert fit_head(text, 100, words) == text and fit_head(text, 0, words) == ""


def test_direct_mode_with_the_whole_context_in_the_window_finds_the_needle(
    tmp_path: Path, reading_backend: type
) -> None:
    task = make_task("needle", 32 * 1024, seed=0, cache_dir=tmp_path)
    backend = reading_backend(context_window=100_000)
    r = run_direct(backend, task, model="scripted", window=100_000)
    assert r.score == 1.0 and not r.truncated and r.context_chars_seen == task.size


def test_direct_mode_sees_only_the_head_that_fits_the_window(
    tmp_path: Path, reading_backend: type
) -> None:
    task = make_task("needle", 32 * 1024, seed=0, cache_dir=tmp_path)
    backend = reading_backend(context_window=100_000)
    window = 600  # words; the needle sits after the first 10% of ~4,000 words
    r = run_direct(backend, task, model="scripted", window=window)
    assert r.truncated and r.score == 0.0
    assert r.context_chars_seen is not None and r.context_chars_seen < task.offsets[0]
    prompt = backend.prompts[-1]
    assert sum(backend.count_tokens(m["content"]) for m in prompt) <= window - 256
    assert task.question in prompt[-1]["content"]
    document = prompt[-1]["content"].split("<document>\n", 1)[1].split("\n</document>", 1)[0]
    assert document == task.context.read_text(encoding="utf-8")[: r.context_chars_seen]


def test_direct_mode_counts_aggregation_records_it_sees(
    tmp_path: Path, reading_backend: type
) -> None:
    task = make_task("aggregate", 32 * 1024, seed=1, cache_dir=tmp_path)
    r = run_direct(reading_backend(), task, model="scripted", window=100_000)
    assert r.answer == task.expected[0] and r.score == 1.0


def test_a_window_too_small_for_the_question_is_a_usage_error(
    tmp_path: Path, reading_backend: type
) -> None:
    task = make_task("needle", 4096, seed=0, cache_dir=tmp_path)
    with pytest.raises(UsageError):
        run_direct(reading_backend(), task, model="scripted", window=100)


def test_a_backend_without_a_window_needs_direct_window(
    tmp_path: Path, reading_backend: type
) -> None:
    task = make_task("needle", 4096, seed=0, cache_dir=tmp_path)
    with pytest.raises(UsageError):
        run_eval(reading_backend(context_window=None), [task], ["direct"], model="m", progress=None)


def test_failing_runs_are_recorded_and_the_eval_goes_on(
    tmp_path: Path, reading_backend: type
) -> None:
    tasks = [make_task("needle", 4096, seed=s, cache_dir=tmp_path) for s in range(2)]
    out = tmp_path / "results.json"
    log = io.StringIO()
    results = run_eval(reading_backend(fail=True), tasks, ["direct"], model="m", output=out,
                       progress=log)
    assert [r.error for r in results] == ["RuntimeError: model exploded"] * 2
    assert all(r.score == 0.0 for r in results)
    assert "model exploded" in log.getvalue()
    assert len(json.loads(out.read_text())["runs"]) == 2


def test_results_file_round_trips_and_summarises(tmp_path: Path, reading_backend: type) -> None:
    tasks = [make_task("multi", 32 * 1024, seed=s, cache_dir=tmp_path) for s in range(3)]
    out = tmp_path / "results.json"
    backend = reading_backend(context_window=100_000)
    results = run_eval(backend, tasks, ["direct"], model="m", direct_window=50_000, output=out,
                       progress=None)
    assert backend.resets >= 3  # a fresh start for every run
    data = json.loads(out.read_text())
    assert data["summary"][0]["solved"] == 3 and data["summary"][0]["runs"] == 3
    again = load_results(out)
    assert [r.answer for r in again] == [r.answer for r in results]
    table = markdown_table(summarise(again))
    assert "| m | multi | 32K | direct | 3/3 | 1.00 | 1.0 |" in table


def test_summary_notes_truncation(tmp_path: Path, reading_backend: type) -> None:
    task = make_task("needle", 32 * 1024, seed=0, cache_dir=tmp_path)
    results = run_eval(reading_backend(context_window=100_000), [task], ["direct"], model="m",
                       direct_window=600, progress=None)
    row = summarise(results)[0]
    assert row.solved == 0 and row.note.startswith("truncated: saw ")


def test_unknown_mode_is_a_usage_error(tmp_path: Path, reading_backend: type) -> None:
    task = make_task("needle", 4096, seed=0, cache_dir=tmp_path)
    with pytest.raises(UsageError):
        run_eval(reading_backend(), [task], ["guess"], model="m", progress=None)
