"""Where a tree context's text lives: `Context.open_tree` writes the joined files to a file and
maps it (a temp file gone once mapped, or `save_to`), so neither a Rust buffer nor a Python `str`
holds a copy of the tree."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rlm import Context
from rlm.inputs import open_glob, open_tree


def make_tree(root: Path, files: int, lines: int) -> int:
    """`files` files of `lines` 100-byte lines; the size of the joined text's file parts."""
    line = "def handler(request):  # " + "x" * 74 + "\n"
    for i in range(files):
        d = root / f"pkg{i % 20:02d}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"mod{i:05d}.py").write_text(line * lines)
    return files * lines * len(line)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="Linux /proc only")
def test_open_tree_maps_the_text_instead_of_holding_a_copy(tmp_path: Path, rss_anon) -> None:
    size = make_tree(tmp_path / "tree", 6000, 100)  # 60 MB in 10 KB files
    Context.open_tree(tmp_path / "tree")  # the first open starts the thread pool: not measured
    before = rss_anon()
    c = Context.open_tree(tmp_path / "tree")
    grown = rss_anon() - before
    assert c.is_mapped and len(c.files()) == 6000
    assert c.byte_len > size
    # A copy (the Rust buffer it used to build, or a Python str) would be all of it; what stays
    # private is the index (~1 %), the file table and at most one read batch of 256 files.
    assert grown < 0.1 * size, f"{grown / 1e6:.1f} MB private for a {size / 1e6:.0f} MB tree"
    path, start, end = c.files()[4321]
    assert c[start:end] == (tmp_path / "tree" / path).read_text()


def run_in_subprocess(code: str, tmpdir: Path) -> str:
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True)
    return done.stdout.strip()


def test_the_temp_file_is_gone_once_mapped_and_a_missing_temp_dir_falls_back_to_memory(
        tmp_path: Path) -> None:
    make_tree(tmp_path / "tree", 3, 2)
    code = (f"import os; from rlm import Context; c = Context.open_tree({str(tmp_path / 'tree')!r}); "
            "temp = os.environ['TMPDIR']; "
            "print(c.is_mapped, len(c.files()), sorted(os.listdir(temp)) if os.path.isdir(temp) else '-')")
    temp = tmp_path / "temp"
    temp.mkdir()
    assert run_in_subprocess(code, temp) == "True 3 []"  # mapped, and nothing left behind
    # No usable temp directory: the tree still opens, its text held in memory.
    assert run_in_subprocess(code, tmp_path / "missing") == "False 3 -"


def test_save_to_keeps_the_mapped_file_for_another_process(tmp_path: Path) -> None:
    make_tree(tmp_path / "tree", 4, 3)
    saved = tmp_path / "joined.txt"
    c = Context.open_tree(tmp_path / "tree", save_to=saved)
    assert c.is_mapped and c.path == str(tmp_path / "tree")
    assert saved.read_text() == str(c)
    again = Context.open_joined(saved, c.files(), skipped=c.skipped_files(), root=c.path)
    assert again.files() == c.files() and again.file_of(len(c) - 1) == c.file_of(len(c) - 1)
    files = Context.open_files([tmp_path / "tree" / "pkg01" / "mod00001.py"], save_to=tmp_path / "f.txt")
    assert (tmp_path / "f.txt").read_text() == str(files) and files.is_mapped


def test_a_runs_tree_is_joined_straight_into_the_file_the_worker_maps(tmp_path: Path) -> None:
    make_tree(tmp_path / "tree", 5, 2)
    with open_tree(str(tmp_path / "tree")) as opened:
        assert opened.temporary and opened.context.is_mapped
        assert Path(opened.path).read_text() == str(opened.context)
        assert opened.tree_table()["files"] == opened.context.files()
    assert not Path(opened.path).exists()
    with open_glob([str(tmp_path / "tree" / "pkg0[12]" / "*.py")]) as globbed:
        assert len(globbed.context.files()) == 2 and globbed.context.is_mapped
        assert Path(globbed.path).read_text() == str(globbed.context)
    assert not Path(globbed.path).exists()
