#!/usr/bin/env bash
# Idempotent set-up for a fresh Linux x86_64 (Debian) or macOS machine:
# Debian packages, a virtualenv in .venv, Python deps, and the Rust extension (release build).
# Re-running does only what changed. Source-safe: callers run it, then `. .venv/bin/activate`.
# `--with-browser` (scripts/test.sh) also installs Debian's chromium for the viewer's browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
with_browser=0
for arg in "$@"; do
  case "$arg" in
    --with-browser) with_browser=1 ;;
    *) printf 'setup: unknown option %s\n' "$arg" >&2; exit 2 ;;
  esac
done

log() { printf 'setup: %s\n' "$*" >&2; }

if [ "$(uname -s)" = Linux ] && command -v apt-get >/dev/null; then
  missing=()
  command -v rg >/dev/null || missing+=(ripgrep)  # the anchor our search benchmarks compare with
  # OpenBLAS makes MLX's CPU matmuls ~20x faster than the wheel's reference BLAS (docs/models.md).
  ls /usr/lib/*/openblas-pthread/libopenblas.so.0 >/dev/null 2>&1 || missing+=(libopenblas0-pthread)
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  apt_install() {
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
  }
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    apt_install "${missing[@]}"
  fi
  # tests/view opens the `rlm view` page in a real headless browser (DOM, scripts, screenshot).
  # Not fatal: without it only those tests are skipped, and they say why.
  if [ "$with_browser" = 1 ] && ! command -v chromium >/dev/null; then
    log "installing Debian package: chromium (the viewer's browser tests)"
    apt_install chromium || log "warning: chromium could not be installed (apt-get failed): the browser tests in tests/view will be skipped"
  fi
elif [ "$with_browser" = 1 ] && ! command -v chromium >/dev/null; then
  log "note: no apt-get here: install Chromium by hand for the browser tests in tests/view (skipped without it)"
fi

command -v cargo >/dev/null || { log "error: cargo not found; install Rust (https://rustup.rs)"; exit 1; }

if [ ! -x .venv/bin/python ]; then
  log "creating .venv"
  python3 -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate

# Python deps: reinstall only when pyproject.toml changes.
stamp=.venv/.deps-$(sha256sum pyproject.toml 2>/dev/null | cut -c1-16 || shasum -a 256 pyproject.toml | cut -c1-16)
if [ ! -e "$stamp" ]; then
  log "installing Python dependencies"
  python -m pip install -q --upgrade pip
  python -m pip install -q "maturin>=1.7,<2"
  # The project's own deps (and dev extras) without building it yet: maturin develop does that below.
  python - <<'PY' > .venv/requirements.txt
import tomllib
p = tomllib.load(open("pyproject.toml", "rb"))["project"]
print("\n".join(p["dependencies"] + p["optional-dependencies"]["dev"]))
PY
  python -m pip install -q -r .venv/requirements.txt
  rm -f .venv/.deps-*
  touch "$stamp"
fi

# The extension: cargo is incremental, so an unchanged tree rebuilds in about a second.
log "building the Rust extension (release)"
maturin develop --release -q >/dev/null 2>&1 || maturin develop --release
python -c "import rlm._core" || { log "error: the extension did not build"; exit 1; }
# The seed's `import mlx_lm.rlm`: a wheel installs this .pth itself, the editable install does not.
python -c "from rlm import mlx_lm_alias; mlx_lm_alias.install_pth()"
