"""The totals chart: time and tokens per turn as inline SVG bars (stacked), drawn in Python.

Each bar links to its turn (`#turn-N`) and carries a `<title>` tooltip, so the chart needs no
script. Colours come from CSS classes (`seg-0`, `seg-1`, ...) so the page's theme applies.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from rlm.view.load import Turn

WIDTH, HEIGHT = 460, 150
_LEFT, _BOTTOM, _TOP = 44, 18, 22


def _nice_max(value: float) -> float:
    """The smallest 1/2/5 x 10^k at or above `value` (axis top), 1 for nothing."""
    if value <= 0:
        return 1.0
    scale = 1.0
    while scale * 10 <= value:
        scale *= 10
    while scale > value:
        scale /= 10
    for step in (1, 2, 5, 10):
        if step * scale >= value:
            return step * scale
    return 10 * scale


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3g} s" if value < 100 else f"{value:,.0f} s"
    return f"{value:,.0f}"


def bar_panel(title: str, unit: str, labels: Sequence[str], stacks: Sequence[Sequence[float]],
              parts: Sequence[str], links: Sequence[str]) -> str:
    """One SVG panel of stacked bars: `stacks[i]` are bar i's segments, named by `parts`.

    >>> svg = bar_panel("time", "s", ["1"], [[1.0, 0.5]], ["generate", "execute"], ["#turn-1"])
    >>> svg.count("<rect"), "1.5 s" in svg
    (2, True)
    """
    top = _nice_max(max((sum(s) for s in stacks), default=0.0))
    plot_w, plot_h = WIDTH - _LEFT - 6, HEIGHT - _BOTTOM - _TOP
    n = max(len(stacks), 1)
    slot = plot_w / n
    bar_w = max(min(slot * 0.7, 40), 1.0)
    out = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
           f'aria-label="{html.escape(title)} per turn">',
           f'<text class="title" x="{_LEFT}" y="13">{html.escape(title)}</text>']
    base = HEIGHT - _BOTTOM
    out.append(f'<line class="axis" x1="{_LEFT}" y1="{base}" x2="{WIDTH - 6}" y2="{base}"/>')
    out.append(f'<text class="tick" x="{_LEFT - 4}" y="{_TOP + 4}" text-anchor="end">'
               f'{_fmt(top, unit)}</text>')
    out.append(f'<text class="tick" x="{_LEFT - 4}" y="{base}" text-anchor="end">0</text>')
    for i, (label, stack, link) in enumerate(zip(labels, stacks, links)):
        x = _LEFT + i * slot + (slot - bar_w) / 2
        y = float(base)
        detail = ", ".join(f"{parts[k]} {_fmt(v, unit)}" for k, v in enumerate(stack))
        tip = html.escape(f"turn {label}: {_fmt(sum(stack), unit)} ({detail})")
        out.append(f'<a href="{html.escape(link)}"><title>{tip}</title>')
        for k, value in enumerate(stack):
            h = plot_h * value / top
            if h <= 0:
                continue
            y -= h
            out.append(f'<rect class="seg-{k}" x="{x:.1f}" y="{y:.1f}" '
                       f'width="{bar_w:.1f}" height="{h:.1f}"/>')
        out.append("</a>")
        if n <= 30 or i % (n // 15 + 1) == 0:  # keep labels legible on long runs
            out.append(f'<text class="tick" x="{x + bar_w / 2:.1f}" y="{base + 12}" '
                       f'text-anchor="middle">{html.escape(label)}</text>')
    out.append("</svg>")
    # The legend is HTML, not SVG text: the browser lays it out, whatever the font's widths.
    legend = "".join(f'<span class="swatch seg-{k}"></span>{html.escape(part)} '
                     for k, part in enumerate(parts))
    return f'<figure class="panel">{"".join(out)}<figcaption>{legend}</figcaption></figure>'



def turns_chart(turns: Sequence[Turn]) -> str:
    """Both panels for a run: seconds (generate, execute) and tokens (prefill, generated, sub-calls).

    >>> turns_chart([]) == ""
    True
    """
    if not turns:
        return ""
    labels = [str(t.number) for t in turns]
    links = [f"#turn-{t.number}" for t in turns]
    time = bar_panel("seconds per turn", "s", labels,
                     [[t.generate_seconds, t.execute_seconds] for t in turns],
                     ["generate", "execute"], links)
    tokens = bar_panel(
        "tokens per turn", "tok", labels,
        [[t.prefill_tokens, t.generated_tokens,
          sum(c.prompt_tokens + c.generated_tokens for c in t.sub_calls)] for t in turns],
        ["prefilled", "generated", "sub-calls"], links)
    return f'<div class="charts">{time}{tokens}</div>'
