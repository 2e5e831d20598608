"""The REPL worker: the child process that runs model-written code (driven by session.py).

Started by session.py as `python -c BOOTSTRAP CMD_FD REPLY_FD RLM_DIR LIFELINE_FD INTERRUPT_FD` (or by hand as
`python -m rlm.repl.worker CMD_FD REPLY_FD`); speaks protocol.py over those two pipes.
It keeps one namespace dict for the whole run (globals and locals at once, so functions, classes and
comprehensions see earlier variables), captures prints itself (capped, head + tail), echoes the value
of a last bare expression as a notebook does, and restores reserved names the code rebinds.

Imports stay light on purpose: the worker starts once per run and again after every hard kill.
"""

from __future__ import annotations

import ast
import builtins
import linecache
import os
import queue
import signal
import sys
import threading
import traceback
from typing import Any, Literal

from rlm.repl import limits, toolkit
from rlm.repl.helpers import HELPERS
from rlm import defaults
from rlm.errors import RLMError
from rlm.file_headers import open_sections
from rlm.repl import protocol, re_compat, sandbox
from rlm.repl.capture import OutputCapture

# Names a run cannot work without: put back after every cell that rebinds or deletes them. The
# helpers (and `re`) are not among them: `chunks = []` then `for chunk in chunks:` in the next turn is
# ordinary code written for the rlms prompt, so a model variable may shadow a helper for the rest of
# the run (said once in the output). The stdlib modules (json, math, string, ...) are pre-imported
# and not reserved either: `string` and `json` are common variable names.
RESERVED = ("context", "llm_query", "llm_query_batched", "rlm_query", "rlm_query_batched", "FINAL",
            "FINAL_VAR", "SUBMIT", "SHOW_VARS", "print")
# `context_0` is the name rlms also gives the (first) context.
SHADOWABLE = ("re", "context_0", *HELPERS)
SHADOWED_NOTE = ("Note: `{name}` is your variable now; the helper {name}() is gone for the rest of "
                 "this run (`del {name}` brings it back).\n")
ANSWER_NOTE = ("Note: `answer` held a {kind}, so it is the answer dict again: set answer['content'] and "
               "answer['ready'] = True to finish, or call FINAL(value).\n")
_PREIMPORTED = frozenset({"json", "math", "collections", "itertools", "functools", "string"})
# Frames from files under here (the worker, the re shim, the helpers) are left out of tracebacks.
_RLM_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


_NOTHING = object()  # no value (None is a value `answer` may hold)


def _new_answer() -> dict[str, Any]:
    return {"content": "", "ready": False}


def _final_text(value: Any) -> str:
    """What `FINAL(value)` answers: `str(value)`, except for an answer dict (`{"content": ...,
    "ready": ...}`), whose content is the answer; an empty one raises, so the run goes on.

    `FINAL(answer)` (or `FINAL_VAR("answer")`) on the dict the REPL set up would otherwise end
    the run with its repr, `{'content': '', 'ready': False}`: code that mixes the two ways to finish.

    >>> _final_text({"content": "42", "ready": False})
    '42'
    """
    if not (isinstance(value, dict) and set(value) == {"content", "ready"}):
        return str(value)
    content = value["content"]
    if content is None or (isinstance(content, str) and not content.strip()):
        raise ValueError(
            "the answer dict is still empty ({'content': '', 'ready': False}), so it is not an "
            "answer: call FINAL(value) with the value you found, or set answer['content'] = value "
            "and answer['ready'] = True."
        )
    return str(content)


class _Finish(BaseException):
    """Raised by FINAL/FINAL_VAR to stop the code at once (BaseException: `except Exception` in the
    model's code does not swallow it)."""


class Worker:
    """One REPL: the namespace, the pipes and the interrupt state."""

    def __init__(self, cmd_fd: int, reply_fd: int, interrupt_fd: int | None = None) -> None:
        self.cmd_fd = cmd_fd
        self.reply_fd = reply_fd
        # Which execution a SIGINT is for: the driver writes the id there before signalling
        # (process.WorkerProcess.interrupt). None when started by hand: any SIGINT counts.
        self.interrupt_fd = interrupt_fd
        self.exec_id = 0  # the execution being run (ids come from the driver)
        self.interrupted_id = -1  # the last execution a KeyboardInterrupt was raised in
        self.max_output_chars = defaults.MAX_OUTPUT_CHARS
        self.memory_note = "none"
        self.memory_mode = "auto"
        self.sandbox_report: dict[str, Any] = {"mode": "off"}
        self.final: str | None = None
        self.next_query_id = 0
        self.cell = 0
        # SIGINT (sent by the driver on timeout) raises KeyboardInterrupt only while model code runs,
        # never in the middle of a protocol read or write, which would desynchronise the stream.
        self.interruptible = False
        self.pending_interrupt = False
        # Whole frames only on the reply pipe: a thread's llm_query and the main thread's "done"
        # could otherwise interleave (a write above PIPE_BUF bytes is not atomic).
        self.send_lock = threading.Lock()
        # One reader thread owns the command pipe (start_reader): it hands llm_result replies to
        # the threads waiting for them, by id, and everything else to the main thread's serve().
        # So several threads of the model's code can have queries outstanding at once, and the
        # driver can answer them as one batch.
        self.commands: queue.Queue[protocol.DriverMessage] = queue.Queue()
        self.reply_lock = threading.Lock()
        self.waiting: dict[int, threading.Event] = {}
        self.replies: dict[int, protocol.LLMResultMessage] = {}
        self.base_threads = 1  # threads alive besides the model's own (set by start_reader)
        self.pid = os.getpid()
        self.ns: dict[str, Any] = {}
        self.reserved: dict[str, Any] = {}
        self.helpers: dict[str, Any] = {}  # SHADOWABLE names and their objects
        self.shadowed: set[str] = set()  # helpers the model's variables replaced (said once)
        self.fresh_answer: dict[str, Any] = {}  # the answer dict the last reset put in place
        self.reset_answer: Any = _NOTHING  # the non-dict `answer` that reset replaced
        self.answer_noted = False
        self.stage = "start"  # what init was doing when it failed: the driver maps "context" to ContextError

    # -- set-up ---------------------------------------------------------------------------------

    def on_sigint(self, signum: int, frame: Any) -> None:
        self.pending_interrupt = True  # consulted only without an interrupt file (started by hand)
        if self.interruptible and self.take_interrupt():
            raise KeyboardInterrupt

    def take_interrupt(self) -> bool:
        """True, once per execution, if the driver has asked to interrupt the one running now.

        Reads the interrupt file rather than trusting the SIGINT alone: the signal may arrive
        before the code starts (it must still be raised) or after it ended (it must not hit the
        next execution).
        """
        if self.interrupt_fd is None:
            due, self.pending_interrupt = self.pending_interrupt, False
            return due
        record = protocol.INTERRUPT_RECORD
        (wanted,) = record.unpack(os.pread(self.interrupt_fd, record.size, 0))
        if wanted != self.exec_id or self.interrupted_id == self.exec_id:
            return False
        self.interrupted_id = self.exec_id
        return True

    def on_sigusr1(self, signum: int, frame: Any) -> None:
        # The driver's memory watcher ("rss" mode): the code went over its budget.
        if self.interruptible:
            raise MemoryError("the REPL's memory watcher stopped the code: it went over its memory budget")

    def init(self, msg: protocol.InitMessage) -> None:
        from rlm._core import Context

        self.max_output_chars = int(msg.get("max_output_chars", defaults.MAX_OUTPUT_CHARS))
        path = msg.get("context_path")
        errors = msg.get("encoding_errors", "strict")
        # The sandbox first: before the context is opened (its Rust threads, if any, then start
        # inside it) and long before any model code runs. macOS applied it at exec (sandbox-exec).
        self.stage = "sandbox"
        wanted = msg.get("sandbox")
        if wanted is not None and sys.platform.startswith("linux"):
            policy = sandbox.build_policy(path, msg.get("tokenizer_path"), wanted["temp_dir"])
            self.sandbox_report = sandbox.restrict_worker(wanted["mode"], policy)
        elif wanted is not None:  # macOS: the driver's sandbox-exec report completes this
            self.sandbox_report = {"mode": wanted["mode"], "mechanism": "none", "active": []}
        self.stage = "context"
        tree = msg.get("context_tree")
        if path is None:
            context = Context.from_str("")
        elif tree is not None:  # the driver's joined tree, saved: map it, attach its file table
            context = Context.open_joined(path, [tuple(f) for f in tree["files"]],  # type: ignore[misc]
                                          skipped=[tuple(s) for s in tree["skipped"]],  # type: ignore[misc]
                                          root=tree["root"])
        elif os.path.isdir(path):  # a tree: the driver opened the same directory the same way
            context = Context.open_tree(path, errors=errors)  # type: ignore[arg-type]
        elif errors == "strict":
            # A saved `# FILE:` dump (a tree saved with save_to=) gets its file table back from
            # its headers: records(file=), grep(file=) and file_of work as on the tree itself.
            context = open_sections(path) or Context.open(path)
        else:
            context = Context.open(path, errors=errors)  # type: ignore[arg-type]  # the wire carries a str; open() rejects others
        self.stage = "namespace"
        toolkit.configure(context=context, tokenizer_path=msg.get("tokenizer_path"))
        self.build_namespace(context)
        self.stage = "memory limit"
        self.memory_mode = msg.get("memory_mode", "auto")
        if self.memory_mode == "auto":
            self.memory_mode = limits.default_memory_mode()
        budget = msg.get("memory_limit_bytes")
        if budget is not None and self.memory_mode == "rlimit":
            self.memory_note = limits.apply_rlimit_as(int(budget))
        # In "rss" mode the driver watches our memory and sends SIGUSR1 (see on_sigusr1).

    def build_namespace(self, context: Any) -> None:
        import collections
        import functools
        import itertools
        import json
        import math
        import string

        user_builtins = dict(vars(builtins))
        real_import = builtins.__import__

        def repl_import(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (),
                        level: int = 0) -> Any:
            # `import re` in model code (top level or inside its functions) gets the Context-aware
            # shim; library code keeps the real module because its globals are not ours.
            if name == "re" and level == 0 and globals is self.ns:
                return re_compat
            return real_import(name, globals, locals, fromlist, level)

        user_builtins["__import__"] = repl_import
        ns = self.ns
        ns.update({
            "__name__": "__main__", "__builtins__": user_builtins,
            "re": re_compat, "json": json, "math": math, "collections": collections,
            "itertools": itertools, "functools": functools, "string": string,
            "context": context, "llm_query": self.llm_query, "llm_query_batched": self.llm_query_batched,
            "rlm_query": self.rlm_query, "rlm_query_batched": self.rlm_query_batched,
            "FINAL": self.FINAL, "FINAL_VAR": self.FINAL_VAR, "SUBMIT": self.SUBMIT,
            "SHOW_VARS": self.SHOW_VARS, "context_0": context,
            "print": builtins.print,
        })
        ns.update(HELPERS)
        self.reserved = {name: ns[name] for name in RESERVED}
        self.reserved["__builtins__"] = user_builtins
        self.helpers = {name: ns[name] for name in SHADOWABLE}
        ns["answer"] = self.fresh_answer = _new_answer()

    def send(self, message: protocol.WorkerMessage) -> None:
        with self.send_lock:
            protocol.send(self.reply_fd, message)

    # -- functions the model calls ----------------------------------------------------------------

    def start_reader(self) -> None:
        """Start the thread that reads the command pipe for the rest of the worker's life."""
        reader = threading.Thread(target=self._read_commands, name="rlm-command-reader", daemon=True)
        reader.start()
        self.base_threads = threading.active_count()

    def _read_commands(self) -> None:
        while True:
            msg: protocol.Message
            try:
                msg = protocol.recv(self.cmd_fd)
            except protocol.ProtocolError:
                msg = {"type": "shutdown"}  # the driver went away
            if msg["type"] == "llm_result":
                query_id = msg["id"]
                with self.reply_lock:
                    done = self.waiting.get(query_id) if query_id is not None else None
                    if query_id is not None and done is not None:  # else: nobody waits any more; dropped
                        self.replies[query_id] = msg
                        done.set()
                continue
            if msg["type"] not in ("init", "exec", "shutdown"):
                continue  # a worker -> driver message cannot come this way
            self.commands.put(msg)  # type: ignore[arg-type]  # narrowed by the check above
            if msg["type"] == "shutdown":
                with self.reply_lock:  # wake every waiting query: no answer will come
                    for query_id, done in self.waiting.items():
                        self.replies[query_id] = {"type": "llm_result", "id": query_id, "ok": False,
                                                  "error": "the driver went away"}
                        done.set()
                return

    def _ask_driver(self, prompts: list[str], kind: Literal["llm", "rlm"], batched: bool,
                    contexts: list[str | None] | None = None) -> Any:
        if os.getpid() != self.pid:
            raise RuntimeError("llm_query is not available in a forked process; call it from the "
                               "main process (llm_query_batched runs several prompts at once)")
        on_main = threading.current_thread() is threading.main_thread()
        if on_main:  # only the main thread receives signals; only it may defer them
            self.interruptible = False
        try:
            done = threading.Event()
            with self.reply_lock:
                self.next_query_id += 1
                query_id = self.next_query_id
                self.waiting[query_id] = done
            # `alone`: no other thread of the model's code exists, so no other query can come
            # and the driver need not wait a moment to collect a batch.
            request: protocol.LLMQueryMessage = {"type": "llm_query", "id": query_id, "kind": kind,
                                       "prompts": prompts, "batched": batched,
                                       "alone": threading.active_count() <= self.base_threads}
            if contexts is not None:
                request["contexts"] = contexts
            try:
                self.send(request)
                done.wait()
            finally:
                with self.reply_lock:
                    self.waiting.pop(query_id, None)
                    reply = self.replies.pop(query_id, {"ok": False, "error": "no reply"})
        finally:
            if on_main:
                self.interruptible = True
        if on_main and self.take_interrupt():
            raise KeyboardInterrupt
        if not reply.get("ok"):
            raise RuntimeError(f"{'rlm' if kind == 'rlm' else 'llm'}_query failed: {reply.get('error')}")
        return reply["text"]

    # `model` is accepted for code written for the `rlms` package; this engine has one sub-call model.
    def llm_query(self, prompt: str, model: str | None = None) -> str:
        """Ask the language model `prompt` (a sub-call without the REPL); return its reply."""
        return str(self._ask_driver([str(prompt)], "llm", batched=False)[0])

    def llm_query_batched(self, prompts: list[str], model: str | None = None) -> list[str]:
        """Ask the model several independent prompts at once (batched); replies in the same order.

        A prompt that fails (too long, a budget used up, a backend error) gets an "Error: ..."
        string in its place; the others are answered.
        """
        return [str(t) for t in self._ask_driver([str(p) for p in prompts], "llm", batched=True)]

    def rlm_query(self, prompt: str, context: Any = None, model: str | None = None) -> str:
        """Ask a child RLM (its own REPL over `context`, or over `prompt` when no context is given).

        Beyond the run's `--max-depth` this is a plain llm_query, so prompts written for the
        `rlms` package work either way.
        """
        ctx = None if context is None else str(context)
        return str(self._ask_driver([str(prompt)], "rlm", batched=False, contexts=[ctx])[0])

    def rlm_query_batched(self, prompts: list[str], contexts: list[Any] | None = None,
                          model: str | None = None) -> list[str]:
        """`rlm_query` for several prompts (and their contexts); replies in order, "Error: ..." for failures."""
        texts = [str(p) for p in prompts]
        ctxs = [None if c is None else str(c) for c in (contexts or [None] * len(texts))]
        if len(ctxs) != len(texts):
            raise ValueError(f"rlm_query_batched: {len(texts)} prompts but {len(ctxs)} contexts")
        return [str(t) for t in self._ask_driver(texts, "rlm", batched=True, contexts=ctxs)]

    def SHOW_VARS(self) -> str:  # noqa: N802 - the name the `rlms` prompts teach
        """The variables the code has created, with their types."""
        found = {k: type(v).__name__ for k, v in self.ns.items()
                 if not k.startswith("_") and k not in self.reserved and k not in _PREIMPORTED
                 and self.helpers.get(k) is not v and not (k == "answer" and v == _new_answer())}
        return f"Available variables: {found}" if found else "No variables created yet."

    def FINAL(self, value: Any, *more: Any) -> None:  # noqa: N802 - the name the prompts teach
        """Finish the run with `str(value)` as the answer (an answer dict gives its content).

        Several arguments are joined with ", ": small models write `FINAL("a", "b")` after finding
        several values, and a TypeError there threw away a correct answer (seen in rlm eval).
        """
        if self.final is None:
            self.final = ", ".join(_final_text(v) for v in (value, *more))
        raise _Finish

    def SUBMIT(self, *values: Any, **fields: Any) -> None:  # noqa: N802 - DSPy RLM's name
        """Finish the run as DSPy's RLM prompt teaches: `SUBMIT(answer)` or `SUBMIT(answer=...)`.

        One field gives its value; several give a JSON object of them (this engine has one answer).
        """
        if fields and not values:
            if len(fields) == 1:
                self.FINAL(next(iter(fields.values())))
            import json

            self.FINAL(json.dumps(fields, ensure_ascii=False, default=str))
        if not values:
            raise TypeError("SUBMIT() needs the answer: SUBMIT(answer) or SUBMIT(answer=...)")
        self.FINAL(*values, *fields.values())

    def FINAL_VAR(self, name: Any) -> None:  # noqa: N802
        """Finish the run with the value of the variable called `name` (a value is accepted too)."""
        if not isinstance(name, str):
            self.FINAL(name)
        key = name.strip().strip("'\"")
        if key == "answer" and self.ns.get(key) is self.fresh_answer \
                and self.reset_answer is not _NOTHING and self.fresh_answer == _new_answer():
            # `answer = 42` in one cell, FINAL_VAR("answer") in the next: the value the reset replaced.
            self.FINAL(self.reset_answer)
        if key not in self.ns:
            raise NameError(
                f"FINAL_VAR({name!r}): no variable named {key!r} exists. Assign it first "
                f"({key} = ...) and call FINAL_VAR({key!r}) again, or call FINAL(value)."
            )
        self.FINAL(self.ns[key])

    # -- running code -------------------------------------------------------------------------------

    def format_exception(self, exc: BaseException) -> str:
        # Hide our own frames (the exec call above the cell, FINAL_VAR, the SIGINT handler, the re
        # shim and the helpers): the model should see its code, the libraries it called, and the
        # error message, which says what to do.
        te = traceback.TracebackException(type(exc), exc, exc.__traceback__)
        te.stack = traceback.StackSummary.from_list([f for f in te.stack if not f.filename.startswith(_RLM_DIR)])
        text = "".join(te.format())
        if isinstance(exc, MemoryError):
            text += (f"(the REPL's memory cap was reached: {self.memory_note}. Work on slices, counts "
                     f"or grep() results instead of whole copies; your variables are kept.)\n")
        return text

    def run_cell(self, code: str, out: OutputCapture) -> tuple[str | None, str | None]:
        """Run `code`; return (error text, error type name)."""
        self.cell += 1
        filename = f"<cell {self.cell}>"
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        try:
            try:
                tree = ast.parse(code, filename, "exec")
                last = None
                if tree.body and isinstance(tree.body[-1], ast.Expr):
                    last = ast.Expression(tree.body[-1].value)
                    del tree.body[-1]
                body = compile(tree, filename, "exec")
                tail = compile(last, filename, "eval") if last is not None else None
                if self.interrupt_fd is None:
                    self.pending_interrupt = False  # by hand: a SIGINT before this point is stale
                self.interruptible = True
                if self.take_interrupt():  # the time ran out while we read or compiled the code
                    raise KeyboardInterrupt
                exec(body, self.ns)
                if tail is not None:
                    value = eval(tail, self.ns)
                    if value is not None:
                        out.write(repr(value) + "\n")
            finally:
                self.interruptible = False
        except _Finish:
            return None, None
        except BaseException as exc:  # noqa: BLE001 - everything the code raises is reported to it
            try:
                return self.format_exception(exc), type(exc).__name__
            except MemoryError:
                return f"{type(exc).__name__} (traceback unavailable: out of memory)\n", type(exc).__name__
        return None, None

    def restore_reserved(self, out: OutputCapture) -> list[str]:
        """Put back the names a run needs; let helpers stay shadowed; keep `answer` a dict.

        Returns the reserved names that were restored; notes on shadowed helpers and on `answer` go
        to `out`, once each per run.
        """
        restored = []
        for name, value in self.reserved.items():
            if self.ns.get(name) is not value:
                self.ns[name] = value
                if name != "__builtins__":
                    restored.append(name)
        for name, value in self.helpers.items():
            if name not in self.ns:  # deleted (the model's variable or the helper): the helper again
                self.ns[name] = value
                self.shadowed.discard(name)
            elif self.ns[name] is not value and name not in self.shadowed:
                self.shadowed.add(name)
                out.write(SHADOWED_NOTE.format(name=name))
        answer = self.ns.get("answer", _NOTHING)
        if not isinstance(answer, dict):
            # A loop variable (`for i, answer in enumerate(...)`) must not break the next turn's
            # `answer["ready"] = True`, as in rlms; FINAL_VAR("answer") still finds the value.
            self.reset_answer = answer
            self.ns["answer"] = self.fresh_answer = _new_answer()
            if answer is not _NOTHING and not self.answer_noted:
                out.write(ANSWER_NOTE.format(kind=type(answer).__name__))
                self.answer_noted = True
        elif answer is not self.fresh_answer:
            self.reset_answer = _NOTHING
        return restored

    def answer_from_dict(self) -> str | None:
        answer = self.ns.get("answer")
        if not isinstance(answer, dict):
            return None
        try:
            ready = bool(answer.get("ready"))  # any truthy value, as a model writes it ("yes", 1)
        except Exception:  # noqa: BLE001 - e.g. a numpy array: ambiguous, so not ready
            ready = False
        return str(answer.get("content", "")) if ready else None

    def execute(self, code: str) -> protocol.DoneMessage:
        self.final = None
        out = OutputCapture(self.max_output_chars)
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = out
        try:
            fd_mark = os.lseek(1, 0, os.SEEK_CUR)
        except OSError:
            fd_mark = -1  # fd 1 is not our capture file (worker started by hand)
        try:
            error, error_type = self.run_cell(code, out)
        finally:
            if os.getpid() != self.pid:
                # A process the code forked (os.fork, multiprocessing) came back through the cell:
                # it shares our pipes and must never speak the protocol.
                os._exit(0)
            sys.stdout, sys.stderr = saved
        if fd_mark >= 0:
            out.append_fd_output(1, fd_mark)  # what subprocesses and C code wrote to fd 1/2
        if error is not None:
            out.write(error)
        final = self.final if self.final is not None else self.answer_from_dict()
        restored = self.restore_reserved(out)
        text, total = out.result()
        return {"type": "done", "output": text, "output_chars": total, "error": error,
                "error_type": error_type, "final": final, "restored_names": restored,
                "truncated": total > out.max_chars}

    def serve(self) -> None:
        self.start_reader()
        while True:
            msg = self.commands.get()
            if msg["type"] == "exec":
                self.exec_id = int(msg.get("id", self.exec_id + 1))
                self.send(self.execute(msg["code"]))
            elif msg["type"] == "shutdown":
                return


def main(argv: list[str]) -> int:
    cmd_fd, reply_fd = int(argv[1]), int(argv[2])
    if len(argv) > 4:  # started by session.py: die with the driver, even inside a C loop
        limits.start_lifeline_watchdog(int(argv[4]))
    worker = Worker(cmd_fd, reply_fd, int(argv[5]) if len(argv) > 5 else None)
    signal.signal(signal.SIGINT, worker.on_sigint)
    signal.signal(signal.SIGUSR1, worker.on_sigusr1)
    try:
        init = protocol.recv(cmd_fd)
        if init["type"] != "init":
            raise protocol.ProtocolError(f"expected an init message, got {init['type']!r}")
        worker.init(init)
    except protocol.ProtocolError:
        return 0
    except Exception as exc:  # noqa: BLE001 - reported to the driver, which raises it
        # Our own errors already say what happened; others need their type to make sense.
        text = str(exc) if isinstance(exc, RLMError) else f"{type(exc).__name__}: {exc}"
        protocol.send(reply_fd, {"type": "ready", "pid": os.getpid(), "error": text,
                                 "error_type": type(exc).__name__, "stage": worker.stage,
                                 "memory_limit": "none"})
        return 1
    protocol.send(reply_fd, {"type": "ready", "pid": os.getpid(), "error": None, "error_type": None,
                             "memory_limit": worker.memory_note, "memory_mode": worker.memory_mode,
                             "sandbox": worker.sandbox_report})
    worker.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
