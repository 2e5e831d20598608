"""List answers and grep lines: what the last grep showed, and whether a list answer took every
item of the shape it took.

The coverage check (`rlm.answer_check`) reads the grep lines here: asked to fill in "Walrus:
VALUE, Ibex: VALUE, ..." from four grep results, the 0.5B wrote one value for all four, so
`seen_lines` quotes each item's line back (without grep's "877:", which it filled in as a value);
`some_of_many` finds the lines of the same shape a list answer left out.
"""

from __future__ import annotations

import re

from rlm.loop_control import GREP_LINE_PREFIX, answer_items
from rlm.repl.headers import grep_headers, is_result_header


# A grep line as printed: "766:text" or "path:12:text" (the header line has no such prefix).
_GREP_LINE = re.compile(rf"^{GREP_LINE_PREFIX}(.*)$")
_LINE_NUMBER = re.compile(r"^\s*(?:[^\s:]+:)?\d+[:-]")  # "393:" or "path:12:" as grep prints


SEEN_LINE_CHARS = 160


def seen_lines(items: list[str], outputs: list[str]) -> str:
    """The first line of the output holding each item (as a word), for the fill-in note: the
    0.5B, asked to fill "Walrus: VALUE, Ibex: VALUE, ..." from four grep results above, wrote the
    one value it had answered before for all four ("" when no item was seen).

    >>> print(seen_lines(["Ibex", "Lynx"], ["1 matching line:\\n6:The code for Ibex is 7212-XK."]))
    <BLANKLINE>
    The lines your output showed for them:
    Ibex: The code for Ibex is 7212-XK.
    """
    rows = []
    for item in items:
        word = re.compile(rf"(?<!\w){re.escape(item)}(?!\w)", re.IGNORECASE)
        line = next((line.strip() for output in outputs for line in output.splitlines()
                     if word.search(line) and not is_result_header(line)), None)
        if line is not None:
            # Without grep's "877:": shown "Badger: 877:The project code for Badger is 2785-CA."
            # the 0.5B filled in "Badger: 877".
            rows.append(f"{item}: {_LINE_NUMBER.sub('', line, count=1).strip()[:SEEN_LINE_CHARS]}")
    return "\nThe lines your output showed for them:\n" + "\n".join(rows) if rows else ""


def line_shape(line: str) -> str:
    """A line with its numbers blanked: records of one kind share it.

    >>> line_shape("2025-11-11T15:48:23Z job JOB-94370 failed on node-2")
    '0-0-0T0:0:0Z job JOB-0 failed on node-0'
    """
    return re.sub(r"\d+", "0", line)


def item_pattern(items: list[str]) -> str | None:
    """The regex every item fits, when they are codes of one shape (`JOB-\\d+`), else None.

    >>> print(item_pattern(["JOB-59851", "JOB-76469"]), item_pattern(["Ann", "Bob"]))
    JOB-\\d+ None
    """
    def shape(item: str) -> str:
        return "".join(r"\d+" if part.isdigit() else re.escape(part).replace("\\-", "-")
                       for part in re.split(r"(\d+)", item) if part)

    shapes = {shape(item) for item in items}
    if len(shapes) != 1 or not any(c.isdigit() for c in items[0]):
        return None
    return shapes.pop()


def some_of_many(answer: str, outputs: list[str]) -> tuple[int, int, str] | None:
    """(lines, items given, code that collects every item) when a list answer takes its items
    from some of the last grep's lines and leaves out others of the same shape, else None."""
    last = last_grep_lines(outputs)
    if last is None:
        return None
    pattern, lines = last
    items = answer_items(answer)
    taken = [next((line for line in lines if item in line), None) for item in items]
    if len(items) < 2 or None in taken:
        return None
    shapes = {line_shape(line) for line in taken if line is not None}
    alike = [line for line in lines if line_shape(line) in shapes]
    if len(alike) <= len(set(taken)):
        return None
    code = item_pattern(items)
    collect = collect_code(code, pattern) if code else 'items = re.findall(r"...", context)'
    return len(alike), len(items), collect


def collect_code(code: str, pattern: str) -> str:
    """The line that collects every item of shape `code` from the lines grep finds for `pattern`.

    >>> print(collect_code(r"JOB-\\d+", "failed"))
    items = re.findall(r"JOB-\\d+", "\\n".join(h.line for h in grep('failed', max_count=None)))
    """
    return (f'items = re.findall(r"{code}", "\\n".join(h.line for h in grep({pattern!r}, '
            f'max_count=None)))')


# A record's id as logs and tickets write them: RMA-04789, JOB-59851, TCK-35662, INC-2041.
_RECORD_ID = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]+-\d+(?![\w-])")


def id_pattern(lines: list[str]) -> str | None:
    """The regex of the one value each line holds that the others hold differently: a record id
    (`RMA-\\d+`, one per line, all different), else the one slot of the lines' words that
    holds a different number-like value on every line, with the word before it as its anchor
    (`port (\\d+)`); None when neither is clear.

    >>> print(id_pattern(["order RMA-04789 was delayed", "order RMA-53475 was delayed"]))
    RMA-\\d+
    >>> print(id_pattern(["A mirror answers on port 38740.", "A mirror answers on port 54211."]))
    port (\\d+)
    >>> print(id_pattern(["The code of Ann is 1754-UP.", "The code of Bob is 7126-CE."]))
    is (\\d+-[A-Z]+)
    >>> id_pattern(["JOB-1 and JOB-2", "JOB-3"]) is None, id_pattern(["x 12", "x 12"]) is None
    (True, True)
    """
    if len(lines) < 2:
        return None
    found = [_RECORD_ID.findall(line) for line in lines]
    ids = [f[0] for f in found if len(f) == 1]
    if len(ids) == len(lines) and len(set(ids)) == len(ids):
        return item_pattern(ids)
    return _slot_pattern(lines)


def _slot_pattern(lines: list[str]) -> str | None:
    rows = [line.split() for line in lines]
    if len({len(row) for row in rows}) != 1:
        return None
    slots = []
    for k in range(1, len(rows[0])):  # the first word has no anchor before it
        values = [row[k].strip(".,;:!?()'\"") for row in rows]
        anchors = {row[k - 1] for row in rows}
        if len(anchors) == 1 and not any(c in rows[0][k - 1] for c in "\"\\") and len(set(values)) == len(values) and all(
                any(c.isdigit() for c in v) for v in values):
            slots.append((rows[0][k - 1], values))
    if len(slots) != 1:
        return None
    anchor, values = slots[0]
    shape = item_pattern(values) or _letters_pattern(values)
    return None if shape is None else f"{re.escape(anchor)} ({shape})"


def _letters_pattern(values: list[str]) -> str | None:
    """`\\d+-[A-Z]+` for codes of one shape whose letters differ too (1754-UP, 7126-CE)."""
    def shape(value: str) -> str:
        parts = re.split(r"(\d+|[A-Z]+)", value)
        return "".join(r"\d+" if part.isdigit() else "[A-Z]+" if part.isalpha() and part.isupper()
                       else re.escape(part).replace("\\-", "-") for part in parts if part)

    shapes = {shape(value) for value in values}
    return shapes.pop() if len(shapes) == 1 else None


def collect_from_last_grep(outputs: list[str]) -> str | None:
    """The line that collects the record ids of the last grep's lines, when each line holds one
    (the 0.5B answered the twelve line numbers of twelve "Customer order RMA-... was delayed"
    lines, then one whole line, then wrote a findall with one depot's name in it: held-out
    extract seed 61, 1M), else None."""
    last = last_grep_lines(outputs)
    if last is None:
        return None
    pattern, lines = last
    code = id_pattern(lines)
    return None if code is None else collect_code(code, pattern)


def last_grep_lines(outputs: list[str]) -> tuple[str, list[str]] | None:
    """(pattern, the texts of its lines) of the last grep whose printed result showed lines."""
    last = last_grep(outputs)
    if last is None:
        return None
    pattern, output = last
    return pattern, [m.group(1) for m in map(_GREP_LINE.match, output.splitlines()) if m is not None]


def last_grep(outputs: list[str]) -> tuple[str, str] | None:
    """(pattern, output) of the last grep whose printed result showed lines (None if none did).

    >>> last_grep(["5 matching lines for 'Oksana':\\n8:Oksana", "0 matching lines for 'x'"])
    ('Oksana', "5 matching lines for 'Oksana':\\n8:Oksana")
    """
    for output in reversed(outputs):
        found = [head for head in grep_headers(output) if head.count]
        if found:
            return found[-1].pattern, output
    return None


def last_grep_pattern(outputs: list[str]) -> str | None:
    """The pattern of the last grep whose printed result showed lines (None if none did)."""
    last = last_grep(outputs)
    return None if last is None else last[0]


def shows_grep_lines(output: str) -> bool:
    """Whether a printed output holds a grep result that showed lines.

    >>> shows_grep_lines("2 matching lines for 'a':\\n1:a\\n4:a"), shows_grep_lines("0 matching lines for 'b'")
    (True, False)
    """
    return last_grep([output]) is not None
