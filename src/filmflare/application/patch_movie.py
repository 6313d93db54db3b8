"""Change some fields of a movie with a JSON Merge Patch (RFC 7396).

Rules: the patched movie must pass every rule; ``null`` empties a list and is refused for
``title``; a new ``release_date`` alone re-derives ``year``; ``If-Match`` is honoured, and
without it concurrent patches all apply, one after another.
"""

from __future__ import annotations

from filmflare.application.revise import Reviser
from filmflare.domain.movie import Movie
from filmflare.domain.preconditions import VersionMatch
from filmflare.domain.rules import merge_patch


class PatchMovie:
    def __init__(self, reviser: Reviser) -> None:
        self._reviser = reviser

    async def execute(
        self, movie_id: str, patch: object, precondition: VersionMatch | None
    ) -> Movie:
        return await self._reviser.revise(
            movie_id, precondition, lambda current: merge_patch(current, patch)
        )
