"""values(key, where=None): a field of every record line, in the three ways records name fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from rlm._core import Context
from rlm.repl.helpers import HELPERS
from rlm.repl.fields import values
from rlm.repl.session import ReplSession

LOG = ("2025-11-03T14:22:07Z INFO  [billing] invoice INV-1 region=east amount=131.20 EUR\n"
       "def region(): return 'east'\n"
       "2025-11-03T14:22:09Z INFO  [billing] invoice INV-2 region=west amount=1,200.00 EUR\n"
       "2025-11-03T14:22:11Z INFO  [billing] invoice INV-3 region=east amount=0.10 EUR\n"
       "2025-11-03T14:22:12Z INFO  [billing] invoice INV-4 region=east net_amount=9 EUR\n"
       "2025-11-03T14:22:13Z INFO  [billing] invoice INV-5 region=east amount=0.20 EUR\n")


def test_the_field_of_the_lines_matching_where_in_line_order() -> None:
    found = values("amount", where="region=east", text=LOG)
    assert list(found) == [131.2, 0.1, 0.2] and found.lines == [1, 4, 6]
    # INV-4 matches but has only `net_amount`: it is counted as missing, not read as `amount`.
    assert found.missing == 1 and found.total == 131.5  # 0.1 + 0.2 without float noise


def test_the_printed_form_gives_count_sum_and_what_was_missing() -> None:
    assert str(values("amount", where="region=east", text=LOG)) == (
        "3 values of 'amount' on lines matching 'region=east' (sum 131.5; 1 matching line "
        "without 'amount'): [131.2, 0.1, 0.2]")
    many = values("n", text="".join(f"n={i}\n" for i in range(25)))
    assert str(many).endswith("[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, "
                              "12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, ... 5 more]")
    assert "(sum 300)" in str(many) and "sum 1234567.8" in str(values("x", text="x=1,234,567.80"))


def test_json_lines_and_colon_fields_are_read_too() -> None:
    shipments = ('{"shipment": "SHP-1", "warehouse": "Leeds", "weight_kg": 17}\n'
                 '{"shipment": "SHP-2", "warehouse": "Porto", "weight_kg": 4.5}\n'
                 '{"shipment": "SHP-3", "warehouse": "Leeds", "weight_kg": 3}\n')
    assert values("weight_kg", where="Leeds", text=shipments).total == 20
    assert list(values("warehouse", text=shipments)) == ["Leeds", "Porto", "Leeds"]
    sheets = "timesheet TS-1 | team: data | hours: 7.5\ntimesheet TS-2 | team: web | hours: 2\n"
    assert list(values("hours", where="team: data", text=sheets)) == [7.5]
    assert list(values("team", text=sheets)) == ["data", "web"]


def test_without_where_every_line_holding_the_key_counts_and_others_are_not_missing() -> None:
    found = values("region", text=LOG)
    assert list(found) == ["east", "west", "east", "east", "east"] and found.missing == 0


def test_a_context_reads_as_its_text_and_case_can_be_ignored() -> None:
    assert list(values("amount", where="region=east", text=Context.from_str(LOG))) == [131.2, 0.1, 0.2]
    assert list(values("AMOUNT", where="INV-2", text=LOG, ignore_case=True)) == [1200.0]
    assert values("amount", where="region=north", text=LOG) == [] and values(
        "amount", where="region=north", text=LOG).total is None


def test_a_missing_key_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="name of a field"):
        values(" ", text=LOG)


def test_values_is_a_repl_helper_on_the_context(tmp_path: Path) -> None:
    assert "values" in HELPERS
    path = tmp_path / "context.txt"
    path.write_text(LOG, encoding="utf-8")
    with ReplSession(str(path), llm_query=str) as repl:
        out = repl.execute("v = values('amount', where='region=east')\nprint(len(v), v.total)").output
        assert out.strip() == "3 131.5"
        assert "(sum 131.5" in repl.execute("print(v)").output


def test_a_name_value_condition_matches_the_field_in_any_spelling() -> None:
    sheets = ("timesheet TS-1 | team: data | hours: 7.5\ntimesheet TS-2 | team: database | hours: 2\n"
              '{"team": "data", "hours": 1}\nteam=data hours=0.5\n')
    # The 0.5B wrote where="team=data" for `team: data` records (and answered 0).
    found = values("hours", where="team=data", text=sheets)
    assert list(found) == [7.5, 1.0, 0.5] and found.lines == [1, 3, 4]  # not `team: database`
    assert list(values("hours", where="team: data", text=sheets)) == [7.5, 1.0, 0.5]
    assert list(values("hours", where="database|=data", text=sheets)) == [2.0, 0.5]  # a regex


def test_no_values_found_is_reported_as_nothing_found() -> None:
    from rlm.prompts import found_nothing

    assert found_nothing(str(values("hours", where="team=web", text="team: data | hours: 2\n")))


def test_words_that_repeat_print_as_the_most_common_first() -> None:
    from rlm.repl.fields import values

    text = "".join(f"bird sighting logged: {w}\n" for w in
                   ["demot", "mipaf", "mipaf", "lineb", "demot", "mipaf", "poluv"])
    found = values("logged", text=text)
    assert found.most_common(2) == [("mipaf", 3), ("demot", 2)]
    assert repr(found).startswith(
        "7 values of 'logged' (4 distinct; most common: 'mipaf' 3, 'demot' 2, 'lineb' 1, 'poluv' 1): ")
    numbers = values("n", text="n=1\nn=1\nn=2\n")
    assert numbers.most_common() == [] and "most common" not in repr(numbers)
    assert "most common" not in repr(values("k", text="k=a\nk=b\n"))  # nothing repeats
