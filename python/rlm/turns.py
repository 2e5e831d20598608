"""Generating one root turn: the backend call, its stop rules, streaming and token counts.

The engine (rlm.engine) decides what a turn is for (its start, its sampling, what to do with its
code); this module only generates it. A turn stops just after its first code block closes, when it
starts repeating itself (`loop_control.degenerate_cut`), or when the run's `max_time` is used up,
and the generator remembers which of the last two happened so the engine can say so in the
feedback. A turn stopped by an exception (Ctrl-C, SIGTERM) keeps what was streamed.
"""

from __future__ import annotations

from typing import Callable

from rlm.backends.base import Backend, Completion, Message, Sampling
from rlm.config import TokenUsage
from rlm.loop_control import combine_stops, degenerate_cut
from rlm.parsing import code_block_end
from rlm.trajectory import IterationRecord


class TurnGenerator:
    """Generates the root conversation's turns into their records and the run's token counts.

    Example:
        >>> from rlm.backends.replay import ReplayBackend
        >>> from rlm.trajectory import IterationRecord
        >>> gen = TurnGenerator(ReplayBackend(["```python\\nprint(1)\\n```\\nmore"]), Sampling(64),
        ...                     TokenUsage(), emit=lambda *a, **k: None,
        ...                     intervene=lambda *a, **k: None)
        >>> gen.generate([{"role": "user", "content": "go"}], IterationRecord(iteration=1))
        '```python\\nprint(1)\\n```'
    """

    def __init__(self, backend: Backend, sampling: Sampling, tokens: TokenUsage, *,
                 emit: Callable[..., None], intervene: Callable[..., None],
                 time_is_up: Callable[[], bool] = lambda: False) -> None:
        self.backend = backend
        self.sampling = sampling  # a turn's sampling unless generate() is given another
        self.tokens = tokens  # the run's counts: root prefill and generated tokens are added here
        self.emit: Callable[..., None] = emit  # (kind, iteration, **data): the run's events
        self.intervene: Callable[..., None] = intervene  # (record, kind, **data)
        self.time_is_up = time_is_up  # whether the run's max_time is used up
        self.prefix = ""  # this turn's start: the assistant prefix, or a steered one
        self.degenerated = False  # the turn being generated was cut for repeating itself
        self.out_of_time = False  # the turn being generated was cut because max_time ran out

    def stop_at_block_end(self, text: str) -> int | None:
        """StopFn: cut generation just after the first code block closes."""
        end = code_block_end(self.prefix + text)
        return None if end is None else max(0, end - len(self.prefix))

    def stop_if_degenerate(self, text: str) -> int | None:
        """StopFn: cut a turn that has started repeating itself (remembered for the feedback)."""
        cut = degenerate_cut(text)
        if cut is not None:
            self.degenerated = True
        return cut

    def stop_if_out_of_time(self, text: str) -> int | None:
        """StopFn: end a turn when the run's `max_time` is used up (a turn may otherwise run on
        to `max_tokens`: 4096 tokens are ~10 minutes on a 2-core CPU)."""
        if self.time_is_up():
            self.out_of_time = True
            return len(text)
        return None

    def generate(self, messages: list[Message], rec: IterationRecord,
                 sampling: Sampling | None = None) -> str:
        """Generate the turn after `messages`, starting with `self.prefix`; return its whole text."""
        self.degenerated = self.out_of_time = False
        streamed: list[str] = []

        def on_text(piece: str) -> None:
            streamed.append(piece)
            self.emit("text", rec.iteration, text=piece)

        try:
            completion: Completion = self.backend.generate(
                messages, sampling or self.sampling,
                stop=combine_stops(self.stop_at_block_end, self.stop_if_degenerate,
                                   self.stop_if_out_of_time),
                assistant_prefix=self.prefix, conversation="root", on_text=on_text)
        except BaseException:  # Ctrl-C / SIGTERM mid-turn: the trajectory keeps what was streamed
            self.keep_cut_turn(rec, "".join(streamed))
            raise
        text = self.prefix + completion.text
        rec.text, rec.finish_reason = text, completion.finish_reason
        rec.prompt_tokens = completion.prompt_tokens
        # A resampled turn prefills and generates again: the record keeps the sum.
        rec.prefill_tokens += completion.prefill_tokens
        rec.generated_tokens += completion.generation_tokens
        rec.generate_seconds += completion.elapsed
        self.tokens.add(root_prefill=completion.prefill_tokens, root_generated=completion.generation_tokens)
        self.emit("generated", rec.iteration, text=text, prompt_tokens=completion.prompt_tokens,
                   prefill_tokens=completion.prefill_tokens,
                   generated_tokens=completion.generation_tokens, seconds=completion.elapsed)
        if self.degenerated:
            self.intervene(rec, "cut_degenerate", generated_tokens=completion.generation_tokens)
        if self.out_of_time:
            self.intervene(rec, "cut_time", generated_tokens=completion.generation_tokens)
        return text

    def keep_cut_turn(self, rec: IterationRecord, streamed: str) -> None:
        """Record a turn whose generation was stopped by an exception, as far as it got."""
        rec.text, rec.finish_reason = self.prefix + streamed, "interrupted"
        try:  # the backend's Completion never came: count what was streamed
            generated = self.backend.count_tokens(streamed) if streamed else 0
        except Exception:  # noqa: BLE001 - a backend without a tokenizer: the text is what matters
            generated = 0
        rec.generated_tokens += generated
        self.tokens.add(root_generated=generated)
