"""The `rlm` / `mlx_lm.rlm` command line."""

from __future__ import annotations

import argparse
import sys


def setup_arg_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlx_lm.rlm",
        description="Answer a task over a huge context with a Recursive Language Model.",
    )
    parser.add_argument("--task", "-t", required=True, help="what to do with the context")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = setup_arg_parser()
    parser.parse_args(argv)
    print("rlm: error: the engine is not built yet", file=sys.stderr)
    return 1
