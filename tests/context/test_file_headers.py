"""A text made of `# FILE: path` sections reads as files: grep prints path:line:, counts files,
and the context is described by its files (rlm.file_headers)."""

from __future__ import annotations

from pathlib import Path

from rlm._core import Context
from rlm.file_headers import header_files
from rlm.prompts import describe_context
from rlm.repl.session import ReplSession
from rlm.summary import summarize

DUMP = ("# FILE: /usr/share/common-licenses/Apache-2.0\n"
        "Licensed under the Apache License.\n"
        "See the License for the specific language governing permissions and\n"
        "# FILE: /usr/share/doc/zlib1g/copyright\n"
        "Files: *\n"
        "# FILE: /usr/share/doc/libfoo/copyright\n"
        "language governing permissions and\n"
        "limitations.\n")


def test_the_sections_are_the_files_with_their_lines_and_spans() -> None:
    c = Context.from_str(DUMP)
    files = header_files(c)
    assert files is not None and files.paths == (
        "/usr/share/common-licenses/Apache-2.0", "/usr/share/doc/zlib1g/copyright",
        "/usr/share/doc/libfoo/copyright")
    assert files.file_of_line(3) == ("/usr/share/common-licenses/Apache-2.0", 2)
    assert files.file_of_line(4) == ("/usr/share/doc/zlib1g/copyright", 0)  # the header line
    assert files.file_of_line(8) == ("/usr/share/doc/libfoo/copyright", 2)
    (_, start, end), = [f for f in files.files() if f[0].endswith("zlib1g/copyright")]
    assert str(c[start:end]) == "Files: *\n"


def test_a_text_that_does_not_start_with_a_header_is_one_text() -> None:
    assert header_files(Context.from_str("intro\n" + DUMP)) is None
    assert header_files(Context.from_str("")) is None


def test_grep_over_sections_prints_path_and_line_and_the_number_of_files(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    path.write_text(DUMP, encoding="utf-8")
    with ReplSession(str(path), llm_query=str) as repl:
        out = repl.execute("print(grep('governing'))").output
    # The 0.5B answered "How many files mention 'governing'?" with the line numbers "357, 633".
    assert out.splitlines() == [
        "2 matching lines in 2 files for 'governing':",
        "/usr/share/common-licenses/Apache-2.0:2:See the License for the specific language "
        "governing permissions and",
        "/usr/share/doc/libfoo/copyright:1:language governing permissions and"]


def test_grep_of_plain_text_keeps_its_form(tmp_path: Path) -> None:
    path = tmp_path / "plain.txt"
    path.write_text("a governing body\nnothing\n", encoding="utf-8")
    with ReplSession(str(path), llm_query=str) as repl:
        out = repl.execute("print(grep('governing'))").output
    assert out.splitlines() == ["1 matching line for 'governing':", "1:a governing body"]


def test_the_context_is_described_by_its_files() -> None:
    summary = summarize(Context.from_str(DUMP), lambda s: len(s.split()))
    assert summary.tree is not None and summary.tree.sections and summary.tree.files == 3
    text = describe_context(summary)
    assert "It holds 3 files, each after a line `# FILE: path`" in text
    assert "Apache-2.0" in text and "under a directory" not in text
