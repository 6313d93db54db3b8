"""The search index: a projection of the store, queried for search, suggest and genres."""

from __future__ import annotations

from collections.abc import AsyncIterable, Sequence
from typing import Protocol

from filmflare.domain.criteria import SearchCriteria
from filmflare.domain.movie import Movie
from filmflare.domain.search import GenreCount, Position, SearchPage, Suggestion


class MovieSearchIndex(Protocol):
    """Every adapter gives the same results for the contract in API.md.

    Writes are idempotent and versioned: ``upsert`` keeps a document only if its version is
    higher than the indexed one; ``delete`` removes a document whose indexed version is lower
    than the given one and remembers the deletion, so a late, older upsert cannot resurrect it.
    Writes are visible to queries once ``upsert`` or ``delete`` returns (an engine may wait for
    its next refresh, but must not force one per call).

    ``search`` answers one page for ``criteria``: after ``position`` (a ``next_position``
    this adapter returned for the same criteria) when given, else at ``criteria.offset``.
    Facets named in ``criteria.facets`` count the whole filtered result. Highlighting is done
    by the caller, not the index.

    An engine that does not answer raises ``BackendUnavailable``.
    """

    async def ensure(self) -> bool:
        """Create the index if missing, or remake it when this version cannot use it
        (idempotent); True when it made a new one, which is empty."""
        ...

    async def upsert(self, movies: Sequence[Movie]) -> None: ...

    async def delete(self, versions: Sequence[tuple[str, int]]) -> None: ...

    async def search(self, criteria: SearchCriteria, position: Position | None) -> SearchPage: ...

    async def suggest(self, text: str, limit: int) -> Sequence[Suggestion]: ...

    async def genres(self) -> Sequence[GenreCount]: ...

    async def rebuild(self, batches: AsyncIterable[Sequence[Movie]]) -> int:
        """Replace the whole index with these movies, answering queries all along.

        ``upsert`` and ``delete`` calls made while it runs must hold in the new index too
        (versions still decide), so a change applied during a rebuild is never lost.
        """
        ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...
