"""Replace every client field of a movie (PUT).

Rules: the body is validated as a whole new movie (absent fields become null or empty); the
movie must exist (PUT never creates); ``If-Match`` is honoured; the version grows by one.
"""

from __future__ import annotations

from filmflare.application.revise import Reviser
from filmflare.domain.movie import Movie
from filmflare.domain.preconditions import VersionMatch
from filmflare.domain.rules import parse_movie_data


class ReplaceMovie:
    def __init__(self, reviser: Reviser) -> None:
        self._reviser = reviser

    async def execute(
        self, movie_id: str, body: object, precondition: VersionMatch | None
    ) -> Movie:
        data = parse_movie_data(body)
        return await self._reviser.revise(movie_id, precondition, lambda _current: data)
