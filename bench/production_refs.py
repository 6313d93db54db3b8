"""The production profile's reference rates, and the engine's bulk load of big catalogs.

- Raw bulk rate: the very action and document lines the adapter sends (an external-version
  ``index`` per movie, ``require_alias``), in the adapter's batch size, one batch at a time
  as the indexer sends them, to a scratch index with the adapter's mapping; the bodies are
  serialized beforehand, sent over plain HTTP, and nothing waits for a refresh.
- Raw put rate: ``BatchWriteItem`` of the adapter's items (25 per request, DynamoDB's limit),
  one request at a time, into scratch tables made by the adapter's ``ensure``.
- Load: big catalogs go straight into the live index (the store stays small: see ``run``),
  two batches in flight, which keeps both cores busy while documents are built.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from aiobotocore.session import get_session

from bench.catalogs import movie_batches, read_movies
from filmflare.adapters.dynamodb import DynamoMovieRepository
from filmflare.adapters.dynamodb.codec import movie_item
from filmflare.adapters.search_engine import generations
from filmflare.adapters.search_engine.documents import movie_document
from filmflare.adapters.search_engine.opensearch import OpenSearchClient
from filmflare.config import Settings
from filmflare.domain.movie import Movie

BATCH = 500  # the indexer's and the bulk writer's batch size
WRITE_LIMIT = 25  # items per BatchWriteItem


def bulk_body(alias: str, movies: Sequence[Movie]) -> bytes:
    """One ``_bulk`` request body, as the adapter's ``BulkWriter`` writes to ``alias``."""
    lines = []
    for movie in movies:
        action = {"_index": alias, "_id": movie.id, "version": movie.version}
        action |= {"version_type": "external", "require_alias": True}
        lines += [json.dumps({"index": action}), json.dumps(movie_document(movie))]
    return ("\n".join(lines) + "\n").encode()


async def _send(client: httpx.AsyncClient, url: str, body: bytes) -> None:
    answer = await client.post(
        f"{url}/_bulk", content=body, headers={"Content-Type": "application/x-ndjson"}
    )
    answer.raise_for_status()
    if answer.json().get("errors"):
        raise RuntimeError(f"the engine refused part of a bulk: {answer.text[:500]}")


async def bulk_rate(settings: Settings, rows_file: str) -> dict[str, Any]:
    url = (settings.search_url or "").rstrip("/")
    alias = f"{settings.search_index}-raw-{os.getpid()}"
    engine = OpenSearchClient(url)
    await engine.start()
    try:
        await generations.ensure(engine, alias)
        movies = read_movies(Path(rows_file))
        bodies = [bulk_body(alias, movies[n : n + BATCH]) for n in range(0, len(movies), BATCH)]
        async with httpx.AsyncClient(timeout=120) as client:
            began = time.perf_counter()
            for body in bodies:
                await _send(client, url, body)
            seconds = time.perf_counter() - began
        await engine.delete_index(generations.generation(alias, 1))
    finally:
        await engine.close()
    return {"items": len(movies), "seconds": seconds}


def _dynamodb(settings: Settings) -> Any:
    """A client of the local DynamoDB (moto), which checks no signature."""
    return get_session().create_client(
        "dynamodb",
        region_name="us-east-1",
        endpoint_url=settings.dynamodb_endpoint,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106
    )


async def put_rate(settings: Settings, rows_file: str) -> dict[str, Any]:
    table = f"{settings.dynamodb_table}-raw-{os.getpid()}"
    endpoint = settings.dynamodb_endpoint
    repository = DynamoMovieRepository(table, endpoint)
    await repository.start()
    try:
        await repository.ensure()
    finally:
        await repository.close()
    items = [movie_item(movie) for movie in read_movies(Path(rows_file))]
    requests: list[Any] = [
        {table: [{"PutRequest": {"Item": item}} for item in items[n : n + WRITE_LIMIT]]}
        for n in range(0, len(items), WRITE_LIMIT)
    ]
    async with _dynamodb(settings) as client:
        began = time.perf_counter()
        for request in requests:
            answer = await client.batch_write_item(RequestItems=request)
            if answer.get("UnprocessedItems"):
                raise RuntimeError("the store left items unprocessed")
        seconds = time.perf_counter() - began
        for name in (table, f"{table}-feed"):
            await client.delete_table(TableName=name)
    return {"items": len(items), "seconds": seconds}


async def load(settings: Settings, rows_file: str) -> dict[str, Any]:
    """Bulk the rows of ``rows_file`` as new movies into the live alias, with refreshes off
    meanwhile (the usual way to bulk load; the index's own interval is put back after)."""
    url = (settings.search_url or "").rstrip("/")
    index_settings = f"{url}/{settings.search_index}/_settings"
    slots = asyncio.Semaphore(2)
    count = 0
    began = time.perf_counter()
    async with httpx.AsyncClient(timeout=300) as client:
        found = (await client.get(f"{index_settings}/index.refresh_interval")).json()
        # None (not set on the index) puts the engine's default back
        interval = next(iter(found.values()))["settings"].get("index", {}).get("refresh_interval")
        await client.put(index_settings, json={"index": {"refresh_interval": "-1"}})
        try:
            async with asyncio.TaskGroup() as group:
                for movies in movie_batches(Path(rows_file), BATCH):
                    await slots.acquire()  # build the next body while two are in flight
                    body = bulk_body(settings.search_index, movies)
                    task = group.create_task(_send(client, url, body))
                    task.add_done_callback(lambda _done: slots.release())
                    count += len(movies)
        finally:
            await client.put(index_settings, json={"index": {"refresh_interval": interval}})
        (await client.post(f"{url}/{settings.search_index}/_refresh")).raise_for_status()
    return {"items": count, "seconds": time.perf_counter() - began}


async def store_ids(settings: Settings, count: str) -> dict[str, Any]:
    """The first ``count`` movie ids of the store: one plain Scan of the ids, page by page
    (the repository's parallel scan is too much for moto, which serializes requests)."""
    ids: list[str] = []
    request: dict[str, Any] = {
        "TableName": settings.dynamodb_table,
        "ProjectionExpression": "id",
    }
    async with _dynamodb(settings) as client:
        while len(ids) < int(count):
            answer = await client.scan(**request)
            ids += [item["id"]["S"] for item in answer.get("Items", [])]
            if "LastEvaluatedKey" not in answer:
                break
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
    return {"ids": ids[: int(count)]}
