"""``MovieSearchIndex`` on an OpenSearch or Elasticsearch cluster, through an ``EngineClient``.

Every query and write names the alias (``FILMFLARE_SEARCH_INDEX``), never a generation, so
``rebuild`` can swap generations underneath. Writes are visible once they return
(``refresh=wait_for``; the index refreshes twice a second, never on demand per write).
An engine that does not answer, is overloaded, or has no index is ``BackendUnavailable``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterable, Sequence

from filmflare.adapters.search_engine import generations
from filmflare.adapters.search_engine.client import EngineClient, EngineError, Json
from filmflare.adapters.search_engine.facets import AGGREGATIONS, genre_counts
from filmflare.adapters.search_engine.filters import MOVIES
from filmflare.adapters.search_engine.rebuild import rebuild
from filmflare.adapters.search_engine.searching import read_page, search_body
from filmflare.adapters.search_engine.suggest import read_suggestions, suggest_body
from filmflare.adapters.search_engine.writes import (
    BulkWriter,
    MissingIndex,
    Write,
    movie_write,
    tombstone_write,
)
from filmflare.domain.criteria import SearchCriteria
from filmflare.domain.errors import BackendUnavailable, BadRequest
from filmflare.domain.movie import Movie
from filmflare.domain.search import GenreCount, Position, SearchPage, Suggestion

_BAD_REQUEST = 400
_MISSING = 404
_BUSY = 429


class EngineSearchIndex:
    """The search index of the production profiles; ``alias`` names it on the cluster."""

    def __init__(self, client: EngineClient, alias: str) -> None:
        self._client = client
        self._alias = alias
        self._writer = BulkWriter(client)
        self._also: str | None = None  # the alias of the generation a rebuild fills

    @property
    def alias(self) -> str:
        return self._alias

    async def start(self) -> None:
        await self._client.start()

    async def close(self) -> None:
        await self._client.close()

    async def ensure(self) -> bool:
        return await generations.ensure(self._client, self._alias)

    async def ping(self) -> None:
        await self._query({"size": 0, "query": MOVIES, "track_total_hits": False})

    async def upsert(self, movies: Sequence[Movie]) -> None:
        await self._write([movie_write(movie) for movie in movies])

    async def delete(self, versions: Sequence[tuple[str, int]]) -> None:
        await self._write([tombstone_write(movie_id, version) for movie_id, version in versions])

    async def search(self, criteria: SearchCriteria, position: Position | None) -> SearchPage:
        body = search_body(criteria, position)
        try:
            answer = await self._query(body)
        except EngineError as error:
            if position is not None and error.status == _BAD_REQUEST:
                raise BadRequest("cursor does not fit this query; start again") from error
            raise
        return read_page(criteria, position, answer)

    async def suggest(self, text: str, limit: int) -> Sequence[Suggestion]:
        body = suggest_body(text, limit)
        return [] if body is None else read_suggestions(await self._query(body))

    async def genres(self) -> Sequence[GenreCount]:
        body = {"size": 0, "query": MOVIES, "aggs": {"genres": AGGREGATIONS["genres"]}}
        return genre_counts((await self._query(body))["aggregations"])

    async def rebuild(self, batches: AsyncIterable[Sequence[Movie]]) -> int:
        """Fill the next generation while the current one answers, then swap the alias."""
        return await rebuild(self._client, self._writer, self._alias, batches, self._follow)

    def _follow(self, generation: str | None) -> None:
        self._also = generation

    async def _write(self, writes: list[Write]) -> None:
        if not writes:
            return
        also = self._also
        await self._writer.write(self._alias, writes, alias=True)
        if also is not None:
            with contextlib.suppress(MissingIndex):  # the rebuild ended meanwhile
                await self._writer.write(also, writes, alias=True)

    async def _query(self, body: Json) -> Json:
        """Search the alias; a missing index or an engine in trouble is a 503."""
        try:
            return await self._client.search(self._alias, body)
        except EngineError as error:
            if error.status == _MISSING:
                reason = f"the index {self._alias!r} does not exist; run filmflare init"
                raise BackendUnavailable("search", reason) from error
            if error.status == _BUSY or error.status >= 500:
                raise BackendUnavailable("search", str(error)) from error
            raise
