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


def _tokens(text: str) -> list[str]:
    return re.findall(r"[A-Z0-9]+", text.upper())


def names_item(answer: str, item: str) -> bool:
    """Whether `answer` names `item` as whole words: ignoring case and punctuation, the item must
    be one or more consecutive words of the answer, so "QWRTP" is not found in "XQWRTPZ" nor
    across the boundary of "XKQZP ABCDE".

    >>> names_item("Ports: 41203, 55210.", "41203"), names_item("1412030", "41203")
    (True, False)
    >>> names_item("code 4817 zq", "4817-ZQ"), names_item("code 4817ZQ", "4817-ZQ")
    (True, True)
    """
    want, words = normalise(item), _tokens(answer)
    for i in range(len(words)):
        run = ""
        for word in words[i:]:
            run += word
            if run == want:
                return True
            if not want.startswith(run):
                break
    return False


def score_set(answer: str, expected: Sequence[str], candidates: Sequence[str]) -> float:
    """Exact set match with partial credit: the `candidates` the answer names, against `expected`.

    Score = |named ∩ expected| / max(|expected|, |named|): every expected item found counts, and
    every distractor named costs as much as a missing item, so listing every candidate does not
    pay. 1.0 only for exactly the expected set. A candidate that is part of another named one
    (paths, versions) counts as named only through the longer one.

    >>> score_set("AAAAA and BBBBB", ["AAAAA", "BBBBB"], ["AAAAA", "BBBBB", "CCCCC", "DDDDD"])
    1.0
    >>> score_set("AAAAA", ["AAAAA", "BBBBB"], ["AAAAA", "BBBBB", "CCCCC"])
    0.5
    >>> score_set("AAAAA BBBBB CCCCC", ["AAAAA", "BBBBB"], ["AAAAA", "BBBBB", "CCCCC"])
    0.6666666666666666
    """
    if not expected:
        raise ValueError("a task needs at least one expected value")
    named = {c for c in candidates if names_item(answer, c)}
    # "LGPL-2.1" also reads as "LGPL-2" and "test/test_json/__init__.py" as "json/__init__.py":
    # a candidate inside another named one was named only through it.
    named = {c for c in named
             if not any(c != d and normalise(c) in normalise(d) for d in named)}
    found = named & set(expected)
    return len(found) / max(len(expected), len(named))
