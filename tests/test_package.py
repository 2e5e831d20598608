"""The package imports, exports its public API, and its console entry point exists."""

import subprocess
import sys

import rlm


def test_context_from_str_has_python_length() -> None:
    assert len(rlm.Context.from_str("héllo €")) == 7


def test_public_api_is_exported() -> None:
    from rlm import Context, RLMConfig, RLMResponse, rlm_generate

    assert callable(rlm_generate)
    assert RLMConfig().max_iterations == 20
    assert RLMResponse(answer="x").answer == "x"
    from rlm._core import Context as Core

    assert Context is Core


def test_python_dash_m_rlm_prints_help_without_importing_mlx() -> None:
    code = "import sys, runpy; sys.argv = ['rlm', '--help']\n" \
           "try:\n    runpy.run_module('rlm', run_name='__main__')\nexcept SystemExit as e:\n" \
           "    assert e.code == 0, e.code\n" \
           "assert 'mlx' not in sys.modules and 'mlx_lm' not in sys.modules, 'mlx imported'\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "--task" in out.stdout
