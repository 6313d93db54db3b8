"""The search index on Elasticsearch, through the official async client (``elasticsearch``
8.x, for Elasticsearch 8.x servers)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from elastic_transport import ObjectApiResponse, TransportError
from elasticsearch import ApiError, AsyncElasticsearch

from filmflare.adapters.search_engine.client import (
    EngineError,
    Json,
    engine_error,
    first_shard_seq_no,
    quiet,
)
from filmflare.adapters.search_engine.index import EngineSearchIndex
from filmflare.domain.errors import BackendUnavailable

_TIMEOUT = 10.0  # seconds for one request; a bulk of 500 movies takes well under one
Answer = ObjectApiResponse[Any]
T = TypeVar("T")


class ElasticsearchClient:
    """``EngineClient`` on ``AsyncElasticsearch``; the URL may carry credentials."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._client: AsyncElasticsearch | None = None

    async def start(self) -> None:
        if self._client is None:
            quiet("elastic_transport")
            self._client = AsyncElasticsearch(
                self._url, request_timeout=_TIMEOUT, max_retries=2, retry_on_timeout=False
            )

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.close()

    async def _call(self, request: Callable[[AsyncElasticsearch], Awaitable[Answer]]) -> Json:
        if self._client is None:
            raise BackendUnavailable("search", "the Elasticsearch client is not started")
        try:
            answer = await request(self._client)
        except ApiError as error:  # an answer with an error status
            raise engine_error(error.meta.status, error.body, error.message) from error
        except TransportError as error:  # refused, reset, timed out: no answer at all
            reason = f"Elasticsearch does not answer: {error}"
            raise BackendUnavailable("search", reason) from error
        except RuntimeError as error:  # the session was closed under a running request
            if self._client is not None:
                raise
            raise BackendUnavailable("search", "the Elasticsearch client is closed") from error
        body: Json = answer.body
        return body

    async def search(self, index: str, body: Json) -> Json:
        return await self._call(lambda c: c.search(index=index, body=body))

    async def bulk(self, operations: Sequence[Json], wait: bool) -> Json:
        refresh = "wait_for" if wait else "false"
        return await self._call(lambda c: c.bulk(operations=list(operations), refresh=refresh))

    async def create_index(self, name: str, body: Json) -> None:
        await self._call(lambda c: c.indices.create(index=name, body=body))

    async def delete_index(self, name: str) -> None:
        await self._call(lambda c: c.indices.delete(index=name))

    async def add_fields(self, index: str, properties: Json) -> None:
        await self._call(lambda c: c.indices.put_mapping(index=index, properties=properties))

    async def alias_targets(self, alias: str) -> list[str]:
        try:
            answer = await self._call(lambda c: c.indices.get_alias(name=alias))
        except EngineError as error:
            if error.status == 404:
                return []
            raise
        return sorted(answer)

    async def index_names(self, pattern: str) -> list[str]:
        return sorted(await self._call(lambda c: c.indices.get_alias(index=pattern)))

    async def update_aliases(self, actions: Sequence[Json]) -> None:
        await self._call(lambda c: c.indices.update_aliases(actions=list(actions)))

    async def block_writes(self, index: str) -> None:
        await self._call(lambda c: c.indices.add_block(index=index, block="write"))

    async def refresh(self, index: str) -> None:
        await self._call(lambda c: c.indices.refresh(index=index))

    async def max_seq_no(self, index: str) -> int:
        stats = await self._call(
            lambda c: c.indices.stats(index=index, metric="docs", level="shards")
        )
        return first_shard_seq_no(stats, index)


class ElasticsearchIndex(EngineSearchIndex):
    """``MovieSearchIndex`` on Elasticsearch at ``url``, under the alias ``alias``."""

    def __init__(self, url: str, alias: str) -> None:
        super().__init__(ElasticsearchClient(url), alias)
