"""The header line each REPL result list prints first, and how the engine reads it back.

`grep` prints "3 matching lines for 'x':" (over files "4 matching lines in 2 files for 'x':", cut
by max_count "1,204 matching lines for 'x' (showing the first 100; ...)"), `search` prints
"10 ranked lines for 'q':", `values` "2 values of 'k' ..." and `aliases` "3 variables hold '7'
...". The engine's loop control and answer checks read these headers back from the printed
output, so the format and its reader live here together: a change to one shows in the other's
doctests.

Example:
    >>> head = grep_head(total=4, shown=4, pattern="import os", files=2)
    >>> head, grep_headers(head + ":\\n3:import os")
    ("4 matching lines in 2 files for 'import os'", [GrepHeader(count=4, files=2, pattern='import os')])
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

__all__ = ["EMPTY_PREFIXES", "GrepHeader", "aliases_head", "grep_count", "grep_head", "grep_headers",
           "is_result_header"]

# What an empty grep, search, values or aliases result starts with.
EMPTY_PREFIXES = ("0 matching line", "0 ranked line", "0 values of", "0 variables hold")

# The pattern is printed with repr(): quoted with ' or " and escaped as Python writes it.
_GREP = re.compile(r"^\s*([\d,]+) matching lines?(?: in ([\d,]+) files?)? for (['\"].*['\"])"
                   r"(?=:$| \(showing|$)", re.MULTILINE)
_RESULT = re.compile(r"^\s*[\d,]+ (?:(?:matching|ranked) (?:lines?|windows?)|variables? holds? )")


@dataclass(frozen=True)
class GrepHeader:
    """One grep header as printed: how many lines matched, in how many files (None when the
    header does not say), and the pattern."""

    count: int
    files: int | None
    pattern: str


def grep_head(*, total: int, shown: int, pattern: str, files: int | None = None) -> str:
    """The header `grep` prints above its lines. `files` is said only when the lines are in more
    than one file's worth of text (a tree context), for a cut list too (the files of all its
    lines); a cut list says how to see the rest.

    >>> grep_head(total=1, shown=1, pattern="x")
    "1 matching line for 'x'"
    >>> grep_head(total=1204, shown=100, pattern="x")
    "1,204 matching lines for 'x' (showing the first 100; max_count=None returns all)"
    >>> grep_headers(grep_head(total=117, shown=100, pattern="x", files=37))
    [GrepHeader(count=117, files=37, pattern='x')]
    """
    s = "" if total == 1 else "s"
    in_files = "" if files is None else f" in {files} file{'' if files == 1 else 's'}"
    if total > shown:
        return (f"{total:,} matching line{s}{in_files} for {pattern!r} (showing the first {shown}; "
                f"max_count=None returns all)")
    return f"{total} matching line{s}{in_files} for {pattern!r}"


def aliases_head(count: int, value: str) -> str:
    """The header `aliases` prints above the names.

    >>> aliases_head(1, "16087"), is_result_header(aliases_head(3, "16087"))
    ("1 variable holds '16087' through assignments", True)
    """
    return (f"{count} variable{'' if count == 1 else 's'} hold{'s' if count == 1 else ''} "
            f"{value!r} through assignments")


def shows_aliases(output: str, value: str) -> bool:
    """Whether `output` holds what `aliases(value)` printed.

    >>> shows_aliases(aliases_head(4, "33455") + ": A, B", "33455"), shows_aliases("33455", "33455")
    (True, False)
    """
    return f" {value!r} through assignments" in output


def grep_headers(output: str) -> list[GrepHeader]:
    r"""Every grep header in printed output, in order.

    >>> grep_headers(r"2 matching lines for 'a\\d':" + "\n1:a1\n" + '0 matching lines for "it\'s"')
    [GrepHeader(count=2, files=None, pattern='a\\d'), GrepHeader(count=0, files=None, pattern="it's")]
    """
    found = []
    for m in _GREP.finditer(output):
        try:
            pattern = ast.literal_eval(m.group(3))
        except (ValueError, SyntaxError):
            continue  # not a quoted pattern: a line of the text that merely looks like a header
        files = None if m.group(2) is None else _number(m.group(2))
        found.append(GrepHeader(_number(m.group(1)), files, str(pattern)))
    return found


def grep_count(output: str) -> int:
    """The count of the grep header that starts `output`, or 0.

    >>> grep_count("12 matching lines for 'x':\\n1:x"), grep_count("4 matching lines in 2 files for 'y'")
    (12, 4)
    >>> grep_count("42\\n3 matching lines for 'z'")
    0
    """
    first = _GREP.match(output)
    return _number(first.group(1)) if first else 0


def is_result_header(line: str) -> bool:
    """Whether a printed line is grep's or search's header (it names the pattern, not a line of
    the text).

    >>> is_result_header("3 ranked windows for 'q':"), is_result_header("12:the code is 7")
    (True, False)
    """
    return _RESULT.match(line) is not None


def _number(text: str) -> int:
    return int(text.replace(",", ""))
