"""Several files as one context (`--context-glob`, `Context.open_files`), and trees handed to the
REPL worker as a saved text with its file table instead of a second walk."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rlm import Context
from rlm.errors import UsageError
from rlm.inputs import glob_files, open_glob, open_tree
from rlm.repl.session import ReplSession


def test_globs_match_files_in_path_order_each_once(logs: Path) -> None:
    # `**` spans directories; a dot file only matches a pattern that spells the dot; a directory
    # whose name matches is not a file.
    assert glob_files(["logs/**/*.log", "logs/*.log", "conf/*"]) == [
        "conf/app.yaml", "logs/app.log", "logs/core.log", "logs/old/app.1.log"]
    assert glob_files(["logs/.*.log"]) == ["logs/.hidden.log"]


def test_a_glob_that_matches_no_file_is_a_usage_error(logs: Path) -> None:
    with pytest.raises(UsageError, match=r"^--context-glob 'logs/\*\.txt' matches no file$"):
        glob_files(["logs/*.log", "logs/*.txt"])


def test_the_files_are_one_tree_context_with_their_paths_as_given(logs: Path) -> None:
    with open_glob(["logs/**/*.log", "conf/*.yaml"]) as opened:
        c = opened.context
        assert c.is_tree and c.path is None and c.is_mapped
        assert str(c) == ("# FILE: conf/app.yaml\nretries: 3\n"
                          "# FILE: logs/app.log\nstart\nERROR disk full\n"
                          "# FILE: logs/old/app.1.log\nERROR timeout\n")
        assert c.file_of(c.find("timeout")) == ("logs/old/app.1.log", 1)
        assert c.skipped_files() == [("logs/core.log", "binary")]
        assert opened.describe()["source"] == "glob"
        assert opened.describe()["path"] == "logs/**/*.log conf/*.yaml"
        temp = opened.path
    assert not os.path.exists(temp)


def test_the_worker_maps_the_drivers_text_and_table_without_walking_again(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text("x = 1\nSECRET = 42\n")
    with open_tree(str(tmp_path / "src")) as opened:
        # A file written after the driver opened the tree: a second walk would see it.
        (tmp_path / "src" / "late.py").write_text("SECRET = 'late'\n")
        repl = ReplSession(opened.path, llm_query=lambda p: p, context_tree=opened.tree_table())
        try:
            out = repl.execute("print(len(context), context.files(), context.path)\n"
                               "print(grep('SECRET'))").output
        finally:
            repl.close()
        assert out == (f"{len(opened.context)} [('a.py', 13, 31)] {tmp_path / 'src'}\n"
                       "1 matching line for 'SECRET':\na.py:2:SECRET = 42\n")


def test_a_table_that_does_not_fit_the_text_is_refused(tmp_path: Path) -> None:
    saved = tmp_path / "joined.txt"
    saved.write_text("# FILE: a.txt\none\n")
    assert Context.open_joined(saved, [("a.txt", 14, 18)]).file_of_line(2) == ("a.txt", 1)
    with pytest.raises(ValueError, match="does not start after"):
        Context.open_joined(saved, [("a.txt", 3, 18)])
