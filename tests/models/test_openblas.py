"""OpenBLAS is loaded for MLX on Linux only when it is loaded before MLX (each case in a fresh process)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from rlm import _openblas

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or _openblas.find_openblas() is None,
    reason="needs Linux with Debian's libopenblas0-pthread (scripts/setup.sh installs it)",
)


def _run(code: str, **env: str) -> str:
    full_env = {k: v for k, v in os.environ.items() if k != "RLM_NO_OPENBLAS"} | env
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full_env, check=True)
    return out.stdout.strip()


def _mapped_libraries() -> str:
    return "import os; print([l.split()[-1] for l in open(f'/proc/{os.getpid()}/maps') if 'openblas-pthread' in l][:1])"


def test_importing_the_backend_loads_openblas_into_the_process() -> None:
    out = _run("import rlm.backends.mlx; from rlm import _openblas; print(_openblas.status()); " + _mapped_libraries())
    status, maps = out.splitlines()
    assert status == f"loaded: {_openblas.find_openblas()}"
    assert "openblas-pthread/libopenblas" in maps


def test_after_mlx_is_imported_it_is_too_late() -> None:
    assert _run("import mlx.core; from rlm import _openblas; print(_openblas.preload())") == "too late"


def test_rlm_no_openblas_turns_it_off() -> None:
    code = "import rlm.backends.mlx; from rlm import _openblas; print(_openblas.status()); "
    out = _run(code + _mapped_libraries(), RLM_NO_OPENBLAS="1")
    assert out.splitlines() == ["disabled", "[]"]
