"""MLXBackend on the real 0.5B: KV reuse is exact and cheap, stops, streaming, sub-call window check."""

from __future__ import annotations

from typing import Any

import pytest

from rlm.backends.base import Backend, Sampling
from rlm.errors import BackendError

pytestmark = pytest.mark.real_model

SYSTEM = "You are a Python REPL assistant. Reply with exactly one ```python code block."
FENCE = "```python\n"


def _stop_at_block_end(text: str) -> int | None:
    # The engine's stop: the assistant turn starts inside a fence, so the first closing fence ends it.
    end = text.find("```")
    return None if end < 0 else end + 3


def _conversation(turns: int) -> list[list[dict[str, str]]]:
    """Prompts of a growing conversation (replies filled in as generated)."""
    tasks = [f"Print the sum of the numbers 1 to {10 * (i + 1)}." for i in range(turns)]
    return [[{"role": "system", "content": SYSTEM}, {"role": "user", "content": tasks[0]}]] + [
        [{"role": "user", "content": f"Output: {i}\nNow: {task}"}] for i, task in enumerate(tasks[1:])
    ]


def _fresh(backend: Any) -> Any:
    from rlm.backends.mlx import MLXBackend

    return MLXBackend(backend.model, backend.tokenizer, context_window=backend.context_window)


def test_it_is_a_backend(small_backend: Any) -> None:
    assert isinstance(small_backend, Backend)
    assert small_backend.tokenizer_path.endswith("tokenizer.json")


def test_kv_reuse_equals_a_fresh_full_prefill_and_prefills_little(small_backend: Any) -> None:
    backend = _fresh(small_backend)
    messages: list[dict[str, str]] = []
    for turn, added in enumerate(_conversation(3)):
        messages += added
        reused = backend.generate(messages, Sampling(max_tokens=32), stop=_stop_at_block_end, assistant_prefix=FENCE)
        full = _fresh(small_backend).generate(messages, Sampling(max_tokens=32), stop=_stop_at_block_end, assistant_prefix=FENCE)
        assert (reused.text, reused.generation_tokens, reused.finish_reason) == (
            full.text, full.generation_tokens, full.finish_reason,
        )
        assert full.prefill_tokens == full.prompt_tokens == reused.prompt_tokens
        if turn > 0:
            new_tokens = backend.count_tokens(added[0]["content"])
            # the new user turn, its template tokens, and the re-rendered end of the last reply
            assert reused.prefill_tokens <= new_tokens + 16, (reused.prefill_tokens, new_tokens)
        messages.append({"role": "assistant", "content": FENCE + reused.text})


def test_a_prefilled_prompt_start_leaves_only_the_rest_to_prefill_and_changes_nothing(
        small_backend: Any) -> None:
    start = "The context has 3 lines.\n\nEarlier questions: 1. Who? -> Ada\n\n"
    full = [{"role": "system", "content": SYSTEM},
            {"role": "user", "content": start + "Task: print the sum of 1 to 10."}]
    backend = _fresh(small_backend)
    backend.generate([{"role": "system", "content": SYSTEM}, {"role": "user", "content": "hi"}],
                     Sampling(max_tokens=4))  # the cache holds another conversation first
    prefilled = backend.prefill([full[0], {"role": "user", "content": start}])
    assert prefilled >= backend.count_tokens(start)
    after = backend.generate(full, Sampling(max_tokens=32), stop=_stop_at_block_end, assistant_prefix=FENCE)
    cold = _fresh(small_backend).generate(full, Sampling(max_tokens=32), stop=_stop_at_block_end, assistant_prefix=FENCE)
    assert (after.text, after.generation_tokens) == (cold.text, cold.generation_tokens)
    rest = backend.count_tokens("Task: print the sum of 1 to 10.")
    # the task, the chat template's end of turn and the assistant's start, a boundary token or two
    assert after.prefill_tokens <= rest + 12, (after.prefill_tokens, rest)


def test_regenerating_the_same_prompt_prefills_one_token(small_backend: Any) -> None:
    backend = _fresh(small_backend)
    messages = _conversation(1)[0]
    first = backend.generate(messages, Sampling(max_tokens=5))
    again = backend.generate(messages, Sampling(max_tokens=5))
    assert again.prefill_tokens == 1
    assert again.text == first.text


def test_stop_cuts_the_text_and_streaming_sees_exactly_it(small_backend: Any) -> None:
    pieces: list[str] = []
    completion = _fresh(small_backend).generate(
        _conversation(1)[0], Sampling(max_tokens=60), stop=_stop_at_block_end, assistant_prefix=FENCE,
        on_text=pieces.append,
    )
    assert completion.finish_reason == "stop"
    assert completion.text.endswith("```") and completion.text.count("```") == 1
    assert "".join(pieces) == completion.text


def test_max_tokens_ends_with_length(small_backend: Any) -> None:
    completion = _fresh(small_backend).generate(_conversation(1)[0], Sampling(max_tokens=3))
    assert completion.generation_tokens == 3
    assert completion.finish_reason == "length"


def test_sub_call_longer_than_the_window_is_a_clear_error(small_backend: Any) -> None:
    from rlm.backends.mlx import MLXBackend

    small_window = MLXBackend(small_backend.model, small_backend.tokenizer, context_window=64)
    with pytest.raises(BackendError, match="64-token window: pass a smaller piece"):
        small_window.generate([{"role": "user", "content": "word " * 100}], Sampling(max_tokens=4), conversation="sub")


def test_sub_calls_leave_the_root_cache_alone(small_backend: Any) -> None:
    backend = _fresh(small_backend)
    messages = _conversation(1)[0]
    backend.generate(messages, Sampling(max_tokens=4))
    backend.generate([{"role": "user", "content": "Say yes."}], Sampling(max_tokens=4), conversation="sub")
    assert backend.generate(messages, Sampling(max_tokens=4)).prefill_tokens == 1


def test_reset_keeps_the_cache_for_the_next_runs_shared_prefix(small_backend: Any) -> None:
    backend = _fresh(small_backend)
    messages = _conversation(1)[0]
    first = backend.generate(messages, Sampling(max_tokens=2))
    backend.reset()
    assert backend.generate(messages, Sampling(max_tokens=2)).prefill_tokens == 1
    backend.drop_cache()
    assert backend.generate(messages, Sampling(max_tokens=2)).prefill_tokens == first.prompt_tokens


def test_system_prompt_cache_on_disk_is_reused_by_the_next_process(
    small_backend: Any, small_model_dir: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rlm.backends.mlx import MLXBackend

    monkeypatch.setenv("RLM_HOME", str(tmp_path))
    messages = _conversation(1)[0]
    keep = small_backend.count_tokens("<|im_start|>system\n" + SYSTEM + "<|im_end|>\n")
    runs = []
    for _ in range(2):  # a new backend stands for a new process: nothing shared in memory
        backend = MLXBackend(small_backend.model, small_backend.tokenizer, model_dir=str(small_model_dir))
        runs.append(backend.generate(messages, Sampling(max_tokens=24), stop=_stop_at_block_end, assistant_prefix=FENCE))
    assert len(list((tmp_path / "prompt-cache").glob("*.safetensors"))) == 1
    assert runs[0].prefill_tokens == runs[0].prompt_tokens
    assert runs[1].prefill_tokens == runs[1].prompt_tokens - keep
    plain = _fresh(small_backend).generate(messages, Sampling(max_tokens=24), stop=_stop_at_block_end, assistant_prefix=FENCE)
    assert runs[0].text == runs[1].text == plain.text


def test_same_seed_same_sample(small_backend: Any) -> None:
    from rlm.backends.mlx import MLXBackend

    messages = [{"role": "user", "content": "Write a one-line poem about the sea."}]
    texts = [
        MLXBackend(small_backend.model, small_backend.tokenizer, seed=7).generate(
            messages, Sampling(max_tokens=12, temp=1.0, top_p=0.95), conversation="sub"
        ).text
        for _ in range(2)
    ]
    assert texts[0] == texts[1]


def test_rotating_cache_keeps_going_past_its_size_with_bounded_prefill(small_backend: Any) -> None:
    from rlm.backends.mlx import MLXBackend

    backend = MLXBackend(small_backend.model, small_backend.tokenizer, max_kv_size=96)
    assert backend.rotating_cache
    messages: list[dict[str, str]] = []
    for added in _conversation(3):
        messages += added
        completion = backend.generate(messages, Sampling(max_tokens=12), assistant_prefix=FENCE)
        assert completion.prefill_tokens < 96
        assert completion.generation_tokens > 0
        messages.append({"role": "assistant", "content": FENCE + completion.text})
    assert completion.prompt_tokens > 96  # the conversation outgrew the cache
    assert backend.root_cache.keep == backend.count_tokens("<|im_start|>system\n" + SYSTEM + "<|im_end|>\n")


def test_an_interrupted_generation_does_not_poison_the_next_one(small_backend: Any) -> None:
    backend = _fresh(small_backend)
    messages = _conversation(1)[0]

    def interrupt(piece: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        backend.generate(messages, Sampling(max_tokens=8), on_text=interrupt)
    after = backend.generate(messages, Sampling(max_tokens=8))
    assert after.prefill_tokens == after.prompt_tokens
    assert after.text == _fresh(small_backend).generate(messages, Sampling(max_tokens=8)).text


def test_prefix_cache_directory_keeps_only_the_most_recent_files(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from rlm.backends import _prefix_cache

    monkeypatch.setenv("RLM_HOME", str(tmp_path))
    directory = tmp_path / "prompt-cache"
    directory.mkdir()
    for i in range(_prefix_cache.KEEP_FILES + 3):
        (directory / f"{i:02d}.safetensors").write_bytes(b"x")
        os.utime(directory / f"{i:02d}.safetensors", (1000 + i, 1000 + i))
    _prefix_cache._prune(directory)
    kept = sorted(p.name for p in directory.iterdir())
    assert kept == [f"{i:02d}.safetensors" for i in range(3, _prefix_cache.KEEP_FILES + 3)]


def test_batched_sub_calls_answer_as_one_by_one_does(small_backend: Any) -> None:
    questions = ["What is 2 + 3? Answer with the number.", "Name the capital of Italy in one word.", "Say hi."]
    prompts = [[{"role": "user", "content": q}] for q in questions]
    batched = small_backend.generate_batch(prompts, Sampling(max_tokens=10))
    single = [small_backend.generate(p, Sampling(max_tokens=10), conversation="sub") for p in prompts]
    assert all(c.text.strip() for c in batched)
    assert [c.text for c in batched] == [c.text for c in single]
    assert [c.generation_tokens for c in batched] == [c.generation_tokens for c in single]
    assert [c.finish_reason for c in batched] == [c.finish_reason for c in single]


def test_count_tokens_runs_in_rust_with_the_ids_of_the_models_own_tokenizer(small_backend: Any) -> None:
    from rlm import tokens

    text = "def f(x):\r\n    return x  # café 東京 😀\n\n\n" * 500 + "<|im_end|> done"
    assert tokens.rust_tokenizer(small_backend.tokenizer_path) is not None
    assert small_backend.count_tokens(text) == len(small_backend.tokenizer.encode(text, add_special_tokens=False))
