"""The REPL as a sandbox, tried the way an attacker's context would: replayed model turns through
the real loop (`rlm --model replay:FILE`, the driver in its own process with a fake API key in its
environment and a fake key file under a temp $HOME), each turn trying one thing. Every attempt must
fail with a clear error in that turn's output while the run goes on and answers; what model code
legitimately does must keep working. A control run with `--sandbox off` shows the same probes
succeed without the sandbox, so these tests can fail.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from rlm import _core
from rlm.errors import SandboxError
from rlm.repl.session import ReplSession

ABI = _core.landlock_abi()
FAKE_KEY = "sk-fake-0123456789abcdef"
FAKE_PRIVATE_KEY = "-----BEGIN FAKE PRIVATE KEY----- not-a-real-key"
ANSWER = "42"  # found in the context: the engine accepts it without a check turn


def needs_abi(abi: int, what: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        not sys.platform.startswith("linux") or ABI < abi,
        reason=f"{what} needs Landlock ABI {abi} (Linux); this system offers ABI {ABI}")


def block(code: str) -> str:
    return f"```python\n{code}\n```"


def probes(*, key_file: Path, outside: Path, port: int, unix_path: Path | None = None) -> dict[str, str]:
    """One turn per attempt, each tagged `# probe: NAME` so its iteration can be found."""
    return {
        "parent-environ": "import os\n"
                          "data = open(f'/proc/{os.getppid()}/environ', 'rb').read()\n"
                          "print([v for v in data.split(b'\\0') if v.startswith(b'OPENAI_API_KEY')])",
        "home-key-file": f"print(open({str(key_file)!r}).read())",
        "write-outside": f"open({str(outside / 'pwned.txt')!r}, 'w').write('x')\nprint('written')",
        "tcp-connect": f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=5)\n"
                       f"print('connected')",
        "tcp-bind": "import socket\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\nprint('bound', s.getsockname())",
        "subprocess-cat": f"import subprocess\nr = subprocess.run(['cat', {str(key_file)!r}], capture_output=True, "
                          f"text=True)\nprint(r.returncode, r.stdout, r.stderr)",
        "udp-send": f"import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                    f"s.sendto(b'exfiltrated', ('127.0.0.1', {port}))\nprint('sent')",
        "unix-connect": f"import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect({str(unix_path)!r})\n"
                        f"print('connected')",
        "device-node": "import os, stat, tempfile\n"
                       "os.mknod(os.path.join(tempfile.gettempdir(), 'disk'), stat.S_IFCHR | 0o600, os.makedev(1, 3))\n"
                       "print('made')",
        "kill-parent": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nprint('sent')",
        "parent-memory": "import os\nf = open(f'/proc/{os.getppid()}/mem', 'rb')\nprint('opened', f.read(1))",
        "process-vm-readv": (
            "import ctypes, os\n"
            "libc = ctypes.CDLL(None, use_errno=True)\n"
            "class IOVec(ctypes.Structure):\n"
            "    _fields_ = [('base', ctypes.c_void_p), ('len', ctypes.c_size_t)]\n"
            "buf = ctypes.create_string_buffer(8)\n"
            "local, remote = IOVec(ctypes.addressof(buf), 8), IOVec(0x400000, 8)\n"
            "n = libc.process_vm_readv(os.getppid(), ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)\n"
            "print('errno', os.strerror(ctypes.get_errno()) if n < 0 else f'read {n} bytes')"
        ),
        # PTRACE_SEIZE, not ATTACH: if it were allowed it would not stop the driver (and hang the run).
        "ptrace-seize": "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                        "rc = libc.ptrace(0x4206, os.getppid(), None, None)\n"
                        "print('errno', os.strerror(ctypes.get_errno()) if rc < 0 else 'attached')",
    }


WORKS = {
    "helpers": "print(grep('secret'))\nprint(len(chunks(10)), 'chunks')",
    "temp-dir": "import os, tempfile\np = os.path.join(tempfile.gettempdir(), 'note.txt')\n"
                "open(p, 'w').write('kept')\nprint(open(p).read(), os.environ['TMPDIR'] == tempfile.gettempdir())",
    "stdlib": "import csv, decimal, datetime, sqlite3, zoneinfo, statistics, textwrap, hashlib\n"
              "print(sqlite3.connect(':memory:').execute('select 6*7').fetchone()[0], "
              "decimal.Decimal('1.10') + 1, datetime.date(2024, 1, 2).isoformat())",
    "context-by-path": "print(open(context.path).read().count('secret'))",
    "llm-query": "print(llm_query('say hi'))",
    # asyncio's loop wakes itself through a socketpair; threads inherit the sandbox and still work.
    "asyncio-and-threads": "import asyncio, concurrent.futures\n"
                           "with concurrent.futures.ThreadPoolExecutor(2) as pool:\n"
                           "    n = sum(pool.map(len, ['ab', 'cde']))\n"
                           "print(asyncio.run(asyncio.sleep(0, 'async ok')), n)",
}


@pytest.fixture(scope="module")
def setting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A fake $HOME with a key file, a directory outside every grant, a loopback listener."""
    root = tmp_path_factory.mktemp("sandbox")
    home = root / "home"
    (home / ".ssh").mkdir(parents=True)
    key_file = home / ".ssh" / "id_rsa"
    key_file.write_text(FAKE_PRIVATE_KEY)
    outside = root / "outside"
    outside.mkdir()
    context = root / "context.txt"
    context.write_text("The secret code is 42.\nAnother secret line.\n")
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0)
    port = listener.getsockname()[1]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # the same port number, for UDP
    udp.bind(("127.0.0.1", port))
    udp.settimeout(0)
    unix_path = root / "agent.sock"  # stands in for an ssh-agent or a Docker daemon
    unix = socket.socket(socket.AF_UNIX)
    unix.bind(str(unix_path))
    unix.listen()
    unix.settimeout(0)
    yield {"root": root, "home": home, "key_file": key_file, "outside": outside, "context": context,
           "listener": listener, "port": port, "udp": udp, "unix": unix, "unix_path": unix_path}
    for s in (listener, udp, unix):
        s.close()


def run_loop(setting: dict[str, Any], turns: dict[str, str], name: str, *extra: str) -> dict[str, Any]:
    """`rlm` in its own process over replayed turns (each tagged), then FINAL; its trajectory.

    Each probe is followed by a turn with new, clean output, as a model that moves on would write:
    the engine stops a run after a few turns in a row without progress, and a failed probe is one.
    """
    root = setting["root"]
    tagged = []
    for tag, code in turns.items():
        tagged += [block(f"# probe: {tag}\n{code}"), block(f"print('moving on after {tag}', len(context))")]
    replay = root / f"{name}.json"
    replay.write_text(json.dumps({"turns": [*tagged, block(f"FINAL({ANSWER!r})")], "sub": ["hi from the sub-call"]}))
    trajectory = root / f"{name}-trajectory.json"
    env = {**os.environ, "OPENAI_API_KEY": FAKE_KEY, "HOME": str(setting["home"])}
    done = subprocess.run(
        [sys.executable, "-m", "rlm", "-t", "Find the secret code", "-f", str(setting["context"]),
         "--model", f"replay:{replay}", "-o", str(trajectory), "--max-iterations", str(len(tagged) + 5),
         "--timeout", "20", *extra],
        capture_output=True, text=True, env=env, timeout=300)
    data = json.loads(trajectory.read_text())
    data["_process"] = done
    return data


def output_of(trajectory: dict[str, Any], tag: str) -> str:
    for it in trajectory["iterations"]:
        if it.get("code") and f"# probe: {tag}\n" in it["code"]:
            return str(it["output"])
    raise AssertionError(f"no turn ran the {tag!r} probe")


@pytest.fixture(scope="module")
def sandboxed(setting: dict[str, Any]) -> dict[str, Any]:
    turns = {**probes(key_file=setting["key_file"], outside=setting["outside"], port=setting["port"],
                      unix_path=setting["unix_path"]), **WORKS}
    return run_loop(setting, turns, "sandboxed")


# -- the run survives every attempt and answers ---------------------------------------------------------


@needs_abi(6, "the full sandbox")
def test_the_run_goes_on_and_answers(sandboxed: dict[str, Any]) -> None:
    done = sandboxed["_process"]
    assert (done.returncode, done.stdout) == (0, f"{ANSWER}\n"), done.stderr
    assert sandboxed["answer"] == ANSWER
    assert not any(it["restarted"] for it in sandboxed["iterations"])  # no probe crashed the worker


@needs_abi(6, "the full sandbox")
def test_the_trajectory_says_which_protections_hold(sandboxed: dict[str, Any]) -> None:
    report = sandboxed["sandbox"]
    assert report["mode"] == "auto" and report["mechanism"] == "landlock+seccomp"
    assert report["abi"] == min(ABI, 10)
    assert {"files", "truncate", "tcp", "sockets", "signals", "abstract-unix-sockets"} <= set(report["active"])
    assert report["missing_required"] == []
    assert report["driver_non_dumpable"] is True
    assert report["summary"].startswith(f"sandbox: landlock ABI {report['abi']} + seccomp: files")
    assert sandboxed["config"]["sandbox"] == "auto"


@needs_abi(6, "the full sandbox")
def test_no_warning_on_stderr_when_fully_protected(sandboxed: dict[str, Any]) -> None:
    assert "sandbox" not in sandboxed["_process"].stderr


# -- each attempt fails with a clear error -----------------------------------------------------------------


@needs_abi(1, "file rules")
def test_parent_environ_is_closed(sandboxed: dict[str, Any]) -> None:
    out = output_of(sandboxed, "parent-environ")
    assert "PermissionError" in out and "/environ" in out
    assert FAKE_KEY not in out


@needs_abi(1, "file rules")
def test_key_file_under_home_is_closed(sandboxed: dict[str, Any], setting: dict[str, Any]) -> None:
    out = output_of(sandboxed, "home-key-file")
    assert f"PermissionError: [Errno 13] Permission denied: '{setting['key_file']}'" in out
    assert FAKE_PRIVATE_KEY not in out


@needs_abi(1, "file rules")
def test_writing_outside_the_temp_dir_fails(sandboxed: dict[str, Any], setting: dict[str, Any]) -> None:
    out = output_of(sandboxed, "write-outside")
    assert "PermissionError" in out and "written" not in out
    assert not (setting["outside"] / "pwned.txt").exists()


@needs_abi(4, "TCP rules")
def test_tcp_connect_to_loopback_fails(sandboxed: dict[str, Any], setting: dict[str, Any]) -> None:
    out = output_of(sandboxed, "tcp-connect")
    assert "PermissionError" in out and "connected" not in out
    with pytest.raises(BlockingIOError):  # nobody knocked
        setting["listener"].accept()


@needs_abi(4, "TCP rules")
def test_tcp_bind_fails(sandboxed: dict[str, Any]) -> None:
    out = output_of(sandboxed, "tcp-bind")
    assert "PermissionError" in out and "bound" not in out


@needs_abi(1, "file rules")
def test_a_subprocess_is_confined_too(sandboxed: dict[str, Any], setting: dict[str, Any]) -> None:
    out = output_of(sandboxed, "subprocess-cat")
    assert out.startswith("1 ") and "Permission denied" in out
    assert FAKE_PRIVATE_KEY not in out


on_linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the seccomp filter is Linux's")


@on_linux
def test_udp_send_fails(sandboxed: dict[str, Any], setting: dict[str, Any]) -> None:
    out = output_of(sandboxed, "udp-send")
    assert "PermissionError" in out and "sent" not in out
    with pytest.raises(BlockingIOError):  # nothing arrived
        setting["udp"].recv(64)


@on_linux
def test_connecting_to_a_unix_socket_fails(sandboxed: dict[str, Any], setting: dict[str, Any]) -> None:
    out = output_of(sandboxed, "unix-connect")
    assert "PermissionError" in out and "connected" not in out
    with pytest.raises(BlockingIOError):
        setting["unix"].accept()


@needs_abi(1, "file rules")
def test_no_device_node_even_in_the_temp_dir(sandboxed: dict[str, Any]) -> None:
    out = output_of(sandboxed, "device-node")
    assert "PermissionError" in out and "made" not in out


@needs_abi(6, "signal scoping")
def test_killing_the_driver_fails(sandboxed: dict[str, Any]) -> None:
    out = output_of(sandboxed, "kill-parent")
    assert "PermissionError: [Errno 1] Operation not permitted" in out and "sent" not in out


@needs_abi(1, "Landlock's ptrace rule")
def test_driver_memory_is_closed(sandboxed: dict[str, Any]) -> None:
    out = output_of(sandboxed, "parent-memory")
    assert "PermissionError" in out and "opened" not in out


@needs_abi(1, "Landlock's ptrace rule")
def test_process_vm_readv_of_the_driver_fails(sandboxed: dict[str, Any]) -> None:
    assert output_of(sandboxed, "process-vm-readv").strip() == "errno Operation not permitted"


@needs_abi(1, "Landlock's ptrace rule")
def test_ptrace_of_the_driver_fails(sandboxed: dict[str, Any]) -> None:
    assert output_of(sandboxed, "ptrace-seize").strip() == "errno Operation not permitted"


# -- what model code legitimately does still works -------------------------------------------------------


@needs_abi(1, "the sandbox")
def test_helpers_work(sandboxed: dict[str, Any]) -> None:
    out = output_of(sandboxed, "helpers")
    assert "1:The secret code is 42." in out and "chunks" in out and "Error" not in out


@needs_abi(1, "the sandbox")
def test_the_private_temp_dir_is_writable_and_is_tmpdir(sandboxed: dict[str, Any]) -> None:
    assert output_of(sandboxed, "temp-dir").strip() == "kept True"
    assert not os.path.exists(sandboxed["sandbox"]["temp_dir"])  # removed when the run ended


@needs_abi(1, "the sandbox")
def test_stdlib_modules_import_after_the_restriction(sandboxed: dict[str, Any]) -> None:
    assert output_of(sandboxed, "stdlib").strip() == "42 2.10 2024-01-02"


@needs_abi(1, "the sandbox")
def test_the_context_file_reads_by_path(sandboxed: dict[str, Any]) -> None:
    assert output_of(sandboxed, "context-by-path").strip() == "2"


@needs_abi(1, "the sandbox")
def test_asyncio_and_threads_work(sandboxed: dict[str, Any]) -> None:
    assert output_of(sandboxed, "asyncio-and-threads").strip() == "async ok 5"


@needs_abi(1, "the sandbox")
def test_llm_query_goes_through_the_pipes(sandboxed: dict[str, Any]) -> None:
    assert output_of(sandboxed, "llm-query").strip() == "hi from the sub-call"


# -- the control: without the sandbox the same probes succeed ---------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the probes read Linux's /proc")
def test_without_the_sandbox_the_probes_succeed(setting: dict[str, Any]) -> None:
    every = probes(key_file=setting["key_file"], outside=setting["outside"] / "off", port=setting["port"])
    (setting["outside"] / "off").mkdir()
    turns = {tag: every[tag] for tag in ("parent-environ", "home-key-file", "write-outside", "subprocess-cat",
                                         "udp-send")}
    off = run_loop(setting, turns, "off", "--sandbox", "off")
    assert off["answer"] == ANSWER
    assert FAKE_KEY in output_of(off, "parent-environ")
    assert FAKE_PRIVATE_KEY in output_of(off, "home-key-file")
    assert (setting["outside"] / "off" / "pwned.txt").exists()
    assert FAKE_PRIVATE_KEY in output_of(off, "subprocess-cat")
    assert output_of(off, "udp-send").strip() == "sent"
    assert setting["udp"].recv(64) == b"exfiltrated"
    assert off["sandbox"]["mode"] == "off"


# -- the session: restarts, memory cap, temp dir, strict ---------------------------------------------------


@needs_abi(1, "the sandbox")
def test_a_restarted_worker_is_sandboxed_again(tmp_path: Path) -> None:
    with ReplSession(None, llm_query=lambda p: "", exec_timeout=0.3, interrupt_grace=0.3) as repl:
        first = repl.pid
        # A C loop that ignores the interrupt: the driver kills the worker and starts a new one.
        lost = repl.execute("sum(range(10**12))")
        assert lost.restarted and lost.restart_reason == "timeout" and repl.pid != first
        out = repl.execute(f"open({str(tmp_path / 'x')!r}, 'w')").output
        assert "PermissionError" in out
        assert repl.sandbox_report["active"][:1] == ["files"]


@needs_abi(1, "the sandbox")
def test_memory_cap_still_raises_memory_error() -> None:
    with ReplSession(None, llm_query=lambda p: "", memory_limit_bytes=256 * 1024**2) as repl:
        r = repl.execute("x = bytearray(1024**3)")
        assert r.error_type == "MemoryError" and not r.restarted
        assert repl.execute("print('alive')").output == "alive\n"


@needs_abi(1, "the sandbox")
def test_output_of_subprocesses_is_still_captured() -> None:
    with ReplSession(None, llm_query=lambda p: "") as repl:
        out = repl.execute("import subprocess\nsubprocess.run(['echo', 'from a child'])").output
        assert "from a child" in out


def test_temp_dir_is_private_and_removed_on_close() -> None:
    repl = ReplSession(None, llm_query=lambda p: "")
    temp_dir = repl.sandbox_report["temp_dir"]
    assert os.stat(temp_dir).st_mode & 0o777 == 0o700
    assert repl.execute("import os\nprint(os.environ['TMPDIR'])").output.strip() == temp_dir
    repl.close()
    assert not os.path.exists(temp_dir)


def test_sandbox_off_starts_nothing_of_it() -> None:
    with ReplSession(None, llm_query=lambda p: "", sandbox="off") as repl:
        assert repl.sandbox_report == {"mode": "off"}
        assert "rlm-repl-" not in repl.execute("import tempfile\nprint(tempfile.gettempdir())").output


@needs_abi(6, "the full sandbox")
def test_strict_runs_where_everything_is_enforced() -> None:
    with ReplSession(None, llm_query=lambda p: "", sandbox="strict") as repl:
        assert repl.sandbox_report["missing_required"] == []
        assert repl.execute("print(1)").output == "1\n"


@pytest.mark.skipif(not sys.platform.startswith("linux") or ABI >= 6,
                    reason=f"this kernel (Landlock ABI {ABI}) has everything strict asks for")
def test_strict_refuses_where_protections_are_missing() -> None:
    with pytest.raises(SandboxError, match="--sandbox strict"):
        ReplSession(None, llm_query=lambda p: "", sandbox="strict")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_DUMPABLE is Linux's")
def test_the_driver_becomes_non_dumpable_only_with_the_sandbox() -> None:
    # In a fresh process: the flag is sticky, and this test process may already have set it.
    code = ("import ctypes\nfrom rlm.repl.session import ReplSession\n"
            "dumpable = lambda: ctypes.CDLL(None).prctl(3, 0, 0, 0, 0)\n"  # PR_GET_DUMPABLE
            "ReplSession(None, llm_query=str, sandbox='off').close(); a = dumpable()\n"
            "ReplSession(None, llm_query=str).close(); print(a, dumpable())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["1", "0"], done.stderr


# -- what the user is told ---------------------------------------------------------------------------------

FINAL_OK = block("FINAL(context[:2])")  # over a context "ok": read from it, so accepted at once


def replay(tmp_path: Path, *turns: str) -> str:
    path = tmp_path / "replay.json"
    path.write_text(json.dumps({"turns": list(turns)}))
    return f"replay:{path}"


@needs_abi(6, "the full sandbox")
def test_verbose_shows_the_sandbox_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rlm.cli import main

    assert main(["-t", "x", "-c", "ok", "--model", replay(tmp_path, FINAL_OK), "-v"]) == 0
    err = capsys.readouterr().err
    assert f"rlm: sandbox: landlock ABI {min(ABI, 10)} + seccomp: files, truncate, tcp" in err


def test_bad_sandbox_value_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    from rlm.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["-t", "x", "-c", "c", "--sandbox", "maybe"])
    assert stop.value.code == 2 and "invalid choice" in capsys.readouterr().err


def test_a_weak_sandbox_is_said_once_per_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import rlm.run_log
    import rlm.session
    from rlm.backends.replay import ReplayBackend
    from rlm.config import RLMConfig
    from rlm import rlm_generate

    weak = {"mode": "auto", "mechanism": "landlock", "abi": 3, "active": ["files", "truncate"],
            "missing_required": ["tcp", "signals"]}

    class OldKernelSession(ReplSession):  # what a Linux 6.2 machine reports
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.sandbox_report = dict(weak)

    monkeypatch.setattr(rlm.session, "ReplSession", OldKernelSession)  # where the REPL starts
    monkeypatch.setattr(rlm.run_log, "_SANDBOX_WARNED", set())
    for _ in range(2):
        r = rlm_generate(backend=ReplayBackend([FINAL_OK]), context="ok", task="x", config=RLMConfig())
        assert r.answer == "ok" and r.trajectory["sandbox"]["missing_required"] == ["tcp", "signals"]
    err = capsys.readouterr().err
    assert err.count("rlm: warning: sandbox: landlock ABI 3: files, truncate; NOT protected: tcp, signals") == 1


@needs_abi(1, "file rules")
def test_count_tokens_reads_the_tokenizer_file_and_nothing_beside_it(tmp_path: Path) -> None:
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace

    tok = Tokenizer(WordLevel({"secret": 0, "code": 1, "[UNK]": 2}, unk_token="[UNK]"))
    tok.pre_tokenizer = Whitespace()
    tok.save(str(tmp_path / "tokenizer.json"))
    (tmp_path / "config.json").write_text("{}")  # a model file next to it: not granted
    with ReplSession(None, llm_query=str, tokenizer_path=tmp_path / "tokenizer.json") as repl:
        assert repl.execute("count_tokens('secret code here')").output == "3\n"
        out = repl.execute(f"open({str(tmp_path / 'config.json')!r})").output
        assert "PermissionError" in out
