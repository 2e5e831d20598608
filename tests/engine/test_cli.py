"""The command line: answers on stdout, one-line errors, exit codes 0/1/2/130, stdin, -o, --json."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Any

import pytest

from rlm.cli import main

FINAL_42 = "```python\nFINAL(re.findall(r'\\d+', context)[0])\n```"


def cli(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_cli(*argv: str, stdin: Any = subprocess.DEVNULL, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rlm", *argv], stdin=stdin, capture_output=True,
                          text=True, timeout=120, **kw)


def one_error_line(err: str, *fragments: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("rlm: error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


# -- answering ----------------------------------------------------------------------------------------


def test_answer_alone_on_stdout(capsys, replay_file) -> None:
    model = replay_file([FINAL_42])
    code, out, err = cli(capsys, "-t", "Find the code", "-c", "code: 42", "--model", f"replay:{model}")
    assert (code, out, err) == (0, "42\n", "")


def test_context_file(tmp_path: Path, capsys, replay_file) -> None:
    f = tmp_path / "notes.txt"
    f.write_text("The code is 7.\n")
    code, out, _ = cli(capsys, "-t", "code?", "-f", str(f), "--model", f"replay:{replay_file([FINAL_42])}")
    assert (code, out) == (0, "7\n")


def test_stdin_is_read_when_piped(replay_file) -> None:
    done = run_cli("-t", "Find the code", "--model", f"replay:{replay_file([FINAL_42])}",
                   input="The secret code is 1234.\n", stdin=None)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "1234\n"


def test_json_prints_the_whole_response(capsys, replay_file) -> None:
    model = replay_file(["```python\nprint(1)\n```", FINAL_42])
    code, out, _ = cli(capsys, "-t", "x", "-c", "code 5", "--model", f"replay:{model}", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["answer"] == "5" and data["iterations"] == 2 and data["exhausted"] is False
    assert data["total_tokens"] == data["tokens"]["total"] > 0
    assert data["trajectory"]["status"] == "answered"


def test_empty_context_is_allowed(capsys, replay_file) -> None:
    model = replay_file(["```python\nFINAL(len(context))\n```"])
    assert cli(capsys, "-t", "x", "-c", "", "--model", f"replay:{model}")[:2] == (0, "0\n")


def test_output_trajectory(tmp_path: Path, capsys, replay_file) -> None:
    out = tmp_path / "run.json"
    cli(capsys, "-t", "x", "-c", "code 5", "--model", f"replay:{replay_file([FINAL_42])}", "-o", str(out))
    assert json.loads(out.read_text())["answer"] == "5"


def test_options_reach_the_config(tmp_path: Path, capsys, replay_file) -> None:
    out = tmp_path / "run.json"
    cli(capsys, "-t", "x", "-c", "c 1", "--model", f"replay:{replay_file([FINAL_42])}", "-o", str(out),
        "--max-iterations", "3", "-m", "100", "--temp", "0.5", "--top-p", "0.9", "--top-k", "40",
        "--seed", "7", "--max-kv-size", "2048", "--timeout", "9", "--max-llm-calls", "4",
        "--max-output-chars", "999", "--encoding-errors", "replace", "--max-time", "30")
    config = json.loads(out.read_text())["config"]
    assert config == {**config, "max_iterations": 3, "max_tokens_per_turn": 100, "temp": 0.5,
                      "top_p": 0.9, "top_k": 40, "seed": 7, "max_kv_size": 2048, "exec_timeout": 9.0,
                      "max_llm_calls": 4, "max_output_chars": 999, "encoding_errors": "replace",
                      "max_time": 30.0}


# -- failed runs: exit 1 ------------------------------------------------------------------------------


def test_exhausted_without_answer_exits_1(capsys, replay_file) -> None:
    model = replay_file(["```python\nprint(1)\n```", "```python\nprint(2)\n```"])
    code, out, err = cli(capsys, "-t", "x", "-c", "c", "--model", f"replay:{model}", "--max-iterations", "1")
    assert code == 1 and out == ""
    one_error_line(err, "budget exhausted", "max_iterations (1)")


def test_exhausted_with_json_still_prints_the_response(capsys, replay_file) -> None:
    model = replay_file(["```python\nprint(1)\n```", "```python\nprint(2)\n```"])
    code, out, _ = cli(capsys, "-t", "x", "-c", "c", "--model", f"replay:{model}", "--max-iterations",
                       "1", "--json")
    assert code == 1
    assert json.loads(out)["exhausted"] is True


def test_backend_failure_exits_1(capsys, replay_file) -> None:
    code, _, err = cli(capsys, "-t", "x", "-c", "c", "--model", f"replay:{replay_file([])}")
    assert code == 1
    one_error_line(err, "ran out of turns")


# -- usage and input errors: exit 2, one line ---------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["-c", "x"], "--task"),
        (["-t", "x", "-c", "a", "-f", "b"], "not allowed with"),
        (["-t", "x", "-c", "a", "--max-iterations", "0"], "above 0"),
        (["-t", "x", "-c", "a", "--max-tokens", "many"], "whole number"),
        (["-t", "x", "-c", "a", "--timeout", "-1"], "above 0"),
        (["-t", "x", "-c", "a", "--temp", "hot"], "invalid float"),
        (["-t", "x", "-c", "a", "--encoding-errors", "ignore"], "invalid choice"),
        (["-t", "x", "-c", "a", "--bogus"], "unrecognized"),
    ],
)
def test_bad_options_exit_2(capsys, argv: list[str], fragment: str) -> None:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    one_error_line(capsys.readouterr().err, fragment)


def test_bad_top_p_exits_2(capsys) -> None:
    code, _, err = cli(capsys, "-t", "x", "-c", "a", "--top-p", "1.5", "--model", "replay:/none")
    assert code == 2
    one_error_line(err, "top_p")


def test_empty_task_exits_2(capsys) -> None:
    code, _, err = cli(capsys, "-t", "  ", "-c", "a", "--model", "replay:/none")
    assert code == 2
    one_error_line(err, "task is empty")


def test_missing_file_exits_2(tmp_path: Path, capsys) -> None:
    code, _, err = cli(capsys, "-t", "x", "-f", str(tmp_path / "nope.txt"), "--model", "replay:/none")
    assert code == 2
    one_error_line(err, "not found", "nope.txt")


def test_a_directory_is_a_tree_context(tmp_path: Path, capsys, replay_file) -> None:
    tree = tmp_path / "tree"  # not tmp_path itself: the replay file goes there
    (tree / "src").mkdir(parents=True)
    (tree / "src" / "vault.py").write_text("x = 1\nCODE = 'the code is 42'\n")
    (tree / "logo.png").write_bytes(b"\x89PNG\x00\x00")
    model = replay_file(["```python\nFINAL(repr(context.file_of(context.find('the code'))))\n```"])
    code, out, err = cli(capsys, "-t", "Find the code", "-f", str(tree), "--model",
                         f"replay:{model}", "--json")
    assert code == 0, err
    response = json.loads(out)
    assert response["answer"] == "('src/vault.py', 2)"
    assert response["trajectory"]["context"]["source"] == "tree"
    assert response["trajectory"]["context"]["files"] == 1
    first = response["trajectory"]["first_message"]
    assert "1 file, each after a line `# FILE: relative/path`" in first
    assert "Left out: 1 binary file (logo.png)." in first
    assert "# FILE: src/vault.py" not in first  # a tree is described, not previewed


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_exits_2(tmp_path: Path, capsys) -> None:
    f = tmp_path / "secret.txt"
    f.write_text("x")
    f.chmod(0)
    code, _, err = cli(capsys, "-t", "x", "-f", str(f), "--model", "replay:/none")
    assert code == 2
    one_error_line(err, "cannot read", "ermission denied")


def test_invalid_utf8_exits_2_naming_the_offset(tmp_path: Path, capsys) -> None:
    f = tmp_path / "bin.txt"
    f.write_bytes(b"good text\xff\xfe more")
    code, _, err = cli(capsys, "-t", "x", "-f", str(f), "--model", "replay:/none")
    assert code == 2
    one_error_line(err, "9", "--encoding-errors replace")


def test_invalid_utf8_with_replace_proceeds(tmp_path: Path, capsys, replay_file) -> None:
    f = tmp_path / "bin.txt"
    f.write_bytes(b"code \xff 77")
    model = replay_file(["```python\nFINAL(re.findall(r'\\d+', context)[0] + str('\\ufffd' in context))\n```"])
    code, out, _ = cli(capsys, "-t", "x", "-f", str(f), "--model", f"replay:{model}",
                       "--encoding-errors", "replace")
    assert (code, out) == (0, "77True\n")


def test_bad_replay_file_exits_2(tmp_path: Path, capsys) -> None:
    code, _, err = cli(capsys, "-t", "x", "-c", "a", "--model", f"replay:{tmp_path / 'none.json'}")
    assert code == 2
    one_error_line(err, "replay file not found")


def test_unwritable_trajectory_path_exits_2(tmp_path: Path, capsys, replay_file) -> None:
    code, _, err = cli(capsys, "-t", "x", "-c", "a", "--model", f"replay:{replay_file([FINAL_42])}",
                       "-o", str(tmp_path / "no" / "such" / "dir.json"))
    assert code == 2
    one_error_line(err, "cannot write the trajectory")


def test_traceback_only_with_verbose(tmp_path: Path, capsys) -> None:
    missing = str(tmp_path / "nope.txt")
    _, _, quiet = cli(capsys, "-t", "x", "-f", missing, "--model", "replay:/none")
    _, _, loud = cli(capsys, "-t", "x", "-f", missing, "--model", "replay:/none", "-v")
    assert "Traceback" not in quiet
    assert "Traceback" in loud and loud.strip().endswith(quiet.strip())


def test_no_context_at_all_exits_2() -> None:
    import pty

    primary, secondary = pty.openpty()  # stdin is a terminal: nothing is piped
    try:
        done = run_cli("-t", "x", "--model", "replay:/none", stdin=secondary)
    finally:
        os.close(primary)
        os.close(secondary)
    assert done.returncode == 2
    one_error_line(done.stderr, "no context")


# -- verbose, Ctrl-C, subcommands ---------------------------------------------------------------------


def test_verbose_streams_turns_to_stderr(capsys, replay_file) -> None:
    model = replay_file(["```python\nprint('seen it')\n```", FINAL_42])
    code, out, err = cli(capsys, "-t", "x", "-c", "c 3", "--model", f"replay:{model}", "-v")
    assert (code, out) == (0, "3\n")
    assert err.index("turn 1") < err.index("print('seen it')") < err.index("seen it\n") < err.index("turn 2")


@pytest.mark.parametrize(("sig", "code", "said"), [(signal.SIGINT, 130, "interrupted"),
                                                  (signal.SIGTERM, 143, "terminated")])
def test_ctrl_c_and_sigterm_stop_cleanly_and_write_the_trajectory(
        tmp_path: Path, replay_file, sigint_default, sig: int, code: int, said: str) -> None:
    out = tmp_path / "run.json"
    model = replay_file(["```python\nprint('started')\n```", "```python\nimport time\ntime.sleep(60)\n```"])
    proc = subprocess.Popen([sys.executable, "-m", "rlm", "-t", "x", "-c", "c", "--model",
                             f"replay:{model}", "-o", str(out)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=sigint_default)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait until turn 2's code is running
            try:
                if len(json.loads(out.read_text())["iterations"]) == 1:
                    break
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.05)
        time.sleep(0.5)
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, stderr
    assert stdout == "" and said in stderr
    t = json.loads(out.read_text())
    assert t["status"] == "interrupted"
    assert len(t["iterations"]) == 2 and t["iterations"][1]["code"].startswith("import time")


@pytest.mark.parametrize("name", ["models", "eval"])
def test_subcommands_get_the_rest_of_the_command_line(monkeypatch, name: str) -> None:
    seen: list[list[str]] = []
    fake = types.ModuleType(f"rlm.{name}.cli")
    fake.main = lambda argv: seen.append(argv) or 3  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, f"rlm.{name}.cli", fake)
    assert main([name, "list", "--json"]) == 3
    assert seen == [["list", "--json"]]
