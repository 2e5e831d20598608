"""The sandbox seen from the driver's side, end to end through `rlm`: on a kernel with less than
the full Landlock set, `--sandbox strict` refuses in one line and `auto` runs and says once on
stderr (and in the trajectory) what is not protected; and the driver's own /proc files close to
another same-user process once it is non-dumpable.

This machine's kernel has everything, so an older one is stood in for: a `sitecustomize` on the
worker's PYTHONPATH wraps `rlm._core.restrict_self` so the worker applies the real restriction
but reports only what Landlock ABI 3 (Linux 6.2) enforces. Everything after that report (the
worker's strict check, the driver's error, the CLI's exit code and its stderr) is the real code.
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import rlm
from rlm import _core

ABI = _core.landlock_abi()
on_landlock = pytest.mark.skipif(not sys.platform.startswith("linux") or ABI < 1,
                                 reason=f"needs Landlock (Linux); this system offers ABI {ABI}")

# What a Linux 6.2 kernel (Landlock ABI 3, no seccomp socket filter asked for) reports.
_OLD_KERNEL = """\
import sys, types
pkg = types.ModuleType("rlm"); pkg.__path__ = [{package!r}]; sys.modules["rlm"] = pkg
import rlm._core as core
_real = core.restrict_self

def restrict_self(read_only, read_write, *, deny_sockets=True):
    report = _real(read_only, read_write, deny_sockets=False)
    report.update(abi=3, active=["files", "truncate"])
    return report

core.restrict_self = restrict_self
del sys.modules["rlm"]  # the worker's bootstrap makes its own package stub
"""


def old_kernel_env(tmp_path: Path) -> dict[str, str]:
    site = tmp_path / "old-kernel"
    site.mkdir()
    (site / "sitecustomize.py").write_text(_OLD_KERNEL.format(package=os.path.dirname(rlm.__file__)))
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))}


def run_rlm(tmp_path: Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    replay = tmp_path / "replay.json"
    replay.write_text(json.dumps({"turns": ["```python\nprint(context[:2])\n```", "```python\nFINAL(context[:2])\n```"]}))
    return subprocess.run(
        [sys.executable, "-m", "rlm", "-t", "x", "-c", "ok", "--model", f"replay:{replay}",
         "-o", str(tmp_path / "trajectory.json"), *extra],
        capture_output=True, text=True, env=env, timeout=120)


@on_landlock
def test_strict_refuses_on_an_older_kernel_in_one_line(tmp_path: Path) -> None:
    done = run_rlm(tmp_path, old_kernel_env(tmp_path), "--sandbox", "strict")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "rlm: error: --sandbox strict: this system cannot confine the REPL (missing tcp, sockets, "
        "signals, abstract-unix-sockets; Landlock ABI 3, ABI 6 / Linux 6.12 brings everything); "
        "use --sandbox auto to run with what it supports"]


@on_landlock
def test_auto_runs_on_an_older_kernel_and_says_so_once(tmp_path: Path) -> None:
    done = run_rlm(tmp_path, old_kernel_env(tmp_path))
    assert (done.returncode, done.stdout) == (0, "ok\n"), done.stderr
    warnings = [line for line in done.stderr.splitlines() if "sandbox" in line]
    assert warnings == ["rlm: warning: sandbox: landlock ABI 3: files, truncate; NOT protected: "
                        "tcp, sockets, signals, abstract-unix-sockets"]
    report = json.loads((tmp_path / "trajectory.json").read_text())["sandbox"]
    assert report["missing_required"] == ["tcp", "sockets", "signals", "abstract-unix-sockets"]
    assert report["summary"] == warnings[0].removeprefix("rlm: warning: ")


@on_landlock
def test_the_real_kernel_passes_strict_where_the_stand_in_fails(tmp_path: Path) -> None:
    # The control: the same run without the stand-in is not refused, so the refusal above comes
    # from the report and not from the sitecustomize trick itself.
    if ABI < 6:
        pytest.skip(f"this kernel (ABI {ABI}) is itself too old for strict")
    done = run_rlm(tmp_path, dict(os.environ), "--sandbox", "strict")
    assert (done.returncode, done.stdout) == (0, "ok\n"), done.stderr


# -- the driver's /proc files ------------------------------------------------------------------------

# Both processes run as a normal user would: as root here, but without any capability (a process
# whose capabilities are not a superset of its target's may not trace it, whatever the user).
_NO_CAPABILITIES = """\
import ctypes
header, data = (ctypes.c_uint32 * 2)(0x20080522, 0), (ctypes.c_uint32 * 6)()
assert ctypes.CDLL(None, use_errno=True).capset(header, data) == 0
"""

# A driver that starts a session and waits; it prints a line once the worker is ready.
_DRIVER = _NO_CAPABILITIES + """\
import sys
from rlm.repl.session import ReplSession
with ReplSession(None, llm_query=str, sandbox=sys.argv[1]):
    print(flush=True)
    sys.stdin.readline()
"""

# Another process of the same user.
_READER = _NO_CAPABILITIES + """\
import sys
try:
    print(open(f"/proc/{sys.argv[1]}/environ", "rb").read().count(b"OPENAI_API_KEY="))
except OSError as e:
    print(type(e).__name__)
"""


def read_driver_environ(mode: str) -> str:
    env = {**os.environ, "OPENAI_API_KEY": "sk-fake-driver"}
    driver = subprocess.Popen([sys.executable, "-c", _DRIVER, mode], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert driver.stdout is not None and driver.stdout.readline() == "\n"
        done = subprocess.run([sys.executable, "-c", _READER, str(driver.pid)], capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()
    finally:
        driver.communicate("\n", timeout=60)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_DUMPABLE is Linux's")
def test_a_same_user_process_cannot_read_the_driver_environ() -> None:
    assert read_driver_environ("off") == "1"  # the control: a dumpable driver's environ is open
    assert read_driver_environ("auto") == "PermissionError"
