"""Families over real files that ship with the machine: text nobody wrote for the eval.

The context is real files joined with a `# FILE: path` header line each, in a seeded order, cut at
exactly `size` characters. The question is chosen by seed from a few types, and its answer is
computed by code from the text actually written (after the cut), so it is right by construction:

- `licenses`: /usr/share/common-licenses and /usr/share/doc/*/copyright (symlinks and duplicate
  texts dropped). Which file holds a phrase that occurs in exactly one of them; how many files
  mention a word.
- `pkglog`: /var/log/dpkg.log (a window of it when it is longer than half the size), with
  /var/log/apt/history.log and copyright files around it. How many packages were installed on a
  date; which version of a package was installed; on which date.
- `srctree`: the Python standard library as a source tree. Which file defines a function or a
  class (defined in exactly one file); how many files import a module.

A missing source file is skipped; a family with none of its files raises `SourceUnavailable`,
whose message names what is missing.

>>> # spec, parts = build("srctree", random.Random(0), 32768); sum(map(len, parts))  -> 32768
"""

from __future__ import annotations

import hashlib
import random
import re
import sysconfig
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from rlm.errors import UsageError
from rlm.eval.corpus import stdlib_sources
from rlm.eval.spec import Spec

LICENSES_DIR = Path("/usr/share/common-licenses")
DOC_DIR = Path("/usr/share/doc")
DPKG_LOG = Path("/var/log/dpkg.log")
APT_HISTORY = Path("/var/log/apt/history.log")
REAL_KINDS = ("licenses", "pkglog", "srctree")


class SourceUnavailable(UsageError):
    """The files a real-file family reads are not on this machine."""


Doc = tuple[str, str]  # (path shown in the header, text)


def header(path: str) -> str:
    """The line that starts each file in a real-file context.

    >>> header("json/decoder.py")
    '# FILE: json/decoder.py\\n'
    """
    return f"# FILE: {path}\n"


def _read(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None  # unreadable or not UTF-8: skipped, like an absent file
    return text if text.endswith("\n") else text + "\n"


def license_paths() -> list[Path]:
    """License texts and package copyright files present here, sorted, symlinks excluded.

    >>> all(not p.is_symlink() for p in license_paths())
    True
    """
    found = [p for p in sorted(LICENSES_DIR.glob("*")) if p.is_file() and not p.is_symlink()]
    found += [p for p in sorted(DOC_DIR.glob("*/copyright")) if p.is_file() and not p.is_symlink()]
    return found


def _license_docs(paths: Iterable[Path]) -> list[Doc]:
    docs, seen = [], set()
    for p in paths:
        text = _read(p)
        # Many packages ship one copyright text between them: keep one, or "which file" is moot.
        if text and (digest := hashlib.sha256(text.encode()).digest()) not in seen:
            seen.add(digest)
            docs.append((str(p), text))
    return docs


def sources(kind: str) -> list[Path]:
    """The files family `kind` reads on this machine (what its cache fingerprint covers).

    >>> sources("srctree")[0].suffix
    '.py'
    """
    if kind == "licenses":
        return license_paths()
    if kind == "pkglog":
        logs = [p for p in (DPKG_LOG, APT_HISTORY) if p.is_file()]
        return logs + license_paths() if DPKG_LOG in logs else []
    if kind == "srctree":
        return stdlib_sources()
    raise UsageError(f"unknown real-file kind {kind!r}")


def fingerprint(paths: Iterable[Path]) -> str:
    """A short hash of the files' names, sizes and modification times: a log that grew since the
    cached context was built gives another fingerprint, so the context is rebuilt.

    >>> len(fingerprint([Path("/nonexistent")]))
    10
    """
    h = hashlib.sha256()
    for p in paths:
        try:
            st = p.stat()
            h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        except OSError:
            h.update(f"{p}\0absent\n".encode())
    return h.hexdigest()[:10]


def _fill(docs: list[Doc], size: int, what: str) -> list[Doc]:
    """The docs, in order, cut so that headers and texts make exactly `size` characters.

    Files longer than a quarter of the size are left out, so a context holds several files (one
    copyright file alone passes a megabyte). When the next header would not fit, the last file
    gets blank lines instead: no question counts them, and no header is ever cut.
    """
    out: list[Doc] = []
    used = 0
    docs = [d for d in docs if len(d[1]) <= max(size // 4, 1)]
    for path, text in docs:
        room = size - used - len(header(path))
        if room <= 0:
            break
        out.append((path, text[:room]))
        used += len(header(path)) + len(out[-1][1])
        if used == size:
            return out
    if out and used < size and len(out) < len(docs):
        path, text = out[-1]
        out[-1] = (path, text + "\n" * (size - used))
        return out
    raise UsageError(f"this machine has only {used:,} characters of {what}; "
                     f"choose --size {used:,} or less")


def _unavailable(kind: str, missing: str) -> SourceUnavailable:
    return SourceUnavailable(f"kind {kind!r} needs {missing}, which this machine does not have")


def _shuffled(rng: random.Random, items: list[Path]) -> list[Path]:
    order = items[:]
    rng.shuffle(order)
    return order


def _paths_scored(docs: list[Doc], answer: str, question: str, template: str) -> Spec:
    return Spec(inserts=[], question=question, expected=(answer,), forbidden=(),
                scorer="set", candidates=tuple(p for p, _ in docs), template=template)


def _unique_phrase(rng: random.Random, docs: list[Doc]) -> tuple[str, str] | None:
    """(a phrase of four words from one doc, that doc's path), the phrase in no other doc."""
    for _ in range(200):
        path, text = rng.choice(docs)
        words = re.findall(r"[A-Za-z][A-Za-z'-]+", text)
        if len(words) < 8:
            continue
        i = rng.randrange(len(words) - 4)
        phrase = " ".join(words[i:i + 4])
        holders = [p for p, t in docs if phrase in t]
        if holders == [path]:
            return phrase, path
    return None


def licenses(rng: random.Random, size: int) -> tuple[Spec, list[Doc]]:
    """License and copyright texts; which file holds a phrase, or how many files mention a word.

    >>> # licenses(random.Random(0), 32768)[0].question
    """
    paths = license_paths()
    if not paths:
        raise _unavailable("licenses", f"license texts in {LICENSES_DIR} or {DOC_DIR}/*/copyright")
    docs = _fill(_license_docs(_shuffled(rng, paths)), size, "license text")
    if rng.random() < 0.5 and (found := _unique_phrase(rng, docs)):
        phrase, path = found
        return _paths_scored(docs, path, f'Which file in the context contains the phrase '
                             f'"{phrase}"? Give its path.', "phrase"), docs
    per_file = [set(w.lower() for w in re.findall(r"\b[A-Za-z]{6,}\b", t)) for _, t in docs]
    counts = Counter(w for words in per_file for w in words)
    # A word neither everywhere nor in one file only: counting it means reading every file.
    pool = sorted(w for w, c in counts.items() if 2 <= c <= max(2, len(docs) * 2 // 3)) or sorted(counts)
    word = rng.choice(pool)
    return Spec(inserts=[], question=f'How many of the files in the context mention the word '
                f'"{word}" (in any letter case, as a whole word)?', expected=(str(counts[word]),),
                forbidden=(), scorer="number", template="count"), docs


_DPKG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d) \d\d:\d\d:\d\d (install|upgrade) (\S+?)(?::\S+)? "
                        r"(\S+) (\S+)$", re.M)


def _window(lines: list[str], budget: int, rng: random.Random) -> list[str]:
    """Consecutive lines from a seeded start, at most `budget` characters in all."""
    tail, fits = 0, len(lines)  # lines[fits:] is the longest suffix within the budget
    while fits > 0 and tail + len(lines[fits - 1]) <= budget:
        fits -= 1
        tail += len(lines[fits])
    window, used = [], 0
    for line in lines[rng.randrange(fits + 1):]:
        if used + len(line) > budget:
            break
        window.append(line)
        used += len(line)
    return window


def pkglog(rng: random.Random, size: int) -> tuple[Spec, list[Doc]]:
    """The dpkg log among other real files; installs on a date, a package's version or date.

    >>> # pkglog(random.Random(0), 1 << 20)[0].question
    """
    log = _read(DPKG_LOG) if DPKG_LOG.is_file() else None
    if not log:
        raise _unavailable("pkglog", str(DPKG_LOG))
    lines = log.splitlines(keepends=True)
    # At most half the context: the rest is other real files, so the log has to be found.
    budget = min(len(log), size // 2)
    window: list[str] = []
    for _ in range(50):  # a seeded window of whole lines that holds at least one install
        window = _window(lines, budget, rng)
        if any(_DPKG_LINE.match(x) and " install " in x for x in window):
            break
    log_doc = (str(DPKG_LOG), "".join(window))
    others = _shuffled(rng, license_paths())
    if APT_HISTORY.is_file():
        others.insert(rng.randrange(min(len(others), 3) + 1), APT_HISTORY)
    rest = size - len(header(log_doc[0])) - len(log_doc[1])
    docs = _fill(_license_docs(others), rest, "log and license text") if rest > 0 else []
    docs.insert(rng.randrange(len(docs) + 1), log_doc)
    text = next(t for p, t in docs if p == str(DPKG_LOG))
    events = _DPKG_LINE.findall(text)  # (date, action, package, old version, new version)
    installs = [e for e in events if e[1] == "install"]
    if not installs:
        raise UsageError(f"the dpkg log window at size {size:,} holds no install; try a larger --size")
    kind = rng.choice(("count", "version", "date"))
    date, _, package, _, _ = rng.choice(installs)
    if kind == "count":
        n = sum(e[0] == date for e in installs)
        return Spec(inserts=[], question=f"According to the dpkg log, how many packages were "
                    f"installed (action 'install') on {date}?", expected=(str(n),), forbidden=(),
                    scorer="number", template=kind), docs
    mine = [e for e in events if e[2] == package]
    if kind == "version":
        versions = sorted({v for e in mine for v in e[3:] if v != "<none>"})
        return Spec(inserts=[], question=f"Which version of the package {package} does the dpkg "
                    f"log show it installed or upgraded to last?", expected=(mine[-1][4],),
                    forbidden=(), scorer="set", candidates=tuple(versions), template=kind), docs
    dates = sorted({e[0] for e in events})
    first = next(e[0] for e in mine if e[1] == "install")
    return Spec(inserts=[], question=f"On which date (YYYY-MM-DD) was the package {package} "
                f"first installed, according to the dpkg log?", expected=(first,), forbidden=(),
                scorer="set", candidates=tuple(dates), template=kind), docs


_IMPORT = re.compile(r"^[ \t]*(?:import ([A-Za-z_][\w.]*)|from ([A-Za-z_][\w.]*) import\b)", re.M)


def srctree(rng: random.Random, size: int) -> tuple[Spec, list[Doc]]:
    """The stdlib as a source tree; which file defines a name, or how many files import a module.

    >>> # srctree(random.Random(0), 1 << 20)[0].question
    """
    files = stdlib_sources()
    if not files:
        raise _unavailable("srctree", "the Python standard library's .py sources")
    root = Path(sysconfig.get_paths()["stdlib"])
    docs, used = [], 0
    for p in _shuffled(rng, files):
        text = _read(p)
        if text and len(text) <= max(size // 4, 1):  # as _fill keeps them
            docs.append((str(p.relative_to(root)), text))
            used += len(text)
        if used > size:
            break
    docs = _fill(docs, size, "standard-library source")
    kind = rng.choice(("function", "class", "imports"))
    if kind in ("function", "class"):
        word = "def" if kind == "function" else "class"
        pattern = re.compile(rf"^[ \t]*{word} ([A-Za-z_]\w*)\s*[(:]", re.M)
        defined = Counter((m.group(1), p) for p, t in docs for m in pattern.finditer(t))
        places = Counter(name for name, _ in defined)
        # Defined once, in one file: the answer is a single path.
        once = sorted(key for key, n in defined.items() if n == 1 and places[key[0]] == 1)
        if once:
            name, path = rng.choice(once)
            noun = "function" if kind == "function" else "class"
            return _paths_scored(docs, path, f"Which file defines the {noun} `{name}`? Give its "
                                 "path as shown in its # FILE: header.", kind), docs
    imports: Counter[str] = Counter()
    for _, t in docs:
        imports.update({a or b for a, b in _IMPORT.findall(t)})
    pool = sorted(m for m, c in imports.items() if c >= 2) or sorted(imports)
    module = rng.choice(pool)
    return Spec(inserts=[], question=f"How many of the files in the context import the module "
                f"`{module}` (a line `import {module}` or `from {module} import ...`)?",
                expected=(str(imports[module]),), forbidden=(), scorer="number",
                template="imports"), docs


BUILDERS: dict[str, Callable[[random.Random, int], tuple[Spec, list[Doc]]]] = {
    "licenses": licenses, "pkglog": pkglog, "srctree": srctree}


def build(kind: str, rng: random.Random, size: int) -> tuple[Spec, list[str]]:
    """The spec of a real-file task and the context's pieces (headers and texts, `size` chars).

    >>> spec, parts = build("srctree", random.Random(0), 4096); sum(map(len, parts))
    4096
    """
    spec, docs = BUILDERS[kind](rng, size)
    parts = [piece for path, text in docs for piece in (header(path), text)]
    return spec, parts
