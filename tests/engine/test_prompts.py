"""What the model is told: context description, feedback after each turn, the system prompt."""

from __future__ import annotations

import re

from rlm.prompts import (
    LITERAL_NOTE,
    MANY_MATCHES_NOTE,
    MAY_FINISH_NOTE,
    NO_OUTPUT,
    NOTHING_FOUND_NOTE,
    SAME_OUTPUT_NOTE,
    SYSTEM_PROMPT,
    WHITESPACE_OUTPUT,
    ContextSummary,
    describe_context,
    turn_feedback,
)


def test_system_prompt_teaches_inspection_search_chunks_and_final() -> None:
    for taught in ("context[:500]", "grep(", "chunks(", "llm_query(", "llm_query_batched(", "FINAL(",
                   "FINAL_VAR(", "re.findall(", "values(", "search("):
        assert taught in SYSTEM_PROMPT


def test_system_prompt_examples_are_python_that_compiles() -> None:
    # Small models copy the examples literally: a string broken across lines would be their SyntaxError.
    blocks = re.findall(r"```python\n(.*?)```", SYSTEM_PROMPT, re.S)
    assert len(blocks) >= 8
    for code in blocks:
        compile(code, "<example>", "exec")


def test_system_prompt_stays_compact() -> None:
    # Prefill is the main cost on CPU (docs/eval.md). The system prompt's KV cache is kept on disk,
    # so its ~750 tokens are prefilled once per machine, but every byte still costs a first run.
    assert len(SYSTEM_PROMPT) < 3000


def test_empty_context_is_described_as_empty() -> None:
    text = describe_context(ContextSummary(0, 0, 0, False, "", ""))
    assert "empty" in text and "0 characters" in text


def test_small_context_is_shown_whole() -> None:
    text = describe_context(ContextSummary(22, 1, 6, False, "The secret code is 42.", ""))
    assert "22 characters in 1 lines" in text
    assert "(6 tokens)" in text
    assert "The secret code is 42." in text
    assert "ends with" not in text


def test_large_context_shows_head_tail_and_labels_the_estimate() -> None:
    text = describe_context(ContextSummary(5_000_000, 90_000, 1_250_000, True, "HEAD", "TAIL"))
    assert "5,000,000 characters in 90,000 lines" in text
    assert "~1,250,000 tokens, estimated from a sample" in text
    assert text.index("HEAD") < text.index("ends with") < text.index("TAIL")


def test_no_output_is_said_plainly() -> None:
    assert turn_feedback(output="", clean=True, restored_names=[], repeated=False) == NO_OUTPUT


def test_clean_output_gets_the_may_finish_reminder() -> None:
    text = turn_feedback(output="1 matching line\n", clean=True, restored_names=[], repeated=False)
    assert text.startswith("Output:\n1 matching line")
    assert MAY_FINISH_NOTE in text


def test_an_error_gets_no_reminder() -> None:
    text = turn_feedback(output="Traceback ...\nNameError: x\n", clean=False, restored_names=[],
                         repeated=False)
    assert MAY_FINISH_NOTE not in text
    assert "NameError" in text


def test_a_repeated_output_is_named_instead_of_the_reminder() -> None:
    text = turn_feedback(output="42\n", clean=True, restored_names=[], repeated=True)
    assert SAME_OUTPUT_NOTE in text and MAY_FINISH_NOTE not in text


def test_restored_names_are_reported() -> None:
    text = turn_feedback(output="", clean=True, restored_names=["context"], repeated=False)
    assert "context" in text and "restored" in text


def test_an_empty_search_result_asks_for_a_new_search_not_for_final() -> None:
    for output in ("0 matching lines for 'Puffin, Falcon'\n", "[]\n", "-1\n", "None\n[]\n"):
        text = turn_feedback(output=output, clean=True, restored_names=[], repeated=False)
        assert NOTHING_FOUND_NOTE in text and MAY_FINISH_NOTE not in text, output


def test_a_repeated_empty_search_gets_both_notes() -> None:
    text = turn_feedback(output="0 matching lines for 'x'\n", clean=True, restored_names=[],
                         repeated=True)
    assert SAME_OUTPUT_NOTE in text and NOTHING_FOUND_NOTE in text


def test_results_that_are_values_are_not_empty() -> None:
    for output in ("0\n", "1 matching line for 'x':\n3:x\n", "[]\n42\n", "False\n"):
        text = turn_feedback(output=output, clean=True, restored_names=[], repeated=False)
        assert NOTHING_FOUND_NOTE not in text and MAY_FINISH_NOTE in text, output


def test_the_finish_reminder_has_no_clause_a_model_could_quote_as_its_answer() -> None:
    # The 0.5B answered FINAL("if so, call FINAL(answer) now; otherwise continue.") once.
    assert ":" not in MAY_FINISH_NOTE and ";" not in MAY_FINISH_NOTE


def test_output_of_only_whitespace_is_reported_as_nothing_found() -> None:
    text = turn_feedback(output="\n\n", clean=True, restored_names=[], repeated=False)
    assert text.startswith(WHITESPACE_OUTPUT) and NOTHING_FOUND_NOTE in text
    assert MAY_FINISH_NOTE not in text


def test_output_the_code_wrote_itself_is_not_a_finding() -> None:
    text = turn_feedback(output="1234567890\n", clean=True, restored_names=[], repeated=False,
                         literal=True)
    assert LITERAL_NOTE in text and MAY_FINISH_NOTE not in text


def test_several_matching_lines_remind_that_the_task_may_want_all() -> None:
    grep_output = "3 matching lines for 'locked':\n1:a locked\n5:b locked\n9:c locked\n"
    text = turn_feedback(output=grep_output, clean=True, restored_names=[], repeated=False)
    assert MANY_MATCHES_NOTE.format(n=3) in text and MAY_FINISH_NOTE in text
    one = turn_feedback(output="1 matching line for 'x':\n3:x\n", clean=True, restored_names=[],
                        repeated=False)
    assert "lines matched" not in one
