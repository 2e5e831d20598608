"""Make MLX's CPU matmuls use Debian's OpenBLAS on Linux (about 20x faster prefill than the wheel's).

The `mlx-cpu` wheel links a bundled reference BLAS. Loading OpenBLAS with RTLD_GLOBAL *before*
`mlx.core` is first imported puts its `cblas_*` symbols ahead of the bundled ones for every later
lookup, so MLX binds to OpenBLAS without LD_PRELOAD or a re-exec (measured: 512x896 @ 896x4864
fp32 matmul 0.63 s → 0.035 s; `LD_PRELOAD` gives 0.042 s). Loading it after MLX is imported has no
effect, because MLX has already bound its symbols: hence `preload()` is called at the top of every
module that imports mlx, and `rlm/__init__.py` should call it first of all.

macOS: MLX uses Accelerate (and Metal); nothing to do. Set `RLM_NO_OPENBLAS=1` to measure without.
"""

from __future__ import annotations

import ctypes
import glob
import os
import sys

# Debian/Ubuntu `libopenblas0-pthread` (installed by scripts/setup.sh), per multiarch triplet.
_PATTERNS = ("/usr/lib/*/openblas-pthread/libopenblas.so.0", "/usr/lib64/libopenblasp.so.0")

_state: str | None = None  # "loaded: PATH", "not found", "disabled", "too late", "not linux"
_handle: ctypes.CDLL | None = None  # keep the library loaded for the life of the process


def find_openblas() -> str | None:
    """Path of the system's threaded OpenBLAS, or None.

    Example: `find_openblas()` → `"/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0"`.
    """
    for pattern in _PATTERNS:
        found = sorted(glob.glob(pattern))
        if found:
            return found[0]
    return None


def preload() -> str:
    """Load OpenBLAS globally if this is Linux, it exists, and MLX is not imported yet.

    Idempotent and cheap; returns what happened (also available later as `status()`).
    Example: `preload()` → `"loaded: /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0"`.
    """
    global _state, _handle
    if _state is not None and _state.startswith("loaded"):
        return _state
    if not sys.platform.startswith("linux"):
        _state = "not linux"
    elif os.environ.get("RLM_NO_OPENBLAS"):
        _state = "disabled"
    elif "mlx.core" in sys.modules:
        _state = "too late"  # MLX already bound its BLAS symbols; see the module docstring
    else:
        path = find_openblas()
        if path is None:
            _state = "not found"
        else:
            try:
                _handle = ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
                _state = f"loaded: {path}"
            except OSError as exc:
                _state = f"failed: {exc}"
    return _state


def status() -> str:
    """What `preload()` did, for `-v` logs and benchmarks; "not attempted" before it ran.

    Example: `status().startswith("loaded")` → True when MLX runs on OpenBLAS.
    """
    return _state or "not attempted"
