"""Reading trajectories: every exit path of a real run, older and newer versions, odd content."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlm.backends.replay import ReplayBackend
from rlm.config import RLMConfig
from rlm import rlm_generate
from rlm.errors import UsageError
from rlm.view.load import load_run, normalise
from rlm.view.render import render_run

from .conftest import DOM, block


def test_an_answered_run_reads_back_with_its_turns_sub_calls_and_timings(replay_run) -> None:
    path = replay_run([block("a = llm_query('q: ' + context[:10])\nprint(a)"), block("FINAL(a)")],
                      sub=["forty-two"])
    run = load_run(path)
    assert (run.status, run.answer, run.error, run.version) == ("answered", "forty-two", None, 1)
    assert [t.number for t in run.turns] == [1, 2]
    first, second = run.turns
    assert first.code == "a = llm_query('q: ' + context[:10])\nprint(a)\n"
    assert first.output == "forty-two\n"
    assert first.sub_calls[0].prompt == "q: filler\nfil" and first.sub_calls[0].response == "forty-two"
    assert first.prefill_tokens > 0 and first.generated_tokens > 0 and first.feedback
    assert second.final == "forty-two" and second.final_source == "code"
    assert run.context["chars"] == 373 and run.totals["iterations"] == 2 and run.notes == []


def test_an_exhausted_run_marks_its_best_answer_turn_as_a_budget_stop(replay_run) -> None:
    run = load_run(replay_run([block("print(1)"), block("print(2)")], max_iterations=1))
    assert run.status == "exhausted" and run.exhausted and run.answer is None
    assert "max_iterations (1)" in (run.error or "")
    assert run.turns[1].last_turn
    assert [i["kind"] for i in run.turns[1].interventions] == ["budget_stop"]


def test_the_engines_resamples_of_a_repeated_turn_are_read_as_interventions(replay_run) -> None:
    repeat = block("print(context[:5])")
    run = load_run(replay_run([repeat, repeat, repeat, block("FINAL('x')")]))
    assert run.mode == "rlm" and run.answer == "x"
    kinds = [(i["kind"], i.get("attempt")) for i in run.turns[1].interventions]
    assert kinds == [("resample", 1), ("resample", 2)]
    assert "repeats the code of turn 1" in run.turns[1].interventions[0]["reason"]


def test_a_direct_mode_run_is_one_turn_without_code(replay_run) -> None:
    run = load_run(replay_run([], sub=["The code is 42."], mode="direct"))  # one sub-style call
    assert run.mode == "direct" and run.answer == "The code is 42." and len(run.turns) == 1
    assert run.turns[0].code is None and run.turns[0].final_source == "direct"


def test_an_error_run_keeps_the_turns_before_the_error(replay_run) -> None:
    run = load_run(replay_run([block("x = 1")]))
    assert run.status == "error" and "ran out of turns" in (run.error or "")
    assert run.turns[0].code == "x = 1\n"


class _CtrlCOnSecondTurn(ReplayBackend):
    def generate(self, messages, *args, **kw):  # type: ignore[no-untyped-def, override]
        if len(messages) > 2:
            raise KeyboardInterrupt
        return super().generate(messages, *args, **kw)


def test_an_interrupted_run_reads_back_as_interrupted(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    with pytest.raises(KeyboardInterrupt):
        rlm_generate(backend=_CtrlCOnSecondTurn([block("print(1)"), block("FINAL(1)")]),
                     context="abc", task="t", config=RLMConfig(exec_timeout=10.0),
                     output_trajectory=path)
    run = load_run(path)
    assert run.status == "interrupted" and run.answer is None and "interrupted" in (run.error or "")
    assert len(run.turns) == 2 and run.turns[0].output == "1\n"


def test_a_run_killed_mid_way_still_saying_running_is_flagged() -> None:
    run = normalise({"version": 1, "status": "running", "task": "t", "iterations": [{}]})
    assert run.status == "running" and "killed" in run.notes[0] and len(run.turns) == 1


def test_a_trajectory_without_version_status_or_timings_is_read_from_older_field_names() -> None:
    run = normalise({"task": "t", "iterations": [
        {"iteration": 1, "code": "print(1)", "output": "1\n", "generate_seconds": 2.0,
         "execute_seconds": 0.5, "generation_tokens": 10, "prompt_tokens": 50},
        {"iteration": 2, "code": "FINAL(1)", "final": "1"}]})
    assert run.version is None and "no trajectory version" in run.notes[0]
    assert run.status == "answered" and run.answer == "1"
    first = run.turns[0]
    assert (first.generate_seconds, first.execute_seconds) == (2.0, 0.5)
    assert first.generated_tokens == 10 and first.prefill_tokens == 50
    assert first.tokens_per_second == 5.0


def test_a_newer_version_is_read_with_a_note() -> None:
    run = normalise({"version": 7, "status": "answered", "answer": "x", "iterations": []})
    assert run.answer == "x" and "newer than this viewer" in run.notes[0]


def test_rlm_json_output_is_read_through_to_its_trajectory() -> None:
    run = normalise({"answer": "x", "trajectory": {"version": 1, "task": "inner", "answer": "x",
                                                   "status": "answered", "iterations": []}})
    assert run.task == "inner" and run.status == "answered"


def test_a_replay_file_shows_its_turns_as_text() -> None:
    run = normalise({"turns": ["```python\nprint(1)\n```"]})
    assert run.turns[0].text.startswith("```python") and "replay file" in run.notes[-1]


def test_junk_values_read_as_empty_instead_of_failing() -> None:
    run = normalise({"version": True, "task": ["not", "text"], "context": "big", "totals": 3,
                     "elapsed": "soon", "iterations": [
                         {"prompt_tokens": "many", "timings": {"generate": None},
                          "llm_calls": [None, {"prompt": 5}], "restored_names": "context",
                          "interventions": ["repeat", {"type": "resample", "temp": 0.7}]},
                         "just text"]})
    assert run.task == '["not", "text"]' and run.context == {} and run.totals == {}
    assert run.elapsed is None and run.version is None
    t = run.turns[0]
    assert t.prompt_tokens == 0 and t.generate_seconds == 0.0 and t.restored_names == []
    assert [c.prompt for c in t.sub_calls] == ["", "5"]
    assert t.interventions == [{"kind": "repeat"}, {"type": "resample", "temp": 0.7}]
    assert run.turns[1].text == "just text"


def test_listed_interventions_come_first_and_implied_ones_are_not_repeated() -> None:
    run = normalise({"version": 1, "iterations": [{
        "restored_names": ["context"], "timed_out": True,
        "interventions": [{"kind": "restored_names", "names": "context", "by": "worker"}]}]})
    assert run.turns[0].interventions == [
        {"kind": "restored_names", "names": "context", "by": "worker"},
        {"kind": "timeout", "detail": "the execution hit its time limit"}]


@pytest.mark.parametrize(("content", "message"), [
    (None, "trajectory not found"), ("{not json", "is not JSON"), ("[1, 2]", "must hold a JSON object, not list")])
def test_unreadable_files_are_usage_errors(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "t.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(UsageError, match=message):
        load_run(path)


def test_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is a directory"):
        load_run(tmp_path)


def test_the_trajectory_writer_and_the_reader_agree_on_every_iteration_field(replay_run) -> None:
    # A field the writer adds must be read (or deliberately ignored) here: this lists them.
    data = json.loads(replay_run([block("FINAL(1)")]).read_text())
    read = {"iteration", "prompt_tokens", "prefill_tokens", "generated_tokens", "finish_reason",
            "text", "code", "output", "output_chars", "output_truncated", "error", "timed_out",
            "restarted", "restored_names", "final", "final_source", "llm_calls", "feedback",
            "last_turn", "timings", "interventions"}
    assert set(data["iterations"][0]) <= read


def test_a_real_trajectory_from_before_interventions_and_mode_were_recorded_renders() -> None:
    # Written by the bundled 0.5B through `rlm eval --trajectories` before loop control (no
    # `interventions` per turn, no `mode`): the run behind docs/viewer.png.
    path = Path(__file__).parent / "data" / "before-interventions-0.5b-multi.json"
    run = load_run(path)
    assert (run.version, run.status, run.mode, run.notes) == (1, "answered", None, [])
    assert run.answer == "8546-QZ, 6768-LJ, 7065-UZ, 5118-MT"
    assert [t.interventions for t in run.turns] == [[], []]
    assert round(run.turns[0].tokens_per_second or 0, 2) == 1.42  # 34 tokens in 24.0 s
    dom = DOM(render_run(run))
    assert len(dom.find("li", cls="turn")) == 2 and dom.one(id="answer").text == run.answer
    assert "mode" not in [dt.text for dt in dom.find("dt")]
