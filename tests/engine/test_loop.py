"""The loop end to end: replayed model turns, the real REPL worker, feedback, answers, budgets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rlm.backends.base import Completion
from rlm.backends.replay import ReplayBackend
from rlm.config import RLMConfig
from rlm import rlm_generate
from rlm.events import Event
from rlm.prompts import (
    ASSISTANT_PREFIX,
    LAST_TURN,
    MAY_FINISH_NOTE,
    NO_CODE_NOTE,
    NO_OUTPUT,
    NOTHING_FOUND_NOTE,
)


def feedback(response: Any, iteration: int) -> str:
    return response.trajectory["iterations"][iteration - 1]["feedback"]


# -- finishing ----------------------------------------------------------------------------------------


def test_final_in_code_ends_the_run(run, code) -> None:
    r = run([code('i = context.find("is ")\nFINAL(context[i + 3 : i + 5])')])
    assert r.answer == "42"
    assert r.iterations == 1
    assert r.error is None and not r.exhausted


def test_final_var_answers_with_the_variable(run, code) -> None:
    r = run([code('code = re.findall(r"\\d+", context)[0]'), code('FINAL_VAR("code")')])
    assert r.answer == "42"
    assert r.iterations == 2


def test_final_var_of_a_missing_name_is_fed_back_and_the_run_goes_on(run, code) -> None:
    r = run([code('FINAL_VAR("nothing")'), code("FINAL(7)")])
    assert r.answer == "7"
    assert "no variable named 'nothing'" in feedback(r, 1)


def test_answer_dict_convention_ends_the_run(run, code) -> None:
    r = run([code('answer["content"] = "42"\nanswer["ready"] = True')])
    assert r.answer == "42"


def test_prose_final_in_a_turn_without_code(run, code) -> None:
    r = run([code("x = 1"), "I have it.\nFINAL(The code is 42 (from line 1).)"])
    assert r.answer == "The code is 42 (from line 1)."
    assert r.trajectory["iterations"][1]["final_source"] == "prose"


def test_prose_final_var_reads_the_repl_variable(run, code) -> None:
    r = run([code('found = "forty-two"'), "The answer is in found.\nFINAL_VAR(found)"])
    assert r.answer == "forty-two"


def test_prose_final_next_to_code_waits_for_the_code_output(run, code) -> None:
    # The model guessed before seeing the output (rlms #127): the code runs, the guess is ignored.
    r = run([code("print(len(context))", before="FINAL(wrong guess)\n"), code("FINAL('right')")])
    assert r.answer == "right"
    assert r.iterations == 2
    assert r.trajectory["iterations"][0]["output"].strip() == "42"


def test_text_after_the_code_block_is_cut(run, code) -> None:
    # Generation stops at the closing fence: an invented output and FINAL after it never count.
    r = run([code("print(1 + 1)", after="\nOutput: 3\nFINAL(3)"), code("FINAL(2)")])
    assert r.answer == "2"
    assert r.trajectory["iterations"][0]["text"].endswith("```")


def test_a_turn_without_code_or_final_is_asked_again(run, code) -> None:
    r = run(["I think I should look at the text.", code("FINAL(1)")])
    assert r.answer == "1"
    assert feedback(r, 1) == NO_CODE_NOTE


# -- the REPL through the loop ------------------------------------------------------------------------


def test_functions_and_comprehensions_see_earlier_variables(run, code) -> None:
    r = run([
        code("lines = context.splitlines()\nword = 'secret'"),
        code("def has(line):\n    return word in line\nhits = [l for l in lines if has(l)]\nprint(hits)"),
        code("FINAL(len(hits))"),
    ])
    assert "['The secret code is 42.']" in feedback(r, 2)
    assert r.answer == "1"


def test_an_endless_loop_times_out_and_the_variables_survive(run, code) -> None:
    r = run([code("kept = 5\nwhile True:\n    pass"), code("FINAL(kept)")], exec_timeout=1.0)
    first = r.trajectory["iterations"][0]
    assert first["timed_out"] and not first["restarted"]
    assert "TimeoutError" in first["feedback"]
    assert MAY_FINISH_NOTE not in first["feedback"]
    assert r.answer == "5"


def test_a_c_loop_that_ignores_the_interrupt_restarts_the_worker(run, code) -> None:
    r = run([code("kept = 5\nsum(range(10**13))"), code("print('kept' in dir())"), code("FINAL(1)")],
            exec_timeout=1.0, interrupt_grace=0.5)
    first = r.trajectory["iterations"][0]
    assert first["timed_out"] and first["restarted"]
    assert "LOST" in first["feedback"]
    assert "False" in feedback(r, 2)  # a fresh namespace
    assert r.answer == "1"


def test_a_memory_bomb_is_capped_and_the_run_goes_on(run, code) -> None:
    r = run([code("kept = 3\nbig = bytearray(8 * 1024**3)"), code("FINAL(kept)")],
            memory_limit_bytes=256 * 1024**2)
    assert "MemoryError" in feedback(r, 1)
    assert r.answer == "3"


def test_os_exit_restarts_the_worker_and_the_run_goes_on(run, code) -> None:
    r = run([code("import os\nos._exit(1)"), code("FINAL(len(context))")])
    first = r.trajectory["iterations"][0]
    assert first["restarted"]
    assert "exit code 1" in first["feedback"]
    assert r.answer == "42"


def test_llm_query_answers_come_from_sub_calls(run, code) -> None:
    r = run([code("a = llm_query('What is the code? ' + context[:30])\nprint(a)"), code("FINAL(a)")],
            sub=["The code is 42"])
    assert r.answer == "The code is 42"
    calls = r.trajectory["iterations"][0]["llm_calls"]
    assert len(calls) == 1 and calls[0]["response"] == "The code is 42"
    assert r.tokens.sub_prompt > 0 and r.tokens.sub_generated == 4


def test_an_exception_inside_llm_query_is_fed_back(run, code) -> None:
    # The sub list is empty: the backend raises, the model's code sees the error, the run goes on.
    r = run([code("llm_query('hello')"), code("FINAL('after')")], sub=[])
    assert "llm_query failed" in feedback(r, 1)
    assert "BackendError" in feedback(r, 1)
    assert r.trajectory["iterations"][0]["llm_calls"][0]["error"].startswith("BackendError")
    assert r.answer == "after"


def test_long_output_is_truncated_with_a_marker(run, code) -> None:
    r = run([code("print('x' * 20000)"), code("FINAL(1)")], max_output_chars=1000)
    first = r.trajectory["iterations"][0]
    assert first["output_truncated"]
    assert first["output_chars"] >= 20000
    assert len(first["output"]) < 1500
    assert "cut" in first["output"]


def test_a_last_bare_expression_is_echoed(run, code) -> None:
    r = run([code("len(context)"), code("FINAL(1)")])
    assert "42" in feedback(r, 1)


def test_nothing_printed_is_not_zero_matches(run, code) -> None:
    r = run([code("x = 1"), code("grep('zebra')"), code("FINAL(1)")])
    assert feedback(r, 1) == NO_OUTPUT
    assert "0 matching lines" in feedback(r, 2)
    assert NOTHING_FOUND_NOTE in feedback(r, 2) and MAY_FINISH_NOTE not in feedback(r, 2)


def test_a_rebound_reserved_name_is_restored_and_reported(run, code) -> None:
    r = run([code("context = 'invented text'"), code("FINAL(len(context))")])
    assert "context" in feedback(r, 1) and "restored" in feedback(r, 1)
    assert r.answer == "42"


# -- budgets ------------------------------------------------------------------------------------------


def test_iteration_budget_asks_once_for_the_best_answer(run, code) -> None:
    r = run([code("print(1)"), code("print(2)"), code("FINAL('best guess')")], max_iterations=2)
    assert r.answer == "best guess"
    assert r.exhausted and r.error is None
    assert r.iterations == 3
    last = r.trajectory["iterations"][2]
    assert last["last_turn"]
    assert "max_iterations (2) reached" in feedback(r, 2)
    assert LAST_TURN.split("(")[0] in feedback(r, 2)


def test_exhausted_without_an_answer_says_why(run, code) -> None:
    r = run([code("print(1)"), code("print(2)")], max_iterations=1)
    assert r.answer is None
    assert r.exhausted
    assert "max_iterations (1)" in (r.error or "")
    assert r.trajectory["status"] == "exhausted"


def test_llm_call_budget_refuses_calls_then_asks_for_the_answer(run, code) -> None:
    loop = "out = [llm_query(str(i)) for i in range(5)]"
    r = run([code(loop), code("FINAL('partial')")], max_llm_calls=2)
    assert r.answer == "partial" and r.exhausted
    assert "max_llm_calls (2) used up" in feedback(r, 1)
    calls = r.trajectory["iterations"][0]["llm_calls"]  # two answered, the third refused
    assert [c["error"] is None for c in calls] == [True, True, False]
    assert "max_llm_calls (2) used up" in calls[2]["error"]


def test_token_budget_ends_the_run(run, code) -> None:
    r = run([code("print(1)"), code("FINAL(9)")], max_total_tokens=10)
    assert r.exhausted and r.answer == "9"
    assert "max_total_tokens (10)" in feedback(r, 1)


# -- backend errors, accounting, events, contexts -----------------------------------------------------


def test_a_backend_error_ends_the_run_with_an_error(run, code) -> None:
    r = run([code("x = 1")])  # the replay runs out of turns on turn 2
    assert r.answer is None
    assert "ran out of turns" in (r.error or "")
    assert r.trajectory["status"] == "error"


def test_token_breakdown_adds_up(run, code) -> None:
    r = run([code("a = llm_query('q')"), code("FINAL(a)")])
    t = r.tokens
    assert t.root_prefill > 0 and t.root_generated > 0 and t.sub_prompt > 0 and t.sub_generated > 0
    assert r.total_tokens == t.root_prefill + t.root_generated + t.sub_prompt + t.sub_generated
    per_turn = r.trajectory["iterations"]
    assert t.root_prefill == sum(it["prefill_tokens"] for it in per_turn)
    # The replay mimics KV reuse: turn 2 prefills only what turn 1 added.
    assert per_turn[1]["prefill_tokens"] < per_turn[1]["prompt_tokens"]


def test_events_stream_the_run_in_order(run, code) -> None:
    seen: list[Event] = []
    run([code("print(1)"), code("FINAL(1)")], on_event=seen.append)
    kinds = [e.kind for e in seen]
    assert kinds[0] == "start" and kinds[-1] == "end"
    assert kinds.count("turn") == 2 and kinds.count("code") == 2
    assert kinds.index("text") < kinds.index("generated") < kinds.index("output")


def test_verbose_streams_to_stderr(run, code, capsys) -> None:
    run([code("print('visible output')"), code("FINAL(1)")], verbose=True)
    err = capsys.readouterr().err
    assert "turn 1" in err and "print('visible output')" in err and "visible output" in err


def test_empty_context_is_allowed_and_described(run, code) -> None:
    r = run([code("FINAL(len(context))")], context="")
    assert r.answer == "0"
    assert "empty" in r.trajectory["first_message"]


def test_bytes_path_and_context_inputs(tmp_path: Path, run, code) -> None:
    from rlm import Context

    path = tmp_path / "notes.txt"
    path.write_text("héllo wörld\n", encoding="utf-8")
    turns = [code("FINAL(context[:5])")]
    assert run(turns, context=path.read_bytes()).answer == "héllo"
    assert run(turns, context=path).answer == "héllo"
    assert run(turns, context=Context.open(path)).answer == "héllo"
    assert run(turns, context=Context.from_str("owned text")).answer == "owned"


def test_temp_files_of_text_contexts_are_removed(tmp_path: Path, monkeypatch, run, code) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    run([code("FINAL(1)")], context="some text")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("rlm-context-")]


class _RecordingBackend(ReplayBackend):
    """A backend that supports the assistant prefix, like the MLX backend: records what it was asked."""

    supports_assistant_prefix = True

    def __init__(self, turns: list[str]) -> None:
        super().__init__(turns)
        self.prefixes: list[str] = []

    def generate(self, messages: Any, sampling: Any, **kw: Any) -> Completion:
        self.prefixes.append(kw.get("assistant_prefix", ""))
        return super().generate(messages, sampling, **kw)


def test_the_assistant_turn_starts_with_the_code_fence() -> None:
    # The backend continues after the prefix: its text is the code alone.
    backend = _RecordingBackend([ASSISTANT_PREFIX + "FINAL(context[:3])\n```\nextra prose"])
    r = rlm_generate(backend=backend, context="abcdef", task="first three", config=RLMConfig())
    assert backend.prefixes == [ASSISTANT_PREFIX]
    assert r.answer == "abc"
    assert r.trajectory["iterations"][0]["text"] == ASSISTANT_PREFIX + "FINAL(context[:3])\n```"


def test_time_budget_ends_the_run(run, code) -> None:
    r = run([code("print(1)"), code("FINAL(9)")], max_time=0.001)
    assert r.exhausted and r.answer == "9"
    assert "max_time" in feedback(r, 1)


def test_a_repeated_opening_fence_after_the_prefix_still_runs() -> None:
    backend = _RecordingBackend([ASSISTANT_PREFIX + "```python\nFINAL(context[:2])\n```\n"])
    r = rlm_generate(backend=backend, context="abcdef", task="first two")
    assert r.answer == "ab"


def test_a_big_context_gets_a_sampled_token_estimate_and_a_preview(run, code) -> None:
    context = "START " + "word " * 60_000 + "THE END"
    r = run([code("FINAL(1)")], context=context)
    summary = r.trajectory["context"]
    assert summary["tokens_estimated"] is True
    exact = ReplayBackend([]).count_tokens(context)
    assert abs(summary["tokens"] - exact) < 0.05 * exact
    first = r.trajectory["first_message"]
    assert "estimated from a sample" in first
    assert "START word" in first and "word THE END" in first
    assert len(first) < 1000


def test_a_small_context_gets_an_exact_token_count(run, code) -> None:
    r = run([code("FINAL(1)")], context="abcd efgh ijkl")
    assert r.trajectory["context"]["tokens"] == 3
    assert r.trajectory["context"]["tokens_estimated"] is False


def test_generated_code_never_sees_secrets(monkeypatch, run, code) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-do-not-leak")
    monkeypatch.setenv("HF_TOKEN", "hf-do-not-leak")
    monkeypatch.setenv("MY_SECRET_THING", "do-not-leak")
    r = run([code("import os\nFINAL(sorted(v for v in os.environ.values() if 'leak' in v))")])
    assert r.answer == "[]"


def test_a_nearly_full_context_window_asks_for_the_answer_while_it_still_fits(code) -> None:
    from rlm.budget import WINDOW_RESERVE_TOKENS

    backend = ReplayBackend([code("print('x ' * 2000)"), code("FINAL('fits')")])
    backend.context_window = WINDOW_RESERVE_TOKENS + 1500  # less than the first turn's 2,000-token output
    r = rlm_generate(backend=backend, context="abc", task="t", config=RLMConfig(check_answers=False))
    assert r.answer == "fits" and r.exhausted
    assert "nearly fills the model's window" in feedback(r, 1)


def test_a_rotating_kv_cache_has_no_window_budget(code) -> None:
    # The backend knows whether its cache rotates (MLXBackend(max_kv_size=N)); a default config
    # passed with it must not bring the window check back.
    from rlm.budget import WINDOW_RESERVE_TOKENS

    backend = ReplayBackend([code("print('x ' * 2000)"), code("FINAL('fits')")])
    backend.context_window = WINDOW_RESERVE_TOKENS + 1500
    backend.rotating_cache = True  # type: ignore[attr-defined]
    r = rlm_generate(backend=backend, context="abc", task="t", config=RLMConfig(check_answers=False))
    assert r.answer == "fits" and not r.exhausted


def test_config_max_kv_size_does_not_switch_off_the_window_check_of_a_given_backend(code) -> None:
    from rlm.budget import WINDOW_RESERVE_TOKENS

    backend = ReplayBackend([code("print('x ' * 2000)"), code("FINAL('fits')")])
    backend.context_window = WINDOW_RESERVE_TOKENS + 1500  # its cache does not rotate
    r = rlm_generate(backend=backend, context="abc", task="t",
                     config=RLMConfig(max_kv_size=4096, check_answers=False))
    assert r.answer == "fits" and r.exhausted


def test_a_turn_cut_by_max_tokens_is_named(run, code) -> None:
    long_turn = "```python\nx = 1\ny = 'a b c d e f g h i j k l m n o p'\nprint(y)\n```"
    r = run([long_turn, code("FINAL(2)")], max_tokens_per_turn=8)
    first = r.trajectory["iterations"][0]
    assert first["finish_reason"] == "length"
    assert "cut off at the limit of 8 tokens" in first["feedback"]
    assert "SyntaxError" in first["feedback"]
    assert r.answer == "2"
