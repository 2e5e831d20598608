"""The runner in rlm mode: the real engine and REPL driven by replayed model turns."""

from __future__ import annotations

import json
from pathlib import Path

from rlm.backends.replay import ReplayBackend
from rlm.config import RLMConfig
from rlm.eval import cli
from rlm.eval.runner import run_eval
from rlm.eval.tasks import make_task

# A model that searches for the needle's wording, then answers with the code it printed.
SEARCH_THEN_ANSWER = [
    "```python\nhits = [ln for ln in context.splitlines() if 'deployment is' in ln]\nprint(hits)\n```",
    "```python\nimport re\nFINAL(re.search(r'\\d{4}-[A-Z]{2}', hits[0]).group())\n```",
]


def test_rlm_mode_scores_the_engines_answer_and_keeps_its_bookkeeping(tmp_path: Path) -> None:
    tasks = [make_task("needle", 32 * 1024, seed=s, cache_dir=tmp_path) for s in range(2)]
    results = run_eval(ReplayBackend(SEARCH_THEN_ANSWER), tasks, ["rlm"], model="replay",
                       trajectory_dir=tmp_path / "traj", progress=None)
    for task, r in zip(tasks, results):
        assert (r.answer, r.score, r.error) == (task.expected[0], 1.0, None)
        assert r.iterations == 2 and r.total_tokens > 0 and r.elapsed > 0
        assert r.trajectory is not None
        saved = json.loads(Path(r.trajectory).read_text())
        assert task.question in json.dumps(saved)


def test_a_wrong_final_answer_scores_zero_without_an_error(tmp_path: Path) -> None:
    task = make_task("needle", 32 * 1024, seed=0, cache_dir=tmp_path)
    backend = ReplayBackend(["```python\nFINAL('0000-AA')\n```"])
    # Without the grounding check, which would question an answer that occurs nowhere.
    config = RLMConfig(check_answers=False)
    [r] = run_eval(backend, [task], ["rlm"], model="replay", progress=None, config=config)
    assert r.answer == "0000-AA" and r.score == 0.0 and r.error is None and r.iterations == 1


def test_a_run_without_an_answer_is_recorded_with_its_error(tmp_path: Path) -> None:
    task = make_task("aggregate", 32 * 1024, seed=0, cache_dir=tmp_path)
    backend = ReplayBackend(["```python\nprint(len(context))\n```"])  # then runs out of turns
    [r] = run_eval(backend, [task], ["rlm"], model="replay", progress=None)
    assert r.score == 0.0 and r.answer is None and r.error


def test_cli_runs_rlm_mode_with_a_replay_model(tmp_path: Path) -> None:
    replay = tmp_path / "turns.json"
    replay.write_text(json.dumps({"turns": SEARCH_THEN_ANSWER}))
    out = tmp_path / "r.json"
    code = cli.main(["--model", f"replay:{replay}", "--kind", "needle", "--size", "32K",
                     "--seeds", "3", "--cache-dir", str(tmp_path), "-o", str(out)])
    assert code == 0
    summary = json.loads(out.read_text())["summary"]
    assert [(row["mode"], row["solved"], row["runs"]) for row in summary] == [("rlm", 3, 3)]
