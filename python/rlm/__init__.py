"""mlx-rlm: Recursive Language Model inference on MLX with a Rust context toolkit."""

from rlm._core import Context

__all__ = ["Context"]
__version__ = "0.1.0"
