"""`rlm chunk-bench`: one row per strategy with real counts, sizes in every unit, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlm import Context
from rlm._core import chunk_spans
from rlm.cli import main as rlm_main

LOG = "".join(f"2024-01-{d % 28 + 1:02d} 10:00:{d % 60:02d} INFO request {d} served in {d % 97} ms\n"
              f"  detail line for {d}\n" for d in range(3000))


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    path = tmp_path / "app.log"
    path.write_text(LOG, encoding="utf-8")
    return path


def test_json_rows_count_the_chunks_the_chunker_makes(log_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = rlm_main(["chunk-bench", "-f", str(log_file), "-s", "chars", "-s", "lines", "-s", "structural",
                     "--size", "2000", "--overlap", "100", "--json", "-q"])
    rows = {r["strategy"]: r for r in json.loads(capsys.readouterr().out)}
    assert code == 0 and list(rows) == ["chars", "lines", "structural"]
    ctx = Context.from_str(LOG)
    for by, r in rows.items():
        spans = list(chunk_spans(ctx, by, r["size"], r["overlap"]))
        assert r["chunks"] == len(spans)
        lengths = sorted(e - s for s, e in spans)
        assert (r["chars_min"], r["chars_max"]) == (lengths[0], lengths[-1])
        assert r["seconds"] > 0 and r["mb_per_s"] > 0
    # Sizes are characters for every strategy: lines get that many characters' worth of lines.
    assert rows["chars"]["size"] == 2000 and rows["lines"]["unit"] == "lines"
    assert rows["lines"]["size"] == round(2000 / (len(LOG) / LOG.count("\n")))
    assert rows["structural"]["chars_max"] <= 2000


def test_the_table_has_a_row_per_strategy_and_says_when_tokens_are_missing(
        log_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import rlm.chunk_bench

    monkeypatch.setattr(rlm.chunk_bench, "default_tokenizer", lambda: None)
    assert rlm_main(["chunk-bench", "-f", str(log_file), "-q"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{log_file}: {len(LOG.encode()):,} bytes, {len(LOG):,} characters, 6,000 lines")
    assert [line.split(" | ")[0] for line in out[3:7]] == ["| chars", "| lines", "| recursive", "| structural"]
    assert all(line.endswith("| — |") for line in out[3:7])
    assert "no tokenizer" in out[-1]


@pytest.mark.parametrize("argv, message", [
    (["--size", "1"], "need --size >= 2"),
    (["--overlap", "50", "--size", "50"], "0 <= --overlap < --size"),
])
def test_bad_sizes_are_usage_errors(log_file: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                                    message: str) -> None:
    assert rlm_main(["chunk-bench", "-f", str(log_file), *argv]) == 2
    assert message in capsys.readouterr().err


def test_a_missing_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert rlm_main(["chunk-bench", "-f", str(tmp_path / "nope.txt")]) == 2
    assert capsys.readouterr().err.startswith("rlm chunk-bench: error: ")


class _Terminal(__import__("io").StringIO):
    """A stderr that says it is a terminal, so the progress bar draws."""

    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_progress_bar_on_stderr_and_quiet_or_a_pipe_none(
        log_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.delenv("RLM_PROGRESS", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    args = ["chunk-bench", "-f", str(log_file), "-s", "lines", "--size", "2000", "--json"]
    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    assert rlm_main(args) == 0
    assert "chunking" in term.getvalue() and "\x1b[" in term.getvalue()  # the bar, drawn
    assert json.loads(capsys.readouterr().out)[0]["strategy"] == "lines"  # stdout: the rows only
    quiet = _Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    assert rlm_main([*args, "-q"]) == 0 and "\x1b[" not in quiet.getvalue()
