"""Record families: many planted lines the answer is computed over (OOLONG-style aggregation).

- `aggregate`: order records; how many have status=FAILED;
- `sumfield`: records with a group field and a number; the total of the number over one group;
- `extract`: records of several kinds; every id of one kind;
- `vartrack` (RULER's variable tracking): chains of assignments `VAR B = VAR A`; every variable
  that ends up holding a value (two other chains are distractors);
- `commonword` (RULER's common-word extraction): lines naming invented words; the most frequent.

Record counts scale with the size (about one record per 8K or 16K characters), so a bigger context
is also more records to go through.

>>> s = sumfield(random.Random(0), 1 << 20); s.scorer, len(s.inserts)
('number', 128)
"""

from __future__ import annotations

import random
import re
from typing import NamedTuple

from rlm.eval.corpus import Insert
from rlm.eval.spec import Spec, depths, distinct, pick, var_name

_STATUSES = ("OK", "FAILED", "PENDING", "REFUNDED")
_STATUS_WEIGHTS = (0.55, 0.2, 0.15, 0.1)


def _stamp(rng: random.Random) -> str:
    day, hh, mm, ss = rng.randrange(1, 29), rng.randrange(24), rng.randrange(60), rng.randrange(60)
    return f"2025-11-{day:02d}T{hh:02d}:{mm:02d}:{ss:02d}Z"


def _records(size: int, per: int, lo: int, hi: int) -> int:
    return min(max(size // per, lo), hi)


def aggregate(rng: random.Random, size: int) -> Spec:
    """One order record per 8K characters; the question counts those with status=FAILED.

    >>> len(aggregate(random.Random(0), 1 << 20).inserts)
    128
    """
    n = _records(size, 8192, 16, 500)
    statuses = rng.choices(_STATUSES, weights=_STATUS_WEIGHTS, k=n)
    if "FAILED" not in statuses:
        statuses[rng.randrange(n)] = "FAILED"
    inserts = []
    for status in statuses:
        day, hh = rng.randrange(1, 29), rng.randrange(24)
        mm, ss = rng.randrange(60), rng.randrange(60)
        line = (f"2025-11-{day:02d}T{hh:02d}:{mm:02d}:{ss:02d}Z INFO  [orders] "
                f"order ORD-{rng.randrange(10**5):05d} status={status} "
                f"amount={rng.randrange(100, 50000) / 100:.2f} EUR\n")
        inserts.append(Insert(rng.random(), line))
    return Spec(
        inserts=inserts,
        question="How many order records in the context have status=FAILED?",
        expected=(str(statuses.count("FAILED")),),
        forbidden=("status=FAILED", "ORD-", "[orders]"),
        scorer="number",
    )


class _SumFormat(NamedTuple):
    """A sumfield wording family."""

    line: str  # the record; {stamp} {id} {group} {value}
    groups: tuple[str, ...]
    hundredths: tuple[int, int, int]  # range of the number, in hundredths: start, stop, step
    question: str
    phrase: str  # what the filler must not hold


_SUMS = {
    "invoices": _SumFormat(
        "{stamp} INFO  [billing] invoice INV-{id} region={group} amount={value} EUR",
        ("north", "south", "east", "west"), (500, 90000, 1),
        "What is the total amount in EUR of the invoices with region={group}?", "INV-"),
    "shipments": _SumFormat(
        '{{"shipment": "SHP-{id}", "warehouse": "{group}", "weight_kg": {value}}}',
        ("Leeds", "Lyon", "Porto", "Gdansk"), (100, 9000, 100),
        "What is the total weight_kg of the shipments from warehouse {group}?", '"shipment"'),
    "timesheets": _SumFormat(
        "timesheet TS-{id} | team: {group} | hours: {value}",
        ("platform", "mobile", "data", "support"), (50, 1000, 50),
        "How many hours in total did team {group} log in the timesheet records?",
        "timesheet TS-"),
}


def _hundredths(c: int) -> str:
    """A number of hundredths as printed in a record: 1250 → "12.5", 1200 → "12"."""
    return f"{c // 100}" if c % 100 == 0 else f"{c / 100:.2f}".rstrip("0")


def sumfield(rng: random.Random, size: int) -> Spec:
    """Records of one of three formats (log line, JSON, pipe-separated), one per 8K characters;
    the question asks for the total of a number over the records of one group.

    >>> s = sumfield(random.Random(2), 32768); float(s.expected[0]) > 0
    True
    """
    family, f = pick(rng, _SUMS)
    lo, hi, step = f.hundredths
    target = rng.choice(f.groups)
    n = _records(size, 8192, 16, 500)
    members = [rng.choice(f.groups) for _ in range(n)]
    if target not in members:
        members[rng.randrange(n)] = target
    ids = distinct(lambda r: f"{r.randrange(10**5):05d}", rng, n)
    total, inserts = 0, []
    for group, ident in zip(members, ids):
        cents = rng.randrange(lo, hi, step)
        value = f"{cents / 100:.2f}" if family == "invoices" else _hundredths(cents)
        if group == target:
            total += cents
        line = f.line.format(stamp=_stamp(rng), id=ident, group=group, value=value)
        inserts.append(Insert(rng.random(), line + "\n"))
    return Spec(
        inserts=inserts,
        question=f.question.format(group=target),
        expected=(_hundredths(total) if family != "invoices" else f"{total / 100:.2f}",),
        forbidden=(f.phrase,),
        scorer="number",
        template=family,
    )


# Wording families for extract: the line of a record of `kind`, the kinds, the question.
_EXTRACTS = {
    "alerts": ("{stamp} ALERT severity={kind} ticket=TCK-{id} service={other}",
               ("critical", "major", "minor"),
               "List the ticket of every alert with severity={kind}. Give all of them."),
    "jobs": ("{stamp} [batch] job JOB-{id} finished state={kind} on node-{other}",
             ("failed", "succeeded", "skipped"),
             "Which batch jobs finished in state {kind}? List the id of every one."),
    "returns": ("Customer order RMA-{id} was {kind} by the {other} depot.",
                ("returned", "delivered", "delayed"),
                "Which customer orders were {kind}? Give every order number."),
}
_DEPOTS = ("Aarhus", "Bilbao", "Cork", "Dresden", "Ghent", "Turin")


def extract(rng: random.Random, size: int) -> Spec:
    """One record per 16K characters (12 to 60), a fifth of them (3 to 12) of the asked kind; the
    answer lists every id of that kind.

    >>> s = extract(random.Random(0), 1 << 20); len(s.expected), len(s.candidates)
    (12, 60)
    """
    family, (line, kinds, question) = pick(rng, _EXTRACTS)
    n = _records(size, 16384, 12, 60)
    wanted = min(max(n // 5, 3), 12)
    target = rng.choice(kinds)
    others = [k for k in kinds if k != target]
    labels = [target] * wanted + [rng.choice(others) for _ in range(n - wanted)]
    rng.shuffle(labels)
    ids = distinct(lambda r: f"{r.randrange(10**5):05d}", rng, n)
    # "TCK-", "JOB-", "RMA-": the id's own prefix, without a field name before it ("ticket=TCK-"
    # made the expected items "ticket=TCK-35662", and a right "TCK-35662" scored 0).
    prefix = re.split(r"[\s=]", line.split("{id}")[0])[-1]
    inserts = []
    for kind, ident in zip(labels, ids):
        other = rng.choice(_DEPOTS) if family == "returns" else rng.randrange(1, 40)
        text = line.format(stamp=_stamp(rng), kind=kind, id=ident, other=other)
        inserts.append(Insert(rng.uniform(0.02, 0.98), text + "\n"))
    return Spec(
        inserts=inserts,
        question=question.format(kind=target),
        expected=tuple(prefix + i for i, k in zip(ids, labels) if k == target),
        forbidden=(prefix,),
        scorer="set",
        candidates=tuple(prefix + i for i in ids),
        template=family,
    )


# Wording families for vartrack: the first assignment (a value), a later one (another variable).
_ASSIGNMENTS = {
    "var": ("VAR {a} = {v}", "VAR {a} = VAR {b}"),
    "let": ("let {a} = {v};", "let {a} = {b};"),
    "walrus": ("{a} := {v}", "{a} := {b}"),
}
_TRACK_QUESTIONS = (
    "Which variables are assigned the value {v}, directly or through other variables? "
    "List all of them.",
    "Follow the chains of assignments in the text: which variables end up holding {v}? "
    "Give every name.",
)
CHAIN_LENGTH = 4
DISTRACTOR_CHAINS = 2


def vartrack(rng: random.Random, size: int) -> Spec:
    """Three chains of four assignments (`VAR QWRTP = 51234`, `VAR ZXCVB = VAR QWRTP`, ...), each
    chain in order in the text; every variable of the asked value's chain must be named.

    >>> s = vartrack(random.Random(0), 32768); len(s.expected), len(s.candidates)
    (4, 12)
    """
    family, (first, later) = pick(rng, _ASSIGNMENTS)
    chains = 1 + DISTRACTOR_CHAINS
    names = distinct(var_name, rng, chains * CHAIN_LENGTH)
    values = distinct(lambda r: str(r.randrange(10000, 100000)), rng, chains)
    inserts = []
    for c in range(chains):
        chain = names[c * CHAIN_LENGTH:(c + 1) * CHAIN_LENGTH]
        # Each chain in order: an assignment comes after the one it copies, as in RULER.
        for k, depth in enumerate(depths(rng, CHAIN_LENGTH)):
            text = (first.format(a=chain[0], v=values[c]) if k == 0
                    else later.format(a=chain[k], b=chain[k - 1]))
            inserts.append(Insert(depth, text + "\n"))
    q = rng.randrange(len(_TRACK_QUESTIONS))
    return Spec(
        inserts=inserts,
        question=_TRACK_QUESTIONS[q].format(v=values[0]),
        expected=tuple(names[:CHAIN_LENGTH]),
        forbidden=(*names, *values),
        scorer="set",
        candidates=tuple(names),
        template=f"{family}:{q}",
    )


# Wording families for commonword: the line, the question, and the phrase the filler must not hold
# (the stdlib is full of `tag: str` annotations, which would make "lines of the form" ambiguous).
_WORD_LINES = {
    "tag": ("tag: {w}", "Lines of the form 'tag: WORD' each name one word. Which word is on the "
            "most of those lines?", "tag: "),
    "sighting": ("bird sighting logged: {w}", "Which bird was logged most often in the bird "
                 "sighting lines?", "sighting logged"),
    "listed": ("keyword={w}", "Which of these words occurs most often in the context: {words}?",
               ""),
}
COMMON_WORDS = 8


def _invented_word(rng: random.Random) -> str:
    # consonant-vowel patterns ("vokram"): pronounceable, and no dictionary word to prime on
    c, v = "bdfgklmnprstvz", "aeiou"
    return "".join(rng.choice(c) + rng.choice(v) for _ in range(2)) + rng.choice(c)


def commonword(rng: random.Random, size: int) -> Spec:
    """Lines `tag: vokram` naming eight invented words, 40 to 400 lines in all; the most frequent
    word leads the next by one to three lines.

    >>> s = commonword(random.Random(0), 1 << 20); s.expected[0] in s.candidates
    True
    """
    family, (line, question, phrase) = pick(rng, _WORD_LINES)
    words = distinct(_invented_word, rng, COMMON_WORDS)
    total = _records(size, 2048, 40, 400)
    # Counts for the others around total/(W+1), then the top word one to three ahead of the best.
    base = max(total // (COMMON_WORDS + 1), 3)
    counts = [rng.randrange(max(base // 2, 1), base + 1) for _ in words[1:]]
    counts.insert(0, max(counts) + rng.randrange(1, 4))
    inserts = [Insert(rng.random(), line.format(w=w) + "\n")
               for w, c in zip(words, counts) for _ in range(c)]
    listed = sorted(words)
    return Spec(
        inserts=inserts,
        question=question.format(words=", ".join(listed)),
        expected=(words[0],),
        forbidden=(*words, phrase) if phrase else tuple(words),
        scorer="set",
        candidates=tuple(words),
        template=family,
    )
