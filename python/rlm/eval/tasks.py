"""Eval tasks with known answers: the families (FAMILIES), building and caching their contexts.

A synthetic task is a pure function of (kind, size, seed, filler): the question and answer come
from one seeded random stream (rlm.eval.needles, rlm.eval.records), the filler order from another,
so the same arguments give the same corpus byte for byte on the same Python version. A real-file
task (rlm.eval.realfiles) is a function of (kind, size, seed) and the files on this machine; its
cache key holds their fingerprint. Corpora are files of exactly `size` characters, cached under
``$RLM_HOME/eval`` (default ``~/.cache/rlm/eval``) and reused when present.

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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlm.errors import UsageError
from rlm.eval import needles, realfiles, records
from rlm.eval.corpus import filler_lines, write_corpus
from rlm.eval.scoring import score_number, score_set, score_values
from rlm.eval.spec import Spec


@dataclass(frozen=True)
class Family:
    """A task kind: its name, the one line `rlm eval --list` shows, and its generator."""

    name: str
    summary: str
    build: Callable[[random.Random, int], Spec] | None = None  # synthetic: inserts into filler
    real: bool = False  # the context is real files on this machine (rlm.eval.realfiles)


FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("needle", "one secret code line; the question repeats its words", needles.needle),
    Family("multi", "four project codes, each named in the question", needles.multi),
    Family("multikey", "six similar keyed needles; the question picks one by its key "
           "(RULER multi-key)", needles.multikey),
    Family("multivalue", "one key with four values, all to be listed; other keys hold the "
           "same shape (RULER multi-value)", needles.multivalue),
    Family("paraphrase", "a needle sharing no word with the question but a name, among decoy "
           "lines naming it", needles.paraphrase),
    Family("aggregate", "count the order records with status=FAILED", records.aggregate),
    Family("sumfield", "total one field over the records whose group field matches "
           "(log, JSON or pipe records)", records.sumfield),
    Family("extract", "list the id of every record of one kind among other kinds",
           records.extract),
    Family("vartrack", "chains of assignments VAR B = VAR A; every variable holding a value "
           "(RULER variable tracking)", records.vartrack),
    Family("commonword", "the most frequent of eight planted invented words (RULER common "
           "words)", records.commonword),
    Family("licenses", "real license/copyright files: which file holds a phrase, how many "
           "mention a word", real=True),
    Family("pkglog", "the real dpkg log among other files: installs on a date, a package's "
           "version or install date", real=True),
    Family("srctree", "the real stdlib as a tree with # FILE: headers: which file defines a "
           "name, how many import a module", real=True),
)}
KINDS = tuple(FAMILIES)
# Bump when generation changes: cached corpora of another version are not reused.
GENERATOR_VERSION = 1


@dataclass(frozen=True)
class Task:
    """One eval item: a context file, a question, and the answer it must produce."""

    id: str  # e.g. "needle-1M-s3"
    kind: str  # one of KINDS
    size: int  # characters in the context file
    seed: int
    filler: str  # "code", "logs", "prose", or "real" for the real-file families
    context: Path
    question: str
    expected: tuple[str, ...]  # needle values, list items, or the one number
    offsets: tuple[int, ...]  # character offsets of the inserted lines (for failure analysis)
    scorer: str = "values"  # see rlm.eval.spec.SCORERS
    candidates: tuple[str, ...] = ()  # "set" scoring: every item of the answer's shape in the text
    template: str = ""  # the wording family the question came from

    def score(self, answer: str | None) -> float:
        """Score in [0, 1]: by `scorer`, the fraction of values present, 1/0 for the right
        number, or the exact-set match of a list with partial credit.

        >>> Task("x", "aggregate", 1, 0, "logs", Path("c"), "q", ("17",), (), "number").score("17")
        1.0
        """
        if not answer:
            return 0.0
        if self.scorer == "number":
            return score_number(answer, float(self.expected[0]))
        if self.scorer == "set":
            return score_set(answer, self.expected, self.candidates)
        return score_values(answer, self.expected)


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
    family = FAMILIES.get(kind)
    if family is None:
        raise UsageError(f"unknown task kind {kind!r}; choose one of {', '.join(KINDS)}")
    rng = random.Random(f"{kind}:{seed}:task")
    directory = cache_dir or default_cache_dir()
    if family.real:
        return _real_task(kind, size, seed, rng, directory)
    assert family.build is not None
    spec = family.build(rng, size)
    # The code filler depends on the interpreter's own stdlib: a corpus made by another Python
    # version is another corpus.
    source = f"py{sys.version_info[0]}{sys.version_info[1]}" if filler == "code" else "syn"
    stem = f"{kind}-{format_size(size)}-{filler}-{source}-s{seed}-v{GENERATOR_VERSION}"
    path, meta_path = directory / f"{stem}.txt", directory / f"{stem}.json"
    meta = _cached_meta(path, meta_path)
    if meta is None:
        lines = filler_lines(filler, random.Random(f"{kind}:{seed}:filler"), spec.forbidden)
        offsets = write_corpus(path, size, spec.inserts, lines)
        _write_json(meta_path, {"offsets": offsets, "bytes": path.stat().st_size, "chars": size})
    else:
        offsets = [int(o) for o in meta["offsets"]]
    return _task(kind, size, seed, filler, path, spec, offsets)


def make_tasks(kinds: list[str], sizes: list[int], seeds: range, *, cache_dir: Path | None = None,
               filler: str = "code", say: Callable[[str], None] | None = None) -> list[Task]:
    """Every (kind, size, seed) task, in that order. A real-file kind whose files this machine
    lacks is skipped with a line to `say` when other kinds are asked for, an error when alone.

    >>> [t.id for t in make_tasks(["needle"], [32768], range(2), cache_dir=Path(tempfile.mkdtemp()))]
    ['needle-32K-s0', 'needle-32K-s1']
    """
    tasks: list[Task] = []
    for kind in kinds:
        try:
            for size in sizes:
                for seed in seeds:
                    tasks.append(make_task(kind, size, seed, cache_dir=cache_dir, filler=filler))
        except realfiles.SourceUnavailable as exc:
            if len(kinds) == 1:
                raise
            if say is not None:
                say(f"skipping kind {kind}: {exc}")
            tasks = [t for t in tasks if t.kind != kind]
    return tasks


def _real_task(kind: str, size: int, seed: int, rng: random.Random, directory: Path) -> Task:
    """A real-file task: the spec is computed from the files, so the cache keeps it too."""
    sources = realfiles.sources(kind)
    stem = (f"{kind}-{format_size(size)}-real-{realfiles.fingerprint(sources)}-s{seed}"
            f"-v{GENERATOR_VERSION}")
    path, meta_path = directory / f"{stem}.txt", directory / f"{stem}.json"
    meta = _cached_meta(path, meta_path)
    if meta is not None and "spec" in meta:
        spec = Spec(inserts=[], forbidden=(), question=meta["spec"]["question"],
                    expected=tuple(meta["spec"]["expected"]), scorer=meta["spec"]["scorer"],
                    candidates=tuple(meta["spec"]["candidates"]),
                    template=meta["spec"]["template"])
    else:
        spec, parts = realfiles.build(kind, rng, size)
        write_corpus(path, size, [], iter(parts))
        fields = {k: getattr(spec, k) for k in ("question", "expected", "scorer", "candidates",
                                                "template")}
        _write_json(meta_path, {"offsets": [], "bytes": path.stat().st_size, "chars": size,
                                "spec": fields})
    return _task(kind, size, seed, "real", path, spec, [])


def _task(kind: str, size: int, seed: int, filler: str, path: Path, spec: Spec,
          offsets: list[int]) -> Task:
    return Task(
        id=f"{kind}-{format_size(size)}-s{seed}", kind=kind, size=size, seed=seed, filler=filler,
        context=path, question=spec.question, expected=spec.expected, offsets=tuple(offsets),
        scorer=spec.scorer, candidates=spec.candidates, template=spec.template,
    )


def _cached_meta(path: Path, meta_path: Path) -> dict[str, Any] | None:
    """The marker of a finished earlier generation, or None when it must be (re)generated."""
    try:
        meta = json.loads(meta_path.read_text())
        if path.stat().st_size == meta["bytes"] and isinstance(meta["offsets"], list):
            return dict(meta)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _write_json(path: Path, data: object) -> None:
    # Written after the corpus is in place: its presence marks the corpus as complete.
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)
