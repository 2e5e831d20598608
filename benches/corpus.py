"""Build the ~1 GiB benchmark corpus on demand (never committed; benches/data/ is git-ignored).

The corpus is the one the ripgrep/Python anchor measurements use: the running Python's standard library `.py` sources
that decode as UTF-8, concatenated in sorted path order and repeated to the target size, cut back
to a line boundary. It holds some non-ASCII text, so character and byte offsets differ.

Example:
    $ python benches/corpus.py            # writes benches/data/corpus-1g.txt (1 GiB)
    $ python benches/corpus.py --size 64M  # a smaller one for a quick run
"""

from __future__ import annotations

import argparse
import pathlib
import sysconfig

DATA = pathlib.Path(__file__).parent / "data"
GIB = 1 << 30


def stdlib_sources() -> bytes:
    """The stdlib's UTF-8 `.py` files, concatenated in sorted path order."""
    root = pathlib.Path(sysconfig.get_paths()["stdlib"])
    parts = []
    for path in sorted(root.rglob("*.py")):
        if "site-packages" in path.parts:
            continue
        raw = path.read_bytes()
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        parts.append(raw if raw.endswith(b"\n") else raw + b"\n")
    return b"".join(parts)


def build(size: int = GIB, path: pathlib.Path | None = None) -> pathlib.Path:
    """Write the corpus of about `size` bytes (once; reused while its size matches).

    Example:
        >>> p = build(1 << 20, pathlib.Path("/tmp/corpus-1m.txt"))
    """
    path = path or DATA / f"corpus-{size >> 20}m.txt"
    if path.exists() and size - 4096 < path.stat().st_size <= size:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    unit = stdlib_sources()
    tmp = path.with_suffix(".tmp")
    written = 0
    with open(tmp, "wb") as out:
        while written + len(unit) <= size:
            out.write(unit)
            written += len(unit)
        rest = unit[: size - written]
        out.write(rest[: rest.rfind(b"\n") + 1])
    tmp.replace(path)
    return path


def parse_size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(text[:-1]) * units[text[-1].upper()] if text[-1].upper() in units else int(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=parse_size, default=GIB, help="bytes, e.g. 64M or 1G")
    args = parser.parse_args()
    print(build(args.size))


if __name__ == "__main__":
    main()
