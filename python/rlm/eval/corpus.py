"""Real-looking filler streamed to a file of an exact size, with lines inserted at chosen depths.

Three fillers:
- ``code``: the Python standard library's own ``.py`` sources from the running interpreter (real
  text a user could plausibly hand to a model; non-ASCII included), in a seeded file order;
- ``logs``: synthetic but realistic service log lines, for interpreters without their sources;
- ``prose``: English-like paragraphs generated from a vocabulary and templates (rlm.eval.prose).

The corpus is written piece by piece, never held as one string, so a 64M-character corpus costs a
few megabytes of memory. Inserted lines always start at a line boundary; the file ends wherever the
character budget runs out (possibly mid-line), so its length in characters is exactly the target.
"""

from __future__ import annotations

import os
import random
import sysconfig
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from rlm.errors import UsageError
from rlm.eval.prose import prose_lines

FILLERS = ("code", "logs", "prose")


@dataclass(frozen=True)
class Insert:
    """Lines to place in the corpus at `depth` in [0, 1], a fraction of the filler."""

    depth: float
    text: str  # one or more whole lines, ending with "\n"


def stdlib_sources() -> list[Path]:
    """The running interpreter's standard-library ``.py`` files, sorted (site-packages excluded).

    >>> any(p.name == "json" for p in (q.parent for q in stdlib_sources()))
    True
    """
    root = Path(sysconfig.get_paths()["stdlib"])
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        # site-packages differs from machine to machine; the stdlib itself is fixed per version.
        dirnames[:] = sorted(d for d in dirnames if d not in ("site-packages", "__pycache__"))
        files.extend(Path(dirpath, f) for f in filenames if f.endswith(".py"))
    return sorted(files)


def code_lines(rng: random.Random, forbidden: Sequence[str]) -> Iterator[str]:
    """Endless lines of stdlib source, files in a seeded order; files holding a forbidden string are
    skipped so that a task's answer can come only from its own inserted lines.

    >>> next(code_lines(random.Random(0), ())).endswith("\\n")
    True
    """
    files = stdlib_sources()
    if not files:
        raise UsageError("no standard-library sources for the 'code' filler; use --filler logs")
    while True:
        order = files[:]
        rng.shuffle(order)
        used = 0
        for path in order:
            try:
                text = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue  # a few test files are deliberately not UTF-8
            if not text or any(s in text for s in forbidden):
                continue
            used += 1
            if not text.endswith("\n"):
                text += "\n"
            yield from text.splitlines(keepends=True)
        if used == 0:
            raise UsageError("every stdlib file holds a forbidden string; use --filler logs")


_SERVICES = ("auth", "billing", "gateway", "scheduler", "search", "storage", "notifier", "metrics")
_LEVELS = ("INFO",) * 12 + ("DEBUG",) * 5 + ("WARN",) * 2 + ("ERROR",)
_EVENTS = (
    "request completed method={m} path=/api/v2/{p} code={c} latency_ms={n}",
    "cache {h} key={p}:{n} ttl={t}s",
    "worker {n} picked job {j} from queue {p}",
    "connection pool size={t} idle={n} waiting=0",
    "retrying upstream call to {p}-svc attempt={a}/5 after {n}ms",
    "user session refreshed uid={j} region=eu-west-{a}",
    "flushed {n} rows to segment {j} in {t}ms",
    "health check ok uptime={n}s rss_mb={t}",
)
_PATHS = ("users", "items", "invoices", "reports", "tokens", "sessions", "uploads", "events")


def log_lines(rng: random.Random, forbidden: Sequence[str]) -> Iterator[str]:
    """Endless realistic service log lines (timestamps increase), none holding a forbidden string.

    >>> "Z " in next(log_lines(random.Random(0), ()))
    True
    """
    t = 1_763_000_000 + rng.randrange(10_000_000)  # seconds since the epoch, around late 2025
    while True:
        t += rng.randrange(0, 4)
        hh, mm, ss = (t // 3600) % 24, (t // 60) % 60, t % 60
        day = 1 + (t // 86400) % 28
        event = rng.choice(_EVENTS).format(
            m=rng.choice(("GET", "GET", "POST", "PUT", "DELETE")),
            p=rng.choice(_PATHS),
            c=rng.choice((200, 200, 200, 201, 204, 304, 404, 500)),
            n=rng.randrange(1, 5000),
            h=rng.choice(("hit", "hit", "miss")),
            t=rng.randrange(1, 600),
            j=f"{rng.randrange(16**8):08x}",
            a=rng.randrange(1, 5),
        )
        line = (
            f"2025-11-{day:02d}T{hh:02d}:{mm:02d}:{ss:02d}Z {rng.choice(_LEVELS):5} "
            f"[{rng.choice(_SERVICES)}] {event}\n"
        )
        if not any(s in line for s in forbidden):
            yield line


def filler_lines(filler: str, rng: random.Random, forbidden: Sequence[str]) -> Iterator[str]:
    """Lines of the named filler ("code", "logs" or "prose").

    >>> sum(1 for _ in zip(range(3), filler_lines("logs", random.Random(1), ())))
    3
    """
    if filler == "code":
        return code_lines(rng, forbidden)
    if filler == "logs":
        return log_lines(rng, forbidden)
    if filler == "prose":
        return prose_lines(rng, forbidden)
    raise UsageError(f"unknown filler {filler!r}; choose one of {', '.join(FILLERS)}")


def write_corpus(
    path: Path, size: int, inserts: Sequence[Insert], lines: Iterator[str]
) -> list[int]:
    """Write exactly `size` characters to `path`: filler `lines` with `inserts` at their depths.

    Returns the character offset of each insert, in the order given. The file appears atomically
    (written to a temporary name, then renamed), so an interrupted run never leaves a corpus that a
    later run would trust.

    >>> import itertools, tempfile
    >>> p = Path(tempfile.mkdtemp()) / "c.txt"
    >>> write_corpus(p, 40, [Insert(0.5, "NEEDLE\\n")], itertools.repeat("filler line\\n"))
    [24]
    >>> len(p.read_text())
    40
    >>> import shutil; shutil.rmtree(p.parent)
    """
    budget = size - sum(len(i.text) for i in inserts)
    if budget < 0:
        raise UsageError(f"size {size} is too small for the task's {len(inserts)} inserted lines")
    order = sorted(range(len(inserts)), key=lambda k: inserts[k].depth)
    targets = [int(min(max(inserts[k].depth, 0.0), 1.0) * budget) for k in order]
    offsets = [0] * len(inserts)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            done = total = nxt = 0  # filler chars written, all chars written, next insert

            def put_inserts(upto: int) -> None:
                nonlocal total, nxt
                while nxt < len(order) and targets[nxt] <= upto:
                    k = order[nxt]
                    offsets[k] = total
                    out.write(inserts[k].text)
                    total += len(inserts[k].text)
                    nxt += 1

            for line in lines:
                put_inserts(done)
                if done >= budget:
                    break
                if done + len(line) >= budget:
                    # The last, possibly cut, line: place the inserts still due before it so that
                    # every insert starts a line of its own.
                    put_inserts(budget)
                    line = line[: budget - done]
                out.write(line)
                done += len(line)
                total += len(line)
            put_inserts(budget)
            if done < budget:
                raise UsageError(f"filler ran out after {done} of {budget} characters")
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a corpus is an ordinary shareable file
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return offsets
