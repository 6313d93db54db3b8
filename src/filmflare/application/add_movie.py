"""Add a movie.

Rules: the body holds client fields only and passes every rule of the contract; the server
assigns the id (retrying on the rare duplicate), sets version 1 and both timestamps; the write
and its change record commit together, then the indexer is woken.
"""

from __future__ import annotations

from functools import partial

from filmflare.application.commits import Commits
from filmflare.domain.errors import DuplicateId
from filmflare.domain.movie import Movie, new_movie_id
from filmflare.domain.rules import parse_movie_data
from filmflare.ports.clock import Clock
from filmflare.ports.repository import MovieRepository


class AddMovie:
    def __init__(self, repository: MovieRepository, commits: Commits, clock: Clock) -> None:
        self._repository = repository
        self._commits = commits
        self._clock = clock

    async def execute(self, body: object) -> Movie:
        data = parse_movie_data(body)
        for _ in range(5):
            movie = Movie.create(new_movie_id(), data, self._clock.now())
            try:
                await self._commits.run(partial(self._repository.add, movie))
            except DuplicateId:
                continue
            return movie
        raise DuplicateId("could not find a free id")
