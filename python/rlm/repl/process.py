"""The worker as an operating-system process: spawn it, kill it (with all it spawned), read why it died.

session.py speaks the protocol with it; this module only owns the process, its two pipes, the
capture file that is the worker's fd 1 and 2 (what subprocesses and C code print, and
faulthandler's report when it crashes), and the interrupt file that says which execution a SIGINT
is for (see `interrupt`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import weakref
from pathlib import Path
from typing import IO, Sequence

from rlm.repl import limits
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
        >>> proc = WorkerProcess(sys.executable, limits.scrubbed_env(os.environ))
        >>> proc.kill()
    """

    def __init__(self, python: str, env: dict[str, str], wrapper: Sequence[str] = ()) -> None:
        # `wrapper` goes before the interpreter: `sandbox-exec -p PROFILE` on macOS (repl/sandbox_macos.py).
        cmd_r, cmd_w = os.pipe()
        reply_r, reply_w = os.pipe()
        # Never written: its end of file tells the worker's watchdog that we died (rlm.repl.limits).
        lifeline_r, lifeline_w = os.pipe()
        self.capture: IO[bytes] = tempfile.TemporaryFile()
        self.interrupts: IO[bytes] = tempfile.TemporaryFile()
        interrupt_fd = self.interrupts.fileno()
        os.pwrite(interrupt_fd, protocol.INTERRUPT_RECORD.pack(0), 0)
        flags = ["-P"] if sys.version_info >= (3, 11) else []  # no cwd on sys.path: a ./re.py can't shadow
        try:
            self.proc = subprocess.Popen(
                [*wrapper, python, *flags, "-X", "faulthandler", "-c", _BOOTSTRAP, str(cmd_r), str(reply_w),
                 _PACKAGE_DIR, str(lifeline_r), str(interrupt_fd)],
                pass_fds=(cmd_r, reply_w, lifeline_r, interrupt_fd), stdin=subprocess.DEVNULL, stdout=self.capture,
                stderr=self.capture, env=env, start_new_session=True, close_fds=True,
            )
        except BaseException:
            os.close(lifeline_w)
            raise
        finally:
            for fd in (cmd_r, reply_w, lifeline_r):
                os.close(fd)
        self.cmd_fd, self.reply_fd = cmd_w, reply_r
        # Non-blocking on our side: session.py bounds every read and write with a timeout, so a
        # worker stuck in the middle of a message cannot hang the driver (protocol.py).
        os.set_blocking(cmd_w, False)
        os.set_blocking(reply_r, False)
        self.ready = False
        self.memory_note = "none"
        self.watch: limits.MemoryWatch | None = None
        self._finalizer = weakref.finalize(self, WorkerProcess._kill, self.proc,
                                           (cmd_w, reply_r, lifeline_w), (self.capture, self.interrupts))

    @staticmethod
    def _kill(proc: subprocess.Popen[bytes], fds: tuple[int, ...], files: tuple[IO[bytes], ...]) -> None:
        # The whole group, even when the worker itself has exited: what it spawned may live on.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if proc.poll() is None:
            proc.kill()
        try:
            proc.wait(timeout=30)  # SIGKILL always wins, but a process stuck in the kernel may take a while
        except subprocess.TimeoutExpired:
            pass
        for fd in fds:
            try:
                os.close(fd)
            except OSError:
                pass
        for file in files:
            file.close()

    def interrupt(self, exec_id: int) -> None:
        """Interrupt execution `exec_id`: KeyboardInterrupt in its code, now or as soon as it starts.

        The id is written before the SIGINT is sent, and the worker raises only for the execution it
        is running: a SIGINT that arrives before the code has started (the worker still reading or
        compiling it) is not lost, and one that arrives late, after its code finished, cannot
        interrupt the next execution.
        """
        os.pwrite(self.interrupts.fileno(), protocol.INTERRUPT_RECORD.pack(exec_id), 0)
        try:
            os.kill(self.proc.pid, signal.SIGINT)
        except ProcessLookupError:
            pass  # already dead: the pipe's end of file tells the driver

    def kill(self) -> None:
        """SIGKILL the process group, reap the child, close the pipes (idempotent)."""
        self._finalizer()

    def shutdown(self, wait: float = 1.0) -> None:
        """Ask the child to exit; kill it if it has not within `wait` seconds."""
        if self.proc.poll() is None:
            try:
                protocol.send(self.cmd_fd, {"type": "shutdown"}, timeout=wait)
                self.proc.wait(timeout=wait)
            except (OSError, protocol.ProtocolError, subprocess.TimeoutExpired):
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
