"""Cache-aside over the ``Cache`` port that never fails a request.

A cache that errors or times out is skipped: reads go to the backends and writes still
succeed. Entries live for their TTL with ±10 % jitter so that keys filled together do not
expire together.

Single flight (``once``): concurrent misses of one key in this process compute once and
share the answer, so an expired popular key does not send every waiting request to the
backends. A flight is named by the key and the generation its callers read, so a reader
that started after a write (and so saw the bumped generation) never joins a flight that
may have read the store before it.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from filmflare.application.cache_keys import (
    SEARCH_GENERATION,
    SEARCH_TTL,
    search_key_parts,
)
from filmflare.domain.errors import BackendUnavailable
from filmflare.ports.cache import Cache

log = logging.getLogger(__name__)
T = TypeVar("T")
Flight = tuple[str, bytes | None]


@dataclass(frozen=True, slots=True)
class AnswerKey:
    """Where ``search_answer`` caches one answer, less the search generation. It depends on
    the request alone, never on the catalog, so a caller may remember it per request."""

    head: str
    tail: str

    @classmethod
    def of(cls, kind: str, identity: str) -> AnswerKey:
        head, tail = search_key_parts(kind, identity)
        return cls(head, tail)


@dataclass(frozen=True, slots=True)
class Lookup:
    """What one read of the cache found for an ``AnswerKey``: the answer (None on a miss), the
    search generation it was read at, and whether the cache answered at all."""

    answer: bytes | None
    generation: bytes | None
    answered: bool

    def key(self, key: AnswerKey) -> str:
        return f"{key.head}{(self.generation or b'0').decode()}{key.tail}"


UNANSWERED = Lookup(None, None, answered=False)


class ResponseCache:
    """``coalesce`` turns single flight on; only for a cache whose generations can be read
    back (not ``NoCache``), since they are what keeps a flight from outliving a write."""

    def __init__(self, cache: Cache, coalesce: bool = False) -> None:
        self._cache = cache
        self._coalesce = coalesce
        self._flights: dict[Flight, asyncio.Future[Any]] = {}

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return await self.lookup(keys) or [None] * len(keys)

    async def lookup(self, keys: Sequence[str]) -> list[bytes | None] | None:
        """Like ``get_many``, but None when the cache did not answer."""
        try:
            return await self._cache.get_many(keys)
        except BackendUnavailable as error:
            log.warning("cache read skipped: %s", error)
            return None

    async def cached(self, key: str) -> bytes | None:
        """The entry at ``key``, or None: a miss, or a cache that does not answer (quietly:
        the caller then takes the path that reads through, which reports it)."""
        try:
            (found,) = await self._cache.get_many([key])
        except BackendUnavailable as error:
            log.debug("cache read skipped: %s", error)
            return None
        return found

    async def cached_answer(self, key: AnswerKey) -> Lookup:
        """What ``search_answer`` cached for ``key`` at the current search generation; the
        generation and the answer are read in one round trip. A cache that does not answer is
        reported by ``search_answer`` as it fills."""
        try:
            generation, answer = await self._cache.get_at_generation(
                SEARCH_GENERATION, key.head, key.tail
            )
        except BackendUnavailable as error:
            log.debug("cache read skipped: %s", error)
            return UNANSWERED
        return Lookup(answer, generation, answered=True)

    async def once(self, flight: Flight | None, compute: Callable[[], Awaitable[T]]) -> T:
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
        return cast(T, await asyncio.shield(running))

    def _land(self, flight: Flight, done: asyncio.Future[Any]) -> None:
        if self._flights.get(flight) is done:
            del self._flights[flight]

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
        self,
        key: AnswerKey,
        compute: Callable[[], Awaitable[bytes]],
        seen: Lookup | None = None,
    ) -> bytes:
        """An answer derived from the index, cached under the current search generation.

        ``seen``: what ``cached_answer(key)`` just found, when the caller has read it already.
        """
        if seen is None:
            seen = await self.cached_answer(key)
            if not seen.answered:
                log.warning("cache read skipped: the cache does not answer")
        if seen.answer is not None:
            return seen.answer
        full_key, generation = seen.key(key), seen.generation

        async def fill() -> bytes:
            body = await compute()
            await self.put(full_key, body, SEARCH_TTL, (SEARCH_GENERATION, generation))
            return body

        return await self.once((full_key, generation) if seen.answered else None, fill)
