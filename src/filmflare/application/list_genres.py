"""Count movies per genre (GET /genres), cache-aside.

Rules: spellings that differ only in case count as one genre, named by its most common
spelling; most movies first. An answer comes with the digest of its bytes (``digests``).
"""

from __future__ import annotations

from filmflare.application.cache_keys import SEARCH_GENERATION, search_key
from filmflare.application.digests import Digested, search_answer
from filmflare.application.presenters import genres_body
from filmflare.application.response_cache import Lookup, ResponseCache
from filmflare.ports.search_index import MovieSearchIndex

_KIND, _IDENTITY = "genres", "all"


class ListGenres:
    def __init__(self, index: MovieSearchIndex, cache: ResponseCache) -> None:
        self._index = index
        self._cache = cache

    async def execute(self, seen: Lookup | None = None) -> Digested:
        """The answer; ``seen`` is what ``cached`` has just found for it, if asked already."""

        async def answer() -> bytes:
            return genres_body(list(await self._index.genres()))

        return await search_answer(self._cache, self.answer_key(), answer, seen)

    def answer_key(self) -> str:
        """Where ``execute`` caches its answer."""
        return search_key(_KIND, _IDENTITY)

    async def cached(self, key: str) -> Lookup:
        """What ``execute`` cached at the current index state."""
        return await self._cache.read(key, SEARCH_GENERATION)
