"""Results the model's code computed and threw away before printing them.

The 0.5B, told to look up four names, wrote `hits = grep("Badger")`, `hits = grep("Heron")`, ...
and `print(hits)` (eval trajectories, 2026-12-01): only the last lookup reached the output, and
it answered one item of four. The engine reads the code (`overwritten`) and says so, with the
loop that keeps every result (`Overwrite.loop`).

Example:
    >>> lost = overwritten('hits = grep("Badger")\\nhits = grep("Heron")\\nprint(hits)')
    >>> lost.name, lost.times, lost.loop()
    ('hits', 2, "for item in ['Badger', 'Heron']: print(grep(item))")
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

__all__ = ["Overwrite", "overwritten"]


@dataclass(frozen=True)
class Overwrite:
    """A name assigned the result of a call `times` times in a row before anything read it.

    `function`, `items` and `keywords` describe the calls when they differ only in their first,
    constant argument (`grep("Badger")`, `grep("Heron")`): then `loop()` writes the loop."""

    name: str
    times: int
    function: str | None = None
    items: tuple[object, ...] = ()
    keywords: str = ""

    def loop(self) -> str | None:
        """One line that prints every result, or None when the calls are not alike."""
        if self.function is None:
            return None
        rest = f", {self.keywords}" if self.keywords else ""
        return f"for item in {list(self.items)!r}: print({self.function}(item{rest}))"


def _alike(calls: list[ast.Call]) -> tuple[str, tuple[object, ...], str] | None:
    """(function, first arguments, the other arguments as written) when the calls differ only in a
    constant first argument."""
    first = calls[0]
    if not isinstance(first.func, ast.Name) or not first.args:
        return None
    rest = [ast.unparse(a) for a in first.args[1:]] + [ast.unparse(k) for k in first.keywords]
    items = []
    for call in calls:
        if (not isinstance(call.func, ast.Name) or call.func.id != first.func.id or not call.args
                or not isinstance(call.args[0], ast.Constant)
                or [ast.unparse(a) for a in call.args[1:]] + [ast.unparse(k) for k in call.keywords]
                != rest):
            return None
        items.append(call.args[0].value)
    return first.func.id, tuple(items), ", ".join(rest)


def overwritten(code: str) -> Overwrite | None:
    """The name whose call results the code's top level overwrote most before reading them, or None.

    >>> overwritten("a = f(1)\\nprint(a)\\na = f(2)\\nprint(a)") is None  # each read before the next
    True
    >>> overwritten("x = grep('A', ignore_case=True)\\nx = grep('B', ignore_case=True)").loop()
    "for item in ['A', 'B']: print(grep(item, ignore_case=True))"
    """
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        return None
    pending: dict[str, list[ast.Call]] = {}  # name -> the calls assigned to it since it was read
    worst: tuple[str, list[ast.Call]] | None = None
    for statement in tree.body:
        read = {n.id for n in ast.walk(statement) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        for name in read:
            pending.pop(name, None)
        target = (statement.targets[0].id if isinstance(statement, ast.Assign) and len(statement.targets) == 1
                  and isinstance(statement.targets[0], ast.Name) else None)
        if target is None:
            continue
        if isinstance(statement.value, ast.Call):
            calls = pending.setdefault(target, [])
            calls.append(statement.value)
            if len(calls) >= 2 and (worst is None or len(calls) > len(worst[1])):
                worst = (target, list(calls))
        else:
            pending.pop(target, None)
    if worst is None:
        return None
    name, calls = worst
    alike = _alike(calls)
    if alike is None:
        return Overwrite(name, len(calls))
    return Overwrite(name, len(calls), *alike)
