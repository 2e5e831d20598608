"""Driver side of the REPL: `ReplSession` runs model-written code in a child Python process.

The child (worker.py) keeps one namespace for the whole run; `execute` sends code, answers the
child's `llm_query` requests with the driver's callback, and returns an `ExecResult`. The child is
in its own session and process group, so a Ctrl-C in the terminal reaches only the driver, which
decides (close() kills the child and anything it spawned).

Limits (docs/repl.md has the reasoning):
- time: `exec_timeout` seconds of the code's own running time (time spent waiting for the driver
  to answer `llm_query` is not counted: sub-calls on a CPU model take tens of seconds). On expiry
  the child gets SIGINT -> KeyboardInterrupt in the code, namespace kept; if the code has not
  stopped `interrupt_grace` seconds later (a C loop that ignores signals), the child is killed and
  restarted: `restarted=True`, variables lost.
- memory: `memory_limit_bytes` of new memory beyond what the worker uses after opening the context
  (see rlm.repl.limits): `MemoryError` inside the code, the run continues.
- output: at most `max_output_chars` characters (head + tail), capped inside the child.
- environment: secrets scrubbed (rlm.repl.limits.scrubbed_env).
- sandbox (`sandbox="auto"|"strict"|"off"`, rlm.repl.sandbox): the worker can read only Python,
  the package and the context, write only a private temp dir (its TMPDIR, removed on close), has
  no network and cannot signal the driver; the driver is non-dumpable. `sandbox_report` says
  which protections hold.

Example:
    >>> with ReplSession("notes.txt", llm_query=lambda p: "ok") as repl:  # doctest: +SKIP
    ...     r = repl.execute("n = len(context)\\nn")
    ...     r.output
    '1234\\n'
"""

from __future__ import annotations

import os
import select
import signal
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

from rlm.repl import limits
from rlm import defaults
from rlm.errors import ContextError, ReplError, SandboxError, UsageError
from rlm.repl import protocol
from rlm.repl import sandbox as repl_sandbox
from rlm.repl.process import WorkerProcess
from rlm.trajectory import RESPONSE_KEEP_CHARS, LLMCallRecord, clip

__all__ = ["ExecResult", "LLMCallRecord", "ReplSession"]


class _BrokenBatch(ReplError):
    """The batch callback returned a wrong number of replies: the whole request fails."""


def _describe(exc: Exception) -> str:
    """How a failed sub-call is reported to the code: the driver's own notes by their message alone."""
    if isinstance(exc, ReplError) and not isinstance(exc, _BrokenBatch):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


@dataclass
class ExecResult:
    """What one `execute` produced.

    `output` is what the model should see: prints, then the echoed value of a last bare expression
    (repr, as a notebook; omitted when it is None), then the traceback if the code raised, then a
    note from the driver on a timeout or restart. It is cut to `max_output_chars` (head + tail, with
    a marker saying how many characters were cut). `output == ""` means "nothing printed".
    `error` repeats the traceback (or the driver's note) alone, for trajectories and decisions.
    """

    output: str
    output_chars: int  # length of the output before truncation
    error: str | None
    final: str | None  # FINAL(x) -> str(x); FINAL_VAR(name) -> str(value); answer dict with ready True
    timed_out: bool
    restarted: bool  # the worker was killed or crashed and was restarted: the namespace is lost
    restored_names: list[str]  # reserved names the code rebound, restored afterwards
    llm_calls: list[LLMCallRecord]  # the sub-calls this code made, answered by the driver
    elapsed: float
    error_type: str | None = None  # e.g. "ZeroDivisionError", "MemoryError", "KeyboardInterrupt"
    restart_reason: str | None = None  # why the worker was restarted ("timeout", "exit code 1", ...)
    truncated: bool = False  # `output` lost characters to the cap (output_chars > max_output_chars)


class ReplSession:
    """A persistent Python REPL in a child process for model-written code. Not thread-safe.

    `context_path` is a UTF-8 file the child opens with `Context.open(path, errors=encoding_errors)`
    (no copy crosses processes); None gives an empty context. `llm_query(prompt) -> str` answers the
    code's sub-calls; an exception in it is raised inside the code as `RuntimeError("llm_query
    failed: ...")`. `llm_query_batched(prompts) -> list[str | Exception]`, if given, answers
    `llm_query_batched` and concurrent `llm_query` calls from threads of the code in one call
    (otherwise each prompt goes to `llm_query` in turn); an exception in the list fails that prompt
    alone (`llm_query` raises it, `llm_query_batched` puts "Error: ..." in its place).
    `rlm_query_batched(prompts, contexts) -> list[str | Exception]`, if given, answers
    `rlm_query` and `rlm_query_batched` (all the prompts of concurrent calls from threads in one
    call, as for `llm_query`); without it they are plain sub-calls.
    `memory_mode` is "auto" (RLIMIT_AS on Linux, a driver-side footprint watcher on macOS), "rlimit"
    or "rss" (the watcher; `interrupt_grace` is then also how long code may stay over budget).
    `context_tree` (`OpenedContext.tree_table()`) makes `context_path` the saved text of a tree
    context and gives its file table. `sandbox` is "auto" (confine the worker as far as the system allows), "strict" (refuse to
    start without every protection in `rlm.repl.sandbox.REQUIRED`) or "off" (full user rights).

    Raises `ContextError` if the child cannot open the context, `ReplError` if it cannot start,
    `SandboxError` in "strict" mode on a system that cannot confine it.

    Example:
        >>> repl = ReplSession(None, llm_query=lambda p: p.upper())
        >>> repl.execute("x = llm_query('hi')").restarted, repl.execute("x").output
        (False, "'HI'\\n")
        >>> repl.close()
    """

    collect_window: float = 0.02
    """Seconds to wait for another thread's llm_query after one arrives (when other threads exist)."""
    collect_limit: float = 0.25
    """At most this long is spent collecting one batch of concurrent llm_query requests."""

    frame_timeout: float = 30.0
    """Seconds a worker may take to finish a message it started, or to take one from us, before it
    is treated as dead (killed and restarted). Milliseconds in practice, even on a loaded machine;
    the bound means a stuck worker costs a restart, never a hung driver."""

    def __init__(
        self,
        context_path: str | os.PathLike[str] | None,
        *,
        encoding_errors: str = "strict",
        llm_query: Callable[[str], str],
        exec_timeout: float = defaults.EXEC_TIMEOUT,
        memory_limit_bytes: int | None = defaults.MEMORY_LIMIT_BYTES,
        max_output_chars: int = defaults.MAX_OUTPUT_CHARS,
        tokenizer_path: str | os.PathLike[str] | None = None,
        interrupt_grace: float = defaults.INTERRUPT_GRACE,
        llm_query_batched: Callable[[list[str]], list[str | Exception]] | None = None,
        rlm_query_batched: Callable[[list[str], list[str | None]], list[str | Exception]] | None = None,
        memory_mode: limits.MemoryMode = "auto",
        startup_timeout: float = 60.0,
        python: str = sys.executable,
        sandbox: repl_sandbox.SandboxMode = defaults.SANDBOX,
        context_tree: protocol.ContextTree | None = None,
    ) -> None:
        if sandbox not in repl_sandbox.MODES:
            raise UsageError(f"sandbox must be one of {', '.join(repl_sandbox.MODES)}, got {sandbox!r}")
        self.llm_query = llm_query
        self.llm_query_batched = llm_query_batched
        self.rlm_query_batched = rlm_query_batched
        self.exec_timeout = exec_timeout
        self.interrupt_grace = interrupt_grace
        self.startup_timeout = startup_timeout
        self.restarts = 0
        self._exec_id = 0
        self._python = python
        self._init: protocol.InitMessage = {
            "type": "init",
            "context_path": None if context_path is None else os.fspath(context_path),
            "encoding_errors": encoding_errors,
            "memory_limit_bytes": memory_limit_bytes,
            "memory_mode": memory_mode,
            "max_output_chars": max_output_chars,
            "tokenizer_path": None if tokenizer_path is None else os.fspath(tokenizer_path),
        }
        if context_tree is not None:
            self._init["context_tree"] = context_tree
        self._env = limits.scrubbed_env(os.environ)
        self._closed = False
        self._temp_dir: str | None = None
        self._wrapper: tuple[str, ...] = ()
        self._driver_report: dict[str, Any] = {}
        self.sandbox_report: dict[str, Any] = {"mode": "off"}
        """Which protections hold in the current worker (rlm.repl.sandbox.describe prints it)."""
        try:
            if sandbox != "off":
                self._set_up_sandbox(sandbox)
            self._worker: WorkerProcess | None = self._spawn()
            self._wait_ready(self._worker)
        except BaseException:
            repl_sandbox.remove_temp_dir(self._temp_dir)
            raise

    def _set_up_sandbox(self, mode: repl_sandbox.SandboxMode) -> None:
        driver = repl_sandbox.prepare_driver(mode, self._env, self._init["context_path"],
                                             self._init["tokenizer_path"])
        self._temp_dir, self._env, self._wrapper = driver.temp_dir, driver.env, driver.wrapper
        self._driver_report = driver.report
        self._init["sandbox"] = {"mode": mode, "temp_dir": driver.temp_dir}

    # -- lifecycle ------------------------------------------------------------------------------------

    def _spawn(self) -> WorkerProcess:
        try:
            worker = WorkerProcess(self._python, self._env, self._wrapper)
        except OSError as exc:
            raise ReplError(f"cannot start the REPL worker ({self._python}): {exc}") from exc
        try:
            protocol.send(worker.cmd_fd, self._init, timeout=self.frame_timeout)
        except (OSError, protocol.ProtocolError):
            pass  # it died at once; _wait_ready reports why
        return worker

    def _wait_ready(self, worker: WorkerProcess) -> None:
        if worker.ready:
            return
        try:
            ready, _, _ = select.select([worker.reply_fd], [], [], self.startup_timeout)
            if not ready:
                raise ReplError(f"the REPL worker did not start within {self.startup_timeout} s")
            msg = protocol.recv(worker.reply_fd, timeout=self.frame_timeout)
            if msg["type"] != "ready":
                raise protocol.ProtocolError(f"expected a ready message, got {msg['type']!r}")
        except protocol.ProtocolError:
            reason, tail = worker.exit_reason(), worker.stderr_tail()
            worker.kill()
            raise ReplError(f"the REPL worker failed to start ({reason}): {tail}") from None
        except BaseException:
            worker.kill()
            raise
        if msg.get("error"):
            worker.kill()
            if msg.get("stage") == "context":
                raise ContextError(f"cannot open the context: {msg['error']}")
            if msg.get("stage") == "sandbox":
                raise SandboxError(msg["error"])
            raise ReplError(f"the REPL worker failed to start: {msg['error']}")
        worker.ready = True
        worker.memory_note = str(msg.get("memory_limit"))
        if "sandbox" in self._init:
            self.sandbox_report = {**msg.get("sandbox", {}), **self._driver_report}
        budget = self._init["memory_limit_bytes"]
        if msg.get("memory_mode") == "rss" and budget is not None:
            worker.watch = limits.MemoryWatch(worker.proc.pid, int(budget), self.interrupt_grace)
            worker.memory_note = worker.watch.describe()

    def _restart(self) -> None:
        if self._worker is not None:
            self._worker.kill()
        self.restarts += 1
        self._worker = self._spawn()  # ready is awaited lazily by the next execute

    @property
    def memory_limit(self) -> str:
        """How the memory cap is enforced in the current worker (description)."""
        return self._worker.memory_note if self._worker is not None else "none"

    @property
    def pid(self) -> int | None:
        """Process id of the current worker (None after close)."""
        return self._worker.proc.pid if self._worker is not None else None

    def close(self) -> None:
        """Stop the worker and everything it spawned; idempotent. Safe in a Ctrl-C handler."""
        self._closed = True
        if self._worker is not None:
            self._worker.shutdown()
            self._worker = None
        repl_sandbox.remove_temp_dir(self._temp_dir)  # after the worker: nothing writes there now
        self._temp_dir = None

    def __enter__(self) -> ReplSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- running code ---------------------------------------------------------------------------------

    def execute(self, code: str) -> ExecResult:
        """Run `code` in the persistent namespace and return what happened.

        Example:
            >>> repl.execute("print(1 + 1)").output  # doctest: +SKIP
            '2\\n'
        """
        if self._closed:
            raise ReplError("execute() on a closed ReplSession")
        start = time.monotonic()
        if self._worker is None:
            self._worker = self._spawn()
        worker = self._worker
        try:
            self._wait_ready(worker)
            return self._run(worker, code, start)
        except BaseException:
            # Interrupted mid-protocol (e.g. Ctrl-C in the callback): the stream's state is unknown.
            if self._worker is worker and worker.proc.poll() is None and not self._closed:
                worker.kill()
                self._worker = None
            raise

    def _collect(self, worker: WorkerProcess, first: protocol.LLMQueryMessage
                 ) -> tuple[list[protocol.LLMQueryMessage], protocol.Message | None]:
        """`first` and the llm_query requests other threads of the code send right after it.

        Threads calling llm_query at once (a thread pool over chunks) send within milliseconds of
        each other; waiting `collect_window` seconds after each one lets them be answered as one
        batch. A request marked `alone` (no other thread exists) is answered at once. Returns the
        requests and a non-query message read meanwhile (e.g. "done"), to be handled after them.
        """
        requests = [first]
        if first.get("alone", True):
            return requests, None
        started = time.monotonic()
        while time.monotonic() - started < self.collect_limit:
            ready, _, _ = select.select([worker.reply_fd], [], [], self.collect_window)
            if not ready:
                break
            msg = protocol.recv(worker.reply_fd, timeout=self.frame_timeout)
            if msg["type"] != "llm_query":
                return requests, msg
            requests.append(msg)
        return requests, None

    def _answer(self, worker: WorkerProcess, requests: list[protocol.LLMQueryMessage], interrupted: bool,
                calls: list[LLMCallRecord]) -> float:
        """Answer llm_query requests (all their prompts as one batch); return the seconds spent."""
        t0 = time.monotonic()
        prompts = [str(p) for msg in requests for p in msg.get("prompts", [])]
        results: list[str | Exception]
        if interrupted:
            # The code is being stopped for its timeout; do not start a (slow) model call for it.
            results = [ReplError("interrupted: the code ran past its time limit") for _ in prompts]
        else:
            try:
                results = self._results(requests, prompts)
            except _BrokenBatch as exc:
                results = [exc for _ in prompts]
        elapsed = time.monotonic() - t0
        at = 0
        for msg in requests:
            mine = results[at:at + len(msg.get("prompts", []))]
            at += len(mine)
            reply: protocol.LLMResultMessage = {"type": "llm_result", "id": msg.get("id"), "ok": True}
            failed = [r for r in mine if isinstance(r, Exception)]
            broken = any(isinstance(r, _BrokenBatch) for r in mine)
            if failed and (broken or not msg.get("batched")):  # llm_query raises; llm_query_batched goes on
                reply["ok"], reply["error"] = False, _describe(failed[0])
            else:
                reply["text"] = [f"Error: {_describe(r)}" if isinstance(r, Exception) else r for r in mine]
            kind = "rlm" if msg.get("kind") == "rlm" else "llm"
            for prompt, result in zip(msg.get("prompts", []), mine):
                error = _describe(result) if isinstance(result, Exception) else None
                calls.append(LLMCallRecord(
                    prompt=clip(str(prompt)), prompt_chars=len(str(prompt)),
                    response="" if error is not None else clip(str(result), RESPONSE_KEEP_CHARS),
                    elapsed=elapsed, error=error, batch_size=len(prompts), kind=kind))
            protocol.send(worker.cmd_fd, reply, timeout=self.frame_timeout)
        return elapsed

    def _results(self, requests: list[protocol.LLMQueryMessage], prompts: list[str]) -> list[str | Exception]:
        """One reply or exception per prompt, in order, from the callbacks."""
        kinds = {msg.get("kind") == "rlm" for msg in requests}
        if len(kinds) > 1:  # llm_query and rlm_query from threads at once: each kind its own way
            answers: dict[bool, Iterator[str | Exception]] = {}
            for rlm in (False, True):
                group = [m for m in requests if (m.get("kind") == "rlm") == rlm]
                answers[rlm] = iter(self._results(group, [str(p) for m in group for p in m.get("prompts", [])]))
            return [next(answers[m.get("kind") == "rlm"]) for m in requests for _ in m.get("prompts", [])]
        if True in kinds:
            return self._rlm_results(requests, prompts)
        if self.llm_query_batched is not None and (len(prompts) > 1 or requests[0].get("batched")):
            return self._batched("llm_query_batched", self.llm_query_batched, prompts)
        results: list[str | Exception] = []
        for prompt in prompts:
            try:
                results.append(str(self.llm_query(prompt)))
            except Exception as exc:  # noqa: BLE001 - raised inside the model's code instead
                results.append(exc)
        return results

    def _rlm_results(self, requests: list[protocol.LLMQueryMessage], prompts: list[str]) -> list[str | Exception]:
        if self.rlm_query_batched is None:  # no recursion configured: a plain sub-call per prompt
            return self._results([{**msg, "kind": "llm"} for msg in requests], prompts)
        contexts = [c for msg in requests for c in (msg.get("contexts") or [None] * len(msg.get("prompts", [])))]
        answer = self.rlm_query_batched
        return self._batched("rlm_query_batched", lambda texts: answer(texts, contexts), prompts)

    @staticmethod
    def _batched(name: str, answer: Callable[[list[str]], Sequence[str | Exception]],
                 prompts: list[str]) -> list[str | Exception]:
        """`answer(prompts)`, checked: an exception fails every prompt, a wrong count the batch."""
        try:
            replies = list(answer(prompts))
        except Exception as exc:  # noqa: BLE001 - every prompt of the batch gets the error
            return [exc for _ in prompts]
        if len(replies) != len(prompts):  # a broken callback: no reply can be trusted
            raise _BrokenBatch(f"{name} returned {len(replies)} replies for {len(prompts)} prompts")
        return [r if isinstance(r, Exception) else str(r) for r in replies]

    def _run(self, worker: WorkerProcess, code: str, start: float) -> ExecResult:
        calls: list[LLMCallRecord] = []
        self._exec_id += 1
        exec_id = self._exec_id
        try:
            protocol.send(worker.cmd_fd, {"type": "exec", "id": exec_id, "code": code},
                          timeout=self.frame_timeout)
        except (OSError, protocol.ProtocolError):
            return self._lost(worker, calls, start)
        deadline = time.monotonic() + self.exec_timeout
        interrupted = False
        watch = worker.watch
        while True:
            if watch is not None:
                verdict = watch.check()
                if verdict == "interrupt":
                    self._signal(worker, signal.SIGUSR1)  # MemoryError in the code
                elif verdict == "kill":
                    return self._lost(worker, calls, start, reason="memory limit exceeded")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if interrupted:
                    return self._lost(worker, calls, start, reason="timeout")
                interrupted = True
                worker.interrupt(exec_id)  # KeyboardInterrupt in the code
                deadline = time.monotonic() + self.interrupt_grace
                continue
            wait = remaining if watch is None else min(remaining, watch.interval)
            ready, _, _ = select.select([worker.reply_fd], [], [], wait)
            if not ready:
                continue
            try:
                msg = protocol.recv(worker.reply_fd, timeout=self.frame_timeout)
                if msg["type"] == "llm_query":
                    requests, after = self._collect(worker, msg)
                    deadline += self._answer(worker, requests, interrupted, calls)
                    if after is None:
                        continue
                    msg = after
            except (protocol.ProtocolError, OSError):
                return self._lost(worker, calls, start)
            if msg["type"] == "done":
                return self._done(msg, calls, start, interrupted)

    @staticmethod
    def _signal(worker: WorkerProcess, signum: int) -> None:
        try:
            os.kill(worker.proc.pid, signum)
        except ProcessLookupError:
            pass  # already dead: the pipe's end of file tells the loop

    def _done(self, msg: protocol.DoneMessage, calls: list[LLMCallRecord], start: float,
              interrupted: bool) -> ExecResult:
        output, error, error_type = msg["output"], msg.get("error"), msg.get("error_type")
        timed_out = interrupted  # even if the code caught the KeyboardInterrupt and went on
        if timed_out:
            note = (f"TimeoutError: the code ran longer than {self.exec_timeout:g} s and was interrupted; "
                    f"your variables are kept. Do less per step (slices, grep(), fewer llm_query calls).\n")
            output += note
            error = (error or "") + note
        return ExecResult(output=output, output_chars=int(msg["output_chars"]), error=error,
                          final=msg.get("final"), timed_out=timed_out, restarted=False,
                          restored_names=list(msg.get("restored_names", [])), llm_calls=calls,
                          elapsed=time.monotonic() - start, error_type=error_type,
                          truncated=bool(msg.get("truncated")))

    def _lost(self, worker: WorkerProcess, calls: list[LLMCallRecord], start: float, *,
              reason: str | None = None) -> ExecResult:
        """The worker is gone or hopeless: kill it, start a fresh one, tell the model.

        `reason` is "timeout" or "memory limit exceeded" when the driver decided to kill it; None
        when it died by itself (the reason is then read from its exit status).
        """
        lost = "It was restarted: ALL VARIABLES WERE LOST; `context` and the helpers are back.\n"
        if reason == "timeout":
            note = (f"TimeoutError: the code ran longer than {self.exec_timeout:g} s and did not stop when "
                    f"interrupted (a long loop inside C code, e.g. a huge regex or sum(range(10**12))). "
                    f"The REPL {lost}")
        elif reason is not None:
            note = (f"MemoryError: the code used more memory than the REPL's budget ({worker.memory_note}) "
                    f"and did not stop when interrupted, so the REPL was killed. {lost}")
        else:
            reason = worker.exit_reason()
            tail = worker.stderr_tail()
            if "memory allocation of" in worker.stderr_tail(64 * 1024):  # Rust's allocation-failure abort under RLIMIT_AS
                reason, tail = "memory limit exceeded", ""
                note = (f"MemoryError: native code ran out of the REPL's memory budget ({worker.memory_note}) "
                        f"and the worker was killed. Work on smaller pieces (limit=, slices, chunks()). {lost}")
            else:
                note = f"The REPL worker died while running this code ({reason}). {lost}"
            if tail:
                note += f"Last words of the worker:\n{tail}\n"
        worker.kill()
        self._restart()
        error_type = {"timeout": "TimeoutError", "memory limit exceeded": "MemoryError"}.get(reason, "WorkerDied")
        return ExecResult(output=note, output_chars=len(note), error=note, final=None,
                          timed_out=reason == "timeout", restarted=True, restored_names=[],
                          llm_calls=calls, elapsed=time.monotonic() - start, error_type=error_type,
                          restart_reason=reason)
