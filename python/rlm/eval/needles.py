"""Needle families: lines that hold the answer, hidden in filler.

- `needle`, `multi`: the original single needle and four needles named in the question;
- `multikey` (RULER's multi-key NIAH): six needles of one wording with similar keys, the question
  picks one by its key; the others are distractors that share a word with it;
- `multivalue` (RULER's multi-value NIAH): one key holds four values, all to be reported; two
  other keys hold values of the same shape;
- `paraphrase`: the needle shares no word with the question but the name, and the name also
  appears in decoy lines (one of which uses the question's own noun) that hold no value.

>>> s = multikey(random.Random(0), 32768)
>>> len(s.candidates), s.expected[0] in s.candidates
(6, True)
"""

from __future__ import annotations

import random

from rlm.eval.corpus import Insert
from rlm.eval.spec import Spec, code, distinct, pick

_DEPLOYMENTS = ("Orion", "Vega", "Atlas", "Lyra", "Draco", "Phoenix", "Cygnus", "Perseus", "Aquila",
                "Hydra", "Carina", "Pavo")
_PROJECTS = ("Falcon", "Heron", "Lynx", "Otter", "Badger", "Marten", "Osprey", "Puffin", "Raven",
             "Walrus", "Bison", "Ibex")
MULTI_NEEDLES = 4


def needle(rng: random.Random, size: int) -> Spec:
    """One line `The secret access code for the Orion deployment is 4817-ZQ.`

    >>> needle(random.Random(0), 4096).question.startswith("What is the secret access code")
    True
    """
    name, value = rng.choice(_DEPLOYMENTS), code(rng)
    # Depth kept away from both ends: the engine previews the head and tail of the context, and a
    # needle inside the preview would test reading, not search.
    sentence = f"The secret access code for the {name} deployment is {value}.\n"
    return Spec(
        inserts=[Insert(rng.uniform(0.1, 0.9), sentence)],
        question=f"What is the secret access code for the {name} deployment?",
        expected=(value,),
        forbidden=(value, "secret access code", f"{name} deployment"),
    )


def multi(rng: random.Random, size: int) -> Spec:
    """Four lines `The project code for Falcon is 3391-KD.`, all four asked for by name.

    >>> len(multi(random.Random(0), 4096).expected)
    4
    """
    names = rng.sample(_PROJECTS, MULTI_NEEDLES)
    codes = [code(rng) for _ in names]
    while len(set(codes)) < len(codes):
        codes = [code(rng) for _ in names]
    inserts = [Insert(rng.uniform(0.05, 0.95), f"The project code for {n} is {c}.\n")
               for n, c in zip(names, codes)]
    listed = ", ".join(names[:-1]) + f" and {names[-1]}"
    return Spec(
        inserts=inserts,
        question=f"What are the project codes for {listed}? Give each project with its code.",
        expected=tuple(codes),
        forbidden=(*codes, "project code"),
    )


_ADJECTIVES = ("amber", "silent", "crimson", "hollow", "frosty", "golden", "quiet", "rapid",
               "velvet", "brisk", "lunar", "mellow")
_NOUNS = ("harbor", "meadow", "lantern", "falcon", "canyon", "orchard", "glacier", "beacon",
          "willow", "summit", "prairie", "thistle")

# Wording families: (needle line, question, the needle's fixed phrase that filler must not hold).
_KEYED = {
    "magic": ("The special magic number for {key} is {value}.",
              "What is the special magic number for {key}?", "special magic number"),
    "token": ("Access token issued to {key}: {value}",
              "Which access token was issued to {key}?", "Access token issued"),
    "locker": ("The locker assigned to {key} opens with combination {value}.",
               "What is the locker combination for {key}?", "opens with combination"),
}
MULTIKEY_NEEDLES = 6


def _seven_digits(rng: random.Random) -> str:
    return str(rng.randrange(1_000_000, 10_000_000))


def _keys(rng: random.Random, n: int) -> list[str]:
    """`n` keys `adjective-noun`; the first is the target, the next two share a word with it."""
    adj, noun = rng.choice(_ADJECTIVES), rng.choice(_NOUNS)
    keys = [f"{adj}-{noun}",
            f"{adj}-{rng.choice([x for x in _NOUNS if x != noun])}",
            f"{rng.choice([x for x in _ADJECTIVES if x != adj])}-{noun}"]
    while len(keys) < n:
        k = f"{rng.choice(_ADJECTIVES)}-{rng.choice(_NOUNS)}"
        if k not in keys:
            keys.append(k)
    return keys


def multikey(rng: random.Random, size: int) -> Spec:
    """Six needles `The special magic number for crimson-harbor is 4817302.` (or another wording
    family); the question asks for one key, and two of the others share a word with it.

    >>> s = multikey(random.Random(3), 4096); len(s.inserts)
    6
    """
    family, (line, question, phrase) = pick(rng, _KEYED)
    keys = _keys(rng, MULTIKEY_NEEDLES)
    values = distinct(_seven_digits if family == "magic" else code, rng, len(keys))
    order = list(range(len(keys)))
    rng.shuffle(order)  # the target is not always the first line in the text
    inserts = [Insert(rng.uniform(0.05, 0.95), line.format(key=keys[i], value=values[i]) + "\n")
               for i in order]
    return Spec(
        inserts=inserts,
        question=question.format(key=keys[0]),
        expected=(values[0],),
        forbidden=(*values, *keys, phrase),
        scorer="set",
        candidates=tuple(values),
        template=family,
    )


_MULTI_VALUED = {
    "magic": ("One of the special magic numbers for {key} is {value}.",
              "What are all the special magic numbers for {key}? List every one of them.",
              "special magic numbers"),
    "alias": ("The courier {key} also signs as {value}.",
              "Which signatures does the courier {key} use? Give all of them.", "also signs as"),
    "mirror": ("A mirror of the {key} archive answers on port {value}.",
               "On which ports do mirrors of the {key} archive answer? List them all.",
               "archive answers on port"),
}
MULTIVALUE_VALUES = 4
MULTIVALUE_DISTRACTORS = 2  # other keys, two values each


def _port(rng: random.Random) -> str:
    return str(rng.randrange(20000, 60000))


def multivalue(rng: random.Random, size: int) -> Spec:
    """Four needles `One of the special magic numbers for amber-willow is 4817302.` for one key,
    two each for two other keys; every value of the asked key must be listed.

    >>> s = multivalue(random.Random(1), 4096); len(s.expected), len(s.candidates)
    (4, 8)
    """
    family, (line, question, phrase) = pick(rng, _MULTI_VALUED)
    keys = _keys(rng, 1 + MULTIVALUE_DISTRACTORS)
    make = {"magic": _seven_digits, "alias": code, "mirror": _port}[family]
    n = MULTIVALUE_VALUES + 2 * MULTIVALUE_DISTRACTORS
    values = distinct(make, rng, n)
    owners = [keys[0]] * MULTIVALUE_VALUES + [k for k in keys[1:] for _ in range(2)]
    inserts = [Insert(rng.uniform(0.05, 0.95), line.format(key=k, value=v) + "\n")
               for k, v in zip(owners, values)]
    return Spec(
        inserts=inserts,
        question=question.format(key=keys[0]),
        expected=tuple(values[:MULTIVALUE_VALUES]),
        forbidden=(*values, *keys, phrase),
        scorer="set",
        candidates=tuple(values),
        template=family,
    )


_PEOPLE = ("Marisol", "Thaddeus", "Ingeborg", "Oksana", "Benedikt", "Yolanda", "Cornelius",
           "Priyanka", "Leopold", "Svetlana", "Ezekiel", "Rosalind")


def _phone(rng: random.Random) -> str:
    return f"+{rng.randrange(30, 50)} {rng.randrange(100, 1000)} {rng.randrange(1000, 10000)}"


def _date(rng: random.Random) -> str:
    months = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")
    return f"{rng.randrange(1, 29)} {rng.choice(months)} {rng.randrange(1950, 2005)}"


def _room(rng: random.Random) -> str:
    return f"{rng.choice('BCDFGHKLMN')}-{rng.randrange(100, 1000)}"


# Facts: the question, the needle wordings (no word in common with the question but the name), a
# value maker, and a decoy line that uses the question's noun but holds no value.
_FACTS = {
    "password": (("What is the password for {n}?", "Which password does {n} use?"),
                 ("{n}'s login secret: {v}.", "To sign in as {n}, type {v}."),
                 code, "{n} asked IT to reset an old password on Monday."),
    "phone": (("What is {n}'s phone number?",),
              ("You can ring {n} on {v}.", "{n} answers calls at {v}."),
              _phone, "{n} lost a phone on the train last week."),
    "birthday": (("When was {n} born?",),
                 ("{n} came into this world on {v}.", "{n}'s birthday: {v}."),
                 _date, "{n} was born in a small coastal town."),
    "room": (("Which room does {n} work in?",),
             ("{n}'s desk: office {v}.", "You'll find {n} at office {v} most days."),
             _room, "{n} booked a meeting room for Thursday."),
}
_CHATTER = ("{n} joined the team in spring.", "Lunch with {n} moved to Friday.",
            "{n} reviewed the quarterly budget draft.")


def paraphrase(rng: random.Random, size: int) -> Spec:
    """A needle like `Marisol's login secret: 4817-ZQ.` for the question `What is the password
    for Marisol?`, and four decoy lines that name Marisol without a value.

    >>> s = paraphrase(random.Random(0), 4096); len(s.inserts)
    5
    """
    fact, (questions, wordings, make, decoy) = pick(rng, _FACTS)
    name, value = rng.choice(_PEOPLE), make(rng)
    q, wording = rng.choice(questions), rng.choice(wordings)
    lines = [wording.format(n=name, v=value), decoy.format(n=name),
             *(c.format(n=name) for c in _CHATTER)]
    inserts = [Insert(rng.uniform(0.1, 0.9), ln + "\n") for ln in lines]
    return Spec(
        inserts=inserts,
        question=q.format(n=name),
        expected=(value,),
        forbidden=(value, name),
        template=f"{fact}:{questions.index(q)}:{wordings.index(wording)}",
    )
