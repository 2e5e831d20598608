"""`aliases(value)`: every variable that ends up holding a value, through chains of assignments.

Code and configuration copy values from name to name (`VAR B = VAR A`, `let b = a;`, `b := a`);
"which variables hold 16087?" (RULER's variable tracking) needs every link of the chain. The 0.5B
grepped the value, saw `LBVCT := 16087`, and answered the value itself (all 4 eval runs,
2026-12-01): following a chain is a loop of greps it does not write. `aliases` is that loop:
grep the value, take the names assigned it, grep each of them, until no new name appears.

Each step is one grep (Rust over the mapped context); only matching lines are parsed in Python.

Example (in the REPL):
    >>> print(aliases("16087"))  # doctest: +SKIP
    3 variables hold '16087' through assignments: LBVCT, QOPRM, ZTXUA
    156:LBVCT := 16087
    412:QOPRM := LBVCT
    733:ZTXUA := QOPRM
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rlm.repl.headers import aliases_head
from rlm.repl.toolkit import grep

__all__ = ["Alias", "Aliases", "aliases"]

MAX_NAMES = 500  # a value copied into more names than this is no chain to follow by hand
# Declaration words that may stand before the assigned name: `VAR x = 1`, `let x = 1;`, `my $x = 1`.
_DECLARE = r"(?:(?:VAR|var|let|const|val|set|my|local|export|auto|define|global)\s+)?"
# `=` (not `==`, `<=`, `!=`), `:=` or `<-`; the value may be quoted or spelled `VAR name` / `$name`.
_ASSIGN = r"\s*(?::=|<-|(?<![=!<>:])=(?!=))\s*"
_END = r"\s*[;,]?\s*(?:(?:#|//|--).*)?$"


@dataclass(frozen=True)
class Alias:
    """One variable of the chain and the line that assigned it."""

    name: str
    line_number: int
    line: str


class Aliases(list):  # type: ignore[type-arg]
    """The names `aliases` found, in the order the chain reaches them; prints how many, the names
    and the assigning lines. It is a list of str: `", ".join(aliases("16087"))` is the answer.

    Example:
        >>> aliases("7", text="a = 7\\nb = a\\nc = b + 1\\nd = 'b'\\n")
        2 variables hold '7' through assignments: a, b
        1:a = 7
        2:b = a
    """

    def __init__(self, found: list[Alias], value: str) -> None:
        super().__init__(a.name for a in found)
        self.value = value
        self.assignments = found

    def __repr__(self) -> str:
        head = aliases_head(len(self), self.value)
        if not self:
            return head + f" (no line assigns it to a name; grep({self.value!r}) shows where it occurs)"
        lines = "\n".join(f"{a.line_number}:{a.line}" for a in self.assignments)
        return f"{head}: {', '.join(self)}\n{lines}"

    __str__ = __repr__


def _assignment_to(target: str, *, quoted: bool) -> re.Pattern[str]:
    """A line that assigns exactly `target` to a name: the value (`quoted`: also as "16087"), or a
    name already holding it (`x = 'b'` assigns a string, not the variable b)."""
    value = rf"([\"']?){re.escape(target)}\2" if quoted else rf"(){re.escape(target)}"
    return re.compile(rf"^\s*{_DECLARE}([A-Za-z_$][\w$]*){_ASSIGN}(?:VAR\s+|var\s+|\$)?"
                      rf"{value}(?![\w$]){_END}")


def aliases(value: Any, *, text: Any = None) -> Aliases:
    """Every variable assigned `value`, directly or through other variables (`b = a` after
    `a = value`), in the order the chain reaches them. A name assigned an expression (`c = b + 1`)
    does not hold the value and is left out.

    Example:
        >>> list(aliases("51234", text="VAR QW = 51234\\nVAR ER = VAR QW\\nVAR TY = VAR ER\\n"))
        ['QW', 'ER', 'TY']
    """
    start = str(value)
    found: list[Alias] = []
    seen = {start}
    frontier = [start]
    while frontier and len(found) < MAX_NAMES:
        target = frontier.pop(0)
        assigns = _assignment_to(target, quoted=target == start)
        for match in grep(target, text, literal=True, max_count=None):
            m = assigns.match(match.line)
            if m is not None and m.group(1) not in seen:
                seen.add(m.group(1))
                found.append(Alias(m.group(1), match.line_number, match.line.strip()))
                frontier.append(m.group(1))
    return Aliases(found[:MAX_NAMES], start)
