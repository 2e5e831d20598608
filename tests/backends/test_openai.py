"""The OpenAI-compatible backend against a scripted local HTTP server: streaming, stop emulation,
usage, retries, errors, concurrency, and the API key kept from the REPL."""

from __future__ import annotations

import time
from typing import Any

import pytest

from rlm.backends.base import Sampling
from rlm.backends.openai import OpenAIBackend
from rlm.errors import BackendError

USER = [{"role": "user", "content": "hi"}]


def _backend(url: str, **kw: Any) -> OpenAIBackend:
    kw.setdefault("backoff", 0.01)
    return OpenAIBackend(url, "m", **kw)


def test_streams_text_and_takes_usage_from_the_server(server) -> None:
    url, script = server
    usage = {"prompt_tokens": 30, "completion_tokens": 3, "prompt_tokens_details": {"cached_tokens": 20}}
    script.replies.append(("stream", ["Hel", "lo", "!"], "stop", usage))
    seen: list[str] = []
    c = _backend(url).generate(USER, Sampling(16, temp=0.5, top_k=4), on_text=seen.append)
    assert (c.text, c.finish_reason) == ("Hello!", "stop")
    assert (c.prompt_tokens, c.prefill_tokens, c.generation_tokens) == (30, 10, 3)
    assert seen == ["Hel", "lo", "!"]
    sent = script.requests[0]
    assert sent["stream"] and sent["max_tokens"] == 16 and sent["temperature"] == 0.5 and sent["top_k"] == 4
    assert sent["messages"] == USER and "stop" not in sent


def test_the_stop_function_cuts_the_stream_client_side(server) -> None:
    url, script = server
    script.replies.append(("stream", ["print(1)\n", "```", "\nmore text", " and more"], "stop", None))
    c = _backend(url).generate(USER, Sampling(64), stop=lambda t: t.find("```") + 3 if "```" in t else None)
    assert c.text == "print(1)\n```" and c.finish_reason == "stop"
    assert script.requests[0]["stop"] == ["```\n"]  # also sent, for servers that honour it
    assert c.generation_tokens >= 2  # estimated from the chunks: the stream had no usage


def test_a_stop_string_the_server_dropped_is_put_back(server) -> None:
    url, script = server
    script.replies.append(("stream", ["```python\nprint(1)\n"], "stop", {"prompt_tokens": 5, "completion_tokens": 6}))

    def block_end(text: str) -> int | None:
        end = text.find("```", 3)
        return None if end < 0 else end + 3

    c = _backend(url).generate(USER, Sampling(64), stop=block_end)
    assert c.text == "```python\nprint(1)\n```"


def test_429_and_5xx_are_retried_with_backoff(server) -> None:
    url, script = server
    script.replies += [("status", 429), ("status", 503), ("stream", ["fine"], "stop", None)]
    assert _backend(url).generate(USER, Sampling(8)).text == "fine"
    assert len(script.requests) == 3


def test_a_client_error_is_not_retried_and_says_what_the_server_said(server) -> None:
    url, script = server
    script.replies.append(("status", 400))
    with pytest.raises(BackendError, match=r"HTTP 400: \{\"error\": \"busy\"\}"):
        _backend(url).generate(USER, Sampling(8))
    assert len(script.requests) == 1


def test_a_server_that_dies_mid_reply_is_one_clear_error(server) -> None:
    url, script = server
    script.replies.append(("die", ["partial ", "answer"]))
    with pytest.raises(BackendError, match="closed the connection in the middle of a reply"):
        _backend(url).generate(USER, Sampling(8))


def test_a_server_that_is_down_is_one_clear_error_after_the_retries() -> None:
    started = time.perf_counter()
    with pytest.raises(BackendError, match=r"cannot reach the server at http://127.0.0.1:9/v1 after 3 attempts"):
        _backend("http://127.0.0.1:9", max_retries=2).generate(USER, Sampling(8))
    assert time.perf_counter() - started < 10


def test_batched_sub_calls_run_concurrently_and_fail_alone(server) -> None:
    url, script = server
    script.replies += [("stream", [f"r{i} ", "done"], "stop", None) for i in range(5)]
    script.replies.insert(2, ("status", 400))
    out = _backend(url, max_concurrency=3).generate_batch([[{"role": "user", "content": f"q{i}"}] for i in range(6)],
                                                          Sampling(8))
    assert len(out) == 6 and sum(isinstance(r, BackendError) for r in out) == 1
    assert sorted(r.text for r in out if not isinstance(r, BackendError)) == [f"r{i} done" for i in range(5)]
    assert 2 <= script.max_in_flight <= 3


def test_prompts_sharing_a_prefix_send_the_first_alone_until_it_streams(server) -> None:
    url, script = server
    shared = "Summarise this part of the log, one line:\n" + "x" * 300
    prompts = [[{"role": "user", "content": shared + str(i)}] for i in range(4)]
    out = _backend(url, max_concurrency=4).generate_batch(prompts, Sampling(8))
    assert [r.text for r in out] == ["ok"] * 4  # type: ignore[union-attr]
    assert script.requests[0]["messages"][0]["content"].endswith("0")


def test_the_api_key_goes_to_the_server_but_never_to_the_repl_worker(server, monkeypatch) -> None:
    from rlm.repl.session import ReplSession

    url, script = server
    monkeypatch.setenv("CLUSTER_ACCESS", "sk-test-123")  # a name the secret patterns do not catch
    backend = _backend(url, api_key_env="CLUSTER_ACCESS")
    backend.generate(USER, Sampling(8))
    assert script.headers[0].get("Authorization") == "Bearer sk-test-123"
    with ReplSession(None, llm_query=str) as repl:
        r = repl.execute("import os\nsorted(k for k in os.environ if 'CLUSTER' in k or 'OPENAI' in k)")
    assert r.output == "[]\n"


def test_a_served_local_directory_gives_the_window_from_its_config(tmp_path) -> None:
    (tmp_path / "config.json").write_text('{"max_position_embeddings": 4096}')
    assert OpenAIBackend("http://127.0.0.1:9", str(tmp_path)).context_window == 4096
    assert OpenAIBackend("http://127.0.0.1:9", "remote-name").context_window is None
