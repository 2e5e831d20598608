"""Every example in the package's docstrings runs and shows what it says.

Illustrative examples (they need a model, a file or the worker process, or they would confine the
test process itself, as `restrict_worker` and `apply_rlimit_as` do) say `# doctest: +SKIP`.
Modules are imported by their package names, so each is the same module object the other tests use.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import rlm

MODULES = sorted(m.name for m in pkgutil.walk_packages(rlm.__path__, "rlm."))


def test_every_module_is_collected() -> None:
    assert {"rlm.engine", "rlm.repl.worker", "rlm.backends.replay", "rlm._core"} <= set(MODULES)


@pytest.mark.parametrize("name", ["rlm", *MODULES])
def test_the_docstring_examples_of_a_module_hold(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed (output above)"
