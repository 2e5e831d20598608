"""The package imports and its console entry point exists."""

import subprocess
import sys

import rlm


def test_context_from_str_has_python_length() -> None:
    assert len(rlm.Context.from_str("héllo €")) == 7


def test_python_dash_m_rlm_prints_help() -> None:
    out = subprocess.run([sys.executable, "-m", "rlm", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    assert "--task" in out.stdout
