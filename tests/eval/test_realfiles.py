"""Real-file families: the context is real files with `# FILE:` headers, and every answer is
re-derived here from the written context by splitting it at its headers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rlm.eval import cli, realfiles
from rlm.eval.realfiles import SourceUnavailable
from rlm.eval.tasks import Task, make_task

SIZES = [32 * 1024, 1 << 20]


def need(kind: str) -> None:
    if not realfiles.sources(kind):
        pytest.skip(f"this machine has no source files for {kind}")


def sections(task: Task) -> dict[str, str]:
    """{path: text} of the context, split at its `# FILE: path` header lines."""
    text = task.context.read_text(encoding="utf-8")
    assert len(text) == task.size and text.startswith("# FILE: ")
    parts = re.split(r"^# FILE: (.+)\n", text, flags=re.M)
    assert parts[0] == ""
    out = dict(zip(parts[1::2], parts[2::2]))
    assert len(out) == len(parts) // 2 >= 2  # several files, no path twice
    return out


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("seed", range(6))
def test_licenses_answer_is_computed_from_the_files_in_the_context(
    tmp_path: Path, seed: int, size: int
) -> None:
    need("licenses")
    task = make_task("licenses", size, seed, cache_dir=tmp_path)
    files = sections(task)
    assert all(p.startswith(("/usr/share/common-licenses/", "/usr/share/doc/")) for p in files)
    phrase = re.search(r'phrase "(.+)"\?', task.question)
    if phrase:
        holders = [p for p, t in files.items() if phrase.group(1) in t]
        assert holders == list(task.expected) and set(task.candidates) == set(files)
        assert task.score(f"It is {holders[0]}.") == 1.0
    else:
        word = re.search(r'the word "(\w+)"', task.question)
        assert word, task.question
        n = sum(bool(re.search(rf"\b{word.group(1)}\b", t, re.I)) for t in files.values())
        assert task.expected == (str(n),) and n >= 2


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("seed", range(8))
def test_pkglog_answer_is_computed_from_the_dpkg_lines_in_the_context(
    tmp_path: Path, seed: int, size: int
) -> None:
    need("pkglog")
    task = make_task("pkglog", size, seed, cache_dir=tmp_path)
    files = sections(task)
    log = files[str(realfiles.DPKG_LOG)]
    assert len(log) <= size // 2 < size  # other real files around it
    rows = re.findall(r"^(\S+) \S+ (install|upgrade) ([^:\s]+)\S* (\S+) (\S+)$", log, re.M)
    if m := re.search(r"installed \(action 'install'\) on (\S+)\?", task.question):
        assert task.expected == (str(sum(r[0] == m.group(1) and r[1] == "install" for r in rows)),)
        return
    package = re.search(r"package (\S+) ", task.question)
    assert package, task.question
    mine = [r for r in rows if r[2] == package.group(1)]
    if "version" in task.question:
        assert task.expected == (mine[-1][4],)
    else:
        assert task.expected == (next(r[0] for r in mine if r[1] == "install"),)
    assert set(task.expected) <= set(task.candidates)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("seed", range(8))
def test_srctree_answer_is_computed_from_the_sources_in_the_context(
    tmp_path: Path, seed: int, size: int
) -> None:
    need("srctree")
    task = make_task("srctree", size, seed, cache_dir=tmp_path)
    files = sections(task)
    assert all(p.endswith(".py") and not p.startswith("/") for p in files)
    if m := re.search(r"defines the (function|class) `(\w+)`", task.question):
        word = "def" if m.group(1) == "function" else "class"
        where = [p for p, t in files.items()
                 if re.search(rf"^[ \t]*{word} {m.group(2)}\s*[(:]", t, re.M)]
        assert where == list(task.expected)
        assert task.score(f"{where[0]}") == 1.0
    else:
        module = re.search(r"module `([\w.]+)`", task.question)
        assert module, task.question
        name = re.escape(module.group(1))
        pattern = rf"^[ \t]*(?:import {name}(?![\w.])|from {name} import\b)"
        n = sum(bool(re.search(pattern, t, re.M)) for t in files.values())
        assert task.expected == (str(n),)


def test_question_types_vary_with_the_seed(tmp_path: Path) -> None:
    need("srctree")
    templates = {make_task("srctree", 32 * 1024, s, cache_dir=tmp_path).template for s in range(9)}
    assert len(templates) >= 2


def test_a_grown_log_gives_a_new_fingerprint(tmp_path: Path) -> None:
    log = tmp_path / "dpkg.log"
    log.write_text("2025-01-01 00:00:00 install a:amd64 <none> 1\n")
    before = realfiles.fingerprint([log])
    with log.open("a") as f:
        f.write("2025-01-02 00:00:00 install b:amd64 <none> 2\n")
    assert realfiles.fingerprint([log]) != before


def test_a_cached_real_task_is_reused_without_reading_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    need("srctree")
    first = make_task("srctree", 32 * 1024, 1, cache_dir=tmp_path)

    def no_rebuild(*args: object) -> None:
        raise AssertionError("rebuilt a cached task")

    monkeypatch.setattr(realfiles, "build", no_rebuild)
    again = make_task("srctree", 32 * 1024, 1, cache_dir=tmp_path)
    assert (again.question, again.expected, again.candidates) == (
        first.question, first.expected, first.candidates)


def test_missing_dpkg_log_is_a_clear_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(realfiles, "DPKG_LOG", tmp_path / "no-dpkg.log")
    with pytest.raises(SourceUnavailable, match="no-dpkg.log"):
        make_task("pkglog", 32 * 1024, 0, cache_dir=tmp_path)


def test_eval_skips_an_unavailable_kind_and_keeps_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(realfiles, "DPKG_LOG", tmp_path / "no-dpkg.log")
    code = cli.main(["--kind", "needle,pkglog", "--size", "4K", "--seeds", "1",
                     "--generate-only", "--cache-dir", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 0 and captured.out.startswith("needle-4K-s0\t")
    assert "skipping kind pkglog" in captured.err and "no-dpkg.log" in captured.err
    assert cli.main(["--kind", "pkglog", "--size", "4K", "--seeds", "1", "--generate-only",
                     "--cache-dir", str(tmp_path)]) == 2


def test_a_size_beyond_the_machines_text_is_refused(tmp_path: Path) -> None:
    need("licenses")
    with pytest.raises(Exception, match="choose --size"):
        make_task("licenses", 1 << 30, 0, cache_dir=tmp_path)
