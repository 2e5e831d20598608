"""Every way the engine steps in, recorded by a real (replayed) run, is shown on that turn's card.

The runs go through the real loop, REPL and loop control (python/rlm/loop_control.py), so these
tests break when the engine records an intervention the page does not show, or shows it wrongly.
"""

from __future__ import annotations

from rlm.backends.replay import ReplayBackend
from rlm.config import RLMConfig
from rlm import rlm_generate
from rlm.engine import STEER_SEARCH
from rlm.prompts import ASSISTANT_PREFIX
from rlm.view.load import Run, load_run, normalise
from rlm.view.render import render_run

from .conftest import DOM, block

SECRET = "filler\n" * 50 + "The secret code is 42.\n"
ANSWER = block("FINAL(context[-4:-2])")


def badges(run: Run) -> dict[int, list[tuple[str, str]]]:
    """Turn number -> [(data-kind, badge text), ...], read from the rendered page."""
    shown: dict[int, list[tuple[str, str]]] = {}
    turn = 0
    for el in DOM(render_run(run)).elements:
        if el.tag == "li" and "turn" in el.classes:
            turn = int(el.attrs["data-turn"] or 0)
            shown[turn] = []
        elif el.tag == "li" and "data-kind" in el.attrs:
            shown[turn].append((el.attrs["data-kind"] or "", el.text))
    return shown


def test_reserved_names_the_code_rebound_are_shown_as_restored(replay_run) -> None:
    run = load_run(replay_run([block("context = 5\nprint(len(grep('secret')))"), ANSWER]))
    assert run.answer == "42"
    assert badges(run) == {1: [("restored_names", "names restored names: context")], 2: []}


def test_resamples_a_repeat_not_run_the_stop_and_the_best_answer_turn_are_all_shown(
        replay_run) -> None:
    run = load_run(replay_run([block("x = 1")] * 8 + [ANSWER]))
    assert run.status == "exhausted" and run.answer == "42"
    shown = badges(run)
    resampled = ("resample", "resampled reason: repeats the code of turn 1; attempt: 1; temp: 0.8")
    assert shown[1] == []
    assert shown[2] == [resampled, ("resample", resampled[1].replace("attempt: 1", "attempt: 2")),
                        ("repeat_not_run", "repeat not run turn: 1")]
    assert shown[3][-1] == ("stop_no_progress", "stopped: no progress stalls: 3")
    # The best-answer turn says why it came: no progress, not a budget.
    assert shown[4][-1] == ("budget_stop", "budget stop detail: 3 turns without progress: "
                                           "best-answer turn")


def test_a_turn_budget_that_ran_out_shows_a_budget_stop_on_the_best_answer_turn(replay_run) -> None:
    run = load_run(replay_run([block("print(grep('secret'))"), ANSWER], max_iterations=1))
    assert run.exhausted and run.answer == "42"
    assert badges(run)[2] == [("budget_stop", "budget stop detail: a budget ran out: best-answer turn")]


def test_an_answer_the_engine_questioned_is_shown_with_the_answer_it_did_not_take(replay_run) -> None:
    run = load_run(replay_run([block("FINAL('the secret code')"), ANSWER]))
    assert run.answer == "42"
    assert badges(run)[1] == [("check_answer", "answer questioned answer: the secret code")]
    first = run.turns[0]
    assert first.final is None and "the secret code" in (first.feedback or "")


def test_a_degenerate_turn_shows_where_the_engine_cut_it(replay_run) -> None:
    runaway = "```python\nprint('looking')\n" + "print(context[:10])\n" * 30
    run = load_run(replay_run([runaway, ANSWER]))
    (kind, text), = badges(run)[1]
    assert kind == "cut_degenerate" and text.startswith("cut: repeating itself generated_tokens: ")
    assert run.turns[0].code == "print('looking')\nprint(context[:10])\n"


class _ContinuesThePrefix(ReplayBackend):
    """A replay that continues the engine's assistant prefix, as the MLX backend does: the only
    kind of backend whose turns the engine can steer."""

    supports_assistant_prefix = True


def test_a_turn_the_engine_started_for_the_model_is_shown_as_steered(tmp_path) -> None:
    p = ASSISTANT_PREFIX
    path = tmp_path / "steered.json"
    rlm_generate(backend=_ContinuesThePrefix([p + "print(1234)\n```",
                                              p + STEER_SEARCH + 'secret"))\n```',
                                              p + "FINAL(context[-4:-2])\n```"]),
                 context=SECRET, task="Find the secret code",
                 config=RLMConfig(search_hints=False, exec_timeout=10.0), output_trajectory=path)
    run = load_run(path)
    assert run.answer == "42"
    assert badges(run)[2] == [("steer", f"steered start start: {STEER_SEARCH}")]
    assert (run.turns[1].code or "").startswith(STEER_SEARCH)


def test_kinds_the_viewer_does_not_know_show_as_the_engine_named_them() -> None:
    run = normalise({"version": 1, "iterations": [{"interventions": [
        {"kind": "future_kind", "why": "new"}, {"kind": "resample", "attempt": 1}]}]})
    assert badges(run)[1] == [("future_kind", "future_kind why: new"),
                              ("resample", "resampled attempt: 1")]


def test_a_direct_run_whose_context_did_not_fit_shows_how_much_the_model_read(tmp_path) -> None:
    backend = ReplayBackend([], sub=["The code is 42."])
    backend.context_window = 4096
    path = tmp_path / "direct.json"
    rlm_generate(backend=backend, context="filler " * 20_000 + "The secret code is 42.",
                 task="Find the secret code", config=RLMConfig(mode="direct"),
                 output_trajectory=path)
    run = load_run(path)
    (kind, text), = badges(run)[1]
    assert run.mode == "direct" and kind == "direct_truncated"
    assert text.startswith("context cut to fit chars_seen: ") and text.endswith("; chars: 140022")
