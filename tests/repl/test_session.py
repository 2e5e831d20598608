"""ReplSession: namespace, echo, FINAL forms, reserved names, llm_query round trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from rlm.errors import ContextError, ReplError
from rlm.repl.session import ReplSession


@pytest.fixture(scope="module")
def repl(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("ctx") / "context.txt"
    path.write_text("alpha 1\nbeta 22\ngamma 333\n", encoding="utf-8")
    prompts: list[str] = []

    def llm(prompt: str) -> str:
        prompts.append(prompt)
        if prompt == "boom":
            raise ValueError("model exploded")
        return f"reply to {prompt}"

    with ReplSession(str(path), llm_query=llm, exec_timeout=10) as session:
        session.prompts = prompts  # type: ignore[attr-defined]
        yield session


def test_variables_persist_and_functions_and_comprehensions_see_them(repl: ReplSession) -> None:
    repl.execute("base = 10\ndef scale(v):\n    return v * base\n")
    r = repl.execute("print([scale(i) for i in range(3)])\nclass K:\n    attr = base\nprint(K.attr)")
    assert r.output == "[0, 10, 20]\n10\n"
    assert r.error is None


def test_last_bare_expression_is_echoed_but_none_is_not(repl: ReplSession) -> None:
    assert repl.execute("1 + 2").output == "3\n"
    assert repl.execute("'a' + 'b'").output == "'ab'\n"
    assert repl.execute("None").output == ""
    assert repl.execute("z = 5").output == ""
    assert repl.execute("print('x')\n[1][0]").output == "x\n1\n"


def test_context_is_the_file(repl: ReplSession) -> None:
    assert repl.execute("len(context)").output == "26\n"


def test_final_stops_the_code_and_stringifies(repl: ReplSession) -> None:
    r = repl.execute("FINAL([1, 2])\nprint('after')")
    assert r.final == "[1, 2]"
    assert r.output == ""


def test_final_with_several_arguments_joins_them(repl: ReplSession) -> None:
    r = repl.execute('FINAL("5616-MX", "3961-FY", 7)')
    assert r.final == "5616-MX, 3961-FY, 7"
    assert r.error is None


def test_final_var_reads_a_variable_including_one_named_answer(repl: ReplSession) -> None:
    r = repl.execute("answer = 42\nFINAL_VAR('answer')")
    assert r.final == "42"
    assert r.error is None


def test_final_var_of_a_missing_name_is_an_error_fed_back(repl: ReplSession) -> None:
    r = repl.execute("FINAL_VAR('nope')")
    assert r.final is None
    assert r.error_type == "NameError"
    assert "no variable named 'nope'" in r.output
    assert "worker.py" not in r.output  # the worker's own frames are hidden
    assert repl.execute("1").output == "1\n"  # the session still works


def test_answer_dict_finishes_only_when_ready(repl: ReplSession) -> None:
    assert repl.execute("answer = {'content': 'draft', 'ready': False}").final is None
    assert repl.execute("answer['ready'] = True").final == "draft"
    repl.execute("answer = {'content': '', 'ready': False}")


def test_reserved_names_are_restored_and_reported(repl: ReplSession) -> None:
    r = repl.execute("context = 'invented text'\ndef llm_query(p): return 'fake'\ndel FINAL")
    assert sorted(r.restored_names) == ["FINAL", "context", "llm_query"]
    assert repl.execute("type(context).__name__").output == "'Context'\n"
    assert repl.execute("llm_query('q')").output == "'reply to q'\n"


def test_stdlib_modules_are_preimported_but_not_reserved(repl: ReplSession) -> None:
    r = repl.execute("print(json.dumps([math.floor(2.5)]), string.digits[:3])\nstring = 's'")
    assert r.output == "[2] 012\n"
    assert r.restored_names == []
    assert repl.execute("string").output == "'s'\n"


def test_llm_query_goes_to_the_driver_and_is_recorded(repl: ReplSession) -> None:
    r = repl.execute("x = [llm_query(f'part {i}') for i in range(2)]\nx")
    assert r.output == "['reply to part 0', 'reply to part 1']\n"
    assert [(c.prompt, c.prompt_chars, c.response, c.error) for c in r.llm_calls] == [
        ("part 0", 6, "reply to part 0", None), ("part 1", 6, "reply to part 1", None)]


def test_llm_query_batched_falls_back_to_one_call_per_prompt(repl: ReplSession) -> None:
    r = repl.execute("llm_query_batched(['a', 'b'])")
    assert r.output == "['reply to a', 'reply to b']\n"
    assert [(c.prompt, c.batch_size) for c in r.llm_calls] == [("a", 2), ("b", 2)]


def test_exception_in_llm_query_is_raised_inside_the_code(repl: ReplSession) -> None:
    r = repl.execute(
        "try:\n    llm_query('boom')\nexcept RuntimeError as e:\n    print('caught:', e)")
    assert r.output == "caught: llm_query failed: ValueError: model exploded\n"
    assert r.llm_calls[0].error == "ValueError: model exploded"
    r = repl.execute("llm_query('boom')")
    assert r.error_type == "RuntimeError"


def test_syntax_error_is_reported(repl: ReplSession) -> None:
    r = repl.execute("def (:")
    assert r.error_type == "SyntaxError"
    assert "SyntaxError" in r.output


def test_system_exit_does_not_kill_the_worker(repl: ReplSession) -> None:
    r = repl.execute("import sys\nsys.exit(3)")
    assert r.error_type == "SystemExit"
    assert not r.restarted
    assert repl.execute("base").output == "10\n"


def test_import_re_gives_the_context_aware_module(repl: ReplSession) -> None:
    assert repl.execute("import re as r2\nr2.__name__").output == "'rlm.repl.re_compat'\n"
    assert repl.execute("def f():\n    import re\n    return re.__name__\nf()").output == "'rlm.repl.re_compat'\n"
    assert repl.execute("from re import findall\nfindall(r'\\d+', 'a1b22')").output == "['1', '22']\n"


def test_output_written_to_fd_1_by_subprocesses_is_captured(repl: ReplSession) -> None:
    r = repl.execute("import subprocess\n_ = subprocess.run(['echo', 'from the shell'])")
    assert r.output == "from the shell\n"


def test_empty_context_when_no_path() -> None:
    with ReplSession(None, llm_query=str) as s:
        assert s.execute("len(context)").output == "0\n"


def test_missing_context_file_raises_context_error(tmp_path: Path) -> None:
    with pytest.raises(ContextError):
        ReplSession(str(tmp_path / "absent.txt"), llm_query=str)


def test_execute_after_close_raises() -> None:
    s = ReplSession(None, llm_query=str)
    s.close()
    s.close()  # idempotent
    with pytest.raises(ReplError):
        s.execute("1")


def test_llm_query_from_threads_is_serialised_on_the_pipe(repl: ReplSession) -> None:
    r = repl.execute(
        "from concurrent.futures import ThreadPoolExecutor\n"
        "with ThreadPoolExecutor(4) as pool:\n"
        "    got = list(pool.map(llm_query, [f't{i}' for i in range(12)]))\n"
        "got == [f'reply to t{i}' for i in range(12)]")
    assert r.output == "True\n", r.output
    assert len(r.llm_calls) == 12


def test_invalid_utf8_is_a_context_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"ok \xff bad\n")
    with pytest.raises(ContextError, match="byte offset 3"):
        ReplSession(str(path), llm_query=str)


def test_invalid_utf8_is_replaced_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"ok \xff bad\n")
    with ReplSession(str(path), llm_query=str, encoding_errors="replace") as s:
        assert s.execute("context[:]").output == "'ok \ufffd bad\\n'\n"


def test_show_vars_lists_the_code_s_variables_only() -> None:
    with ReplSession(None, llm_query=str) as s:
        assert s.execute("SHOW_VARS()").output == "'No variables created yet.'\n"
        s.execute("n = 3\ndef f(): pass")
        assert s.execute("print(SHOW_VARS())").output == "Available variables: {'n': 'int', 'f': 'function'}\n"


def test_llm_query_accepts_the_rlms_model_argument(repl: ReplSession) -> None:
    assert repl.execute("llm_query('m', model='other')").output == "'reply to m'\n"


def test_a_forked_child_of_the_code_never_speaks_the_protocol(repl: ReplSession) -> None:
    r = repl.execute(
        "import os\npid = os.fork()\n"
        "if pid == 0:\n"
        "    try:\n        llm_query('from child')\n    except RuntimeError as e:\n        print('child:', e)\n"
        "else:\n    os.waitpid(pid, 0)\n    print('parent done')")
    assert "parent done" in r.output and not r.restarted
    assert repl.execute("llm_query('after')").output == "'reply to after'\n"
    assert "from child" not in repl.prompts  # type: ignore[attr-defined]


def test_the_worker_stays_light_no_engine_mlx_or_numpy() -> None:
    with ReplSession(None, llm_query=str) as fresh:
        r = fresh.execute("import sys\nsorted(m for m in ('mlx', 'mlx_lm', 'numpy', 'transformers', 'tokenizers', "
                          "'rlm.engine', 'rlm.repl.session', 'subprocess') if m in sys.modules)")
    assert r.output == "[]\n"


def test_stderr_and_stdout_buffer_are_captured_too(repl: ReplSession) -> None:
    r = repl.execute("import sys\nprint('to err', file=sys.stderr)\nsys.stdout.buffer.write('é\\n'.encode())")
    assert r.output == "to err\né\n3\n"  # the write's return value is echoed, as in a notebook


def test_llm_query_batched_uses_the_batch_callback_in_one_call() -> None:
    batches: list[list[str]] = []

    def batch(prompts: list[str]) -> list[str]:
        batches.append(prompts)
        return [p.upper() for p in prompts] if prompts != ["short"] else []

    with ReplSession(None, llm_query=str, llm_query_batched=batch) as s:
        r = s.execute("llm_query_batched(['a', 'b', 'c'])")
        assert r.output == "['A', 'B', 'C']\n"
        assert batches == [["a", "b", "c"]] and len(r.llm_calls) == 3
        r = s.execute("llm_query_batched(['short'])")
        assert r.error_type == "RuntimeError" and "returned 0 replies for 1 prompts" in r.output
