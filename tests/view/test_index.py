"""`rlm eval --trajectories DIR` writes a page per run and DIR/index.html with every score."""

from __future__ import annotations

from pathlib import Path

from rlm.backends.replay import ReplayBackend
from rlm.eval.runner import run_eval
from rlm.eval.tasks import make_task

from .conftest import DOM

ANSWER_FROM_SEARCH = [
    "```python\nhits = [ln for ln in context.splitlines() if 'deployment is' in ln]\nprint(hits)\n```",
    "```python\nimport re\nFINAL(re.search(r'\\d{4}-[A-Z]{2}', hits[0]).group())\n```",
]


def test_an_eval_with_trajectories_writes_an_index_of_its_runs(tmp_path: Path) -> None:
    tasks = [make_task("needle", 32 * 1024, seed=s, cache_dir=tmp_path / "cache") for s in range(2)]
    out = tmp_path / "traj"
    results = run_eval(ReplayBackend(ANSWER_FROM_SEARCH), tasks, ["rlm"], model="replay",
                       trajectory_dir=out, progress=None)
    dom = DOM((out / "index.html").read_text())
    assert dom.one(id="headline").text == "2 runs · solved 2/2 · mean score 1.00"
    links = [a.attrs["href"] for a in dom.find("a")]
    assert links == [Path(r.trajectory or "").with_suffix(".html").name for r in results]
    for link, task in zip(links, tasks):
        page = DOM((out / link).read_text())
        assert page.one(id="answer").text == task.expected[0]
        assert len(page.find("li", cls="turn")) == 2


def test_the_index_is_rewritten_after_each_run_so_an_interrupted_eval_keeps_one(tmp_path: Path) -> None:
    tasks = [make_task("needle", 32 * 1024, seed=s, cache_dir=tmp_path / "cache") for s in range(2)]
    seen: list[int] = []

    class Watching(ReplayBackend):
        def reset(self) -> None:  # called at the start of each run: the index holds the runs before
            index = tmp_path / "traj" / "index.html"
            seen.append(int(DOM(index.read_text()).one(tag="body").attrs["data-runs"] or 0)
                        if index.exists() else 0)
            super().reset()

    run_eval(Watching(ANSWER_FROM_SEARCH), tasks, ["rlm"], model="replay",
             trajectory_dir=tmp_path / "traj", progress=None)
    assert seen[0] == 0 and 1 in seen
