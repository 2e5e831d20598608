"""Judging a run's turns so the loop can step in: degenerate text, repeated turns, ungrounded answers.

Small models under greedy decoding fall into fixed points (the same turn until the budget runs out),
run away generating (a line or phrase repeated up to `--max-tokens`), and answer from nothing (a
value copied from a worked example, or a literal their own code printed). These are pure functions
and one small tracker; the engine decides what to do with their verdicts and records each
intervention in the trajectory (docs/engine.md, "Loop control").
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from rlm.repl.headers import grep_count

# A line repeated this many times in a row is degeneration, not code (a loop body is indented
# differently each level, and a data literal this regular belongs in a loop).
REPEATED_LINE_RUN = 6
# A unit of up to this many characters repeated back to back over the last PERIODIC_SPAN
# characters is degeneration ("0, 0, 0, ...", "the the the ...").
MAX_PERIOD = 80
PERIODIC_SPAN = 240
# A block of 2 to MAX_BLOCK_LINES lines repeated BLOCK_REPEATS times back to back is degeneration too
# (seen in rlm eval: FINAL_VAR("a") ... FINAL_VAR("z") over and over, a period of 26 lines).
MAX_BLOCK_LINES = 100
BLOCK_REPEATS = 3
# Names through which model code reads the context (directly or via a helper that scans it).
CONTEXT_READERS = frozenset({
    "context", "grep", "find_all", "chunks", "search", "count_tokens", "llm_query",
    "llm_query_batched", "rlm_query", "rlm_query_batched",
})
# Answer parts shorter than this are not checked against the context: "a", "1", "ok" occur anywhere.
MIN_CHECKED_PART = 3


def degenerate_cut(text: str) -> int | None:
    """Where to cut `text` if it has started repeating itself, else None.

    Two patterns: the same non-empty line `REPEATED_LINE_RUN` times in a row (cut after its first
    occurrence), or a short unit repeated back to back over the last `PERIODIC_SPAN` characters
    (cut after the unit's first two occurrences). Used as a stop function while text streams in.

    >>> degenerate_cut("x = 1\\n" + "print(x)\\n" * 7)
    15
    >>> degenerate_cut("ok " * 100)
    6
    >>> degenerate_cut("hits = grep('Orion')\\nprint(hits)\\n") is None
    True
    """
    for judge in (_repeated_line_cut, _repeated_block_cut, _periodic_tail_cut):
        cut = judge(text)
        if cut is not None:
            return cut
    return None


def _repeated_line_cut(text: str) -> int | None:
    # Called for every streamed token: look at the last lines only, and walk back to the run's
    # first line only once a run is found (generation stops there).
    end = text.rfind("\n")
    if end == -1:
        return None
    tail = text[:end].rsplit("\n", REPEATED_LINE_RUN)
    if len(tail) < REPEATED_LINE_RUN:
        return None
    last = tail[-1].strip()
    if not last or any(line.strip() != last for line in tail[-REPEATED_LINE_RUN:]):
        return None
    first_end, line_end = end, end
    while True:
        line_start = text.rfind("\n", 0, line_end) + 1
        if text[line_start:line_end].strip() != last:
            break
        first_end = line_end
        if line_start == 0:
            break
        line_end = line_start - 1
    return first_end + 1


def _repeated_block_cut(text: str) -> int | None:
    # Judged when a line has just ended (cheap per token); cut after the block's first copy.
    if not text.endswith("\n"):
        return None
    lines = text[:-1].rsplit("\n", MAX_BLOCK_LINES * BLOCK_REPEATS)
    stripped = [line.strip() for line in lines]
    for k in range(2, MAX_BLOCK_LINES + 1):
        if len(stripped) < BLOCK_REPEATS * k:
            break
        block = stripped[-k:]
        if not any(block) or len(set(block)) == 1:
            continue  # blank lines, or one line repeated (the line rule's case)
        if all(stripped[-(r + 1) * k: len(stripped) - r * k] == block for r in range(1, BLOCK_REPEATS)):
            repeated = lines[-(BLOCK_REPEATS - 1) * k:]
            return len(text) - sum(len(line) + 1 for line in repeated)
    return None


def _periodic_tail_cut(text: str) -> int | None:
    if len(text) < PERIODIC_SPAN:
        return None
    tail = text[-PERIODIC_SPAN:]
    for period in range(1, MAX_PERIOD + 1):
        unit = tail[-period:]
        if not unit.strip():
            continue  # runs of spaces or newlines are layout, not degeneration
        if tail == (unit * (PERIODIC_SPAN // period + 1))[-PERIODIC_SPAN:]:
            start = len(text) - PERIODIC_SPAN
            while start >= period and text[start - period : start] == text[start : start + period]:
                start -= period
            return start + 2 * period
    return None


def combine_stops(*stops: Callable[[str], int | None]) -> Callable[[str], int | None]:
    """A stop function that cuts at the earliest cut any of `stops` asks for.

    >>> combine_stops(lambda t: None, lambda t: 3)("abcdef")
    3
    """

    def stop(text: str) -> int | None:
        cuts = [c for c in (s(text) for s in stops) if c is not None]
        return min(cuts) if cuts else None

    return stop


def normalize_code(code: str) -> str:
    """The code without comments, blank lines and trailing spaces: what makes two turns the same.

    >>> normalize_code("x = 1  # first\\n\\nprint(x)\\n") == normalize_code("x = 1\\nprint(x)")
    True
    """
    try:
        return ast.unparse(ast.parse(code))
    except (SyntaxError, ValueError, RecursionError):
        return "\n".join(line.rstrip() for line in code.strip().splitlines() if line.strip())


def _names(code: str) -> set[str] | None:
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        return None
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    return names


def reads_context(code: str) -> bool:
    """Whether `code` looks at the context: it names `context` or a helper that scans it.

    Static, so cheap and exact enough: the question is whether the model searched at all before
    answering, not what it found.

    >>> reads_context("print(grep('Orion'))"), reads_context("print(1234567890)")
    (True, False)
    """
    names = _names(code)
    return bool(names and names & CONTEXT_READERS)


def prints_only_literals(code: str) -> bool:
    """Whether `code` only prints or evaluates values written in the code itself.

    Such output ("1234567890") says nothing about the context; the model must not take it for a
    finding.

    >>> prints_only_literals("print('4817-ZQ')"), prints_only_literals("print(context[:100])")
    (True, False)
    """
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        return False
    if not tree.body:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id != "print":
            return False
        if isinstance(node, (ast.Attribute, ast.Subscript, ast.Lambda, ast.FunctionDef, ast.Import,
                             ast.ImportFrom)):
            return False
    return True


# Two or more codes (tokens with a digit) separated by spaces only.
_CODES = re.compile(r"[\w.-]*\d[\w.-]*(?:\s+[\w.-]*\d[\w.-]*)+")


def answer_items(answer: str) -> list[str]:
    """The items of a list answer: its comma, semicolon and line separated parts, or the codes
    of an answer that lists codes separated by spaces only.

    >>> answer_items("Ann: 555-0142, Bob: 555-0199"), answer_items("TCK-35662 TCK-90404")
    (['Ann: 555-0142', 'Bob: 555-0199'], ['TCK-35662', 'TCK-90404'])
    >>> answer_items("15 July 1993")
    ['15 July 1993']
    """
    items = [p.strip().strip("'\"[](){}").strip() for p in re.split(r"[,;\n]", answer)]
    items = [p for p in items if p]
    if len(items) == 1 and _CODES.fullmatch(items[0]):  # "TCK-35662 TCK-90404 TCK-61080"
        return items[0].split()
    return items


def answer_parts(answer: str) -> list[str]:
    """The pieces of an answer worth checking one by one: each item, and each side of a
    `key: value` or `key = value` item (a dict answer prints as `{'Ann': '555-0142'}`).

    >>> answer_parts("{'Ann': '555-0142', 'Bob': '555-0199'}")
    ['Ann', '555-0142', 'Bob', '555-0199']
    """
    parts = []
    for item in answer_items(answer):
        for piece in re.split(r"\s*(?::|=|->)\s*", item):
            piece = piece.strip().strip("'\"[](){}").strip()
            if len(piece) >= MIN_CHECKED_PART:
                parts.append(piece)
    return parts


def restates_task(answer: str, task: str) -> bool:
    """Whether the answer only repeats words of the question ("the secret code for Orion").

    >>> restates_task("secret access code for the Draco deployment", "What is the secret access code for the Draco deployment?")
    True
    """
    words = re.findall(r"\w+", answer.lower())
    return bool(words) and len(words) >= 2 and set(words) <= set(re.findall(r"\w+", task.lower()))


# Words of a question that asks for several items ("What are the codes of A, B and C?").
# "which" alone is no cue: "Which access token was issued to X?" asks for one (the 0.5B was told
# its right single answer was one of many); "which users were ..." is caught by "were".
_MANY_CUES = re.compile(r"\b(are|were|all|every|each|list|both)\b|,.*\band\b", re.IGNORECASE)
# ... but "how many packages were installed" asks for one number (held-out pkglog seed 61: told
# its count 96 was one of 96 items, the 0.5B FINALed "status, status, ...").
_ASKS_ONE_NUMBER = re.compile(r"\bhow (?:many|much)\b|\bwhat is the (?:total|sum|count|number)\b",
                              re.IGNORECASE)


def asks_for_several(task: str) -> bool:
    """Whether the task asks for a list rather than one value.

    >>> asks_for_several("What are the codes for Falcon, Heron and Lynx?"), asks_for_several("What is the code?")
    (True, False)
    >>> asks_for_several("Which users were locked out?"), asks_for_several("Which token was issued to X?")
    (True, False)
    >>> asks_for_several("How many packages were installed on 2026-09-22?")
    False
    """
    return bool(_MANY_CUES.search(task)) and _ASKS_ONE_NUMBER.search(task) is None


# An enumeration in the task: "Puffin, Falcon, Bison and Badger" (two or more commas-separated
# items, then "and"/"or" and the last one). "A and B" alone is left out: "sum and count" is no list.
_ITEM = r"[A-Za-z0-9][\w\-']*(?:\.\d+)?"
_ENUMERATION = re.compile(rf"{_ITEM}(?:\s*,\s*{_ITEM})+\s*,?\s+(?:and|or)\s+{_ITEM}")


# ... or a list that ends the task after a colon: "Which of these words ...: budez, filed, gegul?"
_COLON_LIST = re.compile(rf":\s*({_ITEM}(?:\s*,\s*{_ITEM}){{2,}})\s*[?.]?\s*$")


def named_items(task: str) -> list[str]:
    """The items the task lists by name, in order ([] when it lists none). Items are alike: all
    with a digit or none ("63007, directly or through" is a phrase), or listed after a colon.

    >>> named_items("What are the project codes for Puffin, Falcon, Bison and Badger? Give each.")
    ['Puffin', 'Falcon', 'Bison', 'Badger']
    >>> named_items("Which users were locked out?"), named_items("Give the sum and the count.")
    ([], [])
    >>> named_items("Which of these words occurs most often: budez, filed, gegul?")
    ['budez', 'filed', 'gegul']
    >>> named_items("Which variables hold the value 63007, directly or through other variables?")
    []
    """
    listed = _COLON_LIST.search(task)
    if listed is not None:
        return [p for p in re.split(r"\s*,\s*", listed.group(1)) if p]
    found = _ENUMERATION.search(task)
    if found is None:
        return []
    parts = [p for p in re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", found.group(0)) if p]
    # "63007, directly or through" is a phrase, not a list.
    with_digits = [any(c.isdigit() for c in p) for p in parts]
    return parts if all(with_digits) or not any(with_digits) else []


_ASKS_CHOICE = re.compile(r"\bwhich (?:one )?of (?:these|those|the following|them)\b", re.IGNORECASE)


def asks_choice(task: str) -> bool:
    """Whether the task asks to pick one of the items it lists ("Which of these words ...").

    >>> asks_choice("Which of these words occurs most often: a1, b2, c3?"), asks_choice("Which file?")
    (True, False)
    """
    return _ASKS_CHOICE.search(task) is not None


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _rounded_number_seen(answer: str, seen_text: str) -> bool:
    """Whether a numeric answer is a number of the output rounded to the answer's decimals (the
    1.5B printed 8219.449999999999 and answered 8219.45, which is what a person would do).

    >>> _rounded_number_seen("8219.45", "16 8219.449999999999"), _rounded_number_seen("8219.4", "8219.45")
    (True, False)
    """
    text = answer.strip().replace(",", "")
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", text):
        return False
    decimals = len(text.partition(".")[2])
    value = round(float(text), decimals)
    return any(round(float(n), decimals) == value for n in _NUMBER.findall(seen_text))


# grep's "766:" or "path:12:" before a line's text (not the "12:" of "12:00", nor a date's
# "2025-"). A line's text may itself start with digits: "3048:2025-11-08T15:04:26Z [batch] ..."
# (with `(?!\d)` here no timestamped log line was read as a grep line: held-out extract seed 63).
_NOT_MINUTES = r"(?!\d\d(?!\d))"
GREP_LINE_PREFIX = rf"(?:[^\s:]+:)?\d+:{_NOT_MINUTES}"
_LINE_PREFIX = re.compile(rf"^[ \t]*{GREP_LINE_PREFIX}", re.MULTILINE)
_GREP_LINE_TEXT = re.compile(rf"^{GREP_LINE_PREFIX}(.*)$", re.MULTILINE)


def grep_line_texts(output: str) -> list[str]:
    """The texts of the grep lines printed in `output` (without their `path:` and `N:`).

    >>> grep_line_texts("2 matching lines for 'a':\\n3:a b\\nsrc/x.py:9:a c")
    ['a b', 'a c']
    >>> grep_line_texts("1 matching line for 'job':\\n3048:2025-11-08T15:04:26Z job JOB-1 failed")
    ['2025-11-08T15:04:26Z job JOB-1 failed']
    >>> grep_line_texts("12:00 lunch")
    []
    """
    return _GREP_LINE_TEXT.findall(output)


def numbered_line(answer: str, seen: Iterable[str]) -> str | None:
    """The text of the output line whose grep line number is the whole answer, or None (also when
    the number occurs in the lines' text: then it may be a value).

    >>> numbered_line("582", seen=["1 matching line for 'phone':\\n582:Rosalind lost a phone."])
    'Rosalind lost a phone.'
    >>> numbered_line("42", seen=["42:total 42"]) is None, numbered_line("21", seen=["21:port 54211"])
    (True, 'port 54211')
    >>> numbered_line("3048", seen=["3048:2025-11-08T15:04:26Z job JOB-1 failed"])
    '2025-11-08T15:04:26Z job JOB-1 failed'
    """
    number = answer.strip().strip(".'\"")
    if not number.isdigit():
        return None
    joined = "\n".join(seen)
    if re.search(rf"(?<!\d){number}(?!\d)", _LINE_PREFIX.sub("", joined)):  # a number the text says
        return None
    m = re.search(rf"^[ \t]*(?:[^\s:]+:)?{number}:{_NOT_MINUTES}(.*)$", joined, re.MULTILINE)
    return None if m is None else m.group(1).strip()


def appears_in(answer: str, find: Callable[[str], bool] | None = None, seen: Iterable[str] = ()) -> bool:
    """Whether the answer (or every checkable part of it) occurs in the context or in output seen.

    `find(s)` searches the context (a Rust `find` on the mapped file; None: only `seen` counts);
    `seen` is the REPL output the model was shown. Case is ignored in the output, where the model
    may have re-cased a value.

    >>> appears_in("42", seen=["total: 42"]), appears_in("7")
    (True, True)
    >>> appears_in("Orion 4817-ZQ", seen=["the code of Orion is 4817-ZQ"])
    True
    >>> appears_in("5903783, 766", seen=["766:the number is 5903783"])  # a line number is no value
    False
    >>> appears_in("12:00", seen=["12:00 backup done"]), appears_in("2025-11-19", seen=["2025-11-19 x"])
    (True, True)
    >>> appears_in("570:Thaddeus asked IT.", seen=["2 matching lines\\n570:Thaddeus asked IT."])
    True
    """
    # A grep line answered with its "570:" is that line (held-out paraphrase seed 55: told it
    # "appears nowhere", the 0.5B grepped the same lines until its turns ran out).
    answer = _LINE_PREFIX.sub("", answer.strip(), count=1)
    if len(answer) < MIN_CHECKED_PART:
        return True  # too short to tell: "7" occurs in any text
    # Without grep's line numbers ("766:One of the ... is 3754563."): the 0.5B answered the line
    # numbers 766 and 991 of two hits as two of the values, and they counted as seen.
    seen_text = _LINE_PREFIX.sub("", "\n".join(seen)).lower()

    def found_as_is(part: str) -> bool:
        return (find is not None and find(part)) or part.lower() in seen_text

    def found(part: str) -> bool:
        # "Puffin 5118-MT" joins a name and its value that sit apart in the text: each word counts.
        words = [w.strip(".,;:'\"()[]") for w in part.split()]
        words = [w for w in words if len(w) >= MIN_CHECKED_PART]
        return found_as_is(part) or (len(words) > 1 and all(found_as_is(w) for w in words))

    if found_as_is(answer) or _rounded_number_seen(answer, seen_text):
        return True
    parts = answer_parts(answer)
    return bool(parts) and all(found(p) for p in parts)


@dataclass
class Progress:
    """What the run has done so far, to tell a new step from a repeat.

    >>> p = Progress(); _ = p.record("print(1)", "1\\n"); p.repeats("print(1)  # again")
    1
    """

    codes: dict[str, int] = field(default_factory=dict)  # normalized code -> first turn it ran
    outputs: list[str] = field(default_factory=list)  # every output shown, in order
    stalls: int = 0  # turns in a row without new output
    most_matches: int = 0  # the most lines one search showed (grep's count, or the search hits)
    read_context: bool = False  # some executed code looked at the context

    def repeats(self, code: str) -> int | None:
        """The turn that already ran this code, or None."""
        return self.codes.get(normalize_code(code))

    def record(self, code: str, output: str, iteration: int = 1, *, clean: bool = True,
               own: bool = False) -> bool:
        """Remember an execution; return True when its output is new (progress).

        Output counts as new when it is non-empty, not only whitespace, raised nothing, and was not
        shown before. `own` output (the code printed only literals it wrote) is no evidence: it is
        not kept among the outputs an answer may be grounded in (the 0.5B printed
        `['5903783', '766']`, then FINALed it).
        """
        self.codes.setdefault(normalize_code(code), iteration)
        self.read_context = self.read_context or reads_context(code)
        new = clean and bool(output.strip()) and output not in self.outputs
        if not own:
            self.outputs.append(output)
        self.most_matches = max(self.most_matches, grep_count(output))
        self.stalls = 0 if new else self.stalls + 1
        return new

    def show(self, text: str, *, matches: int = 0) -> None:
        """Remember text the engine itself showed the model (the first message's search hits)."""
        if text:
            self.outputs.append(text)
        self.most_matches = max(self.most_matches, matches)

    def note_code(self, code: str, iteration: int) -> None:
        """Remember code that ran without output worth keeping (a FINAL that was questioned), so
        the same code again counts as a repeat."""
        self.codes.setdefault(normalize_code(code), iteration)

    def stall(self) -> None:
        """A turn that made no step at all (a repeat that was not run)."""
        self.stalls += 1


def intervention(kind: str, **data: Any) -> dict[str, Any]:
    """One engine intervention as the trajectory records it.

    >>> intervention("resample", reason="repeated turn 2")
    {'kind': 'resample', 'reason': 'repeated turn 2'}
    """
    return {"kind": kind, **data}


def merge_final_calls(code: str) -> str | None:
    r"""One FINAL for code that ends with several consecutive FINAL(<literal>) statements, or None.

    The first FINAL ends a cell, so `FINAL("5118-MT")` then `FINAL("8546-QZ")` answers one item:
    the 0.5B wrote four such lines after a lookup loop had shown it all four codes (eval
    trajectory, 2026-12-01). Only top-level calls with a constant argument are merged.

    >>> merge_final_calls('x = 1\nFINAL("a")\nFINAL("b")')
    "x = 1\nFINAL('a, b')"
    >>> merge_final_calls('FINAL("a")'), merge_final_calls('if x:\n    FINAL(1)\nFINAL(2)')
    (None, None)
    """
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        return None
    values: list[str] = []
    for node in reversed(tree.body):
        call = node.value if isinstance(node, ast.Expr) else None
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                and call.func.id == "FINAL" and len(call.args) == 1 and not call.keywords
                and isinstance(call.args[0], ast.Constant)):
            break
        values.append(str(call.args[0].value))
    if len(values) < 2:
        return None
    keep = tree.body[: len(tree.body) - len(values)]
    merged = ast.Expr(ast.Call(ast.Name("FINAL", ast.Load()),
                               [ast.Constant(", ".join(reversed(values)))], []))
    return ast.unparse(ast.Module([*keep, merged], type_ignores=[]))
