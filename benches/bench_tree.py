"""Opening a directory as a context: `Context.open_tree` against ripgrep listing and reading it.

    python benches/bench_tree.py [--files 10000] [--lines 40] [--repeats 5]
    python benches/bench_tree.py --startup [--files 10000] [--repeats 7]

Builds a tree of `--files` text files (a nested .gitignore and one ignored directory, as a source
checkout has) and reports the minimum over the repeats of: `Context.open_tree` (walk with rg's
rules, read, join, validate, index), `rg --files` alone (the walk and its rules, no reading), and
`rg -c` of a literal over the same tree (walk + read + search: the closest thing rg does to
opening it), plus a grep of that literal in the opened context. Each row checks that the tools
agree on the file count or the match count.

`--startup` measures what a run pays before its first turn to have the tree open in the driver
and in a ready REPL worker, two ways, interleaved in the same process: the worker walking and
reading the tree again (`ReplSession(dir)`: what runs did before the file table was sent) and
the worker mapping the driver's saved text with its file table (`rlm.inputs.open_tree` +
`ReplSession(..., context_tree=)`: what runs do now). Median of the repeats, and the worker's
private memory (RssAnon) once ready.
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


def rss_anon_kib(pid: int) -> int:
    """Private memory of process `pid` in KiB (Linux /proc)."""
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("RssAnon:"))


def startup(root: Path, repeats: int) -> None:
    from rlm.inputs import open_tree
    from rlm.repl.session import ReplSession

    def rewalk() -> tuple[float, int]:
        start = time.perf_counter()
        ctx = Context.open_tree(root)
        repl = ReplSession(str(root), llm_query=str, sandbox="off")
        took = time.perf_counter() - start
        try:
            assert repl.execute("print(len(context))").output == f"{len(ctx)}\n"
            return took, rss_anon_kib(repl.pid or 0)
        finally:
            repl.close()

    def table() -> tuple[float, int]:
        start = time.perf_counter()
        opened = open_tree(str(root))
        repl = ReplSession(opened.path, llm_query=str, sandbox="off", context_tree=opened.tree_table())
        took = time.perf_counter() - start
        try:
            assert repl.execute("print(len(context.files()))").output == f"{len(opened.context.files())}\n"
            return took, rss_anon_kib(repl.pid or 0)
        finally:
            repl.close()
            opened.close()

    runs: dict[str, list[tuple[float, int]]] = {"rewalk": [], "table": []}
    for _ in range(repeats):  # interleaved: both see the same load
        runs["rewalk"].append(rewalk())
        runs["table"].append(table())
    size = Context.open_tree(root).byte_len
    print(f"{len(Context.open_tree(root).files()):,} files, {size / 1e6:.1f} MB; median of {repeats} "
          "interleaved runs (sandbox off in both)")
    print("| tree open in the driver + REPL worker ready | start-up | worker RssAnon |")
    print("|---|---|---|")
    for name, label in (("rewalk", "worker walks and reads the tree again (before)"),
                        ("table", "worker maps the driver's saved text + file table (now)")):
        times = sorted(t for t, _ in runs[name])
        mem = sorted(m for _, m in runs[name])
        print(f"| {label} | {times[len(times) // 2] * 1e3:.0f} ms | {mem[len(mem) // 2] / 1024:.1f} MiB |")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--files", type=int, default=10_000)
    p.add_argument("--lines", type=int, default=40)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--startup", action="store_true",
                   help="time a run's start-up (driver + REPL worker) instead of the open alone")
    args = p.parse_args()
    rg = shutil.which("rg")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build(root, args.files, args.lines)
        if args.startup:
            startup(root, args.repeats)
            return
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
