"""Whether a FINAL answer looks wrong enough to give the model a turn to check it first.

The checks are tried in the order of `CHECKS` (thirteen of them: a choice answered with none of
its options, a count contradicted, a placeholder left in, a line number answered, a file that
lacks what the task names, ...), each with its own budget so a run cannot loop on checks. The
first three written, still the most often given:
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

The helpers of two check families live apart: `rlm.count_answers` (counts, most often,
totals, file counts) and `rlm.list_answers` (list answers and the grep lines they come from).

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
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from rlm.count_answers import (
    _ASKS_LEAST,
    asks_most,
    count_each,
    count_start,
    counted,
    counted_best,
    files_doubt,
    names_word,
    opening_count,
    partial_word_doubt,
    printed_counts,
    sum_start,
)
from rlm.file_answers import ContextFiles, asks_one_file, task_terms
from rlm.list_answers import (
    _LINE_NUMBER,
    collect_from_last_grep,
    last_grep_pattern,
    seen_lines,
    some_of_many,
)
from rlm.loop_control import (
    Progress,
    answer_items,
    appears_in,
    asks_choice,
    asks_for_several,
    named_items,
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
    ASKED_WORD_CHECK,
    UNNAMED_CHECK,
    WHOLE_WORD_CHECK,
    COLLECT_NOTE,
    ONE_OF_MANY_COLLECT,
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
from rlm.repl.headers import is_result_header, shows_aliases
from rlm.task_hints import task_names

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
    ("whole_word", 1),  # a count of a quoted word that also counted longer words holding it
    ("grounding", 1),  # an answer neither seen in output nor found in the context
    ("unnamed", 1),  # a lookup about a name answered from a line that does not mention it
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


# The collecting line of the system prompt's example 2, after a one-of-many answer.
COLLECT_START = 'items = re.findall(r"'
ANSWER_START = 'FINAL("'  # a turn left only the answer to write
# A check's next turn that starts freely, after the code fence only.
FREE_START = ""


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
        named = self.asked_word(answer, progress)
        if named is not None:
            return named
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

    def asked_word(self, answer: str, progress: Progress) -> str | None:
        """The note for an answer that is the very noun the task asks for ("Which password does
        Ezekiel use?" answered "password": held-out paraphrase seed 65, from the one grep line
        that said the word), with the sub-call over the lines of the task's name."""
        asked = asked_thing(self.task)
        if asked is None or answer.strip(" \t\n.'\"`").lower() not in (asked[1], asked[1] + "s"):
            return None
        name = next(iter(self.task_names_in_context()), None)
        ask = self.sub_call_ask(progress, pattern=name)
        return ASKED_WORD_CHECK.format(answer=quoted(answer), thing=asked[1],
                                       about=f" about {name}" if name else "", ask=ask)

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
            note = LINE_NUMBERS_CHECK.format(answer=quoted(answer), line=clip_line(lines[0] or ""))
            collect = self.collect(progress)
            self.next_start = ANSWER_START if collect is None else collect + "\n"
            return note if collect is None else note + COLLECT_NOTE.format(collect=collect)
        line = numbered_line(answer, progress.outputs)
        if line is None:
            return None
        collect = self.collect(progress)
        if collect is not None:
            self.next_start = collect + "\n"
            return (LINE_NUMBER_CHECK.format(answer=quoted(answer), line=clip_line(line), ask="")
                    + COLLECT_NOTE.format(collect=collect))
        return LINE_NUMBER_CHECK.format(answer=quoted(answer), line=clip_line(line),
                                        ask=self.sub_call_ask(progress))

    def collect(self, progress: Progress) -> str | None:
        """For a task that asks for every item: the code that collects the record ids of the last
        grep's lines (`rlm.list_answers.collect_from_last_grep`), else None."""
        return collect_from_last_grep(progress.outputs) if asks_for_several(self.task) else None

    def sub_call_ask(self, progress: Progress, pattern: str | None = None) -> str:
        """The sub-call that reads the lines of `pattern` (default: the last grep's) for the task
        (and starts the next turn with it, written out), or "" when no grep ran.

        Steered into `print(llm_query(` only, the 0.5B wrote `print(llm_query(1))` (held-out
        paraphrase seed 56, commonword seed 52) or broke the quotes (seed 55)."""
        pattern = pattern or last_grep_pattern(progress.outputs)
        self.next_start = None
        if pattern is None:
            return ""
        asked = SUB_QUESTION_ALL if asks_for_several(self.task) else SUB_QUESTION
        question = _escaped(asked.format(task=self.task)).replace("\n", "\\n")
        ask = WHOLE_LINE_ASK.format(question=question, pattern=_escaped(pattern))
        self.next_start = ask[ask.index("`") + 1:-1] + "\n"  # the call between the backticks
        return ask

    def whole_word(self, answer: str, code: str | None, progress: Progress) -> str | None:
        doubt = partial_word_doubt(self.task, answer, progress.outputs)
        if doubt is None:
            return None
        grep = f'print(grep(r"{doubt.pattern}"{", ignore_case=True" if doubt.any_case else ""}))'
        self.next_start = grep + "\n"
        return WHOLE_WORD_CHECK.format(word=doubt.word, partial=doubt.partial, shown=doubt.shown,
                                       longer=doubt.longer, grep=grep)

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

    def unnamed(self, answer: str, code: str | None, progress: Progress) -> str | None:
        """A "which X does NAME ...?" answer taken from output lines none of which mention NAME,
        while lines about NAME were shown (held-out paraphrase seed 66: grep("password") printed
        eleven lines of a zipfile test and the decoy about Rosalind; the 0.5B FINALed "python",
        from `setpassword(b"python")`, with "Rosalind's login secret: 1817-XS." in its hits)."""
        asked = asked_thing(self.task)
        if asked is None or asks_for_several(self.task) or (code is not None and reads_context(code)):
            return None
        names = self.task_names_in_context()
        value = answer.strip(" \t\n.'\"`")
        if not names or not value:
            return None
        word = re.compile(rf"(?<!\w){re.escape(value)}(?!\w)", re.IGNORECASE)
        lines = [line for output in progress.outputs for line in output.splitlines()
                 if not is_result_header(line)]
        holding = [line for line in lines if word.search(line)]
        about = [line for line in lines if any(n.lower() in line.lower() for n in names)]
        if not holding or not about or any(line in about for line in holding):
            return None
        ask = self.sub_call_ask(progress, pattern=names[0])
        return UNNAMED_CHECK.format(answer=quoted(answer), name=names[0], thing=asked[1],
                                    line=clip_line(_LINE_NUMBER.sub("", holding[0]).strip()), ask=ask)

    def task_names_in_context(self) -> list[str]:
        """The task's proper names as the task spells them, those the context holds."""
        spelled = [m.group(0) for n in task_names(self.task)
                   for m in [re.search(rf"\b{re.escape(n)}\b", self.task, re.IGNORECASE)] if m]
        return [n for n in spelled if self.find(n)]

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
            collect = self.collect(progress)
            if collect is not None:
                self.next_start = collect + "\n"
                return ONE_OF_MANY_COLLECT.format(answer=quoted(answer), n=progress.most_matches,
                                                  collect=collect)
            self.next_start = COLLECT_START
            return ONE_OF_MANY_CHECK.format(answer=quoted(answer), n=progress.most_matches)
        return None
