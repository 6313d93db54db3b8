"""Write the whole catalog out (``filmflare export``): one JSON object per movie, in the
import format plus ``id``, ``version``, ``created_at`` and ``updated_at``.

The store is read a page at a time, so memory stays flat at any catalog size. It is not a
snapshot: a movie written meanwhile appears as its page found it.
"""

from __future__ import annotations

from collections.abc import Callable

import orjson

from filmflare.application.presenters import movie_dict
from filmflare.ports.repository import MovieRepository

PAGE = 500


class ExportMovies:
    def __init__(self, repository: MovieRepository) -> None:
        self._repository = repository

    async def execute(
        self, write: Callable[[bytes], object], progress: Callable[[int], None] = lambda _n: None
    ) -> int:
        """Write each movie as a line of NDJSON; returns how many."""
        count = 0
        async for page in self._repository.scan(PAGE):
            write(b"".join(orjson.dumps(movie_dict(movie)) + b"\n" for movie in page))
            count += len(page)
            progress(len(page))
        return count
