"""search(): BM25-ranked lines of the context for the words of a query, printed like grep."""

from __future__ import annotations

from pathlib import Path

import pytest

from rlm._core import Context
from rlm.repl.helpers import HELPERS
from rlm.repl.session import ReplSession
from rlm.repl.search import search

LOG = ("boot ok\n"
       "Orion joined the team in spring.\n"
       "Orion asked IT to reset an old password on Monday.\n"
       "nothing to see\n"
       "Orion's login secret: 4817-ZQ.\n"
       "password policy: rotate every 90 days\n")


def test_lines_sharing_rare_words_rank_first_and_print_like_grep() -> None:
    hits = search("What is the password for Orion?", text=LOG)
    assert [h.line_number for h in hits][:1] == [3]  # both words, and the shortest such line
    assert {h.line_number for h in hits} == {2, 3, 5, 6}
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))
    lines = str(hits).splitlines()
    assert lines[0] == "4 ranked lines for 'What is the password for Orion?':"
    assert lines[1] == "3:Orion asked IT to reset an old password on Monday."
    assert "5:Orion's login secret: 4817-ZQ." in lines


def test_k_limits_the_hits_and_no_match_says_so() -> None:
    assert len(search("Orion", k=2, text=LOG)) == 2
    assert repr(search("zebra", text=LOG)) == "0 ranked lines for 'zebra'"
    assert str(search("login secret", k=1, text=LOG)) == (
        "1 ranked line for 'login secret' (the best k, not a count: 'login secret' as written "
        "occurs 1 time, grep shows them):\n5:Orion's login secret: 4817-ZQ.")


def test_the_header_says_k_is_no_count_and_gives_the_query_s_own_count() -> None:
    log = "".join(f"order {i} status={'FAILED' if i % 4 == 0 else 'OK'}\n" for i in range(12))
    head = str(search("status=FAILED", k=10, text=log)).splitlines()[0]
    # Ten lines share the query's words; three hold it as written: the count is 3, not 10.
    assert head == ("10 ranked lines for 'status=FAILED' (the best k, not a count: "
                    "'status=FAILED' as written occurs 3 times, grep shows them):")
    assert str(search("what password", text=LOG)).splitlines()[0] == (
        "2 ranked lines for 'what password':")  # not in the text as written: no count to give


def test_a_context_ranks_exactly_as_its_text() -> None:
    ctx = Context.from_str(LOG)
    on_ctx = [(h.line_number, h.score, h.line) for h in search("password Orion", text=ctx)]
    on_str = [(h.line_number, h.score, h.line) for h in search("password Orion", text=LOG)]
    assert on_ctx == on_str and ctx.rank("password Orion", 10, 1) == on_ctx


def test_windows_rank_blocks_of_lines_and_print_each_line() -> None:
    hits = search("secret policy", window=2, text=LOG)
    assert [h.line_number for h in hits] == [5]
    assert str(hits) == ("1 ranked window for 'secret policy':\n"
                         "5:Orion's login secret: 4817-ZQ.\n6:password policy: rotate every 90 days")
    with pytest.raises(ValueError, match="window"):
        search("x", window=0, text=LOG)


def test_long_lines_print_clipped() -> None:
    text = "short\n" + "word " * 200 + "needle\n"
    printed = str(search("needle", text=text)).splitlines()[1]
    assert printed.startswith("2:") and len(printed) < len("word " * 200)


def test_search_is_a_repl_helper_that_model_code_may_shadow(tmp_path: Path) -> None:
    assert "search" in HELPERS
    path = tmp_path / "context.txt"
    path.write_text(LOG, encoding="utf-8")
    with ReplSession(str(path), llm_query=str) as repl:
        out = repl.execute("search('login secret Orion', k=1)").output
        assert out.strip() == "1 ranked line for 'login secret Orion':\n5:Orion's login secret: 4817-ZQ."
        assert "occurs 1 time" in repl.execute("print(search('login secret'))").output
        repl.execute("search = 3")  # an ordinary variable name: it stays the model's
        assert repl.execute("print(search + 1)").output.strip() == "4"
