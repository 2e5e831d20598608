"""JSON Lines records of a context, parsed one at a time as they are taken.

`context.records()` is `Records(context)`: rlm-core walks the `\\n` lines of the mapped text
(skipping blank ones and, with `where=`, every line that cannot hold the wanted values) and
hands over one line at a time; only then is it parsed, with `json.loads`. A multi-GB file is
never parsed or copied up front, and a malformed line is reported with its line number when it
is reached instead of ending the iteration.

Example:
    >>> from rlm import Context
    >>> c = Context.from_str('{"status": "OK"}\\n{"status": "FAILED", "id": 7}\\n')
    >>> [r["id"] for r in c.records(where={"status": "FAILED"})]
    [7]
"""

from __future__ import annotations

import json
import sys
from typing import Any, Iterator, Mapping

from rlm.errors import MalformedRecordError

__all__ = ["ERROR_MODES", "Records", "WARNED_LINES"]

ERROR_MODES = ("warn", "skip", "raise")
"""What `records(errors=...)` does with a line that is not JSON: say so on stderr and go on,
go on silently, or raise `MalformedRecordError` (each records the line in `.malformed`)."""

WARNED_LINES = 5
"""Malformed lines named on stderr per iteration ("warn"); the rest are only counted."""


def _literal(key: str, value: Any) -> str:
    """Text every record with `record[key] == value` holds, unless an escape hides it (rlm-core
    keeps lines with `\\u` or `\\/` as candidates): a string value as JSON writes it, otherwise
    the key (numbers have several spellings: 5, 5.0, 5e0)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(key, ensure_ascii=False)


class Records:
    """A lazy iterator over the JSON records of `context`, one per non-blank `\\n` line.

    `where={"status": "FAILED", "code": 500}` keeps the objects whose fields equal all the
    values given. `errors`: "warn" (default; a line that is not JSON is skipped and named on
    stderr, the first few of them), "skip", or "raise" (`rlm.errors.MalformedRecordError` with
    the line number, when that line is reached). `.malformed` lists `(line_number, reason)` of
    the malformed lines met so far; `.line_number` is the line of the last record yielded.
    With `where=`, lines that cannot match are never parsed, so only candidates are reported.
    `file="logs/app.jsonl"` (a tree context): only that file's records, numbered from its first
    line, as `jq` run on the file would number them (and as `file_of_line` and grep show them).

    Example:
        >>> from rlm import Context
        >>> rs = Context.from_str('{"a": 1}\\nnot json\\n{"a": 2}').records(errors="skip")
        >>> [r["a"] for r in rs], rs.malformed
        ([1, 2], [(2, 'Expecting value at column 1')])
    """

    def __init__(self, context: Any, where: Mapping[str, Any] | None = None,
                 errors: str = "warn", file: str | None = None) -> None:
        if errors not in ERROR_MODES:
            raise ValueError(f"errors must be one of {', '.join(map(repr, ERROR_MODES))}, not {errors!r}")
        if where is not None and not isinstance(where, Mapping):
            raise TypeError(f"where must be a dict of field: value, not {type(where).__name__}")
        self.where = dict(where or {})
        self.errors = errors
        self.file = file
        self.malformed: list[tuple[int, str]] = []
        self.line_number = 0
        # String values first: the scan looks for the first literal, and they are the selective ones.
        items = sorted(self.where.items(), key=lambda kv: not isinstance(kv[1], str))
        literals = [_literal(str(k), v) for k, v in items]
        self._lines: Iterator[tuple[int, str]] = context.record_lines(literals or None, file=file)

    def __iter__(self) -> Records:
        return self

    def __next__(self) -> Any:
        for number, line in self._lines:
            try:
                record = json.loads(line)
            except ValueError as e:
                self._malformed(number, e)
                continue
            if self.where and not self._matches(record):
                continue
            self.line_number = number
            return record
        raise StopIteration

    def _matches(self, record: Any) -> bool:
        return isinstance(record, dict) and all(
            k in record and record[k] == v for k, v in self.where.items())

    def _malformed(self, number: int, error: ValueError) -> None:
        reason = (f"{error.msg} at column {error.colno}" if isinstance(error, json.JSONDecodeError)
                  else str(error))
        self.malformed.append((number, reason))
        line = f"{self.file} line {number}" if self.file is not None else f"line {number}"
        if self.errors == "raise":
            raise MalformedRecordError(f"{line} is not JSON: {reason}", line_number=number)
        if self.errors == "warn" and len(self.malformed) <= WARNED_LINES:
            more = "; further ones are skipped silently" if len(self.malformed) == WARNED_LINES else ""
            print(f"records(): {line} is not JSON ({reason}), skipped{more}", file=sys.stderr)

    def __repr__(self) -> str:
        of = f" of {self.file}" if self.file is not None else ""
        where = f" where {self.where!r}" if self.where else ""
        return f"<records{of}{where}: lazy, {len(self.malformed)} malformed lines met so far>"
