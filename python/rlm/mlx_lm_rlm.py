"""`mlx_lm.rlm`: this package's API under the seed's import path (see `rlm.mlx_lm_alias`).

    from mlx_lm import load
    from mlx_lm.rlm import rlm_generate, RLMConfig

Import `rlm` (or `mlx_lm.rlm`) before `mlx_lm` on Linux: MLX binds its BLAS when it is first
imported, and `rlm` loads the system OpenBLAS for it (about 17x faster prefill on a CPU).
`python -m mlx_lm.rlm ...` runs the command line, like the `mlx_lm.rlm` console script.
"""

from rlm import Context, Event, RLMConfig, RLMResponse, TokenUsage, rlm_generate
from rlm.cli import main

__all__ = ["Context", "Event", "RLMConfig", "RLMResponse", "TokenUsage", "main", "rlm_generate"]

if __name__ == "__main__":
    raise SystemExit(main())
