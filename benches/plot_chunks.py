"""Draw benches/data/chunks.json (written by bench_chunks.py) as benches/chunks.png.

    pip install -e '.[plot]'    # matplotlib: the `plot` extra, not a dependency of the package
    python benches/plot_chunks.py [--json benches/data/chunks.json] [--out benches/chunks.png]

One horizontal bar per strategy: throughput in MB/s of opening the file and chunking it, with
`wc -l` of the same file in the same run as the first bar, on a log scale (they span ~3 orders).
"""

from __future__ import annotations

import argparse
import json
import pathlib

HERE = pathlib.Path(__file__).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=pathlib.Path, default=HERE / "data" / "chunks.json")
    parser.add_argument("--out", type=pathlib.Path, default=HERE / "chunks.png")
    args = parser.parse_args()

    try:
        import matplotlib
    except ImportError:
        raise SystemExit("plot_chunks.py: needs matplotlib: pip install -e '.[plot]' (or pip install matplotlib)")

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = json.loads(args.json.read_text())
    mb = data["bytes"] / 1e6
    names = ["wc -l"] + list(data["rows"])
    speeds = [mb / data["wc_seconds"]] + [r["mb_per_s"] for r in data["rows"].values()]
    fig, ax = plt.subplots(figsize=(6, 2.6), dpi=100)
    bars = ax.barh(names[::-1], speeds[::-1], color=["#4c72b0"] * (len(names) - 1) + ["#999999"])
    ax.set_xscale("log")
    ax.set_xlabel("MB/s (open + chunk; log scale)")
    ax.set_title(f"Chunking {data['bytes'] / 2**30:.2g} GiB on 2 cores under load", fontsize=10)
    for bar, v in zip(bars, speeds[::-1]):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {v:,.0f}", va="center", fontsize=8)
    ax.set_xlim(right=max(speeds) * 6)
    fig.tight_layout()
    fig.savefig(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
