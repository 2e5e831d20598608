"""Helpers for the viewer tests: real trajectories from replayed runs, and headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from rlm.backends.replay import ReplayBackend
from rlm.config import RLMConfig
from rlm import rlm_generate

# Model text that would mark the page if the browser ran it (the page's own script marks
# data-viewer="ready"; these must never show up).
INJECTED = ("<script>document.documentElement.setAttribute('data-pwned','script')</script>"
            "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">")


def block(code: str) -> str:
    return f"```python\n{code}\n```"


@pytest.fixture
def replay_run(tmp_path: Path):
    """`replay_run(turns, sub=None, context=..., task=..., **RLMConfig)` -> the trajectory path."""
    counter = iter(range(1000))

    def run(turns: list[str], sub: list[str] | None = None, *,
            context: str = "filler\n" * 50 + "The secret code is 42.\n",
            task: str = "Find the secret code", **config: Any) -> Path:
        path = tmp_path / f"run{next(counter)}.json"
        config.setdefault("exec_timeout", 10.0)
        rlm_generate(backend=ReplayBackend(turns, sub), context=context, task=task,
                     config=RLMConfig(**config), output_trajectory=path)
        return path

    return run


def chromium_binary() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("chromium is not installed: scripts/setup.sh --with-browser installs Debian's "
                    "`chromium` (apt-get); on a system without apt-get install it by hand")
    return found


class Browser:
    """Headless Chromium, one process per call (`--dump-dom`, `--screenshot`)."""

    def __init__(self, binary: str, profile: Path) -> None:
        self.binary = binary
        self.profile = profile

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        # --no-sandbox: Chromium's sandbox refuses to run as root (CI runs as root).
        cmd = [self.binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-extensions", "--hide-scrollbars", f"--user-data-dir={self.profile}",
               *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True)

    def dump_dom(self, page: Path) -> str:
        """The DOM after the page's scripts ran, serialised."""
        return self._run("--dump-dom", page.resolve().as_uri()).stdout

    def screenshot(self, page: Path, out: Path, width: int = 1100, height: int = 900) -> Path:
        self._run(f"--screenshot={out}", f"--window-size={width},{height}", page.resolve().as_uri())
        return out


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Browser:
    return Browser(chromium_binary(), tmp_path_factory.mktemp("chromium-profile"))


class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag, self.attrs, self.text = tag, attrs, ""

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


class DOM(HTMLParser):
    """A flat list of the document's elements, each with its attributes and all text inside it."""

    VOID = {"meta", "img", "br", "hr", "input", "link", "rect", "line"}

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = Element(tag, dict(attrs))
        self.elements.append(el)
        if tag not in self.VOID:
            self._open.append(el)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                del self._open[i:]
                break

    def handle_data(self, data: str) -> None:
        for el in self._open:
            el.text += data

    def find(self, tag: str | None = None, cls: str | None = None, id: str | None = None) -> list[Element]:
        return [e for e in self.elements if (tag is None or e.tag == tag)
                and (cls is None or cls in e.classes) and (id is None or e.attrs.get("id") == id)]

    def one(self, **kw: str) -> Element:
        found = self.find(**kw)
        assert len(found) == 1, f"expected one element {kw}, found {len(found)}"
        return found[0]
