"""Model backends: `base` (protocol), `mlx` (in-process mlx-lm), `replay` (canned turns)."""
