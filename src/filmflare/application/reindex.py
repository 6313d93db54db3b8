"""Rebuild the search index from the store (``filmflare reindex``).

Rules: the store is the source of truth; the index keeps answering while it is rebuilt;
changes the indexer applies meanwhile reach the new index too (the port's ``rebuild``
promises it), and whatever is still pending in the change feed is applied afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Callable, Sequence

from filmflare.application.indexer import Indexer
from filmflare.domain.movie import Movie
from filmflare.ports.repository import MovieRepository
from filmflare.ports.search_index import MovieSearchIndex


class Reindex:
    def __init__(
        self, repository: MovieRepository, index: MovieSearchIndex, indexer: Indexer
    ) -> None:
        self._repository = repository
        self._index = index
        self._indexer = indexer

    async def execute(self, progress: Callable[[int], None] = lambda _n: None) -> int:
        """Rebuild; ``progress`` hears how many movies each batch read from the store adds."""
        count = await self._index.rebuild(_counted(self._repository.scan(), progress))
        await self._indexer.catch_up()
        return count


async def _counted(
    batches: AsyncIterable[Sequence[Movie]], progress: Callable[[int], None]
) -> AsyncIterator[Sequence[Movie]]:
    async for batch in batches:
        yield batch
        progress(len(batch))
