"""Any OpenAI-compatible chat server as a backend: mlx_lm.server, vLLM, SGLang, llama.cpp, hosted APIs.

`POST {base_url}/chat/completions` with `stream: true` (httpx). What the engine needs from a
backend, over HTTP:
- stop: the engine's stop function (end of the first code block; loop_control's degeneration cut)
  runs client-side on the streamed text, and the stream is closed when it cuts. Stop strings that
  start at token boundaries (`"```\\n"`) are also sent so the server stops by itself and reports
  usage; the server drops a matched stop string from the text, so it is put back when the stop
  function would have cut there.
- usage: prompt and completion tokens from the server's final chunk (`stream_options.include_usage`),
  cached prompt tokens (`usage.prompt_tokens_details.cached_tokens`) as prefill reuse. A stream
  closed early has no usage: counts are then estimated (streamed chunks, the local tokenizer or
  ~4 characters per token).
- retries: connection errors, 429 and 5xx are retried with exponential backoff; other 4xx fail at
  once with the server's message. A server that is down or dies mid-reply is one `BackendError`.
- concurrency: requests are coroutines on one background event loop (rlm.backends.event_loop)
  sharing one `httpx.AsyncClient`; at most `max_concurrency` are in flight at once, whichever
  thread (a batch, concurrent `rlm_query_batched` children) sends them. `generate` and
  `generate_batch` block their caller, from any thread, with or without a running loop of its own.
- batches: `generate_batch` sends its prompts as concurrent requests. Prompts sharing a prefix:
  the first is sent alone until its first token arrives, so the server's prefix cache (vLLM
  automatic prefix caching, SGLang's radix cache, mlx_lm.server's prompt cache) holds the shared
  part before the others arrive.
The API key is read from an environment variable, never passed to the REPL worker.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from contextlib import aclosing
from pathlib import Path
from typing import Any, AsyncGenerator, Callable, Sequence

import httpx

from rlm.backends import event_loop
from rlm.backends.base import Completion, Conversation, Message, Sampling, StopFn
from rlm.errors import BackendError
from rlm.repl import limits

# Stop strings sent for a turn that has a stop function: the end of a code block, at a token
# boundary in common BPE vocabularies (mlx_lm.server ignores a stop that falls inside a token).
BLOCK_STOPS = ("```\n",)
RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
_SHARED_PREFIX_CHARS = 200  # prompts sharing at least this much go first-one-alone


class OpenAIBackend:
    """A chat model behind an OpenAI-compatible HTTP API, implementing `rlm.backends.base.Backend`.

    Example:
        >>> b = OpenAIBackend("http://127.0.0.1:8080/v1", "my-model")  # doctest: +SKIP
        >>> b.generate([{"role": "user", "content": "2+2?"}], Sampling(8)).text  # doctest: +SKIP
        '4'
    """

    # Chat APIs start the assistant message themselves: the model writes its own opening fence.
    supports_assistant_prefix = False

    def __init__(self, base_url: str, model: str, *, api_key_env: str = "OPENAI_API_KEY",
                 timeout: float = 300.0, max_retries: int = 3, backoff: float = 0.5,
                 max_concurrency: int = 8, context_window: int | None = None,
                 tokenizer_path: str | None = None, seed: int | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        if not self.base_url.endswith("/v1"):
            self.base_url += "/v1"
        self.model = model
        self.name = f"openai:{model}"
        self.context_window = context_window or _window_of(Path(model))
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_concurrency = max_concurrency
        self.seed = seed
        limits.scrub_also(api_key_env)  # whatever its name, the REPL worker never sees it
        key = os.environ.get(api_key_env)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        # read= bounds the wait for the next streamed chunk, not the whole reply.
        self._client = httpx.AsyncClient(headers=headers, timeout=httpx.Timeout(timeout, connect=10.0),
                                         limits=httpx.Limits(max_connections=max(4, max_concurrency)))
        self._slots: asyncio.Semaphore | None = None  # made on the loop it is used on
        # A local tokenizer for counts when the model name is a directory (mlx_lm.server --model DIR).
        local = tokenizer_path or (str(Path(model) / "tokenizer.json")
                                   if (Path(model) / "tokenizer.json").is_file() else None)
        self.tokenizer_path = local
        self._tokenizer: Any = None
        if local is not None:
            from tokenizers import Tokenizer

            self._tokenizer = Tokenizer.from_file(local)

    # -- Backend protocol -----------------------------------------------------------------------

    def count_tokens(self, text: str) -> int:
        """Tokens in `text`: exact with a local tokenizer.json, else ~4 characters per token.

        >>> OpenAIBackend("http://h", "m").count_tokens("abcdefgh")
        2
        """
        if self._tokenizer is not None:
            return len(self._tokenizer.encode(text, add_special_tokens=False).ids)
        return max(1, len(text) // 4) if text else 0

    def reset(self) -> None:
        """Nothing to forget: the server owns its caches."""

    def close(self) -> None:
        """Close the connection pool (idempotent); `rlm` does it at the end of a run, and
        `with OpenAIBackend(...) as b:` at the end of the block.

        >>> OpenAIBackend("http://h", "m").close()
        """
        if not self._client.is_closed:
            event_loop.run(self._client.aclose())

    def __enter__(self) -> OpenAIBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def generate(self, messages: Sequence[Message], sampling: Sampling, *, stop: StopFn | None = None,
                 assistant_prefix: str = "", conversation: Conversation = "root",
                 on_text: Callable[[str], None] | None = None) -> Completion:
        """Stream one reply (see `Backend.generate`); `on_text` is called on the event loop's thread."""
        return event_loop.run(self._generate(messages, sampling, stop, conversation, on_text))

    def generate_batch(self, prompts: Sequence[Sequence[Message]], sampling: Sampling, *,
                       stop: StopFn | None = None,
                       max_batch: int | None = None) -> list[Completion | BackendError]:
        """Independent sub-calls as concurrent requests: up to `max_concurrency` (and `max_batch`)
        in flight at once.

        One entry per prompt, in order; a failed request is its `BackendError` in place.
        Example: `[c.text for c in backend.generate_batch([[q1], [q2]], Sampling(64))]`.
        """
        if not prompts:
            return []
        return event_loop.run(self._generate_batch(prompts, sampling, stop, max_batch))

    # -- internals (coroutines on rlm.backends.event_loop's loop) --------------------------------

    async def _generate_batch(self, prompts: Sequence[Sequence[Message]], sampling: Sampling,
                              stop: StopFn | None, max_batch: int | None) -> list[Completion | BackendError]:
        width = asyncio.Semaphore(max(1, min(max_batch or len(prompts), len(prompts))))
        # The shared prefix reaches the server's cache with the first prompt, before the others.
        warm = asyncio.Event() if len(prompts) > 1 and _shared_prefix(prompts) >= _SHARED_PREFIX_CHARS else None

        async def one(i: int) -> Completion | BackendError:
            if warm is not None and i > 0:
                await warm.wait()
            try:
                async with width:
                    return await self._generate(prompts[i], sampling, stop, "sub", None,
                                                warm if i == 0 else None)
            except BackendError as e:
                return e
            except Exception as e:  # noqa: BLE001 - this prompt's failure only: the others go on
                return BackendError(f"{type(e).__name__}: {e}")
            finally:
                if warm is not None and i == 0:
                    warm.set()

        return list(await asyncio.gather(*(one(i) for i in range(len(prompts)))))

    async def _generate(self, messages: Sequence[Message], sampling: Sampling, stop: StopFn | None,
                        conversation: Conversation, on_text: Callable[[str], None] | None,
                        first_token: asyncio.Event | None = None) -> Completion:
        started = time.perf_counter()
        body: dict[str, Any] = {
            "model": self.model, "messages": list(messages), "stream": True,
            "stream_options": {"include_usage": True}, "max_tokens": sampling.max_tokens,
            "temperature": sampling.temp, "top_p": sampling.top_p,
        }
        if sampling.top_k:
            body["top_k"] = sampling.top_k  # an extension vLLM, SGLang and mlx_lm.server accept
        if self.seed is not None:
            body["seed"] = self.seed
        stops = list(BLOCK_STOPS) if stop is not None and conversation == "root" else []
        if stops:
            body["stop"] = stops
        text, chunks, finish, usage, finished = "", 0, "length", None, False
        cut: int | None = None
        async with aclosing(self._stream(body)) as events:  # leaving early closes the stream
            async for event in events:
                if event.get("usage"):
                    usage = event["usage"]
                for choice in event.get("choices") or []:
                    piece = (choice.get("delta") or {}).get("content") or ""
                    if piece:
                        chunks += 1
                        text += piece
                        if first_token is not None:
                            first_token.set()
                        cut = stop(text) if stop is not None else None
                        if cut is not None:
                            text, finish = text[:cut], "stop"
                            break
                        if on_text is not None:
                            on_text(piece)
                    if choice.get("finish_reason"):
                        finish = "length" if choice["finish_reason"] == "length" else "stop"
                        finished = True
                if cut is not None:
                    break  # closing the stream tells the server to stop generating
        if cut is None and not finished:  # the body ended before the reply did: the server went away
            raise BackendError(f"the server at {self.base_url} closed the connection in the middle of "
                               f"a reply (after {chunks} pieces of text)")
        if cut is None and finish == "stop" and stop is not None:
            text = self._restore_stop_string(text, stop, stops, on_text)
        return self._completion(messages, text, chunks, finish, usage, started)

    async def _stream(self, body: dict[str, Any]) -> AsyncGenerator[dict[str, Any], None]:
        """The server-sent events of one request, retried while nothing has been received yet.

        Each attempt holds one of the backend's `max_concurrency` slots; a backoff holds none.
        """
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_concurrency)
        url = f"{self.base_url}/chat/completions"
        for attempt in range(self.max_retries + 1):
            received, retry_after = False, None
            try:
                async with self._slots, self._client.stream("POST", url, json=body) as response:
                    if response.status_code != 200:
                        detail = (await response.aread()).decode("utf-8", "replace")[:300]
                        if response.status_code not in RETRY_STATUS or attempt >= self.max_retries:
                            raise BackendError(f"the server at {self.base_url} answered HTTP "
                                               f"{response.status_code}: {detail.strip() or response.reason_phrase}")
                        retry_after = response.headers.get("retry-after", "")
                    else:
                        async for line in response.aiter_lines():
                            if not line.startswith("data:"):
                                continue
                            data = line[5:].strip()
                            if data == "[DONE]":
                                return
                            received = True
                            try:
                                event = json.loads(data)
                            except json.JSONDecodeError:
                                raise BackendError(f"the server at {self.base_url} sent a malformed "
                                                   f"event: {data[:200]!r}") from None
                            yield event
                        return
            except httpx.TransportError as e:
                if received:  # the reply was under way: its text so far cannot be trusted
                    raise BackendError(f"the server at {self.base_url} closed the connection in the "
                                       f"middle of a reply ({type(e).__name__}: {e})") from e
                if attempt >= self.max_retries:
                    raise BackendError(_unreachable(self.base_url, self.max_retries + 1, e)) from e
            await asyncio.sleep(self._delay(attempt, retry_after or None))

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        """Seconds to wait before retry `attempt + 1`: exponential, or the server's Retry-After."""
        delay = self.backoff * (2**attempt)
        if retry_after is not None:
            try:
                delay = max(delay, min(float(retry_after), 60.0))
            except ValueError:
                pass
        return delay

    @staticmethod
    def _restore_stop_string(text: str, stop: StopFn, stops: list[str],
                             on_text: Callable[[str], None] | None) -> str:
        """Put back a stop string the server matched and dropped, where the stop fn would cut."""
        for s in stops:
            cut = stop(text + s)
            if cut is not None and cut > len(text):
                if on_text is not None:
                    on_text((text + s)[len(text):cut])
                return (text + s)[:cut]
        return text

    def _completion(self, messages: Sequence[Message], text: str, chunks: int, finish: str,
                    usage: dict[str, Any] | None, started: float) -> Completion:
        if usage:
            prompt = int(usage.get("prompt_tokens") or 0)
            generated = int(usage.get("completion_tokens") or 0)
            cached = int((usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0)
        else:  # closed early: estimate (a streamed chunk is about one token on these servers)
            prompt = sum(self.count_tokens(m.get("content", "")) + 4 for m in messages)
            generated, cached = max(chunks, self.count_tokens(text)), 0
        return Completion(text=text, prompt_tokens=prompt, prefill_tokens=max(0, prompt - cached),
                          generation_tokens=generated, finish_reason=finish,
                          elapsed=time.perf_counter() - started)


def _unreachable(base_url: str, attempts: int, e: httpx.TransportError) -> str:
    """The error line for a request that failed `attempts` times without an answer."""
    if isinstance(e, httpx.TimeoutException) and not isinstance(e, httpx.ConnectTimeout):
        return (f"the server at {base_url} did not answer in time after {attempts} attempts "
                f"({type(e).__name__}; --request-timeout)")
    return (f"cannot reach the server at {base_url} after {attempts} attempts "
            f"({type(e).__name__}: {e}): is it running? (--base-url)")


def _window_of(model_dir: Path) -> int | None:
    """The model's window from its config.json when the served name is a local directory
    (`mlx_lm.server --model DIR`), else None (the engine then leaves the limit to the server).

    >>> _window_of(Path("/nonexistent")) is None
    True
    """
    try:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    window = config.get("max_position_embeddings") if isinstance(config, dict) else None
    return int(window) if isinstance(window, int) and window > 0 else None


def _shared_prefix(prompts: Sequence[Sequence[Message]]) -> int:
    """Characters the prompts' last messages share at their start."""
    texts = [p[-1].get("content", "") if p else "" for p in prompts]
    first = texts[0]
    n = len(first)
    for t in texts[1:]:
        n = min(n, len(t))
        i = 0
        while i < n and first[i] == t[i]:
            i += 1
        n = i
    return n
