"""Choosing the backend a run uses: the one function the CLI, the Python API and `rlm eval` call.

MLX is imported only when a real model is asked for, so replay runs and tests start fast.
"""

from __future__ import annotations

import os
from typing import Any

from rlm.backends.base import Backend
from rlm.errors import UsageError


def load_backend(model: Any = None, tokenizer: Any = None, *, backend: Backend | None = None,
                 max_kv_size: int | None = None, seed: int | None = None,
                 base_url: str | None = None, api_key_env: str = "OPENAI_API_KEY",
                 max_concurrency: int = 8, request_timeout: float = 300.0) -> Backend:
    """The backend for what the caller has in hand.

    - `backend=`: used as it is (any object satisfying `Backend`);
    - `model, tokenizer` objects from `mlx_lm.load`: wrapped in `MLXBackend`;
    - `model` as a string or path: `replay:FILE.json`, a bundled model name, an MLX model directory
      or a Hugging Face repo id; None: the bundled default model (installed on first use).
    - `base_url=`: an OpenAI-compatible server (`model` is the name it serves; the API key, if any,
      is read from the environment variable `api_key_env`; `max_concurrency` requests at once;
      `request_timeout` seconds at most between streamed pieces).
    `max_kv_size` and `seed` configure the MLX backend; a ready `backend=` keeps its own.

    >>> load_backend("replay:/nonexistent.json")
    Traceback (most recent call last):
    ...
    rlm.errors.UsageError: replay file not found: /nonexistent.json
    """
    if backend is not None:
        if model is not None:
            raise UsageError("pass either backend= or model/tokenizer, not both")
        return backend
    if base_url is not None:
        if model is None or not isinstance(model, (str, os.PathLike)):
            raise UsageError("--backend openai needs --model NAME: the model name the server serves")
        from rlm.backends.openai import OpenAIBackend

        return OpenAIBackend(base_url, os.fspath(model), api_key_env=api_key_env,
                             max_concurrency=max_concurrency, timeout=request_timeout, seed=seed)
    if model is None or isinstance(model, (str, os.PathLike)):
        from rlm.backends.replay import REPLAY_PREFIX, ReplayBackend

        spec = os.fspath(model) if model is not None else None
        if spec is not None and spec.startswith(REPLAY_PREFIX):
            return ReplayBackend.from_file(spec[len(REPLAY_PREFIX):])
        from rlm.backends import mlx

        return mlx.load_model(spec, max_kv_size=max_kv_size, seed=seed)
    if tokenizer is None:
        raise UsageError("a model object needs its tokenizer: model, tokenizer = mlx_lm.load(...)")
    from rlm.backends.mlx import MLXBackend

    return MLXBackend(model, tokenizer, max_kv_size=max_kv_size, seed=seed)


def close_backend(backend: Backend) -> None:
    """Release what `backend` holds open, for whoever loaded it: the HTTP backend's connection
    pool (`OpenAIBackend.close`); nothing for a backend without a `close` (MLX, replay).

    >>> class Pool:
    ...     closed = False
    ...     def close(self) -> None:
    ...         self.closed = True
    >>> pool = Pool(); close_backend(pool); pool.closed  # type: ignore[arg-type]
    True
    """
    close = getattr(backend, "close", None)
    if callable(close):
        close()
