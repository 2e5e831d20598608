"""Answers to "which file ...?" tasks, checked against the files of the context.

A context of files (a tree, or a text of `# FILE: path` sections) knows each file's span, so an
answer that names a path can be checked where it matters: does that file hold what the task
names? The 0.5B answered "Which file defines the class `IncrementalDecoder`?" with the path of a
file it had guessed and then found by grepping its own guess, and answered "Which file defines
the function `help_meaning`?" with the whole grep line `test/test_cmd.py:181:    def
help_meaning(self):` (held-out srctree seeds 50-51).

Example:
    >>> from rlm._core import Context
    >>> files = context_files(Context.from_str("# FILE: a.py\\ndef f(): pass\\n# FILE: b.py\\nx = 1\\n"))
    >>> files.named("b.py:1: x = 1"), files.lacking("b.py", task_terms("Which file defines `f`?"))
    (['b.py'], ['f'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rlm.file_headers import header_files

# "Which file ...", "What file ..." (one file: "which files" asks for several).
_ASKS_FILE = re.compile(r"\b(?:which|what)\s+(?:\w+\s+)?file\b(?!s)", re.IGNORECASE)
# What a task names exactly: `code`, "a phrase", 'a phrase'.
_TERM = re.compile(r"`([^`\n]+)`|\"([^\"\n]+)\"|(?<!\w)'([^'\n]{2,})'(?!\w)")
# The pieces of an answer that may be a path: grep's "path:12:" and quotes split them off.
_PATH_PIECE = re.compile(r"[^\s:'\"`,()]+")
_WORD = re.compile(r"\w{4,}")


def asks_one_file(task: str) -> bool:
    """Whether the task asks which one file something is in.

    >>> asks_one_file("Which file defines the class `Foo`?"), asks_one_file("Which files import os?")
    (True, False)
    """
    return _ASKS_FILE.search(task) is not None


def task_terms(task: str) -> list[str]:
    """What the task quotes (in backticks or quotation marks): the text a right file holds.

    >>> task_terms('Which file contains the phrase "free of charge"? Give its path as in `# FILE:`.')
    ['free of charge']
    """
    terms = [next(g for g in m.groups() if g) for m in _TERM.finditer(task)]
    return [t for t in terms if not t.startswith("# FILE")]  # the header the task points at


@dataclass(frozen=True)
class ContextFiles:
    """The files of a context: each path's character span, looked up in the `Context` itself."""

    context: Any  # rlm.Context
    spans: dict[str, tuple[int, int]]

    def named(self, answer: str) -> list[str]:
        """The paths of the context the answer names, in order."""
        pieces = _PATH_PIECE.findall(answer)
        return list(dict.fromkeys(p for p in pieces if p in self.spans))

    def lacking(self, path: str, terms: list[str]) -> list[str]:
        """The terms the file at `path` surely does not hold: a one-word term not found as is,
        a phrase with a word the file lacks (a phrase may be wrapped over lines, so a phrase
        whose words are all there is not doubted)."""
        start, end = self.spans[path]

        def holds(text: str) -> bool:
            return self.context.find(text, start, end) != -1

        out = []
        for term in terms:
            words = term.split()
            if holds(term):
                continue
            if len(words) <= 1 or any(not holds(w) for w in _WORD.findall(term)):
                out.append(term)
        return out


def context_files(context: Any) -> ContextFiles | None:
    """The files of a tree context or of a text of `# FILE:` sections, else None."""
    if getattr(context, "is_tree", False):
        files = context.files()
    else:
        headers = header_files(context)
        if headers is None:
            return None
        files = headers.files()
    return ContextFiles(context, {path: (start, end) for path, start, end in files})
