"""Synthetic eval tasks with known answers: single needle, multi-needle, aggregation.

Every task is a pure function of (kind, size, seed, filler): the question and answer come from one
seeded random stream, the filler order from another, so the same arguments give the same corpus
byte for byte on the same Python version. Corpora are files of exactly `size` characters, cached
under ``$RLM_HOME/eval`` (default ``~/.cache/rlm/eval``) and reused when present.

>>> t = make_task("needle", 32 * 1024, seed=0, cache_dir=Path(tempfile.mkdtemp()))
>>> t.score("The code is " + t.expected[0]), t.score("no idea")
(1.0, 0.0)
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rlm.errors import UsageError
from rlm.eval.corpus import Insert, filler_lines, write_corpus
from rlm.eval.scoring import score_number, score_values

KINDS = ("needle", "multi", "aggregate")
# Bump when generation changes: cached corpora of another version are not reused.
GENERATOR_VERSION = 1

_DEPLOYMENTS = ("Orion", "Vega", "Atlas", "Lyra", "Draco", "Phoenix", "Cygnus", "Perseus", "Aquila",
                "Hydra", "Carina", "Pavo")
_PROJECTS = ("Falcon", "Heron", "Lynx", "Otter", "Badger", "Marten", "Osprey", "Puffin", "Raven",
             "Walrus", "Bison", "Ibex")
_STATUSES = ("OK", "FAILED", "PENDING", "REFUNDED")
_STATUS_WEIGHTS = (0.55, 0.2, 0.15, 0.1)
MULTI_NEEDLES = 4


@dataclass(frozen=True)
class Task:
    """One eval item: a context file, a question, and the answer it must produce."""

    id: str  # e.g. "needle-1M-s3"
    kind: str  # one of KINDS
    size: int  # characters in the context file
    seed: int
    filler: str
    context: Path
    question: str
    expected: tuple[str, ...]  # needle values, or the one number for aggregation
    offsets: tuple[int, ...]  # character offsets of the inserted lines (for failure analysis)

    def score(self, answer: str | None) -> float:
        """Score in [0, 1]: fraction of needle values present, or 1/0 for the right number.

        >>> Task("x", "aggregate", 1, 0, "logs", Path("c"), "q", ("17",), ()).score("17 orders")
        1.0
        """
        if not answer:
            return 0.0
        if self.kind == "aggregate":
            return score_number(answer, float(self.expected[0]))
        return score_values(answer, self.expected)


@dataclass(frozen=True)
class _Spec:
    inserts: list[Insert]
    question: str
    expected: tuple[str, ...]
    forbidden: tuple[str, ...]  # strings the filler must not contain, so the answer is unambiguous


def _code(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I/O: they read as 1/0
    return f"{rng.randrange(1000, 10000)}-{rng.choice(letters)}{rng.choice(letters)}"


def _needle(rng: random.Random) -> _Spec:
    name, code = rng.choice(_DEPLOYMENTS), _code(rng)
    # Depth kept away from both ends: the engine previews the head and tail of the context, and a
    # needle inside the preview would test reading, not search.
    sentence = f"The secret access code for the {name} deployment is {code}.\n"
    return _Spec(
        inserts=[Insert(rng.uniform(0.1, 0.9), sentence)],
        question=f"What is the secret access code for the {name} deployment?",
        expected=(code,),
        forbidden=(code, "secret access code", f"{name} deployment"),
    )


def _multi(rng: random.Random) -> _Spec:
    names = rng.sample(_PROJECTS, MULTI_NEEDLES)
    codes = [_code(rng) for _ in names]
    while len(set(codes)) < len(codes):
        codes = [_code(rng) for _ in names]
    inserts = [Insert(rng.uniform(0.05, 0.95), f"The project code for {n} is {c}.\n")
               for n, c in zip(names, codes)]
    listed = ", ".join(names[:-1]) + f" and {names[-1]}"
    return _Spec(
        inserts=inserts,
        question=f"What are the project codes for {listed}? Give each project with its code.",
        expected=tuple(codes),
        forbidden=(*codes, "project code"),
    )


def _aggregate(rng: random.Random, size: int) -> _Spec:
    # About one record per 8K characters: 16 at 32K, 128 at 1M, capped at 500 for huge contexts.
    n = min(max(size // 8192, 16), 500)
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
    return _Spec(
        inserts=inserts,
        question="How many order records in the context have status=FAILED?",
        expected=(str(statuses.count("FAILED")),),
        forbidden=("status=FAILED", "ORD-", "[orders]"),
    )


def default_cache_dir() -> Path:
    """Where generated corpora live: ``$RLM_HOME/eval``, default ``~/.cache/rlm/eval``.

    >>> default_cache_dir().name
    'eval'
    """
    home = os.environ.get("RLM_HOME") or Path.home() / ".cache" / "rlm"
    return Path(home) / "eval"


def format_size(size: int) -> str:
    """Short label for a size in characters: 32768 → "32K", 1048576 → "1M".

    >>> format_size(64 * 1024 * 1024), format_size(1000)
    ('64M', '1000')
    """
    for unit, factor in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if size % factor == 0:
            return f"{size // factor}{unit}"
    return str(size)


def parse_size(text: str) -> int:
    """Parse "32K", "1M", "64M" or a plain number of characters (K = 1024, M = 1024²).

    >>> parse_size("32K"), parse_size("1m"), parse_size("5000")
    (32768, 1048576, 5000)
    """
    t = text.strip().upper()
    factor = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(t[-1:], 1)
    digits = t[:-1] if factor > 1 else t
    if not digits.isdigit() or int(digits) <= 0:
        raise UsageError(f"bad size {text!r}: give characters, optionally with K, M or G")
    return int(digits) * factor


def make_task(
    kind: str, size: int, seed: int, *, cache_dir: Path | None = None, filler: str = "code"
) -> Task:
    """Build (or reuse from the cache) the task `kind` with a context of exactly `size` characters.

    >>> make_task("multi", 32 * 1024, seed=1, cache_dir=Path(tempfile.mkdtemp())).id
    'multi-32K-s1'
    """
    rng = random.Random(f"{kind}:{seed}:task")
    if kind == "needle":
        spec = _needle(rng)
    elif kind == "multi":
        spec = _multi(rng)
    elif kind == "aggregate":
        spec = _aggregate(rng, size)
    else:
        raise UsageError(f"unknown task kind {kind!r}; choose one of {', '.join(KINDS)}")
    # The code filler depends on the interpreter's own stdlib: a corpus made by another Python
    # version is another corpus.
    source = f"py{sys.version_info[0]}{sys.version_info[1]}" if filler == "code" else "syn"
    stem = f"{kind}-{format_size(size)}-{filler}-{source}-s{seed}-v{GENERATOR_VERSION}"
    directory = cache_dir or default_cache_dir()
    path, meta_path = directory / f"{stem}.txt", directory / f"{stem}.json"
    offsets = _cached_offsets(path, meta_path)
    if offsets is None:
        lines = filler_lines(filler, random.Random(f"{kind}:{seed}:filler"), spec.forbidden)
        offsets = write_corpus(path, size, spec.inserts, lines)
        _write_json(meta_path, {"offsets": offsets, "bytes": path.stat().st_size, "chars": size})
    return Task(
        id=f"{kind}-{format_size(size)}-s{seed}", kind=kind, size=size, seed=seed, filler=filler,
        context=path, question=spec.question, expected=spec.expected, offsets=tuple(offsets),
    )


def _cached_offsets(path: Path, meta_path: Path) -> list[int] | None:
    """Offsets from a finished earlier generation, or None when it must be (re)generated."""
    try:
        meta = json.loads(meta_path.read_text())
        if path.stat().st_size == meta["bytes"]:
            return [int(o) for o in meta["offsets"]]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _write_json(path: Path, data: object) -> None:
    # Written after the corpus is in place: its presence marks the corpus as complete.
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)
