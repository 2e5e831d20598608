"""Direct mode: one generation with the document in the prompt, no REPL (`--mode direct|auto`).

It is the baseline an RLM must beat, and for a context far inside the window the better choice:
one prefill instead of several turns. `auto` takes it below a measured break-even
(`AUTO_DIRECT_MAX_TOKENS`, docs/eval.md "Direct or RLM"). `rlm eval --mode direct` uses the same
prompt and the same head-fitting, so its numbers describe this code.
"""

from __future__ import annotations

from typing import Callable, Literal

from rlm._core import Context
from rlm.backends.base import Backend, Completion, Message, Sampling
from rlm.config import Mode, RLMResponse
from rlm.errors import RLMError, UsageError
from rlm.run_log import RunLog
from rlm.summary import ContextSummary
from rlm.trajectory import IterationRecord

DIRECT_SYSTEM = "You answer questions about a document. Reply with the answer only, no explanation."
# Room for the chat template's role markers around the system and user messages.
TEMPLATE_SLACK_TOKENS = 32
ANSWER_TOKENS = 256
# `auto` answers directly when the whole context is at most this many tokens and at most half of
# the model's window. Measured on the bundled 0.5B on a 2-core CPU (docs/eval.md): below ~1K tokens
# one prefill beats the loop's several turns at equal accuracy; above it the loop wins on
# aggregation and lists (code counts exactly) and prefill time grows linearly.
AUTO_DIRECT_MAX_TOKENS = 1024
AUTO_WINDOW_SHARE = 0.5


def fit_head(text: str, budget: int, count_tokens: Callable[[str], int]) -> str:
    """The longest prefix of `text` that encodes to at most `budget` tokens (binary search).

    >>> fit_head("abcdefgh", 3, len)
    'abc'
    """
    if budget <= 0:
        return ""
    if count_tokens(text) <= budget:
        return text
    lo, hi = 0, len(text)  # count(text[:lo]) <= budget < count(text[:hi])
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if count_tokens(text[:mid]) <= budget:
            lo = mid
        else:
            hi = mid
    return text[:lo]


def direct_messages(document: str, question: str) -> list[Message]:
    """The direct-mode prompt: the document, then the question (the base model, no loop).

    >>> direct_messages("doc", "Why?")[1]["content"].endswith("Question: Why?")
    True
    """
    user = f"Document:\n<document>\n{document}\n</document>\n\nQuestion: {question}"
    return [{"role": "system", "content": DIRECT_SYSTEM}, {"role": "user", "content": user}]


def document_budget(backend: Backend, question: str, window: int,
                    answer_tokens: int = ANSWER_TOKENS) -> int:
    """Tokens of document that fit `window` beside the question, the template and the answer.

    >>> class B: count_tokens = staticmethod(len)
    >>> document_budget(B(), "Why?", 1000)  # type: ignore[arg-type]
    581
    """
    overhead = sum(backend.count_tokens(m["content"]) for m in direct_messages("", question))
    budget = window - overhead - TEMPLATE_SLACK_TOKENS - answer_tokens
    if budget <= 0:
        raise UsageError(f"a direct window of {window} tokens leaves no room for the document")
    return budget


def head_that_fits(context: Context, budget: int, count_tokens: Callable[[str], int]) -> str:
    """The longest head of `context` within `budget` tokens, read without materialising the rest.

    No token is shorter than one character, and none in real text longer than ~16, so reading
    16 characters per token bounds the slice.

    >>> head_that_fits(Context.from_str("abcdefgh"), 3, len)
    'abc'
    """
    return fit_head(context[: budget * 16], budget, count_tokens)


def direct_document(backend: Backend, context: Context, question: str, window: int | None,
                    answer_tokens: int = ANSWER_TOKENS, *, tokens: int | None = None,
                    exact: bool = False) -> str:
    """What a direct answer reads: the whole context when it fits `window` beside the question and
    the answer, else its longest head that does (no `window`: the whole context).

    `tokens` is the context's token count when already known (`exact` when counted, not estimated):
    an exact count that fits skips counting the text again.

    >>> class B: count_tokens = staticmethod(len)
    >>> direct_document(B(), Context.from_str("abcdefgh"), "Why?", 425)  # type: ignore[arg-type]
    'abcdef'
    """
    budget = (document_budget(backend, question, window, answer_tokens) if window
              else (tokens or len(context)) + 1)
    if tokens is not None and exact and tokens <= budget:
        return context[:]
    return head_that_fits(context, budget, backend.count_tokens)


def choose_mode(mode: Mode, context_tokens: int | None, window: int | None) -> Literal["rlm", "direct"]:
    """What `--mode` means for this context: `auto` picks direct for a small, counted context.

    >>> choose_mode("auto", 300, 32768), choose_mode("auto", 50_000, 32768), choose_mode("auto", None, None)
    ('direct', 'rlm', 'rlm')
    """
    if mode != "auto":
        return mode
    if context_tokens is None or not window:
        return "rlm"
    small = context_tokens <= AUTO_DIRECT_MAX_TOKENS and context_tokens <= window * AUTO_WINDOW_SHARE
    return "direct" if small else "rlm"


def generate_direct(backend: Backend, document: str, question: str, sampling: Sampling, *,
                    on_text: Callable[[str], None] | None = None) -> Completion:
    """One direct answer over `document` (the backend re-seeded first, so each run starts alike);
    the CLI's `--mode direct` and `rlm eval --mode direct` both answer through here.

    >>> # generate_direct(backend, "The code is 42.", "What is the code?", Sampling(64)).text -> "42"
    """
    backend.reset()
    return backend.generate(direct_messages(document, question), sampling, conversation="sub",
                            on_text=on_text)


def answer_directly(backend: Backend, context: Context, task: str, summary: ContextSummary,
                    log: RunLog) -> RLMResponse:
    """Answer `task` in one generation with `context` in the prompt (`--mode direct`, or `auto`
    on a small context): the head that fits the window when the whole does not. The run's
    trajectory (in `log`) gets one turn, its events and its save as a loop turn would.

    >>> # answer_directly(backend, opened.context, "What is the code?", summary, log).answer -> "42"
    """
    traj, cfg, tokens = log.trajectory, log.config, log.budget.tokens
    sampling = Sampling(ANSWER_TOKENS, cfg.temp, cfg.top_p, cfg.top_k)
    rec = IterationRecord(iteration=1)
    traj.iterations.append(rec)
    document = direct_document(backend, context, task, backend.context_window, sampling.max_tokens,
                               tokens=summary.tokens, exact=not summary.tokens_estimated)
    if len(document) < len(context):
        log.intervene(rec, "direct_truncated", chars_seen=len(document), chars=len(context))
    log.emit("turn", 1, last=False, prefix="")
    try:
        done = generate_direct(backend, document, task, sampling,
                               on_text=lambda piece: log.emit("text", 1, text=piece))
        rec.text, rec.finish_reason = done.text, done.finish_reason
        rec.prompt_tokens = rec.prefill_tokens = done.prompt_tokens
        rec.generated_tokens, rec.generate_seconds = done.generation_tokens, done.elapsed
        tokens.add(root_prefill=done.prompt_tokens, root_generated=done.generation_tokens)
        answer = done.text.strip() or None
        rec.final, rec.final_source = answer, "direct"
        traj.status = "answered" if answer is not None else "error"
        traj.error = None if answer is not None else "the direct answer was empty"
    except KeyboardInterrupt as e:
        traj.status, traj.error = "interrupted", f"interrupted ({e or 'Ctrl-C'})"
        raise
    except RLMError as e:
        traj.status, traj.error, answer = "error", str(e), None
    finally:
        traj.answer = rec.final
        log.save()
    log.emit("end", 1, answer=answer, error=traj.error, exhausted=False, iterations=1,
             total_tokens=tokens.total, elapsed=traj.elapsed)
    return RLMResponse(answer=answer, iterations=1, tokens=tokens, trajectory=traj.to_dict(),
                       error=traj.error, elapsed=traj.elapsed)
