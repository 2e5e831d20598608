"""What a task generator returns, and the seeded value makers the generators share.

A synthetic generator is a function `(rng, size) -> Spec`: the lines to insert into filler, the
question, the expected answer and how to score it. Every random choice comes from `rng`, so a
(kind, seed) pair always builds the same task.

>>> s = Spec(inserts=[], question="q?", expected=("1",), forbidden=(), scorer="number")
>>> s.scorer
'number'
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from rlm.eval.corpus import Insert

# How a task's answer is scored (rlm.eval.scoring):
# - "values": fraction of the expected values found in the answer (needle, multi);
# - "number": 1 when the answer states the expected number (counts, sums);
# - "set": the expected items against the `candidates` the answer names (lists: partial credit,
#   and naming a distractor costs as much as missing an item).
SCORERS = ("values", "number", "set")

# No I or O: they read as 1 and 0.
_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class Spec:
    """One task before it meets its filler."""

    inserts: list[Insert]
    question: str
    expected: tuple[str, ...]
    forbidden: tuple[str, ...]  # strings the filler must not contain, so the answer is unambiguous
    scorer: str = "values"
    candidates: tuple[str, ...] = ()  # "set": every item of the answer's shape planted in the text
    template: str = ""  # which wording family the question came from (tests check seeds vary it)


def code(rng: random.Random) -> str:
    """A value like ``4817-ZQ`` (four digits, two letters).

    >>> len(code(random.Random(0))), code(random.Random(0))[4]
    (7, '-')
    """
    return f"{rng.randrange(1000, 10000)}-{rng.choice(_LETTERS)}{rng.choice(_LETTERS)}"


T = TypeVar("T")


def distinct(make: Callable[[random.Random], str], rng: random.Random, n: int) -> list[str]:
    """`n` different values from the maker `make(rng)`, in the order drawn.

    >>> len(set(distinct(code, random.Random(1), 5)))
    5
    """
    seen: list[str] = []
    while len(seen) < n:
        value = make(rng)
        if value not in seen:
            seen.append(value)
    return seen


def var_name(rng: random.Random) -> str:
    """A variable name of five capital letters with no vowels, so it reads as no English word.

    >>> all(c not in "AEIOU" for c in var_name(random.Random(2)))
    True
    """
    consonants = "".join(c for c in string.ascii_uppercase if c not in "AEIOUY")
    return "".join(rng.choice(consonants) for _ in range(5))


def pick(rng: random.Random, templates: Mapping[str, T]) -> tuple[str, T]:
    """A seeded (name, entry) of a wording-family table.

    >>> pick(random.Random(0), {"a": ("x",), "b": ("y",)})[0] in ("a", "b")
    True
    """
    name = rng.choice(sorted(templates))
    return name, templates[name]


def depths(rng: random.Random, n: int, lo: float = 0.05, hi: float = 0.95) -> list[float]:
    """`n` sorted depths in [lo, hi], for lines whose order in the text matters (chains).

    >>> d = depths(random.Random(0), 4); d == sorted(d) and 0.05 <= d[0] and d[-1] <= 0.95
    True
    """
    return sorted(rng.uniform(lo, hi) for _ in range(n))
