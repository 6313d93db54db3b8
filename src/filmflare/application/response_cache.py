"""Cache-aside over the ``Cache`` port that never fails a request.

A cache that errors or times out is skipped: reads go to the backends and writes still
succeed. Entries live for their TTL with ±10 % jitter so that keys filled together do not
expire together.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Sequence

from filmflare.application.cache_keys import SEARCH_GENERATION, SEARCH_TTL, search_key
from filmflare.domain.errors import BackendUnavailable
from filmflare.ports.cache import Cache

log = logging.getLogger(__name__)


class ResponseCache:
    def __init__(self, cache: Cache) -> None:
        self._cache = cache

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        try:
            return await self._cache.get_many(keys)
        except BackendUnavailable as error:
            log.warning("cache read skipped: %s", error)
            return [None] * len(keys)

    async def put(
        self, key: str, value: bytes, ttl: float, guard: tuple[str, bytes | None]
    ) -> None:
        try:
            await self._cache.set(key, value, ttl * random.uniform(0.9, 1.1), guard)
        except BackendUnavailable as error:
            log.warning("cache write skipped: %s", error)

    async def invalidate(self, generation: str, keys: Sequence[str] = ()) -> None:
        """Bump ``generation`` first, then drop ``keys``: a reader that raced us stores nothing."""
        try:
            await self._cache.incr(generation)
            if keys:
                await self._cache.delete(keys)
        except BackendUnavailable as error:
            log.error("cache invalidation failed, entries may be stale until TTL: %s", error)

    async def search_answer(
        self, kind: str, identity: str, compute: Callable[[], Awaitable[bytes]]
    ) -> bytes:
        """An answer derived from the index, cached under the current search generation."""
        (generation,) = await self.get_many([SEARCH_GENERATION])
        key = search_key(kind, generation, identity)
        (cached,) = await self.get_many([key])
        if cached is not None:
            return cached
        body = await compute()
        await self.put(key, body, SEARCH_TTL, (SEARCH_GENERATION, generation))
        return body
