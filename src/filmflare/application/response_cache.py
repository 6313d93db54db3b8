"""Cache-aside over the ``Cache`` port that never fails a request.

Every answer is cached under a generation (``cache_keys``): ``read`` finds it, ``answer``
returns it or computes and stores it, ``invalidate`` retires every answer of a generation.
A cache that errors or times out is skipped: reads go to the backends and writes still
succeed. Entries live for their TTL with ±10 % jitter so that keys filled together do not
expire together.

Single flight: concurrent misses of one key in this process compute once and share the
answer, so an expired popular key does not send every waiting request to the backends. A
flight is named by the key and the generation its callers read, so a reader that started
after a write (and so saw the bumped generation) never joins a flight that may have read the
store before it.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

from filmflare.domain.errors import BackendUnavailable
from filmflare.ports.cache import Cache

log = logging.getLogger(__name__)
Flight = tuple[str, bytes | None]


class Lookup(NamedTuple):
    """What one read of the cache found: the answer (None on a miss), the generation it was
    read at, and whether the cache answered at all. (A tuple: one is made for every cached
    read, and a frozen dataclass costs several times as much to make.)"""

    answer: bytes | None
    generation: bytes | None
    answered: bool


UNANSWERED = Lookup(None, None, answered=False)


class ResponseCache:
    """``coalesce`` turns single flight on; only for a cache whose generations move (not
    ``NoCache``), since they are what keeps a flight from outliving a write."""

    def __init__(self, cache: Cache, coalesce: bool = False) -> None:
        self._cache = cache
        self._coalesce = coalesce
        self._flights: dict[Flight, asyncio.Future[bytes]] = {}

    async def read(self, key: str, generation: str) -> Lookup:
        """What is cached at ``key`` under ``generation``'s current value. A cache that does
        not answer is a quiet miss here: ``answer`` reports it as it fills."""
        try:
            seen, answer = await self._cache.read(key, generation)
        except BackendUnavailable as error:
            log.debug("cache read skipped: %s", error)
            return UNANSWERED
        return Lookup(answer, seen, answered=True)

    async def answer(
        self,
        key: str,
        generation: str,
        ttl: float,
        compute: Callable[[], Awaitable[bytes]],
        seen: Lookup | None = None,
    ) -> bytes:
        """The answer cached at ``key``, or ``compute()``'s, stored under the generation it
        was read at (not stored if a bump came first). ``seen``: what ``read`` has just found,
        when the caller has read it already."""
        if seen is None:
            seen = await self.read(key, generation)
            if not seen.answered:
                log.warning("cache read skipped: the cache does not answer")
        if seen.answer is not None:
            return seen.answer
        read_at = seen.generation

        async def fill() -> bytes:
            body = await compute()
            try:
                jittered = ttl * random.uniform(0.9, 1.1)
                await self._cache.write(key, body, jittered, generation, read_at)
            except BackendUnavailable as error:
                log.warning("cache write skipped: %s", error)
            return body

        return await self._once((key, read_at) if seen.answered else None, fill)

    async def invalidate(self, generation: str) -> None:
        """Retire every answer cached under ``generation``, in every process."""
        try:
            await self._cache.bump(generation)
        except BackendUnavailable as error:
            log.error("cache invalidation failed, entries may be stale until TTL: %s", error)

    async def _once(self, flight: Flight | None, compute: Callable[[], Awaitable[bytes]]) -> bytes:
        """``compute()``, shared with the concurrent callers of the same ``flight``.

        ``flight`` is (key, generation read); None computes alone, as when the cache did not
        answer and no generation says whether a running flight is still current. The
        computation runs in its own task, so a caller that goes away does not cancel it for
        the others.
        """
        if flight is None or not self._coalesce:
            return await compute()
        running = self._flights.get(flight)
        if running is None:
            running = asyncio.ensure_future(compute())
            self._flights[flight] = running
            running.add_done_callback(lambda done: self._land(flight, done))
        return await asyncio.shield(running)

    def _land(self, flight: Flight, done: asyncio.Future[Any]) -> None:
        if self._flights.get(flight) is done:
            del self._flights[flight]
