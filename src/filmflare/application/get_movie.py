"""Fetch one movie, cache-aside.

Rules: a hit is served as stored; a miss reads the store and fills the cache only if no write
bumped the movie's generation meanwhile, so a write is never followed by a stale read;
concurrent misses of one movie read the store once. ``cached`` answers hits only.
"""

from __future__ import annotations

from dataclasses import dataclass

from filmflare.application.cache_keys import MOVIE_TTL, movie_keys
from filmflare.application.presenters import movie_body
from filmflare.application.response_cache import ResponseCache
from filmflare.domain.errors import MovieNotFound
from filmflare.ports.repository import MovieRepository


@dataclass(frozen=True, slots=True)
class MovieResponse:
    version: int
    body: bytes

    def pack(self) -> bytes:
        return b"%d\n" % self.version + self.body

    @classmethod
    def unpack(cls, packed: bytes) -> MovieResponse:
        version, _, body = packed.partition(b"\n")
        return cls(int(version), body)


class GetMovie:
    def __init__(self, repository: MovieRepository, cache: ResponseCache) -> None:
        self._repository = repository
        self._cache = cache

    async def execute(self, movie_id: str) -> MovieResponse:
        key, generation = movie_keys(movie_id)
        packed = await self._cache.answer(key, generation, MOVIE_TTL, lambda: self._load(movie_id))
        return MovieResponse.unpack(packed)

    async def cached(self, movie_id: str) -> MovieResponse | None:
        """The response ``execute`` would give from the cache, or None (a miss, or a cache that
        does not answer): one lookup, and the same rule, so never one a write has retired."""
        found = await self._cache.read(*movie_keys(movie_id))
        return None if found.answer is None else MovieResponse.unpack(found.answer)

    async def _load(self, movie_id: str) -> bytes:
        movie = await self._repository.get(movie_id)
        if movie is None:
            raise MovieNotFound(movie_id)
        return MovieResponse(movie.version, movie_body(movie)).pack()
