"""The REPL worker as a sandbox: what model-written code may touch, and how that is enforced.

The context is untrusted input; text in it can steer the model into writing code that reads
`~/.ssh/id_rsa`, the driver's API keys or the network. So before any model code runs:

- Linux: the worker restricts itself with Landlock (`rlm._core.restrict_self`, rust/rlm-core
  sandbox.rs): read-only the Python installation, the package, the context and tokenizer files and
  what the standard library needs; read-write only a private temp dir the driver made for the
  session (`TMPDIR` points there; removed on close) and /dev/null; no TCP connect or bind (ABI 4);
  no signals to, or abstract unix sockets of, processes outside the sandbox (ABI 6); and a
  seccomp filter denies creating sockets at all (UDP and unix sockets, which Landlock covers only
  from ABI 10 and 9; `socketpair` still works). Capabilities are dropped (a root worker),
  `no_new_privs` is set. Landlock also denies ptrace-style access to
  processes outside the sandbox, /proc/PPID/mem included.
- macOS: the worker starts under `sandbox-exec -p PROFILE` with a profile generated from the same
  policy (`darwin_profile`). Written and reasoned about, not run: no Mac was available.
- The driver marks itself non-dumpable (`protect_driver`), so no same-user process reads its
  /proc/PID/environ or memory; secrets are not in the worker's environment at all (`scrubbed_env`).

Modes: "auto" applies what the kernel supports and says what is missing; "strict" refuses to run
without the full set (`REQUIRED`); "off" runs model code with the user's full rights.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from typing import Any

from rlm.errors import SandboxError
from rlm.repl.sandbox_policy import (  # re-exported: the policy is part of this module's API
    MODES,
    REQUIRED,
    SandboxMode,
    SandboxPolicy,
    build_policy,
    python_paths,
)

__all__ = [
    "MODES",
    "DriverSandbox",
    "REQUIRED",
    "SandboxMode",
    "SandboxPolicy",
    "build_policy",
    "describe",
    "prepare_driver",
    "protect_driver",
    "restrict_worker",
    "python_paths",
    "strict_refusal",
]


def make_temp_dir() -> str:
    """A private (0700) directory for one session's worker: its TMPDIR and only writable place.

    Example:
        >>> d = make_temp_dir(); os.path.isdir(d)
        True
        >>> os.rmdir(d)
    """
    import tempfile  # driver-side only: the worker's start-up stays light

    return tempfile.mkdtemp(prefix="rlm-repl-")


def remove_temp_dir(path: str | None) -> None:
    """Remove a session's temp dir and what the code left in it (missing is fine)."""
    import shutil

    if path:
        shutil.rmtree(path, ignore_errors=True)


def worker_env(env: dict[str, str], temp_dir: str) -> dict[str, str]:
    """`env` with every temp-dir variable pointing at the session's private directory.

    Example:
        >>> worker_env({"PATH": "/bin"}, "/tmp/rlm-x")["TMPDIR"]
        '/tmp/rlm-x'
    """
    return {**env, "TMPDIR": temp_dir, "TEMP": temp_dir, "TMP": temp_dir}


def protect_driver() -> bool:
    """Mark the driver non-dumpable (Linux): its /proc files and memory close to same-user processes.

    Called before the first worker starts; the worker's exec resets the flag for the worker only.
    Side effects for the driver process: no core dumps, and debuggers or profilers (gdb, py-spy)
    cannot attach to it without root. Returns whether the flag is now set.

    Example:
        >>> protect_driver()
        True
    """
    if not sys.platform.startswith("linux"):
        return False  # macOS: task_for_pid needs root or a debugger entitlement already
    from rlm import _core

    return bool(_core.set_non_dumpable())


@dataclass
class DriverSandbox:
    """The driver's side of one session's sandbox: the temp dir, the worker's environment, the
    command prefix (macOS: sandbox-exec) and what the driver itself contributes to the report."""

    temp_dir: str
    env: dict[str, str]
    wrapper: tuple[str, ...]
    report: dict[str, Any]


def prepare_driver(mode: SandboxMode, env: dict[str, str], context_path: str | None,
                   tokenizer_path: str | None) -> DriverSandbox:
    """Before the first worker starts: protect the driver, make the temp dir, wrap the command.

    Raises `SandboxError` for "strict" where no sandbox exists (neither Linux nor macOS). The
    caller owns `temp_dir` and removes it with `remove_temp_dir` (also when starting fails).

    Example:
        >>> d = prepare_driver("auto", {"PATH": "/bin"}, None, None)
        >>> d.env["TMPDIR"] == d.temp_dir, d.report["driver_non_dumpable"]
        (True, True)
        >>> remove_temp_dir(d.temp_dir)
    """
    linux, darwin = sys.platform.startswith("linux"), sys.platform == "darwin"
    if mode == "strict" and not (linux or darwin):
        raise SandboxError(f"--sandbox strict: no sandbox for the REPL on {sys.platform}; "
                           f"use --sandbox auto or off")
    temp_dir = make_temp_dir()
    report: dict[str, Any] = {"driver_non_dumpable": protect_driver(), "temp_dir": temp_dir}
    wrapper: tuple[str, ...] = ()
    if darwin:
        from rlm.repl import sandbox_macos

        try:
            wrapper, applied = sandbox_macos.wrapper(mode, build_policy(context_path, tokenizer_path, temp_dir))
        except BaseException:
            remove_temp_dir(temp_dir)
            raise
        report.update(applied)
    return DriverSandbox(temp_dir, worker_env(env, temp_dir), wrapper, report)


def _thread_count() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1


def restrict_worker(mode: SandboxMode, policy: SandboxPolicy) -> dict[str, Any]:
    """In the worker, before any model code: apply `policy` with Landlock; return the report.

    Raises `SandboxError` in "strict" mode when a protection in `REQUIRED` is missing, or when
    threads already run (they would stay unrestricted on kernels before Landlock ABI 8).

    Example:
        >>> restrict_worker("auto", policy)["mechanism"]  # confines the calling process  # doctest: +SKIP
        'landlock'
    """
    from rlm import _core

    threads = _thread_count()
    start = time.perf_counter()
    report = _core.restrict_self(policy.read_only, policy.read_write, deny_sockets=True)
    report["elapsed_ms"] = round((time.perf_counter() - start) * 1000, 3)
    if report["sockets_denied"]:
        report["active"].append("sockets")
    mechanism = "+".join(m for m, on in (("landlock", report["abi"]), ("seccomp", report["sockets_denied"])) if on)
    report.update(mode=mode, mechanism=mechanism or "none",
                  unrestricted_threads=threads - 1,
                  skipped=[*(f"{p}: too broad to grant" for p in policy.skipped), *report["skipped"]],
                  missing_required=[p for p in REQUIRED if p not in report["active"]])
    refusal = strict_refusal(report) if mode == "strict" else None
    if refusal is not None:
        raise SandboxError(refusal)
    return report


def strict_refusal(report: dict[str, Any]) -> str | None:
    """Why `--sandbox strict` must not run with this report, or None when it may.

    Example:
        >>> strict_refusal({"abi": 3, "missing_required": ["tcp", "signals"]})[:40]
        '--sandbox strict: this system cannot con'
    """
    missing = report.get("missing_required", [])
    threads = report.get("unrestricted_threads", 0)
    if not missing and not threads:
        return None
    why = (f"missing {', '.join(missing)}" if missing
           else f"{threads} thread(s) already running would stay unrestricted")
    return (f"--sandbox strict: this system cannot confine the REPL ({why}; Landlock ABI "
            f"{report.get('abi', 0)}, ABI 6 / Linux 6.12 brings everything); use --sandbox auto to "
            f"run with what it supports")


def describe(report: dict[str, Any]) -> str:
    """One line saying which protections hold (what the CLI prints and the trajectory keeps).

    Example:
        >>> describe({"mode": "off"})
        'sandbox off: model code runs with your full rights'
    """
    if report.get("mode") == "off":
        return "sandbox off: model code runs with your full rights"
    mechanism = report.get("mechanism", "none")
    if mechanism == "none":
        return "sandbox: not available on this system; model code runs with your full rights"
    parts = [f"landlock ABI {report.get('abi')}" if m == "landlock" else m for m in mechanism.split("+")]
    text = f"sandbox: {' + '.join(parts)}: {', '.join(report.get('active', [])) or 'nothing'}"
    if report.get("missing_required"):
        text += f"; NOT protected: {', '.join(report['missing_required'])}"
    if report.get("verified") is False:
        text += " (unverified)"
    return text
