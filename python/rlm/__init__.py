"""mlx-rlm: Recursive Language Model inference on MLX with a Rust context toolkit.

>>> from rlm import rlm_generate, RLMConfig
>>> r = rlm_generate(context="The secret code is 42.", task="Find the secret code",
...                  config=RLMConfig(max_iterations=5))  # doctest: +SKIP
"""

from rlm._core import Context
from rlm.config import RLMConfig, RLMResponse, TokenUsage
from rlm.engine import rlm_generate
from rlm.events import Event

__all__ = ["Context", "Event", "RLMConfig", "RLMResponse", "TokenUsage", "rlm_generate"]
__version__ = "0.1.0"
