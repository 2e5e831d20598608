"""One self-contained HTML page for a run: header (task, model, context, answer), chart, turns.

Everything shown comes from the model or the user and is untrusted: every string goes through
`html.escape` before it reaches the page (the highlighter escapes too), and nothing is put in an
attribute unescaped, so text such as `<script>` in code, output or answer shows as text.
"""

from __future__ import annotations

import datetime
import html
import json
import re
from typing import Any

from rlm.view.assets import CSS, JS
from rlm.view.chart import turns_chart
from rlm.view.highlight import highlight_python
from rlm.view.load import Run, SubCall, Turn

# Longer than this and an output, prompt or reply starts folded (one click shows it).
FOLD_LINES = 12
FOLD_CHARS = 1200
VALUE_CHARS = 300  # of one intervention value
# The REPL's truncation marker and `clip`'s: "[... 5,000 of 15,000 characters cut ...]".
_CUT_MARKER = re.compile(r"\[\.\.\. [^\]\n]{0,200}? cut[^\]\n]{0,200}\]")


def esc(value: Any) -> str:
    """`value` as escaped HTML text (quotes too, so it is safe in attributes).

    >>> esc('<script>alert("x")</script>')
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
    """
    return html.escape(value if isinstance(value, str) else str(value))


def is_long(text: str) -> bool:
    """Whether `text` starts folded.

    >>> is_long("short"), is_long("x\\n" * 50)
    (False, True)
    """
    return len(text) > FOLD_CHARS or text.count("\n") >= FOLD_LINES


def _pre(text: str, cls: str = "", element_id: str = "") -> str:
    body = _CUT_MARKER.sub(lambda m: f'<mark class="cut">{m.group()}</mark>', esc(text))
    attrs = (f' class="{cls}"' if cls else "") + (f' id="{element_id}"' if element_id else "")
    return f"<pre{attrs}>{body}</pre>"


def fold(summary: str, inner: str, *, open_: bool, cls: str = "") -> str:
    """A `<details>` block; `summary` is text (escaped here), `inner` is HTML.

    >>> fold("output", "<pre>x</pre>", open_=False)
    '<details><summary>output</summary><pre>x</pre></details>'
    """
    attrs = (f' class="{cls}"' if cls else "") + (" open" if open_ else "")
    return f"<details{attrs}><summary>{esc(summary)}</summary>{inner}</details>"


def _folded_text(label: str, text: str, cls: str, detail: str = "") -> str:
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    summary = f"{label} ({lines:,} lines, {detail or f'{len(text):,} chars'})"
    return fold(summary, _pre(text, cls), open_=not is_long(text), cls=cls)


def _has_prose(t: Turn) -> bool:
    """Whether the reply says more than its code block (prose around it, a second block)."""
    rest = t.text.replace(t.code or "", "", 1)
    return bool(re.sub(r"```[\w+-]*", "", rest).strip())


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 100 else f"{value:,.0f} s"


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


# What each engine intervention did, as the badge says it (the engine's kind is the tooltip and
# `data-kind`). A kind not listed here shows as it is, so a new kind needs no viewer change.
LABELS = {
    "restored_names": "names restored",       # the REPL put back reserved names the code rebound
    "resample": "resampled",                  # the turn repeated code that already ran
    "repeat_not_run": "repeat not run",
    "steer": "steered start",                 # the engine wrote the start of the turn's code
    "check_answer": "answer questioned",      # a first FINAL nothing supported: one turn to check
    "cut_degenerate": "cut: repeating itself",
    "cut_time": "cut: --max-time",
    "cut_at_max_tokens": "cut at --max-tokens",
    "stop_no_progress": "stopped: no progress",
    "budget_stop": "budget stop",
    "timeout": "execution timed out",
    "worker_restarted": "REPL restarted",
    "direct_truncated": "context cut to fit",
}


def render_interventions(items: list[dict[str, Any]]) -> str:
    """Engine interventions as badges: what the engine did, then every other field of the item.

    >>> render_interventions([{"kind": "resample", "temp": 0.7}])[26:]
    '<li data-kind="resample" title="resample"><b>resampled</b> temp: 0.7</li></ul>'
    """
    if not items:
        return ""
    out = []
    for item in items:
        kind = _value(item.get("kind", item.get("type", "intervention")))
        label = LABELS.get(kind, kind)
        rest = "; ".join(f"{esc(k)}: {esc(_value(v))}" for k, v in item.items()
                         if k not in ("kind", "type") and v not in (None, "", [], {}))
        out.append(f'<li data-kind="{esc(kind)}" title="{esc(kind)}"><b>{esc(label)}</b>'
                   f"{' ' + rest if rest else ''}</li>")
    return f'<ul class="interventions">{"".join(out)}</ul>'


def _sub_call(n: int, call: SubCall) -> str:
    stats = [f"prompt {call.prompt_chars:,} chars"]
    if call.prompt_tokens or call.generated_tokens:
        stats.append(f"{call.prompt_tokens:,} + {call.generated_tokens:,} tokens")
    if call.seconds:
        stats.append(_seconds(call.seconds))
    parts = [f'<div class="label">llm_query {n}: {esc(" · ".join(stats))}</div>',
             _folded_text("prompt (head and tail)", call.prompt, "prompt")]
    if call.error:
        parts.append(f'<div class="error">{_pre("error: " + call.error)}</div>')
    else:
        parts.append(_folded_text("reply", call.response, "reply"))
    return f'<div class="subcall">{"".join(parts)}</div>'


def _turn_stats(t: Turn) -> str:
    stats = [f"{t.prefill_tokens:,} prefilled", f"{t.generated_tokens:,} generated"]
    rate = t.tokens_per_second
    if rate is not None:
        stats.append(f"{rate:.1f} tok/s")
    stats.append(f"{_seconds(t.generate_seconds)} generate + {_seconds(t.execute_seconds)} execute")
    if t.sub_calls:
        stats.append(f"{len(t.sub_calls)} sub-call{'s' if len(t.sub_calls) > 1 else ''}")
    return " · ".join(stats)


def render_turn(t: Turn) -> str:
    """One turn of the timeline as an `<li>`.

    >>> from rlm.view.load import Turn
    >>> render_turn(Turn(number=2, code="print(1)")).startswith('<li class="turn" id="turn-2"')
    True
    """
    title = "best-answer turn" if t.last_turn else f"Turn {t.number}"
    parts = [f'<div class="turnhead"><b>{esc(title)}</b>'
             f'<span class="stat">{esc(_turn_stats(t))}</span></div>',
             render_interventions(t.interventions)]
    if t.code is not None:
        parts.append(f'<div class="label">code</div><pre class="code">{highlight_python(t.code)}</pre>')
        if _has_prose(t):
            parts.append(fold("the model's whole reply", _pre(t.text, "text"), open_=False))
    else:
        parts.append(_folded_text("reply (no code)", t.text, "text"))
    parts.extend(_sub_call(n, c) for n, c in enumerate(t.sub_calls, start=1))
    if t.code is not None:
        detail = ""
        if t.output_truncated or t.output_chars > len(t.output):
            detail = f"the model saw {len(t.output):,} of {t.output_chars:,} chars"
        if t.output:
            parts.append(_folded_text("output", t.output, "output", detail))
        elif t.final is None:  # a FINAL call prints nothing by design: say so only otherwise
            parts.append('<div class="label">output: none</div>')
    if t.error:
        parts.append(f'<div class="error">{_folded_text("error", t.error, "error")}</div>')
    if t.final is not None:
        source = f" (from {t.final_source})" if t.final_source else ""
        parts.append(f'<div class="final"><div class="label">FINAL{esc(source)}</div>'
                     f"{_pre(t.final)}</div>")
    if t.feedback:
        parts.append(fold("feedback to the model", _pre(t.feedback, "feedback"), open_=False))
    cls = "turn last" if t.last_turn else "turn"
    return f'<li class="{cls}" id="turn-{t.number}" data-turn="{t.number}">{"".join(parts)}</li>'


def _context_fact(ctx: dict[str, Any]) -> str:
    bits = []
    if ctx.get("chars") is not None:
        bits.append(f"{ctx['chars']:,} chars" if isinstance(ctx["chars"], int) else str(ctx["chars"]))
    if isinstance(ctx.get("lines"), int):
        bits.append(f"{ctx['lines']:,} lines")
    if isinstance(ctx.get("bytes"), int):
        bits.append(f"{ctx['bytes']:,} bytes")
    if isinstance(ctx.get("tokens"), int):
        approx = "~" if ctx.get("tokens_estimated") else ""
        bits.append(f"{approx}{ctx['tokens']:,} tokens")
    where = ctx.get("path") if ctx.get("source") == "file" else ctx.get("source")
    if where:
        bits.append(f"from {where}")
    return ", ".join(bits) or "not recorded"


def _facts(run: Run) -> str:
    totals = run.totals
    rows = [("model", run.model or "not recorded")]
    if run.mode:
        rows.append(("mode", run.mode))
    rows += [("context", _context_fact(run.context)), ("turns", str(len(run.turns)))]
    if totals.get("total") is not None:
        breakdown = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in totals.items()
                              if k.startswith(("root_", "sub_")) and isinstance(v, int))
        rows.append(("tokens", f"{totals['total']:,}" + (f" ({breakdown})" if breakdown else "")))
    if isinstance(totals.get("llm_calls"), int):
        rows.append(("sub-calls", str(totals["llm_calls"])))
    if run.elapsed is not None:
        rows.append(("time", _seconds(run.elapsed)))
    if run.started_at is not None:
        when = datetime.datetime.fromtimestamp(run.started_at, datetime.timezone.utc)
        rows.append(("started", when.strftime("%Y-%m-%d %H:%M:%S UTC")))
    body = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows)
    return f'<dl class="facts">{body}</dl>'


def _outcome(run: Run) -> str:
    if run.answer is not None:
        return f'<section class="answer"><h2>Answer</h2>{_pre(run.answer, element_id="answer")}</section>'
    why = run.error or "the run ended without an answer"
    return f'<section class="runerror"><h2>No answer</h2>{_pre(why, element_id="run-error")}</section>'


def render_run(run: Run, *, back_link: str | None = None) -> str:
    """The whole page for `run` (a string of HTML; no external resources).

    >>> from rlm.view.load import normalise
    >>> page = render_run(normalise({"task": "<b>t</b>", "answer": "42", "iterations": []}))
    >>> "&lt;b&gt;t&lt;/b&gt;" in page and '<pre id="answer">42</pre>' in page
    True
    """
    status = run.status if run.status else "unknown"
    head = [f'<h1 id="task">{esc(run.task or "(no task recorded)")}</h1>',
            f'<span class="badge {esc(status)}" id="status">{esc(status)}</span>']
    if run.exhausted and status != "exhausted":
        head.append(' <span class="badge exhausted">budget exhausted</span>')
    head += [_facts(run), _outcome(run)]
    if run.notes:
        head.append('<ul class="notes">' + "".join(f"<li>{esc(n)}</li>" for n in run.notes) + "</ul>")
    setup = [fold(f"system prompt ({len(run.system_prompt):,} chars)",
                  _pre(run.system_prompt), open_=False) if run.system_prompt else "",
             fold(f"first message: task and context summary ({len(run.first_message):,} chars)",
                  _pre(run.first_message), open_=False) if run.first_message else "",
             fold("config", _pre(json.dumps(run.config, indent=1, ensure_ascii=False, default=str)),
                  open_=False) if run.config else ""]
    timeline = "".join(render_turn(t) for t in run.turns) or "<li>no turns were recorded</li>"
    back = f'<p><a href="{esc(back_link)}">← all runs</a></p>' if back_link else ""
    title = f"rlm: {run.task[:80]}" if run.task else "rlm trajectory"
    version = run.version if run.version is not None else "none"
    return (
        "<!doctype html>\n"
        f'<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n"
        f'<body data-status="{esc(status)}" data-turns="{len(run.turns)}">{back}'
        f'<header>{"".join(head)}</header>'
        f'<section id="totals"><h2>Totals</h2>{turns_chart(run.turns)}</section>'
        f'<section id="setup"><h2>Prompt</h2>{"".join(setup)}</section>'
        f'<section><h2>Turns</h2><div class="toolbar" id="toolbar"></div>'
        f'<ol class="timeline" id="timeline">{timeline}</ol></section>'
        f"<footer>rlm view · trajectory version {esc(version)} · "
        f"j/k: next/previous turn</footer>\n<script>{JS}</script></body></html>\n"
    )
