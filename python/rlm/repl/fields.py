"""`values(key, where=None)`: the value of a field on every record line, for sums and counts.

Records in logs and data files name their fields in one of three ways: `amount=12.50`,
`hours: 7.5` and `"weight_kg": 17` (JSON Lines). Asked for a total over the records of one
group, the 0.5B summed every record's field and dropped the group's condition in both eval
seeds, and when shown a two-step example (grep the records, then pull the field out of each)
it copied only the second step. One call that takes the condition and the field together
leaves nothing to drop: `sum(values("amount", where="region=east"))`.

The lines come from `grep` (Rust over the mapped context); only the matching lines are parsed
in Python, so the cost is that of a grep plus a small regex per matching line.

Example (in the REPL):
    >>> print(values("amount", where="status=REFUNDED"))  # doctest: +SKIP
    3 values of 'amount' on lines matching 'status=REFUNDED' (sum 32.5): [12.5, 10.0, 10.0]
"""

from __future__ import annotations

import collections
import math
import re
from typing import Any

from rlm.repl.toolkit import grep

__all__ = ["Values", "values"]

# A number as records print it: 12, -3.5, 1,234.50 (thousands separators are dropped).
_NUMBER = r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w.])"
# Anything else up to the next separator: a status, a name, an id.
_WORD = r"[^\s,;|\"'}\]]+"
SHOWN_VALUES = 20
MOST_COMMON_SHOWN = 5


class Values(list):  # type: ignore[type-arg]
    """The values `values` found, in line order; prints its count, its sum (when every value is a
    number) and the values.

    Example:
        >>> values("hours", text="team: data | hours: 7.5\\nteam: web | hours: 2\\n")
        2 values of 'hours' (sum 9.5): [7.5, 2.0]
    """

    def __init__(self, found: list[float | str], key: str, where: str | None,
                 lines: list[int], missing: int) -> None:
        super().__init__(found)
        self.key = key
        self.where = where
        self.lines = lines  # the line number each value came from
        self.missing = missing  # matching lines that had no such field

    @property
    def total(self) -> float | None:
        """The sum of the values with float noise rounded off (None unless every value is a
        number): 0.1 + 0.2 is 0.3, as a person adding the records would write it."""
        if not self or not all(isinstance(v, float) for v in self):
            return None
        return round(math.fsum(self), 6)

    def most_common(self, n: int | None = None) -> list[tuple[float | str, int]]:
        """The values that are words (not numbers) with how often each occurs, most first (ties
        in line order), as `collections.Counter.most_common`: "which status occurs most often?"
        is `values("status").most_common(1)`.

        Example:
            >>> values("status", text="status=OK\\nstatus=FAILED\\nstatus=OK\\n").most_common(1)
            [('OK', 2)]
        """
        if self.total is not None:
            return []
        return collections.Counter(self).most_common(n)

    def __repr__(self) -> str:
        head = f"{len(self)} value{'' if len(self) == 1 else 's'} of {self.key!r}"
        if self.where is not None:
            head += f" on lines matching {self.where!r}"
        notes = []
        if self.total is not None:
            notes.append(f"sum {_plain(self.total)}")
        common = self.most_common(MOST_COMMON_SHOWN)
        if common and common[0][1] > 1:  # words that repeat: say which repeat most
            ranked = ", ".join(f"{v!r} {n}" for v, n in common)
            notes.append(f"{len(set(self))} distinct; most common: {ranked}")
        if self.missing:
            notes.append(f"{self.missing} matching line{'' if self.missing == 1 else 's'} "
                         f"without {self.key!r}")
        if notes:
            head += f" ({'; '.join(notes)})"
        shown = list.__repr__(self[:SHOWN_VALUES])
        if len(self) > SHOWN_VALUES:
            shown = shown[:-1] + f", ... {len(self) - SHOWN_VALUES} more]"
        return f"{head}: {shown}"

    __str__ = __repr__


def _plain(number: float) -> str:
    """A number without exponent or trailing zeros: 1234567.8, 12, 0.3.

    >>> _plain(1234567.80), _plain(12.0), _plain(0.30000000000000004)
    ('1234567.8', '12', '0.3')
    """
    return f"{round(number, 6):.6f}".rstrip("0").rstrip(".")


def field_pattern(key: str, ignore_case: bool = False) -> re.Pattern[str]:
    """The regex that finds `key`'s value in a line: `key=V`, `key: V`, `"key": V` (V a number
    or a word, quotes dropped); `key` must not be the end of a longer name.

    Example:
        >>> field_pattern("amount").search('id=7 net_amount=3 amount=12.50 EUR').group(1)
        '12.50'
    """
    flags = re.IGNORECASE if ignore_case else 0
    return re.compile(rf"(?<![\w-]){re.escape(key)}[\"']?\s*[:=]\s*[\"']?(?:({_NUMBER})|({_WORD}))",
                      flags)


# `where="team=data"`: a condition on a field, in whichever spelling the records use.
_CONDITION = re.compile(r"^\s*([A-Za-z_][\w.-]*)\s*(?:=|:)\s*([^\s=:\"']+)\s*$")


def where_pattern(where: str) -> str:
    """The regex `values` greps for `where`: a condition `name=value` (or `name: value`) matches
    the field in any of its three spellings (the 0.5B wrote `where="team=data"` for records
    `team: data` and got nothing); any other `where` is a regex as given.

    Example:
        >>> bool(re.search(where_pattern("team=data"), 'x | team: data | hours: 2'))
        True
        >>> where_pattern("ERROR|FATAL")
        'ERROR|FATAL'
    """
    m = _CONDITION.match(where)
    if m is None:
        return where
    name, value = map(re.escape, m.groups())
    return rf"(?<![\w-]){name}[\"']?\s*[:=]\s*[\"']?{value}(?![\w-])"


def values(key: str, where: str | None = None, *, ignore_case: bool = False,
           text: Any = None) -> Values:
    """The value of field `key` on every line of `text` (default: the context) that matches
    `where` (every line holding `key` when None), in line order.

    Fields are read as `key=V`, `key: V` or `"key": V`; numbers become floats (`1,234.5` is
    1234.5), other values stay strings. `where` is a regex, except that a condition
    `name=value` matches that field in any of the three spellings (`team=data` finds
    `team: data` and `"team": "data"`). Lines that match `where` but lack the field are counted
    in `.missing`, not guessed. `sum(values(...))` is the total; `len(...)` the count.

    Example:
        >>> log = "order=A1 status=OK amount=5\\norder=A2 status=FAILED amount=7.25\\n"
        >>> values("amount", where="status=FAILED", text=log)
        1 value of 'amount' on lines matching 'status=FAILED' (sum 7.25): [7.25]
        >>> values("status", text=log)
        2 values of 'status': ['OK', 'FAILED']
    """
    if not key or not key.strip():
        raise ValueError("values() needs the name of a field, e.g. values('amount')")
    pattern = field_pattern(key, ignore_case)
    rows = (grep(where_pattern(where), text, ignore_case=ignore_case, max_count=None) if where is not None
            else grep(key, text, ignore_case=ignore_case, max_count=None, literal=True))
    found: list[float | str] = []
    lines: list[int] = []
    missing = 0
    for row in rows:
        m = pattern.search(row.line)
        if m is None:
            missing += 1
            continue
        number, word = m.group(1), m.group(2)
        found.append(float(number.replace(",", "")) if number is not None else word)
        lines.append(row.line_number)
    # A line that holds the key only as part of other text is no record of it (where=None).
    return Values(found, key, where, lines, missing if where is not None else 0)
