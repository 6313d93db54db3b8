"""The read-modify-write every change to an existing movie goes through.

With a precondition, the stored version must satisfy it, and a concurrent write in between is
a conflict (412). Without one, the change re-applies to whatever is current until it lands,
so concurrent unconditional changes never lose an update.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from functools import partial

from filmflare.application.commits import Commits
from filmflare.domain.errors import MovieNotFound, VersionConflict
from filmflare.domain.movie import Movie, MovieData
from filmflare.domain.preconditions import VersionMatch
from filmflare.ports.clock import Clock
from filmflare.ports.repository import MovieRepository

MAX_ATTEMPTS = 50


class Reviser:
    def __init__(
        self,
        repository: MovieRepository,
        commits: Commits,
        clock: Clock,
    ) -> None:
        self._repository = repository
        self._commits = commits
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
                replace = partial(self._repository.replace, revised, current)
                await self._commits.run(replace, changed=[movie_id])
            except VersionConflict:
                if precondition is not None:
                    raise
                await asyncio.sleep(random.uniform(0, 0.002 * (attempt + 1)))
                continue
            return revised
        raise VersionConflict(movie_id, None, None)
