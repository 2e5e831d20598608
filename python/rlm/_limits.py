"""Platform-specific process limits for the REPL worker: memory cap, secret scrubbing, orphan guard.

Everything that differs between Linux and macOS sits here behind `sys.platform` checks.

Memory cap, and why it is done this way:
- Linux: `RLIMIT_AS` caps the address space, so an allocation beyond it fails inside malloc and
  Python raises `MemoryError` in the model's code; the worker survives with its variables. The mapped
  context file counts toward the address space (a 3 GB file is 3 GB of it although those pages are
  shared page cache, not a copy), as do the interpreter and the Rust extension. So the worker sets the
  limit itself, after it has opened the context: limit = address space in use at that moment + the
  budget. The budget therefore means "new memory the model's code may use", whatever the context size.
  The hard limit is lowered too, so model code cannot raise it again.
- macOS: the kernel does not enforce `RLIMIT_AS` (setrlimit accepts it and nothing happens), and
  `RLIMIT_DATA` does not cover mmap-based malloc. A watcher thread reads the task's `phys_footprint`
  (`task_info(TASK_VM_INFO)`: private memory incl. compressed, excluding clean file-backed pages such
  as the mapped context) every 50 ms. Over the budget it raises `MemoryError` asynchronously in the
  main thread (delivered at the next bytecode); if memory stays over the budget for a grace period
  (one huge allocation inside a C call cannot be interrupted), the worker exits with
  `MEMORY_EXIT_CODE` and the driver restarts it and reports why. The same watcher runs on Linux in
  "rss" mode (private memory from /proc/self/statm) so its logic is tested on CI.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
import threading
import time
from typing import Literal, Mapping

__all__ = [
    "MEMORY_EXIT_CODE",
    "MemoryMode",
    "apply_memory_limit",
    "private_memory_bytes",
    "scrubbed_env",
    "watch_parent",
]

MemoryMode = Literal["auto", "rlimit", "rss"]
# Exit status of a worker killed by its own memory watcher (distinct from signals and exit(1)).
MEMORY_EXIT_CODE = 86

# Names that usually hold credentials: *_KEY, *_TOKEN (and *_KEY_ID style), anything with SECRET,
# PASSWORD/PASSWD, CREDENTIAL, or a private key/auth header. Model-written code must not see them.
_SECRET_NAME = re.compile(
    r"(_KEY$|_KEY_|^KEY$|_TOKEN$|_TOKEN_|^TOKEN$|SECRET|PASSWORD|PASSWD|CREDENTIAL|_AUTH$|^AUTH_|APIKEY)",
    re.IGNORECASE,
)


def scrubbed_env(environ: Mapping[str, str]) -> dict[str, str]:
    """Copy of `environ` without variables that look like secrets, for the worker process.

    Also drops an OpenBLAS `LD_PRELOAD` (the driver may run with one for MLX; the worker needs no
    BLAS and OpenBLAS reserves per-thread buffers that would eat into the memory cap), and caps glibc's
    malloc arenas, each of which reserves 64 MiB of address space under `RLIMIT_AS`.

    Example:
        >>> scrubbed_env({"PATH": "/bin", "OPENAI_API_KEY": "sk-...", "HF_TOKEN": "x"})
        {'PATH': '/bin', 'MALLOC_ARENA_MAX': '2'}
    """
    env = {k: v for k, v in environ.items() if not _SECRET_NAME.search(k)}
    if "openblas" in env.get("LD_PRELOAD", "").lower():
        del env["LD_PRELOAD"]
    env.setdefault("MALLOC_ARENA_MAX", "2")
    return env


def _linux_status_bytes(field: str) -> int:
    with open("/proc/self/status", "rb") as f:
        for line in f:
            if line.startswith(field.encode() + b":"):
                return int(line.split()[1]) * 1024  # reported in kB
    raise OSError(f"{field} not in /proc/self/status")


class _TaskVMInfo(ctypes.Structure):
    # struct task_vm_info from <mach/task_info.h>, up to phys_footprint (rev1).
    _fields_ = [
        ("virtual_size", ctypes.c_uint64),
        ("region_count", ctypes.c_int32),
        ("page_size", ctypes.c_int32),
        ("resident_size", ctypes.c_uint64),
        ("resident_size_peak", ctypes.c_uint64),
        ("device", ctypes.c_uint64),
        ("device_peak", ctypes.c_uint64),
        ("internal", ctypes.c_uint64),
        ("internal_peak", ctypes.c_uint64),
        ("external", ctypes.c_uint64),
        ("external_peak", ctypes.c_uint64),
        ("reusable", ctypes.c_uint64),
        ("reusable_peak", ctypes.c_uint64),
        ("purgeable_volatile_pmap", ctypes.c_uint64),
        ("purgeable_volatile_resident", ctypes.c_uint64),
        ("purgeable_volatile_virtual", ctypes.c_uint64),
        ("compressed", ctypes.c_uint64),
        ("compressed_peak", ctypes.c_uint64),
        ("compressed_lifetime", ctypes.c_uint64),
        ("phys_footprint", ctypes.c_uint64),
    ]


_TASK_VM_INFO = 22


def _darwin_phys_footprint() -> int:
    libc = ctypes.CDLL(None)
    task = ctypes.c_uint.in_dll(libc, "mach_task_self_")
    info = _TaskVMInfo()
    count = ctypes.c_uint(ctypes.sizeof(info) // 4)  # in natural_t units
    ret = libc.task_info(task, _TASK_VM_INFO, ctypes.byref(info), ctypes.byref(count))
    if ret != 0:
        raise OSError(f"task_info failed with kern_return_t {ret}")
    return int(info.phys_footprint)


def private_memory_bytes() -> int:
    """Private (anonymous) memory of this process: what the memory cap is about.

    Linux: resident minus shared pages from /proc/self/statm (touched pages of the mapped context are
    shared page cache, not counted). macOS: `phys_footprint`.

    Example:
        >>> private_memory_bytes() > 0
        True
    """
    if sys.platform == "darwin":
        return _darwin_phys_footprint()
    with open("/proc/self/statm", "rb") as f:
        fields = f.read().split()
    return (int(fields[1]) - int(fields[2])) * os.sysconf("SC_PAGE_SIZE")


def _set_rlimit_as(budget: int) -> str:
    import resource

    in_use = _linux_status_bytes("VmSize")
    limit = in_use + budget
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY and hard < limit:
        limit = hard
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return f"RLIMIT_AS {limit} bytes ({in_use} in use at start incl. the mapped context + {budget} budget)"


def _raise_in_main_thread(exc_type: type[BaseException]) -> None:
    main_id = threading.main_thread().ident
    if main_id is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(main_id), ctypes.py_object(exc_type))


def _rss_watch(budget: int, baseline: int, interval: float, grace: float) -> None:
    over_since: float | None = None
    while True:
        time.sleep(interval)
        try:
            used = private_memory_bytes() - baseline
        except OSError:
            return  # cannot measure here: the cap is off rather than wrong
        if used <= budget:
            over_since = None
            continue
        now = time.monotonic()
        if over_since is None:
            over_since = now
            _raise_in_main_thread(MemoryError)
        elif now - over_since > grace:
            os.write(2, f"rlm worker: private memory {used} bytes exceeds the {budget}-byte budget; exiting\n".encode())
            os._exit(MEMORY_EXIT_CODE)


def apply_memory_limit(budget: int, mode: MemoryMode = "auto", *, grace: float = 2.0) -> str:
    """Cap the memory this (worker) process may use beyond what it uses now; return a description.

    `mode="auto"` picks `RLIMIT_AS` on Linux and the footprint watcher elsewhere (see the module
    docstring for why); `"rss"` forces the watcher, `"rlimit"` forces the rlimit.

    Example:
        >>> apply_memory_limit(2 * 1024**3)  # in the worker, after opening the context
        'RLIMIT_AS ... bytes (...)'
    """
    if mode == "auto":
        mode = "rlimit" if sys.platform.startswith("linux") else "rss"
    if mode == "rlimit":
        return _set_rlimit_as(budget)
    baseline = private_memory_bytes()
    thread = threading.Thread(target=_rss_watch, args=(budget, baseline, 0.05, grace), daemon=True)
    thread.start()
    return f"memory watcher: {budget} bytes of private memory beyond {baseline} at start"


def watch_parent(poll_interval: float = 0.5) -> None:
    """Exit this process as soon as its parent dies, so a killed driver leaves no orphan worker.

    A polling thread rather than Linux's PR_SET_PDEATHSIG: that signal fires when the *thread* that
    spawned us exits, which would kill the worker of a driver running sessions from a worker thread,
    and macOS has no equivalent.

    Example:
        >>> watch_parent()  # first thing in the worker
    """
    parent = os.getppid()

    def poll() -> None:
        while True:
            time.sleep(poll_interval)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=poll, daemon=True).start()
