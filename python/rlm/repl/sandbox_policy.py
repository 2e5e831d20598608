"""What the REPL worker may touch: the sandbox policy (`rlm.repl.sandbox` enforces it).

Read-only: the Python installation, the package, the context and tokenizer files and what the
standard library needs on Linux or macOS; read-write: the session's private temp dir and
/dev/null. Kept apart from the enforcement so that both platforms' enforcers (Landlock here,
`rlm.repl.sandbox_macos`'s profile) read one policy without importing each other.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Literal, Sequence

__all__ = ["MODES", "REQUIRED", "SandboxMode", "SandboxPolicy", "build_policy", "python_paths"]

SandboxMode = Literal["auto", "strict", "off"]
MODES: tuple[str, ...] = ("auto", "strict", "off")

REQUIRED: tuple[str, ...] = ("files", "truncate", "tcp", "sockets", "signals", "abstract-unix-sockets")
"""Protections `--sandbox strict` insists on: Landlock ABI 6 (Linux 6.12) brings all but "sockets",
the seccomp filter that denies creating sockets (UDP, unix, raw: what Landlock ABI < 9/10 lets by)."""

# What the standard library and C extensions read after start-up: shared libraries for modules
# such as sqlite3 or ctypes (ld.so's cache included), time zones, programs for subprocess (they
# run inside the same sandbox), and the devices Python opens itself.
_LINUX_SYSTEM_READ = (
    "/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/local/lib", "/etc/ld.so.cache",
    "/bin", "/usr/bin", "/etc/localtime", "/usr/share/zoneinfo",
    "/dev/urandom", "/dev/random", "/dev/zero",
    "/proc/self",  # resolved to the worker's own /proc/PID when the rule is made
)
_LINUX_SYSTEM_WRITE = ("/dev/null",)
# macOS: dyld's shared cache and the system libraries, plus the same kinds of files.
_DARWIN_SYSTEM_READ = (
    "/usr/lib", "/usr/share/zoneinfo", "/System/Library", "/System/Volumes/Preboot/Cryptexes",
    "/private/var/db/timezone", "/private/etc/localtime", "/bin", "/usr/bin",
    "/dev/urandom", "/dev/random", "/dev/zero", "/dev/fd",
)
_DARWIN_SYSTEM_WRITE = ("/dev/null",)


@dataclass
class SandboxPolicy:
    """The paths the worker may read (and execute) and write; all else is closed.

    `skipped` names paths left out because granting them would open too much (the file system
    root, the home directory or one of its ancestors, e.g. from a PYTHONPATH of `~`).

    Example:
        >>> build_policy("ctx.txt", None, "/tmp/rlm-x").read_write
        ['/tmp/rlm-x', '/dev/null']
    """

    read_only: list[str]
    read_write: list[str]
    skipped: list[str] = field(default_factory=list)


def _too_broad(path: str, home: str) -> bool:
    """True for "/" and for the home directory or any directory above it."""
    path = path.rstrip(os.sep) or os.sep
    return path == os.sep or home == path or home.startswith(path + os.sep)


def python_paths(search_path: Sequence[str] | None = None) -> list[str]:
    """The interpreter's files: its prefixes and its module search path.

    `search_path` defaults to `sys.path` without its first entry when that is the current or the
    script's directory, which the worker does not search (it runs with -P, or strips it).

    Example:
        >>> sys.base_prefix in python_paths()
        True
    """
    if search_path is None:
        search_path = [p for p in sys.path if p not in ("", ".")]
    found = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.realpath(sys.executable))]
    found += [p for p in search_path if p]
    return found


def build_policy(context_path: str | os.PathLike[str] | None,
                 tokenizer_path: str | os.PathLike[str] | None,
                 temp_dir: str,
                 *,
                 package_dir: str | None = None,
                 search_path: Sequence[str] | None = None,
                 platform: str = sys.platform) -> SandboxPolicy:
    """The worker's policy: Python, the package, the context and tokenizer files, system needs.

    Paths that do not exist are left out (nothing to grant); see `SandboxPolicy` for `skipped`.

    Example:
        >>> p = build_policy(None, None, "/tmp/rlm-x")
        >>> sys.base_prefix in p.read_only, "/tmp/rlm-x" in p.read_write
        (True, True)
    """
    if package_dir is None:
        package_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    darwin = platform == "darwin"
    system_read = _DARWIN_SYSTEM_READ if darwin else _LINUX_SYSTEM_READ
    system_write = _DARWIN_SYSTEM_WRITE if darwin else _LINUX_SYSTEM_WRITE
    wanted = [*python_paths(search_path), package_dir]
    wanted += [os.fspath(p) for p in (context_path, tokenizer_path) if p is not None]
    home = os.path.realpath(os.path.expanduser("~"))
    read_only: list[str] = []
    skipped: list[str] = []
    for path in wanted:
        path = os.path.abspath(path)
        if not os.path.exists(path):
            continue  # e.g. pythonXY.zip on sys.path: nothing there to grant
        if _too_broad(os.path.realpath(path), home):
            if path not in skipped:
                skipped.append(path)
        elif path not in read_only:
            read_only.append(path)
    read_only += [p for p in system_read if p not in read_only and os.path.exists(p)]
    return SandboxPolicy(read_only=read_only, read_write=[temp_dir, *system_write], skipped=skipped)
