"""Sessions: many questions over one context share the backend, the context, the REPL and its
namespace; each question is a fresh run with its own budget, and sees the earlier ones in `history`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from rlm import Session
from rlm.backends.replay import ReplayBackend
from rlm.config import RLMConfig
from rlm.errors import UsageError
from rlm.prompts import EARLIER_INTRO, LAST_TURN, describe_context
from rlm.task_hints import HITS_INTRO

CONTEXT = "The secret code is 42.\nThe backup code is 7.\n"


def block(code: str) -> str:
    return f"```python\n{code}\n```"


def session(turns: list[str], context: Any = CONTEXT, **config: Any) -> Session:
    """A session over `context` whose model replies with `turns`, in order, across questions."""
    config.setdefault("exec_timeout", 10.0)
    config.setdefault("check_answers", False)  # canned FINALs of literals (see conftest.run_replay)
    return Session(backend=ReplayBackend(turns), context=context, config=RLMConfig(**config))


def test_variables_set_by_one_question_are_there_for_the_next() -> None:
    with session([block("codes = re.findall(r'\\d+', context)\nFINAL(codes[0])"),
                  block("FINAL(codes[1])")]) as s:
        assert s.ask("What is the secret code?").answer == "42"
        assert s.ask("And the backup code?").answer == "7"


def test_every_question_runs_in_the_same_repl_worker() -> None:
    with session([block("import os\nFINAL(os.getpid())"), block("FINAL(os.getpid())")]) as s:
        first, second = s.ask("pid?").answer, s.ask("pid again?").answer
    assert first is not None and first == second


def test_history_holds_the_earlier_questions_and_answers() -> None:
    turns = [block("FINAL('42')"), block("x = 1"), block("y = 2"), block("FINAL(repr(history))")]
    with session(turns, max_iterations=1) as s:
        s.ask("What is the secret code?")
        s.ask("Nothing to find here")  # 1 turn + a last turn, no FINAL
        third = s.ask("What was asked before?")
    assert third.answer == repr([
        {"question": "What is the secret code?", "answer": "42"},
        {"question": "Nothing to find here", "answer": None},
    ])
    assert s.history[-1] == {"question": "What was asked before?", "answer": third.answer}


def test_later_questions_name_the_earlier_ones_in_their_first_message() -> None:
    with session([block("FINAL('42')"), block("FINAL('7')")]) as s:
        first = s.ask("What is the secret code?")
        second = s.ask("And the backup code?")
        description = describe_context(s.summary())
    assert "Earlier questions" not in first.trajectory["first_message"]
    message = second.trajectory["first_message"]
    assert "1. What is the secret code? -> 42" in message
    # The context description opens every question's first message (a prefix the KV cache shares).
    assert first.trajectory["first_message"].startswith(description)
    assert message.startswith(description)
    assert second.trajectory["session"] == {"question": 2}
    assert "session" not in first.trajectory


def common_prefix_chars(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


def test_a_later_questions_message_differs_from_the_last_only_in_what_it_alone_has() -> None:
    # Only the text after the common prefix with the last question's message is prefilled (the
    # session's KV cache holds the rest): no fixed sentence may sit there.
    context = "The secret code is 42.\nThe backup code is 7.\nThe door code is 19.\n"
    with session([block("FINAL('42')"), block("FINAL('7')"), block("FINAL('19')")],
                 context=context) as s:
        messages = [s.ask(q).trajectory["first_message"]
                    for q in ("What is the secret code?", "What is the backup code?",
                              "What is the door code?")]
    assert HITS_INTRO in messages[0] and EARLIER_INTRO not in messages[0]  # a single run's message
    assert EARLIER_INTRO in messages[1] and HITS_INTRO not in messages[1]
    new = messages[2][common_prefix_chars(messages[1], messages[2]):]
    assert new == ("2. What is the backup code? -> 7\n\n"
                   "Search hits:\n3:The door code is 19.\n\nTask: What is the door code?")


def test_the_earlier_questions_note_only_grows_until_it_starts_again_from_the_last_three() -> None:
    turns = [block(f"FINAL('a{i}')") for i in range(1, 8)]
    with session(turns, search_hints=False) as s:
        messages = [s.ask(f"question {i}?").trajectory["first_message"] for i in range(1, 8)]
    named = [[line.split(".")[0] for line in m.split(EARLIER_INTRO + "\n")[1].split("\n\n")[0]
              .splitlines()] for m in messages[1:]]
    assert named == [["1"], ["1", "2"], ["1", "2", "3"], ["1", "2", "3", "4"],
                     ["1", "2", "3", "4", "5"], ["4", "5", "6"]]
    for before, after in zip(messages[1:5], messages[2:6]):  # each extends the one before
        earlier = before.split("\n\nTask:")[0]
        assert after.startswith(earlier)


class PrefillingReplay(ReplayBackend):
    """A replay backend that, like the MLX one, can prefill the start of the next prompt."""

    def __init__(self, turns: list[str]) -> None:
        super().__init__(turns)
        self.prefilled: list[list[dict[str, str]]] = []

    def prefill(self, messages: list[dict[str, str]]) -> int:
        self.prefilled.append(list(messages))
        return len(messages[-1]["content"])


def test_prepare_prefills_the_start_the_next_questions_message_will_have() -> None:
    backend = PrefillingReplay([block("FINAL('42')"), block("FINAL('7')")])
    with Session(backend=backend, context=CONTEXT, config=RLMConfig(check_answers=False)) as s:
        assert s.prepare() == 0  # nothing is known of the first question's message
        s.ask("What is the secret code?")
        assert backend.prefilled == []  # ask() itself never prefills ahead
        assert s.prepare() > 0
        [system, user] = backend.prefilled[-1]
        second = s.ask("What is the backup code?").trajectory
    assert system == {"role": "system", "content": second["system_prompt"]}
    assert second["first_message"].startswith(user["content"])
    assert "1. What is the secret code? -> 42" in user["content"]  # up to the newest earlier line
    assert second["first_message"][len(user["content"]):] == (
        "Search hits:\n2:The backup code is 7.\n\nTask: What is the backup code?")


def test_prepare_does_nothing_without_a_backend_that_can(tmp_path: Path) -> None:
    with session([block("FINAL('42')")]) as s:
        s.ask("What is the secret code?")
        assert s.prepare() == 0  # ReplayBackend has no prefill
    backend = PrefillingReplay([block("FINAL('42')")])
    with Session(backend=backend, context=CONTEXT, config=RLMConfig(mode="direct")) as s:
        s.history.append({"question": "q", "answer": "a"})
        assert s.prepare() == 0 and backend.prefilled == []  # direct mode has no such message


def test_an_answer_taken_from_an_earlier_one_is_not_questioned() -> None:
    turns = [block("print(grep('secret'))"), block("FINAL('4817-ZQ')"),
             block("FINAL(history[0]['answer'])")]
    filler = "".join(f"log line {i}: all quiet\n" for i in range(200))
    long = filler + "The secret code is 4817-ZQ.\n" + filler  # not in the first message's preview
    with session(turns, context=long, check_answers=True, search_hints=False) as s:
        assert s.ask("What is the secret code?").answer == "4817-ZQ"
        again = s.ask("Repeat the last answer")
    # Only the earlier-questions note showed it: without that the check calls it a guess.
    assert (again.answer, again.iterations) == ("4817-ZQ", 1)
    assert again.trajectory["iterations"][0]["interventions"] == []


def test_each_question_gets_a_fresh_turn_budget() -> None:
    turns = [block("a = 1"), block("b = 2"), block("FINAL('tired')"),  # question 1: 2 + last turn
             block("c = 3"), block("FINAL('fresh')")]  # question 2: turn 2 is still an ordinary one
    with session(turns, max_iterations=2) as s:
        first, second = s.ask("one?"), s.ask("two?")
    assert (first.answer, first.iterations, first.exhausted) == ("tired", 3, True)
    assert (second.answer, second.iterations, second.exhausted) == ("fresh", 2, False)
    assert LAST_TURN.split("(")[0] not in second.trajectory["iterations"][0]["feedback"]


def test_a_ready_answer_dict_left_by_one_question_does_not_answer_the_next() -> None:
    turns = [block('answer["content"] = "42"\nanswer["ready"] = True'), block("x = 5"),
             block("FINAL(x)")]
    with session(turns) as s:
        assert s.ask("code?").answer == "42"
        second = s.ask("x?")
    assert (second.answer, second.iterations) == ("5", 2)


def test_a_question_that_fails_is_reported_and_recorded_in_history() -> None:
    with session([block("FINAL(7)"), block("x = 1")]) as s:
        assert s.ask("code?").answer == "7"
        failed = s.ask("more?")  # the replay runs out of turns after "x = 1": a BackendError
        assert failed.answer is None and "ran out of turns" in (failed.error or "")
        assert s.history == [{"question": "code?", "answer": "7"},
                             {"question": "more?", "answer": None}]


def test_close_stops_the_worker_and_deletes_the_temp_context() -> None:
    s = session([block("import os\nFINAL(os.getpid())")])
    pid = int(s.ask("pid?").answer or 0)
    temp = s.opened.path
    assert os.path.exists(temp)  # text context: written once to a temp file for the worker
    s.close()
    s.close()  # idempotent
    assert not os.path.exists(temp)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(UsageError, match="closed Session"):
        s.ask("again?")


def test_a_users_file_is_never_deleted(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text(CONTEXT, encoding="utf-8")
    with session([block("FINAL(context[19:21])")], context=path) as s:
        assert s.ask("code?").answer == "42"
    assert path.read_text(encoding="utf-8") == CONTEXT


def test_llm_query_reaches_the_question_being_asked() -> None:
    backend = ReplayBackend([block("FINAL(llm_query('first'))"), block("FINAL(llm_query('second'))")],
                            sub=["one", "two"])
    with Session(backend=backend, context=CONTEXT, config=RLMConfig(check_answers=False)) as s:
        first, second = s.ask("q1"), s.ask("q2")
    assert (first.answer, second.answer) == ("one", "two")
    assert first.tokens.sub_prompt > 0 and second.tokens.sub_prompt > 0
    assert [c["prompt"] for c in second.trajectory["iterations"][0]["llm_calls"]] == ["second"]


def test_a_bad_context_fails_before_the_backend_is_loaded(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not found"):
        Session(model="replay:/nonexistent.json", context=tmp_path / "missing.txt")
