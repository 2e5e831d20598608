"""llm_query from threads of the model's code: outstanding at once, answered as one batch, each
reply to its own caller; per-prompt failures in llm_query_batched."""

from __future__ import annotations

import pytest

from rlm.repl.session import ReplSession

THREADS = (
    "import threading\n"
    "from concurrent.futures import ThreadPoolExecutor\n"
    "gate = threading.Barrier(4)\n"
    "def ask(p):\n"
    "    gate.wait()  # all four ask at the same moment\n"
    "    return llm_query(p)\n"
    "with ThreadPoolExecutor(4) as pool:\n"
    "    got = list(pool.map(ask, ['a', 'b', 'c', 'd']))\n"
    "got\n"
)


@pytest.fixture
def batches() -> list[list[str]]:
    return []


@pytest.fixture
def repl(batches: list[list[str]]):
    def batch(prompts: list[str]) -> list[str | Exception]:
        batches.append(list(prompts))
        return [ValueError(f"cannot answer {p}") if p.startswith("bad") else p.upper() for p in prompts]

    def single(prompt: str) -> str:
        batches.append([prompt])
        if prompt.startswith("bad"):
            raise ValueError(f"cannot answer {prompt}")
        return prompt.upper()

    with ReplSession(None, llm_query=single, llm_query_batched=batch, exec_timeout=30) as session:
        yield session


def test_llm_query_from_threads_is_answered_as_one_batch(repl: ReplSession, batches) -> None:
    r = repl.execute(THREADS)
    assert r.output == "['A', 'B', 'C', 'D']\n", r.output
    assert sorted(p for b in batches for p in b) == ["a", "b", "c", "d"]
    assert len(batches) < 4, batches  # serialised queries would arrive one per batch


def test_a_lone_llm_query_is_not_delayed_into_a_batch(repl: ReplSession, batches) -> None:
    r = repl.execute("[llm_query('x'), llm_query('y')]")
    assert r.output == "['X', 'Y']\n"
    assert batches == [["x"], ["y"]]  # no other thread exists: each answered at once, alone


def test_one_failing_prompt_of_a_batch_gets_an_error_string_and_the_others_answer(repl: ReplSession) -> None:
    r = repl.execute("llm_query_batched(['ok', 'bad one', 'fine'])")
    assert r.error is None
    assert r.output == "['OK', 'Error: ValueError: cannot answer bad one', 'FINE']\n"
    assert [c.error for c in r.llm_calls] == [None, "ValueError: cannot answer bad one", None]


def test_a_failing_llm_query_in_one_thread_raises_only_there(repl: ReplSession) -> None:
    code = THREADS.replace("['a', 'b', 'c', 'd']", "['a', 'bad', 'c', 'd']").replace(
        "    return llm_query(p)\n",
        "    try:\n        return llm_query(p)\n    except RuntimeError as e:\n        return str(e)\n")
    r = repl.execute(code)
    assert r.output == "['A', 'llm_query failed: ValueError: cannot answer bad', 'C', 'D']\n", r.output


def test_a_thread_still_asking_when_the_cell_ends_gets_its_reply_later(repl: ReplSession) -> None:
    repl.execute("import threading, time\nres = []\n"
                 "t = threading.Thread(target=lambda: (time.sleep(0.2), res.append(llm_query('late'))))\n"
                 "t.start()")
    r = repl.execute("t.join(10)\nres")
    assert r.output == "['LATE']\n"
    assert repl.execute("llm_query('next')").output == "'NEXT'\n"  # the stream is in step


def test_rlm_query_without_recursion_is_a_plain_sub_call(repl: ReplSession, batches) -> None:
    r = repl.execute("[rlm_query('q1'), rlm_query_batched(['q2', 'bad'], ['ctx', None])]")
    assert r.output == "['Q1', ['Q2', 'Error: ValueError: cannot answer bad']]\n"
    assert [(c.kind, c.prompt, c.response) for c in r.llm_calls] == [
        ("rlm", "q1", "Q1"), ("rlm", "q2", "Q2"), ("rlm", "bad", "")]


def test_rlm_query_from_threads_goes_to_the_children_callback_and_llm_query_beside_it_stays_plain() -> None:
    children: list[list[tuple[str, str | None]]] = []

    def rlm_batch(prompts: list[str], contexts: list[str | None]) -> list[str | Exception]:
        children.append(list(zip(prompts, contexts)))
        return [f"child:{p}:{c}" for p, c in zip(prompts, contexts)]

    code = THREADS.replace("    return llm_query(p)\n",
                           "    return rlm_query(p, 'ctx-' + p) if p in 'ac' else llm_query(p)\n")
    with ReplSession(None, llm_query=str.upper, llm_query_batched=lambda ps: [p.upper() for p in ps],
                     rlm_query_batched=rlm_batch, exec_timeout=30) as repl:
        r = repl.execute(code)
        assert r.output == "['child:a:ctx-a', 'B', 'child:c:ctx-c', 'D']\n", r.output
        assert sorted(p for b in children for p, _ in b) == ["a", "c"]
        assert [c.kind for c in r.llm_calls if c.prompt in "ac"] == ["rlm", "rlm"]
        one = repl.execute("rlm_query_batched(['x', 'y'], ['cx', None])")
    assert one.output == "['child:x:cx', 'child:y:None']\n"
