"""The read-modify-write every change to an existing movie goes through.

With a precondition, the stored version must satisfy it, and a concurrent write in between is
a conflict (412). Without one, the change re-applies to whatever is current until it lands,
so concurrent unconditional changes never lose an update.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TypeVar

from filmflare.application.cache_keys import movie_generation
from filmflare.application.indexer import Indexer
from filmflare.application.response_cache import ResponseCache
from filmflare.domain.errors import MovieNotFound, VersionConflict
from filmflare.domain.movie import Movie, MovieData
from filmflare.domain.preconditions import VersionMatch
from filmflare.ports.clock import Clock
from filmflare.ports.repository import MovieRepository

MAX_ATTEMPTS = 50
T = TypeVar("T")


class Reviser:
    def __init__(
        self,
        repository: MovieRepository,
        cache: ResponseCache,
        indexer: Indexer,
        clock: Clock,
    ) -> None:
        self._repository = repository
        self._cache = cache
        self._indexer = indexer
        self._clock = clock

    async def revise(
        self,
        movie_id: str,
        precondition: VersionMatch | None,
        change: Callable[[MovieData], MovieData],
    ) -> Movie:
        for attempt in range(MAX_ATTEMPTS):
            current = await self._repository.get(movie_id)
            if current is None:
                raise MovieNotFound(movie_id)
            if precondition is not None:
                precondition.check(movie_id, current.version)
            revised = current.revise(change(current.data), self._clock.now())
            try:
                await self.committed(movie_id, partial(self._repository.replace, revised, current))
            except VersionConflict:
                if precondition is not None:
                    raise
                await asyncio.sleep(random.uniform(0, 0.002 * (attempt + 1)))
                continue
            return revised
        raise VersionConflict(movie_id, None, None)

    async def committed(self, movie_id: str, write: Callable[[], Awaitable[T]]) -> T:
        """``write()``, then retire the movie's cached reads and wake the indexer, as one unit
        that a cancellation of the caller (a server shutting down) cannot split: a store may
        commit a write whose caller has gone, and its invalidation must follow it."""

        async def unit() -> T:
            done = await write()
            await self._cache.invalidate(movie_generation(movie_id))
            self._indexer.wake()
            return done

        return await asyncio.shield(unit())
