"""Directory contexts: `Context.open_tree` joins the text files under a directory, as ripgrep
would pick them, each after a `# FILE:` header, and maps offsets and lines back to files."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from rlm import Context
from rlm.repl.toolkit import grep


def write(root: Path, files: dict[str, bytes | str]) -> Path:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git checkout (a .git directory: .gitignore applies only in a repository, as for rg)."""
    (tmp_path / ".git").mkdir()
    return write(tmp_path, {
        ".gitignore": "*.log\nbuild/\n",
        "README.md": "# Demo\nRun it.\n",
        "app/cli.py": "import sys\n\ndef main():\n    print('hi')\n",
        "app/.gitignore": "generated.py\n!keep.log\n",
        "app/generated.py": "X = 1\n",
        "app/keep.log": "kept despite *.log\n",
        "debug.log": "ignored\n",
        "build/out.txt": "ignored\n",
        ".env": "SECRET=1\n",
        "assets/logo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "notes.txt": "no newline at the end",
    })


def test_files_in_path_order_each_after_its_header(repo: Path) -> None:
    c = Context.open_tree(repo)
    assert c.is_tree and c.path == str(repo)
    assert [path for path, _, _ in c.files()] == ["README.md", "app/cli.py", "app/keep.log", "notes.txt"]
    assert str(c) == (
        "# FILE: README.md\n# Demo\nRun it.\n"
        "# FILE: app/cli.py\nimport sys\n\ndef main():\n    print('hi')\n"
        "# FILE: app/keep.log\nkept despite *.log\n"
        "# FILE: notes.txt\nno newline at the end\n"
    )
    path, start, end = c.files()[1]
    assert c[start:end] == (repo / "app" / "cli.py").read_text()


def test_nested_gitignore_and_hidden_files_follow_ripgreps_rules(repo: Path) -> None:
    names = {path for path, _, _ in Context.open_tree(repo).files()}
    assert "debug.log" not in names and "build/out.txt" not in names  # the root .gitignore
    assert "app/generated.py" not in names  # the nested one
    assert "app/keep.log" in names  # its negation wins over the parent's *.log
    assert ".env" not in names and ".gitignore" not in names  # hidden


def test_outside_a_repository_gitignore_does_not_apply_but_ignore_files_do(tmp_path: Path) -> None:
    write(tmp_path, {".gitignore": "a.txt\n", ".ignore": "b.txt\n", "a.txt": "a", "b.txt": "b"})
    assert [p for p, _, _ in Context.open_tree(tmp_path).files()] == ["a.txt"]


def test_binary_files_are_left_out_and_listed(repo: Path) -> None:
    c = Context.open_tree(repo)
    assert ("assets/logo.png", "binary") in c.skipped_files()
    assert "IHDR" not in c


def test_files_that_are_not_utf8_are_listed_or_decoded_with_replace(tmp_path: Path) -> None:
    write(tmp_path, {"latin1.txt": b"caf\xe9\n", "ok.txt": "ok\n"})
    strict = Context.open_tree(tmp_path)
    assert strict.skipped_files() == [("latin1.txt", "invalid UTF-8 at byte 3")]
    replaced = Context.open_tree(tmp_path, errors="replace")
    assert "caf\ufffd" in replaced and replaced.skipped_files() == []


def test_a_symlink_loop_neither_hangs_nor_repeats_files(tmp_path: Path) -> None:
    write(tmp_path, {"a/file.txt": "x\n"})
    os.symlink(tmp_path, tmp_path / "a" / "back")
    assert [p for p, _, _ in Context.open_tree(tmp_path).files()] == ["a/file.txt"]
    assert Context.open_tree(tmp_path).skipped_files() == [("a/back", "symlink (not followed)")]
    followed = Context.open_tree(tmp_path, follow_links=True)
    assert [p for p, _, _ in followed.files()] == ["a/file.txt"]
    assert followed.skipped_files() == [("a/back", "symlink loop")]


def test_file_of_gives_the_file_and_its_line(repo: Path) -> None:
    c = Context.open_tree(repo)
    assert c.file_of(c.find("def main")) == ("app/cli.py", 3)
    assert c.file_of(c.find("# FILE: app/cli.py")) == ("app/cli.py", 0)  # the header line
    assert c.file_of(-1) == ("notes.txt", 1)
    assert c.file_of_line(c.line_of(c.find("Run it"))) == ("README.md", 2)
    with pytest.raises(IndexError):
        c.file_of(len(c) + 1)


def test_grep_in_a_tree_prints_path_and_line_as_rg_does(repo: Path) -> None:
    c = Context.open_tree(repo)
    assert str(grep("print|Run", c, before=1)) == (
        "2 matching lines in 2 files for 'print|Run':\n"
        "README.md-1-# Demo\n"
        "README.md:2:Run it.\n"
        "app/cli.py-3-def main():\n"
        "app/cli.py:4:    print('hi')"
    )


def test_a_context_that_is_not_a_tree(tmp_path: Path) -> None:
    path = write(tmp_path, {"one.txt": "a\nb\n"}) / "one.txt"
    c = Context.open(path)
    assert not c.is_tree and c.files() == [] and c.skipped_files() == []
    assert c.file_of(2) == (str(path), 2)
    with pytest.raises(NotADirectoryError):
        Context.open_tree(path)


def test_ten_thousand_files(tmp_path: Path) -> None:
    rng = random.Random(18)
    expected = {}
    for i in range(10_000):
        rel = f"d{i % 37:02d}/s{i % 11}/f{i:05d}.txt"
        expected[rel] = "".join(f"file {i} line {k}\n" for k in range(1 + i % 4))
    write(tmp_path, expected)
    c = Context.open_tree(tmp_path)
    files = c.files()
    assert [p for p, _, _ in files] == sorted(expected)
    assert all(c[start:end] == expected[path] for path, start, end in files)
    assert c.line_count() == sum(1 + text.count("\n") for text in expected.values())
    for _ in range(200):  # any offset maps back to its file and line
        path, start, end = rng.choice(files)
        offset = rng.randrange(start, end)
        line = expected[path][: offset - start].count("\n") + 1
        assert c.file_of(offset) == (path, line)
