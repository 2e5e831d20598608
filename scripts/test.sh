#!/usr/bin/env bash
# The whole test suite from a fresh clone: set-up (idempotent), Rust tests, stub check, pytest.
# Extra arguments go to pytest (e.g. scripts/test.sh -k context -x).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --with-browser
# shellcheck disable=SC1091
. .venv/bin/activate

echo "== cargo test (rlm-core)" >&2
cargo test -q -p rlm-core --release
echo "== stubtest rlm._core" >&2
python -m mypy.stubtest rlm._core
echo "== pytest" >&2
# Exit 5 (no tests collected) is a failure here, as any non-zero exit is.
python -m pytest -q "$@"
