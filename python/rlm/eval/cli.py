"""`rlm eval`: generate synthetic tasks, run them in rlm and/or direct mode, print a results table.

    rlm eval --kind needle --size 32K,1M --seeds 5 --mode rlm
    rlm eval --kind multi --size 1M --seeds 5 --mode rlm,direct --direct-window 8192 -o multi.json
    rlm eval --report needle.json multi.json     # the table again, from saved results
    rlm eval --list                              # the task kinds, one line each
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path
from typing import Any

from rlm.backends.loading import load_backend
from rlm.errors import RLMError, UsageError, cli_failure
from rlm.eval.corpus import FILLERS
from rlm.eval.report import markdown_table, summarise
from rlm.eval.results import RunResult, load_results
from rlm.eval.runner import MODES, run_eval
from rlm.eval.tasks import FAMILIES, KINDS, default_cache_dir, make_tasks, parse_size


def setup_arg_parser() -> argparse.ArgumentParser:
    """The `rlm eval` argument parser.

    >>> setup_arg_parser().parse_args(["--size", "1M"]).size
    '1M'
    """
    p = argparse.ArgumentParser(
        prog="rlm eval",
        description="Score a model on long-context tasks with known answers (needles, "
        "aggregation, extraction, variable tracking, real files on this machine), in RLM mode "
        "or directly. `--list` names every task kind.",
        epilog="Lists are comma-separated (--size 32K,1M). Sizes are characters: K = 1024, "
        "M = 1024².",
    )
    p.add_argument("--model", default=None,
                   help="model directory, Hugging Face repo or bundled model name "
                   "(default: the bundled default)")
    p.add_argument("--kind", default="needle",
                   help=f"task kinds: {', '.join(KINDS)}, or 'all' (default: needle; "
                   "--list describes each)")
    p.add_argument("--list", action="store_true", help="name every task kind with one line and exit")
    p.add_argument("--size", default="32K",
                   help="context sizes in characters, e.g. 32K,1M,64M (default: 32K)")
    p.add_argument("--seeds", type=int, default=5, help="tasks per kind and size (default: 5)")
    p.add_argument("--first-seed", type=int, default=0, help="seed of the first task (default: 0)")
    p.add_argument("--mode", default="rlm", help=f"modes: {', '.join(MODES)} (default: rlm)")
    p.add_argument("--max-iterations", type=int, default=None,
                   help="RLM loop iterations per run (default: the engine's)")
    p.add_argument("--max-tokens", "-m", type=int, default=None,
                   help="tokens generated per RLM turn (default: the engine's)")
    p.add_argument("--max-time", type=float, default=None,
                   help="wall-clock seconds per RLM run before it must answer (default: no limit)")
    p.add_argument("--no-search-hints", dest="search_hints", action="store_false",
                   help="do not show the task's search hits in the first message (for A/B runs)")
    p.add_argument("--temp", type=float, default=0.0,
                   help="sampling temperature (default: 0, greedy)")
    p.add_argument("--max-kv-size", type=int, default=None,
                   help="rotating KV cache size for the model")
    p.add_argument("--direct-window", type=int, default=None,
                   help="tokens for context + question + answer in direct mode "
                   "(default: the model's window)")
    p.add_argument("--filler", choices=FILLERS, default="code",
                   help="filler of the synthetic kinds: the stdlib's own Python sources, "
                   "synthetic service logs, or generated prose (default: code)")
    p.add_argument("--cache-dir", type=Path, default=None,
                   help="where generated contexts are kept and reused "
                   f"(default: {default_cache_dir()})")
    p.add_argument("--output", "-o", type=Path, default=None,
                   help="results JSON, rewritten after every run")
    p.add_argument("--trajectories", type=Path, default=None,
                   help="directory for each RLM run's trajectory, its HTML page (rlm view) and "
                   "index.html linking every run with its score")
    p.add_argument("--report", nargs="+", type=Path, metavar="RESULTS",
                   help="print the table for saved results files and exit (no model needed)")
    p.add_argument("--quiet", "-q", action="store_true",
                   help="no progress on stderr: neither the bar (drawn only on a terminal) nor "
                   "the per-run lines; the table still goes to stdout")
    p.add_argument("--generate-only", action="store_true",
                   help="create (or find) the task contexts, print their paths and exit")
    return p


def kinds_listing() -> str:
    """One line per task kind: its name and what it asks (`rlm eval --list`).

    >>> kinds_listing().splitlines()[0].split()[0]
    'needle'
    """
    width = max(map(len, FAMILIES))
    return "\n".join(f"{f.name:<{width}}  {f.summary}" + ("  [real files]" if f.real else "")
                     for f in FAMILIES.values())


def split_list(value: str, allowed: tuple[str, ...] | None, what: str) -> list[str]:
    """The items of a comma-separated option (`--kind needle,multi`), each checked against `allowed`.

    >>> split_list("needle, multi", None, "kind")
    ['needle', 'multi']
    """
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        raise UsageError(f"no {what} given")
    for item in items:
        if allowed is not None and item not in allowed:
            raise UsageError(f"unknown {what} {item!r}; choose from {', '.join(allowed)}")
    return items


def _rlm_config(args: argparse.Namespace) -> Any:
    from rlm import RLMConfig

    fields: dict[str, Any] = {"temp": args.temp, "search_hints": args.search_hints}
    if args.max_iterations is not None:
        fields["max_iterations"] = args.max_iterations
    if args.max_tokens is not None:
        fields["max_tokens_per_turn"] = args.max_tokens
    if args.max_time is not None:
        fields["max_time"] = args.max_time
    return RLMConfig(**fields)


def _prompts_fingerprint() -> str | None:
    # Results depend on the prompt text as much as on the model: record which prompts ran.
    try:
        import rlm.prompts

        return hashlib.sha256(Path(rlm.prompts.__file__).read_bytes()).hexdigest()[:16]
    except (ImportError, OSError):
        return None


def main(argv: list[str] | None = None) -> int:
    """Run `rlm eval` with `argv` (without the leading "eval"); returns the exit code.

    >>> # main(["--kind", "needle", "--size", "32K", "--seeds", "1"])  -> 0, table on stdout
    """
    args = setup_arg_parser().parse_args(argv)
    try:
        if args.report:
            results: list[RunResult] = []
            for path in args.report:
                results.extend(load_results(path))
            print(markdown_table(summarise(results)))
            return 0
        if args.list:
            print(kinds_listing())
            return 0
        if args.seeds < 1:
            raise UsageError("--seeds must be at least 1")
        kinds = list(KINDS) if args.kind.strip() == "all" else split_list(args.kind, KINDS, "kind")
        sizes = [parse_size(s) for s in split_list(args.size, None, "size")]
        modes = split_list(args.mode, MODES, "mode")
        seeds = range(args.first_seed, args.first_seed + args.seeds)
        tasks = make_tasks(kinds, sizes, seeds, cache_dir=args.cache_dir, filler=args.filler,
                           say=lambda line: print(f"eval: {line}", file=sys.stderr, flush=True))
        if args.generate_only:
            for task in tasks:
                print(f"{task.id}\t{task.context}\t{task.question}\t{' | '.join(task.expected)}")
            return 0
        config = _rlm_config(args) if "rlm" in modes else None
        if not args.quiet:
            print("eval: loading the model", file=sys.stderr, flush=True)
        backend = load_backend(args.model, max_kv_size=args.max_kv_size)
        model = getattr(backend, "name", None) or args.model or "default"
        settings = {
            "model": model, "kinds": kinds, "sizes": sizes, "modes": modes, "seeds": list(seeds),
            "filler": args.filler, "max_iterations": args.max_iterations,
            "max_tokens": args.max_tokens, "max_time": args.max_time, "temp": args.temp,
            "direct_window": args.direct_window,
            "command": "rlm eval " + " ".join(argv if argv is not None else sys.argv[1:]),
            "prompts_sha256": _prompts_fingerprint(),
        }
        results = run_eval(
            backend, tasks, modes, model=model, config=config, direct_window=args.direct_window,
            output=args.output, trajectory_dir=args.trajectories, settings=settings,
            progress=None if args.quiet else sys.stderr,
        )
    except (RLMError, KeyboardInterrupt) as exc:
        return cli_failure("rlm eval", exc)
    print(markdown_table(summarise(results)))
    return 0
