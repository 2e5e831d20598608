"""Loop control: repeated turns are resampled, stalls end the run, degenerate text is cut, and a
first answer that nothing in the run supports gets one turn to check it."""

from __future__ import annotations

from typing import Any

from rlm.loop_control import (
    Progress,
    appears_in,
    degenerate_cut,
    normalize_code,
    prints_only_literals,
    reads_context,
)
from rlm.prompts import DEGENERATE_NOTE, LITERAL_NOTE, MAY_FINISH_NOTE, REPEAT_NOTE


def kinds(r: Any, iteration: int) -> list[str]:
    return [i["kind"] for i in r.trajectory["iterations"][iteration - 1]["interventions"]]


def feedback(r: Any, iteration: int) -> str:
    return r.trajectory["iterations"][iteration - 1]["feedback"] or ""


# -- the pure judgements -------------------------------------------------------------------------------

def test_a_line_repeated_six_times_is_cut_after_its_first_occurrence() -> None:
    text = "hits = grep('x')\n" + "print(hits)\n" * 8
    assert text[: degenerate_cut(text)] == "hits = grep('x')\nprint(hits)\n"


def test_a_short_unit_repeated_back_to_back_is_cut_after_two_units() -> None:
    text = "values = [" + "0, " * 200
    assert text[: degenerate_cut(text)] == "values = [0, 0, "


def test_ordinary_code_and_layout_are_not_degenerate() -> None:
    code = "\n".join(f"x{i} = grep('name{i}')" for i in range(40)) + "\n" + " " * 300
    assert degenerate_cut(code) is None
    assert degenerate_cut("for line in lines:\n    print(line)\n" * 2) is None


def test_code_that_differs_only_in_comments_and_blank_lines_is_the_same() -> None:
    assert normalize_code("x = 1  # a\n\n\nprint(x)\n") == normalize_code("x = 1\nprint(x)")
    assert normalize_code("print(1)") != normalize_code("print(2)")


def test_reading_the_context_is_naming_it_or_a_helper_that_scans_it() -> None:
    assert reads_context("n = len(context)")
    assert reads_context("for c in chunks(1000): pass")
    assert reads_context("import re\nre.findall('x', context)")
    assert not reads_context("x = 1234567890\nprint(x)")
    assert not reads_context("this is not python (")


def test_printing_literals_only_is_told_apart_from_printing_findings() -> None:
    assert prints_only_literals("print(1234567890)")
    assert prints_only_literals("'4817-ZQ'")
    assert not prints_only_literals("print(hits)")
    assert not prints_only_literals("print(context[:10])")


def test_an_answer_is_supported_by_the_context_or_by_output_seen() -> None:
    text = "The code for Carina is 6151-YC.\nThe project code for Falcon is 3391-KD.\n"

    def in_context(s: str) -> bool:
        return s in text

    assert appears_in("6151-YC", in_context, [])
    assert appears_in("Total: 730.25", lambda s: False, ["41 TOTAL: 730.25"])
    assert appears_in("6151-YC, Falcon: 3391-KD", in_context, [])  # every part found
    assert not appears_in("555-0142", in_context, ["1 matching line for 'x'"])
    assert not appears_in("6151-YC, 555-0142", in_context, [])  # one part made up
    assert appears_in("{'Falcon': '3391-KD', 'Carina': '6151-YC'}", in_context, [])  # a dict


def test_progress_counts_turns_without_new_output() -> None:
    p = Progress()
    assert p.record("print(grep('a'))", "1 matching line\n")
    assert not p.record("x = 1", "")
    assert not p.record("print(grep('a'))  # again", "1 matching line\n")
    assert p.stalls == 2 and p.read_context and p.repeats("print(grep('a'))") == 1


# -- through the real loop ---------------------------------------------------------------------------

def test_a_repeated_turn_is_resampled_and_the_repeat_never_reaches_the_conversation(run, code) -> None:
    same = code("print(context.count('code'))")
    r = run([same, same, code("FINAL('done')")])
    assert r.answer == "done" and r.iterations == 2
    assert kinds(r, 2) == ["resample"]
    second = r.trajectory["iterations"][1]
    assert "FINAL('done')" in second["text"] and second["interventions"][0]["temp"] == 0.8


def test_a_turn_that_stays_a_repeat_is_not_run_again(run, code) -> None:
    same = code("print(context.count('code'))")
    r = run([same, same, same, same, code("FINAL('done')")])
    assert r.answer == "done"
    assert kinds(r, 2) == ["resample", "resample", "repeat_not_run"]
    assert feedback(r, 2) == REPEAT_NOTE.format(turn=1)
    assert r.trajectory["iterations"][1]["output"] == ""  # the repeat did not run


def test_turns_without_new_output_end_the_run_early_with_a_best_answer(run, code) -> None:
    quiet = [code(f"x{i} = {i}") for i in range(3)]
    r = run([*quiet, code("FINAL('best guess')")], max_iterations=20)
    assert r.answer == "best guess" and r.exhausted and r.iterations == 4
    assert "3 turns in a row brought nothing new" in feedback(r, 3)
    assert kinds(r, 3) == ["stop_no_progress"]


def test_a_degenerate_turn_is_cut_and_named(run, code) -> None:
    runaway = "```python\nprint('looking')\n" + "print(context[:10])\n" * 30
    r = run([runaway, code("FINAL('x')")])
    first = r.trajectory["iterations"][0]
    assert first["code"] == "print('looking')\nprint(context[:10])\n"
    assert "cut_degenerate" in kinds(r, 1)
    assert feedback(r, 1).startswith(DEGENERATE_NOTE)


def test_sub_calls_are_bounded_by_their_own_token_limit_and_cut_when_degenerate(run, code) -> None:
    long_reply = " ".join(f"word{i}" for i in range(400))
    looping = "the answer is " + "ok " * 300
    r = run([code("a = llm_query('q1'); b = llm_query('q2'); print(len(a.split()), len(b))"),
             code("FINAL('x')")], sub=[long_reply, looping], sub_max_tokens=20)
    counts = r.trajectory["iterations"][0]["output"].split()
    assert int(counts[0]) <= 20 and int(counts[1]) < 40
    assert r.trajectory["config"]["sub_max_tokens"] == 20


def test_a_first_answer_from_code_that_never_read_the_context_gets_one_check(run, code) -> None:
    r = run([code("FINAL('1234567890')"), code("print(grep('secret'))"), code("FINAL('42')")],
            check_answers=True)
    assert r.answer == "42" and r.iterations == 3
    assert kinds(r, 1) == ["check_answer"] and "no code so far has read `context`" in feedback(r, 1)


def test_the_check_is_given_once_and_the_next_answer_is_taken(run, code) -> None:
    r = run([code("FINAL('made up')"), code("FINAL('made up, twice')")], check_answers=True)
    assert r.answer == "made up, twice" and r.iterations == 2


def test_an_answer_found_nowhere_is_questioned_even_after_reading(run, code) -> None:
    r = run([code("print(len(context))"), code("FINAL('9999-ZZ')"), code("FINAL('42')")],
            check_answers=True)
    assert "appears nowhere in the context" in feedback(r, 2) and r.answer == "42"


def test_answers_seen_in_output_or_computed_from_the_context_are_taken_at_once(run, code) -> None:
    seen = run([code("print(grep('secret'))"), code("FINAL('42')")], check_answers=True)
    assert seen.answer == "42" and seen.iterations == 2 and kinds(seen, 2) == []
    computed = run([code("FINAL(context.count('e') * 1000)")], check_answers=True)
    assert computed.answer == "8000" and computed.iterations == 1


def test_output_of_literals_the_code_wrote_is_not_offered_as_an_answer(run, code) -> None:
    r = run([code("print(1234567890)"), code("FINAL(context[-6:-4])")])
    assert LITERAL_NOTE in feedback(r, 1) and MAY_FINISH_NOTE not in feedback(r, 1)


def test_interventions_are_streamed_as_events(run, code) -> None:
    events: list[Any] = []
    same = code("print(context.count('code'))")
    run([same, same, code("FINAL('done')")], on_event=events.append)
    assert [e.data["kind"] for e in events if e.kind == "intervention"] == ["resample"]


def test_repeating_a_questioned_final_is_resampled_like_any_repeat(run, code) -> None:
    guess = code("FINAL('1234567890')")
    r = run([guess, guess, code("print(grep('secret'))"), code("FINAL('42')")], check_answers=True)
    assert r.answer == "42" and r.iterations == 3
    assert kinds(r, 2) == ["resample"]


# -- direct mode ---------------------------------------------------------------------------------------

def test_direct_mode_answers_in_one_generation_with_the_context_in_the_prompt() -> None:
    from rlm import RLMConfig, rlm_generate
    from rlm.backends.replay import ReplayBackend

    backend = ReplayBackend([], sub=["42"])
    r = rlm_generate(backend=backend, context="The secret code is 42.", task="Find the code",
                     config=RLMConfig(mode="direct"))
    assert r.answer == "42" and r.iterations == 1 and r.trajectory["mode"] == "direct"
    assert "The secret code is 42." in backend.sub_prompts[0]


def test_auto_mode_goes_direct_on_a_small_context_and_loops_on_a_big_one(code) -> None:
    from rlm import RLMConfig, rlm_generate
    from rlm.backends.replay import ReplayBackend

    small = ReplayBackend([], sub=["42"])
    small.context_window = 32768
    r = rlm_generate(backend=small, context="code 42", task="code?", config=RLMConfig(mode="auto"))
    assert r.trajectory["mode"] == "direct" and r.answer == "42"
    big = ReplayBackend([code("FINAL(context[5:7])")])
    big.context_window = 32768
    r = rlm_generate(backend=big, context="code 42 " + "filler " * 5000, task="code?",
                     config=RLMConfig(mode="auto", check_answers=False))
    assert r.trajectory["mode"] == "rlm" and r.answer == "42"


# -- steered turn starts -------------------------------------------------------------------------------

class _PrefixBackend:
    """A replay that continues after the assistant prefix, as the MLX backend does."""

    def __new__(cls, turns: list[str]) -> Any:
        from rlm.backends.replay import ReplayBackend

        class Recording(ReplayBackend):
            supports_assistant_prefix = True

            def __init__(self) -> None:
                super().__init__(turns)
                self.prefixes: list[str] = []

            def generate(self, messages: Any, sampling: Any, **kw: Any) -> Any:
                self.prefixes.append(kw.get("assistant_prefix", ""))
                return super().generate(messages, sampling, **kw)

        return Recording()


def test_after_a_turn_that_printed_a_literal_the_next_one_starts_with_a_search() -> None:
    from rlm import RLMConfig, rlm_generate
    from rlm.engine import STEER_SEARCH
    from rlm.prompts import ASSISTANT_PREFIX as P

    backend = _PrefixBackend([P + "print(1234)\n```", P + STEER_SEARCH + 'secret"))\n```',
                              P + 'FINAL("42")\n```'])
    r = rlm_generate(backend=backend, context="The secret code is 42.", task="Find the code",
                     config=RLMConfig(search_hints=False))
    assert backend.prefixes == [P, P + STEER_SEARCH, P]
    assert r.answer == "42" and kinds(r, 2) == ["steer"]
    assert r.trajectory["iterations"][1]["code"].strip() == 'print(grep("secret"))'


def test_the_last_turn_starts_with_final() -> None:
    from rlm import RLMConfig, rlm_generate
    from rlm.engine import STEER_FINAL
    from rlm.prompts import ASSISTANT_PREFIX as P

    backend = _PrefixBackend([P + "n = len(context)\nprint(n)\n```", P + STEER_FINAL + '22")\n```'])
    r = rlm_generate(backend=backend, context="The secret code is 42.", task="How long?",
                     config=RLMConfig(max_iterations=1, check_answers=False))
    assert backend.prefixes == [P, P + STEER_FINAL]
    assert r.answer == "22" and r.exhausted


def test_an_answer_that_only_restates_the_task_is_questioned(run, code) -> None:
    r = run([code("FINAL('the secret code')"), code("FINAL(context[19:21])")],
            task="Find the secret code", check_answers=True)
    assert kinds(r, 1) == ["check_answer"] and r.answer == "42"


def test_an_answer_read_off_the_search_hits_is_taken_without_code_reading_the_context(run, code) -> None:
    context = "filler\n" * 50 + "The secret code for the vault is 7301.\n" + "filler\n" * 50
    r = run([code("FINAL('7301')")], context=context, task="What is the secret code for the vault?",
            check_answers=True)
    assert r.answer == "7301" and r.iterations == 1
    assert r.trajectory["context"]["search_hits"] == [51]


def test_one_item_for_a_list_question_after_several_matches_gets_a_check(run, code) -> None:
    context = "".join(f"user {n} locked out\n" for n in ("ann", "bob", "eve")) + "ok\n" * 20
    r = run([code("print(grep('locked'))"), code("FINAL('ann')"),
             code("FINAL(', '.join(re.findall(r'user (\\w+) locked', context)))")],
            context=context, task="Which users were locked out?", check_answers=True)
    assert "3 lines matched, but your answer 'ann' gives one" in feedback(r, 2)
    assert r.answer == "ann, bob, eve"


def test_after_one_of_many_the_next_turn_starts_collecting_every_match() -> None:
    # Steered into a grep instead, the 0.5B printed the lines again and answered one of them.
    from rlm import RLMConfig, rlm_generate
    from rlm.prompts import ASSISTANT_PREFIX as P

    context = "".join(f"user {n} locked out\n" for n in ("ann", "bob", "eve")) + "ok\n" * 20
    collect = P + 'items = re.findall(r"user (\\w+) locked", context)\nFINAL(", ".join(items))\n```'
    backend = _PrefixBackend([P + "print(grep('locked'))\n```", P + "FINAL('ann')\n```", collect])
    r = rlm_generate(backend=backend, context=context, task="Which users were locked out?",
                     config=RLMConfig(search_hints=False))
    assert backend.prefixes[2] == P + 'items = re.findall(r"'
    assert r.answer == "ann, bob, eve"


def test_max_time_also_ends_a_turn_that_is_still_generating() -> None:
    from rlm import RLMConfig, rlm_generate
    from rlm.backends.base import Completion
    from rlm.backends.replay import ReplayBackend

    class Streaming(ReplayBackend):
        """Feeds the stop function word by word, as a live model's stream would."""

        def generate(self, messages: Any, sampling: Any, *, stop: Any = None, **kw: Any) -> Completion:
            import time

            done = super().generate(messages, sampling, **kw)
            text = ""
            for word in done.text.split(" "):
                text += word + " "
                time.sleep(0.001)
                cut = stop(text) if stop else None
                if cut is not None:
                    done.text = text[:cut]
                    break
            return done

    endless = "```python\nx = [" + ", ".join(f"'item{i}'" for i in range(3000))
    r = rlm_generate(backend=Streaming([endless, "```python\nFINAL('late')\n```"]), context="abc",
                     task="t", config=RLMConfig(max_time=0.2, check_answers=False))
    first = r.trajectory["iterations"][0]
    assert "cut_time" in [i["kind"] for i in first["interventions"]]
    assert len(first["text"]) < len(endless) and r.answer == "late" and r.exhausted


def test_a_block_of_lines_repeated_three_times_is_cut_after_its_first_copy() -> None:
    block = "".join(f'FINAL_VAR("{c}")\n' for c in "abcdefghijklmnopqrstuvwxyz")
    text = "```python\n" + block * 3
    assert text[: degenerate_cut(text)] == "```python\n" + block
    twice = "```python\n" + block * 2
    assert degenerate_cut(twice) is None


PROJECTS = ("filler\n" * 30 + "The project code for Puffin is 5118-MT.\n" + "filler\n" * 30
            + "The project code for Falcon is 8546-QZ.\n" + "filler\n" * 30
            + "The project code for Bison is 7065-UZ.\n")
PROJECTS_TASK = "What are the project codes for Puffin, Falcon and Bison? Give each with its code."


def test_the_items_a_task_names_are_found_in_its_enumeration() -> None:
    from rlm.loop_control import named_items

    assert named_items(PROJECTS_TASK) == ["Puffin", "Falcon", "Bison"]
    assert named_items("Codes for crimson-harbor, lunar-meadow, or amber-willow?") == [
        "crimson-harbor", "lunar-meadow", "amber-willow"]
    assert named_items("What is the total and the count?") == []


def test_an_answer_missing_named_items_is_questioned_twice_then_taken(run, code) -> None:
    r = run([code("print(grep('Puffin'))"), code("FINAL('5118-MT')"), code("FINAL('8546-QZ')"),
             code("FINAL('8546-QZ, 5118-MT')")],
            context=PROJECTS, task=PROJECTS_TASK, check_answers=True)
    assert "asks about 3 items (Puffin, Falcon, Bison)" in feedback(r, 2)
    assert "for name in ['Puffin', 'Falcon', 'Bison']: print(grep(name))" in feedback(r, 2)
    assert kinds(r, 3) == ["check_answer"]  # a different single answer: questioned again
    assert 'FINAL("Puffin: VALUE, Falcon: VALUE, Bison: VALUE")' in feedback(r, 3)
    # The lines seen (the search hits and grep's, not grep's header), each after its item.
    assert feedback(r, 3).endswith(
        "The lines your output showed for them:\nPuffin: The project code for Puffin is 5118-MT.\n"
        "Falcon: The project code for Falcon is 8546-QZ.\nBison: The project code for Bison is 7065-UZ.")
    # Shown "Badger: 877:The project code ..." the 0.5B filled in "Badger: 877" (line numbers off).
    assert r.answer == "8546-QZ, 5118-MT" and r.iterations == 4  # two checks, then taken


def test_an_answer_that_covers_every_named_item_is_taken_at_once(run, code) -> None:
    loop = "print([grep(n) for n in ['Puffin', 'Falcon', 'Bison']])"
    r = run([code(loop), code("FINAL('Puffin 5118-MT, Falcon 8546-QZ, Bison 7065-UZ')")],
            context=PROJECTS, task=PROJECTS_TASK, check_answers=True)
    assert r.iterations == 2 and kinds(r, 2) == []


def test_output_for_a_list_task_asks_for_every_item_before_finishing(run, code) -> None:
    from rlm.prompts import MAY_FINISH_ALL_NOTE

    r = run([code("print(grep('Puffin'))"), code("FINAL('x')")], context=PROJECTS,
            task=PROJECTS_TASK)
    assert MAY_FINISH_ALL_NOTE in feedback(r, 1) and MAY_FINISH_NOTE not in feedback(r, 1)


def test_after_a_named_items_check_the_next_turn_is_not_forced_into_one_grep() -> None:
    from rlm import RLMConfig, rlm_generate
    from rlm.engine import STEER_SEARCH
    from rlm.prompts import ASSISTANT_PREFIX as P

    one = P + "FINAL('5118-MT')\n```"
    loop = P + "for name in ['Puffin', 'Falcon', 'Bison']: print(grep(name))\n```"
    unread = P + "FINAL('9999-ZZ')\n```"
    backend = _PrefixBackend([P + "print(grep('Puffin'))\n```", one, loop, unread, unread])
    rlm_generate(backend=backend, context=PROJECTS, task=PROJECTS_TASK,
                 config=RLMConfig(search_hints=False))
    # After the loop note: a free turn; after the grounding note on a made-up answer: a search.
    assert backend.prefixes[:5] == [P, P, P, P, P + STEER_SEARCH]


def test_after_the_fill_in_template_the_next_turn_starts_inside_the_filled_final() -> None:
    from rlm import RLMConfig, rlm_generate
    from rlm.prompts import ASSISTANT_PREFIX as P

    start = 'FINAL("Puffin: '
    backend = _PrefixBackend([P + "print(grep('Puffin|Falcon|Bison'))\n```", P + "FINAL('5118-MT')\n```",
                              P + "FINAL('8546-QZ')\n```",
                              P + start + '5118-MT, Falcon: 8546-QZ, Bison: 7065-UZ")\n```'])
    r = rlm_generate(backend=backend, context=PROJECTS, task=PROJECTS_TASK,
                     config=RLMConfig(search_hints=False))
    # The eval's 0.5B, steered into `print(grep("` here, looked the items up again until its budget ran out.
    assert backend.prefixes[3] == P + start
    assert {"kind": "steer", "start": start} in r.trajectory["iterations"][3]["interventions"]
    assert r.answer == "Puffin: 5118-MT, Falcon: 8546-QZ, Bison: 7065-UZ" and r.iterations == 4


def test_literals_copied_from_output_already_seen_are_not_called_made_up(run, code) -> None:
    from rlm.prompts import MAY_FINISH_ALL_NOTE

    r = run([code("print(grep('Puffin|Falcon'))"), code("print(['5118-MT', '8546-QZ'])"),
             code("FINAL('x')")], context=PROJECTS, task=PROJECTS_TASK)
    assert LITERAL_NOTE not in feedback(r, 2) and MAY_FINISH_ALL_NOTE in feedback(r, 2)
    made_up = run([code("print(grep('Puffin'))"), code("print(['9999-ZZ'])"), code("FINAL('x')")],
                  context=PROJECTS, task=PROJECTS_TASK)
    assert LITERAL_NOTE in feedback(made_up, 2)


def test_a_when_question_answered_without_a_date_gets_one_check(run, code) -> None:
    context = ("filler\n" * 20 + "Thaddeus was born in a small coastal town.\n" + "filler\n" * 20
               + "Thaddeus came into this world on 25 August 1951.\n")
    r = run([code("print(grep('Thaddeus'))"), code("FINAL('Thaddeus was born in a small coastal town.')"),
             code("FINAL('25 August 1951')")],
            context=context, task="When was Thaddeus born?", check_answers=True)
    assert 'the task asks "When", but your answer' in feedback(r, 2) and "holds no date" in feedback(r, 2)
    assert r.answer == "25 August 1951"
    count = run([code("print(grep('Thaddeus'))"), code("FINAL('a small coastal town')"),
                 code("FINAL('coastal town')")],
                context=context, task="How many lines name Thaddeus?", check_answers=True)
    assert "holds no number" in feedback(count, 2) and count.answer == "coastal town"  # once only


def test_a_run_that_ends_without_an_answer_falls_back_to_the_last_questioned_one(run, code) -> None:
    r = run([code("FINAL('1234567890')"), code("print(len(context))"), code("x = 1")],
            check_answers=True, max_iterations=2)
    assert r.answer == "1234567890" and r.exhausted and r.error is None
    assert kinds(r, r.iterations)[-1] == "fallback_answer"


def test_a_singular_which_question_is_not_a_list_question(run, code) -> None:
    context = "".join(f"Access token issued to {k}: {v}\n" for k, v in
                      [("velvet-orchard", "3449-WJ"), ("brisk-orchard", "6125-ZP")]) + "x\n" * 30
    r = run([code("print(grep('Access token'))"), code("FINAL('3449-WJ')")], context=context,
            task="Which access token was issued to velvet-orchard?", check_answers=True)
    assert r.answer == "3449-WJ" and r.iterations == 2


def test_a_printed_sum_answered_rounded_is_taken_as_seen(run, code) -> None:
    r = run([code("print(8219.449999999999 if 'secret' in context else 0)"), code("FINAL('8219.45')")],
            check_answers=True)
    assert r.answer == "8219.45" and r.iterations == 2


def test_the_fill_in_template_copied_as_is_is_not_an_answer(run, code) -> None:
    r = run([code("print(grep('Puffin'))"), code("FINAL('5118-MT')"), code("FINAL('8546-QZ')"),
             code("FINAL('Puffin: VALUE, Falcon: VALUE, Bison: VALUE')"),
             code("FINAL('Puffin: 5118-MT, Falcon: 8546-QZ, Bison: 7065-UZ')")],
            context=PROJECTS, task=PROJECTS_TASK, check_answers=True)
    assert "still holds the placeholder VALUE" in feedback(r, 4)
    assert r.answer == "Puffin: 5118-MT, Falcon: 8546-QZ, Bison: 7065-UZ"


def test_consecutive_literal_finals_answer_all_of_them(run, code) -> None:
    r = run([code("print(grep('project'))"),
             code("FINAL('5118-MT')\nFINAL('8546-QZ')\nFINAL('7065-UZ')")],
            context=PROJECTS, task=PROJECTS_TASK, check_answers=True)
    assert r.answer == "5118-MT, 8546-QZ, 7065-UZ" and r.iterations == 2
    assert kinds(r, 2) == ["merge_finals"]


# Ids without digits: a number the lines hold may be a value, and is not questioned.
FAILED_JOBS = "".join(f"job JOB-{chr(65 + i % 26)}{chr(65 + i // 26)} finished "
                      f"state={'failed' if i % 7 == 3 else 'ok'}\n" for i in range(40))


def test_a_line_number_answer_to_a_list_task_asks_the_sub_call_for_every_value(run, code) -> None:
    task = "List the ids of every job that finished with state=failed."
    r = run([code("print(grep('state=failed'))"), code("FINAL('4')"), code("FINAL('JOB-DA')")],
            context=FAILED_JOBS, task=task, check_answers=True)
    assert "'4' is the line number grep printed" in feedback(r, 2)
    # "the value from the one line" made the sub-call answer one of the ids.
    assert ("Reply with only the values from every line that answers it, one per line." in
            feedback(r, 2))
    assert "the one line" not in feedback(r, 2)


OFFICES = ("filler\n" * 20 + "Lunch with Oksana moved to Friday.\n" + "filler\n" * 20
           + "You'll find Oksana at office H-905 most days.\n" + "filler\n" * 20)


def test_a_which_task_answered_with_a_whole_line_gets_one_check(run, code) -> None:
    r = run([code("print(grep('Oksana'))"), code("FINAL('Lunch with Oksana moved to Friday.')"),
             code("FINAL('H-905')")],
            context=OFFICES, task="Which room does Oksana work in?", check_answers=True)
    assert 'is a whole line of the text, but the task asks "Which room"' in feedback(r, 2)
    assert "FINAL just the room" in feedback(r, 2) and r.answer == "H-905"
    # ... with the sub-call that reads the grep's lines for it.
    # (lines first, then the question and "only the value": what the 0.5B answered best)
    # (one kind of quotes: the 0.5B closed a '-quoted question with ")
    # (the lines without grep's line numbers: the sub-call answered those for a list task)
    ask = ("""`print(llm_query("Lines:\\n" + "\\n".join(h.line for h in grep("Oksana")) + "\\n\\nQuestion: Which room does """
           """Oksana work in?\\nReply with only the value from the one line that answers it."))`""")
    assert ask in feedback(r, 2)
    compile(ask.strip("`"), "<ask>", "exec")  # the suggested call is valid Python
    # A grep line with its number counts as the line; the check is given once only.
    again = run([code("print(grep('Oksana'))"), code("FINAL('21:Lunch with Oksana moved to Friday.')"),
                 code("FINAL('Lunch with Oksana moved to Friday.')")],
                context=OFFICES, task="Which room does Oksana work in?", check_answers=True)
    assert "whole line" in feedback(again, 2) and again.answer == "Lunch with Oksana moved to Friday."


def test_a_grep_line_number_answered_as_the_value_is_questioned_with_the_line(run, code) -> None:
    # Held-out seed 51: both models answered "582", the number grep printed before the decoy line.
    r = run([code("print(grep('Oksana'))"), code("FINAL('21')"), code("FINAL('H-905')")],
            context=OFFICES, task="Which room does Oksana work in?", check_answers=True)
    assert "'21' is the line number grep printed" in feedback(r, 2)
    assert "'Lunch with Oksana moved to Friday.'" in feedback(r, 2)
    assert 'print(llm_query("Lines:' in feedback(r, 2) and r.answer == "H-905"
    # Never the run's answer: refuted, it is not the fallback either.
    stuck = run([code("print(grep('Oksana'))"), code("FINAL('21')")], context=OFFICES,
                task="Which room does Oksana work in?", check_answers=True, max_iterations=2)
    assert stuck.answer is None
    # A task about lines may be answered with one.
    where = run([code("print(grep('Oksana'))"), code("FINAL('21')")], context=OFFICES,
                task="On which line is lunch with Oksana?", check_answers=True)
    assert where.answer == "21" and where.iterations == 2


def test_a_value_or_a_list_task_is_not_questioned_as_a_whole_line(run, code) -> None:
    value = run([code("print(grep('Oksana'))"), code("FINAL('office H-905')")],
                context=OFFICES, task="Which room does Oksana work in?", check_answers=True)
    assert value.iterations == 2 and value.answer == "office H-905"
    listed = run([code("print(grep('Oksana'))"), code("FINAL('Lunch with Oksana moved to Friday.')")],
                 context=OFFICES, task="Which lines name Oksana? List all of them.", check_answers=True)
    assert "whole line" not in (feedback(listed, 2) or "")


def test_a_questioned_final_written_before_its_block_s_output_is_not_taken(run, code) -> None:
    loop = "for name in ['Puffin', 'Falcon', 'Bison']: print(grep(name))\nFINAL('5118-MT')"
    r = run([code("print(grep('Puffin'))"), code("FINAL('5118-MT')"), code(loop),
             code("FINAL('Puffin 5118-MT, Falcon 8546-QZ, Bison 7065-UZ')")],
            context=PROJECTS, task=PROJECTS_TASK, check_answers=True)
    third = r.trajectory["iterations"][2]
    assert "final_before_output" in kinds(r, 3) and third["final"] is None
    assert "8546-QZ" in feedback(r, 3) and "was written before you saw this output" in feedback(r, 3)
    assert r.answer == "Puffin 5118-MT, Falcon 8546-QZ, Bison 7065-UZ" and r.iterations == 4


def test_a_questioned_final_after_lookups_it_threw_away_is_not_taken() -> None:
    # Held-out seed 50 (1M): told to look up all four items, the 0.5B wrote `hits = grep(...)`
    # four times, printed nothing, and FINALed the questioned one-item answer in the same block.
    from rlm import RLMConfig, rlm_generate
    from rlm.prompts import ASSISTANT_PREFIX as P

    lost = ("hits = grep('Puffin')\nhits = grep('Falcon')\nhits = grep('Bison')\n"
            "FINAL('5118-MT')")
    backend = _PrefixBackend([P + "print(grep('Puffin'))\n```", P + "FINAL('5118-MT')\n```",
                              P + lost + "\n```",
                              P + "for item in ['Puffin', 'Falcon', 'Bison']: print(grep(item))\n```",
                              P + "FINAL('Puffin 5118-MT, Falcon 8546-QZ, Bison 7065-UZ')\n```"])
    r = rlm_generate(backend=backend, context=PROJECTS, task=PROJECTS_TASK,
                     config=RLMConfig(search_hints=False))
    third = r.trajectory["iterations"][2]
    assert "final_before_output" in kinds(r, 3) and third["final"] is None
    assert "before you saw any of these lookups" in feedback(r, 3)
    assert "only the last one was printed" in feedback(r, 3)
    # The next turn starts with the loop that prints every lookup.
    assert backend.prefixes[3] == P + "for item in ['Puffin', 'Falcon', 'Bison']: print(grep(item))\n"
    assert r.answer == "Puffin 5118-MT, Falcon 8546-QZ, Bison 7065-UZ"


def test_the_same_lookups_again_after_a_check_start_the_answer_not_a_new_search() -> None:
    # Held-out seed 51: the 0.5B saw all four codes, FINALed three, was questioned, ran the same
    # loop again, was told "try a different approach" and grepped the four until its turns ran out.
    from rlm import RLMConfig, rlm_generate
    from rlm.prompts import ASSISTANT_PREFIX as P

    loop = "for name in ['Puffin', 'Falcon', 'Bison']: print(grep(name))"
    backend = _PrefixBackend([P + loop + "\n```", P + "FINAL('5118-MT, 8546-QZ')\n```",
                              P + "for n in ['Puffin', 'Falcon', 'Bison']: print(grep(n))\n```",
                              P + 'FINAL("Puffin: 5118-MT, Falcon: 8546-QZ, Bison: 7065-UZ")\n```'])
    r = rlm_generate(backend=backend, context=PROJECTS, task=PROJECTS_TASK,
                     config=RLMConfig(search_hints=False))
    assert "check_answer" in kinds(r, 2)
    assert "the answer is in it" in feedback(r, 3) and "try a different approach" not in feedback(r, 3)
    assert backend.prefixes[3] == P + 'FINAL("Puffin: '
    assert r.answer == "Puffin: 5118-MT, Falcon: 8546-QZ, Bison: 7065-UZ"


def test_the_same_output_again_without_a_check_asks_for_another_approach() -> None:
    from rlm import RLMConfig, rlm_generate
    from rlm.prompts import ASSISTANT_PREFIX as P

    backend = _PrefixBackend([P + "print(grep('Puffin'))\n```",
                              P + "print(grep('Puffin', ignore_case=True))\n```",
                              P + "FINAL('5118-MT')\n```"])
    r = rlm_generate(backend=backend, context=PROJECTS, task="What is the project code for Puffin?",
                     config=RLMConfig(search_hints=False))
    assert "try a different approach" in feedback(r, 2)
    assert backend.prefixes[2] == P + 'print(grep("'


def test_after_a_final_written_before_its_output_the_next_turn_starts_inside_the_answer() -> None:
    from rlm import RLMConfig, rlm_generate
    from rlm.prompts import ASSISTANT_PREFIX as P

    loop = "for name in ['Puffin', 'Falcon', 'Bison']: print(grep(name))\nFINAL('5118-MT')"
    backend = _PrefixBackend([P + "print(grep('Puffin'))\n```", P + "FINAL('5118-MT')\n```",
                              P + loop + "\n```",
                              P + 'FINAL("Puffin: 5118-MT, Falcon: 8546-QZ, Bison: 7065-UZ")\n```'])
    r = rlm_generate(backend=backend, context=PROJECTS, task=PROJECTS_TASK,
                     config=RLMConfig(search_hints=False))
    # Steered into a grep there, the 0.5B repeated the questioned FINAL; inside the answer it
    # only has to copy the values its loop printed.
    assert backend.prefixes[3] == P + 'FINAL("Puffin: '
    assert r.answer == "Puffin: 5118-MT, Falcon: 8546-QZ, Bison: 7065-UZ"


def test_an_empty_final_is_questioned_twice_then_taken(run, code) -> None:
    empty = "tickets = [l for l in context.splitlines() if 'zzz' in l]\nFINAL(', '.join(tickets))"
    r = run([code(empty), code("FINAL('')"), code("FINAL(' ')"), code("FINAL('secret 42')")],
            check_answers=True, max_iterations=6)
    assert "Your FINAL answer is empty" in feedback(r, 1) and "Your FINAL answer is empty" in feedback(r, 2)
    assert r.iterations == 3 and r.answer == " "  # two checks only: a run cannot loop on them


BIRDS = "".join(f"bird sighting logged: {w}\n" + "filler\n" * 3
                for w in ["demot", "mipaf", "mipaf", "zilak", "mipaf", "demot"])


def test_a_most_often_task_answered_without_counting_is_asked_to_count(run, code) -> None:
    count = "print(collections.Counter(re.findall(r'logged: (\\w+)', context)).most_common(3))"
    r = run([code("print(grep('bird sighting'))"), code("FINAL('demot')"), code(count),
             code("FINAL('mipaf')")],
            context=BIRDS, task="Which bird was logged most often?", check_answers=True)
    assert "no code has counted yet" in feedback(r, 2) and "('mipaf', 3)" in feedback(r, 3)
    assert r.answer == "mipaf" and r.iterations == 4


def test_a_most_often_answer_from_counting_code_is_taken(run, code) -> None:
    count = ("FINAL(collections.Counter(re.findall(r'logged: (\\w+)', context))"
             ".most_common(1)[0][0])")
    r = run([code(count)], context=BIRDS, task="Which bird was logged most often?",
            check_answers=True)
    assert r.answer == "mipaf" and r.iterations == 1


def test_a_file_count_answered_with_the_line_count_gets_one_check(tmp_path, run, code) -> None:
    dump = tmp_path / "tree.txt"
    dump.write_text("# FILE: a.py\nimport os.path\nos.path.join('x')\n# FILE: b.py\nimport os.path\n"
                    "# FILE: c.py\nimport sys\n", encoding="utf-8")
    r = run([code("print(grep('os.path'))"), code("FINAL(3)"), code("FINAL(2)")], context=dump,
            task="How many of the files in the context import the module os.path?",
            check_answers=True)
    assert "3 matching lines in 2 files" in feedback(r, 1)
    assert "grep said those 3 lines are in 2 files" in feedback(r, 2) and r.answer == "2"


def test_after_a_final_before_its_output_the_next_turn_starts_inside_the_answer() -> None:
    from rlm import RLMConfig, rlm_generate
    from rlm.prompts import ASSISTANT_PREFIX as P

    loop = P + "for name in ['Puffin', 'Falcon', 'Bison']: print(grep(name))\nFINAL('5118-MT')\n```"
    start = 'FINAL("Puffin: '
    backend = _PrefixBackend([P + "print(grep('Puffin'))\n```", P + "FINAL('5118-MT')\n```", loop,
                              P + start + '5118-MT, Falcon: 8546-QZ, Bison: 7065-UZ")\n```'])
    r = rlm_generate(backend=backend, context=PROJECTS, task=PROJECTS_TASK,
                     config=RLMConfig(search_hints=False))
    # The eval's 0.5B repeated the questioned FINAL there, then was steered into a grep.
    assert backend.prefixes[3] == P + start and r.iterations == 4
    assert r.answer == "Puffin: 5118-MT, Falcon: 8546-QZ, Bison: 7065-UZ"


def test_after_the_whole_line_check_the_next_turn_starts_inside_the_sub_call() -> None:
    from rlm import RLMConfig, rlm_generate
    from rlm.prompts import ASSISTANT_PREFIX as P

    # The call is written out: steered into `print(llm_query(` only, the 0.5B wrote
    # `print(llm_query(1))` (held-out paraphrase seed 56).
    start = ('print(llm_query("Lines:\\n" + "\\n".join(h.line for h in grep("Oksana")) + "\\n\\nQuestion: Which room does '
             'Oksana work in?\\nReply with only the value from the one line that answers it."))\n')
    backend = _PrefixBackend([P + "print(grep('Oksana'))\n```",
                              P + "FINAL('Lunch with Oksana moved to Friday.')\n```",
                              P + start + "```", P + 'FINAL("H-905")\n```'])
    r = rlm_generate(backend=backend, context=OFFICES, task="Which room does Oksana work in?",
                     config=RLMConfig(search_hints=False))
    assert backend.prefixes[2] == P + start and r.answer == "H-905"
    assert backend.prefixes[-1] == P + 'FINAL("'  # the sub-call printed the answer: give it
    assert r.trajectory["iterations"][2]["llm_calls"], "the sub-call ran"
    prompt = r.trajectory["iterations"][2]["llm_calls"][0]["prompt"]
    assert "\nYou'll find Oksana at office H-905" in prompt and ":You'll" not in prompt


def test_a_count_task_s_grep_is_told_its_count_is_the_answer(run, code) -> None:
    from rlm.prompts import MANY_MATCHES_NOTE

    log = "".join(f"order {i} status={'FAILED' if i % 3 == 0 else 'OK'}\n" for i in range(9))
    r = run([code("print(grep('status=FAILED'))"), code("FINAL('3')")], context=log,
            task="How many order records have status=FAILED?")
    assert "3 lines matched. If the task counts lines like these, that count is the answer" in feedback(r, 1)
    total = run([code("print(grep('status=FAILED'))"), code("FINAL('3')")], context=log,
                task="How many hours in total did the FAILED orders take?")
    assert MANY_MATCHES_NOTE.format(n=3) in feedback(total, 1)  # a sum, not a count


def test_grep_counts_over_files_still_count_as_matches(tmp_path, run, code) -> None:
    dump = tmp_path / "tree.txt"
    dump.write_text("# FILE: a.py\nimport os\n# FILE: b.py\nimport os\n", encoding="utf-8")
    r = run([code("print(grep('import os'))"), code("FINAL('2')")], context=dump,
            task="How many files import os?")
    assert "2 matching lines in 2 files" in feedback(r, 1) and "2 lines matched" in feedback(r, 1)


def test_after_the_count_check_the_next_turn_starts_inside_a_counter() -> None:
    from rlm import RLMConfig, rlm_generate
    from rlm.count_answers import COUNT_START
    from rlm.prompts import ASSISTANT_PREFIX as P

    # (after a grep of the lines the count starts at once: the next test)
    backend = _PrefixBackend([P + "print(context[:300])\n```", P + "FINAL('demot')\n```",
                              P + COUNT_START + 'logged: (\\w+)", context)).most_common(3))\n```',
                              P + 'FINAL("mipaf")\n```'])
    r = rlm_generate(backend=backend, context=BIRDS, task="Which bird was logged most often?",
                     config=RLMConfig(search_hints=False))
    # The eval's 0.5B, steered into a grep there, grepped the 25 lines again until its budget ran out.
    assert backend.prefixes[2] == P + COUNT_START and "('mipaf', 3)" in feedback(r, 3)
    assert backend.prefixes[3] == P + 'FINAL("'  # the count printed: the next turn answers
    assert r.answer == "mipaf"


def test_the_matching_lines_of_a_most_often_task_start_their_count() -> None:
    # Held-out commonword seeds 50-51: shown the 27 lines, the 0.5B FINALed all their names.
    from rlm import RLMConfig, rlm_generate
    from rlm.prompts import ASSISTANT_PREFIX as P

    birds = ["danar", "fotas", "fotas", "naful", "fotas", "danar"]
    context = "".join(f"noise {i}\nbird sighting logged: {b}\n" for i, b in enumerate(birds))
    # The count is written out: the lines share their start (the 0.5B, left to fill in the
    # pattern, counted the phrase itself: held-out seed 53).
    count = ('counts = collections.Counter(re.findall(r"bird sighting logged: (\\w+)", context)); '
             'print(counts.most_common(3), "-> most often:", max(counts, key=counts.get))\n')
    backend = _PrefixBackend([P + "print(grep('bird sighting logged'))\n```", P + count + "```",
                              P + 'FINAL("fotas")\n```'])
    r = rlm_generate(backend=backend, context=context,
                     task="Which bird was logged most often in the bird sighting lines?",
                     config=RLMConfig(search_hints=False))
    assert "6 lines matched. The task asks which occurs most often: count them" in feedback(r, 1)
    assert "finish now" not in feedback(r, 1)
    assert backend.prefixes[1:] == [P + count, P + 'FINAL("']
    assert "('fotas', 3)" in feedback(r, 2) and r.answer == "fotas"
    # A listed choice counts each listed word; a task that is not about frequency is left alone.
    listed = _PrefixBackend([P + "print(grep('logged'))\n```", P + "FINAL('x')\n```"])
    rlm_generate(backend=listed, context=context, config=RLMConfig(search_hints=False),
                 task="Which of these words occurs most often: danar, fotas, naful?")
    from rlm.count_answers import count_each
    assert listed.prefixes[0] == P + count_each(['danar', 'fotas', 'naful']) + "\n"
    plain = _PrefixBackend([P + "print(grep('logged'))\n```", P + "FINAL('x')\n```"])
    rlm_generate(backend=plain, context=context, config=RLMConfig(search_hints=False),
                 task="Which birds were logged?")
    assert plain.prefixes[1] == P


def test_a_which_listed_word_most_often_task_opens_with_the_count_of_each() -> None:
    # Held-out commonword seed 50: the 0.5B grepped the list joined by commas, then "words".
    from rlm import RLMConfig, rlm_generate
    from rlm.count_answers import count_each
    from rlm.prompts import ASSISTANT_PREFIX as P

    count = count_each(["budez", "geluf", "kafov"]) + "\n"
    backend = _PrefixBackend([P + count + "```", P + 'FINAL("geluf")\n```'])
    r = rlm_generate(backend=backend, context=WORDS, task=WORDS_TASK,
                     config=RLMConfig(search_hints=False))
    assert backend.prefixes == [P + count, P + 'FINAL("']
    assert r.answer == "geluf" and r.iterations == 2


def test_a_questioned_answer_retyped_with_other_spacing_is_still_the_questioned_one() -> None:
    from rlm.answer_check import AnswerChecker

    checker = AnswerChecker("Which room?", lambda s: False)
    checker.questioned.append("299:        # In other words,")
    assert checker.was_questioned("299: # In other words,") and not checker.was_questioned("H-905")
    # ... and one refuted with other spacing is not the fallback answer either.
    checker.questioned += ["Room  H-905", "Room H-905"]
    checker.refuted.add("Room H-905")
    assert checker.fallback() == "299:        # In other words,"


CHAIN = "intro\nLBVCT := 16087\nnoise\nQOPRM := LBVCT\nZTXUA := QOPRM\nOTHER := 55555\n"
CHAIN_TASK = "Follow the chains of assignments in the text: which variables end up holding 16087?"


def test_a_value_the_task_gives_answered_back_is_questioned_and_the_chain_is_one_call_away(
        run, code) -> None:
    # (A backend that continues an assistant prefix opens such a task with aliases() itself:
    # the next test. A whole-message backend, as here, starts freely.)
    r = run([code("print(grep('16087'))"), code("FINAL('16087')"), code("print(aliases('16087'))"),
             code("FINAL('LBVCT, QOPRM, ZTXUA')")], context=CHAIN, task=CHAIN_TASK,
            check_answers=True)
    # The eval's 0.5B answered the value itself in all four runs (2026-12-01).
    assert "'16087' is a value the task itself gives you" in feedback(r, 2)
    assert "aliases('16087') lists every variable holding 16087" in feedback(r, 2)
    assert "3 variables hold '16087' through assignments: LBVCT, QOPRM, ZTXUA" in feedback(r, 3)
    assert r.answer == "LBVCT, QOPRM, ZTXUA"


def test_a_question_about_the_variables_holding_a_value_opens_with_aliases() -> None:
    # Held-out seeds 50-51: the 0.5B never called aliases(); it echoed names, grepped one link
    # and, in its unchecked last turn, answered the value itself.
    from rlm import RLMConfig, rlm_generate
    from rlm.prompts import ASSISTANT_PREFIX as P

    start = 'print(aliases("16087"))\n'
    backend = _PrefixBackend([P + start + "```", P + 'FINAL("LBVCT, QOPRM, ZTXUA")\n```'])
    r = rlm_generate(backend=backend, context=CHAIN, task=CHAIN_TASK,
                     config=RLMConfig(search_hints=False))
    assert backend.prefixes[:2] == [P + start, P + 'FINAL("']  # printed: the next turn answers
    assert r.answer == "LBVCT, QOPRM, ZTXUA" and r.iterations == 2
    # Without the checks (or without a value in the task) the first turn starts freely.
    free = _PrefixBackend([P + "FINAL('x')\n```"])
    rlm_generate(backend=free, context=CHAIN, task=CHAIN_TASK,
                 config=RLMConfig(search_hints=False, check_answers=False))
    assert free.prefixes == [P]


def test_a_value_the_task_gives_is_questioned_once_and_a_word_of_the_task_never(run, code) -> None:
    again = run([code("print(grep('16087'))"), code("FINAL('16087')"), code("FINAL(str(16087))")],
                context=CHAIN, task=CHAIN_TASK, check_answers=True)
    assert "itself gives you" in feedback(again, 2) and again.answer == "16087"
    words = run([code("print(grep('keyword='))"), code("FINAL('vokram')")],
                context="keyword=vokram\nkeyword=vokram\nkeyword=bidut\n",
                task="Which of these words occurs most often in the context: bidut, vokram?",
                check_answers=True)
    assert "itself gives you" not in (feedback(words, 1) or "")


TREE = ("# FILE: pkg/a.py\nimport os.path\nx = os.path.join('a', 'b')\n"
        "# FILE: pkg/b.py\nfrom distutils.core import setup\nimport os.path\nprint(os.path.sep)\n"
        "# FILE: pkg/c.py\nimport sys\n")


def test_a_file_count_answered_with_the_line_count_starts_the_next_turn_inside_the_answer() -> None:
    from rlm import RLMConfig, rlm_generate
    from rlm.prompts import ASSISTANT_PREFIX as P

    backend = _PrefixBackend([P + "print(grep('os.path'))\n```", P + "FINAL('4')\n```",
                              P + 'FINAL("2")\n```'])
    r = rlm_generate(backend=backend, context=TREE, task="How many of the files import os.path?",
                     config=RLMConfig(search_hints=False))
    assert "4 matching lines in 2 files" in feedback(r, 1)
    assert "grep said those 4 lines are in 2 files. FINAL the number of files" in feedback(r, 2)
    # Told to check the lines first, the 0.5B grepped them again until its turns ran out.
    assert backend.prefixes[2] == P + 'FINAL("' and r.answer == "2"


def test_a_search_that_found_nothing_is_told_a_word_of_the_task_the_context_holds(run, code) -> None:
    from rlm.prompts import NOTHING_FOUND_NOTE

    r = run([code("print(grep('import distutils.core'))"), code("print(grep('distutils'))"),
             code("print(grep('zzz'))"), code("FINAL('1')")],
            context=TREE, task="How many files import the module `distutils.core`?")
    first = feedback(r, 1)
    assert NOTHING_FOUND_NOTE in first and "ignore_case=True." not in NOTHING_FOUND_NOTE
    assert 'grep("distutils", ignore_case=True) shows where' in first
    # "distutils" was searched alone since: the next rarest word the context holds is offered.
    assert 'grep("core", ignore_case=True)' in feedback(r, 3)


def test_results_overwritten_before_printing_are_named_and_the_next_turn_starts_with_the_loop() -> None:
    from rlm import RLMConfig, rlm_generate
    from rlm.prompts import ASSISTANT_PREFIX as P, MAY_FINISH_ALL_NOTE

    lookups = "".join(f"hits = grep('{n}', ignore_case=True)\n" for n in ["Puffin", "Falcon", "Bison"])
    loop = "for item in ['Puffin', 'Falcon', 'Bison']: print(grep(item, ignore_case=True))\n"
    backend = _PrefixBackend([P + lookups + "print(hits)\n```", P + loop + "```",
                              P + "FINAL('Puffin 5118-MT, Falcon 8546-QZ, Bison 7065-UZ')\n```"])
    r = rlm_generate(backend=backend, context=PROJECTS, task=PROJECTS_TASK,
                     config=RLMConfig(search_hints=False))
    first = feedback(r, 1)
    # The eval's 0.5B printed only the last of four lookups and answered one item.
    assert "`hits` was assigned 3 results before anything read it" in first
    assert MAY_FINISH_ALL_NOTE not in first and loop.strip() in first
    assert backend.prefixes[1] == P + loop
    assert "8546-QZ" in feedback(r, 2) and r.answer == "Puffin 5118-MT, Falcon 8546-QZ, Bison 7065-UZ"


def test_line_numbers_of_the_search_hits_are_not_values_the_model_has_seen(run, code) -> None:
    filler = "".join(f"filler line {i}\n" for i in range(1, 140))
    numbers = filler + "One of the magic numbers for lunar-glacier is 5903783.\n" + filler + \
        "One of the magic numbers for lunar-glacier is 3754563.\n"
    r = run([code("['5903783', '280']"), code("FINAL('5903783, 280')"),
             code("print(grep('lunar-glacier'))"), code("FINAL('5903783, 3754563')")],
            context=numbers, task="What are all the magic numbers for lunar-glacier? List every one.",
            check_answers=True, search_hints=True)
    assert "\n280:One of the magic numbers" in r.trajectory["first_message"], r.trajectory["first_message"][-400:]
    # The eval's 0.5B answered the hits' line numbers 766 and 991 as two of the values.
    assert "is a guess" in feedback(r, 2) and r.answer == "5903783, 3754563"


def test_an_answer_a_check_showed_wrong_is_not_the_fallback(run, code) -> None:
    r = run([code("print(grep('16087'))"), code("FINAL('16087')"), code("print(grep('LBVCT'))")],
            context=CHAIN, task=CHAIN_TASK, check_answers=True, max_iterations=2)
    # The run ends without a FINAL; 16087 is the task's own value, so no answer beats it.
    assert r.answer is None and "fallback_answer" not in kinds(r, r.iterations)


WORDS_TASK = "Which of these words occurs most often in the context: budez, geluf, kafov?"
WORDS = "x\nkeyword=geluf\nkeyword=budez\nkeyword=geluf\nkeyword=kafov\nkeyword=geluf\n"


def test_a_choice_answered_with_none_of_the_options_is_counted_then_answered(run, code) -> None:
    # (A backend that continues an assistant prefix opens this task with the count itself.)
    from rlm.count_answers import count_each
    letters = 'print(collections.Counter("budez geluf kafov").most_common(1))'
    count = count_each(['budez', 'geluf', 'kafov'])
    r = run([code(letters), code("FINAL('2')"), code(count), code('FINAL("geluf")')],
            context=WORDS, task=WORDS_TASK, check_answers=True)
    # The eval's 0.5B counted the letters of the task's own list and answered 7.
    assert "asks which of budez, geluf, kafov, and your answer '2' is none of them" in feedback(r, 2)
    assert f"`{count}`" in feedback(r, 2) and "'geluf': 3" in feedback(r, 3)
    assert r.answer == "geluf"


def test_a_choice_is_one_item_and_a_phrase_with_a_value_is_no_list(run, code) -> None:
    r = run([code("print(collections.Counter(re.findall(r'keyword=(\\w+)', context)).most_common(1))"),
             code("FINAL('geluf')")], context=WORDS,
            task=WORDS_TASK, check_answers=True)
    assert r.iterations == 2 and r.answer == "geluf"  # no "the task asks about 3 items"
    chain = run([code("print(aliases('16087'))"), code("FINAL('LBVCT, QOPRM, ZTXUA')")],
                context=CHAIN, check_answers=True,
                task="Which variables are assigned the value 16087, directly or through other variables?")
    assert chain.iterations == 2 and chain.answer == "LBVCT, QOPRM, ZTXUA"


def test_a_most_often_choice_answered_before_counting_is_asked_to_count_each_option(run, code) -> None:
    count = "print({w: context.count(w) for w in ['budez', 'geluf', 'kafov']})"
    r = run([code("print(context[:300])"), code("FINAL('kafov')"), code(count), code('FINAL("geluf")')],
            context=WORDS, task=WORDS_TASK, check_answers=True)
    assert "no code has counted yet" in feedback(r, 2) and r.answer == "geluf"


def test_an_answer_copied_from_a_worked_example_is_never_taken_not_even_on_the_last_turn(run, code) -> None:
    r = run([code("print(grep('zzz'))"), code("FINAL('Ada Byron, T. Kirk, J. Hopper')"),
             code("FINAL('Ada Byron, T. Kirk')")],
            context=WORDS, task=WORDS_TASK, check_answers=True, max_iterations=2)
    # The eval's 0.5B answered a word-count task with example 4's output on its forced last turn.
    assert "is the answer of a worked example" in feedback(r, 2)
    assert r.answer is None and "example_answer" in kinds(r, 3)


def test_a_one_word_choice_answered_with_every_option_is_pointed_at_the_count(run, code) -> None:
    # Held-out commonword seed 52: the count of each listed word printed, the 0.5B FINALed all of
    # them and was told, untruly, that no code had read the context.
    count = "print({w: context.count(w) for w in ['budez', 'geluf', 'kafov']})"
    r = run([code(count), code('FINAL("budez", "geluf", "kafov")'), code('FINAL("geluf")')],
            context=WORDS, task=WORDS_TASK, check_answers=True)
    assert "asks which one occurs most often, and the count you printed gives 'geluf': 3" in feedback(r, 2)
    assert "names 3 of them" in feedback(r, 2)
    assert "no code" not in feedback(r, 2) and r.answer == "geluf"


def test_a_one_word_choice_answered_with_options_before_any_count_is_asked_to_count(run, code) -> None:
    r = run([code("print(grep('keyword'))"), code('FINAL("budez, kafov")'),
             code("print({w: context.count(w) for w in ['budez', 'geluf', 'kafov']})"),
             code('FINAL("geluf")')], context=WORDS, task=WORDS_TASK, check_answers=True)
    assert "budez, geluf, kafov occurs most often, and your answer 'budez, kafov' names 2 of them. Count each" in feedback(r, 2)
    assert r.answer == "geluf"


def test_an_answer_restating_the_task_after_reading_is_not_called_unread(run, code) -> None:
    r = run([code("print(context.count('x'))"), code("FINAL('secret code')"),
             code("FINAL('42')")], context="x secret code is 42\n",
            task="What is the secret code?", check_answers=True)
    assert "only repeats words of the task" in feedback(r, 2) and "no code" not in feedback(r, 2)


def test_a_literal_final_under_a_count_is_shown_the_count_first() -> None:
    # Held-out commonword seed 53: steered into the Counter line, the 0.5B wrote a FINAL of a
    # grep line under it, before the count printed.
    from rlm import RLMConfig, rlm_generate
    from rlm.prompts import ASSISTANT_PREFIX as P

    counter = "print(collections.Counter(re.findall(r'logged: (\\w+)', context)).most_common(3))\n"
    backend = _PrefixBackend([P + counter + "FINAL('bird sighting logged: demot')\n```",
                              P + 'FINAL("mipaf")\n```'])
    r = rlm_generate(backend=backend, context=BIRDS, task="Which bird was logged most often?",
                     config=RLMConfig(search_hints=False))
    assert "('mipaf', 3)" in feedback(r, 1) and "before you saw what the count printed" in feedback(r, 1)
    assert "final_before_count" in kinds(r, 1) and backend.prefixes[1] == P + 'FINAL("'
    assert r.answer == "mipaf" and r.iterations == 2


def test_a_most_often_answer_counted_less_than_another_is_pointed_at_the_top(run, code) -> None:
    # Held-out commonword seed 53: shown [('durug', 7), ('zekan', 4), ...], the 0.5B FINALed zekan.
    count = "print(collections.Counter(re.findall(r'logged: (\\w+)', context)).most_common(3))"
    r = run([code(count), code('FINAL("demot")'), code('FINAL("mipaf")')], context=BIRDS,
            task="Which bird was logged most often?", check_answers=True)
    assert "the count you printed gives 'mipaf': 3; your answer 'demot' is not that one" in feedback(r, 2)
    assert r.answer == "mipaf"
    least = run([code(count), code('FINAL("mipaf")'), code('FINAL("zilak")')], context=BIRDS,
                task="Which bird was logged least often?", check_answers=True)
    assert "gives 'zilak': 1" in feedback(least, 2) and least.answer == "zilak"
    top = run([code(count), code('FINAL("mipaf")')], context=BIRDS,
              task="Which bird was logged most often?", check_answers=True)
    assert top.iterations == 2 and top.answer == "mipaf"


SOURCES = ("# FILE: codecs_x.py\nclass IncrementalDecoder:\n    pass\n"
           "# FILE: test/test_cmd.py\nclass T:\n    def help_meaning(self):\n        pass\n"
           "# FILE: distutils/build_clib.py\nimport os\n")


def test_a_which_file_answer_whose_file_lacks_the_named_term_is_sent_to_grep_it(tmp_path, run, code) -> None:
    # Held-out srctree seed 51: the 0.5B grepped the path it had guessed and answered it.
    dump = tmp_path / "tree.txt"
    dump.write_text(SOURCES, encoding="utf-8")
    task = "Which file defines the class `IncrementalDecoder`? Give its path as shown in its # FILE: header."
    r = run([code("print(grep('build_clib'))"), code('FINAL("distutils/build_clib.py")'),
             code('print(grep("IncrementalDecoder", literal=True))'), code('FINAL("codecs_x.py")')],
            context=dump, task=task, check_answers=True)
    assert "the file distutils/build_clib.py does not contain 'IncrementalDecoder'" in feedback(r, 2)
    assert 'print(grep("IncrementalDecoder", literal=True))' in feedback(r, 2)
    assert "codecs_x.py:1:class IncrementalDecoder" in feedback(r, 3) and r.answer == "codecs_x.py"


def test_a_which_file_answer_given_as_a_grep_line_is_asked_for_the_path_only(tmp_path, run, code) -> None:
    # Held-out srctree seed 50: FINAL("test/test_cmd.py:181:    def help_meaning(self):") was
    # told it "appears nowhere", which it does not.
    dump = tmp_path / "tree.txt"
    dump.write_text(SOURCES, encoding="utf-8")
    task = "Which file defines the function `help_meaning`? Give its path as shown in its # FILE: header."
    r = run([code("print(grep('help_meaning'))"), code('FINAL("test/test_cmd.py:2:    def help_meaning(self):")'),
             code('FINAL("test/test_cmd.py")')], context=dump, task=task, check_answers=True)
    assert "is more than its path. FINAL only the path: test/test_cmd.py." in feedback(r, 2)
    assert r.answer == "test/test_cmd.py" and r.iterations == 3
    # The right path alone is taken at once; a plain text (no files) is left to the other checks.
    ok = run([code("print(grep('help_meaning'))"), code('FINAL("test/test_cmd.py")')], context=dump,
             task=task, check_answers=True)
    assert ok.iterations == 2 and ok.answer == "test/test_cmd.py"


def test_a_total_over_records_opens_with_the_values_call_the_search_hits_show() -> None:
    # Held-out sumfield seeds 54-55: "How many hours in total did team data log?" was answered
    # with the hours of one record; the records spell the condition `team: data` or JSON.
    from rlm import RLMConfig, rlm_generate
    from rlm.prompts import ASSISTANT_PREFIX as P

    records = "".join(f"noise line {i}\ntimesheet TS-{i} | team: {t} | hours: {h}\n"
                      for i, (t, h) in enumerate([("data", 7), ("web", 5), ("data", 9.5), ("data", 3)]))
    call = 'print(values("hours", where="team=data"))\n'
    backend = _PrefixBackend([P + call + "```", P + 'FINAL("19.5")\n```'])
    r = rlm_generate(backend=backend, context=records,
                     task="How many hours in total did team data log in the timesheet records?",
                     config=RLMConfig())
    assert backend.prefixes[0] == P + call
    assert "(sum 19.5)" in feedback(r, 1) and r.answer == "19.5"
    shipments = "".join(f'{{"shipment": "SHP-{i}", "warehouse": "{w}", "weight_kg": {k}}}\nx\n'
                        for i, (w, k) in enumerate([("Lyon", 78), ("Oslo", 5), ("Lyon", 86)]))
    plain = _PrefixBackend([P + "FINAL(1)\n```", P + "FINAL(1)\n```"])
    rlm_generate(backend=plain, context=shipments, config=RLMConfig(max_iterations=2),
                 task="What is the total weight_kg of the shipments from warehouse Lyon?")
    assert plain.prefixes[0] == P + 'print(values("weight_kg", where="warehouse=Lyon"))\n'


def test_a_list_answer_leaving_out_grep_lines_like_the_ones_it_takes_is_asked_to_collect_all() -> None:
    # Held-out extract seeds 54-55 (1M): 12 lines printed, 6 (then 5) of their ids answered.
    from rlm import RLMConfig, rlm_generate
    from rlm.prompts import ASSISTANT_PREFIX as P

    log = "".join(f"t{i} [batch] job JOB-{i}{i} finished state={s} on node-{i}\nnoise\n"
                  for i, s in enumerate(["failed", "ok", "failed", "failed", "ok", "failed"], 1))
    collect = ('items = re.findall(r"JOB-\\d+", "\\n".join(h.line for h in grep(\'state=failed\', '
               'max_count=None)))\n')
    backend = _PrefixBackend([P + "print(grep('state=failed'))\n```", P + 'FINAL("JOB-11, JOB-44")\n```',
                              P + collect + 'print(items)\n```', P + 'FINAL(", ".join(items))\n```'])
    r = rlm_generate(backend=backend, context=log, config=RLMConfig(search_hints=False),
                     task="Which batch jobs finished in state failed? List the id of every one.")
    assert "grep printed 4 lines like the ones your answer takes" in feedback(r, 2)
    assert backend.prefixes[2] == P + collect
    assert r.answer == "JOB-11, JOB-33, JOB-44, JOB-66"


def test_a_given_value_answered_after_aliases_printed_the_chain_is_sent_to_that_output(run, code) -> None:
    # Held-out vartrack seed 55: sent to call aliases() again, the 0.5B repeated itself until
    # its turns ran out.
    r = run([code("print(aliases('16087'))"), code("FINAL('16087')"), code("FINAL('LBVCT, QOPRM, ZTXUA')")],
            context=CHAIN, task=CHAIN_TASK, check_answers=True)
    assert "Your aliases('16087') output above names every variable holding it" in feedback(r, 2)
    assert r.answer == "LBVCT, QOPRM, ZTXUA"


def test_after_a_repeated_grep_that_showed_lines_the_next_turn_starts_inside_the_answer() -> None:
    # Held-out multivalue seed 55: steered into a new grep after each repeat, the 0.5B grepped
    # the same four values until its turns ran out.
    from rlm import RLMConfig, rlm_generate
    from rlm.engine import STEER_SEARCH
    from rlm.prompts import ASSISTANT_PREFIX as P

    grep = P + "print(grep('secret'))\n```"
    backend = _PrefixBackend([grep, grep, grep, grep, P + 'FINAL("42")\n```'])
    r = rlm_generate(backend=backend, context="x\nthe secret is 42\n", task="What is the secret?",
                     config=RLMConfig(search_hints=False))
    assert kinds(r, 2) == ["resample", "resample", "repeat_not_run"]
    assert backend.prefixes[-1] == P + 'FINAL("' and r.answer == "42"
    quiet = _PrefixBackend([P + "print(1)\n```"] * 4 + [P + 'FINAL("42")\n```'])
    rlm_generate(backend=quiet, context="x\nthe secret is 42\n", task="What is the secret?",
                 config=RLMConfig(search_hints=False))
    assert quiet.prefixes[-1] == P + STEER_SEARCH  # nothing found to answer from: search


def test_a_count_only_named_in_a_comment_is_no_count(run, code) -> None:
    # Held-out commonword seed 54 (1.5B): a Counter in a comment above FINAL("keyword").
    lazy = code("tags = re.findall(r'logged: (\\w+)', context)\n# print(collections.Counter(tags).most_common(1))\nFINAL('demot')")
    count = "print(collections.Counter(re.findall(r'logged: (\\w+)', context)).most_common(3))"
    r = run([lazy, code(count), code("FINAL('mipaf')")], context=BIRDS,
            task="Which bird was logged most often?", check_answers=True)
    assert "no code has counted yet" in feedback(r, 1) and r.answer == "mipaf"


def test_the_count_the_engine_writes_prints_the_one_counted_most(run, code) -> None:
    # Shown only the counts, the 0.5B FINALed the counts themselves (held-out commonword seed 57).
    from rlm.count_answers import count_each
    r = run([code(count_each(["budez", "geluf", "kafov"])), code('FINAL("geluf")')],
            context=WORDS, task=WORDS_TASK, check_answers=True)
    assert "{'budez': 1, 'geluf': 3, 'kafov': 1} -> most often: geluf" in feedback(r, 1)


def test_grep_lines_of_a_which_file_task_are_told_which_file_they_are_in(tmp_path, run, code) -> None:
    # Held-out srctree seed 57: told "answer with every one" after two lines in one file, the
    # 0.5B FINALed the class name twice.
    dump = tmp_path / "tree.txt"
    dump.write_text(SOURCES + "# FILE: enc/utf.py\nclass Decoder:\n    pass\nuse = Decoder\n"
                    "# FILE: enc/other.py\nfrom enc.utf import Decoder\n", encoding="utf-8")
    task = "Which file defines the class `Decoder`? Give its path."
    r = run([code("print(grep('Decoder\\\\b'))"), code("print(grep('use = Decoder'))"),
             code("print(grep('class Decoder'))"), code('FINAL("enc/utf.py")')],
            context=dump, task=task, check_answers=True)
    assert "4 lines matched in 3 files. FINAL the path of the file whose line" in feedback(r, 1)
    assert "answer with every one" not in feedback(r, 1)
    assert r.answer == "enc/utf.py"
    one = run([code("print(grep('^(class Decoder|use = Decoder)'))"), code('FINAL("enc/utf.py")')], context=dump,
              task=task, check_answers=True)
    assert "These 2 lines are all in one file, enc/utf.py" in feedback(one, 1)


def test_several_grep_line_numbers_answered_are_named_as_line_numbers(run, code) -> None:
    # Held-out multivalue seed 56: told the four line numbers "appear nowhere".
    text = "".join("noise\n" * 10 + f"A mirror answers on port {p}.\n" for p in (34590, 35168))
    r = run([code("print(grep('mirror answers'))"), code('FINAL("11, 22")'), code('FINAL("34590, 35168")')],
            context=text, task="On which ports do mirrors answer? List them all.", check_answers=True)
    assert "'11, 22' are the line numbers grep printed before the colons" in feedback(r, 2)
    assert r.answer == "34590, 35168"


def test_values_copied_from_the_hits_and_echoed_start_the_answer() -> None:
    # Held-out multivalue seeds 55-57: the right codes echoed as a list, then subsets of them.
    from rlm import RLMConfig, rlm_generate
    from rlm.prompts import ASSISTANT_PREFIX as P

    text = "".join("noise\n" * 5 + f"The courier velvet-glacier also signs as {c}.\n" for c in ("7915-KY", "4749-FL"))
    backend = _PrefixBackend([P + "['7915-KY', '4749-FL']\n```", P + 'FINAL("7915-KY, 4749-FL")\n```'])
    r = rlm_generate(backend=backend, context=text, config=RLMConfig(),
                     task="Which signatures does the courier velvet-glacier use? Give all of them.")
    assert backend.prefixes[1] == P + 'FINAL("' and r.answer == "7915-KY, 4749-FL"


def test_an_empty_search_for_a_quoted_form_suggests_the_form_s_fixed_start(run, code) -> None:
    # Held-out commonword seed 59: grep("tag: WORD") found nothing, then the suggested task word
    # "form" found code lines, and their grep line numbers were read as a count.
    text = "x = 1\ntag: vokram\ny\ntag: lesif\ntag: vokram\nformat = 2\n"
    task = "Lines of the form 'tag: WORD' each name one word. Which word is on the most of those lines?"
    r = run([code("print(grep('tag: WORD'))"), code("print(grep('format'))"), code("FINAL('format')"),
             code("FINAL('vokram')")], context=text, task=task, check_answers=True)
    assert 'The task\'s word "tag:" does occur' in feedback(r, 1)
    assert "the count you printed" not in feedback(r, 3)  # grep's "6:format = 2" is no count


ORDERS = ("filler line\n" * 30 + "Customer order RMA-46633 was delivered by the Cork depot.\n"
          + "Customer order RMA-11111 was delayed by the Cork depot.\n" + "filler line\n" * 30
          + "Customer order RMA-53475 was delivered by the Bilbao depot.\n"
          + "Customer order RMA-22222 was returned by the Ghent depot.\n" + "filler line\n" * 30
          + "Customer order RMA-04789 was delivered by the Dresden depot.\n")
ORDERS_TASK = "Which customer orders were delivered? Give every order number."


def test_a_list_task_whose_grep_narrowed_to_one_hit_is_steered_to_the_word_the_hits_share() -> None:
    from rlm import RLMConfig, rlm_generate
    from rlm.prompts import ASSISTANT_PREFIX as P

    # Held-out extract seed 60: shown three hits, the 0.5B grepped one of their ids, answered
    # that line's number and never saw the other two again.
    start = 'print(grep("delivered"))\n'
    backend = _PrefixBackend([P + 'print(grep("RMA-46633"))\n```', P + start + "```",
                              P + "FINAL('RMA-46633, RMA-53475, RMA-04789')\n```"])
    r = rlm_generate(backend=backend, context=ORDERS, task=ORDERS_TASK, config=RLMConfig())
    assert r.trajectory["context"]["search_hits"] == [31, 63, 95]
    assert "the search hits show 3 lines like it" in feedback(r, 1)
    assert '`print(grep("delivered"))`' in feedback(r, 1) and "FINAL with" not in feedback(r, 1)
    assert backend.prefixes[1] == P + start
    assert {"kind": "steer", "start": start} in r.trajectory["iterations"][1]["interventions"]
    assert "3 matching lines for 'delivered'" in feedback(r, 2)
    assert r.answer == "RMA-46633, RMA-53475, RMA-04789" and r.iterations == 3


def test_a_list_task_whose_grep_mixed_kinds_of_lines_is_steered_to_the_word_the_hits_share() -> None:
    from rlm import RLMConfig, rlm_generate
    from rlm.prompts import ASSISTANT_PREFIX as P

    # Held-out extract seed 60 at 1M: `RMA-.*` printed 60 lines of three kinds, and the 0.5B
    # FINALed a mix of them until cut as degenerate.
    start = 'print(grep("delivered"))\n'
    backend = _PrefixBackend([P + 'print(grep("RMA-"))\n```', P + start + "```",
                              P + "FINAL('RMA-46633, RMA-53475, RMA-04789')\n```"])
    r = rlm_generate(backend=backend, context=ORDERS, task=ORDERS_TASK, config=RLMConfig())
    assert ('The task asks for the lines that say "delivered", as the search hits do, and 2 of '
            'the 5 lines above do not') in feedback(r, 1)
    assert "5 lines matched" not in feedback(r, 1)  # "answer with every one" would contradict it
    assert backend.prefixes[1] == P + start and r.answer == "RMA-46633, RMA-53475, RMA-04789"


def test_a_task_that_names_its_items_is_not_steered_off_a_grep_for_one_of_them() -> None:
    from rlm import RLMConfig, rlm_generate
    from rlm.prompts import ASSISTANT_PREFIX as P

    context = ("noise\n" * 20 + "project Falcon code 5118-MT\n" + "noise\n" * 20
               + "project Heron code 8546-QZ\n" + "noise\n" * 20 + "project Lynx code 7065-UZ\n")
    backend = _PrefixBackend([P + 'print(grep("Falcon"))\n```', P + "FINAL('5118-MT')\n```"] * 3)
    r = rlm_generate(backend=backend, context=context, config=RLMConfig(max_iterations=3),
                     task="What are the project codes for Falcon, Heron and Lynx?")
    assert len(r.trajectory["context"]["search_hits"]) == 3
    assert "lines like it" not in feedback(r, 1) and backend.prefixes[1] == P


def test_a_grep_for_the_shared_word_or_a_one_value_task_is_not_narrowed(run, code) -> None:
    shared = run([code('print(grep("delivered"))'), code("FINAL('RMA-46633, RMA-53475, RMA-04789')")],
                 context=ORDERS, task=ORDERS_TASK, check_answers=True)
    assert "lines like it" not in feedback(shared, 1)
    one = run([code('print(grep("RMA-46633"))'), code("FINAL('Cork')")],
              context=ORDERS, task="Which depot delivered order RMA-46633?", check_answers=True)
    assert "lines like it" not in feedback(one, 1) and kinds(one, 2) == []


DELAYED = ("noise\n" * 20 + "Customer order RMA-50505 was delayed by the Aarhus depot.\n"
           + "noise\n" * 20 + "Customer order RMA-70707 was delayed by the Ghent depot.\n"
           + "Customer order RMA-90909 was returned by the Cork depot.\n"
           + "noise\n" * 20 + "Customer order RMA-80808 was delayed by the Aarhus depot.\n")
DELAYED_TASK = "Which customer orders were delayed? Give every order number."
COLLECT = ('items = re.findall(r"RMA-\\d+", "\\n".join(h.line for h in grep(\'delayed\', '
           'max_count=None)))')


def test_line_numbers_answered_for_a_list_task_get_the_code_that_collects_the_ids() -> None:
    from rlm import RLMConfig, rlm_generate
    from rlm.prompts import ASSISTANT_PREFIX as P

    # Held-out extract seed 61 (1M): the twelve line numbers answered, then one whole line, then
    # a findall with one depot's name in it (4 of 12).
    backend = _PrefixBackend([P + 'print(grep("delayed"))\n```', P + 'FINAL("21, 42, 64")\n```',
                              P + COLLECT + '\nFINAL(", ".join(items))\n```'])
    r = rlm_generate(backend=backend, context=DELAYED, task=DELAYED_TASK, config=RLMConfig())
    assert "are the line numbers grep printed" in feedback(r, 2)
    assert f"Collect them with code, `{COLLECT}`, then FINAL the joined list." in feedback(r, 2)
    assert backend.prefixes[2] == P + COLLECT + "\n"
    assert r.answer == "RMA-50505, RMA-70707, RMA-80808" and r.iterations == 3


def test_one_item_of_many_gets_the_collecting_code_when_the_lines_hold_record_ids() -> None:
    from rlm import RLMConfig, rlm_generate
    from rlm.prompts import ASSISTANT_PREFIX as P

    backend = _PrefixBackend([P + 'print(grep("delayed"))\n```', P + 'FINAL("RMA-50505")\n```',
                              P + COLLECT + '\nFINAL(", ".join(items))\n```'])
    r = rlm_generate(backend=backend, context=DELAYED, task=DELAYED_TASK, config=RLMConfig())
    assert "3 lines matched, but your answer 'RMA-50505' gives one" in feedback(r, 2)
    assert f"`{COLLECT}`" in feedback(r, 2) and backend.prefixes[2] == P + COLLECT + "\n"
    assert r.answer == "RMA-50505, RMA-70707, RMA-80808"


def test_timestamped_grep_lines_are_read_as_grep_lines_so_a_partial_list_is_questioned(run, code) -> None:
    # Held-out extract seed 63 (1M): grep printed 12 "2025-11-08T15:04:26Z [batch] job JOB-...
    # finished state=failed" lines and the 0.5B FINALed 6 of their ids, unquestioned: a line
    # whose text starts with digits ("3048:2025-...") was not taken for a grep line.
    stamps = ["2025-11-08T15:04:26Z", "2025-11-16T20:46:07Z", "2025-11-05T02:55:03Z",
              "2025-11-09T09:21:24Z"]
    jobs = ["JOB-52478", "JOB-51499", "JOB-91218", "JOB-80037"]
    context = "".join("noise\n" * 10 + f"{s} [batch] job {j} finished state=failed on node-12\n"
                      + f"{s} [batch] job JOB-1{k}000 finished state=skipped on node-3\n"
                      for k, (s, j) in enumerate(zip(stamps, jobs)))
    r = run([code("print(grep('state=failed'))"), code("FINAL('JOB-52478, JOB-51499')"),
             code("FINAL('JOB-52478, JOB-51499, JOB-91218, JOB-80037')")],
            context=context, task="Which batch jobs finished in state failed? List the id of every one.",
            check_answers=True)
    assert "grep printed 4 lines like the ones your answer takes" in feedback(r, 2)
    assert 're.findall(r"JOB-\\d+"' in feedback(r, 2)
    assert r.answer == "JOB-52478, JOB-51499, JOB-91218, JOB-80037"


PORTS = ("noise\n" * 20 + "A mirror of the velvet-thistle archive answers on port 38740.\n"
         + "noise\n" * 20 + "A mirror of the velvet-canyon archive answers on port 45807.\n"
         + "A mirror of the velvet-thistle archive answers on port 54211.\n" + "noise\n" * 20)


def test_line_numbers_answered_for_values_get_the_code_that_collects_the_value_slot() -> None:
    from rlm import RLMConfig, rlm_generate
    from rlm.prompts import ASSISTANT_PREFIX as P

    # Held-out multivalue seed 63 (1M): the four lines' numbers answered, then one, then the
    # sub-call (shown the numbered lines) answered the line numbers too.
    collect = ('items = re.findall(r"port (\\d+)", "\\n".join(h.line for h in grep('
               "'velvet-thistle', max_count=None)))")
    backend = _PrefixBackend([P + 'print(grep("velvet-thistle"))\n```', P + 'FINAL("21, 43")\n```',
                              P + collect + '\nFINAL(", ".join(items))\n```'])
    r = rlm_generate(backend=backend, context=PORTS, config=RLMConfig(),
                     task="On which ports do mirrors of the velvet-thistle archive answer? List them all.")
    assert f"`{collect}`" in feedback(r, 2) and backend.prefixes[2] == P + collect + "\n"
    assert r.answer == "38740, 54211"


def test_a_how_many_task_with_were_is_not_a_list_task(run, code) -> None:
    # Held-out pkglog seed 61: "how many packages were installed" answered with grep's count
    # was told it gave one of 96 items, and the 0.5B FINALed "status, status, ...".
    context = "".join(f"2026-09-22 04:48:{i:02d} status installed pkg{i}:amd64 1.0\n" for i in range(6))
    r = run([code("print(grep('status installed'))"), code("FINAL('6')")], context=context,
            task="How many packages were installed (action 'install') on 2026-09-22?",
            check_answers=True)
    assert r.answer == "6" and r.iterations == 2
    assert "gives one" not in feedback(r, 1)


SECRETS = ("noise\n" * 20 + "Ezekiel's login secret: 1302-ET.\n" + "noise\n" * 20
           + "Ezekiel asked IT to reset an old password on Monday.\n" + "noise\n" * 20)


def test_an_answer_that_is_the_asked_word_itself_gets_the_sub_call_over_the_names_lines(run, code) -> None:
    # Held-out paraphrase seed 65 (1M): grep("password") found the decoy line and the 0.5B
    # FINALed "password".
    r = run([code("print(grep('password'))"), code("FINAL('password')"), code("FINAL('1302-ET')")],
            context=SECRETS, task="Which password does Ezekiel use?", check_answers=True)
    note = feedback(r, 2)
    assert "your answer 'password' is the word the task asks about, not a password" in note
    assert 'join(h.line for h in grep("Ezekiel"))' in note and r.answer == "1302-ET"


ZIPTEST = ("noise\n" * 10 + '        self.zip.setpassword(b"python")\n' + "noise\n" * 10
           + "Rosalind's login secret: 1817-XS.\n" + "noise\n" * 10
           + "Rosalind asked IT to reset an old password on Monday.\n")


def test_a_lookup_about_a_name_answered_from_a_line_without_the_name_is_questioned(run, code) -> None:
    # Held-out paraphrase seed 66 (1M): grep("password") showed a zipfile test's lines and the
    # decoy about Rosalind; the 0.5B FINALed "python" from setpassword(b"python").
    r = run([code("print(grep('password'))"), code("FINAL('python')"), code("FINAL('1817-XS')")],
            context=ZIPTEST, task="Which password does Rosalind use?", check_answers=True)
    note = feedback(r, 2)
    assert "'python' comes from a line that does not mention Rosalind" in note
    assert 'grep("Rosalind")' in note and r.answer == "1817-XS"
    # Taken from a line about the name, the answer stands.
    right = run([code("print(grep('Rosalind'))"), code("FINAL('1817-XS')")],
                context=ZIPTEST, task="Which password does Rosalind use?", check_answers=True)
    assert right.answer == "1817-XS" and right.iterations == 2


DPKG = "".join(f"2026-09-22 04:48:{i:02d} install pkg{i}:amd64 <none> 1.0\n"
               f"2026-09-22 04:48:{i:02d} status installed pkg{i}:amd64 1.0\n" for i in range(3))


def test_a_count_of_a_quoted_word_that_counted_longer_words_is_sent_to_the_whole_word(run, code) -> None:
    # Held-out pkglog seed 66: grep("install") matched "status installed" too; 89 answered for 16.
    task = "According to the dpkg log, how many packages were installed (action 'install') on 2026-09-22?"
    r = run([code("print(grep('install'))"), code("FINAL('6')"), code(r'print(grep(r"\binstall\b"))'),
             code("FINAL('3')")], context=DPKG, task=task, check_answers=True)
    note = feedback(r, 2)
    assert "the task counts the word 'install', and 3 of the 6 lines your grep showed hold it only " \
           "inside a longer word ('installed')" in note
    # ... with the date the task names before it, as the lines have it.
    assert r'`print(grep(r"2026\-09\-22.*\binstall\b"))`' in note and r.answer == "3"


def test_a_task_that_says_any_case_gets_the_whole_word_grep_ignoring_case(run, code) -> None:
    files = "# FILE: a\nfree production here\n# FILE: b\nreproduction only\n# FILE: c\nProduction.\n"
    task = 'How many of the files in the context mention the word "production" (in any letter case, as a whole word)?'
    r = run([code("print(grep('production', ignore_case=True))"), code("FINAL('3')"), code("FINAL('2')")],
            context=files, task=task, check_answers=True)
    assert r'print(grep(r"\bproduction\b", ignore_case=True))' in feedback(r, 2)
