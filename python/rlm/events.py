"""What a run reports while it goes (`Event`), and the `--verbose` printer that shows it on stderr."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Literal, TextIO

# In order of appearance:
#   "start"     context summary, before the first turn (data: context, model)
#   "sandbox"   the REPL worker started (data: report, the sandbox's report; text, one line)
#   "turn"      a root turn starts (data: last: true for the "best answer" turn; prefix: the
#               text the assistant turn starts with, e.g. an opening code fence)
#   "text"      a piece of generated text, streamed as the model writes it (data: text)
#   "generated" the turn is generated (data: text, prompt_tokens, prefill_tokens, generated_tokens)
#   "code"      the code block about to run (data: code)
#   "llm_query" one sub-call finished (data: prompt_chars, response_chars, tokens, error)
#   "output"    what the REPL printed and what went wrong (data: trajectory.execution_fields, final)
#   "intervention" the engine stepped in (data: kind, and what it did: see trajectory.py)
#   "feedback"  the message fed back to the model for the next turn (data: text)
#   "end"       the run is over (data: answer, error, exhausted, iterations, total_tokens)
EventKind = Literal[
    "start", "sandbox", "turn", "text", "generated", "code", "llm_query", "output", "intervention",
    "feedback", "end"
]


@dataclass(frozen=True)
class Event:
    """One thing that happened during a run, for streaming and progress display.

    >>> Event("text", 1, {"text": "print("}).kind
    'text'
    """

    kind: EventKind
    iteration: int
    data: dict[str, Any]


def turn_stats(data: dict[str, Any]) -> str:
    """The -v line after a turn: tokens, seconds and generated tokens per second.

    The rate counts the whole turn's time (prefill included), as a reader waiting for it sees it.

    >>> turn_stats({"prefill_tokens": 244, "generated_tokens": 22, "seconds": 5.1})
    '244 prefilled, 22 generated, 5.1 s, 4.3 tok/s'
    """
    stats = (f"{data['prefill_tokens']} prefilled, {data['generated_tokens']} generated, "
             f"{data['seconds']:.1f} s")
    if data["seconds"] >= 0.001 and data["generated_tokens"] > 0:
        stats += f", {data['generated_tokens'] / data['seconds']:.1f} tok/s"
    return stats


class StderrPrinter:
    """Shows a run as it happens (`--verbose`): each turn's text, its code's output, sub-calls.

    Output is shown as the model is shown it (the feedback message): a long output is cut to its
    head and tail with the REPL's marker saying how much was left out, never printed whole.

    >>> import io; out = io.StringIO()
    >>> StderrPrinter(out)(Event("turn", 1, {"last": False})); out.getvalue()
    '\\n── turn 1 ──\\n'
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self._streamed = False  # whether "text" events already showed this turn's text

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def __call__(self, event: Event) -> None:
        d = event.data
        if event.kind == "start":
            ctx = d["context"]
            self._write(
                f"rlm: {d['model']}; context {ctx['chars']:,} chars, {ctx['lines']:,} lines "
                f"({ctx['source']})\n"
            )
        elif event.kind == "sandbox":
            self._write(f"rlm: {d['text']}\n")
        elif event.kind == "turn":
            self._streamed = False
            title = "last turn: best answer" if d.get("last") else f"turn {event.iteration}"
            self._write(f"\n── {title} ──\n{d.get('prefix', '')}")
        elif event.kind == "text":
            self._streamed = True
            self._write(d["text"])
        elif event.kind == "generated":
            if not self._streamed:
                self._write(d["text"])
            self._write(f"\n[{turn_stats(d)}]\n")
        elif event.kind == "llm_query":
            status = f"error: {d['error']}" if d.get("error") else f"{d['response_chars']} chars back"
            self._write(f"  llm_query: {d['prompt_chars']} chars → {status}\n")
        elif event.kind == "intervention":
            detail = ", ".join(f"{k}={v}" for k, v in d.items() if k != "kind")
            self._write(f"  [engine: {d['kind']}{': ' + detail if detail else ''}]\n")
        elif event.kind == "feedback":
            self._write(f"── output ──\n{d['text']}\n")
        elif event.kind == "end":
            outcome = "answered" if d.get("answer") is not None else f"no answer ({d.get('error')})"
            self._write(
                f"\n── done: {outcome}; {d['iterations']} turns, {d['total_tokens']:,} tokens, "
                f"{d['elapsed']:.1f} s ──\n"
            )
