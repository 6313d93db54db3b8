"""Add a movie.

Rules: the body holds client fields only and passes every rule of the contract; the server
assigns the id (retrying on the rare duplicate), sets version 1 and both timestamps; the write
and its change record commit together, then the indexer is woken.
"""

from __future__ import annotations

from filmflare.application.indexer import Indexer
from filmflare.domain.errors import DuplicateId
from filmflare.domain.movie import Movie, new_movie_id
from filmflare.domain.rules import parse_movie_data
from filmflare.ports.clock import Clock
from filmflare.ports.repository import MovieRepository


class AddMovie:
    def __init__(self, repository: MovieRepository, indexer: Indexer, clock: Clock) -> None:
        self._repository = repository
        self._indexer = indexer
        self._clock = clock

    async def execute(self, body: object) -> Movie:
        data = parse_movie_data(body)
        for _ in range(5):
            movie = Movie.create(new_movie_id(), data, self._clock.now())
            try:
                await self._repository.add(movie)
            except DuplicateId:
                continue
            self._indexer.wake()
            return movie
        raise DuplicateId("could not find a free id")
