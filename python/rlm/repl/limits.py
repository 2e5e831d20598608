"""Platform-specific process limits for the REPL worker: memory cap, secret scrubbing, orphan guard.

Everything that differs between Linux and macOS sits here behind `sys.platform` checks.

Memory cap, and why it is done this way:
- Linux ("rlimit" mode): `RLIMIT_AS` caps the address space, so an allocation beyond it fails
  inside malloc and Python raises `MemoryError` in the model's code, even inside a C loop such as
  `list(range(10**9))`; the worker survives with its variables. The mapped context file counts
  toward the address space (a 3 GB file is 3 GB of it although those pages are shared page cache,
  not a copy), as do the interpreter and the Rust extension. So the worker sets the limit itself,
  after it has opened the context: limit = address space in use at that moment + the budget. The
  budget therefore means "new memory the model's code may use", whatever the context size. The
  hard limit is lowered too, so model code cannot raise it again.
- macOS ("rss" mode): the kernel does not enforce `RLIMIT_AS` (setrlimit accepts it and nothing
  happens), and `RLIMIT_DATA` does not cover mmap-based malloc. So the *driver* watches the worker's
  private memory (`phys_footprint` from `proc_pid_rusage`: anonymous memory incl. compressed,
  excluding clean file-backed pages such as the mapped context) every 50 ms while code runs. Over
  the budget it sends SIGUSR1, which raises `MemoryError` in the code at its next bytecode; if the
  worker is still over the budget after a grace period (one C call that keeps allocating cannot be
  interrupted), it is killed and restarted, and the model is told why. The watcher lives in the
  driver, not in a worker thread, because a C loop holds the worker's GIL and would starve it.
  The same mode runs on Linux when asked for (private memory from /proc/PID/statm), which is how
  CI tests it.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from typing import Literal, Mapping

__all__ = [
    "MemoryMode",
    "MemoryWatch",
    "apply_rlimit_as",
    "default_memory_mode",
    "private_memory_bytes",
    "scrub_also",
    "scrubbed_env",
    "start_lifeline_watchdog",
]

MemoryMode = Literal["auto", "rlimit", "rss"]

# Names that usually hold credentials: *_KEY, *_TOKEN (and *_KEY_ID style), anything with SECRET,
# PASSWORD/PASSWD, CREDENTIAL, or a private key/auth header. Model-written code must not see them.
_SECRET_NAME = re.compile(
    r"(_KEY$|_KEY_|^KEY$|_TOKEN$|_TOKEN_|^TOKEN$|SECRET|PASSWORD|PASSWD|CREDENTIAL|_AUTH$|^AUTH_|APIKEY)",
    re.IGNORECASE,
)


# Names registered by whoever reads a credential from the environment (the openai backend's
# --api-key-env), in case a user's variable name does not look like a secret.
_ALSO_SECRET: set[str] = set()


def scrub_also(name: str) -> None:
    """Keep the environment variable `name` from the worker too, whatever it is called.

    Example:
        >>> scrub_also("CLUSTER_PASS_PHRASE"); "CLUSTER_PASS_PHRASE" in scrubbed_env({"CLUSTER_PASS_PHRASE": "x"})
        False
    """
    _ALSO_SECRET.add(name)


def scrubbed_env(environ: Mapping[str, str]) -> dict[str, str]:
    """Copy of `environ` without variables that look like secrets, for the worker process.

    Also drops an OpenBLAS `LD_PRELOAD` (the driver may run with one for MLX; the worker needs no
    BLAS and OpenBLAS reserves per-thread buffers that would eat into the memory cap) and
    `RUST_BACKTRACE`, and caps glibc's malloc arenas, each of which reserves 64 MiB of address
    space under `RLIMIT_AS`.

    Example:
        >>> scrubbed_env({"PATH": "/bin", "OPENAI_API_KEY": "sk-...", "HF_TOKEN": "x"})
        {'PATH': '/bin', 'MALLOC_ARENA_MAX': '2'}
    """
    env = {k: v for k, v in environ.items() if not _SECRET_NAME.search(k) and k not in _ALSO_SECRET}
    if "openblas" in env.get("LD_PRELOAD", "").lower():
        del env["LD_PRELOAD"]
    env.setdefault("MALLOC_ARENA_MAX", "2")
    # A Rust panic or allocation failure in the worker should end in one line the driver can read
    # ("memory allocation of N bytes failed"), not a backtrace the model cannot use.
    env.pop("RUST_BACKTRACE", None)
    return env


def _linux_status_bytes(field: str) -> int:
    with open("/proc/self/status", "rb") as f:
        for line in f:
            if line.startswith(field.encode() + b":"):
                return int(line.split()[1]) * 1024  # reported in kB
    raise OSError(f"{field} not in /proc/self/status")


_RUSAGE_INFO_V2 = 2
_RUSAGE_FIELDS = (
    "ri_user_time", "ri_system_time", "ri_pkg_idle_wkups", "ri_interrupt_wkups", "ri_pageins",
    "ri_wired_size", "ri_resident_size", "ri_phys_footprint", "ri_proc_start_abstime",
    "ri_proc_exit_abstime", "ri_child_user_time", "ri_child_system_time", "ri_child_pkg_idle_wkups",
    "ri_child_interrupt_wkups", "ri_child_pageins", "ri_child_elapsed_abstime",
    "ri_diskio_bytesread", "ri_diskio_byteswritten",
)


def _darwin_phys_footprint(pid: int) -> int:
    import ctypes  # here, not at the top: the Linux worker never needs it

    class RUsageInfoV2(ctypes.Structure):  # struct rusage_info_v2, <sys/resource.h>
        _fields_ = [("ri_uuid", ctypes.c_uint8 * 16)] + [(n, ctypes.c_uint64) for n in _RUSAGE_FIELDS]

    libc = ctypes.CDLL(None, use_errno=True)
    info = RUsageInfoV2()
    if libc.proc_pid_rusage(int(pid), _RUSAGE_INFO_V2, ctypes.byref(info)) != 0:
        raise OSError(ctypes.get_errno(), f"proc_pid_rusage({pid}) failed")
    return int(info.ri_phys_footprint)


def private_memory_bytes(pid: int | None = None) -> int:
    """Private (anonymous) memory of process `pid` (default: this one): what the cap is about.

    Linux: resident minus shared pages from /proc/PID/statm (touched pages of the mapped context are
    shared page cache, not counted). macOS: `phys_footprint`. Raises OSError if the process is gone.

    Example:
        >>> private_memory_bytes() > 0
        True
    """
    pid = os.getpid() if pid is None else pid
    if sys.platform == "darwin":
        return _darwin_phys_footprint(pid)
    with open(f"/proc/{pid}/statm", "rb") as f:
        fields = f.read().split()
    return (int(fields[1]) - int(fields[2])) * os.sysconf("SC_PAGE_SIZE")


def default_memory_mode() -> Literal["rlimit", "rss"]:
    """"rlimit" where the kernel enforces RLIMIT_AS (Linux), else "rss" (the driver-side watcher)."""
    return "rlimit" if sys.platform.startswith("linux") else "rss"


class MemoryWatch:
    """Driver-side watcher of a worker's private memory ("rss" mode; see the module docstring).

    Example:
        >>> watch = MemoryWatch(worker_pid, budget=2 * 1024**3, grace=2.0)  # doctest: +SKIP
        >>> watch.check()  # every ~50 ms while code runs  # doctest: +SKIP
        'ok'
    """

    interval = 0.05

    def __init__(self, pid: int, budget: int, grace: float) -> None:
        self.pid, self.budget, self.grace = pid, budget, grace
        self.baseline = private_memory_bytes(pid)  # the worker after start-up and context open
        self.over_since: float | None = None

    def describe(self) -> str:
        return f"memory watcher: {self.budget} bytes of private memory beyond {self.baseline} at start"

    def check(self) -> Literal["ok", "interrupt", "kill"]:
        """'interrupt' when the worker first goes over budget, 'kill' once over for `grace` s."""
        try:
            used = private_memory_bytes(self.pid) - self.baseline
        except OSError:
            return "ok"  # gone: the driver notices through the pipe
        if used <= self.budget:
            self.over_since = None
            return "ok"
        now = time.monotonic()
        if self.over_since is None:
            self.over_since = now
            return "interrupt"
        return "kill" if now - self.over_since > self.grace else "ok"


def apply_rlimit_as(budget: int) -> str:
    """Cap this (worker) process's address space at what it uses now plus `budget`; describe it.

    Linux only (see the module docstring); called after the context is mapped.

    Example:
        >>> apply_rlimit_as(2 * 1024**3)  # caps the calling process  # doctest: +SKIP
        'RLIMIT_AS ... bytes (...)'
    """
    import resource

    in_use = _linux_status_bytes("VmSize")
    limit = in_use + budget
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY and hard < limit:
        limit = hard
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return f"RLIMIT_AS {limit} bytes ({in_use} in use at start incl. the mapped context + {budget} budget)"


def start_lifeline_watchdog(lifeline_fd: int) -> None:
    """Fork a tiny watchdog that kills this process group when the driver dies.

    `lifeline_fd` is the read end of a pipe whose only write end the driver holds and never
    writes: the read returns end-of-file exactly when the driver exits, however it dies (SIGKILL
    included), and the watchdog then SIGKILLs the worker's process group (the worker, whatever it
    spawned, and itself). A separate process, not a thread in the worker: model code stuck in a C
    loop holds the worker's GIL, and a thread could not run. Not Linux's PR_SET_PDEATHSIG either:
    it fires when the driver *thread* that spawned us exits, and macOS has no equivalent.
    Call it first thing, before the worker starts threads or sets its memory limit.

    Example:
        >>> start_lifeline_watchdog(int(sys.argv[4]))  # in the worker only  # doctest: +SKIP
    """
    if os.fork() != 0:
        os.close(lifeline_fd)
        return
    try:  # the watchdog: hold no other descriptor (the driver must see the worker's pipes close)
        os.closerange(0, lifeline_fd)
        os.closerange(lifeline_fd + 1, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 4096)
        while os.read(lifeline_fd, 1):
            pass
        os.killpg(os.getpgid(0), signal.SIGKILL)
    finally:
        os._exit(0)
