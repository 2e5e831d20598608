"""Scoring: normalised value matches, fractions for several values, parsed numbers."""

from __future__ import annotations

from pathlib import Path

from rlm.eval.scoring import parse_numbers, score_number, score_values
from rlm.eval.tasks import Task


def test_value_matches_ignore_case_spaces_and_punctuation() -> None:
    assert score_values("the code is 4817 zq", ["4817-ZQ"]) == 1.0
    assert score_values("4817-ZR", ["4817-ZQ"]) == 0.0


def test_multi_needle_score_is_the_fraction_found() -> None:
    answer = "Falcon: 1111-AA\nHeron: 2222-BB\nLynx: 3333-CC"
    assert score_values(answer, ["1111-AA", "2222-BB", "3333-CC", "4444-DD"]) == 0.75


def test_numbers_parse_with_thousands_separators_but_not_lists() -> None:
    assert parse_numbers("total 1,234.50 EUR over 17 orders") == [1234.5, 17.0]
    assert parse_numbers("1,2,3") == [1.0, 2.0, 3.0]
    assert parse_numbers("ORD-00042") == [42.0]


def test_count_answer_is_right_only_with_the_expected_number() -> None:
    assert score_number("17", 17) == 1.0
    assert score_number("There are 17 orders with status=FAILED.", 17) == 1.0
    assert score_number("16", 17) == 0.0
    assert score_number("no number here", 17) == 0.0


def test_an_answer_dumping_many_numbers_does_not_count() -> None:
    assert score_number("12 13 14 15 16 17 18", 17) == 0.0


def test_task_score_of_no_answer_is_zero() -> None:
    task = Task("needle-x", "needle", 10, 0, "code", Path("c"), "q?", ("4817-ZQ",), (0,))
    assert task.score(None) == 0.0 and task.score("") == 0.0
    assert task.score("4817-ZQ") == 1.0
