"""Which names the REPL puts back after a cell: only what a run cannot work without. Helpers may be
shadowed by the model's variables; `answer` stays an answer dict between cells."""

from __future__ import annotations

import pytest

from rlm.repl.session import ReplSession


@pytest.fixture
def repl(tmp_path):
    path = tmp_path / "context.txt"
    path.write_text("alpha 1\nbeta 22\ngamma 333\n", encoding="utf-8")
    with ReplSession(str(path), llm_query=lambda p: f"reply to {p}", exec_timeout=10) as session:
        yield session


def test_a_variable_named_like_a_helper_survives_into_the_next_cell(repl: ReplSession) -> None:
    # The rlms prompt's idiom: build `chunks` in one turn, loop over it in the next.
    r = repl.execute("chunks = []\nfor i in range(3):\n    chunks.append(context[i * 8 : i * 8 + 5])")
    assert r.error is None and r.restored_names == []
    r = repl.execute("for chunk in chunks:\n    print(chunk)")
    assert (r.error, r.output) == (None, "alpha\nbeta \ngamma\n")


def test_shadowing_a_helper_is_said_once(repl: ReplSession) -> None:
    first = repl.execute("grep = 'my pattern'")
    assert "`grep` is your variable now" in first.output
    again = repl.execute("grep = 'another'")
    assert "is your variable now" not in again.output
    assert repl.execute("grep").output == "'another'\n"


def test_deleting_the_shadowing_variable_brings_the_helper_back(repl: ReplSession) -> None:
    repl.execute("find_all = [1, 2]")
    repl.execute("del find_all")
    assert repl.execute("find_all('gamma')").output == "[16]\n"
    assert "is your variable now" in repl.execute("find_all = 3").output  # a new shadowing: said again


def test_what_a_run_needs_is_still_restored(repl: ReplSession) -> None:
    r = repl.execute("context = 'x'\nllm_query = None\nllm_query_batched = None\ndel FINAL_VAR\nprint = 1")
    assert sorted(r.restored_names) == ["FINAL_VAR", "context", "llm_query", "llm_query_batched", "print"]
    assert repl.execute("print(len(context))").output == "26\n"


def test_show_vars_lists_a_variable_that_shadows_a_helper(repl: ReplSession) -> None:
    repl.execute("chunks = ['a']")
    assert "'chunks': 'list'" in repl.execute("print(SHOW_VARS())").output
    assert "grep" not in repl.execute("print(SHOW_VARS())").output


def test_answer_as_a_loop_variable_is_an_answer_dict_again_next_cell(repl: ReplSession) -> None:
    r = repl.execute("for i, answer in enumerate(['x', 'y']):\n    pass")
    assert "`answer` held a str" in r.output
    r = repl.execute("answer['content'] = 'found'\nanswer['ready'] = True")
    assert (r.error, r.final) == (None, "found")


def test_answer_reset_is_said_once(repl: ReplSession) -> None:
    assert "`answer` held" in repl.execute("answer = 1").output
    assert "`answer` held" not in repl.execute("answer = 2").output


def test_final_var_answer_in_the_same_cell_still_works(repl: ReplSession) -> None:
    r = repl.execute("answer = 42\nFINAL_VAR('answer')")
    assert (r.error, r.final) == (None, "42")


def test_final_var_answer_in_the_next_cell_finds_the_value(repl: ReplSession) -> None:
    repl.execute("answer = 42")
    assert repl.execute("FINAL_VAR('answer')").final == "42"


def test_final_var_answer_after_a_fresh_dict_is_used_reads_the_dict(repl: ReplSession) -> None:
    repl.execute("answer = 42")
    repl.execute("answer['content'] = 'draft'")
    assert repl.execute("FINAL_VAR('answer')").final == "draft"


@pytest.mark.parametrize("code", ["FINAL(answer)", "FINAL_VAR('answer')", "FINAL(dict(answer))",
                                  "answer['content'] = '  '\nFINAL(answer)"])
def test_final_of_the_empty_answer_dict_is_an_error_not_its_repr(repl: ReplSession, code: str) -> None:
    r = repl.execute(code)
    assert r.final is None and r.error_type == "ValueError"
    assert "the answer dict is still empty" in r.output and "call FINAL(value)" in r.output
    assert "{'content': '', 'ready': False}" in r.output.splitlines()[-1]  # one line says it all
    assert repl.execute("FINAL('42')").final == "42"  # the run goes on


@pytest.mark.parametrize(("code", "answer"), [
    ("answer['content'] = 'found'\nFINAL(answer)", "found"),
    ("answer['content'] = 7\nFINAL(answer, 'and 8')", "7, and 8"),
    ("FINAL({'content': 'x', 'ready': False, 'note': 1})", "{'content': 'x', 'ready': False, 'note': 1}"),
])
def test_final_of_an_answer_dict_gives_its_content(repl: ReplSession, code: str, answer: str) -> None:
    assert repl.execute(code).final == answer


@pytest.mark.parametrize("ready", ["'yes'", "1", "[1]", "'True'"])
def test_answer_ready_finishes_on_any_truthy_value(repl: ReplSession, ready: str) -> None:
    r = repl.execute(f"answer['content'] = 'c'\nanswer['ready'] = {ready}")
    assert r.final == "c"


@pytest.mark.parametrize("ready", ["False", "0", "''", "None"])
def test_answer_ready_falsy_does_not_finish(repl: ReplSession, ready: str) -> None:
    assert repl.execute(f"answer['content'] = 'c'\nanswer['ready'] = {ready}").final is None


def test_an_answer_whose_truth_is_ambiguous_does_not_finish(repl: ReplSession) -> None:
    r = repl.execute("class Odd:\n    def __bool__(self):\n        raise ValueError('ambiguous')\n"
                     "answer['ready'] = Odd()")
    assert (r.error, r.final) == (None, None)


@pytest.mark.parametrize(("code", "answer"), [
    ("SUBMIT('42')", "42"), ("SUBMIT(answer='42')", "42"), ("SUBMIT(7, 8)", "7, 8"),
    ("SUBMIT(answer='42', source='line 3')", '{"answer": "42", "source": "line 3"}'),
])
def test_submit_finishes_as_dspy_rlm_code_expects(repl: ReplSession, code: str, answer: str) -> None:
    r = repl.execute(code)
    assert (r.error, r.final) == (None, answer)


def test_submit_without_an_answer_says_how_to_call_it(repl: ReplSession) -> None:
    r = repl.execute("SUBMIT()")
    assert r.final is None and "SUBMIT(answer)" in r.output


def test_context_0_is_the_context_as_in_rlms(repl: ReplSession) -> None:
    assert repl.execute("context_0 is context").output == "True\n"
