"""Scoring: normalised value matches, fractions for several values, parsed numbers."""

from __future__ import annotations

from pathlib import Path

from rlm.eval.scoring import names_item, parse_numbers, score_number, score_set, score_values
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


def test_items_are_named_only_as_whole_words() -> None:
    assert names_item("ports 41203 and 55210", "41203")
    assert not names_item("port 141203", "41203")
    assert not names_item("XKQZP ABCDE", "KQZPA")  # not across a word boundary
    assert names_item("JOB 04512", "JOB-04512") and names_item("job-04512.", "JOB-04512")


def test_set_score_gives_partial_credit_and_charges_for_distractors() -> None:
    expected, candidates = ["AAAAA", "BBBBB", "CCCCC", "DDDDD"], ["AAAAA", "BBBBB", "CCCCC",
                                                                 "DDDDD", "EEEEE", "FFFFF"]
    assert score_set("DDDDD, CCCCC, BBBBB, AAAAA", expected, candidates) == 1.0
    assert score_set("AAAAA BBBBB CCCCC", expected, candidates) == 0.75
    assert score_set(" ".join(candidates), expected, candidates) == 4 / 6
    assert score_set("EEEEE", expected, candidates) == 0.0
    assert score_set("AAAAA and some words: VALUE FINAL", expected, candidates) == 0.25


def test_a_path_inside_another_named_path_is_not_counted_twice() -> None:
    paths = ["/usr/share/common-licenses/LGPL-2", "/usr/share/common-licenses/LGPL-2.1"]
    assert score_set("see /usr/share/common-licenses/LGPL-2.1", paths[1:], paths) == 1.0
    assert score_set("see /usr/share/common-licenses/LGPL-2.1", paths[:1], paths) == 0.0
    tree = ["json/__init__.py", "test/test_json/__init__.py"]
    assert score_set("test/test_json/__init__.py", tree[1:], tree) == 1.0


def test_set_scored_task_uses_its_candidates() -> None:
    task = Task("vartrack-x", "vartrack", 10, 0, "code", Path("c"), "q?", ("QWRTP", "ZXCVB"),
                (), scorer="set", candidates=("QWRTP", "ZXCVB", "MNBVC"))
    assert task.score("QWRTP, ZXCVB") == 1.0 and task.score("QWRTP MNBVC") == 0.5
