"""What grep prints above its lines is what the engine reads back (rlm.repl.headers): the loop
control's match count, the files check and the whole-line check all parse these headers."""

from __future__ import annotations

import pytest

from rlm._core import Context
from rlm.file_headers import header_files
from rlm.repl.headers import GrepHeader, grep_count, grep_headers, is_result_header
from rlm.repl.search import search
from rlm.repl.toolkit import GrepResult, grep

TEXT = "".join(f"{i}: alpha it's a\\d value\n" if i % 3 == 0 else f"{i}: beta\n" for i in range(30))


@pytest.mark.parametrize("pattern", ["alpha", "it's", r"a\\d", "beta", "zzz"])
def test_a_printed_grep_reads_back_as_its_count_and_pattern(pattern: str) -> None:
    found = grep(pattern, text=TEXT, literal=True)
    printed = repr(found)
    assert grep_headers(printed) == [GrepHeader(found.total, None, pattern)]
    assert grep_count(printed) == found.total


def test_a_cut_grep_reads_back_as_the_whole_count() -> None:
    found = grep("beta", text=TEXT, max_count=3)
    printed = repr(found)
    assert "showing the first 3" in printed.splitlines()[0]
    assert grep_headers(printed) == [GrepHeader(20, None, "beta")]


def test_a_grep_over_files_reads_back_with_its_file_count() -> None:
    dump = "# FILE: a.py\nimport os\nimport os.path\n# FILE: b.py\nimport os\n"
    files = header_files(Context.from_str(dump))
    assert files is not None
    found = grep("import os", text=dump)
    printed = repr(GrepResult(found, "import os", file_of_line=files.file_of_line))
    assert printed.startswith("3 matching lines in 2 files for 'import os':")
    assert grep_headers(printed) == [GrepHeader(3, 2, "import os")]


def test_headers_are_found_after_other_output_but_the_count_only_at_the_start() -> None:
    printed = "checking\n" + repr(grep("alpha", text=TEXT))
    assert [h.count for h in grep_headers(printed)] == [10]
    assert grep_count(printed) == 0  # a count the model printed first is not grep's


def test_a_text_line_that_looks_like_a_header_without_a_quoted_pattern_is_not_one() -> None:
    assert grep_headers("3 matching lines for the reviewers") == []


def test_search_and_grep_headers_are_not_lines_of_the_text() -> None:
    ranked = repr(search("alpha value", k=2, text=TEXT)).splitlines()
    assert is_result_header(ranked[0]) and not is_result_header(ranked[1])
    assert is_result_header(repr(grep("beta", text=TEXT)).splitlines()[0])
