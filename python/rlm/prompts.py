"""Every text the engine shows the model: system prompt, worked examples, context description, feedback.

Kept as data (constants and small format functions) so prompt tuning (`rlm eval`) edits words here and
never the loop. Two measured rules shape it (docs/eval.md): small models need worked examples to use the
REPL at all, and they copy examples literally, so the examples are generic (search a distinctive word
from the task, print what was found, then FINAL). Prefill is the main cost on CPU: stay compact.
"""

from __future__ import annotations

import re

from rlm.lost_results import Overwrite
from rlm.repl.headers import EMPTY_PREFIXES, grep_count, grep_headers
from rlm.summary import ContextSummary, TreeSummary, describe_jsonl

# The assistant turn starts inside a code block: the 0.5B's first reply was prose, not code, in 19/19 trials without it.
ASSISTANT_PREFIX = "```python\n"

SYSTEM_PROMPT = '''\
You answer a task about a text that is too long to read at once. The text is loaded as `context` in a \
Python REPL. Each turn, reply with one ```python code block; you then see what it printed and write the \
next block. Never guess the output: run code and look.

In the REPL:
- `context`: the text. Use it like a str: len(context), context[:500], s in context, \
context.count(s), re.findall(pattern, context), context.splitlines().
- `grep(pattern, ignore_case=False, before=0, after=0)`: regex search; the matching lines with \
their line numbers.
- `search(words, k=10)`: the k lines sharing the most (rarest) words with `words`, best first: \
for text worded unlike the task.
- `values(key, where=None)`: the value of field key (key=V, key: V, "key": V) on every line \
matching the regex where; prints count, sum or most common.
- `aliases(v)`: every variable holding v, directly or through other variables.
- `chunks(size=20000, overlap=0)`: the context in pieces (`by="lines"`: size lines each; \
`by="structural"`: whole log records, functions, sections); `piece.text` is a piece's text.
- `llm_query(prompt)`: ask a language model about a piece of text (up to ~20000 characters); \
returns its answer as a string. `llm_query_batched(prompts)`: many at once, faster.
- `count_tokens(text)`: tokens in text.
- `FINAL(answer)`: finish with this answer. `FINAL_VAR(name)`: finish with a variable's value.
Variables persist. Print only what you need: long output is cut.

Example 1. Task: "What is the delivery date of order 7731?"
```python
hits = grep("7731")  # a distinctive word from the task
print(hits)
```
Output: 1 matching line for '7731':
5012:order 7731 shipped by sea, delivery date 2024-03-18
```python
FINAL("2024-03-18")
```

Example 2. Task: "Which users were locked out?"
```python
print(grep("locked out", ignore_case=True))
```
Output: 3 matching lines for 'locked out':
120:user ann locked out after 3 failures
988:user bob locked out after 5 failures
4410:user eve locked out after 3 failures
```python
names = re.findall(r"user (\\w+) locked out", context)  # every match, not only the first
# (which one most often? print(collections.Counter(names).most_common(3)))
FINAL(", ".join(names))
```

Example 3. Task: "What is the total amount of the orders with status=REFUNDED?"
```python
amounts = values("amount", where="status=REFUNDED")  # the field of every asked record
print(amounts)
```
Output: 41 values of 'amount' on lines matching 'status=REFUNDED' (sum 730.25): [12.5, 3.0, ... 39 more]
```python
FINAL("730.25")
```

Example 4. Task: "Which people are named as authors?"
```python
print(grep("author", ignore_case=True))
```
Output: 0 matching lines for 'author'
```python
# The task's words are not in the text: ask every piece.
found = llm_query_batched(["List the author names in this text, or say none:\\n" + p.text for p in chunks(20000)])
print(found)
```
Output: ['Ada Byron, T. Kirk', 'none', 'J. Hopper']
```python
FINAL("Ada Byron, T. Kirk, J. Hopper")
```
'''


def _number(n: int) -> str:
    return f"{n:,}"


def describe_context(summary: ContextSummary) -> str:
    """The paragraph that introduces the context in the first user message.

    >>> print(describe_context(ContextSummary(0, 0, 0, False, "", "")))
    The context is empty (0 characters): there is nothing to search.
    """
    if summary.chars == 0:
        return "The context is empty (0 characters): there is nothing to search."
    size = f"The context has {_number(summary.chars)} characters in {_number(summary.lines)} lines"
    if summary.tokens is not None:
        approx = "~" if summary.tokens_estimated else ""
        label = ", estimated from a sample" if summary.tokens_estimated else ""
        size += f" ({approx}{_number(summary.tokens)} tokens{label})"
    if summary.tree is not None:
        return f"{size}. {describe_tree(summary.tree)}"
    if summary.jsonl is not None:
        size += f". {describe_jsonl(summary.jsonl)}"
    # Numbered like grep's output: raw source code here was continued by the 0.5B as if it were
    # its own code (eval trajectories), a numbered excerpt is read as data.
    if not summary.tail:
        return f"{size}. All of it (line numbers added):\n<<<\n{_numbered(summary.head, 1)}\n>>>"
    tail_lines = summary.tail.rstrip("\n").split("\n")
    return (
        f"{size}. It starts with (line numbers added):\n<<<\n{_numbered(summary.head, 1)}\n>>>\n"
        f"and ends with:\n<<<\n{_numbered(summary.tail, summary.lines - len(tail_lines) + 1)}\n>>>"
    )


def describe_tree(tree: TreeSummary) -> str:
    """A directory context in a few lines: how it is laid out, its biggest files, its extensions,
    what was left out (instead of a preview of the first file).

    >>> print(describe_tree(TreeSummary(2, (("a.py", 30), ("b.md", 4)), ((".md", 1), (".py", 1)),
    ...                                 (("logo.png", "binary"),))))
    They are the text files under a directory, 2 files, each after a line `# FILE: relative/path` (grep shows path:line:; context.file_of(offset) gives (path, line in that file); context.files() lists (path, start, end)).
    Largest files: a.py (30 characters), b.md (4).
    Extensions: .md 1, .py 1.
    Left out: 1 binary file (logo.png).
    """
    count = f"{_number(tree.files)} file{'' if tree.files == 1 else 's'}"
    if tree.sections:
        lines = [f"It holds {count}, each after a line `# FILE: path` (grep shows path:line: and "
                 "how many files the lines are in)."]
    else:
        where = "under a directory" if tree.directory else "a glob matched"
        lines = [f"They are the text files {where}, {count}, each after a line "
                 "`# FILE: relative/path` (grep shows path:line:; context.file_of(offset) gives "
                 "(path, line in that file); context.files() lists (path, start, end))."]
    if tree.largest:
        sizes = [f"{path} ({_number(n)}{' characters' if i == 0 else ''})"
                 for i, (path, n) in enumerate(tree.largest)]
        lines.append(f"Largest files: {', '.join(sizes)}.")
    if tree.extensions:
        kinds = [f"{ext or '(no extension)'} {_number(n)}" for ext, n in tree.extensions]
        lines.append(f"Extensions: {', '.join(kinds)}.")
    if tree.jsonl:
        lines.append(describe_tree_jsonl(tree))
    if tree.skipped:
        by_reason: dict[str, list[str]] = {}
        for path, reason in tree.skipped:
            kind = "not UTF-8" if reason.startswith("invalid UTF-8") else reason
            by_reason.setdefault(kind, []).append(path)
        parts = []
        for kind, paths in by_reason.items():
            shown = ", ".join(paths[:3]) + (", ..." if len(paths) > 3 else "")
            noun = "file" if len(paths) == 1 else "files"
            parts.append(f"{len(paths)} {kind} {noun} ({shown})" if kind in ("binary", "not UTF-8")
                         else f"{len(paths)} {noun}: {kind} ({shown})")
        lines.append(f"Left out: {'; '.join(parts)}.")
    return "\n".join(lines)


def describe_tree_jsonl(tree: TreeSummary) -> str:
    """The line naming a tree's JSON Lines files, with their record counts and how to read them.

    >>> print(describe_tree_jsonl(TreeSummary(3, (), (), (), jsonl=(("logs/app.jsonl", 1200, False),),
    ...                                       jsonl_files=1)))
    JSON Lines files: logs/app.jsonl (1,200 records). `context.records(file="logs/app.jsonl", where={"key": value})` yields one file's records as dicts, `context.count_records(file=...)` counts them, `grep(pattern, field="key")` searches a field in every file.
    """
    shown = [f"{path} ({'~' if estimated else ''}{_number(n)} record{'' if n == 1 else 's'})"
             for path, n, estimated in tree.jsonl]
    more = f" (the largest {len(shown)} of {_number(tree.jsonl_files)})" if tree.jsonl_files > len(shown) else ""
    first = tree.jsonl[0][0]
    return (f"JSON Lines files{more}: {', '.join(shown)}. "
            f'`context.records(file="{first}", where={{"key": value}})` yields one file\'s records '
            'as dicts, `context.count_records(file=...)` counts them, `grep(pattern, field="key")` '
            "searches a field in every file.")


def _numbered(text: str, first: int) -> str:
    """`text` with `N:` before each line, numbering from `first`.

    >>> _numbered("a\\nb\\n", 7)
    '7:a\\n8:b'
    """
    lines = text.rstrip("\n").split("\n")
    return "\n".join(f"{first + i}:{line}" for i, line in enumerate(lines))


def first_user_message(task: str, summary: ContextSummary, hints: str = "", earlier: str = "") -> str:
    """The context description, earlier questions of a session (if any), the search hits (if any)
    and the task: the first user turn. The description comes first so that every question of a
    session shares its tokens (and their KV cache) with the one before.

    >>> first_user_message("Find the code", ContextSummary(0, 0, 0, False, "", "")).endswith("code")
    True
    """
    parts = [describe_context(summary), earlier, hints, f"Task: {task}"]
    return "\n\n".join(part for part in parts if part)


# A session's later questions: the last few earlier ones are named, all are in `history`. Every
# fixed sentence of a later question's first message sits in this note's first line, right after
# the context description: that prefix is the same for every later question, so the session's KV
# cache holds it, and only the new earlier line, the hits and the task are prefilled (bench_session).
EARLIER_SHOWN = 3
EARLIER_CLIP_CHARS = 200
EARLIER_INTRO = (
    'Earlier questions of this session are in the REPL as `history` (a list of {"question", '
    '"answer"} dicts; the variables their code set still exist), and the search hits below as '
    "`hits` (the lines with the most words from this task: a ranked search, not every match). "
    "The last earlier questions:"
)


def earlier_questions(history: list[dict[str, str | None]]) -> str:
    """The note that tells a session's later question what was asked before ("" for the first).

    >>> print(earlier_questions([{"question": "Who failed?", "answer": "db"}]).splitlines()[-1])
    1. Who failed? -> db
    """
    if not history:
        return ""
    first = first_shown(len(history))
    lines = [f"{i}. {_one_line(h['question'])} -> "
             f"{'(no answer)' if h['answer'] is None else _one_line(h['answer'])}"
             for i, h in enumerate(history[first:], first + 1)]
    return EARLIER_INTRO + "\n" + "\n".join(lines)


def next_message_start(summary: ContextSummary, history: list[dict[str, str | None]]) -> str:
    """What the first message of a session's next question starts with, once `history` (its
    questions so far) is known: the description and the earlier-questions note. Only its hits
    and its task follow (first_user_message), so `Session.prepare` can prefill this before the
    question is asked.

    >>> s = ContextSummary(0, 0, 0, False, "", "")
    >>> h = [{"question": "Who?", "answer": "Ada"}]
    >>> first_user_message("When?", s, "", earlier_questions(h)).startswith(next_message_start(s, h))
    True
    """
    return describe_context(summary) + "\n\n" + earlier_questions(history) + "\n\n"


def first_shown(asked: int) -> int:
    """The index of the first earlier question the note names, after `asked` questions.

    The note only grows (one line per question, so the next question's KV cache holds the lines
    before its new one) until it names 2 * EARLIER_SHOWN - 1; then it starts again from the last
    EARLIER_SHOWN. A window sliding by one line each question would change the note's first line
    every time and cost the prefill of all of it.

    >>> [first_shown(n) for n in range(1, 10)]
    [0, 0, 0, 0, 0, 3, 3, 3, 6]
    """
    return max(0, asked - EARLIER_SHOWN) // EARLIER_SHOWN * EARLIER_SHOWN


def _one_line(text: str | None) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= EARLIER_CLIP_CHARS else flat[: EARLIER_CLIP_CHARS - 3] + "..."


# Feedback after a turn. Small models need it unambiguous: "nothing printed" is not "0 matches",
# a repeated turn is named as such, and the FINAL reminder comes only after clean, non-empty output
# (added after every output it made the 0.5B answer with a guess in 3/3 trials).
OUTPUT_HEADER = "Output:"
NO_OUTPUT = "(no output: the code ran but printed nothing; print() what you want to see)"
WHITESPACE_OUTPUT = (
    "(the code printed only empty lines or spaces, e.g. a join over no matches: nothing was found)"
)
RESTORED_NOTE = (
    "Note: your code replaced the reserved name(s) {names}; they were restored. "
    "Use other variable names."
)
REPEAT_NOTE = (
    "You ran this same code before (turn {turn}) and saw its output then. Running it again shows "
    "nothing new: write different code (another search, another pattern), or FINAL(answer)."
)
SAME_OUTPUT_NOTE = "This is the same output as before: try a different approach."
# The same output again right after an answer was questioned: it is what to answer from.
REREAD_NOTE = ("This is the output you saw before your answer was questioned: the answer is in "
               "it. FINAL the answer it gives, complete.")
LITERAL_NOTE = (
    "That output is a value your own code wrote, not something read from the context. "
    "Search the context (grep, re.findall, context.find) for the answer."
)
# "How many records have status=FAILED?": grep printed "30 matching lines", and the 0.5B set out to
# list the 30 ids in its FINAL (217 s of generation, cut by --max-time) after the note above.
COUNT_MATCHES_NOTE = (
    "{n} lines matched. If the task counts lines like these, that count is the answer: FINAL it "
    "(check first that every line is one the task asks about)."
)
# For "which occurs most often": the lines are what to count, not the answer (rlm.engine starts
# the count).
MOST_MATCHES_NOTE = (
    "{n} lines matched. The task asks which occurs most often: count them with code, then FINAL "
    "the one counted most."
)
# For "which file ...?" over files (held-out srctree seed 57: after grep showed the class's
# two lines in one file, told "answer with every one", the 0.5B FINALed the class name twice).
ONE_FILE_NOTE = ("These {n} lines are all in one file, {path}: if it is the file the task asks "
                 "for, FINAL that path.")
FILES_MATCHED_NOTE = ("{n} lines matched in {files} files. FINAL the path of the file whose line "
                      "answers the task (the part before the first ':').")
MANY_MATCHES_NOTE = (
    "{n} lines matched. If the task asks for all of them, answer with every one "
    "(e.g. re.findall over context, then FINAL of the joined list); otherwise pick the right one."
)
UNREAD_CHECK = (
    "Before you answer: no code so far has read `context`, so {answer} is a guess. Search the "
    "context for it first (e.g. grep with a word from the task), then FINAL from what you find."
)
EXAMPLE_NOTE = (
    "{answer} is the answer of a worked example in the instructions, not of this task, and "
    "the context does not hold it. Search the context for what the task asks."
)
CHOICE_CHECK = (
    "Before you answer: the task asks which of {options}, and your answer {answer} is none of "
    "them.{count}"
)
# Held-out commonword seeds 52-53: the 0.5B printed the count of each listed word, then FINALed
# all eight words; shown [('durug', 7), ('zekan', 4), ...], it FINALed zekan.
COUNTED_CHECK = (
    "Before you answer: the task asks which one occurs {most} often, and the count you printed "
    "gives {best}; your answer {answer} {differs}. FINAL the one counted {most}."
)
SEVERAL_CHOICES_CHECK = (
    "Before you answer: the task asks which one of {options} occurs {most} often, and your "
    "answer {answer} names {n} of them. Count each in the context: `{count}`, then FINAL the "
    "one counted {most}."
)
COUNT_EACH_NOTE = " Count each in the context: `{count}`, then FINAL the one that occurs most."
GIVEN_CHECK = (
    "Before you answer: {answer} is a value the task itself gives you, so it cannot be the "
    "answer. The task asks for something about it: {hint}FINAL that."
)
GIVEN_VARIABLES_HINT = "aliases({value!r}) lists every variable holding {value}. "
# Held-out vartrack seed 55: aliases() had printed the four names; sent to call it again, the
# 0.5B repeated itself and FINALed the value until its turns ran out.
GIVEN_ALIASES_SEEN_HINT = "Your aliases({value!r}) output above names every variable holding it: "
# An answer that repeats the task's words after code read the context: "no code has read
# `context`" would be untrue (the 0.5B had just counted each word).
RESTATES_CHECK = (
    "Before you answer: {answer} only repeats words of the task. FINAL what your code found in "
    "the context."
)
# Held-out srctree seeds 50-51 (rlm.file_answers): the 0.5B FINALed a file it had guessed, and a
# whole grep line `test/test_cmd.py:181:    def help_meaning(self):`.
FILE_LACKS_CHECK = (
    "Before you answer: the file {path} does not contain {term}, so it is not the file the task "
    "asks for. `{grep}` shows the lines that do, each after its file's path: FINAL that path."
)
FILE_PATH_CHECK = (
    "Before you answer: the task asks for a file, and your answer {answer} is more than its "
    "path. FINAL only the path: {path}."
)
UNSEEN_CHECK = (
    "Before you answer: {answer} appears nowhere in the context or in any output you have seen. "
    "Check it with code (grep or context.find) and FINAL what the context says."
)
# The 0.5B and the 1.5B both answered "582", grep's line number of the decoy it had picked
# (paraphrase, held-out seed 51): a line number is where a line is, not what it says.
LINE_NUMBER_CHECK = (
    "Before you answer: {answer} is the line number grep printed before the colon, not something "
    "the text says; that line reads: {line!r}. FINAL the value the task asks for, from the line "
    "that gives it.{ask}"
)
# Held-out multivalue seed 56: the four ports' line numbers answered, told "appears nowhere".
LINE_NUMBERS_CHECK = (
    "Before you answer: {answer} are the line numbers grep printed before the colons, not what "
    "the lines say; the first of those lines reads: {line!r}. FINAL the values the task asks "
    "for, from those lines."
)
ONE_OF_MANY_CHECK = (
    "Before you answer: the task asks for several items and {n} lines matched, but your answer "
    "{answer} gives one. Collect every match (e.g. re.findall over context) and FINAL them all."
)
# With the ids' shape known from the lines: steered into `items = re.findall(r"` only, the 0.5B
# wrote one depot's name into the pattern and collected 4 of 12 (held-out extract seed 61, 1M).
ONE_OF_MANY_COLLECT = (
    "Before you answer: the task asks for several items and {n} lines matched, but your answer "
    "{answer} gives one. Collect every one with code, `{collect}`, then FINAL the joined list."
)
# After a note on line numbers, for a task that asks for every item of a kind.
COLLECT_NOTE = " Collect them with code, `{collect}`, then FINAL the joined list."
# Held-out extract seeds 54-55 (1M): grep printed 12 "job JOB-... finished state=failed" lines
# and the 0.5B FINALed 6 of their ids, then 5.
SOME_OF_MANY_CHECK = (
    "Before you answer: the task asks for every item, grep printed {n} lines like the ones your "
    "answer takes, and your answer {answer} gives {given}. Collect them all with code, e.g. "
    "`{collect}`, then FINAL the joined list."
)
SHAPE_CHECK = (
    "Before you answer: the task asks \"{asks}\", but your answer {answer} holds no {kind}. "
    "Find the line that gives the {kind} (in the search hits or your output, or search again) "
    "and FINAL that {kind}."
)
MOST_CHECK = (
    "Before you answer: the task asks which occurs most often, and no code has counted yet. "
    "Count with code, e.g. `print(collections.Counter(re.findall(r\"name=(\\w+)\", context))"
    ".most_common(3))` with the pattern of those lines in place of name=, then FINAL the top one."
)
FILES_CHECK = (
    "Before you answer: the task counts files, and {answer} is the number of matching lines; "
    "grep said those {lines} lines are in {files} files. FINAL the number of files (the files "
    "whose lines are the ones the task asks about)."
)
EMPTY_CHECK = (
    "Your FINAL answer is empty: the code that built it found nothing. Print what it works on "
    "(e.g. the lines grep finds) to see why, then FINAL the answer."
)
FINAL_BEFORE_OUTPUT_NOTE = (
    "Your FINAL({answer}) was written before you saw this output, and that answer was questioned "
    "before: read the output above, then FINAL the answer it gives."
)
# Held-out commonword seed 53: started inside the Counter line, the 0.5B wrote
# FINAL("bird sighting logged: zozad") under it, before the count was printed.
FINAL_BEFORE_COUNT_NOTE = (
    "Your FINAL({answer}) was written in the same block as the count, before you saw what the "
    "count printed: read it above, then FINAL the one counted most."
)
FINAL_BEFORE_LOOKUPS_NOTE = (
    "Your FINAL({answer}) was written before you saw any of these lookups, and that answer was "
    "questioned before: print every result, then FINAL the answer they give."
)
ASKED_WORD_CHECK = (
    "Before you answer: your answer {answer} is the word the task asks about, not a {thing}. Of "
    "the lines{about}, take the one that gives the {thing} (it may use other words than the "
    "task) and FINAL just the {thing}.{ask}"
)
UNNAMED_CHECK = (
    "Before you answer: {answer} comes from a line that does not mention {name}: {line!r}. Of "
    "the lines about {name}, take the one that gives the {thing} (it may use other words than "
    "the task) and FINAL just the {thing}.{ask}"
)
WHOLE_WORD_CHECK = (
    "Before you answer: the task counts the word {word!r}, and {partial} of the {shown} lines "
    "your grep showed hold it only inside a longer word ({longer!r}). Count the whole word: "
    "`{grep}`, then FINAL the count it gives."
)
WHOLE_LINE_CHECK = (
    "Before you answer: your answer {answer} is a whole line of the text, but the task asks "
    "\"{asks}\": only that. Of the lines you saw, take the one that gives it (it may use other "
    "words than the task) and FINAL just the {thing}.{ask}"
)
# The 0.5B could not pick "You'll find Oksana at office H-905" for "Which room" among five lines:
# a sub-call reads a few lines and a question the way a model reads any short prompt.
# Lines first, then the question and "only the value": 5 of 8 paraphrase questions answered
# right by the 0.5B, against 3 of 8 for "<question> Answer from these lines:\n<lines>" (probe of
# 2026-12-02, grep's printed form of five lines naming the person, eval seeds 100-107).
# One kind of quotes all through: copying `str(grep('Thaddeus')) + '\n\nQuestion: ...'`, the
# 0.5B closed the question with " and got a SyntaxError (held-out paraphrase seed 55,
# commonword seed 53).
# The lines without grep's "1700:": asked for the ports of four lines printed with their line
# numbers, the sub-call answered the line numbers (held-out multivalue seed 63, extract seed 60).
WHOLE_LINE_ASK = (" If unsure, ask a sub-call: "
                  "`print(llm_query(\"Lines:\\n\" + \"\\n\".join(h.line for h in grep(\"{pattern}\")) "
                  "+ \"{question}\"))`")
SUB_QUESTION = "\n\nQuestion: {task}\nReply with only the value from the one line that answers it."
# A task that asks for every item of a kind: "the value from the one line" made the sub-call
# answer one of them (held-out extract seeds 56-58, 1M: the line-number check's sub-call).
SUB_QUESTION_ALL = ("\n\nQuestion: {task}\nReply with only the values from every line that "
                    "answers it, one per line.")
NAMED_ITEMS_CHECK = (
    "Before you answer: the task asks about {n} items ({names}) and your answer {answer} gives "
    "{given}. Look up each one, e.g. `for name in {listed!r}: print(grep(name))`, then FINAL all "
    "of them, each with its value."
)
# The second time: the items were looked up (the 0.5B ran the loop, saw all four lines, and
# answered one again); a template to fill is what small models complete best.
NAMED_ITEMS_FILL = (
    "Before you answer: the task asks about {n} items ({names}) and your answer {answer} still "
    "gives {given}. Give every one with the value your output shows for it, in one FINAL: "
    "FINAL(\"{template}\") with each VALUE filled in.{seen}"
)
PLACEHOLDER_NOTE = (
    "Your answer {answer} still holds the placeholder VALUE: replace each VALUE with the value "
    "the output shows for that item, then FINAL."
)
DEGENERATE_NOTE = "Your reply started repeating itself and was cut. Write one short code block."
NO_PROGRESS_WHY = "{n} turns in a row brought nothing new"
# No quotable clause after a colon: the 0.5B copied "if so, call FINAL(answer) now; ..." into its
# FINAL after a search that found nothing (eval trajectories, 2026-11-25; wording from the eval).
MAY_FINISH_NOTE = "If this output shows the answer, finish now with FINAL and the answer from it."
# For a task that asks for several items: the note above made the 1.5B FINAL the first of four
# named projects right after the grep that found it (eval trajectory, 2026-12-01).
MAY_FINISH_ALL_NOTE = (
    "If this output shows every item the task asks for, finish now with FINAL and all of them; "
    "otherwise search for the ones still missing."
)
# Held-out extract seed 60: shown three "Customer order RMA-... was delivered ..." hits, the 0.5B
# grepped one of their ids, answered that line's number, and never saw the other two again (32K);
# at 1M it grepped `RMA-.*`, 60 lines of three kinds, and FINALed a mix of them until cut.
NARROWED_NOTE = (
    "Your search found one line, but the task asks for every item and the search hits show {n} "
    "lines like it: search for what they share, `print(grep(\"{word}\"))`, and FINAL every item "
    "it shows."
)
MIXED_NOTE = (
    "The task asks for the lines that say \"{word}\", as the search hits do, and {off} of the {n} "
    "lines above do not: search for it, `print(grep(\"{word}\"))`, and FINAL every item it shows."
)
# After a search that found nothing the reminder invites a made-up answer; ask for a new search.
# (It ended "..., or ignore_case=True." until the 0.5B grepped for "ignore_case=True" four times.)
NOTHING_FOUND_NOTE = (
    "Nothing matched. Search again with a shorter pattern: one distinctive word from the task."
)
# Code that assigned one name several call results before reading it (rlm.lost_results).
OVERWRITE_NOTE = ("`{name}` was assigned {times} results before anything read it, so only the last "
                  "one was printed; the others are lost.")
OVERWRITE_LOOP = "This prints every one:\n{loop}"
# The rarest word of the task that the context holds and no code has searched for yet.
RETRY_WORD_NOTE = 'The task\'s word "{word}" does occur: grep("{word}", ignore_case=True) shows where.'

# Printed values that mean "found nothing" (grep's own summary line is matched by its prefix).
EMPTY_RESULTS = frozenset({"[]", "{}", "()", "set()", "''", '""', "None", "-1"})
NO_CODE_NOTE = (
    "Your reply had no ```python code block. Reply with one code block, "
    "and call FINAL(answer) in it when you know the answer."
)
CUT_NOTE = (
    "Your reply was cut off at the limit of {max_tokens} tokens before its code block closed. "
    "Write shorter code."
)
LAST_TURN = (
    "No turns are left ({why}). Reply with FINAL(answer) now, giving your best answer "
    "from what you have seen so far."
)


def found_nothing(output: str) -> bool:
    """True when every printed line is an empty search result (`[]`, `-1`, "0 matching lines",
    "0 values of ...").

    >>> found_nothing("0 matching lines for 'Puffin'\\n[]\\n"), found_nothing("[]\\n42\\n")
    (True, False)
    """
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return bool(lines) and all(
        line in EMPTY_RESULTS or line.startswith(EMPTY_PREFIXES) for line in lines
    )


# The 0.5B used names it never assigned (`hits`, `rows`, `tickets`) as if an earlier turn or
# the first message had set them, and repeated the NameError: say that nothing sets them for it.
_UNDEFINED = re.compile(r"NameError: name '(\w+)' is not defined")
UNDEFINED_NOTE = ("`{name}` does not exist: only what your code assigned exists. Assign it in this "
                  "block (e.g. `{name} = grep(...)`) before using it.")


def turn_feedback(*, output: str, clean: bool, restored_names: list[str], repeated: bool,
                  reread: bool = False, most: bool = False, literal: bool = False, several: bool = False, counting: bool = False,
                  retry_word: str | None = None, lost: Overwrite | None = None,
                  one_file: bool = False, search_note: str | None = None) -> str:
    """The user message that reports one execution back to the model.

    `output` is the REPL's own report (prints, echoed last expression, traceback, timeout or restart
    notes); `clean` is true when the code raised nothing and was not stopped; `several` when the
    task asks for a list rather than one value; `reread` when the repeated output comes right
    after an answer check; `most` when the task asks which item occurs most often; `one_file`
    when it asks which one file something is in; `search_note` replaces the "if this output
    shows every item" note when a list task's grep missed the kind of line the hits show.

    >>> print(turn_feedback(output="", clean=True, restored_names=[], repeated=False))
    (no output: the code ran but printed nothing; print() what you want to see)
    """
    if output.strip():
        parts = [f"{OUTPUT_HEADER}\n{output.rstrip()}"]
    else:
        parts = [WHITESPACE_OUTPUT if output else NO_OUTPUT]
    if restored_names:
        parts.append(RESTORED_NOTE.format(names=", ".join(restored_names)))
    if repeated:
        parts.append(REREAD_NOTE if reread else SAME_OUTPUT_NOTE)
    if not clean:
        missing = _UNDEFINED.search(output)
        if missing is not None:
            parts.append(UNDEFINED_NOTE.format(name=missing.group(1)))
        return "\n\n".join(parts)
    if found_nothing(output) or (output and not output.strip()):
        parts.append(NOTHING_FOUND_NOTE)
        if retry_word is not None:
            parts.append(RETRY_WORD_NOTE.format(word=retry_word))
    elif literal:
        parts.append(LITERAL_NOTE)
    elif lost is not None:  # not "if this output shows the answer": most of it was never printed
        parts.append(OVERWRITE_NOTE.format(name=lost.name, times=lost.times))
        if lost.loop() is not None:
            parts.append(OVERWRITE_LOOP.format(loop=lost.loop()))
    elif output.strip() and not repeated:
        many = grep_count(output)
        if many > 1 and most:
            parts.append(MOST_MATCHES_NOTE.format(n=many))
            return "\n\n".join(parts)
        files = _files_note(output, many) if one_file and many > 1 else None
        if files is not None:
            parts.append(files)
            return "\n\n".join(parts)
        if search_note is not None:  # not "answer with every one": the lines are of several kinds
            parts.append(search_note)
            return "\n\n".join(parts)
        if many > 1:
            parts.append((COUNT_MATCHES_NOTE if counting else MANY_MATCHES_NOTE).format(n=many))
        parts.append(MAY_FINISH_ALL_NOTE if several else MAY_FINISH_NOTE)
    return "\n\n".join(parts)


_PATH_OF_LINE = re.compile(r"^([^\s:]+):\d+:", re.MULTILINE)


def _files_note(output: str, many: int) -> str | None:
    """The note on grep lines for a "which file?" task: the one file they are in, or that the
    path is what to answer (None when the lines name no files).

    >>> print(_files_note("2 matching lines in 1 file for 'X':\\na.py:3:class X:\\na.py:9:X()", 2))
    These 2 lines are all in one file, a.py: if it is the file the task asks for, FINAL that path.
    """
    heads = [head for head in grep_headers(output) if head.files is not None]
    path = _PATH_OF_LINE.search(output)
    if not heads or path is None:
        return None
    if len(heads) == 1 and heads[0].files == 1:
        return ONE_FILE_NOTE.format(n=many, path=path.group(1))
    return FILES_MATCHED_NOTE.format(n=many, files=sum(head.files or 0 for head in heads))
