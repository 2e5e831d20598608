"""Whether a FINAL answer looks wrong enough to give the model a turn to check it first.

Three kinds of doubt, each with its own budget so a run cannot loop on checks:
- grounding (once per run): the answer only restates the task, or no code computed it and it
  occurs neither in what the model was shown nor in the context;
- shape (once): the task asks "when" or "how many" and the answer holds no date or number
  (the 1.5B answered "When was Thaddeus born?" with the hit line "Thaddeus was born in a small
  coastal town." while the hit "... came into this world on 25 August 1951." sat below it);
- coverage (up to twice, for different answers): the task asks for several items and the answer
  gives fewer, either against the items the task itself names ("for Puffin, Falcon, Bison and
  Badger") or against the lines a search showed. The 1.5B answered one of four named projects,
  was told so, and answered another single one (eval trajectory, 2026-12-01): one check was not
  enough, and the second check names the items and the loop that finds them.

Example:
    >>> from rlm.loop_control import Progress
    >>> checker = AnswerChecker("What are the codes for Ann, Bob and Eve?", lambda s: True)
    >>> progress = Progress()
    >>> progress.show("12:Ann's phone is 555-0142")
    >>> print(checker.check("555-0142", "FINAL('555-0142')", progress))
    Before you answer: the task asks about 3 items (Ann, Bob, Eve) and your answer '555-0142' gives 1. Look up each one, e.g. `for name in ['Ann', 'Bob', 'Eve']: print(grep(name))`, then FINAL all of them, each with its value.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from rlm.file_answers import ContextFiles, asks_one_file, task_terms
from rlm.loop_control import (
    GREP_LINE_PREFIX,
    Progress,
    answer_items,
    appears_in,
    asks_choice,
    asks_for_several,
    named_items,
    normalize_code,
    numbered_line,
    reads_context,
    restates_task,
)
from rlm.prompts import (
    NAMED_ITEMS_CHECK,
    NAMED_ITEMS_FILL,
    EMPTY_CHECK,
    CHOICE_CHECK,
    COUNT_EACH_NOTE,
    COUNTED_CHECK,
    FILE_LACKS_CHECK,
    FILE_PATH_CHECK,
    FILES_CHECK,
    GIVEN_CHECK,
    GIVEN_ALIASES_SEEN_HINT,
    GIVEN_VARIABLES_HINT,
    LINE_NUMBER_CHECK,
    LINE_NUMBERS_CHECK,
    MOST_CHECK,
    PLACEHOLDER_NOTE,
    ONE_OF_MANY_CHECK,
    SOME_OF_MANY_CHECK,
    RESTATES_CHECK,
    SEVERAL_CHOICES_CHECK,
    SHAPE_CHECK,
    SUB_QUESTION,
    SUB_QUESTION_ALL,
    SYSTEM_PROMPT,
    UNREAD_CHECK,
    UNSEEN_CHECK,
    WHOLE_LINE_ASK,
    WHOLE_LINE_CHECK,
)
from rlm.repl.headers import grep_headers, is_result_header, shows_aliases

# Checks whose doubt is certain: the answer they question is wrong, not just unchecked.
REFUTING = frozenset({"empty", "placeholder", "given", "line_number"})
# The answer checks in the order they are tried, with how many notes each may give a run.
CHECKS: tuple[tuple[str, float], ...] = (
    ("choice", 1),  # "which of these: a, b, c?" answered with none of them
    ("against_count", 1),  # "which occurs most often?" answered against the count printed
    ("most", 1),  # "most often" answered before any code counted
    ("empty", 2),  # an empty FINAL
    ("placeholder", math.inf),  # the fill-in template copied with its VALUE placeholders
    ("given", 1),  # a code or number the task itself gives, answered back
    ("file", 1),  # "which file ...?" answered with a file that lacks what the task names
    ("line_number", 2),  # grep's line number of a line, answered as if the line said it
    ("grounding", 1),  # an answer neither seen in output nor found in the context
    ("shape", 1),  # a number, date, file count or value asked for, something else given
    ("coverage", 2),  # fewer items than the task names or the search found
)

# Questions about where lines are: a line number is their answer.
_ASKS_LINES = re.compile(r"\blines?\b|\bline numbers?\b", re.IGNORECASE)
SHOWN_LINE = 160  # characters of a line quoted back in a note


def clip_line(line: str) -> str:
    return line if len(line) <= SHOWN_LINE else line[: SHOWN_LINE - 3] + "..."


# Questions whose answer has a shape any answer can be checked against.
_ASKS_NUMBER = re.compile(r"\bhow (?:many|much|often)\b|\bwhat is the (?:total|sum|count|average)\b",
                          re.IGNORECASE)
_ASKS_DATE = re.compile(r"^\W*when\b|\b(?:what|which) (?:date|day|year|month)\b|\bon what date\b",
                        re.IGNORECASE)
_MONTHS = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.IGNORECASE)
_NUMBER_WORDS = re.compile(r"\b(?:zero|none|no|one|two|three|four|five|six|seven|eight|nine|ten|"
                           r"eleven|twelve|twenty|hundred|thousand)\b", re.IGNORECASE)


def shape_doubt(task: str, answer: str) -> tuple[str, str] | None:
    """(what the task asks, what the answer lacks) when the answer cannot have the asked shape.

    >>> shape_doubt("When was Thaddeus born?", "Thaddeus was born in a small coastal town.")
    ('When', 'date')
    >>> shape_doubt("How many orders failed?", "3"), shape_doubt("When?", "25 August 1951")
    (None, None)
    """
    has_digit = any(ch.isdigit() for ch in answer)
    asked = _ASKS_DATE.search(task)
    if asked and not (has_digit or _MONTHS.search(answer)):
        return asked.group(0).strip(" ?"), "date"
    asked = _ASKS_NUMBER.search(task)
    if asked and not (has_digit or _NUMBER_WORDS.search(answer)):
        return asked.group(0).strip(" ?"), "number"
    return None


_ASKS_MOST = re.compile(r"\b(?:most|least)\s+(?:often|common(?:ly)?|frequent(?:ly)?|times)\b|"
                        r"\bon the most\b|\bthe most (?:lines|records|entries|times)\b",
                        re.IGNORECASE)
# Code that counts: the 0.5B grepped 25 "bird sighting logged: ..." lines and FINALed one of them.
_COUNTS = re.compile(r"Counter\(|most_common|\.count\(|\bmax\(|\bsorted\(|\bcollections\.")


_ASKS_LEAST = re.compile(r"\bleast\s+(?:often|common|frequent|times)", re.IGNORECASE)
_ASKS_COUNT = re.compile(r"\bhow many\b", re.IGNORECASE)
_ASKS_SUM = re.compile(r"\b(?:in total|total|sum|in all|altogether)\b", re.IGNORECASE)


COUNT_START = 'print(collections.Counter(re.findall(r"'


def count_each(options: list[str]) -> str:
    """Code that prints how often each listed option occurs in the context, and the one counted
    most: shown only `{'belav': 3, 'dalik': 5, ...}`, the 0.5B FINALed the counts, all eight
    words, or the first (held-out commonword seeds 52, 56-57).

    >>> print(count_each(["budez", "geluf"]))
    counts = {w: context.count(w) for w in ['budez', 'geluf']}; print(counts, '-> most often:', max(counts, key=counts.get))
    """
    return (f"counts = {{w: context.count(w) for w in {options!r}}}; "
            f"print(counts, '-> most often:', max(counts, key=counts.get))")


# The collecting line of the system prompt's example 2, after a one-of-many answer.
COLLECT_START = 'items = re.findall(r"'
ANSWER_START = 'FINAL("'  # a turn left only the answer to write
# A check's next turn that starts freely, after the code fence only.
FREE_START = ""


def asks_count(task: str) -> bool:
    """Whether the task asks how many things there are (a count of lines or records, not a sum
    of a quantity: "How many hours in total ..." adds hours up).

    >>> asks_count("How many order records have status=FAILED?"), asks_count("How many hours in total did team data log?")
    (True, False)
    """
    return _ASKS_COUNT.search(task) is not None and _ASKS_SUM.search(task) is None


def asks_most(task: str) -> bool:
    """Whether the task asks which item occurs most (or least) often.

    >>> asks_most("Which bird was logged most often?"), asks_most("Which word is on the most of those lines?")
    (True, True)
    >>> asks_most("What is the most recent version?")
    False
    """
    return _ASKS_MOST.search(task) is not None


def count_start(task: str, output: str = "") -> str | None:
    """The code that starts counting for a "which occurs most often" task (None for others): a
    count of each word the task lists; else a Counter over what follows the common start of the
    grep lines in `output` (`counter_of_lines`); else a Counter left to fill in.

    >>> count_start("Which of these words occurs most often: budez, geluf, kafov?") == count_each(["budez", "geluf", "kafov"]) + "\\n"
    True
    >>> count_start("Which bird was logged most often?") == COUNT_START
    True
    >>> count_start("Which tag is most common?", "2 matching lines:\\n5:tag: ab\\n9:tag: cd").startswith('counts = collections.Counter(re.findall(r"tag: ')
    True
    """
    if not asks_most(task):
        return None
    options = named_items(task) if asks_choice(task) else []
    if len(options) >= 2:
        return count_each(options) + "\n"
    counter = counter_of_lines(output)
    return COUNT_START if counter is None else counter + "\n"


# A grep line as printed: "766:text" or "path:12:text" (the header line has no such prefix).
_GREP_LINE = re.compile(rf"^{GREP_LINE_PREFIX}(.*)$")


def counter_of_lines(output: str) -> str | None:
    """A complete Counter line over what varies after the common start of grep's printed lines
    (`bird sighting logged: `), or None when they share no such start.

    Started inside `print(collections.Counter(re.findall(r"`, the 0.5B counted the phrase itself
    (`re.findall(r"bird sighting logged", context)`) and answered it (held-out commonword seed 53).

    >>> print(counter_of_lines("3 matching lines for 'tag':\\n5:tag: vokram\\n9:tag: lesif\\n12:tag: vokram"))
    counts = collections.Counter(re.findall(r"tag: (\\w+)", context)); print(counts.most_common(3), "-> most often:", max(counts, key=counts.get))
    """
    lines = [m.group(1) for m in map(_GREP_LINE.match, output.splitlines()) if m is not None]
    if len(lines) < 2:
        return None
    start = os.path.commonprefix(lines)
    start = start[: len(start) - len(re.search(r"\w*$", start).group(0))]  # not into the word
    if len(start.strip()) < 3:
        return None
    pattern = re.escape(start).replace("\\ ", " ")  # spaces need no escape: easier to read
    return (f'counts = collections.Counter(re.findall(r"{pattern}(\\w+)", context)); '
            f'print(counts.most_common(3), "-> most often:", max(counts, key=counts.get))')


def opening_count(task: str) -> str | None:
    """The count that opens a "which of these words occurs most often: a, b, c?" task, else None.

    The 0.5B grepped the task's list joined by commas, then the word "words", and answered the
    line it found (held-out commonword seed 50).

    >>> opening_count("Which of these words occurs most often: budez, geluf, kafov?")
    "counts = {w: context.count(w) for w in ['budez', 'geluf', 'kafov']}; print(counts, '-> most often:', max(counts, key=counts.get))\\n"
    >>> opening_count("Which bird was logged most often?") is None
    True
    """
    start = count_start(task)
    return None if start == COUNT_START else start


def counted(progress: Progress, code: str | None) -> bool:
    """Whether any code of the run (or the FINAL's own) counted occurrences; a count named in a
    comment is none (the 1.5B wrote `# ... most_common(1)` above FINAL("keyword"), held-out
    commonword seed 54).

    >>> from rlm.loop_control import Progress
    >>> counted(Progress(), "# print(collections.Counter(tags))\\nFINAL('x')")
    False
    """
    return any(_COUNTS.search(c) for c in [*progress.codes, normalize_code(code or "")])


# A counted item as Python prints it: `'bepad': 7` in a dict, `('durug', 7)` in most_common.
# (On one line, and not a grep line's number: `'darwin':\n895:...` is no count.)
_COUNT_PAIR = re.compile(r"""['"]([^'"\n]{1,80})['"][ \t]*[:,][ \t]*(\d+)(?![\d:])""")


def printed_counts(outputs: list[str], options: list[str] | None = None) -> dict[str, int]:
    """The counts of the last output that printed at least two (of the `options`, when given),
    {} when none did: a dict printed by `count_each`, or `most_common`'s pairs.

    >>> printed_counts(["{'bepad': 7, 'dovez': 4}", "2 matching lines"])
    {'bepad': 7, 'dovez': 4}
    >>> printed_counts(["[('durug', 7), ('zekan', 4)]"], ["zekan", "tazar"])
    {}
    >>> printed_counts(["811:    if p == 'darwin':\\n879:    if p != 'darwin':\\n895:  x"])
    {}
    """
    for output in reversed(outputs):
        counts = {item: int(n) for item, n in _COUNT_PAIR.findall(output)}
        if options:
            counts = {o: counts[o] for o in options if o in counts}
        if len(counts) >= 2:
            return counts
    return {}


def counted_best(counts: dict[str, int], least: bool = False) -> list[str]:
    """The items counted most (or least), every one that shares the count.

    >>> counted_best({"a": 3, "b": 7}), counted_best({"a": 7, "b": 7, "c": 1})
    (['b'], ['a', 'b'])
    >>> counted_best({"a": 3, "b": 7}, least=True)
    ['a']
    """
    best = (min if least else max)(counts.values())
    return [item for item, n in counts.items() if n == best]


def names_word(answer: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word.lower())}(?!\w)", answer.lower()) is not None


_FINAL_OF_LITERAL = re.compile(r"\bFINAL\(\s*[rbfu]?[\"']", re.IGNORECASE)


def final_before_count(task: str, code: str, output: str) -> bool:
    """Whether a block for a "most often" task counted, printed the count and FINALed a literal
    it wrote before seeing that count (a FINAL computed from the count is its own answer).

    >>> code = "print(collections.Counter(re.findall(r'bird: ([a-z]+)', context)).most_common(3))\\nFINAL('zozad')"
    >>> final_before_count("Which bird was logged most often?", code, "[('durug', 8)]")
    True
    >>> final_before_count("Which bird was logged most often?", "FINAL(max(counts))", "")
    False
    """
    return (asks_most(task) and _COUNTS.search(code) is not None and bool(output.strip())
            and _FINAL_OF_LITERAL.search(code) is not None)


_ASKS_FILES = re.compile(r"\bhow many (?:of the )?(?:\w+ )?files\b", re.IGNORECASE)


def files_doubt(task: str, answer: str, outputs: list[str]) -> tuple[int, int] | None:
    """(lines, files) when a "how many files" task is answered with the line count of a grep
    whose lines are in fewer files (the 0.5B answered 4 for "4 matching lines in 2 files").

    >>> files_doubt("How many files import os?", "4", ["4 matching lines in 2 files for 'os':"])
    (4, 2)
    >>> files_doubt("How many files import os?", "2", ["4 matching lines in 2 files for 'os':"])
    """
    if _ASKS_FILES.search(task) is None:
        return None
    numbers = re.findall(r"\d[\d,]*", answer)
    if len(numbers) != 1:
        return None
    given = int(numbers[0].replace(",", ""))
    for output in outputs:
        for head in grep_headers(output):
            if head.files is not None and given == head.count != head.files:
                return head.count, head.files
    return None


SEEN_LINE_CHARS = 160


def seen_lines(items: list[str], outputs: list[str]) -> str:
    """The first line of the output holding each item (as a word), for the fill-in note: the
    0.5B, asked to fill "Walrus: VALUE, Ibex: VALUE, ..." from four grep results above, wrote the
    one value it had answered before for all four ("" when no item was seen).

    >>> print(seen_lines(["Ibex", "Lynx"], ["1 matching line:\\n6:The code for Ibex is 7212-XK."]))
    <BLANKLINE>
    The lines your output showed for them:
    Ibex: The code for Ibex is 7212-XK.
    """
    rows = []
    for item in items:
        word = re.compile(rf"(?<!\w){re.escape(item)}(?!\w)", re.IGNORECASE)
        line = next((line.strip() for output in outputs for line in output.splitlines()
                     if word.search(line) and not is_result_header(line)), None)
        if line is not None:
            # Without grep's "877:": shown "Badger: 877:The project code for Badger is 2785-CA."
            # the 0.5B filled in "Badger: 877".
            rows.append(f"{item}: {_LINE_NUMBER.sub('', line, count=1).strip()[:SEEN_LINE_CHARS]}")
    return "\nThe lines your output showed for them:\n" + "\n".join(rows) if rows else ""


def line_shape(line: str) -> str:
    """A line with its numbers blanked: records of one kind share it.

    >>> line_shape("2025-11-11T15:48:23Z job JOB-94370 failed on node-2")
    '0-0-0T0:0:0Z job JOB-0 failed on node-0'
    """
    return re.sub(r"\d+", "0", line)


def item_pattern(items: list[str]) -> str | None:
    """The regex every item fits, when they are codes of one shape (`JOB-\\d+`), else None.

    >>> print(item_pattern(["JOB-59851", "JOB-76469"]), item_pattern(["Ann", "Bob"]))
    JOB-\\d+ None
    """
    def shape(item: str) -> str:
        return "".join(r"\d+" if part.isdigit() else re.escape(part).replace("\\-", "-")
                       for part in re.split(r"(\d+)", item) if part)

    shapes = {shape(item) for item in items}
    if len(shapes) != 1 or not any(c.isdigit() for c in items[0]):
        return None
    return shapes.pop()


def some_of_many(answer: str, outputs: list[str]) -> tuple[int, int, str] | None:
    """(lines, items given, code that collects every item) when a list answer takes its items
    from some of the last grep's lines and leaves out others of the same shape, else None."""
    last = last_grep(outputs)
    if last is None:
        return None
    pattern, output = last
    lines = [m.group(1) for m in map(_GREP_LINE.match, output.splitlines()) if m is not None]
    items = answer_items(answer)
    taken = [next((line for line in lines if item in line), None) for item in items]
    if len(items) < 2 or None in taken:
        return None
    shapes = {line_shape(line) for line in taken if line is not None}
    alike = [line for line in lines if line_shape(line) in shapes]
    if len(alike) <= len(set(taken)):
        return None
    code = item_pattern(items)
    collect = (f'items = re.findall(r"{code}", "\\n".join(h.line for h in grep({pattern!r}, '
               f'max_count=None)))' if code else 'items = re.findall(r"...", context)')
    return len(alike), len(items), collect


def last_grep(outputs: list[str]) -> tuple[str, str] | None:
    """(pattern, output) of the last grep whose printed result showed lines (None if none did).

    >>> last_grep(["5 matching lines for 'Oksana':\\n8:Oksana", "0 matching lines for 'x'"])
    ('Oksana', "5 matching lines for 'Oksana':\\n8:Oksana")
    """
    for output in reversed(outputs):
        found = [head for head in grep_headers(output) if head.count]
        if found:
            return found[-1].pattern, output
    return None


def last_grep_pattern(outputs: list[str]) -> str | None:
    """The pattern of the last grep whose printed result showed lines (None if none did)."""
    last = last_grep(outputs)
    return None if last is None else last[0]


def shows_grep_lines(output: str) -> bool:
    """Whether a printed output holds a grep result that showed lines.

    >>> shows_grep_lines("2 matching lines for 'a':\\n1:a\\n4:a"), shows_grep_lines("0 matching lines for 'b'")
    (True, False)
    """
    return last_grep([output]) is not None


def _flat(answer: str) -> str:
    """An answer with its runs of whitespace made one space: how answers are compared with the
    ones questioned before (the 0.5B re-typed a questioned grep line with its spaces collapsed)."""
    return " ".join(answer.split())


def _escaped(text: str) -> str:
    """`text` as it may stand inside a double-quoted Python string literal.

    >>> _escaped('say "hi"')
    'say \\\\"hi\\\\"'
    """
    return text.replace("\\", "\\\\").replace('"', '\\"')


# One token with a digit: a code, an id, a number (a word answer may well be one of the task's,
# "Which of these words occurs most often: ...?").
_ONE_CODE = re.compile(r"^\W*([\w.-]*\d[\w.-]*)\W*$")
_ASKS_VARIABLES = re.compile(r"\bvariables?\b", re.IGNORECASE)


def given_value(task: str, answer: str) -> str | None:
    """The answer when it is a code or number the task itself gives, else None: asked which
    variables end up holding 16087, the 0.5B grepped, saw `LBVCT := 16087` and answered 16087
    (all four eval runs, 2026-12-01).

    >>> given_value("Which variables hold 16087?", "16087"), given_value("Which variables hold 16087?", "LBVCT")
    ('16087', None)
    >>> given_value("What is the code of unit 7?", "70")
    """
    m = _ONE_CODE.match(answer)
    if m is None:
        return None
    value = m.group(1)
    return value if re.search(rf"(?<![\w.-]){re.escape(value)}(?![\w-])", task) else None


# A value the task gives: a number of three digits or more, or a code with a digit in it.
_TASK_VALUE = re.compile(r"(?<![\w.-])(\d{3,}|[A-Za-z0-9]+-[A-Za-z0-9-]*\d[A-Za-z0-9-]*)(?![\w-])")


# A field of a record line: `hours: 7`, `region=south`, `"warehouse": "Lyon"`.
_RECORD_FIELD = re.compile(r"(?<![\w-])[\"']?([A-Za-z_][\w-]*)[\"']?\s*[:=]\s*[\"']?([\w.,-]+)")
_NUMBER_VALUE = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def sum_start(task: str, lines: list[str]) -> str | None:
    """The `values` call that sums a task's field over its records, read from the search hits:
    a numeric field the task names (`hours`, `weight_kg`) on a line whose other field has a
    value the task names (`team: data`, `"warehouse": "Lyon"`); None when no hit has both.

    Asked "How many hours in total did team data log?", the 0.5B grepped "data" and FINALed the
    hours of the first line, 7 (held-out sumfield seeds 54-55: 0/4); where the task spelled the
    condition `region=south` it had written this call itself.

    >>> sum_start("How many hours in total did team data log?", ["ts TS-1 | team: data | hours: 7"])
    'print(values("hours", where="team=data"))\\n'
    >>> sum_start("What is the total weight_kg from warehouse Lyon?", ['{"warehouse": "Lyon", "weight_kg": 78}'])
    'print(values("weight_kg", where="warehouse=Lyon"))\\n'
    """
    if _ASKS_SUM.search(task) is None:
        return None
    words = {w.lower() for w in re.findall(r"\w+", task)}
    for line in lines:
        fields = _RECORD_FIELD.findall(line)
        summed = [k for k, v in fields if k.lower() in words and _NUMBER_VALUE.fullmatch(v)]
        # A condition the task names by value; one it names by field and value comes first.
        conditions = sorted(((k, v) for k, v in fields if v.lower() in words and k not in summed
                             and not _NUMBER_VALUE.fullmatch(v)),
                            key=lambda kv: kv[0].lower() not in words)
        if len(set(summed)) == 1 and conditions:
            key, value = conditions[0]
            return f'print(values("{summed[0]}", where="{key}={value}"))\n'
    return None


def opening_start(task: str, hit_lines: list[str] | None = None) -> str | None:
    """The code the first turn starts with when the task has a helper of its own, else None: a
    question about the variables that hold a value the task gives starts inside `aliases`, one
    about which listed word occurs most often with the count of each (`opening_count`), a total
    of a field over records with the `values` call the search hits show (`sum_start`).

    Asked which variables end up holding 82864, the 0.5B echoed the hit line's names as a list
    literal, grepped one link of the chain and answered the value itself (held-out vartrack
    seeds 50-51: 0/2); the 'given' check that points to aliases() comes only after such an
    answer, and a last turn's answer is not checked.

    >>> opening_start("Which variables are assigned the value 82864, directly or not?")
    'print(aliases("82864"))\\n'
    >>> opening_start("What is the value of variable x?") is None
    True
    """
    if not _ASKS_VARIABLES.search(task):
        return opening_count(task) or sum_start(task, hit_lines or [])
    m = _TASK_VALUE.search(task)
    return None if m is None else f'print(aliases("{_escaped(m.group(1))}"))\n'


def copies_example(answer: str, find: Callable[[str], bool], outputs: list[str]) -> bool:
    """Whether the answer is one of the system prompt's worked examples, found neither in the
    context nor in any output: the 0.5B's forced last turn answered "Ada Byron, T. Kirk" (example
    4's output) to a word-count task.

    >>> copies_example("Ada Byron, T. Kirk", lambda s: False, []), copies_example("geluf", lambda s: False, [])
    (True, False)
    """
    text = answer.strip()
    return (len(text) >= 4 and text in SYSTEM_PROMPT and not find(text)
            and not appears_in(text, seen=outputs))


# The thing a what/which task asks for: "Which room does ..." -> room; "What is the secret
# access code for ..." -> code (the last word before a preposition or verb).
_ASKS_WHICH = re.compile(r"^\W*(what|which)\s+(\w+)", re.IGNORECASE)
_COPULA = frozenset("is are was were".split())
_ENDS_NOUN = frozenset("for of in on at to from with by that does did do was is has have".split())


def asked_thing(task: str) -> tuple[str, str] | None:
    """(the task's opening words, the noun it asks for) for a what/which task, else None.

    >>> asked_thing("Which room does Oksana work in?"), asked_thing("What is the access code for X?")
    (('Which room', 'room'), ('What is the access code', 'code'))
    """
    m = _ASKS_WHICH.search(task)
    if m is None:
        return None
    if m.group(2).lower() not in _COPULA:
        return m.group(0).strip(), m.group(2).lower()
    words = task[m.end():].replace("?", " ").split()
    while words and words[0].lower() in ("the", "a", "an"):
        words.pop(0)
    noun = []
    for word in words:
        if word.lower() in _ENDS_NOUN:
            break
        noun.append(word)
    if not noun:
        return None
    cut = task.index(noun[-1], m.end()) + len(noun[-1])
    return " ".join(task[:cut].split()).lstrip(), noun[-1].lower().strip(".,;:")


_LINE_NUMBER = re.compile(r"^\s*(?:[^\s:]+:)?\d+[:-]")  # "393:" or "path:12:" as grep prints
WHOLE_LINE_WORDS = 3


def whole_line_doubt(task: str, answer: str, outputs: list[str]) -> tuple[str, str] | None:
    """(what the task asks, the thing) when a what/which task is answered with a whole line of
    the output (or a grep line with its number) rather than the value in it.

    The 0.5B answered "Which room does Oksana work in?" with "Lunch with Oksana moved to Friday."
    (one of five grep lines; "You'll find Oksana at office H-905 most days." was another), and
    "How many files import os.path?" with "20:import os.path".

    >>> seen = ["2 matching lines:\\n210:Lunch with Oksana moved to Friday.\\n393:Oksana is at H-905."]
    >>> whole_line_doubt("Which room does Oksana work in?", "Lunch with Oksana moved to Friday.", seen)
    ('Which room', 'room')
    >>> whole_line_doubt("Which room does Oksana work in?", "H-905", seen) is None
    True
    """
    asked = asked_thing(task)
    # (a choice among listed words has its own check: a sub-call over lines does not count them)
    if asked is None or asks_for_several(task) or asks_choice(task):
        return None
    flat = " ".join(_LINE_NUMBER.sub("", answer.strip()).split())
    if len(flat.split()) < WHOLE_LINE_WORDS:
        return None
    for output in outputs:
        for line in output.splitlines():
            if " ".join(_LINE_NUMBER.sub("", line).split()) == flat:
                return asked
    return None


def quoted(answer: str) -> str:
    """The answer as the check notes quote it: one line, at most 80 characters.

    >>> quoted("a\\n b")
    "'a b'"
    """
    flat = " ".join(answer.split())
    return repr(flat if len(flat) <= 80 else flat[:77] + "...")


@dataclass
class AnswerChecker:
    """The checks of one run. `find(s)` says whether `s` occurs in the context (a Rust find).

    Each check questions at most its budget of answers a run (`CHECKS`), so a run cannot loop on
    a check; the first check that doubts an answer gives the note.
    """

    task: str
    find: Callable[[str], bool]
    # The context's files, when it has any (read once, at the first "which file" answer).
    files_of: Callable[[], ContextFiles | None] = lambda: None
    questioned: list[str] = field(default_factory=list)  # every answer a note questioned, in order
    spent: Counter[str] = field(default_factory=Counter)  # notes given, by check
    refuted: set[str] = field(default_factory=set)  # answers a REFUTING check questioned (flat)
    covered: list[str] = field(default_factory=list)  # answers the coverage check questioned
    # How the next turn should start after the last note: None leaves it to the engine (a
    # search), FREE_START starts it freely. After the fill-in template the 0.5B was steered into
    # `print(grep("` and looked the four items up again and again; started inside
    # `FINAL("Walrus: ` it only has to copy values.
    next_start: str | None = None

    def check(self, answer: str, code: str | None, progress: Progress) -> str | None:
        """The note that questions `answer` (and counts against its check's budget), or None."""
        self.next_start = None
        for name, budget in CHECKS:
            if self.spent[name] >= budget:
                continue
            note = getattr(self, name)(answer, code, progress)
            if note is not None:
                self.spent[name] += 1
                self.questioned.append(answer)
                if name in REFUTING:
                    self.refuted.add(_flat(answer))
                return note
        return None

    def was_questioned(self, answer: str | None) -> bool:
        """Whether a note questioned this answer before, spacing aside (the 0.5B re-typed a
        questioned grep line with its runs of spaces collapsed)."""
        flat = _flat(answer or "")
        return any(_flat(q) == flat for q in self.questioned)

    def fallback(self) -> str | None:
        """The answer to give when the run ends without a FINAL: the last one questioned, unless
        a check showed it wrong (the task's own value, a template's placeholders, nothing).

        A questioned answer beats none: the 0.5B's questioned "...: 3449-WJ" was right, and its
        last turn wrote FINAL(7566-JC), a NameError (eval trajectory, 2026-12-01).
        """
        return next((a for a in reversed(self.questioned) if _flat(a) not in self.refuted), None)

    def choice(self, answer: str, code: str | None, progress: Progress) -> str | None:
        options = named_items(self.task)
        if not asks_choice(self.task) or len(options) < 2:
            return None
        if any(names_word(answer, o) for o in options):
            return None
        count = ""
        if asks_most(self.task):  # the 0.5B counted the letters of the task's own list instead
            count = count_each(options)
            self.next_start = count
            count = COUNT_EACH_NOTE.format(count=count)
        return CHOICE_CHECK.format(answer=quoted(answer), options=", ".join(options), count=count)

    def against_count(self, answer: str, code: str | None, progress: Progress) -> str | None:
        if not asks_most(self.task):
            return None
        options = named_items(self.task) if asks_choice(self.task) else []
        counts = printed_counts(progress.outputs, options)
        named = [item for item in counts or options if names_word(answer, item)]
        most = "least" if _ASKS_LEAST.search(self.task) else "most"
        if not counts:  # listed options, none counted yet: several named is no single answer
            if len(named) < 2:
                return None
            self.next_start = count_each(options)
            return SEVERAL_CHOICES_CHECK.format(options=", ".join(options), answer=quoted(answer),
                                                n=len(named), count=self.next_start, most=most)
        best = counted_best(counts, least=most == "least")
        if not named or (len(named) == 1 and named[0] in best):
            return None  # not a counted item (other checks judge it), or the best one
        differs = f"names {len(named)} of them" if len(named) > 1 else "is not that one"
        self.next_start = ANSWER_START
        return COUNTED_CHECK.format(most=most, best=", ".join(f"{b!r}: {counts[b]}" for b in best),
                                    answer=quoted(answer), differs=differs)

    def most(self, answer: str, code: str | None, progress: Progress) -> str | None:
        if not asks_most(self.task) or counted(progress, code):
            return None
        # The listed words counted each, or a Counter: steered into `print(grep("` after this
        # note, the 0.5B grepped the lines again; into `print(collections.Counter(` it filled in
        # the line numbers of the prompt's example.
        self.next_start = count_start(self.task)
        return MOST_CHECK.format(answer=quoted(answer))

    def empty(self, answer: str, code: str | None, progress: Progress) -> str | None:
        # The 0.5B filtered the hit lines by a wrong field, got [], and FINALed ", ".join([]).
        return EMPTY_CHECK if not answer.strip() else None

    def placeholder(self, answer: str, code: str | None, progress: Progress) -> str | None:
        if self.covered and ": VALUE" in answer:  # the fill-in template, copied as is
            return PLACEHOLDER_NOTE.format(answer=quoted(answer))
        return None

    def given(self, answer: str, code: str | None, progress: Progress) -> str | None:
        value = given_value(self.task, answer)
        if value is None:
            return None
        hint = ""
        if _ASKS_VARIABLES.search(self.task):  # the chain of assignments is one call away
            if any(shows_aliases(output, value) for output in progress.outputs):
                hint = GIVEN_ALIASES_SEEN_HINT.format(value=value)
                self.next_start = ANSWER_START
            else:
                hint = GIVEN_VARIABLES_HINT.format(value=value)
                self.next_start = f'print(aliases("{_escaped(value)}"))'
        return GIVEN_CHECK.format(answer=quoted(answer), hint=hint)

    def shape(self, answer: str, code: str | None, progress: Progress) -> str | None:
        doubt = shape_doubt(self.task, answer)
        if doubt is not None:
            return SHAPE_CHECK.format(asks=doubt[0], kind=doubt[1], answer=quoted(answer))
        files = files_doubt(self.task, answer, progress.outputs)
        if files is not None:
            # Told to check the lines first, the 0.5B grepped them again until its turns ran out
            # (3 of 4 eval runs); the file count is in grep's header: start inside the answer.
            self.next_start = ANSWER_START
            return FILES_CHECK.format(answer=quoted(answer), lines=files[0], files=files[1])
        line = whole_line_doubt(self.task, answer, progress.outputs)
        if line is None:
            return None
        return WHOLE_LINE_CHECK.format(asks=line[0], thing=line[1], answer=quoted(answer),
                                       ask=self.sub_call_ask(progress))

    def file(self, answer: str, code: str | None, progress: Progress) -> str | None:
        if not asks_one_file(self.task):
            return None
        files = self.files_of()
        named = [] if files is None else files.named(answer)
        if files is None or len(named) != 1:
            return None
        path = named[0]
        lacking = files.lacking(path, task_terms(self.task))
        if lacking:
            grep = f'print(grep("{_escaped(lacking[0])}", literal=True))'
            self.next_start = grep
            return FILE_LACKS_CHECK.format(path=path, term=quoted(lacking[0]), grep=grep)
        computed = code is not None and reads_context(code)  # its shape is the code's choice
        if not computed and answer.strip(" \t\n'\"`") != path:  # a grep line, a sentence
            self.next_start = ANSWER_START
            return FILE_PATH_CHECK.format(answer=quoted(answer), path=path)
        return None

    def line_number(self, answer: str, code: str | None, progress: Progress) -> str | None:
        if _ASKS_LINES.search(self.task):
            return None
        items = answer_items(answer)
        if len(items) >= 2:  # several line numbers, each of a line grep printed
            lines = [numbered_line(item, progress.outputs) for item in items]
            if None in lines:
                return None
            self.next_start = ANSWER_START
            return LINE_NUMBERS_CHECK.format(answer=quoted(answer), line=clip_line(lines[0] or ""))
        line = numbered_line(answer, progress.outputs)
        if line is None:
            return None
        return LINE_NUMBER_CHECK.format(answer=quoted(answer), line=clip_line(line),
                                        ask=self.sub_call_ask(progress))

    def sub_call_ask(self, progress: Progress) -> str:
        """The sub-call that reads the last grep's lines for the task (and starts the next turn
        with it, written out), or "" when no grep ran.

        Steered into `print(llm_query(` only, the 0.5B wrote `print(llm_query(1))` (held-out
        paraphrase seed 56, commonword seed 52) or broke the quotes (seed 55)."""
        pattern = last_grep_pattern(progress.outputs)
        self.next_start = None
        if pattern is None:
            return ""
        asked = SUB_QUESTION_ALL if asks_for_several(self.task) else SUB_QUESTION
        question = _escaped(asked.format(task=self.task)).replace("\n", "\\n")
        ask = WHOLE_LINE_ASK.format(question=question, pattern=_escaped(pattern))
        self.next_start = ask[ask.index("`") + 1:-1] + "\n"  # the call between the backticks
        return ask

    def grounding(self, answer: str, code: str | None, progress: Progress) -> str | None:
        if restates_task(answer, self.task):
            template = RESTATES_CHECK if progress.read_context else UNREAD_CHECK
            return template.format(answer=quoted(answer))
        if code is not None and reads_context(code):
            return None  # computed from the context: whatever it is, code found it
        seen = appears_in(answer, seen=progress.outputs)
        found = progress.read_context and appears_in(answer, self.find, [])
        if seen or found:
            return None
        template = UNSEEN_CHECK if progress.read_context else UNREAD_CHECK
        return template.format(answer=quoted(answer))

    def filled_start(self) -> str:
        """How a turn that should write the whole answer starts: inside `FINAL("` and, when the
        task names its items, after the first one (`FINAL("Walrus: `)."""
        named = [item for item in named_items(self.task) if self.find(item)]
        return f'FINAL("{_escaped(named[0])}: ' if len(named) >= 2 else 'FINAL("'

    def coverage(self, answer: str, code: str | None, progress: Progress) -> str | None:
        if answer in self.covered:
            return None
        note = self._coverage(answer, progress)
        if note is not None:
            self.covered.append(answer)
        return note

    def _coverage(self, answer: str, progress: Progress) -> str | None:
        if asks_choice(self.task):  # one of the listed items is the whole answer
            return None
        given = len(answer_items(answer))
        named = [item for item in named_items(self.task) if self.find(item)]
        if len(named) >= 2 and given < len(named):
            low = answer.lower()
            if any(item.lower() not in low for item in named):
                if self.covered:  # looked up once already: ask to fill the answer in
                    template = ", ".join(f"{item}: VALUE" for item in named)
                    self.next_start = self.filled_start()
                    return NAMED_ITEMS_FILL.format(n=len(named), names=", ".join(named),
                                                   answer=quoted(answer), given=given,
                                                   template=template,
                                                   seen=seen_lines(named, progress.outputs))
                # The note names the lookup loop to write: steered into one grep, the 1.5B
                # looked up one item again.
                self.next_start = FREE_START
                return NAMED_ITEMS_CHECK.format(n=len(named), names=", ".join(named),
                                                answer=quoted(answer), given=given, listed=named)
        some = some_of_many(answer, progress.outputs) if asks_for_several(self.task) else None
        if some is not None:
            self.next_start = some[2] + "\n" if "..." not in some[2] else COLLECT_START
            return SOME_OF_MANY_CHECK.format(n=some[0], given=some[1], answer=quoted(answer),
                                             collect=some[2])
        if asks_for_several(self.task) and given == 1 and progress.most_matches > 1:
            # Steered into `print(grep("` after this note, the 0.5B printed the 12 lines again,
            # then a wider search, and answered one line (held-out extract seed 50, 1M).
            self.next_start = COLLECT_START
            return ONE_OF_MANY_CHECK.format(answer=quoted(answer), n=progress.most_matches)
        return None
