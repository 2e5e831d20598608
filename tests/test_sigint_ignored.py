"""The Ctrl-C tests also pass when the test run itself was started with SIGINT ignored (as in
`bash -c 'scripts/test.sh &'`, or some CI runners): their children get SIGINT's default back."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

CTRL_C_TESTS = [
    "tests/engine/test_cli.py::test_ctrl_c_and_sigterm_stop_cleanly_and_write_the_trajectory",
    "tests/repl/test_limits.py::test_ctrl_c_reaches_only_the_driver_which_closes_the_worker",
]


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_tests_pass_in_a_run_that_ignores_sigint() -> None:
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *CTRL_C_TESTS],
                          cwd=Path(__file__).resolve().parent.parent, preexec_fn=_ignore_sigint,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:]
    if sys.platform.startswith("linux"):  # the REPL test is Linux-only
        assert "3 passed" in done.stdout, done.stdout[-4000:]
