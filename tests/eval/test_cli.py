"""`rlm eval` command line: generation, saved reports, usage errors, a run with a stand-in model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlm.eval import cli


def test_generate_only_prints_one_line_per_task(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["--kind", "needle,aggregate", "--size", "4K", "--seeds", "2",
                     "--generate-only", "--cache-dir", str(tmp_path)])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0 and len(lines) == 4
    ident, path, question, expected = lines[0].split("\t")
    assert ident == "needle-4K-s0" and Path(path).stat().st_size >= 4096 and question.endswith("?")


@pytest.mark.parametrize("argv", [["--kind", "haystack"], ["--size", "12Q"], ["--mode", "guess"],
                                  ["--seeds", "0"]])
def test_bad_arguments_exit_with_usage_error(
    tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([*argv, "--cache-dir", str(tmp_path), "--generate-only"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rlm eval: error: ") and len(err.splitlines()) == 1


def test_a_run_writes_results_and_prints_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    reading_backend: type,
) -> None:
    monkeypatch.setattr(cli, "load_backend", lambda model, **kw: reading_backend(context_window=50_000))
    out = tmp_path / "r.json"
    code = cli.main(["--kind", "multi", "--size", "32K", "--seeds", "2", "--mode", "direct",
                     "--cache-dir", str(tmp_path), "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 0
    assert "| scripted | multi | 32K | direct | 2/2 |" in captured.out
    assert "[2/2] multi-32K-s1 direct: score 1.00" in captured.err
    data = json.loads(out.read_text())
    assert data["settings"]["modes"] == ["direct"] and len(data["runs"]) == 2

    assert cli.main(["--report", str(out)]) == 0
    assert "| scripted | multi | 32K | direct | 2/2 |" in capsys.readouterr().out


def test_list_names_every_kind_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from rlm.eval.tasks import KINDS

    assert cli.main(["--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split()[0] for ln in lines] == list(KINDS)
    assert all(len(ln.split()) > 3 for ln in lines)


def test_kind_all_generates_every_synthetic_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rlm.eval.tasks import FAMILIES

    assert cli.main(["--kind", "all", "--size", "4K", "--seeds", "1", "--generate-only",
                     "--cache-dir", str(tmp_path)]) == 0
    ids = {ln.split("\t")[0] for ln in capsys.readouterr().out.splitlines()}
    assert {f"{k}-4K-s0" for k, f in FAMILIES.items() if not f.real} <= ids
