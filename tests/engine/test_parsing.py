"""Reading model turns: code blocks, where to stop generating, FINAL written as prose."""

from __future__ import annotations

import pytest

from rlm.parsing import code_block_end, find_prose_final, first_code_block, iter_blocks


@pytest.mark.parametrize("fence", ["```python", "```py", "```repl", "```", "``` Python "])
def test_python_like_fences_are_code(fence: str) -> None:
    block = first_code_block(f"Let me look.\n{fence}\nprint(len(context))\n```\nthanks")
    assert block is not None
    assert block.code == "print(len(context))\n"
    assert block.closed


def test_other_languages_are_skipped_for_the_first_python_block() -> None:
    text = "```json\n{\"a\": 1}\n```\n```bash\nls\n```\n```python\nx = 1\n```"
    block = first_code_block(text)
    assert block is not None and block.code == "x = 1\n"
    assert [b.language for b in iter_blocks(text)] == ["json", "bash", "python"]


def test_unclosed_block_runs_to_the_end_of_the_text() -> None:
    block = first_code_block("```python\nx = grep('a')\nprint(x)")
    assert block is not None
    assert block.code == "x = grep('a')\nprint(x)"
    assert not block.closed


def test_no_block_in_plain_prose() -> None:
    assert first_code_block("The answer is 42.") is None


def test_fence_must_start_a_line() -> None:
    assert first_code_block("inline ```python code``` here") is None


def test_empty_block_has_empty_code() -> None:
    block = first_code_block("```python\n```\nrest")
    assert block is not None and block.code == "" and block.closed


def test_block_end_is_just_past_the_closing_fence() -> None:
    text = "```python\nprint(1)\n```\nOutput: 1\n```python\nFINAL(1)\n```"
    end = code_block_end(text)
    assert end is not None and text[:end] == "```python\nprint(1)\n```"


def test_block_end_is_none_while_the_block_is_open() -> None:
    assert code_block_end("```python\nprint(1)\n``") is None
    assert code_block_end("I will search the text") is None


def test_block_end_ignores_a_non_python_block() -> None:
    text = "```text\nsample\n```\n```python\nx = 1\n```\n"
    assert code_block_end(text) == len(text) - 1


def test_block_end_waits_for_the_fence_line_to_end() -> None:
    # "```" may still become "```python" (a model re-opening the fence): not a close yet.
    assert code_block_end("```python\nprint(1)\n```") is None
    assert code_block_end("```python\nprint(1)\n```  \n") == len("```python\nprint(1)\n```")


def test_a_fence_with_an_info_string_does_not_close_a_block() -> None:
    block = first_code_block("```python\nx = 1\n```python\ny = 2\n```")
    assert block is not None and block.code == "x = 1\n```python\ny = 2\n"


def test_a_repeated_opening_fence_is_skipped() -> None:
    block = first_code_block("```python\n```python\nprint(1)\n```")
    assert block is not None and block.code == "print(1)\n"
    assert code_block_end("```python\n```python\nprint(1)\n```\n") is not None


def test_a_bare_fence_repeated_after_the_opening_one_keeps_the_code() -> None:
    # The engine starts the turn with "```python\n"; the model writes "```" again, then its code.
    text = "```python\n```\nprint(len(context))\n```"
    block = first_code_block(text)
    assert block is not None and block.code == "print(len(context))\n" and block.closed
    assert code_block_end(text + "\n") == len(text)


def test_a_bare_fence_line_then_a_python_fence_keeps_the_code() -> None:
    block = first_code_block("```\n```python\nx = grep('a')\n```")
    assert block is not None and block.code == "x = grep('a')\n"


def test_generation_goes_on_after_a_repeated_bare_fence() -> None:
    # Stopping at the second fence would cut the turn before its code is written.
    assert code_block_end("```python\n```\n") is None
    assert code_block_end("```python\n```\nx = 1\n") is None


def test_a_finished_text_ending_in_a_fence_is_closed() -> None:
    block = first_code_block("```python\nprint(1)\n```")
    assert block is not None and block.closed


def test_prose_final_keeps_parentheses_and_newlines() -> None:
    found = find_prose_final("Done.\nFINAL(The code is 42 (see line 3),\nnot 43)\nBye")
    assert found is not None
    assert found.kind == "FINAL"
    assert found.value == "The code is 42 (see line 3),\nnot 43"


def test_prose_final_unquotes_a_string_literal_holding_a_parenthesis() -> None:
    found = find_prose_final('FINAL("a ) b")')
    assert found is not None and found.value == "a ) b"


def test_prose_final_survives_a_stray_apostrophe() -> None:
    found = find_prose_final("FINAL(it's 42 (approx))")
    assert found is not None and found.value == "it's 42 (approx)"


def test_prose_final_var_names_a_variable() -> None:
    found = find_prose_final("I stored it.\nFINAL_VAR(result)")
    assert found is not None
    assert (found.kind, found.value) == ("FINAL_VAR", "result")


def test_prose_final_var_accepts_a_quoted_name() -> None:
    found = find_prose_final("FINAL_VAR('result')")
    assert found is not None and found.value == "result"


def test_prose_final_takes_the_last_one() -> None:
    found = find_prose_final("FINAL(41)?\nNo:\n  FINAL(42)")
    assert found is not None and found.value == "42"


@pytest.mark.parametrize("text", ["FINALLY (it works)", "MY_FINAL(3)", "FINAL_ANSWER(3)",
                                  "FINAL(unclosed", "no final here",
                                  "Let me search first and then do FINAL(answer) once I know it.",
                                  "I stored it. FINAL_VAR(result)", "**FINAL(42)**"])
def test_not_a_prose_final(text: str) -> None:
    assert find_prose_final(text) is None


def test_prose_final_may_be_indented_at_the_start_of_a_line() -> None:
    found = find_prose_final("I am sure now:\n   FINAL(42)")
    assert found is not None and found.value == "42"


def test_prose_final_after_a_code_block_starts_its_own_line() -> None:
    found = find_prose_final("```text\nx\n```\nFINAL(7)")
    assert found is not None and found.value == "7"


def test_final_inside_a_code_block_is_not_prose() -> None:
    assert find_prose_final("```python\nFINAL(1)\n```") is None


def test_final_var_with_a_non_name_is_ignored() -> None:
    assert find_prose_final("FINAL_VAR(1 + 2)") is None
