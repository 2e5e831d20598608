"""The REPL's `re` module: Python's `re`, extended so that the pattern functions accept a `Context`.

For `str` and `bytes` arguments every function is Python's own (same results, same errors). For a
`rlm.Context`:
- search / match / findall / finditer run in the Rust engine (no copy) when it supports the pattern
  and flags; the match objects are `rlm._core.Match` (shaped like `re.Match`, without `.string`).
- Otherwise (look-around, backreferences, `re.ASCII`, ...), and for sub / subn / split / fullmatch,
  whose results are as large as the input, Python's `re` runs on the materialised text, but only
  when the context is small enough (`context.max_materialize`); beyond it a `ContextTooLargeError`
  says what to do instead.

Example (in the REPL, where `import re` gives this module):
    >>> re.findall(r"\\d+", context)[:3]  # doctest: +SKIP
    ['2024', '11', '25']
    >>> re.sub(r"\\s+", " ", "a  b")  # doctest: +SKIP
    'a b'
"""

from __future__ import annotations

import re as _re
from re import DOTALL, IGNORECASE, MULTILINE, UNICODE, VERBOSE
from typing import Any, Callable, Iterator

try:  # Python's own pattern parser, to see what a pattern means before choosing an engine
    from re import _constants as _sre_constants  # type: ignore[attr-defined]
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # Python 3.10
    import sre_constants as _sre_constants  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]
from functools import lru_cache

from rlm._core import Context
from rlm.errors import ContextTooLargeError, UnsupportedPatternError

# Everything else `re` exports (flags, error, escape, Match, RegexFlag, ...; which names exist
# depends on the Python version) is re-exported unchanged; the functions below replace the rest.
__all__ = list(_re.__all__)
globals().update({name: getattr(_re, name) for name in _re.__all__})

# Flags the Rust engine understands (same values as Python's). re.UNICODE is the default for str
# patterns in both engines, so it is dropped rather than refused.
_RUST_FLAGS = int(IGNORECASE | MULTILINE | DOTALL | VERBOSE)
_FINDITER_BATCH = 10_000


def _is_context(obj: Any) -> bool:
    return isinstance(obj, Context)


def _raw(pattern: Any) -> Any:
    """The pattern as Python's re accepts it (our Pattern wrapper unwrapped)."""
    return pattern._compiled if isinstance(pattern, Pattern) else pattern


def _unpack(pattern: Any, flags: int) -> tuple[Any, int]:
    """(pattern text, flags) from a pattern given as text or compiled."""
    if isinstance(pattern, Pattern):
        pattern = pattern._compiled
    if isinstance(pattern, _re.Pattern):
        if flags:
            raise ValueError("cannot process flags argument with a compiled pattern")
        return pattern.pattern, int(pattern.flags) & ~int(UNICODE)
    return pattern, int(flags)


def _size_text(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} characters"


def _materialise(context: Any, what: str) -> str:
    """The whole context as a str, or an error that tells the model what to use instead."""
    n = len(context)
    if n > context.max_materialize:
        raise ContextTooLargeError(
            f"context is {_size_text(n)} ({n:,} characters); {what} would copy all of it into "
            f"Python. Use grep(pattern) or re.finditer(pattern, context) to find the places, "
            f"then work on slices such as context[start:end]."
        )
    return str(context)


def _has_end_anchor(node: Any) -> bool:
    if isinstance(node, _sre_parse.SubPattern):
        node = node.data
    if isinstance(node, tuple) and len(node) == 2 and node[0] is _sre_constants.AT:
        return node[1] is _sre_constants.AT_END
    return isinstance(node, (list, tuple)) and any(_has_end_anchor(item) for item in node)


@lru_cache(maxsize=256)
def _dollar_differs(pattern: str, flags: int) -> bool:
    """True if the pattern has a `$` without MULTILINE: Python's matches before a final newline
    too, the Rust engine's only at the very end (so the engines differ on a text ending in "\n")."""
    try:
        parsed = _sre_parse.parse(pattern, flags)
    except Exception:  # noqa: BLE001 - re.compile reports pattern errors
        return False
    return not parsed.state.flags & int(MULTILINE) and _has_end_anchor(parsed)


def _rust_can_run(context: Any, text: Any, flags: int) -> bool:
    """Whether the Rust engine can give exactly what Python's re gives for this pattern here."""
    if not isinstance(text, str) or flags & ~int(UNICODE) & ~_RUST_FLAGS:
        return False
    return not (_dollar_differs(text, flags) and context.endswith("\n"))


def _rust(context: Any, method: str, pattern: Any, flags: int, fallback_name: str,
          fallback: Callable[[str], Any], **kwargs: Any) -> Any:
    """Run `context.<method>` in Rust; fall back to Python `re` (size-guarded) if it cannot."""
    text, flags = _unpack(pattern, flags)
    # Python's parser first (cached): a pattern Python rejects raises re.error, as with re, instead
    # of the Rust engine's different complaint.
    _re.compile(text, flags)
    if _rust_can_run(context, text, flags):
        try:
            return getattr(context, method)(text, flags & ~int(UNICODE), **kwargs)
        except UnsupportedPatternError:
            pass
    return fallback(_materialise(context, f"re.{fallback_name} with this pattern (only Python's re "
                                          f"can run it)"))


def search(pattern: Any, string: Any, flags: int = 0) -> Any:
    """As `re.search`; on a Context, the first match found by the Rust engine."""
    if _is_context(string):
        text, fl = _unpack(pattern, flags)
        return _rust(string, "search", pattern, flags, "search", lambda s: _re.search(text, s, fl))
    return _re.search(_raw(pattern), string, flags)


def match(pattern: Any, string: Any, flags: int = 0) -> Any:
    """As `re.match` (anchored at the start)."""
    if _is_context(string):
        text, fl = _unpack(pattern, flags)
        return _rust(string, "match", pattern, flags, "match", lambda s: _re.match(text, s, fl))
    return _re.match(_raw(pattern), string, flags)


def fullmatch(pattern: Any, string: Any, flags: int = 0) -> Any:
    """As `re.fullmatch` (on a Context: Python's re on the text, size-guarded)."""
    if _is_context(string):
        text, fl = _unpack(pattern, flags)
        return _re.fullmatch(text, _materialise(string, "re.fullmatch"), fl)
    return _re.fullmatch(_raw(pattern), string, flags)


def findall(pattern: Any, string: Any, flags: int = 0) -> list[Any]:
    """As `re.findall`; on a Context, run by the Rust engine (refused above max_materialize hits)."""
    if _is_context(string):
        text, fl = _unpack(pattern, flags)
        return _rust(string, "findall", pattern, flags, "findall", lambda s: _re.findall(text, s, fl))
    return _re.findall(_raw(pattern), string, flags)


def _context_finditer(context: Any, pattern: Any, flags: int) -> Iterator[Any]:
    """Matches of `pattern` in `context`, streamed; raises re.error / ContextTooLargeError eagerly."""
    text, fl = _unpack(pattern, flags)
    _re.compile(text, fl)  # re.error now, as re.finditer gives it
    rust_flags = fl & ~int(UNICODE)
    if _rust_can_run(context, text, fl):
        try:
            first = context.finditer(text, rust_flags, start=0, limit=_FINDITER_BATCH)
        except UnsupportedPatternError:
            pass
        else:
            return _rust_batches(context, text, rust_flags, first)
    return _re.finditer(text, _materialise(context, "re.finditer with this pattern (only Python's re "
                                                    "can run it)"), fl)


def _rust_batches(context: Any, text: str, flags: int, batch: list[Any]) -> Iterator[Any]:
    # Batches of matches, so that a pattern with millions of hits streams instead of building
    # them all; each batch resumes at the end of the previous one.
    last_span: tuple[int, int] | None = None
    while True:
        for m in batch:
            if m.span() == last_span:
                continue  # an empty match at the resume point, already yielded
            yield m
        if len(batch) < _FINDITER_BATCH:
            return
        last_span = batch[-1].span()
        batch = context.finditer(text, flags, start=batch[-1].end(), limit=_FINDITER_BATCH)


def finditer(pattern: Any, string: Any, flags: int = 0) -> Iterator[Any]:
    """As `re.finditer`; on a Context, streams Rust matches in batches."""
    if _is_context(string):
        return _context_finditer(string, pattern, flags)
    return _re.finditer(_raw(pattern), string, flags)


def sub(pattern: Any, repl: Any, string: Any, count: int = 0, flags: int = 0) -> Any:
    """As `re.sub` (on a Context: on the text, size-guarded: the result is a copy anyway)."""
    if _is_context(string):
        text, fl = _unpack(pattern, flags)
        return _re.sub(text, repl, _materialise(string, "re.sub"), count, fl)
    return _re.sub(_raw(pattern), repl, string, count, flags)


def subn(pattern: Any, repl: Any, string: Any, count: int = 0, flags: int = 0) -> Any:
    """As `re.subn` (on a Context: size-guarded, as `sub`)."""
    if _is_context(string):
        text, fl = _unpack(pattern, flags)
        return _re.subn(text, repl, _materialise(string, "re.subn"), count, fl)
    return _re.subn(_raw(pattern), repl, string, count, flags)


def split(pattern: Any, string: Any, maxsplit: int = 0, flags: int = 0) -> list[Any]:
    """As `re.split` (on a Context: size-guarded; for huge ones use context.iter_split)."""
    if _is_context(string):
        text, fl = _unpack(pattern, flags)
        return _re.split(text, _materialise(string, "re.split"), maxsplit, fl)
    return _re.split(_raw(pattern), string, maxsplit, flags)


class Pattern:
    """What `re.compile` returns here: a compiled Python pattern whose methods also take a Context.

    Example:
        >>> p = compile(r"\\d+"); p.findall("a1b22"), p.pattern
        (['1', '22'], '\\\\d+')
    """

    __slots__ = ("_compiled",)
    __class_getitem__ = classmethod(lambda cls, item: cls)  # `re.Pattern[str]` in annotations

    def __init__(self, compiled: _re.Pattern[Any]) -> None:
        self._compiled = compiled

    pattern = property(lambda self: self._compiled.pattern)
    flags = property(lambda self: self._compiled.flags)
    groups = property(lambda self: self._compiled.groups)
    groupindex = property(lambda self: self._compiled.groupindex)

    def _bounded(self, name: str, string: Any, pos: int, endpos: int | None) -> Any:
        if _is_context(string):
            if pos or endpos is not None:
                return getattr(self._compiled, name)(_materialise(string, f"Pattern.{name} with pos/endpos"),
                                                     pos, *(() if endpos is None else (endpos,)))
            return globals()[name](self, string)
        if endpos is None:
            return getattr(self._compiled, name)(string, pos)
        return getattr(self._compiled, name)(string, pos, endpos)

    def search(self, string: Any, pos: int = 0, endpos: int | None = None) -> Any:
        return self._bounded("search", string, pos, endpos)

    def match(self, string: Any, pos: int = 0, endpos: int | None = None) -> Any:
        return self._bounded("match", string, pos, endpos)

    def fullmatch(self, string: Any, pos: int = 0, endpos: int | None = None) -> Any:
        return self._bounded("fullmatch", string, pos, endpos)

    def findall(self, string: Any, pos: int = 0, endpos: int | None = None) -> Any:
        return self._bounded("findall", string, pos, endpos)

    def finditer(self, string: Any, pos: int = 0, endpos: int | None = None) -> Any:
        return self._bounded("finditer", string, pos, endpos)

    def sub(self, repl: Any, string: Any, count: int = 0) -> Any:
        return sub(self, repl, string, count) if _is_context(string) else self._compiled.sub(repl, string, count)

    def subn(self, repl: Any, string: Any, count: int = 0) -> Any:
        return subn(self, repl, string, count) if _is_context(string) else self._compiled.subn(repl, string, count)

    def split(self, string: Any, maxsplit: int = 0) -> Any:
        return split(self, string, maxsplit) if _is_context(string) else self._compiled.split(string, maxsplit)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Pattern):
            return self._compiled == other._compiled
        return self._compiled == other

    def __hash__(self) -> int:
        return hash(self._compiled)

    def __repr__(self) -> str:
        return repr(self._compiled)

    def __copy__(self) -> Pattern:
        return self

    def __deepcopy__(self, memo: Any) -> Pattern:
        return self


def compile(pattern: Any, flags: int = 0) -> Pattern:  # noqa: A001 - the name `re` has
    """As `re.compile` (errors included); the pattern's methods also accept a Context."""
    if isinstance(pattern, Pattern):
        if flags:
            raise ValueError("cannot process flags argument with a compiled pattern")
        return pattern
    return Pattern(_re.compile(pattern, flags))
