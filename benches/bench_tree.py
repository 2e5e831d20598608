"""Opening a directory as a context: `Context.open_tree` against ripgrep listing and reading it.

    python benches/bench_tree.py [--files 10000] [--lines 40] [--repeats 5]

Builds a tree of `--files` text files (a nested .gitignore and one ignored directory, as a source
checkout has) and reports the minimum over the repeats of: `Context.open_tree` (walk with rg's
rules, read, join, validate, index), `rg --files` alone (the walk and its rules, no reading), and
`rg -c` of a literal over the same tree (walk + read + search: the closest thing rg does to
opening it), plus a grep of that literal in the opened context. Each row checks that the tools
agree on the file count or the match count.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Callable

from rlm import Context


def build(root: Path, files: int, lines: int) -> None:
    (root / ".git").mkdir()
    (root / ".gitignore").write_text("build/\n*.tmp\n")
    for i in range(files):
        d = root / f"pkg{i % 50:02d}" / f"mod{i % 7}"
        d.mkdir(parents=True, exist_ok=True)
        body = "".join(f"def f{i}_{k}(x):  # TODO item {i}-{k}\n    return x + {k}\n" for k in range(lines // 2))
        (d / f"file{i:05d}.py").write_text(body)
    (root / "build").mkdir()
    for i in range(100):  # ignored: not in the tree, not listed by rg
        (root / "build" / f"out{i}.py").write_text("TODO ignored\n")


def best(fn: Callable[[], object], repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--files", type=int, default=10_000)
    p.add_argument("--lines", type=int, default=40)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()
    rg = shutil.which("rg")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build(root, args.files, args.lines)
        t_open, ctx = best(lambda: Context.open_tree(root), args.repeats)
        assert isinstance(ctx, Context) and len(ctx.files()) == args.files
        t_grep, hits = best(lambda: ctx.count_lines_matching("TODO", literal=True), args.repeats)
        size = ctx.byte_len
        print(f"{args.files:,} files, {size / 1e6:.1f} MB of text; minimum of {args.repeats} runs")
        print("| operation | time |")
        print("|---|---|")
        print(f"| `Context.open_tree` (walk, read, join, validate, index) | {t_open * 1e3:.0f} ms |")
        print(f"| `count_lines_matching('TODO')` on the opened tree | {t_grep * 1e3:.1f} ms |")
        if rg:
            t_list, listed = best(lambda: subprocess.run([rg, "--files", str(root)], capture_output=True,
                                                         text=True, check=True).stdout, args.repeats)
            assert len(str(listed).splitlines()) == args.files
            t_count, counted = best(lambda: subprocess.run(
                [rg, "-c", "-F", "TODO", "--no-filename", str(root)], capture_output=True, text=True,
                check=True).stdout, args.repeats)
            assert sum(int(n) for n in str(counted).split()) == hits
            print(f"| `rg --files` (walk and rules only) | {t_list * 1e3:.0f} ms |")
            print(f"| `rg -c -F TODO` (walk, read, search) | {t_count * 1e3:.0f} ms |")


if __name__ == "__main__":
    main()
