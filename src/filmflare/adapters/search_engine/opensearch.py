"""The search index on OpenSearch, through the official async client (``opensearch-py`` 2.x,
for OpenSearch 2.x servers)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from opensearchpy import AsyncOpenSearch, TransportError
from opensearchpy import ConnectionError as ConnectionFailed

from filmflare.adapters.search_engine.client import (
    EngineError,
    Json,
    engine_error,
    first_shard_seq_no,
    quiet,
)
from filmflare.adapters.search_engine.index import EngineSearchIndex
from filmflare.domain.errors import BackendUnavailable

T = TypeVar("T")
_TIMEOUT = 10.0  # seconds for one request; a bulk of 500 movies takes well under one


class OpenSearchClient:
    """``EngineClient`` on ``AsyncOpenSearch``; the URL may carry credentials."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._client: AsyncOpenSearch | None = None

    async def start(self) -> None:
        if self._client is None:
            quiet("opensearch")
            self._client = AsyncOpenSearch(hosts=[self._url], timeout=_TIMEOUT, max_retries=2)

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.close()

    async def _call(self, request: Callable[[AsyncOpenSearch], Awaitable[T]]) -> T:
        if self._client is None:
            raise BackendUnavailable("search", "the OpenSearch client is not started")
        try:
            return await request(self._client)
        except ConnectionFailed as error:  # refused, reset, timed out: no answer at all
            raise BackendUnavailable("search", f"OpenSearch does not answer: {error}") from error
        except TransportError as error:
            status = error.status_code if isinstance(error.status_code, int) else 503
            raise engine_error(status, error.info, str(error.error)) from error
        except RuntimeError as error:  # the session was closed under a running request
            if self._client is not None:
                raise
            raise BackendUnavailable("search", "the OpenSearch client is closed") from error

    async def search(self, index: str, body: Json) -> Json:
        answer: Json = await self._call(lambda c: c.search(index=index, body=body))
        return answer

    async def bulk(self, operations: Sequence[Json], wait: bool) -> Json:
        refresh = "wait_for" if wait else "false"
        answer: Json = await self._call(lambda c: c.bulk(body=list(operations), refresh=refresh))
        return answer

    async def create_index(self, name: str, body: Json) -> None:
        await self._call(lambda c: c.indices.create(index=name, body=body))

    async def delete_index(self, name: str) -> None:
        await self._call(lambda c: c.indices.delete(index=name))

    async def add_fields(self, index: str, properties: Json) -> None:
        body = {"properties": properties}
        await self._call(lambda c: c.indices.put_mapping(index=index, body=body))

    async def alias_targets(self, alias: str) -> list[str]:
        try:
            answer: dict[str, Any] = await self._call(lambda c: c.indices.get_alias(name=alias))
        except EngineError as error:
            if error.status == 404:
                return []
            raise
        return sorted(answer)

    async def index_names(self, pattern: str) -> list[str]:
        answer: dict[str, Any] = await self._call(lambda c: c.indices.get_alias(index=pattern))
        return sorted(answer)

    async def update_aliases(self, actions: Sequence[Json]) -> None:
        body = {"actions": list(actions)}
        await self._call(lambda c: c.indices.update_aliases(body=body))

    async def block_writes(self, index: str) -> None:
        await self._call(lambda c: c.indices.add_block(index=index, block="write"))

    async def refresh(self, index: str) -> None:
        await self._call(lambda c: c.indices.refresh(index=index))

    async def max_seq_no(self, index: str) -> int:
        stats: Json = await self._call(
            lambda c: c.indices.stats(index=index, metric="docs", level="shards")
        )
        return first_shard_seq_no(stats, index)


class OpenSearchIndex(EngineSearchIndex):
    """``MovieSearchIndex`` on OpenSearch at ``url``, under the alias ``alias``."""

    def __init__(self, url: str, alias: str) -> None:
        super().__init__(OpenSearchClient(url), alias)
