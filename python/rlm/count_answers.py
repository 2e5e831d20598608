"""Counting answers: the "which occurs most often", "how many" and "in total" tasks, the code
that starts their count and the printed counts an answer is held against.

They are answered by counting, not by reading lines: the 0.5B grepped 25 "bird sighting logged:
..." lines and FINALed one of them, and asked for a team's hours in total it FINALed the first
line's (held-out sumfield seeds 54-55: 0/4). So their turn starts inside the count
(`count_start`, `sum_start`), and the checks of `rlm.answer_check` read the counts printed
(`printed_counts`) and grep's file count (`files_doubt`) from here.
"""

from __future__ import annotations

import os
import re
from typing import NamedTuple

from rlm.list_answers import _GREP_LINE
from rlm.loop_control import Progress, asks_choice, named_items, normalize_code
from rlm.repl.headers import grep_headers


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


# A task that counts a quoted word, and says the case does not matter.
_QUOTED_WORD = re.compile(r"""["'`](\w+)["'`]""")
_ANY_CASE = re.compile(r"\b(?:any|either)\s+(?:letter\s+)?case\b|case[- ]insensitive", re.IGNORECASE)


class WordDoubt(NamedTuple):
    """A count of a quoted word whose grep also counted longer words holding it."""

    word: str
    partial: int  # lines shown that hold the word only inside a longer word
    shown: int
    longer: str  # one such longer word
    pattern: str  # the regex that counts the whole word (after a value the task names, if any)
    any_case: bool  # the task says the letter case does not matter


# A value a task names beside the word it counts: a date, a code ("on 2026-09-22").
_TASK_VALUE = re.compile(r"(?<![\w.-])(\d[\w.:-]*\d|[A-Za-z]+-\d[\w-]*)(?![\w-])")


def partial_word_doubt(task: str, answer: str, outputs: list[str]) -> WordDoubt | None:
    """How a "how many" task that quotes a word was answered with the count of a grep for that
    bare word whose lines hold it inside longer words too ("install" in "status installed":
    held-out pkglog seed 66 answered 89 for 16; "production" in "reproduction": licenses seed
    66), or None. The whole-word pattern puts a value the task names and the lines hold before
    or after the word, as the lines do ("on 2026-09-22": `2026\\-09\\-22.*\\binstall\\b`).

    >>> out = "3 matching lines for 'install':\\n1:a install x\\n2:a installed x\\n3:b installed"
    >>> partial_word_doubt("How many packages had action 'install'?", "3", [out])[:5]
    ('install', 2, 3, 'installed', '\\\\binstall\\\\b')
    >>> partial_word_doubt("How many packages had action 'install'?", "1", [out]) is None
    True
    >>> log = "2 matching lines for 'install':\\n1:2026-09-22 04:48 install x\\n2:2026-09-22 04:48 status installed x"
    >>> print(partial_word_doubt("How many 'install' actions on 2026-09-22?", "2", [log]).pattern)
    2026\\-09\\-22.*\\binstall\\b
    """
    if not asks_count(task):
        return None
    numbers = re.findall(r"\d[\d,]*", answer)
    words = {w.lower() for w in _QUOTED_WORD.findall(task)}
    if len(numbers) != 1 or not words:
        return None
    given = int(numbers[0].replace(",", ""))
    for output in reversed(outputs):
        heads = grep_headers(output)
        if len(heads) != 1 or heads[0].pattern.lower() not in words:
            continue
        head = heads[0]
        if given not in (head.count, head.files):
            return None
        word = head.pattern.lower()
        whole = re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE)
        inside = re.compile(rf"\w*{re.escape(word)}\w*", re.IGNORECASE)
        lines = [m.group(1) for m in map(_GREP_LINE.match, output.splitlines()) if m is not None]
        partial = [line for line in lines if not whole.search(line)]
        if not partial:
            return None
        longer = next(m.group(0) for m in inside.finditer(partial[0]) if m.group(0).lower() != word)
        pattern = rf"\b{word}\b"
        for value in _TASK_VALUE.findall(task):
            line = next((ln for ln in lines if value in ln and whole.search(ln)), None)
            if line is not None:
                before = line.index(value) < whole.search(line).start()  # type: ignore[union-attr]
                pattern = (f"{re.escape(value)}.*{pattern}" if before
                           else f"{pattern}.*{re.escape(value)}")
                break
        return WordDoubt(word, len(partial), len(lines), longer, pattern,
                         _ANY_CASE.search(task) is not None)
    return None


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
