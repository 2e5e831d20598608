"""The replay backend: canned turns in order, sub-call replies, files, token approximation."""

from __future__ import annotations

import json

import pytest

from rlm.backends.base import Backend, Sampling
from rlm.backends.replay import ReplayBackend, approx_tokens, load_replay_file
from rlm.errors import BackendError, UsageError

USER = [{"role": "user", "content": "Find the code"}]


def test_it_satisfies_the_backend_protocol() -> None:
    assert isinstance(ReplayBackend(["x"]), Backend)


def test_turns_come_back_in_order_then_run_out() -> None:
    b = ReplayBackend(["one", "two"])
    assert b.generate(USER, Sampling(max_tokens=50)).text == "one"
    assert b.generate(USER, Sampling(max_tokens=50)).text == "two"
    with pytest.raises(BackendError, match="ran out of turns after 2"):
        b.generate(USER, Sampling(max_tokens=50))


def test_reset_starts_from_the_first_turn() -> None:
    b = ReplayBackend(["one"])
    b.generate(USER, Sampling(max_tokens=50))
    b.reset()
    assert b.generate(USER, Sampling(max_tokens=50)).text == "one"


def test_the_stop_function_cuts_the_turn() -> None:
    b = ReplayBackend(["keep this|and not this"])
    done = b.generate(USER, Sampling(max_tokens=50), stop=lambda t: t.find("|") if "|" in t else None)
    assert done.text == "keep this"
    assert done.finish_reason == "stop"


def test_max_tokens_cuts_the_turn_and_says_length() -> None:
    done = ReplayBackend(["aaaa bbbb cccc dddd"]).generate(USER, Sampling(max_tokens=2))
    assert done.text == "aaaa bbbb"
    assert done.finish_reason == "length"


def test_sub_calls_without_replies_name_the_prompt_length() -> None:
    b = ReplayBackend(["root"])
    prompt = [{"role": "user", "content": "x" * 1234}]
    assert "1234 characters" in b.generate(prompt, Sampling(max_tokens=50), conversation="sub").text
    # Sub-calls do not consume root turns.
    assert b.generate(USER, Sampling(max_tokens=50)).text == "root"


def test_sub_replies_come_in_order_then_run_out() -> None:
    b = ReplayBackend([], sub=["first", "second"])
    assert b.generate(USER, Sampling(max_tokens=50), conversation="sub").text == "first"
    assert b.generate(USER, Sampling(max_tokens=50), conversation="sub").text == "second"
    with pytest.raises(BackendError, match="sub-call"):
        b.generate(USER, Sampling(max_tokens=50), conversation="sub")


def test_token_counts_are_the_documented_approximation() -> None:
    assert approx_tokens("") == 0
    assert approx_tokens("abcd efghi") == 1 + 2
    done = ReplayBackend(["abcd efghi"]).generate(USER, Sampling(max_tokens=50))
    assert done.generation_tokens == 3
    assert done.prompt_tokens == approx_tokens("Find the code") + 4


def test_root_prefill_counts_only_what_extends_the_last_conversation() -> None:
    b = ReplayBackend(["print(1)", "FINAL(1)"])
    first = b.generate(USER, Sampling(max_tokens=50))
    grown = [*USER, {"role": "assistant", "content": "print(1)"}, {"role": "user", "content": "1"}]
    second = b.generate(grown, Sampling(max_tokens=50))
    assert first.prefill_tokens == first.prompt_tokens
    assert second.prefill_tokens == approx_tokens("1") + 4
    assert second.prompt_tokens > second.prefill_tokens


def test_streaming_hook_receives_the_text() -> None:
    pieces: list[str] = []
    ReplayBackend(["hello"]).generate(USER, Sampling(max_tokens=50), on_text=pieces.append)
    assert "".join(pieces) == "hello"


def test_file_with_turns_and_sub(tmp_path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"turns": ["a", "b"], "sub": ["s"]}))
    assert load_replay_file(path) == (["a", "b"], ["s"])
    assert ReplayBackend.from_file(path).name == f"replay:{path}"


def test_a_trajectory_file_replays_its_root_turns(tmp_path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"version": 1, "iterations": [{"text": "t1"}, {"text": "t2"}]}))
    assert load_replay_file(path) == (["t1", "t2"], None)


@pytest.mark.parametrize(
    ("content", "message"),
    [("not json", "not JSON"), ("[1, 2]", "JSON object"), ('{"x": 1}', "neither 'turns'"),
     ('{"turns": [1]}', "list of strings"), ('{"turns": [], "sub": "x"}', "'sub' must be")],
)
def test_bad_replay_files_are_usage_errors(tmp_path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(UsageError, match=message):
        load_replay_file(path)


def test_missing_replay_file_is_a_usage_error(tmp_path) -> None:
    with pytest.raises(UsageError, match="not found"):
        load_replay_file(tmp_path / "missing.json")
