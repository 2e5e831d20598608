"""The OpenAI-compatible backend against a scripted local HTTP server: streaming, stop emulation,
usage, retries, errors, concurrency, and the API key kept from the REPL."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
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


def _prompts(n: int) -> list[list[dict[str, str]]]:
    return [[{"role": "user", "content": f"q{i}"}] for i in range(n)]


def test_a_batch_keeps_max_concurrency_requests_in_flight_and_its_order(server) -> None:
    url, script = server
    script.gate = 3  # the first 3 requests answer only once 3 are in flight
    for i in range(7):
        script.by_prompt[f"q{i}"] = [("stream", [f"r{i} ", "done"], "stop",
                                      {"prompt_tokens": 10 + i, "completion_tokens": 2})]
    out = _backend(url, max_concurrency=3).generate_batch(_prompts(7), Sampling(8))
    assert [r.text for r in out] == [f"r{i} done" for i in range(7)]  # type: ignore[union-attr]
    assert [r.prompt_tokens for r in out] == [10 + i for i in range(7)]  # type: ignore[union-attr]
    assert script.max_in_flight == 3 and len(script.requests) == 7


def test_a_failed_item_is_its_error_in_place_and_the_others_answer(server) -> None:
    url, script = server
    script.by_prompt = {"q1": [("status", 400)], "q3": [("die", ["half"])],
                        "q2": [("status", 429), ("status", 503), ("stream", ["fine"], "stop", None)]}
    out = _backend(url, max_concurrency=4).generate_batch(_prompts(5), Sampling(8))
    assert isinstance(out[1], BackendError) and "HTTP 400" in str(out[1])
    assert isinstance(out[3], BackendError) and "middle of a reply" in str(out[3])
    assert [r.text for r in (out[0], out[2], out[4])] == ["ok", "fine", "ok"]  # type: ignore[union-attr]
    assert len(script.requests) == 7  # q2 retried twice, nothing else resent


def test_batches_from_several_threads_share_one_limit_with_or_without_a_running_loop(server) -> None:
    url, script = server
    script.gate = 3
    backend = _backend(url, max_concurrency=3)

    async def inside_a_loop() -> list[Any]:  # a caller whose thread already runs an asyncio loop
        return backend.generate_batch(_prompts(4), Sampling(8))

    with ThreadPoolExecutor(2) as pool:
        looped = pool.submit(asyncio.run, inside_a_loop())
        plain = pool.submit(backend.generate_batch, _prompts(4), Sampling(8))
        results = looped.result() + plain.result()
    assert [r.text for r in results] == ["ok"] * 8
    assert script.max_in_flight == 3  # 8 requests from 2 threads, never more than the limit at once


def test_a_server_that_stalls_past_the_timeout_is_an_error_item(server) -> None:
    url, script = server
    script.by_prompt = {"q0": [("stall", 3.0)]}
    out = _backend(url, timeout=0.3, max_retries=0).generate_batch(_prompts(2), Sampling(8))
    assert isinstance(out[0], BackendError) and "did not answer in time" in str(out[0])
    assert out[1].text == "ok"  # type: ignore[union-attr]


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


def test_a_with_block_closes_the_connection_pool_and_closing_again_is_harmless(server) -> None:
    url, script = server
    script.replies.append(("stream", ["ok"], "stop", None))
    with _backend(url) as backend:
        assert backend.generate(USER, Sampling(4)).text == "ok"
        assert not backend._client.is_closed
    assert backend._client.is_closed
    backend.close()
    assert backend._client.is_closed
