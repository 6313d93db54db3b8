"""The indexer's passes: writes in quick succession share index writes (and the search
cache's invalidation that follows each), and a pass does not chase writes made during it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import pytest

from filmflare.bootstrap import build
from filmflare.config import Settings
from filmflare.domain.criteria import SearchCriteria
from filmflare.domain.movie import Movie
from filmflare.ports.search_index import MovieSearchIndex

pytestmark = pytest.mark.anyio


class CountingIndex:
    """The service's own index, counting its writes; ``during`` runs inside the next one."""

    def __init__(self, inner: MovieSearchIndex) -> None:
        self.inner = inner
        self.upserts = 0
        self.during: Callable[[], Awaitable[object]] | None = None

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    async def upsert(self, movies: Sequence[Movie]) -> None:
        self.upserts += 1
        during, self.during = self.during, None
        if during is not None:
            await during()
        await self.inner.upsert(movies)


async def test_a_pass_leaves_the_writes_made_during_it_to_the_next(tmp_path: Path) -> None:
    counting = CountingIndex(build(Settings(data_dir=tmp_path)).index)
    async with build(Settings(data_dir=tmp_path), index=counting) as container:
        await container.add_movie.execute({"title": "Heat"})
        counting.during = lambda: container.add_movie.execute({"title": "Ronin"})
        assert await container.indexer.catch_up() == 1
        assert counting.upserts == 1
        assert await container.indexer.catch_up() == 1
        assert counting.upserts == 2


async def test_writes_in_quick_succession_share_one_index_write(tmp_path: Path) -> None:
    counting = CountingIndex(build(Settings(data_dir=tmp_path)).index)
    async with build(Settings(data_dir=tmp_path), index=counting) as container:
        worker = asyncio.create_task(container.indexer.run(poll_interval=3600, spacing=1.0))
        try:
            for n in range(30):  # each wakes the indexer, well within one spacing
                await container.add_movie.execute({"title": f"Heat {n}"})
            everything = SearchCriteria(q="heat", per_page=50)
            for _ in range(500):
                if (await container.index.search(everything, None)).total == 30:
                    break
                await asyncio.sleep(0.02)
            assert (await container.index.search(everything, None)).total == 30
            # One pass; two if the machine stalled between the writes for a whole spacing.
            assert counting.upserts <= 2
        finally:
            worker.cancel()
