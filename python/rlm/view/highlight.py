"""A small Python syntax highlighter: escaped HTML with `<span class>` per token, no dependencies.

Model code is often broken (unclosed strings, cut-off turns), so this is a tolerant regex scanner,
not `tokenize`: any text it does not recognise passes through escaped. Classes: k (keyword),
b (builtin), r (the REPL's own names), s (string), c (comment), n (number), f (defined name).
"""

from __future__ import annotations

import builtins
import html
import keyword
import re

# Names the REPL gives the model code; shown apart so a reader sees where the context is touched.
REPL_NAMES = frozenset({
    "context", "llm_query", "llm_query_batched", "FINAL", "FINAL_VAR", "grep", "find_all",
    "chunks", "count_tokens", "search", "answer",
})
_BUILTINS = frozenset(n for n in dir(builtins) if not n.startswith("_"))
_KEYWORDS = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)

_TOKEN = re.compile(
    r"""
    (?P<c>\#[^\n]*)
  | (?P<s>(?:\b[rRbBuUfF]{1,2})?(?:'''[\s\S]*?(?:'''|$(?![\s\S]))|\"\"\"[\s\S]*?(?:\"\"\"|$(?![\s\S]))
        |'(?:[^'\\\n]|\\.)*(?:'|$)|"(?:[^"\\\n]|\\.)*(?:"|$)))
  | (?P<n>\b(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|\d[\d_]*\.?\d*(?:[eE][+-]?\d+)?j?)\b)
  | (?P<w>[A-Za-z_][A-Za-z0-9_]*)
    """,
    re.VERBOSE | re.MULTILINE,
)


def _span(cls: str, text: str) -> str:
    return f'<span class="{cls}">{html.escape(text)}</span>'


def highlight_python(code: str) -> str:
    """`code` as escaped HTML with highlighted tokens (safe to put inside `<pre>`).

    >>> highlight_python('print("<b>")  # hi')
    '<span class="b">print</span>(<span class="s">&quot;&lt;b&gt;&quot;</span>)  <span class="c"># hi</span>'
    """
    out: list[str] = []
    pos = 0
    after_def = False
    for m in _TOKEN.finditer(code):
        out.append(html.escape(code[pos : m.start()]))
        pos = m.end()
        kind = m.lastgroup or ""
        text = m.group()
        if kind == "w":
            if after_def:
                kind = "f"
            elif text in _KEYWORDS:
                kind = "k"
            elif text in REPL_NAMES:
                kind = "r"
            elif text in _BUILTINS:
                kind = "b"
            else:
                out.append(html.escape(text))
                after_def = False
                continue
            after_def = text in ("def", "class")
        else:
            after_def = False
        out.append(_span(kind, text))
    out.append(html.escape(code[pos:]))
    return "".join(out)
