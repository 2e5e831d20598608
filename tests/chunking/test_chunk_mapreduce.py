"""The fixed map-reduce program of `rlm chunk-bench --task/--answer`, driven by the replay backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlm import Context
from rlm._core import chunk_spans
from rlm.backends.replay import ReplayBackend
from rlm.chunk_mapreduce import map_reduce, value_score
from rlm.cli import main as rlm_main

TEXT = "filler line of text\n" * 150 + "The secret code is 6151-YC.\n" + "more filler here\n" * 150


def test_one_answer_among_nones_is_the_answer_without_a_reduce_call() -> None:
    backend = ReplayBackend([], sub=["NONE", "6151-YC", "none."])
    ctx = Context.from_str(TEXT)
    r = map_reduce(backend, ctx, [(0, 2000), (2000, 4000), (4000, len(TEXT))], "What is the secret code?", value_score("6151 yc"))
    assert (r.answer, r.correct, r.sub_calls) == ("6151-YC", True, 3)
    assert "Part 2 of 3" in backend.sub_prompts[1] and ctx[2000:4000] in backend.sub_prompts[1]
    assert r.prompt_tokens > 0 and r.seconds >= 0


def test_different_answers_go_to_one_reduce_call_and_it_decides() -> None:
    backend = ReplayBackend([], sub=["1234-AB", "6151-YC", "6151-yc", "1234-AB"])
    r = map_reduce(backend, Context.from_str(TEXT), [(0, 10), (10, 20), (20, 30)], "code?", value_score("6151-YC"))
    # Two distinct answers (case and punctuation aside): the fourth reply is the reduce call's.
    assert (r.answer, r.correct, r.sub_calls) == ("1234-AB", False, 4)
    assert "- 1234-AB\n- 6151-YC" in backend.sub_prompts[3]


def test_no_answer_anywhere_is_an_empty_wrong_answer() -> None:
    r = map_reduce(ReplayBackend([], sub=["NONE"] * 2), Context.from_str(TEXT), [(0, 5), (5, 9)], "x?", value_score("y"))
    assert (r.answer, r.correct, r.sub_calls) == ("", False, 2)


def test_chunk_bench_runs_the_program_per_strategy_from_the_same_start(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "doc.txt"
    path.write_text(TEXT, encoding="utf-8")
    n = len(list(chunk_spans(TEXT, "chars", 2000)))
    replay = tmp_path / "replay.json"
    replay.write_text(json.dumps({"turns": [], "sub": ["NONE"] * (n - 1) + ["6151-YC"]}))
    code = rlm_main(["chunk-bench", "-f", str(path), "-s", "chars", "-s", "recursive", "--size", "2000",
                     "--task", "What is the secret code?", "--answer", "6151-YC",
                     "--model", f"replay:{replay}", "--json", "-q"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 0
    # The replay restarts for each strategy, as a seeded model does: the same replies in order.
    assert rows[0]["answer"] == "6151-YC" and rows[0]["correct"] and rows[0]["sub_calls"] == n
    assert rows[1]["sub_calls"] == rows[1]["chunks"]


def test_task_without_answer_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "doc.txt"
    path.write_text("x\n", encoding="utf-8")
    assert rlm_main(["chunk-bench", "-f", str(path), "--task", "t"]) == 2
    assert "--task and --answer go together" in capsys.readouterr().err
