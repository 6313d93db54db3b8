"""``ImportStore`` on DynamoDB: lookups with BatchGetItem, and each batch committed in as
few transactions as the limits allow, every one carrying the mark of the rows it covers.

A batch may need several transactions (32 movies fit in one, 24 with external ids). Each
moves the import's mark to the last line it writes, the last one to the batch's own line,
so whatever a crash leaves committed, the mark says exactly how far: the promise
``ImportStore`` makes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from filmflare.adapters.dynamodb import batches, operations, tables
from filmflare.adapters.dynamodb.codec import movie_from_item, number, read_int, text
from filmflare.adapters.dynamodb.connection import Connection
from filmflare.adapters.dynamodb.errors import translated
from filmflare.adapters.dynamodb.outbox import ConditionFailed, Outbox, Write, plan
from filmflare.adapters.dynamodb.refusals import refusal
from filmflare.domain.movie import Movie
from filmflare.ports.imports import ImportMark, ImportWrite

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.type_defs import TransactWriteItemTypeDef


class DynamoImports:
    def __init__(self, connection: Connection, names: tables.Tables, outbox: Outbox) -> None:
        self._connection = connection
        self._tables = names
        self._outbox = outbox

    async def holders(self, external_ids: Sequence[str]) -> Mapping[str, Movie]:
        keys = [tables.external_key(value) for value in dict.fromkeys(external_ids)]
        guards = await batches.existing(self._connection.client, self._tables.feed, keys)
        owners = {
            guard[tables.PK]["S"].removeprefix(tables.GUARD): guard["movie_id"]["S"]
            for guard in guards
        }
        movies = await self._movies(list(dict.fromkeys(owners.values())))
        # The two reads are not one snapshot: a movie that let its value go in between is
        # left out, and the commit's conditions decide.
        return {
            value: movie
            for value, owner in owners.items()
            if (movie := movies.get(owner)) is not None and movie.external_id == value
        }

    async def known_ids(self, ids: Sequence[str]) -> Mapping[str, Movie | None]:
        unique = list(dict.fromkeys(ids))
        keys = [tables.id_key(movie_id) for movie_id in unique]
        used = await batches.existing(self._connection.client, self._tables.feed, keys)
        stored = await self._movies(unique)
        return {
            movie_id: stored.get(movie_id)
            for item in used
            if (movie_id := item[tables.PK]["S"].removeprefix(tables.USED_ID))
        }

    async def commit(self, writes: Sequence[ImportWrite], mark: ImportMark | None) -> None:
        planned = [self._write(w) for w in writes]
        line_of = {id(write): w.line for write, w in zip(planned, writes, strict=True)}
        transactions = plan(planned, reserved=1 if mark else 0)
        for number_, transaction in enumerate(transactions, start=1):
            extra = []
            if mark is not None:
                last = mark.line if number_ == len(transactions) else line_of[id(transaction[-1])]
                extra.append(self._mark(mark.source, last))
            try:
                await self._outbox.commit(transaction, extra)
            except ConditionFailed as failed:
                raise refusal(transaction, failed) from failed
        if not transactions and mark is not None:
            item = tables.import_key(mark.source) | {"line": number(mark.line)}
            with translated("marking an import"):
                await self._connection.client.put_item(TableName=self._tables.feed, Item=item)

    async def reached(self, source: str) -> int | None:
        with translated("reading an import's mark"):
            answer = await self._connection.client.get_item(
                TableName=self._tables.feed, Key=tables.import_key(source), ConsistentRead=True
            )
        item = answer.get("Item")
        return read_int(item, "line") if item else None

    async def forget(self, source: str) -> None:
        with translated("forgetting an import's mark"):
            await self._connection.client.delete_item(
                TableName=self._tables.feed, Key=tables.import_key(source)
            )

    def _write(self, write: ImportWrite) -> Write:
        movie = write.movie
        if write.previous is None:
            creation = operations.creation(self._tables, movie)
            return Write(creation, movie.id, movie.version, movie, stored=1)
        replacement = operations.replacement(self._tables, movie, write.previous)
        return Write(replacement, movie.id, movie.version, movie)

    def _mark(self, source: str, line: int) -> TransactWriteItemTypeDef:
        item = tables.import_key(source) | {"line": number(line)}
        return {"Put": {"TableName": self._tables.feed, "Item": item}}

    async def _movies(self, ids: Sequence[str]) -> dict[str, Movie]:
        keys = [{"id": text(movie_id)} for movie_id in ids]
        items = await batches.existing(self._connection.client, self._tables.movies, keys)
        return {movie.id: movie for movie in map(movie_from_item, items)}
