"""Delete a movie.

Rules: a missing id is 404; ``If-Match`` is honoured (412 and nothing changes when it does not
match); the deletion commits with a change record that outranks every earlier version, so the
index removes the movie and no late update brings it back.
"""

from __future__ import annotations

from functools import partial

from filmflare.application.commits import Commits
from filmflare.domain.errors import MovieNotFound
from filmflare.domain.preconditions import VersionMatch
from filmflare.ports.repository import MovieRepository


class DeleteMovie:
    def __init__(self, repository: MovieRepository, commits: Commits) -> None:
        self._repository = repository
        self._commits = commits

    async def execute(self, movie_id: str, precondition: VersionMatch | None) -> None:
        expected = None
        if precondition is not None and not precondition.any_version:
            current = await self._repository.get(movie_id)
            if current is None:
                raise MovieNotFound(movie_id)
            precondition.check(movie_id, current.version)
            expected = current.version
        delete = partial(self._repository.delete, movie_id, expected)
        await self._commits.run(delete, changed=[movie_id])
