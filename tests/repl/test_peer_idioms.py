"""Code written the way the `rlms` package's prompt and DSPy's `RLM` prompt teach runs unchanged
here (the README's compatibility table): each test is one such program, cell by cell."""

from __future__ import annotations

import pytest

from rlm.repl.session import ReplSession

TEXT = "intro line\nThe access code is 6151-YC.\nfiller text here\nclosing line\n"


@pytest.fixture
def repl(tmp_path):
    path = tmp_path / "context.txt"
    path.write_text(TEXT, encoding="utf-8")
    with ReplSession(str(path), llm_query=lambda p: f"<{p[:12]}>", exec_timeout=10) as session:
        yield session


def run(repl: ReplSession, *cells: str):
    """Execute the cells in order; every one but the last must run without an error."""
    for cell in cells[:-1]:
        r = repl.execute(cell)
        assert r.error is None, r.output
    return repl.execute(cells[-1])


def test_rlms_chunk_batch_and_answer_dict(repl: ReplSession) -> None:
    r = run(repl,
            # chunk the context, one batched sub-call per chunk, `answer` as the loop variable
            "chunk_size = len(context) // 3\nchunks = []\nfor i in range(3):\n"
            "    chunks.append(context[i * chunk_size:(i + 1) * chunk_size])\n"
            "prompts = [f'Find the code: {chunk}' for chunk in chunks]\n"
            "answers = llm_query_batched(prompts)\n"
            "for i, answer in enumerate(answers):\n    print(f'chunk {i}: {answer}')",
            # the next turn loops over `chunks` again (a helper's name) and fills the answer dict
            "for chunk in chunks:\n    print(len(chunk))",
            "final_answer = llm_query('Aggregate: ' + '\\n'.join(answers))\n"
            "answer['content'] = final_answer\nanswer['ready'] = True")
    assert r.final == "<Aggregate: <>"


def test_rlms_final_var_after_show_vars(repl: ReplSession) -> None:
    r = run(repl, "my_answer = context.splitlines()[1].split()[-1].rstrip('.')\nprint(SHOW_VARS())",
            "FINAL_VAR('my_answer')")
    assert r.final == "6151-YC"


def test_rlms_multi_context_name_and_model_argument(repl: ReplSession) -> None:
    r = run(repl, "print(len(context_0), llm_query('q', model='sub'))")
    assert r.output == f"{len(TEXT)} <q>\n"


def test_dspy_explore_then_submit(repl: ReplSession) -> None:
    r = run(repl,
            "print(type(context).__name__, len(context))\nprint(context[:40])",
            "hits = [line for line in context.splitlines() if 'code' in line]\nprint(hits)",
            "SUBMIT(answer=re.search(r'\\d{4}-[A-Z]{2}', hits[0]).group())")
    assert r.final == "6151-YC"


def test_str_idioms_on_the_context(repl: ReplSession) -> None:
    r = run(repl, "print(context == context[:], context != 'x', 'access code' in context.lower())\n"
                  "print(('>> ' + context + '<<')[:14], context.strip().endswith('line'))\n"
                  "print(sorted(set(context[:5])), '%s!' % context[:5], f'{context[:5]:>7}')\n"
                  "print(context.count('line'), context.find('code'), context.encode()[:5])")
    assert r.error is None, r.output
    assert r.output == ("True True True\n>> intro line\n True\n"
                        "['i', 'n', 'o', 'r', 't'] intro!   intro\n2 22 b'intro'\n")
