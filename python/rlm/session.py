"""Many questions over one context: `Session` keeps what every question would otherwise rebuild.

A fresh `rlm -t ...` process pays Python imports, the model load, the context open and its
description, the REPL worker's start and the prefill of the system prompt and context description
before its first token (~6 s of a ~9 s answer on a 2-core CPU, benches/README.md). A session pays
them once: it keeps the backend (model and its root KV cache, whose prefix the next question shares
up to the end of the context description), the opened `Context` and its summary, and the REPL
worker with its namespace. Each question is a new run of the loop (`engine._Run`: fresh
conversation, fresh turn, sub-call and time budgets); the earlier questions and answers are in the
REPL as `history` (and named in the first message), and the variables they set are still defined.

`rlm_generate` is a session of one question: both go through `Session.ask`.
"""

from __future__ import annotations

import os
from typing import Any

from rlm.backends.base import Backend
from rlm.backends.loading import load_backend
from rlm.config import RLMConfig, RLMResponse, check_task
from rlm.direct import choose_mode
from rlm.engine import _Run
from rlm.errors import ReplError, UsageError
from rlm.inputs import ContextInput, OpenedContext, open_context
from rlm.prompts import SYSTEM_PROMPT, next_message_start
from rlm.repl.session import ReplSession
from rlm import tokens
from rlm.summary import ContextSummary, summarize

__all__ = ["Session", "rlm_generate", "run"]

# `history` entries keep this much of a question and of an answer (the REPL holds them as a
# literal, and the first message names the last few): compact, as the `rlms` persistent mode.
HISTORY_KEEP_CHARS = 2000


class Session:
    """Ask several questions about one context, keeping the model, context, REPL and KV prefix.

    `model, tokenizer` (from `mlx_lm.load`), a model name / path / `"replay:FILE.json"`, or
    `backend=` choose the model as in `rlm_generate`; `context` is what `rlm_generate` accepts (or
    an already opened `rlm.inputs.OpenedContext`, which the session then does not close). Not
    thread-safe: one question at a time.

    Example:
        >>> with Session(model, tokenizer, context=Path("big.log")) as s:  # doctest: +SKIP
        ...     first = s.ask("Which service failed first?")
        ...     then = s.ask("At what time did it fail?")  # sees history[0] and the REPL's variables
        >>> then.answer  # doctest: +SKIP
        '03:12:44'
    """

    def __init__(self, model: Any = None, tokenizer: Any = None, *,
                 context: ContextInput | OpenedContext, config: RLMConfig | None = None,
                 backend: Backend | None = None, sub_backend: Backend | None = None,
                 continue_backend: bool = False) -> None:
        self.config = config or RLMConfig()
        self.sub_backend = sub_backend  # answers the sub-calls when given (else `backend` does)
        # The context first: bad input fails in milliseconds, before a model load that takes seconds.
        self._owns_context = not isinstance(context, OpenedContext)
        self.opened: OpenedContext = (open_context(context, self.config.encoding_errors)
                                      if not isinstance(context, OpenedContext) else context)
        try:
            self.backend: Backend = load_backend(model, tokenizer, backend=backend,
                                                 max_kv_size=self.config.max_kv_size,
                                                 seed=self.config.seed)
        except BaseException:
            self._close_context()
            raise
        if not continue_backend:  # an rlm_query child continues its parent's backend state
            self.backend.reset()  # once per session: later questions continue its cache and sampler
        # Earlier questions, oldest first: {"question": ..., "answer": ... or None}.
        self.history: list[dict[str, str | None]] = []
        self._summary: ContextSummary | None = None
        self._repl: ReplSession | None = None
        self._run: _Run | None = None  # the question being answered (its llm_query serves the REPL)
        self._closed = False

    # -- questions ----------------------------------------------------------------------------------

    def ask(self, task: str, *, output_trajectory: str | os.PathLike[str] | None = None,
            parent: _Run | None = None) -> RLMResponse:
        """Answer `task` over the session's context; the answer joins `history`.

        A run that ends without an answer returns a response whose `error` says why (as
        `rlm_generate` does); it joins `history` with answer None.
        Example: `session.ask("How many requests failed?").answer` → `'17'`.
        """
        if self._closed:
            raise UsageError("ask() on a closed Session")
        check_task(task)
        self._run = _Run(self, task, output_trajectory, parent)  # parent: an rlm_query's run
        try:
            response = self._run.run()
        finally:
            self._run = None
        self.history.append({"question": _clip(task), "answer": _clip(response.answer)})
        return response

    def ask_child(self, parent: _Run, task: str, text: str) -> RLMResponse:
        """An `rlm_query`'s child run (docs/subcalls.md): `task` over `text` in a session of its
        own (its own REPL), continuing `parent`'s backends and sharing its budgets.

        Example: `session.ask_child(run, "Which id?", chunk).answer` → `'7566-JC'`.
        """
        with Session(backend=parent.backend, context=text, config=parent.config,
                     sub_backend=parent.subcalls.backend, continue_backend=True) as child:
            return child.ask(task, parent=parent)

    def prepare(self) -> int:
        """Prefill the KV cache with what the next question's first message is known to start
        with (the context description and the earlier-questions note, now that the last answer is
        known), so that question's first token waits only for its own hits and task. Returns the
        tokens prefilled: 0 before the first question, when the next one would run in direct
        mode, or when the backend keeps no cache of its own (`prefill`: the MLX backend has it).

        `rlm chat` calls it after printing each answer, while the next question is typed. The
        tokens are the ones that question would prefill anyway (the cache is exact for a prefix).
        Example: `session.ask("Who failed?"); session.prepare()` → 61.
        """
        prefill = getattr(self.backend, "prefill", None)
        if self._closed or not self.history or prefill is None:
            return 0
        summary = self.summary()
        if choose_mode(self.config.mode, summary.tokens, self.backend.context_window) == "direct":
            return 0
        start = next_message_start(summary, self.history)
        return int(prefill([{"role": "system", "content": SYSTEM_PROMPT},
                            {"role": "user", "content": start}]))

    @property
    def questions(self) -> int:
        """How many questions this session has answered (or tried to)."""
        return len(self.history)

    # -- what the runs share ------------------------------------------------------------------------

    def summary(self) -> ContextSummary:
        """The context's description (size, tokens, preview), computed on first use.

        Example: `session.summary().chars` → `len(context)`.
        """
        if self._summary is None:
            self._summary = summarize(
                self.opened.context, self.backend.count_tokens,
                tokens.rust_tokenizer(getattr(self.backend, "tokenizer_path", None)))
        return self._summary

    def repl_for_question(self, hits: list[str] | None = None) -> ReplSession:
        """The session's REPL, started on first use and told the question being asked.

        Before each question the driver sets `history`, a fresh `answer` dict (a ready answer left
        from the last question would finish the next one at once) and `hits`, the lines of the
        first message's search hits (the 0.5B used `hits` as a variable, its name being there).
        Example: `session.repl_for_question().execute("print(len(history))").output`.
        """
        cfg = self.config
        if self._repl is None:
            self._repl = ReplSession(
                self.opened.path, encoding_errors=cfg.encoding_errors, llm_query=self._llm_query,
                llm_query_batched=self._llm_query_batched, rlm_query_batched=self._rlm_query_batched,
                exec_timeout=cfg.exec_timeout, memory_limit_bytes=cfg.memory_limit_bytes,
                max_output_chars=cfg.max_output_chars,
                tokenizer_path=getattr(self.backend, "tokenizer_path", None),
                interrupt_grace=cfg.interrupt_grace, sandbox=cfg.sandbox,
                context_tree=self.opened.tree_table())
        result = self._repl.execute(
            f'answer = {{"content": "", "ready": False}}\nhistory = {self.history!r}\n'
            f'hits = {list(hits or [])!r}')
        if result.error is not None:
            raise ReplError(f"cannot start the question in the REPL: {result.error.strip()}")
        return self._repl

    def _llm_query(self, prompt: str) -> str:
        if self._run is None:  # the REPL only runs code while a question is being answered
            raise ReplError("llm_query outside a question")
        return self._run.subcalls.query(prompt)

    def _rlm_query_batched(self, prompts: list[str], contexts: list[str | None]) -> list[str | Exception]:
        if self._run is None:
            raise ReplError("rlm_query outside a question")
        return self._run.subcalls.rlm_batch(prompts, contexts)

    def _llm_query_batched(self, prompts: list[str]) -> list[str | Exception]:
        if self._run is None:
            raise ReplError("llm_query_batched outside a question")
        return self._run.subcalls.batch(prompts)

    # -- lifecycle ----------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop the REPL worker and delete the context's temp file (if the session made one);
        idempotent. The backend (model) is left to the garbage collector.

        Example: `session.close()`.
        """
        self._closed = True
        if self._repl is not None:
            self._repl.close()
            self._repl = None
        self._close_context()

    def _close_context(self) -> None:
        if self._owns_context:
            self.opened.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _clip(text: str | None) -> str | None:
    if text is None or len(text) <= HISTORY_KEEP_CHARS:
        return text
    return text[: HISTORY_KEEP_CHARS - 3] + "..."


def run(backend: Backend, opened: OpenedContext, task: str, config: RLMConfig | None = None, *,
        output_trajectory: str | os.PathLike[str] | None = None,
        sub_backend: Backend | None = None) -> RLMResponse:
    """Run the loop with a ready backend over an opened context (the CLI's entry point).

    Example:
        >>> from rlm.backends.replay import ReplayBackend
        >>> with open_context("x = 42") as opened:
        ...     run(ReplayBackend(['```python\\nFINAL(context[-2:])\\n```']), opened, "x?").answer
        '42'
    """
    check_task(task)
    with Session(backend=backend, context=opened, config=config, sub_backend=sub_backend) as session:
        return session.ask(task, output_trajectory=output_trajectory)


def rlm_generate(model: Any = None, tokenizer: Any = None, *, context: ContextInput, task: str,
                 config: RLMConfig | None = None, backend: Backend | None = None,
                 output_trajectory: str | os.PathLike[str] | None = None,
                 sub_backend: Backend | None = None) -> RLMResponse:
    """Answer `task` over `context` with a Recursive Language Model.

    `model, tokenizer` are what `mlx_lm.load` returns; or `model` is a model path / Hugging Face id
    / `"replay:FILE.json"` (None: the bundled default model); or pass any `backend=`
    (`sub_backend=`: another one for the sub-calls, e.g. a smaller model). `context` is
    text, UTF-8 bytes, a path (`pathlib.Path`) or an `rlm.Context`. A run that ends without an
    answer returns a response whose `error` says why; bad input raises `UsageError`/`ContextError`.

    Example:
        >>> from mlx_lm import load  # doctest: +SKIP
        >>> model, tokenizer = load("mlx-community/Qwen2.5-Coder-1.5B-Instruct-4bit")  # doctest: +SKIP
        >>> r = rlm_generate(model, tokenizer, context=Path("big.log"),
        ...                  task="Which service failed first?")  # doctest: +SKIP
        >>> print(r.answer, r.iterations, r.total_tokens)  # doctest: +SKIP
    """
    check_task(task)  # before the context is opened or a model loaded
    with Session(model, tokenizer, context=context, config=config, backend=backend,
                 sub_backend=sub_backend) as session:
        return session.ask(task, output_trajectory=output_trajectory)
