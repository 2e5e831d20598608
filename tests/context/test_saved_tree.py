"""A tree saved with `save_to=` (or any `# FILE:` dump) opened again: its file table comes back
from the header lines, so `records(file=)` and `grep(file=)` work on it as on the tree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlm import Context
from rlm.file_headers import open_sections
from rlm.inputs import open_context
from rlm.repl.session import ReplSession


@pytest.fixture
def saved(tmp_path: Path) -> tuple[Context, Path]:
    root = tmp_path / "repo"
    (root / "logs").mkdir(parents=True)
    (root / "logs" / "api.jsonl").write_text(
        json.dumps({"level": "ERROR", "msg": "disk full"}) + "\n"
        + json.dumps({"level": "INFO", "msg": "ok"}) + "\n")
    (root / "src.py").write_text("import os\n# TODO: tidy\n")
    (root / "notes.md").write_text("# Notes\nTODO: write\n")
    path = tmp_path / "saved.txt"
    tree = Context.open_tree(root, save_to=path)
    return tree, path


def test_reopening_recovers_the_file_table_the_tree_had(saved: tuple[Context, Path]) -> None:
    tree, path = saved
    again = open_sections(str(path))
    assert again is not None and again.is_tree
    assert again.files() == tree.files()  # every file here ends with a newline
    assert again.file_of(again.find("tidy")) == tree.file_of(tree.find("tidy")) == ("src.py", 2)
    assert again.count_records(file="logs/api.jsonl") == 2
    assert [r["msg"] for r in again.records(file="logs/api.jsonl", where={"level": "ERROR"})] == [
        "disk full"]
    assert [again.file_of_line(m.line_number) for m in again.grep("TODO", file="notes.md")] == [
        ("notes.md", 2)]


def test_a_text_that_does_not_start_with_a_header_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "plain.txt"
    path.write_text("hello\n# FILE: not a header at the top\n")
    assert open_sections(str(path)) is None


def test_the_repl_over_a_saved_dump_has_the_tree_the_description_stays_the_same(
        saved: tuple[Context, Path]) -> None:
    _, path = saved
    with ReplSession(str(path), llm_query=str) as repl:
        out = repl.execute(
            'print(context.is_tree, context.count_records(file="logs/api.jsonl"))\n'
            'print(grep("TODO", file="src.py"))').output
    assert out.splitlines() == ["True 2", "1 matching line for 'TODO':", "src.py:2:# TODO: tidy"]
    # The driver's side (the first message's description) reads the dump as before: sections.
    with open_context(path) as opened:
        assert not opened.context.is_tree
