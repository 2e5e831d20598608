"""`aliases(value)`: every variable holding a value through chains of assignments (rlm.repl.aliases)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rlm._core import Context
from rlm.eval.corpus import FILLERS
from rlm.eval.tasks import make_task
from rlm.repl.aliases import aliases
from rlm.repl.headers import EMPTY_PREFIXES, is_result_header
from rlm.repl.helpers import HELPERS
from rlm.repl.session import ReplSession

CHAINS = """\
filler line
VAR QWRTP = 51234
x = QWRTP + 1
VAR OTHER = 99999
if QWRTP == 51234: pass
VAR ZXCVB = VAR QWRTP
VAR MNBVC = VAR ZXCVB   # copied again
VAR LKJHG = VAR OTHER
VAR POIUY = VAR MNBVC
"""


def test_it_follows_the_chain_in_order_and_leaves_out_other_chains_and_expressions() -> None:
    found = aliases("51234", text=CHAINS)
    assert list(found) == ["QWRTP", "ZXCVB", "MNBVC", "POIUY"]
    assert [a.line_number for a in found.assignments] == [2, 6, 7, 9]


@pytest.mark.parametrize("lines, names", [
    (["let a = 7;", "let b = a;", "let c = b;"], ["a", "b", "c"]),
    (["a := 7", "b := a", "c := b"], ["a", "b", "c"]),
    (['$a = "7";', "my $b = $a;"], ["$a", "$b"]),
    (["a = 7", "b <- a", "const c = b // copy"], ["a", "b", "c"]),
])
def test_it_reads_the_usual_assignment_syntaxes(lines: list[str], names: list[str]) -> None:
    assert list(aliases("7", text="\n".join(lines) + "\n")) == names


def test_a_name_assigned_a_string_that_spells_a_variable_does_not_hold_its_value() -> None:
    assert list(aliases("7", text="a = 7\nb = 'a'\nc = a\n")) == ["a", "c"]


def test_it_prints_its_count_names_and_lines_and_an_empty_result_says_where_to_look() -> None:
    printed = repr(aliases("51234", text=CHAINS)).splitlines()
    assert printed[0] == "4 variables hold '51234' through assignments: QWRTP, ZXCVB, MNBVC, POIUY"
    assert printed[1:] == ["2:VAR QWRTP = 51234", "6:VAR ZXCVB = VAR QWRTP",
                           "7:VAR MNBVC = VAR ZXCVB   # copied again", "9:VAR POIUY = VAR MNBVC"]
    assert is_result_header(printed[0])
    empty = repr(aliases("31337", text=CHAINS))
    assert empty.startswith(EMPTY_PREFIXES) and "grep('31337')" in empty


def test_it_runs_over_a_mapped_context_as_in_the_repl(tmp_path: Path) -> None:
    path = tmp_path / "code.txt"
    path.write_text(CHAINS * 3, encoding="utf-8")
    assert list(aliases("99999", text=Context.open(str(path)))) == ["OTHER", "LKJHG"]
    assert HELPERS["aliases"] is aliases
    with ReplSession(str(path), llm_query=str) as repl:
        out = repl.execute("FINAL(', '.join(aliases('51234')))")
    assert out.final == "QWRTP, ZXCVB, MNBVC, POIUY"


@pytest.mark.parametrize("filler", FILLERS)
@pytest.mark.parametrize("seed", range(6))
def test_it_answers_every_chain_rlm_eval_generates(tmp_path: Path, seed: int, filler: str) -> None:
    task = make_task("vartrack", 32 * 1024, seed, cache_dir=tmp_path, filler=filler)
    value = re.search(r"\b(\d{5})\b", task.question)
    assert value is not None
    found = aliases(value.group(1), text=Context.open(str(task.context)))
    assert sorted(found) == sorted(task.expected)
