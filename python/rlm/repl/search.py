"""`search(query, k=10)`: BM25-ranked lines of the context for the words of a query.

For text worded unlike the task: grep finds only what is spelled as asked, `search` scores every
line that shares a word with the query, rarer words counting more, and prints the best first in
grep's `N:line` form. The ranking is rlm-core's `Context.rank` (BM25, k1 = 1.2, b = 0.75, on every
core, over the mapped context without copying it); see docs/repl.md.

Example (in the REPL):
    >>> search("password for Orion")  # doctest: +SKIP
    2 ranked lines for 'password for Orion':
    5:Orion's login secret: 4817-ZQ.
    9:Orion asked IT to reset an old password on Monday.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from rlm.repl.toolkit import _clip, _is_str, _text

__all__ = ["SearchHit", "SearchResult", "search"]


@dataclass(frozen=True)
class SearchHit:
    """One ranked line (or window of lines): its first line's number, BM25 score and text.

    Example:
        >>> str(search("orion secret", text="x\\nOrion's login secret: 42\\n")[0])
        "2:Orion's login secret: 42"
    """

    line_number: int  # 1-based, of the window's first line
    score: float
    line: str  # the line; for window > 1 the window's lines joined by their line endings

    def __str__(self) -> str:
        rows = self.line.splitlines() or [""]
        return "\n".join(f"{self.line_number + i}:{_clip(t)}" for i, t in enumerate(rows))


class SearchResult(list):  # type: ignore[type-arg]
    """The hits `search` returns, best first; prints like `grep` with a count first.

    Example:
        >>> search("zzz", text="abc")
        0 ranked lines for 'zzz'
    """

    def __init__(self, hits: Sequence[SearchHit], query: str, window: int = 1,
                 exact: int = 0) -> None:
        super().__init__(hits)
        self.query = query
        self.window = window
        self.exact = exact  # occurrences of the query as written (grep's count, not the ranking's)

    def __repr__(self) -> str:
        unit = "line" if self.window == 1 else "window"
        head = f"{len(self)} ranked {unit}{'' if len(self) == 1 else 's'} for {self.query!r}"
        if self.exact and self:
            # The 0.5B answered "How many records have status=FAILED?" with the 10 of
            # "10 ranked lines" (three held it): say that k is no count, and what the count is.
            head += (f" (the best k, not a count: {self.query!r} as written occurs "
                     f"{self.exact} time{'' if self.exact == 1 else 's'}, grep shows them)")
        if not self:
            return head
        return head + ":\n" + ("\n--\n" if self.window > 1 else "\n").join(str(h) for h in self)

    __str__ = __repr__


def search(query: str, k: int = 10, *, window: int = 1, text: Any = None) -> SearchResult:
    """The `k` lines of `text` (default: the context) that best match the words of `query` (BM25).

    Every line sharing a word with the query is scored, rarer words count more and shorter lines
    win ties of words, so `search("password for Orion")` finds "Orion's login secret: ..." through
    "Orion" although "password" is not there. Words are runs of letters and digits compared
    ignoring ASCII case; common words (the, what, for, ...) are skipped. `window=3` ranks blocks
    of three lines instead. Each hit has `line_number`, `score` and `line`.

    Example:
        >>> search("deploy key Vega", text="a\\nVega deploy key: 7\\nVega\\n")
        2 ranked lines for 'deploy key Vega':
        2:Vega deploy key: 7
        3:Vega
    """
    from rlm._core import Context

    if window < 1:
        raise ValueError(f"window must be at least 1 line, not {window}")
    text = _text(text)
    source = Context.from_str(text) if _is_str(text) else text
    hits = [SearchHit(n, score, line) for n, score, line in source.rank(query, k, window)]
    exact = source.count_literal(query) if query.strip() else 0
    return SearchResult(hits, query, window, exact)
