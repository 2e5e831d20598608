"""-f paths that are not regular files (a pipe, a FIFO, /dev/stdin, /dev/fd/N from `<(...)`): the
driver reads them once, as it reads stdin, and the REPL worker maps that copy."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from rlm._core import Context
from rlm.inputs import open_context

# The context's length and its last number: a worker that read an empty or different text says so.
ANSWER = "```python\nFINAL(f\"{len(context)} {re.findall(r'[0-9]+', context)[-1]}\")\n```"
TEXT = "The secret code is 4242.\n"

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="pipes and FIFOs by path")


def rlm_command(model: str, *argv: str) -> list[str]:
    return [sys.executable, "-m", "rlm", "-t", "Find the code", "--model", f"replay:{model}", *argv]


def run(argv: list[str], *, input: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, input=input, timeout=timeout)


@posix_only
def test_dev_stdin_reads_the_piped_text(replay_file) -> None:
    done = run(rlm_command(replay_file([ANSWER]), "-f", "/dev/stdin"), input=TEXT)
    assert (done.returncode, done.stdout) == (0, f"{len(TEXT)} 4242\n"), done.stderr


@posix_only
def test_process_substitution_is_read_by_the_driver(tmp_path: Path, replay_file) -> None:
    out = tmp_path / "run.json"
    command = shlex.join(rlm_command(replay_file([ANSWER]), "-o", str(out)))
    done = run(["bash", "-c", f"{command} -f <(printf '{TEXT.strip()}\\n')"])
    assert (done.returncode, done.stdout) == (0, f"{len(TEXT)} 4242\n"), done.stderr
    described = json.loads(out.read_text())["context"]
    assert described["source"] == "stream" and described["path"].startswith("/dev/fd/")
    assert described["bytes"] == len(TEXT)


@posix_only
def test_a_fifo_whose_writer_closes_is_read_to_its_end(tmp_path: Path, replay_file) -> None:
    fifo = tmp_path / "context.fifo"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "w", encoding="utf-8") as f:  # blocks until rlm opens the FIFO
            f.write(TEXT)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    done = run(rlm_command(replay_file([ANSWER]), "-f", str(fifo)), timeout=60)
    writer.join(timeout=5)
    assert (done.returncode, done.stdout) == (0, f"{len(TEXT)} 4242\n"), done.stderr


@posix_only
@pytest.mark.slow
def test_a_pipe_of_hundreds_of_megabytes_reaches_the_worker_whole(replay_file) -> None:
    filler_bytes = 300 * 1024**2  # "filler line\n" has no digits: the code is the last number
    command = shlex.join(rlm_command(replay_file([ANSWER])))
    producer = f"{{ yes 'filler line' | head -c {filler_bytes}; printf '{TEXT.strip()}\\n'; }}"
    done = run(["bash", "-c", f"{command} -f <({producer})"])
    assert (done.returncode, done.stdout) == (0, f"{filler_bytes + len(TEXT)} 4242\n"), done.stderr


@posix_only
def test_a_character_device_is_read_once(tmp_path: Path, replay_file) -> None:
    out = tmp_path / "run.json"
    done = run(rlm_command(replay_file(["```python\nFINAL(len(context))\n```"]), "-f", "/dev/null",
                           "-o", str(out)))
    assert (done.returncode, done.stdout) == (0, "0\n"), done.stderr
    assert json.loads(out.read_text())["context"]["source"] == "stream"


@posix_only
def test_open_context_copies_a_pipe_and_deletes_the_copy(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, TEXT.encode())
    os.close(write_end)
    with open_context(Path(f"/dev/fd/{read_end}")) as opened:
        assert (opened.source, opened.temporary, opened.context[:]) == ("stream", True, TEXT)
        assert Path(opened.path).read_text() == TEXT  # a file the worker can map
        copy = opened.path
    os.close(read_end)
    assert not os.path.exists(copy)


@posix_only
def test_a_context_opened_from_a_pipe_is_saved_for_the_worker(tmp_path: Path) -> None:
    fifo = tmp_path / "context.fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text(TEXT), daemon=True)
    writer.start()
    context = Context.open(str(fifo))
    writer.join(timeout=5)
    with open_context(context) as opened:
        assert opened.path != str(fifo) and opened.temporary
        assert Path(opened.path).read_text() == TEXT
