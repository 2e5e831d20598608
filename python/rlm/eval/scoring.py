"""Scoring an answer against a task's known answer: normalised matches, numbers parsed.

Scores are floats in [0, 1]. A run counts as solved when its score is 1.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# More distinct numbers than this in an answer to a counting question reads as a dump of the data,
# not an answer, and scores 0 even if the right number is among them.
MAX_NUMBERS_IN_COUNT_ANSWER = 3

# Thousands separators only in groups of three, so a list "1,2,3" stays three numbers. No sign: the
# tasks ask for counts and sums, and a minus would turn "ORD-48213" into a negative number.
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


def normalise(text: str) -> str:
    """Upper-case letters and digits only, so "4817-zq." and "4817 ZQ" compare equal.

    >>> normalise("Code: 4817-zq.")
    'CODE4817ZQ'
    """
    return "".join(ch for ch in text.upper() if ch.isalnum())


def contains_value(answer: str, value: str) -> bool:
    """Whether `value` appears in `answer`, ignoring case, spaces and punctuation.

    >>> contains_value("The code is 4817 - ZQ.", "4817-ZQ")
    True
    """
    return normalise(value) in normalise(answer)


def score_values(answer: str, values: Sequence[str]) -> float:
    """Fraction of `values` found in `answer` (1.0 for a single value that is present).

    >>> score_values("ALPHA: 1111-AA, BETA: 2222-BB", ["1111-AA", "2222-BB", "3333-CC", "4444-DD"])
    0.5
    """
    if not values:
        raise ValueError("a task needs at least one expected value")
    return sum(contains_value(answer, v) for v in values) / len(values)


def parse_numbers(text: str) -> list[float]:
    """Every number in `text`, thousands separators removed.

    >>> parse_numbers("17 orders, total 1,234.50 EUR")
    [17.0, 1234.5]
    """
    found = []
    for m in _NUMBER.finditer(text):
        found.append(float(m.group().replace(",", "")))
    return found


def score_number(answer: str, expected: float, *, tolerance: float = 0.005) -> float:
    """1.0 when `answer` states `expected` (within `tolerance`, for sums of amounts), else 0.0.

    An answer listing many numbers is not an answer to "how many": see MAX_NUMBERS_IN_COUNT_ANSWER.

    >>> score_number("There are 17 failed orders.", 17)
    1.0
    >>> score_number("18", 17)
    0.0
    """
    numbers = parse_numbers(answer)
    if len(set(numbers)) > MAX_NUMBERS_IN_COUNT_ANSWER:
        return 0.0
    return 1.0 if any(abs(n - expected) <= tolerance for n in numbers) else 0.0
