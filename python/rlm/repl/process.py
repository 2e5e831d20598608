"""The worker as an operating-system process: spawn it, kill it (with all it spawned), read why it died.

session.py speaks the protocol with it; this module only owns the process, its two pipes and the
capture file that is the worker's fd 1 and 2 (what subprocesses and C code print, and
faulthandler's report when it crashes).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import weakref
from pathlib import Path
from typing import IO

from rlm import _limits
from rlm.repl import protocol

__all__ = ["WorkerProcess"]

_PACKAGE_DIR = str(Path(__file__).resolve().parents[1])  # the `rlm/` package directory

# The worker's entry point. It keeps the current directory off sys.path (a ./re.py or ./types.py
# must not shadow the stdlib) and registers `rlm` as a bare namespace for its sub-modules instead of
# running `rlm/__init__.py`: the public package imports the engine (and through it, eventually,
# MLX), which the worker never needs and which would slow every start and restart.
_BOOTSTRAP = (
    "import sys\n"
    "sys.path[:] = [p for p in sys.path if p not in ('', '.')]\n"  # -P's job before Python 3.11
    "import types\n"
    "pkg = types.ModuleType('rlm'); pkg.__path__ = [sys.argv[3]]; sys.modules['rlm'] = pkg\n"
    "from rlm.repl.worker import main\n"
    "sys.exit(main(sys.argv))\n"
)


class WorkerProcess:
    """One worker process with its two pipes and its capture file (fd 1 and 2 of the child).

    Example:
        >>> proc = WorkerProcess(sys.executable, _limits.scrubbed_env(os.environ))
        >>> proc.kill()
    """

    def __init__(self, python: str, env: dict[str, str]) -> None:
        cmd_r, cmd_w = os.pipe()
        reply_r, reply_w = os.pipe()
        # Never written: its end of file tells the worker's watchdog that we died (rlm._limits).
        lifeline_r, lifeline_w = os.pipe()
        self.capture: IO[bytes] = tempfile.TemporaryFile()
        flags = ["-P"] if sys.version_info >= (3, 11) else []  # no cwd on sys.path: a ./re.py can't shadow
        try:
            self.proc = subprocess.Popen(
                [python, *flags, "-X", "faulthandler", "-c", _BOOTSTRAP, str(cmd_r), str(reply_w),
                 _PACKAGE_DIR, str(lifeline_r)],
                pass_fds=(cmd_r, reply_w, lifeline_r), stdin=subprocess.DEVNULL, stdout=self.capture,
                stderr=self.capture, env=env, start_new_session=True, close_fds=True,
            )
        except BaseException:
            os.close(lifeline_w)
            raise
        finally:
            for fd in (cmd_r, reply_w, lifeline_r):
                os.close(fd)
        self.cmd_fd, self.reply_fd = cmd_w, reply_r
        self.ready = False
        self.memory_note = "none"
        self.watch: _limits.MemoryWatch | None = None
        self._finalizer = weakref.finalize(self, WorkerProcess._kill, self.proc,
                                           (cmd_w, reply_r, lifeline_w), self.capture)

    @staticmethod
    def _kill(proc: subprocess.Popen[bytes], fds: tuple[int, ...], capture: IO[bytes]) -> None:
        # The whole group, even when the worker itself has exited: what it spawned may live on.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for fd in fds:
            try:
                os.close(fd)
            except OSError:
                pass
        capture.close()

    def kill(self) -> None:
        """SIGKILL the process group, reap the child, close the pipes (idempotent)."""
        self._finalizer()

    def shutdown(self, wait: float = 1.0) -> None:
        """Ask the child to exit; kill it if it has not within `wait` seconds."""
        if self.proc.poll() is None:
            try:
                protocol.send(self.cmd_fd, {"type": "shutdown"})
                self.proc.wait(timeout=wait)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()

    def exit_reason(self) -> str:
        """Why the process ended: "exit code N", "killed by SIGSEGV", or "stopped answering"."""
        try:
            code = self.proc.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            return "stopped answering"
        if code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit code {code}"

    def stderr_tail(self, limit: int = 2000) -> str:
        """The last `limit` characters the child wrote to fd 1/2 (e.g. faulthandler's traceback)."""
        try:
            fd = self.capture.fileno()
            size = os.fstat(fd).st_size
            start = max(0, size - 4 * limit)
            return os.pread(fd, size - start, start).decode("utf-8", "replace")[-limit:].strip()
        except (OSError, ValueError):
            return ""
