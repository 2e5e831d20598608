"""Files joined into one text with a `# FILE: path` line before each, read back as files.

`rlm -f DIR` builds such a text in Rust (a tree context knows its files); the same layout saved
to one file (a tree dumped once, the eval's real-file contexts, repository dumps made for LLMs)
is otherwise plain text, and grep's global line numbers leave "which file?" and "how many
files?" to the model, which the 0.5B answered with line numbers ("357, 633", "20:import
os.path"). A text that starts with a header line gets the tree's view here: grep prints
`path:line:`, and the context is described by its files.

The header lines are found by one Rust grep over the mapped context (`^# FILE: `); nothing else
is read.

Example:
    >>> from rlm._core import Context
    >>> files = header_files(Context.from_str("# FILE: a.py\\nx = 1\\n# FILE: b/c.md\\nhi\\nyo\\n"))
    >>> files.file_of_line(5), files.paths
    (('b/c.md', 2), ('a.py', 'b/c.md'))
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

HEADER = "# FILE: "


@dataclass(frozen=True)
class HeaderFiles:
    """The files of a text made of `# FILE: path` sections."""

    paths: tuple[str, ...]
    header_lines: tuple[int, ...]  # 1-based line number of each file's header line
    spans: tuple[tuple[int, int], ...]  # (start, end) characters of each file's text

    def file_of_line(self, number: int) -> tuple[str, int]:
        """(path, line within that file) of text line `number` (1-based; 0 is the header line),
        as a tree context's `file_of_line` gives it."""
        i = bisect.bisect_right(self.header_lines, number) - 1
        if i < 0:  # before the first header: not in any file
            return "", number
        return self.paths[i], number - self.header_lines[i]

    def files(self) -> list[tuple[str, int, int]]:
        """(path, start, end) per file, as a tree context's `files()`."""
        return [(path, start, end) for path, (start, end) in zip(self.paths, self.spans)]


def header_files(context: Any) -> HeaderFiles | None:
    """The files of `context` (an `rlm.Context`) when its first line is a `# FILE: path` header,
    else None (a tree context already knows its files: None too)."""
    if getattr(context, "is_tree", False) or len(context) < len(HEADER):
        return None
    if str(context[: len(HEADER)]) != HEADER:
        return None
    found = context.grep(r"^# FILE: .", max_count=None)
    paths = tuple(m.line[len(HEADER):].strip() for m in found)
    starts = [m.line_start + len(m.line) + 1 for m in found]  # the text starts after the header
    ends = [m.line_start for m in found[1:]] + [len(context)]
    spans = tuple((min(s, e), e) for s, e in zip(starts, ends))
    return HeaderFiles(paths, tuple(m.line_number for m in found), spans)


def open_sections(path: str) -> Any:
    """The text at `path` made of `# FILE: path` sections (a tree saved with `save_to=`, a
    repository dump) mapped again with its file table recovered from the header lines, as
    `Context.open_joined` gives it: `records(file=)`, `grep(file=)`, `file_of` and `files()` work
    as on the tree it was saved from. None when the text does not start with a header line (or
    its headers cannot frame it as files, e.g. `\\r\\n` header lines).

    A file's span runs to the next header, so a file that had no newline at its end (one was
    added when the tree was joined) ends one character later than `files()` of the original
    tree said; a line inside a file that starts with `# FILE: ` reads as a header, as in
    `header_files`.

    Example:
        >>> Context.open_tree("src", save_to="/tmp/src.txt").files() == open_sections("/tmp/src.txt").files()  # doctest: +SKIP
        True
    """
    from rlm._core import Context

    with open(path, "rb") as f:  # most contexts are not dumps: no map, no index for them
        if f.read(len(HEADER)) != HEADER.encode():
            return None
    plain = Context.open(path)
    sections = header_files(plain)
    if sections is None:
        return None
    try:  # the same file mapped again (the page cache is shared), its table attached
        return Context.open_joined(path, sections.files())
    except ValueError:
        return None
