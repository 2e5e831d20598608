"""Reading a model turn: code blocks, where generation should stop, and a FINAL written as prose.

Code blocks are Markdown fences whose info string is `python`, `py`, `repl` or empty. A FINAL
written outside code counts only at the start of a line; it is parsed by scanning for the balanced
closing parenthesis, honouring string quotes, because answers may hold parentheses, quotes and
newlines that no regex gets right.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Literal

CODE_LANGUAGES = frozenset({"python", "py", "python3", "repl", ""})
FENCE = "```"


@dataclass(frozen=True)
class CodeBlock:
    """One fenced code block: its code and where the fences sit in the text."""

    language: str
    code: str
    start: int  # offset of the opening fence
    end: int  # offset just past the closing fence (len(text) when the block is unclosed)
    closed: bool


@dataclass(frozen=True)
class ProseFinal:
    """A `FINAL(...)` or `FINAL_VAR(...)` found in prose, with its argument already read."""

    kind: Literal["FINAL", "FINAL_VAR"]
    value: str  # the answer text, or the variable name for FINAL_VAR


def _line_start(text: str, pos: int) -> bool:
    return pos == 0 or text[pos - 1] == "\n"


def _find_fence(text: str, start: int) -> int:
    """Offset of the next fence that begins a line (up to 3 spaces of indent), or -1."""
    pos = text.find(FENCE, start)
    while pos != -1:
        line_begin = text.rfind("\n", 0, pos) + 1
        if pos - line_begin <= 3 and not text[line_begin:pos].strip(" "):
            return pos
        pos = text.find(FENCE, pos + 1)
    return -1


def _find_closing_fence(text: str, start: int, partial: bool) -> int:
    """Offset of the fence that closes a block opened before `start`, or -1.

    A closing fence carries no info string (CommonMark): a "```python" line inside a block does not
    close it. With `partial` (text still being generated) a fence is confirmed only once its line
    has ended, since "```" may yet grow into "```python".
    """
    pos = _find_fence(text, start)
    while pos != -1:
        line_end = text.find("\n", pos + len(FENCE))
        rest = text[pos + len(FENCE) : line_end if line_end != -1 else len(text)]
        if not rest.strip():
            return -1 if partial and line_end == -1 else pos
        pos = _find_fence(text, pos + len(FENCE))
    return -1


def _body_start(text: str, info_end: int, partial: bool) -> int:
    """Where a block's code starts: after its fence line, and after a repeated opening fence.

    A model told to continue after "```python" sometimes opens the fence again: "```python" (any
    Python-like info string) is skipped at once; a bare "```" is skipped only when another fence
    closes the block later (or, with `partial`, may still do so): "```python\n```\ncode\n```" is
    the code, while "```python\n```\nprose" stays an empty block followed by prose.
    """
    start = info_end + 1
    if not text.startswith(FENCE, start):
        return start
    line_end = text.find("\n", start)
    if line_end == -1:
        return start
    info = text[start + len(FENCE) : line_end].strip().lower()
    if info and info in CODE_LANGUAGES:
        return line_end + 1
    if not info and (partial or _find_closing_fence(text, line_end + 1, partial=False) != -1):
        return line_end + 1
    return start


def iter_blocks(text: str, *, partial: bool = False) -> list[CodeBlock]:
    """Every fenced block in `text`, of any language, in order (an unclosed last block included).

    `partial=True` is for text still being generated (see `_find_closing_fence`).

    >>> [b.language for b in iter_blocks("```json\\n{}\\n```\\n```python\\nx = 1\\n```")]
    ['json', 'python']
    """
    blocks: list[CodeBlock] = []
    pos = 0
    while True:
        open_at = _find_fence(text, pos)
        if open_at == -1:
            return blocks
        info_end = text.find("\n", open_at)
        if info_end == -1:  # a fence with nothing after it: no body yet
            return blocks
        language = text[open_at + len(FENCE) : info_end].strip().strip("`").lower()
        body = _body_start(text, info_end, partial)
        close_at = _find_closing_fence(text, body, partial)
        if close_at == -1:
            blocks.append(CodeBlock(language, text[body:], open_at, len(text), closed=False))
            return blocks
        end = close_at + len(FENCE)
        blocks.append(CodeBlock(language, text[body:close_at], open_at, end, closed=True))
        pos = end


def first_code_block(text: str) -> CodeBlock | None:
    """The first block whose language is Python-like (python, py, repl, or none), or None.

    >>> first_code_block("Let me look.\\n```python\\nprint(context[:100])\\n```").code
    'print(context[:100])\\n'
    """
    for block in iter_blocks(text):
        if block.language in CODE_LANGUAGES:
            return block
    return None


def code_block_end(text: str) -> int | None:
    """Offset just past the closing fence of the first Python-like block, or None if not closed yet.

    The engine's stop function: generation ends there so the model cannot invent the REPL's output.
    The closing fence counts once its line has ended (the newline itself is cut off).

    >>> code_block_end("```python\\nx = 1\\n```\\nNow the output is 1")
    19
    """
    for block in iter_blocks(text, partial=True):
        if block.language in CODE_LANGUAGES:
            return block.end if block.closed else None
    return None


def prose_outside_blocks(text: str) -> str:
    """`text` with every fenced block removed (what the model wrote as prose).

    >>> prose_outside_blocks("a\\n```\\nb\\n```\\nc")
    'a\\n\\nc'
    """
    pieces: list[str] = []
    pos = 0
    for block in iter_blocks(text):
        pieces.append(text[pos : block.start])
        pos = block.end
    pieces.append(text[pos:])
    return "".join(pieces)


def _scan_balanced(text: str, start: int, honour_quotes: bool) -> int | None:
    """Index of the `)` closing the `(` just before `start`, or None when it never closes."""
    depth = 1
    i = start
    n = len(text)
    while i < n:
        ch = text[i]
        if honour_quotes and ch in "\"'":
            quote = text[i : i + 3] if text.startswith(ch * 3, i) else ch
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            if i >= n:
                return None
            i += len(quote)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def _read_argument(raw: str) -> str:
    """The answer an argument stands for: a Python string literal is unquoted, anything else kept."""
    stripped = raw.strip()
    try:
        value = ast.literal_eval(stripped)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return stripped
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    return stripped


def find_prose_final(text: str) -> ProseFinal | None:
    """The last `FINAL(...)` / `FINAL_VAR(...)` written as prose (outside code blocks) at the start
    of a line, or None.

    Parentheses inside the answer are balanced; quotes are honoured so `FINAL("a (b")` works, and a
    stray apostrophe (`FINAL(it's 42)`) falls back to plain parenthesis matching.

    >>> find_prose_final("I found it.\\nFINAL(The code is 42 (not 43).)").value
    'The code is 42 (not 43).'
    >>> find_prose_final("I will call FINAL(answer) once I know it.") is None
    True
    >>> find_prose_final('FINAL_VAR(result)').kind
    'FINAL_VAR'
    """
    prose = prose_outside_blocks(text)
    found: ProseFinal | None = None
    pos = 0
    while True:
        at = prose.find("FINAL", pos)
        if at == -1:
            return found
        pos = at + len("FINAL")
        # Only at the start of a line (after indentation): "... and then do FINAL(answer) once I
        # know it" is a plan, not an answer (rlms settled on the same rule after the same bug).
        if prose[prose.rfind("\n", 0, at) + 1 : at].strip(" \t"):
            continue
        kind: Literal["FINAL", "FINAL_VAR"] = "FINAL"
        if prose.startswith("_VAR", pos):
            kind, pos = "FINAL_VAR", pos + len("_VAR")
        # Allow `FINAL (x)` but not `FINALLY` or `FINAL_ANSWER(`.
        open_at = pos
        while open_at < len(prose) and prose[open_at] in " \t":
            open_at += 1
        if open_at >= len(prose) or prose[open_at] != "(":
            continue
        close = _scan_balanced(prose, open_at + 1, honour_quotes=True)
        if close is None:
            close = _scan_balanced(prose, open_at + 1, honour_quotes=False)
        if close is None:
            continue
        value = _read_argument(prose[open_at + 1 : close])
        if kind == "FINAL_VAR":
            value = value.strip().strip("\"'")
            if not value.isidentifier():
                continue
        found = ProseFinal(kind, value)
        pos = close + 1
