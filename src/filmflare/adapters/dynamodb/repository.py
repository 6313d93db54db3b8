"""``MovieRepository`` and ``ChangeFeed`` on DynamoDB (``FILMFLARE_STORE=dynamodb``).

Table design (``tables``): ``<table>`` holds the movies, partition key ``id``;
``<table>-feed`` holds the change feed, the feed's sequence and checkpoints, and a record of
every id ever created. Writes are never upserts and never blind:

- ``add``: one transaction puts the id record (``attribute_not_exists``), the guard of its
  ``external_id`` if it has one (``attribute_not_exists``), the movie
  (``attribute_not_exists``) and its change record; a taken id is ``DuplicateId``, a held
  external id ``ExternalIdTaken``.
- ``replace``: a Put conditioned on ``version`` being the one before (and the guards moved
  when ``external_id`` changes); ``delete``: a Delete conditioned on the version just read,
  with its guard. A failed condition returns the stored item, so a missing movie
  (``MovieNotFound``) is told from a changed one (``VersionConflict``), and a held external
  id names its holder.
- Each write commits in one TransactWriteItems with its change record (``outbox``), which
  also allocates the record's position: the feed is gapless and in commit order.
- ``add_many`` commits TransactWriteItems of up to 33 movies (3 items each, 4
  with an external id, plus the sequence), not BatchWriteItem: a batch write is neither
  atomic nor conditional, so it could neither keep a movie with its change record nor refuse
  a reused id. When a batch spans several transactions, its ids and external ids are checked
  first with BatchGetItem, so a taken one fails it before anything is written.
- Reads are strongly consistent: a write is visible to ``get`` on every replica at once.
- ``scan`` reads the movies table with parallel Scan segments; ``count`` is kept exact on
  the feed's sequence item by the transactions that add and delete.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

from filmflare.adapters.dynamodb import batches, operations, scanning, tables
from filmflare.adapters.dynamodb.codec import movie_from_item, read_int, text
from filmflare.adapters.dynamodb.connection import Connection
from filmflare.adapters.dynamodb.errors import translated
from filmflare.adapters.dynamodb.feed import DynamoChangeFeed
from filmflare.adapters.dynamodb.imports import DynamoImports
from filmflare.adapters.dynamodb.outbox import ConditionFailed, Outbox, Write, plan
from filmflare.adapters.dynamodb.refusals import refusal
from filmflare.domain.errors import (
    DuplicateId,
    ExternalIdTaken,
    MovieNotFound,
    VersionConflict,
)
from filmflare.domain.movie import Movie, shared_external_id
from filmflare.ports.repository import Change

DELETE_ATTEMPTS = 50


class DynamoMovieRepository:
    """The store and its change feed in the DynamoDB table ``table`` (and ``table``-feed).

    ``endpoint`` is only for a local server; on AWS the SDK finds the endpoint, the region
    and the credentials itself. ``start`` opens the client, ``close`` closes it; ``ensure``
    (``filmflare init``) creates the tables.
    """

    def __init__(self, table: str, endpoint: str | None = None, *, max_attempts: int = 3) -> None:
        self._tables = tables.Tables(table)
        self._connection = Connection(endpoint, max_attempts)
        self._outbox = Outbox(self._connection, self._tables)
        self._feed = DynamoChangeFeed(self._connection, self._tables)
        self.imports = DynamoImports(self._connection, self._tables, self._outbox)

    async def start(self) -> None:
        await self._connection.open()
        self._outbox.reset()

    async def close(self) -> None:
        await self._connection.close()

    async def ensure(self) -> None:
        await tables.ensure(self._connection.client, self._tables)

    async def ping(self) -> None:
        client = self._connection.client
        with translated("ping"):
            await asyncio.gather(
                client.get_item(TableName=self._tables.movies, Key={"id": text("-")}),
                client.get_item(TableName=self._tables.feed, Key=tables.SEQUENCE),
            )

    async def get(self, movie_id: str) -> Movie | None:
        with translated("reading a movie"):
            answer = await self._connection.client.get_item(
                TableName=self._tables.movies, Key={"id": text(movie_id)}, ConsistentRead=True
            )
        item = answer.get("Item")
        return None if item is None else movie_from_item(item)

    async def add(self, movie: Movie) -> None:
        await self.add_many([movie])

    async def add_many(self, movies: Sequence[Movie]) -> None:
        if len({m.id for m in movies}) < len(movies):
            raise DuplicateId("the same id appears twice in one batch")
        if (shared := shared_external_id(movies)) is not None:
            raise ExternalIdTaken(*shared)
        writes = [
            Write(operations.creation(self._tables, m), m.id, m.version, m, stored=1)
            for m in movies
        ]
        transactions = plan(writes)
        if len(transactions) > 1:
            await self._refuse_taken_ids(movies)
        for transaction in transactions:
            try:
                await self._outbox.commit(transaction)
            except ConditionFailed as failed:
                raise refusal(transaction, failed) from failed

    async def replace(self, movie: Movie, previous: Movie) -> None:
        ops = operations.replacement(self._tables, movie, previous)
        write = Write(ops, movie.id, movie.version, movie)
        try:
            await self._outbox.commit([write])
        except ConditionFailed as failed:
            raise refusal([write], failed) from failed

    async def delete(self, movie_id: str, expected_version: int | None) -> Movie:
        for _ in range(DELETE_ATTEMPTS):
            current = await self.get(movie_id)
            if current is None:
                raise MovieNotFound(movie_id)
            if expected_version is not None and current.version != expected_version:
                raise VersionConflict(movie_id, expected_version, current.version)
            # The tombstone outranks every state it removes.
            removal = operations.removal(self._tables, current)
            try:
                tombstone = Write(removal, movie_id, current.version + 1, None, stored=-1)
                await self._outbox.commit([tombstone])
            except ConditionFailed as failed:
                if failed.item is None:
                    raise MovieNotFound(movie_id) from failed
                if expected_version is not None:
                    stored = read_int(failed.item, "version")
                    raise VersionConflict(movie_id, expected_version, stored) from failed
                continue  # changed since it was read: delete whatever is current now
            return current
        raise VersionConflict(movie_id, None, None)

    async def count(self) -> int:
        """Read from the sequence item, which every add and delete moves in its transaction.

        A Scan would cost a read of the whole table for every ``filmflare seed``.
        """
        with translated("counting movies"):
            answer = await self._connection.client.get_item(
                TableName=self._tables.feed, Key=tables.SEQUENCE, ConsistentRead=True
            )
        item = answer.get("Item")
        return read_int(item, tables.COUNT) if item and tables.COUNT in item else 0

    async def scan(self, batch_size: int = 500) -> AsyncIterator[Sequence[Movie]]:
        if batch_size <= 0:
            raise ValueError("batch_size must be positive")
        batch: list[Movie] = []
        async for page in scanning.pages(self._connection.client, self._tables.movies, batch_size):
            for item in page:
                batch.append(movie_from_item(item))
                if len(batch) == batch_size:
                    yield batch
                    batch = []
        if batch:
            yield batch

    async def read(self, after: str | None, limit: int) -> Sequence[Change]:
        return await self._feed.read(after, limit)

    async def checkpoint(self, consumer: str) -> str | None:
        return await self._feed.checkpoint(consumer)

    async def advance(self, consumer: str, position: str) -> None:
        await self._feed.advance(consumer, position)

    async def _refuse_taken_ids(self, movies: Sequence[Movie]) -> None:
        keys = [tables.id_key(m.id) for m in movies]
        keys += [tables.external_key(m.external_id) for m in movies if m.external_id]
        taken = await batches.existing(self._connection.client, self._tables.feed, keys)
        for item in taken:
            key = item[tables.PK]["S"]
            if key.startswith(tables.GUARD):
                raise ExternalIdTaken(key.removeprefix(tables.GUARD), item["movie_id"]["S"])
        if taken:
            raise DuplicateId(f"{len(taken)} of these {len(movies)} ids were already used")
