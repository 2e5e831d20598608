"""`import mlx_lm.rlm`: the seed's import path, served by this package when mlx-lm has no `rlm`.

The seed's API was `from mlx_lm import load` + `from mlx_lm.rlm import rlm_generate, RLMConfig`.
`mlx_lm` is mlx-lm's regular package, so a file of ours inside it would be overwritten or deleted by
the other package's install or uninstall, and in an editable install it would not be found at all.
Instead the wheel puts `mlx_rlm_alias.pth` (the text of `PTH_LINE`) in site-packages: at start-up
it appends a tiny finder to `sys.meta_path` that answers for `mlx_lm.rlm` only, and only imports
this module when that name is imported. Being last in `sys.meta_path`, it is asked only after the
normal path finder has looked in mlx-lm's own directory and found nothing: if mlx-lm ever ships its
own `mlx_lm/rlm.py`, that module wins and this alias steps aside (`from rlm import ...` always
works). Uninstalling mlx-lm leaves `import mlx_lm.rlm` failing as `import mlx_lm` does; uninstalling
mlx-rlm removes the `.pth` with the rest of this package.

Example:
    >>> import mlx_lm.rlm  # doctest: +SKIP
    >>> mlx_lm.rlm.rlm_generate is __import__("rlm").rlm_generate  # doctest: +SKIP
    True
"""

from __future__ import annotations

import importlib.util
import os
import sys
from importlib.machinery import ModuleSpec
from typing import Any, Sequence

MODULE = "mlx_lm.rlm"
SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mlx_lm_rlm.py")
PTH_NAME = "mlx_rlm_alias.pth"
# One line (a .pth runs lines that start with "import"); it imports nothing of ours until
# `mlx_lm.rlm` is imported, so every other Python start-up in the environment stays as it was.
PTH_LINE = (
    'import sys; sys.meta_path.append(type("MlxLmRlmAlias", (), {"find_spec": staticmethod('
    'lambda name, path=None, target=None: __import__("rlm.mlx_lm_alias", fromlist=["find_spec"])'
    '.find_spec(name, path, target) if name == "mlx_lm.rlm" else None)})())\n'
)


def find_spec(name: str, path: Sequence[str] | None = None, target: Any = None) -> ModuleSpec | None:
    """The spec of our `mlx_lm.rlm` (the file `mlx_lm_rlm.py` here), or None if mlx-lm has one.

    Example:
        >>> find_spec("mlx_lm.rlm").origin.endswith("mlx_lm_rlm.py")  # doctest: +SKIP
        True
    """
    if name != MODULE:
        return None
    own = _mlx_lm_own(path)
    if own is not None:
        return own
    return importlib.util.spec_from_file_location(MODULE, SOURCE)


def _mlx_lm_own(path: Sequence[str] | None) -> ModuleSpec | None:
    """mlx-lm's own `rlm` module in its package directory, if it ships one.

    The path finder, earlier in `sys.meta_path`, has normally found it before this finder is asked;
    this check also covers an import system where something put this finder first.
    """
    from importlib.machinery import PathFinder

    search = list(path) if path is not None else list(getattr(sys.modules.get("mlx_lm"), "__path__", []))
    return PathFinder.find_spec(MODULE, search) if search else None


def install_pth(site_dir: str | None = None) -> str:
    """Write the `.pth` into `site_dir` (default: this environment's site-packages) and list it in
    mlx-rlm's installed RECORD there, so `pip uninstall mlx-rlm` removes it; returns its path.

    A wheel install does this by itself (pyproject.toml includes the file); `maturin develop`
    installs an editable package without it, so scripts/setup.sh calls this. Idempotent.

    Example:
        >>> install_pth(tmp_site).endswith("mlx_rlm_alias.pth")  # doctest: +SKIP
        True
    """
    import glob
    import sysconfig

    site_dir = site_dir or sysconfig.get_paths()["purelib"]
    pth = os.path.join(site_dir, PTH_NAME)
    with open(pth, "w", encoding="utf-8") as f:
        f.write(PTH_LINE)
    for record in glob.glob(os.path.join(site_dir, "mlx_rlm-*.dist-info", "RECORD")):
        with open(record, encoding="utf-8") as f:
            listed = any(line.split(",", 1)[0] == PTH_NAME for line in f)
        if not listed:
            with open(record, "a", encoding="utf-8") as f:
                f.write(f"{PTH_NAME},,\n")
    return pth
