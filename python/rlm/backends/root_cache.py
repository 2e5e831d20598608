"""The root conversation's KV cache, with the shape of mlx-lm's `LRUPromptCache`.

The root conversation only grows, so one prompt cache is kept across `generate` calls:
`fetch_nearest_cache(tokens)` gives it back trimmed to its longest common prefix with `tokens`,
with the tokens still to prefill, and `insert_cache(tokens, cache)` records what it has seen after
generating. mlx-lm's `LRUPromptCache` (mlx_lm/models/cache.py) keeps many entries in a trie and
deep-copies them on fetch; the root needs one entry, used in place, so there is no copy.

Two things it adds: a rotating cache (`max_kv_size`) keeps the system prompt's tokens and, once it
has wrapped (it cannot be trimmed then), restarts from the system prompt plus as much of the recent
conversation as its window holds; and with a model `identity`, a cache started from nothing loads
the system prompt's KV from disk (backends/_prefix_cache.py) instead of prefilling it.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from rlm import _openblas

_openblas.preload()  # must come before the first `import mlx` (see _openblas)

from mlx_lm.models.cache import (  # noqa: E402
    RotatingKVCache,
    can_trim_prompt_cache,
    make_prompt_cache,
    trim_prompt_cache,
)

from rlm.backends import _prefix_cache  # noqa: E402
from rlm.errors import BackendError  # noqa: E402

__all__ = ["RootPromptCache", "common_prefix"]

DEFAULT_KEEP = 4  # mlx-lm's own default when the system prompt's length is unknown


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    """Length of the longest common prefix of two token lists.

    Example: `common_prefix([1, 2, 3], [1, 2, 4])` → 2.
    """
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


class RootPromptCache:
    """One KV cache for a conversation that grows, and the tokens it has seen.

    `system_tokens` (passed to `fetch_nearest_cache`) says how many leading tokens render the
    system prompt, or None without one; it is called only when a new cache starts.

    Example:
        >>> root = RootPromptCache(model)  # doctest: +SKIP
        >>> cache, feed, computed = root.fetch_nearest_cache(ids, lambda: keep)  # doctest: +SKIP
        >>> ...  # generate from `feed` into `cache`, producing `generated`  # doctest: +SKIP
        >>> root.insert_cache(ids + generated, cache)  # doctest: +SKIP
    """

    def __init__(self, model: Any, *, max_kv_size: int | None = None, identity: str | None = None) -> None:
        self.model = model
        self.max_kv_size = max_kv_size
        self.identity = identity  # the model's on-disk cache key (None: no disk cache)
        self.keep = 0  # tokens a rotating cache never evicts (the system prompt)
        self._cache: list[Any] | None = None
        self._tokens: list[int] = []  # the token sequence the cache has seen, in order
        self._skipped = 0  # tokens of _tokens never fed (cut out when a rotating cache restarted)

    def clear(self) -> None:
        """Forget the cache (the next fetch starts from nothing).

        Example: `root.clear()` after an interrupted generation.
        """
        self._cache, self._tokens, self._skipped = None, [], 0

    def fetch_nearest_cache(
        self, tokens: list[int], system_tokens: Callable[[], int | None]
    ) -> tuple[list[Any], list[int], int]:
        """The cache trimmed to its common prefix with `tokens`, the tokens still to feed (at
        least one: its logits give the first generated token), and how many system-prompt tokens
        were prefilled to build it (0 unless a new cache had to compute them).

        Example: `cache, feed, computed = root.fetch_nearest_cache(ids, lambda: 570)`.
        """
        computed = 0
        if self._cache is not None and not self._in_step(self._cache):
            self.clear()  # out of step with what we recorded: never reuse it
        if self._cache is None:
            self._cache = self._new(system_tokens)
            if self.identity is not None and self.max_kv_size is None:
                keep = system_tokens()
                if keep is not None and 0 < keep < len(tokens):
                    self._cache, computed = _prefix_cache.load_or_build(
                        self.model, self.identity, tokens[:keep]
                    )
                    self._tokens = tokens[:keep]
        cache = self._cache
        common = min(common_prefix(self._tokens, tokens), len(tokens) - 1)
        excess = len(self._tokens) - common
        if excess > 0:
            if can_trim_prompt_cache(cache) and trim_prompt_cache(cache, excess) == excess:
                del self._tokens[common:]
            else:
                # A rotating cache that has wrapped cannot be trimmed: start a new one holding the
                # system prompt and as much of the recent conversation as its window keeps anyway.
                self._cache = cache = self._new(system_tokens)
                room = self.max_kv_size - self.keep - 1 if self.max_kv_size else len(tokens)
                if len(tokens) > self.keep + room:
                    self._skipped = len(tokens) - self.keep - room
                    return cache, tokens[: self.keep] + tokens[-room:], computed
                return cache, tokens, computed
        return cache, tokens[common:], computed

    def insert_cache(self, tokens: list[int], cache: list[Any]) -> None:
        """Record that `cache` has now seen `tokens` (the prompt plus every generated token).

        A cache whose offset disagrees is dropped: every yielded token, the EOS included, has
        been fed (mlx-lm computes the next step before yielding), and the check guards against a
        future mlx-lm that does otherwise.
        Example: `root.insert_cache(ids + generated, cache)`.
        """
        self._cache, self._tokens = cache, list(tokens)
        if not self._in_step(cache):
            self.clear()

    def _new(self, system_tokens: Callable[[], int | None]) -> list[Any]:
        self._tokens, self._skipped = [], 0
        if self.max_kv_size is None:
            return make_prompt_cache(self.model)
        keep = system_tokens()
        self.keep = DEFAULT_KEEP if keep is None else keep
        if self.keep >= self.max_kv_size - 1:
            raise BackendError(
                f"--max-kv-size {self.max_kv_size} is smaller than the system prompt "
                f"({self.keep} tokens): raise it"
            )
        return [RotatingKVCache(max_size=self.max_kv_size, keep=self.keep) for _ in self.model.layers]

    def _in_step(self, cache: list[Any]) -> bool:
        """Whether the cache has seen exactly the tokens recorded in `_tokens`."""
        return bool(cache[0].offset == len(self._tokens) - self._skipped)
