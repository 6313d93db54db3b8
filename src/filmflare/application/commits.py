"""What follows every committed write: the cached reads of the movies it changed are retired
and the indexer is woken, as one unit that a cancellation of the caller (a server shutting
down, a client gone) cannot split. A store may commit a write whose caller has gone, and what
follows it must still happen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from filmflare.application.cache_keys import movie_generation
from filmflare.application.indexer import Indexer
from filmflare.application.response_cache import ResponseCache

T = TypeVar("T")


class Commits:
    def __init__(self, cache: ResponseCache, indexer: Indexer) -> None:
        self._cache = cache
        self._indexer = indexer

    async def run(self, write: Callable[[], Awaitable[T]], changed: Iterable[str] = ()) -> T:
        """``write()``, then retire the cached reads of the ``changed`` movie ids (a new
        movie has none) and wake the indexer."""
        generations = {movie_generation(movie_id) for movie_id in changed}

        async def unit() -> T:
            done = await write()
            await asyncio.gather(*(self._cache.invalidate(g) for g in generations))
            self._indexer.wake()
            return done

        return await asyncio.shield(unit())
