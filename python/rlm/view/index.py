"""`rlm eval --trajectories DIR`: a page per run next to its trajectory, and DIR/index.html listing
every run with its score and a link to its page.

The eval calls `write_eval_pages` after every run, so an interrupted eval still has an index of
what it measured. Runs without a trajectory (direct mode, or a run that raised) are listed unlinked.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rlm.view.assets import CSS
from rlm.trajectory import write_atomic
from rlm.view.load import load_run
from rlm.view.render import esc, render_run

if TYPE_CHECKING:  # the eval imports this module, not the other way round
    from rlm.eval.results import RunResult

INDEX_NAME = "index.html"
ANSWER_CHARS = 80


def _short(text: str | None) -> str:
    if text is None:
        return "(none)"
    flat = " ".join(text.split())
    return flat if len(flat) <= ANSWER_CHARS else flat[: ANSWER_CHARS - 1] + "…"


def page_path(trajectory: str | os.PathLike[str]) -> Path:
    """Where a trajectory's page goes: next to it, `.html` for `.json`.

    >>> page_path("runs/needle-32K-s0-m.json").name
    'needle-32K-s0-m.html'
    """
    return Path(trajectory).with_suffix(".html")


def _ensure_page(trajectory: Path) -> Path:
    """Render the trajectory's page unless it is newer than the trajectory already."""
    page = page_path(trajectory)
    if not page.exists() or page.stat().st_mtime < trajectory.stat().st_mtime:
        write_atomic(page, render_run(load_run(trajectory), back_link=INDEX_NAME))
    return page


def render_index(runs: Sequence[RunResult], links: Sequence[str | None],
                 title: str = "rlm eval") -> str:
    """The index page: a headline (solved, mean score) and one row per run, linked when it has a page.

    >>> class R: task_id="t"; mode="rlm"; model="m"; score=1.0; answer="42"; expected=["42"]; \\
    ...     iterations=2; total_tokens=9; elapsed=1.0; error=None; trajectory=None
    >>> 'class="solved"' in render_index([R()], [None])  # type: ignore[list-item]
    True
    """
    solved = sum(r.score >= 1.0 for r in runs)
    mean = sum(r.score for r in runs) / len(runs) if runs else 0.0
    rows = []
    for r, link in zip(runs, links):
        name = esc(r.task_id)
        cell = f'<a href="{esc(link)}">{name}</a>' if link else name
        status = "solved" if r.score >= 1.0 else "failed"
        note = esc(_short(r.error)) if r.error else ""
        rows.append(
            f'<tr class="{status}"><td>{cell}</td><td>{esc(r.mode)}</td><td>{esc(r.model)}</td>'
            f'<td class="num score">{r.score:.2f}</td><td>{esc(_short(r.answer))}</td>'
            f"<td>{esc(', '.join(r.expected))}</td><td class=\"num\">{r.iterations}</td>"
            f'<td class="num">{r.total_tokens:,}</td><td class="num">{r.elapsed:.1f} s</td>'
            f"<td>{note}</td></tr>"
        )
    head = ("<tr><th>task</th><th>mode</th><th>model</th><th>score</th><th>answer</th>"
            "<th>expected</th><th>turns</th><th>tokens</th><th>time</th><th>note</th></tr>")
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n"
        f'<body data-runs="{len(runs)}"><h1>{esc(title)}</h1>'
        f'<p id="headline">{len(runs)} runs · solved {solved}/{len(runs)} · '
        f"mean score {mean:.2f}</p>"
        f'<table class="runs" id="runs">{head}{"".join(rows)}</table></body></html>\n'
    )


def write_eval_pages(directory: Path, runs: Sequence[RunResult], title: str = "rlm eval") -> Path:
    """Render each run's page (when missing or stale) and rewrite `directory/index.html`.

    >>> # write_eval_pages(Path("trajectories"), results)  -> trajectories/index.html
    """
    directory.mkdir(parents=True, exist_ok=True)
    links: list[str | None] = []
    for r in runs:
        link = None
        if r.trajectory and Path(r.trajectory).is_file():
            page = _ensure_page(Path(r.trajectory))
            link = os.path.relpath(page, directory)
        links.append(link)
    index = directory / INDEX_NAME
    write_atomic(index, render_index(runs, links, title))
    return index


__all__ = ["INDEX_NAME", "page_path", "render_index", "write_eval_pages"]
