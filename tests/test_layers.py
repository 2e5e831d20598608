"""The package's modules import downwards only (README, "Layers"): no import cycles, and the
lower layers (the REPL, the backends, the records) never import the loop or what drives it.

Imports inside `if TYPE_CHECKING:` are annotations, not dependencies, and do not count; imports
inside functions (lazy ones) do.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "python" / "rlm"

# What drives a run: nothing below it may import these.
DRIVERS = ("rlm.engine", "rlm.session", "rlm.cli", "rlm.chat", "rlm.eval", "rlm.view",
           "rlm.chunk_bench")
LOWER = ("rlm.repl", "rlm.backends", "rlm.trajectory", "rlm.loop_control", "rlm.prompts",
         "rlm.answer_check", "rlm.count_answers", "rlm.list_answers", "rlm.summary", "rlm.inputs",
         "rlm.tokens", "rlm.config", "rlm.subcalls", "rlm.budget", "rlm.turns", "rlm.run_log",
         "rlm.direct")


def _module(path: Path) -> str:
    parts = ["rlm", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path) -> set[str]:
    """The package modules `path` imports (a `from rlm import x` of a module counts as x)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(node) for branch in ast.walk(tree)
                   if isinstance(branch, ast.If) and "TYPE_CHECKING" in ast.unparse(branch.test)
                   for node in ast.walk(branch)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("rlm"):
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                found.add(name if name in MODULES else str(node.module))
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("rlm")}
    return {m for m in found if m in MODULES and m != "rlm"} - {_module(path)}


GRAPH = {name: imports(path) for name, path in MODULES.items()}


def _reaches(start: str, goal: str) -> list[str] | None:
    """An import path from `start` to `goal`, or None."""
    stack, seen = [[start]], {start}
    while stack:
        path = stack.pop()
        for nxt in sorted(GRAPH[path[-1]]):
            if nxt == goal:
                return [*path, nxt]
            if nxt not in seen:
                seen.add(nxt)
                stack.append([*path, nxt])
    return None


def test_the_graph_is_read_from_the_real_modules() -> None:
    assert "rlm.repl.headers" in GRAPH["rlm.answer_check"]
    assert "rlm.engine" in GRAPH["rlm.session"] and "rlm.session" not in GRAPH["rlm.engine"]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_imports_itself_back(name: str) -> None:
    cycle = next((c for dep in sorted(GRAPH[name]) if (c := _reaches(dep, name))), None)
    assert cycle is None, " -> ".join([name, *cycle])


@pytest.mark.parametrize("lower", LOWER)
def test_lower_layers_do_not_import_what_drives_them(lower: str) -> None:
    for name in (m for m in MODULES if m == lower or m.startswith(lower + ".")):
        bad = sorted(d for d in GRAPH[name] if d.startswith(DRIVERS))
        assert not bad, f"{name} imports {bad}"
