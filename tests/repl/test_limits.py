"""REPL limits: timeouts (interrupt, then hard kill), memory cap, output cap, crashes, secrets, orphans."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from rlm.repl.session import ExecResult, ReplSession


def _alive(pid: int) -> bool:
    """True if `pid` exists and is not a zombie waiting to be reaped by someone else."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _wait_gone(pid: int, timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _with_timeout(repl: ReplSession, seconds: float, code: str) -> ExecResult:
    """Run `code` under a short time limit; the set-up and checks around it get a generous one
    (a trivial execution can take longer than 0.3 s of wall time on a loaded machine)."""
    repl.exec_timeout = seconds
    try:
        return repl.execute(code)
    finally:
        repl.exec_timeout = 60


def test_timeout_interrupts_python_code_and_keeps_the_namespace() -> None:
    with ReplSession(None, llm_query=str, interrupt_grace=5) as repl:
        repl.execute("kept = 'yes'")
        r = _with_timeout(repl, 0.5, "n = 0\nwhile True:\n    n += 1")
        assert r.timed_out and not r.restarted
        assert r.error_type == "KeyboardInterrupt"
        assert "TimeoutError" in r.output and "variables are kept" in r.output
        assert repl.execute("kept, n > 0").output == "('yes', True)\n"


def test_c_loop_that_ignores_the_interrupt_is_killed_and_the_worker_restarted() -> None:
    with ReplSession(None, llm_query=str, interrupt_grace=0.3) as repl:
        repl.execute("lost = 1")
        first_pid = repl.pid
        r = _with_timeout(repl, 0.3, "sum(range(10**12))")
        assert r.timed_out and r.restarted
        assert r.restart_reason == "timeout"
        assert "VARIABLES WERE LOST" in r.output
        assert repl.pid != first_pid
        assert _wait_gone(first_pid)
        r = repl.execute("lost")
        assert r.error_type == "NameError"
        assert repl.execute("len(context)").output == "0\n"  # a fresh worker with its namespace
        assert repl.restarts == 1


def test_an_interrupt_that_arrives_before_the_code_starts_is_not_lost() -> None:
    # The time runs out while the worker still reads and compiles the code (a long literal): the
    # interrupt must wait for the code, not be dropped, which would leave the loop to be killed.
    code = "data = [\n" + "1,\n" * 50_000 + "]\nwhile True:\n    pass"
    with ReplSession(None, llm_query=str, interrupt_grace=30) as repl:
        repl.execute("kept = 1")
        r = _with_timeout(repl, 0.001, code)
        assert r.timed_out and not r.restarted and r.error_type == "KeyboardInterrupt"
        assert repl.execute("kept").output == "1\n"


def test_a_late_interrupt_for_a_finished_execution_does_not_hit_the_next_one() -> None:
    # What a SIGINT sent just as the previous code finished looks like to the next execution.
    def model(prompt: str) -> str:
        repl._worker.interrupt(1)  # type: ignore[union-attr]  # execution 1 ("x = 1") is over
        return "answered"

    with ReplSession(None, llm_query=model, exec_timeout=60) as repl:
        repl.execute("x = 1")
        r = repl.execute("y = llm_query('q')\ny")
        assert not r.timed_out and r.error is None and r.output == "'answered'\n"


def test_a_worker_stuck_halfway_through_a_message_is_restarted_not_waited_for() -> None:
    # The worker writes part of a frame to the reply pipe (argv[2]) and stalls.
    code = "import os, sys, time\nos.write(int(sys.argv[2]), b'\\x00\\x00\\x01\\x00{\"type\": ')\ntime.sleep(60)"
    with ReplSession(None, llm_query=str, exec_timeout=60) as repl:
        repl.frame_timeout = 0.5
        repl.execute("lost = 1")
        r = repl.execute(code)
        assert r.restarted and r.restart_reason == "stopped answering"
        assert repl.execute("'lost' in dir()").output == "False\n"


def test_a_worker_that_stops_reading_is_restarted_not_waited_for() -> None:
    # A forged llm_query, then the whole worker stops (its command reader thread too): a 1 MB
    # reply cannot fit in the pipe.
    code = ("import json, os, signal, struct, sys\n"
            "body = json.dumps({'type': 'llm_query', 'id': 99, 'prompts': ['q'], 'batched': False}).encode()\n"
            "os.write(int(sys.argv[2]), struct.pack('>I', len(body)) + body)\nos.kill(os.getpid(), signal.SIGSTOP)")
    def slow_reply(prompt: str) -> str:
        time.sleep(1.0)  # the worker stops itself first, even on a loaded machine (its reader thread
        return "y" * 1_000_000  # would otherwise read the whole reply before the SIGSTOP)

    with ReplSession(None, llm_query=slow_reply, exec_timeout=60) as repl:
        repl.frame_timeout = 0.5
        r = repl.execute(code)
        assert r.restarted and r.restart_reason == "stopped answering"
        assert repl.execute("1 + 1").output == "2\n"


def test_time_spent_answering_llm_query_does_not_count_toward_the_timeout() -> None:
    def slow_model(prompt: str) -> str:
        time.sleep(1.5)
        return "done"

    # 3 s in the model against a 2 s limit; the code's own time stays far below 2 s even under load.
    with ReplSession(None, llm_query=slow_model, exec_timeout=2.0) as repl:
        r = repl.execute("[llm_query('a'), llm_query('b')]")
        assert not r.timed_out
        assert r.output == "['done', 'done']\n"


@linux_only
def test_memory_bomb_raises_memory_error_and_the_run_continues() -> None:
    with ReplSession(None, llm_query=str, memory_limit_bytes=256 * 1024**2) as repl:
        assert repl.memory_limit.startswith("RLIMIT_AS")
        repl.execute("small = [1, 2, 3]")
        r = repl.execute("big = 'x' * (2 * 1024**3)")
        assert r.error_type == "MemoryError" and not r.restarted
        assert "memory cap" in r.output
        r = repl.execute("huge = list(range(10**9))")  # fails inside a C loop
        assert r.error_type == "MemoryError" and not r.restarted
        assert repl.execute("small").output == "[1, 2, 3]\n"


@linux_only
def test_memory_budget_comes_on_top_of_the_mapped_context(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"0123456789abcdef\n" * (256 * 1024**2 // 17))  # ~256 MiB, larger than the budget
    with ReplSession(str(path), llm_query=str, memory_limit_bytes=96 * 1024**2) as repl:
        r = repl.execute("len(context) > 250_000_000, len(bytearray(64 * 1024**2))")
        assert r.error is None, r.output
        assert r.output == "(True, 67108864)\n"


def test_memory_watcher_mode_raises_memory_error_in_python_loops() -> None:
    with ReplSession(None, llm_query=str, memory_limit_bytes=150 * 1024**2, memory_mode="rss",
                     interrupt_grace=5) as repl:
        assert repl.memory_limit.startswith("memory watcher")
        repl.execute("kept = 7")
        r = repl.execute("blocks = []\nwhile True:\n    blocks.append(b'x' * 10**6)")
        assert r.error_type == "MemoryError" and not r.restarted
        assert repl.execute("del blocks\nkept").output == "7\n"


def test_memory_watcher_exits_the_worker_when_a_c_call_keeps_allocating() -> None:
    with ReplSession(None, llm_query=str, memory_limit_bytes=100 * 1024**2, memory_mode="rss",
                     interrupt_grace=0.3) as repl:
        r = repl.execute("huge = list(range(4 * 10**8))")
        assert r.restarted and r.restart_reason == "memory limit exceeded"
        assert repl.execute("1").output == "1\n"


def test_output_is_capped_in_the_worker_with_head_tail_and_marker() -> None:
    with ReplSession(None, llm_query=str, max_output_chars=1000) as repl:
        r = repl.execute("print('H' * 100 + 'x' * 10**8 + 'T' * 100)")
        assert r.output_chars == 10**8 + 201
        assert r.output.startswith("H" * 100) and r.output.endswith("T" * 100 + "\n")
        assert "characters cut from the middle" in r.output
        assert len(r.output) < 1200
        assert r.truncated
        small = repl.execute("print('ok')")
        assert small.output == "ok\n" and not small.truncated


def test_output_written_to_file_descriptor_1_is_capped_too() -> None:
    with ReplSession(None, llm_query=str, max_output_chars=1000) as repl:
        r = repl.execute("import os\nos.write(1, b'a' * 10**7 + b'END')\nNone")
        assert len(r.output) < 1200 and r.output.endswith("END")
        assert r.output_chars >= 10**7


def test_os_exit_restarts_the_worker_and_reports_it() -> None:
    with ReplSession(None, llm_query=str) as repl:
        repl.execute("gone = 1")
        r = repl.execute("import os\nos._exit(1)")
        assert r.restarted and not r.timed_out
        assert r.restart_reason == "exit code 1"
        assert "died" in r.output
        assert repl.execute("gone").error_type == "NameError"


def test_segfault_restarts_the_worker_with_its_last_words() -> None:
    with ReplSession(None, llm_query=str) as repl:
        r = repl.execute("import ctypes\nctypes.string_at(0)")
        assert r.restarted
        assert r.restart_reason == "killed by SIGSEGV"
        assert "Segmentation fault" in r.output  # faulthandler's report
        assert repl.execute("2 * 21").output == "42\n"


def test_environment_is_scrubbed_of_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "HF_TOKEN", "DB_PASSWORD", "MY_SECRET_THING", "AWS_ACCESS_KEY_ID"):
        monkeypatch.setenv(name, "hunter2")
    monkeypatch.setenv("HARMLESS_SETTING", "hunter3")
    with ReplSession(None, llm_query=str) as repl:
        r = repl.execute("import os\nsorted(k for k, v in os.environ.items() if v.startswith('hunter'))")
        assert r.output == "['HARMLESS_SETTING']\n"
        assert repl.execute("'PATH' in os.environ").output == "True\n"


def test_a_credential_variable_registered_by_a_backend_is_scrubbed_whatever_its_name(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # --api-key-env may name anything: the openai backend registers it with scrub_also.
    from rlm.repl.limits import scrub_also

    monkeypatch.setenv("TEAM_GATEWAY_PASS", "hunter4")
    monkeypatch.setenv("TEAM_GATEWAY_REGION", "hunter5")
    scrub_also("TEAM_GATEWAY_PASS")
    with ReplSession(None, llm_query=str) as repl:
        r = repl.execute("import os\nsorted(k for k in os.environ if k.startswith('TEAM_GATEWAY'))")
    assert r.output == "['TEAM_GATEWAY_REGION']\n"


def test_worker_is_in_its_own_session_and_process_group() -> None:
    with ReplSession(None, llm_query=str) as repl:
        r = repl.execute("import os\nos.getsid(0) == os.getpid() == os.getpgid(0)")
        assert r.output == "True\n"
        assert os.getpgid(repl.pid) != os.getpgid(0)


@linux_only
def test_close_kills_the_worker_and_what_it_spawned() -> None:
    repl = ReplSession(None, llm_query=str)
    r = repl.execute("import subprocess\nchild = subprocess.Popen(['sleep', '60'])\nchild.pid")
    grandchild, worker = int(r.output), repl.pid
    assert worker is not None
    repl.close()
    assert _wait_gone(worker) and _wait_gone(grandchild)


_DRIVER = textwrap.dedent("""
    import sys, time
    from rlm.repl.session import ExecResult, ReplSession
    repl = ReplSession(None, llm_query=str, exec_timeout=60)
    try:  # the pid inside the try: a Ctrl-C sent once it is read always ends in the handler
        print(repl.pid, flush=True)
        repl.execute(sys.argv[1])
    except KeyboardInterrupt:
        repl.close()
        sys.exit(130)
""")


@linux_only
def test_ctrl_c_reaches_only_the_driver_which_closes_the_worker(sigint_default) -> None:
    driver = subprocess.Popen([sys.executable, "-c", _DRIVER, "while True: pass"],
                              stdout=subprocess.PIPE, text=True, start_new_session=True,
                              preexec_fn=sigint_default)
    try:
        worker = int(driver.stdout.readline())  # type: ignore[union-attr]
        time.sleep(0.3)
        os.killpg(driver.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
        assert driver.wait(timeout=10) == 130
        assert _wait_gone(worker)
    finally:
        driver.kill()


@linux_only
def test_worker_exits_when_its_driver_is_killed() -> None:
    driver = subprocess.Popen([sys.executable, "-c", _DRIVER, "import time\ntime.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        worker = int(driver.stdout.readline())  # type: ignore[union-attr]
        driver.kill()
        driver.wait()
        assert _wait_gone(worker, timeout=5)
    finally:
        driver.kill()


def test_llm_query_after_the_interrupt_fails_fast_without_calling_the_model() -> None:
    calls: list[str] = []
    with ReplSession(None, llm_query=lambda p: calls.append(p) or "x", interrupt_grace=5) as repl:
        r = _with_timeout(
            repl, 0.3,
            "try:\n    n = 0\n    while True:\n        n += 1\nexcept KeyboardInterrupt:\n"
            "    try:\n        llm_query('late')\n    except RuntimeError as e:\n        print(e)")
        assert r.timed_out and not r.restarted
        assert r.output.startswith("llm_query failed: interrupted")
        assert calls == []
        assert repl.execute("llm_query('next')").output == "'x'\n"  # the stream is in step


@linux_only
def test_native_code_running_out_of_memory_is_reported_as_a_memory_error(tmp_path: Path) -> None:
    path = tmp_path / "digits.txt"
    path.write_bytes(b"1 " * (10 * 1024**2))  # 10 M matches of \d
    with ReplSession(str(path), llm_query=str, memory_limit_bytes=64 * 1024**2) as repl:
        r = repl.execute("import re\nlen(re.findall(r'\\d', context))")
        assert r.error_type == "MemoryError", r.output  # from Python, or Rust's abort (restarted)
        assert "memory" in r.output
        assert repl.execute("len(context)").output == f"{20 * 1024**2}\n"


def test_modules_in_the_current_directory_cannot_shadow_the_stdlib(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("re.py", "types.py", "json.py"):
        (tmp_path / name).write_text("raise SystemExit('shadowed')\n")
    monkeypatch.chdir(tmp_path)
    with ReplSession(None, llm_query=str) as repl:
        r = repl.execute("import os, re\nos.getcwd() == " + repr(str(tmp_path)) + ", json.dumps([1])")
        assert r.output == "(True, '[1]')\n"


def test_truncated_is_exact_at_the_cap() -> None:
    with ReplSession(None, llm_query=str, max_output_chars=100) as repl:
        at_cap = repl.execute("print('x' * 99)")  # 99 + newline = 100
        assert not at_cap.truncated and at_cap.output_chars == 100 and at_cap.output == "x" * 99 + "\n"
        over = repl.execute("print('x' * 100)")
        assert over.truncated and over.output_chars == 101
        assert "1 of 101 characters cut" in over.output


@linux_only
def test_worker_stuck_in_a_c_loop_dies_with_its_driver() -> None:
    driver = subprocess.Popen([sys.executable, "-c", _DRIVER, "sum(range(10**13))"],
                              stdout=subprocess.PIPE, text=True)
    try:
        worker = int(driver.stdout.readline())  # type: ignore[union-attr]
        time.sleep(0.3)  # the worker is now inside sum(), holding its GIL
        driver.kill()
        driver.wait()
        assert _wait_gone(worker, timeout=5)
    finally:
        driver.kill()


def test_catastrophic_python_regex_is_interrupted_and_the_namespace_kept() -> None:
    with ReplSession(None, llm_query=str, interrupt_grace=5) as repl:
        repl.execute("keep = 1")
        r = _with_timeout(repl, 0.3, "import re\nre.match(r'(a+)+$', 'a' * 40 + 'b')")
        assert r.timed_out and not r.restarted and r.error_type == "KeyboardInterrupt"
        assert repl.execute("keep").output == "1\n"
