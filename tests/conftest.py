"""Fixtures shared by every test directory."""

from __future__ import annotations

import signal
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
