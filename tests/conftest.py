"""Fixtures shared by every test directory."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Callable

import pytest


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def sigint_default() -> Callable[[], None]:
    """`preexec_fn` for a child a test sends SIGINT to: SIGINT back to its default action.

    A test run started with SIGINT ignored (a background job of a non-interactive shell, some CI
    runners) passes that on to its children, and Python then installs no KeyboardInterrupt
    handler: a child expected to stop on Ctrl-C would not.
    """
    return _default_sigint


def _rss_anon() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no RssAnon line")


@pytest.fixture
def rss_anon() -> Callable[[], int]:
    """This process's private memory in bytes (`RssAnon`: Linux /proc; mapped file pages are not
    in it). Tests that use it skip elsewhere."""
    return _rss_anon


@pytest.fixture
def logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory of logs and a config for `--context-glob` tests (the cwd during the test):
    nested, hidden and binary files, and a directory named like a log."""
    files = {
        "logs/app.log": "start\nERROR disk full\n",
        "logs/old/app.1.log": "ERROR timeout\n",
        "logs/.hidden.log": "ERROR hidden\n",
        "logs/core.log": b"\x7fELF\x00\x00",
        "conf/app.yaml": "retries: 3",
        "logs/dir.log/inner.txt": "a directory named like a log\n",
    }
    for rel, data in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data)
    monkeypatch.chdir(tmp_path)  # the globs are relative, as on a command line
    return tmp_path
