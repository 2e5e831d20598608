"""Progress bars: drawn on a terminal's stderr only, never with --quiet, never on stdout."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from rlm.models import cli as models_cli
from rlm.models.fetch import DownloadMeter
from rlm.progress import Progress, ProgressReader, progress_enabled, track


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _plain_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RLM_PROGRESS", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")


def test_bars_are_on_only_for_a_terminal_and_not_quiet() -> None:
    assert progress_enabled(Terminal()) is True
    assert progress_enabled(io.StringIO()) is False
    assert progress_enabled(Terminal(), quiet=True) is False


def test_bars_are_off_for_a_dumb_terminal_the_environment_switch_and_closed_streams(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "dumb")
    assert progress_enabled(Terminal()) is False
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("RLM_PROGRESS", "0")
    assert progress_enabled(Terminal()) is False
    monkeypatch.delenv("RLM_PROGRESS")
    closed = open(__file__)  # noqa: SIM115 - a real file, closed: isatty raises ValueError
    closed.close()
    assert progress_enabled(closed) is False  # type: ignore[arg-type]


def test_a_bar_on_a_terminal_draws_its_description_and_log_lines_and_nothing_on_stdout(capsys) -> None:
    term = Terminal()
    with Progress("eval 0/2", total=2, stream=term) as bar:
        assert bar.enabled
        bar.log("eval: first run done")
        bar.advance(description="eval 1/2 · mean score 1.00")
        bar.advance()
    drawn = term.getvalue()
    assert "eval: first run done" in drawn and "mean score 1.00" in drawn
    assert "\x1b[" in drawn and "━" in drawn  # ANSI control and the bar itself
    assert "2/2" in drawn
    assert capsys.readouterr().out == ""


def test_with_the_bar_off_log_lines_are_plain_and_nothing_else_is_written() -> None:
    plain = io.StringIO()
    with Progress("work", total=3, stream=plain) as bar:
        assert not bar.enabled
        bar.advance(2)
        bar.log("one line")
    assert plain.getvalue() == "one line\n" and bar.completed == 2.0


def test_quiet_wins_over_a_forced_bar() -> None:
    term = Terminal()
    with Progress("work", total=1, stream=term, enabled=True, quiet=True) as bar:
        bar.advance()
    assert not bar.enabled and term.getvalue() == ""


def test_byte_bars_show_sizes() -> None:
    term = Terminal()
    with Progress("downloading", total=2_000_000, unit="bytes", stream=term) as bar:
        bar.advance(1_000_000)
    assert "MB" in term.getvalue()


def test_track_and_the_reader_count_what_passes_through() -> None:
    assert list(track(["a", "b"], "items", stream=io.StringIO())) == ["a", "b"]
    bar = Progress("copy", unit="bytes", stream=io.StringIO())
    sink = io.BytesIO()
    import shutil

    shutil.copyfileobj(ProgressReader(io.BytesIO(b"x" * 5000), bar), sink, 1024)
    assert bar.completed == 5000 and sink.getvalue() == b"x" * 5000


def test_pips_raw_progress_lines_add_up_over_several_files() -> None:
    meter = DownloadMeter()
    lines = ["Collecting part1", "Progress 0 of 100", "Progress 60 of 100", "Progress 100 of 100",
             "Saved part1.whl", "Progress 0 of 50", "Progress 50 of 50"]
    assert [meter.feed(line) for line in lines] == [None, 0, 60, 100, None, 100, 150]


def test_the_eval_bar_shows_the_running_score_on_a_terminal_only(tmp_path: Path) -> None:
    from rlm.backends.replay import ReplayBackend
    from rlm.eval.runner import run_eval
    from rlm.eval.tasks import make_task

    tasks = [make_task("needle", 32 * 1024, seed=s, cache_dir=tmp_path) for s in range(2)]
    turns = ["```python\nFINAL('0000-AA')\n```"]
    term, plain = Terminal(), io.StringIO()
    run_eval(ReplayBackend(turns), tasks, ["rlm"], model="replay", progress=term)
    run_eval(ReplayBackend(turns), tasks, ["rlm"], model="replay", progress=plain)
    assert "eval 2/2 · solved 0 · mean score 0.00" in term.getvalue()
    lines = plain.getvalue().splitlines()
    assert len(lines) == 4 and all(line.startswith("eval: [") for line in lines)
    assert "\x1b[" not in plain.getvalue()


def test_rlm_eval_quiet_writes_nothing_to_stderr(tmp_path: Path, capsys) -> None:
    import json

    from rlm.eval import cli as eval_cli

    replay = tmp_path / "replay.json"
    replay.write_text(json.dumps({"turns": ["```python\nFINAL('x')\n```"]}))
    code = eval_cli.main(["--model", f"replay:{replay}", "--seeds", "1", "--quiet",
                          "--cache-dir", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 0 and captured.err == "" and captured.out.startswith("| model |")


def test_rlm_models_install_draws_bars_only_on_a_terminal_without_quiet(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(models_cli, "install", lambda name, **kw: calls.append(kw) or "/m")
    monkeypatch.setattr("sys.stderr", Terminal())
    models_cli.main(["install"])
    models_cli.main(["install", "--quiet"])
    monkeypatch.setattr("sys.stderr", io.StringIO())
    models_cli.main(["install"])
    assert [c["bars"] for c in calls] == [True, False, False]


def test_a_reader_starts_its_bar_only_past_the_threshold() -> None:
    term = Terminal()
    bar = Progress("stdin", unit="bytes", stream=term, transient=True)
    reader = ProgressReader(io.BytesIO(b"x" * 3000), bar, start_after=2048)
    reader.read(1024)
    assert term.getvalue() == ""  # small so far: nothing drawn
    reader.read(2048)
    bar.close()
    assert "\x1b[" in term.getvalue() and bar.completed == 3000


def test_rlm_draws_nothing_on_stderr_for_a_small_piped_context(tmp_path: Path, monkeypatch,
                                                               capsys) -> None:
    import json
    import sys

    from rlm import cli

    replay = tmp_path / "replay.json"
    replay.write_text(json.dumps({"turns": ["```python\nFINAL(context[:2])\n```"]}))

    class Stdin:
        buffer = io.BytesIO(b"42 and more")

        def isatty(self) -> bool:
            return False

    monkeypatch.setattr(sys, "stdin", Stdin())
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert cli.main(["-t", "code?", "--model", f"replay:{replay}"]) == 0
    assert capsys.readouterr().out == "42\n"
    assert sys.stderr.getvalue() == ""  # type: ignore[attr-defined]


def test_opening_a_big_context_file_shows_a_spinner_unless_quiet(tmp_path: Path, monkeypatch,
                                                                 capsys) -> None:
    import json
    import sys

    from rlm import cli

    replay = tmp_path / "replay.json"
    replay.write_text(json.dumps({"turns": ["```python\nFINAL(context[:2])\n```"] * 2}))
    ctx = tmp_path / "big.txt"
    ctx.write_text("42 " * 100)
    monkeypatch.setattr(cli, "BIG_CONTEXT_BYTES", 100)  # "big" for the test's sake
    for quiet, shown in [([], True), (["--quiet"], False)]:
        term = Terminal()
        monkeypatch.setattr(sys, "stderr", term)
        assert cli.main(["-t", "code?", "-f", str(ctx), "--model", f"replay:{replay}", *quiet]) == 0
        assert ("opening big.txt" in term.getvalue()) is shown
    assert capsys.readouterr().out == "42\n42\n"
