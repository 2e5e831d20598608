"""`rlm view`: a run's trajectory as one self-contained HTML page (and an index for `rlm eval`).

    >>> from rlm.view import load_run, render_run  # doctest: +SKIP
    >>> Path("run.html").write_text(render_run(load_run("run.json")))  # doctest: +SKIP
"""

from rlm.view.load import Run, Turn, load_run, normalise
from rlm.view.render import render_run

__all__ = ["Run", "Turn", "load_run", "normalise", "render_run"]
