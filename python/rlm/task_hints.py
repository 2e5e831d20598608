"""Search hits for the task, shown in the first message before the model writes any code.

Small models answer in their first turn from what they see; a line of the context that shares the
task's rarest words is the best start they can get (a needle whose question repeats its words is
then found at once; the format of the records to count is visible). The hits are ranked like
BM25 without its length term: each task word weighs by how rare it is in the context
(idf over lines), and a line scores the weights of the task words it holds. Counting and line
retrieval run in Rust over the mapped context (`count_literal`, `grep` with `literal=True`), so
this costs a few scans of the file, well under a second per GiB per word.

Example:
    >>> from rlm._core import Context
    >>> c = Context.from_str("noise\\nThe access code for Orion is 4817-ZQ.\\nmore noise\\n")
    >>> [h.line_number for h in task_hits(c, "What is the access code for Orion?")]
    [2]
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from typing import Any

from rlm.file_answers import task_terms

TOP_HITS = 5
# Candidate lines fetched per word, for the rarest words only: a word on thousands of lines
# (a common word the stop list missed) would cost time and say nothing.
LINES_PER_WORD = 200
RAREST_WORDS = 4
MIN_WORD = 3
# A line shown as a hit must hold at least this share of the best possible score: one common
# task word alone ("code", "total") is not a hit.
MIN_SCORE_SHARE = 0.34
# ... and at least this share of the best line's score: lines that miss the task's rarest word
# are look-alikes (the 0.5B answered from "locker ... frosty-glacier ... 7974-LQ" shown under the
# right "locker ... lunar-meadow ..." line; RULER's multi-key distractors are made that way).
MIN_TOP_SHARE = 0.75
SHOWN_LINE_CHARS = 200
# The hits paragraph's first line. A single run's first message (what the evals measure) has the
# long one; a session's later questions the short one (their fixed note explains `hits`).
HITS_INTRO = ("Search hits (in the REPL as `hits`, a list of these lines): the lines with the most "
              "words from the task (a ranked search, not every match):")
BRIEF_HITS_INTRO = "Search hits:"
STOPWORDS = frozenset("""
a an and any are as at be been but by can could did do does each every find for from give had has
have how i if in into is it its list many may me more most much my name named no not of on one or
other our out over please say says show so some such tell than that the their them then there these
they this those to total was we were what when where which while who whom whose why will with would
you your all both only also just very about above after again against before being below between
during few further here just off once own same should too under until up
""".split())


@dataclass(frozen=True)
class TaskHit:
    """One line of the context ranked for the task."""

    line_number: int
    line: str
    score: float
    words: tuple[str, ...]  # the task words the line holds
    # In a tree context: the file and the line within it, shown as `path:line:` as grep shows it.
    path: str | None = None
    file_line: int | None = None


def task_words(task: str) -> list[str]:
    """The task's words worth searching for, lowercased, in order, without repeats.

    >>> task_words("What is the secret access code for the Orion deployment?")
    ['secret', 'access', 'code', 'orion', 'deployment']
    """
    seen: list[str] = []
    for word in re.findall(r"[A-Za-z0-9][A-Za-z0-9_\-]*", task):
        w = word.lower().strip("-_")
        if len(w) >= MIN_WORD and w not in STOPWORDS and w not in seen:
            seen.append(w)
    return seen


def task_names(task: str) -> list[str]:
    """The task's proper names: capitalised words not at the start of a sentence, lowercased.

    >>> task_names("What is Rosalind's phone number? Ask IT.")
    ['rosalind']
    """
    names: list[str] = []
    for m in re.finditer(r"(?<![\w'])([A-Z][a-z]+)(?:'s)?\b", task):
        before = task[: m.start()].rstrip()
        if not before or before[-1] in ".?!:":  # a sentence's first word is capitalised anyway
            continue
        word = m.group(1).lower()
        if word not in STOPWORDS and word not in names:
            names.append(word)
    return names


def present_words(context: Any, task: str) -> list[str]:
    """The task's words that occur in `context` (case-insensitive), rarest first: what to search
    for when a search found nothing.

    >>> from rlm._core import Context
    >>> present_words(Context.from_str("from distutils.core import setup\\nimport os\\n"),
    ...               "How many files import the module `distutils.core`?")
    ['distutils', 'core', 'import']
    """
    counts = {w: context.count_literal(w, ignore_case=True) for w in task_words(task)}
    return sorted((w for w, n in counts.items() if n), key=lambda w: counts[w])



def shared_word(context: Any, task: str, lines: list[str]) -> str | None:
    """What every one of `lines` says of the task's words, the rarest in the context, as the
    first line writes it: the whole token around the word when every line holds that token
    (`severity=critical`, `state=failed`: the word alone, "critical", is also a logging method
    of the stdlib filler), else the word; None when the lines share no task word.

    >>> from rlm._core import Context
    >>> text = "Order A was delivered.\\nOrder B was delivered.\\nOrder C was delayed.\\n"
    >>> shared_word(Context.from_str(text), "Which orders were delivered?", text.splitlines()[:2])
    'delivered'
    >>> logs = "x severity=critical a\\ny severity=critical b\\ndef critical(self):\\n"
    >>> shared_word(Context.from_str(logs), "Every alert with severity=critical?", logs.splitlines()[:2])
    'severity=critical'
    """
    if len(lines) < 2:
        return None
    found = []
    for word in task_words(task):
        spelled = [re.search(rf"\b{re.escape(word)}\b", line, re.IGNORECASE) for line in lines]
        if not all(spelled):
            continue
        first = spelled[0]
        assert first is not None
        term = first.group(0)
        around = _enclosing_token(lines[0], first.start(), first.end())
        if around is not None and all(around.lower() in line.lower() for line in lines):
            term = around
        found.append((context.count_literal(term, ignore_case=True), term))
    return min(found)[1] if found else None


# The characters a shared term may hold: it is written into `grep("...")` as a pattern.
_TERM_CHARS = re.compile(r"[\w=:/-]")


def _enclosing_token(line: str, start: int, end: int) -> str | None:
    """The run of term characters around line[start:end] (trailing ':' and '-' dropped), or None
    when it is the word itself."""
    while start > 0 and _TERM_CHARS.match(line[start - 1]):
        start -= 1
    while end < len(line) and _TERM_CHARS.match(line[end]):
        end += 1
    token = line[start:end].rstrip(":-")
    return token if token and not token.isalnum() else None


@dataclass(frozen=True)
class KindSearch:
    """A list task's grep that missed the kind of line the search hits show: it found one hit's
    line only (`narrowed`), or `off` of its `shown` lines lack the hits' shared `word`."""

    word: str
    hits: int
    narrowed: bool
    off: int = 0
    shown: int = 0


def kind_search(context: Any, task: str, hit_lines: list[str], pattern: str,
                lines: list[str]) -> KindSearch | None:
    """How a grep for `pattern` that printed `lines` missed the lines of the hits' kind, or None.

    >>> from rlm._core import Context
    >>> text = "Order A-1 was delivered.\\nOrder B-2 was delivered.\\nOrder C-3 was delayed.\\n"
    >>> c, hits = Context.from_str(text), text.splitlines()[:2]
    >>> kind_search(c, "Which orders were delivered?", hits, "A-1", hits[:1]).narrowed
    True
    >>> kind_search(c, "Which orders were delivered?", hits, "Order", text.splitlines()).off
    1
    >>> kind_search(c, "Which orders were delivered?", hits, "delivered", hits) is None
    True
    """
    word = shared_word(context, task, hit_lines)
    if word is None or word.lower() in pattern.lower() or not lines:
        return None
    if len(lines) == 1:
        holding = [line for line in hit_lines if pattern.lower() in line.lower()]
        return KindSearch(word, len(hit_lines), narrowed=True) if len(holding) == 1 else None
    off = sum(1 for line in lines if word.lower() not in line.lower())
    if off == 0 or off == len(lines):  # all of the kind, or none of it (another search)
        return None
    return KindSearch(word, len(hit_lines), narrowed=False, off=off, shown=len(lines))


_PLACEHOLDER = re.compile(r"\b(?:[A-Z]{2,}|X|N)\b")


def quoted_form_starts(task: str) -> list[str]:
    """The fixed start of each quoted form with a placeholder the task gives ('tag: WORD'): the
    text to grep for the lines of that form.

    >>> quoted_form_starts("Lines of the form 'tag: WORD' each name one word. Which word ...?")
    ['tag:']
    """
    out = []
    for term in task_terms(task):
        m = _PLACEHOLDER.search(term)
        if m is not None and term[: m.start()].strip():
            out.append(term[: m.start()].strip())
    return out

def task_hits(context: Any, task: str, k: int = TOP_HITS) -> list[TaskHit]:
    """The `k` lines of `context` that best match the task's words (rare words count most).

    `context` is an `rlm.Context`. Lines are ranked by the summed idf of the task words they hold
    (case-insensitive, as words or parts of words); ties go to the earlier line.
    """
    lines = max(1, context.line_count())
    weights: dict[str, float] = {}
    counts: dict[str, int] = {}
    for word in task_words(task):
        n = context.count_literal(word, ignore_case=True)
        if n:
            counts[word] = n
            weights[word] = math.log(1 + lines / n)
    if not weights:
        return []
    rarest = sorted(counts, key=lambda w: counts[w])[:RAREST_WORDS]
    candidates: dict[int, str] = {}
    for word in rarest:
        for m in context.grep(word, ignore_case=True, literal=True, max_count=LINES_PER_WORD):
            candidates.setdefault(m.line_number, m.line)
    best_possible = sum(weights.values())
    scored = []
    for number, line in candidates.items():
        low = line.lower()
        held = tuple(w for w in weights if w in low)
        score = sum(weights[w] for w in held)
        if score >= MIN_SCORE_SHARE * best_possible:
            scored.append(TaskHit(number, line, round(score, 2), held))
    scored.sort(key=lambda h: (-h.score, h.line_number))
    top = scored[0].score if scored else 0.0
    kept = [h for h in scored if h.score >= MIN_TOP_SHARE * top][:k]
    kept += _name_lines(context, task, counts, weights, {h.line_number for h in kept}, k - len(kept))
    file_of_line = _file_of_line(context)
    if file_of_line is not None:
        kept = [_in_file(h, *file_of_line(h.line_number)) for h in kept]
    return kept


def _file_of_line(context: Any) -> Any:
    """How a line of `context` is named by file: a tree's own map, the `# FILE:` headers of a
    joined text (as the REPL's grep reads them), or None for plain text. The 0.5B, shown a hit
    as "394:AND THERE IS NO OBLIGATION ..." in eight joined copyright files, answered the path
    of the largest file in the summary instead (held-out licenses seed 50)."""
    if getattr(context, "is_tree", False):
        return context.file_of_line
    from rlm.file_headers import header_files  # the one grep for `^# FILE: `, only when headed

    headers = header_files(context)
    return None if headers is None else headers.file_of_line


def _name_lines(context: Any, task: str, counts: dict[str, int], weights: dict[str, float],
                shown: set[int], room: int) -> list[TaskHit]:
    """Every line naming the task's rarest proper name, when they are few (at most TOP_HITS).

    The line that answers "What is Rosalind's phone number?" may share no word with it but the
    name ("You can ring Rosalind on ..."), while a decoy holds the question's noun ("Rosalind lost
    a phone ..."): the decoy outranked it and was the only hit, and the 0.5B answered from it
    (paraphrase, held-out seeds 40-51). The few lines about the name hold the answer."""
    names = sorted((n for n in task_names(task) if 0 < counts.get(n, 0) <= TOP_HITS),
                   key=lambda n: counts[n])
    if not names or room <= 0:
        return []
    lines = []
    for m in context.grep(names[0], ignore_case=True, literal=True, max_count=TOP_HITS):
        if m.line_number not in shown and len(lines) < room:
            held = tuple(w for w in weights if w in m.line.lower())
            lines.append(TaskHit(m.line_number, m.line, round(sum(weights[w] for w in held), 2), held))
    return lines


def _in_file(hit: TaskHit, path: str, line: int) -> TaskHit:
    return dataclasses.replace(hit, path=path, file_line=line)


def describe_hits(hits: list[TaskHit], *, brief: bool = False) -> str:
    """The first message's paragraph for the hits ("" when there are none); a tree's hits as
    `path:line:` (the line within the file), as the REPL's grep prints them. `brief`: a session's
    later question, whose fixed note before the earlier questions already says what the hits are
    (prompts.earlier_questions), so that sentence is in the KV cache and not prefilled again.

    >>> print(describe_hits([TaskHit(12, "Orion code 4817-ZQ", 3.1, ("orion", "code"))]))
    Search hits (in the REPL as `hits`, a list of these lines): the lines with the most words from the task (a ranked search, not every match):
    12:Orion code 4817-ZQ
    >>> print(describe_hits([TaskHit(12, "Orion code 4817-ZQ", 3.1, ("orion", "code"))], brief=True))
    Search hits:
    12:Orion code 4817-ZQ
    """
    if not hits:
        return ""
    shown = [f"{h.line_number if h.path is None else f'{h.path}:{h.file_line}'}:{_clip(h.line)}"
             for h in hits]
    return (BRIEF_HITS_INTRO if brief else HITS_INTRO) + "\n" + "\n".join(shown)


def _clip(line: str) -> str:
    line = line.strip()
    return line if len(line) <= SHOWN_LINE_CHARS else line[: SHOWN_LINE_CHARS - 3] + "..."
