"""The ``prose`` filler: English-like paragraphs generated from a vocabulary and sentence templates.

No downloads and no book text: sentences are drawn from templates whose slots take words from
small themed vocabularies (an office, a town, a river valley), so the text reads as ordinary
narrative and a needle sentence does not stand out by its shape alone. Paragraphs are wrapped at
about 90 characters and separated by blank lines.

>>> lines = prose_lines(random.Random(0), ())
>>> all(len(next(lines)) <= 100 for _ in range(50))
True
"""

from __future__ import annotations

import random
import textwrap
from collections.abc import Iterator, Sequence

_SUBJECTS = ("the committee", "a young engineer", "the old ferryman", "our neighbour", "the mayor",
             "a travelling merchant", "the night nurse", "the librarian", "two students",
             "the harbour master", "a retired teacher", "the baker's daughter", "the new clerk",
             "the survey team", "my grandmother", "the gardener")
_VERBS = ("noticed", "described", "repaired", "questioned", "carried", "forgot", "praised",
          "measured", "painted", "ignored", "borrowed", "discovered", "recorded", "delivered",
          "inspected", "mentioned")
_OBJECTS = ("the broken lantern", "a letter from the coast", "the river charts", "an unpaid bill",
            "the wooden bridge", "a basket of pears", "the station clock", "the annual report",
            "a faded photograph", "the chapel roof", "the vegetable stall", "a pair of boots",
            "the school timetable", "the tide tables", "a stack of ledgers", "the orchard gate")
_PLACES = ("near the market square", "by the old mill", "at the end of the pier",
           "behind the town hall", "in the valley", "along the canal", "on the hill road",
           "outside the post office", "beside the quarry", "under the railway arch")
_TIMES = ("early that morning", "after the storm", "before the harvest", "late on Sunday",
          "during the long winter", "at dusk", "the following spring", "on market day",
          "just after noon", "in the dry season")
_ADVERBS = ("quietly", "carefully", "suddenly", "reluctantly", "patiently", "briskly",
            "cheerfully", "slowly")
_FEELINGS = ("relieved", "puzzled", "tired", "hopeful", "uneasy", "delighted", "restless")
_TEMPLATES = (
    "{S} {adv} {V} {O} {P}.",
    "{T}, {s} {V} {O}.",
    "Nobody expected that {s} would have {V} {O} {T}.",
    "{S} felt {F} when {s2} {V} {O}.",
    "It was {T} that {s} {V} {O} {P}.",
    "{S} and {s2} walked {P}, talking about {O}.",
    "Later, {s} said the matter of {O} was settled {T}.",
    "{S} kept a note about {O} in a drawer {P}.",
)


def _sentence(rng: random.Random) -> str:
    slots = {
        "s": rng.choice(_SUBJECTS), "s2": rng.choice(_SUBJECTS), "V": rng.choice(_VERBS),
        "O": rng.choice(_OBJECTS), "P": rng.choice(_PLACES), "T": rng.choice(_TIMES),
        "adv": rng.choice(_ADVERBS), "F": rng.choice(_FEELINGS),
    }
    slots["S"] = slots["s"][0].upper() + slots["s"][1:]
    text = rng.choice(_TEMPLATES).format(**slots)
    return text[0].upper() + text[1:]


def prose_lines(rng: random.Random, forbidden: Sequence[str]) -> Iterator[str]:
    """Endless wrapped paragraphs of three to seven sentences, a blank line after each; no line
    holds a forbidden string.

    >>> next(prose_lines(random.Random(1), ())).endswith("\\n")
    True
    """
    while True:
        paragraph = " ".join(_sentence(rng) for _ in range(rng.randrange(3, 8)))
        lines = textwrap.wrap(paragraph, width=90) + [""]
        if any(s in paragraph for s in forbidden):
            continue
        for line in lines:
            yield line + "\n"
