"""The fixed map-reduce program of `rlm chunk-bench --task/--answer`, driven by the replay backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlm import Context
from rlm._core import chunk_spans
from rlm.backends.replay import ReplayBackend
from rlm.chunk_mapreduce import FIRST_PROGRAM, MAX_LINE_CHARS, evidence, map_reduce, value_score
from rlm.cli import main as rlm_main

TEXT = "filler line of text\n" * 150 + "The secret code is 6151-YC.\n" + "more filler here\n" * 150


def test_only_map_values_found_in_their_chunk_reach_the_reduce_with_their_lines() -> None:
    # Part 2 holds the code; parts 1 and 3 answer with a value they do not hold (a 0.5B does).
    backend = ReplayBackend([], sub=["1234-AB", "6151-YC", "None, 42", "6151-YC"])
    ctx = Context.from_str(TEXT)
    spans = [(0, 2000), (2000, 4000), (4000, len(TEXT))]
    r = map_reduce(backend, ctx, spans, "What is the secret code?", value_score("6151 yc"))
    assert (r.answer, r.correct, r.sub_calls) == ("6151-YC", True, 4)
    assert "Part 2 of 3" not in backend.sub_prompts[1] and "part 2 of 3" in backend.sub_prompts[1]
    assert ctx[2000:4000] in backend.sub_prompts[1] and "NONE" not in backend.sub_prompts[1]
    reduce = backend.sub_prompts[3]
    assert "\n- The secret code is 6151-YC.\n" in reduce and reduce.count("\n- ") == 1
    assert reduce.rstrip().endswith("leave out lines about something else.")
    assert r.prompt_tokens > 0 and r.seconds >= 0


def test_an_item_the_reduce_lists_twice_is_answered_once() -> None:
    # Extract seed 0: the job's id is on two lines (in two chunks), and the 0.5B's reduce listed it
    # twice. Both lines reach the reduce; its answer keeps each item once, in its order.
    text = ("filler\n" * 40 + "JOB-18264 started\n" + "filler\n" * 40 + "JOB-18264 FAILED exit 3\n"
            + "JOB-20571 FAILED exit 1\n")
    half = text.index("JOB-18264 FAILED")
    backend = ReplayBackend([], sub=["JOB-18264", "JOB-18264, JOB-20571", "JOB-18264, job 18264; JOB-20571, JOB-18264"])
    r = map_reduce(backend, Context.from_str(text), [(0, half), (half, len(text))], "Which jobs failed?",
                   value_score("JOB-20571"))
    assert r.answer == "JOB-18264, JOB-20571" and r.sub_calls == 3
    assert backend.sub_prompts[2].count("\n- ") == 3  # every line that holds an item, each once


def test_a_reduce_answer_without_a_repeat_is_kept_as_written() -> None:
    backend = ReplayBackend([], sub=["6151-YC", "6151-YC", "The code is 6151-YC; see part 2."])
    r = map_reduce(backend, Context.from_str(TEXT), [(0, 3100), (2900, len(TEXT))], "code?", value_score("6151-YC"))
    assert r.answer == "The code is 6151-YC; see part 2."


def test_no_value_found_in_any_chunk_is_an_empty_answer_without_a_reduce_call() -> None:
    r = map_reduce(ReplayBackend([], sub=["9999-ZZ", "NONE"]), Context.from_str(TEXT), [(0, 5), (5, 9)], "x?",
                   value_score("y"))
    assert (r.answer, r.score, r.sub_calls) == ("", 0.0, 2)


@pytest.mark.parametrize("reply, lines", [
    ("6151-YC", ["The secret code is 6151-YC."]),
    ("6151 yc", ["The secret code is 6151-YC."]),  # compared as the eval compares values
    ("filler line of text, 6151-YC; more filler here", ["filler line of text", "The secret code is 6151-YC.",
                                                        "more filler here"]),
    ("7777-QQ", []),  # not in the chunk: invented
    ("NONE", []), ("of", []),  # a refusal, and an item too short to place
])
def test_evidence_is_the_chunk_lines_that_hold_the_reply_items(reply: str, lines: list[str]) -> None:
    assert evidence(reply, TEXT) == lines


def test_a_long_line_is_cut_around_its_value() -> None:
    line = "x" * 1000 + " code 6151-YC " + "y" * 1000
    (got,) = evidence("6151-YC", "head\n" + line + "\ntail\n")
    assert len(got) == MAX_LINE_CHARS and "6151-YC" in got


def test_the_first_program_keeps_any_reply_but_none_and_reduces_only_several() -> None:
    backend = ReplayBackend([], sub=["NONE", "6151-YC", "none."])
    r = map_reduce(backend, Context.from_str(TEXT), [(0, 10), (10, 20), (20, 30)], "code?", value_score("6151-YC"),
                   program=FIRST_PROGRAM)
    assert (r.answer, r.correct, r.sub_calls) == ("6151-YC", True, 3)
    assert "Part 2 of 3" in backend.sub_prompts[1] and "Otherwise reply NONE." in backend.sub_prompts[1]
    backend = ReplayBackend([], sub=["1234-AB", "6151-YC", "6151-yc", "1234-AB"])
    r = map_reduce(backend, Context.from_str(TEXT), [(0, 10), (10, 20), (20, 30)], "code?", value_score("6151-YC"),
                   program=FIRST_PROGRAM)
    # Two distinct answers (case and punctuation aside): the fourth reply is the reduce call's.
    assert (r.answer, r.correct, r.sub_calls) == ("1234-AB", False, 4)
    assert "- 1234-AB\n- 6151-YC" in backend.sub_prompts[3]


def test_chunk_bench_runs_the_program_per_strategy_from_the_same_start(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "doc.txt"
    path.write_text(TEXT, encoding="utf-8")
    n = len(list(chunk_spans(TEXT, "chars", 2000)))
    replay = tmp_path / "replay.json"
    assert n == 3 and 2000 < TEXT.index("6151-YC") < 4000  # the code is in the second chunk
    replay.write_text(json.dumps({"turns": [], "sub": ["NONE", "6151-YC", "NONE", "6151-YC"]}))
    code = rlm_main(["chunk-bench", "-f", str(path), "-s", "chars", "-s", "recursive", "--size", "2000",
                     "--task", "What is the secret code?", "--answer", "6151-YC",
                     "--model", f"replay:{replay}", "--json", "-q"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 0
    # The replay restarts for each strategy, as a seeded model does: the same replies in order.
    assert rows[0]["answer"] == "6151-YC" and rows[0]["correct"] and rows[0]["sub_calls"] == n + 1
    # recursive cuts at line ends, with the code in its second chunk too: the same replies fit.
    assert rows[1]["chunks"] == n and rows[1]["correct"] and rows[1]["sub_calls"] == n + 1


def test_task_without_answer_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "doc.txt"
    path.write_text("x\n", encoding="utf-8")
    assert rlm_main(["chunk-bench", "-f", str(path), "--task", "t"]) == 2
    assert "--task and --answer go together" in capsys.readouterr().err
