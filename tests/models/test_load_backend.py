"""load_backend's failures are one line that says what to do next."""

from __future__ import annotations

from pathlib import Path

import pytest

from rlm.errors import BackendError


def test_hub_id_that_cannot_be_fetched_names_the_offline_route() -> None:
    from rlm.backends.loading import load_backend

    with pytest.raises(BackendError) as info:
        load_backend("rlm-tests-nonexistent-org/no-such-model")
    message = str(info.value)
    assert "rlm models install" in message and "\n" not in message


def test_directory_without_a_model_is_a_backend_error(tmp_path: Path) -> None:
    from rlm.backends.loading import load_backend

    with pytest.raises(BackendError, match="cannot load the model in"):
        load_backend(str(tmp_path))
