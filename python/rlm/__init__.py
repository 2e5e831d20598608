"""mlx-rlm: Recursive Language Model inference on MLX with a Rust context toolkit.

>>> from rlm import rlm_generate, RLMConfig
>>> r = rlm_generate(context="The secret code is 42.", task="Find the secret code",
...                  config=RLMConfig(max_iterations=5))  # doctest: +SKIP
"""

# First of all: MLX binds its BLAS when it is first imported, so OpenBLAS must be loaded before
# any later `import mlx_lm` by the user (cheap; no MLX import; see rlm/_openblas.py).
from rlm import _openblas

_openblas.preload()

from rlm._core import Context, Tokenizer  # noqa: E402
from rlm.config import RLMConfig, RLMResponse, TokenUsage  # noqa: E402
from rlm.session import rlm_generate  # noqa: E402
from rlm.events import Event  # noqa: E402
from rlm.session import Session  # noqa: E402

__all__ = ["Context", "Event", "RLMConfig", "RLMResponse", "Session", "TokenUsage", "Tokenizer",
           "rlm_generate"]
__version__ = "0.1.0"
