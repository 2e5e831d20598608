"""`grep(file=)` over a tree: one member file's lines only, named as its `# FILE:` header and
`path:line:` output name it (as `records(file=)`), the lines keeping the context's numbers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rlm import Context
from rlm.repl.toolkit import grep

FILES = {
    "app/main.py": "import os\n# TODO: parse args\ndef main():\n    pass  # TODO: work\n",
    "app/util.py": "# TODO: remove\nx = 1",  # no newline at its end
    "README.md": "TODO list\n",
}


@pytest.fixture
def tree(tmp_path: Path) -> Context:
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return Context.open_tree(tmp_path)


def rg_lines(text: str, pattern: str) -> list[int]:
    """What `rg -n PATTERN FILE` numbers: the file's own lines that match."""
    return [i for i, line in enumerate(text.splitlines(), 1) if re.search(pattern, line)]


@pytest.mark.parametrize("path", sorted(FILES))
def test_only_the_named_files_lines_match_numbered_within_it(tree: Context, path: str) -> None:
    found = grep("TODO", tree, file=path)
    assert [tree.file_of_line(m.line_number) for m in found] == [
        (path, n) for n in rg_lines(FILES[path], "TODO")]
    assert found.total == len(rg_lines(FILES[path], "TODO"))
    assert tree.count_lines_matching("TODO", file=path) == found.total


def test_it_prints_path_and_line_as_grep_over_the_whole_tree_does(tree: Context) -> None:
    assert str(grep("TODO", tree, file="app/main.py")) == (
        "2 matching lines in 1 file for 'TODO':\n"
        "app/main.py:2:# TODO: parse args\n"
        "app/main.py:4:    pass  # TODO: work"
    )
    whole = str(grep("TODO", tree)).splitlines()[1:]
    assert [line for line in whole if line.startswith("app/main.py:")] == [
        "app/main.py:2:# TODO: parse args", "app/main.py:4:    pass  # TODO: work"]


def test_lines_around_a_match_stay_inside_the_file(tree: Context) -> None:
    # The first line of app/util.py: before= would otherwise show app/main.py's last line and the
    # `# FILE:` header; its last line has no newline and the next file's header follows it.
    assert str(grep("TODO|x = 1", tree, file="app/util.py", before=2, after=2)) == (
        "2 matching lines in 1 file for 'TODO|x = 1':\n"
        "app/util.py:1:# TODO: remove\n"
        "app/util.py-2-x = 1\n"
        "app/util.py-1-# TODO: remove\n"
        "app/util.py:2:x = 1"
    )


def test_anchors_and_headers_belong_to_no_file(tree: Context) -> None:
    assert [m.line for m in grep(r"1$", tree, file="app/util.py")] == ["x = 1"]
    assert len(grep("^# FILE:", tree)) == len(FILES)
    assert len(grep("^# FILE:", tree, file="app/util.py")) == 0


def test_max_count_cuts_the_files_lines_and_total_counts_them_all(tree: Context) -> None:
    found = grep("TODO", tree, file="app/main.py", max_count=1)
    assert (len(found), found.total) == (1, 2)
    assert "(showing the first 1" in str(found)


def test_a_pattern_only_pythons_re_runs_searches_that_file_alone(tree: Context) -> None:
    # A backreference: the Rust engine refuses it, so the file's text is searched with re.
    doubled = grep(r"(s)\1", tree, file="app/main.py", before=1)
    assert [tree.file_of_line(m.line_number) for m in doubled] == [("app/main.py", 4)]
    assert str(doubled).splitlines()[1:] == ["app/main.py-3-def main():",
                                             "app/main.py:4:    pass  # TODO: work"]
    m = doubled[0]  # offsets into the whole context, as the Rust search gives them
    assert (tree[m.start:m.end], tree[m.line_start:m.line_start + len(m.line)]) == ("ss", m.line)


def test_a_big_file_searched_on_every_core_counts_as_one_pass_would(tmp_path: Path) -> None:
    # Above 4 MiB a search is cut into pieces for the cores: the pieces must cover that file alone.
    big = "".join(f"row {i} {'hit' if i % 7 == 0 else 'miss'}\n" for i in range(400_000))
    (tmp_path / "a.txt").write_text("hit before\n")
    (tmp_path / "b.txt").write_text(big)
    (tmp_path / "c.txt").write_text("hit after\n")
    tree = Context.open_tree(tmp_path)
    expected = sum(1 for i in range(400_000) if i % 7 == 0)
    assert tree.count_lines_matching("hit", file="b.txt") == expected
    found = tree.grep("hit", file="b.txt")
    assert len(found) == expected
    assert tree.file_of_line(found[-1].line_number) == ("b.txt", 399_995)  # row 399,994 on line 399,995
    assert tree.count_lines_matching("hit") == expected + 2


def test_with_field_only_that_files_records_are_searched(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(json.dumps({"msg": "disk full"}) + "\n")
    (tmp_path / "b.jsonl").write_text(json.dumps({"msg": "ok"}) + "\n" + json.dumps({"msg": "full"}) + "\n")
    tree = Context.open_tree(tmp_path)
    assert str(grep("full", tree, field="msg", file="b.jsonl")) == (
        '1 matching line for \'full\':\nb.jsonl:2:{"msg": "full"}')
    assert tree.count_lines_matching("full", field="msg", file="b.jsonl") == 1
    assert tree.count_lines_matching("full", field="msg") == 2


def test_file_must_name_a_file_of_a_tree(tree: Context) -> None:
    with pytest.raises(ValueError, match=r'grep\(file="app/missing.py"\): no such file in this tree'):
        grep("TODO", tree, file="app/missing.py")
    with pytest.raises(ValueError, match="not a tree of files"):
        grep("TODO", Context.from_str("TODO\n"), file="a.txt")
    with pytest.raises(ValueError, match="is a str, not a tree"):
        grep("TODO", "TODO\n", file="a.txt")


def test_the_repls_grep_takes_file_over_a_directory_context(tree: Context) -> None:
    from rlm.repl.session import ReplSession

    with ReplSession(tree.path, llm_query=str) as repl:
        out = repl.execute('print(grep("TODO", file="app/util.py"))').output
    assert out.strip() == "1 matching line for 'TODO':\napp/util.py:1:# TODO: remove"


def test_a_cut_grep_over_files_says_how_many_files_all_its_lines_are_in(tmp_path: Path) -> None:
    # "How many of the files mention X?" was answered with the 117 lines of a list cut at 100,
    # whose header gave no file count (held-out licenses seed 61).
    for i in range(5):
        (tmp_path / f"f{i}.txt").write_text("charge\n" * (i + 1) + "other\n")
    (tmp_path / "none.txt").write_text("nothing here\n")
    found = grep("charge", Context.open_tree(tmp_path), max_count=4)
    assert len(found) == 4 and found.total == 15
    assert repr(found).startswith("15 matching lines in 5 files for 'charge' (showing the first 4;")
