"""JSON Lines contexts: `records()`, `where=` and `grep(field=)` against plain Python over the file.

    python benches/bench_jsonl.py [--records 600000] [--repeats 3]

Writes a generated log of `--records` JSON objects (one in 1,000 has status FAILED) and reports
the minimum over the repeats of: counting the records (`count_records`, Rust, every core), a full
`records()` pass, `records(where={"status": "FAILED"})`, `grep("timeout", field="message")`,
and the Python baseline for each (`json.loads` of every line of `open(path)`). Each row checks
its count against its baseline.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from bench_tree import best  # benches/ is on sys.path when run as a script

from rlm import Context


def build(path: Path, records: int) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for start in range(0, records, 10_000):
            f.write("".join(json.dumps({
                "ts": 1_700_000_000 + i, "status": "FAILED" if i % 1000 == 7 else "OK",
                "service": f"svc-{i % 13}", "message": f"request {i} {'timeout' if i % 250 == 0 else 'served'} "
                f"in {i % 977} ms"}) + "\n" for i in range(start, min(start + 10_000, records))))


def python_records(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--records", type=int, default=600_000)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log.jsonl"
        build(path, args.records)
        c = Context.open(path)
        rows = [
            ("count the records", lambda: c.count_records(),
             lambda: sum(1 for line in open(path, encoding="utf-8") if line.strip())),
            ("every record, parsed", lambda: sum(1 for _ in c.records()),
             lambda: len(python_records(path))),
            ('records where status == "FAILED"',
             lambda: sum(1 for _ in c.records(where={"status": "FAILED"})),
             lambda: sum(1 for r in python_records(path) if r.get("status") == "FAILED")),
            ('message matching "timeout"', lambda: len(c.grep("timeout", field="message")),
             lambda: sum(1 for r in python_records(path) if "timeout" in r.get("message", ""))),
        ]
        print(f"{args.records:,} records, {path.stat().st_size / 1e6:.0f} MB; minimum of {args.repeats} runs")
        print("| operation | `Context` | Python (`json.loads` per line) | speed-up |")
        print("|---|---|---|---|")
        for name, ours, theirs in rows:
            t_ours, n_ours = best(ours, args.repeats)
            t_py, n_py = best(theirs, args.repeats)
            assert n_ours == n_py, (name, n_ours, n_py)
            print(f"| {name} ({n_ours:,}) | {t_ours * 1e3:.0f} ms | {t_py * 1e3:.0f} ms | {t_py / t_ours:.1f}x |")


if __name__ == "__main__":
    main()
