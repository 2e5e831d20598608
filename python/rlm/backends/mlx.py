"""In-process mlx-lm backend: chat template, sampling, streaming, and KV-cache reuse for the root.

The root conversation only grows, so one prompt cache (root_cache.RootPromptCache) is kept across
`generate` calls and only the tokens after the longest common prefix with what the cache holds are
prefilled. The cache holds
the previous prompt plus the tokens the model generated (including its EOS); the next prompt
re-renders that reply through the chat template, cut where the engine stopped it and closed with
`<|im_end|>`, so the tail differs: the cache is trimmed back to the common prefix and prefilled
from there. Sub-calls (`llm_query`) get a fresh cache and a pre-flight length check.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from rlm import _openblas

_openblas.preload()  # must come before the first `import mlx` (see _openblas)

import mlx.core as mx  # noqa: E402
from mlx_lm import load as mlx_load  # noqa: E402
from mlx_lm import stream_generate  # noqa: E402
from mlx_lm.models.cache import make_prompt_cache  # noqa: E402
from mlx_lm.sample_utils import make_sampler  # noqa: E402

from rlm import tokens  # noqa: E402
from rlm.backends import _prefix_cache, mlx_batch  # noqa: E402
from rlm.backends.root_cache import RootPromptCache, common_prefix  # noqa: E402
from rlm.backends.base import Completion, Message, Sampling, Conversation, StopFn  # noqa: E402
from rlm.errors import BackendError  # noqa: E402

def _warn_if_openblas_missed() -> None:
    """Say once when OpenBLAS exists but MLX was imported first (prefill is then ~20x slower)."""
    global _warned
    if not _warned and _openblas.status() == "too late" and _openblas.find_openblas():
        _warned = True
        print(
            "rlm: warning: mlx was imported before rlm, so MLX is not using OpenBLAS (about 20x "
            "slower prompt processing on this CPU): import rlm (or mlx_lm.rlm) before mlx / mlx_lm",
            file=sys.stderr,
        )


_warned = False
# Tokens run through the model at once by `prefill` (mlx-lm's own prefill step size).
PREFILL_STEP = 2048


def _sampler(sampling: Sampling) -> Any:
    return make_sampler(temp=sampling.temp, top_p=sampling.top_p, top_k=sampling.top_k)


class MLXBackend:
    """A chat model run in-process by mlx-lm, implementing `rlm.backends.base.Backend`.

    Example:
        >>> model, tokenizer = mlx_lm.load(str(rlm.models.install()))  # doctest: +SKIP
        >>> backend = MLXBackend(model, tokenizer, seed=0)  # doctest: +SKIP
    """

    supports_assistant_prefix = True  # the chat template ends with "<|im_start|>assistant\n"

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        max_kv_size: int | None = None,
        seed: int | None = None,
        name: str = "mlx",
        context_window: int | None = None,
        tokenizer_path: str | None = None,
        model_dir: str | None = None,
        share_prefix: bool = True,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.name = name
        args = getattr(model, "args", None)
        self.context_window: int | None = context_window or getattr(
            args, "max_position_embeddings", None
        )
        self.tokenizer_path = tokenizer_path
        self.max_kv_size = max_kv_size
        self.rotating_cache = max_kv_size is not None  # old tokens fall out: no window limit
        self.seed = seed
        # Set when the weights' directory is known: enables the on-disk system-prompt cache.
        self.model_dir = model_dir
        identity = _prefix_cache.model_identity(Path(model_dir)) if model_dir else None
        self.root_cache = RootPromptCache(model, max_kv_size=max_kv_size, identity=identity)
        # generate_batch prefills the prompts' common start once (False: each prompt in full).
        self.share_prefix = share_prefix
        # Timings of the last generate / generate_batch call (for benches and progress displays).
        self.last_stats: dict[str, float] = {}
        self.reset()
        _warn_if_openblas_missed()

    # -- Backend protocol ---------------------------------------------------------------------

    def count_tokens(self, text: str) -> int:
        """Number of tokens `text` encodes to, without the chat template.

        In Rust (`rlm.Tokenizer`, the same ids, several times faster) when it reads the model's
        tokenizer.json; the engine's window checks and direct mode's fitting count a lot.
        Example: `backend.count_tokens("hello world")` → 2.
        """
        fast = tokens.rust_tokenizer(self.tokenizer_path)
        if fast is not None:
            return fast.count(text)
        return len(self.tokenizer.encode(text, add_special_tokens=False))

    def reset(self) -> None:
        """Start a new run: re-seed sampling, so each run starts the same way.

        The root cache is kept: a KV cache is exact for any prefix the next run shares (the system
        prompt at least), and the next call trims it to that common prefix anyway.
        Example: `backend.reset()` before a new `rlm_generate` run.
        """
        if self.seed is not None:
            mx.random.seed(self.seed)

    def drop_cache(self) -> None:
        """Forget the root cache entirely (the next call prefills the whole prompt).

        Example: `backend.drop_cache()` to measure a cold first turn.
        """
        self.root_cache.clear()

    def generate(
        self,
        messages: Sequence[Message],
        sampling: Sampling,
        *,
        stop: StopFn | None = None,
        assistant_prefix: str = "",
        conversation: Conversation = "root",
        on_text: Callable[[str], None] | None = None,
    ) -> Completion:
        """Generate the next assistant message (see `Backend.generate`).

        Example:
            >>> c = backend.generate([{"role": "user", "content": "Hi"}], Sampling(16))  # doctest: +SKIP
            >>> c.text, c.prefill_tokens  # doctest: +SKIP
        """
        started = time.perf_counter()
        max_tokens = sampling.max_tokens
        ids = self.prompt_ids(messages, assistant_prefix)
        if conversation == "sub":
            self._check_fits(ids, "this llm_query prompt", "pass a smaller piece of the context")
            cache, feed, computed, remember = make_prompt_cache(self.model), ids, 0, False
        else:
            if self.max_kv_size is None:
                self._check_fits(ids, "the conversation", "start again with --max-kv-size")
            cache, feed, computed = self.root_cache.fetch_nearest_cache(
                ids, lambda: self._system_tokens(ids, messages)
            )
            remember = True
        if self.context_window and self.max_kv_size is None:
            max_tokens = max(1, min(max_tokens, self.context_window - len(ids)))

        try:
            text, generated, finish = self._run(cache, feed, max_tokens, sampling, stop, on_text)
        except BaseException:
            if remember:  # interrupted mid-way: what the cache holds is no longer known
                self.drop_cache()
            raise
        if remember:
            self.root_cache.insert_cache(ids + generated, cache)
        return Completion(
            text=text,
            prompt_tokens=len(ids),
            prefill_tokens=len(feed) + computed,
            generation_tokens=len(generated),
            finish_reason=finish,
            elapsed=time.perf_counter() - started,
        )

    def generate_batch(
        self,
        prompts: Sequence[Sequence[Message]],
        sampling: Sampling,
        *,
        stop: StopFn | None = None,
        max_batch: int | None = None,
    ) -> list[Completion | BackendError]:
        """Answer several independent conversations at once (sub-calls), each with a fresh cache.

        One entry per prompt, in order; a prompt too long for the window is a `BackendError` in its
        place and the others still run. The prompts' common token prefix (an instruction before
        different chunks) is prefilled once, and each sequence only its own rest; the first item's
        `prefill_tokens` counts the shared part, the others' only their rest. At most `max_batch` sequences decode at once, fewer when
        `mlx_batch.memory_cap` says memory would not hold them; continuous batching starts the next
        prompt as one finishes. Decoding is bound by memory bandwidth, so one batched step costs
        little more than one stream's (benches/README.md); greedy answers are the same as
        `generate(..., conversation="sub")` gives; `stop` cuts each sequence as in `generate`.
        Example: `[c.text for c in backend.generate_batch([[q1], [q2]], Sampling(64))]`.
        """
        started = time.perf_counter()
        results: list[Completion | BackendError | None] = [None] * len(prompts)
        ids_list: list[list[int]] = []
        runnable: list[int] = []
        for i, messages in enumerate(prompts):
            ids = self.prompt_ids(messages)
            try:
                self._check_fits(ids, "this llm_query prompt", "pass a smaller piece of the context")
            except BackendError as e:
                results[i] = e
                continue
            runnable.append(i)
            ids_list.append(ids)
        limits = [
            max(1, min(sampling.max_tokens, self.context_window - len(ids))) if self.context_window
            else sampling.max_tokens
            for ids in ids_list
        ]  # fmt: skip
        if ids_list:
            cap = mlx_batch.memory_cap(getattr(self.model, "args", None), [len(i) for i in ids_list],
                                       sampling.max_tokens, mlx_batch.free_memory_bytes())
            concurrency = max(1, min(cap, max_batch or len(ids_list)))
            outputs, stats, shared = mlx_batch.run_batch(
                self.model, self.tokenizer, ids_list, limits, _sampler(sampling), concurrency, stop,
                share_prefix=self.share_prefix,
            )  # fmt: skip
            self.last_stats = {"batch": len(ids_list), "concurrency": concurrency,
                               "prompt_tokens": stats.prompt_tokens, "prompt_seconds": stats.prompt_time,
                               "shared_prefix_tokens": shared,
                               "generation_tokens": stats.generation_tokens,
                               "decode_seconds": stats.decode_time, "seconds": stats.wall_time}
            elapsed = time.perf_counter() - started
            for n, (i, ids, out) in enumerate(zip(runnable, ids_list, outputs)):
                results[i] = Completion(
                    text=out.text,
                    prompt_tokens=len(ids),
                    # The shared prefix ran once: the first item counts it, as a server's prefix
                    # cache makes the first request of a batch prefill it (the others hit it).
                    prefill_tokens=len(ids) - (shared if n else 0),
                    # A finished answer's EOS token was generated too (as generate() counts it).
                    generation_tokens=len(out.tokens) + out.ended_on_eos,
                    finish_reason=out.finish_reason,
                    elapsed=elapsed,
                )
        return [r for r in results if r is not None]

    # -- internals ----------------------------------------------------------------------------

    def prefill(self, messages: Sequence[Message]) -> int:
        """Prefill the root cache with `messages` as the start of the next root prompt, the last
        message left open (its end of turn not rendered): a `generate` whose prompt starts with
        them prefills only what follows (`Session.prepare`). Returns the tokens prefilled.

        Example: `backend.prefill([system, {"role": "user", "content": "The context has"}])` → 9.
        """
        opened = str(messages[-1]["content"])
        rendered = self.tokenizer.apply_chat_template(list(messages), tokenize=False)
        rendered = rendered[: rendered.rindex(opened) + len(opened)]
        ids = list(self.tokenizer.encode(rendered, add_special_tokens=False))
        cache, feed, computed = self.root_cache.fetch_nearest_cache(
            ids, lambda: self._system_tokens(ids, messages))
        try:
            for at in range(0, len(feed), PREFILL_STEP):
                self.model(mx.array(feed[at:at + PREFILL_STEP])[None], cache=cache)
                mx.eval([c.state for c in cache])
        except BaseException:  # what the cache holds is no longer known
            self.drop_cache()
            raise
        self.root_cache.insert_cache(ids, cache)
        return len(feed) + computed

    def prompt_ids(self, messages: Sequence[Message], assistant_prefix: str = "") -> list[int]:
        """Token ids of the templated conversation, opened for the assistant, plus the prefix.

        Example: `backend.prompt_ids([{"role": "user", "content": "Hi"}])[-3:]` ends with the
        tokens of "<|im_start|>assistant\\n".
        """
        rendered = self.tokenizer.apply_chat_template(
            list(messages), add_generation_prompt=True, tokenize=False
        )
        return list(self.tokenizer.encode(rendered + assistant_prefix, add_special_tokens=False))

    def _check_fits(self, ids: list[int], what: str, advice: str) -> None:
        if self.context_window and len(ids) >= self.context_window:
            raise BackendError(
                f"{what} is {len(ids)} tokens, more than the model's {self.context_window}-token "
                f"window: {advice}"
            )

    def _system_tokens(self, ids: list[int], messages: Sequence[Message]) -> int | None:
        """How many leading tokens of `ids` render the system prompt (kept by a rotating cache);
        None without a system prompt."""
        if not messages or messages[0].get("role") != "system":
            return None
        rendered = self.tokenizer.apply_chat_template([messages[0]], tokenize=False)
        return common_prefix(ids, self.tokenizer.encode(rendered, add_special_tokens=False))

    def _run(
        self,
        cache: list[Any],
        feed: list[int],
        max_tokens: int,
        sampling: Sampling,
        stop: StopFn | None,
        on_text: Callable[[str], None] | None,
    ) -> tuple[str, list[int], str]:
        """Stream tokens into `cache`; return (text cut by `stop`, generated ids, finish reason)."""
        sampler = _sampler(sampling)
        text, emitted, finish = "", 0, "length"
        generated: list[int] = []
        last: Any = None
        for response in stream_generate(
            self.model, self.tokenizer, mx.array(feed), max_tokens=max_tokens,
            sampler=sampler, prompt_cache=cache,
        ):  # fmt: skip
            generated.append(int(response.token))
            last = response
            text += response.text
            cut = stop(text) if stop is not None and response.text else None
            if cut is not None:
                text, finish = text[:cut], "stop"
            elif response.finish_reason is not None:
                finish = "stop" if response.finish_reason == "stop" else "length"
            if on_text is not None and len(text) > emitted:
                on_text(text[emitted:])
                emitted = len(text)
            if cut is not None:
                break
        if generated and last is not None and last.prompt_tps > 0 and last.generation_tps > 0:
            # The speeds of the last token seen; the decode phase excludes the first token.
            self.last_stats = {"batch": 1, "concurrency": 1, "prompt_tokens": last.prompt_tokens,
                               "prompt_seconds": last.prompt_tokens / last.prompt_tps,
                               "generation_tokens": last.generation_tokens,
                               "decode_seconds": last.generation_tokens / last.generation_tps}
        return text, generated, finish


def load_model(
    model: str | None, *, max_kv_size: int | None = None, seed: int | None = None
) -> MLXBackend:
    """An MLXBackend for a bundled model name (installed on first use; None = the default),
    a local MLX model directory, or a Hugging Face repo id.

    Example: `load_model(None).generate([{"role": "user", "content": "2+2?"}], Sampling(8))`.
    """
    from rlm.models import REGISTRY, install
    from rlm.models.registry import DEFAULT_MODEL

    name = model if model is not None else DEFAULT_MODEL
    if model is None or model in REGISTRY:
        path: str = str(install(model))
    elif Path(model).expanduser().exists():
        path = str(Path(model).expanduser())
    else:
        path = model  # a Hugging Face repo id: mlx_lm downloads it (or finds it in the HF cache)
    try:
        loaded: Any = mlx_load(path, return_config=True)
    except Exception as exc:  # mlx-lm and huggingface_hub raise many types; the user needs one line
        if path == model and not Path(model).exists():
            raise BackendError(
                f"cannot load {model!r} from Hugging Face ({type(exc).__name__}; no network?): "
                "offline, use a bundled model (`rlm models list`, `rlm models install NAME`, "
                "then --model NAME) or a local MLX model directory"
            ) from exc
        raise BackendError(f"cannot load the model in {path}: {type(exc).__name__}: {exc}") from exc
    mlx_model, tokenizer, config = loaded
    tokenizer_json = Path(path) / "tokenizer.json"
    return MLXBackend(
        mlx_model,
        tokenizer,
        max_kv_size=max_kv_size,
        seed=seed,
        name=name,
        context_window=config.get("max_position_embeddings"),
        tokenizer_path=str(tokenizer_json) if tokenizer_json.exists() else None,
        model_dir=path if Path(path).is_dir() else None,
    )
