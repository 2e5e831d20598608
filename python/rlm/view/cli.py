"""`rlm view run.json [-o run.html] [--open]`: write a run's trajectory as one HTML page.

The page's path goes to stdout (so `xdg-open "$(rlm view run.json)"` works); errors are one line
on stderr. Exit codes: 0 written, 1 cannot write, 2 usage or unreadable trajectory.
"""

from __future__ import annotations

import argparse
import sys
import webbrowser
from pathlib import Path

from rlm.errors import RLMError, UsageError, cli_failure
from rlm.view.load import load_run
from rlm.trajectory import write_atomic
from rlm.view.render import render_run


def setup_arg_parser() -> argparse.ArgumentParser:
    """The `rlm view` parser.

    >>> setup_arg_parser().parse_args(["run.json", "-o", "x.html"]).output
    'x.html'
    """
    p = argparse.ArgumentParser(
        prog="rlm view",
        description="Render a trajectory (rlm -o run.json, rlm eval --trajectories DIR, or the "
        "output of rlm --json) as one self-contained HTML file: no network, safe to share.",
    )
    p.add_argument("trajectory", metavar="RUN.json", help="the trajectory file")
    p.add_argument("--output", "-o", metavar="HTML",
                   help="where to write the page (default: RUN.html next to RUN.json)")
    p.add_argument("--open", action="store_true", help="open the page in the default browser")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run `rlm view ARGV...`; returns the exit code.

    >>> # main(["run.json"])  -> prints run.html, returns 0
    """
    args = setup_arg_parser().parse_args(argv)
    try:
        source = Path(args.trajectory)
        run = load_run(source)
        out = Path(args.output) if args.output else source.with_suffix(".html")
        if out.resolve() == source.resolve():
            raise UsageError(f"the page would overwrite the trajectory {source}: give -o HTML")
        try:
            write_atomic(out, render_run(run))
        except OSError as e:
            raise RLMError(f"cannot write {out}: {e.strerror or e}") from None
    except (RLMError, KeyboardInterrupt) as exc:
        return cli_failure("rlm view", exc)
    print(out)
    if args.open:
        webbrowser.open(out.resolve().as_uri())
    return 0


if __name__ == "__main__":
    sys.exit(main())
